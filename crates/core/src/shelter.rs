//! Shelter sites, their bed pools and the rules for who may sleep where.
//!
//! Occupancy is never stored: callers count the stays that hold beds and ask
//! [`check_admission`] whether more people fit. The rules are the ones reception centres
//! use: children never in a male dorm, single-sex dorms take one sex, a family room takes
//! one household, step-free needs get step-free beds, and transitory beds take one-night
//! stays only.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::household::string_enum;
use crate::validation::{
    FieldErrorCode, MAX_SHORT_TEXT_CHARS, ValidationErrors, optional_text_field, text_field,
};
use crate::{Location, LocationInput, PhoneNumber, Sex};

string_enum!(
    SiteKind {
        SportsHall => "sports_hall",
        Mosque => "mosque",
        Cinema => "cinema",
        School => "school",
        Dormitory => "dormitory",
        Hostel => "hostel",
        Hotel => "hotel",
        /// A host family or flat offered through a vetting organisation.
        PrivateAccommodation => "private_accommodation",
        Other => "other",
    }
);

string_enum!(
    SiteStatus {
        Open => "open",
        Full => "full",
        Closed => "closed",
    }
);

string_enum!(
    PoolKind {
        MaleDorm => "male_dorm",
        FemaleDorm => "female_dorm",
        /// Rooms of `room_size` beds; one household per room.
        FamilyRoom => "family_room",
        Mixed => "mixed",
    }
);

/// House rules of a site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HouseRules {
    /// Longest stay in nights; stays reaching it are flagged.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub max_nights: Option<u32>,
    /// Check-in window, local time `HH:MM`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::time_of_day))]
    pub check_in_from: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::time_of_day))]
    pub check_in_until: Option<String>,
    /// Men and women sleep apart: only `male_dorm` and `female_dorm` pools.
    #[serde(default)]
    pub sex_segregated: bool,
    /// Whether people under 18 may stay (default true).
    #[serde(default = "yes")]
    pub children_allowed: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Amenities {
    #[serde(default)]
    pub heating: bool,
    #[serde(default)]
    pub showers: bool,
    #[serde(default)]
    pub meals: bool,
    #[serde(default)]
    pub step_free: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Coordinates {
    #[cfg_attr(feature = "openapi", schema(minimum = -90, maximum = 90))]
    pub latitude: f64,
    #[cfg_attr(feature = "openapi", schema(minimum = -180, maximum = 180))]
    pub longitude: f64,
}

impl Coordinates {
    /// Finite, latitude within ±90 and longitude within ±180.
    pub fn in_range(&self) -> bool {
        self.latitude.is_finite()
            && self.longitude.is_finite()
            && (-90.0..=90.0).contains(&self.latitude)
            && (-180.0..=180.0).contains(&self.longitude)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    /// Required.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::short_text, required = true))]
    pub name: Option<String>,
    /// Required.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub kind: Option<SiteKind>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::short_text_or_blank))]
    pub address: Option<String>,
    /// Required: country and city.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub location: Option<LocationInput>,
    #[serde(default)]
    pub coordinates: Option<Coordinates>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::short_text_or_blank))]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// Defaults to `open`.
    #[serde(default)]
    pub status: Option<SiteStatus>,
    #[serde(default)]
    pub rules: Option<HouseRules>,
    #[serde(default)]
    pub amenities: Option<Amenities>,
    /// The site's own IANA time zone (`Asia/Oral`), where it differs from its place's;
    /// absent, blank or null: the zone of the site's place, else the deployment's.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 64, example = "Asia/Oral"))]
    pub time_zone: Option<String>,
}

/// A site that passed validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidatedSite {
    pub name: String,
    pub kind: SiteKind,
    pub address: Option<String>,
    pub location: Location,
    pub coordinates: Option<Coordinates>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<PhoneNumber>,
    pub status: SiteStatus,
    pub rules: HouseRules,
    pub amenities: Amenities,
    /// The site's own IANA time zone, set explicitly; absent: its place's.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_optional_zone"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "Asia/Oral"))]
    pub time_zone: Option<chrono_tz::Tz>,
}

fn serialize_optional_zone<S: serde::Serializer>(
    zone: &Option<chrono_tz::Tz>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match zone {
        Some(zone) => serializer.serialize_str(zone.name()),
        None => serializer.serialize_none(),
    }
}

