//! The offline outbox's server side: the key a session is handed, and entries sent with
//! their idempotency keys (registered once however often they are retried, held and
//! reported when a member may be registered already, refused when malformed).

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE};
use serde_json::Value;

use super::super::{Backend, TestApp, family};
use super::{browser, get, location, post_form, registration, session};

on_both_backends!(
    the_outbox_key_is_the_users_and_never_cached,
    outbox_entries_register_once_and_hold_possible_duplicates,
);

async fn key(app: &TestApp, token: &str) -> Value {
    let response = browser()
        .get(app.url("/reception/outbox/key"))
        .header(COOKIE, session(token))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    response.json().await.expect("json")
}

async fn the_outbox_key_is_the_users_and_never_cached(app: TestApp) {
    let first = key(&app, &app.token_a).await;
    let again = key(&app, &app.token_a).await;
    assert_eq!(first["private_key"], again["private_key"]);
    assert_eq!(first["key_id"], again["key_id"]);
    assert_ne!(
        first["csrf"], again["csrf"],
        "each answer masks the token afresh"
    );
    let other = key(&app, &app.token_b).await;
    assert_ne!(first["private_key"], other["private_key"]);
    assert!(
        first["public_key"].as_str().is_some_and(|k| k.len() > 80),
        "{first}"
    );
    // No session: the sign-in page, never a key.
    let anonymous = browser()
        .get(app.url("/reception/outbox/key"))
        .send()
        .await
        .expect("send");
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(location(&anonymous).starts_with("/login"));
    let admin = key(&app, &app.admin_a).await;
    assert_ne!(
        admin["private_key"], first["private_key"],
        "one key per user"
    );
    let (status, _) = get(&app, &app.admin_a, "/sw.js").await;
    assert_eq!(status, StatusCode::OK);
}

async fn households_named(app: &TestApp, surname: &str) -> usize {
    let list = app
        .json_of(&app.token_a, "/api/v1/households?limit=200")
        .await;
    list["items"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|h| {
            h["members"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["surname"] == surname))
        })
        .count()
}

async fn send(app: &TestApp, key: Option<&str>, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    send_with(app, key, fields, false).await
}

/// As the phone asks after an entry held before.
async fn probe(app: &TestApp, key: &str, fields: &[(&str, &str)]) -> Value {
    send_with(app, Some(key), fields, true).await.1
}

async fn send_with(
    app: &TestApp,
    key: Option<&str>,
    fields: &[(&str, &str)],
    probe: bool,
) -> (StatusCode, Value) {
    let mut request = browser()
        .post(app.url("/reception/outbox"))
        .header(COOKIE, session(&app.token_a))
        .form(fields);
    if probe {
        request = request.header("Outbox-Probe", "1");
    }
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    assert!(
        response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json")),
        "{status}"
    );
    (status, response.json().await.expect("json"))
}

