//! Cases and referrals: the follow-up of a household or person after the first night.
//!
//! A case belongs to the organisation of the caseworker who opened it. It holds a
//! structured vulnerability assessment, a plan of actions with due dates, appointments and
//! a status. Case notes are kept apart (the store shows them to caseworkers of the owning
//! organisation only).
//!
//! A referral asks another organisation for a service. It carries the person's consent,
//! naming exactly which fields may be shared; [`shared_view`] builds what the receiving
//! organisation sees from those names and nothing else. Its state moves by
//! [`transition`] only.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::household::string_enum;
use crate::validation::{
    FieldErrorCode, MAX_LIST_ITEMS, MAX_NOTES_CHARS, MAX_SHORT_TEXT_CHARS, ValidationContext,
    ValidationErrors, optional_text_field, text_field,
};
use crate::{Household, Person, Vulnerability};

string_enum!(
    CaseStatus {
        Open => "open",
        OnHold => "on_hold",
        /// Closed, with a reason.
        Closed => "closed",
    }
);

string_enum!(
    Severity {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
);

string_enum!(
    ActionStatus {
        Planned => "planned",
        Done => "done",
        Cancelled => "cancelled",
    }
);

/// One finding of a vulnerability assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    pub vulnerability: Vulnerability,
    pub severity: Severity,
    /// Day of the assessment, ISO 8601.
    pub assessed_on: NaiveDate,
    /// The member concerned, when the case is a household's.
    #[serde(default)]
    pub person_id: Option<Uuid>,
}

/// One step of the case plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanAction {
    pub description: String,
    pub due: NaiveDate,
    #[serde(default = "planned")]
    pub status: ActionStatus,
}

fn planned() -> ActionStatus {
    ActionStatus::Planned
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Appointment {
    pub on: NaiveDate,
    /// Local time `HH:MM`, if fixed.
    #[serde(default)]
    pub time: Option<String>,
    pub purpose: String,
    #[serde(default)]
    pub place: Option<String>,
}

/// A case as submitted (`POST /api/v1/cases`) or as the target of a merge patch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// The household the case is about (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub household_id: Option<Uuid>,
    /// A member of that household, when the case is about one person.
    #[serde(default)]
    pub person_id: Option<Uuid>,
    /// Defaults to `open`.
    #[serde(default)]
    pub status: Option<CaseStatus>,
    /// Required when the status is `closed`.
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    #[serde(default)]
    pub plan: Vec<PlanAction>,
    #[serde(default)]
    pub appointments: Vec<Appointment>,
}

/// A case that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedCase {
    pub household_id: Uuid,
    pub person_id: Option<Uuid>,
    pub status: CaseStatus,
    pub status_reason: Option<String>,
    pub assessments: Vec<Assessment>,
    pub plan: Vec<PlanAction>,
    pub appointments: Vec<Appointment>,
}

/// A case as stored and returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub household_id: Uuid,
    pub person_id: Option<Uuid>,
    pub status: CaseStatus,
    pub status_reason: Option<String>,
    pub assessments: Vec<Assessment>,
    pub plan: Vec<PlanAction>,
    pub appointments: Vec<Appointment>,
    pub version: i64,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Case {
    /// The editable part in input shape, the starting point of a merge patch.
    pub fn to_input(&self) -> CaseInput {
        CaseInput {
            household_id: Some(self.household_id),
            person_id: self.person_id,
            status: Some(self.status),
            status_reason: self.status_reason.clone(),
            assessments: self.assessments.clone(),
            plan: self.plan.clone(),
            appointments: self.appointments.clone(),
        }
    }
}

/// Plan actions and appointments a case may hold; a case plan is not a diary.
const MAX_CASE_ITEMS: usize = 100;

fn check_len(errors: &mut ValidationErrors, pointer: &str, len: usize) -> bool {
    if len > MAX_CASE_ITEMS {
        errors.push(
            pointer,
            FieldErrorCode::TooMany,
            format!("at most {MAX_CASE_ITEMS} entries"),
        );
        false
    } else {
        true
    }
}

