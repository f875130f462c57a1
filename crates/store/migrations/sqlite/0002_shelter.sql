-- Sites, bed pools and stays. Keep in step with ../postgres/0002_shelter.sql.

CREATE TABLE sites (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    address          TEXT,
    country          TEXT NOT NULL,
    region           TEXT,
    city             TEXT NOT NULL,
    latitude         REAL,
    longitude        REAL,
    contact_name     TEXT,
    contact_phone    TEXT,
    status           TEXT NOT NULL,
    rules            TEXT NOT NULL,
    amenities        TEXT NOT NULL,
    version          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX sites_by_city ON sites (country, city);

CREATE TABLE bed_pools (
    id               BLOB PRIMARY KEY NOT NULL,
    site_id          BLOB NOT NULL REFERENCES sites(id),
    kind             TEXT NOT NULL,
    room_size        INTEGER,
    beds             INTEGER NOT NULL,
    step_free_beds   INTEGER NOT NULL,
    blocked_beds     INTEGER NOT NULL,
    transitory_beds  INTEGER NOT NULL,
    -- Bumped by every admission so that concurrent admissions to one pool serialise.
    admissions       INTEGER NOT NULL DEFAULT 0,
    version          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX bed_pools_by_site ON bed_pools (site_id);

CREATE TABLE stays (
    id                  BLOB PRIMARY KEY NOT NULL,
    household_id        BLOB NOT NULL REFERENCES households(id),
    organisation_id     BLOB NOT NULL REFERENCES organisations(id),
    site_id             BLOB NOT NULL REFERENCES sites(id),
    pool_id             BLOB NOT NULL REFERENCES bed_pools(id),
    status              TEXT NOT NULL,
    one_night           INTEGER NOT NULL,
    persons             INTEGER NOT NULL,
    step_free           INTEGER NOT NULL,
    reserved_until      TEXT,
    checked_in_at       TEXT,
    expected_departure  TEXT,
    last_seen_at        TEXT,
    checked_out_at      TEXT,
    created_by          BLOB REFERENCES users(id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX stays_by_pool ON stays (pool_id, status);
CREATE INDEX stays_by_site ON stays (site_id, status);
CREATE INDEX stays_by_household ON stays (household_id, status);

CREATE TABLE stay_members (
    stay_id    BLOB NOT NULL REFERENCES stays(id),
    person_id  BLOB NOT NULL REFERENCES persons(id),
    PRIMARY KEY (stay_id, person_id)
);
CREATE INDEX stay_members_by_person ON stay_members (person_id);