/// Reads an explicit time zone: an IANA name, or nothing for blank.
fn parse_time_zone(errors: &mut ValidationErrors, text: Option<&str>) -> Option<chrono_tz::Tz> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match text.parse::<chrono_tz::Tz>() {
        Ok(zone) => Some(zone),
        Err(_) => {
            errors.push(
                "#/time_zone",
                FieldErrorCode::InvalidValue,
                "not an IANA time zone name (e.g. Asia/Oral, Asia/Bishkek)",
            );
            None
        }
    }
}

/// A stored site.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    pub id: Uuid,
    pub organisation_id: Uuid,
    #[serde(flatten)]
    pub details: ValidatedSite,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Site {
    /// The editable part in input shape, the starting point of a JSON merge patch.
    pub fn to_input(&self) -> SiteInput {
        let d = &self.details;
        SiteInput {
            name: Some(d.name.clone()),
            kind: Some(d.kind),
            address: d.address.clone(),
            location: Some(LocationInput {
                country: Some(d.location.country.to_string()),
                region: d.location.region.clone(),
                city: Some(d.location.city.clone()),
                // Not carried: an edit that changes the city must not keep the old place.
                // The store keeps the place while the name stays the same.
                place_id: None,
            }),
            coordinates: d.coordinates,
            contact_name: d.contact_name.clone(),
            contact_phone: d.contact_phone.as_ref().map(|p| p.to_string()),
            status: Some(d.status),
            rules: Some(d.rules.clone()),
            amenities: Some(d.amenities),
            time_zone: d.time_zone.map(|z| z.name().to_owned()),
        }
    }
}

string_enum!(
    /// What a site is, as coarsely as those who may not see the site itself learn it.
    SiteKindGroup {
        /// Halls, mosques, cinemas, schools, dormitories and the like.
        Collective => "collective",
        /// Hostels and hotels.
        Commercial => "commercial",
        /// A host family or flat.
        Private => "private",
    }
);

impl SiteKind {
    pub fn group(self) -> SiteKindGroup {
        match self {
            SiteKind::Hostel | SiteKind::Hotel => SiteKindGroup::Commercial,
            SiteKind::PrivateAccommodation => SiteKindGroup::Private,
            _ => SiteKindGroup::Collective,
        }
    }

    /// Kinds whose location public figures must never reveal (issue: figures that
    /// expose no one): places of worship and private homes.
    pub fn is_sensitive(self) -> bool {
        matches!(self, SiteKind::Mosque | SiteKind::PrivateAccommodation)
    }
}

pub(crate) fn parse_clock(
    errors: &mut ValidationErrors,
    pointer: &str,
    value: Option<&str>,
) -> Option<String> {
    let text = value.map(str::trim).filter(|t| !t.is_empty())?;
    match NaiveTime::parse_from_str(text, "%H:%M") {
        Ok(t) => Some(t.format("%H:%M").to_string()),
        Err(_) => {
            errors.push(
                pointer,
                FieldErrorCode::InvalidFormat,
                "must be a time of day as HH:MM",
            );
            None
        }
    }
}

