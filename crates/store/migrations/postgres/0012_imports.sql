-- Imported lists: rows that failed validation wait here for correction, and uploads wait
-- for the volunteer's confirmation. Keep in step with ../sqlite/0012_imports.sql.
CREATE TABLE import_quarantine (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    file_digest      text NOT NULL,
    line             bigint NOT NULL,
    household_key    text NOT NULL,
    document         jsonb NOT NULL,
    errors           jsonb NOT NULL,
    status           text NOT NULL,
    household_id     uuid REFERENCES households(id),
    created_by       uuid REFERENCES users(id),
    created_at       timestamptz NOT NULL,
    resolved_at      timestamptz,
    UNIQUE (organisation_id, file_digest, line)
);
CREATE INDEX import_quarantine_pending ON import_quarantine (organisation_id, status, id);

CREATE TABLE import_uploads (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    created_by       uuid NOT NULL REFERENCES users(id),
    file_name        text NOT NULL,
    file_digest      text NOT NULL,
    content          bytea NOT NULL,
    mapping          text,
    created_at       timestamptz NOT NULL
);
