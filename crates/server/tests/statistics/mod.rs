//! Coordinator figures count resolved persons; the public release identifies no one.

use crate::support::id_of;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_store::testing::Backend;

use crate::support::{TestApp, family, problem};

on_both_backends!(statistics_count_resolved_persons_and_publish_nothing_identifying,);

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
        let site = app
            .created(
                &app.admin_a,
                "/api/v1/sites",
                &json!({"name": name, "kind": kind, "location": {"country": "KZ", "city": "Oral"},
                "rules": {"sex_segregated": kind == "mosque"}}),
            )
            .await;
        let id = id_of(&site);
        app.created(&app.admin_a, &format!("/api/v1/sites/{id}/pools"), &pool)
            .await;
    }
    app.create(&family()).await;
    let mut again = family();
    again["members"] = json!([{"surname": "SMIRNOV", "given_name": "ALEKSEI", "sex": "male", "birth_date": "1995-03-02",
        "relationship": "head", "documents": [{"type": "ru_internal_passport", "number": "4512345678"}]}]);
    app.create(&again).await;

    let stats = app.json_of(&app.token_a, "/api/v1/stats").await;
    assert_eq!(stats["population"]["records"], 5);
    assert_eq!(stats["population"]["persons"], 5);
    app.decide_first_pair_same().await;
    let stats = app.json_of(&app.token_a, "/api/v1/stats").await;
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
    let (status, _) = problem(app.anonymous_get("/api/v1/stats").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Public figures come from scheduled releases; the one made at start saw no one yet.
    // Make the next release as the schedule would, hours later.
    assert!(app.release_public_figures(5).await);
    // Public figures: no sign-in, small cells hidden, no site named.
    let public = app.public_json("/api/v1/public/stats").await;
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
    let csv = app.public_text("/api/v1/public/stats.csv").await;
    assert!(csv.starts_with("table,row,column,value,suppressed\n"));
    assert!(
        csv.contains("persons_by_city_and_group,KZ/Oral,arrival,,true"),
        "{csv}"
    );
    let page = app.public_text("/public/stats").await;
    for published in [public.to_string(), csv.clone(), page.clone()] {
        assert!(
            !published.contains("Мечеть") && !published.contains("Спорткомплекс"),
            "a site is named: {published}"
        );
        // The whole document number: its first four digits can turn up by chance in a
        // timestamp's fraction of a second.
        assert!(
            !published.contains("Смирнов")
                && !published.contains("4512 345678")
                && !published.contains("4512345678"),
            "{published}"
        );
    }
    // The page in the layout of the rest (its scripts are files of ours), no inline script.
    assert!(page.contains("<table") && !page.contains("<script>"));
    // In the visitor's language, groups in words, tables that scroll on a phone, and the
    // same figures to download.
    for (language, heading, group) in [
        ("ru", "Люди по городу и группе", "прибывшие из-за рубежа"),
        ("en", "People by city and group", "arrived from abroad"),
        ("kk", "Қала мен топ бойынша адамдар", "шетелден келгендер"),
        ("ky", "Шаар жана топ боюнча адамдар", ""),
    ] {
        let page = app
            .client
            .get(app.url("/public/stats"))
            .header("Accept-Language", language)
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("text");
        assert!(page.contains(heading), "{language}: {page}");
        assert!(page.contains(group), "{language}: {page}");
        assert!(!page.contains(">arrival<"), "a raw code: {page}");
        assert!(page.contains("class=\"table-wrap\""));
        assert!(page.contains("href=\"/api/v1/public/stats.csv\""));
    }

    // Releases are snapshots: more arrivals do not change the figures until the next one.
    for _ in 0..3 {
        app.create(&family()).await;
    }
    let later = app.public_json("/api/v1/public/stats").await;
    assert_eq!(later, public);
}
