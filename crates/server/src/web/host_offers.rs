//! Host offers: a local offers a bed, a room or a flat at `/offer-a-bed`, without signing
//! in, and is shown once a private link to withdraw it. The coordinators and dispatchers of
//! the organisation running the page (`serve --host-offers-org`) see the offers at
//! `/host-offers`, with the host's address and contact, verify one after a call or a visit
//! (it becomes a host site with a pool, which the next placement run uses), reject one, or
//! purge spam in bulk. A withdrawal after verification closes the site.
//!
//! Abuse resistance, as on `/pre-register`: the pre-session CSRF token, a honeypot field, a
//! small body limit, a size limit on every field, and rate limits per client address, per
//! place and for everyone, counted in the database (`Store::submit_host_offer`).
//!
//! Also here: the A4 poster of a site with the QR code of the pre-registration form.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;
use shanyrak_core::host_offer::{
    HostOfferInput, HostOfferStatus, MAX_OFFER_NOTES_CHARS, MAX_OFFER_PEOPLE, Rent, validate_offer,
};
use shanyrak_core::validation::{MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS};
use shanyrak_core::{CountryCode, Location, ValidationErrors};
use shanyrak_store::{HostOfferRecord, StoreError};
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::forms::{FieldErrors, FormData};
use super::{
    Ctx, OrPage, PageResult, Visitor, WebError, not_offered, render, render_created, see_other,
    trusted,
};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::ClientAddr;

/// The body limit of the public form: every field at its limit fits.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The honeypot: a field people never see (hidden), which form-filling robots fill.
const HONEYPOT: &str = "website";

/// The countries whose places the form offers.
const COUNTRIES: &[&str] = &["KZ", "KG"];

/// The fields the form shows, for the error summary.
const SHOWN: &[&str] = &[
    "#/location",
    "#/people",
    "#/available_from",
    "#/available_until",
    "#/rent",
    "#/address",
    "#/contact_name",
    "#/contact_phone",
    "#/notes",
];

/// The form as typed, kept verbatim so that a form with mistakes comes back as it was.
#[derive(Debug, Clone, Default)]
struct Draft {
    country: String,
    city: String,
    input: HostOfferInput,
}

impl Draft {
    fn from_form(form: &FormData) -> Self {
        let text = |name: &str| form.get(name).map(str::to_owned);
        Draft {
            country: form.get("country").unwrap_or("KZ").to_owned(),
            city: form.get("city").unwrap_or_default().to_owned(),
            input: HostOfferInput {
                people: text("people"),
                available_from: text("available_from"),
                available_until: text("available_until"),
                families: form.checked("families"),
                women_only: form.checked("women_only"),
                children: form.checked("children"),
                step_free: form.checked("step_free"),
                rent: text("rent"),
                address: text("address"),
                contact_name: text("contact_name"),
                contact_phone: text("contact_phone"),
                notes: text("notes"),
            },
        }
    }

    /// The place the host named, as a settlement of the place list (`None`: not one).
    fn location(&self) -> Option<Location> {
        let country = self.country.parse::<CountryCode>().ok()?;
        let city = self.city.trim();
        if city.is_empty() || city.chars().count() > MAX_SHORT_TEXT_CHARS {
            return None;
        }
        let place = crate::places::index_now()?.settlement_named(country, city)?;
        Some(Location {
            country,
            region: None,
            city: place.name("ru").to_owned(),
            place_id: Some(place.id),
        })
    }
}

fn text_input(
    ctx: &Ctx,
    errors: &FieldErrors,
    name: &str,
    label: &str,
    value: &str,
    max: usize,
    attrs: (&str, &str),
) -> Markup {
    let pointer = format!("#/{name}");
    let error_id = format!("err-{name}");
    let (kind, autocomplete) = attrs;
    html! {
        div.field {
            label for=(name) { (ctx.t(label)) }
            input id=(name) type=(kind) name=(name) value=(value) maxlength=(max) autocomplete=(autocomplete)
                aria-invalid=[errors.touches(&pointer).then_some("true")]
                aria-describedby=[errors.touches(&pointer).then_some(error_id.as_str())];
            (errors.show(ctx, &pointer, &error_id))
        }
    }
}

