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

/// Property tests: anything typed is answered without a panic; an accepted number is in
/// E.164 and reads back as itself; the usual spellings of one number agree.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    fn region() -> impl Strategy<Value = Option<CountryCode>> {
        proptest::option::weighted(
            0.9,
            prop::sample::select(vec![
                "RU", "KZ", "KG", "UZ", "TJ", "US", "DE", "CH", "BR", "NZ", "JP",
            ])
            .prop_map(|code| code.parse::<CountryCode>().unwrap_or(CountryCode::RU)),
        )
    }

    fn typed() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9+()# .x*-]{0,45}",
            "[+]?[0-9]{1,3}[ (-]{0,2}[0-9]{2,4}[ )-]{0,2}[0-9 -]{4,12}( ?(x|ext|доб)\\.? ?[0-9]{1,6})?",
            "(tel:|Tel:)?[+]?[0-9A-Za-z;=.-]{0,30}",
            "[0-9\u{FF10}-\u{FF19}\u{0660}-\u{0669} #:]{0,20}",
        ]
    }

    /// The ways a volunteer writes a Russian or Kazakh number: `+7` or the trunk `8`,
    /// the area code in brackets or not, spaces, hyphens or nothing between groups.
    fn spellings_of(national: &str) -> Vec<String> {
        let (area, a, b, c) = (
            &national[..3],
            &national[3..6],
            &national[6..8],
            &national[8..],
        );
        vec![
            format!("+7{national}"),
            format!("+7 {area} {a}-{b}-{c}"),
            format!("+7 ({area}) {a}-{b}-{c}"),
            format!("+7-{area}-{a}-{b}-{c}"),
            format!("8 {area} {a} {b} {c}"),
            format!("8 ({area}) {a}-{b}-{c}"),
            format!("8({area}){a}{b}{c}"),
            format!("8{national}"),
            format!("  8-{area}-{a}-{b}-{c}  "),
        ]
    }

    proptest! {
        #![proptest_config(crate::proptest_config(512))]

        #[test]
        fn anything_typed_is_answered_and_an_accepted_number_reads_back(
            text in typed(),
            region in region(),
        ) {
            if let Ok(phone) = PhoneNumber::parse(&text, region) {
                let e164 = phone.as_str();
                prop_assert!(e164.starts_with('+'), "{}", e164);
                // libphonenumber accepts some German numbers one digit longer than E.164's 15.
                prop_assert!((4..=18).contains(&e164.len()), "{}", e164);
                prop_assert!(e164[1..].bytes().all(|b| b.is_ascii_digit()), "{}", e164);
                prop_assert_eq!(PhoneNumber::from_e164(e164), Ok(phone.clone()));
                prop_assert_eq!(PhoneNumber::parse(e164, region), Ok(phone));
            }
        }
    }

    proptest! {
        #![proptest_config(crate::proptest_config(128))]

        #[test]
        fn every_spelling_of_a_russian_mobile_is_the_same_number(
            national in "9[0-9]{9}",
            region in prop::sample::select(vec![CountryCode::RU, CountryCode::KZ]),
        ) {
            let expected = format!("+7{national}");
            for spelling in spellings_of(&national) {
                let parsed = PhoneNumber::parse(&spelling, Some(region));
                prop_assert_eq!(
                    parsed.as_ref().map(PhoneNumber::as_str),
                    Ok(expected.as_str()),
                    "{}", spelling
                );
            }
        }

        #[test]
        fn spellings_of_a_kazakh_number_agree(
            national in "7[0-9]{9}",
            region in prop::sample::select(vec![CountryCode::RU, CountryCode::KZ]),
        ) {
            let spellings = spellings_of(&national);
            let first = PhoneNumber::parse(&spellings[0], Some(region));
            for spelling in &spellings[1..] {
                prop_assert_eq!(&PhoneNumber::parse(spelling, Some(region)), &first, "{}", spelling);
            }
        }

        #[test]
        fn a_kyrgyz_number_with_the_national_zero_is_the_international_one(
            national in "(22|31|5[0-9]|70|77|99)[0-9]{7}",
        ) {
            let international = PhoneNumber::parse(&format!("+996 {national}"), None);
            for spelling in [
                format!("0{national}"),
                format!("0 {} {} {}", &national[..3], &national[3..6], &national[6..]),
                format!("(0{}) {}-{}", &national[..3], &national[3..6], &national[6..]),
            ] {
                prop_assert_eq!(&PhoneNumber::parse(&spelling, Some(CountryCode::KG)), &international, "{}", spelling);
            }
        }
    }
}
