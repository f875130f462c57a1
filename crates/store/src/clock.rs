//! The deployment's calendar: one IANA time zone for "today" wherever a date is taken
//! from the clock (the day a distribution is recorded on and the entitlement periods
//! counted back from it, the days of figures, waiting days, whether an agreement is still
//! in force). A family served at half past midnight in Almaty is served on that day, not
//! on the UTC day before. Set once at start (`shanyrak serve --time-zone`); the server's
//! displayed times use the same zone.
//!
//! A place keeps its own calendar: where a record names a place of the list (a site's or
//! a household's city, the city of a distribution point), its day is the day in that
//! place's zone ([`zone_of_place`], [`local_date_in`]): a distribution at a point in
//! Uralsk (`Asia/Oral`) at half past midnight there is recorded on Uralsk's new day even
//! when Almaty's clock says otherwise. Figures' days stay on the deployment's calendar.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use shanyrak_core::places::{PlaceId, PlaceList};

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

/// The date of a moment in `zone`.
pub fn local_date_in(zone: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// The zone of a place of the list, else the deployment's (no place, or an id the list
/// does not hold).
pub fn zone_of_place(place: Option<PlaceId>) -> Tz {
    place
        .and_then(|id| PlaceList::shared()?.get(id))
        .map_or_else(zone, |p| p.time_zone())
}

/// A site's zone: its own if one was set, else its place's, else the deployment's.
pub fn zone_of_site(site: &shanyrak_core::shelter::Site) -> Tz {
    site.details
        .time_zone
        .unwrap_or_else(|| zone_of_place(site.details.location.place_id))
}

/// Writes a zone as its IANA name (`Asia/Oral`).
pub fn serialize_zone<S: serde::Serializer>(zone: &Tz, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(zone.name())
}

/// The zone of the one place a typed name means (`Уральск`, `Oral`), else the
/// deployment's: a name several places share (`Аксай`) or none names says nothing.
pub fn zone_of_named_place(name: Option<&str>) -> Tz {
    name.and_then(|n| {
        let index = PlaceList::shared_index()?;
        index.list().get(index.resolve(n)?)
    })
    .map_or_else(zone, |p| p.time_zone())
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

    #[test]
    fn a_place_keeps_its_own_calendar() {
        // 2022-09-27 19:00 UTC: 00:00 on the 28th in Uralsk (UTC+5), 01:00 in Almaty.
        let at = Utc
            .with_ymd_and_hms(2022, 9, 27, 18, 30, 0)
            .single()
            .expect("t");
        let oral = zone_of_named_place(Some("Уральск"));
        assert_eq!(oral, chrono_tz::Asia::Oral);
        assert_eq!(zone_of_place(Some(PlaceId(608668))), chrono_tz::Asia::Oral);
        assert_eq!(
            local_date_in(oral, at).to_string(),
            "2022-09-27",
            "23:30 in Uralsk"
        );
        assert_eq!(
            local_date_in(zone_of_named_place(Some("Алматы")), at).to_string(),
            "2022-09-28"
        );
        // No place, an unknown id, a name several places share: the deployment's zone.
        assert_eq!(zone_of_place(None), zone());
        assert_eq!(zone_of_place(Some(PlaceId(1))), zone());
        assert_eq!(zone_of_named_place(Some("Аксай")), zone());
        assert_eq!(zone_of_named_place(None), zone());
    }
}
