//! Phone numbers, stored in E.164 (`+79123456789`).
//!
//! Parsing and validation use the `phonenumber` crate (a port of Google's libphonenumber
//! metadata), because national formats differ: `8 912 345-67-89` is a Russian or Kazakh
//! mobile written with the trunk prefix, `0555 123 456` a Kyrgyz one.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::CountryCode;

/// A valid phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid phone number; write it with its country code, e.g. +7 912 345-67-89")]
pub struct InvalidPhone;

impl PhoneNumber {
    /// Parses what a volunteer typed. `region` is where the household is registered and
    /// decides how a number without `+` is read.
    pub fn parse(input: &str, region: Option<CountryCode>) -> Result<Self, InvalidPhone> {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.chars().count() > 40 {
            return Err(InvalidPhone);
        }
        let region_id = region.and_then(|r| r.as_str().parse::<phonenumber::country::Id>().ok());
        let parsed = phonenumber::parse(region_id, trimmed).map_err(|_| InvalidPhone)?;
        if !phonenumber::is_valid(&parsed) {
            return Err(InvalidPhone);
        }
        Ok(Self(
            parsed.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// Re-reads a number already stored in E.164.
    pub fn from_e164(stored: &str) -> Result<Self, InvalidPhone> {
        if stored.starts_with('+') {
            Self::parse(stored, None)
        } else {
            Err(InvalidPhone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PhoneNumber::from_e164(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for PhoneNumber {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("Phone number in E.164 form"))
            .examples([serde_json::json!("+79123456789")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for PhoneNumber {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_mobile_in_every_usual_spelling() {
        for typed in [
            "+7 912 345-67-89",
            "+7 (912) 345-67-89",
            "8 912 345 67 89",
            "89123456789",
        ] {
            let phone = PhoneNumber::parse(typed, Some(CountryCode::RU)).expect(typed);
            assert_eq!(phone.as_str(), "+79123456789", "{typed}");
        }
    }

    #[test]
    fn trunk_prefix_is_read_in_kazakhstan_too() {
        let phone = PhoneNumber::parse("8 701 234 5678", Some(CountryCode::KZ)).expect("kz mobile");
        assert_eq!(phone.as_str(), "+77012345678");
    }

    #[test]
    fn kyrgyz_mobile_with_national_zero() {
        let phone = PhoneNumber::parse("0555 123 456", Some(CountryCode::KG)).expect("kg mobile");
        assert_eq!(phone.as_str(), "+996555123456");
    }

    #[test]
    fn garbage_and_short_numbers_are_rejected() {
        for typed in [
            "",
            "12",
            "+7 912",
            "phone",
            "+999 123 456 789",
            "+7 912 345-67-89-00-11",
        ] {
            assert_eq!(
                PhoneNumber::parse(typed, Some(CountryCode::RU)),
                Err(InvalidPhone),
                "{typed}"
            );
        }
    }
}