/// Validates a site as submitted.
pub fn validate_site(input: &SiteInput) -> Result<ValidatedSite, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let name = match &input.name {
        Some(n) => text_field(&mut errors, "#/name", n, MAX_SHORT_TEXT_CHARS, false),
        None => {
            errors.push("#/name", FieldErrorCode::Required, "is required");
            None
        }
    };
    if input.kind.is_none() {
        errors.push("#/kind", FieldErrorCode::Required, "is required");
    }
    let address = optional_text_field(
        &mut errors,
        "#/address",
        input.address.as_deref(),
        MAX_SHORT_TEXT_CHARS,
        false,
    );
    let location = crate::household::validate_location(&mut errors, input.location.as_ref());
    if input.coordinates.is_some_and(|c| !c.in_range()) {
        errors.push(
            "#/coordinates",
            FieldErrorCode::InvalidValue,
            "latitude must be within -90..90 and longitude within -180..180",
        );
    }
    let contact_name = optional_text_field(
        &mut errors,
        "#/contact_name",
        input.contact_name.as_deref(),
        MAX_SHORT_TEXT_CHARS,
        false,
    );
    let contact_phone = input
        .contact_phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .and_then(
            |p| match PhoneNumber::parse(p, location.as_ref().map(|l| l.country)) {
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
        );
    let mut rules = input.rules.clone().unwrap_or(HouseRules {
        children_allowed: true,
        ..HouseRules::default()
    });
    if rules
        .max_nights
        .is_some_and(|n| !(1..=MAX_STAY_NIGHTS).contains(&n))
    {
        errors.push(
            "#/rules/max_nights",
            FieldErrorCode::InvalidValue,
            format!("must be between 1 and {MAX_STAY_NIGHTS} nights"),
        );
    }
    rules.check_in_from = parse_clock(
        &mut errors,
        "#/rules/check_in_from",
        rules.check_in_from.as_deref(),
    );
    rules.check_in_until = parse_clock(
        &mut errors,
        "#/rules/check_in_until",
        rules.check_in_until.as_deref(),
    );
    let time_zone = parse_time_zone(&mut errors, input.time_zone.as_deref());
    if !errors.is_empty() {
        return Err(errors);
    }
    match (name, input.kind, location) {
        (Some(name), Some(kind), Some(location)) => Ok(ValidatedSite {
            time_zone,
            name,
            kind,
            address,
            location,
            coordinates: input.coordinates,
            contact_name,
            contact_phone,
            status: input.status.unwrap_or(SiteStatus::Open),
            rules,
            amenities: input.amenities.unwrap_or_default(),
        }),
        _ => Err(ValidationErrors::single(crate::FieldError::new(
            "#",
            FieldErrorCode::Required,
            "incomplete site",
        ))),
    }
}

/// A bed pool as submitted (all counts are beds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BedPoolInput {
    /// Required.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub kind: Option<PoolKind>,
    /// Beds per room; required for `family_room`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 20000))]
    pub room_size: Option<u32>,
    /// Required: all beds, including blocked and transitory ones.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, maximum = 20000)
    )]
    pub beds: Option<u32>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 20000))]
    pub step_free_beds: u32,
    /// Out of service.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 20000))]
    pub blocked_beds: u32,
    /// For one-night stays only.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 20000))]
    pub transitory_beds: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BedPoolSpec {
    pub kind: PoolKind,
    pub room_size: Option<u32>,
    pub beds: u32,
    pub step_free_beds: u32,
    pub blocked_beds: u32,
    pub transitory_beds: u32,
}

/// The longest stay a site's rules may allow (ten years): beyond that a limit means nothing.
pub const MAX_STAY_NIGHTS: u32 = 3650;

/// The largest pool accepted: a stadium is not a bed pool.
pub const MAX_POOL_BEDS: u32 = 20_000;

impl BedPoolSpec {
    /// Beds for ordinary stays: not blocked, not set aside for one night.
    pub fn regular_capacity(&self) -> u32 {
        self.beds
            .saturating_sub(self.blocked_beds)
            .saturating_sub(self.transitory_beds)
    }

    /// Whole rooms in service in a family-room pool.
    pub fn rooms(&self) -> u32 {
        match self.room_size {
            Some(size) if size > 0 => self.beds.saturating_sub(self.blocked_beds) / size,
            _ => 0,
        }
    }
}

