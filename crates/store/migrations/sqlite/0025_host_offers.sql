-- Beds, rooms and flats offered by locals on the public page /offer-a-bed, for the
-- organisation running it. A coordinator verifies an offer (status, note, who, when) and
-- it becomes a site of kind private_accommodation with one bed pool (site_id). The host
-- withdraws it with a private link: only the SHA-256 of its token is kept.
-- The address and contact live here and never on the site: they are for the
-- organisation's coordinators and dispatchers only.
-- Keep in step with ../postgres/0025_host_offers.sql.
CREATE TABLE host_offers (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    token_hash       BLOB NOT NULL UNIQUE,
    place_id         INTEGER NOT NULL,
    country          TEXT NOT NULL,
    city             TEXT NOT NULL,
    people           INTEGER NOT NULL,
    -- The offer as the host gave it (core::host_offer::HostOffer as JSON).
    offer            TEXT NOT NULL,
    status           TEXT NOT NULL,
    note             TEXT,
    decided_by       BLOB REFERENCES users(id),
    decided_at       TEXT,
    site_id          BLOB REFERENCES sites(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX host_offers_by_status ON host_offers (organisation_id, status, created_at);
