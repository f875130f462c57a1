-- Imported lists: rows that failed validation wait here for correction, and uploads wait
-- for the volunteer's confirmation. Keep in step with ../postgres/0012_imports.sql.
CREATE TABLE import_quarantine (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    file_digest      TEXT NOT NULL,
    line             INTEGER NOT NULL,
    household_key    TEXT NOT NULL,
    -- The household the row belongs to, as registration JSON, to correct and resubmit.
    document         TEXT NOT NULL,
    -- [{pointer, code, detail}] for this row; never the submitted values.
    errors           TEXT NOT NULL,
    status           TEXT NOT NULL,
    household_id     BLOB REFERENCES households(id),
    created_by       BLOB REFERENCES users(id),
    created_at       TEXT NOT NULL,
    resolved_at      TEXT,
    -- Importing the same file again quarantines nothing twice.
    UNIQUE (organisation_id, file_digest, line)
);
CREATE INDEX import_quarantine_pending ON import_quarantine (organisation_id, status, id);

CREATE TABLE import_uploads (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    created_by       BLOB NOT NULL REFERENCES users(id),
    file_name        TEXT NOT NULL,
    file_digest      TEXT NOT NULL,
    content          BLOB NOT NULL,
    mapping          TEXT,
    created_at       TEXT NOT NULL
);
