//! What each role may see and do: field visibility by role, and every endpoint checked for
//! every role.

use crate::support::id_of;
use std::collections::HashMap;

use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use shanyrak_core::{OrgKind, Role};
use shanyrak_store::Principal;
use shanyrak_store::testing::Backend;

use crate::support::{TestApp, family};

on_both_backends!(fields_follow_the_role_and_survive_edits_by_those_who_cannot_see_them,);

async fn fields_follow_the_role_and_survive_edits_by_those_who_cannot_see_them(app: TestApp) {
    let caseworker = app.user_of_a("case@example.org", Role::Caseworker).await;
    let site_manager = app.user_of_a("site@example.org", Role::SiteManager).await;
    let mut body = family();
    body["notes"] = json!("Husband's unit is looking for him");
    body["members"][0]["vulnerabilities"] = json!(["protection_risk", "medical"]);
    body["members"][2]["vulnerabilities"] = json!(["child"]);
    let response = app.post(&caseworker, &body, None).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let id = response.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let path = format!("/api/v1/households/{id}");

    let seen_by = async |token: &str| -> Value { app.json_of(token, &path).await };
    let full = seen_by(&caseworker).await;
    assert_eq!(
        full["members"][0]["vulnerabilities"],
        json!(["medical", "protection_risk"])
    );
    let registrar_view = seen_by(&app.token_a).await;
    assert_eq!(registrar_view["members"][0]["vulnerabilities"], json!([]));
    assert_eq!(
        registrar_view["members"][2]["vulnerabilities"],
        json!(["child"])
    );
    assert_eq!(
        registrar_view["members"][0]["documents"][0]["number"],
        "4512345678"
    );
    let site_view = seen_by(&site_manager).await;
    assert_eq!(site_view["notes"], Value::Null);
    assert_eq!(site_view["members"][0]["documents"], json!([]));
    assert_eq!(site_view["members"][0]["vulnerabilities"], json!([]));
    let text = site_view.to_string();
    assert!(
        !text.contains("protection") && !text.contains("4512") && !text.contains("looking for him")
    );
    let list: Value = app.json_of(&site_manager, "/api/v1/households").await;
    assert!(!list.to_string().contains("protection_risk"));

    // The registrar edits the member list from their view; the caseworker's flags stay.
    let mut members = registrar_view["members"].clone();
    members[1]["given_name"] = json!("Екатерина");
    let response = app
        .patch(&app.token_a, &id, &json!({"members": members}), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let after = seen_by(&caseworker).await;
    assert_eq!(after["members"][1]["given_name"], "Екатерина");
    assert_eq!(
        after["members"][0]["vulnerabilities"],
        json!(["medical", "protection_risk"])
    );
}

// ----- authorisation matrix ----------------------------------------------------------------

on_both_backends!(every_endpoint_checks_every_role);

/// What an endpoint requires, in the terms of the one policy table (`Role::allows`).
#[derive(Debug, Clone, Copy)]
enum Needs {
    Public,
    Signed,
    Action(shanyrak_core::Action),
    /// Covered by its own test (signing out revokes the very token the matrix uses).
    OwnTest,
}

/// Every documented endpoint with what it needs. The test fails if the OpenAPI document
/// (generated from the router's handlers) lists an endpoint missing here.
fn policy() -> Vec<(&'static str, &'static str, Needs)> {
    use shanyrak_core::Action::*;
    vec![
        (
            "post",
            "/api/v1/households",
            Needs::Action(RegisterHousehold),
        ),
        ("get", "/api/v1/households", Needs::Action(ReadHousehold)),
        (
            "get",
            "/api/v1/households/{id}",
            Needs::Action(ReadHousehold),
        ),
        (
            "patch",
            "/api/v1/households/{id}",
            Needs::Action(UpdateHousehold),
        ),
        (
            "get",
            "/api/v1/households/by-reference/{reference}",
            Needs::Action(ReadHousehold),
        ),
        (
            "post",
            "/api/v1/persons/search",
            Needs::Action(ReadHousehold),
        ),
        (
            "get",
            "/api/v1/persons/search",
            Needs::Action(ReadHousehold),
        ),
        ("get", "/api/v1/persons/count", Needs::Signed),
        ("get", "/api/v1/places", Needs::Signed),
        (
            "get",
            "/api/v1/places/unconfirmed",
            Needs::Action(MapPlaces),
        ),
        (
            "post",
            "/api/v1/places/unconfirmed",
            Needs::Action(MapPlaces),
        ),
        (
            "get",
            "/api/v1/host-offers",
            Needs::Action(ManageHostOffers),
        ),
        ("get", "/api/v1/duplicates", Needs::Action(ReviewDuplicates)),
        (
            "get",
            "/api/v1/duplicates/{id}",
            Needs::Action(ReviewDuplicates),
        ),
        (
            "post",
            "/api/v1/duplicates/{id}/decision",
            Needs::Action(ReviewDuplicates),
        ),
        (
            "post",
            "/api/v1/duplicates/{id}/undo",
            Needs::Action(ReviewDuplicates),
        ),
        ("post", "/api/v1/sites", Needs::Action(ManageSites)),
        ("get", "/api/v1/sites", Needs::Action(ReadSites)),
        ("get", "/api/v1/sites/{id}", Needs::Action(ReadSites)),
        ("patch", "/api/v1/sites/{id}", Needs::Action(ManageSites)),
        (
            "post",
            "/api/v1/sites/{id}/pools",
            Needs::Action(ManageSites),
        ),
        (
            "put",
            "/api/v1/sites/{id}/pools/{pool_id}",
            Needs::Action(ManageSites),
        ),
        (
            "get",
            "/api/v1/sites/{id}/residents",
            Needs::Action(ReadResidents),
        ),
        ("post", "/api/v1/stays", Needs::Action(PlaceHouseholds)),
        (
            "post",
            "/api/v1/stays/{id}/check-in",
            Needs::Action(PlaceHouseholds),
        ),
        (
            "post",
            "/api/v1/stays/{id}/check-out",
            Needs::Action(PlaceHouseholds),
        ),
        (
            "post",
            "/api/v1/stays/{id}/cancel",
            Needs::Action(PlaceHouseholds),
        ),
        (
            "post",
            "/api/v1/stays/{id}/seen",
            Needs::Action(PlaceHouseholds),
        ),
        (
            "get",
            "/api/v1/waiting-list",
            Needs::Action(PlaceHouseholds),
        ),
        ("post", "/api/v1/placements", Needs::Action(PlaceHouseholds)),
        (
            "get",
            "/api/v1/placements/{id}",
            Needs::Action(PlaceHouseholds),
        ),
        (
            "post",
            "/api/v1/placements/{id}/decisions",
            Needs::Action(PlaceHouseholds),
        ),
        ("get", "/api/v1/audit", Needs::Action(ReadAudit)),
        ("get", "/api/v1/access-log", Needs::Action(ReadAudit)),
        (
            "post",
            "/api/v1/agreements",
            Needs::Action(ManageAgreements),
        ),
        ("get", "/api/v1/agreements", Needs::Action(ManageAgreements)),
        (
            "post",
            "/api/v1/agreements/{id}/withdraw",
            Needs::Action(ManageAgreements),
        ),
        (
            "post",
            "/api/v1/agreements/{id}/encoded-matches",
            Needs::Action(Distribute),
        ),
        ("post", "/api/v1/auth/token", Needs::Public),
        ("delete", "/api/v1/auth/token", Needs::OwnTest),
        ("get", "/healthz", Needs::Public),
        ("get", "/healthz/live", Needs::Public),
        ("get", "/healthz/ready", Needs::Public),
        ("get", "/api/v1/openapi.json", Needs::Public),
        ("get", "/api/v1/stats", Needs::Signed),
        ("get", "/api/v1/public/stats", Needs::Public),
        ("get", "/api/v1/public/stats.csv", Needs::Public),
        ("get", "/api/v1/items", Needs::Action(ReadStock)),
        ("post", "/api/v1/items", Needs::Action(ManageStock)),
        (
            "put",
            "/api/v1/items/{id}/rules",
            Needs::Action(ManageStock),
        ),
        (
            "put",
            "/api/v1/items/{id}/translations",
            Needs::Action(ManageStock),
        ),
        (
            "get",
            "/api/v1/distribution-points",
            Needs::Action(ReadStock),
        ),
        (
            "post",
            "/api/v1/distribution-points",
            Needs::Action(ManageStock),
        ),
        (
            "post",
            "/api/v1/distribution-points/{id}/receipts",
            Needs::Action(ManageStock),
        ),
        (
            "post",
            "/api/v1/distribution-points/{id}/transfers",
            Needs::Action(ManageStock),
        ),
        (
            "post",
            "/api/v1/distribution-points/{id}/adjustments",
            Needs::Action(ManageStock),
        ),
        (
            "get",
            "/api/v1/distribution-points/{id}/stock",
            Needs::Action(ReadStock),
        ),
        (
            "get",
            "/api/v1/households/{id}/entitlements",
            Needs::Action(Distribute),
        ),
        ("post", "/api/v1/distributions", Needs::Action(Distribute)),
        (
            "get",
            "/api/v1/reports/distributions",
            Needs::Action(ReadDistributions),
        ),
        (
            "get",
            "/api/v1/reports/stock",
            Needs::Action(ReadDistributions),
        ),
        ("post", "/api/v1/cases", Needs::Action(ManageCases)),
        ("get", "/api/v1/cases", Needs::Action(ManageCases)),
        ("get", "/api/v1/cases/{id}", Needs::Action(ManageCases)),
        ("patch", "/api/v1/cases/{id}", Needs::Action(ManageCases)),
        // Restricted notes: caseworkers only (and of the owning organisation, below).
        ("post", "/api/v1/cases/{id}/notes", Needs::Action(CaseNotes)),
        ("get", "/api/v1/cases/{id}/notes", Needs::Action(CaseNotes)),
        ("post", "/api/v1/referrals", Needs::Action(ManageReferrals)),
        ("get", "/api/v1/referrals", Needs::Action(ManageReferrals)),
        (
            "get",
            "/api/v1/referrals/overdue",
            Needs::Action(ManageReferrals),
        ),
        (
            "get",
            "/api/v1/referrals/{id}",
            Needs::Action(ManageReferrals),
        ),
        (
            "post",
            "/api/v1/referrals/{id}/transition",
            Needs::Action(ReceiveReferrals),
        ),
        (
            "get",
            "/api/v1/persons/{id}/legal-stay",
            Needs::Action(TrackLegalStay),
        ),
        (
            "get",
            "/api/v1/persons/{id}/subject-access",
            Needs::Action(SubjectAccess),
        ),
        (
            "post",
            "/api/v1/persons/{id}/erasure",
            Needs::Action(EraseSubject),
        ),
        (
            "get",
            "/api/v1/households/{id}/shelter-elsewhere",
            Needs::Action(ReadShelterElsewhere),
        ),
        (
            "post",
            "/api/v1/persons/{id}/movements",
            Needs::Action(TrackLegalStay),
        ),
        (
            "get",
            "/api/v1/legal-stay/upcoming",
            Needs::Action(TrackLegalStay),
        ),
        (
            "post",
            "/api/v1/resettlement/programmes",
            Needs::Action(ManageResettlement),
        ),
        (
            "get",
            "/api/v1/resettlement/programmes",
            Needs::Action(ManageResettlement),
        ),
        (
            "get",
            "/api/v1/resettlement/programmes/{id}",
            Needs::Action(ManageResettlement),
        ),
        (
            "post",
            "/api/v1/resettlement/programmes/{id}/proposals",
            Needs::Action(ManageResettlement),
        ),
        (
            "get",
            "/api/v1/resettlement/programmes/{id}/entries",
            Needs::Action(ManageResettlement),
        ),
        (
            "get",
            "/api/v1/resettlement/programmes/{id}/report",
            Needs::Action(ManageResettlement),
        ),
        (
            "post",
            "/api/v1/resettlement/entries/{id}/transition",
            Needs::Action(ManageResettlement),
        ),
    ]
}

async fn every_endpoint_checks_every_role(app: TestApp) {
    // Every documented endpoint has an entry.
    let doc: Value = app.public_json("/api/v1/openapi.json").await;
    let table = policy();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            if !table.iter().any(|(m, p, _)| m == method && p == path) {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "endpoints without an authorisation entry: {missing:?}"
    );

    // Records of organisation A for the requests to act on.
    let household = app.create(&family()).await;
    let mut again = family();
    again["members"] = json!([{"surname": "SMIRNOV", "given_name": "ALEKSEI", "sex": "male", "birth_date": "1995-03-02",
        "relationship": "head", "documents": [{"type": "ru_internal_passport", "number": "4512345678"}]}]);
    let second = app.create(&again).await;
    let (site, pools) = app
        .site_with_pools(&[json!({"kind": "mixed", "beds": 50})])
        .await;
    let stay: Value = app
        .post_for_json(
            &app.admin_a,
            "/api/v1/stays",
            &json!({"household_id": second["id"], "pool_id": pools[0], "reserve": true}),
        )
        .await;
    let batch: Value = app
        .post_action(&app.admin_a, "/api/v1/placements")
        .await
        .json()
        .await
        .expect("batch");
    let queue: Value = app.json_of(&app.admin_a, "/api/v1/duplicates").await;
    let agreement: Value = app
        .post_for_json(
            &app.admin_a,
            "/api/v1/agreements",
            &json!({"to_organisation_id": app.org_b().await, "categories": ["identity"],
                    "purpose": "deduplication", "valid_until": "2099-12-31"}),
        )
        .await;
    let point: Value = app
        .post_for_json(
            &app.admin_a,
            "/api/v1/distribution-points",
            &json!({"name": "Пункт выдачи"}),
        )
        .await;
    // A case of organisation A, and a referral from it to a third organisation (so that
    // organisation B, which holds an identity agreement with A, is neither party).
    let case_worker = app
        .user_of_a("fixture-cw@example.org", Role::Caseworker)
        .await;
    let case: Value = app
        .post_for_json(
            &case_worker,
            "/api/v1/cases",
            &json!({"household_id": household["id"]}),
        )
        .await;
    let org_c = app
        .store
        .create_organisation(
            &Principal::System("test"),
            "Адилет",
            OrgKind::Ngo,
            Utc::now(),
        )
        .await
        .expect("org c");
    let head = household["members"][0]["id"]
        .as_str()
        .expect("head")
        .to_owned();
    let referral_body = json!({"case_id": case["id"], "to_organisation_id": org_c.id, "service": "legal_aid",
        "consent": {"given_by_person_id": head, "given_on": "2022-09-28", "fields": ["given_name"]}});
    let referral: Value = app
        .post_for_json(&case_worker, "/api/v1/referrals", &referral_body)
        .await;
    let programme: Value = app
        .post_for_json(
            &app.admin_a,
            "/api/v1/resettlement/programmes",
            &json!({"country": "DE", "name": "Humanitarian admission", "quota": 10}),
        )
        .await;
    let ids = HashMap::from([
        ("{id}", String::new()),
        (
            "programme",
            programme["id"].as_str().expect("programme").to_owned(),
        ),
        ("point", point["id"].as_str().expect("point").to_owned()),
        ("case", case["id"].as_str().expect("case").to_owned()),
        (
            "referral",
            referral["id"].as_str().expect("referral").to_owned(),
        ),
        ("person", head.clone()),
        (
            "agreement",
            agreement["id"].as_str().expect("agreement").to_owned(),
        ),
        ("household", id_of(&household).to_owned()),
        (
            "reference",
            household["reference"]
                .as_str()
                .expect("reference")
                .to_owned(),
        ),
        ("site", site.clone()),
        ("pool", pools[0].clone()),
        ("stay", stay["id"].as_str().expect("stay").to_owned()),
        ("batch", batch["id"].as_str().expect("batch").to_owned()),
        (
            "pair",
            queue["items"][0]["id"].as_str().expect("pair").to_owned(),
        ),
    ]);
    let concrete = |path: &str| -> String {
        let id_kind = if path.starts_with("/api/v1/households") {
            "household"
        } else if path.starts_with("/api/v1/sites") {
            "site"
        } else if path.starts_with("/api/v1/stays") {
            "stay"
        } else if path.starts_with("/api/v1/placements") {
            "batch"
        } else if path.starts_with("/api/v1/agreements") {
            "agreement"
        } else if path.starts_with("/api/v1/distribution-points") {
            "point"
        } else if path.starts_with("/api/v1/cases") {
            "case"
        } else if path.starts_with("/api/v1/referrals") {
            "referral"
        } else if path.starts_with("/api/v1/persons/{id}") {
            "person"
        } else if path.starts_with("/api/v1/resettlement/programmes") {
            "programme"
        } else {
            "pair"
        };
        let mut p = path
            .replace("{id}", &ids[id_kind])
            .replace("{pool_id}", &ids["pool"])
            .replace("{reference}", &ids["reference"]);
        if p.ends_with("/persons/search") {
            p.push_str("?q=Smirnov");
        }
        if p.ends_with("/places") {
            p.push_str("?q=Oral");
        }
        if p.ends_with("/audit") || p.ends_with("/access-log") {
            p.push_str(&format!("?entity_id={}", ids["household"]));
        }
        p
    };
    let body = |method: &str, path: &str| -> Option<Value> {
        match (method, path) {
            ("post", "/api/v1/households") => Some(family()),
            ("patch", "/api/v1/households/{id}") => Some(json!({"notes": "checked"})),
            ("post", "/api/v1/persons/search") => Some(json!({"q": "Smirnov"})),
            ("post", "/api/v1/places/unconfirmed") => Some(json!({
                "country": "KZ", "city": "Уралськ", "place_id": 608_668
            })),
            ("post", "/api/v1/duplicates/{id}/decision") => Some(json!({"decision": "different"})),
            ("post", "/api/v1/sites") => Some(
                json!({"name": "Школа", "kind": "school", "location": {"country": "KZ", "city": "Oral"}}),
            ),
            ("patch", "/api/v1/sites/{id}") => Some(json!({"contact_name": "Айгерим"})),
            ("post", "/api/v1/sites/{id}/pools")
            | ("put", "/api/v1/sites/{id}/pools/{pool_id}") => {
                Some(json!({"kind": "mixed", "beds": 60}))
            }
            ("post", "/api/v1/stays") => Some(
                json!({"household_id": ids["household"], "pool_id": ids["pool"], "reserve": true}),
            ),
            ("post", "/api/v1/placements") => Some(json!({})),
            ("post", "/api/v1/placements/{id}/decisions") => Some(json!({"accept_all": true})),
            ("post", "/api/v1/cases") => Some(json!({"household_id": ids["household"]})),
            ("patch", "/api/v1/cases/{id}") => Some(json!({"status": "on_hold"})),
            ("post", "/api/v1/cases/{id}/notes") => Some(json!({"text": "Seen at the hub"})),
            ("post", "/api/v1/referrals") => Some(referral_body.clone()),
            ("post", "/api/v1/persons/{id}/movements") => {
                Some(json!({"kind": "registration", "on": "2022-09-29", "country": "KZ"}))
            }
            ("post", "/api/v1/auth/token") => {
                Some(json!({"email": "nobody@example.org", "password": "x"}))
            }
            (m, _) if m != "get" => Some(json!({})),
            _ => None,
        }
    };

    let mut tokens: Vec<(Role, String)> = Vec::new();
    for role in Role::ALL {
        let email = format!("matrix-{}@example.org", role.as_str());
        tokens.push((*role, app.user_of_a(&email, *role).await));
    }
    let send = async |method: &str, path: &str, token: Option<&str>| -> StatusCode {
        let mut request = app.client.request(
            method.to_uppercase().parse().expect("method"),
            app.url(&concrete(path)),
        );
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(b) = body(method, path) {
            let content_type = if method == "patch" {
                "application/merge-patch+json"
            } else {
                "application/json"
            };
            request = request
                .header(CONTENT_TYPE, content_type)
                .body(b.to_string());
        }
        request.send().await.expect("send").status()
    };
    let mut wrong = Vec::new();
    for (method, path, needs) in &table {
        let Some(allowed) = (match needs {
            Needs::OwnTest => None,
            Needs::Public | Needs::Signed => Some(None),
            Needs::Action(action) => Some(Some(*action)),
        }) else {
            continue;
        };
        for (role, token) in &tokens {
            let token = (!matches!(needs, Needs::Public)).then_some(token.as_str());
            let status = send(method, path, token).await;
            let expected_allowed = allowed.is_none_or(|action| role.allows(action));
            // A public endpoint's 401 is its answer (wrong password), not a denial.
            let denied = status == StatusCode::FORBIDDEN
                || (status == StatusCode::UNAUTHORIZED && !matches!(needs, Needs::Public));
            if expected_allowed == denied {
                let expected = if expected_allowed {
                    "allowed"
                } else {
                    "denied"
                };
                wrong.push(format!(
                    "{method} {path} as {role}: {status} (expected {expected})"
                ));
            }
        }
        // Another organisation never reaches organisation A's records.
        if path.contains('{') {
            let status = send(method, path, Some(app.admin_b.as_str())).await;
            let readable_by_all = matches!(needs, Needs::Action(shanyrak_core::Action::ReadSites));
            if !readable_by_all && status.is_success() {
                wrong.push(format!(
                    "{method} {path} as another organisation's admin: {status}"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "authorisation matrix violations:\n{}",
        wrong.join("\n")
    );
}
