//! Coordinator figures under data-sharing agreements, over HTTP, on both backends.

use crate::support::id_of;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Backend, TestApp, family};

mod public;

on_both_backends!(statistics_of_partners_only_under_a_statistics_agreement);

on_both_backends!(
    spawn = super::with_hourly_snapshots;
    figures_from_a_snapshot,
    units_handed_out_after_the_snapshot_are_counted,
);

/// An app whose coordinator figures come from snapshots an hour apart.
async fn with_hourly_snapshots(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, chrono::Duration::hours(1)).await
}

/// A distribution recorded after the figures' snapshot is added from the live tables
/// (on PostgreSQL its sum of `bigint` quantities is `numeric` and must be read as such).
async fn units_handed_out_after_the_snapshot_are_counted(app: TestApp) {
    let household = app.create(&family()).await;
    let before = app.stats_of(&app.admin_a).await;
    assert_eq!(before["distributions_by_item"], json!([]));
    let kit = app
        .created(
            &app.admin_a,
            "/api/v1/items",
            &json!({"name": "Hygiene kit", "unit": "kit", "code": "hygiene_kit"}),
        )
        .await;
    let point = app
        .created(
            &app.admin_a,
            "/api/v1/distribution-points",
            &json!({"name": "Пункт", "city": "Oral"}),
        )
        .await;
    let point_id = point["id"].as_str().expect("point");
    app.created(
        &app.admin_a,
        &format!("/api/v1/distribution-points/{point_id}/receipts"),
        &json!({"item_id": kit["id"], "quantity": 9}),
    )
    .await;
    app.created(
        &app.admin_a,
        "/api/v1/distributions",
        &json!({"household_id": household["id"], "point_id": point_id,
                "lines": [{"item_id": kit["id"], "quantity": 3}]}),
    )
    .await;
    let after = app.stats_of(&app.admin_a).await;
    assert_eq!(
        after["distributions_by_item"],
        json!([{"item_code": "hygiene_kit", "units": 3}])
    );
}

impl TestApp {
    async fn stats_of(&self, token: &str) -> Value {
        self.json_of(token, "/api/v1/stats").await
    }
}

async fn statistics_of_partners_only_under_a_statistics_agreement(app: TestApp) {
    // A registers one family of four; B registers one of four as well.
    app.create(&family()).await;
    assert_eq!(
        app.post(&app.token_b, &family(), None).await.status(),
        StatusCode::CREATED
    );
    let alone = app.stats_of(&app.token_b).await;
    assert_eq!(alone["population"]["persons"], 4);
    assert_eq!(alone["organisations"].as_array().map(Vec::len), Some(1));
    assert!(alone["placements_per_day"].is_array());
    assert!(alone["distributions_by_item"].is_array());

    // An identity agreement (for deduplication) does not share figures.
    let org_b = app.org_b().await;
    let share = |categories: Value| {
        json!({"to_organisation_id": org_b, "categories": categories,
               "purpose": "coordination of the response in Oral", "valid_until": "2099-12-31"})
    };
    let identity = app
        .created(
            &app.admin_a,
            "/api/v1/agreements",
            &share(json!(["identity"])),
        )
        .await;
    assert!(identity["id"].is_string(), "{identity}");
    assert_eq!(app.stats_of(&app.token_b).await["population"]["persons"], 4);

    // A statistics agreement does: B sees A's aggregates with its own, A sees only its own.
    let statistics = app
        .created(
            &app.admin_a,
            "/api/v1/agreements",
            &share(json!(["statistics"])),
        )
        .await;
    let id = id_of(&statistics);
    let shared = app.stats_of(&app.token_b).await;
    assert_eq!(shared["population"]["persons"], 8);
    assert_eq!(shared["organisations"].as_array().map(Vec::len), Some(2));
    assert_eq!(app.stats_of(&app.token_a).await["population"]["persons"], 4);

    // Withdrawn: at once, B sees its own again.
    app.post_expecting(
        &app.admin_a,
        &format!("/api/v1/agreements/{id}/withdraw"),
        &json!({}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(app.stats_of(&app.token_b).await["population"]["persons"], 4);
}

/// With snapshots an hour apart: registrations count at once, a merge of two records
/// already in the snapshot from the next snapshot on, and the answer says which snapshot it
/// starts from.
async fn figures_from_a_snapshot(app: TestApp) {
    app.create(&family()).await;
    let mut again = family();
    again["members"] = json!([{"surname": "SMIRNOV", "given_name": "ALEKSEI", "sex": "male",
        "birth_date": "1995-03-02", "relationship": "head",
        "documents": [{"type": "ru_internal_passport", "number": "4512345678"}]}]);
    app.create(&again).await;
    // The background task made a snapshot when the server started; the next is due in an
    // hour. Make one now, as it would then.
    app.store
        .refresh_figure_snapshot(chrono::Utc::now())
        .await
        .expect("snapshot");
    let first = app.stats_of(&app.token_a).await;
    assert_eq!(first["population"]["persons"], 5, "{first}");
    let as_of = first["figures_as_of"].as_str().expect("as of").to_owned();

    app.decide_first_pair_same().await;
    let merged = app.stats_of(&app.token_a).await;
    assert_eq!(
        merged["population"]["persons"], 5,
        "a merge of two records in the snapshot waits for the next one"
    );
    assert_eq!(merged["figures_as_of"], as_of.as_str(), "same snapshot");

    let mut newcomer = family();
    newcomer["members"] = json!([{"surname": "Абдыкадыров", "given_name": "Нурлан", "sex": "male",
        "birth_date": "1988-07-14", "relationship": "head"}]);
    app.create(&newcomer).await;
    let after = app.stats_of(&app.token_a).await;
    assert_eq!(
        after["population"]["persons"], 6,
        "a new registration counts at once"
    );
    assert_eq!(after["population"]["records"], 6);
    assert_eq!(after["figures_as_of"], as_of.as_str(), "same snapshot");

    app.store
        .refresh_figure_snapshot(chrono::Utc::now())
        .await
        .expect("refresh");
    let refreshed = app.stats_of(&app.token_a).await;
    assert_eq!(refreshed["population"]["persons"], 5, "{refreshed}");
    assert_eq!(refreshed["population"]["records"], 6);
    assert_ne!(refreshed["figures_as_of"], as_of.as_str());
    // B sees nothing of A's without an agreement, snapshot or not.
    assert_eq!(app.stats_of(&app.token_b).await["population"]["persons"], 0);
}
