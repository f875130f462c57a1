-- Several `shanyrak serve` processes share one database, each with an identity index in
-- memory. A committed transaction that wrote a household's audit event wakes the others
-- (LISTEN shanyrak_households) so they read the change within a second instead of at
-- their next poll. The payload is empty: the audit log stays the one record of what
-- changed, read from each process's own cursor, and a missed notification is caught up
-- by the next one or the slow poll. PostgreSQL folds identical notifications of one
-- transaction into one, delivered at commit (never for a rolled-back write).
-- Keep in step with ../sqlite/0029_household_notify.sql.
CREATE FUNCTION notify_household_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('shanyrak_households', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_events_notify_household AFTER INSERT ON audit_events
    FOR EACH ROW WHEN (NEW.entity = 'household')
    EXECUTE FUNCTION notify_household_change();
