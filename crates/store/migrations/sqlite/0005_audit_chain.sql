-- A tamper-evident audit log: events are sealed in order into a hash chain
-- (hash = SHA-256(prev_hash || canonical event)), and the table is append-only.
-- Keep in step with ../postgres/0005_audit_chain.sql.

ALTER TABLE audit_events ADD COLUMN seq INTEGER;
ALTER TABLE audit_events ADD COLUMN prev_hash BLOB;
ALTER TABLE audit_events ADD COLUMN hash BLOB;
CREATE UNIQUE INDEX audit_by_seq ON audit_events (seq);
CREATE INDEX audit_unsealed ON audit_events (seq, id);

CREATE TABLE audit_chain (
    id    INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  BLOB NOT NULL
);
INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, zeroblob(32));

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_events_sealed BEFORE UPDATE ON audit_events WHEN OLD.seq IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a sealed audit event cannot change');
END;
