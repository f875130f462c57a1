-- Beds, rooms and flats offered by locals on the public page /offer-a-bed, for the
-- organisation running it. A coordinator verifies an offer (status, note, who, when) and
-- it becomes a site of kind private_accommodation with one bed pool (site_id). The host
-- withdraws it with a private link: only the SHA-256 of its token is kept.
-- The address and contact live here and never on the site: they are for the
-- organisation's coordinators and dispatchers only.
-- Keep in step with ../sqlite/0025_host_offers.sql.
CREATE TABLE host_offers (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    token_hash       bytea NOT NULL UNIQUE,
    place_id         bigint NOT NULL,
    country          text NOT NULL,
    city             text NOT NULL,
    people           integer NOT NULL,
    -- The offer as the host gave it (core::host_offer::HostOffer as JSON).
    offer            jsonb NOT NULL,
    status           text NOT NULL,
    note             text,
    decided_by       uuid REFERENCES users(id),
    decided_at       timestamptz,
    site_id          uuid REFERENCES sites(id),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX host_offers_by_status ON host_offers (organisation_id, status, created_at);
