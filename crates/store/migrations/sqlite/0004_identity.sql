-- The duplicate review queue. Keep in step with ../postgres/0004_identity.sql.

CREATE TABLE duplicate_candidates (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    -- Ordered so that a pair has one row whoever registered first.
    person_a         BLOB NOT NULL REFERENCES persons(id),
    person_b         BLOB NOT NULL REFERENCES persons(id),
    probability      REAL NOT NULL,
    evidence         TEXT NOT NULL,
    -- pending, same or different; a decided pair is never proposed again.
    status           TEXT NOT NULL,
    decided_by       BLOB REFERENCES users(id),
    decided_at       TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (person_a, person_b)
);
CREATE INDEX duplicate_candidates_queue ON duplicate_candidates (organisation_id, status, id);
CREATE INDEX persons_by_identity ON persons (identity_id);