/// Checks a case. Dates far in the past are typos; assessments cannot be in the future.
pub fn validate_case(
    input: &CaseInput,
    ctx: &ValidationContext,
) -> Result<ValidatedCase, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if input.household_id.is_none() {
        errors.push("#/household_id", FieldErrorCode::Required, "is required");
    }
    let status = input.status.unwrap_or(CaseStatus::Open);
    let status_reason = optional_text_field(
        &mut errors,
        "#/status_reason",
        input.status_reason.as_deref(),
        MAX_SHORT_TEXT_CHARS,
        false,
    );
    if status == CaseStatus::Closed && status_reason.is_none() && errors.is_empty() {
        errors.push(
            "#/status_reason",
            FieldErrorCode::Required,
            "a closed case needs a reason",
        );
    }
    let earliest = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(NaiveDate::MIN);
    let mut assessments = Vec::new();
    if check_len(&mut errors, "#/assessments", input.assessments.len()) {
        for (i, a) in input.assessments.iter().enumerate() {
            let pointer = format!("#/assessments/{i}/assessed_on");
            if a.assessed_on > ctx.today {
                errors.push(
                    &pointer,
                    FieldErrorCode::DateInFuture,
                    "an assessment cannot be in the future",
                );
            } else if a.assessed_on < earliest {
                errors.push(&pointer, FieldErrorCode::DateImplausible, "too long ago");
            }
            if a.person_id.is_some() && input.person_id.is_some() && a.person_id != input.person_id
            {
                errors.push(
                    &format!("#/assessments/{i}/person_id"),
                    FieldErrorCode::UnknownMember,
                    "not the person of this case",
                );
            }
            assessments.push(a.clone());
        }
    }
    let mut plan = Vec::new();
    if check_len(&mut errors, "#/plan", input.plan.len()) {
        for (i, action) in input.plan.iter().enumerate() {
            let description = text_field(
                &mut errors,
                &format!("#/plan/{i}/description"),
                &action.description,
                MAX_SHORT_TEXT_CHARS,
                false,
            );
            if action.due < earliest {
                errors.push(
                    &format!("#/plan/{i}/due"),
                    FieldErrorCode::DateImplausible,
                    "too long ago",
                );
            }
            if let Some(description) = description {
                plan.push(PlanAction {
                    description,
                    ..action.clone()
                });
            }
        }
    }
    let mut appointments = Vec::new();
    if check_len(&mut errors, "#/appointments", input.appointments.len()) {
        for (i, a) in input.appointments.iter().enumerate() {
            let purpose = text_field(
                &mut errors,
                &format!("#/appointments/{i}/purpose"),
                &a.purpose,
                MAX_SHORT_TEXT_CHARS,
                false,
            );
            let place = optional_text_field(
                &mut errors,
                &format!("#/appointments/{i}/place"),
                a.place.as_deref(),
                MAX_SHORT_TEXT_CHARS,
                false,
            );
            let time = a.time.as_deref().filter(|t| !t.trim().is_empty());
            if let Some(t) = time
                && chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").is_err()
            {
                errors.push(
                    &format!("#/appointments/{i}/time"),
                    FieldErrorCode::InvalidFormat,
                    "must be HH:MM",
                );
            }
            if a.on < earliest {
                errors.push(
                    &format!("#/appointments/{i}/on"),
                    FieldErrorCode::DateImplausible,
                    "too long ago",
                );
            }
            if let Some(purpose) = purpose {
                appointments.push(Appointment {
                    on: a.on,
                    time: time.map(|t| t.trim().to_owned()),
                    purpose,
                    place,
                });
            }
        }
    }
    match input.household_id {
        Some(household_id) if errors.is_empty() => Ok(ValidatedCase {
            household_id,
            person_id: input.person_id,
            status,
            status_reason,
            assessments,
            plan,
            appointments,
        }),
        _ => Err(errors),
    }
}

/// A restricted case note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseNote {
    pub id: Uuid,
    pub case_id: Uuid,
    pub author_user_id: Uuid,
    pub text: String,
    pub written_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseNoteInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::note, required = true))]
    pub text: Option<String>,
}

pub fn validate_note(input: &CaseNoteInput) -> Result<String, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let text = match &input.text {
        Some(t) => text_field(&mut errors, "#/text", t, MAX_NOTES_CHARS, true),
        None => {
            errors.push("#/text", FieldErrorCode::Required, "is required");
            None
        }
    };
    match text {
        Some(t) if errors.is_empty() => Ok(t),
        _ => Err(errors),
    }
}

// ----- referrals -------------------------------------------------------------------------

string_enum!(
    ServiceKind {
        LegalAid => "legal_aid",
        Medical => "medical",
        Psychosocial => "psychosocial",
        Shelter => "shelter",
        OnwardTravel => "onward_travel",
        WorkProgramme => "work_programme",
        Resettlement => "resettlement",
    }
);