pub fn validate_pool(
    input: &BedPoolInput,
    rules: &HouseRules,
) -> Result<BedPoolSpec, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let kind = input.kind;
    if kind.is_none() {
        errors.push("#/kind", FieldErrorCode::Required, "is required");
    }
    let beds = input.beds.unwrap_or_else(|| {
        errors.push("#/beds", FieldErrorCode::Required, "is required");
        0
    });
    if beds > MAX_POOL_BEDS {
        errors.push(
            "#/beds",
            FieldErrorCode::InvalidValue,
            format!("at most {MAX_POOL_BEDS} beds in one pool"),
        );
    }
    if input.step_free_beds > beds {
        errors.push(
            "#/step_free_beds",
            FieldErrorCode::InvalidValue,
            "cannot exceed the number of beds",
        );
    }
    if input.blocked_beds > beds {
        errors.push(
            "#/blocked_beds",
            FieldErrorCode::InvalidValue,
            "cannot exceed the number of beds",
        );
    }
    if input.transitory_beds.saturating_add(input.blocked_beds) > beds {
        errors.push(
            "#/transitory_beds",
            FieldErrorCode::InvalidValue,
            "transitory and blocked beds together cannot exceed the beds",
        );
    }
    match (kind, input.room_size) {
        (Some(PoolKind::FamilyRoom), None) => {
            errors.push(
                "#/room_size",
                FieldErrorCode::Required,
                "a family room pool needs its room size",
            );
        }
        (Some(PoolKind::FamilyRoom), Some(size)) if size == 0 || size > 20 => {
            errors.push(
                "#/room_size",
                FieldErrorCode::InvalidValue,
                "room size is 1 to 20 beds",
            );
        }
        (Some(PoolKind::FamilyRoom), Some(_)) if input.transitory_beds > 0 => {
            errors.push(
                "#/transitory_beds",
                FieldErrorCode::InvalidValue,
                "family rooms have no transitory beds",
            );
        }
        (Some(k), Some(_)) if k != PoolKind::FamilyRoom => {
            errors.push(
                "#/room_size",
                FieldErrorCode::InvalidValue,
                "only family room pools have a room size",
            );
        }
        _ => {}
    }
    // A family room is one household's own room, so a sex-segregated site may have them
    // (student dormitories do); a mixed dormitory it may not.
    if rules.sex_segregated && kind == Some(PoolKind::Mixed) {
        errors.push(
            "#/kind",
            FieldErrorCode::InvalidValue,
            "a sex-segregated site has no mixed dormitories: male and female dorms and family rooms",
        );
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(BedPoolSpec {
            kind,
            room_size: input.room_size,
            beds,
            step_free_beds: input.step_free_beds,
            blocked_beds: input.blocked_beds,
            transitory_beds: input.transitory_beds,
        }),
        _ => Err(errors),
    }
}

/// What a person brings to the admission rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occupant {
    pub sex: Sex,
    pub child: bool,
    pub needs_step_free: bool,
}

/// People are adults from their 18th birthday.
pub const ADULT_AGE: u32 = 18;

impl Occupant {
    /// A person as the admission rules see them on `today`. An unknown age counts as a
    /// child (the safer reading), and a disability as a need for a step-free bed.
    pub fn of(person: &crate::Person, today: NaiveDate) -> Self {
        Occupant {
            sex: person.sex,
            child: person
                .birth_date
                .age_on(today)
                .is_none_or(|age| age < ADULT_AGE),
            needs_step_free: person
                .vulnerabilities
                .contains(&crate::Vulnerability::Disability),
        }
    }
}

/// Beds already held in a pool by current stays and live reservations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolUsage {
    /// People in ordinary stays.
    pub regular: u32,
    /// People in one-night stays on transitory beds.
    pub transitory: u32,
    /// People on step-free beds.
    pub step_free: u32,
    /// Family rooms taken (one per stay).
    pub rooms: u32,
}

/// Why people cannot be admitted to a pool. Codes are stable for clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdmissionError {
    #[error("the site is closed")]
    SiteClosed,
    #[error("nobody to admit")]
    NoOccupants,
    #[error("not enough free beds in this pool")]
    NoCapacity,
    #[error("no free family room")]
    NoRoomFree,
    #[error("the household is larger than a family room here")]
    RoomTooSmall,
    #[error("not enough free step-free beds")]
    NoStepFreeBed,
    #[error("children never sleep in a male dorm")]
    ChildInMaleDorm,
    #[error("this site does not take children")]
    ChildrenNotAllowed,
    #[error("a single-sex dorm takes only people of its sex")]
    WrongSexForPool,
    #[error("transitory beds take one-night stays only")]
    TransitoryNeedsOneNight,
    #[error("some of these people already have a bed or a reservation")]
    AlreadyHoused,
    #[error("the stay is not in a state that allows this")]
    InvalidTransition,
}

impl AdmissionError {
    /// The stable code clients see.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SiteClosed => "site_closed",
            Self::NoOccupants => "no_occupants",
            Self::NoCapacity => "no_capacity",
            Self::NoRoomFree => "no_room_free",
            Self::RoomTooSmall => "room_too_small",
            Self::NoStepFreeBed => "no_step_free_bed",
            Self::ChildInMaleDorm => "child_in_male_dorm",
            Self::ChildrenNotAllowed => "children_not_allowed",
            Self::WrongSexForPool => "wrong_sex_for_pool",
            Self::TransitoryNeedsOneNight => "transitory_needs_one_night",
            Self::AlreadyHoused => "already_housed",
            Self::InvalidTransition => "invalid_transition",
        }
    }
}

