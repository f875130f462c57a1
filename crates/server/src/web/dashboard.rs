//! The coordinator's dashboard: the figures at a glance, charts drawn on the server.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use chrono::{Duration, Utc};
use maud::html;
use shanyrak_store::Principal;

use super::access::{Can, may};
use super::charts::{Series, paired_bars, stacked_columns};
use super::{OrPage, PageResult};
use crate::AppState;

/// Days of arrivals shown.
const ARRIVAL_DAYS: i64 = 14;

pub async fn page(
    State(state): State<AppState>,
    Can { web, .. }: Can<may::ReadSites>,
) -> PageResult {
    let ctx = &web.ctx;
    let now = Utc::now();
    let stats = crate::stats::coordinator(
        &state.store,
        &Principal::User(web.actor.clone()),
        now,
        state.figures_every,
    )
    .await
    .or_page(ctx)?;
    let today = crate::local_time::local(now).date();
    // The chart ends on the latest arrival (today during a crisis; the last day of an
    // imported or historical registry otherwise), so it is never an empty fortnight.
    let all_arrivals = state
        .store
        .arrivals_by_day(web.actor.organisation_id, today - Duration::days(3_650))
        .await
        .or_page(ctx)?;
    let last = all_arrivals
        .iter()
        .map(|(d, _, _)| *d)
        .filter(|d| *d <= today)
        .max()
        .unwrap_or(today);
    let since = last - Duration::days(ARRIVAL_DAYS - 1);
    let arrivals: Vec<_> = all_arrivals
        .into_iter()
        .filter(|(d, _, _)| *d >= since && *d <= last)
        .collect();
    let days: Vec<chrono::NaiveDate> = (0..ARRIVAL_DAYS)
        .map(|i| since + Duration::days(i))
        .collect();
    let unknown = ctx.t("dashboard-crossing-unknown");
    let crossings: BTreeSet<String> = arrivals
        .iter()
        .map(|(_, c, _)| c.clone().unwrap_or_else(|| unknown.clone()))
        .collect();
    let mut per: BTreeMap<(chrono::NaiveDate, String), i64> = BTreeMap::new();
    for (day, crossing, people) in &arrivals {
        *per.entry((*day, crossing.clone().unwrap_or_else(|| unknown.clone())))
            .or_default() += people;
    }
    let series: Vec<Series> = crossings
        .iter()
        .map(|c| Series {
            name: c.clone(),
            values: days
                .iter()
                .map(|d| per.get(&(*d, c.clone())).copied().unwrap_or(0))
                .collect(),
        })
        .collect();
    let labels: Vec<String> = days
        .iter()
        .map(|d| match ctx.lang {
            super::Lang::En => d.format("%d %b").to_string(),
            _ => d.format("%d.%m").to_string(),
        })
        .collect();
    let arrived_total: i64 = arrivals.iter().map(|(_, _, n)| n).sum();
    let all_beds: Vec<_> = stats.beds.iter().filter(|b| b.kind == "all").collect();
    let free_beds: u64 = all_beds.iter().map(|b| b.free).sum();
    let occupied: u64 = all_beds.iter().map(|b| b.occupied).sum();
    let city_name = |key: &str| {
        key.split_once('/')
            .map(|(_, c)| c.to_owned())
            .unwrap_or_else(|| key.to_owned())
    };
    let gaps: Vec<(String, i64, i64)> = stats
        .gaps
        .iter()
        .map(|g| {
            (
                city_name(&g.city),
                g.waiting_persons as i64,
                g.free_beds as i64,
            )
        })
        .collect();
    let body = html! {
        h1 { (ctx.t("dashboard-title")) }
        p.hint #figures-as-of { (ctx.t("dashboard-as-of")) " " (ctx.datetime(stats.figures_as_of)) ". " (ctx.t("dashboard-freshness")) }
        div.figures {
            div.figure #figure-persons { strong { (ctx.number(stats.population.persons as i64)) } (ctx.t("dashboard-persons")) }
            div.figure #figure-arrived { strong { (ctx.number(arrived_total)) } (ctx.count("dashboard-arrived-days", ARRIVAL_DAYS)) }
            div.figure #figure-waiting { strong { (ctx.number(stats.waiting_persons as i64)) } (ctx.count("dashboard-waiting", stats.waiting_households as i64)) }
            div.figure #figure-occupied { strong { (ctx.number(occupied as i64)) } (ctx.t("dashboard-occupied")) }
            div.figure #figure-free { strong { (ctx.number(free_beds as i64)) } (ctx.t("dashboard-free")) }
        }
        section {
            h2 #arrivals-title { (ctx.t("dashboard-arrivals")) }
            p.hint { (ctx.date(since)) " – " (ctx.date(last)) }
            (stacked_columns(&ctx.t("dashboard-arrivals"), &labels, &series))
            details {
                summary { (ctx.t("dashboard-as-table")) }
                div.table-wrap { table {
                    thead { tr { th scope="col" { (ctx.t("field-arrival-date")) } @for c in &crossings { th scope="col" { (c) } } } }
                    tbody {
                        @for (i, d) in days.iter().enumerate() {
                            tr { th scope="row" { (ctx.date(*d)) } @for s in &series { td { (s.values[i]) } } }
                        }
                    }
                } }
            }
        }
        section {
            h2 { (ctx.t("dashboard-waiting-vs-free")) }
            @if gaps.is_empty() { p { (ctx.t("dashboard-no-cities")) } }
            @else {
                (paired_bars(&ctx.t("dashboard-waiting-vs-free"), &gaps, &ctx.t("dashboard-waiting-people"), &ctx.t("dashboard-free")))
                details {
                    summary { (ctx.t("dashboard-as-table")) }
                    div.table-wrap { table {
                        thead { tr { th scope="col" { (ctx.t("field-city")) } th scope="col" { (ctx.t("dashboard-waiting-people")) } th scope="col" { (ctx.t("dashboard-free")) } } }
                        tbody { @for (city, waiting, free) in &gaps { tr { th scope="row" { (city) } td { (waiting) } td { (free) } } } }
                    } }
                }
            }
        }
        section {
            h2 { (ctx.t("dashboard-beds-by-city")) }
            div.table-wrap { table {
                (ctx.column_headers(["field-city", "sites-occupancy"]))
                tbody {
                    @for b in &all_beds {
                        tr { th scope="row" { (city_name(&b.city)) } td { (super::sites::occupancy_bar(ctx, b.capacity, b.occupied, b.reserved)) } }
                    }
                }
            } }
        }
    };
    Ok(super::render(ctx, &ctx.t("dashboard-title"), body))
}
