//! `/api/v1/households`: register, read, list and edit households.

use axum::Json;
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use shanyrak_core::household::validate;
use shanyrak_core::{
    Household, HouseholdInput, HouseholdStatus, PopulationGroup, ReferenceCode, ValidationContext,
};
use shanyrak_store::{CreateOutcome, HouseholdFilter, HouseholdReceipt, IdempotencyRequest};
use uuid::Uuid;

use crate::access::{User, UserJson};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Authenticated};
use crate::{AppState, merge_patch};

/// What `POST /api/v1/households` answers: the new ids and the reference, nothing personal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedHousehold {
    pub id: Uuid,
    pub reference: ReferenceCode,
    pub version: i64,
    /// One entry per submitted member, in the submitted order.
    pub members: Vec<CreatedMember>,
    /// `throttled` when the duplicate look-up in partner organisations was left out because
    /// you made too many such look-ups in the last hour (your own organisation was searched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_organisation_lookup: Option<&'static str>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedMember {
    pub id: Uuid,
    /// Registered persons of your organisation who may be this member, most likely first,
    /// with the evidence; attach instead of registering twice, or let a reviewer decide.
    pub possible_duplicates: Vec<crate::identity::PossibleDuplicate>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HouseholdPage {
    pub items: Vec<Household>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = Option<shanyrak_core::PopulationGroup>)]
    pub group: Option<String>,
    /// Only this city (exact name as registered); blank means any.
    pub city: Option<String>,
    #[param(value_type = Option<shanyrak_core::HouseholdStatus>)]
    pub status: Option<String>,
    /// ISO 8601 date (`2022-09-27`) or date-time (`2022-09-27T10:00:00Z`).
    #[param(schema_with = crate::openapi::date_or_date_time)]
    pub registered_since: Option<String>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[param(value_type = Option<Uuid>)]
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<String>,
}

const IDEMPOTENCY_HEADER: &str = "idempotency-key";
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;
const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

/// The latest calendar date anywhere on Earth (UTC+14). "In the future" must not reject a
/// child born today in Almaty (UTC+5) while it is still yesterday in UTC.
pub(crate) fn validation_context() -> ValidationContext {
    ValidationContext {
        today: crate::local_time::today(),
    }
}

/// Most possible duplicates listed per member.
const MAX_DUPLICATES_PER_MEMBER: usize = 5;

fn receipt_response(
    receipt: &HouseholdReceipt,
    duplicates: &mut HashMap<Uuid, Vec<crate::identity::PossibleDuplicate>>,
    throttled: bool,
    replayed: bool,
) -> Response {
    let body = CreatedHousehold {
        cross_organisation_lookup: throttled.then_some("throttled"),
        id: receipt.household_id,
        reference: receipt.reference,
        version: receipt.version,
        members: receipt
            .member_ids
            .iter()
            .map(|id| CreatedMember {
                id: *id,
                possible_duplicates: duplicates.remove(id).unwrap_or_default(),
            })
            .collect(),
    };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(location) =
        HeaderValue::from_str(&format!("/api/v1/households/{}", receipt.household_id))
    {
        headers.insert(header::LOCATION, location);
    }
    headers.insert(header::ETAG, etag(receipt.version));
    if replayed {
        headers.insert(
            crate::reply::REPLAYED_HEADER,
            HeaderValue::from_static("true"),
        );
    }
    response
}

fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

pub(crate) fn idempotency_request(
    headers: &HeaderMap,
    raw: &Value,
) -> Result<Option<IdempotencyRequest>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| {
            !k.is_empty()
                && k.len() <= MAX_IDEMPOTENCY_KEY_LEN
                && k.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or_else(|| {
            ApiError::InvalidHeader(format!(
                "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters"
            ))
        })?;
    // serde_json maps are ordered by key, so the same document hashes the same whatever
    // its whitespace or key order.
    let canonical = serde_json::to_vec(raw).map_err(|_| ApiError::Internal)?;
    Ok(Some(IdempotencyRequest {
        key: key.to_owned(),
        request_hash: Sha256::digest(&canonical).to_vec(),
    }))
}

