//! Find: one box for a name in any script, a document number, a phone or a reference
//! code. The text is posted, never put in the URL, and only the number of results is
//! logged.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use maud::{Markup, html};

use super::access::{Can, Submit, may};
use super::reception::full_name;
use super::{Ctx, OrPage, PageResult, render};
use crate::AppState;
use crate::error::ApiError;
use crate::persons::{PersonHits, SearchQuery};

fn search_form(ctx: &Ctx, q: &str) -> Markup {
    html! {
        form.search method="post" action="/find" role="search" {
            (ctx.csrf_field())
            div.field {
                label for="q" { (ctx.t("find-label")) }
                input #q type="search" name="q" value=(q) autocomplete="off" autofocus
                    aria-describedby="q-hint";
                p.hint #q-hint { (ctx.t("find-hint")) }
            }
            button type="submit" { (ctx.t("find-submit")) }
        }
    }
}

fn results(ctx: &Ctx, hits: &PersonHits) -> Markup {
    html! {
        h2 #results-title { (ctx.count("find-results", hits.items.len() as i64)) }
        @if hits.items.is_empty() {
            p { (ctx.t("find-none")) }
        } @else {
            div.table-wrap {
                table.stack aria-labelledby="results-title" {
                    (ctx.column_headers(["field-name", "field-birth-date", "field-reference", "field-city", "field-status"]))
                    tbody {
                        @for hit in &hits.items {
                            tr {
                                td data-label=(ctx.t("field-name")) { a href=(format!("/households/{}", hit.household_id)) {
                                    (full_name(&hit.surname, &hit.given_name, hit.patronymic.as_deref()))
                                } }
                                td data-label=(ctx.t("field-birth-date")) { (super::i18n::format_birth_date(ctx.lang, &hit.birth_date)) }
                                td data-label=(ctx.t("field-reference")) { span.reference { (hit.reference) } }
                                td data-label=(ctx.t("field-city")) { (hit.city) }
                                td data-label=(ctx.t("field-status")) { span.status { (ctx.label("status", hit.household_status.as_str())) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn page(Can { web, .. }: Can<may::ReadHousehold>) -> PageResult {
    let ctx = &web.ctx;
    Ok(render(
        ctx,
        &ctx.t("find-title"),
        html! {
            h1 { (ctx.t("find-title")) }
            (search_form(ctx, ""))
        },
    ))
}

/// The search form: what was typed, in any script.
#[derive(Debug, Default, serde::Deserialize)]
struct SearchForm {
    #[serde(default, deserialize_with = "super::forms::field::text")]
    q: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Submit { web, form, .. }: Submit<may::SignedIn>,
) -> PageResult {
    let ctx = &web.ctx;
    let q = form
        .parse::<SearchForm>()
        .ok()
        .and_then(|f| f.q)
        .unwrap_or_default();
    let query = SearchQuery {
        q: q.clone(),
        limit: Some(50),
    };
    let (body, status) = match crate::persons::search(&state, &web.actor, &headers, &query).await {
        Ok(hits) => (results(ctx, &hits), StatusCode::OK),
        Err(ApiError::InvalidQuery(_)) => (
            html! { p.notice.error role="alert" { (ctx.t("find-invalid")) } },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return Err(e).or_page(ctx),
    };
    Ok((
        status,
        render(
            ctx,
            &ctx.t("find-title"),
            html! {
                h1 { (ctx.t("find-title")) }
                (search_form(ctx, &q))
                (body)
            },
        ),
    )
        .into_response())
}
