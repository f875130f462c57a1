//! Identity documents and the number formats a volunteer meets at the border.
//!
//! Numbers are stored in a canonical form (digits only for the numeric national formats,
//! upper case without separators otherwise) so that `4512 345678` and `4512345678` are the
//! same document. Kazakh IINs and Kyrgyz PINs encode the birth date and sex; the encoded
//! values are exposed so validation can catch a digit typed wrong.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::CountryCode;
use crate::household::Sex;
use crate::validation::{FieldErrorCode, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// Russian internal passport: 4-digit series and 6-digit number.
    RuInternalPassport,
    /// Russian international ("foreign") passport: 9 digits.
    RuInternationalPassport,
    /// Kazakh identity card or passport number: the 12-digit IIN.
    KzId,
    /// Kyrgyz identity card: the 14-digit personal identification number (PIN).
    KgId,
    PassportOther,
    BirthCertificate,
    /// The person has no document; recorded explicitly so that "none" differs from "not asked".
    None,
}

impl DocumentType {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::RuInternalPassport => "ru_internal_passport",
            Self::RuInternationalPassport => "ru_international_passport",
            Self::KzId => "kz_id",
            Self::KgId => "kg_id",
            Self::PassportOther => "passport_other",
            Self::BirthCertificate => "birth_certificate",
            Self::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ru_internal_passport" => Self::RuInternalPassport,
            "ru_international_passport" => Self::RuInternationalPassport,
            "kz_id" => Self::KzId,
            "kg_id" => Self::KgId,
            "passport_other" => Self::PassportOther,
            "birth_certificate" => Self::BirthCertificate,
            "none" => Self::None,
            _ => return None,
        })
    }

    /// The only country that issues this kind of document, if there is one.
    pub fn fixed_issuer(&self) -> Option<CountryCode> {
        match self {
            Self::RuInternalPassport | Self::RuInternationalPassport => Some(CountryCode::RU),
            Self::KzId => Some(CountryCode::KZ),
            Self::KgId => Some(CountryCode::KG),
            _ => None,
        }
    }
}

/// A document as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    #[serde(rename = "type")]
    pub doc_type: DocumentType,
    #[serde(default)]
    pub number: Option<String>,
    /// ISO 3166-1 alpha-2; implied for national documents.
    #[serde(default)]
    pub issuing_country: Option<String>,
}

/// A validated document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    #[serde(rename = "type")]
    pub doc_type: DocumentType,
    /// Canonical number: digits only for national numeric formats; absent for `none`.
    pub number: Option<String>,
    pub issuing_country: Option<CountryCode>,
}

impl Document {
    /// The document in input shape, as a form or a merge patch starts from it.
    pub fn to_input(&self) -> DocumentInput {
        DocumentInput {
            doc_type: self.doc_type,
            number: self.number.clone(),
            issuing_country: self.issuing_country.map(|c| c.to_string()),
        }
    }
}

fn digits_only(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if !matches!(c, ' ' | '-' | '№' | '\u{a0}' | '.') {
            return None;
        }
    }
    Some(out)
}

/// Kazakh IIN check digit (weights 1..11, then 3..11,1,2 if the first sum gives 10).
fn iin_check_digit(digits: &[u8; 12]) -> Option<u8> {
    let weighted = |weights: [u32; 11]| -> u32 {
        digits[..11]
            .iter()
            .zip(weights)
            .map(|(&d, w)| u32::from(d) * w)
            .sum::<u32>()
            % 11
    };
    let first = weighted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    let check = if first == 10 {
        weighted([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])
    } else {
        first
    };
    // An IIN whose check computes to 10 twice is never issued.
    (check < 10).then_some(check as u8)
}

fn to_digit_array<const N: usize>(canonical: &str) -> Option<[u8; N]> {
    let bytes = canonical.as_bytes();
    if bytes.len() != N {
        return None;
    }
    let mut out = [0u8; N];
    for (slot, b) in out.iter_mut().zip(bytes) {
        *slot = b.checked_sub(b'0').filter(|d| *d <= 9)?;
    }
    Some(out)
}

fn number_from(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |acc, d| acc * 10 + u32::from(*d))
}

