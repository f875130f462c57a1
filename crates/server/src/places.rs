//! `GET /api/v1/places?q=`: search the place list (core `places`) for typeahead fields and
//! integrations.
//!
//! The index here folds names with the identity-resolution crate's canonical form, so a
//! search is insensitive to script and transliteration as well as to case and `ё/е`:
//! "Uralsk", "Ural'sk", "Уральск" and "ОРАЛ" all find the city. Core's own index cannot
//! do that (core sits below linkage), which is why the server builds its own; the ranking
//! and the data are core's.
//!
//! The index is built once, on the first request, off the async executor.

use std::sync::OnceLock;

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use shanyrak_core::places::{
    Coordinates, MatchKind, Place, PlaceId, PlaceIndex, PlaceKind, PlaceList, PlaceListError,
    PlaceNames, Region, RegionId,
};
use shanyrak_core::{CountryCode, FieldErrorCode, ValidationErrors};

use crate::AppState;
use crate::access::{PermittedJson, may};
use crate::error::{ApiError, Problem};
use crate::extract::Authenticated;

const DEFAULT_RESULTS: usize = 10;
const MAX_RESULTS: usize = 50;
/// Longer than any place name in the list; a longer text is not a place name.
pub const MAX_QUERY_CHARS: usize = 100;

static INDEX: OnceLock<Result<PlaceIndex, PlaceListError>> = OnceLock::new();

fn canonical_key(name: &str) -> String {
    shanyrak_linkage::normalize::canonical(name)
}

/// The compiled-in place list with a script- and transliteration-insensitive index.
pub fn build_index() -> Result<PlaceIndex, PlaceListError> {
    PlaceList::embedded().map(|list| PlaceIndex::new(list, canonical_key))
}

/// The shared index for synchronous code (form parsing). The server builds it at start
/// ([`index`] from `AppState::build`), so this does not block; if it was not built yet it
/// is built here, once.
pub fn index_now() -> Option<&'static PlaceIndex> {
    INDEX.get_or_init(build_index).as_ref().ok()
}

