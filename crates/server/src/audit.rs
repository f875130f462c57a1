//! `/api/v1/audit`: the change history of a record, for admins and auditors of the
//! organisation.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use shanyrak_core::FieldErrorCode;
use shanyrak_store::{AccessEntry, AuditEvent};
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::Authenticated;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The record whose history to show (household, site, pool, stay, …).
    #[param(value_type = Uuid, required = true)]
    pub entity_id: Option<String>,
}

crate::reply::item_lists! {
    AuditTrail(AuditEvent);
}

/// Every change to one record, oldest first, with who, when, before and after.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditTrail), (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn trail(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: axum::http::HeaderMap,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditTrail>, ApiError> {
    let id = query
        .entity_id
        .as_deref()
        .and_then(|t| Uuid::parse_str(t).ok())
        .ok_or_else(|| {
            ApiError::query_error(
                "#/entity_id",
                FieldErrorCode::Required,
                "query parameter entity_id: the id of a record",
            )
        })?;
    let items = state.store.audit_events_for(&actor, id).await?;
    log_read(
        &state,
        &actor,
        &headers,
        "read_audit",
        Some(id),
        serde_json::json!({ "events": items.len() }),
    )
    .await?;
    Ok(Json(AuditTrail { items }))
}

/// The header in which a client states why it reads personal data; kept in the access log.
pub const PURPOSE_HEADER: &str = "x-purpose";

/// Records a read of personal data before it is returned (fail closed: no log, no data).
pub async fn log_read(
    state: &AppState,
    actor: &shanyrak_core::Actor,
    headers: &axum::http::HeaderMap,
    action: &str,
    entity_id: Option<Uuid>,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    let purpose = headers.get(PURPOSE_HEADER).and_then(|v| v.to_str().ok());
    state
        .store
        .log_access(
            actor,
            action,
            entity_id,
            purpose,
            detail,
            chrono::Utc::now(),
        )
        .await?;
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessQuery {
    /// Only reads by this user.
    pub user_id: Option<Uuid>,
    /// Only reads of this record.
    pub entity_id: Option<Uuid>,
    /// 1 to 1000 (default 200).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

crate::reply::item_lists! {
    AccessLog(AccessEntry);
}

/// Who read which personal records of your organisation, newest first (admins, auditors).
#[utoipa::path(get, path = "/api/v1/access-log", tag = "audit", params(AccessQuery),
    responses((status = 200, body = AccessLog), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn access_log(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    query: Result<Query<AccessQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AccessLog>, ApiError> {
    let Query(query) =
        query.map_err(|_| ApiError::invalid_query("#/user_id", "user_id and entity_id are ids"))?;
    let limit = query.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid_query("#/limit", "limit is 1 to 1000"));
    }
    let items = state
        .store
        .access_log(&actor, query.user_id, query.entity_id, limit)
        .await?;
    Ok(Json(AccessLog { items }))
}
