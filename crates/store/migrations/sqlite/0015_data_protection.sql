-- Data protection: audit chain v2 (salted commitments, so an event's personal payload can
-- be erased while the chain still verifies), anonymisation marks for retention and
-- erasure. Keep in step with ../postgres/0015_data_protection.sql.
--
-- Chain v2: hash = SHA-256(prev_hash || canonical(seq, id, at, actor, organisation,
-- entity, entity_id, action, commitment)) with commitment = SHA-256(salt || canonical
-- [before, after]). Erasure sets salt, before_state and after_state to NULL together; the
-- commitment stays, so the chain still verifies, and without the salt it cannot confirm a
-- guess of what the payload was. A database sealed under v1 is re-sealed by the store
-- right after this migration (`audit_chain.version` 1 -> 2), after checking the v1 chain;
-- a v1 chain found broken is remembered in `upgrade_broken_at` and reported by every
-- later verification.

ALTER TABLE audit_events ADD COLUMN salt BLOB;
ALTER TABLE audit_events ADD COLUMN commitment BLOB;
ALTER TABLE audit_chain ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_chain ADD COLUMN upgrade_broken_at INTEGER;
ALTER TABLE audit_chain ADD COLUMN upgrade_broken_why TEXT;
-- Nothing sealed yet: the chain starts as v2.
UPDATE audit_chain SET version = 2 WHERE seq = 0;

DROP TRIGGER IF EXISTS audit_events_sealed;
-- A sealed event never changes, except (a) while the store re-seals a v1 chain as v2, and
-- (b) erasure: salt and payload set to NULL together, every other column unchanged.
CREATE TRIGGER audit_events_sealed BEFORE UPDATE ON audit_events
WHEN OLD.seq IS NOT NULL
 AND (SELECT version FROM audit_chain WHERE id = 1) <> 1
 AND NOT (
        NEW.salt IS NULL AND NEW.before_state IS NULL AND NEW.after_state IS NULL
    AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor_user_id IS OLD.actor_user_id
    AND NEW.actor_label IS OLD.actor_label AND NEW.organisation_id IS OLD.organisation_id
    AND NEW.entity IS OLD.entity AND NEW.entity_id IS OLD.entity_id AND NEW.action IS OLD.action
    AND NEW.seq IS OLD.seq AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
    AND NEW.commitment IS OLD.commitment)
BEGIN
    SELECT RAISE(ABORT, 'a sealed audit event cannot change');
END;

-- Retention and erasure keep the row (year of birth, sex and dates still count in the
-- figures) and remove everything that names the person; the mark hides them from every
-- household view, search, duplicate lookup and the review queue.
ALTER TABLE persons ADD COLUMN anonymised_at TEXT;
ALTER TABLE households ADD COLUMN anonymised_at TEXT;