string_enum!(
    ReferralState {
        Sent => "sent",
        Accepted => "accepted",
        Declined => "declined",
        InProgress => "in_progress",
        Closed => "closed",
    }
);

string_enum!(
    /// A field of the referred person or their household that consent may name. Each
    /// one is copied by its own arm of [`shared_view`]; there is no "everything".
    ShareableField {
        Surname => "surname",
        GivenName => "given_name",
        Patronymic => "patronymic",
        Sex => "sex",
        BirthDate => "birth_date",
        Citizenship => "citizenship",
        Documents => "documents",
        Vulnerabilities => "vulnerabilities",
        Phone => "phone",
        Languages => "languages",
        Location => "location",
        ArrivalDate => "arrival_date",
        Needs => "needs",
        HouseholdSize => "household_size",
    }
);

/// Consent as recorded by the sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    /// The household member who gave consent.
    pub given_by_person_id: Uuid,
    pub given_on: NaiveDate,
    /// Exactly what may be shared with the receiving organisation.
    pub fields: Vec<ShareableField>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    #[serde(default)]
    pub given_by_person_id: Option<Uuid>,
    /// ISO 8601 date (required, not in the future).
    #[serde(default)]
    pub given_on: Option<String>,
    #[serde(default)]
    pub fields: Vec<ShareableField>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    /// The case the referral comes from (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub case_id: Option<Uuid>,
    /// The organisation asked for the service (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub to_organisation_id: Option<Uuid>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub service: Option<ServiceKind>,
    /// The person referred; defaults to the case's person or the household's head.
    #[serde(default)]
    pub person_id: Option<Uuid>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub consent: Option<ConsentInput>,
    /// Days the receiver has to answer before the referral is overdue (default 5).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90))]
    pub answer_within_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedReferral {
    pub case_id: Uuid,
    pub to_organisation_id: Uuid,
    pub service: ServiceKind,
    pub person_id: Option<Uuid>,
    pub consent: Consent,
    pub answer_within_days: u32,
}

pub const DEFAULT_ANSWER_DAYS: u32 = 5;
const MAX_ANSWER_DAYS: u32 = 90;

pub fn validate_referral(
    input: &ReferralInput,
    from_organisation_id: Uuid,
    ctx: &ValidationContext,
) -> Result<ValidatedReferral, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if input.case_id.is_none() {
        errors.push("#/case_id", FieldErrorCode::Required, "is required");
    }
    match input.to_organisation_id {
        None => errors.push(
            "#/to_organisation_id",
            FieldErrorCode::Required,
            "is required",
        ),
        Some(id) if id == from_organisation_id => errors.push(
            "#/to_organisation_id",
            FieldErrorCode::InvalidValue,
            "a referral goes to another organisation",
        ),
        Some(_) => {}
    }
    if input.service.is_none() {
        errors.push("#/service", FieldErrorCode::Required, "is required");
    }
    let answer_within_days = input.answer_within_days.unwrap_or(DEFAULT_ANSWER_DAYS);
    if !(1..=MAX_ANSWER_DAYS).contains(&answer_within_days) {
        errors.push(
            "#/answer_within_days",
            FieldErrorCode::InvalidValue,
            format!("must be between 1 and {MAX_ANSWER_DAYS}"),
        );
    }
    let consent = match &input.consent {
        None => {
            errors.push(
                "#/consent",
                FieldErrorCode::Required,
                "a referral needs the person's consent",
            );
            None
        }
        Some(c) => {
            if c.given_by_person_id.is_none() {
                errors.push(
                    "#/consent/given_by_person_id",
                    FieldErrorCode::Required,
                    "is required",
                );
            }
            let given_on = match c.given_on.as_deref().map(crate::date::parse_full_date) {
                None => {
                    errors.push(
                        "#/consent/given_on",
                        FieldErrorCode::Required,
                        "is required",
                    );
                    None
                }
                Some(Err(e)) => {
                    errors.push(
                        "#/consent/given_on",
                        FieldErrorCode::InvalidDate,
                        e.to_string(),
                    );
                    None
                }
                Some(Ok(d)) if d > ctx.today => {
                    errors.push(
                        "#/consent/given_on",
                        FieldErrorCode::DateInFuture,
                        "consent cannot be given in the future",
                    );
                    None
                }
                Some(Ok(d)) => Some(d),
            };
            if c.fields.len() > MAX_LIST_ITEMS {
                errors.push(
                    "#/consent/fields",
                    FieldErrorCode::TooMany,
                    format!("at most {MAX_LIST_ITEMS} entries"),
                );
            }
            let mut fields = c.fields.clone();
            fields.sort_unstable();
            fields.dedup();
            match (c.given_by_person_id, given_on) {
                (Some(given_by_person_id), Some(given_on)) => Some(Consent {
                    given_by_person_id,
                    given_on,
                    fields,
                }),
                _ => None,
            }
        }
    };
    match (
        input.case_id,
        input.to_organisation_id,
        input.service,
        consent,
    ) {
        (Some(case_id), Some(to_organisation_id), Some(service), Some(consent))
            if errors.is_empty() =>
        {
            Ok(ValidatedReferral {
                case_id,
                to_organisation_id,
                service,
                person_id: input.person_id,
                consent,
                answer_within_days,
            })
        }
        _ => Err(errors),
    }
}

