//! A person's rights at the desk: what is held about them (subject access, as a page and
//! as the JSON file to hand over) and erasure on their request.
//!
//! Both start from a member of a household the actor can open, so the URL carries only
//! ids. The store does the work and the checks (owning organisation, the access log with
//! the purpose, the audit event); these handlers check the role first, as the API does.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};
use shanyrak_core::retention::validate_erasure_reason;
use shanyrak_core::{Household, Person};
use shanyrak_store::{ErasureReport, Principal, SubjectAccess};
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::forms::FieldErrors;
use super::reception::full_name;
use super::{Ctx, OrPage, PageResult, Web, WebError};
use crate::AppState;
use crate::error::ApiError;

/// The purpose recorded in the access log for a subject access made on these pages.
const PURPOSE: &str = "subject access request at the desk";

/// The household and the member the URL names, as the actor may see them (the read is in
/// the access log).
async fn member(
    state: &AppState,
    web: &Web,
    headers: &axum::http::HeaderMap,
    (household_id, person_id): (Uuid, Uuid),
) -> Result<(Household, Person), WebError> {
    let household = super::household::load(state, web, headers, household_id).await?;
    let person = household
        .members
        .iter()
        .find(|m| m.id == person_id)
        .cloned()
        .ok_or(ApiError::NotFound)?;
    Ok((household, person))
}

/// The member and everything held about them, for an actor who may give subject access
/// (the reads are in the access log, the subject access with its purpose).
async fn held_about(
    state: &AppState,
    web: &Web,
    headers: &axum::http::HeaderMap,
    ids: (Uuid, Uuid),
) -> Result<(Household, Person, SubjectAccess), WebError> {
    let (household, person) = member(state, web, headers, ids).await?;
    let held = state
        .store
        .subject_access(
            &Principal::User(web.actor.clone()),
            person.id,
            Some(PURPOSE),
            Utc::now(),
        )
        .await?;
    Ok((household, person, held))
}

/// `GET /households/{id}/members/{person}/data`: everything held about the person, to
/// read with them, print, or download as the file to hand over.
pub async fn data_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Can { web, id, .. }: Can<may::SubjectAccess, (Uuid, Uuid)>,
) -> PageResult {
    let ctx = &web.ctx;
    let (household, person, held) = held_about(&state, &web, &headers, id).await.or_page(ctx)?;
    let title = ctx.t("rights-data-title");
    let body = html! {
        (subject_heading(&title, &household, &person))
        p { (ctx.t("rights-data-intro")) " " (ctx.datetime(held.generated_at)) }
        div.actions {
            a.button href=(format!("/households/{}/members/{}/data.json", household.id, person.id)) download {
                (ctx.t("rights-data-download"))
            }
            a.button.secondary href=(format!("/households/{}", household.id)) { (ctx.t("rights-back")) }
        }
        (held_summary(ctx, &held))
        h2 { (ctx.t("rights-data-reads")) }
        @if held.access_log.is_empty() { p { "—" } } @else {
            div.table-wrap { table {
                (ctx.column_headers(["household-audit-when", "household-audit-what", "rights-data-purpose"]))
                tbody {
                    @for e in &held.access_log {
                        tr { td { (ctx.datetime(e.at)) } td { (e.action) } td { (e.purpose.as_deref().unwrap_or("—")) } }
                    }
                }
            } }
        }
        h2 { (ctx.t("rights-data-changes")) }
        @if held.audit_trail.is_empty() { p { "—" } } @else {
            div.table-wrap { table {
                (ctx.column_headers(["household-audit-when", "household-audit-who", "household-audit-what"]))
                tbody {
                    @for e in &held.audit_trail {
                        tr { td { (ctx.datetime(e.at)) } td { (e.actor) } td { (e.entity) " · " (e.action) } }
                    }
                }
            } }
        }
    };
    Ok(super::render(ctx, &title, body))
}

/// How much of each kind is held, and with whom the organisation shares.
/// A page's title and whom it is about: the member's name and the household's code.
fn subject_heading(title: &str, household: &Household, person: &Person) -> Markup {
    let name = full_name(
        &person.surname,
        &person.given_name,
        person.patronymic.as_deref(),
    );
    html! {
        h1 { (title) }
        p { (name) " · " span.reference { (household.reference) } }
    }
}

fn held_summary(ctx: &Ctx, held: &SubjectAccess) -> Markup {
    html! {
        dl.facts {
            dt { (ctx.t("rights-data-stays")) } dd { (ctx.number(held.stays.len() as i64)) }
            dt { (ctx.t("rights-data-received")) } dd { (ctx.number(held.received.len() as i64)) }
            dt { (ctx.t("rights-data-cases")) } dd {
                (ctx.number(held.cases.len() as i64))
                @if held.cases_withheld > 0 {
                    " " (ctx.t_with("rights-data-cases-withheld", &[("count", (held.cases_withheld as i64).into())]))
                }
            }
            dt { (ctx.t("rights-data-referrals")) } dd { (ctx.number(held.referrals.len() as i64)) }
            dt { (ctx.t("rights-data-agreements")) } dd { (ctx.number(held.shared_with.len() as i64)) }
        }
    }
}

