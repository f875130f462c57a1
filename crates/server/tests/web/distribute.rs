//! The distribution screen: nothing preset, "+1" on one line, nothing recorded until the
//! volunteer records it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::super::{Backend, TestApp, family};
use super::{csrf_of, field_of, get, post_form};

on_both_backends!(plus_one_raises_one_line_and_records_nothing);

async fn plus_one_raises_one_line_and_records_nothing(app: TestApp) {
    let mut ids = Vec::new();
    for (name, code) in [
        ("Гигиенический набор", "hygiene_kit"),
        ("Одеяло", "blanket"),
    ] {
        let response = app
            .post_json(
                &app.admin_a,
                "/api/v1/items",
                &json!({"name": name, "unit": "шт.", "code": code,
                    "rules": [{"basis": "per_person", "quantity": 1, "period_days": 30}]}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let item: Value = response.json().await.expect("json");
        ids.push(item["id"].as_str().expect("id").to_owned());
    }
    let household = app.create(&family()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let path = format!("/distribute/{household}");
    let (status, page) = get(&app, &app.admin_a, &path).await;
    assert_eq!(status, StatusCode::OK);
    let (kit, blanket) = (format!("q.{}", ids[0]), format!("q.{}", ids[1]));
    assert_eq!(
        field_of(&page, &kit).as_deref(),
        Some("0"),
        "nothing preset"
    );
    assert!(page.contains(&format!("name=\"plus\" value=\"{}\"", ids[0])));
    assert!(
        page.contains("aria-label=\"Ещё один: Гигиенический набор\""),
        "the button names its item"
    );
    let csrf = csrf_of(&page);
    let submission = field_of(&page, "submission").expect("submission");

    let audit_before = app.count("audit_events").await;
    let mut quantities = ("0".to_owned(), "0".to_owned());
    for expected in ["1", "2"] {
        let response = post_form(
            &app,
            &app.admin_a,
            &path,
            &[
                ("csrf", &csrf),
                ("submission", &submission),
                (&kit, &quantities.0),
                (&blanket, &quantities.1),
                ("plus", &ids[0]),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.expect("body");
        quantities = (
            field_of(&page, &kit).expect("kit"),
            field_of(&page, &blanket).expect("blanket"),
        );
        assert_eq!(quantities.0, expected);
        assert_eq!(quantities.1, "0", "the other line is untouched");
    }
    assert_eq!(
        app.count("audit_events").await,
        audit_before,
        "nothing recorded"
    );
}

on_both_backends!(items_are_named_in_the_readers_language);

/// A volunteer who reads Kazakh or English sees the catalogue in that language; the
/// catalogue's own name stays for a language without a translation.
async fn items_are_named_in_the_readers_language(app: TestApp) {
    let response = app
        .post_json(
            &app.admin_a,
            "/api/v1/items",
            &json!({"name": "Гигиенический набор", "unit": "набор", "code": "hygiene_kit",
            "rules": [{"basis": "per_person", "quantity": 1, "period_days": 30}],
            "translations": {
                "en": {"name": "Hygiene kit", "unit": "kit"},
                "kk": {"name": "Гигиеналық жиынтық"}
            }}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let household = app.create(&family()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let page_in = async |lang: &str| {
        let path = format!("/distribute/{household}");
        let (status, page) = super::get_in(&app, &app.admin_a, lang, &path).await;
        assert_eq!(status, StatusCode::OK);
        page
    };
    let english = page_in("en").await;
    assert!(english.contains("Hygiene kit"), "the English name");
    assert!(english.contains(">kit<"), "the English unit");
    assert!(!english.contains("Гигиенический"), "no Russian name left");
    let kazakh = page_in("kk").await;
    assert!(kazakh.contains("Гигиеналық жиынтық"));
    assert!(kazakh.contains(">набор<"), "no Kazakh unit: the item's own");
    let kyrgyz = page_in("ky").await;
    assert!(
        kyrgyz.contains("Гигиенический набор"),
        "no Kyrgyz name: the item's own"
    );
}
