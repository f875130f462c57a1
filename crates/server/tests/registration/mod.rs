//! Registering households over the API: round trips, retries, scoping, audit, malformed
//! bodies, authentication, merge patches, lists and the OpenAPI document.

use crate::support::id_of;
use crate::support::strings;
use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};
use shanyrak_store::Principal;
use shanyrak_store::testing::Backend;

use crate::support::{TestApp, family, header_of, over_limit_response, problem};

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
);

async fn round_trip_of_four_members_in_three_scripts(app: TestApp) {
    let sent = family();
    let created = app.create(&sent).await;
    let id = id_of(&created);
    assert_eq!(created["members"].as_array().map(Vec::len), Some(4));
    let response = app
        .get(&app.token_a, &format!("/api/v1/households/{id}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_of(&response, "etag"), "\"1\"");
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
    let id = id_of(&created);
    let reference = created["reference"].as_str().expect("reference");
    let (status, _) = app
        .get_problem(&app.token_b, &format!("/api/v1/households/{id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get_problem(
            &app.token_b,
            &format!("/api/v1/households/by-reference/{reference}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = problem(
        app.patch(&app.token_b, id, &json!({"notes": "mine now"}), None)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let list: Value = app.json_of(&app.token_b, "/api/v1/households").await;
    assert_eq!(list["items"], json!([]));
    let own: Value = app.json_of(&app.token_a, "/api/v1/households").await;
    assert_eq!(own["items"].as_array().map(Vec::len), Some(1));
}

async fn each_write_has_one_audit_event_and_failures_none(app: TestApp) {
    let start = app.count("audit_events").await;
    let created = app.create(&family()).await;
    assert_eq!(app.count("audit_events").await, start + 1);
    let id = id_of(&created);
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
        body.to_string().into_bytes()
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
            with("/members/0/surname", json!("\u{FFFD}"))
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
        ("members missing", with("/members", Value::Null)),
        ("members empty", with("/members", json!([]))),
        (
            "members not a list",
            with("/members", json!({"surname": "x"})),
        ),
        ("member is a string", with("/members/0", json!("Смирнов"))),
        ("group unknown", with("/group", json!("tourist"))),
        ("group a number", with("/group", json!(7))),
        ("surname a number", with("/members/0/surname", json!(12345))),
        ("surname empty", with("/members/0/surname", json!("   "))),
        (
            "surname with control char",
            with("/members/0/surname", json!("Смир\u{0007}нов")),
        ),
        ("huge name", huge_name.to_string().into_bytes()),
        (
            "birth date in future",
            with("/members/0/birth_date", json!("2999-01-01")),
        ),
        (
            "birth date nonsense",
            with("/members/0/birth_date", json!("31.02.1995")),
        ),
        (
            "birth date a number",
            with("/members/0/birth_date", json!(1995)),
        ),
        (
            "birth date too old",
            with("/members/0/birth_date", json!("1850")),
        ),
        (
            "arrival date bad",
            with("/arrival_date", json!("yesterday")),
        ),
        ("sex unknown value", with("/members/0/sex", json!("m"))),
        (
            "relationship unknown",
            with("/members/0/relationship", json!("boss")),
        ),
        ("two heads", with("/members/1/relationship", json!("head"))),
        ("phone unparseable", with("/phone", json!("call me maybe"))),
        ("country unknown", with("/location/country", json!("XX"))),
        (
            "citizenship alpha-3",
            with("/members/0/citizenship", json!("RUS")),
        ),
        (
            "iin with 13 digits",
            with(
                "/members/0/documents",
                json!([{"type": "kz_id", "number": "9503023000123"}]),
            ),
        ),
        (
            "passport too short",
            with("/members/0/documents/0/number", json!("4512 3456")),
        ),
        (
            "document type unknown",
            with("/members/0/documents/0/type", json!("driving_licence")),
        ),
        ("unknown top-level field", with("/extra", json!(1))),
        (
            "unknown member field",
            with("/members/0/birthdate", json!("1995")),
        ),
        (
            "vulnerabilities not a list",
            with("/members/0/vulnerabilities", json!("child")),
        ),
        (
            "vulnerability unknown",
            with("/members/0/vulnerabilities", json!(["tired"])),
        ),
        ("languages with numbers", with("/languages", json!(["r1"]))),
        (
            "too many members",
            with("/members", json!(vec![family()["members"][1].clone(); 51])),
        ),
        ("location a list", with("/location", json!(["KZ", "Oral"]))),
        ("nul byte in notes", with("/notes", json!("a\u{0000}b"))),
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
    let id = id_of(&created);
    let response = app
        .patch(
            &app.token_a,
            id,
            &json!({"notes": "needs step-free", "location": {"city": "Уральск"}}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_of(&response, "etag"), "\"2\"");
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
    let pointers: Vec<&str> = strings(&body["errors"], "pointer");
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
        let page: Value = app.json_of(&app.token_a, &path).await;
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
        .json_of(
            &app.token_a,
            "/api/v1/households?group=idp&city=Oral&status=active",
        )
        .await;
    assert_eq!(idp["items"].as_array().map(Vec::len), Some(2));
    let since: Value = app
        .json_of(
            &app.token_a,
            "/api/v1/households?registered_since=2999-01-01",
        )
        .await;
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
        let (status, body) = app
            .get_problem(&app.token_a, &format!("/api/v1/households?{bad}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["code"], "invalid_query");
    }
}

async fn openapi_and_health(app: TestApp) {
    let doc: Value = app.public_json("/api/v1/openapi.json").await;
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

    let health: Value = app.public_json("/healthz").await;
    assert_eq!(health["status"], "ok");
    let (status, _) = problem(app.anonymous_get("/no/such/page").await).await;
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