/// The shared index, built on first use on a blocking thread.
pub async fn index() -> Result<&'static PlaceIndex, ApiError> {
    let built = match INDEX.get() {
        Some(built) => built,
        None => tokio::task::spawn_blocking(|| INDEX.get_or_init(build_index))
            .await
            .map_err(|_| ApiError::Internal)?,
    };
    built.as_ref().map_err(|e| {
        tracing::error!(error = %e, "the compiled-in place list is unreadable");
        ApiError::Internal
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceQuery {
    /// Any name of the place, or the start of any word of one, in any script and
    /// transliteration (at most 100 characters). Empty or blank finds nothing.
    #[param(max_length = 100)]
    pub q: String,
    /// At most this many results (1 to 50, default 10).
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegionView {
    pub id: RegionId,
    /// ISO 3166-2 code, where the region has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iso: Option<&'static str>,
    /// The IANA time zone most of the region's settlements keep.
    #[schema(example = "Asia/Oral")]
    pub time_zone: &'static str,
    pub names: PlaceNames,
}

impl From<&Region> for RegionView {
    fn from(region: &Region) -> Self {
        Self {
            id: region.id,
            iso: region.iso,
            time_zone: region.time_zone().name(),
            names: region.names.clone(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceMatchKind {
    /// The whole name.
    Exact,
    /// The name starts with the text.
    Prefix,
    /// A later word of the name starts with the text.
    WordPrefix,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlaceView {
    /// Stable id: the GeoNames id, or Shanyrak's own from 1000000000 (crossing points).
    pub id: PlaceId,
    pub kind: PlaceKind,
    /// Names by language (`ru`, `kk`, `ky`, `en`); any may be missing.
    pub names: PlaceNames,
    pub country: CountryCode,
    pub region: Option<RegionView>,
    pub coordinates: Coordinates,
    /// Inhabitants as GeoNames counts them (0: a crossing point, or unknown).
    pub population: u32,
    /// The IANA time zone the place keeps its calendar in (a crossing point: its
    /// region's). A site or household there counts its days on this clock.
    #[schema(example = "Asia/Oral")]
    pub time_zone: &'static str,
    /// The name that matched the search, as written in the list.
    pub matched_name: &'static str,
    #[schema(inline)]
    pub matched: PlaceMatchKind,
}

crate::reply::item_lists! {
    PlaceResults(PlaceView);
}

/// Find places (settlements, crossing points) by any of their names, best first: the
/// whole name, then names starting with the text, then later words starting with it;
/// larger places first within each. Any signed-in user.
#[utoipa::path(get, path = "/api/v1/places", tag = "places", params(PlaceQuery),
    responses(
        (status = 200, description = "Matching places, best first; empty for a blank `q`", body = PlaceResults),
        (status = 400, description = "`q` missing or longer than 100 characters, or `limit` outside 1 to 50", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn search(
    State(_state): State<AppState>,
    Authenticated(_actor): Authenticated,
    query: Result<Query<PlaceQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PlaceResults>, ApiError> {
    let Query(query) = query.map_err(|_| {
        ApiError::query_error(
            "#/q",
            FieldErrorCode::Required,
            "query parameter q is required (and limit must be a number)",
        )
    })?;
    if query.q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::query_error(
            "#/q",
            FieldErrorCode::TooLong,
            "q is longer than 100 characters",
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_RESULTS);
    if !(1..=MAX_RESULTS).contains(&limit) {
        return Err(ApiError::query_error(
            "#/limit",
            FieldErrorCode::InvalidValue,
            "limit must be between 1 and 50",
        ));
    }
    let index = index().await?;
    let list = index.list();
    let items = index
        .search(&query.q, limit)
        .into_iter()
        .map(|m| PlaceView {
            id: m.place.id,
            kind: m.place.kind,
            names: m.place.names.clone(),
            country: m.place.country,
            region: m
                .place
                .region
                .and_then(|r| list.region(r))
                .map(RegionView::from),
            coordinates: m.place.coordinates,
            population: m.place.population,
            time_zone: m.place.time_zone().name(),
            matched_name: m.name,
            matched: match m.kind {
                MatchKind::Exact => PlaceMatchKind::Exact,
                MatchKind::Prefix => PlaceMatchKind::Prefix,
                MatchKind::WordPrefix => PlaceMatchKind::WordPrefix,
            },
        })
        .collect();
    Ok(Json(PlaceResults { items }))
}

/// The place a typed city name of a country means: a settlement of the list (core's
/// folding, as validation resolves names), else the place an organisation's coordinator
/// mapped the name to. Figures use it to count every spelling of one place as one.
#[derive(Debug)]
pub struct CityResolver {
    /// `None` only if the build's place list is broken (a unit test reads it): then no
    /// name resolves and figures group by the typed names.
    index: Option<&'static PlaceIndex>,
    aliases: std::collections::HashMap<(CountryCode, String), PlaceId>,
}

impl CityResolver {
    /// The place list and the mappings stored now.
    pub async fn load(store: &shanyrak_store::Store) -> Result<Self, shanyrak_store::StoreError> {
        let aliases = store
            .place_aliases()
            .await?
            .into_iter()
            .map(|(country, folded, place)| ((country, folded), place))
            .collect();
        Ok(Self {
            index: PlaceList::shared_index(),
            aliases,
        })
    }

    /// The place `city` (as typed) of `country` is, if known.
    pub fn place(&self, country: CountryCode, city: &str) -> Option<&'static Place> {
        let index = self.index?;
        index.settlement_named(country, city).or_else(|| {
            let folded = shanyrak_core::places::fold_name(city);
            self.aliases
                .get(&(country, folded))
                .and_then(|id| index.list().get(*id))
        })
    }

    /// The place of a record: its stored place when it has one, else what its typed name
    /// means now.
    pub fn place_of(
        &self,
        country: CountryCode,
        city: &str,
        stored: Option<PlaceId>,
    ) -> Option<&'static Place> {
        stored
            .and_then(|id| self.index?.list().get(id))
            .or_else(|| self.place(country, city))
    }

    /// `COUNTRY/Name` (the place's English name) for a known place, `COUNTRY/typed name`
    /// otherwise: the key figures group by.
    pub fn city_key(&self, country: CountryCode, city: &str) -> (String, Option<PlaceId>) {
        match self.place(country, city) {
            Some(place) => (
                format!("{}/{}", country.as_str(), place.name("en")),
                Some(place.id),
            ),
            None => (format!("{}/{}", country.as_str(), city), None),
        }
    }
}

/// Links the records whose place is unknown (written before places were kept, or typed
/// names a newer place list or a mapping now resolves). Run once at start.
pub async fn link_unconfirmed(
    store: &shanyrak_store::Store,
) -> Result<u64, shanyrak_store::StoreError> {
    let Some(index) = PlaceList::shared_index() else {
        return Ok(0);
    };
    let resolve = move |country: CountryCode, city: &str| {
        index.settlement_named(country, city).map(|place| place.id)
    };
    store.link_unconfirmed_places(&resolve).await
}

crate::reply::item_lists! {
    UnconfirmedPlaces(
        /// Typed names of your organisation's households and sites that are no place of the
        /// list, most records first (at most 500).
        shanyrak_store::UnconfirmedPlace
    );
}

/// A typed name and the place it means.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceMappingInput {
    /// ISO 3166-1 alpha-2 of the records.
    #[schema(schema_with = shanyrak_core::schema::country_code)]
    pub country: String,
    /// The name exactly as listed by `GET /api/v1/places/unconfirmed`.
    #[schema(schema_with = shanyrak_core::schema::short_text)]
    pub city: String,
    /// A settlement of the place list in that country.
    pub place_id: u32,
}

/// Your organisation's unconfirmed places: city names of households and sites that the
/// place list does not resolve. Coordinators (admins, dispatchers).
#[utoipa::path(get, path = "/api/v1/places/unconfirmed", tag = "places",
    responses((status = 200, body = UnconfirmedPlaces),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn unconfirmed(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<UnconfirmedPlaces>, ApiError> {
    let items = state.store.unconfirmed_places(&actor).await?;
    Ok(Json(UnconfirmedPlaces { items }))
}

/// Checks a mapping: the country is a code, the name is one a record can carry, the place
/// a settlement of that country.
pub fn validate_mapping(
    input: &PlaceMappingInput,
) -> Result<(CountryCode, String, PlaceId), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let country = input.country.parse::<CountryCode>().map_err(|e| {
        errors.push("#/country", FieldErrorCode::UnknownCountry, e.to_string());
    });
    let city = input.city.trim();
    if city.is_empty() {
        errors.push("#/city", FieldErrorCode::Empty, "must not be blank");
    } else if city.chars().count() > shanyrak_core::validation::MAX_SHORT_TEXT_CHARS {
        errors.push(
            "#/city",
            FieldErrorCode::TooLong,
            "is longer than a city name can be",
        );
    }
    let place = PlaceList::shared().and_then(|list| list.get(PlaceId(input.place_id)));
    match (place, &country) {
        (Some(place), Ok(country))
            if place.kind == PlaceKind::Settlement && place.country == *country => {}
        (Some(place), Ok(_)) if place.kind == PlaceKind::Settlement => errors.push(
            "#/place_id",
            FieldErrorCode::InvalidValue,
            "this place is in another country",
        ),
        (_, Err(())) => {}
        _ => errors.push(
            "#/place_id",
            FieldErrorCode::InvalidValue,
            "not a settlement of the place list",
        ),
    }
    match country {
        Ok(country) if errors.is_empty() => {
            Ok((country, input.city.clone(), PlaceId(input.place_id)))
        }
        _ => Err(errors),
    }
}

/// Map an unconfirmed place to a settlement of the list: every household and site of your
/// organisation with that name is linked to it now, and later records with the name (in
/// any case or spacing) when they are written. Coordinators (admins, dispatchers).
#[utoipa::path(post, path = "/api/v1/places/unconfirmed", tag = "places",
    request_body = PlaceMappingInput,
    responses((status = 200, body = shanyrak_store::PlaceMapping),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn map_unconfirmed(
    State(state): State<AppState>,
    PermittedJson { actor, body, .. }: PermittedJson<may::MapPlaces, PlaceMappingInput>,
) -> Result<Json<shanyrak_store::PlaceMapping>, ApiError> {
    let (country, city, place) = validate_mapping(&body.value).map_err(ApiError::Validation)?;
    let mapping = state
        .store
        .map_unconfirmed_place(&actor, country, &city, place, chrono::Utc::now())
        .await?;
    Ok(Json(mapping))
}
