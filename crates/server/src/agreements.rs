//! `/api/v1/agreements`: data-sharing agreements between organisations, offered and
//! withdrawn by the sharing organisation's admins.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use shanyrak_core::ValidationContext;
use shanyrak_core::sharing::{AgreementInput, validate_agreement};
use shanyrak_store::Agreement;
use uuid::Uuid;

use crate::AppState;
use crate::access::{PermittedJson, User, may};
use crate::error::{ApiError, Problem};
use crate::reply::created;

crate::reply::item_lists! {
    AgreementList(Agreement);
}

/// Share categories of your organisation's data with another, for a purpose, until a date.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "audit", request_body = AgreementInput,
    responses((status = 201, body = Agreement), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    PermittedJson { actor, body, .. }: PermittedJson<may::ManageAgreements, AgreementInput>,
) -> Result<Response, ApiError> {
    let ctx = ValidationContext {
        today: crate::local_time::today(),
    };
    let agreement = validate_agreement(&body.value, actor.organisation_id, &ctx)
        .map_err(ApiError::Validation)?;
    let offered = state
        .store
        .create_agreement(&actor, &agreement, Utc::now())
        .await?;
    Ok(created(offered))
}

/// Agreements your organisation gives or receives, with whether each is in force.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "audit",
    responses((status = 200, body = AgreementList), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    User { actor, .. }: User,
) -> Result<Json<AgreementList>, ApiError> {
    Ok(Json(AgreementList {
        items: state.store.list_agreements(&actor, Utc::now()).await?,
    }))
}

/// End an agreement your organisation gave; it stops at once.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/withdraw", tag = "audit", params(("id" = Uuid, Path)),
    responses((status = 200, body = Agreement), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    User { actor, id, .. }: User<Uuid>,
) -> Result<Json<Agreement>, ApiError> {
    Ok(Json(
        state
            .store
            .withdraw_agreement(&actor, id, Utc::now())
            .await?,
    ))
}
