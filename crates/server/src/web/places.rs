//! Place fields: the suggestions every city and position field offers (a `<datalist>` of
//! the region's towns that works without JavaScript, narrowed as one types when htmx runs),
//! and the coordinators' page where a typed name the place list does not know is mapped to
//! a place once for all of the organisation's records.

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;
use shanyrak_core::CountryCode;
use shanyrak_core::places::{Place, PlaceKind, PlaceList};

use super::access::{Can, Submit, may};
use super::{Ctx, OrPage, PageResult, see_other};
use crate::AppState;

/// The id of the one datalist a page offers its place fields.
pub const PLACE_LIST_ID: &str = "place-list";
/// Towns of at least this size are in the list a page carries; smaller places are offered
/// as one types (with htmx), and any name of the place list resolves when saved.
const LISTED_POPULATION: u32 = 10_000;
/// Countries whose towns a page offers before anything is typed.
const LISTED_COUNTRIES: [CountryCode; 2] = [CountryCode::KZ, CountryCode::KG];
const SUGGESTIONS: usize = 12;

fn option(ctx: &Ctx, place: &Place) -> Markup {
    let shown = place.name(ctx.lang.code());
    let mut others: Vec<&str> = place.names.all().filter(|name| *name != shown).collect();
    others.dedup();
    let region = place
        .region
        .and_then(|r| PlaceList::shared()?.region(r))
        .map(|r| r.names.for_language(ctx.lang.code()));
    let mut label = others.join(" · ");
    if let Some(region) = region {
        if !label.is_empty() {
            label.push_str(" — ");
        }
        label.push_str(region);
    }
    html! { option value=(shown) label=(label) {} }
}

/// The `<datalist>` place fields point at (`list="place-list"`): the larger towns of
/// Kazakhstan and Kyrgyzstan and the crossing points, with their other names so that a
/// browser finds "Уральск" when "Oral" is typed.
pub fn datalist(ctx: &Ctx) -> Markup {
    let places: Vec<&Place> = PlaceList::shared()
        .map(|list| {
            let mut places: Vec<&Place> = list
                .places()
                .iter()
                .filter(|p| {
                    LISTED_COUNTRIES.contains(&p.country)
                        && (p.kind == PlaceKind::CrossingPoint || p.population >= LISTED_POPULATION)
                })
                .collect();
            places.sort_by_key(|p| p.name(ctx.lang.code()));
            places
        })
        .unwrap_or_default();
    html! {
        datalist id=(PLACE_LIST_ID) {
            @for place in places { (option(ctx, place)) }
        }
    }
}

/// The names of the fields that ask for suggestions; each sends only itself (and the
/// form's CSRF token), in the body: a position typed for a family stays out of URLs.
pub const SUGGESTING_FIELDS: [&str; 5] = ["q", "city", "current_place", "crossing_point", "place"];

/// `POST /places/suggest`: the options of the place list for what is typed so far, in any
/// script or transliteration; htmx puts them into the page's datalist.
pub async fn suggest(Submit { web, form, .. }: Submit<may::SignedIn>) -> PageResult {
    let ctx = &web.ctx;
    let typed = SUGGESTING_FIELDS
        .iter()
        .filter_map(|name| form.text(name))
        .find(|t| !t.trim().is_empty())
        .unwrap_or_default();
    let typed: String = typed.chars().take(crate::places::MAX_QUERY_CHARS).collect();
    let index = crate::places::index().await.or_page(ctx)?;
    let found = index.search(&typed, SUGGESTIONS);
    Ok(html! {
        @for m in found { (option(ctx, m.place)) }
    }
    .into_response())
}

/// `?mapped=N` after a mapping, to say what it changed.
#[derive(Debug, Deserialize)]
pub struct UnconfirmedQuery {
    #[serde(default)]
    mapped: Option<u64>,
    #[serde(default)]
    not_found: Option<String>,
}

/// `GET /places/unconfirmed`: the organisation's typed names that are no place, each with
/// a field to name the place it means.
pub async fn unconfirmed(
    State(state): State<AppState>,
    Can { web, query, .. }: Can<may::MapPlaces, Query<UnconfirmedQuery>>,
) -> PageResult {
    let ctx = &web.ctx;
    let names = state
        .store
        .unconfirmed_places(&web.actor)
        .await
        .or_page(ctx)?;
    let body = html! {
        h1 { (ctx.t("places-title")) }
        p { (ctx.t("places-intro")) }
        @if let Some(records) = query.mapped {
            p.notice role="status" { (ctx.count("places-mapped", i64::try_from(records).unwrap_or(i64::MAX))) }
        }
        @if query.not_found.is_some() {
            p.error role="alert" { (ctx.t("places-not-found")) }
        }
        @if names.is_empty() { p { (ctx.t("places-none")) } }
        @else {
            div.table-wrap { table {
                (ctx.column_headers(["places-name", "places-records", "places-map-to"]))
                tbody {
                    @for (i, name) in names.iter().enumerate() {
                        tr {
                            td { (name.city) " (" (name.country.as_str()) ")" }
                            td { (ctx.number(i64::try_from(name.households + name.sites).unwrap_or(i64::MAX))) }
                            td {
                                form method="post" action="/places/unconfirmed" {
                                    (ctx.csrf_field())
                                    input type="hidden" name="country" value=(name.country.as_str());
                                    input type="hidden" name="city" value=(name.city);
                                    label.visually-hidden for=(format!("place-{i}")) { (ctx.t("places-map-to")) }
                                    input id=(format!("place-{i}")) type="text" name="place" list=(PLACE_LIST_ID)
                                        autocomplete="off" required
                                        hx-post="/places/suggest" hx-params="csrf,place" hx-trigger="input changed delay:300ms"
                                        hx-target=(format!("#{PLACE_LIST_ID}")) hx-swap="innerHTML";
                                    " "
                                    button type="submit" { (ctx.t("places-map")) }
                                }
                            }
                        }
                    }
                }
            } }
            (datalist(ctx))
        }
    };
    Ok(super::render(ctx, &ctx.t("places-title"), body))
}

/// `POST /places/unconfirmed`: map one typed name to the settlement the coordinator named
/// (any of its names, in any script) in the same country.
pub async fn map(
    State(state): State<AppState>,
    Submit { web, form, .. }: Submit<may::MapPlaces, ()>,
) -> PageResult {
    let ctx = &web.ctx;
    let country = form.text("country").unwrap_or_default();
    let city = form.text("city").unwrap_or_default();
    let named = form.text("place").unwrap_or_default();
    let index = crate::places::index().await.or_page(ctx)?;
    let place = country
        .parse::<CountryCode>()
        .ok()
        .and_then(|country| index.settlement_named(country, &named))
        .map(|place| place.id);
    let Some(place) = place else {
        return Ok(see_other("/places/unconfirmed?not_found=1"));
    };
    let input = crate::places::PlaceMappingInput {
        country,
        city,
        place_id: place.0,
    };
    let (country, city, place) = crate::places::validate_mapping(&input)
        .map_err(crate::error::ApiError::Validation)
        .or_page(ctx)?;
    let mapping = state
        .store
        .map_unconfirmed_place(&web.actor, country, &city, place, Utc::now())
        .await
        .or_page(ctx)?;
    Ok(see_other(&format!(
        "/places/unconfirmed?mapped={}",
        mapping.households + mapping.sites
    )))
}
