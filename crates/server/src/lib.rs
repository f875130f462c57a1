//! HTTP for Shanyrak: the JSON API under `/api/v1` and its OpenAPI document.
//!
//! # Layout
//! - [`router`] assembles routes and the middleware every request passes (body limit,
//!   timeout, panic guard, request log).
//! - [`extract`]: authentication (`Authorization: Bearer`) and JSON bodies.
//! - [`households`]: the household endpoints.
//! - [`essentials`]: items, distribution points, stock, entitlements, distributions, reports.
//! - [`error`]: RFC 9457 problem documents, one table of error kinds.
//!
//! **Architecture invariants:** handlers hold no SQL and no policy: the store checks
//! roles and organisation scope on every call. Logs name routes by their template
//! (`/api/v1/households/{id}`), never the concrete URI, and never a request body.

pub mod access;
pub mod agreements;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod dispatch;
pub mod duplicates;
pub mod encoded_matches;
pub mod error;
pub mod essentials;
pub mod exports;
pub mod extract;
pub mod heavy;
pub mod host_offers;
pub mod households;
pub mod identity;
pub mod import;
pub mod local_time;
pub mod merge_patch;
pub mod metrics;
pub mod openapi;
pub mod partners;
pub mod persons;
pub mod placements;
pub mod places;
pub mod protection;
pub mod reply;
pub mod resettlement;
pub mod shelter;
pub mod stats;
pub mod tls;
pub mod web;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use shanyrak_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;

use crate::error::ApiError;

/// Largest request body accepted. A household with 50 members and notes is a few KiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub identity: std::sync::Arc<identity::IdentityIndex>,
    /// Public cells below this many people are suppressed.
    pub disclosure_threshold: u64,
    /// Time between public statistics releases.
    pub release_interval: chrono::Duration,
    /// Session cookies without the `Secure` flag, for a laptop serving a local network
    /// over plain HTTP. Browsers accept `Secure` cookies from `localhost` regardless.
    pub plain_http_cookies: bool,
    /// Shortest time between coordinator figure snapshots; zero computes them on every
    /// request (tests, tiny databases).
    pub figures_every: chrono::Duration,
    /// Look-ups a user may make per hour in other organisations' records under agreements
    /// (duplicate checks at registration, shelter status): enough for a busy desk, too few
    /// to walk another organisation's registry.
    pub cross_org_lookups_per_hour: u32,
    /// Take the client's address for sign-in throttling from the last `X-Forwarded-For`
    /// entry instead of the socket peer: only behind a reverse proxy that sets it.
    pub trust_forwarded_for: bool,
    /// The bearer token that opens `/metrics` to others than loopback; none: loopback only.
    pub metrics_token: Option<String>,
    /// The organisation whose registrars receive the public pre-registrations
    /// (`serve --pre-register-org`); `None` turns the public page off.
    pub pre_register_org: Option<uuid::Uuid>,
    /// The public pre-registration form asks for the code of the day its desk shows
    /// (`serve --pre-register-desk-code`): only people standing there can submit.
    pub pre_register_desk_code: bool,
    /// How long an unconfirmed pre-registration is kept (`serve
    /// --pre-registration-expiry`, 72 hours unless set).
    pub pre_registration_lifetime: chrono::Duration,
    /// The organisation whose coordinators and dispatchers receive the beds offered on the
    /// public page `/offer-a-bed` (`serve --host-offers-org`); `None` turns the page off.
    pub host_offers_org: Option<uuid::Uuid>,
}

impl AppState {
    /// The state for a store, with the identity index built from its persons (the index
    /// is ready when this returns; for `serve`, see [`Self::start`]).
    pub async fn build(store: Store) -> Result<Self, shanyrak_store::StoreError> {
        let identity = identity::IdentityIndex::build(&store).await?;
        places_at_start(&store).await?;
        Ok(Self::with_index(store, std::sync::Arc::new(identity)))
    }

