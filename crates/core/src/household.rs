//! Households and their members: the input a volunteer submits, the rules it must pass,
//! and the registered household as stored and returned.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::date::{BirthDate, parse_full_date};
use crate::document::{Document, DocumentInput};
use crate::places::PlaceId;
use crate::validation::{
    FieldErrorCode, MAX_LIST_ITEMS, MAX_MEMBERS, MAX_NAME_CHARS, MAX_NOTES_CHARS,
    MAX_SHORT_TEXT_CHARS, ValidationContext, ValidationErrors, optional_text_field, text_field,
};
use crate::{CountryCode, PhoneNumber, ReferenceCode};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire and database spelling.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// Which displaced population a household belongs to; allocation must be fair across them.
    PopulationGroup {
        /// Newly arrived across the border (e.g. fleeing mobilisation).
        Arrival => "arrival",
        /// Internally displaced (e.g. by the Kyrgyz–Tajik border clashes).
        Idp => "idp",
        /// Returning labour migrants.
        Returnee => "returnee",
        HostCommunity => "host_community",
    }
);

string_enum!(
    /// Why the household's data may be processed (ICRC Handbook on Data Protection).
    LegalBasis {
        /// The household agreed, after being told what is recorded and why.
        Consent => "consent",
        /// Processing protects someone's life or safety and consent cannot be obtained.
        VitalInterest => "vital_interest",
        /// A public-interest task, e.g. a government's registration duty.
        PublicInterest => "public_interest",
    }
);

string_enum!(
    Need {
        Shelter => "shelter",
        Food => "food",
        Medical => "medical",
        Legal => "legal",
        OnwardTravel => "onward_travel",
        Other => "other",
    }
);

string_enum!(
    HouseholdStatus {
        /// Registered and being served.
        Active => "active",
        /// Travelled on or found their own housing; kept for counts and history.
        MovedOn => "moved_on",
        /// Closed by a caseworker (e.g. registered in error, merged elsewhere).
        Closed => "closed",
    }
);

string_enum!(
    Sex {
        Female => "female",
        Male => "male",
        Unknown => "unknown",
    }
);

string_enum!(
    /// Relationship of a member to the head of household.
    Relationship {
        Head => "head",
        Spouse => "spouse",
        Child => "child",
        Parent => "parent",
        Sibling => "sibling",
        Grandchild => "grandchild",
        Grandparent => "grandparent",
        OtherRelative => "other_relative",
        NonRelative => "non_relative",
    }
);

string_enum!(
    Vulnerability {
        Child => "child",
        UnaccompaniedMinor => "unaccompanied_minor",
        OlderPerson => "older_person",
        Disability => "disability",
        Medical => "medical",
        Pregnant => "pregnant",
        SingleCaregiver => "single_caregiver",
        /// Sensitive: visible only to caseworkers of the owning organisation.
        ProtectionRisk => "protection_risk",
    }
);

/// Where the household is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    pub country: CountryCode,
    pub region: Option<String>,
    pub city: String,
    /// The settlement of the place list the city is, when known: chosen from the list, or
    /// the one settlement of the country the typed name means, or mapped by a coordinator.
    /// `null`: an unconfirmed place, shown as typed and counted apart.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub place_id: Option<crate::places::PlaceId>,
}

/// The location as submitted; all fields are checked by [`validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    /// ISO 3166-1 alpha-2 (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::country_code, required = true))]
    pub country: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::short_text_or_blank))]
    pub region: Option<String>,
    /// City or settlement (required). The server also takes a `place_id` without a city
    /// (the city is then the place's name); the document states the stricter form.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::short_text, required = true))]
    pub city: Option<String>,
    /// The id of a settlement of the place list (`GET /api/v1/places`). Without it, a
    /// city name that means one settlement of the country is linked to it.
    #[serde(default)]
    pub place_id: Option<u32>,
}

