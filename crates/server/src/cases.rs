//! `/api/v1/cases`, `/api/v1/referrals` and the legal-stay tracker
//! (`/api/v1/persons/{id}/legal-stay`, `/api/v1/legal-stay/upcoming`).
//!
//! Handlers check the action first (so a role without it gets 403 before any body is
//! looked at), then validate with core and call the store, which checks again, scopes to
//! the organisation and writes the audit and access logs.

use std::sync::OnceLock;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shanyrak_core::cases::{
    Case, CaseInput, CaseNote, CaseNoteInput, CaseStatus, ReferralEvent, ReferralInput,
    validate_case, validate_event, validate_note, validate_referral,
};
use shanyrak_core::legal_stay::{Movement, MovementKind, RuleSet, StayStatus, compute};
use shanyrak_core::{Action, Actor, CountryCode, FieldErrorCode};
use shanyrak_store::{Direction, Referral, StayFacts};
use uuid::Uuid;

use crate::AppState;
use crate::access::{Permitted, PermittedJson, may, require};
use crate::error::{ApiError, Problem};
use crate::extract::{Authenticated, deserialize_with_pointer};
use crate::households::{expected_version, idempotency_request, validation_context};
use crate::merge_patch::{check_if_match, lost_race, patch_object, patched};
use crate::reply::{created, created_once};

// ----- cases ---------------------------------------------------------------------------------

crate::reply::item_lists! {
    CaseList(Case);
    CaseNoteList(CaseNote);
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only cases of this household.
    pub household_id: Option<Uuid>,
    /// `open`, `on_hold` or `closed`.
    #[param(value_type = Option<CaseStatus>)]
    pub status: Option<String>,
    /// 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Open a case for a household (or one of its members) of your organisation.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", example = "border-tablet-7-000123", description = "Makes retries safe: a repeat with the same key and body returns the first one and writes nothing")),
    responses((status = 201, body = Case), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    PermittedJson { actor, body, .. }: PermittedJson<may::ManageCases, CaseInput>,
) -> Result<Response, ApiError> {
    let idempotency = idempotency_request(&headers, &body.raw)?;
    let case = validate_case(&body.value, &validation_context()).map_err(ApiError::Validation)?;
    let (created, replayed) = state
        .store
        .create_case_once(&actor, &case, idempotency.as_ref(), Utc::now())
        .await?;
    Ok(created_once(created, replayed))
}

/// Cases of your organisation, newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseQuery),
    responses((status = 200, body = CaseList), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_cases(
    State(state): State<AppState>,
    Permitted { actor, .. }: Permitted<may::ManageCases>,
    query: Result<Query<CaseQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CaseList>, ApiError> {
    let Query(query) =
        query.map_err(|_| ApiError::invalid_query("#/household_id", "household_id is an id"))?;
    let status = match query.status.as_deref() {
        None => None,
        Some(s) => Some(
            CaseStatus::parse(s)
                .ok_or_else(|| ApiError::invalid_query("#/status", "open, on_hold or closed"))?,
        ),
    };
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid_query("#/limit", "1 to 500"));
    }
    let items = state
        .store
        .list_cases(&actor, query.household_id, status, limit, Utc::now())
        .await?;
    Ok(Json(CaseList { items }))
}

/// One case of your organisation.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, body = Case), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_case(
    State(state): State<AppState>,
    Permitted { actor, id, .. }: Permitted<may::ManageCases, Uuid>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(state.store.get_case(&actor, id, Utc::now()).await?))
}

/// Edit a case with a JSON merge patch (RFC 7396); lists (assessments, plan,
/// appointments) are replaced whole. The household and person stay as they are.
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(W/)?"?[0-9]{1,18}"?\s*$"#, example = "\"3\"", description = "ETag of the version you edited")),
    request_body(content = CaseInput, content_type = "application/merge-patch+json"),
    responses((status = 200, body = Case), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 412, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn patch_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    PermittedJson {
        actor, id, body, ..
    }: PermittedJson<may::ManageCases, Value, Uuid>,
) -> Result<Json<Case>, ApiError> {
    let if_match = expected_version(&headers)?;
    patch_object(&body.raw, &[])?;
    let now = Utc::now();
    let current = state.store.get_case(&actor, id, now).await?;
    check_if_match(if_match, current.version)?;
    let input: CaseInput = patched(&current.to_input(), &body.raw)?;
    let case = validate_case(&input, &validation_context()).map_err(ApiError::Validation)?;
    let updated = state
        .store
        .update_case(&actor, id, Some(current.version), &case, now)
        .await
        .map_err(lost_race(if_match))?;
    Ok(Json(updated))
}