fn form_page(
    ctx: &Ctx,
    draft: &Draft,
    errors: &FieldErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let input = &draft.input;
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let body = html! {
        section.narrow {
            h1 { (ctx.t("offer-title")) }
            p { (ctx.t("offer-intro")) }
            @if let Some(notice) = &notice {
                p.notice.error role="alert" { (notice) }
            }
            (errors.summary(ctx, SHOWN))
            form method="post" action="/offer-a-bed" novalidate {
                (ctx.csrf_field())
                div hidden {
                    label for=(HONEYPOT) { (ctx.t("pre-register-honeypot")) }
                    input id=(HONEYPOT) type="text" name=(HONEYPOT) value="" tabindex="-1" autocomplete="off";
                }
                fieldset {
                    legend { (ctx.t("offer-where")) }
                    div.field {
                        label for="country" { (ctx.t("field-country")) }
                        select #country name="country" {
                            @for code in COUNTRIES {
                                option value=(code) selected[*code == draft.country] { (ctx.t(&format!("country-{}", code.to_ascii_lowercase()))) }
                            }
                        }
                    }
                    div.field {
                        label for="city" { (ctx.t("offer-city")) }
                        input #city type="text" name="city" value=(draft.city) autocomplete="address-level2" maxlength=(MAX_SHORT_TEXT_CHARS)
                            aria-invalid=[errors.touches("#/location").then_some("true")]
                            aria-describedby=[errors.touches("#/location").then_some("err-location")];
                        p.hint { (ctx.t("offer-city-hint")) }
                        (errors.show(ctx, "#/location", "err-location"))
                    }
                    (text_input(ctx, errors, "address", "offer-address", &value(&input.address), MAX_SHORT_TEXT_CHARS, ("text", "street-address")))
                }
                fieldset {
                    legend { (ctx.t("offer-what")) }
                    div.field {
                        label for="people" { (ctx.t("offer-people")) }
                        input #people type="number" name="people" min="1" max=(MAX_OFFER_PEOPLE) inputmode="numeric" value=(value(&input.people))
                            aria-invalid=[errors.touches("#/people").then_some("true")]
                            aria-describedby=[errors.touches("#/people").then_some("err-people")];
                        (errors.show(ctx, "#/people", "err-people"))
                    }
                    (text_input(ctx, errors, "available_from", "offer-from", &value(&input.available_from), 10, ("text", "off")))
                    (text_input(ctx, errors, "available_until", "offer-until", &value(&input.available_until), 10, ("text", "off")))
                    p.hint { (ctx.t("offer-dates-hint")) }
                    div.checks {
                        @for (name, key, on) in [
                            ("families", "offer-families", input.families),
                            ("women_only", "offer-women-only", input.women_only),
                            ("children", "offer-children", input.children),
                            ("step_free", "offer-step-free", input.step_free),
                        ] {
                            label { input type="checkbox" name=(name) value="1" checked[on]; (ctx.t(key)) }
                        }
                    }
                    div.checks role="radiogroup" aria-label=(ctx.t("offer-rent")) {
                        @for rent in Rent::ALL {
                            label {
                                input type="radio" name="rent" value=(rent.as_str()) checked[input.rent.as_deref() == Some(rent.as_str())];
                                (ctx.label("rent", rent.as_str()))
                            }
                        }
                    }
                    (errors.show(ctx, "#/rent", "err-rent"))
                }
                fieldset {
                    legend { (ctx.t("offer-contact")) }
                    (text_input(ctx, errors, "contact_name", "offer-contact-name", &value(&input.contact_name), MAX_NAME_CHARS, ("text", "name")))
                    (text_input(ctx, errors, "contact_phone", "field-phone", &value(&input.contact_phone), 40, ("tel", "tel")))
                }
                div.field {
                    label for="notes" { (ctx.t("offer-notes")) }
                    textarea #notes name="notes" maxlength=(MAX_OFFER_NOTES_CHARS) { (value(&input.notes)) }
                    (errors.show(ctx, "#/notes", "err-notes"))
                }
                p.hint { (ctx.t("offer-consent")) }
                div.actions {
                    button type="submit" { (ctx.t("offer-submit")) }
                }
            }
        }
    };
    (status, render(ctx, &ctx.t("offer-title"), body)).into_response()
}

