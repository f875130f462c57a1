-- Essentials: items, distribution points, the stock ledger and distributions.
-- Keep in step with ../postgres/0010_essentials.sql.

CREATE TABLE items (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    name             TEXT NOT NULL,
    unit             TEXT NOT NULL,
    -- Shared across organisations: receipts of items with one code count together.
    code             TEXT NOT NULL,
    -- Entitlement rules as JSON (core::essentials::EntitlementRule).
    rules            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (organisation_id, name)
);
CREATE INDEX items_by_code ON items (code);

CREATE TABLE distribution_points (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    city             TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (organisation_id, name)
);

-- The ledger: one immutable row per movement; quantity is the signed change.
CREATE TABLE stock_entries (
    id                    BLOB PRIMARY KEY NOT NULL,
    organisation_id       BLOB NOT NULL REFERENCES organisations(id),
    point_id              BLOB NOT NULL REFERENCES distribution_points(id),
    item_id               BLOB NOT NULL REFERENCES items(id),
    kind                  TEXT NOT NULL,
    quantity              INTEGER NOT NULL CHECK (quantity <> 0),
    counterpart_point_id  BLOB REFERENCES distribution_points(id),
    distribution_id       BLOB,
    reason                TEXT,
    recorded_by           BLOB REFERENCES users(id),
    recorded_at           TEXT NOT NULL
);
CREATE INDEX stock_entries_by_point_item ON stock_entries (point_id, item_id, recorded_at);

CREATE TRIGGER stock_entries_no_update BEFORE UPDATE ON stock_entries
BEGIN
    SELECT RAISE(ABORT, 'the stock ledger is append-only');
END;
CREATE TRIGGER stock_entries_no_delete BEFORE DELETE ON stock_entries
BEGIN
    SELECT RAISE(ABORT, 'the stock ledger is append-only');
END;

-- The running sum of the ledger per point and item, updated in the same transaction as
-- each entry; the row is also the lock that serialises issues of one item at one point.
CREATE TABLE stock_balances (
    point_id  BLOB NOT NULL REFERENCES distribution_points(id),
    item_id   BLOB NOT NULL REFERENCES items(id),
    quantity  INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (point_id, item_id)
);

-- One hand-out to a household at a point.
CREATE TABLE distributions (
    id                BLOB PRIMARY KEY NOT NULL,
    organisation_id   BLOB NOT NULL REFERENCES organisations(id),
    household_id      BLOB NOT NULL REFERENCES households(id),
    point_id          BLOB NOT NULL REFERENCES distribution_points(id),
    distributed_on    TEXT NOT NULL,
    -- The household's group when served, for reports by group.
    population_group  TEXT NOT NULL,
    override_reason   TEXT,
    recorded_by       BLOB REFERENCES users(id),
    recorded_at       TEXT NOT NULL
);
CREATE INDEX distributions_by_household ON distributions (household_id, distributed_on);
CREATE INDEX distributions_by_org_day ON distributions (organisation_id, distributed_on);

CREATE TABLE distribution_lines (
    distribution_id  BLOB NOT NULL REFERENCES distributions(id),
    item_id          BLOB NOT NULL REFERENCES items(id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    -- Units beyond the entitlement, given under the distribution's override reason.
    over_by          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (distribution_id, item_id)
);

-- Who a line covered and how many units each is counted as receiving; receipts follow
-- a person's resolved identity through persons.identity_id.
CREATE TABLE distribution_shares (
    distribution_id  BLOB NOT NULL REFERENCES distributions(id),
    item_id          BLOB NOT NULL,
    person_id        BLOB NOT NULL REFERENCES persons(id),
    quantity         INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (distribution_id, item_id, person_id)
);
CREATE INDEX distribution_shares_by_person ON distribution_shares (person_id, distribution_id);
