//! `/api/v1/placements`: propose, review and accept bed placements.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use serde::Serialize;
use shanyrak_store::{PlacementBatch, Principal};
use uuid::Uuid;

use crate::AppState;
use crate::access::{User, UserJson};
use crate::dispatch::{self, DecisionInput, DecisionResult, ProposalSettings};
use crate::error::{ApiError, Problem};
use crate::reply::created;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionResults {
    pub results: Vec<DecisionResult>,
}

/// Propose a bed for every household of your organisation that is waiting (optionally in
/// one city). Every proposal carries its reason; every household left waiting, why.
#[utoipa::path(post, path = "/api/v1/placements", tag = "shelter", request_body = ProposalSettings,
    responses((status = 201, body = PlacementBatch), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn propose(
    State(state): State<AppState>,
    UserJson { actor, body, .. }: UserJson<ProposalSettings>,
) -> Result<Response, ApiError> {
    let batch = dispatch::propose(
        &state.store,
        &Principal::User(actor),
        &body.value,
        Utc::now(),
    )
    .await?;
    Ok(created(batch))
}

/// A proposal batch with the decisions taken on it so far.
#[utoipa::path(get, path = "/api/v1/placements/{id}", tag = "shelter", params(("id" = Uuid, Path)),
    responses((status = 200, body = PlacementBatch), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_batch(
    State(state): State<AppState>,
    User { actor, id, .. }: User<Uuid>,
) -> Result<Json<PlacementBatch>, ApiError> {
    Ok(Json(
        state.store.get_batch(&Principal::User(actor), id).await?,
    ))
}

/// Accept all or some proposals (they become reservations that expire if the household
/// does not arrive), reject some, or override with another pool.
#[utoipa::path(post, path = "/api/v1/placements/{id}/decisions", tag = "shelter", params(("id" = Uuid, Path)),
    request_body = DecisionInput,
    responses((status = 200, body = DecisionResults), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    UserJson {
        actor, id, body, ..
    }: UserJson<DecisionInput, Uuid>,
) -> Result<Json<DecisionResults>, ApiError> {
    let results = dispatch::decide(
        &state.store,
        &Principal::User(actor),
        id,
        &body.value,
        Utc::now(),
    )
    .await?;
    Ok(Json(DecisionResults { results }))
}
