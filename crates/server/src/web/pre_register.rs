//! Self pre-registration: a household waiting in the queue enters itself from its own
//! phone at `/pre-register`, without signing in, and gets a short code and its QR code.
//! Nothing it entered is ever shown back to an anonymous visitor: the answer is the code.
//! At the desk a registrar of the organisation running the page (`serve
//! --pre-register-org`) types or scans the code at `/pre-registrations` and lands on the
//! reception form, pre-filled, with the duplicate check as usual; saving it registers the
//! household and deletes the pre-registration.
//!
//! Abuse resistance: the form's pre-session CSRF token, a honeypot field (a filled one gets
//! a code that was never stored), a small body limit, the API's validation and size
//! limits on every field, and rate limits per client address, per place and for everyone,
//! counted in the database (`Store::submit_pre_registration`).

use axum::extract::Query;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;
use shanyrak_core::household::validate;
use shanyrak_core::{LegalBasis, Need, PopulationGroup, ReferenceCode, Relationship};
use shanyrak_store::{PreRegistration, StoreError};
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::forms::{FieldErrors, FormData};
use super::household_draft::{COMMON_COUNTRIES, HouseholdDraft, MemberDraft};
use super::household_form::member_fieldset;
use super::{
    Ctx, OrPage, PageResult, Visitor, WebError, not_offered, render, render_created, see_other,
    trusted,
};
use crate::AppState;
use crate::extract::ClientAddr;

/// Most members one public form holds; a bigger group registers at the desk.
pub const MAX_PUBLIC_MEMBERS: usize = 12;

/// The body limit of the public form: a dozen members fit many times over.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The honeypot: a field people never see (hidden), which form-filling robots fill.
const HONEYPOT: &str = "website";

/// The parts of the household the public form asks for; errors elsewhere are the desk's.
const ASKED: &[&str] = &[
    "#/members",
    "#/phone",
    "#/location",
    "#/needs",
    "#/notes",
    "#/desk_code",
];

/// The draft as a household enters it: what the form asks, with the rest set the way the
/// desk confirms it (arrival group, consent, as the page explains).
fn public_draft(form: &FormData) -> HouseholdDraft {
    let full = HouseholdDraft::from_form(form);
    let mut members = full.members;
    members.truncate(MAX_PUBLIC_MEMBERS);
    for m in &mut members {
        m.id = None;
        m.attach = String::new();
    }
    HouseholdDraft {
        group: PopulationGroup::Arrival.as_str().into(),
        country: full.country,
        city: full.city,
        phone: full.phone,
        needs: full.needs,
        notes: full.notes,
        legal_basis: LegalBasis::Consent.as_str().into(),
        information_given: true,
        members,
        submission: full.submission,
        ..Default::default()
    }
}

/// The field of the desk's code of the day: `Some(typed)` when the organisation asks for
/// it.
type DeskCodeField<'a> = Option<&'a str>;

/// The form as it stands, without complaints: the first visit, or a member row added or
/// removed.
fn blank_form_page(ctx: &Ctx, draft: &HouseholdDraft, desk_code: DeskCodeField<'_>) -> Response {
    form_page(
        ctx,
        draft,
        desk_code,
        &FieldErrors::default(),
        None,
        StatusCode::OK,
    )
}

