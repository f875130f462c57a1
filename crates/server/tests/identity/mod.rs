//! Identity resolution over the API: possible duplicates at registration and on edit,
//! search, and the review queue.

use crate::support::id_of;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_store::testing::Backend;

use crate::support::{TestApp, family, problem};

on_both_backends!(
    registration_warns_of_possible_duplicates_and_search_finds_them,
    an_edit_that_makes_a_member_match_queues_the_pair,
    review_queue_merge_undo_remerge_keeps_counts_and_audit,
);

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
        .post_for_json(
            &app.token_a,
            "/api/v1/persons/search",
            &json!({"q": "Aleksey Smirnov"}),
        )
        .await;
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
        .json_of(&app.token_a, "/api/v1/persons/search?q=4512%20345678")
        .await;
    assert_eq!(
        by_document["items"].as_array().map(Vec::len),
        Some(2),
        "{by_document}"
    );
    let reference = first["reference"].as_str().expect("reference");
    let by_reference: Value = app
        .post_for_json(
            &app.token_a,
            "/api/v1/persons/search",
            &json!({"q": reference}),
        )
        .await;
    assert_eq!(by_reference["items"].as_array().map(Vec::len), Some(4));
    // Blank text finds nobody (as the place list): a typeahead may ask before typing.
    let blank = app
        .post_json(&app.token_a, "/api/v1/persons/search", &json!({"q": "  "}))
        .await;
    assert_eq!(blank.status(), StatusCode::OK);
    let blank: Value = blank.json().await.expect("json");
    assert_eq!(blank["items"], json!([]));
    let (status, _) = app
        .get_problem(&app.token_a, "/api/v1/persons/search")
        .await;
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
    let queue: Value = app.json_of(&app.token_a, "/api/v1/duplicates").await;
    assert_eq!(pending(&queue), 0, "{queue}");
    // The registrar corrects the record from the passport: now it is Smirnov's.
    let id = id_of(&second);
    let member = second["members"][0]["id"].clone();
    let correction = json!({"members": [
        {"id": member, "surname": "Смирнов", "given_name": "Алексей", "patronymic": "Игоревич",
         "sex": "male", "birth_date": "1995-03-02", "relationship": "head",
         "documents": [{"type": "ru_internal_passport", "number": "4512 345678"}]}
    ]});
    for round in 0..2 {
        let response = app.patch(&app.token_a, id, &correction, None).await;
        assert_eq!(response.status(), StatusCode::OK, "round {round}");
        let queue: Value = app.json_of(&app.token_a, "/api/v1/duplicates").await;
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
    let counts: Value = app.json_of(&app.token_a, "/api/v1/persons/count").await;
    assert_eq!(counts, json!({"records": 5, "resolved_persons": 5}));

    let queue: Value = app.json_of(&app.token_a, "/api/v1/duplicates").await;
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
    let id = id_of(pair).to_owned();
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
        app.post_action(&app.token_a, &format!("/api/v1/duplicates/{id}/undo"))
            .await
    };
    let resolved = async || {
        let c: Value = app.json_of(&app.token_a, "/api/v1/persons/count").await;
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
            .get(&app.token_a, &format!("/api/v1/households/{}", id_of(h)))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    // "Different" is remembered: the pair leaves the queue and is not proposed again.
    assert_eq!(undo().await.status(), StatusCode::OK);
    assert_eq!(decide("different").await.status(), StatusCode::OK);
    assert_eq!(resolved().await, 5);
    let pending: Value = app.json_of(&app.token_a, "/api/v1/duplicates").await;
    assert_eq!(pending["items"], json!([]));
    let different: Value = app
        .json_of(&app.token_a, "/api/v1/duplicates?status=different")
        .await;
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
    let (status, _) = app
        .get_problem(&app.token_b, &format!("/api/v1/duplicates/{id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get_problem(&app.token_a, "/api/v1/duplicates?status=maybe")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .post_problem(
            &app.token_a,
            &format!("/api/v1/duplicates/{id}/decision"),
            &json!({"decision": "perhaps"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
