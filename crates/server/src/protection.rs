//! Data subjects' rights and shelter status across organisations:
//! `GET /api/v1/persons/{id}/subject-access`, `POST /api/v1/persons/{id}/erasure` and
//! `GET /api/v1/households/{id}/shelter-elsewhere`.
//!
//! Handlers check the action before reading a body, so a role that may not act gets 403,
//! not field errors. The store does the work and its own checks (owning organisation).

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde::Deserialize;
use shanyrak_core::retention::validate_erasure_reason;
use shanyrak_store::{ErasureReport, Principal, ShelterElsewhere, SubjectAccess};
use uuid::Uuid;

use crate::AppState;
use crate::access::{Permitted, PermittedJson, may};
use crate::audit::{PURPOSE_HEADER, log_read};
use crate::error::{ApiError, Problem};

/// Everything held about one person, for them (subject access): household (with this
/// person only), documents, stays, what they received, cases as your role may read them,
/// referrals, the organisation's sharing agreements, and who read or changed the record.
/// Admins and registrars of the owning organisation; the read is in the access log with
/// the purpose given in `X-Purpose`.
#[utoipa::path(get, path = "/api/v1/persons/{id}/subject-access", tag = "audit", params(("id" = Uuid, Path)),
    responses((status = 200, body = SubjectAccess), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn subject_access(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Permitted { actor, id, .. }: Permitted<may::SubjectAccess, Uuid>,
) -> Result<Json<SubjectAccess>, ApiError> {
    let purpose = headers.get(PURPOSE_HEADER).and_then(|v| v.to_str().ok());
    Ok(Json(
        state
            .store
            .subject_access(&Principal::User(actor), id, purpose, Utc::now())
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureRequest {
    /// Why (recorded in the audit log; required, at most 500 characters). Do not name the
    /// person: the reason outlives their data.
    #[serde(default)]
    #[schema(schema_with = shanyrak_core::schema::erasure_reason, required = true)]
    pub reason: Option<String>,
}

/// Erase a person's personal data on their request: names, documents, birth day and
/// month, vulnerabilities, case and referral free text, copies in the audit log, in
/// rejected import rows and idempotency receipts; the person stays an anonymous count.
/// Irreversible. Admins of the owning organisation.
#[utoipa::path(post, path = "/api/v1/persons/{id}/erasure", tag = "audit", params(("id" = Uuid, Path)),
    request_body = ErasureRequest,
    responses((status = 200, body = ErasureReport), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn erase(
    State(state): State<AppState>,
    PermittedJson {
        actor, id, body, ..
    }: PermittedJson<may::EraseSubject, ErasureRequest, Uuid>,
) -> Result<Json<ErasureReport>, ApiError> {
    let reason =
        validate_erasure_reason(body.value.reason.as_deref()).map_err(ApiError::Validation)?;
    let report = state
        .store
        .erase_person(&Principal::User(actor), id, &reason, Utc::now())
        .await?;
    // The erasure's audit event is a household event: this process drops the person from
    // its identity index now, the others on their next refresh (as does this one if the
    // refresh fails now; the erasure itself is committed).
    if let Err(e) = state.identity.refresh(&state.store).await {
        tracing::warn!(error = %e, "identity index refresh after an erasure failed");
    }
    Ok(Json(report))
}

crate::reply::item_lists! {
    ShelterElsewhereList(ShelterElsewhere);
}

/// Members of your household who hold a bed with another organisation, as far as that
/// organisation shares `shelter` with yours under an agreement in force (matched by
/// identity document; the organisation, city, status and since when, nothing more).
#[utoipa::path(get, path = "/api/v1/households/{id}/shelter-elsewhere", tag = "shelter", params(("id" = Uuid, Path)),
    responses((status = 200, body = ShelterElsewhereList), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn shelter_elsewhere(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Permitted { actor, id, .. }: Permitted<may::ReadShelterElsewhere, Uuid>,
) -> Result<Json<ShelterElsewhereList>, ApiError> {
    let items = state
        .store
        .shelter_elsewhere(&actor, id, state.cross_org_lookups_per_hour, Utc::now())
        .await?
        .ok_or(ApiError::RateLimited {
            retry_after_seconds: 3600,
        })?;
    log_read(
        &state,
        &actor,
        &headers,
        "read_shelter_elsewhere",
        Some(id),
        serde_json::json!({ "results": items.len() }),
    )
    .await?;
    Ok(Json(ShelterElsewhereList { items }))
}
