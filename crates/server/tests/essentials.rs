//! Essentials over HTTP: catalogue, stock, entitlements, idempotent distributions,
//! overrides, reports and their problem documents.

use crate::support::id_of;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_core::Role;

use super::{Backend, TestApp, family, problem};

on_both_backends!(
    aid_point_flow_from_delivery_to_reports,
    item_rules_change_from_now_on_and_are_audited,
);

async fn aid_point_flow_from_delivery_to_reports(app: TestApp) {
    let clerk = app.user_of_a("clerk@example.org", Role::Distributor).await;
    let analyst = app.user_of_a("analyst@example.org", Role::Analyst).await;
    let json_of = async |response: reqwest::Response, expected: StatusCode| -> Value {
        assert_eq!(response.status(), expected);
        response.json().await.expect("json")
    };

    // Catalogue and point; a rule with a zero period is refused with a pointer.
    let bad = app
        .post_json(
            &clerk,
            "/api/v1/items",
            &json!({"name": "Hygiene kit", "unit": "kit",
            "rules": [{"basis": "per_person", "quantity": 1, "period_days": 0}]}),
        )
        .await;
    let (status, body) = problem(bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/rules/0/period_days");
    let kit = json_of(
        app.post_json(
            &clerk,
            "/api/v1/items",
            &json!({"name": "Hygiene kit", "unit": "kit", "code": "hygiene_kit",
            "rules": [{"basis": "per_person", "quantity": 1, "period_days": 30}]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let point = json_of(
        app.post_json(
            &clerk,
            "/api/v1/distribution-points",
            &json!({"name": "Мечеть", "city": "Oral"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let point_path = format!("/api/v1/distribution-points/{}", id_of(&point));
    json_of(
        app.post_json(
            &clerk,
            &format!("{point_path}/receipts"),
            &json!({"item_id": kit["id"], "quantity": 5}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let loss = app
        .post_json(
            &clerk,
            &format!("{point_path}/adjustments"),
            &json!({"item_id": kit["id"], "quantity": 1, "kind": "loss"}),
        )
        .await;
    let (status, body) = problem(loss).await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("#/reason"))
    );

    // A household of four: four kits due.
    let household = app.create(&family()).await;
    let household_id = id_of(&household);
    let view = json_of(
        app.get(
            &clerk,
            &format!("/api/v1/households/{household_id}/entitlements"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view["items"][0]["remaining"], 4);
    assert_eq!(
        app.get(
            &analyst,
            &format!("/api/v1/households/{household_id}/entitlements")
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );

    // Recorded once under an Idempotency-Key, replayed on retry.
    let give = json!({"household_id": household_id, "point_id": point["id"], "lines": [{"item_id": kit["id"], "quantity": 4}]});
    let send = async |body: &Value, key: Option<&str>| {
        let mut request = app
            .client
            .post(app.url("/api/v1/distributions"))
            .bearer_auth(&clerk)
            .json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.expect("send")
    };
    let first = json_of(send(&give, Some("d-1")).await, StatusCode::CREATED).await;
    let retry = send(&give, Some("d-1")).await;
    assert_eq!(
        retry
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(json_of(retry, StatusCode::CREATED).await, first);

    // Beyond the entitlement: refused without a reason, recorded with one.
    let again = json!({"household_id": household_id, "point_id": point["id"], "lines": [{"item_id": kit["id"], "quantity": 1}]});
    let (status, body) = problem(send(&again, None).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/override_reason");
    assert!(!body.to_string().contains("Смирнов"));
    let mut with_reason = again.clone();
    with_reason["override_reason"] = json!("kit stolen at the shelter");
    let overridden = json_of(send(&with_reason, None).await, StatusCode::CREATED).await;
    assert_eq!(overridden["overridden"], true);
    // The point is now empty: the next one is a conflict, not a negative balance.
    let (status, body) = problem(send(&with_reason, None).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("insufficient_stock"))
    );

    let stock = json_of(
        app.get(&clerk, &format!("{point_path}/stock")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stock["levels"][0]["quantity"], 0);

    // Reports: aggregates for analysts; a bad dimension is a 400 naming the parameter.
    let report = json_of(
        app.get(&analyst, "/api/v1/reports/distributions?by=group")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["rows"][0]["key"], "arrival");
    assert_eq!(report["rows"][0]["quantity"], 5);
    let (status, body) = app
        .get_problem(&analyst, "/api/v1/reports/distributions?by=name")
        .await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::BAD_REQUEST, Some("#/by"))
    );
    let stock_report = json_of(
        app.get(&analyst, "/api/v1/reports/stock").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stock_report["alerts"][0]["on_hand"], 0);
    assert_eq!(stock_report["alerts"][0]["low"], true);
}

async fn item_rules_change_from_now_on_and_are_audited(app: TestApp) {
    let clerk = app.user_of_a("clerk@example.org", Role::Distributor).await;
    let item = app
        .created(
            &clerk,
            "/api/v1/items",
            &json!({"name": "Вода 5 л", "unit": "bottle", "code": "water_5l",
            "rules": [{"basis": "per_household", "quantity": 1, "period_days": 1}]}),
        )
        .await;
    let rules_path = format!("/api/v1/items/{}/rules", id_of(&item));
    let household = app.create(&family()).await;
    let entitlements = format!("/api/v1/households/{}/entitlements", id_of(&household));
    let remaining = async || -> Value {
        let view: Value = app.json_of(&clerk, &entitlements).await;
        view["items"][0]["remaining"].clone()
    };
    assert_eq!(remaining().await, json!(1));
    let put = async |token: &str, body: Value| {
        app.client
            .put(app.url(&rules_path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("send")
    };
    // The heat: two bottles per person a day from now on.
    let changed = put(
        &clerk,
        json!({"rules": [{"basis": "per_person", "quantity": 2, "period_days": 1}]}),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.expect("json");
    assert_eq!(changed["code"], "water_5l");
    assert_eq!(changed["rules"][0]["quantity"], 2);
    assert_eq!(remaining().await, json!(8), "four people, two each");
    // Bad rules: the pointer says which; missing rules are refused, not read as "none".
    let (status, body) = problem(
        put(
            &clerk,
            json!({"rules": [{"basis": "per_person", "quantity": 0, "period_days": 1}]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/rules/0/quantity");
    let (status, body) = problem(put(&clerk, json!({})).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/rules");
    assert_eq!(remaining().await, json!(8), "unchanged by refused requests");
    // Other roles and other organisations.
    let analyst = app.user_of_a("analyst@example.org", Role::Analyst).await;
    assert_eq!(
        put(&analyst, json!({"rules": []})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(&app.admin_b, json!({"rules": []})).await.status(),
        StatusCode::NOT_FOUND
    );
    // Lifting every limit.
    let lifted = put(&clerk, json!({"rules": []})).await;
    assert_eq!(lifted.status(), StatusCode::OK);
    // Each change is in the audit log with the rules before and after.
    let audit: Value = app
        .json_of(
            &app.admin_a,
            &format!("/api/v1/audit?entity_id={}", id_of(&item)),
        )
        .await;
    let changes: Vec<&Value> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "update_rules")
        .collect();
    assert_eq!(changes.len(), 2, "{audit}");
    assert_eq!(changes[0]["before"]["rules"][0]["basis"], "per_household");
    assert_eq!(changes[0]["after"]["rules"][0]["basis"], "per_person");
    assert_eq!(changes[1]["after"]["rules"], json!([]));
}

on_both_backends!(item_translations_are_replaced_whole_and_audited);

async fn item_translations_are_replaced_whole_and_audited(app: TestApp) {
    let clerk = app.user_of_a("clerk@example.org", Role::Distributor).await;
    let item = app
        .created(
            &clerk,
            "/api/v1/items",
            &json!({"name": "Одеяло", "unit": "шт.", "code": "blanket",
                "translations": {"en": {"name": "Blanket", "unit": "pcs"}}}),
        )
        .await;
    assert_eq!(item["translations"]["en"]["name"], "Blanket");
    let path = format!("/api/v1/items/{}/translations", id_of(&item));
    let put = async |token: &str, body: Value| {
        app.client
            .put(app.url(&path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("send")
    };
    let audit_before = app.count("audit_events").await;
    let changed = put(
        &clerk,
        json!({"translations": {"kk": {"name": "Көрпе", "unit": "дана"}, "ky": {"name": "Жууркан"}}}),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.expect("json");
    assert_eq!(changed["translations"]["kk"]["unit"], "дана");
    assert_eq!(changed["translations"]["ky"]["name"], "Жууркан");
    assert!(changed["translations"]["en"].is_null(), "replaced whole");
    assert_eq!(changed["name"], "Одеяло", "the item's own name stays");
    assert_eq!(app.count("audit_events").await, audit_before + 1);
    let listed: Value = app.json_of(&clerk, "/api/v1/items").await;
    assert_eq!(listed["items"][0]["translations"]["kk"]["name"], "Көрпе");

    // Bad input names the language and the field; nothing changes.
    let (status, body) =
        problem(put(&clerk, json!({"translations": {"kk": {"unit": "дана"}}})).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/translations/kk/name");
    let (status, body) = problem(
        put(
            &clerk,
            json!({"translations": {"Kazakh": {"name": "Көрпе"}}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/translations");
    let (status, _) = problem(put(&clerk, json!({})).await).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "required, not read as none"
    );
    // Other roles and other organisations.
    let analyst = app.user_of_a("analyst@example.org", Role::Analyst).await;
    let empty = json!({"translations": {}});
    assert_eq!(
        put(&analyst, empty.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(&app.admin_b, empty.clone()).await.status(),
        StatusCode::NOT_FOUND
    );
    // `{}` removes them all.
    let cleared: Value = put(&clerk, empty).await.json().await.expect("json");
    assert_eq!(cleared["translations"], json!({}));
}
