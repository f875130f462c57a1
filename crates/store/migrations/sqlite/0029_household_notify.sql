-- PostgreSQL's 0029 notifies other serving processes when a household changes. One
-- process serves a SQLite file and polls its audit log, so there is nothing to add here;
-- the migration exists so that both backends count the same versions.
-- Keep in step with ../postgres/0029_household_notify.sql.
SELECT 1;