/// Where a household is now, when that is not its city yet (waiting at a border post, on
/// the road): a place of the place list, exact coordinates, or both. Placement measures
/// travel from here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CurrentLocationInput {
    /// The id of a place of the place list (`GET /api/v1/places`).
    #[serde(default)]
    pub place_id: Option<u32>,
    /// WGS 84 degrees; when absent, the place's own coordinates.
    #[serde(default)]
    pub coordinates: Option<crate::shelter::Coordinates>,
}

/// Where a household is now, as stored: always with coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentLocation {
    /// The place of the place list, when one was named.
    pub place_id: Option<u32>,
    pub coordinates: crate::shelter::Coordinates,
}

impl CurrentLocation {
    pub fn to_input(self) -> CurrentLocationInput {
        CurrentLocationInput {
            place_id: self.place_id,
            coordinates: Some(self.coordinates),
        }
    }
}

/// A household as submitted to `POST /api/v1/households`. Fields are optional at this
/// level so that [`validate`] can report every missing one at once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    /// Population group (required).
    #[serde(default)]
    pub group: Option<PopulationGroup>,
    /// ISO 8601 date of arrival (DD.MM.YYYY is accepted too).
    #[serde(default)]
    pub arrival_date: Option<String>,
    #[serde(default)]
    pub crossing_point: Option<String>,
    /// Current location (required: country and city).
    #[serde(default)]
    pub location: Option<LocationInput>,
    /// Where the household is now, if not in its city yet (optional).
    #[serde(default)]
    pub current_location: Option<CurrentLocationInput>,
    /// Contact phone in any usual spelling; stored in E.164.
    #[serde(default)]
    pub phone: Option<String>,
    /// ISO 639 language codes, e.g. `ru`, `kk`, `ky`.
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub needs: Vec<Need>,
    /// Whether the household agreed that its men and women may sleep in separate
    /// single-sex dormitories (default: no, the family stays together).
    #[serde(default)]
    pub accepts_sex_separation: Option<bool>,
    /// Whether a household larger than one family room agreed to take several rooms of
    /// the same site (default: no, it waits for a room that holds it whole).
    #[serde(default)]
    pub accepts_several_rooms: Option<bool>,
    /// The legal basis for processing the household's data.
    #[serde(default)]
    pub legal_basis: Option<LegalBasis>,
    /// Whether the household was told what is recorded, why, who sees it and its rights.
    #[serde(default)]
    pub information_given: Option<bool>,
    /// Defaults to `active`.
    #[serde(default)]
    pub status: Option<HouseholdStatus>,
    #[serde(default)]
    pub notes: Option<String>,
    /// At least one member, exactly one with relationship `head` (required).
    #[serde(default)]
    pub members: Option<Vec<MemberInput>>,
}

/// A member as submitted. `id` is given only when editing an existing member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Exactly as written, in any script (required).
    #[serde(default)]
    pub surname: Option<String>,
    /// Exactly as written, in any script (required).
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub patronymic: Option<String>,
    /// Required: `female`, `male` or `unknown`.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// Required: `YYYY-MM-DD`, `DD.MM.YYYY`, or only `YYYY-MM` / `YYYY` when that is all that is known.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// True when the birth date is an estimate (e.g. no document, age guessed).
    #[serde(default)]
    pub birth_date_estimated: bool,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub citizenship: Option<String>,
    /// Relationship to the head of household (required).
    #[serde(default)]
    pub relationship: Option<Relationship>,
    #[serde(default)]
    pub vulnerabilities: Vec<Vulnerability>,
    #[serde(default)]
    pub documents: Vec<DocumentInput>,
}

/// A household that passed every rule, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedHousehold {
    pub group: PopulationGroup,
    pub arrival_date: Option<NaiveDate>,
    pub crossing_point: Option<String>,
    pub location: Location,
    pub current_location: Option<CurrentLocation>,
    pub phone: Option<PhoneNumber>,
    pub languages: Vec<String>,
    pub needs: Vec<Need>,
    pub accepts_sex_separation: bool,
    pub accepts_several_rooms: bool,
    pub legal_basis: Option<LegalBasis>,
    pub information_given: bool,
    pub status: HouseholdStatus,
    pub notes: Option<String>,
    pub members: Vec<ValidatedMember>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedMember {
    /// Set when the input named an existing member.
    pub id: Option<Uuid>,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub sex: Sex,
    pub birth_date: BirthDate,
    pub birth_date_estimated: bool,
    pub citizenship: Option<CountryCode>,
    pub relationship: Relationship,
    pub vulnerabilities: Vec<Vulnerability>,
    pub documents: Vec<Document>,
}

