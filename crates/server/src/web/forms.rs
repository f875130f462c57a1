//! Submitted forms, and validation messages placed next to the fields they are about.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use maud::{Markup, html};
use shanyrak_core::{FieldError, FieldErrorCode, ValidationErrors};

use super::{Ctx, WebError};
use crate::AppState;
use crate::error::ApiError;

/// The fields of an `application/x-www-form-urlencoded` body, in order, repeats kept.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The trimmed value, `None` when absent or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The ids ticked in a list (checkboxes named `name`); anything not an id is ignored.
    pub fn ids(&self, name: &str) -> Vec<uuid::Uuid> {
        self.all(name)
            .into_iter()
            .filter_map(|id| uuid::Uuid::parse_str(id).ok())
            .collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| !v.is_empty())
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    /// The form as a JSON object: a field sent once is a string, a field sent several
    /// times (a group of checkboxes) a list of strings; an empty field is absent, as an
    /// untouched text input is.
    fn as_json(&self) -> serde_json::Value {
        use serde_json::Value;
        let mut object = serde_json::Map::new();
        for (name, value) in self.pairs.iter().filter(|(_, v)| !v.is_empty()) {
            let value = Value::String(value.clone());
            match object.get_mut(name) {
                None => {
                    object.insert(name.clone(), value);
                }
                Some(Value::Array(values)) => values.push(value),
                Some(first) => *first = Value::Array(vec![first.take(), value]),
            }
        }
        Value::Object(object)
    }

    /// Reads the form into a typed struct as the JSON API reads a body: a field that
    /// does not read as its type is a field error at its pointer (`#/due`), never echoing
    /// the value. Fields the struct does not name (the CSRF token) are ignored; see
    /// [`field`] for the readings of text, checkboxes, lists and numbers.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        crate::extract::deserialize_with_pointer(&self.as_json())
    }
}

/// How a form's fields read into typed structs (`#[serde(deserialize_with = …)]`).
pub mod field {
    use serde::{Deserialize, Deserializer};

    /// Text without the spaces around it; blank is absent.
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let value = Option::<String>::deserialize(d)?;
        Ok(value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()))
    }

    /// A checkbox: ticked when sent with any value (with `#[serde(default)]`).
    pub fn checked<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(!OneOrMany::<String>::deserialize(d)?.into_vec().is_empty())
    }

    /// Every value of a field sent once or several times (with `#[serde(default)]`).
    pub fn many<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        Ok(OneOrMany::<T>::deserialize(d)?.into_vec())
    }

    /// A number as people type it: a decimal comma or point, spaces around; blank is
    /// absent.
    pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        let Some(text) = text(d)? else {
            return Ok(None);
        };
        text.replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("expected a number"))
    }

    /// A whole number (a position in a list); blank is absent.
    pub fn index<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
        let Some(text) = text(d)? else {
            return Ok(None);
        };
        text.parse::<usize>()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expected a whole number"))
    }

    /// A date as the forms take it (`ДД.ММ.ГГГГ` or ISO 8601); blank is absent.
    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
        let Some(text) = text(d)? else {
            return Ok(None);
        };
        shanyrak_core::date::parse_full_date(&text)
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expected a date, DD.MM.YYYY"))
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        One(T),
        Many(Vec<T>),
    }

    impl<T> OneOrMany<T> {
        fn into_vec(self) -> Vec<T> {
            match self {
                OneOrMany::One(value) => vec![value],
                OneOrMany::Many(values) => values,
            }
        }
    }
}

/// More fields than any page sends (the household form with 30 members sends about 700).
/// Every lookup scans the pairs, so a body of half a million `&a` would otherwise cost
/// each of a page's hundreds of lookups half a million comparisons.
pub const MAX_FORM_FIELDS: usize = 10_000;

impl FormData {
    /// Decodes an urlencoded body (or a GET query), bounded by the body limit and by
    /// [`MAX_FORM_FIELDS`]. Invalid UTF-8 and stray `%` are read leniently, as browsers
    /// never send them.
    pub async fn read<S: Send + Sync>(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Form::<Vec<(String, String)>>::from_request(req, state).await {
            Ok(axum::Form(pairs)) if pairs.len() > MAX_FORM_FIELDS => {
                Err(ApiError::PayloadTooLarge)
            }
            Ok(axum::Form(pairs)) => Ok(FormData { pairs }),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::PayloadTooLarge)
            }
            Err(_) => Err(ApiError::MalformedJson("the form could not be read".into())),
        }
    }
}

impl FromRequest<AppState> for FormData {
    type Rejection = axum::response::Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        Self::read(req, state).await.map_err(|error| {
            WebError::Api(error)
                .render_plain(super::Lang::Ru)
                .into_response()
        })
    }
}

/// Percent-encodes a query value (our own paths only; never personal data).
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Field errors by JSON pointer (`#/members/0/surname`), for showing next to inputs.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    by_pointer: HashMap<String, Vec<FieldError>>,
}

impl FieldErrors {
    pub fn from_validation(errors: &ValidationErrors) -> Self {
        let mut by_pointer: HashMap<String, Vec<FieldError>> = HashMap::new();
        for e in &errors.errors {
            by_pointer
                .entry(e.pointer.clone())
                .or_default()
                .push(e.clone());
        }
        Self { by_pointer }
    }

