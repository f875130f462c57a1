//! Identity shared across organisations only under an agreement in force.

use crate::support::id_of;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_store::testing::Backend;

use crate::support::{TestApp, family, problem};

mod encoded;

on_both_backends!(identity_is_shared_only_under_an_agreement_in_force,);

async fn identity_is_shared_only_under_an_agreement_in_force(app: TestApp) {
    let a_household = app.create(&family()).await;
    let smirnov = a_household["members"][0]["id"].clone();
    let mut same_man = family();
    same_man["members"] = json!([{"surname": "SMIRNOV", "given_name": "ALEKSEI", "sex": "male", "birth_date": "1995-03-02",
        "relationship": "head", "documents": [{"type": "ru_internal_passport", "number": "4512345678"}]}]);
    let register_at_b = async || -> Value {
        app.post(&app.token_b, &same_man, None)
            .await
            .json()
            .await
            .expect("json")
    };
    assert_eq!(
        register_at_b().await["members"][0]["possible_duplicates"],
        json!([])
    );

    let org_b = app.org_b().await;
    let (status, body) = app.post_problem(&app.admin_a, "/api/v1/agreements", &json!({"to_organisation_id": org_b, "categories": ["identity"], "purpose": "", "valid_until": "2000-01-01"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(2), "{body}");
    let agreement = app
        .agree_a_to_b(&["identity"], "find people registered twice")
        .await;
    assert_eq!(agreement["in_force"], true);

    let org_a = json!(app.actor(&app.admin_a).await.organisation_id);
    let from_a = |registered: &Value| -> Vec<Value> {
        registered["members"][0]["possible_duplicates"]
            .as_array()
            .expect("list")
            .iter()
            .filter(|d| d["organisation_id"] == org_a)
            .cloned()
            .collect()
    };
    let under_agreement = register_at_b().await;
    let found = from_a(&under_agreement);
    assert_eq!(found.len(), 1, "{under_agreement}");
    assert_eq!(found[0]["person_id"], smirnov);
    // B still cannot open A's household: identity matching is not a licence to read.
    let (status, _) = app
        .get_problem(
            &app.token_b,
            &format!("/api/v1/households/{}", id_of(&a_household)),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // B's queue does not hold a pair it cannot see both sides of.
    let b_admin_queue: Value = app.json_of(&app.admin_b, "/api/v1/duplicates").await;
    assert!(
        b_admin_queue["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|p| p["a"]["person_id"] != smirnov && p["b"]["person_id"] != smirnov)
    );

    // It ends on its last day...
    let org_b_id = uuid::Uuid::parse_str(&org_b).expect("uuid");
    let later = Utc::now() + chrono::Duration::days(3);
    let sharing = app
        .store
        .sharing_organisations(
            org_b_id,
            shanyrak_core::sharing::SharingCategory::Identity,
            later,
        )
        .await
        .expect("sharing");
    assert!(sharing.is_empty());
    // ...and at once when withdrawn; only the sharing organisation can withdraw it.
    let id = id_of(&agreement);
    let (status, _) = problem(
        app.post_action(&app.admin_b, &format!("/api/v1/agreements/{id}/withdraw"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app
        .post_action(&app.admin_a, &format!("/api/v1/agreements/{id}/withdraw"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        from_a(&register_at_b().await).is_empty(),
        "withdrawn: nothing of A any more"
    );
    let listed: Value = app.json_of(&app.admin_b, "/api/v1/agreements").await;
    assert_eq!(listed["items"][0]["in_force"], false);
}
