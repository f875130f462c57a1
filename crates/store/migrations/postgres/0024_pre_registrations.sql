-- Households that entered themselves on the public pre-registration page, waiting for a
-- registrar of the running organisation to confirm them at the desk. Not households: they
-- count in no figure. Deleted when confirmed, and after they expire (retention).
-- Keep in step with ../sqlite/0024_pre_registrations.sql.
CREATE TABLE pre_registrations (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    code             text NOT NULL UNIQUE,
    document         jsonb NOT NULL,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL
);
CREATE INDEX pre_registrations_expiry ON pre_registrations (expires_at);

-- Submissions of public forms counted per hashed key (a client address, or everyone), in
-- fixed windows: the rate limits of the public pages. No address in clear.
CREATE TABLE public_submissions (
    key_hash      bytea PRIMARY KEY,
    submissions   integer NOT NULL,
    window_start  timestamptz NOT NULL
);
