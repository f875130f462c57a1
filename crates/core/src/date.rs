//! Dates as people give them: a full birth date, only a year (or year and month), or an
//! estimate. Written as ISO 8601 (reduced precision is ISO 8601 too: `1995`, `1995-03`) or
//! as a Russian user types them (`02.03.1995`).

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// A birth date that may be known only to the year or month. Whether it is an estimate
/// is recorded beside it, on the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BirthDate {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a date; write YYYY-MM-DD, DD.MM.YYYY, YYYY-MM or YYYY")]
pub struct InvalidDate;

/// Parses a full calendar date in ISO 8601 (`2022-09-27`) or Russian (`27.09.2022`) form.
pub fn parse_full_date(input: &str) -> Result<NaiveDate, InvalidDate> {
    let trimmed = input.trim();
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(trimmed, "%d.%m.%Y"))
        .map_err(|_| InvalidDate)
        .and_then(|d| {
            // chrono accepts 5-digit and negative years; no person was born then.
            if (1..=9999).contains(&d.year()) {
                Ok(d)
            } else {
                Err(InvalidDate)
            }
        })
}

fn parse_year(text: &str) -> Result<i32, InvalidDate> {
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().map_err(|_| InvalidDate)
    } else {
        Err(InvalidDate)
    }
}

impl BirthDate {
    pub fn full(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: Some(date.month()),
            day: Some(date.day()),
        }
    }

    /// Parses `YYYY-MM-DD`, `DD.MM.YYYY`, `YYYY-MM`, `MM.YYYY` or `YYYY`.
    pub fn parse(input: &str) -> Result<Self, InvalidDate> {
        let trimmed = input.trim();
        if let Ok(date) = parse_full_date(trimmed) {
            return Ok(Self::full(date));
        }
        let (year, month) = if let Some((y, m)) = trimmed.split_once('-') {
            (parse_year(y)?, m)
        } else if let Some((m, y)) = trimmed.split_once('.') {
            (parse_year(y)?, m)
        } else {
            return Ok(Self {
                year: parse_year(trimmed)?,
                month: None,
                day: None,
            });
        };
        if month.len() != 2 || !month.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidDate);
        }
        let month: u32 = month.parse().map_err(|_| InvalidDate)?;
        if !(1..=12).contains(&month) {
            return Err(InvalidDate);
        }
        Ok(Self {
            year,
            month: Some(month),
            day: None,
        })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn month(&self) -> Option<u32> {
        self.month
    }

    pub fn day(&self) -> Option<u32> {
        self.day
    }

    /// The full date when day and month are known.
    pub fn as_full_date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month?, self.day?)
    }

    /// The earliest day this birth date can mean, for "in the future" checks.
    pub fn earliest(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// ISO 8601 with the precision that is known: `1995-03-02`, `1995-03` or `1995`.
    pub fn to_iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// Age in whole years on `on`, counting an unknown month or day as the middle of the
    /// range; `None` before birth.
    pub fn age_on(&self, on: NaiveDate) -> Option<u32> {
        let month = self.month.unwrap_or(7);
        let day = self.day.unwrap_or(1);
        let mut years = on.year() - self.year;
        if (on.month(), on.day()) < (month, day) {
            years -= 1;
        }
        u32::try_from(years).ok()
    }
}

