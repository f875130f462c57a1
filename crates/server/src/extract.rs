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

/// The address a request came from, for throttling sign-in: the socket peer, or, with
/// `trust_forwarded_for` (behind a reverse proxy), the last address in `X-Forwarded-For`,
/// the one the proxy itself appended (earlier ones are the client's own claims). `None`
/// when neither is known (a server not started through [`crate::serve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl ClientAddr {
    pub fn of(parts: &Parts, trust_forwarded_for: bool) -> Self {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        if trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .rfind(|a| !a.trim().is_empty())
                .and_then(|a| parse_forwarded(a.trim()));
            if forwarded.is_some() {
                return Self(forwarded);
            }
        }
        Self(peer)
    }
}

/// An address as proxies write it: `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:443` or
/// `203.0.113.7:5000`.
fn parse_forwarded(text: &str) -> Option<std::net::IpAddr> {
    text.parse()
        .ok()
        .or_else(|| text.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts, state.trust_forwarded_for))
    }
}

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

impl<T: DeserializeOwned + 'static> FromRequest<AppState> for ApiJson<T> {
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
        Self::from_bytes(&bytes)
    }
}

/// The JSON body of a request read with a limit of its own (for the one path whose
/// bodies may exceed the API's 1 MiB): 415 unless JSON, 413 beyond `limit`.
pub async fn json_body_with_limit(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    if !is_json_content_type(req.headers()) {
        return Err(ApiError::UnsupportedMediaType);
    }
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)
}

impl<T: DeserializeOwned + 'static> ApiJson<T> {
    /// Parses a body already read (and bounded by the body limit): JSON syntax, at most
    /// 128 levels deep (serde_json's recursion limit, so no stack overflow), then shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ApiError> {
        let raw: Value = serde_json::from_slice(bytes).map_err(|e| {
            ApiError::MalformedJson(format!(
                "the body is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        // Every typed body of this API is an object, but serde would read a struct from an
        // array. (Untyped bodies, merge patches, check their own shape.)
        if raw.is_array() && std::any::TypeId::of::<T>() != std::any::TypeId::of::<Value>() {
            return Err(ApiError::Validation(ValidationErrors::single(
                FieldError::new(
                    "#",
                    FieldErrorCode::InvalidType,
                    "the body is a JSON object",
                ),
            )));
        }
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
    let normalised;
    let raw = if has_integral_float(raw) {
        normalised = integral_floats_as_integers(raw.clone());
        &normalised
    } else {
        raw
    };
    serde_path_to_error::deserialize(ObjectsAsObjects(raw)).map_err(|e| {
        let mut pointer = pointer_from_path(e.path());
        let message = e.inner().to_string();
        // serde names a missing field by the type's own field name, never a value.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'));
        let (code, detail) = if message.starts_with("unknown field") {
            (FieldErrorCode::UnknownField, "unknown field".to_owned())
        } else if let Some(field) = missing {
            push_token(&mut pointer, field);
            (FieldErrorCode::Required, "is required".to_owned())
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

/// A JSON value read through serde, except that a struct is read only from an object:
/// serde's derived `Deserialize` also reads a struct from an array of its fields in
/// order, so `"rules": [null, null]` would pass for house rules. The document says
/// object, and so does the server.
struct ObjectsAsObjects<'de>(&'de Value);

impl<'de> serde::Deserializer<'de> for ObjectsAsObjects<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    match n.as_f64() {
                        Some(f) => visitor.visit_f64(f),
                        None => Err(serde::de::Error::custom("a number out of range")),
                    }
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Elements(items.iter())),
            Value::Object(map) => visitor.visit_map(Entries {
                entries: map.iter(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(_) => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Seq,
                &visitor,
            )),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::String(s) => {
                visitor.visit_enum(serde::de::value::BorrowedStrDeserializer::new(s))
            }
            other => other.deserialize_enum(name, variants, visitor),
        }
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    /// The tag of an internally tagged enum (`{"kind": …}`) is read as an identifier, and
    /// serde's identifiers also take a variant's index: only its name is the API's.
    fn deserialize_identifier<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::String(s) => visitor.visit_borrowed_str(s),
            _ => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Other("not a string"),
                &visitor,
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map
    }
}

struct Elements<'de>(std::slice::Iter<'de, Value>);

impl<'de> serde::de::SeqAccess<'de> for Elements<'de> {
    type Error = serde_json::Error;

    fn next_element_seed<S: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Self::Error> {
        self.0
            .next()
            .map(|item| seed.deserialize(ObjectsAsObjects(item)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'de> {
    entries: serde_json::map::Iter<'de>,
    value: Option<&'de Value>,
}

impl<'de> serde::de::MapAccess<'de> for Entries<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<S: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Self::Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(serde::de::value::BorrowedStrDeserializer::new(key))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, Self::Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(ObjectsAsObjects(value)),
            None => Err(serde::de::Error::custom("a value without its key")),
        }
    }
}

/// Largest integer a double holds exactly (2^53).
const EXACT_DOUBLE: f64 = 9_007_199_254_740_992.0;

fn integral(number: &serde_json::Number) -> Option<i64> {
    if number.is_f64() {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() <= EXACT_DOUBLE)
            .map(|f| f as i64)
    } else {
        None
    }
}

