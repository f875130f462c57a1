//! The web interface: server-rendered HTML for the whole job, in Russian first.
//!
//! Every core form is a plain HTML form that works without JavaScript; htmx (served from
//! the binary, `hx-boost`) only spares the phone a full page load. Pages call the same
//! functions and store methods as the JSON API, so the rules and the access checks are the
//! same on both paths.
//!
//! # Sessions
//! Signing in issues the same kind of token as `POST /api/v1/auth/token` (stored hashed,
//! expiring, revocable, refused at once for a disabled user) and sets it in a `Secure`,
//! `HttpOnly`, `SameSite=Strict` cookie. Every form carries a CSRF token derived from
//! the session secret (a hash with a fixed label), checked on every POST.
//!
//! No personal data in URLs: search and every form that carries names is a POST; pages
//! address records by their random ids only.

pub mod access;
pub mod cases;
pub mod charts;
pub mod dashboard;
pub mod dispatch;
pub mod distribute;
pub mod duplicates;
pub mod find;
pub mod forms;
pub mod host_offers;
pub mod household;
pub mod household_draft;
pub mod household_form;
pub mod i18n;
pub mod import;
pub mod login;
pub mod outbox;
pub mod places;
pub mod pre_register;
pub mod public_stats;
pub mod reception;
pub mod referrals;
pub mod resettlement;
pub mod rights;
pub mod sites;

use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use fluent_bundle::{FluentArgs, FluentValue};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};
use shanyrak_core::{Action, Actor};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::ApiError;
pub use i18n::Lang;

/// The session cookie's name over plain HTTP (`--plain-http-cookies`).
pub const SESSION_COOKIE: &str = "shanyrak_session";
/// Its name when cookies are `Secure`: the `__Host-` prefix makes the browser refuse it
/// unless it came over HTTPS from this very host, with `Path=/` and no `Domain`, so a
/// sibling subdomain cannot plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-shanyrak_session";
/// The pre-session cookie behind the CSRF token of the sign-in and language forms.
pub const FORM_COOKIE: &str = "shanyrak_form";
pub const SECURE_FORM_COOKIE: &str = "__Host-shanyrak_form";
/// A pre-session token lasts two hours; a sign-in form older than that is shown again.
pub const FORM_COOKIE_SECONDS: i64 = 2 * 3600;
pub const LANG_COOKIE: &str = "shanyrak_lang";

/// The session cookie's name: [`SECURE_SESSION_COOKIE`] unless cookies are plain.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The pre-session cookie's name, by the same rule.
pub fn form_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_FORM_COOKIE
    } else {
        FORM_COOKIE
    }
}

impl AppState {
    /// The name this server gives its session cookie.
    pub fn session_cookie_name(&self) -> &'static str {
        session_cookie_name(!self.plain_http_cookies)
    }

    /// `; Secure`, or nothing under `--plain-http-cookies`.
    pub(crate) fn cookie_secure_attribute(&self) -> &'static str {
        if self.plain_http_cookies {
            ""
        } else {
            "; Secure"
        }
    }
}
/// A signed-in session lasts a working shift.
pub const SESSION_HOURS: i64 = 12;

/// The web interface's routes, each once: this list builds the router and is the list
/// of path templates the canary crawl visits ([`ROUTE_TEMPLATES`]), so a new page is
/// crawled as soon as it exists.
macro_rules! web_routes {
    ($($path:literal => $handler:expr),+ $(,)?) => {
        /// Every path template of the web interface.
        pub const ROUTE_TEMPLATES: &[&str] = &[$($path),+];

        pub fn routes() -> Router<AppState> {
            Router::new()$(.route($path, $handler))+
        }
    };
}

