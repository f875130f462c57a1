-- Data-sharing agreements between organisations. Keep in step with ../sqlite/.

CREATE TABLE sharing_agreements (
    id                    uuid PRIMARY KEY,
    from_organisation_id  uuid NOT NULL REFERENCES organisations(id),
    to_organisation_id    uuid NOT NULL REFERENCES organisations(id),
    categories            jsonb NOT NULL,
    purpose               text NOT NULL,
    valid_until           date NOT NULL,
    withdrawn_at          timestamptz,
    created_by            uuid REFERENCES users(id),
    created_at            timestamptz NOT NULL
);
CREATE INDEX sharing_by_receiver ON sharing_agreements (to_organisation_id);