/// A registered person, as stored and returned by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: Uuid,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub sex: Sex,
    pub birth_date: BirthDate,
    pub birth_date_estimated: bool,
    pub citizenship: Option<CountryCode>,
    pub relationship: Relationship,
    pub vulnerabilities: Vec<Vulnerability>,
    pub documents: Vec<Document>,
}

/// A registered household, as stored and returned by the API.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Household {
    pub id: Uuid,
    pub reference: ReferenceCode,
    pub organisation_id: Uuid,
    pub group: PopulationGroup,
    pub arrival_date: Option<NaiveDate>,
    pub crossing_point: Option<String>,
    pub location: Location,
    /// Where the household is now, if not in its city yet.
    pub current_location: Option<CurrentLocation>,
    pub phone: Option<PhoneNumber>,
    pub languages: Vec<String>,
    pub needs: Vec<Need>,
    pub accepts_sex_separation: bool,
    pub accepts_several_rooms: bool,
    pub legal_basis: Option<LegalBasis>,
    pub information_given: bool,
    pub status: HouseholdStatus,
    pub notes: Option<String>,
    pub members: Vec<Person>,
    /// Increments on every change; send it back in `If-Match` to avoid lost updates.
    pub version: i64,
    pub registered_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Household {
    /// The editable part of the household in input shape, the starting point of a
    /// JSON merge patch.
    pub fn to_input(&self) -> HouseholdInput {
        HouseholdInput {
            group: Some(self.group),
            arrival_date: self.arrival_date.map(|d| d.format("%Y-%m-%d").to_string()),
            crossing_point: self.crossing_point.clone(),
            location: Some(LocationInput {
                country: Some(self.location.country.to_string()),
                region: self.location.region.clone(),
                city: Some(self.location.city.clone()),
                // Not carried: an edit that changes the city must not keep the old place.
                // The store keeps the place while the name stays the same.
                place_id: None,
            }),
            current_location: self.current_location.map(CurrentLocation::to_input),
            phone: self.phone.as_ref().map(|p| p.to_string()),
            languages: self.languages.clone(),
            needs: self.needs.clone(),
            accepts_sex_separation: Some(self.accepts_sex_separation),
            accepts_several_rooms: Some(self.accepts_several_rooms),
            legal_basis: self.legal_basis,
            information_given: Some(self.information_given),
            status: Some(self.status),
            notes: self.notes.clone(),
            members: Some(
                self.members
                    .iter()
                    .map(|p| MemberInput {
                        id: Some(p.id),
                        surname: Some(p.surname.clone()),
                        given_name: Some(p.given_name.clone()),
                        patronymic: p.patronymic.clone(),
                        sex: Some(p.sex),
                        birth_date: Some(p.birth_date.to_iso()),
                        birth_date_estimated: p.birth_date_estimated,
                        citizenship: p.citizenship.map(|c| c.to_string()),
                        relationship: Some(p.relationship),
                        vulnerabilities: p.vulnerabilities.clone(),
                        documents: p.documents.iter().map(Document::to_input).collect(),
                    })
                    .collect(),
            ),
        }
    }
}

/// The earliest birth year accepted; anything before is a typo.
const EARLIEST_BIRTH_YEAR: i32 = 1900;
/// Arrival dates before this are typos (the system records current displacement).
const EARLIEST_ARRIVAL_YEAR: i32 = 1990;
const MAX_DOCUMENTS: usize = 10;

