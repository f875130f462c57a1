//! Side doors: paths by which a role could learn what the visibility table says it cannot.
//! Each story pins one finding of a hostile-insider review.

use crate::support::id_of;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_core::Role;

use super::{Backend, TestApp, family};
use crate::support::strings;

on_both_backends!(
    an_audit_trail_shows_no_value_the_reader_cannot_see_on_the_record,
    the_waiting_list_gives_dispatchers_no_diagnosis,
    exact_site_locations_and_hosts_are_for_placing_roles_and_shelter_partners,
    a_document_number_finds_nobody_for_roles_that_cannot_see_documents,
);

on_both_backends!(
    spawn = super::app;
    lookups_across_organisations_reach_the_owners_access_log_and_are_rate_limited,
);

/// An app with a limit of five lookups across organisations an hour per user.
async fn app(backend: Backend) -> TestApp {
    TestApp::spawn_configured(backend, |state| state.cross_org_lookups_per_hour = 5).await
}

impl TestApp {
    async fn share(&self, from_admin: &str, to_admin: &str, category: &str) {
        self.agree((from_admin, to_admin), &[category], "coordination")
            .await;
    }
}

fn sensitive_family() -> Value {
    let mut body = family();
    body["notes"] = json!("Служба ищет мужа — NOTE-CANARY");
    body["members"][0]["vulnerabilities"] = json!(["protection_risk", "medical"]);
    body["members"][1]["vulnerabilities"] = json!(["pregnant", "disability"]);
    body["members"][2]["vulnerabilities"] = json!(["child"]);
    body
}

async fn an_audit_trail_shows_no_value_the_reader_cannot_see_on_the_record(app: TestApp) {
    let caseworker = app
        .user_beside(&app.admin_a, "cw@example.org", Role::Caseworker)
        .await;
    let auditor = app
        .user_beside(&app.admin_a, "aud@example.org", Role::Auditor)
        .await;
    let household = app.create_as(&caseworker, &sensitive_family()).await;
    let id = id_of(&household).to_owned();
    let head = household["members"][0]["id"].clone();
    let case = app
        .created(&caseworker, "/api/v1/cases", &json!({"household_id": id, "person_id": head,
            "assessments": [{"vulnerability": "protection_risk", "severity": "high", "assessed_on": "2022-09-28"}],
            "plan": [{"description": "ASSESSMENT-CANARY consult on stay", "due": "2022-10-05"}],
            "appointments": [{"on": "2022-10-03", "time": "10:30", "purpose": "APPOINTMENT-CANARY", "place": "Oral hub"}]}))
        .await;

    // The admin reads documents and notes on the household, so the trail may show them;
    // not the protection risk, the medical flag, or anything of the case.
    let trail = app
        .json_of(&app.admin_a, &format!("/api/v1/audit?entity_id={id}"))
        .await
        .to_string();
    assert!(trail.contains("4512345678"), "{trail}");
    for hidden in ["protection_risk", "\"medical\""] {
        assert!(
            !trail.contains(hidden),
            "{hidden} in the admin's trail: {trail}"
        );
    }
    let case_trail = app
        .json_of(
            &app.admin_a,
            &format!("/api/v1/audit?entity_id={}", id_of(&case)),
        )
        .await;
    let text = case_trail.to_string();
    for hidden in ["ASSESSMENT-CANARY", "APPOINTMENT-CANARY", "protection_risk"] {
        assert!(!text.contains(hidden), "{hidden} in {text}");
    }
    assert_eq!(case_trail["items"][0]["action"], "create");
    assert!(
        case_trail["items"][0]["changed"]
            .as_array()
            .is_some_and(|c| c.iter().any(|p| p == "/plan"))
    );

    // The auditor sees who did what and when, and which fields changed: no value at all.
    let patch = app
        .patch(
            &app.token_a,
            &id,
            &json!({"notes": "moved to Almaty"}),
            None,
        )
        .await;
    assert_eq!(patch.status(), StatusCode::OK);
    let trail = app
        .json_of(&auditor, &format!("/api/v1/audit?entity_id={id}"))
        .await;
    let text = trail.to_string();
    for hidden in [
        "4512345678",
        "NOTE-CANARY",
        "Almaty",
        "Смирнов",
        "SMIRNOVA",
        "+7912",
    ] {
        assert!(
            !text.contains(hidden),
            "{hidden} in the auditor's trail: {text}"
        );
    }
    let update = &trail["items"][1];
    assert_eq!(update["action"], "update");
    assert_eq!(
        update["changed"],
        json!(["/notes", "/updated_at", "/version"])
    );
    assert!(update["actor_user_id"].is_string());

    // Redaction happens at read time: the stored history still verifies.
    app.store.seal_audit(10_000).await.expect("seal");
    let report = app.store.verify_audit().await.expect("verify");
    assert!(report.sealed >= 3, "{report:?}");
}

