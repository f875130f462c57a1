//! Households and sites carry the place of their city: every spelling of one place is one
//! place for the dashboard and the dispatcher, and a coordinator maps the names the list
//! does not know once for all records. Both backends.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::super::{Backend, TestApp, family, problem};

const ORAL: u64 = 608_668;

on_both_backends!(
    every_spelling_of_a_city_is_one_place_for_records_figures_and_placement,
    a_coordinator_maps_an_unconfirmed_place_once_for_every_record
);

fn family_in(city: &str) -> Value {
    let mut body = family();
    body["location"]["city"] = json!(city);
    body
}

async fn household(app: &TestApp, id: &str) -> Value {
    let response = app
        .get(&app.token_a, &format!("/api/v1/households/{id}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

async fn every_spelling_of_a_city_is_one_place_for_records_figures_and_placement(app: TestApp) {
    // The finding: the sites are under "Oral", the volunteer typed "Уральск", and the
    // dashboard showed "Уральск: waiting, 0 beds" while the family was sent far away.
    let (site, _) = app
        .site_with_pools(&[json!({"kind": "family_room", "room_size": 4, "beds": 8})])
        .await;
    let response = app
        .get(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await;
    let site_body: Value = response.json().await.expect("json");
    assert_eq!(
        site_body["location"]["place_id"],
        json!(ORAL),
        "{site_body}"
    );

    let created = app.create(&family_in("Уральск")).await;
    let id = created["id"].as_str().expect("id");
    let stored = household(&app, id).await;
    assert_eq!(
        stored["location"]["city"],
        json!("Уральск"),
        "kept as typed"
    );
    assert_eq!(stored["location"]["place_id"], json!(ORAL), "{stored}");

    let response = app.get(&app.admin_a, "/api/v1/stats").await;
    assert_eq!(response.status(), StatusCode::OK);
    let stats: Value = response.json().await.expect("json");
    let gaps = stats["gaps"].as_array().expect("gaps");
    assert_eq!(gaps.len(), 1, "one city, not two: {gaps:?}");
    assert_eq!(gaps[0]["city"], json!("KZ/Oral"));
    assert_eq!(gaps[0]["waiting_persons"], json!(4));
    assert_eq!(gaps[0]["free_beds"], json!(8));

    // The dispatcher asks for "Уральск" and gets Oral's waiting and Oral's beds; the
    // family is proposed a bed in its own city.
    let response = app
        .post_json(
            &app.admin_a,
            "/api/v1/placements",
            &json!({"city": "Уральск"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let batch: Value = response.json().await.expect("json");
    let proposals = batch["solution"]["proposals"]
        .as_array()
        .expect("proposals");
    assert_eq!(proposals.len(), 1, "{batch}");
    assert_eq!(proposals[0]["household_id"], json!(id));
    assert_eq!(proposals[0]["site_id"], json!(site));
    let reason = &proposals[0]["reason"];
    assert_eq!(reason["in_preferred_city"], json!(true), "{batch}");
    assert_eq!(reason["travel_km"], json!(0.0), "{batch}");
}

async fn a_coordinator_maps_an_unconfirmed_place_once_for_every_record(app: TestApp) {
    let misspelt = app.create(&family_in("Уралськ")).await;
    let misspelt = misspelt["id"].as_str().expect("id").to_owned();
    assert_eq!(
        household(&app, &misspelt).await["location"]["place_id"],
        Value::Null,
        "a name the list does not know stays unconfirmed"
    );
    app.create(&family_in("Oral")).await;

    let response = app.get(&app.admin_a, "/api/v1/places/unconfirmed").await;
    assert_eq!(response.status(), StatusCode::OK);
    let listed: Value = response.json().await.expect("json");
    assert_eq!(
        listed["items"],
        json!([{"country": "KZ", "city": "Уралськ", "households": 1, "sites": 0}])
    );

    // Registrars may not map (nor see the list); a place of another country or no place
    // at all is refused with the field named.
    let response = app.get(&app.token_a, "/api/v1/places/unconfirmed").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    for (body, pointer) in [
        (
            json!({"country": "KZ", "city": "Уралськ", "place_id": 1_528_675}),
            "#/place_id",
        ),
        (
            json!({"country": "KZ", "city": "Уралськ", "place_id": 1}),
            "#/place_id",
        ),
        (
            json!({"country": "XX", "city": "Уралськ", "place_id": ORAL}),
            "#/country",
        ),
        (
            json!({"country": "KZ", "city": "  ", "place_id": ORAL}),
            "#/city",
        ),
    ] {
        let response = app
            .post_json(&app.admin_a, "/api/v1/places/unconfirmed", &body)
            .await;
        let (status, problem) = problem(response).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(problem["errors"][0]["pointer"], json!(pointer), "{problem}");
    }

    let response = app
        .post_json(
            &app.admin_a,
            "/api/v1/places/unconfirmed",
            &json!({"country": "KZ", "city": "Уралськ", "place_id": ORAL}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mapped: Value = response.json().await.expect("json");
    assert_eq!(mapped, json!({"households": 1, "sites": 0}));
    assert_eq!(
        household(&app, &misspelt).await["location"]["place_id"],
        json!(ORAL)
    );
    let response = app.get(&app.admin_a, "/api/v1/places/unconfirmed").await;
    let listed: Value = response.json().await.expect("json");
    assert_eq!(listed["items"], json!([]));

    // A later record with the name, in another case, is linked when written; an edit that
    // keeps the name keeps the place.
    let later = app.create(&family_in("УРАЛЬСК ")).await;
    let later = later["id"].as_str().expect("id").to_owned();
    assert_eq!(
        household(&app, &later).await["location"]["place_id"],
        json!(ORAL)
    );
    let later2 = app.create(&family_in("уралськ")).await;
    let later2 = later2["id"].as_str().expect("id").to_owned();
    assert_eq!(
        household(&app, &later2).await["location"]["place_id"],
        json!(ORAL)
    );
    let response = app
        .patch(
            &app.token_a,
            &misspelt,
            &json!({"notes": "checked at the desk"}),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        household(&app, &misspelt).await["location"]["place_id"],
        json!(ORAL),
        "an edit that keeps the name keeps its place"
    );
    let response = app
        .patch(
            &app.token_a,
            &misspelt,
            &json!({"location": {"city": "Бирюлёво"}}),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        household(&app, &misspelt).await["location"]["place_id"],
        Value::Null,
        "a new name drops the old place"
    );
}
