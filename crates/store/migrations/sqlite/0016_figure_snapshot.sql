-- Coordinator figures kept ahead of the request (repo/figure_snapshot.rs): one snapshot of
-- every organisation's cells, replaced whole by each refresh, read per scope. Records,
-- stays and distributions written after `computed_at` are added live from the indexes
-- below. Keep in step with ../postgres/0016_figure_snapshot.sql.

CREATE TABLE figure_snapshot (
    id           INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    -- Everything written up to this instant is in the cells, nothing after it.
    computed_at  TEXT NOT NULL,
    -- The day age bands were computed on.
    today        TEXT NOT NULL,
    took_ms      INTEGER NOT NULL
);

-- Person records by organisation and every dimension of the figures. `earlier_orgs` lists
-- (sorted, comma-separated) the organisations holding an earlier record of the same
-- resolved person: a record counts as a person in a scope holding none of them.
CREATE TABLE figure_population (
    organisation_id   BLOB NOT NULL,
    earlier_orgs      TEXT NOT NULL,
    population_group  TEXT NOT NULL,
    sex               TEXT NOT NULL,
    age_band          TEXT NOT NULL,
    citizenship       TEXT,
    country           TEXT NOT NULL,
    city              TEXT NOT NULL,
    arrival_date      TEXT,
    crossing_point    TEXT,
    records           INTEGER NOT NULL
);
CREATE INDEX figure_population_by_org ON figure_population (organisation_id);

CREATE TABLE figure_placements (
    organisation_id  BLOB NOT NULL,
    day              TEXT NOT NULL,
    made             INTEGER NOT NULL,
    checked_in       INTEGER NOT NULL
);
CREATE INDEX figure_placements_by_org ON figure_placements (organisation_id);

CREATE TABLE figure_distributions (
    organisation_id  BLOB NOT NULL,
    item_code        TEXT NOT NULL,
    units            INTEGER NOT NULL
);
CREATE INDEX figure_distributions_by_org ON figure_distributions (organisation_id);

-- Households waiting for a bed when the snapshot was made, by the day they started waiting.
CREATE TABLE figure_waiting (
    organisation_id  BLOB NOT NULL,
    country          TEXT NOT NULL,
    city             TEXT NOT NULL,
    since            TEXT NOT NULL,
    households       INTEGER NOT NULL,
    persons          INTEGER NOT NULL
);
CREATE INDEX figure_waiting_by_org ON figure_waiting (organisation_id);

-- What was written after the snapshot, found without a scan.
CREATE INDEX households_by_org_registered ON households (organisation_id, registered_at);
CREATE INDEX distributions_by_org_recorded ON distributions (organisation_id, recorded_at);
-- Beds held now: the pool usage of every site page and of the figures reads only these.
CREATE INDEX stays_active_by_pool ON stays (pool_id, status, one_night, persons, step_free, reserved_until)
    WHERE status IN ('checked_in', 'reserved');
