//! A household: its page, its card with the reference code as a QR code, and editing.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;
use shanyrak_core::household::validate;
use shanyrak_core::{Action, Household, Relationship};
use shanyrak_store::StoreError;
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::forms::FieldErrors;
use super::household_draft::{HouseholdDraft, MemberDraft};
use super::household_form::{household_fields, member_fieldset};
use super::reception::full_name;
use super::{Ctx, OrPage, PageResult, Web, WebError, render, see_other, trusted};
use crate::AppState;
use crate::error::ApiError;
use crate::households::{keep_hidden_fields, validation_context};

/// The reference code as a QR code, drawn as SVG (no image files, no scripts).
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build();
    // The XML declaration has no place inside an HTML document.
    Some(match svg.find("<svg") {
        Some(start) => svg[start..].to_owned(),
        None => svg,
    })
}

pub(super) async fn load(
    state: &AppState,
    web: &Web,
    headers: &HeaderMap,
    id: Uuid,
) -> Result<Household, WebError> {
    let household = state.store.get_household(&web.actor, id).await?;
    crate::audit::log_read(
        state,
        &web.actor,
        headers,
        "read_household",
        Some(household.id),
        serde_json::json!({ "via": "web" }),
    )
    .await?;
    Ok(household.redacted_for(&web.actor))
}

/// What the actor may do about a member's own data (`rights` pages).
#[derive(Debug, Clone, Copy)]
struct DataRights {
    see: bool,
    erase: bool,
}