    /// One error, for a form the page reads itself.
    pub fn single(pointer: &str, code: FieldErrorCode, detail: &str) -> Self {
        Self::from_validation(&ValidationErrors::single(FieldError::new(
            pointer, code, detail,
        )))
    }

    pub fn is_empty(&self) -> bool {
        self.by_pointer.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_pointer.values().map(Vec::len).sum()
    }

    pub fn has(&self, pointer: &str) -> bool {
        self.by_pointer.contains_key(pointer)
    }

    /// Whether any error is at this pointer or under it.
    pub fn touches(&self, pointer: &str) -> bool {
        !self.at_or_under(pointer).is_empty()
    }

    /// Errors at this pointer and under it (`#/members/0/documents/0/number` belongs to
    /// the document field of member 0).
    fn at_or_under(&self, pointer: &str) -> Vec<&FieldError> {
        let prefix = format!("{pointer}/");
        let mut found: Vec<&FieldError> = self
            .by_pointer
            .iter()
            .filter(|(p, _)| *p == pointer || p.starts_with(&prefix))
            .flat_map(|(_, v)| v.iter())
            .collect();
        found.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        found
    }

    /// The message block for a field, with an id the input points at (`aria-describedby`).
    pub fn show(&self, ctx: &Ctx, pointer: &str, id: &str) -> Markup {
        let errors = self.at_or_under(pointer);
        html! {
            @if !errors.is_empty() {
                p.field-error id=(id) {
                    @for e in errors { (message(ctx, e)) " " }
                }
            }
        }
    }

    /// Every error, in the order of their pointers.
    pub fn all(&self) -> Vec<&FieldError> {
        let mut all: Vec<&FieldError> = self.by_pointer.values().flatten().collect();
        all.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        all
    }

    /// The block at the top of a form with errors: how many, and the messages of those
    /// that belong to no input among `shown`.
    pub fn summary(&self, ctx: &Ctx, shown: &[&str]) -> Markup {
        html! {
            @if !self.is_empty() {
                div.notice.error role="alert" #form-errors tabindex="-1" {
                    p { (ctx.count("reception-errors", self.len() as i64)) }
                    @for e in self.others(shown) { p { (message(ctx, e)) } }
                }
            }
        }
    }

    /// Errors that belong to no input on the page.
    pub fn others(&self, shown: &[&str]) -> Vec<&FieldError> {
        let mut rest: Vec<&FieldError> = self
            .by_pointer
            .iter()
            .filter(|(p, _)| {
                !shown
                    .iter()
                    .any(|s| *p == s || p.starts_with(&format!("{s}/")))
            })
            .flat_map(|(_, v)| v.iter())
            .collect();
        rest.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        rest
    }
}

/// A field error in the user's language: a message for this field and code if there is
/// one (`field-error-information-given-invalid-value`), else the one for the code.
pub fn message(ctx: &Ctx, error: &FieldError) -> String {
    let code = serde_json::to_value(error.code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    message_for(ctx, &error.pointer, &code)
}

/// The message for an error given by its pointer and its code's name (`invalid_date`).
pub fn message_for(ctx: &Ctx, pointer: &str, code: &str) -> String {
    let code = code.replace('_', "-");
    let field = pointer
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .replace('_', "-");
    super::i18n::try_message(ctx.lang, &format!("field-error-{field}-{code}"), None)
        .unwrap_or_else(|| ctx.t(&format!("field-error-{code}")))
}

/// Typed readings of forms: each kind of field, and errors that name the field only.
#[cfg(test)]
mod typed_tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Sample {
        #[serde(default, deserialize_with = "field::text")]
        city: Option<String>,
        #[serde(default, deserialize_with = "field::decimal")]
        km: Option<f64>,
        #[serde(default, deserialize_with = "field::checked")]
        consent: bool,
        #[serde(default, deserialize_with = "field::many")]
        needs: Vec<String>,
        #[serde(default)]
        due: Option<chrono::NaiveDate>,
    }

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_form_reads_into_its_types() {
        let sample: Sample = form(&[
            ("csrf", "token"),
            ("city", "  Oral "),
            ("km", "12,5"),
            ("consent", "1"),
            ("needs", "food"),
            ("needs", "shelter"),
            ("due", "2022-10-01"),
        ])
        .parse()
        .expect("reads");
        assert_eq!(sample.city.as_deref(), Some("Oral"));
        assert_eq!(sample.km, Some(12.5));
        assert!(sample.consent);
        assert_eq!(sample.needs, ["food", "shelter"]);
        assert_eq!(
            sample.due.map(|d| d.to_string()).as_deref(),
            Some("2022-10-01")
        );

        let blank: Sample = form(&[("city", "   "), ("km", ""), ("needs", "food")])
            .parse()
            .expect("reads");
        assert_eq!((blank.city, blank.km, blank.consent), (None, None, false));
        assert_eq!(blank.needs, ["food"], "one value is a list of one");
    }

    #[test]
    fn a_field_that_does_not_read_is_named_without_its_value() {
        for (name, value) in [("km", "twelve"), ("due", "31.02.2022")] {
            let Err(ApiError::Validation(errors)) = form(&[(name, value)]).parse::<Sample>() else {
                panic!("{name} should not read");
            };
            assert_eq!(errors.errors[0].pointer, format!("#/{name}"));
            assert!(
                !errors.errors[0].detail.contains(value),
                "no echo of {value}"
            );
        }
    }
}

