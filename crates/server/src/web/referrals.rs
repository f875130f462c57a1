//! Referrals in the browser: the page of one referral (the receiver sees only the consented
//! fields and answers it; the sender follows it) and the tables of referrals that the case
//! overview and the case page show.

use std::collections::HashMap;

use axum::extract::State;
use chrono::Utc;
use maud::{Markup, html};
use shanyrak_core::cases::ReferralEvent;
use shanyrak_store::{Referral, StoreError};
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::{Ctx, OrPage, PageResult, WebError, see_other};
use crate::AppState;
use crate::error::ApiError;

pub(super) fn org_names(orgs: &[shanyrak_core::Organisation]) -> HashMap<Uuid, String> {
    orgs.iter().map(|o| (o.id, o.name.clone())).collect()
}

pub(super) fn referral_rows(
    ctx: &Ctx,
    referrals: &[Referral],
    names: &HashMap<Uuid, String>,
    received: bool,
) -> Markup {
    html! {
        div.table-wrap { table.stack {
            thead { tr {
                th scope="col" { (ctx.t("cases-service")) }
                th scope="col" { (ctx.t(if received { "cases-from" } else { "cases-to" })) }
                th scope="col" { (ctx.t("field-status")) }
                th scope="col" { (ctx.t("cases-sent")) }
            } }
            tbody {
                @for r in referrals {
                    @let other = if received { r.from_organisation_id } else { r.to_organisation_id };
                    tr {
                        td data-label=(ctx.t("cases-service")) { a href=(format!("/referrals/{}", r.id)) { (ctx.label("service", r.service.as_str())) } }
                        td data-label=(ctx.t(if received { "cases-from" } else { "cases-to" })) { (names.get(&other).cloned().unwrap_or_default()) }
                        td data-label=(ctx.t("field-status")) {
                            (ctx.label("referral", r.state.as_str()))
                            @if r.overdue { " · " strong { (ctx.t("cases-overdue")) } }
                        }
                        td data-label=(ctx.t("cases-sent")) { (ctx.datetime(r.sent_at)) }
                    }
                }
            }
        } }
    }
}

/// A referral: the receiver sees the consented fields and answers; the sender follows it.
pub async fn referral(
    State(state): State<AppState>,
    Can { web, id, .. }: Can<may::FollowReferrals, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let r = state
        .store
        .get_referral(&web.actor, id, Utc::now())
        .await
        .or_page(ctx)?;
    let names = org_names(&state.store.list_organisations().await.or_page(ctx)?);
    let receiver = r.to_organisation_id == web.actor.organisation_id;
    let action = format!("/referrals/{}", r.id);
    let body = html! {
        h1 { (ctx.t("cases-referral")) ": " (ctx.label("service", r.service.as_str())) }
        dl.facts {
            dt { (ctx.t("cases-from")) } dd { (names.get(&r.from_organisation_id).cloned().unwrap_or_default()) }
            dt { (ctx.t("cases-to")) } dd { (names.get(&r.to_organisation_id).cloned().unwrap_or_default()) }
            dt { (ctx.t("field-status")) } dd #referral-state { (ctx.label("referral", r.state.as_str())) @if r.overdue { " · " strong { (ctx.t("cases-overdue")) } } }
            dt { (ctx.t("cases-sent")) } dd { (ctx.datetime(r.sent_at)) }
            @if let Some(reason) = &r.decline_reason { dt { (ctx.t("cases-reason")) } dd { (reason) } }
            @if let Some(outcome) = &r.outcome { dt { (ctx.t("cases-outcome")) } dd { (outcome) } }
            dt { (ctx.t("cases-consent-fields")) } dd { (r.consented_fields.iter().map(|f| ctx.label("shareable", f.as_str())).collect::<Vec<_>>().join(", ")) }
        }
        @if let Some(shared) = &r.shared {
            h2 { (ctx.t("cases-shared")) }
            dl.facts #shared {
                @for (key, value) in shared {
                    dt { (ctx.label("shareable", key)) }
                    dd { (match value { serde_json::Value::String(s) => s.clone(), other => other.to_string() }) }
                }
            }
        }
        @if receiver {
            form method="post" action=(action) {
                (ctx.csrf_field())
                div.field { label for="text" { (ctx.t("cases-reason-or-outcome")) } input #text type="text" name="text"; }
                div.actions {
                    button type="submit" name="to" value="accepted" { (ctx.t("cases-accept")) }
                    button.secondary type="submit" name="to" value="declined" { (ctx.t("cases-decline")) }
                    button.secondary type="submit" name="to" value="in_progress" { (ctx.t("cases-in-progress")) }
                    button.secondary type="submit" name="to" value="closed" { (ctx.t("cases-close")) }
                }
            }
        }
        p { a href="/cases" { (ctx.t("cases-back")) } }
    };
    Ok(super::render(ctx, &ctx.t("cases-referral"), body))
}

/// A partner's answer to a referral: the new state and its words.
#[derive(Debug, Default, serde::Deserialize)]
struct AnswerForm {
    #[serde(default)]
    to: Option<String>,
    #[serde(default, deserialize_with = "super::forms::field::text")]
    text: Option<String>,
}

pub async fn answer(
    State(state): State<AppState>,
    Submit { web, id, form, .. }: Submit<may::ReceiveReferrals, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let fields: AnswerForm = form.parse().map_err(WebError::Api).or_page(ctx)?;
    let text = fields.text.unwrap_or_default();
    let event = match fields.to.as_deref() {
        Some("accepted") => ReferralEvent::Accepted,
        Some("declined") => ReferralEvent::Declined { reason: text },
        Some("in_progress") => ReferralEvent::InProgress,
        Some("closed") => ReferralEvent::Closed { outcome: text },
        _ => return Err(WebError::Api(ApiError::NotFound)).or_page(ctx),
    };
    match state
        .store
        .transition_referral(&web.actor, id, &event, Utc::now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/referrals/{id}"))),
        Err(StoreError::Invalid(_)) | Err(StoreError::Transition(_)) => {
            Err(WebError::Api(ApiError::Conflict("transition".into()))).or_page(ctx)
        }
        Err(e) => Err(e).or_page(ctx),
    }
}