async fn outbox_entries_register_once_and_hold_possible_duplicates(app: TestApp) {
    let csrf = key(&app, &app.token_a).await["csrf"]
        .as_str()
        .expect("csrf")
        .to_owned();
    // The form's own submission field is overridden by the key.
    let entry = registration("ignored", &csrf, "Оффлайнов");
    let first_key = "5b1f3c1e-0d6e-4c0e-9a51-6b3d2c1a0f01";
    let (status, sent) = send(&app, Some(first_key), &entry).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sent["outcome"], "registered", "{sent}");
    assert!(
        sent["card"]
            .as_str()
            .is_some_and(|c| c.starts_with("/households/"))
    );
    assert_eq!(households_named(&app, "Оффлайнов").await, 1);
    // Retried (the answer was lost, or a proxy said 502): replayed, not registered again.
    for _ in 0..2 {
        let (_, again) = send(&app, Some(first_key), &entry).await;
        assert_eq!(again, sent);
    }
    assert_eq!(households_named(&app, "Оффлайнов").await, 1);
    // The same family under a new key is a new registration (the duplicate gate would
    // hold it: the first one is registered now).
    let (_, second) = send(&app, Some("5b1f3c1e-0d6e-4c0e-9a51-6b3d2c1a0f02"), &entry).await;
    assert_eq!(second["outcome"], "needs_decision", "{second}");
    assert_eq!(second["members"], 1);
    assert_eq!(households_named(&app, "Оффлайнов").await, 1);

    // A member registered earlier: held, nothing written, until the volunteer decides on
    // the form, under the same key; the next send then finds it registered.
    app.post(&app.token_a, &family(), None).await;
    let before = households_named(&app, "Смирнов").await;
    let held_key = "5b1f3c1e-0d6e-4c0e-9a51-6b3d2c1a0f03";
    let mut duplicate = registration(held_key, &csrf, "Смирнов");
    duplicate.push(("m0.patronymic", "Игоревич"));
    duplicate.push(("m0.doc_type", "ru_internal_passport"));
    duplicate.push(("m0.doc_number", "4512 345678"));
    let (_, held) = send(&app, Some(held_key), &duplicate).await;
    assert_eq!(held["outcome"], "needs_decision", "{held}");
    assert_eq!(households_named(&app, "Смирнов").await, before);
    // Asked after while undecided: nothing checked again, nothing written.
    let checks = duplicate_checks(&app).await;
    assert!(checks > 0, "the held send was a logged duplicate check");
    assert_eq!(
        probe(&app, held_key, &duplicate).await["outcome"],
        "unchanged"
    );
    assert_eq!(
        duplicate_checks(&app).await,
        checks,
        "no second duplicate check"
    );
    assert_eq!(households_named(&app, "Смирнов").await, before);
    let mut decided = duplicate.clone();
    decided.push(("m0.attach", "new"));
    let saved = post_form(&app, &app.token_a, "/reception", &decided).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(households_named(&app, "Смирнов").await, before + 1);
    let after = probe(&app, held_key, &duplicate).await;
    assert_eq!(after["outcome"], "registered", "{after}");
    assert_eq!(households_named(&app, "Смирнов").await, before + 1);

    // Mistakes: nothing written, the outcome says so.
    let mut bad = registration("ignored", &csrf, "Ошибкин");
    bad.retain(|(name, _)| *name != "m0.birth_date");
    let bad_key = "5b1f3c1e-0d6e-4c0e-9a51-6b3d2c1a0f04";
    let (_, invalid) = send(&app, Some(bad_key), &bad).await;
    assert_eq!(invalid["outcome"], "invalid", "{invalid}");
    assert_eq!(households_named(&app, "Ошибкин").await, 0);
    // Corrected on the form under the entry's key: the entry as kept is done with.
    let mut corrected = bad.clone();
    corrected.retain(|(name, _)| *name != "submission");
    corrected.push(("submission", bad_key));
    corrected.push(("m0.birth_date", "01.01.1990"));
    let saved = post_form(&app, &app.token_a, "/reception", &corrected).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(probe(&app, bad_key, &bad).await["outcome"], "saved_before");
    assert_eq!(households_named(&app, "Ошибкин").await, 1);
    // No key, or one that is not a key: refused.
    let (status, _) = send(&app, None, &entry).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send(&app, Some("short"), &entry).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Without the session's form token: refused like any form.
    let mut forged = entry.clone();
    forged.retain(|(name, _)| *name != "csrf");
    let response = browser()
        .post(app.url("/reception/outbox"))
        .header(COOKIE, session(&app.token_a))
        .header("Idempotency-Key", "5b1f3c1e-0d6e-4c0e-9a51-6b3d2c1a0f05")
        .form(&forged)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// The duplicate checks logged so far (each is a read of other people's records).
async fn duplicate_checks(app: &TestApp) -> usize {
    let log = app
        .json_of(&app.admin_a, "/api/v1/access-log?limit=200")
        .await;
    log["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|e| e["action"] == "duplicate_check")
                .count()
        })
        .unwrap_or(0)
}
