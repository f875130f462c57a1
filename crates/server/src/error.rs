//! Every error the API returns, as an RFC 9457 problem document.
//!
//! Each kind has a stable `code` (and `type` URI derived from it) defined once in
//! [`ApiError::parts`], so clients and the translated web interface can rely on it.
//! Internal errors are logged and answered with a bare 500: database messages can quote
//! SQL and must not reach a client, and nothing personal is ever written to the log.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shanyrak_core::{FieldError, FieldErrorCode, ValidationErrors};
use shanyrak_store::StoreError;

/// The body of every error response (`application/problem+json`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation-failed`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code, the same as the last segment of `type`.
    pub code: String,
    /// Field errors, each with a JSON pointer into the request body.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Validation(ValidationErrors),
    MalformedJson(String),
    UnsupportedMediaType,
    /// Heavy work could not run now or did not finish in time: 503 with `Retry-After`.
    Unavailable(String),
    /// The process is starting and its identity index is not loaded yet: 503 with
    /// `Retry-After`, never a registration without its duplicate check.
    Starting,
    /// A body in a `Content-Encoding` the server does not decode.
    UnsupportedContentEncoding,
    PayloadTooLarge,
    InvalidHeader(String),
    InvalidQuery(ValidationErrors),
    IdempotencyKeyReused,
    VersionMismatch {
        current: i64,
        precondition: bool,
    },
    Conflict(String),
    InvalidCredentials,
    TooManyAttempts {
        retry_after_seconds: i64,
    },
    /// Over a per-user limit other than sign-in (look-ups in partners' records).
    RateLimited {
        retry_after_seconds: i64,
    },
    /// The people cannot take these beds (full, child in a male dorm, …): 409 with the
    /// rule's own code.
    Admission(shanyrak_core::shelter::AdmissionError),
    /// The point does not hold enough of an item: 409.
    InsufficientStock,
    Internal,
}

impl ApiError {
    /// 422 for one field of the body.
    pub fn invalid_field(pointer: &str, code: FieldErrorCode, detail: impl Into<String>) -> Self {
        Self::Validation(ValidationErrors::single(FieldError::new(
            pointer, code, detail,
        )))
    }

    /// 400 for one query parameter.
    pub fn query_error(pointer: &str, code: FieldErrorCode, detail: impl Into<String>) -> Self {
        Self::InvalidQuery(ValidationErrors::single(FieldError::new(
            pointer, code, detail,
        )))
    }

    /// 400 for a query parameter whose value is not one the route takes.
    pub fn invalid_query(pointer: &str, detail: impl Into<String>) -> Self {
        Self::query_error(pointer, FieldErrorCode::InvalidValue, detail)
    }