async fn the_waiting_list_gives_dispatchers_no_diagnosis(app: TestApp) {
    let dispatcher = app
        .user_beside(&app.admin_a, "disp@example.org", Role::Dispatcher)
        .await;
    let caseworker = app
        .user_beside(&app.admin_a, "cw@example.org", Role::Caseworker)
        .await;
    let id = id_of(&app.create_as(&caseworker, &sensitive_family()).await).to_owned();
    let waiting = app.json_of(&dispatcher, "/api/v1/waiting-list").await;
    let entry = &waiting["items"][0];
    assert_eq!(entry["household_id"], id.as_str());
    let shown: Vec<&str> = entry["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        shown.contains(&"child") && shown.contains(&"disability"),
        "{shown:?}"
    );
    for hidden in ["protection_risk", "medical", "pregnant"] {
        assert!(!waiting.to_string().contains(hidden), "{hidden}: {waiting}");
    }
    // The dispatcher's screen shows the same list: no diagnosis in any language.
    for language in ["ru", "en", "kk", "ky"] {
        let page = app
            .client
            .get(app.url("/dispatch"))
            .header(
                reqwest::header::COOKIE,
                format!(
                    "{}={dispatcher}",
                    shanyrak_server::web::SECURE_SESSION_COOKIE
                ),
            )
            .header(reqwest::header::ACCEPT_LANGUAGE, language)
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        let lang = shanyrak_server::web::Lang::parse(language).expect("language");
        let label = |code: &str| {
            shanyrak_server::web::i18n::message(lang, &format!("enum-vulnerability-{code}"), None)
        };
        assert!(page.contains(&label("disability")), "{language}: {page}");
        for hidden in ["protection-risk", "medical", "pregnant"] {
            assert!(
                !page.contains(&label(hidden)),
                "{hidden} on the {language} page"
            );
        }
    }
    // The priority still counts every need, so the most urgent still come first.
    assert!(
        entry["priority"].as_u64().is_some_and(|p| p > 10),
        "{entry}"
    );
    // The same holds for the household itself.
    let household = app
        .json_of(&dispatcher, &format!("/api/v1/households/{id}"))
        .await
        .to_string();
    for hidden in ["protection_risk", "medical", "pregnant"] {
        assert!(!household.contains(hidden), "{hidden}: {household}");
    }
    // Caseworkers still see everything on the record.
    let full = app
        .json_of(&caseworker, &format!("/api/v1/households/{id}"))
        .await
        .to_string();
    assert!(full.contains("pregnant") && full.contains("protection_risk"));
}

async fn exact_site_locations_and_hosts_are_for_placing_roles_and_shelter_partners(app: TestApp) {
    let site = json!({"name": "Квартира HOSTNAME-CANARY", "kind": "private_accommodation",
        "location": {"country": "KZ", "city": "Oral"}, "address": "ADDRESS-CANARY 12-4",
        "coordinates": {"latitude": 51.2333, "longitude": 51.3667},
        "contact_name": "HOST-CANARY", "contact_phone": "+7 701 555 01 23"});
    let site_id = id_of(&app.created(&app.admin_a, "/api/v1/sites", &site).await).to_owned();
    app.created(
        &app.admin_a,
        &format!("/api/v1/sites/{site_id}/pools"),
        &json!({"kind": "family_room", "room_size": 4, "beds": 4}),
    )
    .await;
    let canaries = [
        "HOSTNAME-CANARY",
        "ADDRESS-CANARY",
        "HOST-CANARY",
        "7015550123",
        "51.2333",
    ];
    let dispatcher_a = app
        .user_beside(&app.admin_a, "da@example.org", Role::Dispatcher)
        .await;
    let dispatcher_b = app
        .user_beside(&app.admin_b, "db@example.org", Role::Dispatcher)
        .await;
    let list = "/api/v1/sites".to_owned();
    let one = format!("/api/v1/sites/{site_id}");

    // The owner's dispatcher sees everything.
    for path in [&list, &one] {
        let text = app.json_of(&dispatcher_a, path).await.to_string();
        for canary in canaries {
            assert!(
                text.contains(canary),
                "{canary} missing for the owner's dispatcher"
            );
        }
    }
    // The owner's registrar and another organisation see city, a coarse kind and free beds.
    for token in [&app.token_a, &app.admin_b, &dispatcher_b] {
        let listed = app.json_of(token, &list).await;
        let single = app.json_of(token, &one).await;
        for text in [listed.to_string(), single.to_string()] {
            for canary in canaries.iter().chain(&["private_accommodation"]) {
                assert!(!text.contains(canary), "{canary} in {text}");
            }
        }
        assert_eq!(single["city"], "Oral");
        assert_eq!(single["free_beds"], 4);
        assert_eq!(single["kind_group"], "private");
    }
    // Under a `shelter` agreement the partner's placing roles see it whole.
    app.share(&app.admin_a, &app.admin_b, "shelter").await;
    let text = app.json_of(&dispatcher_b, &one).await.to_string();
    for canary in canaries {
        assert!(
            text.contains(canary),
            "{canary} missing for the shelter partner"
        );
    }
    let text = app.json_of(&app.token_b, &one).await.to_string();
    assert!(
        !text.contains("ADDRESS-CANARY"),
        "registrars of the partner do not place"
    );
    // Every site read is in the reader's access log.
    let auditor_log = app.json_of(&app.admin_b, "/api/v1/access-log").await;
    let actions = strings(&auditor_log["items"], "action");
    assert!(
        actions.contains(&"read_site") && actions.contains(&"list_sites"),
        "{actions:?}"
    );
}