/// Add a restricted note to a case (caseworkers of the owning organisation only).
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", example = "border-tablet-7-000123", description = "Makes retries safe: a repeat with the same key and body returns the first note and writes nothing")),
    request_body = CaseNoteInput,
    responses((status = 201, body = CaseNote), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add_note(
    State(state): State<AppState>,
    headers: HeaderMap,
    PermittedJson {
        actor, id, body, ..
    }: PermittedJson<may::CaseNotes, CaseNoteInput, Uuid>,
) -> Result<Response, ApiError> {
    // The case is part of the request: one key cannot add the same text to two cases.
    let idempotency = idempotency_request(
        &headers,
        &serde_json::json!({"case_id": id, "body": body.raw}),
    )?;
    let text = validate_note(&body.value).map_err(ApiError::Validation)?;
    let (note, replayed) = state
        .store
        .add_case_note_once(&actor, id, &text, idempotency.as_ref(), Utc::now())
        .await?;
    Ok(created_once(note, replayed))
}

/// The notes of a case, oldest first (caseworkers of the owning organisation only).
#[utoipa::path(get, path = "/api/v1/cases/{id}/notes", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseNoteList), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_notes(
    State(state): State<AppState>,
    Permitted { actor, id, .. }: Permitted<may::CaseNotes, Uuid>,
) -> Result<Json<CaseNoteList>, ApiError> {
    let items = state.store.list_case_notes(&actor, id, Utc::now()).await?;
    Ok(Json(CaseNoteList { items }))
}

// ----- referrals -----------------------------------------------------------------------------

crate::reply::item_lists! {
    ReferralList(Referral);
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// `sent` (default) or `received`.
    #[param(schema_with = crate::openapi::referral_direction)]
    pub direction: Option<String>,
}

