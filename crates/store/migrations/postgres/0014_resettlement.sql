-- The resettlement pipeline: receiving programmes and the households proposed for them.
-- Keep in step with ../sqlite/0014_resettlement.sql.

CREATE TABLE resettlement_programmes (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    country          text NOT NULL,
    name             text NOT NULL,
    quota            integer NOT NULL CHECK (quota > 0),
    criteria         jsonb NOT NULL,
    -- Bumped by every proposal run: the row write that serialises concurrent runs.
    proposal_runs    integer NOT NULL DEFAULT 0,
    created_by       uuid NOT NULL REFERENCES users(id),
    created_at       timestamptz NOT NULL
);
CREATE INDEX resettlement_programmes_by_org ON resettlement_programmes (organisation_id, id);

CREATE TABLE resettlement_entries (
    id               uuid PRIMARY KEY,
    programme_id     uuid NOT NULL REFERENCES resettlement_programmes(id),
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    household_id     uuid NOT NULL REFERENCES households(id),
    -- Members when proposed: the places the entry holds.
    persons          integer NOT NULL CHECK (persons > 0),
    priority         integer NOT NULL,
    waiting_days     integer NOT NULL,
    status           text NOT NULL,
    reason           text,
    version          bigint NOT NULL,
    proposed_by      uuid NOT NULL REFERENCES users(id),
    proposed_at      timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (programme_id, household_id)
);
CREATE INDEX resettlement_entries_by_household ON resettlement_entries (household_id);
