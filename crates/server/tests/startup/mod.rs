//! A process that has just started: live at once, ready only once its identity index is
//! loaded, and no registration or search answered without the index meanwhile.

use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::Value;
use shanyrak_server::identity::IdentityIndex;
use shanyrak_store::testing::Backend;

use crate::support::{TestApp, family, header_of, problem};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    nothing_is_registered_while_the_index_loads(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    nothing_is_registered_while_the_index_loads(Backend::Postgres).await;
}

async fn nothing_is_registered_while_the_index_loads(backend: Backend) {
    // The state `serve` starts with: an index that is still loading.
    let kept: Arc<Mutex<Option<Arc<IdentityIndex>>>> = Arc::default();
    let app = {
        let kept = kept.clone();
        TestApp::spawn_configured(backend, move |state| {
            let loading = Arc::new(IdentityIndex::loading());
            state.identity = loading.clone();
            *kept.lock().expect("lock") = Some(loading);
        })
        .await
    };
    let index = kept.lock().expect("lock").clone().expect("index");

    let live = app.anonymous_get("/healthz/live").await;
    assert_eq!(live.status(), StatusCode::OK);
    let ready = app.anonymous_get("/healthz/ready").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header_of(&ready, "retry-after"), "5");
    let body: Value = ready.json().await.expect("json");
    assert_eq!(body["status"], "starting");
    assert_eq!(body["identity_index"], "loading");
    // The old health check keeps its meaning: the process and its database answer.
    assert_eq!(app.anonymous_get("/healthz").await.status(), StatusCode::OK);

    // A registration waits a few seconds for the index, then is refused, not saved
    // without its duplicate check.
    let households = app.count("households").await;
    let started = std::time::Instant::now();
    let refused = app.post(&app.token_a, &family(), Some("desk-1-0001")).await;
    assert!(started.elapsed() >= std::time::Duration::from_secs(4));
    assert_eq!(header_of(&refused, "retry-after"), "5");
    let (status, problem) = problem(refused).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(problem["code"], "starting");
    assert_eq!(app.count("households").await, households);
    let search = app
        .get(&app.token_a, "/api/v1/persons/search?q=Смирнов")
        .await;
    assert_eq!(search.status(), StatusCode::SERVICE_UNAVAILABLE);

    // Loaded while a registration waits: it goes through with its duplicate check.
    let waiting = {
        let base = app.base.clone();
        let token = app.token_a.clone();
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/households"))
                .bearer_auth(token)
                .header("Idempotency-Key", "desk-1-0001")
                .json(&family())
                .send()
                .await
                .expect("send")
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    index.load(&app.store).await.expect("load");
    let registered = waiting.await.expect("task");
    assert_eq!(registered.status(), StatusCode::CREATED);
    let ready = app.anonymous_get("/healthz/ready").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.expect("json");
    assert_eq!(body["status"], "ready");
    // The same family again is found as a possible duplicate.
    let again = app.create(&family()).await;
    assert!(
        again["members"][0]["possible_duplicates"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "{again}"
    );
}
