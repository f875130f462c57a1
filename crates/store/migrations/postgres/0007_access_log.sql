-- Reads of personal data: who looked at what, when, for which stated purpose. Append-only.
-- Keep in step with ../sqlite/0007_access_log.sql.

CREATE TABLE access_log (
    id               uuid PRIMARY KEY,
    at               timestamptz NOT NULL,
    user_id          uuid NOT NULL REFERENCES users(id),
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    action           text NOT NULL,
    entity_id        uuid,
    purpose          text,
    -- Counts and identifiers only, never the search text.
    detail           jsonb NOT NULL
);
CREATE INDEX access_log_by_org ON access_log (organisation_id, id);
CREATE INDEX access_log_by_entity ON access_log (entity_id);

CREATE FUNCTION access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
