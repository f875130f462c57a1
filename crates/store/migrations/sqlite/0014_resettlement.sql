-- The resettlement pipeline: receiving programmes and the households proposed for them.
-- Keep in step with ../postgres/0014_resettlement.sql.

CREATE TABLE resettlement_programmes (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    country          TEXT NOT NULL,
    name             TEXT NOT NULL,
    quota            INTEGER NOT NULL CHECK (quota > 0),
    criteria         TEXT NOT NULL,
    -- Bumped by every proposal run: the row write that serialises concurrent runs.
    proposal_runs    INTEGER NOT NULL DEFAULT 0,
    created_by       BLOB NOT NULL REFERENCES users(id),
    created_at       TEXT NOT NULL
);
CREATE INDEX resettlement_programmes_by_org ON resettlement_programmes (organisation_id, id);

CREATE TABLE resettlement_entries (
    id               BLOB PRIMARY KEY NOT NULL,
    programme_id     BLOB NOT NULL REFERENCES resettlement_programmes(id),
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    household_id     BLOB NOT NULL REFERENCES households(id),
    -- Members when proposed: the places the entry holds.
    persons          INTEGER NOT NULL CHECK (persons > 0),
    priority         INTEGER NOT NULL,
    waiting_days     INTEGER NOT NULL,
    status           TEXT NOT NULL,
    reason           TEXT,
    version          INTEGER NOT NULL,
    proposed_by      BLOB NOT NULL REFERENCES users(id),
    proposed_at      TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (programme_id, household_id)
);
CREATE INDEX resettlement_entries_by_household ON resettlement_entries (household_id);
