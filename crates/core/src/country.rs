//! ISO 3166-1 alpha-2 country codes.
//!
//! The list is small and changes once in years, so it is embedded rather than pulled in
//! as a dependency; it holds the 249 officially assigned codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const ASSIGNED: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN \
BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC \
EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR \
HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT \
LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP \
NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL \
SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE \
VG VI VN VU WF WS YE YT ZA ZM ZW";

/// An assigned ISO 3166-1 alpha-2 code, stored upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an assigned ISO 3166-1 alpha-2 country code")]
pub struct UnknownCountry;

impl CountryCode {
    /// Every assigned code, upper case, in alphabetical order.
    pub fn assigned() -> impl Iterator<Item = &'static str> {
        ASSIGNED.split(' ')
    }

    pub const RU: CountryCode = CountryCode(*b"RU");
    pub const KZ: CountryCode = CountryCode(*b"KZ");
    pub const KG: CountryCode = CountryCode(*b"KG");

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl FromStr for CountryCode {
    type Err = UnknownCountry;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let trimmed = input.trim();
        let bytes = trimmed.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(UnknownCountry);
        }
        let upper = [bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()];
        let candidate = std::str::from_utf8(&upper).map_err(|_| UnknownCountry)?;
        if ASSIGNED.split(' ').any(|code| code == candidate) {
            Ok(Self(upper))
        } else {
            Err(UnknownCountry)
        }
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for CountryCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[A-Z]{2}$"))
            .description(Some("ISO 3166-1 alpha-2 country code"))
            .examples([serde_json::json!("KZ")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for CountryCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_has_every_assigned_code_once() {
        let codes: Vec<&str> = ASSIGNED.split(' ').collect();
        assert_eq!(codes.len(), 249);
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, codes, "list must be sorted and without repeats");
    }

    #[test]
    fn parses_case_insensitively_and_rejects_unassigned() {
        assert_eq!("kz".parse::<CountryCode>(), Ok(CountryCode::KZ));
        assert_eq!(" KG ".parse::<CountryCode>(), Ok(CountryCode::KG));
        assert_eq!("XX".parse::<CountryCode>(), Err(UnknownCountry));
        assert_eq!("SU".parse::<CountryCode>(), Err(UnknownCountry));
        assert_eq!("RUS".parse::<CountryCode>(), Err(UnknownCountry));
        assert_eq!("Р1".parse::<CountryCode>(), Err(UnknownCountry));
    }
}

/// Property tests: any text is answered without a panic; an assigned code is read in
/// any case and with blanks around, and prints back as itself.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    fn assigned() -> impl Strategy<Value = &'static str> {
        prop::sample::select(ASSIGNED.split(' ').collect::<Vec<_>>())
    }

    proptest! {
        #![proptest_config(crate::proptest_config(1024))]

        #[test]
        fn anything_typed_is_answered_and_an_accepted_code_prints_back(
            text in prop_oneof![any::<String>(), "\\s{0,2}[A-Za-zА-Яа-я]{1,3}\\s{0,2}", "\\PC{0,3}"],
        ) {
            if let Ok(code) = text.parse::<CountryCode>() {
                let printed = code.to_string();
                prop_assert!(printed.len() == 2 && printed.bytes().all(|b| b.is_ascii_uppercase()), "{}", printed);
                prop_assert!(ASSIGNED.split(' ').any(|c| c == printed));
                prop_assert_eq!(printed.to_lowercase(), text.trim().to_lowercase());
                prop_assert_eq!(printed.parse::<CountryCode>(), Ok(code));
            }
        }

        #[test]
        fn an_assigned_code_is_read_in_any_case_with_blanks_around(
            code in assigned(),
            lower in proptest::array::uniform2(any::<bool>()),
            lead in "\\s{0,2}",
            trail in "\\s{0,2}",
        ) {
            let typed: String = code
                .chars()
                .zip(lower)
                .map(|(c, lower)| if lower { c.to_ascii_lowercase() } else { c })
                .collect();
            let parsed = format!("{lead}{typed}{trail}").parse::<CountryCode>();
            prop_assert_eq!(parsed.map(|c| c.to_string()), Ok(code.to_owned()));
        }
    }
}
