-- Failed logins per account, for throttling and temporary lockout. Keyed by a hash of the
-- e-mail so that attempts on accounts that do not exist are throttled the same way.
-- Keep in step with ../postgres/0006_login_attempts.sql.

CREATE TABLE login_attempts (
    email_hash    BLOB PRIMARY KEY NOT NULL,
    failures      INTEGER NOT NULL,
    locked_until  TEXT,
    updated_at    TEXT NOT NULL
);
