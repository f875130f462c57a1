-- Sites, bed pools and stays. Keep in step with ../sqlite/0002_shelter.sql.

CREATE TABLE sites (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    name             text NOT NULL,
    kind             text NOT NULL,
    address          text,
    country          text NOT NULL,
    region           text,
    city             text NOT NULL,
    latitude         double precision,
    longitude        double precision,
    contact_name     text,
    contact_phone    text,
    status           text NOT NULL,
    rules jsonb NOT NULL,
    amenities jsonb NOT NULL,
    version          bigint NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX sites_by_city ON sites (country, city);

CREATE TABLE bed_pools (
    id               uuid PRIMARY KEY,
    site_id          uuid NOT NULL REFERENCES sites(id),
    kind             text NOT NULL,
    room_size        integer,
    beds             integer NOT NULL,
    step_free_beds   integer NOT NULL,
    blocked_beds     integer NOT NULL,
    transitory_beds  integer NOT NULL,
    -- Bumped by every admission so that concurrent admissions to one pool serialise.
    admissions       bigint NOT NULL DEFAULT 0,
    version          bigint NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX bed_pools_by_site ON bed_pools (site_id);

CREATE TABLE stays (
    id                  uuid PRIMARY KEY,
    household_id        uuid NOT NULL REFERENCES households(id),
    organisation_id     uuid NOT NULL REFERENCES organisations(id),
    site_id             uuid NOT NULL REFERENCES sites(id),
    pool_id             uuid NOT NULL REFERENCES bed_pools(id),
    status              text NOT NULL,
    one_night           boolean NOT NULL,
    persons             integer NOT NULL,
    step_free           integer NOT NULL,
    reserved_until      timestamptz,
    checked_in_at       timestamptz,
    expected_departure  date,
    last_seen_at        timestamptz,
    checked_out_at      timestamptz,
    created_by          uuid REFERENCES users(id),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX stays_by_pool ON stays (pool_id, status);
CREATE INDEX stays_by_site ON stays (site_id, status);
CREATE INDEX stays_by_household ON stays (household_id, status);

CREATE TABLE stay_members (
    stay_id    uuid NOT NULL REFERENCES stays(id),
    person_id  uuid NOT NULL REFERENCES persons(id),
    PRIMARY KEY (stay_id, person_id)
);
CREATE INDEX stay_members_by_person ON stay_members (person_id);
