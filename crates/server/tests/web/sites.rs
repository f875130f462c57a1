//! Sites, dispatch, walk-in check-in, the waiting list and duplicate review pages.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::super::{Backend, TestApp, family};
use super::{csrf_of, get, location, page_link, post_form};

on_both_backends!(
    web_a_long_site_list_starts_from_its_cities,
    a_site_page_counts_family_rooms_as_the_api_does,
    a_proposal_batch_page_presets_nothing_and_offers_pools_of_its_city,
    a_duplicate_pair_is_compared_in_words_of_the_users_language,
    a_family_without_a_reservation_is_checked_in_on_the_spot,
    the_waiting_list_is_paged_and_filtered_by_city,
    a_proposal_batch_offers_roomy_pools_of_its_region_finds_others_and_is_paged,
    a_sites_times_are_on_its_own_clock,
    a_site_may_set_its_own_time_zone,
);

async fn web_a_long_site_list_starts_from_its_cities(app: TestApp) {
    let site = |name: &str, city: &str| {
        json!({"name": name, "kind": "sports_hall",
            "location": {"country": "KZ", "city": city},
            "rules": {"max_nights": 14}, "amenities": {}})
    };
    // A handful: one page, as before, with no city index.
    for (name, city) in [("Спортзал «Мирас»", "Oral"), ("Мечеть Нур", "Almaty")]
    {
        let created = app
            .post_json(&app.admin_a, "/api/v1/sites", &site(name, city))
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    let (status, page) = get(&app, &app.admin_a, "/sites").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Мирас") && page.contains("Нур"));
    assert!(!page.contains("/sites?city="), "no index for a short list");
    // Past sixty sites the list starts from the cities.
    for i in 0..60 {
        let city = if i % 3 == 0 {
            "Усть-Каменогорск"
        } else {
            "Almaty"
        };
        let created = app
            .post_json(
                &app.admin_a,
                "/api/v1/sites",
                &site(&format!("Школа №{i}"), city),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    let (status, page) = get(&app, &app.admin_a, "/sites").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("Мирас") && !page.contains("Школа №1<"),
        "no site rows"
    );
    assert!(page.contains("/sites?city=Almaty") && page.contains("/sites?city=Oral"));
    // Russian plurals: 41 пункт, 20 пунктов, 1 пункт.
    assert!(page.contains("Almaty (41 пункт)"), "{page}");
    assert!(page.contains("(20 пунктов)") && page.contains("Oral (1 пункт)"));
    // A city's page lists its sites only; a city name outside ASCII travels encoded.
    let (status, page) = get(&app, &app.admin_a, "/sites?city=Oral").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Мирас") && !page.contains("Нур") && !page.contains("Школа"));
    assert!(page.contains("aria-current=\"page\""));
    let encoded = page_link(&page, "Усть-Каменогорск");
    let (status, page) = get(&app, &app.admin_a, &encoded).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Школа №0") && !page.contains("Школа №1<") && !page.contains("Мирас"));
}

/// A family of four reserved into one of two four-bed family rooms: the site page says 4
/// reserved and 4 free of 8, as the API does (1 room free), not 16 reserved and none free.
async fn a_site_page_counts_family_rooms_as_the_api_does(app: TestApp) {
    let (site, pools) = app
        .site_with_pools(&[json!({"kind": "family_room", "room_size": 4, "beds": 8})])
        .await;
    let family_id = app.create(&family()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let response = app
        .post_json(
            &app.admin_a,
            "/api/v1/stays",
            &json!({"household_id": family_id, "pool_id": pools[0], "reserve": true, "reservation_hours": 4}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let view = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await;
    assert_eq!(view["pools"][0]["reserved"], 4, "{view}");
    assert_eq!(view["pools"][0]["free"], 1, "one room: {view}");
    let (status, page) = get(&app, &app.admin_a, &format!("/sites/{site}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("8 мест: занято 0, забронировано 4, свободно 4"),
        "{}",
        page.lines()
            .filter(|l| l.contains("мест:"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The dispatcher's batch page: no proposal is accepted unless chosen, "accept the rest"
/// is not ticked, and another pool is offered from the proposed site's city only, with
/// its kind in words.
async fn a_proposal_batch_page_presets_nothing_and_offers_pools_of_its_city(app: TestApp) {
    app.site_with_pools(&[
        json!({"kind": "family_room", "room_size": 4, "beds": 8}),
        json!({"kind": "family_room", "room_size": 6, "beds": 12}),
    ])
    .await;
    let far = json!({"name": "Алматы Арена", "kind": "sports_hall",
        "location": {"country": "KZ", "city": "Almaty"}});
    let far = app.created(&app.admin_a, "/api/v1/sites", &far).await;
    let response = app
        .post_json(
            &app.admin_a,
            &format!("/api/v1/sites/{}/pools", far["id"].as_str().expect("id")),
            &json!({"kind": "mixed", "beds": 50}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    app.create(&family()).await;
    let batch = app
        .post_json(&app.admin_a, "/api/v1/placements", &json!({"city": "Oral"}))
        .await;
    assert_eq!(batch.status(), StatusCode::CREATED);
    let batch: Value = batch.json().await.expect("json");
    let (status, page) = get(
        &app,
        &app.admin_a,
        &format!("/dispatch/batches/{}", batch["id"].as_str().expect("id")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"accept\""), "a decision to make");
    assert!(
        !page.contains("value=\"accept\" checked"),
        "nothing accepted by default"
    );
    assert!(
        page.contains("value=\"later\" checked"),
        "no decision by default"
    );
    assert!(page.contains("семейные комнаты"), "the pool kind in words");
    assert!(!page.contains("family_room"), "no raw codes");
    assert!(!page.contains("Алматы Арена"), "no pool of another city");
}

/// The evidence of a queued pair says "совпадает", not `same`, and citizenship by name.
async fn a_duplicate_pair_is_compared_in_words_of_the_users_language(app: TestApp) {
    app.create(&family()).await;
    let duplicate = app.post(&app.admin_a, &family(), None).await;
    assert_eq!(duplicate.status(), StatusCode::CREATED);
    let pair = app.first_queued_pair(&app.admin_a).await;
    let (status, page) = get(&app, &app.admin_a, &format!("/duplicates/{pair}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<td>совпадает</td>"), "levels in words");
    for raw in [
        "<td>same</td>",
        "<td>missing</td>",
        "<td>different</td>",
        "<dd>RU</dd>",
    ] {
        assert!(!page.contains(raw), "{raw} shown raw");
    }
    assert!(page.contains("<dd>Россия</dd>"), "citizenship by name");
}

/// A walk-in: the code of a family with no reservation here offers the site's pools with
/// free beds instead of a dead end; a pool that does not suit the family (a child in the
/// men's dormitory) is refused with a reason, a family room takes it.
async fn a_family_without_a_reservation_is_checked_in_on_the_spot(app: TestApp) {
    let (site, pools) = app
        .site_with_pools(&[
            json!({"kind": "male_dorm", "beds": 10}),
            json!({"kind": "family_room", "room_size": 4, "beds": 8}),
        ])
        .await;
    let created = app.create(&family()).await;
    let household = created["id"].as_str().expect("id").to_owned();
    let reference = created["reference"].as_str().expect("reference").to_owned();
    let (_, html) = get(&app, &app.admin_a, &format!("/sites/{site}")).await;
    let csrf = csrf_of(&html);

    let offered = post_form(
        &app,
        &app.admin_a,
        &format!("/sites/{site}/check-in"),
        &[("csrf", csrf.as_str()), ("reference", reference.as_str())],
    )
    .await;
    assert_eq!(offered.status(), StatusCode::OK);
    let page = offered.text().await.expect("html");
    assert!(page.contains("id=\"walk-in\""), "the walk-in choice");
    for pool in &pools {
        assert!(page.contains(pool.as_str()), "pool {pool} offered");
    }

    let walk_in = |pool: &str| {
        let fields = [
            ("csrf", csrf.clone()),
            ("household", household.clone()),
            ("pool", pool.to_owned()),
        ];
        let app = &app;
        let site = site.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(
                app,
                &app.admin_a,
                &format!("/sites/{site}/walk-in"),
                &fields,
            )
            .await
        }
    };
    let refused = walk_in(&pools[0]).await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&refused).ends_with("done=walk-in-refused"),
        "{}",
        location(&refused)
    );
    let accepted = walk_in(&pools[1]).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&accepted).ends_with("done=checked-in"),
        "{}",
        location(&accepted)
    );
    let view = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await;
    assert_eq!(view["pools"][1]["occupied"], 4, "{view}");
}

/// Fifty-six households waiting: the dispatcher's screen shows the 50 most urgent with a
/// link to the rest, and a city filter narrows the list.
async fn the_waiting_list_is_paged_and_filtered_by_city(app: TestApp) {
    for i in 0..55 {
        let mut body = family();
        body["members"][0]["surname"] = json!(format!("Ждущий{i}"));
        app.create(&body).await;
    }
    let mut elsewhere = family();
    elsewhere["location"] = json!({"country": "KZ", "city": "Almaty"});
    app.create(&elsewhere).await;
    let rows = |page: &str| page.matches("<span class=\"reference\">").count();

    let (status, first) = get(&app, &app.admin_a, "/dispatch").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&first), 50);
    assert!(first.contains("стр. 1 из 2"));
    assert!(first.contains("id=\"waiting-next\" href=\"/dispatch?page=1\""));
    let (_, second) = get(&app, &app.admin_a, "/dispatch?page=1").await;
    assert_eq!(rows(&second), 6);
    assert!(second.contains("id=\"waiting-previous\""));
    let (_, almaty) = get(&app, &app.admin_a, "/dispatch?city=Almaty").await;
    assert_eq!(rows(&almaty), 1);
    assert!(!almaty.contains("waiting-next"), "one page");
    let (_, past_the_end) = get(&app, &app.admin_a, "/dispatch?page=99").await;
    assert_eq!(rows(&past_the_end), 6, "the last page");
}

/// A batch of many proposals comes in pages; another pool is offered where it has room in
/// the proposed site's region (a town nearby, not only the same city), and a search adds
/// sites anywhere, by any name of their place.
async fn a_proposal_batch_offers_roomy_pools_of_its_region_finds_others_and_is_paged(app: TestApp) {
    app.site_with_pools(&[json!({"kind": "mixed", "beds": 400})])
        .await;
    let site_with_pool = async |name: &str, city: &str, beds: u32| {
        let site = json!({"name": name, "kind": "hostel",
            "location": {"country": "KZ", "city": city}});
        let site = app.created(&app.admin_a, "/api/v1/sites", &site).await;
        let pools = format!("/api/v1/sites/{}/pools", site["id"].as_str().expect("id"));
        let response = app
            .post_json(
                &app.admin_a,
                &pools,
                &json!({"kind": "mixed", "beds": beds}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    };
    // Aksay is in the same region as Oral (West Kazakhstan); Almaty is not.
    site_with_pool("Хостел «Ақсай»", "Ақсай", 30).await;
    site_with_pool("Общежитие «Тесно»", "Aksay", 2).await;
    site_with_pool("Алматы Арена", "Almaty", 50).await;
    for i in 0..55 {
        let mut body = family();
        body["members"][0]["surname"] = json!(format!("Ждущий{i}"));
        app.create(&body).await;
    }
    let batch = app
        .post_json(&app.admin_a, "/api/v1/placements", &json!({"city": "Oral"}))
        .await;
    assert_eq!(batch.status(), StatusCode::CREATED);
    let batch: Value = batch.json().await.expect("json");
    assert_eq!(
        batch["solution"]["proposals"].as_array().map(Vec::len),
        Some(55)
    );
    let path = format!("/dispatch/batches/{}", batch["id"].as_str().expect("id"));
    let rows = |page: &str| page.matches("value=\"later\" checked").count();

    let (status, first) = get(&app, &app.admin_a, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&first), 50, "one page of proposals");
    assert!(first.contains("стр. 1 из 2"));
    assert!(first.contains(&format!("id=\"batch-next\" href=\"{path}?page=1\"")));
    assert!(
        first.contains("Хостел «Ақсай» · общий зал · свободно 30"),
        "a town of the region"
    );
    assert!(
        !first.contains("Общежитие «Тесно»"),
        "no room there for four"
    );
    assert!(
        !first.contains("Алматы Арена"),
        "another region only when searched"
    );
    assert!(
        first.contains("Принять и остальные предложения (5)"),
        "the rest are the other page's"
    );
    let (_, second) = get(&app, &app.admin_a, &format!("{path}?page=1")).await;
    assert_eq!(rows(&second), 5);
    assert!(second.contains("id=\"batch-previous\""));
    assert!(
        second.contains("Принять и остальные предложения (50)"),
        "the first page's are the rest now"
    );

    for search in ["Алматы", "almaty", "арена"] {
        let (status, found) = get(
            &app,
            &app.admin_a,
            &format!("{path}?page=1&find={}", urlencoding(search)),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(found.contains("Найдено 1 помещение"), "{search}");
        assert!(
            found.contains("Алматы Арена · общий зал · свободно 50 (Almaty)"),
            "{search}"
        );
        assert_eq!(
            found.matches("Алматы Арена ·").count(),
            5,
            "offered on every row of the page: {search}"
        );
    }
    let (_, nothing) = get(&app, &app.admin_a, &format!("{path}?find=Бишкек")).await;
    assert!(nothing.contains("Ничего не найдено"));
}

fn urlencoding(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// A site in Bishkek (UTC+6) under a deployment on Almaty's clock (UTC+5 since 2024):
/// its page names its zone and shows a reservation's deadline on Bishkek's clock, and so
/// does the family's page.
async fn a_sites_times_are_on_its_own_clock(app: TestApp) {
    let site = json!({"name": "Общежитие «Ала-Тоо»", "kind": "dormitory",
        "location": {"country": "KG", "city": "Бишкек"}});
    let site = app.created(&app.admin_a, "/api/v1/sites", &site).await;
    let site_id = site["id"].as_str().expect("id").to_owned();
    let pool: Value = app
        .post_json(
            &app.admin_a,
            &format!("/api/v1/sites/{site_id}/pools"),
            &json!({"kind": "mixed", "beds": 10}),
        )
        .await
        .json()
        .await
        .expect("json");
    let family_id = app.create(&family()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let stay: Value = app
        .post_json(
            &app.admin_a,
            "/api/v1/stays",
            &json!({"household_id": family_id, "pool_id": pool["id"], "reserve": true, "reservation_hours": 4}),
        )
        .await
        .json()
        .await
        .expect("json");
    let until: chrono::DateTime<chrono::Utc> = stay["reserved_until"]
        .as_str()
        .expect("reserved_until")
        .parse()
        .expect("time");
    let on = |zone: chrono_tz::Tz| {
        until
            .with_timezone(&zone)
            .format("%d.%m.%Y %H:%M")
            .to_string()
    };
    let bishkek = on(chrono_tz::Asia::Bishkek);
    assert_ne!(
        bishkek,
        on(chrono_tz::Asia::Almaty),
        "the clocks differ today"
    );
    let (status, page) = get(&app, &app.admin_a, &format!("/sites/{site_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Asia/Bishkek"), "the site's zone is named");
    assert!(
        page.contains(&format!("бронь до {bishkek}")),
        "{bishkek}: {page}"
    );
    assert!(!page.contains(&on(chrono_tz::Asia::Almaty)));
    let (status, page) = get(&app, &app.admin_a, &format!("/households/{family_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("бронь до {bishkek}")), "{bishkek}");
}

/// A site whose clock is not its city's says so: `time_zone` on the site API, an IANA
/// name, shown on its page; a patch with null returns it to its place's zone.
async fn a_site_may_set_its_own_time_zone(app: TestApp) {
    let site = |zone: Value| {
        json!({"name": "Пункт обогрева", "kind": "sports_hall",
            "location": {"country": "KZ", "city": "Almaty"}, "time_zone": zone})
    };
    for bad in ["UTC+5", "Uralsk", "Asia/Nowhere"] {
        let refused = app
            .post_json(&app.admin_a, "/api/v1/sites", &site(json!(bad)))
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let problem: Value = refused.json().await.expect("json");
        assert_eq!(problem["errors"][0]["pointer"], "#/time_zone", "{problem}");
    }
    let created = app
        .post_json(&app.admin_a, "/api/v1/sites", &site(json!("Asia/Oral")))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("json");
    assert_eq!(created["time_zone"], "Asia/Oral");
    let id = created["id"].as_str().expect("id").to_owned();
    let read = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{id}"))
        .await;
    assert_eq!(read["time_zone"], "Asia/Oral", "{read}");
    let (status, page) = get(&app, &app.admin_a, &format!("/sites/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Asia/Oral"));
    // Cleared: Almaty's own zone again.
    let response = app
        .client
        .patch(app.url(&format!("/api/v1/sites/{id}")))
        .header("Authorization", format!("Bearer {}", app.admin_a))
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", format!("\"{}\"", read["version"]))
        .body(json!({"time_zone": null}).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let read = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{id}"))
        .await;
    assert!(read.get("time_zone").is_none(), "{read}");
    let (_, page) = get(&app, &app.admin_a, &format!("/sites/{id}")).await;
    assert!(page.contains("Asia/Almaty") && !page.contains("Asia/Oral"));
}
