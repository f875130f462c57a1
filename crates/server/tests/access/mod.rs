//! The audit trail, security headers, sign-in lockout, sign-out and scoped tokens.

use crate::support::header_of;
use crate::support::id_of;
use crate::support::strings;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_core::Role;
use shanyrak_store::Principal;
use shanyrak_store::testing::Backend;

use crate::support::{TestApp, family, problem};

on_both_backends!(
    audit_trail_and_security_headers,
    login_lockout_logout_and_scoped_tokens,
);

async fn audit_trail_and_security_headers(app: TestApp) {
    let created = app.create(&family()).await;
    let id = id_of(&created);
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
    let csp = header_of(&response, "content-security-policy");
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );

    let trail: Value = app
        .json_of(&app.admin_a, &format!("/api/v1/audit?entity_id={id}"))
        .await;
    let actions: Vec<&str> = strings(&trail["items"], "action");
    assert_eq!(actions, vec!["create", "update"]);
    assert_eq!(trail["items"][1]["after"]["notes"], "ground floor");
    let (status, _) = app
        .get_problem(&app.token_a, &format!("/api/v1/audit?entity_id={id}"))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "registrars do not read the audit log"
    );
    let other: Value = app
        .json_of(&app.admin_b, &format!("/api/v1/audit?entity_id={id}"))
        .await;
    assert_eq!(
        other["items"],
        json!([]),
        "another organisation sees no history"
    );
    let (status, _) = app.get_problem(&app.admin_a, "/api/v1/audit").await;
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
    let log: Value = app.json_of(&app.admin_a, "/api/v1/access-log").await;
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
    let (status, _) = app.get_problem(&app.token_a, "/api/v1/access-log").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other: Value = app.json_of(&app.admin_b, "/api/v1/access-log").await;
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
    let (status, _) = app.post_problem("", "/api/v1/auth/token", &json!({"email": "admin-a@example.org", "password": "long enough password", "role": "registrar"})).await;
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
    let (status, _) = app.post_problem("", "/api/v1/auth/token", &json!({"email": "b@example.org", "password": "long enough password", "expires_in_hours": 48})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
