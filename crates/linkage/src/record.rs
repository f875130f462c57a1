//! The input record: one registration of one person, as typed.
//!
//! Fields are kept as raw strings; normalisation happens in [`crate::prepare`]. Shanyrak's
//! `core` crate has its own person type and adapts to this one.

use crate::error::LinkageError;

/// Sex as recorded. Unknown is `None` on the record, not a variant, so a comparator can
/// tell "missing" from "different".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Sex {
    /// Reads the usual spellings (`M`, `F`, `м`, `ж`, `male`, `муж`, ...); `None` otherwise.
    pub fn parse_loose(s: &str) -> Option<Sex> {
        let t = s.trim().to_lowercase();
        match t.as_str() {
            "m" | "male" | "man" | "м" | "муж" | "мужской" | "мужчина" | "1" => {
                Some(Sex::Male)
            }
            "f" | "female" | "woman" | "w" | "ж" | "жен" | "женский" | "женщина" | "2" => {
                Some(Sex::Female)
            }
            _ => None,
        }
    }
}

/// A birth date that may be known only in part (year only, or year and month), or
/// estimated ("about 40 years old" → 1982, estimated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PartialDate {
    year: Option<u16>,
    month: Option<u8>,
    day: Option<u8>,
    estimated: bool,
}

impl PartialDate {
    /// Builds a date, rejecting impossible months and days. A day without a month is
    /// rejected because it cannot be compared meaningfully.
    pub fn new(
        year: Option<u16>,
        month: Option<u8>,
        day: Option<u8>,
        estimated: bool,
    ) -> Result<Self, LinkageError> {
        if let Some(m) = month
            && !(1..=12).contains(&m)
        {
            return Err(LinkageError::InvalidDate(format!("month {m}")));
        }
        if let Some(d) = day {
            if !(1..=31).contains(&d) {
                return Err(LinkageError::InvalidDate(format!("day {d}")));
            }
            if month.is_none() {
                return Err(LinkageError::InvalidDate("day without month".into()));
            }
        }
        if let Some(y) = year
            && !(1850..=2200).contains(&y)
        {
            return Err(LinkageError::InvalidDate(format!("year {y}")));
        }
        Ok(PartialDate {
            year,
            month,
            day,
            estimated,
        })
    }

    /// A complete, exact date.
    pub fn ymd(year: u16, month: u8, day: u8) -> Result<Self, LinkageError> {
        Self::new(Some(year), Some(month), Some(day), false)
    }

    /// Year only.
    pub fn year_only(year: u16, estimated: bool) -> Result<Self, LinkageError> {
        Self::new(Some(year), None, None, estimated)
    }

    /// Parses `YYYY-MM-DD`, `DD.MM.YYYY`, `DD/MM/YYYY`, `YYYYMMDD`, `YYYY-MM` and `YYYY`. The
    /// day/month order of dotted and slashed dates is taken as day first, as written in
    /// Russia and Central Asia; swaps are the comparator's business.
    pub fn parse_loose(s: &str) -> Result<Self, LinkageError> {
        let t = s.trim();
        let parts: Vec<&str> = t
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .collect();
        let num = |p: &str| -> Result<u32, LinkageError> {
            p.parse::<u32>()
                .map_err(|_| LinkageError::InvalidDate(format!("not a number: {p:?}")))
        };
        let small = |v: u32| -> Result<u8, LinkageError> {
            u8::try_from(v).map_err(|_| LinkageError::InvalidDate(format!("{v} out of range")))
        };
        let year = |v: u32| -> Result<u16, LinkageError> {
            u16::try_from(v).map_err(|_| LinkageError::InvalidDate(format!("year {v}")))
        };
        match parts.as_slice() {
            [y] if y.len() == 4 => Self::year_only(year(num(y)?)?, false),
            // Compact YYYYMMDD, as in FEBRL and many exports.
            [c] if c.len() == 8 && c.is_ascii() => Self::ymd(
                year(num(&c[..4])?)?,
                small(num(&c[4..6])?)?,
                small(num(&c[6..])?)?,
            ),
            [y, m] if y.len() == 4 => {
                Self::new(Some(year(num(y)?)?), Some(small(num(m)?)?), None, false)
            }
            [y, m, d] if y.len() == 4 => {
                Self::ymd(year(num(y)?)?, small(num(m)?)?, small(num(d)?)?)
            }
            [d, m, y] if y.len() == 4 => {
                Self::ymd(year(num(y)?)?, small(num(m)?)?, small(num(d)?)?)
            }
            _ => Err(LinkageError::InvalidDate(format!(
                "unrecognised format ({} parts)",
                parts.len()
            ))),
        }
    }

    /// Year, if known.
    pub fn year(&self) -> Option<u16> {
        self.year
    }
    /// Month, if known.
    pub fn month(&self) -> Option<u8> {
        self.month
    }
    /// Day, if known.
    pub fn day(&self) -> Option<u8> {
        self.day
    }
    /// Whether the date is an estimate.
    pub fn estimated(&self) -> bool {
        self.estimated
    }
}

/// An identity document as typed: a free-form type and a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Document {
    /// Free-form document type ("passport_ru_internal", "загранпаспорт", "birth certificate").
    pub doc_type: String,
    /// The number as typed, with any spaces or dashes.
    pub number: String,
}

/// One registration of one person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonRecord {
    /// Caller's identifier, returned in results.
    pub record_id: String,
    /// Surname (family name) as typed; may hold the full name if the volunteer put it there.
    pub surname: String,
    /// Given name as typed.
    pub given_name: String,
    /// Patronymic or Central Asian `uly`/`kyzy` name, if typed.
    pub patronymic: Option<String>,
    /// Sex, if recorded.
    pub sex: Option<Sex>,
    /// Birth date, possibly partial.
    pub birth_date: Option<PartialDate>,
    /// Citizenship as typed (ISO code or a name in any language).
    pub citizenship: Option<String>,
    /// Identity documents.
    pub documents: Vec<Document>,
    /// Phone number as typed.
    pub phone: Option<String>,
    /// Street address as typed (house number and street, or one free-form line), if
    /// recorded: a previous residence, a host family's address.
    pub address: Option<String>,
    /// Locality (town, suburb, village) as typed.
    pub locality: Option<String>,
    /// Postcode as typed.
    pub postcode: Option<String>,
    /// Region (state, oblast, province) as typed.
    pub region: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_date_formats() {
        assert_eq!(
            PartialDate::parse_loose("02.03.1995"),
            PartialDate::ymd(1995, 3, 2)
        );
        assert_eq!(
            PartialDate::parse_loose("1995-03-02"),
            PartialDate::ymd(1995, 3, 2)
        );
        assert_eq!(
            PartialDate::parse_loose("1995"),
            PartialDate::year_only(1995, false)
        );
        assert!(PartialDate::parse_loose("31.13.1995").is_err());
        assert!(PartialDate::parse_loose("garbage").is_err());
        assert_eq!(
            PartialDate::parse_loose("19950302"),
            PartialDate::ymd(1995, 3, 2)
        );
        assert!(PartialDate::parse_loose("19951302").is_err());
        assert!(PartialDate::parse_loose("99999999999999999999.1.1").is_err());
    }

    #[test]
    fn parses_sex() {
        assert_eq!(Sex::parse_loose("Ж"), Some(Sex::Female));
        assert_eq!(Sex::parse_loose("m"), Some(Sex::Male));
        assert_eq!(Sex::parse_loose("?"), None);
    }
}