    /// The state for a serving process, returned at once: the identity index loads in a
    /// task of its own (at national scale it takes long), while the process answers
    /// health checks and `/healthz/ready` says 503. Requests that need the index wait
    /// for it a few seconds, then answer 503 `starting` with `Retry-After`.
    pub fn start(store: Store) -> Self {
        let identity = std::sync::Arc::new(identity::IdentityIndex::loading());
        let state = Self::with_index(store, identity);
        let loading = state.clone();
        tokio::spawn(async move {
            let mut pause = Duration::from_secs(1);
            loop {
                match loading.identity.load(&loading.store).await {
                    Ok(()) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "loading the identity index failed; trying again");
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(Duration::from_secs(30));
                    }
                }
            }
            if let Err(e) = places_at_start(&loading.store).await {
                tracing::warn!(error = %e, "linking records to places failed");
            }
        });
        state
    }

    /// The identity index once it is loaded, after waiting at most [`READY_WAIT`] for it.
    pub async fn identity_ready(&self) -> Result<&identity::IdentityIndex, ApiError> {
        self.identity.wait_ready(READY_WAIT).await?;
        Ok(&self.identity)
    }

    fn with_index(store: Store, identity: std::sync::Arc<identity::IdentityIndex>) -> Self {
        Self {
            store,
            identity,
            disclosure_threshold: stats::DEFAULT_THRESHOLD,
            release_interval: chrono::Duration::hours(stats::DEFAULT_RELEASE_HOURS),
            plain_http_cookies: false,
            figures_every: chrono::Duration::seconds(stats::DEFAULT_FIGURES_EVERY_SECONDS),
            cross_org_lookups_per_hour: DEFAULT_CROSS_ORG_LOOKUPS_PER_HOUR,
            trust_forwarded_for: false,
            metrics_token: None,
            pre_register_org: None,
            pre_register_desk_code: false,
            pre_registration_lifetime: chrono::Duration::hours(
                shanyrak_store::PRE_REGISTRATION_HOURS,
            ),
            host_offers_org: None,
        }
    }
}

/// Indexes the place list (so that forms resolve place names without waiting for it) and
/// links records written without a place to one.
async fn places_at_start(store: &Store) -> Result<(), shanyrak_store::StoreError> {
    if places::index().await.is_err() {
        tracing::error!("the place list could not be indexed");
    }
    let linked = places::link_unconfirmed(store).await?;
    if linked > 0 {
        tracing::info!(
            records = linked,
            "linked records to places of the place list"
        );
    }
    Ok(())
}

/// How long a request that needs the identity index waits for it to load before it is
/// answered 503 `starting`.
pub const READY_WAIT: Duration = Duration::from_secs(5);

/// A desk registers at most a family a minute or so; twice that leaves room for checks.
pub const DEFAULT_CROSS_ORG_LOOKUPS_PER_HOUR: u32 = 120;

/// How often each process seals the audit log, makes due public releases and, on SQLite
/// (or without notifications), picks up household writes made by other processes.
const INDEX_REFRESH: Duration = Duration::from_secs(2);
/// On PostgreSQL a notification wakes the index refresh at once; this slower poll catches
/// up after one was missed all the same.
const INDEX_CATCH_UP: Duration = Duration::from_secs(10);
/// How often each process checks whether the coordinator figures are due a new snapshot.
const FIGURES_CHECK: Duration = Duration::from_secs(5);

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
}

/// Liveness and database reachability, for load balancers and monitoring.
#[utoipa::path(get, path = "/healthz", tag = "meta", responses(
    (status = 200, body = Health),
    (status = 503, description = "The database is unreachable", body = Health),
))]
pub async fn health(State(state): State<AppState>) -> Response {
    let database = state.store.backend_name();
    match state.store.ping().await {
        Ok(()) => Json(Health {
            status: "ok",
            database,
        })
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database,
                }),
            )
                .into_response()
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Liveness {
    pub status: &'static str,
}

/// Liveness: the process runs and its HTTP listener answers (the database is not asked).
/// For a supervisor deciding whether to restart the process; it answers while the
/// identity index loads.
#[utoipa::path(get, path = "/healthz/live", tag = "meta", responses(
    (status = 200, body = Liveness),
))]
pub async fn health_live() -> Json<Liveness> {
    Json(Liveness { status: "ok" })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `ready`, `starting` (the identity index is loading) or `unavailable` (the database
    /// does not answer).
    pub status: &'static str,
    pub database: &'static str,
    /// `loading` or `ready`.
    pub identity_index: &'static str,
}

/// Readiness: 200 once migrations have run and the identity index is loaded and the
/// database answers; 503 before and whenever the database does not answer. For a load
/// balancer deciding whether to send requests to this process.
#[utoipa::path(get, path = "/healthz/ready", tag = "meta", responses(
    (status = 200, body = Readiness),
    (status = 503, description = "Starting (the identity index is loading) or the database is unreachable", body = Readiness),
))]
pub async fn health_ready(State(state): State<AppState>) -> Response {
    let database = state.store.backend_name();
    let index_ready = state.identity.is_ready();
    let identity_index = if index_ready { "ready" } else { "loading" };
    let status = match state.store.ping().await {
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            "unavailable"
        }
        Ok(()) if index_ready => "ready",
        Ok(()) => "starting",
    };
    let body = Json(Readiness {
        status,
        database,
        identity_index,
    });
    if status == "ready" {
        body.into_response()
    } else {
        let mut response = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(error::STARTING_RETRY_AFTER),
        );
        response
    }
}

