-- Cases, restricted case notes, referrals between organisations, and the crossings that
-- drive the legal-stay tracker. Keep in step with ../sqlite/0011_cases.sql.

CREATE TABLE cases (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    household_id     uuid NOT NULL REFERENCES households(id),
    person_id        uuid REFERENCES persons(id),
    status           text NOT NULL,
    status_reason    text,
    assessments      jsonb NOT NULL,
    plan             jsonb NOT NULL,
    appointments     jsonb NOT NULL,
    version          bigint NOT NULL,
    opened_by        uuid NOT NULL REFERENCES users(id),
    opened_at        timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX cases_by_org ON cases (organisation_id, id);

-- Apart from the case so that no query of cases can carry them by accident.
CREATE TABLE case_notes (
    id               uuid PRIMARY KEY,
    case_id          uuid NOT NULL REFERENCES cases(id),
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    author_user_id   uuid NOT NULL REFERENCES users(id),
    text             text NOT NULL,
    written_at       timestamptz NOT NULL
);
CREATE INDEX case_notes_by_case ON case_notes (case_id, id);

CREATE TABLE referrals (
    id                    uuid PRIMARY KEY,
    from_organisation_id  uuid NOT NULL REFERENCES organisations(id),
    to_organisation_id    uuid NOT NULL REFERENCES organisations(id),
    case_id               uuid NOT NULL REFERENCES cases(id),
    household_id          uuid NOT NULL REFERENCES households(id),
    person_id             uuid NOT NULL REFERENCES persons(id),
    service               text NOT NULL,
    -- Who consented, when, and the names of the fields that may be shared.
    consent               jsonb NOT NULL,
    state                 text NOT NULL,
    decline_reason        text,
    outcome               text,
    answer_within_days    integer NOT NULL,
    sent_by               uuid NOT NULL REFERENCES users(id),
    sent_at               timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX referrals_by_sender ON referrals (from_organisation_id, id);
CREATE INDEX referrals_by_receiver ON referrals (to_organisation_id, id);

CREATE TABLE stay_movements (
    id               uuid PRIMARY KEY,
    person_id        uuid NOT NULL REFERENCES persons(id),
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    kind             text NOT NULL,
    on_date          date NOT NULL,
    country          text NOT NULL,
    recorded_by      uuid NOT NULL REFERENCES users(id),
    recorded_at      timestamptz NOT NULL
);
CREATE INDEX stay_movements_by_person ON stay_movements (person_id, on_date);