web_routes! {
    "/" => get(home),
    "/login" => get(login::page).post(login::submit),
    "/logout" => post(login::logout),
    "/language" => post(login::set_language),
    "/assets/{name}" => get(asset),
    "/reception" => get(reception::page).post(reception::submit),
    "/reception/check" => post(reception::check_member),
    "/reception/outbox" => post(outbox::send),
    "/reception/outbox/key" => get(outbox::key),
    "/sw.js" => get(outbox::service_worker),
    "/find" => get(find::page).post(find::submit),
    "/households/{id}" => get(household::page),
    "/households/{id}/card" => get(household::card),
    "/households/{id}/edit" => get(household::edit_page).post(household::edit_submit),
    "/households/{id}/members/{person}/data" => get(rights::data_page),
    "/households/{id}/members/{person}/data.json" => get(rights::data_file),
    "/households/{id}/members/{person}/erase" =>
        get(rights::erase_page).post(rights::erase),
    "/sites" => get(sites::list),
    "/sites/{id}" => get(sites::page),
    "/sites/{id}/check-in" => post(sites::check_in),
    "/sites/{id}/walk-in" => post(sites::walk_in),
    "/sites/{id}/stays/{stay_id}" => post(sites::stay_action),
    "/sites/{id}/pools/{pool_id}" => post(sites::edit_pool),
    "/dispatch" => get(dispatch::page).post(dispatch::propose),
    "/dispatch/batches/{id}" => get(dispatch::batch).post(dispatch::decide),
    "/duplicates" => get(duplicates::queue),
    "/duplicates/{id}" => get(duplicates::pair).post(duplicates::decide),
    "/dashboard" => get(dashboard::page),
    "/cases" => get(cases::overview).post(cases::open),
    "/cases/{id}" => get(cases::page),
    "/cases/{id}/{what}" => post(cases::change),
    "/referrals/{id}" => get(referrals::referral).post(referrals::answer),
    "/resettlement" => get(resettlement::programmes).post(resettlement::create_programme),
    "/resettlement/{id}" => get(resettlement::programme).post(resettlement::programme_action),
    "/import" => get(import::page)
        .post(import::upload)
        .layer(axum::extract::DefaultBodyLimit::max(import::MAX_UPLOAD_BYTES)),
    "/import/{id}" => get(import::preview).post(import::confirm),
    "/distribute" => get(distribute::start).post(distribute::find),
    "/distribute/{id}" => get(distribute::household).post(distribute::record),
    "/public/stats" => get(public_stats::page),
    "/places/suggest" => post(places::suggest),
    "/places/unconfirmed" => get(places::unconfirmed).post(places::map),
    "/pre-register" => get(pre_register::page)
        .post(pre_register::submit)
        .layer(axum::extract::DefaultBodyLimit::max(pre_register::MAX_BODY_BYTES)),
    "/pre-registrations" => get(pre_register::open_page).post(pre_register::open),
    "/pre-registrations/purge" => post(pre_register::purge),
    "/offer-a-bed" => get(host_offers::page)
        .post(host_offers::submit)
        .layer(axum::extract::DefaultBodyLimit::max(host_offers::MAX_BODY_BYTES)),
    "/offer-a-bed/withdraw" => get(host_offers::withdraw_page)
        .post(host_offers::withdraw)
        .layer(axum::extract::DefaultBodyLimit::max(host_offers::MAX_BODY_BYTES)),
    "/host-offers" => get(host_offers::list).post(host_offers::purge),
    "/host-offers/{id}" => get(host_offers::offer).post(host_offers::decide),
    "/sites/{id}/poster" => get(host_offers::poster),
}

/// Where a user lands after signing in: the first screen their role works with.
pub fn home_path(actor: &Actor) -> &'static str {
    if actor.may(Action::ManageCases) {
        "/cases"
    } else if actor.may(Action::RegisterHousehold) {
        "/reception"
    } else if actor.may(Action::ManageSites) {
        "/sites"
    } else if actor.may(Action::PlaceHouseholds) {
        "/dispatch"
    } else if actor.may(Action::Distribute) {
        "/distribute"
    } else if actor.may(Action::ReadHousehold) {
        "/find"
    } else {
        "/dashboard"
    }
}

