//! Duplicates review: the queue, two records side by side with the evidence, same or
//! different, and undo.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;
use shanyrak_store::{DuplicateCandidate, PersonSide};
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::reception::full_name;
use super::{Ctx, OrPage, PageResult, WebError, see_other};
use crate::AppState;
use crate::error::ApiError;

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    status: Option<String>,
}

const STATUSES: &[&str] = &["pending", "same", "different"];

pub async fn queue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Can { web, query, .. }: Can<may::ReviewDuplicates, Query<QueueQuery>>,
) -> PageResult {
    let ctx = &web.ctx;
    let status = query
        .status
        .as_deref()
        .filter(|s| STATUSES.contains(s))
        .unwrap_or("pending");
    let items = state
        .store
        .list_candidates(&web.actor, status, 100)
        .await
        .or_page(ctx)?;
    crate::audit::log_read(
        &state,
        &web.actor,
        &headers,
        "read_duplicates",
        None,
        serde_json::json!({ "pairs": items.len(), "via": "web" }),
    )
    .await
    .or_page(ctx)?;
    let body = html! {
        h1 { (ctx.t("duplicates-title")) }
        nav aria-label=(ctx.t("duplicates-filter")) {
            ul.legend {
                @for s in STATUSES {
                    li { a href=(format!("/duplicates?status={s}")) aria-current=[(*s == status).then_some("page")] { (ctx.t(&format!("duplicates-status-{s}"))) } }
                }
            }
        }
        @if items.is_empty() { p { (ctx.t("duplicates-none")) } }
        @else {
            div.table-wrap { table {
                (ctx.column_headers(["duplicates-first", "duplicates-second", "duplicates-probability"]))
                tbody {
                    @for c in &items {
                        tr {
                            td { a href=(format!("/duplicates/{}", c.id)) { (full_name(&c.a.surname, &c.a.given_name, c.a.patronymic.as_deref())) } }
                            td { (full_name(&c.b.surname, &c.b.given_name, c.b.patronymic.as_deref())) }
                            td { (format!("{:.0} %", c.probability * 100.0)) }
                        }
                    }
                }
            } }
        }
    };
    Ok(super::render(ctx, &ctx.t("duplicates-title"), body))
}

fn side(ctx: &Ctx, title: &str, p: &PersonSide) -> Markup {
    html! {
        section.card {
            h2 { (title) }
            dl.facts {
                dt { (ctx.t("field-name")) } dd { (full_name(&p.surname, &p.given_name, p.patronymic.as_deref())) }
                dt { (ctx.t("field-sex")) } dd { (ctx.label("sex", p.sex.as_str())) }
                dt { (ctx.t("field-birth-date")) } dd { (super::i18n::format_birth_date(ctx.lang, &p.birth_date)) }
                dt { (ctx.t("field-citizenship")) } dd { (p.citizenship.map(|c| country_label(ctx, &c.to_string())).unwrap_or_else(|| "—".into())) }
                dt { (ctx.t("field-document-number")) } dd {
                    @if p.documents.is_empty() { "—" }
                    @for d in &p.documents { (ctx.label("document", d.doc_type.as_str())) @if let Some(n) = &d.number { " " (n) } br; }
                }
                dt { (ctx.t("field-reference")) } dd { a href=(format!("/households/{}", p.household_id)) { span.reference { (p.reference) } } }
                dt { (ctx.t("field-city")) } dd { (p.city) }
            }
        }
    }
}

