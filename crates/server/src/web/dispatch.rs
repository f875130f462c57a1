//! Dispatch: who is waiting for a bed, proposals with their reasons, and the decision.

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::Utc;
use maud::{Markup, html};
use shanyrak_placement as placement;
use shanyrak_store::{PlacementBatch, Principal, WaitingHousehold};
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::{Ctx, OrPage, PageError, PageResult, Web, WebError, see_other};
use crate::AppState;
use crate::dispatch::{DecisionInput, Override, ProposalSettings, Rejection};
use crate::error::ApiError;

/// Rows a list shows; the rest are counted (a phone cannot carry thousands of rows, and
/// the most urgent come first).
const MAX_ROWS: usize = 200;

fn waiting_table(ctx: &Ctx, waiting: &[WaitingHousehold]) -> Markup {
    html! {
        div.table-wrap { table.stack {
            (ctx.column_headers(["field-reference", "field-city", "sites-persons", "dispatch-priority", "dispatch-waiting-days", "field-vulnerabilities"]))
            tbody {
                @for w in waiting {
                    tr {
                        td data-label=(ctx.t("field-reference")) { a href=(format!("/households/{}", w.household_id)) { span.reference { (w.reference) } } }
                        td data-label=(ctx.t("field-city")) { (w.city) }
                        td data-label=(ctx.t("sites-persons")) { (ctx.t_with("dispatch-composition", &[
                            ("persons", i64::from(w.persons).into()),
                            ("men", i64::from(w.men).into()),
                            ("women", i64::from(w.women).into()),
                            ("children", i64::from(w.children).into()),
                        ])) }
                        td data-label=(ctx.t("dispatch-priority")) { (w.priority) }
                        td data-label=(ctx.t("dispatch-waiting-days")) { (w.waiting_days) }
                        td data-label=(ctx.t("field-vulnerabilities")) { (w.vulnerabilities.iter().map(|v| ctx.label("vulnerability", v.as_str())).collect::<Vec<_>>().join(", ")) }
                    }
                }
            }
        } }
    }
}

/// Households per page of the waiting list: a phone's worth of scrolling.
const WAITING_PAGE: usize = 50;

#[derive(Debug, Default, serde::Deserialize)]
pub struct WaitingQuery {
    /// Only this city's waiting households.
    #[serde(default)]
    city: Option<String>,
    /// Zero-based page of the waiting list, most urgent first.
    #[serde(default)]
    page: Option<usize>,
}

