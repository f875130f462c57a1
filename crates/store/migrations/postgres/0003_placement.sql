-- Placement proposals and the dispatcher's decisions. Keep in step with ../sqlite/.

CREATE TABLE placement_batches (
    id               uuid PRIMARY KEY,
    -- NULL for the operator's system-wide run over every organisation.
    organisation_id  uuid REFERENCES organisations(id),
    city             text,
    solution         jsonb NOT NULL,
    created_by       uuid REFERENCES users(id),
    created_at       timestamptz NOT NULL
);

CREATE TABLE placement_decisions (
    batch_id      uuid NOT NULL REFERENCES placement_batches(id),
    household_id  uuid NOT NULL REFERENCES households(id),
    decision      text NOT NULL,
    site_id       uuid REFERENCES sites(id),
    stay_ids      jsonb NOT NULL,
    reason        text,
    decided_by    uuid REFERENCES users(id),
    decided_at    timestamptz NOT NULL,
    PRIMARY KEY (batch_id, household_id)
);
