-- The settlement of the place list a household's or a site's city is, so that every
-- spelling of one place (Уральск, Орал, Oral) is one place for figures and placement.
-- NULL: an unconfirmed place (free text the list does not resolve), until a coordinator
-- maps it. Existing rows are linked when the server starts (the resolver is Rust).
ALTER TABLE households ADD COLUMN place_id INTEGER;
ALTER TABLE sites ADD COLUMN place_id INTEGER;
CREATE INDEX households_unconfirmed_place ON households (organisation_id, country, city)
    WHERE place_id IS NULL;
CREATE INDEX sites_unconfirmed_place ON sites (organisation_id, country, city)
    WHERE place_id IS NULL;

-- A coordinator's mapping of a typed name to a place, for one organisation: applied to
-- that organisation's existing records when made and to every later record with the name.
CREATE TABLE place_aliases (
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    country          TEXT NOT NULL,
    folded_name      TEXT NOT NULL,
    place_id         INTEGER NOT NULL,
    mapped_by        BLOB NOT NULL,
    mapped_at        TEXT NOT NULL,
    PRIMARY KEY (organisation_id, country, folded_name)
);
