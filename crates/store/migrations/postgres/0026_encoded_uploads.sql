-- Keyed Bloom-filter encodings (CLKs) an organisation uploaded under a data-sharing
-- agreement covering `distributions`, for matching against its partner's without either
-- side's names, dates or documents reaching the server. One row per agreement and
-- organisation, replaced on every upload; deleted when the agreement is withdrawn.
-- `refs` is a JSON array of the organisation's own opaque record references, `clks` the
-- encodings concatenated in the same order (bits/8 bytes each). The key is never here.
-- Keep in step with ../sqlite/0026_encoded_uploads.sql.
CREATE TABLE encoded_uploads (
    agreement_id     uuid NOT NULL REFERENCES sharing_agreements(id),
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    scheme           text NOT NULL,
    bits             integer NOT NULL,
    fold             boolean NOT NULL,
    balance          boolean NOT NULL,
    key_fingerprint  text NOT NULL,
    record_count     integer NOT NULL,
    refs             jsonb NOT NULL,
    clks             bytea NOT NULL,
    uploaded_by      uuid REFERENCES users(id),
    uploaded_at      timestamptz NOT NULL,
    PRIMARY KEY (agreement_id, organisation_id)
);
