//! JSON Merge Patch (RFC 7396): how `PATCH` bodies are applied.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use shanyrak_core::{FieldErrorCode, ValidationErrors};

use crate::error::ApiError;
use crate::extract::deserialize_with_pointer;

/// The patch as an object that leaves out every field of `read_only` (set by the server):
/// 422 for a patch of another JSON type, or naming each read-only field it sets.
pub fn patch_object<'a>(
    patch: &'a Value,
    read_only: &[&str],
) -> Result<&'a Map<String, Value>, ApiError> {
    let Value::Object(fields) = patch else {
        return Err(ApiError::invalid_field(
            "#",
            FieldErrorCode::InvalidType,
            "a merge patch is a JSON object",
        ));
    };
    let mut errors = ValidationErrors::default();
    for field in read_only.iter().filter(|f| fields.contains_key(**f)) {
        errors.push(
            &format!("#/{field}"),
            FieldErrorCode::ReadOnly,
            "set by the server; leave it out",
        );
    }
    errors.into_result(fields).map_err(ApiError::Validation)
}

/// 412 when the client's `If-Match` names another version than the current one.
pub fn check_if_match(if_match: Option<i64>, current: i64) -> Result<(), ApiError> {
    match if_match {
        Some(expected) if expected != current => Err(ApiError::VersionMismatch {
            current,
            precondition: true,
        }),
        _ => Ok(()),
    }
}

/// The record's input form (`current`) with `patch` applied, read back as an input.
pub fn patched<T: DeserializeOwned>(
    current: &impl Serialize,
    patch: &Value,
) -> Result<T, ApiError> {
    let mut document = serde_json::to_value(current).map_err(|_| ApiError::Internal)?;
    apply(&mut document, patch);
    deserialize_with_pointer(&document)
}

/// A write that lost a race with another: 412 when the client sent `If-Match` (its
/// precondition no longer holds), else 409.
pub fn lost_race(if_match: Option<i64>) -> impl Fn(shanyrak_store::StoreError) -> ApiError {
    move |error| match ApiError::from(error) {
        ApiError::VersionMismatch { current, .. } => ApiError::VersionMismatch {
            current,
            precondition: if_match.is_some(),
        },
        other => other,
    }
}

/// Applies `patch` to `target` as RFC 7396 section 2 describes: objects merge key by key,
/// `null` removes a key, anything else (including arrays) replaces.
pub fn apply(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(target_map) = target {
        for (key, value) in patch_map {
            if value.is_null() {
                target_map.remove(key);
            } else {
                apply(target_map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The examples of RFC 7396 appendix A.
    #[test]
    fn rfc_7396_examples() {
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (
                json!({"a":"b","b":"c"}),
                json!({"a":null}),
                json!({"b":"c"}),
            ),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (
                json!({"a":{"b":"c"}}),
                json!({"a":{"b":"d","c":null}}),
                json!({"a":{"b":"d"}}),
            ),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"a":"foo"}), json!("bar"), json!("bar")),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (
                json!({}),
                json!({"a":{"bb":{"ccc":null}}}),
                json!({"a":{"bb":{}}}),
            ),
        ];
        for (mut target, patch, expected) in cases {
            apply(&mut target, &patch);
            assert_eq!(target, expected, "patch {patch}");
        }
    }
}