/// Whether `occupants` may take beds in a pool with the given usage.
pub fn check_admission(
    site_status: SiteStatus,
    rules: &HouseRules,
    pool: &BedPoolSpec,
    usage: PoolUsage,
    occupants: &[Occupant],
    one_night: bool,
) -> Result<(), AdmissionError> {
    if site_status == SiteStatus::Closed {
        return Err(AdmissionError::SiteClosed);
    }
    if occupants.is_empty() {
        return Err(AdmissionError::NoOccupants);
    }
    let children = occupants.iter().filter(|o| o.child).count();
    if children > 0 && !rules.children_allowed {
        return Err(AdmissionError::ChildrenNotAllowed);
    }
    match pool.kind {
        PoolKind::MaleDorm => {
            if children > 0 {
                return Err(AdmissionError::ChildInMaleDorm);
            }
            if occupants.iter().any(|o| o.sex != Sex::Male) {
                return Err(AdmissionError::WrongSexForPool);
            }
        }
        // Young children stay with their mother in a female dorm.
        PoolKind::FemaleDorm => {
            if occupants.iter().any(|o| !o.child && o.sex != Sex::Female) {
                return Err(AdmissionError::WrongSexForPool);
            }
        }
        PoolKind::FamilyRoom | PoolKind::Mixed => {}
    }
    let count = occupants.len() as u32;
    let step_free = occupants.iter().filter(|o| o.needs_step_free).count() as u32;
    if step_free > 0 && usage.step_free + step_free > pool.step_free_beds {
        return Err(AdmissionError::NoStepFreeBed);
    }
    if pool.kind == PoolKind::FamilyRoom {
        if one_night {
            return Err(AdmissionError::TransitoryNeedsOneNight);
        }
        if pool.room_size.is_none_or(|size| count > size) {
            return Err(AdmissionError::RoomTooSmall);
        }
        if usage.rooms >= pool.rooms() {
            return Err(AdmissionError::NoRoomFree);
        }
        return Ok(());
    }
    // One-night stays may overflow from the transitory beds onto ordinary ones, so every
    // admission also counts all beds in service against everyone in them.
    let in_service = pool.beds.saturating_sub(pool.blocked_beds);
    let everyone_fits = usage.transitory + usage.regular + count <= in_service;
    let fits = if one_night {
        everyone_fits
    } else {
        everyone_fits && usage.regular + count <= pool.regular_capacity()
    };
    if fits {
        Ok(())
    } else {
        Err(AdmissionError::NoCapacity)
    }
}

/// Whether the stays holding a pool's beds are more than it has: the rooms, step-free
/// beds or beds over, as the error an admission would have met; `None` when all fit. For
/// checks after the fact (a reservation confirmed, a pool made smaller), where
/// [`check_admission`] asks before.
pub fn over_capacity(pool: &BedPoolSpec, usage: &PoolUsage) -> Option<AdmissionError> {
    if usage.step_free > pool.step_free_beds {
        return Some(AdmissionError::NoStepFreeBed);
    }
    if pool.kind == PoolKind::FamilyRoom && usage.rooms > pool.rooms() {
        return Some(AdmissionError::NoRoomFree);
    }
    let in_service = pool.beds.saturating_sub(pool.blocked_beds);
    if pool.kind != PoolKind::FamilyRoom
        && (usage.regular > pool.regular_capacity()
            || usage.regular + usage.transitory > in_service)
    {
        return Some(AdmissionError::NoCapacity);
    }
    None
}

string_enum!(
    StayStatus {
        /// Beds held for a household on its way; released when `reserved_until` passes.
        Reserved => "reserved",
        CheckedIn => "checked_in",
        CheckedOut => "checked_out",
        Cancelled => "cancelled",
        /// A reservation whose deadline passed without check-in (derived, never stored).
        Expired => "expired",
    }
);

