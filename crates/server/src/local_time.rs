//! The deployment's clock: one IANA time zone (`shanyrak serve --time-zone Asia/Bishkek`)
//! for every time shown and for "today" (a date not in the future, the dashboard's last
//! day). The zone's own history applies: a registration of September 2022 in Almaty is
//! shown at UTC+6, one of 2025 at UTC+5.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

/// Where a deployment is unless told otherwise.
pub const DEFAULT_TIME_ZONE: Tz = shanyrak_store::clock::DEFAULT_TIME_ZONE;

/// Sets the deployment's zone once, at start, for the times shown here and for the
/// store's "today"; `false` if it was already set.
pub fn configure(zone: Tz) -> bool {
    shanyrak_store::clock::configure(zone)
}

/// The deployment's zone.
pub fn zone() -> Tz {
    shanyrak_store::clock::zone()
}

/// Parses an IANA name (`Asia/Almaty`), naming the problem in the error.
pub fn parse(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!("{name:?} is not an IANA time zone (e.g. Asia/Almaty, Asia/Bishkek, Asia/Oral)")
    })
}

/// A moment on the deployment's clock.
pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&zone()).naive_local()
}

/// The date of a moment on the deployment's calendar.
pub fn date_of(at: DateTime<Utc>) -> NaiveDate {
    shanyrak_store::clock::local_date(at)
}

/// Today's date on the deployment's clock.
pub fn today() -> NaiveDate {
    local(Utc::now()).date()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// The wall clock in `zone` at a UTC moment.
    fn wall_clock(utc: (i32, u32, u32, u32, u32), zone: chrono_tz::Tz) -> String {
        let (year, month, day, hour, minute) = utc;
        Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
            .single()
            .expect("t")
            .with_timezone(&zone)
            .naive_local()
            .to_string()
    }

    #[test]
    fn local_times_follow_the_zones_history() {
        use chrono_tz::Asia::{Almaty, Bishkek, Oral};
        let autumn_2022 = (2022, 9, 27, 17, 30);
        assert_eq!(
            wall_clock(autumn_2022, Almaty),
            "2022-09-27 23:30:00",
            "UTC+6 in 2022"
        );
        assert_eq!(
            wall_clock(autumn_2022, Oral),
            "2022-09-27 22:30:00",
            "UTC+5"
        );
        assert_eq!(wall_clock(autumn_2022, Bishkek), "2022-09-27 23:30:00");
        assert_eq!(
            wall_clock((2025, 3, 1, 18, 45), Almaty),
            "2025-03-01 23:45:00",
            "UTC+5 since 2024"
        );
    }

    #[test]
    fn a_zone_is_named_as_iana_names_it() {
        assert_eq!(parse("Asia/Bishkek"), Ok(chrono_tz::Asia::Bishkek));
        assert!(parse("UTC+5").is_err());
        assert!(parse("Almaty").is_err());
    }
}
