//! Sites: occupancy by city, and the site page where the manager checks people in and
//! out and keeps the bed counts true.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;
use shanyrak_core::shelter::{BedPoolInput, StayStatus};
use shanyrak_core::{Action, ReferenceCode};
use shanyrak_store::{PoolView, SiteView, StoreError};
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::{Ctx, OrPage, PageError, PageResult, Web, WebError, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::parse_id;
use crate::shelter::DEFAULT_ABSENCE_DAYS;

/// Beds of a pool as (capacity, occupied, reserved, free), as the API counts them:
/// occupied and reserved are people; free beds are, for family rooms, the beds of the
/// wholly free rooms (a family of three in a room of four leaves that room taken).
fn beds(pool: &PoolView) -> (u64, u64, u64, u64) {
    (
        pool.capacity(),
        u64::from(pool.occupied),
        u64::from(pool.reserved),
        pool.free_beds(),
    )
}

/// A bar of occupied, reserved and free beds, with the figures as text for screen readers
/// and for anyone who cannot tell the colours apart.
pub fn occupancy_bar(ctx: &Ctx, capacity: u64, occupied: u64, reserved: u64) -> Markup {
    let free = capacity.saturating_sub(occupied + reserved);
    occupancy_bar_with_free(ctx, capacity, occupied, reserved, free)
}

/// [`occupancy_bar`] with the free beds given, for pools where people and free beds do not
/// add up to the capacity (family rooms let whole rooms only).
pub fn occupancy_bar_with_free(
    ctx: &Ctx,
    capacity: u64,
    occupied: u64,
    reserved: u64,
    free: u64,
) -> Markup {
    let pct = |n: u64| {
        if capacity == 0 {
            0.0
        } else {
            (n as f64 * 100.0 / capacity as f64).min(100.0)
        }
    };
    let label = ctx.t_with(
        "sites-bar-label",
        &[
            ("capacity", (capacity as i64).into()),
            ("occupied", (occupied as i64).into()),
            ("reserved", (reserved as i64).into()),
            ("free", (free as i64).into()),
        ],
    );
    // Widths go in an SVG, because the content security policy allows no inline styles.
    let occupied_width = pct(occupied);
    let reserved_width = pct(reserved).min(100.0 - occupied_width);
    html! {
        div.occupancy {
            svg.bar-svg viewBox="0 0 100 10" preserveAspectRatio="none" width="100%" height="18" role="img" aria-label=(label) {
                rect x="0" y="0" width="100" height="10" fill="#d9e7d2" {}
                rect x="0" y="0" width=(format!("{occupied_width:.2}")) height="10" fill="#0b5cad" {}
                rect x=(format!("{occupied_width:.2}")) y="0" width=(format!("{reserved_width:.2}")) height="10" fill="#d08c00" {}
            }
            span.hint { (label) }
        }
    }
}

/// A field for a household's reference code, typed or scanned from its card, and the
/// form's button (`submit`, a message key).
pub fn reference_field(ctx: &Ctx, submit: &str) -> Markup {
    html! {
        div.field {
            label for="reference" { (ctx.t("sites-reference")) }
            input #reference type="text" name="reference" autocomplete="off" autocapitalize="characters"
                placeholder="K7M-4QX-9PZ" required;
            p.hint { (ctx.t("sites-reference-hint")) }
        }
        div.actions {
            button type="submit" { (ctx.t(submit)) }
            button.secondary type="button" data-scan-into="reference" hidden { (ctx.t("sites-scan")) }
        }
    }
}

fn legend(ctx: &Ctx) -> Markup {
    html! {
        p.legend aria-hidden="true" {
            span { i.occupied {} (ctx.t("sites-occupied")) }
            span { i.reserved {} (ctx.t("sites-reserved")) }
            span { i.free {} (ctx.t("sites-free")) }
        }
    }
}

/// More sites than this and the list starts from its cities: one page per city keeps a
/// large deployment's list readable on a phone and quick to load.
const SITES_ON_ONE_PAGE: u64 = 60;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    city: Option<String>,
}

