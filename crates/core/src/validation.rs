//! Field errors: which field (a JSON pointer), why (a stable code) and a short English
//! explanation. Messages never contain the offending value, because the value may be a
//! name or a document number and errors end up in logs and screenshots.

use chrono::NaiveDate;
use serde::Serialize;

/// What validation needs from the outside world, passed in so the rules stay pure.
#[derive(Debug, Clone, Copy)]
pub struct ValidationContext {
    /// The date at the place of registration; dates after it are "in the future".
    pub today: NaiveDate,
}

/// A stable, machine-readable reason. The web interface keys its translated message on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorCode {
    Required,
    Empty,
    TooLong,
    TooMany,
    ControlCharacter,
    InvalidFormat,
    InvalidDate,
    /// Written in a date's form, but no such day exists (31.02.1982).
    NoSuchDate,
    DateInFuture,
    DateImplausible,
    UnknownCountry,
    InvalidPhone,
    InvalidDocumentNumber,
    DocumentChecksum,
    DocumentBirthDateMismatch,
    DocumentSexMismatch,
    DocumentCountryMismatch,
    Duplicate,
    NoHead,
    SeveralHeads,
    UnknownMember,
    ReadOnly,
    InvalidType,
    UnknownField,
    InvalidValue,
}

/// One problem with one field of an input document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// JSON pointer in URI-fragment form, as in RFC 9457's example: `#/members/0/birth_date`.
    pub pointer: String,
    pub code: FieldErrorCode,
    /// A short English explanation that never repeats the submitted value.
    pub detail: String,
}

impl FieldError {
    pub fn new(
        pointer: impl Into<String>,
        code: FieldErrorCode,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            pointer: pointer.into(),
            code,
            detail: detail.into(),
        }
    }
}

/// All the problems found in one input, so a volunteer can fix them in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{} field error(s)", .errors.len())]
pub struct ValidationErrors {
    pub errors: Vec<FieldError>,
}

impl ValidationErrors {
    pub fn single(error: FieldError) -> Self {
        Self {
            errors: vec![error],
        }
    }

    pub fn push(&mut self, pointer: &str, code: FieldErrorCode, detail: impl Into<String>) {
        self.errors.push(FieldError::new(pointer, code, detail));
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Ok(value) if no error was recorded.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Limits on free text, generous enough for any real name and small enough that a
/// malicious client cannot store megabytes per field.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_SHORT_TEXT_CHARS: usize = 200;
pub const MAX_NOTES_CHARS: usize = 4000;
pub const MAX_MEMBERS: usize = 50;
pub const MAX_LIST_ITEMS: usize = 20;

/// Checks a free-text field and returns it trimmed, or records why it is unusable.
/// Inner characters are kept exactly as written: names are stored byte for byte.
pub fn text_field(
    errors: &mut ValidationErrors,
    pointer: &str,
    value: &str,
    max_chars: usize,
    allow_newlines: bool,
) -> Option<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        errors.push(pointer, FieldErrorCode::Empty, "must not be empty");
        return None;
    }
    if trimmed.chars().count() > max_chars {
        errors.push(
            pointer,
            FieldErrorCode::TooLong,
            format!("must be at most {max_chars} characters"),
        );
        return None;
    }
    let bad_control = trimmed
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')));
    if bad_control {
        errors.push(
            pointer,
            FieldErrorCode::ControlCharacter,
            "must not contain control characters",
        );
        return None;
    }
    Some(trimmed.to_owned())
}

/// Like [`text_field`] for optional fields: absent or blank means "not given".
pub fn optional_text_field(
    errors: &mut ValidationErrors,
    pointer: &str,
    value: Option<&str>,
    max_chars: usize,
    allow_newlines: bool,
) -> Option<String> {
    match value {
        Some(v) if !v.trim().is_empty() => {
            text_field(errors, pointer, v, max_chars, allow_newlines)
        }
        _ => None,
    }
}

/// Characters `str::trim` removes (Unicode White_Space), as a regular-expression class.
const EDGE_SPACE: &str =
    r"[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
/// A character that is neither white space nor a control character: what a text field
/// starts and ends with once trimmed.
const VISIBLE: &str = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
/// Characters a one-line text may hold between its first and last visible character.
const INNER_ONE_LINE: &str = r"[^\x00-\x1f\x7f-\x9f]";
/// The same where tabs and line breaks are allowed.
const INNER_MULTI_LINE: &str = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]";

