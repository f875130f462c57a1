//! Data-sharing agreements: organisation A shares given categories of its data with
//! organisation B, for a stated purpose, until a date. Cross-organisation reads happen only
//! under an agreement in force; expiry and withdrawal take effect at once because every
//! read asks which agreements are in force now.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::household::string_enum;
use crate::validation::{FieldErrorCode, ValidationContext, ValidationErrors, text_field};

string_enum!(
    SharingCategory {
        /// Names, birth dates and documents, for finding the same person (deduplication).
        Identity => "identity",
        /// Whether and where a household is sheltered.
        Shelter => "shelter",
        /// What a household received.
        Distributions => "distributions",
        /// Aggregate figures only (counts by group, sex, age band, city, day; placements;
        /// distributions by item), for coordinating across organisations. Unlike
        /// `identity`, it gives no access to any person's record.
        Statistics => "statistics",
    }
);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgreementInput {
    /// The organisation that receives the data (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub to_organisation_id: Option<Uuid>,
    /// What is shared (required, at least one).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub categories: Vec<SharingCategory>,
    /// Why, in words both organisations signed (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::purpose, required = true))]
    pub purpose: Option<String>,
    /// Last day the agreement is in force, ISO 8601 (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, format = Date))]
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedAgreement {
    pub to_organisation_id: Uuid,
    pub categories: Vec<SharingCategory>,
    pub purpose: String,
    pub valid_until: NaiveDate,
}

pub const MAX_PURPOSE_CHARS: usize = 500;

/// Checks an agreement offered by `from_organisation_id`.
pub fn validate_agreement(
    input: &AgreementInput,
    from_organisation_id: Uuid,
    ctx: &ValidationContext,
) -> Result<ValidatedAgreement, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let to = match input.to_organisation_id {
        None => {
            errors.push(
                "#/to_organisation_id",
                FieldErrorCode::Required,
                "is required",
            );
            None
        }
        Some(id) if id == from_organisation_id => {
            errors.push(
                "#/to_organisation_id",
                FieldErrorCode::InvalidValue,
                "an organisation does not share with itself",
            );
            None
        }
        Some(id) => Some(id),
    };
    let mut categories = input.categories.clone();
    categories.sort_unstable();
    categories.dedup();
    if categories.is_empty() {
        errors.push(
            "#/categories",
            FieldErrorCode::Required,
            "name at least one category",
        );
    }
    let purpose = match &input.purpose {
        Some(p) => text_field(&mut errors, "#/purpose", p, MAX_PURPOSE_CHARS, true),
        None => {
            errors.push("#/purpose", FieldErrorCode::Required, "is required");
            None
        }
    };
    let valid_until = match input
        .valid_until
        .as_deref()
        .map(crate::date::parse_full_date)
    {
        None => {
            errors.push("#/valid_until", FieldErrorCode::Required, "is required");
            None
        }
        Some(Err(e)) => {
            errors.push("#/valid_until", FieldErrorCode::InvalidDate, e.to_string());
            None
        }
        Some(Ok(d)) if d < ctx.today => {
            errors.push(
                "#/valid_until",
                FieldErrorCode::InvalidDate,
                "the agreement would already have ended",
            );
            None
        }
        Some(Ok(d)) => Some(d),
    };
    match (to, purpose, valid_until) {
        (Some(to_organisation_id), Some(purpose), Some(valid_until)) if errors.is_empty() => {
            Ok(ValidatedAgreement {
                to_organisation_id,
                categories,
                purpose,
                valid_until,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreements_need_a_partner_a_purpose_and_an_end() {
        let ctx = ValidationContext {
            today: NaiveDate::from_ymd_opt(2022, 10, 1).unwrap_or_default(),
        };
        let me = Uuid::from_u128(1);
        let errors = validate_agreement(&AgreementInput::default(), me, &ctx).expect_err("empty");
        let pointers: Vec<&str> = errors.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "#/to_organisation_id",
                "#/categories",
                "#/purpose",
                "#/valid_until"
            ]
        );
        let to_self = AgreementInput {
            to_organisation_id: Some(me),
            categories: vec![SharingCategory::Identity],
            purpose: Some("deduplication".into()),
            valid_until: Some("2022-09-30".into()),
        };
        let errors = validate_agreement(&to_self, me, &ctx).expect_err("self, past");
        assert_eq!(errors.errors.len(), 2);
        let good = AgreementInput {
            to_organisation_id: Some(Uuid::from_u128(2)),
            valid_until: Some("2022-12-31".into()),
            ..to_self
        };
        assert!(validate_agreement(&good, me, &ctx).is_ok());
    }
}
