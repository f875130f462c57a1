-- Keyed Bloom-filter encodings (CLKs) an organisation uploaded under a data-sharing
-- agreement covering `distributions`, for matching against its partner's without either
-- side's names, dates or documents reaching the server. One row per agreement and
-- organisation, replaced on every upload; deleted when the agreement is withdrawn.
-- `refs` is a JSON array of the organisation's own opaque record references, `clks` the
-- encodings concatenated in the same order (bits/8 bytes each). The key is never here.
-- Keep in step with ../postgres/0026_encoded_uploads.sql.
CREATE TABLE encoded_uploads (
    agreement_id     BLOB NOT NULL REFERENCES sharing_agreements(id),
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    scheme           TEXT NOT NULL,
    bits             INTEGER NOT NULL,
    fold             INTEGER NOT NULL,
    balance          INTEGER NOT NULL,
    key_fingerprint  TEXT NOT NULL,
    record_count     INTEGER NOT NULL,
    refs             TEXT NOT NULL,
    clks             BLOB NOT NULL,
    uploaded_by      BLOB REFERENCES users(id),
    uploaded_at      TEXT NOT NULL,
    PRIMARY KEY (agreement_id, organisation_id)
);
