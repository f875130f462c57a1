//! Cases, referrals and the legal-stay tracker over HTTP, on both backends.

use crate::support::id_of;
use crate::support::strings;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_core::Role;
use shanyrak_core::ValidationContext;
use shanyrak_core::cases::{
    ConsentInput, ReferralInput, ServiceKind, ShareableField, validate_referral,
};

use super::{Backend, TestApp, family};

on_both_backends!(
    a_referral_shares_exactly_the_named_fields,
    declined_and_overdue_referrals,
    case_notes_only_for_the_owning_caseworkers,
    legal_stay_over_http,
    retried_case_note_and_referral_posts_write_once,
);

impl TestApp {
    /// A caseworker of organisation A and of organisation B (tokens), a household and a
    /// case about its head, opened by A's caseworker.
    async fn case_setup(&self) -> (String, String, Value, Value) {
        let cw_a = self.user_of_a("cw-a@example.org", Role::Caseworker).await;
        let cw_b = self.user_of_b("cw-b@example.org", Role::Caseworker).await;
        let household = self.create(&family()).await;
        let head = household["members"][0]["id"].clone();
        let response = self
            .post_json(&cw_a, "/api/v1/cases", &json!({"household_id": household["id"], "person_id": head,
                "assessments": [{"vulnerability": "protection_risk", "severity": "high", "assessed_on": "2022-09-28"}],
                "plan": [{"description": "Legal consultation on stay", "due": "2022-10-05"}],
                "appointments": [{"on": "2022-10-03", "time": "10:30", "purpose": "Lawyer", "place": "Oral hub"}]}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let case: Value = response.json().await.expect("case");
        (cw_a, cw_b, household, case)
    }

    async fn refer(&self, token: &str, case: &Value, household: &Value, fields: &[&str]) -> Value {
        let body = json!({"case_id": case["id"], "to_organisation_id": self.org_b().await, "service": "legal_aid",
            "consent": {"given_by_person_id": household["members"][0]["id"], "given_on": "2022-09-28", "fields": fields},
            "answer_within_days": 3});
        let response = self.post_json(token, "/api/v1/referrals", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("referral")
    }
}

async fn a_referral_shares_exactly_the_named_fields(app: TestApp) {
    let (cw_a, cw_b, household, case) = app.case_setup().await;
    let sent = app
        .refer(
            &cw_a,
            &case,
            &household,
            &["given_name", "birth_date", "phone"],
        )
        .await;
    let id = id_of(&sent);
    let seen: Value = app.json_of(&cw_b, &format!("/api/v1/referrals/{id}")).await;
    let shared = seen["shared"].as_object().expect("shared view");
    let mut keys: Vec<&str> = shared.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, vec!["birth_date", "given_name", "phone"]);
    assert_eq!(shared["given_name"], "Алексей");
    assert_eq!(shared["birth_date"], "1995-03-02");
    assert_eq!(shared["phone"], "+79123456789");
    // Nothing else of the person or the household reaches the receiver: no surname, no
    // document, no vulnerability, no other member, no internal id of the sender.
    let text = seen.to_string();
    for absent in [
        "Смирнов",
        "4512",
        "protection",
        "Екатерина",
        "SMIRNOVA",
        "Oral",
        "Сырым",
    ] {
        assert!(!text.contains(absent), "{absent} leaked: {text}");
    }
    for key in ["case_id", "household_id", "person_id", "consent"] {
        assert!(seen.get(key).is_none(), "{key}");
    }
    for member in household["members"].as_array().expect("members") {
        assert!(!text.contains(id_of(member)));
    }
    assert!(!text.contains(id_of(&household)));
    // The receiver's list shows it; the household itself stays out of reach.
    let received: Value = app
        .json_of(&cw_b, "/api/v1/referrals?direction=received")
        .await;
    assert_eq!(received["items"].as_array().map(Vec::len), Some(1));
    let path = format!("/api/v1/households/{}", id_of(&household));
    assert_eq!(app.get(&cw_b, &path).await.status(), StatusCode::NOT_FOUND);
    // The sender sees its own ids and the consent.
    let own: Value = app.json_of(&cw_a, &format!("/api/v1/referrals/{id}")).await;
    assert_eq!(own["case_id"], case["id"]);
    assert!(own.get("shared").is_none());
    // The read was logged for the receiving organisation's auditors.
    assert!(app.count("access_log").await >= 1);
}

async fn declined_and_overdue_referrals(app: TestApp) {
    let (cw_a, cw_b, household, case) = app.case_setup().await;
    let sent = app.refer(&cw_a, &case, &household, &["given_name"]).await;
    let id = id_of(&sent);
    let transition = format!("/api/v1/referrals/{id}/transition");
    // The sender cannot answer its own referral; a skipped step is refused.
    assert_eq!(
        app.post_json(&cw_a, &transition, &json!({"to": "accepted"}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.post_json(&cw_b, &transition, &json!({"to": "in_progress"}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.post_json(&cw_b, &transition, &json!({"to": "declined"}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let response = app
        .post_json(
            &cw_b,
            &transition,
            &json!({"to": "declined", "reason": "No lawyer free this month"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let sent_list: Value = app.json_of(&cw_a, "/api/v1/referrals?direction=sent").await;
    assert_eq!(sent_list["items"][0]["state"], "declined");
    assert_eq!(
        sent_list["items"][0]["decline_reason"],
        "No lawyer free this month"
    );
    // Declined: the receiver no longer sees the person, and it cannot be reopened.
    let seen: Value = app.json_of(&cw_b, &format!("/api/v1/referrals/{id}")).await;
    assert!(seen.get("shared").is_none());
    assert_eq!(
        app.post_json(&cw_b, &transition, &json!({"to": "accepted"}))
            .await
            .status(),
        StatusCode::CONFLICT
    );

    // A referral sent four days ago with three days to answer is overdue for the sender.
    let actor = app.actor(&cw_a).await;
    let input = ReferralInput {
        case_id: case["id"].as_str().and_then(|s| s.parse().ok()),
        to_organisation_id: app.org_b().await.parse().ok(),
        service: Some(ServiceKind::Medical),
        person_id: None,
        consent: Some(ConsentInput {
            given_by_person_id: household["members"][0]["id"]
                .as_str()
                .and_then(|s| s.parse().ok()),
            given_on: Some("2022-09-28".into()),
            fields: vec![ShareableField::GivenName],
        }),
        answer_within_days: Some(3),
    };
    let ctx = ValidationContext {
        today: Utc::now().date_naive(),
    };
    let referral = validate_referral(&input, actor.organisation_id, &ctx).expect("valid");
    let old = app
        .store
        .create_referral(&actor, &referral, Utc::now() - chrono::Duration::days(4))
        .await
        .expect("old referral");
    let fresh = app.refer(&cw_a, &case, &household, &["given_name"]).await;
    let overdue: Value = app.json_of(&cw_a, "/api/v1/referrals/overdue").await;
    let ids: Vec<&str> = strings(&overdue["items"], "id");
    assert_eq!(ids, vec![old.id.to_string().as_str()]);
    assert_eq!(overdue["items"][0]["overdue"], true);
    assert_ne!(fresh["id"].as_str(), Some(old.id.to_string().as_str()));
    // Once accepted it is answered, and no longer overdue.
    let path = format!("/api/v1/referrals/{}/transition", old.id);
    assert_eq!(
        app.post_json(&cw_b, &path, &json!({"to": "accepted"}))
            .await
            .status(),
        StatusCode::OK
    );
    let overdue: Value = app.json_of(&cw_a, "/api/v1/referrals/overdue").await;
    assert_eq!(overdue["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        app.post_json(&cw_b, &path, &json!({"to": "in_progress"}))
            .await
            .status(),
        StatusCode::OK
    );
    let closed = app
        .post_json(
            &cw_b,
            &path,
            &json!({"to": "closed", "outcome": "Seen by a doctor"}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    assert_eq!(
        closed.json::<Value>().await.expect("json")["state"],
        "closed"
    );
}

async fn case_notes_only_for_the_owning_caseworkers(app: TestApp) {
    let (cw_a, cw_b, _household, case) = app.case_setup().await;
    let notes = format!("/api/v1/cases/{}/notes", id_of(&case));
    let secret = "Husband's unit is looking for him";
    let response = app.post_json(&cw_a, &notes, &json!({"text": secret})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let read: Value = app.json_of(&cw_a, &notes).await;
    assert_eq!(read["items"][0]["text"], secret);
    // Every other role of the owning organisation: forbidden.
    for role in Role::ALL.iter().filter(|r| **r != Role::Caseworker) {
        let token = app
            .user_of_a(&format!("notes-{role}@example.org"), *role)
            .await;
        assert_eq!(
            app.get(&token, &notes).await.status(),
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
    // A caseworker of another organisation does not learn the case exists.
    assert_eq!(app.get(&cw_b, &notes).await.status(), StatusCode::NOT_FOUND);
    let case_path = format!("/api/v1/cases/{}", id_of(&case));
    assert_eq!(
        app.get(&cw_b, &case_path).await.status(),
        StatusCode::NOT_FOUND
    );
    // The case itself never carries notes, and the audit trail never holds their text.
    let full: Value = app.json_of(&cw_a, &case_path).await;
    assert!(!full.to_string().contains("looking for him"));
    let trail: Value = app
        .json_of(
            &app.admin_a,
            &format!("/api/v1/audit?entity_id={}", id_of(&read["items"][0])),
        )
        .await;
    assert!(!trail.to_string().contains("looking for him"), "{trail}");
    // Closing a case needs a reason.
    let response = app
        .client
        .patch(app.url(&case_path))
        .bearer_auth(&cw_a)
        .header("content-type", "application/merge-patch+json")
        .body(json!({"status": "closed"}).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .client
        .patch(app.url(&case_path))
        .bearer_auth(&cw_a)
        .header("content-type", "application/merge-patch+json")
        .body(json!({"status": "closed", "status_reason": "Resettled"}).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let closed: Value = response.json().await.expect("json");
    assert_eq!(
        (closed["status"].as_str(), closed["version"].as_i64()),
        (Some("closed"), Some(2))
    );
    assert_eq!(closed["plan"][0]["status"], "planned");
}

async fn legal_stay_over_http(app: TestApp) {
    let household = app.create(&family()).await;
    let head = id_of(&household["members"][0]).to_owned();
    let path = format!("/api/v1/persons/{head}/legal-stay");
    // Arrived 27 September 2022 in Kazakhstan with Russian citizenship and never left:
    // long past 90 days, and never registered.
    let stay: Value = app.json_of(&app.token_a, &path).await;
    assert_eq!(stay["status"]["present"], true);
    assert_eq!(stay["status"]["overstayed"], true);
    assert_eq!(stay["status"]["registration_overdue"], true);
    assert_eq!(stay["status"]["rule_is_example"], true);
    assert!(
        stay["rule_note"]
            .as_str()
            .expect("note")
            .contains("EXAMPLE")
    );
    let upcoming: Value = app
        .json_of(&app.token_a, "/api/v1/legal-stay/upcoming?days=14")
        .await;
    let listed: Vec<&str> = strings(&upcoming["items"], "person_id");
    assert!(listed.contains(&head.as_str()));
    // Members without citizenship have no rule and are not listed.
    assert_eq!(listed.len(), 1);
    // Registered two days after arrival, left after ten: nothing used in today's window.
    let moves = format!("/api/v1/persons/{head}/movements");
    for body in [
        json!({"kind": "registration", "on": "2022-09-29", "country": "KZ"}),
        json!({"kind": "exit", "on": "2022-10-06", "country": "KZ"}),
    ] {
        assert_eq!(
            app.post_json(&app.token_a, &moves, &body).await.status(),
            StatusCode::CREATED
        );
    }
    let stay: Value = app.json_of(&app.token_a, &path).await;
    assert_eq!(stay["status"]["present"], false);
    assert_eq!(stay["status"]["days_used"], 0);
    assert_eq!(stay["movements"].as_array().map(Vec::len), Some(3));
    let upcoming: Value = app
        .json_of(&app.token_a, "/api/v1/legal-stay/upcoming")
        .await;
    assert_eq!(upcoming["items"].as_array().map(Vec::len), Some(0));
    // Another organisation: not found; a crossing in the future: refused.
    assert_eq!(
        app.get(&app.admin_b, &path).await.status(),
        StatusCode::NOT_FOUND
    );
    let future = json!({"kind": "entry", "on": "2999-01-01", "country": "KZ"});
    assert_eq!(
        app.post_json(&app.token_a, &moves, &future).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

impl TestApp {
    async fn post_keyed(
        &self,
        token: &str,
        path: &str,
        key: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header(reqwest::header::AUTHORIZATION, format!("Bearer {token}"))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("send")
    }
}

/// A lost answer retried with the same Idempotency-Key opens one case, adds one note and
/// sends one referral; the same key with another body is refused.
async fn retried_case_note_and_referral_posts_write_once(app: TestApp) {
    let cw_a = app.user_of_a("cw-keys@example.org", Role::Caseworker).await;
    let household = app.create(&family()).await;
    let case_body =
        json!({"household_id": household["id"], "person_id": household["members"][0]["id"]});
    let first = app
        .post_keyed(&cw_a, "/api/v1/cases", "case-1", &case_body)
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let case: Value = first.json().await.expect("case");
    let again = app
        .post_keyed(&cw_a, "/api/v1/cases", "case-1", &case_body)
        .await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    assert_eq!(again.json::<Value>().await.expect("case")["id"], case["id"]);
    let cases: Value = app
        .json_of(
            &cw_a,
            &format!("/api/v1/cases?household_id={}", id_of(&household)),
        )
        .await;
    assert_eq!(cases["items"].as_array().map(Vec::len), Some(1), "{cases}");

    let notes_path = format!("/api/v1/cases/{}/notes", id_of(&case));
    let note = json!({"text": "Needs a lawyer before Friday"});
    for _ in 0..3 {
        let response = app.post_keyed(&cw_a, &notes_path, "note-1", &note).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let notes: Value = app.json_of(&cw_a, &notes_path).await;
    assert_eq!(notes["items"].as_array().map(Vec::len), Some(1), "{notes}");
    let reused = app
        .post_keyed(
            &cw_a,
            &notes_path,
            "note-1",
            &json!({"text": "Something else"}),
        )
        .await;
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A key used for a case cannot stand for a note.
    let crossed = app.post_keyed(&cw_a, &notes_path, "case-1", &note).await;
    assert_eq!(crossed.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let referral = json!({"case_id": case["id"], "to_organisation_id": app.org_b().await, "service": "legal_aid",
        "consent": {"given_by_person_id": household["members"][0]["id"], "given_on": "2022-09-28", "fields": ["given_name"]},
        "answer_within_days": 3});
    let sent: Value = app
        .post_keyed(&cw_a, "/api/v1/referrals", "referral-1", &referral)
        .await
        .json()
        .await
        .expect("referral");
    let resent = app
        .post_keyed(&cw_a, "/api/v1/referrals", "referral-1", &referral)
        .await;
    assert_eq!(resent.status(), StatusCode::CREATED);
    assert_eq!(
        resent.json::<Value>().await.expect("referral")["id"],
        sent["id"]
    );
    let listed: Value = app.json_of(&cw_a, "/api/v1/referrals").await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
}
