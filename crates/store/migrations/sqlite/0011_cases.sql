-- Cases, restricted case notes, referrals between organisations, and the crossings that
-- drive the legal-stay tracker. Keep in step with ../postgres/0011_cases.sql.

CREATE TABLE cases (
    id               BLOB PRIMARY KEY NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    household_id     BLOB NOT NULL REFERENCES households(id),
    person_id        BLOB REFERENCES persons(id),
    status           TEXT NOT NULL,
    status_reason    TEXT,
    assessments      TEXT NOT NULL,
    plan             TEXT NOT NULL,
    appointments     TEXT NOT NULL,
    version          INTEGER NOT NULL,
    opened_by        BLOB NOT NULL REFERENCES users(id),
    opened_at        TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX cases_by_org ON cases (organisation_id, id);

-- Apart from the case so that no query of cases can carry them by accident.
CREATE TABLE case_notes (
    id               BLOB PRIMARY KEY NOT NULL,
    case_id          BLOB NOT NULL REFERENCES cases(id),
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    author_user_id   BLOB NOT NULL REFERENCES users(id),
    text             TEXT NOT NULL,
    written_at       TEXT NOT NULL
);
CREATE INDEX case_notes_by_case ON case_notes (case_id, id);

CREATE TABLE referrals (
    id                    BLOB PRIMARY KEY NOT NULL,
    from_organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    to_organisation_id    BLOB NOT NULL REFERENCES organisations(id),
    case_id               BLOB NOT NULL REFERENCES cases(id),
    household_id          BLOB NOT NULL REFERENCES households(id),
    person_id             BLOB NOT NULL REFERENCES persons(id),
    service               TEXT NOT NULL,
    -- Who consented, when, and the names of the fields that may be shared.
    consent               TEXT NOT NULL,
    state                 TEXT NOT NULL,
    decline_reason        TEXT,
    outcome               TEXT,
    answer_within_days    INTEGER NOT NULL,
    sent_by               BLOB NOT NULL REFERENCES users(id),
    sent_at               TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX referrals_by_sender ON referrals (from_organisation_id, id);
CREATE INDEX referrals_by_receiver ON referrals (to_organisation_id, id);

CREATE TABLE stay_movements (
    id               BLOB PRIMARY KEY NOT NULL,
    person_id        BLOB NOT NULL REFERENCES persons(id),
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    kind             TEXT NOT NULL,
    on_date          TEXT NOT NULL,
    country          TEXT NOT NULL,
    recorded_by      BLOB NOT NULL REFERENCES users(id),
    recorded_at      TEXT NOT NULL
);
CREATE INDEX stay_movements_by_person ON stay_movements (person_id, on_date);