/// Why a date did not parse: a day that does not exist when the text has a date's form
/// (`31.02.1982`, `2022-02-30`), so the volunteer is not told to use the form they used.
fn date_error_code(text: &str) -> FieldErrorCode {
    let text = text.trim();
    let digits = |part: &str, lengths: &[usize]| {
        lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    let dotted: Vec<&str> = text.split('.').collect();
    let dashed: Vec<&str> = text.split('-').collect();
    let shaped = matches!(dotted.as_slice(), [d, m, y] if digits(d, &[1, 2]) && digits(m, &[1, 2]) && digits(y, &[4]))
        || matches!(dashed.as_slice(), [y, m, d] if digits(y, &[4]) && digits(m, &[2]) && digits(d, &[2]));
    if shaped {
        FieldErrorCode::NoSuchDate
    } else {
        FieldErrorCode::InvalidDate
    }
}

fn required<'a, T>(
    errors: &mut ValidationErrors,
    pointer: &str,
    value: Option<&'a T>,
) -> Option<&'a T> {
    if value.is_none() {
        errors.push(pointer, FieldErrorCode::Required, "is required");
    }
    value
}

fn dedup_sorted<T: Ord + Copy>(items: &[T]) -> Vec<T> {
    let mut out = items.to_vec();
    out.sort_unstable();
    out.dedup();
    out
}

fn check_list_size(errors: &mut ValidationErrors, pointer: &str, len: usize, max: usize) -> bool {
    if len > max {
        errors.push(
            pointer,
            FieldErrorCode::TooMany,
            format!("at most {max} entries"),
        );
        false
    } else {
        true
    }
}

/// Checks a location: country (ISO 3166-1 alpha-2) and city required, region optional.
/// Shared by households and shelter sites.
pub(crate) fn validate_location(
    errors: &mut ValidationErrors,
    input: Option<&LocationInput>,
) -> Option<Location> {
    let loc = required(errors, "#/location", input)?;
    let country = match required(errors, "#/location/country", loc.country.as_ref()) {
        Some(text) => match text.parse::<CountryCode>() {
            Ok(code) => Some(code),
            Err(e) => {
                errors.push(
                    "#/location/country",
                    FieldErrorCode::UnknownCountry,
                    e.to_string(),
                );
                None
            }
        },
        None => None,
    };
    let region = optional_text_field(
        errors,
        "#/location/region",
        loc.region.as_deref(),
        MAX_SHORT_TEXT_CHARS,
        false,
    );
    let chosen = loc.place_id.and_then(|id| {
        let place = crate::places::PlaceList::shared().and_then(|list| list.get(PlaceId(id)));
        match place {
            Some(place) if place.kind == crate::places::PlaceKind::Settlement => Some(place),
            _ => {
                errors.push(
                    "#/location/place_id",
                    FieldErrorCode::InvalidValue,
                    "not a settlement of the place list",
                );
                None
            }
        }
    });
    if let (Some(place), Some(country)) = (chosen, country)
        && place.country != country
    {
        errors.push(
            "#/location/place_id",
            FieldErrorCode::InvalidValue,
            "this place is in another country than the location's country",
        );
    }
    let city = match (loc.city.as_ref(), chosen) {
        (Some(city), _) => text_field(errors, "#/location/city", city, MAX_SHORT_TEXT_CHARS, false),
        (None, Some(place)) => Some(place.name("ru").to_owned()),
        (None, None) => required(errors, "#/location/city", None::<&String>).cloned(),
    };
    let country = country?;
    let city = city?;
    let place_id = match chosen {
        Some(place) => Some(place.id),
        None if loc.place_id.is_some() => return None,
        None => crate::places::PlaceList::shared_index()
            .and_then(|index| index.settlement_named(country, &city))
            .map(|place| place.id),
    };
    Some(Location {
        country,
        region,
        city,
        place_id,
    })
}

