-- Data protection: audit chain v2 (salted commitments, so an event's personal payload can
-- be erased while the chain still verifies), anonymisation marks for retention and
-- erasure. Keep in step with ../sqlite/0015_data_protection.sql, which explains chain v2.

ALTER TABLE audit_events ADD COLUMN salt bytea;
ALTER TABLE audit_events ADD COLUMN commitment bytea;
ALTER TABLE audit_chain ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE audit_chain ADD COLUMN upgrade_broken_at bigint;
ALTER TABLE audit_chain ADD COLUMN upgrade_broken_why text;
UPDATE audit_chain SET version = 2 WHERE seq = 0;

CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit log is append-only';
    END IF;
    IF OLD.seq IS NULL THEN
        RETURN NEW;
    END IF;
    -- The store re-seals a v1 chain as v2 once, right after this migration.
    IF (SELECT version FROM audit_chain WHERE id = 1) = 1 THEN
        RETURN NEW;
    END IF;
    -- Erasure: salt and payload to NULL together, nothing else changes.
    IF NEW.salt IS NULL AND NEW.before_state IS NULL AND NEW.after_state IS NULL
       AND NEW.id IS NOT DISTINCT FROM OLD.id AND NEW.at IS NOT DISTINCT FROM OLD.at
       AND NEW.actor_user_id IS NOT DISTINCT FROM OLD.actor_user_id
       AND NEW.actor_label IS NOT DISTINCT FROM OLD.actor_label
       AND NEW.organisation_id IS NOT DISTINCT FROM OLD.organisation_id
       AND NEW.entity IS NOT DISTINCT FROM OLD.entity
       AND NEW.entity_id IS NOT DISTINCT FROM OLD.entity_id
       AND NEW.action IS NOT DISTINCT FROM OLD.action
       AND NEW.seq IS NOT DISTINCT FROM OLD.seq
       AND NEW.prev_hash IS NOT DISTINCT FROM OLD.prev_hash
       AND NEW.hash IS NOT DISTINCT FROM OLD.hash
       AND NEW.commitment IS NOT DISTINCT FROM OLD.commitment THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END
$$ LANGUAGE plpgsql;

ALTER TABLE persons ADD COLUMN anonymised_at timestamptz;
ALTER TABLE households ADD COLUMN anonymised_at timestamptz;
