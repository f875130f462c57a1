//! `/metrics`: what the operator's Prometheus scrapes, in the Prometheus text format
//! (version 0.0.4), through `prometheus-client` (the Prometheus project's own Rust client).
//!
//! - requests and their latency by method, route template and status
//!   (`shanyrak_http_requests_total`, `shanyrak_http_request_duration_seconds`), server errors
//!   (`shanyrak_http_server_errors_total`): a route is its template
//!   (`/api/v1/households/{id}`), never a concrete path, so no reference code or id gets in
//!   and the label sets stay few;
//! - the database pools (`shanyrak_db_connections{pool, state}`), the identity index's size
//!   (`shanyrak_identity_index_records`), the queues that wait for a person
//!   (`shanyrak_queue_size{queue}`), the figure snapshot's age
//!   (`shanyrak_figure_snapshot_age_seconds`, -1 before the first) and the placement
//!   solver's run time (`shanyrak_placement_solve_seconds`), read when scraped.
//!
//! Counts only, no personal data. Served to a loopback peer without a forwarded-for header
//! (a reverse proxy on the same machine forwards outsiders from loopback), or to anyone
//! with `Authorization: Bearer <metrics token>` (`serve --metrics-token`, or
//! `SHANYRAK_METRICS_TOKEN`), compared in constant time. Everyone else gets a 404: the
//! endpoint does not announce itself.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::ApiError;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: &'static str,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The process's metrics: one set per process, whatever number of routers it builds.
struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    server_errors: Family<RouteLabels, Counter>,
    connections: Family<PoolLabels, Gauge>,
    identity_records: Gauge,
    queues: Family<QueueLabels, Gauge>,
    snapshot_age: Gauge<f64, AtomicU64>,
    placement: Histogram,
}

fn request_buckets() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("shanyrak");
    let requests = Family::<RequestLabels, Counter>::default();
    registry.register(
        "http_requests",
        "Requests answered, by method, route template and status",
        requests.clone(),
    );
    let latency: Latency = Family::new_with_constructor(request_buckets);
    registry.register(
        "http_request_duration_seconds",
        "Time to answer a request, by method and route template",
        latency.clone(),
    );
    let server_errors = Family::<RouteLabels, Counter>::default();
    registry.register(
        "http_server_errors",
        "Requests answered with a 5xx status, by method and route template",
        server_errors.clone(),
    );
    let connections = Family::<PoolLabels, Gauge>::default();
    registry.register(
        "db_connections",
        "Database connections by pool (writer, reader; one pool on PostgreSQL) and state (open, idle, max)",
        connections.clone(),
    );
    let identity_records = Gauge::default();
    registry.register(
        "identity_index_records",
        "Person records in the identity index",
        identity_records.clone(),
    );
    let queues = Family::<QueueLabels, Gauge>::default();
    registry.register(
        "queue_size",
        "Work waiting for a person: possible duplicates to review, imported rows to correct",
        queues.clone(),
    );
    let snapshot_age = Gauge::<f64, AtomicU64>::default();
    registry.register(
        "figure_snapshot_age_seconds",
        "Age of the coordinator figure snapshot; -1 before the first",
        snapshot_age.clone(),
    );
    let placement = Histogram::new(exponential_buckets(0.01, 2.0, 14));
    registry.register(
        "placement_solve_seconds",
        "Run time of the bed-placement solver",
        placement.clone(),
    );
    Metrics {
        registry,
        requests,
        latency,
        server_errors,
        connections,
        identity_records,
        queues,
        snapshot_age,
        placement,
    }
});

/// Counts a request and its latency under its route template: a route layer, so it sees
/// the matched template.
pub async fn track(request: Request, next: axum::middleware::Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    record_request(&method, &route, response.status(), started.elapsed());
    response
}

fn record_request(method: &str, route: &str, status: StatusCode, took: Duration) {
    let metrics = &*METRICS;
    let labels = RouteLabels {
        method: method.to_owned(),
        route: route.to_owned(),
    };
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method: labels.method.clone(),
            route: labels.route.clone(),
            status: status.as_u16().to_string(),
        })
        .inc();
    metrics
        .latency
        .get_or_create(&labels)
        .observe(took.as_secs_f64());
    if status.is_server_error() {
        metrics.server_errors.get_or_create(&labels).inc();
    }
}

/// Records one run of the placement solver.
pub fn record_placement(took: Duration) {
    METRICS.placement.observe(took.as_secs_f64());
}

/// Whether the request may read the metrics: from loopback without a forwarded-for header,
/// or with the metrics token.
fn allowed(state: &AppState, peer: Option<std::net::SocketAddr>, headers: &HeaderMap) -> bool {
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    if !forwarded && peer.is_some_and(|p| p.ip().is_loopback()) {
        return true;
    }
    let Some(expected) = state.metrics_token.as_deref().filter(|t| !t.is_empty()) else {
        return false;
    };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|sent| bool::from(sent.trim().as_bytes().ct_eq(expected.as_bytes())))
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|p| p.0);
    if !allowed(&state, peer, request.headers()) {
        return ApiError::NotFound.into_response();
    }
    match render(&state).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be read");
            ApiError::Internal.into_response()
        }
    }
}

/// Reads the gauges and writes everything out.
async fn render(state: &AppState) -> Result<String, shanyrak_store::StoreError> {
    let metrics = &*METRICS;
    let pools = state.store.pool_stats();
    for (pool, used) in [("writer", pools.writer), ("reader", pools.reader)] {
        for (what, n) in [("open", used.open), ("idle", used.idle), ("max", used.max)] {
            metrics
                .connections
                .get_or_create(&PoolLabels { pool, state: what })
                .set(i64::from(n));
        }
    }
    metrics
        .identity_records
        .set(i64::try_from(state.identity.len()).unwrap_or(i64::MAX));
    let queues = state.store.queue_sizes().await?;
    metrics
        .queues
        .get_or_create(&QueueLabels {
            queue: "duplicates",
        })
        .set(queues.duplicates_pending);
    metrics
        .queues
        .get_or_create(&QueueLabels {
            queue: "import_quarantine",
        })
        .set(queues.quarantine_pending);
    let age = state
        .store
        .figure_snapshot_info()
        .await?
        .map(|info| {
            (chrono::Utc::now() - info.computed_at)
                .num_milliseconds()
                .max(0) as f64
                / 1000.0
        })
        .unwrap_or(-1.0);
    metrics.snapshot_age.set(age);
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_text::encode(&mut text, &metrics.registry);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_template_and_status() {
        record_request(
            "GET",
            "/test-only/{id}",
            StatusCode::INTERNAL_SERVER_ERROR,
            Duration::from_millis(3),
        );
        let mut text = String::new();
        let _ = prometheus_text::encode(&mut text, &METRICS.registry);
        assert!(
            text.contains(
                r#"shanyrak_http_requests_total{method="GET",route="/test-only/{id}",status="500"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains(
            r#"shanyrak_http_server_errors_total{method="GET",route="/test-only/{id}"} 1"#
        ));
        assert!(text.contains(
            r#"shanyrak_http_request_duration_seconds_bucket{le="0.004",method="GET",route="/test-only/{id}"} 1"#
        ) || text.contains(r#"shanyrak_http_request_duration_seconds_bucket{method="GET",route="/test-only/{id}",le="0.004"} 1"#), "{text}");
    }
}
