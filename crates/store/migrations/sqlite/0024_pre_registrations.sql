-- Households that entered themselves on the public pre-registration page, waiting for a
-- registrar of the running organisation to confirm them at the desk. Not households: they
-- count in no figure. Deleted when confirmed, and after they expire (retention).
-- Keep in step with ../postgres/0024_pre_registrations.sql.
CREATE TABLE pre_registrations (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    -- The short code shown to the household (a reference code, upper case, no hyphens).
    code             TEXT NOT NULL UNIQUE,
    -- The household as registration JSON, to pre-fill the reception form.
    document         TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL
);
CREATE INDEX pre_registrations_expiry ON pre_registrations (expires_at);

-- Submissions of public forms counted per hashed key (a client address, or everyone), in
-- fixed windows: the rate limits of the public pages. No address in clear.
CREATE TABLE public_submissions (
    key_hash      BLOB PRIMARY KEY NOT NULL,
    submissions   INTEGER NOT NULL,
    window_start  TEXT NOT NULL
);