async fn home(visitor: Visitor) -> Response {
    match &visitor.ctx.user {
        Some(user) => Redirect::to(home_path(&user.actor)).into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// Context: language, session, messages.

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    /// Shown in every page's header, so a session planted by another site is noticed.
    pub email: String,
    /// The CSRF token masked for this response.
    pub csrf: String,
    /// The session's CSRF token itself, to check a submitted one against.
    session_csrf: String,
}

/// The CSRF token of a visitor's pre-session cookie, for the forms that are sent before
/// there is a session (sign-in, language).
#[derive(Debug, Clone)]
pub struct FormToken {
    masked: String,
    expected: String,
}

/// What every page needs: the language and, when signed in, who is asking.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<SignedIn>,
    /// The pre-session token, on every page of the web interface.
    pub form: Option<FormToken>,
    /// The path of this page, so the language switch can come back to it.
    pub path: String,
}

impl Ctx {
    pub fn t(&self, key: &str) -> String {
        i18n::message(self.lang, key, None)
    }

    pub fn t_with(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        i18n::message(self.lang, key, Some(&fluent_args))
    }

    pub fn count(&self, key: &str, n: impl Into<i64>) -> String {
        let n: i64 = n.into();
        self.t_with(key, &[("count", FluentValue::from(n))])
    }

    pub fn number(&self, n: impl Into<i64>) -> String {
        i18n::format_number(self.lang, n.into())
    }

    pub fn date(&self, d: chrono::NaiveDate) -> String {
        i18n::format_date(self.lang, d)
    }

    pub fn datetime(&self, d: chrono::DateTime<chrono::Utc>) -> String {
        i18n::format_datetime(self.lang, d)
    }

    /// A moment on a site's (or any zone's) own clock.
    pub fn datetime_in(&self, zone: chrono_tz::Tz, d: chrono::DateTime<chrono::Utc>) -> String {
        i18n::format_datetime_in(self.lang, zone, d)
    }

    /// An enum value's label: `enum-need-shelter` and so on.
    pub fn label(&self, kind: &str, value: &str) -> String {
        self.t(&format!("enum-{kind}-{}", value.replace('_', "-")))
    }

    pub fn actor(&self) -> Option<&Actor> {
        self.user.as_ref().map(|u| &u.actor)
    }

    pub fn may(&self, action: Action) -> bool {
        self.actor().is_some_and(|a| a.may(action))
    }

    /// A table's header row: one column header per message key.
    pub fn column_headers<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> Markup {
        html! {
            thead { tr { @for key in keys { th scope="col" { (self.t(key)) } } } }
        }
    }

    /// The session's CSRF token as a hidden field; before sign-in, the pre-session one.
    pub fn csrf_field(&self) -> Markup {
        let token = match (&self.user, &self.form) {
            (Some(user), _) => Some(user.csrf.as_str()),
            (None, Some(form)) => Some(form.masked.as_str()),
            (None, None) => None,
        };
        html! {
            @if let Some(token) = token {
                input type="hidden" name="csrf" value=(token);
            }
        }
    }

