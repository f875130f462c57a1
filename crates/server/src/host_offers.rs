//! Host offers over the API: the organisation's coordinators and dispatchers list the beds
//! locals offered on its public page `/offer-a-bed` (see `web::host_offers`).

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use shanyrak_core::host_offer::HostOfferStatus;
use shanyrak_store::HostOfferRecord;

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::Authenticated;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HostOfferQuery {
    /// Only offers with this status.
    #[param(value_type = Option<HostOfferStatus>)]
    pub status: Option<String>,
}

crate::reply::item_lists! {
    HostOfferList(
        /// Newest first, at most 200.
        HostOfferRecord
    );
}

/// Host offers made for your organisation, with the host's address and contact
/// (coordinators and dispatchers: admins and dispatchers).
#[utoipa::path(get, path = "/api/v1/host-offers", tag = "shelter", params(HostOfferQuery),
    responses((status = 200, body = HostOfferList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    query: Result<Query<HostOfferQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<HostOfferList>, ApiError> {
    let bad_status =
        || ApiError::invalid_query("#/status", "pending, verified, rejected or withdrawn");
    let Query(query) = query.map_err(|_| bad_status())?;
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(HostOfferStatus::parse(text).ok_or_else(bad_status)?),
    };
    let items = state.store.host_offers(&actor, status).await?;
    Ok(Json(HostOfferList { items }))
}