/// This document: the API described in OpenAPI 3.1.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", responses(
    (status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json"),
))]
pub async fn openapi_document() -> Response {
    match openapi::ApiDoc::openapi().to_json() {
        Ok(json) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            json,
        )
            .into_response(),
        Err(_) => ApiError::Internal.into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    // The panic message may hold data from the request; it is not logged or returned.
    tracing::error!("handler panicked");
    ApiError::Internal.into_response()
}

/// Refuses a body announced larger than the limit before reading any of it, so a client
/// cannot make the server read gigabytes to learn that they are too many.
async fn reject_oversized(request: Request, next: axum::middleware::Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Spreadsheets uploaded for import and encodings for matching are the larger bodies.
    let path = request.uri().path();
    let limit = if path == "/import" {
        web::import::MAX_UPLOAD_BYTES
    } else if path.starts_with("/api/v1/agreements/") && path.ends_with("/encoded-matches") {
        encoded_matches::MAX_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    };
    if announced.is_some_and(|n| n > limit as u64) {
        return ApiError::PayloadTooLarge.into_response();
    }
    next.run(request).await
}

/// Refuses a body in any `Content-Encoding` but `identity` before it is read: the server
/// decodes none, and a handler must never take compressed bytes for the body itself (nor
/// be asked to inflate a bomb). A cheap phone's forms and the API's JSON are small.
async fn reject_encoded_bodies(request: Request, next: axum::middleware::Next) -> Response {
    let encoded = request
        .headers()
        .get_all(header::CONTENT_ENCODING)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("unreadable").split(','))
        .any(|coding| !coding.trim().eq_ignore_ascii_case("identity"));
    if encoded {
        return ApiError::UnsupportedContentEncoding.into_response();
    }
    next.run(request).await
}

