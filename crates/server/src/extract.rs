//! Request extractors: who is asking, and what they sent.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shanyrak_core::{Actor, FieldError, FieldErrorCode, ValidationErrors};

use crate::AppState;
use crate::error::ApiError;

/// The signed-in user behind `Authorization: Bearer TOKEN`, checked against the store on
/// every request so that revoking a token or disabling a user takes effect at once.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Actor);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthorized)?;
        let (scheme, token) = header
            .trim()
            .split_once(' ')
            .ok_or(ApiError::Unauthorized)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(ApiError::Unauthorized);
        }
        let actor = state
            .store
            .authenticate_token(token.trim(), chrono::Utc::now())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(Authenticated(actor))
    }
}

/// A JSON body, parsed in two steps: bytes to a JSON value (a syntax error is a 400) and
/// the value to `T` (a wrong type or unknown field is a 422 pointing at the field). The
/// raw value is kept for idempotency hashing and merge patches.
#[derive(Debug)]
pub struct ApiJson<T> {
    pub value: T,
    pub raw: Value,
}

fn is_json_content_type(parts_or_req: &axum::http::HeaderMap) -> bool {
    let Some(content_type) = parts_or_req
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedJson("the body could not be read".into())
            }
        })?;
        let raw: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::MalformedJson(format!(
                "the body is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let value = deserialize_with_pointer(&raw)?;
        Ok(ApiJson { value, raw })
    }
}

/// An id from a URL path. Ids that are not UUIDs cannot exist, so they get the same 404
/// as any unknown id.
pub fn parse_id(text: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(text).map_err(|_| ApiError::NotFound)
}

/// Deserialises a JSON value into `T`, turning the first error into a field error with a
/// JSON pointer. serde's messages can quote the submitted value ("invalid type: string
/// \"Смирнов\""), so only the part naming what was expected is kept.
pub fn deserialize_with_pointer<T: DeserializeOwned>(raw: &Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(raw).map_err(|e| {
        let pointer = pointer_from_path(e.path());
        let message = e.inner().to_string();
        let (code, detail) = if message.starts_with("unknown field") {
            (FieldErrorCode::UnknownField, "unknown field".to_owned())
        } else {
            let expected = message
                .rfind("expected ")
                .map(|i| message[i..].to_owned())
                .unwrap_or_else(|| "a different type".to_owned());
            (
                FieldErrorCode::InvalidType,
                format!("wrong type or value: {expected}"),
            )
        };
        ApiError::Validation(ValidationErrors::single(FieldError::new(
            pointer, code, detail,
        )))
    })
}

fn pointer_from_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::from("#");
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => pointer.push('?'),
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shanyrak_core::HouseholdInput;

    #[test]
    fn type_errors_point_at_the_field_and_do_not_echo_values() {
        let raw = json!({"members": [{"surname": "ok"}, {"surname": ["Секретов"]}]});
        let Err(ApiError::Validation(errors)) = deserialize_with_pointer::<HouseholdInput>(&raw)
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.errors[0].pointer, "#/members/1/surname");
        assert!(!errors.errors[0].detail.contains("Секретов"));

        let raw = json!({"group": "Секретов"});
        let Err(ApiError::Validation(errors)) = deserialize_with_pointer::<HouseholdInput>(&raw)
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.errors[0].pointer, "#/group");
        assert!(
            !errors.errors[0].detail.contains("Секретов"),
            "{}",
            errors.errors[0].detail
        );
        assert!(errors.errors[0].detail.contains("arrival"));
    }

    #[test]
    fn unknown_fields_are_named_by_pointer() {
        let raw = json!({"members": [{"birthdate": "1995"}]});
        let Err(ApiError::Validation(errors)) = deserialize_with_pointer::<HouseholdInput>(&raw)
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.errors[0].code, FieldErrorCode::UnknownField);
        assert!(
            errors.errors[0].pointer.starts_with("#/members/0"),
            "{}",
            errors.errors[0].pointer
        );
    }
}
