//! Submitted forms, and validation messages placed next to the fields they are about.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use maud::{Markup, html};
use shanyrak_core::{FieldError, ValidationErrors};

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

    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| !v.is_empty())
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }
}

impl FromRequest<AppState> for FormData {
    type Rejection = axum::response::Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        match axum::Form::<Vec<(String, String)>>::from_request(req, state).await {
            Ok(axum::Form(pairs)) => Ok(FormData { pairs }),
            Err(rejection) => {
                let error = if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::MalformedJson("the form could not be read".into())
                };
                Err(WebError::Api(error)
                    .render_plain(super::Lang::Ru)
                    .into_response())
            }
        }
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
