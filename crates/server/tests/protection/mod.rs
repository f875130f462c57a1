//! Subject access and erasure over HTTP, on both backends.

use crate::support::id_of;
use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;
use serde_json::{Value, json};

use chrono::Utc;
use shanyrak_core::Role;
use shanyrak_store::Principal;

use super::{Backend, TestApp, family, problem};

on_both_backends!(
    erasure_leaves_no_trace_in_search_or_duplicate_lookup,
    subject_access_exports_the_person_and_is_logged,
    shelter_status_reaches_another_organisation_only_under_an_agreement,
    retention_empties_the_identity_index_of_what_it_anonymised,
);

fn ids_of(list: &Value, key: &str) -> Vec<Value> {
    list.as_array()
        .map(|items| items.iter().map(|i| i[key].clone()).collect())
        .unwrap_or_default()
}

async fn erasure_leaves_no_trace_in_search_or_duplicate_lookup(app: TestApp) {
    let first = app.create(&family()).await;
    let smirnov = first["members"][0]["id"].clone();
    let smirnov_id = smirnov.as_str().expect("id").to_owned();
    let mut again = family();
    again["members"] = json!([
        {"surname": "SMIRNOV", "given_name": "ALEKSEI", "sex": "male", "birth_date": "02.03.1995",
         "relationship": "head", "documents": [{"type": "ru_internal_passport", "number": "4512345678"}]}
    ]);
    // Before: the duplicate lookup and the search both find him.
    let second = app.create(&again).await;
    assert!(ids_of(&second["members"][0]["possible_duplicates"], "person_id").contains(&smirnov));
    let search = async |q: &str| -> Vec<Value> {
        let hits: Value = app
            .post_for_json(&app.token_a, "/api/v1/persons/search", &json!({ "q": q }))
            .await;
        ids_of(&hits["items"], "person_id")
    };
    assert!(search("Алексей Смирнов").await.contains(&smirnov));

    let path = format!("/api/v1/persons/{smirnov_id}/erasure");
    let reason = json!({"reason": "asked in person at the Oral hub"});
    assert_eq!(
        app.post_json(&app.token_a, &path, &reason).await.status(),
        StatusCode::FORBIDDEN,
        "registrars may not erase"
    );
    assert_eq!(
        app.post_json(&app.admin_b, &path, &reason).await.status(),
        StatusCode::NOT_FOUND,
        "another organisation's admin does not even learn he exists"
    );
    let (status, body) = problem(app.post_action(&app.admin_a, &path).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/reason", "{body}");
    let response = app.post_json(&app.admin_a, &path, &reason).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.expect("report");
    assert_eq!(report["person_id"], smirnov);
    assert_eq!(report["household_anonymised"], false);

    // After: no trace in search (by name in either script, by document number) or in the
    // duplicate lookup of a new registration.
    assert!(!search("Алексей Смирнов").await.contains(&smirnov));
    assert!(!search("Aleksey Smirnov").await.contains(&smirnov));
    assert!(!search("4512345678").await.contains(&smirnov));
    let third = app.create(&again).await;
    let found = ids_of(&third["members"][0]["possible_duplicates"], "person_id");
    assert!(!found.contains(&smirnov), "{found:?}");
    assert!(
        found.contains(&second["members"][0]["id"]),
        "the lookup still works for the registration that was not erased"
    );
    // The household reads without him; his own record is gone for every endpoint.
    let household: Value = app
        .json_of(
            &app.token_a,
            &format!("/api/v1/households/{}", id_of(&first)),
        )
        .await;
    assert_eq!(household["members"].as_array().map(Vec::len), Some(3));
    assert!(!ids_of(&household["members"], "id").contains(&smirnov));
    assert_eq!(
        app.get(
            &app.admin_a,
            &format!("/api/v1/persons/{smirnov_id}/subject-access")
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    // The household's history keeps who did what, without his data; the chain verifies
    // (whether his events were sealed before the erasure or after).
    let trail = app
        .get(
            &app.admin_a,
            &format!("/api/v1/audit?entity_id={}", id_of(&first)),
        )
        .await
        .text()
        .await
        .expect("trail");
    assert!(trail.contains("erase_person"), "{trail}");
    for name in ["Алексей", "Игоревич", "4512345678"] {
        assert!(!trail.contains(name), "{name} in {trail}");
    }
    app.store.seal_audit(10_000).await.expect("seal");
    let verification = app.store.verify_audit().await.expect("verify");
    assert_eq!(verification.broken_at, None, "{verification:?}");
}

async fn subject_access_exports_the_person_and_is_logged(app: TestApp) {
    let household = app.create(&family()).await;
    let person = id_of(&household["members"][2]).to_owned();
    let path = format!("/api/v1/persons/{person}/subject-access");
    let response = app
        .client
        .get(app.url(&path))
        .header(AUTHORIZATION, format!("Bearer {}", app.token_a))
        .header("X-Purpose", "request at the desk")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let export: Value = response.json().await.expect("json");
    assert_eq!(export["person_id"], json!(person));
    assert_eq!(
        export["household"]["members"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        export["household"]["members"][0]["surname"],
        "Әбдірахманова"
    );
    assert_eq!(export["household"]["reference"], household["reference"]);
    assert!(
        export["audit_trail"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    assert!(export["shared_with"].as_array().is_some());

    assert_eq!(
        app.get(&app.token_b, &path).await.status(),
        StatusCode::NOT_FOUND
    );
    let log: Value = app
        .json_of(
            &app.admin_a,
            &format!("/api/v1/access-log?entity_id={person}"),
        )
        .await;
    let entries = log["items"].as_array().expect("items");
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["action"], "subject_access");
    assert_eq!(entries[0]["purpose"], "request at the desk");
}

async fn shelter_status_reaches_another_organisation_only_under_an_agreement(app: TestApp) {
    // A's shelter has the man in a bed.
    let (_, pools) = app
        .site_with_pools(&[json!({"kind": "mixed", "beds": 10})])
        .await;
    let at_a = app.create(&family()).await;
    let response = app
        .post_json(
            &app.admin_a,
            "/api/v1/stays",
            &json!({"household_id": at_a["id"], "pool_id": pools[0]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    // B registers him again (same passport), alone, needing a bed.
    let mut alone = family();
    alone["members"] = json!([family()["members"][0].clone()]);
    let response = app.post(&app.token_b, &alone, None).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let at_b: Value = response.json().await.expect("json");
    let org_b = app.org_b().await;
    let cli = Principal::System("test");
    let org_b_id = uuid::Uuid::parse_str(&org_b).expect("uuid");
    app.store
        .create_user(
            &cli,
            org_b_id,
            "dispatch@b.org",
            "long enough password",
            &[Role::Dispatcher],
            Utc::now(),
        )
        .await
        .expect("user");
    let dispatcher_b = app
        .store
        .create_token(&cli, "dispatch@b.org", None, Utc::now())
        .await
        .expect("token")
        .secret;
    let household_path = format!("/api/v1/households/{}/shelter-elsewhere", id_of(&at_b));
    let look = async || -> (Value, Value) {
        let waiting: Value = app.json_of(&dispatcher_b, "/api/v1/waiting-list").await;
        let response = app.get(&dispatcher_b, &household_path).await;
        assert_eq!(response.status(), StatusCode::OK);
        let direct: Value = response.json().await.expect("json");
        (
            waiting["sheltered_elsewhere"].clone(),
            direct["items"].clone(),
        )
    };
    assert_eq!(look().await, (json!([]), json!([])), "no agreement");

    let agreement = app.agree_a_to_b(&["shelter"], "one bed per person").await;
    let (waiting, direct) = look().await;
    assert_eq!(waiting, direct);
    let items = direct.as_array().expect("items");
    assert_eq!(items.len(), 1, "{direct}");
    assert_eq!(items[0]["person_id"], at_b["members"][0]["id"]);
    assert_eq!(items[0]["organisation_name"], "Кайнар");
    assert_eq!(items[0]["status"], "checked_in");
    assert!(items[0].get("site_id").is_none(), "never the site");
    // Organisation A's own registrar cannot ask about B's household.
    assert_eq!(
        app.get(&app.admin_a, &household_path).await.status(),
        StatusCode::NOT_FOUND
    );

    let response = app
        .post_action(
            &app.admin_a,
            &format!("/api/v1/agreements/{}/withdraw", id_of(&agreement)),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        look().await,
        (json!([]), json!([])),
        "withdrawn: gone at once"
    );
}

/// Retention runs from the command line while servers run: their identity indexes learn of
/// it from the audit log and forget the anonymised households whole.
async fn retention_empties_the_identity_index_of_what_it_anonymised(app: TestApp) {
    use shanyrak_server::identity::IdentityIndex;
    let registrar = app.actor(&app.token_a).await;
    let input: shanyrak_core::HouseholdInput =
        serde_json::from_value(family()).expect("household input");
    let valid = shanyrak_core::household::validate(
        &input,
        &shanyrak_core::ValidationContext {
            today: Utc::now().date_naive(),
        },
    )
    .expect("valid");
    let long_ago = Utc::now() - chrono::Duration::days(3 * 365);
    app.store
        .create_household(&registrar, &valid, None, long_ago)
        .await
        .expect("old household");
    let recent = app.create(&family()).await;
    let index = IdentityIndex::build(&app.store).await.expect("index");
    assert_eq!(index.len(), 8);
    assert_eq!(
        index
            .search(registrar.organisation_id, "Алексей Смирнов", 10)
            .expect("the index is loaded")
            .len(),
        2
    );

    let report = app
        .store
        .apply_retention(
            &Principal::System("test"),
            &shanyrak_core::retention::RetentionPolicy::default(),
            false,
            Utc::now(),
        )
        .await
        .expect("retention");
    assert_eq!(report.households_anonymised, 1);
    index.refresh(&app.store).await.expect("refresh");
    assert_eq!(index.len(), 4, "only the recent household is left");
    let hits = index
        .search(registrar.organisation_id, "Алексей Смирнов", 10)
        .expect("the index is loaded");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].1.to_string(), id_of(&recent).to_owned());
}
