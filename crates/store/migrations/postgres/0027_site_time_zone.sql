-- A site's own IANA time zone (`Asia/Oral`), set only where it differs from the zone of
-- its place; NULL: the place's zone, else the deployment's.
-- Keep in step with ../sqlite/0027_site_time_zone.sql.
ALTER TABLE sites ADD COLUMN time_zone text;
