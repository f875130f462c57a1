-- Placement proposals and the dispatcher's decisions. Keep in step with ../postgres/.

CREATE TABLE placement_batches (
    id               BLOB PRIMARY KEY NOT NULL,
    -- NULL for the operator's system-wide run over every organisation.
    organisation_id  BLOB REFERENCES organisations(id),
    city             TEXT,
    solution         TEXT NOT NULL,
    created_by       BLOB REFERENCES users(id),
    created_at       TEXT NOT NULL
);

CREATE TABLE placement_decisions (
    batch_id      BLOB NOT NULL REFERENCES placement_batches(id),
    household_id  BLOB NOT NULL REFERENCES households(id),
    decision      TEXT NOT NULL,
    site_id       BLOB REFERENCES sites(id),
    stay_ids      TEXT NOT NULL,
    reason        TEXT,
    decided_by    BLOB REFERENCES users(id),
    decided_at    TEXT NOT NULL,
    PRIMARY KEY (batch_id, household_id)
);