/// Birth date and sex encoded in an IIN: YYMMDD, then a digit for century and sex.
fn decode_iin(digits: &[u8; 12]) -> Option<(NaiveDate, Sex)> {
    let (century, sex) = match digits[6] {
        1 => (1800, Sex::Male),
        2 => (1800, Sex::Female),
        3 => (1900, Sex::Male),
        4 => (1900, Sex::Female),
        5 => (2000, Sex::Male),
        6 => (2000, Sex::Female),
        _ => return None,
    };
    let year = century + number_from(&digits[0..2]) as i32;
    let date =
        NaiveDate::from_ymd_opt(year, number_from(&digits[2..4]), number_from(&digits[4..6]))?;
    Some((date, sex))
}

/// Birth date and sex encoded in a Kyrgyz PIN: sex digit (1 female, 2 male), DDMMYYYY.
fn decode_kg_pin(digits: &[u8; 14]) -> Option<(NaiveDate, Sex)> {
    let sex = match digits[0] {
        1 => Sex::Female,
        2 => Sex::Male,
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(
        number_from(&digits[5..9]) as i32,
        number_from(&digits[3..5]),
        number_from(&digits[1..3]),
    )?;
    Some((date, sex))
}

impl Document {
    /// Validates one submitted document, recording errors under `pointer`.
    pub fn validate(
        input: &DocumentInput,
        pointer: &str,
        errors: &mut ValidationErrors,
    ) -> Option<Self> {
        let before = errors.errors.len();
        let issuing_country = match input.issuing_country.as_deref().map(str::trim) {
            None | Some("") => input.doc_type.fixed_issuer(),
            Some(text) => match text.parse::<CountryCode>() {
                Ok(code) => {
                    if input
                        .doc_type
                        .fixed_issuer()
                        .is_some_and(|fixed| fixed != code)
                    {
                        errors.push(
                            &format!("{pointer}/issuing_country"),
                            FieldErrorCode::DocumentCountryMismatch,
                            "this document type is issued by another country",
                        );
                    }
                    Some(code)
                }
                Err(_) => {
                    errors.push(
                        &format!("{pointer}/issuing_country"),
                        FieldErrorCode::UnknownCountry,
                        "must be an ISO 3166-1 alpha-2 country code",
                    );
                    None
                }
            },
        };
        let number_pointer = format!("{pointer}/number");
        let raw = input
            .number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let number = match (input.doc_type, raw) {
            (DocumentType::None, None) => None,
            (DocumentType::None, Some(_)) => {
                errors.push(
                    &number_pointer,
                    FieldErrorCode::InvalidValue,
                    "a document of type none has no number",
                );
                None
            }
            (_, None) => {
                errors.push(
                    &number_pointer,
                    FieldErrorCode::Required,
                    "the document number is required",
                );
                None
            }
            (doc_type, Some(raw)) => canonical_number(doc_type, raw, &number_pointer, errors),
        };
        (errors.errors.len() == before).then_some(Self {
            doc_type: input.doc_type,
            number,
            issuing_country,
        })
    }

    /// Birth date and sex the number itself encodes (IIN, Kyrgyz PIN).
    pub fn encoded_birth_date_and_sex(&self) -> Option<(NaiveDate, Sex)> {
        let number = self.number.as_deref()?;
        match self.doc_type {
            DocumentType::KzId => decode_iin(&to_digit_array::<12>(number)?),
            DocumentType::KgId => decode_kg_pin(&to_digit_array::<14>(number)?),
            _ => None,
        }
    }

    /// The number as printed on the document, for display.
    pub fn display_number(&self) -> Option<String> {
        let number = self.number.as_deref()?;
        Some(match self.doc_type {
            // Stored numbers are ASCII digits, but slicing must not panic if one is not.
            DocumentType::RuInternalPassport if number.len() == 10 && number.is_ascii() => {
                format!("{} {}", &number[..4], &number[4..])
            }
            DocumentType::RuInternationalPassport if number.len() == 9 && number.is_ascii() => {
                format!("{} {}", &number[..2], &number[2..])
            }
            _ => number.to_owned(),
        })
    }
}

fn canonical_number(
    doc_type: DocumentType,
    raw: &str,
    pointer: &str,
    errors: &mut ValidationErrors,
) -> Option<String> {
    let fixed_digits =
        |count: usize, errors: &mut ValidationErrors, what: &str| -> Option<String> {
            match digits_only(raw) {
                Some(d) if d.len() == count => Some(d),
                _ => {
                    errors.push(
                        pointer,
                        FieldErrorCode::InvalidDocumentNumber,
                        format!("{what} has exactly {count} digits"),
                    );
                    None
                }
            }
        };
    match doc_type {
        DocumentType::RuInternalPassport => fixed_digits(
            10,
            errors,
            "a Russian internal passport number (series and number)",
        ),
        DocumentType::RuInternationalPassport => {
            fixed_digits(9, errors, "a Russian international passport number")
        }
        DocumentType::KzId => {
            let digits = fixed_digits(12, errors, "a Kazakh IIN")?;
            let array = to_digit_array::<12>(&digits)?;
            if decode_iin(&array).is_none() {
                errors.push(
                    pointer,
                    FieldErrorCode::InvalidDocumentNumber,
                    "the IIN does not encode a valid birth date",
                );
                return None;
            }
            if iin_check_digit(&array) != Some(array[11]) {
                errors.push(
                    pointer,
                    FieldErrorCode::DocumentChecksum,
                    "the IIN check digit does not match: a digit is probably mistyped",
                );
                return None;
            }
            Some(digits)
        }
        DocumentType::KgId => {
            let digits = fixed_digits(14, errors, "a Kyrgyz personal number (PIN)")?;
            if decode_kg_pin(&to_digit_array::<14>(&digits)?).is_none() {
                errors.push(
                    pointer,
                    FieldErrorCode::InvalidDocumentNumber,
                    "the PIN does not start with a sex digit and a valid birth date",
                );
                return None;
            }
            Some(digits)
        }
        DocumentType::PassportOther | DocumentType::BirthCertificate => {
            let mut canonical = String::with_capacity(raw.len());
            for c in raw.chars() {
                if c.is_alphanumeric() {
                    // Some capitals are a letter plus combining marks (ΐ → Ι and two
                    // marks); the marks are not letters, and a canonical number must
                    // validate again when the household is edited.
                    canonical.extend(c.to_uppercase().filter(|u| u.is_alphanumeric()));
                } else if !matches!(c, ' ' | '-' | '№' | '\u{a0}') {
                    errors.push(
                        pointer,
                        FieldErrorCode::InvalidDocumentNumber,
                        "may contain only letters, digits, spaces and hyphens",
                    );
                    return None;
                }
            }
            let length = canonical.chars().count();
            if !(4..=30).contains(&length) {
                errors.push(
                    pointer,
                    FieldErrorCode::InvalidDocumentNumber,
                    "must have between 4 and 30 letters and digits",
                );
                return None;
            }
            Some(canonical)
        }
        DocumentType::None => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a valid IIN for tests from a birth date and the century/sex digit.
    pub(crate) fn make_iin(yymmdd: &str, century_sex: u8, serial: &str) -> String {
        for extra in 0..10u8 {
            let body = format!("{yymmdd}{century_sex}{serial}{extra}");
            let mut digits = [0u8; 12];
            for (slot, b) in digits.iter_mut().zip(body.bytes()) {
                *slot = b - b'0';
            }
            if let Some(check) = iin_check_digit(&digits) {
                return format!("{}{check}", &body[..11]);
            }
        }
        panic!("no valid IIN for the given prefix");
    }

    fn validate(doc_type: DocumentType, number: &str) -> Result<Document, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let input = DocumentInput {
            doc_type,
            number: Some(number.to_owned()),
            issuing_country: None,
        };
        let doc = Document::validate(&input, "#/d", &mut errors);
        doc.ok_or(errors)
    }

    #[test]
    fn russian_passports_are_canonicalised() {
        let doc = validate(DocumentType::RuInternalPassport, "4512 345678").expect("valid");
        assert_eq!(doc.number.as_deref(), Some("4512345678"));
        assert_eq!(doc.display_number().as_deref(), Some("4512 345678"));
        assert_eq!(doc.issuing_country, Some(CountryCode::RU));
        assert!(validate(DocumentType::RuInternalPassport, "4512 34567").is_err());
        assert!(validate(DocumentType::RuInternationalPassport, "75 1234567").is_ok());
        assert!(validate(DocumentType::RuInternationalPassport, "75 123456A").is_err());
    }

    #[test]
    fn iin_checksum_and_encoded_birth_date() {
        let iin = make_iin("950302", 3, "0123");
        let doc = validate(DocumentType::KzId, &iin).expect("valid IIN");
        let expected = NaiveDate::from_ymd_opt(1995, 3, 2).expect("date");
        assert_eq!(
            doc.encoded_birth_date_and_sex(),
            Some((expected, Sex::Male))
        );

        let mut digits: Vec<u8> = iin.bytes().collect();
        digits[11] = b'0' + (digits[11] - b'0' + 1) % 10;
        let typo = String::from_utf8(digits).expect("ascii");
        let errors = validate(DocumentType::KzId, &typo).expect_err("checksum");
        assert_eq!(errors.errors[0].code, FieldErrorCode::DocumentChecksum);

        let errors = validate(DocumentType::KzId, "9503023012345").expect_err("13 digits");
        assert_eq!(errors.errors[0].code, FieldErrorCode::InvalidDocumentNumber);
        assert_eq!(errors.errors[0].pointer, "#/d/number");
    }

    #[test]
    fn kyrgyz_pin_encodes_sex_and_date() {
        let doc = validate(DocumentType::KgId, "21503199512345").expect("valid PIN");
        let expected = NaiveDate::from_ymd_opt(1995, 3, 15).expect("date");
        assert_eq!(
            doc.encoded_birth_date_and_sex(),
            Some((expected, Sex::Male))
        );
        assert!(validate(DocumentType::KgId, "31503199512345").is_err());
        assert!(validate(DocumentType::KgId, "21513199512345").is_err());
    }

    #[test]
    fn issuer_conflict_and_none_with_number() {
        let mut errors = ValidationErrors::default();
        let input = DocumentInput {
            doc_type: DocumentType::KzId,
            number: Some(make_iin("950302", 3, "0123")),
            issuing_country: Some("RU".into()),
        };
        assert!(Document::validate(&input, "#/d", &mut errors).is_none());
        assert_eq!(
            errors.errors[0].code,
            FieldErrorCode::DocumentCountryMismatch
        );

        let mut errors = ValidationErrors::default();
        let none = DocumentInput {
            doc_type: DocumentType::None,
            number: Some("123".into()),
            issuing_country: None,
        };
        assert!(Document::validate(&none, "#/d", &mut errors).is_none());
    }

    #[test]
    fn a_number_whose_capitals_gain_combining_marks_validates_again() {
        // Greek ΐ upper-cases to Ι followed by two combining marks, which are not letters:
        // a canonical number that fails validation would make the household uneditable.
        let doc = validate(DocumentType::PassportOther, "ΐ123").expect("valid");
        let canonical = doc.number.clone().unwrap_or_default();
        assert_eq!(validate(DocumentType::PassportOther, &canonical), Ok(doc));
    }

    #[test]
    fn a_stored_passport_number_with_a_non_ascii_letter_is_displayed_without_a_panic() {
        let doc = Document {
            doc_type: DocumentType::RuInternalPassport,
            number: Some("abcé12345".into()),
            issuing_country: None,
        };
        assert_eq!(doc.display_number().as_deref(), Some("abcé12345"));
    }

    #[test]
    fn birth_certificates_keep_cyrillic_series() {
        let doc = validate(DocumentType::BirthCertificate, "III-мю 123456").expect("valid");
        assert_eq!(doc.number.as_deref(), Some("IIIМЮ123456"));
    }
}

/// Property tests: any submitted document is checked without a panic and with errors that
/// name the field but never the number; valid-shaped numbers with random digits are
/// accepted, canonicalised and decoded consistently.
#[cfg(test)]
pub(crate) mod proptests {
    use chrono::Datelike;
    use proptest::prelude::*;

    use super::*;

    const ALL_TYPES: [DocumentType; 7] = [
        DocumentType::RuInternalPassport,
        DocumentType::RuInternationalPassport,
        DocumentType::KzId,
        DocumentType::KgId,
        DocumentType::PassportOther,
        DocumentType::BirthCertificate,
        DocumentType::None,
    ];

    fn check(doc_type: DocumentType, number: &str) -> Result<Document, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let input = DocumentInput {
            doc_type,
            number: Some(number.to_owned()),
            issuing_country: None,
        };
        Document::validate(&input, "#/d", &mut errors).ok_or(errors)
    }

    /// Digits as a volunteer might type them: a separator (space, hyphen, no-break
    /// space, dot, `№`) or none before each digit, and blanks around.
    pub(crate) fn spelled(digits: String) -> impl Strategy<Value = String> {
        let count = digits.len();
        (
            proptest::collection::vec(
                proptest::option::weighted(
                    0.3,
                    prop::sample::select(vec![' ', '-', '\u{a0}', '.', '№']),
                ),
                count,
            ),
            "[ ]{0,2}",
            "[ \t]{0,2}",
        )
            .prop_map(move |(separators, lead, trail)| {
                let mut out = lead;
                for (digit, separator) in digits.chars().zip(separators) {
                    out.extend(separator);
                    out.push(digit);
                }
                out.push_str(&trail);
                out
            })
    }

    fn century_sex_digit(date: NaiveDate, sex: Sex) -> u8 {
        let base = match date.year() {
            1800..=1899 => 1,
            1900..=1999 => 3,
            _ => 5,
        };
        if sex == Sex::Female { base + 1 } else { base }
    }

    /// An IIN for a birth date, sex and serial, or `None` when no check digit exists.
    pub(crate) fn iin_for(date: NaiveDate, sex: Sex, serial: u16) -> Option<String> {
        let body = format!(
            "{:02}{:02}{:02}{}{:04}",
            date.year() % 100,
            date.month(),
            date.day(),
            century_sex_digit(date, sex),
            serial % 10_000
        );
        let mut digits = [0u8; 12];
        for (slot, b) in digits.iter_mut().zip(body.bytes()) {
            *slot = b - b'0';
        }
        iin_check_digit(&digits).map(|check| format!("{body}{check}"))
    }

    fn date_between(from: i32, to: i32) -> impl Strategy<Value = NaiveDate> {
        (from..=to, 1u32..=12, 1u32..=31)
            .prop_filter_map("no such day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
    }

    fn sex() -> impl Strategy<Value = Sex> {
        prop::sample::select(vec![Sex::Female, Sex::Male])
    }

    fn valid_iin() -> impl Strategy<Value = (String, NaiveDate, Sex)> {
        (date_between(1800, 2099), sex(), any::<u16>())
            .prop_filter_map("check digit computes to 10 twice", |(date, sex, serial)| {
                iin_for(date, sex, serial).map(|iin| (iin, date, sex))
            })
    }

    fn number_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9]{0,16}",
            "[0-9 .№-]{0,24}",
            "[A-Za-zА-Яа-яЁё0-9 -]{0,40}",
            "\\PC{0,40}",
            // Letters whose upper case is longer or carries combining marks.
            "[0-9A-Za-zßŉǰΐΰﬀİıé\u{301}\u{306} -]{0,12}",
        ]
    }

    /// Numbers as they might be read back from storage: about ten bytes, not all ASCII.
    fn stored_number() -> impl Strategy<Value = String> {
        prop_oneof![number_text(), "[0-9éЖ]{5,10}"]
    }

    proptest! {
        #![proptest_config(crate::proptest_config(256))]

        #[test]
        fn any_document_is_checked_without_panic_and_without_echo(
            doc_type in prop::sample::select(ALL_TYPES.to_vec()),
            number in proptest::option::of(number_text()),
            issuing_country in proptest::option::of("\\PC{0,4}"),
        ) {
            let mut errors = ValidationErrors::default();
            let input = DocumentInput { doc_type, number: number.clone(), issuing_country };
            let validated = Document::validate(&input, "#/d", &mut errors);
            prop_assert_eq!(validated.is_some(), errors.is_empty());
            for error in &errors.errors {
                prop_assert!(
                    error.pointer == "#/d/number" || error.pointer == "#/d/issuing_country",
                    "{:?}", error
                );
                prop_assert!(error.detail.is_ascii(), "{:?}", error);
                if let Some(number) = number.as_deref().map(str::trim).filter(|n| n.chars().count() >= 3) {
                    prop_assert!(!error.detail.contains(number), "{:?}", error);
                }
            }
            if let Some(document) = validated {
                let _ = document.display_number();
                let _ = document.encoded_birth_date_and_sex();
            }
        }

        #[test]
        fn valid_iins_are_accepted_in_any_spelling_with_their_date_and_sex(
            (spelling, iin, date, sex) in valid_iin()
                .prop_flat_map(|(iin, date, sex)| (spelled(iin.clone()), Just(iin), Just(date), Just(sex)))
        ) {
            let document = check(DocumentType::KzId, &spelling).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(document.number.as_deref(), Some(iin.as_str()));
            prop_assert_eq!(document.encoded_birth_date_and_sex(), Some((date, sex)));
            prop_assert_eq!(document.issuing_country, Some(CountryCode::KZ));
        }

        #[test]
        fn a_wrong_iin_check_digit_is_always_caught(
            (iin, _, _) in valid_iin(),
            shift in 1u8..=9,
        ) {
            let mut digits = iin.into_bytes();
            digits[11] = b'0' + (digits[11] - b'0' + shift) % 10;
            let typo = String::from_utf8(digits).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let errors = check(DocumentType::KzId, &typo).err();
            prop_assert_eq!(
                errors.map(|e| e.errors.iter().map(|e| e.code).collect::<Vec<_>>()),
                Some(vec![FieldErrorCode::DocumentChecksum])
            );
        }

        /// Every IIN accepted encodes, in its first seven digits, exactly the date and sex
        /// it reports (checked with chrono, not with the decoder).
        #[test]
        fn an_accepted_iin_reports_the_date_its_digits_spell(
            yy in 0u32..=99, mm in 0u32..=13, dd in 0u32..=32, century_sex in 0u8..=9, serial in 0u32..=9999,
        ) {
            let body = format!("{yy:02}{mm:02}{dd:02}{century_sex}{serial:04}");
            for check_digit in 0..=9 {
                let number = format!("{body}{check_digit}");
                let Ok(document) = check(DocumentType::KzId, &number) else { continue };
                let (century, sex) = match century_sex {
                    1 => (1800, Sex::Male),
                    2 => (1800, Sex::Female),
                    3 => (1900, Sex::Male),
                    4 => (1900, Sex::Female),
                    5 => (2000, Sex::Male),
                    6 => (2000, Sex::Female),
                    _ => return Err(TestCaseError::fail(format!("accepted century digit {century_sex}"))),
                };
                let date = NaiveDate::from_ymd_opt(century + yy as i32, mm, dd);
                prop_assert!(date.is_some(), "accepted a date that does not exist: {}", number);
                prop_assert_eq!(document.encoded_birth_date_and_sex(), date.map(|d| (d, sex)));
            }
        }

        #[test]
        fn valid_kyrgyz_pins_are_accepted_with_their_date_and_sex(
            date in date_between(1900, 2030),
            sex in sex(),
            serial in 0u32..=99_999,
        ) {
            let sex_digit = if sex == Sex::Female { 1 } else { 2 };
            let pin = format!("{sex_digit}{}{serial:05}", date.format("%d%m%Y"));
            let document = check(DocumentType::KgId, &pin).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(document.number.as_deref(), Some(pin.as_str()));
            prop_assert_eq!(document.encoded_birth_date_and_sex(), Some((date, sex)));
        }

        #[test]
        fn an_accepted_kyrgyz_pin_reports_the_date_its_digits_spell(pin in "[0-9]{14}") {
            if let Ok(document) = check(DocumentType::KgId, &pin) {
                let (date, sex) = document
                    .encoded_birth_date_and_sex()
                    .ok_or_else(|| TestCaseError::fail("accepted PIN without a date"))?;
                prop_assert_eq!(&pin[1..9], date.format("%d%m%Y").to_string());
                prop_assert_eq!(&pin[..1], if sex == Sex::Female { "1" } else { "2" });
            }
        }

        #[test]
        fn russian_passports_in_any_spelling_keep_their_digits(
            (spelling, digits, doc_type) in prop_oneof![
                "[0-9]{10}".prop_map(|d| (d, DocumentType::RuInternalPassport)),
                "[0-9]{9}".prop_map(|d| (d, DocumentType::RuInternationalPassport)),
            ]
            .prop_flat_map(|(digits, doc_type)| (spelled(digits.clone()), Just(digits), Just(doc_type)))
        ) {
            let document = check(doc_type, &spelling).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(document.number.as_deref(), Some(digits.as_str()));
            let shown = document.display_number().unwrap_or_default();
            let again = check(doc_type, &shown).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(again, document);
        }

        /// A canonical number is itself a valid spelling of the same number, so a stored
        /// household validates again when it is edited.
        #[test]
        fn canonical_numbers_validate_again_unchanged(
            doc_type in prop::sample::select(ALL_TYPES.to_vec()),
            number in number_text(),
        ) {
            if let Ok(document) = check(doc_type, &number)
                && let Some(canonical) = document.number.clone()
            {
                let again = check(doc_type, &canonical).map_err(|e| TestCaseError::fail(format!("{canonical:?}: {e:?}")))?;
                prop_assert_eq!(again, document);
            }
        }

        #[test]
        fn any_stored_document_can_be_displayed(number in proptest::option::of(stored_number())) {
            for doc_type in ALL_TYPES {
                let document = Document { doc_type, number: number.clone(), issuing_country: None };
                let _ = document.display_number();
                let _ = document.encoded_birth_date_and_sex();
            }
        }
    }
}
