//! Requests written to hurt the server: bodies it cannot decode, heavy work that must not
//! hold up everyone else.

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};

use serde_json::Value;

use super::{Backend, TestApp, family, problem};

on_both_backends!(a_body_in_an_encoding_the_server_does_not_decode_is_refused);

async fn a_body_in_an_encoding_the_server_does_not_decode_is_refused(app: TestApp) {
    let body = family().to_string();
    for encoding in ["gzip", "br", "deflate, gzip", "x-unknown"] {
        let response = app
            .client
            .post(app.url("/api/v1/households"))
            .header(AUTHORIZATION, format!("Bearer {}", app.token_a))
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, encoding)
            .body(body.clone())
            .send()
            .await
            .expect("send");
        let (status, problem) = problem(response).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{encoding}");
        assert_eq!(problem["code"], "unsupported_content_encoding");
    }
    assert_eq!(app.count("households").await, 0, "nothing was registered");
    // `identity` is no encoding at all.
    let response = app
        .client
        .post(app.url("/api/v1/households"))
        .header(AUTHORIZATION, format!("Bearer {}", app.token_a))
        .header(CONTENT_TYPE, "application/json")
        .header(CONTENT_ENCODING, "identity")
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::CREATED);
}

on_both_backends!(the_server_keeps_answering_while_a_large_placement_is_solved);

/// The optimiser is CPU-bound for seconds on a large batch. While it runs, the health check
/// and a registration are answered: the solve runs on the blocking pool, never on the
/// threads that serve requests (the server here has two, like the machines it runs on).
async fn the_server_keeps_answering_while_a_large_placement_is_solved(app: TestApp) {
    use std::time::{Duration, Instant};

    // Single adults and families of every size, far more than the beds, so the optimiser
    // has a real choice to make.
    let registrar = app.actor(&app.token_a).await;
    let context = shanyrak_core::ValidationContext {
        today: chrono::Utc::now().date_naive(),
    };
    let mut households = Vec::new();
    for i in 0..HOUSEHOLDS {
        let mut body = family();
        let members = body["members"].as_array().cloned().unwrap_or_default();
        let size = 1 + i % members.len();
        let mut kept: Vec<Value> = members.into_iter().take(size).collect();
        for member in &mut kept {
            member["documents"] = serde_json::json!([]);
            member["surname"] = Value::String(format!("Фамилия{i}"));
        }
        body["members"] = Value::Array(kept);
        body.as_object_mut().map(|b| b.remove("phone"));
        let input: shanyrak_core::HouseholdInput =
            serde_json::from_value(body).expect("household input");
        let valid = shanyrak_core::household::validate(&input, &context).expect("valid");
        households.push((valid, chrono::Utc::now()));
    }
    app.store
        .create_households_bulk(&registrar, &households)
        .await
        .expect("households");
    for site in 0..SITES {
        let beds = 4 + (site * 7) % 23;
        app.site_with_pools(&[
            serde_json::json!({"kind": "male_dorm", "beds": beds}),
            serde_json::json!({"kind": "female_dorm", "beds": beds}),
            serde_json::json!({"kind": "family_room", "room_size": 4, "beds": 4 * (1 + site % 3)}),
        ])
        .await;
    }

    let solve_started = Instant::now();
    let solve = {
        let client = app.client.clone();
        let url = app.url("/api/v1/placements");
        let token = app.admin_a.clone();
        tokio::spawn(async move {
            let response = client
                .post(url)
                .header(AUTHORIZATION, format!("Bearer {token}"))
                .json(&serde_json::json!({"city": "Oral"}))
                .send()
                .await
                .expect("send");
            (response.status(), solve_started.elapsed())
        })
    };
    // Probe until the solve has answered: each probe is a health check and, every fifth
    // time, a registration.
    let mut slowest = Duration::ZERO;
    let mut answered_during_solve = 0;
    let mut registered_during_solve = 0;
    let mut probe = 0;
    while !solve.is_finished() {
        let asked = Instant::now();
        let health = app
            .client
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("health");
        assert_eq!(health.status(), StatusCode::OK);
        let took = asked.elapsed();
        if !solve.is_finished() {
            answered_during_solve += 1;
            slowest = slowest.max(took);
        }
        if probe % 5 == 0 {
            let mut body = family();
            body["members"][0]["surname"] = Value::String(format!("Пробный{probe}"));
            let created = app.post(&app.token_a, &body, None).await;
            assert_eq!(created.status(), StatusCode::CREATED);
            if !solve.is_finished() {
                registered_during_solve += 1;
            }
        }
        probe += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, solve_time) = solve.await.expect("solve task");
    eprintln!(
        "solve {solve_time:?}, slowest health check {slowest:?}, {answered_during_solve} health checks"
    );
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        solve_time > Duration::from_millis(300),
        "the batch solved in {solve_time:?}: too small to show anything; make it larger"
    );
    assert!(
        answered_during_solve >= 3 && registered_during_solve >= 1,
        "{answered_during_solve} probes and {registered_during_solve} registrations answered \
         during a {solve_time:?} solve"
    );
    // Not a latency target (that is measured in the benchmarks): a probe held up by the
    // solve would wait for all of it.
    assert!(
        slowest < solve_time / 2,
        "a health check waited {slowest:?} during a {solve_time:?} solve"
    );
}

const HOUSEHOLDS: usize = 3_000;
const SITES: usize = 60;
