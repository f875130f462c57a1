//! The deployment's calendar: one IANA time zone for "today" wherever a date is taken
//! from the clock (the day a distribution is recorded on and the entitlement periods
//! counted back from it, the days of figures, waiting days, whether an agreement is still
//! in force). A family served at half past midnight in Almaty is served on that day, not
//! on the UTC day before. Set once at start (`shanyrak serve --time-zone`); the server's
//! displayed times use the same zone.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// Where a deployment is unless told otherwise.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Asia::Almaty;

static ZONE: OnceLock<Tz> = OnceLock::new();

/// Sets the deployment's zone once, at start; `false` if it was already set.
pub fn configure(zone: Tz) -> bool {
    ZONE.set(zone).is_ok()
}

/// The deployment's zone.
pub fn zone() -> Tz {
    ZONE.get().copied().unwrap_or(DEFAULT_TIME_ZONE)
}

/// The date of a moment on the deployment's calendar.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&zone()).date_naive()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn half_past_midnight_in_almaty_is_already_the_next_day() {
        // 2022-09-27 18:30 UTC is 00:30 on the 28th in Almaty (UTC+6 that autumn).
        let at = Utc
            .with_ymd_and_hms(2022, 9, 27, 18, 30, 0)
            .single()
            .expect("t");
        assert_eq!(at.date_naive().to_string(), "2022-09-27");
        assert_eq!(
            at.with_timezone(&DEFAULT_TIME_ZONE)
                .date_naive()
                .to_string(),
            "2022-09-28"
        );
    }
}