    /// Status, code and title: the one table of error kinds.
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not permitted for your role",
            ),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found", "Not found"),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
            ),
            Self::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "The request has invalid fields",
            ),
            Self::MalformedJson(_) => (
                StatusCode::BAD_REQUEST,
                "malformed_json",
                "The body is not valid JSON",
            ),
            Self::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as application/json",
            ),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "The server is busy with heavy work; try again shortly",
            ),
            Self::Starting => (
                StatusCode::SERVICE_UNAVAILABLE,
                "starting",
                "The server is starting; try again shortly",
            ),
            Self::UnsupportedContentEncoding => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_content_encoding",
                "Send the body without Content-Encoding (identity)",
            ),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The body is too large",
            ),
            Self::InvalidHeader(_) => (
                StatusCode::BAD_REQUEST,
                "invalid_header",
                "A request header is invalid",
            ),
            Self::InvalidQuery(_) => (
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "A query parameter is invalid",
            ),
            Self::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "The Idempotency-Key was already used with a different body",
            ),
            Self::VersionMismatch {
                precondition: true, ..
            } => (
                StatusCode::PRECONDITION_FAILED,
                "version_mismatch",
                "The record was changed since you read it",
            ),
            Self::VersionMismatch {
                precondition: false,
                ..
            } => (
                StatusCode::CONFLICT,
                "version_mismatch",
                "The record was changed since you read it",
            ),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            Self::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Wrong e-mail address or password",
            ),
            Self::TooManyAttempts { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "Too many failed logins; try again later",
            ),
            Self::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many requests of this kind; try again later",
            ),
            Self::Admission(e) => (StatusCode::CONFLICT, e.code(), "The beds cannot be given"),
            Self::InsufficientStock => (
                StatusCode::CONFLICT,
                "insufficient_stock",
                "Not enough stock of an item at this point",
            ),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Internal error",
            ),
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (status, code, title) = self.parts();
        let (detail, errors) = match self {
            Self::Validation(e) | Self::InvalidQuery(e) => (None, e.errors.clone()),
            Self::MalformedJson(d) | Self::InvalidHeader(d) | Self::Conflict(d) | Self::Unavailable(d) => {
                (Some(d.clone()), Vec::new())
            }
            Self::IdempotencyKeyReused => (
                Some("Each Idempotency-Key belongs to one request body; use a new key for a new request".into()),
                Vec::new(),
            ),
            Self::VersionMismatch { current, .. } => (
                Some(format!("The current version is {current}; reload the record and apply your change again")),
                Vec::new(),
            ),
            Self::Unauthorized => (Some("Send a valid token as Authorization: Bearer TOKEN".into()), Vec::new()),
            Self::Admission(e) => (Some(e.to_string()), Vec::new()),
            _ => (None, Vec::new()),
        };
        Problem {
            problem_type: format!("/problems/{}", code.replace('_', "-")),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.to_problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if matches!(self, Self::Unauthorized) {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if matches!(self, Self::Unavailable(_)) {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        }
        if matches!(self, Self::Starting) {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(STARTING_RETRY_AFTER),
            );
        }
        if let Self::TooManyAttempts {
            retry_after_seconds,
        }
        | Self::RateLimited {
            retry_after_seconds,
        } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after_seconds.max(1).to_string())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Forbidden => Self::Forbidden,
            StoreError::Invalid(errors) => Self::Validation(errors),
            StoreError::IdempotencyKeyReused => Self::IdempotencyKeyReused,
            StoreError::VersionMismatch { current } => Self::VersionMismatch {
                current,
                precondition: false,
            },
            StoreError::EmailTaken => Self::Conflict(error.to_string()),
            StoreError::Admission(e) => Self::Admission(e),
            StoreError::InsufficientStock { .. } => Self::InsufficientStock,
            StoreError::Transition(e) => Self::Conflict(e.to_string()),
            StoreError::Pipeline(e) => Self::Conflict(e.to_string()),
            StoreError::InvalidCredentials => Self::InvalidCredentials,
            // Every core busy checking passwords: come back in a moment.
            StoreError::Busy => Self::RateLimited {
                retry_after_seconds: 2,
            },
            StoreError::LoginLocked { until } => Self::TooManyAttempts {
                retry_after_seconds: (until - chrono::Utc::now()).num_seconds(),
            },
            StoreError::SubmissionsLimited { until } => Self::RateLimited {
                retry_after_seconds: (until - chrono::Utc::now()).num_seconds(),
            },
            other => {
                // Store errors carry no personal data (see shanyrak_store::StoreError).
                tracing::error!(error = %other, source = ?std::error::Error::source(&other).map(|s| s.to_string()), "store failure");
                Self::Internal
            }
        }
    }
}

/// Seconds a client is asked to wait while the identity index loads.
pub const STARTING_RETRY_AFTER: &str = "5";

impl From<crate::identity::IndexLoading> for ApiError {
    fn from(_: crate::identity::IndexLoading) -> Self {
        Self::Starting
    }
}

impl From<crate::heavy::HeavyError> for ApiError {
    fn from(error: crate::heavy::HeavyError) -> Self {
        match error {
            crate::heavy::HeavyError::Busy | crate::heavy::HeavyError::TimedOut => {
                Self::Unavailable(error.to_string())
            }
            crate::heavy::HeavyError::Failed => Self::Internal,
        }
    }
}

impl From<crate::dispatch::DispatchError> for ApiError {
    fn from(error: crate::dispatch::DispatchError) -> Self {
        use crate::dispatch::DispatchError;
        match error {
            DispatchError::Store(e) => e.into(),
            DispatchError::Invalid(errors) => Self::Validation(errors),
            DispatchError::CorruptBatch => {
                tracing::error!("unreadable placement batch");
                Self::Internal
            }
            DispatchError::Heavy(e) => e.into(),
        }
    }
}
