-- Shanyrak schema for SQLite. Keep in step with ../postgres/0001_init.sql: same tables,
-- same columns, types mapped (uuid -> BLOB, timestamptz/date -> TEXT, jsonb -> TEXT).

CREATE TABLE organisations (
    id          BLOB PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    email            TEXT NOT NULL UNIQUE,
    password_hash    TEXT NOT NULL,
    roles            TEXT NOT NULL,
    disabled         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id          BLOB PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users(id),
    token_hash  BLOB NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT,
    revoked_at  TEXT,
    -- A token may act with one of its user's roles only.
    role        TEXT
);

CREATE TABLE households (
    id               BLOB PRIMARY KEY NOT NULL,
    reference        TEXT NOT NULL UNIQUE,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    population_group TEXT NOT NULL,
    arrival_date     TEXT,
    crossing_point   TEXT,
    country          TEXT NOT NULL,
    region           TEXT,
    city             TEXT NOT NULL,
    phone            TEXT,
    languages        TEXT NOT NULL,
    needs            TEXT NOT NULL,
    accepts_sex_separation INTEGER NOT NULL DEFAULT 0,
    legal_basis      TEXT,
    information_given INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL,
    notes            TEXT,
    version          INTEGER NOT NULL,
    registered_at    TEXT NOT NULL,
    registered_by    BLOB NOT NULL REFERENCES users(id),
    updated_at       TEXT NOT NULL
);
CREATE INDEX households_by_org ON households (organisation_id, id);

CREATE TABLE persons (
    id                    BLOB PRIMARY KEY NOT NULL,
    household_id          BLOB NOT NULL REFERENCES households(id),
    position              INTEGER NOT NULL,
    surname               TEXT NOT NULL,
    given_name            TEXT NOT NULL,
    patronymic            TEXT,
    sex                   TEXT NOT NULL,
    birth_date            TEXT NOT NULL,
    birth_year            INTEGER NOT NULL,
    birth_date_estimated  INTEGER NOT NULL,
    citizenship           TEXT,
    relationship          TEXT NOT NULL,
    vulnerabilities       TEXT NOT NULL,
    removed_at            TEXT,
    -- The resolved identity: the smallest person id of those decided to be the same
    -- person; NULL when the person is only themselves.
    identity_id           BLOB
);
CREATE INDEX persons_by_household ON persons (household_id, position);

CREATE TABLE documents (
    person_id        BLOB NOT NULL REFERENCES persons(id),
    position         INTEGER NOT NULL,
    doc_type         TEXT NOT NULL,
    number           TEXT,
    issuing_country  TEXT,
    PRIMARY KEY (person_id, position)
);
CREATE INDEX documents_by_number ON documents (number);

CREATE TABLE audit_events (
    id               BLOB PRIMARY KEY NOT NULL,
    at               TEXT NOT NULL,
    actor_user_id    BLOB,
    actor_label      TEXT NOT NULL,
    organisation_id  BLOB,
    entity           TEXT NOT NULL,
    entity_id        BLOB NOT NULL,
    action           TEXT NOT NULL,
    before_state     TEXT,
    after_state      TEXT
);
CREATE INDEX audit_by_entity ON audit_events (entity_id, id);

CREATE TABLE idempotency_keys (
    user_id       BLOB NOT NULL,
    key           TEXT NOT NULL,
    request_hash  BLOB NOT NULL,
    receipt       TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