fn form_page(
    ctx: &Ctx,
    draft: &HouseholdDraft,
    desk_code: DeskCodeField<'_>,
    errors: &FieldErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let body = html! {
        section.narrow {
            h1 { (ctx.t("pre-register-title")) }
            p { (ctx.t("pre-register-intro")) }
            @if let Some(notice) = &notice {
                p.notice.error role="alert" { (notice) }
            }
            (errors.summary(ctx, ASKED))
            form method="post" action="/pre-register" novalidate {
                (ctx.csrf_field())
                input type="hidden" name="member_count" value=(draft.members.len());
                div hidden {
                    label for=(HONEYPOT) { (ctx.t("pre-register-honeypot")) }
                    input id=(HONEYPOT) type="text" name=(HONEYPOT) value="" tabindex="-1" autocomplete="off";
                }
                @for (i, m) in draft.members.iter().enumerate() {
                    (member_fieldset(ctx, i, m, errors, None, draft.members.len() > 1, false))
                }
                @if draft.members.len() < MAX_PUBLIC_MEMBERS {
                    div.actions {
                        button.secondary type="submit" name="action" value="add" formnovalidate { (ctx.t("reception-add-member")) }
                    }
                }
                fieldset {
                    legend { (ctx.t("pre-register-contact")) }
                    div.field {
                        label for="country" { (ctx.t("field-country")) }
                        select #country name="country" {
                            @for code in COMMON_COUNTRIES {
                                option value=(code) selected[*code == draft.country] { (ctx.t(&format!("country-{}", code.to_ascii_lowercase()))) }
                            }
                        }
                        (errors.show(ctx, "#/location/country", "err-country"))
                    }
                    div.field {
                        label for="city" { (ctx.t("field-city")) }
                        input #city type="text" name="city" value=(draft.city) autocomplete="address-level2" maxlength="200";
                        (errors.show(ctx, "#/location", "err-city"))
                    }
                    div.field {
                        label for="phone" { (ctx.t("field-phone")) }
                        input #phone type="tel" name="phone" value=(draft.phone) autocomplete="tel" placeholder="+7 701 123 4567" maxlength="40";
                        (errors.show(ctx, "#/phone", "err-phone"))
                    }
                }
                fieldset {
                    legend { (ctx.t("field-needs")) }
                    div.checks {
                        @for need in Need::ALL {
                            label {
                                input type="checkbox" name="needs" value=(need.as_str()) checked[draft.needs.iter().any(|n| n == need.as_str())];
                                (ctx.label("need", need.as_str()))
                            }
                        }
                    }
                    (errors.show(ctx, "#/needs", "err-needs"))
                }
                div.field {
                    label for="notes" { (ctx.t("pre-register-notes")) }
                    textarea #notes name="notes" maxlength="2000" { (draft.notes) }
                    (errors.show(ctx, "#/notes", "err-notes"))
                }
                @if let Some(typed) = desk_code {
                    div.field {
                        label for="desk_code" { (ctx.t("pre-register-desk-code")) }
                        input #desk_code type="text" name="desk_code" value=(typed) inputmode="numeric"
                            autocomplete="off" maxlength="12" aria-describedby="desk-code-hint";
                        p.hint #desk-code-hint { (ctx.t("pre-register-desk-code-hint")) }
                        (errors.show(ctx, "#/desk_code", "err-desk_code"))
                    }
                }
                p.hint { (ctx.t("pre-register-consent")) }
                div.actions {
                    button type="submit" name="action" value="save" { (ctx.t("pre-register-submit")) }
                }
            }
        }
    };
    (status, render(ctx, &ctx.t("pre-register-title"), body)).into_response()
}

/// The only answer a submission gets: its code, as text and as a QR code.
/// `lifetime` is how long the code is kept, told in whole hours (at least one).
fn code_page(ctx: &Ctx, code: &ReferenceCode, lifetime: chrono::Duration) -> Response {
    let lifetime_hours = lifetime.num_hours().max(1);
    let code = code.to_string();
    let qr = super::household::qr_svg(&code).unwrap_or_default();
    let body = html! {
        div.card {
            p { (ctx.t("pre-register-done")) }
            p.reference #pre-registration-code { (code) }
            div role="img" aria-label=(ctx.t("card-qr")) { (trusted(qr)) }
            p.hint { (ctx.count("pre-register-done-hint", lifetime_hours)) }
        }
    };
    render_created(ctx, &ctx.t("pre-register-title"), body)
}

/// The public form.
pub async fn page(State(state): State<AppState>, Visitor { ctx }: Visitor) -> Response {
    if state.pre_register_org.is_none() {
        return not_offered(&ctx);
    }
    let draft = HouseholdDraft {
        country: "KZ".into(),
        members: vec![MemberDraft::blank(Relationship::Head)],
        ..Default::default()
    };
    let desk_code = state.pre_register_desk_code.then_some("");
    blank_form_page(&ctx, &draft, desk_code)
}