/// Checks a submitted household against every rule and returns it in typed form, or
/// every problem found, each naming its field.
pub fn validate(
    input: &HouseholdInput,
    ctx: &ValidationContext,
) -> Result<ValidatedHousehold, ValidationErrors> {
    let mut errors = ValidationErrors::default();

    let group = required(&mut errors, "#/group", input.group.as_ref()).copied();

    let arrival_date = input
        .arrival_date
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|text| match parse_full_date(text) {
            Ok(date) if date > ctx.today => {
                errors.push(
                    "#/arrival_date",
                    FieldErrorCode::DateInFuture,
                    "the arrival date is in the future",
                );
                None
            }
            Ok(date) if chrono::Datelike::year(&date) < EARLIEST_ARRIVAL_YEAR => {
                errors.push(
                    "#/arrival_date",
                    FieldErrorCode::DateImplausible,
                    format!("the arrival date is before {EARLIEST_ARRIVAL_YEAR}"),
                );
                None
            }
            Ok(date) => Some(date),
            Err(e) => {
                errors.push("#/arrival_date", date_error_code(text), e.to_string());
                None
            }
        });

    let crossing_point = optional_text_field(
        &mut errors,
        "#/crossing_point",
        input.crossing_point.as_deref(),
        MAX_SHORT_TEXT_CHARS,
        false,
    );

    let location = validate_location(&mut errors, input.location.as_ref());

    let phone = input
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .and_then(|text| {
            let region = location.as_ref().map(|l| l.country);
            match PhoneNumber::parse(text, region) {
                Ok(phone) => Some(phone),
                Err(e) => {
                    errors.push("#/phone", FieldErrorCode::InvalidPhone, e.to_string());
                    None
                }
            }
        });

    let mut languages = Vec::new();
    if check_list_size(
        &mut errors,
        "#/languages",
        input.languages.len(),
        MAX_LIST_ITEMS,
    ) {
        for (i, language) in input.languages.iter().enumerate() {
            let code = language.trim().to_ascii_lowercase();
            let shaped =
                (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase());
            if !shaped {
                errors.push(
                    &format!("#/languages/{i}"),
                    FieldErrorCode::InvalidFormat,
                    "must be an ISO 639 language code such as ru, kk or ky",
                );
            } else if !languages.contains(&code) {
                languages.push(code);
            }
        }
    }

    let needs = if check_list_size(&mut errors, "#/needs", input.needs.len(), MAX_LIST_ITEMS) {
        dedup_sorted(&input.needs)
    } else {
        Vec::new()
    };

    let notes = optional_text_field(
        &mut errors,
        "#/notes",
        input.notes.as_deref(),
        MAX_NOTES_CHARS,
        true,
    );

    if input.legal_basis == Some(LegalBasis::Consent) && input.information_given != Some(true) {
        errors.push(
            "#/information_given",
            FieldErrorCode::InvalidValue,
            "consent counts only after the household was informed; set information_given",
        );
    }

    let current_location = validate_current_location(&mut errors, input.current_location);
    let members = validate_members(&mut errors, input.members.as_deref(), ctx);

    if !errors.is_empty() {
        return Err(errors);
    }
    match (group, location, members) {
        (Some(group), Some(location), Some(members)) => Ok(ValidatedHousehold {
            group,
            arrival_date,
            crossing_point,
            location,
            current_location,
            phone,
            languages,
            needs,
            accepts_sex_separation: input.accepts_sex_separation.unwrap_or(false),
            accepts_several_rooms: input.accepts_several_rooms.unwrap_or(false),
            legal_basis: input.legal_basis,
            information_given: input.information_given.unwrap_or(false),
            status: input.status.unwrap_or(HouseholdStatus::Active),
            notes,
            members,
        }),
        // Every None above recorded an error, so this arm is unreachable in practice; it
        // still answers with an error rather than panicking.
        _ => Err(ValidationErrors::single(crate::FieldError::new(
            "#",
            FieldErrorCode::Required,
            "incomplete household",
        ))),
    }
}

