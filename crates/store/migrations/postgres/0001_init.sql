-- Shanyrak schema for PostgreSQL. Keep in step with ../sqlite/0001_init.sql.

CREATE TABLE organisations (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    kind        text NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE users (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    email            text NOT NULL UNIQUE,
    password_hash    text NOT NULL,
    roles            jsonb NOT NULL,
    disabled         boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL
);

CREATE TABLE api_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users(id),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz,
    revoked_at  timestamptz,
    -- A token may act with one of its user's roles only.
    role        text
);

CREATE TABLE households (
    id               uuid PRIMARY KEY,
    reference        text NOT NULL UNIQUE,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    population_group text NOT NULL,
    arrival_date     date,
    crossing_point   text,
    country          text NOT NULL,
    region           text,
    city             text NOT NULL,
    phone            text,
    languages        jsonb NOT NULL,
    needs            jsonb NOT NULL,
    accepts_sex_separation boolean NOT NULL DEFAULT false,
    legal_basis      text,
    information_given boolean NOT NULL DEFAULT false,
    status           text NOT NULL,
    notes            text,
    version          bigint NOT NULL,
    registered_at    timestamptz NOT NULL,
    registered_by    uuid NOT NULL REFERENCES users(id),
    updated_at       timestamptz NOT NULL
);
CREATE INDEX households_by_org ON households (organisation_id, id);

CREATE TABLE persons (
    id                    uuid PRIMARY KEY,
    household_id          uuid NOT NULL REFERENCES households(id),
    position              integer NOT NULL,
    surname               text NOT NULL,
    given_name            text NOT NULL,
    patronymic            text,
    sex                   text NOT NULL,
    birth_date            text NOT NULL,
    birth_year            integer NOT NULL,
    birth_date_estimated  boolean NOT NULL,
    citizenship           text,
    relationship          text NOT NULL,
    vulnerabilities       jsonb NOT NULL,
    removed_at            timestamptz,
    identity_id           uuid
);
CREATE INDEX persons_by_household ON persons (household_id, position);

CREATE TABLE documents (
    person_id        uuid NOT NULL REFERENCES persons(id),
    position         integer NOT NULL,
    doc_type         text NOT NULL,
    number           text,
    issuing_country  text,
    PRIMARY KEY (person_id, position)
);
CREATE INDEX documents_by_number ON documents (number);

CREATE TABLE audit_events (
    id               uuid PRIMARY KEY,
    at               timestamptz NOT NULL,
    actor_user_id    uuid,
    actor_label      text NOT NULL,
    organisation_id  uuid,
    entity           text NOT NULL,
    entity_id        uuid NOT NULL,
    action           text NOT NULL,
    before_state     jsonb,
    after_state      jsonb
);
CREATE INDEX audit_by_entity ON audit_events (entity_id, id);

CREATE TABLE idempotency_keys (
    user_id       uuid NOT NULL,
    key           text NOT NULL,
    request_hash  bytea NOT NULL,
    receipt       jsonb NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
