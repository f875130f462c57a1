//! `/api/v1/audit`: the change history of a record, for admins and auditors of the
//! organisation.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use shanyrak_core::{FieldError, FieldErrorCode, ValidationErrors};
use shanyrak_store::AuditEvent;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::Authenticated;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The record whose history to show (household, site, pool, stay, …).
    pub entity_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditTrail {
    pub items: Vec<AuditEvent>,
}

/// Every change to one record, oldest first, with who, when, before and after.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditTrail), (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn trail(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditTrail>, ApiError> {
    let id = query
        .entity_id
        .as_deref()
        .and_then(|t| Uuid::parse_str(t).ok())
        .ok_or_else(|| {
            ApiError::InvalidQuery(ValidationErrors::single(FieldError::new(
                "#/entity_id",
                FieldErrorCode::Required,
                "query parameter entity_id: the id of a record",
            )))
        })?;
    Ok(Json(AuditTrail {
        items: state.store.audit_events_for(&actor, id).await?,
    }))
}