    /// For the forms sent before a session exists (sign-in, language): the session's token
    /// or the pre-session cookie's.
    pub fn check_form_csrf(&self, form: &forms::FormData) -> Result<(), WebError> {
        let sent = form.get("csrf").and_then(unmask_csrf).unwrap_or_default();
        let matches = |expected: &str| !expected.is_empty() && constant_time_eq(&sent, expected);
        let by_session = self.user.as_ref().is_some_and(|u| matches(&u.session_csrf));
        let by_form = self.form.as_ref().is_some_and(|f| matches(&f.expected));
        if by_session || by_form {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The pre-session secret a request carries, or the fresh one [`form_cookie`] gives it.
#[derive(Debug, Clone)]
struct FormSecret(String);

fn well_formed_secret(secret: &str) -> bool {
    secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Gives every visitor of the web interface a pre-session cookie (random, `HttpOnly`,
/// `SameSite=Strict`, two hours), whose CSRF token the sign-in and language forms carry:
/// a page elsewhere can neither read the cookie nor compute the token (double submit).
pub async fn form_cookie(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let name = form_cookie_name(!state.plain_http_cookies);
    let existing = cookie(request.headers(), name)
        .filter(|s| well_formed_secret(s))
        .map(str::to_owned);
    let fresh = existing.is_none();
    let secret = existing.unwrap_or_else(|| {
        let bytes: [u8; 32] = rand::random();
        hex::encode(bytes)
    });
    request.extensions_mut().insert(FormSecret(secret.clone()));
    let mut response = next.run(request).await;
    if fresh
        && let Ok(value) = HeaderValue::from_str(&format!(
            "{name}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={FORM_COOKIE_SECONDS}{}",
            state.cookie_secure_attribute()
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Refuses a state-changing request of the web interface sent by another site: when the
/// browser says so (`Sec-Fetch-Site: cross-site`) or names another origin (`Origin`).
/// Browsers that send neither (or `Origin: null`) are let through: the CSRF token still
/// applies. The
/// API is not checked here: it takes bearer tokens only, never cookies.
pub async fn same_origin_posts(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if safe || request.uri().path().starts_with("/api/") || same_origin(request.headers()) {
        return next.run(request).await;
    }
    tracing::warn!("cross-site form refused");
    let lang = Lang::negotiate(
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
    );
    WebError::Csrf.render_plain(lang)
}

fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site").is_some_and(|site| site.eq_ignore_ascii_case("cross-site")) {
        return false;
    }
    // Under `Referrer-Policy: no-referrer` (every page here) browsers send `Origin: null`
    // with a plain form post even on the same page: it says nothing, like no header, and
    // `Sec-Fetch-Site` above and the token decide.
    let Some(origin) = headers
        .get(header::ORIGIN)
        .filter(|o| o.as_bytes() != b"null")
    else {
        return true;
    };
    let host = text("host").unwrap_or_default();
    // `scheme://host[:port]`; the scheme is not compared, TLS may end at a proxy.
    origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .is_some_and(|(_, authority)| !host.is_empty() && authority.eq_ignore_ascii_case(host))
}

/// The CSRF token of a session: a keyed hash an attacker's page cannot compute without
/// the cookie it cannot read.
pub fn csrf_token(session_secret: &str) -> String {
    hex::encode(Sha256::digest(
        format!("shanyrak-csrf\0{session_secret}").as_bytes(),
    ))
}

/// The token as written into one page: XOR-masked with a fresh random pad, so that no
/// two responses carry the same bytes and a compressed page cannot leak it byte by byte
/// to an attacker who can inject text into it (BREACH).
pub fn mask_csrf(token: &str) -> String {
    let token = token.as_bytes();
    let pad: Vec<u8> = (0..token.len()).map(|_| rand::random::<u8>()).collect();
    let masked = token.iter().zip(&pad).map(|(t, p)| t ^ p);
    hex::encode(pad.iter().copied().chain(masked).collect::<Vec<u8>>())
}

/// The token behind a masked one; `None` for anything malformed.
pub fn unmask_csrf(masked: &str) -> Option<String> {
    // Whole bytes, split evenly into the pad and the masked token.
    if !masked.len().is_multiple_of(4) {
        return None;
    }
    let bytes = hex::decode(masked).ok()?;
    let (pad, body) = bytes.split_at(bytes.len() / 2);
    String::from_utf8(pad.iter().zip(body).map(|(p, b)| p ^ b).collect()).ok()
}

/// Compares in time independent of where the strings differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn language_of(parts: &Parts) -> Lang {
    cookie(&parts.headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_else(|| {
            Lang::negotiate(
                parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default(),
            )
        })
}

/// Anyone, signed in or not.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub ctx: Ctx,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = language_of(parts);
        let mut user = None;
        let form = parts.extensions.get::<FormSecret>().map(|secret| {
            let expected = csrf_token(&format!("pre-session\0{}", secret.0));
            FormToken {
                masked: mask_csrf(&expected),
                expected,
            }
        });
        if let Some(secret) =
            cookie(&parts.headers, state.session_cookie_name()).filter(|s| !s.is_empty())
        {
            match state
                .store
                .authenticate_token(secret, chrono::Utc::now())
                .await
            {
                Ok(Some(actor)) => {
                    let email = match state.store.user_email(actor.user_id).await {
                        Ok(email) => email.unwrap_or_default(),
                        Err(e) => {
                            tracing::error!(error = %e, "session check failed");
                            return Err(WebError::Api(ApiError::Internal).render_plain(lang));
                        }
                    };
                    user = Some(SignedIn {
                        actor,
                        email,
                        csrf: mask_csrf(&csrf_token(secret)),
                        session_csrf: csrf_token(secret),
                    })
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %e, "session check failed");
                    return Err(WebError::Api(ApiError::Internal).render_plain(lang));
                }
            }
        }
        Ok(Visitor {
            ctx: Ctx {
                lang,
                user,
                form,
                path: parts.uri.path().to_owned(),
            },
        })
    }
}

/// A signed-in user; anyone else is sent to the sign-in page.
#[derive(Debug, Clone)]
pub struct Web {
    pub ctx: Ctx,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Web {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.ctx.user.clone() {
            Some(user) => Ok(Web {
                actor: user.actor,
                ctx: visitor.ctx,
            }),
            None => {
                // Only our own paths, never a query string, go into `next`.
                let next = parts.uri.path();
                let target = if next.starts_with('/') && !next.starts_with("//") {
                    format!("/login?next={}", forms::url_encode(next))
                } else {
                    "/login".to_owned()
                };
                Err(see_other(&target))
            }
        }
    }
}

impl Web {
    /// Checks the form's CSRF token against the session.
    pub fn check_csrf(&self, form: &forms::FormData) -> Result<(), WebError> {
        let expected = self
            .ctx
            .user
            .as_ref()
            .map(|u| u.session_csrf.as_str())
            .unwrap_or_default();
        match form.get("csrf").and_then(unmask_csrf) {
            Some(sent) if !expected.is_empty() && constant_time_eq(&sent, expected) => Ok(()),
            _ => Err(WebError::Csrf),
        }
    }

    pub fn require(&self, action: Action) -> Result<(), WebError> {
        if self.actor.may(action) {
            Ok(())
        } else {
            Err(WebError::Api(ApiError::Forbidden))
        }
    }
}

/// 303 See Other: after a POST, the browser GETs the result (no resubmission on reload).
pub fn see_other(path: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(path) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

// ---------------------------------------------------------------------------------------
// Errors as pages.

#[derive(Debug)]
pub enum WebError {
    Api(ApiError),
    Csrf,
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        WebError::Api(e)
    }
}

impl From<shanyrak_store::StoreError> for WebError {
    fn from(e: shanyrak_store::StoreError) -> Self {
        WebError::Api(e.into())
    }
}

impl From<crate::dispatch::DispatchError> for WebError {
    fn from(e: crate::dispatch::DispatchError) -> Self {
        WebError::Api(e.into())
    }
}

impl WebError {
    fn status_and_key(&self) -> (StatusCode, &'static str) {
        match self {
            WebError::Csrf => (StatusCode::FORBIDDEN, "error-csrf"),
            WebError::Api(e) => match e {
                ApiError::Unauthorized | ApiError::InvalidCredentials => {
                    (StatusCode::UNAUTHORIZED, "error-unauthorized")
                }
                ApiError::Forbidden => (StatusCode::FORBIDDEN, "error-forbidden"),
                ApiError::NotFound => (StatusCode::NOT_FOUND, "error-not-found"),
                ApiError::Validation(_) | ApiError::InvalidQuery(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "error-invalid")
                }
                ApiError::VersionMismatch { .. } | ApiError::Conflict(_) => {
                    (StatusCode::CONFLICT, "error-conflict")
                }
                ApiError::Admission(_) => (StatusCode::CONFLICT, "error-admission"),
                ApiError::TooManyAttempts { .. } | ApiError::RateLimited { .. } => {
                    (StatusCode::TOO_MANY_REQUESTS, "error-too-many")
                }
                ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "error-busy"),
                ApiError::Starting => (StatusCode::SERVICE_UNAVAILABLE, "error-starting"),
                ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "error-invalid"),
                ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "error-internal"),
                _ => (StatusCode::BAD_REQUEST, "error-invalid"),
            },
        }
    }

    /// An error page without the navigation (for when the session itself failed).
    fn render_plain(&self, lang: Lang) -> Response {
        let ctx = Ctx {
            lang,
            user: None,
            form: None,
            path: "/".into(),
        };
        self.render(&ctx)
    }

    pub fn render(&self, ctx: &Ctx) -> Response {
        let (status, key) = self.status_and_key();
        let body = html! {
            h1 { (ctx.t("error-title")) }
            p.notice.error role="alert" { (ctx.t(key)) }
            p { a href="/" { (ctx.t("error-back")) } }
        };
        (status, layout(ctx, &ctx.t("error-title"), body)).into_response()
    }
}