/// What the receiving organisation asks to happen to a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "to", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReferralEvent {
    Accepted,
    Declined { reason: String },
    InProgress,
    Closed { outcome: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a referral cannot move from this state to the one asked for")]
    NotAllowed,
    #[error("only the receiving organisation answers a referral")]
    NotReceiver,
}

/// The state machine: sent → accepted | declined; accepted → in_progress; in_progress →
/// closed. Declined and closed are final.
pub fn transition(
    from: ReferralState,
    event: &ReferralEvent,
) -> Result<ReferralState, TransitionError> {
    use ReferralState::*;
    match (from, event) {
        (Sent, ReferralEvent::Accepted) => Ok(Accepted),
        (Sent, ReferralEvent::Declined { .. }) => Ok(Declined),
        (Accepted, ReferralEvent::InProgress) => Ok(InProgress),
        (InProgress, ReferralEvent::Closed { .. }) => Ok(Closed),
        _ => Err(TransitionError::NotAllowed),
    }
}

/// Checks the reason or outcome an event carries.
pub fn validate_event(event: &ReferralEvent) -> Result<ReferralEvent, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let checked = match event {
        ReferralEvent::Declined { reason } => {
            text_field(&mut errors, "#/reason", reason, MAX_SHORT_TEXT_CHARS, false)
                .map(|reason| ReferralEvent::Declined { reason })
        }
        ReferralEvent::Closed { outcome } => text_field(
            &mut errors,
            "#/outcome",
            outcome,
            MAX_SHORT_TEXT_CHARS,
            false,
        )
        .map(|outcome| ReferralEvent::Closed { outcome }),
        other => Some(other.clone()),
    };
    match checked {
        Some(e) if errors.is_empty() => Ok(e),
        _ => Err(errors),
    }
}

