//! `/api/v1/auth/token`: sign in with e-mail and password for a token that expires, and
//! sign out. Repeated failures lock the account for a while (see the store's `login`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shanyrak_core::{FieldErrorCode, Role};

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Authenticated, ClientAddr};

const DEFAULT_HOURS: i64 = 12;
const MAX_HOURS: i64 = 24;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
    /// Act with this one of your roles only (least privilege for a shared device).
    #[serde(default)]
    pub role: Option<Role>,
    /// 1 to 24 (default 12).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 24)]
    pub expires_in_hours: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedTokenBody {
    /// Send as `Authorization: Bearer TOKEN`. Shown once; only its hash is stored.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Sign in. Wrong credentials get 401; after repeated failures (from this address, from
/// this address over all accounts, or for this account over all addresses) 429
/// `too_many_attempts` with `Retry-After`; while every core is busy checking passwords,
/// 429 `rate_limited` with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = LoginInput,
    responses((status = 201, body = IssuedTokenBody), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    body: ApiJson<LoginInput>,
) -> Result<Response, ApiError> {
    let input = body.value;
    let hours = input.expires_in_hours.unwrap_or(DEFAULT_HOURS);
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(ApiError::invalid_field(
            "#/expires_in_hours",
            FieldErrorCode::InvalidValue,
            format!("a session lasts 1 to {MAX_HOURS} hours"),
        ));
    }
    let now = Utc::now();
    let expires_at = now + chrono::Duration::hours(hours);
    let token = state
        .store
        .login_from(
            &input.email,
            &input.password,
            input.role,
            client.0,
            expires_at,
            now,
        )
        .await
        .map_err(|e| match e {
            // A role the user does not have is the same answer as a wrong password.
            shanyrak_store::StoreError::Invalid(_) => ApiError::InvalidCredentials,
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedTokenBody {
            token: token.secret,
            expires_at,
        }),
    )
        .into_response())
}

/// Sign out: the token in the request stops working at once.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth",
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .map(|(_, token)| token.trim().to_owned())
        .ok_or(ApiError::Unauthorized)?;
    state
        .store
        .revoke_token_secret(&actor, &secret, Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