/// Refer a person of one of your cases to another organisation's service, with consent
/// naming exactly the fields it may see.
#[utoipa::path(post, path = "/api/v1/referrals", tag = "cases", request_body = ReferralInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", example = "border-tablet-7-000123", description = "Makes retries safe: a repeat with the same key and body returns the first one and writes nothing")),
    responses((status = 201, body = Referral), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_referral(
    State(state): State<AppState>,
    headers: HeaderMap,
    PermittedJson { actor, body, .. }: PermittedJson<may::ManageReferrals, ReferralInput>,
) -> Result<Response, ApiError> {
    let idempotency = idempotency_request(&headers, &body.raw)?;
    let referral = validate_referral(&body.value, actor.organisation_id, &validation_context())
        .map_err(ApiError::Validation)?;
    let (created, replayed) = state
        .store
        .create_referral_once(&actor, &referral, idempotency.as_ref(), Utc::now())
        .await?;
    Ok(created_once(created, replayed))
}

/// Referrals your organisation sent or received, newest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "cases", params(ReferralQuery),
    responses((status = 200, body = ReferralList), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_referrals(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<ReferralQuery>,
) -> Result<Json<ReferralList>, ApiError> {
    let direction = match query.direction.as_deref() {
        None | Some("sent") => Direction::Sent,
        Some("received") => Direction::Received,
        Some(_) => return Err(ApiError::invalid_query("#/direction", "sent or received")),
    };
    require(
        &actor,
        match direction {
            Direction::Sent => Action::ManageReferrals,
            Direction::Received => Action::ReceiveReferrals,
        },
    )?;
    let items = state
        .store
        .list_referrals(&actor, direction, Utc::now())
        .await?;
    Ok(Json(ReferralList { items }))
}

/// Referrals your organisation sent that are still unanswered past their answer days.
#[utoipa::path(get, path = "/api/v1/referrals/overdue", tag = "cases",
    responses((status = 200, body = ReferralList), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn overdue_referrals(
    State(state): State<AppState>,
    Permitted { actor, .. }: Permitted<may::ManageReferrals>,
) -> Result<Json<ReferralList>, ApiError> {
    let items = state.store.overdue_referrals(&actor, Utc::now()).await?;
    Ok(Json(ReferralList { items }))
}

/// One referral. The receiving organisation sees, while it is open, only the fields the
/// consent names (`shared`).
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, body = Referral), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_referral(
    State(state): State<AppState>,
    Permitted { actor, id, .. }: Permitted<may::FollowReferrals, Uuid>,
) -> Result<Json<Referral>, ApiError> {
    Ok(Json(
        state.store.get_referral(&actor, id, Utc::now()).await?,
    ))
}

/// Answer a referral your organisation received: `{"to": "accepted"}`,
/// `{"to": "declined", "reason": …}`, `{"to": "in_progress"}`, `{"to": "closed", "outcome": …}`.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/transition", tag = "cases", params(("id" = Uuid, Path)),
    request_body = ReferralEvent,
    responses((status = 200, body = Referral), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Not allowed from the current state, or not the receiver", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn transition_referral(
    State(state): State<AppState>,
    PermittedJson {
        actor, id, body, ..
    }: PermittedJson<may::ReceiveReferrals, Value, Uuid>,
) -> Result<Json<Referral>, ApiError> {
    // Parsed after the role check, so a role without the action learns nothing from 422s.
    let event: ReferralEvent = deserialize_with_pointer(&body.raw)?;
    let event = validate_event(&event).map_err(ApiError::Validation)?;
    Ok(Json(
        state
            .store
            .transition_referral(&actor, id, &event, Utc::now())
            .await?,
    ))
}

// ----- legal stay ----------------------------------------------------------------------------

/// The shipped example rules, parsed once. A broken rule file is a build defect caught by
/// core's tests; at run time it is an internal error, never a panic.
fn rules() -> Result<&'static RuleSet, ApiError> {
    static RULES: OnceLock<Option<RuleSet>> = OnceLock::new();
    RULES
        .get_or_init(|| RuleSet::examples().ok())
        .as_ref()
        .ok_or_else(|| {
            tracing::error!("the legal-stay rules cannot be read");
            ApiError::Internal
        })
}

/// One person's legal-stay position.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LegalStay {
    pub person_id: Uuid,
    pub household_id: Uuid,
    pub citizenship: Option<CountryCode>,
    pub host: CountryCode,
    /// Entries, exits and registrations known (the household's arrival counts as an entry).
    pub movements: Vec<Movement>,
    /// None when no rule covers this citizenship in this host country.
    pub status: Option<StayStatus>,
    /// The rule's note; example rules say so and must be checked against current law.
    pub rule_note: Option<String>,
}

/// The position at `now`, counted on the calendar of the household's place: a deadline's
/// last day lasts until midnight there.
fn legal_stay(facts: StayFacts, rules: &RuleSet, now: DateTime<Utc>) -> LegalStay {
    let today = facts.today(now);
    let rule = facts.citizenship.and_then(|c| rules.find(c, facts.host));
    LegalStay {
        person_id: facts.person_id,
        household_id: facts.household_id,
        citizenship: facts.citizenship,
        host: facts.host,
        status: rule.map(|r| compute(r, &facts.movements, today)),
        rule_note: rule.map(|r| r.note.clone()),
        movements: facts.movements,
    }
}

/// Days used and left of the allowed stay, and the next deadline, for one person.
#[utoipa::path(get, path = "/api/v1/persons/{id}/legal-stay", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, body = LegalStay), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn person_legal_stay(
    State(state): State<AppState>,
    Permitted { actor, id, .. }: Permitted<may::TrackLegalStay, Uuid>,
) -> Result<Json<LegalStay>, ApiError> {
    let rules = rules()?;
    let now = Utc::now();
    let facts = state
        .store
        .stay_facts(&actor, Some(id), now)
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound)?;
    Ok(Json(legal_stay(facts, rules, now)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StayMovementInput)]
