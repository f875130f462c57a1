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
    Coordinates, MatchKind, PlaceId, PlaceIndex, PlaceKind, PlaceList, PlaceListError, PlaceNames,
    Region, RegionId,
};
use shanyrak_core::{CountryCode, FieldError, FieldErrorCode, ValidationErrors};

use crate::AppState;
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
    pub names: PlaceNames,
}

impl From<&Region> for RegionView {
    fn from(region: &Region) -> Self {
        Self {
            id: region.id,
            iso: region.iso,
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
    /// The name that matched the search, as written in the list.
    pub matched_name: &'static str,
    #[schema(inline)]
    pub matched: PlaceMatchKind,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlaceResults {
    pub items: Vec<PlaceView>,
}

fn invalid(pointer: &str, code: FieldErrorCode, message: &str) -> ApiError {
    ApiError::InvalidQuery(ValidationErrors::single(FieldError::new(
        pointer, code, message,
    )))
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
        invalid(
            "#/q",
            FieldErrorCode::Required,
            "query parameter q is required (and limit must be a number)",
        )
    })?;
    if query.q.chars().count() > MAX_QUERY_CHARS {
        return Err(invalid(
            "#/q",
            FieldErrorCode::TooLong,
            "q is longer than 100 characters",
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_RESULTS);
    if !(1..=MAX_RESULTS).contains(&limit) {
        return Err(invalid(
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
