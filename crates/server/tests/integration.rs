//! The HTTP API end to end: the real router on a real socket, on a fresh SQLite and a
//! fresh PostgreSQL database per test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed expectation is a failed test

use std::collections::HashMap;

use chrono::Utc;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use shanyrak_core::{OrgKind, Role};
use shanyrak_server::AppState;
use shanyrak_store::testing::{Backend, TestDatabase};
use shanyrak_store::{Principal, Store, StoreOptions};

mod web;

macro_rules! on_both_backends {
    ($($scenario:ident),+ $(,)?) => {
        $(mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario(super::TestApp::spawn(super::Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$scenario(super::TestApp::spawn(super::Backend::Postgres).await).await;
            }
        })+
    };
}

mod canary;
mod cases;
mod essentials;
mod figures;
mod heavy;
mod places;
mod protection;
mod resettlement;
mod search;
mod side_doors;
mod spreadsheets;

on_both_backends!(
    round_trip_of_four_members_in_three_scripts,
    idempotency_key_replays_and_refuses_other_bodies,
    other_organisation_gets_404_everywhere,
    each_write_has_one_audit_event_and_failures_none,
    malformed_bodies_get_problem_documents,
    authentication_is_required_and_checked,
    patch_merges_checks_versions_and_read_only_fields,
    list_filters_and_cursor_pages,
    openapi_and_health,
    shelter_flow_from_site_to_check_out,
    last_bed_over_http_goes_to_one_client,
    dispatcher_proposes_reviews_and_accepts,
    registration_warns_of_possible_duplicates_and_search_finds_them,
    an_edit_that_makes_a_member_match_queues_the_pair,
    review_queue_merge_undo_remerge_keeps_counts_and_audit,
    audit_trail_and_security_headers,
    login_lockout_logout_and_scoped_tokens,
    fields_follow_the_role_and_survive_edits_by_those_who_cannot_see_them,
    identity_is_shared_only_under_an_agreement_in_force,
    statistics_count_resolved_persons_and_publish_nothing_identifying,
);

struct TestApp {
    base: String,
    client: reqwest::Client,
    token_a: String,
    token_b: String,
    /// Admins of organisations A and B (they may manage sites and place households).
    admin_a: String,
    admin_b: String,
    store: Store,
    _db: TestDatabase,
}