/// Register a household with its members.
#[utoipa::path(
    post,
    path = "/api/v1/households",
    tag = "households",
    request_body = HouseholdInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", example = "border-tablet-7-000123", description = "Makes retries safe: a repeat with the same key and body returns the first response and creates nothing")),
    responses(
        (status = 201, description = "Registered (or replayed for a repeated Idempotency-Key)", body = CreatedHousehold),
        (status = 400, description = "Malformed JSON or header", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not register", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or Idempotency-Key reused with another body", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_household(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
    body: ApiJson<HouseholdInput>,
) -> Result<Response, ApiError> {
    let idempotency = idempotency_request(&headers, &body.raw)?;
    let household = validate(&body.value, &validation_context()).map_err(ApiError::Validation)?;
    // Nothing is written while the identity index loads: a registration is never
    // acknowledged without its duplicate check.
    state.identity_ready().await?;
    let outcome = state
        .store
        .create_household(&actor, &household, idempotency.as_ref(), Utc::now())
        .await?;
    let receipt = match &outcome {
        CreateOutcome::Created(r) | CreateOutcome::Replayed(r) => r,
    };
    let (mut duplicates, throttled) =
        possible_duplicates(&state, &actor, receipt.household_id).await?;
    Ok(match outcome {
        CreateOutcome::Created(receipt) => {
            tracing::info!(household = %receipt.household_id, members = receipt.member_ids.len(), "household registered");
            receipt_response(&receipt, &mut duplicates, throttled, false)
        }
        CreateOutcome::Replayed(receipt) => {
            receipt_response(&receipt, &mut duplicates, throttled, true)
        }
    })
}

/// Each member's possible duplicates, and whether the look-up in partner organisations
/// was left out because the user is over their hourly limit.
pub(crate) type FoundDuplicates = (HashMap<Uuid, Vec<crate::identity::PossibleDuplicate>>, bool);

/// Indexes the household's members and looks each up among the other registered persons.
pub(crate) async fn possible_duplicates(
    state: &AppState,
    actor: &shanyrak_core::Actor,
    household_id: Uuid,
) -> Result<FoundDuplicates, ApiError> {
    let household = state.store.get_household(actor, household_id).await?;
    state.identity_ready().await?;
    state.identity.apply_household(&household);
    // Other organisations' persons only under an identity-sharing agreement in force now,
    // and within the user's hourly limit of such look-ups.
    let scope = crate::partners::lookup_scope(
        state,
        actor,
        shanyrak_core::sharing::SharingCategory::Identity,
    )
    .await?;
    let member_ids: Vec<Uuid> = household.members.iter().map(|m| m.id).collect();
    let different = state.store.decided_different(&member_ids).await?;
    let decided_apart = |a: Uuid, b: Uuid| different.contains(&if a < b { (a, b) } else { (b, a) });
    let (found, queue) = match_members(
        state,
        &household,
        &scope.organisations,
        actor.organisation_id,
        decided_apart,
    )?;
    crate::partners::log_identity_matches(state, actor, found.values().flatten()).await?;
    // Every possible duplicate waits for a reviewer; none is merged automatically.
    state
        .store
        .enqueue_duplicates(actor, &queue, Utc::now())
        .await?;
    Ok((found, scope.throttled))
}

/// After an edit: a corrected name, birth date or document may make a member match someone
/// registered before, so the members are looked up and queued for review as at
/// registration (pairs already queued or decided are left as they are). The edit is saved
/// whatever happens here, so a failure is logged (the store error already was), not
/// returned.
pub(crate) async fn queue_duplicates_after_edit(
    state: &AppState,
    actor: &shanyrak_core::Actor,
    household_id: Uuid,
) {
    if possible_duplicates(state, actor, household_id)
        .await
        .is_err()
    {
        tracing::warn!(household = %household_id, "possible duplicates of an edited household not queued");
    }
}

/// Each member's possible duplicates, and the pairs to queue for review.
pub(crate) type MatchedMembers = (
    HashMap<Uuid, Vec<crate::identity::PossibleDuplicate>>,
    Vec<shanyrak_store::ProposedPair>,
);

/// Each member's possible duplicates among `organisations` (pairs decided apart left out),
/// and the pairs within `own` organisation to queue for review: the review queue is per
/// organisation, so a pair across organisations is shown, not queued, until reviewers
/// can see both sides under an agreement. The household must be in the index already.
pub(crate) fn match_members(
    state: &AppState,
    household: &Household,
    organisations: &[Uuid],
    own: Uuid,
    decided_apart: impl Fn(Uuid, Uuid) -> bool,
) -> Result<MatchedMembers, crate::identity::IndexLoading> {
    let mut found = HashMap::new();
    let mut queue = Vec::new();
    for m in &household.members {
        let record = crate::identity::person_record(m, household.phone.as_ref());
        let candidates: Vec<_> = state
            .identity
            .possible_duplicates(
                organisations,
                &record,
                household.id,
                MAX_DUPLICATES_PER_MEMBER,
            )?
            .into_iter()
            .filter(|c| !decided_apart(m.id, c.person_id))
            .collect();
        queue.extend(
            candidates
                .iter()
                .filter(|c| c.organisation_id == own)
                .map(|c| shanyrak_store::ProposedPair {
                    person: m.id,
                    other: c.person_id,
                    probability: c.probability,
                    evidence: c.evidence.clone(),
                }),
        );
        found.insert(m.id, candidates);
    }
    Ok((found, queue))
}

/// The household as the actor may see it, with its version as ETag.
fn household_response(household: Household, actor: &shanyrak_core::Actor) -> Response {
    let household = household.redacted_for(actor);
    let tag = etag(household.version);
    let mut response = Json(household).into_response();
    response.headers_mut().insert(header::ETAG, tag);
    response
}

/// One household of your organisation, with its members.
#[utoipa::path(
    get,
    path = "/api/v1/households/{id}",
    tag = "households",
    params(("id" = Uuid, Path, description = "Household id")),
    responses(
        (status = 200, description = "The household; ETag carries its version", body = Household),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household in your organisation", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_household(
    State(state): State<AppState>,
    headers: HeaderMap,
    User { actor, id, .. }: User<Uuid>,
) -> Result<Response, ApiError> {
    let household = state.store.get_household(&actor, id).await?;
    crate::audit::log_read(
        &state,
        &actor,
        &headers,
        "read_household",
        Some(household.id),
        serde_json::json!({}),
    )
    .await?;
    Ok(household_response(household, &actor))
}

/// Find a household by the reference code on its card (any case, with or without hyphens).
#[utoipa::path(
    get,
    path = "/api/v1/households/by-reference/{reference}",
    tag = "households",
    params(("reference" = String, Path, description = "Reference code, e.g. K7M-4QX-9PZ")),
    responses(
        (status = 200, body = Household),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_household_by_reference(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Result<Response, ApiError> {
    // A mistyped code (bad check symbol) cannot match any household.
    let reference: ReferenceCode = reference.parse().map_err(|_| ApiError::NotFound)?;
    let household = state
        .store
        .get_household_by_reference(&actor, &reference)
        .await?;
    crate::audit::log_read(
        &state,
        &actor,
        &headers,
        "read_household",
        Some(household.id),
        serde_json::json!({ "by": "reference" }),
    )
    .await?;
    Ok(household_response(household, &actor))
}

fn query_error(parameter: &str, detail: &str) -> ApiError {
    ApiError::invalid_query(
        &format!("#/{parameter}"),
        format!("query parameter {parameter}: {detail}"),
    )
}

fn parse_since(text: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| query_error("registered_since", "must be an ISO 8601 date or date-time"))
}

/// Households of your organisation, in registration order, one page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/households",
    tag = "households",
    params(ListQuery),
    responses(
        (status = 200, body = HouseholdPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_households(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|_| query_error("query", "could not be read"))?;
    let limit = match query.limit.as_deref() {
        None => DEFAULT_PAGE,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| query_error("limit", "must be a whole number from 1 to 200"))?,
    };
    let filter = HouseholdFilter {
        group: query
            .group
            .as_deref()
            .map(|g| {
                PopulationGroup::parse(g)
                    .ok_or_else(|| query_error("group", "unknown population group"))
            })
            .transpose()?,
        city: query.city.clone().filter(|c| !c.trim().is_empty()),
        status: query
            .status
            .as_deref()
            .map(|s| {
                HouseholdStatus::parse(s).ok_or_else(|| query_error("status", "unknown status"))
            })
            .transpose()?,
        registered_since: query
            .registered_since
            .as_deref()
            .map(parse_since)
            .transpose()?,
        after: query
            .cursor
            .as_deref()
            .map(|c| {
                Uuid::parse_str(c).map_err(|_| query_error("cursor", "not a cursor from this API"))
            })
            .transpose()?,
        // One more than asked tells whether another page exists.
        limit: limit + 1,
    };
    let mut items = state.store.list_households(&actor, &filter).await?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|h| h.id.to_string())
    } else {
        None
    };
    crate::audit::log_read(
        &state,
        &actor,
        &headers,
        "list_households",
        None,
        serde_json::json!({ "households": items.len() }),
    )
    .await?;
    let items = items.into_iter().map(|h| h.redacted_for(&actor)).collect();
    Ok(Json(HouseholdPage { items, next_cursor }).into_response())
}

/// What a role cannot see it cannot have changed: a household sent back by someone who
/// sees a redacted view (no phone, notes, documents or some vulnerabilities, as the
/// visibility table says) keeps the stored values of those fields, member by member id.
pub(crate) fn keep_hidden_fields(
    input: &mut HouseholdInput,
    current: &Household,
    actor: &shanyrak_core::Actor,
) {
    use shanyrak_core::visibility::{Field, Viewer};
    let viewer = Viewer::own(actor);
    if !viewer.sees(Field::Phone) {
        input.phone = current.phone.as_ref().map(|p| p.to_string());
    }
    if !viewer.sees(Field::HouseholdNotes) {
        input.notes = current.notes.clone();
    }
    let documents = viewer.sees(Field::DocumentNumber);
    for member in input.members.iter_mut().flatten() {
        let Some(stored) = member
            .id
            .and_then(|id| current.members.iter().find(|m| m.id == id))
        else {
            continue;
        };
        if !documents {
            member.documents = stored.documents.iter().map(|d| d.to_input()).collect();
        }
        member
            .vulnerabilities
            .retain(|v| viewer.sees_vulnerability(*v));
        member.vulnerabilities.extend(
            stored
                .vulnerabilities
                .iter()
                .copied()
                .filter(|v| !viewer.sees_vulnerability(*v)),
        );
    }
}

/// Fields the server owns; a patch may not set them.
const READ_ONLY_FIELDS: &[&str] = &[
    "id",
    "reference",
    "organisation_id",
    "version",
    "registered_at",
    "updated_at",
];

pub(crate) fn expected_version(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        // Digits only, as this API writes them (no sign, at most 18 of them).
        .filter(|v| (1..=18).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::InvalidHeader("If-Match must be an ETag from this API, e.g. \"3\"".into())
        })
}