pub async fn page(
    State(state): State<AppState>,
    Can { web, query, .. }: Can<may::PlaceHouseholds, Query<WaitingQuery>>,
) -> PageResult {
    let ctx = &web.ctx;
    let now = Utc::now();
    let city = query.city.filter(|c| !c.trim().is_empty());
    let waiting: Vec<_> = state
        .store
        .waiting_list(&web.actor, city.as_deref(), now)
        .await
        .or_page(ctx)?
        .into_iter()
        .map(|w| w.redacted_for(&web.actor))
        .collect();
    let sites = state
        .store
        .list_sites(&web.actor, None, now)
        .await
        .or_page(ctx)?;
    let cities: BTreeSet<&str> = waiting
        .iter()
        .map(|w| w.city.as_str())
        .chain(sites.iter().map(|s| s.site.details.location.city.as_str()))
        .chain(city.as_deref())
        .collect();
    let pages = waiting.len().div_ceil(WAITING_PAGE).max(1);
    let page = query.page.unwrap_or(0).min(pages - 1);
    let shown = &waiting
        [(page * WAITING_PAGE).min(waiting.len())..((page + 1) * WAITING_PAGE).min(waiting.len())];
    let link = |to: usize| {
        let mut href = format!("/dispatch?page={to}");
        if let Some(city) = &city {
            href.push_str("&city=");
            href.push_str(&super::forms::url_encode(city));
        }
        href
    };
    let body = html! {
        h1 { (ctx.t("dispatch-title")) }
        section {
            h2 { (ctx.t("dispatch-propose")) }
            form method="post" action="/dispatch" {
                (ctx.csrf_field())
                div.grid {
                    div.field {
                        label for="city" { (ctx.t("field-city")) }
                        select #city name="city" {
                            option value="" { (ctx.t("dispatch-all-cities")) }
                            @for city in &cities { option value=(city) { (city) } }
                        }
                    }
                    div.field {
                        label for="max_travel_km" { (ctx.t("dispatch-max-travel")) }
                        input #max_travel_km type="number" min="0" name="max_travel_km" inputmode="numeric";
                    }
                }
                button type="submit" { (ctx.t("dispatch-propose-submit")) }
            }
        }
        section {
            h2 { (ctx.t("dispatch-waiting")) " (" (ctx.count("common-households", waiting.len() as i64)) ")" }
            form.filter method="get" action="/dispatch" {
                div.field {
                    label for="waiting-city" { (ctx.t("field-city")) }
                    select #waiting-city name="city" {
                        option value="" { (ctx.t("dispatch-all-cities")) }
                        @for c in &cities { option value=(c) selected[city.as_deref() == Some(*c)] { (c) } }
                    }
                }
                button.secondary type="submit" { (ctx.t("dispatch-filter-submit")) }
            }
            @if waiting.is_empty() { p { (ctx.t("dispatch-nobody-waiting")) } }
            @else {
                (waiting_table(ctx, shown))
                @if pages > 1 {
                    nav.pager aria-label=(ctx.t("dispatch-pages")) {
                        @if page > 0 { a #waiting-previous href=(link(page - 1)) rel="prev" { (ctx.t("dispatch-page-previous")) } " " }
                        span { (ctx.t_with("dispatch-page-of", &[("page", ((page + 1) as i64).into()), ("pages", (pages as i64).into())])) }
                        @if page + 1 < pages { " " a #waiting-next href=(link(page + 1)) rel="next" { (ctx.t("dispatch-page-next")) } }
                    }
                }
            }
        }
    };
    Ok(super::render(ctx, &ctx.t("dispatch-title"), body))
}

/// A night's proposal: where, and how far people may be sent.
#[derive(Debug, Default, serde::Deserialize)]
struct ProposeForm {
    #[serde(default, deserialize_with = "super::forms::field::text")]
    city: Option<String>,
    #[serde(default, deserialize_with = "super::forms::field::decimal")]
    max_travel_km: Option<f64>,
}

pub async fn propose(
    State(state): State<AppState>,
    Submit { web, form, .. }: Submit<may::PlaceHouseholds>,
) -> PageResult {
    let ctx = &web.ctx;
    let fields: ProposeForm = form.parse().map_err(WebError::Api).or_page(ctx)?;
    let settings = ProposalSettings {
        city: fields.city,
        max_travel_km: fields.max_travel_km,
        ..ProposalSettings::default()
    };
    let batch = crate::dispatch::propose(
        &state.store,
        &Principal::User(web.actor.clone()),
        &settings,
        Utc::now(),
    )
    .await
    .or_page(ctx)?;
    Ok(see_other(&format!("/dispatch/batches/{}", batch.id)))
}

struct HouseholdLabel {
    reference: String,
    persons: u32,
}

