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
            DocumentType::RuInternalPassport if number.len() == 10 => {
                format!("{} {}", &number[..4], &number[4..])
            }
            DocumentType::RuInternationalPassport if number.len() == 9 => {
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
                    canonical.extend(c.to_uppercase());
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
    fn birth_certificates_keep_cyrillic_series() {
        let doc = validate(DocumentType::BirthCertificate, "III-мю 123456").expect("valid");
        assert_eq!(doc.number.as_deref(), Some("IIIМЮ123456"));
    }
}
