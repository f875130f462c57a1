//! JSON Schemas for the OpenAPI document that state a field's validation rules exactly,
//! where the derived schema would say less than validation checks: free text (not blank
//! once trimmed, no control characters, a length limit counted after trimming), country
//! codes as the parser takes them, times of day. Fields name them with
//! `#[schema(schema_with = …)]`; every pattern here is tested against the validation it
//! describes, so a client that checks a value against the document is refused only for
//! what the document cannot say (rules between fields, what exists, what is allowed).

use utoipa::openapi::schema::SchemaType;
use utoipa::openapi::{Object, ObjectBuilder, Type};

use crate::validation::{optional_text_pattern, text_pattern};

/// Text that must be present and not blank.
fn required(max_chars: usize, allow_newlines: bool) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(text_pattern(max_chars, allow_newlines)))
        .description(Some(describe(max_chars, allow_newlines, false)))
        .build()
}

/// Text that may be absent or `null`, and is refused when blank.
fn optional(max_chars: usize, allow_newlines: bool) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(text_pattern(max_chars, allow_newlines)))
        .description(Some(describe(max_chars, allow_newlines, false)))
        .build()
}

/// Text that may be absent, `null` or blank (all three mean "not given").
fn optional_or_blank(max_chars: usize, allow_newlines: bool) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(optional_text_pattern(max_chars, allow_newlines)))
        .description(Some(describe(max_chars, allow_newlines, true)))
        .build()
}

fn describe(max_chars: usize, allow_newlines: bool, blank_ok: bool) -> String {
    format!(
        "{}at most {max_chars} characters once trimmed, {}",
        if blank_ok {
            "Blank means not given; otherwise "
        } else {
            "Not blank, "
        },
        if allow_newlines {
            "no control characters but tabs and line breaks"
        } else {
            "no control characters"
        }
    )
}

macro_rules! text_schemas {
    ($($(#[$doc:meta])* $name:ident => $kind:ident($max:expr, $newlines:expr);)*) => {
        $($(#[$doc])* pub fn $name() -> Object { $kind($max, $newlines) })*
    };
}

use crate::essentials::{MAX_NAME_CHARS as MAX_ITEM_NAME_CHARS, MAX_REASON_CHARS, MAX_UNIT_CHARS};
use crate::retention::MAX_ERASURE_REASON_CHARS;
use crate::sharing::MAX_PURPOSE_CHARS;
use crate::validation::{MAX_NOTES_CHARS, MAX_SHORT_TEXT_CHARS};

text_schemas! {
    /// A name, city or address line (200 characters).
    short_text => required(MAX_SHORT_TEXT_CHARS, false);
    short_text_optional => optional(MAX_SHORT_TEXT_CHARS, false);
    short_text_or_blank => optional_or_blank(MAX_SHORT_TEXT_CHARS, false);
    /// An item or distribution point name (120 characters).
    item_name => required(MAX_ITEM_NAME_CHARS, false);
    item_name_optional => optional(MAX_ITEM_NAME_CHARS, false);
    /// A unit or item code (40 characters).
    unit => required(MAX_UNIT_CHARS, false);
    unit_optional => optional(MAX_UNIT_CHARS, false);
    /// Why stock changed or more was given (500 characters, several lines).
    reason => required(MAX_REASON_CHARS, true);
    reason_optional => optional(MAX_REASON_CHARS, true);
    /// A case note (4,000 characters, several lines).
    note => required(MAX_NOTES_CHARS, true);
    /// Why a person's data is erased (500 characters, several lines).
    erasure_reason => required(MAX_ERASURE_REASON_CHARS, true);
    /// What a data-sharing agreement is for (500 characters, several lines).
    purpose => required(MAX_PURPOSE_CHARS, true);
}

/// Characters `str::trim` removes around a code or a time.
const EDGE_SPACE: &str =
    r"[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*";

/// An ISO 3166-1 alpha-2 code as the parser takes it: any case, spaces around.
pub fn country_code() -> Object {
    let codes: Vec<String> = crate::CountryCode::assigned()
        .map(|code| {
            code.chars()
                .map(|c| format!("[{}{}]", c, c.to_ascii_lowercase()))
                .collect()
        })
        .collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(
            "^{EDGE_SPACE}(?:{}){EDGE_SPACE}$",
            codes.join("|")
        )))
        .description(Some("An assigned ISO 3166-1 alpha-2 code (any case)"))
        .examples(["KZ"])
        .build()
}

/// A local time of day `HH:MM`, or blank for none.
pub fn time_of_day() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(format!(
            "^{EDGE_SPACE}(?:(?:[01]?[0-9]|2[0-3]):[0-5]?[0-9]{EDGE_SPACE})?$"
        )))
        .examples(["08:00"])
        .build()
}

