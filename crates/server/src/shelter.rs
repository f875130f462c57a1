//! `/api/v1/sites`, `/api/v1/stays` and `/api/v1/waiting-list`: beds and who is in them.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shanyrak_core::FieldErrorCode;
use shanyrak_core::shelter::{BedPoolInput, SiteInput, StayStatus, validate_pool, validate_site};
use shanyrak_store::{
    AdmissionRequest, Resident, SiteEntry, SiteSummary, SiteView, Stay, WaitingHousehold,
};
use uuid::Uuid;

use crate::AppState;
use crate::access::{PermittedJson, User, UserJson, may};
use crate::error::{ApiError, Problem};
use crate::extract::{Authenticated, parse_id};
use crate::merge_patch::{check_if_match, patch_object, patched};
use crate::reply::created;

/// Days without a roll call after which a resident is flagged overdue.
pub const DEFAULT_ABSENCE_DAYS: i64 = 3;
/// How long a reservation holds beds when the dispatcher does not say.
pub const DEFAULT_RESERVATION_HOURS: i64 = 6;
const MAX_RESERVATION_HOURS: i64 = 72;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SiteList {
    /// Sites you see whole: your organisation's (if your role places people) and those of
    /// organisations sharing `shelter` with yours.
    pub items: Vec<SiteView>,
    /// Every other site: city, a coarse kind and free beds only.
    pub summaries: Vec<SiteSummary>,
}

