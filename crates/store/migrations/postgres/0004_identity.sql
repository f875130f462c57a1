-- The duplicate review queue. Keep in step with ../sqlite/0004_identity.sql.

CREATE TABLE duplicate_candidates (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    -- Ordered so that a pair has one row whoever registered first.
    person_a         uuid NOT NULL REFERENCES persons(id),
    person_b         uuid NOT NULL REFERENCES persons(id),
    probability      double precision NOT NULL,
    evidence         jsonb NOT NULL,
    -- pending, same or different; a decided pair is never proposed again.
    status           text NOT NULL,
    decided_by       uuid REFERENCES users(id),
    decided_at       timestamptz,
    created_at       timestamptz NOT NULL,
    UNIQUE (person_a, person_b)
);
CREATE INDEX duplicate_candidates_queue ON duplicate_candidates (organisation_id, status, id);
CREATE INDEX persons_by_identity ON persons (identity_id);