/// Edit a household with a JSON merge patch (RFC 7396). Arrays, including `members`,
/// are replaced whole: send every member to keep, each with its `id`; members without
/// an id are added, members left out are removed (kept in history).
#[utoipa::path(
    patch,
    path = "/api/v1/households/{id}",
    tag = "households",
    params(
        ("id" = Uuid, Path, description = "Household id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^\s*(W/)?"?[0-9]{1,18}"?\s*$"#, example = "\"3\"", description = "ETag of the version you edited; a stale one gets 412"),
    ),
    request_body(content = HouseholdInput, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = Household),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed concurrently", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the current version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn patch_household(
    State(state): State<AppState>,
    headers: HeaderMap,
    UserJson {
        actor, id, body, ..
    }: UserJson<Value, Uuid>,
) -> Result<Response, ApiError> {
    let if_match = expected_version(&headers)?;
    merge_patch::patch_object(&body.raw, READ_ONLY_FIELDS)?;
    let current = state.store.get_household(&actor, id).await?;
    merge_patch::check_if_match(if_match, current.version)?;
    let mut input: HouseholdInput = merge_patch::patched(&current.to_input(), &body.raw)?;
    keep_hidden_fields(&mut input, &current, &actor);
    let household = validate(&input, &validation_context()).map_err(ApiError::Validation)?;
    let updated = state
        .store
        .update_household(&actor, id, Some(current.version), &household, Utc::now())
        .await
        .map_err(merge_patch::lost_race(if_match))?;
    state.identity.apply_household(&updated);
    tracing::info!(household = %id, version = updated.version, "household updated");
    queue_duplicates_after_edit(&state, &actor, id).await;
    Ok(household_response(updated, &actor))
}
