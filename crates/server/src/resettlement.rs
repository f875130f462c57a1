//! `/api/v1/resettlement/…`: receiving programmes, proposals by priority, the pipeline
//! status of each household and the quota report.
//!
//! Handlers check the action first (so a role without it gets 403 before any body is
//! looked at), then validate with core and call the store, which checks again, scopes to
//! the organisation and writes the audit and access logs.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use serde_json::Value;
use shanyrak_core::resettlement::{
    PipelineEvent, Programme, ProgrammeInput, QuotaReport, validate_pipeline_event,
    validate_programme,
};
use shanyrak_store::{Proposal, ResettlementEntry};
use uuid::Uuid;

use crate::AppState;
use crate::access::{Permitted, PermittedJson, may};
use crate::error::{ApiError, Problem};
use crate::extract::deserialize_with_pointer;
use crate::reply::created;

/// A request of a resettlement officer, to a path with ids `I`.
type Officer<I = ()> = Permitted<may::ManageResettlement, I>;

crate::reply::item_lists! {
    ProgrammeList(Programme);
    ResettlementEntryList(ResettlementEntry);
}

/// Declare a receiving programme of your organisation: country, quota in persons and
/// criteria (citizenships of the head, population groups, largest household, any of some
/// vulnerabilities, conscription risk as an age range of male members).
#[utoipa::path(post, path = "/api/v1/resettlement/programmes", tag = "resettlement",
    request_body = ProgrammeInput,
    responses((status = 201, body = Programme), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_programme(
    State(state): State<AppState>,
    PermittedJson { actor, body, .. }: PermittedJson<may::ManageResettlement, Value>,
) -> Result<Response, ApiError> {
    let input: ProgrammeInput = deserialize_with_pointer(&body.raw)?;
    let programme = validate_programme(&input).map_err(ApiError::Validation)?;
    let created_programme = state
        .store
        .create_programme(&actor, &programme, Utc::now())
        .await?;
    Ok(created(created_programme))
}

/// The programmes of your organisation.
#[utoipa::path(get, path = "/api/v1/resettlement/programmes", tag = "resettlement",
    responses((status = 200, body = ProgrammeList), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_programmes(
    State(state): State<AppState>,
    Officer { actor, .. }: Officer,
) -> Result<Json<ProgrammeList>, ApiError> {
    let items = state.store.list_programmes(&actor).await?;
    Ok(Json(ProgrammeList { items }))
}

/// One programme of your organisation.
#[utoipa::path(get, path = "/api/v1/resettlement/programmes/{id}", tag = "resettlement", params(("id" = Uuid, Path)),
    responses((status = 200, body = Programme), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_programme(
    State(state): State<AppState>,
    Officer { actor, id, .. }: Officer<Uuid>,
) -> Result<Json<Programme>, ApiError> {
    Ok(Json(state.store.get_programme(&actor, id).await?))
}

/// Propose your organisation's eligible households, highest priority first, up to the
/// places left in the quota. A household is never split; one too large for the places
/// left is passed over. Safe to repeat: households already in the programme, or held by
/// any programme's pipeline, are not proposed again.
#[utoipa::path(post, path = "/api/v1/resettlement/programmes/{id}/proposals", tag = "resettlement", params(("id" = Uuid, Path)),
    responses((status = 200, body = Proposal), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn propose(
    State(state): State<AppState>,
    Officer { actor, id, .. }: Officer<Uuid>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(
        state
            .store
            .propose_for_programme(&actor, id, Utc::now())
            .await?,
    ))
}

/// The households in a programme's pipeline, highest priority first.
#[utoipa::path(get, path = "/api/v1/resettlement/programmes/{id}/entries", tag = "resettlement", params(("id" = Uuid, Path)),
    responses((status = 200, body = ResettlementEntryList), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_entries(
    State(state): State<AppState>,
    Officer { actor, id, .. }: Officer<Uuid>,
) -> Result<Json<ResettlementEntryList>, ApiError> {
    let items = state
        .store
        .list_resettlement_entries(&actor, id, Utc::now())
        .await?;
    Ok(Json(ResettlementEntryList { items }))
}

/// Persons and households per status against the quota (figures only).
#[utoipa::path(get, path = "/api/v1/resettlement/programmes/{id}/report", tag = "resettlement", params(("id" = Uuid, Path)),
    responses((status = 200, body = QuotaReport), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    Officer { actor, id, .. }: Officer<Uuid>,
) -> Result<Json<QuotaReport>, ApiError> {
    Ok(Json(state.store.resettlement_report(&actor, id).await?))
}

/// Move a household through the pipeline: `{"to": "submitted"}`, `{"to": "accepted"}`,
/// `{"to": "rejected", "reason": …}`, `{"to": "departed"}`, `{"to": "withdrawn", "reason": …}`.
#[utoipa::path(post, path = "/api/v1/resettlement/entries/{id}/transition", tag = "resettlement", params(("id" = Uuid, Path)),
    request_body = PipelineEvent,
    responses((status = 200, body = ResettlementEntry), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Not allowed from the current status", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn transition_entry(
    State(state): State<AppState>,
    PermittedJson {
        actor, id, body, ..
    }: PermittedJson<may::ManageResettlement, Value, Uuid>,
) -> Result<Json<ResettlementEntry>, ApiError> {
    let event: PipelineEvent = deserialize_with_pointer(&body.raw)?;
    let event = validate_pipeline_event(&event).map_err(ApiError::Validation)?;
    Ok(Json(
        state
            .store
            .transition_resettlement_entry(&actor, id, &event, Utc::now())
            .await?,
    ))
}
