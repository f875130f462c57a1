//! Host offers: a local offers a bed, a room or a flat on the public page; a coordinator
//! of the organisation running the page verifies it, and a verified offer becomes a site
//! of kind `private_accommodation` with one bed pool, so that placement treats it like any
//! site (its rules, its capacity, its maximum nights).
//!
//! This module holds the rules: what an offer must say ([`validate_offer`]) and which site
//! and pool it becomes ([`HostOffer::site`]). The place is resolved against the place list
//! by the caller (the list is an index the server holds); the date "today" comes in too.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::household::string_enum;
use crate::shelter::{
    Amenities, BedPoolSpec, HouseRules, MAX_STAY_NIGHTS, PoolKind, SiteKind, SiteStatus,
    ValidatedSite,
};
use crate::validation::{
    FieldErrorCode, MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS, ValidationErrors, optional_text_field,
    text_field,
};
use crate::{Location, PhoneNumber};

/// Most people one offer may house: a flat, not a hostel (a hostel registers as a site).
pub const MAX_OFFER_PEOPLE: u32 = 20;
/// The furthest ahead an offer may start, and the longest it may last, in days.
pub const MAX_OFFER_DAYS: i64 = 366;
/// The longest free text a host may add.
pub const MAX_OFFER_NOTES_CHARS: usize = 1000;

string_enum!(
    /// Whether the host asks for rent.
    Rent {
        Free => "free",
        Rent => "rent",
    }
);

string_enum!(
    /// Where an offer stands.
    HostOfferStatus {
        /// Submitted, waiting for a coordinator's call or visit.
        Pending => "pending",
        /// Checked by a coordinator; it is a host site with a pool.
        Verified => "verified",
        /// Not taken up (spam, unreachable, unsuitable).
        Rejected => "rejected",
        /// Withdrawn by the host through their private link.
        Withdrawn => "withdrawn",
    }
);

/// An offer as the public form submits it: every field optional, so that every problem
/// is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostOfferInput {
    pub people: Option<String>,
    /// `dd.mm.yyyy` or ISO.
    pub available_from: Option<String>,
    /// Blank: open-ended.
    pub available_until: Option<String>,
    pub families: bool,
    pub women_only: bool,
    pub children: bool,
    pub step_free: bool,
    pub rent: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
}

/// A valid offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostOffer {
    /// The place of the place list (always resolved: `place_id` is set).
    pub location: Location,
    /// How many people the host can take.
    pub people: u32,
    pub available_from: NaiveDate,
    /// `null`: open-ended.
    pub available_until: Option<NaiveDate>,
    /// A family may stay together (one household in the home).
    pub families: bool,
    /// Women (with their young children) only.
    pub women_only: bool,
    /// Children are welcome.
    pub children: bool,
    /// Reachable without steps.
    pub step_free: bool,
    pub rent: Rent,
    /// The street address: for the coordinators and dispatchers of the running
    /// organisation only (visibility field `host_offer`).
    pub address: String,
    pub contact_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub contact_phone: PhoneNumber,
    pub notes: Option<String>,
}

fn parse_date(errors: &mut ValidationErrors, pointer: &str, text: &str) -> Option<NaiveDate> {
    match crate::date::parse_full_date(text.trim()) {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push(pointer, FieldErrorCode::InvalidDate, "must be a date");
            None
        }
    }
}

