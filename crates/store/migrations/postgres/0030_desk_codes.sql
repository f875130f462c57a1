-- The code of the day a desk shows the queue, which the public pre-registration form asks
-- for when the organisation requires it: only people standing at the desk can submit.
-- One row per organisation and local day, made when a registrar first looks at it.
-- Keep in step with ../sqlite/0030_desk_codes.sql.
CREATE TABLE desk_codes (
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    day              text NOT NULL,
    code             text NOT NULL,
    PRIMARY KEY (organisation_id, day)
);