fn members_table(ctx: &Ctx, household: &Household, documents: bool, rights: DataRights) -> Markup {
    html! {
        div.table-wrap {
            table {
                (ctx.column_headers(
                    ["field-name", "field-sex", "field-birth-date", "field-relationship"].into_iter()
                        .chain(documents.then_some("field-document-number"))
                        .chain(["field-vulnerabilities"])
                        .chain((rights.see || rights.erase).then_some("rights-column"))
                ))
                tbody {
                    @for m in &household.members {
                        tr {
                            td { (full_name(&m.surname, &m.given_name, m.patronymic.as_deref())) }
                            td { (ctx.label("sex", m.sex.as_str())) }
                            td {
                                (super::i18n::format_birth_date(ctx.lang, &m.birth_date))
                                @if m.birth_date_estimated { " (" (ctx.t("field-birth-date-estimated-short")) ")" }
                            }
                            td { (ctx.label("relationship", m.relationship.as_str())) }
                            @if documents {
                                td {
                                    @for d in &m.documents {
                                        (ctx.label("document", d.doc_type.as_str()))
                                        @if let Some(n) = &d.number { " " (n) }
                                        br;
                                    }
                                }
                            }
                            td {
                                (m.vulnerabilities.iter().map(|v| ctx.label("vulnerability", v.as_str())).collect::<Vec<_>>().join(", "))
                            }
                            @if rights.see || rights.erase {
                                td {
                                    @if rights.see {
                                        a href=(format!("/households/{}/members/{}/data", household.id, m.id)) { (ctx.t("rights-data-link")) }
                                        br;
                                    }
                                    @if rights.erase {
                                        a href=(format!("/households/{}/members/{}/erase", household.id, m.id)) { (ctx.t("rights-erase-link")) }
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

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Can { web, id, .. }: Can<may::SignedIn, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let household = load(&state, &web, &headers, id).await.or_page(ctx)?;
    let now = Utc::now();
    let stays = state
        .store
        .household_stays(&web.actor, household.id, now)
        .await
        .or_page(ctx)?;
    let audit = if web.actor.may(Action::ReadAudit) {
        state
            .store
            .audit_events_for(&web.actor, household.id)
            .await
            .or_page(ctx)?
    } else {
        Vec::new()
    };
    let received = if web.actor.may(Action::Distribute) {
        let view = state
            .store
            .entitlements(&web.actor, household.id, now)
            .await
            .or_page(ctx)?;
        let items = state.store.list_items(&web.actor).await.or_page(ctx)?;
        Some((view, items))
    } else {
        None
    };
    let title = format!("{} {}", ctx.t("household-title"), household.reference);
    let h = &household;
    let body = html! {
        h1 { (ctx.t("household-title")) " " span.reference { (h.reference) } }
        p {
            span.status { (ctx.label("status", h.status.as_str())) } " "
            (ctx.label("group", h.group.as_str())) " · "
            (ctx.count("common-people", h.members.len() as i64))
        }
        div.actions {
            a.button.secondary href=(format!("/households/{}/card", h.id)) { (ctx.t("household-card")) }
            @if web.actor.may(Action::UpdateHousehold) {
                a.button.secondary href=(format!("/households/{}/edit", h.id)) { (ctx.t("household-edit")) }
            }
            @if web.actor.may(Action::ManageCases) {
                form method="post" action="/cases" {
                    (ctx.csrf_field()) (super::cases::submission_field())
                    input type="hidden" name="household_id" value=(h.id);
                    button.secondary type="submit" { (ctx.t("cases-open-case")) }
                }
            }
        }
        dl.facts {
            dt { (ctx.t("field-arrival-date")) } dd { (h.arrival_date.map(|d| ctx.date(d)).unwrap_or_else(|| "—".into())) }
            dt { (ctx.t("field-crossing-point")) } dd { (h.crossing_point.clone().unwrap_or_else(|| "—".into())) }
            dt { (ctx.t("field-city")) } dd {
                (h.location.city) ", " (h.location.country)
                // The place it is, when the list calls it otherwise ("Oral" for "Орал").
                @match h.location.place_id.and_then(|id| shanyrak_core::places::PlaceList::shared()?.get(id)) {
                    Some(place) if place.name(ctx.lang.code()) != h.location.city => {
                        " (" (place.name(ctx.lang.code())) ")"
                    }
                    Some(_) => {}
                    None => { " " span.badge { (ctx.t("places-unconfirmed")) } }
                }
            }
            @if let Some(at) = h.current_location {
                dt { (ctx.t("field-current-place")) } dd { (super::household_draft::current_place_label(ctx.lang.code(), at)) }
            }
            dt { (ctx.t("field-phone")) } dd { (h.phone.as_ref().map(|p| p.to_string()).unwrap_or_else(|| "—".into())) }
            dt { (ctx.t("field-needs")) } dd {
                @if h.needs.is_empty() { "—" }
                (h.needs.iter().map(|n| ctx.label("need", n.as_str())).collect::<Vec<_>>().join(", "))
            }
            dt { (ctx.t("field-accepts-sex-separation")) } dd { (ctx.t(if h.accepts_sex_separation { "common-yes" } else { "common-no" })) }
            dt { (ctx.t("field-accepts-several-rooms")) } dd { (ctx.t(if h.accepts_several_rooms { "common-yes" } else { "common-no" })) }
            dt { (ctx.t("field-legal-basis")) } dd { (h.legal_basis.map(|b| ctx.label("legal-basis", b.as_str())).unwrap_or_else(|| "—".into())) }
            dt { (ctx.t("household-registered")) } dd { (ctx.datetime(h.registered_at)) }
            @if let Some(notes) = &h.notes { dt { (ctx.t("field-notes")) } dd { (notes) } }
        }
        h2 { (ctx.t("reception-members")) }
        (members_table(ctx, h, web.actor.sees_documents_and_notes(), DataRights {
            see: web.actor.may(Action::SubjectAccess),
            erase: web.actor.may(Action::EraseSubject),
        }))
        h2 { (ctx.t("household-stays")) }
        @if stays.is_empty() {
            p { (ctx.t("household-no-stays")) }
        } @else {
            div.table-wrap { table {
                (ctx.column_headers(["field-site", "field-status", "sites-persons", "household-stay-from", "household-stay-to"]))
                tbody {
                    @for (stay, site) in &stays {
                        tr {
                            td {
                                @if let Some(name) = &site.name {
                                    a href=(format!("/sites/{}", stay.site_id)) { (name) }
                                } @else {
                                    (site.city) " · " (ctx.label("site-kind-group", site.kind_group.as_str()))
                                }
                            }
                            td { (ctx.label("stay", stay.status.as_str())) }
                            td { (stay.persons) }
                            // On the site's clock.
                            td { (stay.checked_in_at.map(|t| ctx.datetime_in(site.time_zone, t)).or(stay.reserved_until.map(|t| format!("{} {}", ctx.t("household-reserved-until"), ctx.datetime_in(site.time_zone, t)))).unwrap_or_default()) }
                            td { (stay.checked_out_at.map(|t| ctx.datetime_in(site.time_zone, t)).unwrap_or_default()) }
                        }
                    }
                }
            } }
        }
        @if let Some((view, items)) = &received {
            h2 { (ctx.t("distribute-recent")) }
            @let by_code: std::collections::HashMap<&str, &shanyrak_store::Item> = items.iter().map(|i| (i.code.as_str(), i)).collect();
            (super::distribute::recent(ctx, &web, view, &by_code))
            p { a href=(format!("/distribute/{}", h.id)) { (ctx.t("distribute-give")) } }
        }
        @if web.actor.may(Action::ReadAudit) {
            h2 { (ctx.t("household-audit")) }
            div.table-wrap { table {
                (ctx.column_headers(["household-audit-when", "household-audit-who", "household-audit-what"]))
                tbody {
                    @for e in &audit {
                        tr { td { (ctx.datetime(e.at)) } td { (e.actor_label) } td { (e.entity) " · " (e.action) } }
                    }
                }
            } }
        }
    };
    Ok(super::render(ctx, &title, body))
}

#[derive(Debug, Deserialize)]
pub struct CardQuery {
    #[serde(default)]
    registered: Option<u8>,
    #[serde(default)]
    attached: Option<u32>,
}

pub async fn card(
    State(state): State<AppState>,
    headers: HeaderMap,
    Can { web, id, query, .. }: Can<may::SignedIn, (Uuid, Query<CardQuery>)>,
) -> PageResult {
    let ctx = &web.ctx;
    let household = load(&state, &web, &headers, id).await.or_page(ctx)?;
    let reference = household.reference.to_string();
    let qr = qr_svg(&reference).unwrap_or_default();
    let head = household
        .members
        .iter()
        .find(|m| m.relationship == Relationship::Head)
        .or(household.members.first());
    let body = html! {
        @if query.registered == Some(1) {
            p.notice.ok role="status" #registered {
                (ctx.t("card-registered"))
                @if let Some(n) = query.attached.filter(|n| *n > 0) {
                    " " (ctx.count("card-attached", i64::from(n)))
                }
            }
        }
        div.card {
            p { (ctx.t("card-title")) }
            p.reference #reference { (reference) }
            div role="img" aria-label=(ctx.t("card-qr")) { (trusted(qr)) }
            @if let Some(head) = head {
                p { strong { (full_name(&head.surname, &head.given_name, head.patronymic.as_deref())) } }
            }
            p { (ctx.count("common-people", household.members.len() as i64)) " · " (household.location.city) }
            p.hint { (ctx.t("card-keep")) }
        }
        div.actions.no-print {
            a.button href=(format!("/households/{}", household.id)) { (ctx.t("card-open")) }
            @if web.actor.may(Action::RegisterHousehold) {
                a.button.secondary href="/reception" { (ctx.t("card-next")) }
            }
        }
    };
    Ok(super::render(ctx, &ctx.t("card-title"), body))
}

fn edit_form(
    ctx: &Ctx,
    id: Uuid,
    draft: &HouseholdDraft,
    errors: &FieldErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let body = html! {
        h1 { (ctx.t("household-edit")) }
        @if let Some(n) = &notice { p.notice.warn role="alert" { (n) } }
        @if !errors.is_empty() {
            p.notice.error role="alert" { (ctx.count("reception-errors", errors.len() as i64)) }
        }
        form method="post" action=(format!("/households/{id}/edit")) novalidate {
            (ctx.csrf_field())
            input type="hidden" name="member_count" value=(draft.members.len());
            @if let Some(v) = draft.version { input type="hidden" name="version" value=(v); }
            (household_fields(ctx, draft, errors, true))
            h2 { (ctx.t("reception-members")) }
            @for (i, m) in draft.members.iter().enumerate() {
                (member_fieldset(ctx, i, m, errors, None, draft.members.len() > 1, false))
            }
            div.actions {
                button type="submit" name="action" value="save" { (ctx.t("household-save")) }
                button.secondary type="submit" name="action" value="add" formnovalidate { (ctx.t("reception-add-member")) }
                a.button.secondary href=(format!("/households/{id}")) { (ctx.t("common-cancel")) }
            }
        }
    };
    (status, render(ctx, &ctx.t("household-edit"), body)).into_response()
}

pub async fn edit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Can { web, id, .. }: Can<may::UpdateHousehold, Uuid>,
) -> PageResult {
    let household = load(&state, &web, &headers, id).await.or_page(&web.ctx)?;
    let draft = HouseholdDraft::from_household(&household);
    Ok(edit_form(
        &web.ctx,
        id,
        &draft,
        &FieldErrors::default(),
        None,
        StatusCode::OK,
    ))
}

pub async fn edit_submit(
    State(state): State<AppState>,
    Submit { web, id, form, .. }: Submit<may::UpdateHousehold, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let mut draft = HouseholdDraft::from_form(&form);
    // The form's own buttons: the page again, with the members changed.
    let shown_again = match form.get("action").unwrap_or("save") {
        "add" => {
            draft.members.push(MemberDraft {
                relationship: Relationship::Child.as_str().into(),
                ..Default::default()
            });
            true
        }
        other => draft.remove_member(other),
    };
    if shown_again {
        return Ok(edit_form(
            ctx,
            id,
            &draft,
            &FieldErrors::default(),
            None,
            StatusCode::OK,
        ));
    }
    // The form again, with what is wrong in it.
    let refused = |errors: &FieldErrors| -> PageResult {
        Ok(edit_form(
            ctx,
            id,
            &draft,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    };
    let (mut input, _) = match draft.parse() {
        Ok(parsed) => parsed,
        Err(errors) => return refused(&errors),
    };
    let current = state
        .store
        .get_household(&web.actor, id)
        .await
        .or_page(ctx)?;
    // What this role cannot see it cannot have changed: hidden fields are kept.
    keep_hidden_fields(&mut input, &current, &web.actor);
    let validated = match validate(&input, &validation_context()) {
        Ok(v) => v,
        Err(errors) => return refused(&FieldErrors::from_validation(&errors)),
    };
    match state
        .store
        .update_household(&web.actor, id, draft.version, &validated, Utc::now())
        .await
    {
        Ok(updated) => {
            state.identity.apply_household(&updated);
            tracing::info!(household = %id, version = updated.version, "household updated on the web");
            crate::households::queue_duplicates_after_edit(&state, &web.actor, id).await;
            Ok(see_other(&format!("/households/{id}")))
        }
        Err(StoreError::VersionMismatch { .. }) => Ok(edit_form(
            ctx,
            id,
            &draft,
            &FieldErrors::default(),
            Some(ctx.t("household-changed-meanwhile")),
            StatusCode::CONFLICT,
        )),
        Err(StoreError::Invalid(errors)) => refused(&FieldErrors::from_validation(&errors)),
        Err(e) => Err(WebError::Api(ApiError::from(e))).or_page(ctx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_inline_svg() {
        let svg = qr_svg("K7M-4QX-9PZ").unwrap_or_default();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("</svg>"));
        assert!(!svg.contains("<?xml"));
    }
}