/// Headers every response carries: no sniffing, no framing, no referrer leaking an id,
/// and a content security policy with no inline scripts (the web interface serves its
/// scripts from the binary).
async fn security_headers(request: Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        (
            "content-security-policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // Pages hold personal data: never kept by the browser or a proxy. Only the static
    // assets, which set their own, may be cached.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Rewrites axum's plain-text answers (405, and the 400/413/415/422 of its extractors,
/// such as a query string that does not parse) into problem documents, so that every
/// error of the API is one, whatever a handler forgot.
async fn problem_for_bare_errors(request: Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if plain {
        let problem = match response.status() {
            StatusCode::BAD_REQUEST => Some(ApiError::InvalidQuery(
                shanyrak_core::ValidationErrors::default(),
            )),
            StatusCode::PAYLOAD_TOO_LARGE => Some(ApiError::PayloadTooLarge),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Some(ApiError::UnsupportedMediaType),
            StatusCode::UNPROCESSABLE_ENTITY => Some(ApiError::Validation(
                shanyrak_core::ValidationErrors::default(),
            )),
            _ => None,
        };
        if let Some(problem) = problem {
            return problem.into_response();
        }
    }
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && response.headers().get(header::CONTENT_TYPE).is_none()
    {
        let allow = response.headers().get(header::ALLOW).cloned();
        let mut problem = ApiError::MethodNotAllowed.into_response();
        if let Some(allow) = allow {
            problem.headers_mut().insert(header::ALLOW, allow);
        }
        return problem;
    }
    response
}

/// Declares the API's routes once: the router is built from this table, and so is
/// [`API_ROUTES`], which a test compares with the OpenAPI document so that a new route
/// cannot go undocumented.
macro_rules! api_routes {
    ($($path:literal => $($method:ident($handler:path)),+;)+) => {
        /// Every route of the API under `/api/v1`: (method, path template).
        pub const API_ROUTES: &[(&str, &str)] = &[$($((stringify!($method), $path)),+),+];

        fn api_routes() -> Router<AppState> {
            Router::new()$(.route($path, axum::routing::MethodRouter::new()$(.$method($handler))+))+
        }
    };
}

api_routes! {
    "/households" => get(households::list_households), post(households::create_household);
    "/households/by-reference/{reference}" => get(households::get_household_by_reference);
    "/households/{id}" => get(households::get_household), patch(households::patch_household);
    "/sites" => get(shelter::list_sites), post(shelter::create_site);
    "/sites/{id}" => get(shelter::get_site), patch(shelter::patch_site);
    "/sites/{id}/pools" => post(shelter::add_pool);
    "/sites/{id}/pools/{pool_id}" => put(shelter::update_pool);
    "/sites/{id}/residents" => get(shelter::residents);
    "/stays" => post(shelter::create_stay);
    "/stays/{id}/check-in" => post(shelter::check_in);
    "/stays/{id}/check-out" => post(shelter::check_out);
    "/stays/{id}/cancel" => post(shelter::cancel);
    "/stays/{id}/seen" => post(shelter::seen);
    "/waiting-list" => get(shelter::waiting_list);
    "/placements" => post(placements::propose);
    "/placements/{id}" => get(placements::get_batch);
    "/placements/{id}/decisions" => post(placements::decide);
    "/persons/search" => get(persons::search_get), post(persons::search_post);
    "/persons/count" => get(duplicates::count);
    "/duplicates" => get(duplicates::queue);
    "/duplicates/{id}" => get(duplicates::get);
    "/duplicates/{id}/decision" => post(duplicates::decide);
    "/duplicates/{id}/undo" => post(duplicates::undo);
    "/audit" => get(audit::trail);
    "/access-log" => get(audit::access_log);
    "/agreements" => get(agreements::list), post(agreements::create);
    "/agreements/{id}/withdraw" => post(agreements::withdraw);
    "/agreements/{id}/encoded-matches" => post(encoded_matches::post);
    "/auth/token" => post(auth::login), delete(auth::logout);
    "/items" => get(essentials::list_items), post(essentials::create_item);
    "/items/{id}/rules" => put(essentials::update_item_rules);
    "/items/{id}/translations" => put(essentials::update_item_translations);
    "/distribution-points" => get(essentials::list_points), post(essentials::create_point);
    "/distribution-points/{id}/receipts" => post(essentials::receipt);
    "/distribution-points/{id}/transfers" => post(essentials::transfer);
    "/distribution-points/{id}/adjustments" => post(essentials::adjustment);
    "/distribution-points/{id}/stock" => get(essentials::stock);
    "/households/{id}/entitlements" => get(essentials::entitlements);
    "/distributions" => post(essentials::record_distribution);
    "/reports/distributions" => get(essentials::distribution_report);
    "/reports/stock" => get(essentials::stock_report);
    "/cases" => get(cases::list_cases), post(cases::create_case);
    "/cases/{id}" => get(cases::get_case), patch(cases::patch_case);
    "/cases/{id}/notes" => get(cases::list_notes), post(cases::add_note);
    "/referrals" => get(cases::list_referrals), post(cases::create_referral);
    "/referrals/overdue" => get(cases::overdue_referrals);
    "/referrals/{id}" => get(cases::get_referral);
    "/referrals/{id}/transition" => post(cases::transition_referral);
    "/persons/{id}/legal-stay" => get(cases::person_legal_stay);
    "/persons/{id}/subject-access" => get(protection::subject_access);
    "/persons/{id}/erasure" => post(protection::erase);
    "/households/{id}/shelter-elsewhere" => get(protection::shelter_elsewhere);
    "/persons/{id}/movements" => post(cases::record_stay_movement);
    "/legal-stay/upcoming" => get(cases::upcoming);
    "/resettlement/programmes" => get(resettlement::list_programmes), post(resettlement::create_programme);
    "/resettlement/programmes/{id}" => get(resettlement::get_programme);
    "/resettlement/programmes/{id}/proposals" => post(resettlement::propose);
    "/resettlement/programmes/{id}/entries" => get(resettlement::list_entries);
    "/resettlement/programmes/{id}/report" => get(resettlement::report);
    "/resettlement/entries/{id}/transition" => post(resettlement::transition_entry);
    "/places" => get(places::search);
    "/places/unconfirmed" => get(places::unconfirmed), post(places::map_unconfirmed);
    "/host-offers" => get(host_offers::list);
    "/stats" => get(stats::coordinator_stats);
    "/public/stats" => get(stats::public_stats);
    "/public/stats.csv" => get(stats::public_stats_csv);
    "/openapi.json" => get(openapi_document);
}

pub fn router(state: AppState) -> Router {
    let api = api_routes();

    // The request log is a route layer so that it sees the matched route template.
    let request_log = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "unmatched".to_owned());
            tracing::info_span!("request", method = %request.method(), route = %route)
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO));
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(health))
        .route("/healthz/live", get(health_live))
        .route("/healthz/ready", get(health_ready))
        .route("/metrics", get(metrics::metrics))
        .merge(web::routes().layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::form_cookie,
        )))
        .route_layer(request_log)
        .route_layer(axum::middleware::from_fn(metrics::track))
        .fallback(not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(problem_for_bare_errors))
        .layer(axum::middleware::from_fn(reject_oversized))
        .layer(axum::middleware::from_fn(reject_encoded_bodies))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn(web::same_origin_posts))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        // A phone on a weak link: pages and htmx.js go gzip'd (htmx 52 KB → 16 KB).
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
}