async fn labels(
    state: &AppState,
    web: &Web,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, HouseholdLabel>, WebError> {
    let waiting = state
        .store
        .waiting_list(&web.actor, None, Utc::now())
        .await?;
    let mut out: HashMap<Uuid, HouseholdLabel> = waiting
        .into_iter()
        .map(|w| {
            (
                w.household_id,
                HouseholdLabel {
                    reference: w.reference.to_string(),
                    persons: w.persons,
                },
            )
        })
        .collect();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        match state.store.get_household(&web.actor, id).await {
            Ok(h) => {
                out.insert(
                    id,
                    HouseholdLabel {
                        reference: h.reference.to_string(),
                        persons: h.members.len() as u32,
                    },
                );
            }
            Err(shanyrak_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

fn reason_text(ctx: &Ctx, reason: &placement::PlacementReason) -> String {
    let arrangement = serde_json::to_value(reason.arrangement)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let choice = serde_json::to_value(reason.choice)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut parts = vec![
        ctx.t(&format!("arrangement-{}", arrangement.replace('_', "-"))),
        ctx.t(&format!("choice-{}", choice.replace('_', "-"))),
    ];
    if reason.travel_from == placement::TravelFrom::CurrentPosition {
        if reason.in_preferred_city {
            parts.push(ctx.t("dispatch-in-city"));
        }
        parts.push(ctx.t_with(
            "dispatch-travel-from-here",
            &[("km", (reason.travel_km.round() as i64).into())],
        ));
    } else if reason.in_preferred_city {
        parts.push(ctx.t("dispatch-in-city"));
    } else {
        parts.push(ctx.t_with(
            "dispatch-travel",
            &[("km", (reason.travel_km.round() as i64).into())],
        ));
    }
    if reason.better_options_unavailable > 0 {
        parts.push(ctx.count(
            "dispatch-better-unavailable",
            i64::from(reason.better_options_unavailable),
        ));
    }
    parts.join("; ")
}

/// Proposals per page of a batch: a phone's worth of decisions.
const BATCH_PAGE: usize = 50;
/// Pools a search for other sites adds to every row's choice.
const FOUND_POOLS: usize = 30;

#[derive(Debug, Default, serde::Deserialize)]
pub struct BatchQuery {
    /// Zero-based page of the proposals, in the batch's order.
    #[serde(default)]
    page: Option<usize>,
    /// Other sites to offer, by site name or place (any script, any of its names).
    #[serde(default)]
    find: Option<String>,
}

/// Where a site is, for offering another pool near the proposed one: its place's region
/// when the place is known, else its city as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Area<'a> {
    Region(shanyrak_core::places::RegionId),
    City(&'a str),
}

fn area_of(site: &shanyrak_core::shelter::Site) -> Area<'_> {
    let location = &site.details.location;
    location
        .place_id
        .and_then(|id| {
            shanyrak_core::places::PlaceList::shared_index()?
                .list()
                .get(id)
        })
        .and_then(|place| place.region)
        .map_or(Area::City(location.city.as_str()), Area::Region)
}

/// Whether a pool has room for a household of `persons` now (rooms for family rooms).
fn has_room(pool: &shanyrak_store::PoolView, persons: u32) -> bool {
    match pool.spec.room_size {
        Some(size) if size > 0 => pool.free >= persons.div_ceil(size),
        _ => pool.free >= persons,
    }
}

/// Sites whose name or place matches a dispatcher's search, in any script.
fn found_sites<'a>(
    sites: &'a [shanyrak_store::SiteView],
    text: &str,
) -> Vec<&'a shanyrak_store::SiteView> {
    use shanyrak_core::places::{PlaceList, fold_name};
    let folded = fold_name(text);
    if folded.is_empty() {
        return Vec::new();
    }
    let places: std::collections::HashSet<_> = PlaceList::shared_index()
        .map(|index| {
            index
                .search(text, 20)
                .into_iter()
                .map(|m| m.place.id)
                .collect()
        })
        .unwrap_or_default();
    sites
        .iter()
        .filter(|s| {
            let location = &s.site.details.location;
            fold_name(&s.site.details.name).contains(&folded)
                || fold_name(&location.city).contains(&folded)
                || location.place_id.is_some_and(|id| places.contains(&id))
        })
        .collect()
}

/// A proposal batch and the solution the solver kept with it.
async fn batch_with_solution(
    state: &AppState,
    web: &Web,
    batch_id: Uuid,
) -> Result<(PlacementBatch, placement::Solution), PageError> {
    let batch = state
        .store
        .get_batch(&Principal::User(web.actor.clone()), batch_id)
        .await
        .or_page(&web.ctx)?;
    let solution = serde_json::from_value(batch.solution.clone())
        .map_err(|_| WebError::Api(ApiError::Internal))
        .or_page(&web.ctx)?;
    Ok((batch, solution))
}

pub async fn batch(
    State(state): State<AppState>,
    Can {
        web,
        id: batch_id,
        query,
        ..
    }: Can<may::PlaceHouseholds, (Uuid, Query<BatchQuery>)>,
) -> PageResult {
    let ctx = &web.ctx;
    let (batch, solution) = batch_with_solution(&state, &web, batch_id).await?;
    let sites = state
        .store
        .list_sites(&web.actor, None, Utc::now())
        .await
        .or_page(ctx)?;
    // A bed in a private home says so: the dispatcher sends a family into someone's flat.
    let site_names: HashMap<String, String> = sites
        .iter()
        .map(|s| {
            let name = &s.site.details.name;
            let shown =
                if s.site.details.kind == shanyrak_core::shelter::SiteKind::PrivateAccommodation {
                    format!(
                        "{name} ({})",
                        ctx.label("site-kind", s.site.details.kind.as_str())
                    )
                } else {
                    name.clone()
                };
            (s.site.id.to_string(), shown)
        })
        .collect();
    let pool_name = |s: &shanyrak_store::SiteView, p: &shanyrak_store::PoolView| {
        format!(
            "{} · {} · {}",
            s.site.details.name,
            ctx.label("pool", p.spec.kind.as_str()),
            ctx.t_with("dispatch-pool-free", &[("free", i64::from(p.free).into())])
        )
    };
    // Another pool is offered from the proposed site's region only, where it has room: a
    // list of every pool in the country made the page megabytes long. Others are found by
    // a search, which adds its matches to every row.
    let mut pools_by_area: HashMap<
        Area,
        Vec<(&shanyrak_store::SiteView, &shanyrak_store::PoolView)>,
    > = HashMap::new();
    for s in &sites {
        for p in &s.pools {
            pools_by_area
                .entry(area_of(&s.site))
                .or_default()
                .push((s, p));
        }
    }
    let area_of_site: HashMap<String, Area> = sites
        .iter()
        .map(|s| (s.site.id.to_string(), area_of(&s.site)))
        .collect();
    let find = query
        .find
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty());
    let found: Vec<(Uuid, String)> = find
        .map(|text| found_sites(&sites, text))
        .unwrap_or_default()
        .into_iter()
        .flat_map(|s| s.pools.iter().map(move |p| (s, p)))
        .take(FOUND_POOLS)
        .map(|(s, p)| {
            (
                p.id,
                format!("{} ({})", pool_name(s, p), s.site.details.location.city),
            )
        })
        .collect();
    let ids = solution
        .proposals
        .iter()
        .map(|p| p.household_id.as_str())
        .chain(solution.unplaced.iter().map(|u| u.household_id.as_str()))
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect::<Vec<_>>();
    let labels = labels(&state, &web, ids.into_iter()).await.or_page(ctx)?;
    let fitting = |proposal: &placement::Proposal| -> Vec<(Uuid, String)> {
        let proposed: Vec<&str> = proposal.pools.iter().map(|u| u.pool_id.as_str()).collect();
        area_of_site
            .get(&proposal.site_id)
            .and_then(|area| pools_by_area.get(area))
            .map(|pools| {
                pools
                    .iter()
                    .filter(|(_, p)| {
                        !proposed.contains(&p.id.to_string().as_str())
                            && has_room(p, proposal.people)
                    })
                    .map(|(s, p)| (p.id, pool_name(s, p)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let decided: HashMap<String, &shanyrak_store::PlacementDecision> = batch
        .decisions
        .iter()
        .map(|d| (d.household_id.to_string(), d))
        .collect();
    let label = |id: &str| -> String {
        Uuid::parse_str(id)
            .ok()
            .and_then(|u| labels.get(&u))
            .map(|l| {
                format!(
                    "{} ({})",
                    l.reference,
                    ctx.count("common-people", i64::from(l.persons))
                )
            })
            .unwrap_or_else(|| ctx.t("dispatch-unknown-household"))
    };
    let open = solution
        .proposals
        .iter()
        .filter(|p| !decided.contains_key(&p.household_id))
        .count();
    let pages = solution.proposals.len().div_ceil(BATCH_PAGE).max(1);
    let page = query.page.unwrap_or(0).min(pages - 1);
    let shown = solution
        .proposals
        .iter()
        .skip(page * BATCH_PAGE)
        .take(BATCH_PAGE)
        .collect::<Vec<_>>();
    let open_here = shown
        .iter()
        .filter(|p| !decided.contains_key(&p.household_id))
        .count();
    let elsewhere = open - open_here;
    let link = |to: usize| {
        let mut href = format!("/dispatch/batches/{batch_id}?page={to}");
        if let Some(find) = find {
            href.push_str("&find=");
            href.push_str(&super::forms::url_encode(find));
        }
        href
    };
    let body = html! {
        h1 { (ctx.t("dispatch-batch-title")) }
        p { (ctx.datetime(batch.created_at)) @if let Some(city) = &batch.city { " · " (city) } }
        h2 { (ctx.t("dispatch-proposals")) " (" (solution.proposals.len()) ")" }
        @if solution.proposals.is_empty() { p { (ctx.t("dispatch-no-proposals")) } }
        @else {
            form.filter #find-sites method="get" action=(format!("/dispatch/batches/{batch_id}")) {
                input type="hidden" name="page" value=(page);
                div.field {
                    label for="find" { (ctx.t("dispatch-find-sites")) }
                    input #find type="search" name="find" value=(find.unwrap_or_default()) maxlength="100" list=(super::places::PLACE_LIST_ID);
                    @if find.is_some() {
                        p.hint role="status" { (ctx.count("dispatch-found-pools", found.len() as i64)) }
                    }
                }
                button.secondary type="submit" { (ctx.t("dispatch-find-submit")) }
                (super::places::datalist(ctx))
            }
            form method="post" action=(format!("/dispatch/batches/{batch_id}")) {
                (ctx.csrf_field())
                div.table-wrap { table.stack {
                    (ctx.column_headers(["field-reference", "field-site", "dispatch-reason", "dispatch-decision"]))
                    tbody {
                        @for p in &shown {
                            @let hid = &p.household_id;
                            tr {
                                td data-label=(ctx.t("field-reference")) { (label(hid)) }
                                td data-label=(ctx.t("field-site")) { (site_names.get(&p.site_id).map_or("—", String::as_str)) }
                                td data-label=(ctx.t("dispatch-reason")) { (reason_text(ctx, &p.reason)) }
                                td data-label=(ctx.t("dispatch-decision")) {
                                    @if let Some(d) = decided.get(hid) {
                                        strong { (ctx.t(&format!("dispatch-decided-{}", d.decision))) }
                                        @if let Some(r) = &d.reason { " · " (r) }
                                    } @else {
                                        fieldset {
                                            legend.visually-hidden { (label(hid)) }
                                            div.checks {
                                                // No decision is preset: each proposal is accepted by choice.
                                                label { input type="radio" name=(format!("d.{hid}")) value="accept"; (ctx.t("dispatch-accept")) }
                                                label { input type="radio" name=(format!("d.{hid}")) value="reject"; (ctx.t("dispatch-reject")) }
                                                label { input type="radio" name=(format!("d.{hid}")) value="later" checked; (ctx.t("dispatch-later")) }
                                            }
                                            div.field {
                                                label for=(format!("reason-{hid}")) { (ctx.t("dispatch-reject-reason")) }
                                                input id=(format!("reason-{hid}")) type="text" name=(format!("reason.{hid}"));
                                            }
                                            div.field {
                                                label for=(format!("override-{hid}")) { (ctx.t("dispatch-override")) }
                                                select id=(format!("override-{hid}")) name=(format!("override.{hid}")) {
                                                    option value="" selected { (ctx.t("dispatch-as-proposed")) }
                                                    @let nearby = fitting(p);
                                                    @if !nearby.is_empty() {
                                                        optgroup label=(ctx.t("dispatch-nearby-pools")) {
                                                            @for (pool_id, name) in &nearby { option value=(pool_id) { (name) } }
                                                        }
                                                    }
                                                    @if !found.is_empty() {
                                                        optgroup label=(ctx.t("dispatch-found-pools-group")) {
                                                            @for (pool_id, name) in &found { option value=(pool_id) { (name) } }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
                @if pages > 1 {
                    nav.pager aria-label=(ctx.t("dispatch-pages")) {
                        @if page > 0 { a #batch-previous href=(link(page - 1)) rel="prev" { (ctx.t("dispatch-page-previous")) } " " }
                        span { (ctx.t_with("dispatch-page-of", &[("page", ((page + 1) as i64).into()), ("pages", (pages as i64).into())])) }
                        @if page + 1 < pages { " " a #batch-next href=(link(page + 1)) rel="next" { (ctx.t("dispatch-page-next")) } }
                    }
                }
                @if elsewhere > 0 {
                    div.checks {
                        label {
                            input type="checkbox" name="accept_rest" value="1";
                            (ctx.count("dispatch-accept-rest", elsewhere as i64))
                        }
                    }
                }
                @if open > 0 {
                    div.actions { button type="submit" { (ctx.t("dispatch-decide-submit")) } }
                }
            }
        }
        h2 { (ctx.t("dispatch-unplaced")) " (" (solution.unplaced.len()) ")" }
        @if solution.unplaced.is_empty() { p { (ctx.t("dispatch-all-placed")) } }
        @else {
            ul {
                @for u in solution.unplaced.iter().take(MAX_ROWS) {
                    li { (label(&u.household_id)) ": " (ctx.t(&format!("unplaced-{}", u.reason.code().replace('_', "-")))) }
                }
            }
            @if solution.unplaced.len() > MAX_ROWS {
                p.hint { (ctx.count("dispatch-more-unplaced", (solution.unplaced.len() - MAX_ROWS) as i64)) }
            }
        }
        p { a href="/dispatch" { (ctx.t("dispatch-back")) } }
    };
    Ok(super::render(ctx, &ctx.t("dispatch-batch-title"), body))
}

pub async fn decide(
    State(state): State<AppState>,
    Submit {
        web,
        id: batch_id,
        form,
        ..
    }: Submit<may::PlaceHouseholds, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let (batch, solution) = batch_with_solution(&state, &web, batch_id).await?;
    let decided: std::collections::HashSet<Uuid> =
        batch.decisions.iter().map(|d| d.household_id).collect();
    let mut input = DecisionInput::default();
    for p in &solution.proposals {
        let Ok(household_id) = Uuid::parse_str(&p.household_id) else {
            continue;
        };
        let hid = &p.household_id;
        let override_pool = form
            .text(&format!("override.{hid}"))
            .and_then(|p| Uuid::parse_str(&p).ok());
        // "Accept the rest" means the undecided proposals of the other pages.
        let choice = form.get(&format!("d.{hid}")).or_else(|| {
            (form.checked("accept_rest") && !decided.contains(&household_id)).then_some("accept")
        });
        match choice {
            Some("accept") => match override_pool {
                Some(pool_id) => input.overrides.push(Override {
                    household_id,
                    pool_id,
                }),
                None => input.accept.push(household_id),
            },
            Some("reject") => input.reject.push(Rejection {
                household_id,
                reason: form.text(&format!("reason.{hid}")),
            }),
            _ => {}
        }
    }
    let results = crate::dispatch::decide(
        &state.store,
        &Principal::User(web.actor.clone()),
        batch_id,
        &input,
        Utc::now(),
    )
    .await
    .or_page(ctx)?;
    let labels = labels(&state, &web, results.iter().map(|r| r.household_id))
        .await
        .or_page(ctx)?;
    let failed = results.iter().filter(|r| r.outcome == "failed").count();
    let body = html! {
        h1 { (ctx.t("dispatch-results")) }
        @if failed > 0 {
            p.notice.warn role="status" { (ctx.count("dispatch-failed", failed as i64)) }
        } @else {
            p.notice.ok role="status" #decided { (ctx.t("dispatch-all-done")) }
        }
        ul {
            @for r in &results {
                li {
                    (labels.get(&r.household_id).map(|l| l.reference.clone()).unwrap_or_default()) ": "
                    strong { (ctx.t(&format!("dispatch-outcome-{}", r.outcome))) }
                    @if let Some(reason) = &r.reason { " · " (ctx.t(&format!("dispatch-failure-{}", reason.replace('_', "-")))) }
                }
            }
        }
        div.actions {
            a.button href=(format!("/dispatch/batches/{batch_id}")) { (ctx.t("dispatch-back-to-batch")) }
            a.button.secondary href="/sites" { (ctx.t("nav-sites")) }
        }
    };
    Ok((
        StatusCode::OK,
        super::render(ctx, &ctx.t("dispatch-results"), body),
    )
        .into_response())
}
