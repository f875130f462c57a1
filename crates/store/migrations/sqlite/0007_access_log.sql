-- Reads of personal data: who looked at what, when, for which stated purpose. Append-only.
-- Keep in step with ../postgres/0007_access_log.sql.

CREATE TABLE access_log (
    id               BLOB PRIMARY KEY NOT NULL,
    at               TEXT NOT NULL,
    user_id          BLOB NOT NULL REFERENCES users(id),
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    action           TEXT NOT NULL,
    entity_id        BLOB,
    purpose          TEXT,
    -- Counts and identifiers only, never the search text.
    detail           TEXT NOT NULL
);
CREATE INDEX access_log_by_org ON access_log (organisation_id, id);
CREATE INDEX access_log_by_entity ON access_log (entity_id);

CREATE TRIGGER access_log_append_only_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
CREATE TRIGGER access_log_append_only_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