/// Serves the API and the web interface on `listener` (plain HTTP; see [`tls::serve_tls`]
/// for HTTPS) until `shutdown` resolves, with the background work every process does.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let background = spawn_background(&state);
    // The peer address goes with each request, for sign-in throttling per address.
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    background.abort();
    served
}

/// The periodic work of a serving process, stopped together.
struct Background(Vec<tokio::task::JoinHandle<()>>);

impl Background {
    fn abort(self) {
        for task in self.0 {
            task.abort();
        }
    }
}

/// Keeps the identity index fresh with other processes' writes: on PostgreSQL woken by
/// `NOTIFY` (within a second of their commit) with a slow poll to catch up, on SQLite by
/// polling. The audit-log cursor decides what is read either way.
fn spawn_index_refresh(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let listening = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let listener = {
        let store = state.store.clone();
        let wake = wake.clone();
        let listening = listening.clone();
        tokio::spawn(async move {
            if store.backend_name() != "postgres" {
                return;
            }
            loop {
                match store.change_feed().await {
                    Ok(mut feed) => {
                        listening.store(true, std::sync::atomic::Ordering::Relaxed);
                        // Changes made while not listening are caught up now.
                        wake.notify_one();
                        while feed.next().await.is_ok() {
                            wake.notify_one();
                        }
                        listening.store(false, std::sync::atomic::Ordering::Relaxed);
                        tracing::warn!("listening for household changes stopped; reconnecting");
                    }
                    Err(e) => tracing::warn!(error = %e, "could not listen for household changes"),
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };
    let refresher = {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                let poll = if listening.load(std::sync::atomic::Ordering::Relaxed) {
                    INDEX_CATCH_UP
                } else {
                    INDEX_REFRESH
                };
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(poll) => {}
                }
                if let Err(e) = state.identity.refresh(&state.store).await {
                    tracing::warn!(error = %e, "identity index refresh failed");
                }
            }
        })
    };
    vec![listener, refresher]
}

fn spawn_background(state: &AppState) -> Background {
    let mut tasks = spawn_index_refresh(state);
    let refresher = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(INDEX_REFRESH);
            loop {
                ticks.tick().await;
                // Sealing is idempotent and serialised in the database, so every process
                // may take part.
                if let Err(e) = state.store.seal_audit(10_000).await {
                    tracing::warn!(error = %e, "sealing the audit log failed");
                }
                if let Err(e) = stats::refresh_release(
                    &state.store,
                    state.disclosure_threshold,
                    state.release_interval,
                    chrono::Utc::now(),
                )
                .await
                {
                    tracing::warn!(error = %e, "public statistics release failed");
                }
            }
        })
    };
    // Apart from the loop above: a snapshot of a million people takes seconds, which must
    // not hold up the identity index or the sealing of the audit log.
    let figures = {
        let state = state.clone();
        tokio::spawn(async move {
            if state.figures_every.is_zero() {
                return;
            }
            let mut ticks = tokio::time::interval(FIGURES_CHECK);
            loop {
                ticks.tick().await;
                if let Err(e) =
                    stats::refresh_figures(&state.store, state.figures_every, chrono::Utc::now())
                        .await
                {
                    tracing::warn!(error = %e, "refreshing the coordinator figures failed");
                }
            }
        })
    };
    tasks.extend([refresher, figures]);
    Background(tasks)
}
