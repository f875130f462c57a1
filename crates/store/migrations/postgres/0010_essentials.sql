-- Essentials: items, distribution points, the stock ledger and distributions.
-- Keep in step with ../sqlite/0010_essentials.sql.

CREATE TABLE items (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    name             text NOT NULL,
    unit             text NOT NULL,
    -- Shared across organisations: receipts of items with one code count together.
    code             text NOT NULL,
    -- Entitlement rules as JSON (core::essentials::EntitlementRule).
    rules            jsonb NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (organisation_id, name)
);
CREATE INDEX items_by_code ON items (code);

CREATE TABLE distribution_points (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    name             text NOT NULL,
    kind             text NOT NULL,
    city             text,
    created_at       timestamptz NOT NULL,
    UNIQUE (organisation_id, name)
);

-- The ledger: one immutable row per movement; quantity is the signed change.
CREATE TABLE stock_entries (
    id                    uuid PRIMARY KEY,
    organisation_id       uuid NOT NULL REFERENCES organisations(id),
    point_id              uuid NOT NULL REFERENCES distribution_points(id),
    item_id               uuid NOT NULL REFERENCES items(id),
    kind                  text NOT NULL,
    quantity              bigint NOT NULL CHECK (quantity <> 0),
    counterpart_point_id  uuid REFERENCES distribution_points(id),
    distribution_id       uuid,
    reason                text,
    recorded_by           uuid REFERENCES users(id),
    recorded_at           timestamptz NOT NULL
);
CREATE INDEX stock_entries_by_point_item ON stock_entries (point_id, item_id, recorded_at);

CREATE FUNCTION stock_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the stock ledger is append-only';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER stock_entries_append_only BEFORE UPDATE OR DELETE ON stock_entries
    FOR EACH ROW EXECUTE FUNCTION stock_entries_append_only();

-- The running sum of the ledger per point and item, updated in the same transaction as
-- each entry; the row is also the lock that serialises issues of one item at one point.
CREATE TABLE stock_balances (
    point_id  uuid NOT NULL REFERENCES distribution_points(id),
    item_id   uuid NOT NULL REFERENCES items(id),
    quantity  bigint NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (point_id, item_id)
);

-- One hand-out to a household at a point.
CREATE TABLE distributions (
    id                uuid PRIMARY KEY,
    organisation_id   uuid NOT NULL REFERENCES organisations(id),
    household_id      uuid NOT NULL REFERENCES households(id),
    point_id          uuid NOT NULL REFERENCES distribution_points(id),
    distributed_on    date NOT NULL,
    -- The household's group when served, for reports by group.
    population_group  text NOT NULL,
    override_reason   text,
    recorded_by       uuid REFERENCES users(id),
    recorded_at       timestamptz NOT NULL
);
CREATE INDEX distributions_by_household ON distributions (household_id, distributed_on);
CREATE INDEX distributions_by_org_day ON distributions (organisation_id, distributed_on);

CREATE TABLE distribution_lines (
    distribution_id  uuid NOT NULL REFERENCES distributions(id),
    item_id          uuid NOT NULL REFERENCES items(id),
    quantity         bigint NOT NULL CHECK (quantity > 0),
    -- Units beyond the entitlement, given under the distribution's override reason.
    over_by          bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (distribution_id, item_id)
);

-- Who a line covered and how many units each is counted as receiving; receipts follow
-- a person's resolved identity through persons.identity_id.
CREATE TABLE distribution_shares (
    distribution_id  uuid NOT NULL REFERENCES distributions(id),
    item_id          uuid NOT NULL,
    person_id        uuid NOT NULL REFERENCES persons(id),
    quantity         bigint NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (distribution_id, item_id, person_id)
);
CREATE INDEX distribution_shares_by_person ON distribution_shares (person_id, distribution_id);
