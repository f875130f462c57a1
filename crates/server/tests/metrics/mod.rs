//! `/metrics`: the Prometheus text format, requests by route template (never a concrete
//! path), the gauges read when scraped, and who may read it: loopback without a forwarded
//! address, or the metrics token.

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};

use super::{Backend, TestApp, family};

mod metrics_name_routes_by_template_and_are_for_the_operator_only {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::metrics_name_routes_by_template_and_are_for_the_operator_only(
            super::Backend::Sqlite,
        )
        .await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::metrics_name_routes_by_template_and_are_for_the_operator_only(
            super::Backend::Postgres,
        )
        .await;
    }
}

const TOKEN: &str = "a-long-random-metrics-token-0123";

async fn scrape(app: &TestApp, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(app.url("/metrics"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("send")
}

/// The value of the first sample whose line starts with `prefix`.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn metrics_name_routes_by_template_and_are_for_the_operator_only(backend: Backend) {
    let app = TestApp::spawn_configured(backend, |state| {
        state.metrics_token = Some(TOKEN.to_owned());
    })
    .await;
    let created: serde_json::Value = app
        .post(&app.token_a, &family(), None)
        .await
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id");
    let reference = created["reference"].as_str().expect("reference");
    assert_eq!(
        app.get(&app.token_a, &format!("/api/v1/households/{id}"))
            .await
            .status(),
        StatusCode::OK
    );
    app.get(
        &app.token_a,
        &format!("/api/v1/households/by-reference/{reference}"),
    )
    .await;

    // The test server listens on loopback: the operator's own machine.
    let response = scrape(&app, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = response.text().await.expect("body");
    assert!(
        text.contains("# TYPE shanyrak_http_requests_total counter"),
        "{text}"
    );
    assert!(
        sample(
            &text,
            r#"shanyrak_http_requests_total{method="POST",route="/api/v1/households",status="201"}"#
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/households/{id}""#),
        "routes by template"
    );
    assert!(!text.contains(id), "no concrete id");
    assert!(!text.contains(reference), "no reference code");
    assert!(text.contains("shanyrak_http_request_duration_seconds_bucket"));
    for gauge in [
        r#"shanyrak_db_connections{pool="writer",state="max"}"#,
        "shanyrak_identity_index_records",
        r#"shanyrak_queue_size{queue="duplicates"}"#,
        r#"shanyrak_queue_size{queue="import_quarantine"}"#,
        "shanyrak_figure_snapshot_age_seconds",
        "shanyrak_placement_solve_seconds_count",
    ] {
        assert!(sample(&text, gauge).is_some(), "{gauge} in\n{text}");
    }
    assert!(sample(&text, "shanyrak_identity_index_records").is_some_and(|n| n >= 4.0));
    if backend == Backend::Sqlite {
        assert_eq!(
            sample(
                &text,
                r#"shanyrak_db_connections{pool="writer",state="max"}"#
            ),
            Some(1.0),
            "SQLite has one writer"
        );
    }

    // Through a reverse proxy (a forwarded address): only with the token.
    let forwarded = [("x-forwarded-for", "203.0.113.7")];
    assert_eq!(
        scrape(&app, &forwarded).await.status(),
        StatusCode::NOT_FOUND
    );
    let wrong = format!("Bearer {TOKEN}x");
    assert_eq!(
        scrape(&app, &[forwarded[0], (AUTHORIZATION.as_str(), &wrong)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let right = format!("Bearer {TOKEN}");
    assert_eq!(
        scrape(&app, &[forwarded[0], (AUTHORIZATION.as_str(), &right)])
            .await
            .status(),
        StatusCode::OK
    );
    // An API token is not a metrics token.
    let api = format!("Bearer {}", app.admin_a);
    assert_eq!(
        scrape(&app, &[forwarded[0], (AUTHORIZATION.as_str(), &api)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