async fn a_document_number_finds_nobody_for_roles_that_cannot_see_documents(app: TestApp) {
    app.create(&family()).await;
    let search = async |token: &str, q: &str| -> usize {
        let response = app
            .post_json(token, "/api/v1/persons/search", &json!({ "q": q }))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let hits: Value = response.json().await.expect("hits");
        hits["items"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(
        search(&app.token_a, "4512 345678").await,
        1,
        "registrars see documents"
    );
    for role in [Role::SiteManager, Role::Dispatcher, Role::Distributor] {
        let token = app
            .user_beside(&app.admin_a, &format!("{role}@example.org"), role)
            .await;
        assert_eq!(search(&token, "4512 345678").await, 0, "{role} by document");
        assert_eq!(search(&token, "4512345678").await, 0, "{role} by document");
        assert_eq!(search(&token, "Алексей Смирнов").await, 1, "{role} by name");
    }
    // The phone is a key only for those who see it.
    let distributor = app
        .user_beside(&app.admin_a, "dist2@example.org", Role::Distributor)
        .await;
    assert_eq!(search(&distributor, "+7 912 345-67-89").await, 0);
    assert_eq!(
        search(&app.token_a, "+7 912 345-67-89").await,
        4,
        "every member shares it"
    );
}

async fn lookups_across_organisations_reach_the_owners_access_log_and_are_rate_limited(
    app: TestApp,
) {
    // B registers the family; B shares identity (duplicate lookup) with A.
    let at_b = app.create_as(&app.token_b, &family()).await;
    let person_b = id_of(&at_b["members"][0]).to_owned();
    app.share(&app.admin_b, &app.admin_a, "identity").await;
    let at_a = app.create(&family()).await;
    let found: Vec<Value> = at_a["members"][0]["possible_duplicates"]
        .as_array()
        .expect("duplicates")
        .iter()
        .map(|d| d["person_id"].clone())
        .collect();
    assert!(found.contains(&json!(person_b)), "{at_a}");
    // B's admin sees in B's access log that A's registrar looked B's person up.
    let registrar_a = app.actor(&app.token_a).await;
    let log_b = app
        .json_of(
            &app.admin_b,
            &format!("/api/v1/access-log?entity_id={person_b}"),
        )
        .await;
    let entry = log_b["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "partner_identity_lookup")
        .unwrap_or_else(|| panic!("no partner lookup in {log_b}"));
    assert_eq!(entry["user_id"], registrar_a.user_id.to_string());
    assert_eq!(
        entry["detail"]["by_organisation_id"],
        registrar_a.organisation_id.to_string()
    );

    // A user who keeps looking across organisations is stopped: the registration is
    // kept, the lookup beyond their own organisation is not made, and the answer says so.
    let mut throttled = None;
    for attempt in 0..10 {
        let body = app.create(&family()).await;
        if body["cross_organisation_lookup"] == "throttled" {
            throttled = Some((attempt, body));
            break;
        }
    }
    let (attempt, body) = throttled.expect("cross-organisation lookups were never limited");
    assert_eq!(attempt, 4, "five lookups an hour, the first was made above");
    let found = body["members"][0]["possible_duplicates"].to_string();
    assert!(
        !found.contains(&person_b),
        "no lookup at B once throttled: {found}"
    );
    // The explicit look-up of shelter status elsewhere answers 429 once over the limit.
    app.share(&app.admin_b, &app.admin_a, "shelter").await;
    let household = id_of(&body);
    let response = app
        .get(
            &app.admin_a,
            &format!("/api/v1/households/{household}/shelter-elsewhere"),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the admin has a limit of their own"
    );
    let mut statuses = vec![response.status()];
    for _ in 0..5 {
        statuses.push(
            app.get(
                &app.admin_a,
                &format!("/api/v1/households/{household}/shelter-elsewhere"),
            )
            .await
            .status(),
        );
    }
    assert_eq!(statuses[4], StatusCode::OK, "{statuses:?}");
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}