fn has_integral_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => integral(n).is_some(),
        Value::Array(items) => items.iter().any(has_integral_float),
        Value::Object(map) => map.values().any(has_integral_float),
        _ => false,
    }
}

/// JSON has one kind of number: `3.0` is the integer 3 (JSON Schema agrees), so a count
/// sent as `3.0` is read as 3 instead of being refused as "not an integer".
fn integral_floats_as_integers(value: Value) -> Value {
    match value {
        Value::Number(n) => match integral(&n) {
            Some(i) => Value::from(i),
            None => Value::Number(n),
        },
        Value::Array(items) => {
            Value::Array(items.into_iter().map(integral_floats_as_integers).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, integral_floats_as_integers(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Appends `/key` to a pointer in URI-fragment form (RFC 6901, sections 3 and 6): a key
/// that is not one of ours (an unknown field) may hold `/`, `~`, spaces, `%` or any
/// script, which a fragment holds only escaped and percent-encoded.
fn push_token(pointer: &mut String, key: &str) {
    pointer.push('/');
    for b in key.replace('~', "~0").replace('/', "~1").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            pointer.push(char::from(b));
        } else {
            pointer.push_str(&format!("%{b:02X}"));
        }
    }
}

fn pointer_from_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::from("#");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => push_token(&mut pointer, &index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => push_token(&mut pointer, key),
            Segment::Unknown => push_token(&mut pointer, "?"),
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
    fn an_unknown_field_with_a_space_or_cyrillic_is_pointed_at_as_a_uri_fragment() {
        let raw = json!({"members": [{"family name": 1}], "Фамилия%": 2});
        let Err(ApiError::Validation(errors)) = deserialize_with_pointer::<HouseholdInput>(&raw)
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.errors[0].pointer, "#/members/0/family%20name");
        let raw = json!({"Фамилия%": 2});
        let Err(ApiError::Validation(errors)) = deserialize_with_pointer::<HouseholdInput>(&raw)
        else {
            panic!("expected a validation error");
        };
        assert_eq!(
            errors.errors[0].pointer,
            "#/%D0%A4%D0%B0%D0%BC%D0%B8%D0%BB%D0%B8%D1%8F%25"
        );
    }

    #[test]
    fn a_whole_number_written_with_a_fraction_is_an_integer() {
        #[derive(Debug, serde::Deserialize)]
        struct Counts {
            beds: u32,
            share: f64,
        }
        let counts: Counts = deserialize_with_pointer(&json!({"beds": 4.0, "share": 1})).unwrap();
        assert_eq!(counts.beds, 4);
        assert_eq!(counts.share, 1.0);
        let Err(ApiError::Validation(errors)) =
            deserialize_with_pointer::<Counts>(&json!({"beds": 4.5, "share": 1}))
        else {
            panic!("4.5 beds must be refused");
        };
        assert_eq!(errors.errors[0].pointer, "#/beds");
    }

    #[test]
    fn a_missing_field_is_required_at_its_own_pointer() {
        let raw = json!({"members": [{"documents": [{"number": "Смирнов"}]}]});
        let Err(ApiError::Validation(errors)) = deserialize_with_pointer::<HouseholdInput>(&raw)
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.errors[0].pointer, "#/members/0/documents/0/type");
        assert_eq!(errors.errors[0].code, FieldErrorCode::Required);
    }

    #[test]
    fn a_nested_object_written_as_an_array_is_refused_at_its_pointer() {
        let raw = json!({"name": "Hall", "rules": [null, null]});
        let Err(ApiError::Validation(errors)) =
            deserialize_with_pointer::<shanyrak_core::shelter::SiteInput>(&raw)
        else {
            panic!("a struct was read from an array");
        };
        assert_eq!(errors.errors[0].pointer, "#/rules");
        assert_eq!(errors.errors[0].code, FieldErrorCode::InvalidType);
        let raw = json!({"members": [["Смирнов", "Иван"]]});
        let Err(ApiError::Validation(errors)) = deserialize_with_pointer::<HouseholdInput>(&raw)
        else {
            panic!("a member was read from an array");
        };
        assert_eq!(errors.errors[0].pointer, "#/members/0");
        // Objects, lists, options and enums still read as before.
        let raw = json!({"name": "Hall", "kind": "sports_hall", "rules": {"max_nights": 30},
            "location": {"country": "KZ", "city": "Oral"}, "coordinates": null});
        let site =
            deserialize_with_pointer::<shanyrak_core::shelter::SiteInput>(&raw).expect("a site");
        assert_eq!(site.rules.and_then(|r| r.max_nights), Some(30));
    }

    #[test]
    fn a_tag_is_a_name_not_a_variant_index() {
        use shanyrak_core::essentials::ItemRulesInput;
        let rule = |kind: Value| {
            json!({"rules": [{"basis": "per_person", "quantity": 1, "period_days": 30,
                "condition": {"kind": kind, "months": 6}}]})
        };
        let Err(ApiError::Validation(errors)) =
            deserialize_with_pointer::<ItemRulesInput>(&rule(json!(0)))
        else {
            panic!("a tag was read from its index");
        };
        assert_eq!(errors.errors[0].code, FieldErrorCode::InvalidType);
        let rules = deserialize_with_pointer::<ItemRulesInput>(&rule(json!("child_under_months")))
            .expect("the tag by name");
        assert_eq!(rules.rules.map(|r| r.len()), Some(1));
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

/// Property tests of the JSON body path: any bytes are read or answer 400 or 422, never a panic;
/// nesting deeper than serde_json's limit is a 400, not a stack overflow; every field
/// error points, as a valid URI fragment, into what was sent and never repeats it.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};
    use shanyrak_core::HouseholdInput;

    use super::*;

    fn status(result: Result<ApiJson<HouseholdInput>, ApiError>) -> u16 {
        match result {
            Ok(_) => 200,
            Err(e) => e.to_problem().status,
        }
    }

    /// Any JSON value, nesting included.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::String),
            "[А-Яа-я]{5,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec(("\\PC{0,10}", inner), 0..6)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    /// A household as the API takes it, with some fields replaced by any JSON, some
    /// removed, and sometimes a field nobody knows.
    /// A valid household in the API's shape.
    fn skeleton() -> Value {
        let document = json!({"type": "kz_id", "number": "950302300123", "issuing_country": "KZ"});
        let member = json!({
            "id": "0190d5e4-7c3a-7000-8000-000000000001",
            "surname": "Смирнов", "given_name": "Алексей", "sex": "male",
            "birth_date": "1995-03-02", "birth_date_estimated": false, "citizenship": "RU",
            "relationship": "head", "vulnerabilities": ["medical"], "documents": [document],
        });
        json!({
            "group": "arrival", "arrival_date": "2022-09-27", "crossing_point": "Сырым",
            "location": {"country": "KZ", "region": "Батыс", "city": "Oral"},
            "phone": "+7 912 345-67-89", "languages": ["ru"], "needs": ["shelter"],
            "accepts_sex_separation": false, "legal_basis": "consent", "information_given": true,
            "status": "active", "notes": "тест", "members": [member],
        })
    }

    fn household_shaped() -> impl Strategy<Value = Value> {
        let household = skeleton();
        let paths = [
            "/group",
            "/arrival_date",
            "/location",
            "/location/country",
            "/phone",
            "/languages",
            "/languages/0",
            "/needs/0",
            "/legal_basis",
            "/members",
            "/members/0",
            "/members/0/id",
            "/members/0/sex",
            "/members/0/birth_date",
            "/members/0/birth_date_estimated",
            "/members/0/vulnerabilities/0",
            "/members/0/documents",
            "/members/0/documents/0",
            "/members/0/documents/0/type",
            "/members/0/documents/0/number",
        ];
        (
            proptest::collection::vec((prop::sample::select(paths.to_vec()), any_json()), 0..3),
            proptest::collection::vec(prop::sample::select(paths.to_vec()), 0..2),
            proptest::option::weighted(
                0.2,
                (prop::sample::select(paths[..5].to_vec()), "\\PC{1,10}"),
            ),
        )
            .prop_map(move |(replaced, removed, unknown)| {
                let mut value = household.clone();
                for (path, replacement) in replaced {
                    if let Some(slot) = value.pointer_mut(path) {
                        *slot = replacement;
                    }
                }
                for path in removed {
                    let (parent, key) = path.rsplit_once('/').unwrap_or(("", path));
                    if let Some(Value::Object(map)) = value.pointer_mut(parent) {
                        map.remove(key);
                    }
                }
                if let Some((path, key)) = unknown {
                    let (parent, _) = path.rsplit_once('/').unwrap_or(("", path));
                    if let Some(Value::Object(map)) = value.pointer_mut(parent) {
                        map.insert(key, json!(1));
                    }
                }
                value
            })
    }

    /// Percent-decodes a URI fragment, refusing characters a fragment may not hold
    /// (RFC 3986: unreserved, sub-delims, `:`, `@`, `/`, `?` and `%XX`).
    fn fragment_to_pointer(fragment: &str) -> Option<String> {
        let mut bytes = Vec::new();
        let mut rest = fragment.bytes();
        while let Some(b) = rest.next() {
            match b {
                b'%' => {
                    let hex = [rest.next()?, rest.next()?];
                    bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
                }
                b if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b) => {
                    bytes.push(b)
                }
                _ => return None,
            }
        }
        String::from_utf8(bytes).ok()
    }

    fn strings_in(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| strings_in(v, out)),
            Value::Object(map) => {
                for (k, v) in map {
                    out.push(k.clone());
                    strings_in(v, out);
                }
            }
            _ => {}
        }
    }

    proptest! {
        // 256 cases, or PROPTEST_CASES.
        #![proptest_config(ProptestConfig::default())]

        #[test]
        fn any_bytes_answer_400_or_are_read_or_answer_422(
            body in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..256),
                "[\\[\\]{}\":, 0-9a-z.eE+-]{0,64}".prop_map(String::into_bytes),
                any_json().prop_map(|v| v.to_string().into_bytes()),
            ],
        ) {
            // Syntax decides 400; a well-formed body is read (`{}` is a household with every
            // field missing, which validation refuses) or refused with 422.
            let code = status(ApiJson::from_bytes(&body));
            let well_formed = serde_json::from_slice::<Value>(&body).is_ok();
            prop_assert!(if well_formed { code == 200 || code == 422 } else { code == 400 }, "{}", code);
        }

        #[test]
        fn nesting_beyond_the_limit_is_a_400_not_a_stack_overflow(
            depth in prop_oneof![1usize..=140, 140usize..=20_000],
            object in any::<bool>(),
        ) {
            let (open, close) = if object { ("{\"a\":", "}") } else { ("[", "]") };
            let body = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let as_household = status(ApiJson::from_bytes(body.as_bytes()));
            let as_value = ApiJson::<Value>::from_bytes(body.as_bytes()).map(|_| ()).map_err(|e| e.to_problem().status);
            if depth <= 127 {
                prop_assert_eq!(as_household, 422);
                prop_assert_eq!(as_value, Ok(()));
            } else {
                prop_assert_eq!(as_household, 400);
                prop_assert_eq!(as_value, Err(400));
            }
        }

        #[test]
        fn field_errors_point_into_the_body_and_never_repeat_it(raw in household_shaped()) {
            let Err(error) = deserialize_with_pointer::<HouseholdInput>(&raw) else {
                return Ok(());
            };
            let ApiError::Validation(errors) = error else {
                return Err(TestCaseError::fail(format!("{error:?}")));
            };
            let (mut sent, mut ours) = (Vec::new(), Vec::new());
            strings_in(&raw, &mut sent);
            // The skeleton's own words (field names, `medical`) may be named by an error.
            strings_in(&skeleton(), &mut ours);
            sent.retain(|s| !ours.contains(s));
            for error in &errors.errors {
                let pointer = error
                    .pointer
                    .strip_prefix('#')
                    .and_then(fragment_to_pointer)
                    .ok_or_else(|| TestCaseError::fail(format!("not a URI fragment: {error:?}")))?;
                let parent = pointer.rsplit_once('/').map_or("", |(parent, _)| parent);
                prop_assert!(
                    raw.pointer(&pointer).is_some() || raw.pointer(parent).is_some(),
                    "{:?} is not in {}", error, raw
                );
                prop_assert!(error.detail.is_ascii(), "{:?}", error);
                for value in sent.iter().filter(|s| s.chars().count() >= 5) {
                    prop_assert!(!error.detail.contains(value.as_str()), "{:?} repeats {:?}", error, value);
                }
            }
        }
    }
}

#[cfg(test)]
mod client_addr_tests {
    use super::*;

    fn parts(forwarded: &[&str]) -> Parts {
        let mut request = axum::http::Request::builder().uri("/");
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request
            .body(())
            .map(|r| r.into_parts())
            .unwrap_or_else(|_| axum::http::Request::new(()).into_parts());
        parts.extensions.insert(axum::extract::ConnectInfo(
            "127.0.0.1:9999"
                .parse::<std::net::SocketAddr>()
                .unwrap_or_else(|_| ([127, 0, 0, 1], 9999).into()),
        ));
        parts
    }

    #[test]
    fn forwarded_for_is_taken_only_when_trusted_and_from_its_end() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().ok();
        let p = parts(&["198.51.100.9, 203.0.113.7"]);
        assert_eq!(ClientAddr::of(&p, false).0, ip("127.0.0.1"));
        assert_eq!(ClientAddr::of(&p, true).0, ip("203.0.113.7"));
        let p = parts(&["198.51.100.9", "[2001:db8::1]:443"]);
        assert_eq!(ClientAddr::of(&p, true).0, ip("2001:db8::1"));
        let p = parts(&["not an address"]);
        assert_eq!(ClientAddr::of(&p, true).0, ip("127.0.0.1"));
    }
}