/// Overdue: still unanswered `answer_within_days` whole days after it was sent.
pub fn is_overdue(
    state: ReferralState,
    sent_at: DateTime<Utc>,
    answer_within_days: u32,
    now: DateTime<Utc>,
) -> bool {
    let due = sent_at
        .checked_add_days(Days::new(u64::from(answer_within_days)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    state == ReferralState::Sent && now >= due
}

/// What the receiving organisation sees of the referred person: the fields consent names,
/// each copied by its own arm, and nothing else (no ids of other members, no notes).
pub fn shared_view(
    household: &Household,
    person: &Person,
    fields: &[ShareableField],
) -> Map<String, Value> {
    let mut view = Map::new();
    for field in fields {
        let value = match field {
            ShareableField::Surname => json!(person.surname),
            ShareableField::GivenName => json!(person.given_name),
            ShareableField::Patronymic => json!(person.patronymic),
            ShareableField::Sex => json!(person.sex),
            ShareableField::BirthDate => json!(person.birth_date.to_iso()),
            ShareableField::Citizenship => json!(person.citizenship),
            ShareableField::Documents => json!(person.documents),
            ShareableField::Vulnerabilities => json!(person.vulnerabilities),
            ShareableField::Phone => json!(household.phone.as_ref().map(|p| p.to_string())),
            ShareableField::Languages => json!(household.languages),
            ShareableField::Location => json!(household.location),
            ShareableField::ArrivalDate => json!(household.arrival_date),
            ShareableField::Needs => json!(household.needs),
            ShareableField::HouseholdSize => json!(household.members.len()),
        };
        view.insert(field.as_str().to_owned(), value);
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ValidationContext {
        ValidationContext {
            today: NaiveDate::from_ymd_opt(2022, 10, 10).unwrap_or_default(),
        }
    }

    #[test]
    fn referral_state_machine() {
        use ReferralState::*;
        let decline = ReferralEvent::Declined {
            reason: "no capacity".into(),
        };
        let close = ReferralEvent::Closed {
            outcome: "asylum claim lodged".into(),
        };
        assert_eq!(transition(Sent, &ReferralEvent::Accepted), Ok(Accepted));
        assert_eq!(transition(Sent, &decline), Ok(Declined));
        assert_eq!(
            transition(Accepted, &ReferralEvent::InProgress),
            Ok(InProgress)
        );
        assert_eq!(transition(InProgress, &close), Ok(Closed));
        for (from, event) in [
            (Sent, &ReferralEvent::InProgress),
            (Sent, &close),
            (Accepted, &decline),
            (Declined, &ReferralEvent::Accepted),
            (Closed, &ReferralEvent::InProgress),
            (InProgress, &ReferralEvent::Accepted),
        ] {
            assert_eq!(
                transition(from, event),
                Err(TransitionError::NotAllowed),
                "{from:?}"
            );
        }
        let blank = ReferralEvent::Declined { reason: " ".into() };
        assert!(validate_event(&blank).is_err());
    }

    #[test]
    fn overdue_after_the_answer_days_while_unanswered() {
        let sent = DateTime::parse_from_rfc3339("2022-10-01T12:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        let later = |days: u64, hours: i64| {
            sent + chrono::Duration::days(days as i64) + chrono::Duration::hours(hours)
        };
        assert!(!is_overdue(ReferralState::Sent, sent, 5, later(4, 23)));
        assert!(is_overdue(ReferralState::Sent, sent, 5, later(5, 0)));
        assert!(!is_overdue(ReferralState::Accepted, sent, 5, later(9, 0)));
        assert!(!is_overdue(ReferralState::Declined, sent, 5, later(9, 0)));
    }

    #[test]
    fn referrals_need_consent_and_another_organisation() {
        let me = Uuid::from_u128(1);
        let errors = validate_referral(&ReferralInput::default(), me, &ctx()).expect_err("empty");
        let pointers: Vec<&str> = errors.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "#/case_id",
                "#/to_organisation_id",
                "#/service",
                "#/consent"
            ]
        );
        let input = ReferralInput {
            case_id: Some(Uuid::from_u128(3)),
            to_organisation_id: Some(Uuid::from_u128(2)),
            service: Some(ServiceKind::LegalAid),
            person_id: None,
            consent: Some(ConsentInput {
                given_by_person_id: Some(Uuid::from_u128(4)),
                given_on: Some("2022-10-09".into()),
                fields: vec![ShareableField::Surname, ShareableField::Surname],
            }),
            answer_within_days: None,
        };
        let ok = validate_referral(&input, me, &ctx()).expect("valid");
        assert_eq!(ok.consent.fields, vec![ShareableField::Surname]);
        assert_eq!(ok.answer_within_days, DEFAULT_ANSWER_DAYS);
        let mut future = input.clone();
        if let Some(c) = future.consent.as_mut() {
            c.given_on = Some("2022-10-11".into());
        }
        assert!(validate_referral(&future, me, &ctx()).is_err());
        assert!(validate_referral(&input, Uuid::from_u128(2), &ctx()).is_err());
    }

    #[test]
    fn a_closed_case_needs_a_reason() {
        let input = CaseInput {
            household_id: Some(Uuid::from_u128(1)),
            status: Some(CaseStatus::Closed),
            ..CaseInput::default()
        };
        let errors = validate_case(&input, &ctx()).expect_err("no reason");
        assert_eq!(errors.errors[0].pointer, "#/status_reason");
        let input = CaseInput {
            status_reason: Some("resettled".into()),
            assessments: vec![Assessment {
                vulnerability: Vulnerability::Medical,
                severity: Severity::High,
                assessed_on: NaiveDate::from_ymd_opt(2022, 10, 11).unwrap_or_default(),
                person_id: None,
            }],
            ..input
        };
        let errors = validate_case(&input, &ctx()).expect_err("future assessment");
        assert_eq!(errors.errors[0].pointer, "#/assessments/0/assessed_on");
    }
}