/// `GET /households/{id}/members/{person}/data.json`: the subject access file, the same
/// document as `GET /api/v1/persons/{id}/subject-access`.
pub async fn data_file(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Can { web, id, .. }: Can<may::SubjectAccess, (Uuid, Uuid)>,
) -> PageResult {
    let ctx = &web.ctx;
    let (_, person, held) = held_about(&state, &web, &headers, id).await.or_page(ctx)?;
    let body = serde_json::to_vec_pretty(&held)
        .map_err(|_| WebError::Api(ApiError::Internal))
        .or_page(ctx)?;
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    // The file name carries the person's id only, never their name.
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"subject-access-{}.json\"",
        person.id
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

fn erase_form(
    ctx: &Ctx,
    household: &Household,
    person: &Person,
    reason: &str,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let title = ctx.t("rights-erase-title");
    let invalid = errors.has("#/reason");
    let body = html! {
        (subject_heading(&title, household, person))
        p.notice.error role="note" { (ctx.t("rights-erase-warning")) }
        form method="post" action=(format!("/households/{}/members/{}/erase", household.id, person.id)) {
            (ctx.csrf_field())
            label for="reason" { (ctx.t("rights-erase-reason")) }
            p.hint id="reason-hint" { (ctx.t("rights-erase-reason-hint")) }
            textarea id="reason" name="reason" maxlength="500" required
                aria-invalid=[invalid.then_some("true")]
                aria-describedby=(if invalid { "reason-hint reason-error" } else { "reason-hint" }) { (reason) }
            (errors.show(ctx, "#/reason", "reason-error"))
            div.actions {
                button.danger type="submit" { (ctx.t("rights-erase-confirm")) }
                a.button.secondary href=(format!("/households/{}", household.id)) { (ctx.t("rights-back")) }
            }
        }
    };
    (status, super::render(ctx, &title, body)).into_response()
}

/// `GET /households/{id}/members/{person}/erase`: what erasure does, and the reason.
pub async fn erase_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Can { web, id, .. }: Can<may::EraseSubject, (Uuid, Uuid)>,
) -> PageResult {
    let ctx = &web.ctx;
    let (household, person) = member(&state, &web, &headers, id).await.or_page(ctx)?;
    Ok(erase_form(
        ctx,
        &household,
        &person,
        "",
        &FieldErrors::default(),
        StatusCode::OK,
    ))
}

/// `POST /households/{id}/members/{person}/erase`: erases, then says what was erased.
pub async fn erase(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Submit { web, id, form, .. }: Submit<may::EraseSubject, (Uuid, Uuid)>,
) -> PageResult {
    let ctx = &web.ctx;
    let (household, person) = member(&state, &web, &headers, id).await.or_page(ctx)?;
    let typed = form.get("reason").unwrap_or_default();
    let reason = match validate_erasure_reason(Some(typed)) {
        Ok(reason) => reason,
        Err(errors) => {
            return Ok(erase_form(
                ctx,
                &household,
                &person,
                typed,
                &FieldErrors::from_validation(&errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let report = state
        .store
        .erase_person(
            &Principal::User(web.actor.clone()),
            person.id,
            &reason,
            Utc::now(),
        )
        .await
        .or_page(ctx)?;
    // As in the API: this process drops the person from its index now, the others on
    // their next refresh.
    if let Err(e) = state.identity.refresh(&state.store).await {
        tracing::warn!(error = %e, "identity index refresh after an erasure failed");
    }
    Ok(erased(ctx, &report))
}

fn erased(ctx: &Ctx, report: &ErasureReport) -> Response {
    let title = ctx.t("rights-erased-title");
    let body = html! {
        h1 { (title) }
        p.notice role="status" { (ctx.t("rights-erased-done")) }
        dl.facts {
            dt { (ctx.t("rights-erased-audit")) } dd { (ctx.number(report.audit_events_erased as i64)) }
            dt { (ctx.t("rights-erased-review")) } dd { (ctx.number(report.review_pairs_deleted as i64)) }
            dt { (ctx.t("rights-erased-imports")) } dd { (ctx.number((report.quarantine_rows_deleted + report.import_uploads_deleted) as i64)) }
            dt { (ctx.t("rights-erased-household")) } dd { (ctx.t(if report.household_anonymised { "common-yes" } else { "common-no" })) }
        }
        div.actions {
            a.button href=(format!("/households/{}", report.household_id)) { (ctx.t("rights-back")) }
        }
    };
    (StatusCode::OK, super::render(ctx, &title, body)).into_response()
}