crate::reply::item_lists! {
    ResidentList(Resident);
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WaitingList {
    pub items: Vec<WaitingHousehold>,
    /// Members of these households who hold a bed with another organisation sharing
    /// `shelter` with yours under an agreement in force (dispatchers, site managers and
    /// admins; empty otherwise).
    pub sheltered_elsewhere: Vec<shanyrak_store::ShelterElsewhere>,
    /// `throttled` when shelter status at partners was not looked up because you made too
    /// many such look-ups in the last hour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_organisation_lookup: Option<&'static str>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedPool {
    pub id: Uuid,
    pub site: SiteView,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CityQuery {
    /// Only this city (exact name as registered).
    pub city: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResidentsQuery {
    /// Days without being seen before a resident is flagged overdue (1 to 60, default 3).
    #[param(minimum = 1, maximum = 60)]
    pub absence_days: Option<i64>,
}

/// Beds for a household: a reservation (`"reserve": true`) or a check-in now.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StayInput {
    pub household_id: Uuid,
    pub pool_id: Uuid,
    /// Members to place; all members when absent.
    #[serde(default)]
    pub member_ids: Option<Vec<Uuid>>,
    /// Hold the beds until the household arrives instead of checking in now.
    #[serde(default)]
    pub reserve: bool,
    /// Hours the reservation holds (1 to 72, default 6).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 72)]
    pub reservation_hours: Option<i64>,
    #[serde(default)]
    pub expected_departure: Option<NaiveDate>,
    /// A one-night stay, which may use transitory beds.
    #[serde(default)]
    pub one_night: bool,
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The `city` of a query, unless blank.
fn city_filter(query: &CityQuery) -> Option<&str> {
    query
        .city
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// Register a shelter site run by your organisation.
#[utoipa::path(post, path = "/api/v1/sites", tag = "shelter", request_body = SiteInput,
    responses((status = 201, body = SiteView), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_site(
    State(state): State<AppState>,
    UserJson { actor, body, .. }: UserJson<SiteInput>,
) -> Result<Response, ApiError> {
    let site = validate_site(&body.value).map_err(ApiError::Validation)?;
    Ok(created(
        state.store.create_site(&actor, &site, now()).await?,
    ))
}

/// Sites with their bed pools: capacity, occupied, reserved and free beds, for the sites
/// you may see whole; the others by city, coarse kind and free beds.
#[utoipa::path(get, path = "/api/v1/sites", tag = "shelter", params(CityQuery),
    responses((status = 200, body = SiteList)), security(("bearer" = [])))]
pub async fn list_sites(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    User { actor, .. }: User,
    Query(query): Query<CityQuery>,
) -> Result<Json<SiteList>, ApiError> {
    let (items, summaries) = state
        .store
        .site_listing(&actor, city_filter(&query), now())
        .await?;
    crate::audit::log_read(
        &state,
        &actor,
        &headers,
        "list_sites",
        None,
        serde_json::json!({ "sites": items.len(), "summaries": summaries.len() }),
    )
    .await?;
    Ok(Json(SiteList { items, summaries }))
}

/// One site: whole if you may see it so, else its city, coarse kind and free beds.
#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "shelter", params(("id" = Uuid, Path)),
    responses((status = 200, body = SiteEntry), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_site(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    User { actor, id, .. }: User<Uuid>,
) -> Result<Json<SiteEntry>, ApiError> {
    let entry = state.store.site_entry(&actor, id, now()).await?;
    crate::audit::log_read(
        &state,
        &actor,
        &headers,
        "read_site",
        Some(id),
        serde_json::json!({ "whole": matches!(entry, SiteEntry::Full(_)) }),
    )
    .await?;
    Ok(Json(entry))
}

/// Edit a site of your organisation with a JSON merge patch (RFC 7396): its status
/// (`open`, `full`, `closed`), rules, contact, amenities. Send `If-Match` to avoid
/// overwriting someone else's change.
#[utoipa::path(patch, path = "/api/v1/sites/{id}", tag = "shelter",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, pattern = r#"^\s*(W/)?"?[0-9]{1,18}"?\s*$"#, example = "\"3\"", description = "ETag of the version you edited; a stale one gets 412")),
    request_body(content = SiteInput, content_type = "application/merge-patch+json"),
    responses((status = 200, body = SiteView), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 412, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn patch_site(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    // The role first: a site one may not manage answers 403 whether or not one may see it.
    PermittedJson {
        actor, id, body, ..
    }: PermittedJson<may::ManageSites, serde_json::Value, Uuid>,
) -> Result<Json<SiteView>, ApiError> {
    let if_match = crate::households::expected_version(&headers)?;
    patch_object(
        &body.raw,
        &[
            "id",
            "organisation_id",
            "version",
            "created_at",
            "updated_at",
            "pools",
        ],
    )?;
    let current = state.store.get_site(&actor, id, now()).await?;
    check_if_match(if_match, current.site.version)?;
    let input: SiteInput = patched(&current.site.to_input(), &body.raw)?;
    let site = validate_site(&input).map_err(ApiError::Validation)?;
    let view = state
        .store
        .update_site(&actor, id, Some(current.site.version), &site, now())
        .await?;
    Ok(Json(view))
}

/// Add a bed pool to a site of your organisation.
#[utoipa::path(post, path = "/api/v1/sites/{id}/pools", tag = "shelter", params(("id" = Uuid, Path)),
    request_body = BedPoolInput,
    responses((status = 201, body = CreatedPool), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add_pool(
    State(state): State<AppState>,
    PermittedJson {
        actor,
        id: site_id,
        body,
        ..
    }: PermittedJson<may::ManageSites, BedPoolInput, Uuid>,
) -> Result<Response, ApiError> {
    let site = state.store.get_site(&actor, site_id, now()).await?;
    let spec =
        validate_pool(&body.value, &site.site.details.rules).map_err(ApiError::Validation)?;
    let pool_id = state.store.add_pool(&actor, site_id, &spec, now()).await?;
    let site = state.store.get_site(&actor, site_id, now()).await?;
    Ok(created(CreatedPool { id: pool_id, site }))
}

/// Change a pool's beds (all counts are replaced). Refused below what stays already hold.
#[utoipa::path(put, path = "/api/v1/sites/{id}/pools/{pool_id}", tag = "shelter",
    params(("id" = Uuid, Path), ("pool_id" = Uuid, Path)), request_body = BedPoolInput,
    responses((status = 200, body = SiteView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_pool(
    State(state): State<AppState>,
    UserJson {
        actor,
        id: (site_id, pool_id),
        body,
        ..
    }: UserJson<BedPoolInput, (Uuid, Uuid)>,
) -> Result<Json<SiteView>, ApiError> {
    state
        .store
        .update_pool(&actor, site_id, pool_id, &body.value, now())
        .await?;
    Ok(Json(state.store.get_site(&actor, site_id, now()).await?))
}

/// Who stays at a site of your organisation, with overdue and maximum-nights flags.
#[utoipa::path(get, path = "/api/v1/sites/{id}/residents", tag = "shelter", params(("id" = Uuid, Path), ResidentsQuery),
    responses((status = 200, body = ResidentList), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn residents(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<ResidentsQuery>,
) -> Result<Json<ResidentList>, ApiError> {
    let absence_days = query.absence_days.unwrap_or(DEFAULT_ABSENCE_DAYS);
    if !(1..=60).contains(&absence_days) {
        return Err(ApiError::invalid_query(
            "#/absence_days",
            "query parameter absence_days: a whole number from 1 to 60",
        ));
    }
    let site_id = parse_id(&id)?;
    let items = state
        .store
        .residents(&actor, site_id, absence_days, now())
        .await?;
    crate::audit::log_read(
        &state,
        &actor,
        &headers,
        "read_residents",
        Some(site_id),
        serde_json::json!({ "stays": items.len() }),
    )
    .await?;
    Ok(Json(ResidentList { items }))
}

/// Reserve beds for a household, or check it in now. 409 with the rule's code when the
/// beds cannot be given (`no_capacity`, `child_in_male_dorm`, `wrong_sex_for_pool`, …).
#[utoipa::path(post, path = "/api/v1/stays", tag = "shelter", request_body = StayInput,
    responses((status = 201, body = Stay), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_stay(
    State(state): State<AppState>,
    UserJson { actor, body, .. }: UserJson<StayInput>,
) -> Result<Response, ApiError> {
    let input = body.value;
    let now = now();
    let reserve_until = if input.reserve {
        let hours = input.reservation_hours.unwrap_or(DEFAULT_RESERVATION_HOURS);
        if !(1..=MAX_RESERVATION_HOURS).contains(&hours) {
            return Err(ApiError::invalid_field(
                "#/reservation_hours",
                FieldErrorCode::InvalidValue,
                format!("a reservation holds 1 to {MAX_RESERVATION_HOURS} hours"),
            ));
        }
        Some(now + chrono::Duration::hours(hours))
    } else {
        None
    };
    if input
        .expected_departure
        .is_some_and(|d| d < crate::local_time::date_of(now))
    {
        return Err(ApiError::invalid_field(
            "#/expected_departure",
            FieldErrorCode::InvalidDate,
            "the expected departure is in the past",
        ));
    }
    let request = AdmissionRequest {
        household_id: input.household_id,
        pool_id: input.pool_id,
        member_ids: input.member_ids,
        reserve_until,
        expected_departure: input.expected_departure,
        one_night: input.one_night,
    };
    let stay = state.store.admit(&actor, &request, now).await?;
    tracing::info!(stay = %stay.id, persons = stay.persons, status = %stay.status, "beds given");
    Ok(created(stay))
}

async fn transition(
    state: &AppState,
    User { actor, id, .. }: User<Uuid>,
    to: StayStatus,
) -> Result<Json<Stay>, ApiError> {
    Ok(Json(state.store.change_stay(&actor, id, to, now()).await?))
}

/// Confirm a reservation: the household arrived.
#[utoipa::path(post, path = "/api/v1/stays/{id}/check-in", tag = "shelter", params(("id" = Uuid, Path)),
    responses((status = 200, body = Stay), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn check_in(
    State(state): State<AppState>,
    request: User<Uuid>,
) -> Result<Json<Stay>, ApiError> {
    transition(&state, request, StayStatus::CheckedIn).await
}

/// End a stay; the beds are free at once.
#[utoipa::path(post, path = "/api/v1/stays/{id}/check-out", tag = "shelter", params(("id" = Uuid, Path)),
    responses((status = 200, body = Stay), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn check_out(
    State(state): State<AppState>,
    request: User<Uuid>,
) -> Result<Json<Stay>, ApiError> {
    transition(&state, request, StayStatus::CheckedOut).await
}

/// Drop a reservation (live or expired).
#[utoipa::path(post, path = "/api/v1/stays/{id}/cancel", tag = "shelter", params(("id" = Uuid, Path)),
    responses((status = 200, body = Stay), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    request: User<Uuid>,
) -> Result<Json<Stay>, ApiError> {
    transition(&state, request, StayStatus::Cancelled).await
}

/// Roll call: the residents of this stay were seen today.
#[utoipa::path(post, path = "/api/v1/stays/{id}/seen", tag = "shelter", params(("id" = Uuid, Path)),
    responses((status = 200, body = Stay)), security(("bearer" = [])))]
pub async fn seen(
    State(state): State<AppState>,
    User { actor, id, .. }: User<Uuid>,
) -> Result<Json<Stay>, ApiError> {
    Ok(Json(state.store.mark_seen(&actor, id, now()).await?))
}

/// Households of your organisation that need a bed tonight and have none, most urgent first.
#[utoipa::path(get, path = "/api/v1/waiting-list", tag = "shelter", params(CityQuery),
    responses((status = 200, body = WaitingList)), security(("bearer" = [])))]
pub async fn waiting_list(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    User { actor, .. }: User,
    Query(query): Query<CityQuery>,
) -> Result<Json<WaitingList>, ApiError> {
    let items = state
        .store
        .waiting_list(&actor, city_filter(&query), now())
        .await?;
    let ids: Vec<uuid::Uuid> = items.iter().map(|h| h.household_id).collect();
    let sheltered_elsewhere = state
        .store
        .shelter_elsewhere_for(&actor, &ids, state.cross_org_lookups_per_hour, now())
        .await?;
    let cross_organisation_lookup = sheltered_elsewhere.is_none().then_some("throttled");
    let sheltered_elsewhere = sheltered_elsewhere.unwrap_or_default();
    crate::audit::log_read(
        &state,
        &actor,
        &headers,
        "read_waiting_list",
        None,
        serde_json::json!({ "households": items.len(), "sheltered_elsewhere": sheltered_elsewhere.len() }),
    )
    .await?;
    Ok(Json(WaitingList {
        items: items.into_iter().map(|w| w.redacted_for(&actor)).collect(),
        sheltered_elsewhere,
        cross_organisation_lookup,
    }))
}