/// An item's names in other languages: ISO 639-1 codes (two lower-case letters) as keys,
/// at most [`crate::essentials::MAX_ITEM_TRANSLATIONS`], each a name and an optional unit.
pub fn item_translations() -> Object {
    use utoipa::openapi::schema::AdditionalProperties;
    let translation = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("name", item_name())
        .required("name")
        .property("unit", unit_optional())
        .additional_properties(Some(
            AdditionalProperties::<utoipa::openapi::Schema>::FreeForm(false),
        ));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[a-z]{2}$"))
                .build(),
        ))
        .max_properties(Some(crate::essentials::MAX_ITEM_TRANSLATIONS))
        .additional_properties(Some(translation))
        .description(Some(
            "By ISO 639-1 code (kk, ky, en, …): the item's name and, optionally, its unit",
        ))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(object: &Object) -> regex::Regex {
        regex::Regex::new(object.pattern.as_deref().unwrap_or_default()).unwrap()
    }

    #[test]
    fn item_translation_languages_are_what_validation_takes() {
        use crate::essentials::{ItemTranslationInput, ItemTranslationsInput};
        let schema = item_translations();
        let Some(utoipa::openapi::Schema::Object(names)) = schema.property_names.as_deref() else {
            panic!("the keys have a schema");
        };
        let names = pattern(names);
        for key in ["kk", "en", "", "Kk", "kaz", "k1", "ру"] {
            let input = ItemTranslationsInput {
                translations: Some(
                    [(
                        key.to_owned(),
                        ItemTranslationInput {
                            name: Some("Blanket".into()),
                            unit: None,
                        },
                    )]
                    .into(),
                ),
            };
            let valid = crate::essentials::validate_item_translations(&input).is_ok();
            assert_eq!(names.is_match(key), valid, "{key:?}");
        }
    }

    #[test]
    fn the_country_pattern_takes_what_the_parser_takes() {
        let re = pattern(&country_code());
        for text in ["KZ", "kz", " kG ", "DE", "\tkz\n"] {
            assert!(text.parse::<crate::CountryCode>().is_ok(), "{text}");
            assert!(re.is_match(text), "{text}");
        }
        for text in ["XX", "KAZ", "", "K Z", "k", "zz"] {
            assert!(text.parse::<crate::CountryCode>().is_err(), "{text}");
            assert!(!re.is_match(text), "{text}");
        }
    }

    #[test]
    fn the_time_pattern_takes_what_the_site_rules_take() {
        let re = pattern(&time_of_day());
        for text in [
            "08:00",
            "23:59",
            "9:05",
            " 07:30 ",
            "",
            "  ",
            "24:00",
            "12:60",
            "noon",
            "7",
            "12:5",
            "12:00:00",
            "1:1",
            "00:00",
            "-1:00",
            "+1:00",
            "012:00",
            "12:005",
            "\t08:00\n",
        ] {
            let mut errors = crate::ValidationErrors::default();
            crate::shelter::parse_clock(&mut errors, "#/t", Some(text));
            assert_eq!(re.is_match(text), errors.is_empty(), "{text:?}");
        }
    }
}