/// A place of the place list, coordinates within range, or both; nothing else.
fn validate_current_location(
    errors: &mut ValidationErrors,
    input: Option<CurrentLocationInput>,
) -> Option<CurrentLocation> {
    let input = input?;
    let place = match input.place_id {
        None => None,
        Some(id) => {
            let found = crate::places::PlaceList::shared()
                .and_then(|list| list.get(crate::places::PlaceId(id)));
            if found.is_none() {
                errors.push(
                    "#/current_location/place_id",
                    FieldErrorCode::InvalidValue,
                    "not a place of the place list (look it up with GET /api/v1/places)",
                );
                return None;
            }
            found
        }
    };
    let coordinates = match (input.coordinates, place) {
        (Some(c), _) => {
            if !c.in_range() {
                errors.push(
                    "#/current_location/coordinates",
                    FieldErrorCode::InvalidValue,
                    "latitude must be within -90..90 and longitude within -180..180",
                );
                return None;
            }
            c
        }
        (None, Some(place)) => crate::shelter::Coordinates {
            latitude: place.coordinates.lat,
            longitude: place.coordinates.lon,
        },
        (None, None) => {
            errors.push(
                "#/current_location",
                FieldErrorCode::Required,
                "give a place_id of the place list, coordinates, or both (or null for none)",
            );
            return None;
        }
    };
    Some(CurrentLocation {
        place_id: input.place_id,
        coordinates,
    })
}

fn validate_members(
    errors: &mut ValidationErrors,
    members: Option<&[MemberInput]>,
    ctx: &ValidationContext,
) -> Option<Vec<ValidatedMember>> {
    let Some(members) = members else {
        errors.push(
            "#/members",
            FieldErrorCode::Required,
            "a household has at least one member",
        );
        return None;
    };
    if members.is_empty() {
        errors.push(
            "#/members",
            FieldErrorCode::Empty,
            "a household has at least one member",
        );
        return None;
    }
    if !check_list_size(errors, "#/members", members.len(), MAX_MEMBERS) {
        return None;
    }
    let before = errors.errors.len();
    let mut seen_ids = HashSet::new();
    let mut seen_documents = HashSet::new();
    let mut validated = Vec::with_capacity(members.len());
    for (i, member) in members.iter().enumerate() {
        let pointer = format!("#/members/{i}");
        if let Some(id) = member.id
            && !seen_ids.insert(id)
        {
            errors.push(
                &format!("{pointer}/id"),
                FieldErrorCode::Duplicate,
                "the same member appears twice",
            );
        }
        if let Some(m) = validate_member(errors, &pointer, member, ctx) {
            for (j, doc) in m.documents.iter().enumerate() {
                if let Some(number) = &doc.number
                    && !seen_documents.insert((doc.doc_type, number.clone()))
                {
                    errors.push(
                        &format!("{pointer}/documents/{j}/number"),
                        FieldErrorCode::Duplicate,
                        "the same document is given twice in this household",
                    );
                }
            }
            validated.push(m);
        }
    }
    let heads = members
        .iter()
        .filter(|m| m.relationship == Some(Relationship::Head))
        .count();
    match heads {
        0 => errors.push(
            "#/members",
            FieldErrorCode::NoHead,
            "exactly one member must have relationship head",
        ),
        1 => {}
        _ => errors.push(
            "#/members",
            FieldErrorCode::SeveralHeads,
            "only one member may have relationship head",
        ),
    }
    (errors.errors.len() == before).then_some(validated)
}