impl TestApp {
    /// An app whose coordinator figures are computed on every request.
    async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, chrono::Duration::zero()).await
    }

    /// An app whose coordinator figures come from snapshots at most `figures_every` apart.
    async fn spawn_with(backend: Backend, figures_every: chrono::Duration) -> Self {
        Self::spawn_configured(backend, |state| state.figures_every = figures_every).await
    }

    /// An app whose state `configure` adjusts before it serves. Its log is silent unless
    /// `TEST_LOG` names a filter (`TEST_LOG=debug cargo test …`).
    async fn spawn_configured(backend: Backend, configure: impl FnOnce(&mut AppState)) -> Self {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
        let db = TestDatabase::new(backend).await;
        let store = Store::connect(&db.url, &StoreOptions::default())
            .await
            .expect("connect");
        let cli = Principal::System("test");
        let now = Utc::now();
        let mut tokens = Vec::new();
        for (name, slug) in [("Кайнар", "a"), ("UNHCR", "b")] {
            let org = store
                .create_organisation(&cli, name, OrgKind::Ngo, now)
                .await
                .expect("org");
            for (role, email) in [
                (Role::Registrar, format!("{slug}@example.org")),
                (Role::Admin, format!("admin-{slug}@example.org")),
            ] {
                store
                    .create_user(&cli, org.id, &email, "long enough password", &[role], now)
                    .await
                    .expect("user");
                tokens.push(
                    store
                        .create_token(&cli, &email, None, now)
                        .await
                        .expect("token")
                        .secret,
                );
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let mut state = AppState::build(store.clone()).await.expect("state");
        state.figures_every = chrono::Duration::zero();
        configure(&mut state);
        tokio::spawn(shanyrak_server::serve(
            listener,
            state,
            std::future::pending(),
        ));
        Self {
            base: format!("http://{address}"),
            client: reqwest::Client::new(),
            admin_b: tokens.pop().unwrap_or_default(),
            token_b: tokens.pop().unwrap_or_default(),
            admin_a: tokens.pop().unwrap_or_default(),
            token_a: tokens.pop().unwrap_or_default(),
            store,
            _db: db,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn post(&self, token: &str, body: &Value, key: Option<&str>) -> Response {
        let mut request = self
            .client
            .post(self.url("/api/v1/households"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.expect("send")
    }

    async fn get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await
            .expect("send")
    }

    async fn patch(&self, token: &str, id: &str, body: &Value, if_match: Option<&str>) -> Response {
        let mut request = self
            .client
            .patch(self.url(&format!("/api/v1/households/{id}")))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(CONTENT_TYPE, "application/merge-patch+json")
            .body(body.to_string());
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.expect("send")
    }

    async fn create(&self, body: &Value) -> Value {
        let response = self.post(&self.token_a, body, None).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("json")
    }

    async fn count(&self, table: &str) -> i64 {
        let counts = self.store.table_counts().await.expect("counts");
        counts
            .into_iter()
            .find(|(t, _)| *t == table)
            .map(|(_, n)| n)
            .unwrap_or(-1)
    }
}

fn family() -> Value {
    json!({
        "group": "arrival", "arrival_date": "2022-09-27", "crossing_point": "Сырым",
        "location": {"country": "KZ", "region": "Батыс Қазақстан", "city": "Oral"},
        "phone": "+7 912 345-67-89", "languages": ["ru"], "needs": ["shelter", "food"],
        "legal_basis": "consent", "information_given": true,
        "members": [
            {"surname": "Смирнов", "given_name": "Алексей", "patronymic": "Игоревич",
             "sex": "male", "birth_date": "1995-03-02", "citizenship": "RU",
             "relationship": "head", "vulnerabilities": [],
             "documents": [{"type": "ru_internal_passport", "number": "4512 345678"}]},
            {"surname": "SMIRNOVA", "given_name": "Ekaterina", "sex": "female",
             "birth_date": "1996", "birth_date_estimated": true, "relationship": "spouse"},
            {"surname": "Әбдірахманова", "given_name": "Айгүл", "patronymic": "Ерланқызы",
             "sex": "female", "birth_date": "02.06.2015", "relationship": "child",
             "vulnerabilities": ["child"]},
            {"surname": "Ŝmirnov-Ñúñez", "given_name": "Jürgen", "sex": "unknown",
             "birth_date": "1950-01", "relationship": "other_relative"}
        ]
    })
}

async fn problem(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(
        body["status"].as_u64(),
        Some(u64::from(status.as_u16())),
        "{body}"
    );
    (status, body)
}

async fn round_trip_of_four_members_in_three_scripts(app: TestApp) {
    let sent = family();
    let created = app.create(&sent).await;
    let id = created["id"].as_str().expect("id");
    assert_eq!(created["members"].as_array().map(Vec::len), Some(4));
    let response = app
        .get(&app.token_a, &format!("/api/v1/households/{id}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"1\"")
    );
    let got: Value = response.json().await.expect("json");
    for (i, member) in sent["members"]
        .as_array()
        .expect("members")
        .iter()
        .enumerate()
    {
        for field in ["surname", "given_name", "patronymic"] {
            assert_eq!(
                got["members"][i][field].as_str().map(str::as_bytes),
                member[field].as_str().map(str::as_bytes),
                "member {i} {field}"
            );
        }
        assert_eq!(got["members"][i]["id"], created["members"][i]["id"]);
    }
    assert_eq!(got["phone"], "+79123456789");
    assert_eq!(got["legal_basis"], "consent");
    assert_eq!(got["information_given"], true);
    assert_eq!(got["members"][1]["birth_date"], "1996");
    assert_eq!(got["members"][1]["birth_date_estimated"], true);
    assert_eq!(got["members"][2]["birth_date"], "2015-06-02");
    assert_eq!(got["members"][0]["documents"][0]["number"], "4512345678");
    assert_eq!(got["reference"], created["reference"]);

    let reference = created["reference"]
        .as_str()
        .expect("reference")
        .to_lowercase()
        .replace('-', "");
    let by_ref = app
        .get(
            &app.token_a,
            &format!("/api/v1/households/by-reference/{reference}"),
        )
        .await;
    assert_eq!(by_ref.status(), StatusCode::OK);
    let by_ref: Value = by_ref.json().await.expect("json");
    assert_eq!(by_ref["id"], got["id"]);
}

async fn idempotency_key_replays_and_refuses_other_bodies(app: TestApp) {
    let first = app.post(&app.token_a, &family(), Some("k-1")).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("json");
    // Same document, keys in another order and other whitespace: still the same request.
    let reordered: Value = serde_json::from_str(&family().to_string()).expect("json");
    let second = app.post(&app.token_a, &reordered, Some("k-1")).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(
        second
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let second: Value = second.json().await.expect("json");
    assert_eq!(first, second);
    assert_eq!(app.count("households").await, 1);

    let mut changed = family();
    changed["notes"] = json!("another request");
    let (status, body) = problem(app.post(&app.token_a, &changed, Some("k-1")).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "idempotency_key_reused");
    assert_eq!(app.count("households").await, 1);

    let (status, body) = problem(
        app.post(&app.token_a, &family(), Some("bad key with spaces"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_header");
}

async fn other_organisation_gets_404_everywhere(app: TestApp) {
    let created = app.create(&family()).await;
    let id = created["id"].as_str().expect("id");
    let reference = created["reference"].as_str().expect("reference");
    let (status, _) = problem(
        app.get(&app.token_b, &format!("/api/v1/households/{id}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = problem(
        app.get(
            &app.token_b,
            &format!("/api/v1/households/by-reference/{reference}"),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = problem(
        app.patch(&app.token_b, id, &json!({"notes": "mine now"}), None)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let list: Value = app
        .get(&app.token_b, "/api/v1/households")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"], json!([]));
    let own: Value = app
        .get(&app.token_a, "/api/v1/households")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(own["items"].as_array().map(Vec::len), Some(1));
}

async fn each_write_has_one_audit_event_and_failures_none(app: TestApp) {
    let start = app.count("audit_events").await;
    let created = app.create(&family()).await;
    assert_eq!(app.count("audit_events").await, start + 1);
    let id = created["id"].as_str().expect("id");
    let response = app
        .patch(
            &app.token_a,
            id,
            &json!({"notes": "ground floor"}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.count("audit_events").await, start + 2);

    let mut invalid = family();
    invalid["members"][0]["birth_date"] = json!("2999-01-01");
    let (status, _) = problem(app.post(&app.token_a, &invalid, Some("k-invalid")).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = problem(
        app.patch(&app.token_a, id, &json!({"phone": "12"}), None)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("audit_events").await, start + 2);
    assert_eq!(app.count("households").await, 1);
    assert_eq!(app.count("idempotency_keys").await, 0);
}

async fn malformed_bodies_get_problem_documents(app: TestApp) {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let huge_name = json!({"group": "arrival", "location": {"country": "KZ", "city": "Oral"},
        "members": [{"surname": "Я".repeat(100_000), "given_name": "A", "sex": "male",
                     "birth_date": "1990", "relationship": "head"}]});
    let with = |pointer: &str, value: Value| {
        let mut body = family();
        if let Some(slot) = body.pointer_mut(pointer) {
            *slot = value;
        }
        body.to_string()
    };
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty body", Vec::new()),
        ("not json", b"registration please".to_vec()),
        (
            "truncated",
            br#"{"group": "arrival", "members": ["#.to_vec(),
        ),
        ("trailing garbage", br#"{"group": "arrival"} x"#.to_vec()),
        (
            "invalid utf-8",
            b"{\"group\": \"arr\xff\xfeival\"}".to_vec(),
        ),
        (
            "invalid utf-8 in name",
            with("/members/0/surname", json!("PLACEHOLDER"))
                .replace("PLACEHOLDER", "\u{FFFD}")
                .into_bytes()
                .iter()
                .map(|&b| if b == 0xEF { 0xFF } else { b })
                .collect(),
        ),
        ("deeply nested", deep.clone().into_bytes()),
        (
            "deeply nested object",
            format!("{}{}", "{\"a\":".repeat(5000), "}".repeat(5000)).into_bytes(),
        ),
        ("top-level array", b"[]".to_vec()),
        ("top-level null", b"null".to_vec()),
        ("top-level string", b"\"household\"".to_vec()),
        ("top-level number", b"42".to_vec()),
        ("empty object", b"{}".to_vec()),
        (
            "members missing",
            with("/members", Value::Null).into_bytes(),
        ),
        ("members empty", with("/members", json!([])).into_bytes()),
        (
            "members not a list",
            with("/members", json!({"surname": "x"})).into_bytes(),
        ),
        (
            "member is a string",
            with("/members/0", json!("Смирнов")).into_bytes(),
        ),
        (
            "group unknown",
            with("/group", json!("tourist")).into_bytes(),
        ),
        ("group a number", with("/group", json!(7)).into_bytes()),
        (
            "surname a number",
            with("/members/0/surname", json!(12345)).into_bytes(),
        ),
        (
            "surname empty",
            with("/members/0/surname", json!("   ")).into_bytes(),
        ),
        (
            "surname with control char",
            with("/members/0/surname", json!("Смир\u{0007}нов")).into_bytes(),
        ),
        ("huge name", huge_name.to_string().into_bytes()),
        (
            "birth date in future",
            with("/members/0/birth_date", json!("2999-01-01")).into_bytes(),
        ),
        (
            "birth date nonsense",
            with("/members/0/birth_date", json!("31.02.1995")).into_bytes(),
        ),
        (
            "birth date a number",
            with("/members/0/birth_date", json!(1995)).into_bytes(),
        ),
        (
            "birth date too old",
            with("/members/0/birth_date", json!("1850")).into_bytes(),
        ),
        (
            "arrival date bad",
            with("/arrival_date", json!("yesterday")).into_bytes(),
        ),
        (
            "sex unknown value",
            with("/members/0/sex", json!("m")).into_bytes(),
        ),
        (
            "relationship unknown",
            with("/members/0/relationship", json!("boss")).into_bytes(),
        ),
        (
            "two heads",
            with("/members/1/relationship", json!("head")).into_bytes(),
        ),
        (
            "phone unparseable",
            with("/phone", json!("call me maybe")).into_bytes(),
        ),
        (
            "country unknown",
            with("/location/country", json!("XX")).into_bytes(),
        ),
        (
            "citizenship alpha-3",
            with("/members/0/citizenship", json!("RUS")).into_bytes(),
        ),
        (
            "iin with 13 digits",
            with(
                "/members/0/documents",
                json!([{"type": "kz_id", "number": "9503023000123"}]),
            )
            .into_bytes(),
        ),
        (
            "passport too short",
            with("/members/0/documents/0/number", json!("4512 3456")).into_bytes(),
        ),
        (
            "document type unknown",
            with("/members/0/documents/0/type", json!("driving_licence")).into_bytes(),
        ),
        (
            "unknown top-level field",
            with("/extra", json!(1)).into_bytes(),
        ),
        (
            "unknown member field",
            with("/members/0/birthdate", json!("1995")).into_bytes(),
        ),
        (
            "vulnerabilities not a list",
            with("/members/0/vulnerabilities", json!("child")).into_bytes(),
        ),
        (
            "vulnerability unknown",
            with("/members/0/vulnerabilities", json!(["tired"])).into_bytes(),
        ),
        (
            "languages with numbers",
            with("/languages", json!(["r1"])).into_bytes(),
        ),
        (
            "too many members",
            with("/members", json!(vec![family()["members"][1].clone(); 51])).into_bytes(),
        ),
        (
            "location a list",
            with("/location", json!(["KZ", "Oral"])).into_bytes(),
        ),
        (
            "nul byte in notes",
            with("/notes", json!("a\u{0000}b")).into_bytes(),
        ),
    ];
    // The two `with` calls on missing keys insert nothing; give them their intended shape.
    for (name, body) in &mut cases {
        if *name == "unknown top-level field" {
            let mut v = family();
            v["extra"] = json!(1);
            *body = v.to_string().into_bytes();
        }
        if *name == "unknown member field" {
            let mut v = family();
            v["members"][0]["birthdate"] = json!("1995");
            *body = v.to_string().into_bytes();
        }
        if *name == "nul byte in notes" {
            let mut v = family();
            v["notes"] = json!("a\u{0000}b");
            *body = v.to_string().into_bytes();
        }
    }
    assert!(cases.len() >= 30);
    for (name, body) in cases {
        let response = app
            .client
            .post(app.url("/api/v1/households"))
            .header(AUTHORIZATION, format!("Bearer {}", app.token_a))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("send");
        let status = response.status();
        assert!(status.is_client_error(), "{name}: got {status}");
        let (_, body) = problem(response).await;
        let text = body.to_string();
        assert!(
            !text.contains("Смирнов") && !text.contains("Алексей") && !text.contains("4512"),
            "{name} echoes: {text}"
        );
    }
    // Over the body limit: announced with Content-Length, answered before the body is
    // read. A raw socket avoids the race of a client still writing when the server closes.
    let over_limit = over_limit_response(&app).await;
    assert!(over_limit.starts_with("HTTP/1.1 413"), "{over_limit}");
    assert!(
        over_limit
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{over_limit}"
    );
    assert!(
        over_limit.contains("\"code\":\"payload_too_large\""),
        "{over_limit}"
    );
    // Wrong media type.
    let response = app
        .client
        .post(app.url("/api/v1/households"))
        .header(AUTHORIZATION, format!("Bearer {}", app.token_a))
        .header(CONTENT_TYPE, "text/plain")
        .body(family().to_string())
        .send()
        .await
        .expect("send");
    let (status, _) = problem(response).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(app.count("households").await, 0);
    assert_eq!(
        app.count("audit_events").await,
        10,
        "only the fixture's organisation, user and token events"
    );
}

async fn authentication_is_required_and_checked(app: TestApp) {
    for header in [
        None,
        Some("Bearer"),
        Some("Bearer shk_nope"),
        Some("Basic YTpi"),
        Some(format!("Bearer shk_{}", "a".repeat(64)).as_str()),
    ] {
        let mut request = app.client.get(app.url("/api/v1/households"));
        if let Some(h) = header {
            request = request.header(AUTHORIZATION, h);
        }
        let response = request.send().await.expect("send");
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Bearer")
        );
        let (status, body) = problem(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{header:?}");
        assert_eq!(body["code"], "unauthorized");
    }
    // 401 comes before any look at the body.
    let response = app
        .client
        .post(app.url("/api/v1/households"))
        .header(CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Disabling a user stops their token on the next request.
    assert_eq!(
        app.get(&app.token_a, "/api/v1/households").await.status(),
        StatusCode::OK
    );
    app.store
        .set_user_disabled(
            &Principal::System("test"),
            "a@example.org",
            true,
            Utc::now(),
        )
        .await
        .expect("disable");
    assert_eq!(
        app.get(&app.token_a, "/api/v1/households").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn patch_merges_checks_versions_and_read_only_fields(app: TestApp) {
    let created = app.create(&family()).await;
    let id = created["id"].as_str().expect("id");
    let response = app
        .patch(
            &app.token_a,
            id,
            &json!({"notes": "needs step-free", "location": {"city": "Уральск"}}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"2\"")
    );
    let updated: Value = response.json().await.expect("json");
    assert_eq!(updated["notes"], "needs step-free");
    assert_eq!(updated["location"]["city"], "Уральск");
    assert_eq!(
        updated["location"]["region"], "Батыс Қазақстан",
        "merge keeps sibling fields"
    );
    assert_eq!(updated["members"].as_array().map(Vec::len), Some(4));
    assert_eq!(updated["version"], 2);

    let (status, body) = problem(
        app.patch(&app.token_a, id, &json!({"notes": "stale"}), Some("\"1\""))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(body["code"], "version_mismatch");

    let (status, body) = problem(
        app.patch(
            &app.token_a,
            id,
            &json!({"reference": "AAA-AAA-AAA", "version": 9}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, vec!["#/reference", "#/version"]);

    // Removing a key with null, and replacing the member list: keep two, add one.
    let mut members: Vec<Value> = updated["members"].as_array().expect("members")[..2].to_vec();
    members.push(json!({"surname": "Смирнов", "given_name": "Миша", "sex": "male", "birth_date": "2022-09-01", "relationship": "child"}));
    let response = app
        .patch(
            &app.token_a,
            id,
            &json!({"notes": null, "members": members}),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let updated: Value = response.json().await.expect("json");
    assert_eq!(updated["notes"], Value::Null);
    assert_eq!(updated["members"].as_array().map(Vec::len), Some(3));
    assert_eq!(updated["members"][0]["id"], created["members"][0]["id"]);
    assert_eq!(updated["members"][2]["given_name"], "Миша");

    let (status, body) = problem(
        app.patch(
            &app.token_a,
            id,
            &json!({"members": [{"relationship": "head"}]}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["pointer"] == "#/members/0/surname")
    );

    let (status, _) = problem(
        app.patch(&app.token_a, "not-a-uuid", &json!({"notes": "x"}), None)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = problem(
        app.patch(&app.token_a, id, &json!(["not", "an", "object"]), None)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn list_filters_and_cursor_pages(app: TestApp) {
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut body = family();
        if i >= 3 {
            body["group"] = json!("idp");
        }
        ids.push(app.create(&body).await["id"].clone());
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/households?limit=2".to_owned();
    loop {
        let page: Value = app
            .get(&app.token_a, &path)
            .await
            .json()
            .await
            .expect("json");
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|h| h["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/households?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let idp: Value = app
        .get(
            &app.token_a,
            "/api/v1/households?group=idp&city=Oral&status=active",
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(idp["items"].as_array().map(Vec::len), Some(2));
    let since: Value = app
        .get(
            &app.token_a,
            "/api/v1/households?registered_since=2999-01-01",
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(since["items"], json!([]));
    for bad in [
        "limit=0",
        "limit=201",
        "limit=ten",
        "group=tourist",
        "status=gone",
        "registered_since=soon",
        "cursor=abc",
    ] {
        let (status, body) = problem(
            app.get(&app.token_a, &format!("/api/v1/households?{bad}"))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["code"], "invalid_query");
    }
}

async fn openapi_and_health(app: TestApp) {
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/households",
        "/api/v1/households/{id}",
        "/api/v1/households/by-reference/{reference}",
        "/healthz",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(
        doc["paths"]["/api/v1/households/{id}"]
            .get("patch")
            .is_some()
    );
    assert!(doc["components"]["schemas"].get("HouseholdInput").is_some());
    assert!(doc["components"]["securitySchemes"].get("bearer").is_some());

    let health: Value = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");
    let (status, _) = problem(
        app.client
            .get(app.url("/no/such/page"))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = problem(
        app.client
            .delete(app.url("/api/v1/households"))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

impl TestApp {
    async fn post_json(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .json(body)
            .send()
            .await
            .expect("send")
    }

    async fn site_with_pools(&self, pools: &[Value]) -> (String, Vec<String>) {
        let site = json!({"name": "Спорткомплекс «Мирас»", "kind": "sports_hall",
            "location": {"country": "KZ", "city": "Oral"}, "address": "ул. Мухита 1",
            "rules": {"max_nights": 14, "check_in_from": "08:00", "check_in_until": "22:00"},
            "amenities": {"heating": true, "showers": true}});
        let response = self.post_json(&self.admin_a, "/api/v1/sites", &site).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let site: Value = response.json().await.expect("json");
        let site_id = site["id"].as_str().expect("id").to_owned();
        let mut pool_ids = Vec::new();
        for pool in pools {
            let response = self
                .post_json(
                    &self.admin_a,
                    &format!("/api/v1/sites/{site_id}/pools"),
                    pool,
                )
                .await;
            assert_eq!(response.status(), StatusCode::CREATED);
            let created: Value = response.json().await.expect("json");
            pool_ids.push(created["id"].as_str().expect("pool id").to_owned());
        }
        (site_id, pool_ids)
    }
}

async fn shelter_flow_from_site_to_check_out(app: TestApp) {
    // A site without a name or city is refused field by field.
    let (status, body) = problem(
        app.post_json(
            &app.admin_a,
            "/api/v1/sites",
            &json!({"kind": "mosque", "location": {"country": "KZ"}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, vec!["#/name", "#/location/city"]);
    // Registrars do not manage sites.
    let (status, _) = problem(
        app.post_json(
            &app.token_a,
            "/api/v1/sites",
            &json!({"name": "x", "kind": "other", "location": {"country": "KZ", "city": "Oral"}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (site, pools) = app
        .site_with_pools(&[
            json!({"kind": "male_dorm", "beds": 40, "step_free_beds": 2, "blocked_beds": 4}),
            json!({"kind": "family_room", "room_size": 4, "beds": 8}),
        ])
        .await;
    let family_id = app.create(&family()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let waiting: Value = app
        .get(&app.admin_a, "/api/v1/waiting-list?city=Oral")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(waiting["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(waiting["items"][0]["persons"], 4);
    assert_eq!(waiting["items"][0]["children"], 1);

    let (status, body) = problem(
        app.post_json(
            &app.admin_a,
            "/api/v1/stays",
            &json!({"household_id": family_id, "pool_id": pools[0]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "child_in_male_dorm");
    let response = app.post_json(&app.admin_a, "/api/v1/stays", &json!({"household_id": family_id, "pool_id": pools[1], "reserve": true, "reservation_hours": 4})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let stay: Value = response.json().await.expect("json");
    assert_eq!(stay["status"], "reserved");

    let view: Value = app
        .get(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["pools"][0]["free"], 36, "40 beds less 4 blocked");
    // Another organisation without a `shelter` agreement sees the free beds, not the pools.
    let summary: Value = app
        .get(&app.admin_b, &format!("/api/v1/sites/{site}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        summary["free_beds"],
        36 + 4,
        "36 beds and one free family room of 4"
    );
    assert!(summary.get("pools").is_none() && summary.get("name").is_none());
    assert_eq!(view["pools"][1]["reserved"], 4);
    assert_eq!(view["pools"][1]["free"], 1, "one of two family rooms left");
    let waiting: Value = app
        .get(&app.admin_a, "/api/v1/waiting-list")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(waiting["items"], json!([]));

    let stay_id = stay["id"].as_str().expect("stay id");
    let response = app
        .post_json(
            &app.admin_a,
            &format!("/api/v1/stays/{stay_id}/check-in"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let residents: Value = app
        .get(&app.admin_a, &format!("/api/v1/sites/{site}/residents"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(residents["items"][0]["names"][0], "Смирнов Алексей");
    assert_eq!(residents["items"][0]["overdue"], false);
    let (status, _) = problem(
        app.get(&app.admin_b, &format!("/api/v1/sites/{site}/residents"))
            .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another organisation does not see residents"
    );
    let (status, _) = problem(
        app.post_json(
            &app.admin_b,
            &format!("/api/v1/stays/{stay_id}/check-out"),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let response = app
        .post_json(
            &app.admin_a,
            &format!("/api/v1/stays/{stay_id}/check-out"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, body) = problem(
        app.post_json(
            &app.admin_a,
            &format!("/api/v1/stays/{stay_id}/check-out"),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "invalid_transition");
    let view: Value = app
        .get(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["pools"][1]["free"], 2);

    // Shrinking below occupancy is refused; capacity edits work otherwise.
    let response = app
        .client
        .put(app.url(&format!("/api/v1/sites/{site}/pools/{}", pools[0])))
        .header(AUTHORIZATION, format!("Bearer {}", app.admin_a))
        .json(&json!({"kind": "male_dorm", "beds": 50, "step_free_beds": 2}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let view: Value = response.json().await.expect("json");
    assert_eq!(view["pools"][0]["free"], 50);

    // Closing the site: nobody more is admitted. Rules that contradict its pools are refused.
    let patch = |body: Value, tag: Option<&str>| {
        let mut request = app
            .client
            .patch(app.url(&format!("/api/v1/sites/{site}")))
            .header(AUTHORIZATION, format!("Bearer {}", app.admin_a))
            .header(CONTENT_TYPE, "application/merge-patch+json")
            .body(body.to_string());
        if let Some(tag) = tag {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    let response = patch(
        json!({"status": "closed", "contact_name": "Айдана"}),
        Some("\"1\""),
    )
    .await
    .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let closed: Value = response.json().await.expect("json");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["version"], 2);
    let (status, body) = problem(
        app.post_json(
            &app.admin_a,
            "/api/v1/stays",
            &json!({"household_id": family_id, "pool_id": pools[1]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "site_closed");
    let (status, _) = problem(
        patch(json!({"status": "open"}), Some("\"1\""))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    // A male dorm and family rooms may be a sex-segregated site (a family room is one
    // household's own); a mixed dormitory may not be added to one.
    let response = patch(json!({"rules": {"sex_segregated": true}}), None)
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let (status, body) = problem(
        app.post_json(
            &app.admin_a,
            &format!("/api/v1/sites/{site}/pools"),
            &json!({"kind": "mixed", "beds": 4}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/kind");
    let (status, _) = problem(
        app.client
            .patch(app.url(&format!("/api/v1/sites/{site}")))
            .header(AUTHORIZATION, format!("Bearer {}", app.admin_b))
            .header(CONTENT_TYPE, "application/merge-patch+json")
            .body(json!({"status": "open"}).to_string())
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only the operator edits its site; to others it is not there to edit"
    );
}

async fn last_bed_over_http_goes_to_one_client(app: TestApp) {
    let (_, pools) = app
        .site_with_pools(&[json!({"kind": "mixed", "beds": 1})])
        .await;
    let mut households = Vec::new();
    for i in 0..5 {
        let mut body = family();
        body["members"] = json!([{"surname": format!("Петров{i}"), "given_name": "Иван", "sex": "male",
                                  "birth_date": "1990-01-01", "relationship": "head"}]);
        households.push(
            app.create(&body).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let mut requests = Vec::new();
    for h in households {
        let client = app.client.clone();
        let url = app.url("/api/v1/stays");
        let token = app.admin_a.clone();
        let pool = pools[0].clone();
        requests.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"household_id": h, "pool_id": pool}))
                .send()
                .await
                .expect("send")
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for r in requests {
        statuses.push(r.await.expect("join"));
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        4,
        "{statuses:?}"
    );
}

async fn over_limit_response(app: &TestApp) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/households HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{{\"notes\": \"",
        app.token_a,
        2 * 1024 * 1024
    );
    socket.write_all(head.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        socket.read_to_end(&mut response),
    )
    .await;
    String::from_utf8_lossy(&response).into_owned()
}

async fn dispatcher_proposes_reviews_and_accepts(app: TestApp) {
    let (site, pools) = app
        .site_with_pools(&[
            json!({"kind": "mixed", "beds": 3}),
            json!({"kind": "family_room", "room_size": 4, "beds": 4}),
        ])
        .await;
    let family_id = app.create(&family()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut singles = Vec::new();
    for i in 0..5 {
        let mut body = family();
        body["members"] = json!([{"surname": format!("Сидоров{i}"), "given_name": "Олег", "sex": "male",
                                  "birth_date": "1991-05-05", "relationship": "head"}]);
        singles.push(
            app.create(&body).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let response = app
        .post_json(&app.admin_a, "/api/v1/placements", &json!({"city": "Oral"}))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let batch: Value = response.json().await.expect("json");
    let proposals = batch["solution"]["proposals"]
        .as_array()
        .expect("proposals");
    let unplaced = batch["solution"]["unplaced"].as_array().expect("unplaced");
    assert_eq!(
        proposals.len(),
        4,
        "the family and three of five single men: {batch}"
    );
    assert_eq!(unplaced.len(), 2);
    assert!(
        unplaced.iter().all(|u| u["reason"].is_string()),
        "{unplaced:?}"
    );
    let family_proposal = proposals
        .iter()
        .find(|p| p["household_id"] == json!(family_id))
        .expect("family placed");
    assert_eq!(family_proposal["pools"][0]["pool_id"], json!(pools[1]));
    assert_eq!(family_proposal["site_id"], json!(site));

    // Reject one single man, accept the rest.
    let rejected = proposals
        .iter()
        .map(|p| p["household_id"].as_str().expect("id").to_owned())
        .find(|h| *h != family_id)
        .expect("a single man");
    let batch_id = batch["id"].as_str().expect("batch id");
    let decisions = json!({"accept_all": true, "reject": [{"household_id": rejected, "reason": "went to relatives"}]});
    let response = app
        .post_json(
            &app.admin_a,
            &format!("/api/v1/placements/{batch_id}/decisions"),
            &decisions,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let results: Value = response.json().await.expect("json");
    let results = results["results"].as_array().expect("results");
    assert_eq!(
        results
            .iter()
            .filter(|r| r["outcome"] == "accepted")
            .count(),
        3,
        "{results:?}"
    );
    assert_eq!(
        results
            .iter()
            .filter(|r| r["outcome"] == "rejected")
            .count(),
        1
    );

    let view: Value = app
        .get(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["pools"][0]["reserved"], 2);
    assert_eq!(view["pools"][1]["reserved"], 4);
    // Accepting again changes nothing.
    let again: Value = app
        .post_json(
            &app.admin_a,
            &format!("/api/v1/placements/{batch_id}/decisions"),
            &json!({"accept": [family_id]}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(again["results"][0]["outcome"], "failed");
    assert_eq!(again["results"][0]["reason"], "already_decided");

    // Override: the rejected man goes to the last mixed bed after all.
    let response = app
        .post_json(
            &app.admin_a,
            &format!("/api/v1/placements/{batch_id}/decisions"),
            &json!({"overrides": [{"household_id": singles[4], "pool_id": pools[0]}]}),
        )
        .await;
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["results"][0]["outcome"], "accepted", "{body}");

    let stored: Value = app
        .get(&app.admin_a, &format!("/api/v1/placements/{batch_id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(stored["decisions"].as_array().map(Vec::len), Some(5));
    let (status, _) = problem(
        app.get(&app.admin_b, &format!("/api/v1/placements/{batch_id}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = problem(
        app.post_json(
            &app.admin_a,
            "/api/v1/placements",
            &json!({"max_batch_share": 2}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/max_batch_share");
}

async fn registration_warns_of_possible_duplicates_and_search_finds_them(app: TestApp) {
    let first = app.create(&family()).await;
    let smirnov = first["members"][0]["id"].clone();
    assert_eq!(first["members"][0]["possible_duplicates"], json!([]));

    // The same man registered again at a Bishkek shelter, in Latin capitals.
    let mut again = family();
    again["location"] = json!({"country": "KG", "city": "Бишкек"});
    again["phone"] = json!("+7 (912) 345 67 89");
    again["members"] = json!([
        {"surname": "SMIRNOV", "given_name": "ALEKSEI", "sex": "male", "birth_date": "02.03.1995",
         "relationship": "head", "documents": [{"type": "ru_internal_passport", "number": "4512345678"}]},
        {"surname": "Петров", "given_name": "Николай", "sex": "male", "birth_date": "1970-11-30",
         "relationship": "sibling"}
    ]);
    let created = app.create(&again).await;
    let duplicates = created["members"][0]["possible_duplicates"]
        .as_array()
        .expect("list");
    assert_eq!(duplicates.len(), 1, "{created}");
    assert_eq!(duplicates[0]["person_id"], smirnov);
    assert_eq!(duplicates[0]["household_id"], first["id"]);
    assert!(
        duplicates[0]["probability"]
            .as_f64()
            .is_some_and(|p| p > 0.8),
        "{}",
        duplicates[0]
    );
    let fields = duplicates[0]["evidence"]["fields"]
        .as_array()
        .expect("evidence");
    assert!(
        fields
            .iter()
            .any(|f| f["field"] == "document" && f["weight"].as_f64().is_some_and(|w| w > 0.0))
    );
    assert_eq!(created["members"][1]["possible_duplicates"], json!([]));

    // Another organisation registering the same man sees nothing of organisation A.
    let response = app.post(&app.token_b, &again, None).await;
    let other: Value = response.json().await.expect("json");
    assert_eq!(other["members"][0]["possible_duplicates"], json!([]));

    // Search in any script, by document number, by reference.
    let hits: Value = app
        .post_json(
            &app.token_a,
            "/api/v1/persons/search",
            &json!({"q": "Aleksey Smirnov"}),
        )
        .await
        .json()
        .await
        .expect("json");
    let ids: Vec<&Value> = hits["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|h| &h["person_id"])
        .collect();
    assert!(
        ids.contains(&&smirnov) && ids.contains(&&created["members"][0]["id"]),
        "{hits}"
    );
    assert!(
        hits["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|h| h["household_id"] != other["id"]),
        "scoped to the organisation"
    );
    let by_document: Value = app
        .get(&app.token_a, "/api/v1/persons/search?q=4512%20345678")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        by_document["items"].as_array().map(Vec::len),
        Some(2),
        "{by_document}"
    );
    let reference = first["reference"].as_str().expect("reference");
    let by_reference: Value = app
        .post_json(
            &app.token_a,
            "/api/v1/persons/search",
            &json!({"q": reference}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(by_reference["items"].as_array().map(Vec::len), Some(4));
    // Blank text finds nobody (as the place list): a typeahead may ask before typing.
    let blank = app
        .post_json(&app.token_a, "/api/v1/persons/search", &json!({"q": "  "}))
        .await;
    assert_eq!(blank.status(), StatusCode::OK);
    let blank: Value = blank.json().await.expect("json");
    assert_eq!(blank["items"], json!([]));
    let (status, _) = problem(app.get(&app.token_a, "/api/v1/persons/search").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn an_edit_that_makes_a_member_match_queues_the_pair(app: TestApp) {
    let first = app.create(&family()).await;
    let smirnov = first["members"][0]["id"].clone();
    // Registered in a hurry: a wrong surname, no document, the year mistyped.
    let mut hurried = family();
    hurried["members"] = json!([
        {"surname": "Сидоренко", "given_name": "Алексей", "sex": "male", "birth_date": "1959-03-02",
         "relationship": "head"}
    ]);
    let second = app.create(&hurried).await;
    assert_eq!(second["members"][0]["possible_duplicates"], json!([]));
    let pending = |queue: &Value| -> usize {
        queue["items"].as_array().map_or(0, |items| {
            items
                .iter()
                .filter(|p| p["a"]["person_id"] == smirnov || p["b"]["person_id"] == smirnov)
                .count()
        })
    };
    let queue: Value = app
        .get(&app.token_a, "/api/v1/duplicates")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(pending(&queue), 0, "{queue}");
    // The registrar corrects the record from the passport: now it is Smirnov's.
    let id = second["id"].as_str().expect("id");
    let member = second["members"][0]["id"].clone();
    let correction = json!({"members": [
        {"id": member, "surname": "Смирнов", "given_name": "Алексей", "patronymic": "Игоревич",
         "sex": "male", "birth_date": "1995-03-02", "relationship": "head",
         "documents": [{"type": "ru_internal_passport", "number": "4512 345678"}]}
    ]});
    for round in 0..2 {
        let response = app.patch(&app.token_a, id, &correction, None).await;
        assert_eq!(response.status(), StatusCode::OK, "round {round}");
        let queue: Value = app
            .get(&app.token_a, "/api/v1/duplicates")
            .await
            .json()
            .await
            .expect("json");
        // Queued once, and not again by a second save.
        assert_eq!(pending(&queue), 1, "round {round}: {queue}");
        let pair = queue["items"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|p| p["a"]["person_id"] == smirnov || p["b"]["person_id"] == smirnov)
            })
            .expect("pair");
        assert!(pair["a"]["person_id"] == member || pair["b"]["person_id"] == member);
    }
}

async fn review_queue_merge_undo_remerge_keeps_counts_and_audit(app: TestApp) {
    let first = app.create(&family()).await;
    let mut again = family();
    again["members"] = json!([
        {"surname": "SMIRNOV", "given_name": "ALEKSEI", "sex": "male", "birth_date": "1995-03-02",
         "relationship": "head", "documents": [{"type": "ru_internal_passport", "number": "4512 345678"}]}
    ]);
    let response = app
        .post(&app.token_a, &again, Some("second-registration"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let second: Value = response.json().await.expect("json");
    assert_eq!(
        second["members"][0]["possible_duplicates"][0]["person_id"],
        first["members"][0]["id"]
    );
    let counts: Value = app
        .get(&app.token_a, "/api/v1/persons/count")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(counts, json!({"records": 5, "resolved_persons": 5}));

    let queue: Value = app
        .get(&app.token_a, "/api/v1/duplicates")
        .await
        .json()
        .await
        .expect("json");
    let items = queue["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{queue}");
    let pair = &items[0];
    let ids = [
        pair["a"]["person_id"].clone(),
        pair["b"]["person_id"].clone(),
    ];
    assert!(ids.contains(&first["members"][0]["id"]) && ids.contains(&second["members"][0]["id"]));
    assert!(
        pair["evidence"]["fields"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );
    assert!(pair["a"]["surname"].as_str().is_some());
    let id = pair["id"].as_str().expect("id").to_owned();
    let audit_before = app.count("audit_events").await;

    let decide = async |decision: &str| {
        app.post_json(
            &app.token_a,
            &format!("/api/v1/duplicates/{id}/decision"),
            &json!({"decision": decision}),
        )
        .await
    };
    let undo = async || {
        app.post_json(
            &app.token_a,
            &format!("/api/v1/duplicates/{id}/undo"),
            &json!({}),
        )
        .await
    };
    let resolved = async || {
        let c: Value = app
            .get(&app.token_a, "/api/v1/persons/count")
            .await
            .json()
            .await
            .expect("json");
        c["resolved_persons"].as_i64().unwrap_or(-1)
    };

    assert_eq!(decide("same").await.status(), StatusCode::OK);
    assert_eq!(resolved().await, 4, "merged: counted once");
    let (status, body) = problem(decide("different").await).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a decided pair is undone first"
    );
    assert_eq!(body["code"], "invalid_transition");
    assert_eq!(undo().await.status(), StatusCode::OK);
    assert_eq!(resolved().await, 5, "undone: counted twice again");
    assert_eq!(decide("same").await.status(), StatusCode::OK);
    assert_eq!(resolved().await, 4);
    assert_eq!(
        app.count("audit_events").await,
        audit_before + 3,
        "merge, undo, re-merge: one event each"
    );
    // Both records are still there, untouched.
    for h in [&first, &second] {
        let response = app
            .get(
                &app.token_a,
                &format!("/api/v1/households/{}", h["id"].as_str().expect("id")),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    // "Different" is remembered: the pair leaves the queue and is not proposed again.
    assert_eq!(undo().await.status(), StatusCode::OK);
    assert_eq!(decide("different").await.status(), StatusCode::OK);
    assert_eq!(resolved().await, 5);
    let pending: Value = app
        .get(&app.token_a, "/api/v1/duplicates")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(pending["items"], json!([]));
    let different: Value = app
        .get(&app.token_a, "/api/v1/duplicates?status=different")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(different["items"].as_array().map(Vec::len), Some(1));
    // Replaying the registration no longer proposes the pair decided different.
    let replay: Value = app
        .post(&app.token_a, &again, Some("second-registration"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(replay["id"], second["id"]);
    assert_eq!(replay["members"][0]["possible_duplicates"], json!([]));

    // Other organisations and other roles see nothing of it.
    let (status, _) = problem(
        app.get(&app.token_b, &format!("/api/v1/duplicates/{id}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = problem(
        app.get(&app.token_a, "/api/v1/duplicates?status=maybe")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = problem(
        app.post_json(
            &app.token_a,
            &format!("/api/v1/duplicates/{id}/decision"),
            &json!({"decision": "perhaps"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn audit_trail_and_security_headers(app: TestApp) {
    let created = app.create(&family()).await;
    let id = created["id"].as_str().expect("id");
    let response = app
        .patch(&app.token_a, id, &json!({"notes": "ground floor"}), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(
            response.headers().get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{name}"
        );
    }
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );

    let trail: Value = app
        .get(&app.admin_a, &format!("/api/v1/audit?entity_id={id}"))
        .await
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["create", "update"]);
    assert_eq!(trail["items"][1]["after"]["notes"], "ground floor");
    let (status, _) = problem(
        app.get(&app.token_a, &format!("/api/v1/audit?entity_id={id}"))
            .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "registrars do not read the audit log"
    );
    let other: Value = app
        .get(&app.admin_b, &format!("/api/v1/audit?entity_id={id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        other["items"],
        json!([]),
        "another organisation sees no history"
    );
    let (status, _) = problem(app.get(&app.admin_a, "/api/v1/audit").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Reads are logged with the stated purpose; searches without their text.
    let response = app
        .client
        .get(app.url(&format!("/api/v1/households/{id}")))
        .bearer_auth(&app.token_a)
        .header("X-Purpose", "checking a bed request")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let _ = app
        .post_json(
            &app.token_a,
            "/api/v1/persons/search",
            &json!({"q": "Смирнов Алексей"}),
        )
        .await;
    let log: Value = app
        .get(&app.admin_a, "/api/v1/access-log")
        .await
        .json()
        .await
        .expect("json");
    let items = log["items"].as_array().expect("items");
    let read = items
        .iter()
        .find(|e| e["action"] == "read_household" && e["entity_id"] == json!(id))
        .expect("read logged");
    assert_eq!(read["purpose"], "checking a bed request");
    let search = items
        .iter()
        .find(|e| e["action"] == "search_persons")
        .expect("search logged");
    assert_eq!(search["detail"]["results"], 1);
    assert!(
        !log.to_string().contains("Смирнов"),
        "the search text is not kept"
    );
    let (status, _) = problem(app.get(&app.token_a, "/api/v1/access-log").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other: Value = app
        .get(&app.admin_b, "/api/v1/access-log")
        .await
        .json()
        .await
        .expect("json");
    assert!(
        other["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|e| e["action"] != "read_household")
    );
}

async fn login_lockout_logout_and_scoped_tokens(app: TestApp) {
    let login = async |email: &str, password: &str| {
        app.post_json(
            "",
            "/api/v1/auth/token",
            &json!({"email": email, "password": password}),
        )
        .await
    };
    let response = login("A@example.org", "long enough password").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let session: Value = response.json().await.expect("json");
    let token = session["token"].as_str().expect("token").to_owned();
    assert_eq!(
        app.get(&token, "/api/v1/households").await.status(),
        StatusCode::OK
    );

    // Four wrong passwords get 401; the fifth locks the account, and then even the right
    // password is refused for a while. An account that does not exist behaves the same.
    for email in ["a@example.org", "nobody@example.org"] {
        for _ in 0..4 {
            let (status, body) = problem(login(email, "wrong password").await).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert_eq!(body["code"], "invalid_credentials");
        }
        let response = login(email, "wrong password").await;
        assert!(response.headers().get("retry-after").is_some());
        let (status, body) = problem(response).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{email}");
        assert_eq!(body["code"], "too_many_attempts");
    }
    let (status, _) = problem(login("a@example.org", "long enough password").await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // The session issued before the lock still works until it expires or is revoked.
    assert_eq!(
        app.get(&token, "/api/v1/households").await.status(),
        StatusCode::OK
    );

    // Signing out revokes the token at once.
    let response = app
        .client
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&token, "/api/v1/households").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // A token scoped to a role acts with that role only; a role the user lacks is refused.
    let (status, _) = problem(
        app.post_json("", "/api/v1/auth/token", &json!({"email": "admin-a@example.org", "password": "long enough password", "role": "registrar"})).await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let scoped = app
        .store
        .create_token_for_role(
            &Principal::System("test"),
            "admin-a@example.org",
            Some(Role::Admin),
            None,
            Utc::now(),
        )
        .await
        .expect("scoped token");
    assert_eq!(
        app.get(&scoped.secret, "/api/v1/households").await.status(),
        StatusCode::OK
    );
    let (status, _) = problem(
        app.post_json("", "/api/v1/auth/token", &json!({"email": "b@example.org", "password": "long enough password", "expires_in_hours": 48})).await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

impl TestApp {
    async fn org_b(&self) -> String {
        let actor = self
            .store
            .authenticate_token(&self.admin_b, Utc::now())
            .await
            .expect("auth")
            .expect("admin b");
        actor.organisation_id.to_string()
    }

    /// A new user of organisation A with one role, and their token.
    async fn user_of_a(&self, email: &str, role: Role) -> String {
        let cli = Principal::System("test");
        let admin = self
            .store
            .authenticate_token(&self.admin_a, Utc::now())
            .await
            .expect("auth")
            .expect("admin");
        self.store
            .create_user(
                &cli,
                admin.organisation_id,
                email,
                "long enough password",
                &[role],
                Utc::now(),
            )
            .await
            .expect("user");
        self.store
            .create_token(&cli, email, None, Utc::now())
            .await
            .expect("token")
            .secret
    }
}

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

    let seen_by =
        async |token: &str| -> Value { app.get(token, &path).await.json().await.expect("json") };
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
    let list: Value = app
        .get(&site_manager, "/api/v1/households")
        .await
        .json()
        .await
        .expect("json");
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
        ("post", "/api/v1/auth/token", Needs::Public),
        ("delete", "/api/v1/auth/token", Needs::OwnTest),
        ("get", "/healthz", Needs::Public),
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
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
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
        .post_json(
            &app.admin_a,
            "/api/v1/stays",
            &json!({"household_id": second["id"], "pool_id": pools[0], "reserve": true}),
        )
        .await
        .json()
        .await
        .expect("stay");
    let batch: Value = app
        .post_json(&app.admin_a, "/api/v1/placements", &json!({}))
        .await
        .json()
        .await
        .expect("batch");
    let queue: Value = app
        .get(&app.admin_a, "/api/v1/duplicates")
        .await
        .json()
        .await
        .expect("queue");
    let agreement: Value = app
        .post_json(
            &app.admin_a,
            "/api/v1/agreements",
            &json!({"to_organisation_id": app.org_b().await, "categories": ["identity"],
                    "purpose": "deduplication", "valid_until": "2099-12-31"}),
        )
        .await
        .json()
        .await
        .expect("agreement");
    let point: Value = app
        .post_json(
            &app.admin_a,
            "/api/v1/distribution-points",
            &json!({"name": "Пункт выдачи"}),
        )
        .await
        .json()
        .await
        .expect("point");
    // A case of organisation A, and a referral from it to a third organisation (so that
    // organisation B, which holds an identity agreement with A, is neither party).
    let case_worker = app
        .user_of_a("fixture-cw@example.org", Role::Caseworker)
        .await;
    let case: Value = app
        .post_json(
            &case_worker,
            "/api/v1/cases",
            &json!({"household_id": household["id"]}),
        )
        .await
        .json()
        .await
        .expect("case");
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
        .post_json(&case_worker, "/api/v1/referrals", &referral_body)
        .await
        .json()
        .await
        .expect("referral");
    let programme: Value = app
        .post_json(
            &app.admin_a,
            "/api/v1/resettlement/programmes",
            &json!({"country": "DE", "name": "Humanitarian admission", "quota": 10}),
        )
        .await
        .json()
        .await
        .expect("programme");
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
        (
            "household",
            household["id"].as_str().expect("id").to_owned(),
        ),
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
    let tomorrow = (Utc::now() + chrono::Duration::days(1))
        .date_naive()
        .to_string();
    let (status, body) = problem(
        app.post_json(&app.admin_a, "/api/v1/agreements", &json!({"to_organisation_id": org_b, "categories": ["identity"], "purpose": "", "valid_until": "2000-01-01"})).await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(2), "{body}");
    let response = app
        .post_json(
            &app.admin_a,
            "/api/v1/agreements",
            &json!({"to_organisation_id": org_b, "categories": ["identity"],
            "purpose": "find people registered twice", "valid_until": tomorrow}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let agreement: Value = response.json().await.expect("json");
    assert_eq!(agreement["in_force"], true);

    let org_a = json!(
        app.store
            .authenticate_token(&app.admin_a, Utc::now())
            .await
            .expect("auth")
            .expect("admin a")
            .organisation_id
    );
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
    let (status, _) = problem(
        app.get(
            &app.token_b,
            &format!(
                "/api/v1/households/{}",
                a_household["id"].as_str().expect("id")
            ),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // B's queue does not hold a pair it cannot see both sides of.
    let b_admin_queue: Value = app
        .get(&app.admin_b, "/api/v1/duplicates")
        .await
        .json()
        .await
        .expect("json");
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
    let id = agreement["id"].as_str().expect("id");
    let (status, _) = problem(
        app.post_json(
            &app.admin_b,
            &format!("/api/v1/agreements/{id}/withdraw"),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app
        .post_json(
            &app.admin_a,
            &format!("/api/v1/agreements/{id}/withdraw"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        from_a(&register_at_b().await).is_empty(),
        "withdrawn: nothing of A any more"
    );
    let listed: Value = app
        .get(&app.admin_b, "/api/v1/agreements")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"][0]["in_force"], false);
}

async fn statistics_count_resolved_persons_and_publish_nothing_identifying(app: TestApp) {
    // A mosque and a hall in Oral; 4 + 1 records, of which 2 are one man.
    for (name, kind, pool) in [
        (
            "Мечеть Абат-Байтак",
            "mosque",
            json!({"kind": "male_dorm", "beds": 80}),
        ),
        (
            "Спорткомплекс",
            "sports_hall",
            json!({"kind": "mixed", "beds": 120}),
        ),
    ] {
        let site: Value = app
            .post_json(
                &app.admin_a,
                "/api/v1/sites",
                &json!({"name": name, "kind": kind, "location": {"country": "KZ", "city": "Oral"},
                "rules": {"sex_segregated": kind == "mosque"}}),
            )
            .await
            .json()
            .await
            .expect("site");
        let id = site["id"].as_str().expect("id");
        assert_eq!(
            app.post_json(&app.admin_a, &format!("/api/v1/sites/{id}/pools"), &pool)
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    app.create(&family()).await;
    let mut again = family();
    again["members"] = json!([{"surname": "SMIRNOV", "given_name": "ALEKSEI", "sex": "male", "birth_date": "1995-03-02",
        "relationship": "head", "documents": [{"type": "ru_internal_passport", "number": "4512345678"}]}]);
    app.create(&again).await;

    let stats: Value = app
        .get(&app.token_a, "/api/v1/stats")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(stats["population"]["records"], 5);
    assert_eq!(stats["population"]["persons"], 5);
    let queue: Value = app
        .get(&app.token_a, "/api/v1/duplicates")
        .await
        .json()
        .await
        .expect("json");
    let pair = queue["items"][0]["id"].as_str().expect("pair");
    app.post_json(
        &app.token_a,
        &format!("/api/v1/duplicates/{pair}/decision"),
        &json!({"decision": "same"}),
    )
    .await;
    let stats: Value = app
        .get(&app.token_a, "/api/v1/stats")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        stats["population"]["persons"], 4,
        "two records of one person count once"
    );
    assert_eq!(stats["population"]["by_city"]["KZ/Oral"], 4);
    let all_beds = stats["beds"]
        .as_array()
        .expect("beds")
        .iter()
        .find(|b| b["kind"] == "all")
        .expect("all kinds");
    assert_eq!(all_beds["capacity"], 200);
    let (status, _) = problem(
        app.client
            .get(app.url("/api/v1/stats"))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Public figures come from scheduled releases; the one made at start saw no one yet.
    // Make the next release as the schedule would, hours later.
    let next = Utc::now() + chrono::Duration::hours(7);
    let released =
        shanyrak_server::stats::refresh_release(&app.store, 5, chrono::Duration::hours(6), next)
            .await
            .expect("release");
    assert!(released);
    // Public figures: no sign-in, small cells hidden, no site named.
    let public: Value = app
        .client
        .get(app.url("/api/v1/public/stats"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let table = &public["persons_by_city_and_group"];
    assert_eq!(table["rows"], json!(["KZ/Oral"]));
    assert!(
        table["cells"][0]
            .as_array()
            .expect("cells")
            .iter()
            .all(|c| c.is_null() || c == 0),
        "4 people in one cell: hidden"
    );
    assert_eq!(table["total"], Value::Null);
    let csv = app
        .client
        .get(app.url("/api/v1/public/stats.csv"))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(csv.starts_with("table,row,column,value,suppressed\n"));
    assert!(
        csv.contains("persons_by_city_and_group,KZ/Oral,arrival,,true"),
        "{csv}"
    );
    let page = app
        .client
        .get(app.url("/public/stats"))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    for published in [public.to_string(), csv.clone(), page.clone()] {
        assert!(
            !published.contains("Мечеть") && !published.contains("Спорткомплекс"),
            "a site is named: {published}"
        );
        assert!(!published.contains("Смирнов") && !published.contains("4512"));
    }
    assert!(page.contains("<table") && !page.contains("<script"));

    // Releases are snapshots: more arrivals do not change the figures until the next one.
    for _ in 0..3 {
        app.create(&family()).await;
    }
    let later: Value = app
        .client
        .get(app.url("/api/v1/public/stats"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(later, public);
}
