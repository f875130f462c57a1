//! The resettlement pipeline over HTTP, on both backends.

use crate::support::id_of;
use crate::support::strings;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_core::Role;

use super::{Backend, TestApp, family};

on_both_backends!(resettlement_pipeline_over_http);

async fn resettlement_pipeline_over_http(app: TestApp) {
    let cw = app.user_of_a("cw-r@example.org", Role::Caseworker).await;
    let household = app.create(&family()).await;
    let mut kazakh = family();
    kazakh["members"][0]["citizenship"] = json!("KZ");
    app.create(&kazakh).await;

    let body = json!({"country": "DE", "name": "Humanitarian admission (§ 22 AufenthG)", "quota": 6,
        "criteria": {"citizenships": ["RU"], "max_household_size": 5,
                     "conscription_risk": {"min_age": 18, "max_age": 50}}});
    let response = app
        .post_json(&app.token_a, "/api/v1/resettlement/programmes", &body)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, errors) = app
        .post_problem(
            &cw,
            "/api/v1/resettlement/programmes",
            &json!({"country": "XX", "quota": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> = strings(&errors["errors"], "pointer");
    assert_eq!(pointers, vec!["#/country", "#/name", "#/quota"]);

    let programme = app
        .created(&cw, "/api/v1/resettlement/programmes", &body)
        .await;
    let id = id_of(&programme);
    assert_eq!(programme["country"], "DE");

    let proposal: Value = app
        .post_action(
            &cw,
            &format!("/api/v1/resettlement/programmes/{id}/proposals"),
        )
        .await
        .json()
        .await
        .expect("proposal");
    assert_eq!(proposal["proposed"].as_array().map(Vec::len), Some(1));
    assert_eq!(proposal["proposed"][0]["household_id"], household["id"]);
    assert_eq!(proposal["proposed"][0]["persons"], 4);
    assert_eq!(proposal["ineligible"], 1);
    assert_eq!(proposal["remaining"], 2);
    // The proposal names the household by id and reference, never by name.
    let text = proposal.to_string();
    assert!(
        !text.contains("Смирнов") && !text.contains("4512"),
        "{text}"
    );
    let entry = proposal["proposed"][0]["id"].as_str().expect("entry");

    // Another organisation learns nothing.
    for path in [
        format!("/api/v1/resettlement/programmes/{id}"),
        format!("/api/v1/resettlement/programmes/{id}/entries"),
        format!("/api/v1/resettlement/programmes/{id}/report"),
    ] {
        assert_eq!(
            app.get(&app.admin_b, &path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let transition = format!("/api/v1/resettlement/entries/{entry}/transition");
    assert_eq!(
        app.post_json(&app.admin_b, &transition, &json!({"to": "submitted"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let listed: Value = app
        .json_of(&app.admin_b, "/api/v1/resettlement/programmes")
        .await;
    assert_eq!(listed["items"], json!([]));

    // Transitions: out of order is a conflict; a rejection needs a reason.
    let (status, _) = app
        .post_problem(&cw, &transition, &json!({"to": "departed"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .post_problem(&cw, &transition, &json!({"to": "rejected"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for to in ["submitted", "accepted", "departed"] {
        let response = app.post_json(&cw, &transition, &json!({"to": to})).await;
        assert_eq!(response.status(), StatusCode::OK, "{to}");
        let moved: Value = response.json().await.expect("entry");
        assert_eq!(moved["status"], to);
    }

    let report: Value = app
        .json_of(
            &app.admin_a,
            &format!("/api/v1/resettlement/programmes/{id}/report"),
        )
        .await;
    assert_eq!(report["quota"], 6);
    assert_eq!(report["departed"], json!({"households": 1, "persons": 4}));
    assert_eq!(report["used"], 4);
    assert_eq!(report["remaining"], 2);
    let entries: Value = app
        .json_of(
            &cw,
            &format!("/api/v1/resettlement/programmes/{id}/entries"),
        )
        .await;
    assert_eq!(entries["items"][0]["status"], "departed");
    assert_eq!(entries["items"][0]["reference"], household["reference"]);
}