fn validate_member(
    errors: &mut ValidationErrors,
    pointer: &str,
    input: &MemberInput,
    ctx: &ValidationContext,
) -> Option<ValidatedMember> {
    let before = errors.errors.len();
    let name = |errors: &mut ValidationErrors, field: &str, value: Option<&String>| {
        let field_pointer = format!("{pointer}/{field}");
        match required(errors, &field_pointer, value) {
            Some(v) => text_field(errors, &field_pointer, v, MAX_NAME_CHARS, false),
            None => None,
        }
    };
    let surname = name(errors, "surname", input.surname.as_ref());
    let given_name = name(errors, "given_name", input.given_name.as_ref());
    let patronymic = optional_text_field(
        errors,
        &format!("{pointer}/patronymic"),
        input.patronymic.as_deref(),
        MAX_NAME_CHARS,
        false,
    );
    let sex = required(errors, &format!("{pointer}/sex"), input.sex.as_ref()).copied();
    let relationship = required(
        errors,
        &format!("{pointer}/relationship"),
        input.relationship.as_ref(),
    )
    .copied();

    let birth_pointer = format!("{pointer}/birth_date");
    let birth_date = match required(errors, &birth_pointer, input.birth_date.as_ref()) {
        Some(text) => match BirthDate::parse(text) {
            Ok(b) if b.earliest().is_some_and(|d| d > ctx.today) => {
                errors.push(
                    &birth_pointer,
                    FieldErrorCode::DateInFuture,
                    "the birth date is in the future",
                );
                None
            }
            Ok(b) if b.year() < EARLIEST_BIRTH_YEAR => {
                errors.push(
                    &birth_pointer,
                    FieldErrorCode::DateImplausible,
                    format!("the birth year is before {EARLIEST_BIRTH_YEAR}"),
                );
                None
            }
            Ok(b) => Some(b),
            Err(e) => {
                errors.push(&birth_pointer, date_error_code(text), e.to_string());
                None
            }
        },
        None => None,
    };

    let citizenship = input
        .citizenship
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .and_then(|text| match text.parse::<CountryCode>() {
            Ok(code) => Some(code),
            Err(e) => {
                errors.push(
                    &format!("{pointer}/citizenship"),
                    FieldErrorCode::UnknownCountry,
                    e.to_string(),
                );
                None
            }
        });

    let vulnerabilities = if check_list_size(
        errors,
        &format!("{pointer}/vulnerabilities"),
        input.vulnerabilities.len(),
        MAX_LIST_ITEMS,
    ) {
        dedup_sorted(&input.vulnerabilities)
    } else {
        Vec::new()
    };

    let mut documents = Vec::new();
    if check_list_size(
        errors,
        &format!("{pointer}/documents"),
        input.documents.len(),
        MAX_DOCUMENTS,
    ) {
        for (j, doc) in input.documents.iter().enumerate() {
            let doc_pointer = format!("{pointer}/documents/{j}");
            if let Some(document) = Document::validate(doc, &doc_pointer, errors) {
                cross_check_document(
                    errors,
                    &doc_pointer,
                    &document,
                    birth_date,
                    input.birth_date_estimated,
                    sex,
                );
                documents.push(document);
            }
        }
    }

    if errors.errors.len() != before {
        return None;
    }
    Some(ValidatedMember {
        id: input.id,
        surname: surname?,
        given_name: given_name?,
        patronymic,
        sex: sex?,
        birth_date: birth_date?,
        birth_date_estimated: input.birth_date_estimated,
        citizenship,
        relationship: relationship?,
        vulnerabilities,
        documents,
    })
}

/// A document that encodes birth date and sex (IIN, Kyrgyz PIN) must agree with what was
/// typed for the person: a disagreement is almost always one wrong digit.
fn cross_check_document(
    errors: &mut ValidationErrors,
    pointer: &str,
    document: &Document,
    birth_date: Option<BirthDate>,
    estimated: bool,
    sex: Option<Sex>,
) {
    let Some((encoded_date, encoded_sex)) = document.encoded_birth_date_and_sex() else {
        return;
    };
    if let Some(birth) = birth_date.filter(|_| !estimated) {
        let agrees = match birth.as_full_date() {
            Some(full) => full == encoded_date,
            None => {
                birth.year() == chrono::Datelike::year(&encoded_date)
                    && birth
                        .month()
                        .is_none_or(|m| m == chrono::Datelike::month(&encoded_date))
            }
        };
        if !agrees {
            errors.push(
                &format!("{pointer}/number"),
                FieldErrorCode::DocumentBirthDateMismatch,
                "the birth date encoded in this number differs from the birth date given",
            );
        }
    }
    if let Some(sex) = sex.filter(|s| *s != Sex::Unknown)
        && sex != encoded_sex
    {
        errors.push(
            &format!("{pointer}/number"),
            FieldErrorCode::DocumentSexMismatch,
            "the sex encoded in this number differs from the sex given",
        );
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