/// How urgent a household's need for a bed is: vulnerabilities first, then time waiting.
/// The weights are deliberately simple so a dispatcher can explain them.
pub fn waiting_priority(vulnerabilities: &[crate::Vulnerability], waiting_days: i64) -> u32 {
    use crate::Vulnerability::*;
    let need: u32 = vulnerabilities
        .iter()
        .map(|v| match v {
            UnaccompaniedMinor => 10,
            ProtectionRisk => 8,
            Disability | Medical | Pregnant => 4,
            Child | OlderPerson | SingleCaregiver => 3,
        })
        .sum();
    // Two days of waiting count for one point, up to seven points after two weeks, so that
    // an unaccompanied minor or a protection risk always comes before a long wait alone.
    1 + need + (waiting_days.clamp(0, 14) / 2) as u32
}

/// A household's weight per person in the placement objective: 1 for an ordinary
/// household, raised by a quarter of its most serious vulnerability's weight (an
/// unaccompanied minor 3.5, a protection risk 3, disability or pregnancy 2, a child 1.75).
/// Waiting time is added by the optimiser itself.
pub fn placement_weight(vulnerabilities: &[crate::Vulnerability]) -> f64 {
    let most_serious = vulnerabilities
        .iter()
        .map(|v| waiting_priority(std::slice::from_ref(v), 0) - 1)
        .max()
        .unwrap_or(0);
    1.0 + f64::from(most_serious) * 0.25
}