fn evidence(ctx: &Ctx, c: &DuplicateCandidate) -> Markup {
    let fields = c
        .evidence
        .get("fields")
        .and_then(|f| f.as_array())
        .cloned()
        .unwrap_or_default();
    html! {
        h2 { (ctx.t("duplicates-evidence")) }
        p { (ctx.t_with("reception-duplicates-probability", &[("percent", ((c.probability * 100.0).round() as i64).into())])) }
        div.table-wrap { table {
            (ctx.column_headers(["duplicates-field", "duplicates-comparison", "duplicates-weight"]))
            tbody {
                @for f in &fields {
                    @let name = f.get("field").and_then(|v| v.as_str()).unwrap_or_default();
                    @let weight = f.get("weight").and_then(|v| v.as_f64()).unwrap_or(0.0);
                    tr {
                        td { (ctx.t(&format!("linkage-field-{}", name.replace('_', "-")))) }
                        td { (level_label(ctx, f.get("level_name").and_then(|v| v.as_str()).unwrap_or_default())) }
                        td { (if weight > 0.5 { "✓ " } else if weight < -0.5 { "✗ " } else { "" }) (format!("{weight:+.1}")) }
                    }
                }
            }
        } }
    }
}

pub async fn pair(
    State(state): State<AppState>,
    headers: HeaderMap,
    Can { web, id, .. }: Can<may::ReviewDuplicates, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let c = state
        .store
        .get_candidate(&web.actor, id)
        .await
        .or_page(ctx)?;
    crate::audit::log_read(
        &state,
        &web.actor,
        &headers,
        "read_duplicate",
        Some(id),
        serde_json::json!({ "via": "web" }),
    )
    .await
    .or_page(ctx)?;
    let body = html! {
        h1 { (ctx.t("duplicates-pair")) }
        p { span.status { (ctx.t(&format!("duplicates-status-{}", c.status))) } }
        div.side-by-side {
            (side(ctx, &ctx.t("duplicates-first"), &c.a))
            (side(ctx, &ctx.t("duplicates-second"), &c.b))
        }
        (evidence(ctx, &c))
        form method="post" action=(format!("/duplicates/{id}")) {
            (ctx.csrf_field())
            div.actions {
                @if c.status == "pending" {
                    button type="submit" name="decision" value="same" { (ctx.t("duplicates-same")) }
                    button.secondary type="submit" name="decision" value="different" { (ctx.t("duplicates-different")) }
                } @else {
                    button.secondary type="submit" name="decision" value="undo" { (ctx.t("duplicates-undo")) }
                }
                a.button.secondary href="/duplicates" { (ctx.t("duplicates-back")) }
            }
        }
    };
    Ok(super::render(ctx, &ctx.t("duplicates-pair"), body))
}

/// What the reviewer decided about a pair.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum PairDecision {
    Same,
    Different,
    Undo,
}

#[derive(Debug, Default, serde::Deserialize)]
struct PairDecisionForm {
    #[serde(default)]
    decision: Option<PairDecision>,
}

pub async fn decide(
    State(state): State<AppState>,
    Submit { web, id, form, .. }: Submit<may::ReviewDuplicates, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let fields: PairDecisionForm = form.parse().map_err(WebError::Api).or_page(ctx)?;
    let to = match fields.decision {
        Some(PairDecision::Same) => "same",
        Some(PairDecision::Different) => "different",
        Some(PairDecision::Undo) => "pending",
        None => return Err(WebError::Api(ApiError::NotFound)).or_page(ctx),
    };
    state
        .store
        .decide_candidate(&web.actor, id, to, Utc::now())
        .await
        .or_page(ctx)?;
    Ok(see_other(&format!("/duplicates/{id}")))
}

/// A comparison level of the evidence in the user's language ("same" → "совпадает"); a
/// level without a translation is shown as the linkage crate names it.
fn level_label(ctx: &Ctx, level: &str) -> String {
    let slug: String = level
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    super::i18n::try_message(ctx.lang, &format!("linkage-level-{slug}"), None)
        .unwrap_or_else(|| level.to_owned())
}

/// A country's name in the user's language where the interface has one, else its code.
fn country_label(ctx: &Ctx, code: &str) -> String {
    super::i18n::try_message(
        ctx.lang,
        &format!("country-{}", code.to_ascii_lowercase()),
        None,
    )
    .unwrap_or_else(|| code.to_owned())
}