/// Property tests of the form decoder: any bytes are read without a panic; encoded pairs
/// (any text, `&`, `=`, `+`, `%`, repeats) come back in order; the body limit and the
/// field limit hold.
#[cfg(test)]
mod proptests {
    use axum::body::Body;
    use axum::extract::DefaultBodyLimit;
    use axum::http::{StatusCode, header};
    use axum::routing::post;
    use proptest::prelude::*;
    use tower::ServiceExt;

    use super::*;

    fn request(body: Vec<u8>) -> Request {
        let mut req = Request::new(Body::from(body));
        *req.method_mut() = axum::http::Method::POST;
        req.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        req
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        match tokio::runtime::Builder::new_current_thread().build() {
            Ok(runtime) => runtime.block_on(future),
            Err(e) => panic!("no runtime: {e}"),
        }
    }

    fn decode(body: Vec<u8>) -> Result<FormData, ApiError> {
        block_on(FormData::read(request(body), &()))
    }

    /// The status the server answers a form of `body` with, behind its body limit.
    fn status_behind_the_limit(body: Vec<u8>) -> StatusCode {
        let app = axum::Router::new()
            .route(
                "/",
                post(|req: Request| async move {
                    match FormData::read(req, &()).await {
                        Ok(_) => StatusCode::OK,
                        Err(e) => StatusCode::from_u16(e.to_problem().status)
                            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    }
                }),
            )
            .layer(DefaultBodyLimit::max(crate::MAX_BODY_BYTES));
        block_on(async {
            match app.oneshot(request(body)).await {
                Ok(response) => response.status(),
                Err(never) => match never {},
            }
        })
    }

    fn encoded(pairs: &[(String, String)], plus_for_space: bool) -> String {
        let encode = |text: &str| {
            let e = url_encode(text);
            if plus_for_space {
                e.replace("%20", "+")
            } else {
                e
            }
        };
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z0-9 &=+%.\\[\\]_-]{0,12}",
            "\\PC{0,12}"
        ]
    }

    proptest! {
        // 256 cases, or PROPTEST_CASES.
        #![proptest_config(ProptestConfig::default())]

        #[test]
        fn any_bytes_are_read_without_a_panic(
            body in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..512),
                "[a-z=&%+0-9A-F]{0,64}".prop_map(String::into_bytes),
            ],
        ) {
            let form = decode(body.clone()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let separators = body.iter().filter(|b| **b == b'&').count();
            prop_assert!(form.pairs.len() <= separators + 1);
        }

        #[test]
        fn encoded_pairs_come_back_in_order(
            pairs in proptest::collection::vec((text(), text()), 0..12),
            plus_for_space in any::<bool>(),
        ) {
            let form = decode(encoded(&pairs, plus_for_space).into_bytes())
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(&form.pairs, &pairs);
        }

        #[test]
        fn a_repeated_field_gives_the_first_value_and_all_values(
            name in "[a-z.0-9]{1,8}",
            values in proptest::collection::vec(text(), 1..6),
            other in proptest::collection::vec(("[A-Z]{1,4}", text()), 0..4),
        ) {
            let mut pairs: Vec<(String, String)> = other.clone();
            for (i, value) in values.iter().enumerate() {
                pairs.insert((i * 2).min(pairs.len()), (name.clone(), value.clone()));
            }
            let form = decode(encoded(&pairs, false).into_bytes())
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(form.get(&name), Some(values[0].as_str()));
            prop_assert_eq!(form.all(&name), values.iter().map(String::as_str).collect::<Vec<_>>());
            let trimmed = values[0].trim();
            prop_assert_eq!(form.text(&name), (!trimmed.is_empty()).then(|| trimmed.to_owned()));
            prop_assert_eq!(form.checked(&name), !values[0].is_empty());
        }
    }

    #[test]
    fn a_form_over_the_body_limit_is_refused_before_it_is_decoded() {
        let field = |n: usize| format!("note={}", "a".repeat(n)).into_bytes();
        assert_eq!(status_behind_the_limit(field(1000)), StatusCode::OK);
        assert_eq!(
            status_behind_the_limit(field(crate::MAX_BODY_BYTES)),
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[test]
    fn a_form_of_more_fields_than_any_page_sends_is_refused() {
        let fields = |n: usize| vec!["a=1"; n].join("&").into_bytes();
        assert!(decode(fields(MAX_FORM_FIELDS)).is_ok());
        assert!(matches!(
            decode(fields(MAX_FORM_FIELDS + 1)),
            Err(ApiError::PayloadTooLarge)
        ));
        assert_eq!(
            status_behind_the_limit(fields(MAX_FORM_FIELDS + 1)),
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }
}