impl serde::Serialize for BirthDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_iso())
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for BirthDate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "ISO 8601 date with the precision known: YYYY-MM-DD, YYYY-MM or YYYY",
            ))
            .examples([serde_json::json!("1995-03-02")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for BirthDate {}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn parses_iso_and_russian_forms() {
        assert_eq!(parse_full_date("2022-09-27"), Ok(d(2022, 9, 27)));
        assert_eq!(parse_full_date("27.09.2022"), Ok(d(2022, 9, 27)));
        assert_eq!(parse_full_date("2022-02-30"), Err(InvalidDate));
        assert_eq!(parse_full_date("99.09.2022"), Err(InvalidDate));
        assert_eq!(parse_full_date("+12022-09-27"), Err(InvalidDate));
    }

    #[test]
    fn reduced_precision_round_trips() {
        for text in ["1995-03-02", "1995-03", "1995"] {
            assert_eq!(
                BirthDate::parse(text).map(|b| b.to_iso()),
                Ok(text.to_owned())
            );
        }
        assert_eq!(
            BirthDate::parse("03.1995").map(|b| b.to_iso()),
            Ok("1995-03".to_owned())
        );
        assert_eq!(
            BirthDate::parse("02.03.1995").map(|b| b.to_iso()),
            Ok("1995-03-02".to_owned())
        );
    }

    #[test]
    fn rejects_nonsense() {
        for text in [
            "",
            "95",
            "1995-13",
            "1995-1",
            "abcd",
            "1995-03-02T00:00",
            "31.02.1995",
            "12345",
        ] {
            assert_eq!(BirthDate::parse(text), Err(InvalidDate), "{text}");
        }
    }

    #[test]
    fn age_counts_birthdays() {
        let b = BirthDate::parse("2000-10-01").expect("valid");
        assert_eq!(b.age_on(d(2022, 9, 30)), Some(21));
        assert_eq!(b.age_on(d(2022, 10, 1)), Some(22));
        assert_eq!(b.age_on(d(1999, 1, 1)), None);
    }
}

/// Property tests: any text is answered without a panic; what is accepted prints back as
/// itself; calendar edges (month 13, day 32, 29 February) are errors exactly when chrono
/// says the day does not exist.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    fn typed() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9.\\- ]{0,12}",
            "[+-]?[0-9]{1,6}-[0-9]{1,3}(-[0-9]{1,3})?",
            "[0-9]{1,3}\\.[0-9]{1,3}(\\.[+-]?[0-9]{1,6})?",
            "\\s{0,2}[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?\\s{0,2}",
        ]
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (1i32..=9999, 1u32..=366).prop_filter_map("no such day", |(y, ordinal)| {
            NaiveDate::from_yo_opt(y, ordinal)
        })
    }

    /// Years where leap-year rules differ (1900 and 2100 are not leap years, 2000 is).
    fn edge_year() -> impl Strategy<Value = i32> {
        prop_oneof![
            prop::sample::select(vec![
                1, 1899, 1900, 1999, 2000, 2004, 2022, 2023, 2024, 2100, 9999
            ]),
            1i32..=9999,
        ]
    }

    proptest! {
        #![proptest_config(crate::proptest_config(1024))]

        #[test]
        fn anything_typed_is_answered_and_what_is_accepted_prints_back(
            text in typed(),
            on in any_date(),
        ) {
            if let Ok(date) = parse_full_date(&text) {
                prop_assert_eq!(BirthDate::parse(&text), Ok(BirthDate::full(date)));
            }
            if let Ok(birth) = BirthDate::parse(&text) {
                let iso = birth.to_iso();
                prop_assert_eq!(BirthDate::parse(&iso), Ok(birth), "{}", iso);
                prop_assert!(birth.earliest().is_some());
                prop_assert!(birth.month().is_some() || birth.day().is_none());
                prop_assert_eq!(birth.as_full_date().is_some(), birth.day().is_some());
                let _ = birth.age_on(on);
            }
        }

        #[test]
        fn every_calendar_day_parses_in_both_forms(date in any_date()) {
            let iso = date.format("%Y-%m-%d").to_string();
            let russian = date.format("%d.%m.%Y").to_string();
            prop_assert_eq!(parse_full_date(&iso), Ok(date));
            prop_assert_eq!(parse_full_date(&russian), Ok(date));
            prop_assert_eq!(BirthDate::parse(&russian).map(|b| b.to_iso()), Ok(iso));
        }

        #[test]
        fn a_day_is_accepted_exactly_when_it_exists(
            year in edge_year(), month in 0u32..=13, day in 0u32..=32,
        ) {
            let exists = NaiveDate::from_ymd_opt(year, month, day);
            prop_assert_eq!(parse_full_date(&format!("{year:04}-{month:02}-{day:02}")).ok(), exists);
            prop_assert_eq!(parse_full_date(&format!("{day:02}.{month:02}.{year:04}")).ok(), exists);
        }

        #[test]
        fn a_month_is_accepted_exactly_when_it_exists(year in edge_year(), month in 0u32..=99) {
            let expected = (1..=12).contains(&month).then(|| format!("{year:04}-{month:02}"));
            prop_assert_eq!(BirthDate::parse(&format!("{year:04}-{month:02}")).ok().map(|b| b.to_iso()), expected.clone());
            prop_assert_eq!(BirthDate::parse(&format!("{month:02}.{year:04}")).ok().map(|b| b.to_iso()), expected);
            prop_assert_eq!(BirthDate::parse(&format!("{year:04}")).map(|b| b.to_iso()), Ok(format!("{year:04}")));
        }

        /// Age counts birthdays as chrono does; for a partial date it never exceeds the
        /// age of the earliest day the date can mean, and it never goes down with time.
        #[test]
        fn age_counts_birthdays_and_never_goes_down(
            birth in any_date(), on in any_date(), later_by in 0i64..=800,
        ) {
            let full = BirthDate::full(birth);
            prop_assert_eq!(full.age_on(on), on.years_since(birth));
            let later = on.checked_add_signed(chrono::Duration::days(later_by)).unwrap_or(on);
            for partial in [BirthDate::parse(&birth.format("%Y-%m").to_string()), BirthDate::parse(&birth.format("%Y").to_string())] {
                let partial = partial.map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(partial.age_on(later) >= partial.age_on(on));
                let earliest = partial.earliest().ok_or_else(|| TestCaseError::fail("no earliest day"))?;
                prop_assert!(partial.age_on(on) <= on.years_since(earliest));
            }
        }
    }
}
