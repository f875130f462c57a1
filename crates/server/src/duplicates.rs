//! `/api/v1/duplicates`: the review queue of possible duplicates. A reviewer sees both
//! records side by side with the evidence and decides; "same" joins them into one resolved
//! identity without deleting either record, "different" is remembered, and both can be
//! undone.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use shanyrak_core::FieldErrorCode;
use shanyrak_store::DuplicateCandidate;
use uuid::Uuid;

use crate::AppState;
use crate::access::User;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Authenticated, parse_id};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `pending` (default), `same` or `different`.
    #[param(schema_with = crate::openapi::queue_status)]
    pub status: Option<String>,
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

crate::reply::item_lists! {
    DuplicateQueue(DuplicateCandidate);
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `same` or `different`.
    #[schema(schema_with = crate::openapi::decision)]
    pub decision: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonCounts {
    /// Person records (registrations) of your organisation.
    pub records: i64,
    /// People, counting records decided to be the same person once.
    pub resolved_persons: i64,
}

/// The review queue of your organisation, most likely duplicates first.
#[utoipa::path(get, path = "/api/v1/duplicates", tag = "identity", params(QueueQuery),
    responses((status = 200, body = DuplicateQueue), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    User { actor, .. }: User,
    Query(query): Query<QueueQuery>,
) -> Result<Json<DuplicateQueue>, ApiError> {
    let status = query.status.as_deref().unwrap_or("pending");
    if !matches!(status, "pending" | "same" | "different") {
        return Err(ApiError::invalid_query(
            "#/status",
            "query parameter status: pending, same or different",
        ));
    }
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid_query(
            "#/limit",
            "query parameter limit: 1 to 200",
        ));
    }
    let items = state.store.list_candidates(&actor, status, limit).await?;
    crate::audit::log_read(
        &state,
        &actor,
        &headers,
        "read_duplicates",
        None,
        serde_json::json!({ "pairs": items.len() }),
    )
    .await?;
    Ok(Json(DuplicateQueue { items }))
}

/// Two records side by side with the evidence.
#[utoipa::path(get, path = "/api/v1/duplicates/{id}", tag = "identity", params(("id" = Uuid, Path)),
    responses((status = 200, body = DuplicateCandidate), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    User { actor, id, .. }: User<Uuid>,
) -> Result<Json<DuplicateCandidate>, ApiError> {
    Ok(Json(state.store.get_candidate(&actor, id).await?))
}

/// Decide: the same person, or different people. A decided pair must be undone first.
#[utoipa::path(post, path = "/api/v1/duplicates/{id}/decision", tag = "identity", params(("id" = Uuid, Path)),
    request_body = DecisionBody,
    responses((status = 200, body = DuplicateCandidate), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    body: ApiJson<DecisionBody>,
) -> Result<Json<DuplicateCandidate>, ApiError> {
    let decision = body.value.decision.as_str();
    if !matches!(decision, "same" | "different") {
        return Err(ApiError::invalid_field(
            "#/decision",
            FieldErrorCode::InvalidValue,
            "same or different",
        ));
    }
    decision_on(&state, &actor, parse_id(&id)?, decision).await
}

/// Records a decision on a pair (or takes one back with `pending`).
async fn decision_on(
    state: &AppState,
    actor: &shanyrak_core::Actor,
    id: Uuid,
    decision: &str,
) -> Result<Json<DuplicateCandidate>, ApiError> {
    Ok(Json(
        state
            .store
            .decide_candidate(actor, id, decision, Utc::now())
            .await?,
    ))
}

/// Take a decision back: the pair returns to the queue and the identities split again.
#[utoipa::path(post, path = "/api/v1/duplicates/{id}/undo", tag = "identity", params(("id" = Uuid, Path)),
    responses((status = 200, body = DuplicateCandidate), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn undo(
    State(state): State<AppState>,
    User { actor, id, .. }: User<Uuid>,
) -> Result<Json<DuplicateCandidate>, ApiError> {
    decision_on(&state, &actor, id, "pending").await
}

/// How many people your organisation has registered: records, and resolved persons.
#[utoipa::path(get, path = "/api/v1/persons/count", tag = "identity",
    responses((status = 200, body = PersonCounts)), security(("bearer" = [])))]
pub async fn count(
    State(state): State<AppState>,
    User { actor, .. }: User,
) -> Result<Json<PersonCounts>, ApiError> {
    let (records, resolved_persons) = state.store.count_persons(&actor).await?;
    Ok(Json(PersonCounts {
        records,
        resolved_persons,
    }))
}