/// Checks an offer. `location` is the place the host chose, resolved against the place
/// list by the caller (`None`: not a place of the list, reported at `#/location`);
/// `today` is the deployment's date.
pub fn validate_offer(
    input: &HostOfferInput,
    location: Option<Location>,
    today: NaiveDate,
) -> Result<HostOffer, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if location.as_ref().is_none_or(|l| l.place_id.is_none()) {
        errors.push(
            "#/location",
            FieldErrorCode::InvalidValue,
            "must be a place of the place list",
        );
    }
    let people = match input.people.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push("#/people", FieldErrorCode::Required, "is required");
            None
        }
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_OFFER_PEOPLE).contains(&n) => Some(n),
            _ => {
                errors.push(
                    "#/people",
                    FieldErrorCode::InvalidValue,
                    format!("must be a number from 1 to {MAX_OFFER_PEOPLE}"),
                );
                None
            }
        },
    };
    let from = match input.available_from.as_deref().map(str::trim) {
        None | Some("") => Some(today),
        Some(text) => parse_date(&mut errors, "#/available_from", text),
    };
    if let Some(from) = from
        && (from < today - chrono::Duration::days(1)
            || from > today + chrono::Duration::days(MAX_OFFER_DAYS))
    {
        errors.push(
            "#/available_from",
            FieldErrorCode::DateImplausible,
            "must be between today and a year from now",
        );
    }
    let until = match input.available_until.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => parse_date(&mut errors, "#/available_until", text),
    };
    if let (Some(from), Some(until)) = (from, until)
        && (until <= from || until > from + chrono::Duration::days(MAX_OFFER_DAYS))
    {
        errors.push(
            "#/available_until",
            FieldErrorCode::InvalidValue,
            "must be after the first night and within a year of it",
        );
    }
    let rent = match input.rent.as_deref() {
        None | Some("") => {
            errors.push("#/rent", FieldErrorCode::Required, "is required");
            None
        }
        Some(text) => Rent::parse(text).or_else(|| {
            errors.push("#/rent", FieldErrorCode::InvalidValue, "free or rent");
            None
        }),
    };
    let address = match input.address.as_deref() {
        Some(text) => text_field(&mut errors, "#/address", text, MAX_SHORT_TEXT_CHARS, false),
        None => {
            errors.push("#/address", FieldErrorCode::Required, "is required");
            None
        }
    };
    let contact_name = match input.contact_name.as_deref() {
        Some(text) => text_field(&mut errors, "#/contact_name", text, MAX_NAME_CHARS, false),
        None => {
            errors.push("#/contact_name", FieldErrorCode::Required, "is required");
            None
        }
    };
    let country = location.as_ref().map(|l| l.country);
    let contact_phone = match input.contact_phone.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push("#/contact_phone", FieldErrorCode::Required, "is required");
            None
        }
        Some(text) => match PhoneNumber::parse(text, country) {
            Ok(phone) => Some(phone),
            Err(e) => {
                errors.push(
                    "#/contact_phone",
                    FieldErrorCode::InvalidPhone,
                    e.to_string(),
                );
                None
            }
        },
    };
    let notes = optional_text_field(
        &mut errors,
        "#/notes",
        input.notes.as_deref(),
        MAX_OFFER_NOTES_CHARS,
        true,
    );
    match (
        location,
        people,
        from,
        rent,
        address,
        contact_name,
        contact_phone,
    ) {
        (
            Some(location),
            Some(people),
            Some(available_from),
            Some(rent),
            Some(address),
            Some(contact_name),
            Some(contact_phone),
        ) if errors.is_empty() => Ok(HostOffer {
            location,
            people,
            available_from,
            available_until: until,
            families: input.families,
            women_only: input.women_only,
            children: input.children,
            step_free: input.step_free,
            rent,
            address,
            contact_name,
            contact_phone,
            notes,
        }),
        _ => Err(errors),
    }
}

impl HostOffer {
    /// The longest stay the offer allows: the nights from its first to its last day.
    pub fn max_nights(&self) -> Option<u32> {
        self.available_until.map(|until| {
            let nights = (until - self.available_from).num_days().max(1);
            u32::try_from(nights)
                .unwrap_or(MAX_STAY_NIGHTS)
                .min(MAX_STAY_NIGHTS)
        })
    }

    /// The site and the one bed pool a verified offer becomes. The site carries no address
    /// and no contact: those stay on the offer, for the coordinators and dispatchers of the
    /// running organisation (see `visibility::Field::HostOffer`). Women only: a female dorm
    /// (young children stay with their mother); a family: one family room of all the beds
    /// (one household); otherwise a mixed pool of single beds.
    pub fn site(&self, name: String) -> (ValidatedSite, BedPoolSpec) {
        let rules = HouseRules {
            max_nights: self.max_nights(),
            check_in_from: None,
            check_in_until: None,
            sex_segregated: false,
            children_allowed: self.children,
        };
        let site = ValidatedSite {
            name,
            kind: SiteKind::PrivateAccommodation,
            address: None,
            location: self.location.clone(),
            coordinates: None,
            contact_name: None,
            contact_phone: None,
            status: SiteStatus::Open,
            rules,
            amenities: Amenities {
                step_free: self.step_free,
                ..Amenities::default()
            },
            // The host's place gives the clock.
            time_zone: None,
        };
        let (kind, room_size) = if self.women_only {
            (PoolKind::FemaleDorm, None)
        } else if self.families {
            (PoolKind::FamilyRoom, Some(self.people))
        } else {
            (PoolKind::Mixed, None)
        };
        let pool = BedPoolSpec {
            kind,
            room_size,
            beds: self.people,
            step_free_beds: if self.step_free { self.people } else { 0 },
            blocked_beds: 0,
            transitory_beds: 0,
        };
        (site, pool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CountryCode;
    use crate::places::PlaceId;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 9, 28).expect("date")
    }

