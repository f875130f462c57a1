-- The key of each user's offline outbox: registrations typed on a phone without a
-- connection wait there, encrypted to this key's public half; only a signed-in session of
-- the same user is handed the private half to send them.
CREATE TABLE outbox_keys (
    user_id     uuid PRIMARY KEY NOT NULL REFERENCES users(id),
    -- PKCS#8 DER of a P-256 key.
    private_key bytea NOT NULL,
    created_at  timestamptz NOT NULL
);
