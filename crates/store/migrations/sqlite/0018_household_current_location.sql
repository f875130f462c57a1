-- Where a household is now when it is not in its city yet (a border post, the road): a
-- place of the place list and/or coordinates. Placement measures travel from here.
ALTER TABLE households ADD COLUMN current_place_id INTEGER;
ALTER TABLE households ADD COLUMN current_latitude REAL;
ALTER TABLE households ADD COLUMN current_longitude REAL;