/// The cities as links, with how many sites each has (`current` marked).
fn city_index(ctx: &Ctx, cities: &[(String, u64)], current: Option<&str>) -> Markup {
    html! {
        nav aria-label=(ctx.t("sites-cities")) {
            ul.legend {
                @for (city, n) in cities {
                    li {
                        a href=(format!("/sites?city={}", super::forms::url_encode(city)))
                            aria-current=[(current == Some(city.as_str())).then_some("page")] {
                            (city) " (" (ctx.count("sites-count", i64::try_from(*n).unwrap_or(i64::MAX))) ")"
                        }
                    }
                }
            }
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Can { web, query, .. }: Can<may::ReadSites, Query<ListQuery>>,
) -> PageResult {
    let ctx = &web.ctx;
    let city = query
        .city
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let cities = state.store.site_cities(&web.actor).await.or_page(ctx)?;
    let total: u64 = cities.iter().map(|(_, n)| n).sum();
    if city.is_none() && total > SITES_ON_ONE_PAGE {
        let body = html! {
            h1 { (ctx.t("sites-title")) }
            p { (ctx.t("sites-choose-city")) }
            (city_index(ctx, &cities, None))
        };
        return Ok(super::render(ctx, &ctx.t("sites-title"), body));
    }
    let (sites, others) = state
        .store
        .site_listing(&web.actor, city, Utc::now())
        .await
        .or_page(ctx)?;
    crate::audit::log_read(
        &state,
        &web.actor,
        &headers,
        "list_sites",
        None,
        serde_json::json!({ "sites": sites.len(), "summaries": others.len(), "via": "web" }),
    )
    .await
    .or_page(ctx)?;
    let mut by_city: BTreeMap<String, Vec<&SiteView>> = BTreeMap::new();
    for site in &sites {
        by_city
            .entry(site.site.details.location.city.clone())
            .or_default()
            .push(site);
    }
    let body = html! {
        h1 { (ctx.t("sites-title")) }
        @if total > SITES_ON_ONE_PAGE || city.is_some() { (city_index(ctx, &cities, city)) }
        (legend(ctx))
        @if sites.is_empty() && others.is_empty() { p { (ctx.t("sites-none")) } }
        @for (city, sites) in &by_city {
            section {
                h2 { (city) }
                div.table-wrap { table {
                    (ctx.column_headers(["field-site", "sites-pool-kind", "sites-occupancy"]))
                    tbody {
                        @for site in sites {
                            @for (i, pool) in site.pools.iter().enumerate() {
                                @let (capacity, occupied, reserved, free) = beds(pool);
                                tr {
                                    @if i == 0 {
                                        th scope="rowgroup" rowspan=(site.pools.len()) {
                                            a href=(format!("/sites/{}", site.site.id)) { (site.site.details.name) }
                                            br; span.status { (ctx.label("site-status", site.site.details.status.as_str())) }
                                        }
                                    }
                                    td { (ctx.label("pool", pool.spec.kind.as_str())) }
                                    td { (occupancy_bar_with_free(ctx, capacity, occupied, reserved, free)) }
                                }
                            }
                            @if site.pools.is_empty() {
                                tr {
                                    th scope="row" { a href=(format!("/sites/{}", site.site.id)) { (site.site.details.name) } }
                                    td colspan="2" { (ctx.t("sites-no-pools")) }
                                }
                            }
                        }
                    }
                } }
            }
        }
        @if !others.is_empty() {
            section {
                h2 { (ctx.t("sites-others")) }
                p.hint { (ctx.t("sites-others-hint")) }
                div.table-wrap { table {
                    (ctx.column_headers(["field-city", "sites-kind-group", "sites-free-beds"]))
                    tbody {
                        @for other in &others {
                            tr {
                                td { (other.city) }
                                td { (ctx.label("site-kind-group", other.kind_group.as_str())) }
                                td { (ctx.number(i64::try_from(other.free_beds).unwrap_or(i64::MAX))) }
                            }
                        }
                    }
                } }
            }
        }
    };
    Ok(super::render(ctx, &ctx.t("sites-title"), body))
}

#[derive(Debug, Deserialize)]
pub struct SiteQuery {
    /// A short outcome code shown after a check-in or an edit (no personal data).
    #[serde(default)]
    done: Option<String>,
}

const OUTCOMES: &[&str] = &[
    "checked-in",
    "checked-out",
    "cancelled",
    "seen",
    "pool-saved",
    "no-reservation",
    "unknown-reference",
    "walk-in-refused",
];

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Can {
        web,
        id: site_id,
        query,
        ..
    }: Can<may::SignedIn, (Uuid, Query<SiteQuery>)>,
) -> PageResult {
    let ctx = &web.ctx;
    let now = Utc::now();
    let site = state
        .store
        .get_site(&web.actor, site_id, now)
        .await
        .or_page(ctx)?;
    let residents = if web.actor.may(Action::ReadResidents) {
        let residents = state
            .store
            .residents(&web.actor, site_id, DEFAULT_ABSENCE_DAYS, now)
            .await
            .or_page(ctx)?;
        crate::audit::log_read(
            &state,
            &web.actor,
            &headers,
            "read_residents",
            Some(site_id),
            serde_json::json!({ "residents": residents.len(), "via": "web" }),
        )
        .await
        .or_page(ctx)?;
        Some(residents)
    } else {
        None
    };
    let manage = web.actor.may(Action::ManageSites);
    let offer = state
        .store
        .host_offer_of_site(&web.actor, site_id)
        .await
        .or_page(ctx)?;
    let outcome = query.done.as_deref().filter(|d| OUTCOMES.contains(d));
    let d = &site.site.details;
    // The site's times are on its own clock: its place's zone, else the deployment's.
    let zone = shanyrak_store::clock::zone_of_site(&site.site);
    let body = html! {
        h1 { (d.name) }
        p { (ctx.label("site-kind", d.kind.as_str())) " · " (d.location.city) " · " span.status { (ctx.label("site-status", d.status.as_str())) } }
        p.hint #site-time-zone { (ctx.t_with("sites-time-zone", &[("zone", zone.name().into()), ("now", ctx.datetime_in(zone, now).into())])) }
        p.no-print {
            a #poster-link href=(format!("/sites/{site_id}/poster")) { (ctx.t("poster-link")) }
            @if let Some(offer) = offer {
                " · " a #host-offer-link href=(format!("/host-offers/{offer}")) { (ctx.t("host-offer-title")) }
            }
        }
        @if let Some(outcome) = outcome {
            @let bad = matches!(outcome, "no-reservation" | "unknown-reference" | "walk-in-refused");
            p.notice.ok[!bad].error[bad] role="status" #outcome { (ctx.t(&format!("sites-done-{outcome}"))) }
        }
        @if manage {
            section {
                h2 { (ctx.t("sites-check-in")) }
                form method="post" action=(format!("/sites/{site_id}/check-in")) {
                    (ctx.csrf_field())
                    (reference_field(ctx, "sites-check-in-submit"))
                }
            }
        }
        section {
            h2 { (ctx.t("sites-beds")) }
            (legend(ctx))
            div.table-wrap { table.stack {
                (ctx.column_headers(
                    ["sites-pool-kind", "sites-occupancy"].into_iter().chain(manage.then_some("sites-edit-beds"))
                ))
                tbody {
                    @for pool in &site.pools {
                        @let (capacity, occupied, reserved, free) = beds(pool);
                        tr {
                            th scope="row" {
                                (ctx.label("pool", pool.spec.kind.as_str()))
                                @if let Some(size) = pool.spec.room_size { " (" (ctx.count("sites-room-size", i64::from(size))) ")" }
                            }
                            td data-label=(ctx.t("sites-occupancy")) { (occupancy_bar_with_free(ctx, capacity, occupied, reserved, free)) }
                            @if manage {
                                td data-label=(ctx.t("sites-edit-beds")) {
                                    form.pool-edit method="post" action=(format!("/sites/{site_id}/pools/{}", pool.id)) {
                                        (ctx.csrf_field())
                                        @for (name, key, value) in [
                                            ("beds", "sites-beds-total", pool.spec.beds),
                                            ("blocked_beds", "sites-beds-blocked", pool.spec.blocked_beds),
                                            ("step_free_beds", "sites-beds-step-free", pool.spec.step_free_beds),
                                            ("transitory_beds", "sites-beds-transitory", pool.spec.transitory_beds),
                                        ] {
                                            @let input_id = format!("{}-{name}", pool.id);
                                            div.field {
                                                label for=(input_id) { (ctx.t(key)) }
                                                input id=(input_id) type="number" min="0" name=(name) value=(value) inputmode="numeric";
                                            }
                                        }
                                        button.secondary type="submit" { (ctx.t("common-save")) }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
        }
        @if let Some(residents) = &residents {
            section {
                h2 { (ctx.t("sites-residents")) " (" (residents.len()) ")" }
                @if residents.is_empty() { p { (ctx.t("sites-no-residents")) } }
                @else {
                    div.table-wrap { table.stack {
                        (ctx.column_headers(
                            ["field-reference", "field-name", "field-status", "sites-nights"].into_iter()
                                .chain(manage.then_some("common-actions"))
                        ))
                        tbody {
                            @for r in residents {
                                tr {
                                    td data-label=(ctx.t("field-reference")) { span.reference { (r.reference) } }
                                    td data-label=(ctx.t("field-name")) { (r.names.join(", ")) }
                                    td data-label=(ctx.t("field-status")) {
                                        (ctx.label("stay", r.stay.status.as_str()))
                                        @if r.stay.status == StayStatus::Reserved {
                                            @if let Some(until) = r.stay.reserved_until { " · " (ctx.t("household-reserved-until")) " " (ctx.datetime_in(zone, until)) }
                                        }
                                        @if r.overdue { " · " strong { (ctx.t("sites-overdue")) } }
                                        @if r.max_nights_reached { " · " strong { (ctx.t("sites-max-nights")) } }
                                    }
                                    td data-label=(ctx.t("sites-nights")) { (r.nights) }
                                    @if manage {
                                        td data-label=(ctx.t("common-actions")) {
                                            form method="post" action=(format!("/sites/{site_id}/stays/{}", r.stay.id)) {
                                                (ctx.csrf_field())
                                                div.actions {
                                                    @if r.stay.status == StayStatus::CheckedIn {
                                                        button.secondary type="submit" name="action" value="seen" { (ctx.t("sites-seen")) }
                                                        button.secondary type="submit" name="action" value="check-out" { (ctx.t("sites-check-out")) }
                                                    } @else if r.stay.status == StayStatus::Reserved {
                                                        button.secondary type="submit" name="action" value="check-in" { (ctx.t("sites-check-in-submit")) }
                                                        button.secondary type="submit" name="action" value="cancel" { (ctx.t("sites-cancel")) }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
        }
    };
    Ok(super::render(ctx, &d.name, body))
}

/// Check in every reservation of the household at this site, found by its reference
/// code (typed, or read from the card's QR code).
pub async fn check_in(
    State(state): State<AppState>,
    Submit {
        web,
        id: site_id,
        form,
        ..
    }: Submit<may::ManageSites, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let back = |outcome: &str| see_other(&format!("/sites/{site_id}?done={outcome}"));
    let Some(reference) = form
        .text("reference")
        .and_then(|r| r.parse::<ReferenceCode>().ok())
    else {
        return Ok(back("unknown-reference"));
    };
    let now = Utc::now();
    let residents = state
        .store
        .residents(&web.actor, site_id, DEFAULT_ABSENCE_DAYS, now)
        .await
        .or_page(ctx)?;
    let reserved: Vec<_> = residents
        .iter()
        .filter(|r| r.reference == reference && r.stay.status == StayStatus::Reserved)
        .collect();
    if reserved.is_empty() {
        // A walk-in: a household of this organisation without a reservation here is
        // offered the pools with free beds, to check in on the spot.
        let Ok(household) = state
            .store
            .get_household_by_reference(&web.actor, &reference)
            .await
        else {
            return Ok(back("no-reservation"));
        };
        let site = state
            .store
            .get_site(&web.actor, site_id, now)
            .await
            .or_page(ctx)?;
        return Ok(walk_in_page(ctx, &site, &household).into_response());
    }
    for r in reserved {
        state
            .store
            .change_stay(&web.actor, r.stay.id, StayStatus::CheckedIn, now)
            .await
            .or_page(ctx)?;
    }
    tracing::info!(site = %site_id, "checked in on the web");
    Ok(back("checked-in"))
}

/// The choice offered for a household that came without a reservation: every pool of the
/// site with free beds, each a button that checks the household in there.
fn walk_in_page(
    ctx: &Ctx,
    site: &shanyrak_store::SiteView,
    household: &shanyrak_core::Household,
) -> axum::response::Response {
    let site_id = site.site.id;
    let people = household.members.len() as i64;
    let open: Vec<&PoolView> = site.pools.iter().filter(|p| p.free > 0).collect();
    let body = html! {
        h1 { (site.site.details.name) }
        p.notice.warn role="status" #walk-in {
            span.reference { (household.reference) } " · " (ctx.count("common-people", people)) ". "
            (ctx.t("sites-walk-in-intro"))
        }
        @if open.is_empty() {
            p { (ctx.t("sites-walk-in-full")) }
        } @else {
            ul.walk-in {
                @for pool in &open {
                    li {
                        form method="post" action=(format!("/sites/{site_id}/walk-in")) {
                            (ctx.csrf_field())
                            input type="hidden" name="household" value=(household.id);
                            input type="hidden" name="pool" value=(pool.id);
                            button type="submit" {
                                (ctx.t_with("sites-walk-in-pool", &[
                                    ("pool", ctx.label("pool", pool.spec.kind.as_str()).into()),
                                    ("free", i64::try_from(pool.free_beds()).unwrap_or(i64::MAX).into()),
                                ]))
                            }
                        }
                    }
                }
            }
        }
        p { a href=(format!("/sites/{site_id}")) { (ctx.t("sites-walk-in-back")) } }
    };
    super::render(ctx, &site.site.details.name, body).into_response()
}

/// A pool of a site the user may manage; any other pool is a page that does not exist.
async fn pool_of_site(
    state: &AppState,
    web: &Web,
    site_id: Uuid,
    pool_id: Uuid,
) -> Result<PoolView, PageError> {
    let site = state
        .store
        .get_site(&web.actor, site_id, Utc::now())
        .await
        .or_page(&web.ctx)?;
    site.pools
        .into_iter()
        .find(|p| p.id == pool_id)
        .ok_or(WebError::Api(ApiError::NotFound))
        .or_page(&web.ctx)
}

/// Checks a household in without a reservation, into a pool of this site.
pub async fn walk_in(
    State(state): State<AppState>,
    Submit {
        web,
        id: site_id,
        form,
        ..
    }: Submit<may::ManageSites, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let household_id = parse_id(&form.text("household").unwrap_or_default()).or_page(ctx)?;
    let pool_id = parse_id(&form.text("pool").unwrap_or_default()).or_page(ctx)?;
    let now = Utc::now();
    pool_of_site(&state, &web, site_id, pool_id).await?;
    let request = shanyrak_store::AdmissionRequest {
        household_id,
        pool_id,
        member_ids: None,
        reserve_until: None,
        expected_departure: None,
        one_night: false,
    };
    let outcome = match state.store.admit(&web.actor, &request, now).await {
        Ok(_) => "checked-in",
        // Full, or a pool that does not fit the household (a child in a men's dorm): the
        // site page says so and the volunteer picks again.
        Err(StoreError::Invalid(_) | StoreError::Admission(_)) => "walk-in-refused",
        Err(e) => return Err(WebError::from(ApiError::from(e))).or_page(ctx),
    };
    tracing::info!(site = %site_id, outcome, "walk-in on the web");
    Ok(see_other(&format!("/sites/{site_id}?done={outcome}")))
}

pub async fn stay_action(
    State(state): State<AppState>,
    Submit {
        web,
        id: (site_id, stay_id),
        form,
        ..
    }: Submit<may::ManageSites, (Uuid, Uuid)>,
) -> PageResult {
    let ctx = &web.ctx;
    let now = Utc::now();
    // The stay must belong to this site; the store checks the organisation.
    let residents = state
        .store
        .residents(&web.actor, site_id, DEFAULT_ABSENCE_DAYS, now)
        .await
        .or_page(ctx)?;
    if !residents.iter().any(|r| r.stay.id == stay_id) {
        return Err(WebError::Api(ApiError::NotFound)).or_page(ctx);
    }
    let change = match form.get("action") {
        Some("check-in") => Some((StayStatus::CheckedIn, "checked-in")),
        Some("check-out") => Some((StayStatus::CheckedOut, "checked-out")),
        Some("cancel") => Some((StayStatus::Cancelled, "cancelled")),
        _ => None,
    };
    let outcome = match (change, form.get("action")) {
        (Some((to, outcome)), _) => {
            state
                .store
                .change_stay(&web.actor, stay_id, to, now)
                .await
                .or_page(ctx)?;
            outcome
        }
        (None, Some("seen")) => {
            state
                .store
                .mark_seen(&web.actor, stay_id, now)
                .await
                .or_page(ctx)?;
            "seen"
        }
        _ => return Err(WebError::Api(ApiError::NotFound)).or_page(ctx),
    };
    Ok(see_other(&format!("/sites/{site_id}?done={outcome}")))
}

pub async fn edit_pool(
    State(state): State<AppState>,
    Submit {
        web,
        id: (site_id, pool_id),
        form,
        ..
    }: Submit<may::ManageSites, (Uuid, Uuid)>,
) -> PageResult {
    let ctx = &web.ctx;
    let now = Utc::now();
    let pool = pool_of_site(&state, &web, site_id, pool_id).await?;
    let number = |name: &str, current: u32| -> Result<u32, ()> {
        match form.text(name) {
            None => Ok(current),
            Some(text) => text.parse::<u32>().map_err(|_| ()),
        }
    };
    let (Ok(beds), Ok(blocked), Ok(step_free), Ok(transitory)) = (
        number("beds", pool.spec.beds),
        number("blocked_beds", pool.spec.blocked_beds),
        number("step_free_beds", pool.spec.step_free_beds),
        number("transitory_beds", pool.spec.transitory_beds),
    ) else {
        return Err(WebError::Api(ApiError::invalid_field(
            "#/beds",
            shanyrak_core::FieldErrorCode::InvalidValue,
            "a whole number of beds",
        )))
        .or_page(ctx);
    };
    let input = BedPoolInput {
        kind: Some(pool.spec.kind),
        room_size: pool.spec.room_size,
        beds: Some(beds),
        step_free_beds: step_free,
        blocked_beds: blocked,
        transitory_beds: transitory,
    };
    match state
        .store
        .update_pool(&web.actor, site_id, pool_id, &input, now)
        .await
    {
        Ok(()) => Ok(see_other(&format!("/sites/{site_id}?done=pool-saved"))),
        Err(StoreError::Invalid(errors)) => {
            let messages: Vec<String> = errors
                .errors
                .iter()
                .map(|e| super::forms::message(ctx, e))
                .collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                super::render(
                    ctx,
                    &ctx.t("sites-edit-beds"),
                    html! {
                        h1 { (ctx.t("sites-edit-beds")) }
                        div.notice.error role="alert" { @for m in &messages { p { (m) } } }
                        p { a href=(format!("/sites/{site_id}")) { (ctx.t("error-back")) } }
                    },
                ),
            )
                .into_response())
        }
        Err(e) => Err(e).or_page(ctx),
    }
}