fn trimmed_text_pattern(max_chars: usize, allow_newlines: bool) -> String {
    let inner = if allow_newlines {
        INNER_MULTI_LINE
    } else {
        INNER_ONE_LINE
    };
    match max_chars {
        0 => String::from("[^\\s\\S]"),
        1 => VISIBLE.to_owned(),
        n => format!("{VISIBLE}(?:{inner}{{0,{}}}{VISIBLE})?", n - 2),
    }
}

/// The regular expression (ECMA-262, Python and Rust `regex` alike) that accepts exactly
/// the values [`text_field`] accepts: something visible once trimmed, at most `max_chars`
/// characters once trimmed, no control character inside. The OpenAPI document states it,
/// so that clients can check a field before sending it.
pub fn text_pattern(max_chars: usize, allow_newlines: bool) -> String {
    format!(
        "^{EDGE_SPACE}*{}{EDGE_SPACE}*$",
        trimmed_text_pattern(max_chars, allow_newlines)
    )
}

/// Like [`text_pattern`] for [`optional_text_field`], which also takes a blank value.
pub fn optional_text_pattern(max_chars: usize, allow_newlines: bool) -> String {
    format!(
        "^{EDGE_SPACE}*(?:{}{EDGE_SPACE}*)?$",
        trimmed_text_pattern(max_chars, allow_newlines)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_field_trims_but_keeps_inner_characters() {
        let mut errors = ValidationErrors::default();
        let kept = text_field(&mut errors, "#/x", "  Әбдірахманұлы Қ.  ", 100, false);
        assert_eq!(kept.as_deref(), Some("Әбдірахманұлы Қ."));
        assert!(errors.is_empty());
    }

    #[test]
    fn text_field_rejects_control_characters_and_length() {
        let mut errors = ValidationErrors::default();
        assert!(text_field(&mut errors, "#/a", "a\u{0}b", 100, false).is_none());
        assert!(text_field(&mut errors, "#/b", &"я".repeat(101), 100, false).is_none());
        assert!(text_field(&mut errors, "#/c", "   ", 100, false).is_none());
        let codes: Vec<_> = errors.errors.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            vec![
                FieldErrorCode::ControlCharacter,
                FieldErrorCode::TooLong,
                FieldErrorCode::Empty
            ]
        );
    }

    /// Characters where trimming, control characters and line breaks meet.
    fn tricky_char() -> impl proptest::strategy::Strategy<Value = char> {
        proptest::prop_oneof![
            proptest::sample::select(vec![
                'a', 'Ә', 'я', ' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{0}', '\u{1f}',
                '\u{7f}', '\u{85}', '\u{9f}', '\u{a0}', '\u{1680}', '\u{2000}', '\u{200b}',
                '\u{2028}', '\u{3000}', '\u{feff}', '\u{1c}', '.',
            ]),
            proptest::char::any(),
        ]
    }

    proptest::proptest! {
        #[test]
        fn the_published_text_patterns_accept_exactly_what_validation_accepts(
            chars in proptest::collection::vec(tricky_char(), 0..8),
            max_chars in 0usize..6,
            allow_newlines: bool,
        ) {
            let value: String = chars.into_iter().collect();
            let required = regex::Regex::new(&text_pattern(max_chars, allow_newlines)).unwrap();
            let optional =
                regex::Regex::new(&optional_text_pattern(max_chars, allow_newlines)).unwrap();
            let mut errors = ValidationErrors::default();
            let accepted = text_field(&mut errors, "#/x", &value, max_chars, allow_newlines).is_some();
            proptest::prop_assert_eq!(required.is_match(&value), accepted);
            // Blank is "not given", not an error.
            let mut errors = ValidationErrors::default();
            optional_text_field(&mut errors, "#/x", Some(&value), max_chars, allow_newlines);
            let optional_accepted = errors.is_empty();
            proptest::prop_assert_eq!(optional.is_match(&value), optional_accepted);
        }
    }

    #[test]
    fn the_published_patterns_compile_at_the_real_limits() {
        for max in [MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS, MAX_NOTES_CHARS] {
            for newlines in [false, true] {
                let pattern = regex::Regex::new(&text_pattern(max, newlines)).unwrap();
                assert!(pattern.is_match(&"я".repeat(max)));
                assert!(!pattern.is_match(&"я".repeat(max + 1)));
                assert!(pattern.is_match(&format!("  {}  ", "я".repeat(max))));
            }
        }
    }
}
