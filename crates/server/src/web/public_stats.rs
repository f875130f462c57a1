//! The public figures for anyone, signed in or not: the latest release under disclosure
//! control, in the visitor's language, as tables that scroll on a phone and a chart of
//! beds by city, with links to the same figures as CSV and JSON. Nothing here is live:
//! a release is made every few hours (see docs/DISCLOSURE.md).

use axum::extract::State;
use maud::{Markup, html};
use shanyrak_core::disclosure::ProtectedTable;

use super::charts::paired_bars;
use super::{Ctx, OrPage, PageResult, Visitor, WebError, render};
use crate::AppState;
use crate::error::ApiError;

pub async fn page(State(state): State<AppState>, Visitor { ctx }: Visitor) -> PageResult {
    let release = crate::stats::latest(&state).await.or_page(&ctx)?;
    let table = |value: &serde_json::Value| {
        serde_json::from_value::<ProtectedTable>(value.clone())
            .map_err(|_| WebError::Api(ApiError::Internal))
            .or_page(&ctx)
    };
    let by_city = table(&release.persons_by_city_and_group)?;
    let by_age = table(&release.persons_by_age_and_sex)?;
    // Cities whose figures are suppressed are not drawn (the table shows them as —).
    let bars: Vec<(String, i64, i64)> = release
        .beds_by_city
        .iter()
        .filter_map(|b| {
            Some((
                city_label(&ctx, &b.city),
                i64::try_from(b.in_use?).ok()?,
                i64::try_from(b.free?).ok()?,
            ))
        })
        .collect();
    let title = ctx.t("public-stats-title");
    let body = html! {
        h1 { (title) }
        p {
            (ctx.t_with("public-stats-release", &[("at", ctx.datetime(release.released_at).into())]))
            " "
            (ctx.t_with("public-stats-suppressed", &[("threshold", fluent_bundle::FluentValue::from(release.threshold as i64))]))
        }
        p.actions {
            a href="/api/v1/public/stats.csv" download { (ctx.t("public-stats-csv")) }
            " · "
            a href="/api/v1/public/stats" { (ctx.t("public-stats-json")) }
        }
        h2 { (ctx.t("public-stats-beds")) }
        @if !bars.is_empty() {
            (paired_bars(&ctx.t("public-stats-beds"), &bars, &ctx.t("public-stats-in-use"), &ctx.t("public-stats-free")))
        }
        div.table-wrap {
            table {
                (ctx.column_headers(["public-stats-city", "public-stats-capacity", "public-stats-in-use", "public-stats-free"]))
                tbody {
                    @for b in &release.beds_by_city {
                        tr {
                            th scope="row" { (city_label(&ctx, &b.city)) }
                            td { (cell(&ctx, b.capacity)) }
                            td { (cell(&ctx, b.in_use)) }
                            td { (cell(&ctx, b.free)) }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("public-stats-by-city")) }
        (count_table(&ctx, &by_city, "public-stats-city", |c| city_label(&ctx, c), |g| ctx.label("group", g)))
        h2 { (ctx.t("public-stats-by-age")) }
        (count_table(&ctx, &by_age, "public-stats-age", str::to_owned, |s| ctx.label("sex", s)))
    };
    Ok(render(&ctx, &title, body))
}

fn cell(ctx: &Ctx, value: Option<u64>) -> String {
    match value.and_then(|v| i64::try_from(v).ok()) {
        Some(n) => ctx.number(n),
        None => "—".to_owned(),
    }
}

/// `KZ/Oral` as "Oral (KZ)"; a city not yet on the place list as "unconfirmed (KZ)".
fn city_label(ctx: &Ctx, label: &str) -> String {
    match label.split_once('/') {
        Some((country, "unconfirmed")) => {
            format!("{} ({country})", ctx.t("public-stats-unconfirmed"))
        }
        Some((country, city)) => format!("{city} ({country})"),
        None => label.to_owned(),
    }
}

fn count_table(
    ctx: &Ctx,
    table: &ProtectedTable,
    corner: &str,
    row_label: impl Fn(&str) -> String,
    column_label: impl Fn(&str) -> String,
) -> Markup {
    html! {
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t(corner)) }
                    @for c in &table.columns { th scope="col" { (column_label(c)) } }
                    th scope="col" { (ctx.t("public-stats-total")) }
                } }
                tbody {
                    @for (i, (name, cells)) in table.rows.iter().zip(&table.cells).enumerate() {
                        tr {
                            th scope="row" { (row_label(name)) }
                            @for v in cells { td { (cell(ctx, *v)) } }
                            td { (cell(ctx, table.row_totals.get(i).copied().flatten())) }
                        }
                    }
                    tr.total {
                        th scope="row" { (ctx.t("public-stats-total")) }
                        @for v in &table.column_totals { td { (cell(ctx, *v)) } }
                        td { (cell(ctx, table.total)) }
                    }
                }
            }
        }
    }
}