pub struct MovementInput {
    pub kind: MovementKind,
    /// ISO 8601 date, not in the future.
    pub on: NaiveDate,
    /// ISO 3166-1 alpha-2 of the host country.
    pub country: CountryCode,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordedMovement {
    pub id: Uuid,
}

/// Record an entry, exit or registration of a person of your organisation.
#[utoipa::path(post, path = "/api/v1/persons/{id}/movements", tag = "cases", params(("id" = Uuid, Path)),
    request_body = MovementInput,
    responses((status = 201, body = RecordedMovement), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn record_stay_movement(
    State(state): State<AppState>,
    PermittedJson {
        actor, id, body, ..
    }: PermittedJson<may::TrackLegalStay, Value, Uuid>,
) -> Result<Response, ApiError> {
    let input: MovementInput = deserialize_with_pointer(&body.raw)?;
    if input.on > validation_context().today {
        return Err(ApiError::invalid_field(
            "#/on",
            FieldErrorCode::DateInFuture,
            "a crossing is recorded after it happened",
        ));
    }
    let movement = Movement {
        kind: input.kind,
        on: input.on,
        country: input.country,
    };
    let recorded = state
        .store
        .record_stay_movement(&actor, id, &movement, Utc::now())
        .await?;
    Ok(created(RecordedMovement { id: recorded }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpcomingQuery {
    /// Deadlines within this many days (default 14, at most 365).
    #[param(minimum = 0, maximum = 365)]
    pub days: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UpcomingItem {
    pub person_id: Uuid,
    pub household_id: Uuid,
    pub reference: String,
    pub surname: String,
    pub given_name: String,
    pub status: StayStatus,
}

crate::reply::item_lists! {
    UpcomingList(
        /// Soonest first; people already overstayed or late to register come first.
        UpcomingItem
    );
}

/// People of your organisation whose stay ends or whose registration is due within the
/// next `days` days, or already overdue.
#[utoipa::path(get, path = "/api/v1/legal-stay/upcoming", tag = "cases", params(UpcomingQuery),
    responses((status = 200, body = UpcomingList), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn upcoming(
    State(state): State<AppState>,
    Permitted { actor, .. }: Permitted<may::TrackLegalStay>,
    query: Result<Query<UpcomingQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<UpcomingList>, ApiError> {
    let Query(query) = query.map_err(|_| ApiError::invalid_query("#/days", "a number of days"))?;
    let days = query.days.unwrap_or(14);
    if days > 365 {
        return Err(ApiError::invalid_query("#/days", "at most 365"));
    }
    let items = upcoming_items(&state, &actor, days).await?;
    Ok(Json(UpcomingList { items }))
}

/// People whose stay or registration deadline falls within `days`, late ones first.
pub(crate) async fn upcoming_items(
    state: &AppState,
    actor: &Actor,
    days: u32,
) -> Result<Vec<UpcomingItem>, ApiError> {
    let rules = rules()?;
    let now = Utc::now();
    let facts = state.store.stay_facts(actor, None, now).await?;
    let mut items: Vec<UpcomingItem> = facts
        .into_iter()
        .filter_map(|f| {
            let rule = rules.find(f.citizenship?, f.host)?;
            // Each person's day is the one at their household's place.
            let today = f.today(now);
            let horizon = today
                .checked_add_days(Days::new(u64::from(days)))
                .unwrap_or(NaiveDate::MAX);
            let status = compute(rule, &f.movements, today);
            let urgent = status.overstayed
                || status.registration_overdue
                || status.next_deadline.is_some_and(|d| d.on <= horizon);
            urgent.then_some(UpcomingItem {
                person_id: f.person_id,
                household_id: f.household_id,
                reference: f.reference,
                surname: f.surname,
                given_name: f.given_name,
                status,
            })
        })
        .collect();
    items.sort_by_key(|i| {
        let late = i.status.overstayed || i.status.registration_overdue;
        (!late, i.status.next_deadline.map(|d| d.on))
    });
    Ok(items)
}