/// The only answer a stored offer gets: thanks, and the private withdrawal link.
fn done_page(ctx: &Ctx, token: &str) -> Response {
    let link = format!("/offer-a-bed/withdraw?token={token}");
    let body = html! {
        div.card {
            p #offer-done { (ctx.t("offer-done")) }
            p { (ctx.t("offer-withdraw-hint")) }
            p { a #withdraw-link href=(link) { (ctx.t("offer-withdraw-link")) } }
        }
    };
    render_created(ctx, &ctx.t("offer-title"), body)
}

/// The public form.
pub async fn page(State(state): State<AppState>, Visitor { ctx }: Visitor) -> Response {
    if state.host_offers_org.is_none() {
        return not_offered(&ctx);
    }
    let draft = Draft {
        country: "KZ".into(),
        input: HostOfferInput {
            children: true,
            families: true,
            ..Default::default()
        },
        ..Default::default()
    };
    form_page(&ctx, &draft, &FieldErrors::default(), None, StatusCode::OK)
}

/// A submission.
pub async fn submit(
    State(state): State<AppState>,
    Visitor { ctx }: Visitor,
    client: ClientAddr,
    form: FormData,
) -> Response {
    let Some(organisation) = state.host_offers_org else {
        return not_offered(&ctx);
    };
    let draft = Draft::from_form(&form);
    if ctx.check_form_csrf(&form).is_err() {
        return form_page(
            &ctx,
            &draft,
            &FieldErrors::default(),
            Some(ctx.t("error-csrf")),
            StatusCode::FORBIDDEN,
        );
    }
    if form.get(HONEYPOT).is_some_and(|v| !v.is_empty()) {
        // A robot: it gets what a person would, and nothing is stored.
        tracing::info!("host offer with the honeypot filled dropped");
        let fake: String = rand::random::<[u8; 32]>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        return done_page(&ctx, &fake);
    }
    let today = crate::households::validation_context().today;
    let offer = match validate_offer(&draft.input, draft.location(), today) {
        Ok(offer) => offer,
        Err(errors) => {
            return form_page(
                &ctx,
                &draft,
                &FieldErrors::from_validation(&errors),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    match state
        .store
        .submit_host_offer(organisation, &offer, client.0, Utc::now())
        .await
    {
        Ok(token) => {
            tracing::info!("host offer stored");
            done_page(&ctx, &token)
        }
        Err(StoreError::SubmissionsLimited { until }) => {
            let mut response = form_page(
                &ctx,
                &draft,
                &FieldErrors::default(),
                Some(ctx.t("offer-limited")),
                StatusCode::TOO_MANY_REQUESTS,
            );
            let seconds = (until - Utc::now()).num_seconds().max(1);
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Err(e) => WebError::from(e).render(&ctx),
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// A token as the link carries it: 64 hex digits; anything else is no token.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

fn withdraw_gone(ctx: &Ctx) -> Response {
    let body = html! {
        section.narrow {
            h1 { (ctx.t("offer-withdraw-title")) }
            p.notice.error role="alert" { (ctx.t("offer-withdraw-unknown")) }
        }
    };
    (
        StatusCode::NOT_FOUND,
        render(ctx, &ctx.t("offer-withdraw-title"), body),
    )
        .into_response()
}

/// The private link: asks before withdrawing (a link preview must not withdraw).
pub async fn withdraw_page(
    State(state): State<AppState>,
    Visitor { ctx }: Visitor,
    Query(query): Query<TokenQuery>,
) -> Response {
    if !well_formed(&query.token) {
        return withdraw_gone(&ctx);
    }
    match state.store.host_offer_withdrawable(&query.token).await {
        Ok(true) => {}
        Ok(false) => return withdraw_gone(&ctx),
        Err(e) => return WebError::from(e).render(&ctx),
    }
    let body = html! {
        section.narrow {
            h1 { (ctx.t("offer-withdraw-title")) }
            p { (ctx.t("offer-withdraw-ask")) }
            form method="post" action="/offer-a-bed/withdraw" {
                (ctx.csrf_field())
                input type="hidden" name="token" value=(query.token);
                div.actions { button type="submit" { (ctx.t("offer-withdraw-submit")) } }
            }
        }
    };
    render(&ctx, &ctx.t("offer-withdraw-title"), body)
}

/// Withdraws the offer of the token.
pub async fn withdraw(
    State(state): State<AppState>,
    Visitor { ctx }: Visitor,
    form: FormData,
) -> Response {
    if ctx.check_form_csrf(&form).is_err() {
        return WebError::Csrf.render(&ctx);
    }
    let token = form.get("token").unwrap_or_default();
    if !well_formed(token) {
        return withdraw_gone(&ctx);
    }
    match state.store.withdraw_host_offer(token, Utc::now()).await {
        Ok(()) => {
            let body = html! {
                section.narrow {
                    h1 { (ctx.t("offer-withdraw-title")) }
                    p.notice.ok role="status" #withdrawn { (ctx.t("offer-withdrawn")) }
                }
            };
            render(&ctx, &ctx.t("offer-withdraw-title"), body)
        }
        Err(StoreError::NotFound) => withdraw_gone(&ctx),
        Err(e) => WebError::from(e).render(&ctx),
    }
}

// ----- the coordinators' pages ------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    purged: Option<u64>,
}

fn accepts(ctx: &Ctx, record: &HostOfferRecord) -> String {
    let o = &record.offer;
    [
        (o.families, "offer-families"),
        (o.women_only, "offer-women-only"),
        (o.children, "offer-children"),
        (o.step_free, "offer-step-free"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, key)| ctx.t(key))
    .collect::<Vec<_>>()
    .join(", ")
}

fn dates(ctx: &Ctx, record: &HostOfferRecord) -> String {
    match record.offer.available_until {
        Some(until) => format!(
            "{} – {}",
            ctx.date(record.offer.available_from),
            ctx.date(until)
        ),
        None => format!("{} –", ctx.date(record.offer.available_from)),
    }
}

/// The organisation's offers, by status, with the bulk purge.
pub async fn list(
    State(state): State<AppState>,
    Can { web, query, .. }: Can<may::ManageHostOffers, Query<ListQuery>>,
) -> PageResult {
    let ctx = &web.ctx;
    let status = query
        .status
        .as_deref()
        .map_or(Some(HostOfferStatus::Pending), HostOfferStatus::parse);
    let offers = state
        .store
        .host_offers(&web.actor, status)
        .await
        .or_page(ctx)?;
    let body = html! {
        h1 { (ctx.t("host-offers-title")) }
        p { (ctx.t("host-offers-intro")) " " a href="/offer-a-bed" { "/offer-a-bed" } }
        @if let Some(n) = query.purged {
            p.notice.ok role="status" #purged { (ctx.count("host-offers-purged", n as i64)) }
        }
        nav aria-label=(ctx.t("field-status")) {
            p {
                @for s in HostOfferStatus::ALL {
                    a href=(format!("/host-offers?status={}", s.as_str())) aria-current=[(status == Some(*s)).then_some("page")] {
                        (ctx.label("host-offer-status", s.as_str()))
                    }
                    " · "
                }
            }
        }
        @if offers.is_empty() {
            p { (ctx.t("host-offers-none")) }
        } @else {
            form method="post" action="/host-offers" {
                (ctx.csrf_field())
                div.table-wrap { table.stack {
                    thead { tr {
                        th scope="col" { (ctx.t("host-offers-choose")) }
                        th scope="col" { (ctx.t("offer-city")) }
                        th scope="col" { (ctx.t("offer-people")) }
                        th scope="col" { (ctx.t("host-offers-dates")) }
                        th scope="col" { (ctx.t("host-offers-accepts")) }
                        th scope="col" { (ctx.t("field-status")) }
                    } }
                    tbody {
                        @for r in &offers {
                            tr {
                                td data-label=(ctx.t("host-offers-choose")) {
                                    @if r.site_id.is_none() {
                                        input type="checkbox" name="offer" value=(r.id) aria-label=(ctx.t("host-offers-choose"));
                                    }
                                }
                                td data-label=(ctx.t("offer-city")) { a href=(format!("/host-offers/{}", r.id)) { (r.offer.location.city) } }
                                td data-label=(ctx.t("offer-people")) { (r.offer.people) }
                                td data-label=(ctx.t("host-offers-dates")) { (dates(ctx, r)) }
                                td data-label=(ctx.t("host-offers-accepts")) { (accepts(ctx, r)) " · " (ctx.label("rent", r.offer.rent.as_str())) }
                                td data-label=(ctx.t("field-status")) { (ctx.label("host-offer-status", r.status.as_str())) }
                            }
                        }
                    }
                } }
                div.actions {
                    button.secondary type="submit" name="action" value="purge" { (ctx.t("host-offers-purge")) }
                }
            }
        }
    };
    Ok(render(ctx, &ctx.t("host-offers-title"), body))
}

/// The bulk purge of the offers ticked.
pub async fn purge(
    State(state): State<AppState>,
    Submit { web, form, .. }: Submit<may::ManageHostOffers>,
) -> PageResult {
    let purged = state
        .store
        .purge_host_offers(&web.actor, &form.ids("offer"), Utc::now())
        .await
        .or_page(&web.ctx)?;
    Ok(see_other(&format!("/host-offers?purged={purged}")))
}

/// One offer with the host's address and contact, and the decision.
pub async fn offer(
    State(state): State<AppState>,
    Can { web, id, .. }: Can<may::ManageHostOffers, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let r = state.store.host_offer(&web.actor, id).await.or_page(ctx)?;
    let o = &r.offer;
    let body = html! {
        h1 { (ctx.t("host-offer-title")) " · " (o.location.city) }
        dl {
            dt { (ctx.t("field-status")) } dd #offer-status { (ctx.label("host-offer-status", r.status.as_str())) }
            dt { (ctx.t("offer-address")) } dd { (o.address) }
            dt { (ctx.t("offer-contact-name")) } dd { (o.contact_name) }
            dt { (ctx.t("field-phone")) } dd { a href=(format!("tel:{}", o.contact_phone)) { (o.contact_phone) } }
            dt { (ctx.t("offer-people")) } dd { (o.people) }
            dt { (ctx.t("host-offers-dates")) } dd { (dates(ctx, &r)) }
            dt { (ctx.t("host-offers-accepts")) } dd { (accepts(ctx, &r)) " · " (ctx.label("rent", o.rent.as_str())) }
            @if let Some(notes) = &o.notes { dt { (ctx.t("offer-notes")) } dd { (notes) } }
            dt { (ctx.t("host-offers-received")) } dd { (ctx.datetime(r.created_at)) }
            @if let Some(at) = r.decided_at {
                dt { (ctx.t("host-offers-decided")) } dd { (ctx.datetime(at)) }
            }
            @if let Some(note) = &r.note { dt { (ctx.t("host-offers-note")) } dd { (note) } }
            @if let Some(site) = r.site_id {
                dt { (ctx.t("host-offers-site")) } dd { a #offer-site href=(format!("/sites/{site}")) { (ctx.t("host-offers-open-site")) } }
            }
        }
        @if r.status == HostOfferStatus::Pending {
            form method="post" action=(format!("/host-offers/{id}")) {
                (ctx.csrf_field())
                div.field {
                    label for="note" { (ctx.t("host-offers-note")) }
                    textarea #note name="note" maxlength="1000" {}
                    p.hint { (ctx.t("host-offers-note-hint")) }
                }
                div.actions {
                    button type="submit" name="action" value="verify" { (ctx.t("host-offers-verify")) }
                    button.secondary type="submit" name="action" value="reject" { (ctx.t("host-offers-reject")) }
                }
            }
        }
    };
    Ok(render(ctx, &ctx.t("host-offer-title"), body))
}

/// Verify (the offer becomes a host site; on to its page) or reject, with a note.
pub async fn decide(
    State(state): State<AppState>,
    Submit { web, id, form, .. }: Submit<may::ManageHostOffers, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let mut errors = ValidationErrors::default();
    let note = shanyrak_core::validation::optional_text_field(
        &mut errors,
        "#/note",
        form.get("note"),
        MAX_OFFER_NOTES_CHARS,
        true,
    );
    if !errors.is_empty() {
        return Err(WebError::Api(ApiError::Validation(errors))).or_page(ctx);
    }
    let now = Utc::now();
    match form.get("action") {
        Some("verify") => {
            let site = state
                .store
                .verify_host_offer(&web.actor, id, note.as_deref(), now)
                .await
                .or_page(ctx)?;
            Ok(see_other(&format!("/sites/{site}")))
        }
        Some("reject") => {
            state
                .store
                .reject_host_offer(&web.actor, id, note.as_deref(), now)
                .await
                .or_page(ctx)?;
            Ok(see_other(&format!("/host-offers/{id}")))
        }
        _ => Err(WebError::Api(ApiError::NotFound)).or_page(ctx),
    }
}

// ----- the poster ---------------------------------------------------------------------------

/// The address people's phones open from the poster: this server's, as the coordinator's
/// browser reached it.
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if state.plain_http_cookies {
        "http"
    } else {
        "https"
    };
    format!("{scheme}://{host}")
}

/// A printable A4 poster for a site: the QR code of the pre-registration form, in the four
/// languages. For those who see the site whole.
pub async fn poster(
    State(state): State<AppState>,
    headers: HeaderMap,
    Can { web, id, .. }: Can<may::SignedIn, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let site = state
        .store
        .get_site(&web.actor, id, Utc::now())
        .await
        .or_page(ctx)?;
    let url = format!("{}/pre-register", public_base(&state, &headers));
    let qr = super::household::qr_svg(&url).unwrap_or_default();
    let langs = [
        super::i18n::Lang::Ru,
        super::i18n::Lang::Kk,
        super::i18n::Lang::Ky,
        super::i18n::Lang::En,
    ];
    let body = html! {
        p.no-print { (ctx.t("poster-print-hint")) }
        @if state.pre_register_org.is_none() {
            p.notice.error.no-print role="alert" { (ctx.t("poster-page-off")) }
        }
        article.poster {
            h1 { (site.site.details.name) }
            @for lang in langs {
                p.poster-line lang=(lang.code()) { (super::i18n::message(lang, "poster-call", None)) }
            }
            div.poster-qr role="img" aria-label=(ctx.t("card-qr")) { (trusted(qr)) }
            p.poster-url { (url) }
        }
    };
    Ok(render(ctx, &ctx.t("poster-title"), body))
}