    fn oral() -> Option<Location> {
        Some(Location {
            country: CountryCode::KZ,
            region: None,
            city: "Уральск".into(),
            place_id: Some(PlaceId(608_668)),
        })
    }

    fn input() -> HostOfferInput {
        HostOfferInput {
            people: Some("3".into()),
            available_from: Some("29.09.2022".into()),
            available_until: Some("29.10.2022".into()),
            families: true,
            children: true,
            rent: Some("free".into()),
            address: Some("ул. Абая 1, кв. 2".into()),
            contact_name: Some("Айгерим".into()),
            contact_phone: Some("8 701 555 01 23".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_family_offer_becomes_one_family_room_with_its_nights() {
        let offer = validate_offer(&input(), oral(), today()).expect("valid");
        assert_eq!(offer.contact_phone.as_str(), "+77015550123");
        let (site, pool) = offer.site("Дом".into());
        assert_eq!(site.kind, SiteKind::PrivateAccommodation);
        assert_eq!(site.rules.max_nights, Some(30));
        assert!(site.rules.children_allowed);
        assert_eq!(site.address, None);
        assert_eq!(site.contact_phone, None);
        assert_eq!(pool.kind, PoolKind::FamilyRoom);
        assert_eq!((pool.room_size, pool.beds), (Some(3), 3));
    }

    #[test]
    fn women_only_is_a_female_pool_and_step_free_beds_follow() {
        let mut women = input();
        women.women_only = true;
        women.step_free = true;
        women.children = false;
        women.available_until = None;
        let offer = validate_offer(&women, oral(), today()).expect("valid");
        let (site, pool) = offer.site("Дом".into());
        assert_eq!(pool.kind, PoolKind::FemaleDorm);
        assert_eq!(pool.step_free_beds, 3);
        assert!(!site.rules.children_allowed);
        assert_eq!(site.rules.max_nights, None);
    }

    #[test]
    fn every_problem_is_reported_without_its_value() {
        let bad = HostOfferInput {
            people: Some("500".into()),
            available_from: Some("31.02.2022".into()),
            available_until: Some("01.01.2021".into()),
            rent: Some("cheap".into()),
            address: Some("x".repeat(MAX_SHORT_TEXT_CHARS + 1)),
            contact_name: Some(" ".into()),
            contact_phone: Some("12".into()),
            notes: Some("я".repeat(MAX_OFFER_NOTES_CHARS + 1)),
            ..Default::default()
        };
        let errors = validate_offer(&bad, None, today()).expect_err("invalid");
        let pointers: Vec<&str> = errors.errors.iter().map(|e| e.pointer.as_str()).collect();
        for pointer in [
            "#/location",
            "#/people",
            "#/available_from",
            "#/rent",
            "#/address",
            "#/contact_name",
            "#/contact_phone",
            "#/notes",
        ] {
            assert!(pointers.contains(&pointer), "{pointer} in {pointers:?}");
        }
        assert!(errors.errors.iter().all(|e| !e.detail.contains("cheap")));
    }

    #[test]
    fn an_end_before_the_start_or_a_place_outside_the_list_is_refused() {
        let mut backwards = input();
        backwards.available_until = Some("28.09.2022".into());
        assert!(validate_offer(&backwards, oral(), today()).is_err());
        let mut unlisted = oral();
        if let Some(l) = &mut unlisted {
            l.place_id = None;
        }
        assert!(validate_offer(&input(), unlisted, today()).is_err());
    }
}
