//! Casework in the browser: the caseworker's overview (open cases, referrals received and
//! overdue, legal-stay deadlines), a case with its assessment, plan, appointments, notes
//! and referrals, and a received referral with only the consented fields.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{NaiveDate, Utc};
use maud::{Markup, html};
use serde::Deserialize;
use shanyrak_core::cases::{
    ActionStatus, Appointment, Assessment, Case, CaseInput, CaseNoteInput, CaseStatus,
    ConsentInput, PlanAction, ReferralInput, ServiceKind, Severity, ShareableField, validate_case,
    validate_note, validate_referral,
};
use shanyrak_core::{Action, Vulnerability};
use shanyrak_store::{Direction, IdempotencyRequest, Referral, StoreError};
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::forms::{FieldErrors, FormData, field};
use super::reception::full_name;
use super::referrals::{org_names, referral_rows};
use super::{OrPage, PageResult, Web, WebError, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::households::validation_context;

#[derive(Debug, Deserialize)]
pub struct OverviewQuery {
    #[serde(default)]
    status: Option<String>,
}

pub async fn overview(
    State(state): State<AppState>,
    Can { web, query, .. }: Can<may::ManageCases, Query<OverviewQuery>>,
) -> PageResult {
    let ctx = &web.ctx;
    let now = Utc::now();
    let status = query
        .status
        .as_deref()
        .and_then(CaseStatus::parse)
        .unwrap_or(CaseStatus::Open);
    let cases = state
        .store
        .list_cases(&web.actor, None, Some(status), 200, now)
        .await
        .or_page(ctx)?;
    let received = state
        .store
        .list_referrals(&web.actor, Direction::Received, now)
        .await
        .or_page(ctx)?;
    let overdue = state
        .store
        .overdue_referrals(&web.actor, now)
        .await
        .or_page(ctx)?;
    let upcoming = if web.actor.may(Action::TrackLegalStay) {
        crate::cases::upcoming_items(&state, &web.actor, 14)
            .await
            .or_page(ctx)?
    } else {
        Vec::new()
    };
    let names = org_names(&state.store.list_organisations().await.or_page(ctx)?);
    let mut references = HashMap::new();
    for c in &cases {
        if let std::collections::hash_map::Entry::Vacant(e) = references.entry(c.household_id) {
            match state.store.get_household(&web.actor, c.household_id).await {
                Ok(h) => {
                    e.insert(h.reference.to_string());
                }
                Err(StoreError::NotFound) => {}
                Err(err) => return Err(err).or_page(ctx),
            }
        }
    }
    let body = html! {
        h1 { (ctx.t("cases-title")) }
        nav aria-label=(ctx.t("duplicates-filter")) {
            ul.legend {
                @for s in CaseStatus::ALL {
                    li { a href=(format!("/cases?status={}", s.as_str())) aria-current=[(*s == status).then_some("page")] { (ctx.label("case", s.as_str())) } }
                }
            }
        }
        h2 { (ctx.t("cases-list")) " (" (cases.len()) ")" }
        @if cases.is_empty() { p { (ctx.t("cases-none")) } }
        @else {
            ul {
                @for c in &cases {
                    li {
                        a href=(format!("/cases/{}", c.id)) { span.reference { (references.get(&c.household_id).cloned().unwrap_or_default()) } }
                        " · " (ctx.label("case", c.status.as_str()))
                        " · " (ctx.count("cases-open-actions", c.plan.iter().filter(|a| a.status == ActionStatus::Planned).count() as i64))
                    }
                }
            }
        }
        p.hint { (ctx.t("cases-open-hint")) }
        h2 { (ctx.t("cases-received")) " (" (received.len()) ")" }
        @if received.is_empty() { p { (ctx.t("cases-none")) } } @else { (referral_rows(ctx, &received, &names, true)) }
        h2 { (ctx.t("cases-overdue-sent")) " (" (overdue.len()) ")" }
        @if overdue.is_empty() { p { (ctx.t("cases-none")) } } @else { (referral_rows(ctx, &overdue, &names, false)) }
        @if web.actor.may(Action::TrackLegalStay) {
            h2 { (ctx.t("cases-legal-stay")) " (" (upcoming.len()) ")" }
            p.hint { (ctx.t("cases-legal-stay-hint")) }
            @if upcoming.is_empty() { p { (ctx.t("cases-none")) } }
            @else {
                div.table-wrap { table.stack {
                    (ctx.column_headers(["field-name", "cases-days-left", "cases-next-deadline"]))
                    tbody {
                        @for i in upcoming.iter().take(200) {
                            tr {
                                td data-label=(ctx.t("field-name")) { a href=(format!("/households/{}", i.household_id)) { (i.surname) " " (i.given_name) } " " span.reference { (i.reference) } }
                                td data-label=(ctx.t("cases-days-left")) {
                                    (i.status.days_left)
                                    @if i.status.overstayed { " · " strong { (ctx.t("cases-overstayed")) } }
                                    @if i.status.registration_overdue { " · " strong { (ctx.t("cases-registration-overdue")) } }
                                }
                                td data-label=(ctx.t("cases-next-deadline")) { (i.status.next_deadline.map(|d| ctx.date(d.on)).unwrap_or_default()) }
                            }
                        }
                    }
                } }
            }
        }
    };
    Ok(super::render(ctx, &ctx.t("cases-title"), body))
}

/// A fresh key for one form, so that a double tap or a resubmitted page writes once.
pub(super) fn submission_field() -> Markup {
    html! { input type="hidden" name="submission" value=(Uuid::now_v7()); }
}

/// The idempotency key of a submitted form (`kind` keeps the forms apart) and the hash
/// of what it asks; `None` for a form without a key (an old page).
fn form_key(
    form: &FormData,
    kind: &str,
    request: &serde_json::Value,
) -> Option<IdempotencyRequest> {
    use sha2::{Digest, Sha256};
    let submission = form
        .text("submission")
        .filter(|s| Uuid::parse_str(s).is_ok())?;
    let canonical = serde_json::to_vec(request).ok()?;
    Some(IdempotencyRequest {
        key: format!("web-{kind}:{submission}"),
        request_hash: Sha256::digest(&canonical).to_vec(),
    })
}

/// Opens a case for a household (from the household page).
pub async fn open(
    State(state): State<AppState>,
    Submit { web, form, .. }: Submit<may::ManageCases>,
) -> PageResult {
    let ctx = &web.ctx;
    let household_id = form
        .text("household_id")
        .and_then(|id| Uuid::parse_str(&id).ok())
        .ok_or(WebError::Api(ApiError::NotFound))
        .or_page(ctx)?;
    let case = validate_case(
        &CaseInput {
            household_id: Some(household_id),
            ..CaseInput::default()
        },
        &validation_context(),
    )
    .map_err(ApiError::Validation)
    .or_page(ctx)?;
    let key = form_key(
        &form,
        "case",
        &serde_json::json!({"household_id": household_id}),
    );
    let (created, _) = state
        .store
        .create_case_once(&web.actor, &case, key.as_ref(), Utc::now())
        .await
        .or_page(ctx)?;
    Ok(see_other(&format!("/cases/{}", created.id)))
}

async fn case_page(
    state: &AppState,
    web: &Web,
    case: &Case,
    errors: &FieldErrors,
    status: StatusCode,
) -> PageResult {
    let ctx = &web.ctx;
    let now = Utc::now();
    let household = state
        .store
        .get_household(&web.actor, case.household_id)
        .await
        .or_page(ctx)?;
    let household = household.redacted_for(&web.actor);
    let notes = state
        .store
        .list_case_notes(&web.actor, case.id, now)
        .await
        .or_page(ctx)?;
    let sent: Vec<Referral> = state
        .store
        .list_referrals(&web.actor, Direction::Sent, now)
        .await
        .or_page(ctx)?
        .into_iter()
        .filter(|r| r.case_id == Some(case.id))
        .collect();
    let orgs = state.store.list_organisations().await.or_page(ctx)?;
    let names = org_names(&orgs);
    let member_name = |id: Option<Uuid>| {
        id.and_then(|id| household.members.iter().find(|m| m.id == id))
            .map(|m| full_name(&m.surname, &m.given_name, m.patronymic.as_deref()))
    };
    let today = validation_context().today;
    let form_for = |what: &str| format!("/cases/{}/{what}", case.id);
    let body = html! {
        h1 { (ctx.t("cases-case")) " " a href=(format!("/households/{}", household.id)) { span.reference { (household.reference) } } }
        p { (ctx.label("case", case.status.as_str())) @if let Some(r) = &case.status_reason { " · " (r) } " · " (ctx.datetime(case.opened_at)) }
        @if !errors.is_empty() {
            div.notice.error role="alert" #case-errors { @for e in errors.others(&[]) { p { (super::forms::message(ctx, e)) } } }
        }
        section {
            h2 { (ctx.t("cases-assessment")) }
            ul { @for a in &case.assessments {
                li { (ctx.label("vulnerability", a.vulnerability.as_str())) " · " (ctx.label("severity", a.severity.as_str())) " · " (ctx.date(a.assessed_on))
                    @if let Some(n) = member_name(a.person_id) { " · " (n) } }
            } }
            form method="post" action=(form_for("assessments")) {
                (ctx.csrf_field())
                div.grid.grid3 {
                    div.field { label for="vulnerability" { (ctx.t("field-vulnerabilities")) }
                        select #vulnerability name="vulnerability" { @for v in Vulnerability::ALL { option value=(v.as_str()) { (ctx.label("vulnerability", v.as_str())) } } } }
                    div.field { label for="severity" { (ctx.t("cases-severity")) }
                        select #severity name="severity" { @for s in Severity::ALL { option value=(s.as_str()) { (ctx.label("severity", s.as_str())) } } } }
                    div.field { label for="person" { (ctx.t("field-name")) }
                        select #person name="person" { option value="" { "—" } @for m in &household.members { option value=(m.id) { (full_name(&m.surname, &m.given_name, m.patronymic.as_deref())) } } } }
                }
                input type="hidden" name="on" value=(today);
                button.secondary type="submit" { (ctx.t("cases-add")) }
            }
        }
        section {
            h2 { (ctx.t("cases-plan")) }
            ul { @for (i, a) in case.plan.iter().enumerate() {
                li {
                    (a.description) " · " (ctx.date(a.due)) " · " (ctx.label("action", a.status.as_str()))
                    @if a.status == ActionStatus::Planned {
                        form.inline method="post" action=(form_for("plan-done")) {
                            (ctx.csrf_field()) input type="hidden" name="index" value=(i);
                            button.secondary type="submit" { (ctx.t("cases-mark-done")) }
                        }
                    }
                }
            } }
            form method="post" action=(form_for("plan")) {
                (ctx.csrf_field())
                div.grid {
                    div.field { label for="description" { (ctx.t("cases-action")) } input #description type="text" name="description" required; }
                    div.field { label for="due" { (ctx.t("cases-due")) } input #due type="date" name="due" value=(today) required; }
                }
                button.secondary type="submit" { (ctx.t("cases-add")) }
            }
        }
        section {
            h2 { (ctx.t("cases-appointments")) }
            ul { @for a in &case.appointments {
                li { (ctx.date(a.on)) @if let Some(t) = &a.time { " " (t) } " · " (a.purpose) @if let Some(p) = &a.place { " · " (p) } }
            } }
            form method="post" action=(form_for("appointments")) {
                (ctx.csrf_field())
                div.grid.grid3 {
                    div.field { label for="appointment-on" { (ctx.t("cases-date")) } input #appointment-on type="date" name="on" value=(today) required; }
                    div.field { label for="appointment-purpose" { (ctx.t("cases-purpose")) } input #appointment-purpose type="text" name="purpose" required; }
                    div.field { label for="appointment-place" { (ctx.t("cases-place")) } input #appointment-place type="text" name="place"; }
                }
                button.secondary type="submit" { (ctx.t("cases-add")) }
            }
        }
        section {
            h2 { (ctx.t("cases-notes")) }
            p.hint { (ctx.t("cases-notes-hint")) }
            ul #notes { @for n in &notes { li { (ctx.datetime(n.written_at)) " · " (n.text) } } }
            form method="post" action=(form_for("notes")) {
                (ctx.csrf_field()) (submission_field())
                div.field { label for="note" { (ctx.t("cases-note")) } textarea #note name="text" required {} }
                button.secondary type="submit" { (ctx.t("cases-add")) }
            }
        }
        section {
            h2 { (ctx.t("cases-referrals")) }
            @if !sent.is_empty() { (referral_rows(ctx, &sent, &names, false)) }
            form method="post" action=(form_for("referrals")) {
                (ctx.csrf_field()) (submission_field())
                div.grid {
                    div.field { label for="service" { (ctx.t("cases-service")) }
                        select #service name="service" { @for s in ServiceKind::ALL { option value=(s.as_str()) { (ctx.label("service", s.as_str())) } } } }
                    div.field { label for="to" { (ctx.t("cases-to")) }
                        select #to name="to" { @for o in orgs.iter().filter(|o| o.id != web.actor.organisation_id) { option value=(o.id) { (o.name) } } } }
                    div.field { label for="consent-by" { (ctx.t("cases-consent-by")) }
                        select #consent-by name="consent_by" { @for m in &household.members { option value=(m.id) { (full_name(&m.surname, &m.given_name, m.patronymic.as_deref())) } } } }
                }
                fieldset {
                    legend { (ctx.t("cases-consent-fields")) }
                    div.checks { @for f in ShareableField::ALL {
                        label { input type="checkbox" name="fields" value=(f.as_str()); (ctx.label("shareable", f.as_str())) }
                    } }
                }
                input type="hidden" name="consent_on" value=(today);
                button type="submit" { (ctx.t("cases-send-referral")) }
            }
        }
        section {
            h2 { (ctx.t("field-status")) }
            form method="post" action=(form_for("status")) {
                (ctx.csrf_field())
                div.grid {
                    div.field { label for="status" { (ctx.t("field-status")) }
                        select #status name="status" { @for s in CaseStatus::ALL { option value=(s.as_str()) selected[*s == case.status] { (ctx.label("case", s.as_str())) } } } }
                    div.field { label for="reason" { (ctx.t("cases-reason")) } input #reason type="text" name="reason"; }
                }
                button.secondary type="submit" { (ctx.t("common-save")) }
            }
        }
    };
    Ok((status, super::render(ctx, &ctx.t("cases-case"), body)).into_response())
}

/// The case page again, with the reasons a change was refused.
async fn refused(
    state: &AppState,
    web: &Web,
    case: &Case,
    errors: &shanyrak_core::ValidationErrors,
) -> PageResult {
    case_page(
        state,
        web,
        case,
        &FieldErrors::from_validation(errors),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub async fn page(
    State(state): State<AppState>,
    Can { web, id, .. }: Can<may::ManageCases, Uuid>,
) -> PageResult {
    let case = state
        .store
        .get_case(&web.actor, id, Utc::now())
        .await
        .or_page(&web.ctx)?;
    case_page(&state, &web, &case, &FieldErrors::default(), StatusCode::OK).await
}

/// The fields of the case page's forms (each form sends some of them).
#[derive(Debug, Default, Deserialize)]
struct CaseChangeForm {
    #[serde(default, deserialize_with = "field::text")]
    text: Option<String>,
    #[serde(default)]
    to: Option<Uuid>,
    #[serde(default)]
    service: Option<ServiceKind>,
    #[serde(default)]
    consent_by: Option<Uuid>,
    #[serde(default, deserialize_with = "field::text")]
    consent_on: Option<String>,
    #[serde(default, deserialize_with = "field::many")]
    fields: Vec<ShareableField>,
    #[serde(default)]
    vulnerability: Option<Vulnerability>,
    #[serde(default)]
    severity: Option<Severity>,
    #[serde(default, deserialize_with = "field::date")]
    on: Option<NaiveDate>,
    #[serde(default)]
    person: Option<Uuid>,
    #[serde(default, deserialize_with = "field::text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "field::date")]
    due: Option<NaiveDate>,
    #[serde(default, deserialize_with = "field::index")]
    index: Option<usize>,
    #[serde(default, deserialize_with = "field::text")]
    purpose: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    place: Option<String>,
    #[serde(default)]
    status: Option<CaseStatus>,
    #[serde(default, deserialize_with = "field::text")]
    reason: Option<String>,
}

/// Applies one change from a form on the case page and saves the case.
pub async fn change(
    State(state): State<AppState>,
    Submit {
        web,
        id: (case_id, what),
        form,
        ..
    }: Submit<may::ManageCases, (Uuid, String)>,
) -> PageResult {
    let ctx = &web.ctx;
    let now = Utc::now();
    let case = state
        .store
        .get_case(&web.actor, case_id, now)
        .await
        .or_page(ctx)?;
    let fields: CaseChangeForm = match form.parse() {
        Ok(fields) => fields,
        Err(ApiError::Validation(e)) => return refused(&state, &web, &case, &e).await,
        Err(e) => return Err(WebError::Api(e)).or_page(ctx),
    };
    match what.as_str() {
        "notes" => {
            return match validate_note(&CaseNoteInput {
                text: fields.text.clone(),
            }) {
                Ok(text) => {
                    let key = form_key(
                        &form,
                        "note",
                        &serde_json::json!({"case_id": case_id, "text": text}),
                    );
                    state
                        .store
                        .add_case_note_once(&web.actor, case_id, &text, key.as_ref(), now)
                        .await
                        .or_page(ctx)?;
                    Ok(see_other(&format!("/cases/{case_id}")))
                }
                Err(e) => refused(&state, &web, &case, &e).await,
            };
        }
        "referrals" => {
            let input = ReferralInput {
                case_id: Some(case_id),
                to_organisation_id: fields.to,
                service: fields.service,
                person_id: fields.consent_by,
                consent: Some(ConsentInput {
                    given_by_person_id: fields.consent_by,
                    given_on: fields.consent_on.clone(),
                    fields: fields.fields.clone(),
                }),
                answer_within_days: None,
            };
            return match validate_referral(&input, web.actor.organisation_id, &validation_context())
            {
                Ok(referral) => match state
                    .store
                    .create_referral_once(
                        &web.actor,
                        &referral,
                        form_key(
                            &form,
                            "referral",
                            &serde_json::to_value(&input).unwrap_or_default(),
                        )
                        .as_ref(),
                        now,
                    )
                    .await
                {
                    Ok(_) => Ok(see_other(&format!("/cases/{case_id}"))),
                    Err(StoreError::Invalid(e)) => refused(&state, &web, &case, &e).await,
                    Err(e) => Err(e).or_page(ctx),
                },
                Err(e) => refused(&state, &web, &case, &e).await,
            };
        }
        _ => {}
    }
    let mut input = case.to_input();
    // A line sent without all of its fields names the list it was for.
    let incomplete = match what.as_str() {
        "assessments" => match (fields.vulnerability, fields.severity, fields.on) {
            (Some(vulnerability), Some(severity), Some(on)) => {
                input.assessments.push(Assessment {
                    vulnerability,
                    severity,
                    assessed_on: on,
                    person_id: fields.person,
                });
                None
            }
            _ => Some("#/assessments"),
        },
        "plan" => match (fields.description, fields.due) {
            (Some(description), Some(due)) => {
                input.plan.push(PlanAction {
                    description,
                    due,
                    status: ActionStatus::Planned,
                });
                None
            }
            _ => Some("#/plan"),
        },
        "plan-done" => {
            if let Some(action) = fields.index.and_then(|i| input.plan.get_mut(i)) {
                action.status = ActionStatus::Done;
            }
            None
        }
        "appointments" => match (fields.on, fields.purpose) {
            (Some(on), Some(purpose)) => {
                input.appointments.push(Appointment {
                    on,
                    time: None,
                    purpose,
                    place: fields.place,
                });
                None
            }
            _ => Some("#/appointments"),
        },
        "status" => {
            input.status = fields.status;
            input.status_reason = fields.reason;
            None
        }
        _ => return Err(WebError::Api(ApiError::NotFound)).or_page(ctx),
    };
    if let Some(pointer) = incomplete {
        let errors = FieldErrors::single(
            pointer,
            shanyrak_core::FieldErrorCode::Required,
            "is required",
        );
        return case_page(
            &state,
            &web,
            &case,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let validated = match validate_case(&input, &validation_context()) {
        Ok(v) => v,
        Err(e) => {
            return refused(&state, &web, &case, &e).await;
        }
    };
    match state
        .store
        .update_case(&web.actor, case_id, Some(case.version), &validated, now)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{case_id}"))),
        Err(StoreError::Invalid(e)) => refused(&state, &web, &case, &e).await,
        Err(e) => Err(e).or_page(ctx),
    }
}