/// A submission: `add` or `remove-N` a member row (nothing stored), or `save`.
pub async fn submit(
    State(state): State<AppState>,
    Visitor { ctx }: Visitor,
    client: ClientAddr,
    form: FormData,
) -> Response {
    let Some(organisation) = state.pre_register_org else {
        return not_offered(&ctx);
    };
    let mut draft = public_draft(&form);
    let typed_code = form.get("desk_code").unwrap_or_default().trim();
    let desk_code = state.pre_register_desk_code.then_some(typed_code);
    if ctx.check_form_csrf(&form).is_err() {
        // An old form, or one from elsewhere: shown again with a fresh token.
        return form_page(
            &ctx,
            &draft,
            desk_code,
            &FieldErrors::default(),
            Some(ctx.t("error-csrf")),
            StatusCode::FORBIDDEN,
        );
    }
    if form.get(HONEYPOT).is_some_and(|v| !v.is_empty()) {
        // A robot: it gets what a person would, and nothing is stored.
        tracing::info!("pre-registration with the honeypot filled dropped");
        let code = ReferenceCode::from_random_bits(rand::random::<u64>() & ((1 << 40) - 1));
        return code_page(&ctx, &code, state.pre_registration_lifetime);
    }
    // Adding or removing a member row is a round trip that stores nothing.
    let action = form.get("action").unwrap_or("save");
    if action == "add" || action.starts_with("remove-") {
        if action == "add" && draft.members.len() < MAX_PUBLIC_MEMBERS {
            let next = match draft.members.last() {
                Some(previous) => MemberDraft::after(
                    previous,
                    draft.members.len(),
                    draft.members.iter().any(|m| m.relationship == "spouse"),
                ),
                None => MemberDraft::blank(Relationship::Head),
            };
            draft.members.push(next);
        }
        if let Some(i) = action
            .strip_prefix("remove-")
            .and_then(|i| i.parse::<usize>().ok())
            .filter(|i| *i < draft.members.len())
            && draft.members.len() > 1
        {
            draft.members.remove(i);
        }
        return blank_form_page(&ctx, &draft, desk_code);
    }
    let errors = match draft.parse() {
        Ok((input, raw)) => match validate(&input, &crate::households::validation_context()) {
            Ok(_) => Ok(raw),
            Err(e) => {
                let errors = FieldErrors::from_validation(&e);
                // Only what the form asks for stops it; the rest is the desk's to fill.
                if ASKED.iter().any(|p| errors.touches(p)) {
                    Err(errors)
                } else {
                    Ok(raw)
                }
            }
        },
        Err(e) => Err(e),
    };
    let mut document = match errors {
        Ok(raw) => raw,
        Err(errors) => {
            return form_page(
                &ctx,
                &draft,
                desk_code,
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    // The settlement of the place list the city names, for the limit per place (every
    // spelling of a town counts as the town). The desk's form reads the city as typed.
    let place = document["location"]["country"]
        .as_str()
        .and_then(|c| c.parse::<shanyrak_core::CountryCode>().ok())
        .zip(document["location"]["city"].as_str())
        .and_then(|(country, city)| crate::places::index_now()?.settlement_named(country, city))
        .map(|place| place.id.0);
    if let Some(place) = place
        && document["location"].is_object()
    {
        document["location"]["place_id"] = serde_json::json!(place);
    }
    match state
        .store
        .submit_pre_registration(
            organisation,
            &document,
            desk_code,
            client.0,
            state.pre_registration_lifetime,
            Utc::now(),
        )
        .await
    {
        Ok(code) => {
            tracing::info!("pre-registration stored");
            code_page(&ctx, &code, state.pre_registration_lifetime)
        }
        Err(StoreError::SubmissionsLimited { until }) => {
            let mut response = form_page(
                &ctx,
                &draft,
                desk_code,
                &FieldErrors::default(),
                Some(ctx.t("pre-register-limited")),
                StatusCode::TOO_MANY_REQUESTS,
            );
            let seconds = (until - Utc::now()).num_seconds().max(1);
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Err(StoreError::Invalid(e)) => form_page(
            &ctx,
            &draft,
            desk_code,
            &FieldErrors::from_validation(&e),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => WebError::from(e).render(&ctx),
    }
}

/// The desk's code of the day, for a registrar of the organisation running the page when
/// it asks for one.
async fn desk_code_for(state: &AppState, web: &super::Web) -> Result<Option<String>, WebError> {
    if !state.pre_register_desk_code || state.pre_register_org != Some(web.actor.organisation_id) {
        return Ok(None);
    }
    Ok(Some(state.store.desk_code(&web.actor, Utc::now()).await?))
}

fn open_section(ctx: &Ctx, code: &str, desk_code: Option<&str>, notice: Option<String>) -> Markup {
    html! {
        section.narrow {
            h1 { (ctx.t("pre-registrations-title")) }
            @if let Some(desk_code) = desk_code {
                p.notice #desk-code-of-the-day { (ctx.t("pre-registrations-desk-code")) " " strong.reference { (desk_code) } }
            }
            @if let Some(notice) = &notice {
                p.notice.error role="alert" #open-problem { (notice) }
            }
            form method="post" action="/pre-registrations" {
                (ctx.csrf_field())
                div.field {
                    label for="code" { (ctx.t("pre-registrations-code")) }
                    input #code type="text" name="code" value=(code) autocomplete="off" autocapitalize="characters"
                        required autofocus maxlength="40" aria-describedby=[notice.as_ref().map(|_| "open-problem")];
                    p.hint { (ctx.t("pre-registrations-code-hint")) }
                }
                button type="submit" { (ctx.t("pre-registrations-open")) }
            }
        }
    }
}

/// The registrar's entry: a code to type or scan, and below it the organisation's pending
/// pre-registrations to open or purge as spam.
pub async fn open_page(
    State(state): State<AppState>,
    Can { web, query, .. }: Can<may::RegisterHousehold, Query<PendingQuery>>,
) -> PageResult {
    let ctx = &web.ctx;
    let desk_code = desk_code_for(&state, &web).await.or_page(ctx)?;
    let pending = state
        .store
        .pending_pre_registration_list(&web.actor, Utc::now())
        .await
        .or_page(ctx)?;
    let body = html! {
        (open_section(ctx, "", desk_code.as_deref(), None))
        (pending_section(ctx, &pending, query.purged))
    };
    Ok(render(ctx, &ctx.t("pre-registrations-title"), body))
}

#[derive(Debug, Deserialize)]
pub struct PendingQuery {
    #[serde(default)]
    purged: Option<u64>,
}

/// What a registrar needs to tell a family from spam: when, where, how many, who.
fn pending_section(ctx: &Ctx, pending: &[PreRegistration], purged: Option<u64>) -> Markup {
    let first_name = |p: &PreRegistration| {
        let member = &p.document["members"][0];
        [&member["surname"], &member["given_name"]]
            .iter()
            .filter_map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    html! {
        section #pending {
            h2 { (ctx.count("pre-registrations-pending", pending.len() as i64)) }
            @if let Some(n) = purged {
                p.notice.ok role="status" #purged { (ctx.count("pre-registrations-purged", n as i64)) }
            }
            @if !pending.is_empty() {
                form method="post" action="/pre-registrations/purge" {
                    (ctx.csrf_field())
                    div.table-wrap { table.stack {
                        thead { tr {
                            th scope="col" { (ctx.t("host-offers-choose")) }
                            th scope="col" { (ctx.t("pre-registrations-code")) }
                            th scope="col" { (ctx.t("host-offers-received")) }
                            th scope="col" { (ctx.t("offer-city")) }
                            th scope="col" { (ctx.t("pre-registrations-members")) }
                        } }
                        tbody {
                            @for p in pending {
                                tr {
                                    td data-label=(ctx.t("host-offers-choose")) {
                                        input type="checkbox" name="pre_registration" value=(p.id) aria-label=(ctx.t("host-offers-choose"));
                                    }
                                    td data-label=(ctx.t("pre-registrations-code")) {
                                        a.reference href=(format!("/reception?pre_registration={}", p.id)) { (p.code) }
                                    }
                                    td data-label=(ctx.t("host-offers-received")) { (ctx.datetime(p.created_at)) }
                                    td data-label=(ctx.t("offer-city")) { (p.document["location"]["city"].as_str().unwrap_or_default()) }
                                    td data-label=(ctx.t("pre-registrations-members")) {
                                        (p.document["members"].as_array().map_or(0, Vec::len)) " · " (first_name(p))
                                    }
                                }
                            }
                        }
                    } }
                    div.actions {
                        button.secondary type="submit" { (ctx.t("host-offers-purge")) }
                    }
                }
            }
        }
    }
}

/// The bulk purge of the pre-registrations ticked (spam).
pub async fn purge(
    State(state): State<AppState>,
    Submit { web, form, .. }: Submit<may::RegisterHousehold>,
) -> PageResult {
    let purged = state
        .store
        .purge_pre_registrations(&web.actor, &form.ids("pre_registration"), Utc::now())
        .await
        .or_page(&web.ctx)?;
    Ok(see_other(&format!("/pre-registrations?purged={purged}")))
}

/// Opens the pre-registration with the code on the reception form. An unknown, expired
/// or another organisation's code is "not found", all the same.
pub async fn open(
    State(state): State<AppState>,
    Submit { web, form, .. }: Submit<may::RegisterHousehold>,
) -> PageResult {
    let typed = form.text("code").unwrap_or_default();
    let desk_code = desk_code_for(&state, &web).await.or_page(&web.ctx)?;
    let not_found = || {
        let section = open_section(
            &web.ctx,
            &typed,
            desk_code.as_deref(),
            Some(web.ctx.t("pre-registrations-not-found")),
        );
        (
            StatusCode::NOT_FOUND,
            render(&web.ctx, &web.ctx.t("pre-registrations-title"), section),
        )
            .into_response()
    };
    let Ok(code) = typed.parse::<ReferenceCode>() else {
        return Ok(not_found());
    };
    match state
        .store
        .pre_registration_by_code(&web.actor, &code, Utc::now())
        .await
    {
        Ok(found) => Ok(see_other(&format!(
            "/reception?pre_registration={}",
            found.id
        ))),
        Err(StoreError::NotFound) => Ok(not_found()),
        Err(e) => Err(WebError::from(e)).or_page(&web.ctx),
    }
}

/// The reception form's draft for a pre-registration (the reception page's hook).
pub async fn draft(
    state: &AppState,
    web: &super::Web,
    id: &str,
) -> Result<HouseholdDraft, WebError> {
    let id = crate::extract::parse_id(id)?;
    let found = state
        .store
        .pre_registration(&web.actor, id, Utc::now())
        .await?;
    let mut draft = HouseholdDraft::from_document(&found.document);
    // The household gave its consent on the page; the registrar checks it with them.
    draft.legal_basis = LegalBasis::Consent.as_str().into();
    // The public page tells the household what is recorded, why and who sees it (the
    // consent line above its button), so the information was given: an unchanged family
    // is saved in one tap.
    draft.information_given = found.document["information_given"]
        .as_bool()
        .unwrap_or(false);
    draft.group = PopulationGroup::Arrival.as_str().into();
    draft.arrival_date = HouseholdDraft::blank(&web.ctx).arrival_date;
    draft.pre_registration = Some(found.id.to_string());
    Ok(draft)
}

/// Called after the reception form registered the household: the pre-registration goes.
/// One already gone (a form saved twice) is not an error.
pub async fn confirmed(
    state: &AppState,
    web: &super::Web,
    pre_registration: &str,
    household_id: Uuid,
) -> Result<(), WebError> {
    let Ok(id) = Uuid::parse_str(pre_registration) else {
        return Ok(());
    };
    match state
        .store
        .confirm_pre_registration(&web.actor, id, household_id, Utc::now())
        .await
    {
        Ok(()) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