/// An error on a page, shown as a page in the user's language.
#[derive(Debug)]
pub struct PageError {
    ctx: Box<Ctx>,
    error: WebError,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.error.render(&self.ctx)
    }
}

pub type PageResult = Result<Response, PageError>;

pub trait OrPage<T> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError>;
}

impl<T, E: Into<WebError>> OrPage<T> for Result<T, E> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError> {
        self.map_err(|e| PageError {
            ctx: Box::new(ctx.clone()),
            error: e.into(),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Layout.

/// Static files, named with their content hash so browsers keep them for a year and a new
/// build is fetched at once.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

/// A file of `assets/`, named once.
macro_rules! asset {
    ($name:literal, $content_type:literal) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!("../../assets/", $name)),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("outbox.js", "text/javascript; charset=utf-8"),
    asset!("htmx.min.js", "text/javascript; charset=utf-8"),
];

fn asset_version(name: &str) -> String {
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(|a| hex::encode(&Sha256::digest(a.body)[..6]))
        .unwrap_or_default()
}

pub fn asset_url(name: &str) -> String {
    format!("/assets/{name}?v={}", asset_version(name))
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            a.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

struct NavItem {
    path: &'static str,
    key: &'static str,
    action: Action,
}

const NAV: &[NavItem] = &[
    NavItem {
        path: "/reception",
        key: "nav-reception",
        action: Action::RegisterHousehold,
    },
    NavItem {
        path: "/find",
        key: "nav-find",
        action: Action::ReadHousehold,
    },
    NavItem {
        path: "/sites",
        key: "nav-sites",
        action: Action::ReadSites,
    },
    NavItem {
        path: "/dispatch",
        key: "nav-dispatch",
        action: Action::PlaceHouseholds,
    },
    NavItem {
        path: "/distribute",
        key: "nav-distribute",
        action: Action::Distribute,
    },
    NavItem {
        path: "/cases",
        key: "nav-cases",
        action: Action::ManageCases,
    },
    NavItem {
        path: "/resettlement",
        key: "nav-resettlement",
        action: Action::ManageResettlement,
    },
    NavItem {
        path: "/duplicates",
        key: "nav-duplicates",
        action: Action::ReviewDuplicates,
    },
    NavItem {
        path: "/host-offers",
        key: "nav-host-offers",
        action: Action::ManageHostOffers,
    },
    NavItem {
        path: "/places/unconfirmed",
        key: "nav-places",
        action: Action::MapPlaces,
    },
    NavItem {
        path: "/dashboard",
        key: "nav-dashboard",
        action: Action::ReadSites,
    },
];

pub fn layout(ctx: &Ctx, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                // htmx would inject a <style> element, which the CSP forbids; app.css has
                // the indicator styles instead.
                // Error pages (a form with mistakes is a 422) are swapped in like any page.
                meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"historyCacheSize":0,"refreshOnHistoryMiss":true,"responseHandling":[{"code":"204","swap":false},{"code":"[2345]..","swap":true}]}"#;
                title { (title) " · Shanyrak" }
                // No favicon request (and no 404 for it) on every page of a slow link.
                link rel="icon" href="data:,";
                link rel="stylesheet" href=(asset_url("app.css"));
                script src=(asset_url("htmx.min.js")) defer {}
                script src=(asset_url("app.js")) defer {}
                // The offline outbox: sends what waits, and clears what was sent on sign-out.
                // On every page, signed in or not: htmx swaps only the body, so a script the
                // sign-in page did not load would not run on the page it leads to.
                script src=(asset_url("outbox.js")) defer {}
            }
            body hx-boost="true" {
                a.skip href="#main" { (ctx.t("nav-skip")) }
                header.top {
                    a.brand href="/" { "Shanyrak" }
                    @if let Some(user) = &ctx.user {
                        nav aria-label=(ctx.t("nav-label")) {
                            ul {
                                @for item in NAV {
                                    @if user.actor.may(item.action) {
                                        li {
                                            a href=(item.path) aria-current=[ctx.path.starts_with(item.path).then_some("page")] {
                                                (ctx.t(item.key))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div.tools {
                        // A full page load, so that <html lang> changes too (htmx swaps only
                        // the body) and screen readers switch voice.
                        form.lang method="post" action="/language" hx-boost="false" {
                            (ctx.csrf_field())
                            input type="hidden" name="back" value=(ctx.path);
                            label for="lang-select" { (ctx.t("lang-label")) }
                            select #lang-select name="lang" data-autosubmit {
                                @for lang in Lang::ALL {
                                    option value=(lang.code()) selected[lang == ctx.lang] { (lang.native_name()) }
                                }
                            }
                            button.secondary type="submit" { (ctx.t("lang-apply")) }
                        }
                        @if let Some(user) = &ctx.user {
                            p.who #signed-in-as {
                                (ctx.t("nav-signed-in-as")) " "
                                strong { (user.email) }
                                " · "
                                (user.actor.roles.iter().map(|r| ctx.label("role", r.as_str())).collect::<Vec<_>>().join(", "))
                            }
                            form method="post" action="/logout" {
                                (ctx.csrf_field())
                                button.secondary type="submit" { (ctx.t("nav-logout")) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    (body)
                }
            }
        }
    }
}

/// A page in the layout, as a response.
pub fn render(ctx: &Ctx, title: &str, body: Markup) -> Response {
    layout(ctx, title, body).into_response()
}

/// A public form's answer once something was stored: 201 with the page.
pub fn render_created(ctx: &Ctx, title: &str, body: Markup) -> Response {
    (StatusCode::CREATED, render(ctx, title, body)).into_response()
}

/// A public page the deployment does not offer: the same 404 as a path that never existed.
pub fn not_offered(ctx: &Ctx) -> Response {
    WebError::Api(ApiError::NotFound).render(ctx)
}

/// Text that is safe to put in HTML as is (our own SVG).
pub fn trusted(svg: String) -> PreEscaped<String> {
    PreEscaped(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_differ_per_session_and_compare_exactly() {
        let a = csrf_token("secret-a");
        let b = csrf_token("secret-b");
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(constant_time_eq(&a, &csrf_token("secret-a")));
        assert!(!constant_time_eq(&a, &b));
        assert!(!constant_time_eq(&a, &a[..63]));
        let masked = mask_csrf(&a);
        assert_ne!(masked, mask_csrf(&a), "each page gets a fresh mask");
        assert_eq!(unmask_csrf(&masked).as_deref(), Some(a.as_str()));
        assert_eq!(unmask_csrf("zz"), None);
        assert_ne!(unmask_csrf(&mask_csrf(&b)).as_deref(), Some(a.as_str()));
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static(
                "x_shanyrak_session=no; shanyrak_session=yes; shanyrak_lang=en",
            ),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("yes"));
        assert_eq!(cookie(&headers, LANG_COOKIE), Some("en"));
        assert_eq!(cookie(&headers, "other"), None);
    }
}
