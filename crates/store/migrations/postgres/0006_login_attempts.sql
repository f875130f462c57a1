-- Failed logins per account, for throttling and temporary lockout. Keyed by a hash of the
-- e-mail so that attempts on accounts that do not exist are throttled the same way.
-- Keep in step with ../sqlite/0006_login_attempts.sql.

CREATE TABLE login_attempts (
    email_hash    bytea PRIMARY KEY,
    failures      integer NOT NULL,
    locked_until  timestamptz,
    updated_at    timestamptz NOT NULL
);
