//! `GET /api/v1/places`: the place list's search over HTTP, on both backends.

use reqwest::StatusCode;
use serde_json::Value;
use shanyrak_core::Role;

use super::{Backend, TestApp, problem};

mod records;

on_both_backends!(places_are_found_by_any_name_in_any_script);

async fn ids(app: &TestApp, token: &str, q: &str) -> Vec<u64> {
    let response = app
        .get(token, &format!("/api/v1/places?q={}", urlencode(q)))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{q}");
    let body: Value = response.json().await.expect("json");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["id"].as_u64().expect("id"))
        .collect()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn places_are_found_by_any_name_in_any_script(app: TestApp) {
    const ORAL: u64 = 608668;
    const BISHKEK: u64 = 1528675;
    const ALMATY: u64 = 1526384;
    let token = app.token_a.clone();

    // The finding: "Уральск" and "Oral" are one city.
    for name in ["Уральск", "Орал", "Oral", "Uralsk", "ОРАЛ", "Ural'sk"] {
        assert_eq!(ids(&app, &token, name).await.first(), Some(&ORAL), "{name}");
    }
    for name in ["Фрунзе", "Бишкек", "Bishkek", "Frunze"] {
        assert_eq!(
            ids(&app, &token, name).await.first(),
            Some(&BISHKEK),
            "{name}"
        );
    }
    for name in ["Алма-Ата", "Алматы", "Almaty", "Alma Ata"] {
        assert_eq!(
            ids(&app, &token, name).await.first(),
            Some(&ALMATY),
            "{name}"
        );
    }
    // A spelling the list does not hold, which only transliteration-insensitive
    // folding finds (core's own folding does not).
    assert_eq!(ids(&app, &token, "Karaghandy").await.first(), Some(&609655));
    let core_index = shanyrak_core::places::PlaceList::embedded()
        .expect("list")
        .into_index();
    assert!(core_index.search("Karaghandy", 10).is_empty());

    // Typeahead: the start of a name in each script.
    for (prefix, id) in [
        ("Урал", ORAL),
        ("Бишк", BISHKEK),
        ("bish", BISHKEK),
        ("Алма", ALMATY),
        ("Ақтө", 610611),
        ("Aktob", 610611),
        ("Өске", 1520316),
    ] {
        assert!(
            ids(&app, &token, prefix).await.contains(&id),
            "{prefix} should offer {id}"
        );
    }

    // The answer's shape, for a crossing point and for a city.
    let body = app.json_of(&token, "/api/v1/places?q=Syrym&limit=1").await;
    let syrym = &body["items"][0];
    assert_eq!(syrym["kind"], "crossing_point");
    assert_eq!(syrym["names"]["ru"], "Сырым");
    assert_eq!(syrym["country"], "KZ");
    assert_eq!(syrym["region"]["iso"], "KZ-27");
    assert_eq!(syrym["matched"], "exact");
    // A crossing point keeps its region's clock.
    assert_eq!(syrym["time_zone"], "Asia/Oral");
    assert_eq!(syrym["region"]["time_zone"], "Asia/Oral");
    let body = app
        .json_of(
            &token,
            &format!("/api/v1/places?q={}", urlencode("Уральск")),
        )
        .await;
    let oral = &body["items"][0];
    assert_eq!(oral["names"]["ru"], "Уральск");
    assert_eq!(oral["names"]["kk"], "Орал");
    assert_eq!(oral["names"]["en"], "Oral");
    assert_eq!(
        oral["region"]["names"]["ru"],
        "Западно-Казахстанская область"
    );
    let lat = oral["coordinates"]["lat"].as_f64().expect("lat");
    let lon = oral["coordinates"]["lon"].as_f64().expect("lon");
    assert!((51.0..51.5).contains(&lat) && (51.0..52.0).contains(&lon));
    assert_eq!(oral["matched_name"], "Уральск");
    assert_eq!(oral["time_zone"], "Asia/Oral");
    for (name, zone) in [("Бишкек", "Asia/Bishkek"), ("Almaty", "Asia/Almaty")] {
        let body = app
            .json_of(
                &token,
                &format!("/api/v1/places?q={}&limit=1", urlencode(name)),
            )
            .await;
        assert_eq!(body["items"][0]["time_zone"], zone, "{name}");
    }

    // Limits, and what is not a search.
    let body = app.json_of(&token, "/api/v1/places?q=%D0%90&limit=3").await;
    assert_eq!(body["items"].as_array().expect("items").len(), 3);
    assert!(ids(&app, &token, "   ").await.is_empty());
    assert!(ids(&app, &token, "").await.is_empty());
    for (query, pointer) in [
        ("", "#/q"),
        (&*format!("?q={}", "a".repeat(101)), "#/q"),
        ("?q=Oral&limit=0", "#/limit"),
        ("?q=Oral&limit=51", "#/limit"),
        ("?q=Oral&limit=many", "#/q"),
    ] {
        let (status, body) =
            problem(app.get(&token, &format!("/api/v1/places{query}")).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["code"], "invalid_query", "{query}");
        assert_eq!(body["errors"][0]["pointer"], pointer, "{query}");
    }

    // Any signed-in role may search; nobody else.
    let analyst = app
        .user_of_a("places-analyst@example.org", Role::Analyst)
        .await;
    assert_eq!(ids(&app, &analyst, "Oral").await.first(), Some(&ORAL));
    let anonymous = app
        .client
        .get(app.url("/api/v1/places?q=Oral"))
        .send()
        .await
        .expect("send");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

on_both_backends!(a_household_waiting_at_a_border_post_travels_from_there);

/// A family registered while still at the Syrym crossing: its current location is stored
/// with the place's coordinates, listed on the waiting list, refused when it names no
/// place, and the proposal measures travel from the border post to the site, not from the
/// centre of its city. A PATCH to `null` clears it.
async fn a_household_waiting_at_a_border_post_travels_from_there(app: TestApp) {
    const SYRYM: u64 = 1_000_000_001;
    let site = serde_json::json!({"name": "Общежитие", "kind": "dormitory",
        "location": {"country": "KZ", "city": "Oral"},
        "coordinates": {"latitude": 51.2300, "longitude": 51.3700}});
    let (_site, _) = app
        .site_of(
            &site,
            &[serde_json::json!({"kind": "family_room", "room_size": 4, "beds": 8})],
        )
        .await;

    let mut body = super::family();
    body["current_location"] = serde_json::json!({"place_id": 1});
    let (status, refused) = problem(app.post(&app.token_a, &body, None).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused["errors"][0]["pointer"], "#/current_location/place_id",
        "{refused}"
    );

    body["current_location"] = serde_json::json!({"place_id": SYRYM});
    let created = app.create(&body).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let household = app
        .json_of(&app.token_a, &format!("/api/v1/households/{id}"))
        .await;
    assert_eq!(household["current_location"]["place_id"], SYRYM);
    assert_eq!(
        household["current_location"]["coordinates"],
        serde_json::json!({"latitude": 51.5, "longitude": 51.1}),
        "the place's own coordinates"
    );
    let waiting = app.json_of(&app.admin_a, "/api/v1/waiting-list").await;
    assert_eq!(
        waiting["items"][0]["current_location"]["place_id"], SYRYM,
        "{waiting}"
    );

    let oral = serde_json::json!({"city": "Oral"});
    let batch = app.created(&app.admin_a, "/api/v1/placements", &oral).await;
    let reason = &batch["solution"]["proposals"][0]["reason"];
    assert_eq!(reason["travel_from"], "current_position", "{batch}");
    let km = reason["travel_km"].as_f64().expect("km");
    // Syrym (51.5 N, 51.1 E) to the site (51.23 N, 51.37 E): about 35 km.
    assert!((30.0..40.0).contains(&km), "{km} km: {batch}");

    let patched = app
        .patched(
            &app.token_a,
            &household,
            &serde_json::json!({"current_location": null}),
        )
        .await;
    assert_eq!(patched["current_location"], Value::Null, "{patched}");
}

on_both_backends!(a_large_family_takes_several_rooms_only_with_its_consent);

/// A family of seven at a site of four-bed family rooms: without consent it waits (no
/// room holds it whole); once the household record says it accepts several rooms, the
/// next batch gives it two rooms of the same site, each room with a child holding an
/// adult of the family.
async fn a_large_family_takes_several_rooms_only_with_its_consent(app: TestApp) {
    let site = serde_json::json!({"name": "Студенческое общежитие", "kind": "dormitory",
        "location": {"country": "KZ", "city": "Oral"}});
    let (site_id, _) = app
        .site_of(
            &site,
            &[serde_json::json!({"kind": "family_room", "room_size": 4, "beds": 8})],
        )
        .await;

    let mut body = super::family();
    let members = body["members"].as_array_mut().expect("members");
    for (given, birth) in [
        ("Мария", "2012-04-01"),
        ("Олег", "2016-09-12"),
        ("Анна", "2019-01-30"),
    ] {
        members.push(
            serde_json::json!({"surname": "Смирнова", "given_name": given,
            "sex": if given == "Олег" { "male" } else { "female" }, "birth_date": birth,
            "relationship": "child"}),
        );
    }
    let created = app.create(&body).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let household = app
        .json_of(&app.token_a, &format!("/api/v1/households/{id}"))
        .await;
    assert_eq!(household["accepts_several_rooms"], false, "{household}");

    let propose = || async {
        let oral = serde_json::json!({"city": "Oral"});
        app.created(&app.admin_a, "/api/v1/placements", &oral).await
    };
    let batch = propose().await;
    assert_eq!(
        batch["solution"]["proposals"].as_array().map(Vec::len),
        Some(0),
        "seven people, rooms of four, no consent: {batch}"
    );

    app.patched(
        &app.token_a,
        &household,
        &serde_json::json!({"accepts_several_rooms": true}),
    )
    .await;
    let batch = propose().await;
    let proposal = &batch["solution"]["proposals"][0];
    assert_eq!(proposal["household_id"], id.as_str(), "{batch}");
    assert_eq!(proposal["site_id"], site_id.as_str());
    assert_eq!(proposal["reason"]["arrangement"], "family_rooms", "{batch}");
    assert_eq!(proposal["people"], 7);
}
