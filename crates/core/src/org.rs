//! Organisations: every record belongs to the organisation that registered it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::household::string_enum;
use crate::validation::{FieldErrorCode, MAX_SHORT_TEXT_CHARS, ValidationErrors, text_field};

string_enum!(
    OrgKind {
        Government => "government",
        UnAgency => "un_agency",
        Ngo => "ngo",
        MutualAid => "mutual_aid",
        VolunteerGroup => "volunteer_group",
        Other => "other",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKind,
    pub created_at: DateTime<Utc>,
}

/// Checks an organisation name: trimmed, non-empty, at most 200 characters.
pub fn validate_org_name(name: &str) -> Result<String, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let name = text_field(&mut errors, "#/name", name, MAX_SHORT_TEXT_CHARS, false);
    match name {
        Some(name) => Ok(name),
        None => Err(errors),
    }
}

/// Checks and normalises an e-mail address used as a login name. Deliberately loose (one
/// `@`, a dot in the domain, no spaces): the real test is that the person can log in.
pub fn normalise_email(email: &str) -> Result<String, ValidationErrors> {
    let trimmed = email.trim().to_lowercase();
    let shaped = trimmed.len() <= 254
        && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
        && trimmed.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if shaped {
        Ok(trimmed)
    } else {
        Err(ValidationErrors::single(crate::FieldError::new(
            "#/email",
            FieldErrorCode::InvalidFormat,
            "must be an e-mail address such as name@example.org",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_kinds_parse() {
        assert_eq!(OrgKind::parse("un_agency"), Some(OrgKind::UnAgency));
        assert_eq!(OrgKind::parse("UN"), None);
        assert_eq!(OrgKind::ALL.len(), 6);
    }

    #[test]
    fn emails() {
        assert_eq!(
            normalise_email(" Aid@Example.ORG ").as_deref().ok(),
            Some("aid@example.org")
        );
        for bad in [
            "",
            "aid",
            "aid@",
            "@example.org",
            "a b@example.org",
            "a@b@example.org",
            "aid@localhost",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
    }
}
