-- Data-sharing agreements between organisations. Keep in step with ../postgres/.

CREATE TABLE sharing_agreements (
    id                    BLOB PRIMARY KEY NOT NULL,
    from_organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    to_organisation_id    BLOB NOT NULL REFERENCES organisations(id),
    categories            TEXT NOT NULL,
    purpose               TEXT NOT NULL,
    valid_until           TEXT NOT NULL,
    withdrawn_at          TEXT,
    created_by            BLOB REFERENCES users(id),
    created_at            TEXT NOT NULL
);
CREATE INDEX sharing_by_receiver ON sharing_agreements (to_organisation_id);
