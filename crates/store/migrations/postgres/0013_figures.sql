-- Figures per day (placements per day of an organisation, repo/figures.rs) read only
-- these indexes instead of every stay. Keep in step with the other backend.

CREATE INDEX stays_by_org_created ON stays (organisation_id, created_at);
CREATE INDEX stays_by_org_checked_in ON stays (organisation_id, checked_in_at);