/// Nights between check-in and `today`.
pub fn nights_stayed(checked_in: NaiveDate, today: NaiveDate) -> i64 {
    (today - checked_in).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dorm(kind: PoolKind, beds: u32) -> BedPoolSpec {
        BedPoolSpec {
            kind,
            room_size: None,
            beds,
            step_free_beds: 1,
            blocked_beds: 0,
            transitory_beds: 0,
        }
    }

    fn adult(sex: Sex) -> Occupant {
        Occupant {
            sex,
            child: false,
            needs_step_free: false,
        }
    }

    const CHILD: Occupant = Occupant {
        sex: Sex::Male,
        child: true,
        needs_step_free: false,
    };

    fn rules() -> HouseRules {
        HouseRules {
            children_allowed: true,
            ..HouseRules::default()
        }
    }

    /// A sports hall in `city`, Kazakhstan, and nothing more.
    fn sports_hall_in(city: &str) -> SiteInput {
        SiteInput {
            name: Some("Спорткомплекс Мирас".into()),
            kind: Some(SiteKind::SportsHall),
            location: Some(LocationInput {
                country: Some("KZ".into()),
                region: None,
                city: Some(city.into()),
                place_id: None,
            }),
            ..SiteInput::default()
        }
    }

    #[test]
    fn children_never_in_a_male_dorm_but_with_mother_in_a_female_dorm() {
        let male = dorm(PoolKind::MaleDorm, 10);
        let female = dorm(PoolKind::FemaleDorm, 10);
        let admit = |pool: &BedPoolSpec, people: &[Occupant]| {
            check_admission(
                SiteStatus::Open,
                &rules(),
                pool,
                PoolUsage::default(),
                people,
                false,
            )
        };
        assert_eq!(
            admit(&male, &[adult(Sex::Male), CHILD]),
            Err(AdmissionError::ChildInMaleDorm)
        );
        assert_eq!(admit(&female, &[adult(Sex::Female), CHILD]), Ok(()));
        assert_eq!(
            admit(&female, &[adult(Sex::Male)]),
            Err(AdmissionError::WrongSexForPool)
        );
        assert_eq!(
            admit(&male, &[adult(Sex::Unknown)]),
            Err(AdmissionError::WrongSexForPool)
        );
    }

    #[test]
    fn capacity_counts_blocked_and_transitory_beds() {
        let pool = BedPoolSpec {
            blocked_beds: 2,
            transitory_beds: 3,
            ..dorm(PoolKind::Mixed, 10)
        };
        assert_eq!(pool.regular_capacity(), 5);
        let people = [adult(Sex::Male); 2];
        let usage = PoolUsage {
            regular: 4,
            ..PoolUsage::default()
        };
        assert_eq!(
            check_admission(SiteStatus::Open, &rules(), &pool, usage, &people, false),
            Err(AdmissionError::NoCapacity)
        );
        assert_eq!(
            check_admission(SiteStatus::Open, &rules(), &pool, usage, &people, true),
            Ok(())
        );
        let full = PoolUsage {
            regular: 5,
            transitory: 3,
            ..PoolUsage::default()
        };
        assert_eq!(
            check_admission(SiteStatus::Open, &rules(), &pool, full, &people[..1], true),
            Err(AdmissionError::NoCapacity)
        );
    }

    /// One-night stays that overflowed onto ordinary beds hold those beds: an ordinary
    /// admission must not count them free, or the pool ends the night over its beds.
    #[test]
    fn one_night_stays_on_ordinary_beds_leave_them_taken() {
        let pool = BedPoolSpec {
            transitory_beds: 2,
            ..dorm(PoolKind::Mixed, 10)
        };
        // Five one-night guests: two on transitory beds, three on ordinary ones.
        let overflow = PoolUsage {
            transitory: 5,
            ..PoolUsage::default()
        };
        let admit = |n: usize| {
            check_admission(
                SiteStatus::Open,
                &rules(),
                &pool,
                overflow,
                &vec![adult(Sex::Female); n],
                false,
            )
        };
        assert_eq!(admit(5), Ok(()), "five ordinary beds are still free");
        assert_eq!(admit(6), Err(AdmissionError::NoCapacity), "not six");
        let after = PoolUsage {
            regular: 6,
            ..overflow
        };
        assert_eq!(
            over_capacity(&pool, &after),
            Some(AdmissionError::NoCapacity),
            "what the check must keep from happening"
        );
    }

    #[test]
    fn family_rooms_take_one_household_per_room() {
        let pool = BedPoolSpec {
            kind: PoolKind::FamilyRoom,
            room_size: Some(4),
            beds: 9,
            step_free_beds: 0,
            blocked_beds: 1,
            transitory_beds: 0,
        };
        assert_eq!(pool.rooms(), 2);
        let family = [adult(Sex::Female), adult(Sex::Male), CHILD];
        let one_taken = PoolUsage {
            rooms: 1,
            regular: 2,
            ..PoolUsage::default()
        };
        assert_eq!(
            check_admission(SiteStatus::Open, &rules(), &pool, one_taken, &family, false),
            Ok(())
        );
        let both = PoolUsage {
            rooms: 2,
            ..one_taken
        };
        assert_eq!(
            check_admission(SiteStatus::Open, &rules(), &pool, both, &family, false),
            Err(AdmissionError::NoRoomFree)
        );
        let big = [adult(Sex::Female); 5];
        assert_eq!(
            check_admission(SiteStatus::Open, &rules(), &pool, one_taken, &big, false),
            Err(AdmissionError::RoomTooSmall)
        );
    }

    #[test]
    fn over_capacity_agrees_with_admission() {
        // Whatever was in a pool, a stay that `check_admission` let in leaves it within
        // capacity, and one it refused for lack of room puts it over.
        let pools = [
            dorm(PoolKind::Mixed, 3),
            BedPoolSpec {
                transitory_beds: 1,
                blocked_beds: 1,
                ..dorm(PoolKind::Mixed, 5)
            },
            BedPoolSpec {
                kind: PoolKind::FamilyRoom,
                room_size: Some(3),
                beds: 7,
                step_free_beds: 1,
                blocked_beds: 0,
                transitory_beds: 0,
            },
        ];
        let wheelchair = Occupant {
            needs_step_free: true,
            ..adult(Sex::Female)
        };
        for pool in &pools {
            for regular in 0..4 {
                for step_free in 0..2 {
                    for rooms in 0..3 {
                        let before = PoolUsage {
                            regular,
                            transitory: 0,
                            step_free,
                            rooms,
                        };
                        for (who, sf) in [(adult(Sex::Male), 0), (wheelchair, 1)] {
                            let after = PoolUsage {
                                regular: regular + 1,
                                step_free: step_free + sf,
                                rooms: rooms + 1,
                                ..before
                            };
                            let admitted = check_admission(
                                SiteStatus::Open,
                                &rules(),
                                pool,
                                before,
                                &[who],
                                false,
                            );
                            if over_capacity(pool, &before).is_none() {
                                assert_eq!(
                                    admitted.err(),
                                    over_capacity(pool, &after),
                                    "{pool:?} {before:?} {who:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn step_free_and_site_rules() {
        let pool = dorm(PoolKind::Mixed, 10);
        let wheelchair = Occupant {
            needs_step_free: true,
            ..adult(Sex::Female)
        };
        let used = PoolUsage {
            step_free: 1,
            regular: 1,
            ..PoolUsage::default()
        };
        assert_eq!(
            check_admission(
                SiteStatus::Open,
                &rules(),
                &pool,
                used,
                &[wheelchair],
                false
            ),
            Err(AdmissionError::NoStepFreeBed)
        );
        let adults_only = HouseRules {
            children_allowed: false,
            ..rules()
        };
        assert_eq!(
            check_admission(
                SiteStatus::Open,
                &adults_only,
                &pool,
                PoolUsage::default(),
                &[CHILD],
                false
            ),
            Err(AdmissionError::ChildrenNotAllowed)
        );
        assert_eq!(
            check_admission(
                SiteStatus::Closed,
                &rules(),
                &pool,
                PoolUsage::default(),
                &[adult(Sex::Male)],
                false
            ),
            Err(AdmissionError::SiteClosed)
        );
    }

    #[test]
    fn priority_weighs_vulnerability_then_waiting() {
        use crate::Vulnerability::*;
        assert_eq!(waiting_priority(&[], 0), 1);
        assert_eq!(waiting_priority(&[], 30), 8);
        assert!(waiting_priority(&[UnaccompaniedMinor], 0) > waiting_priority(&[], 14));
        assert!(waiting_priority(&[ProtectionRisk], 0) > waiting_priority(&[], 14));
        assert_eq!(
            waiting_priority(&[Child, Child, Pregnant], 4),
            1 + 3 + 3 + 4 + 2
        );
    }

    #[test]
    fn pool_and_site_validation() {
        let segregated = HouseRules {
            sex_segregated: true,
            ..rules()
        };
        let mixed = BedPoolInput {
            kind: Some(PoolKind::Mixed),
            beds: Some(10),
            ..BedPoolInput::default()
        };
        assert!(validate_pool(&mixed, &segregated).is_err());
        assert!(validate_pool(&mixed, &rules()).is_ok());
        // A family room is one household's own room: student dormitories that separate
        // men and women keep some for families.
        let family_room = BedPoolInput {
            kind: Some(PoolKind::FamilyRoom),
            room_size: Some(4),
            beds: Some(8),
            ..BedPoolInput::default()
        };
        assert!(validate_pool(&family_room, &segregated).is_ok());
        let bad = BedPoolInput {
            kind: Some(PoolKind::FamilyRoom),
            beds: Some(4),
            blocked_beds: 5,
            ..BedPoolInput::default()
        };
        let errors = validate_pool(&bad, &rules()).expect_err("invalid");
        let pointers: Vec<&str> = errors.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec!["#/blocked_beds", "#/transitory_beds", "#/room_size"]
        );

        let site = SiteInput {
            rules: Some(HouseRules {
                check_in_from: Some("8:00".into()),
                check_in_until: Some("25:00".into()),
                children_allowed: true,
                ..HouseRules::default()
            }),
            ..sports_hall_in("Oral")
        };
        let errors = validate_site(&site).expect_err("bad clock");
        assert_eq!(errors.errors.len(), 1);
        assert_eq!(errors.errors[0].pointer, "#/rules/check_in_until");
    }

    #[test]
    fn a_sites_own_time_zone_is_an_iana_name() {
        let site = |zone: Option<&str>| SiteInput {
            time_zone: zone.map(str::to_owned),
            ..sports_hall_in("Almaty")
        };
        assert_eq!(validate_site(&site(None)).expect("valid").time_zone, None);
        assert_eq!(
            validate_site(&site(Some("  "))).expect("valid").time_zone,
            None
        );
        let valid = validate_site(&site(Some("Asia/Oral"))).expect("valid");
        assert_eq!(valid.time_zone, Some(chrono_tz::Asia::Oral));
        for bad in ["UTC+5", "Oral", "Asia/Uralsk"] {
            let errors = validate_site(&site(Some(bad))).expect_err(bad);
            assert_eq!(errors.errors[0].pointer, "#/time_zone", "{bad}");
        }
    }
}
