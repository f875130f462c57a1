-- A tamper-evident audit log: events are sealed in order into a hash chain
-- (hash = SHA-256(prev_hash || canonical event)), and the table is append-only.
-- Keep in step with ../sqlite/0005_audit_chain.sql.

ALTER TABLE audit_events ADD COLUMN seq bigint;
ALTER TABLE audit_events ADD COLUMN prev_hash bytea;
ALTER TABLE audit_events ADD COLUMN hash bytea;
CREATE UNIQUE INDEX audit_by_seq ON audit_events (seq);
CREATE INDEX audit_unsealed ON audit_events (id) WHERE seq IS NULL;

CREATE TABLE audit_chain (
    id    integer PRIMARY KEY CHECK (id = 1),
    seq   bigint NOT NULL,
    hash  bytea NOT NULL
);
INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.seq IS NOT NULL THEN
        RAISE EXCEPTION 'the audit log is append-only';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
