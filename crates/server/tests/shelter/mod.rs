//! Shelter over the API: a site from creation to check-out, the last bed under concurrency,
//! and a dispatcher's batch.

use crate::support::id_of;
use crate::support::strings;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};
use shanyrak_store::testing::Backend;

use crate::support::{TestApp, family, problem};

on_both_backends!(
    shelter_flow_from_site_to_check_out,
    last_bed_over_http_goes_to_one_client,
    dispatcher_proposes_reviews_and_accepts,
    a_household_whose_beds_are_gone_fails_alone_in_a_batch,
);

async fn shelter_flow_from_site_to_check_out(app: TestApp) {
    // A site without a name or city is refused field by field.
    let (status, body) = app
        .post_problem(
            &app.admin_a,
            "/api/v1/sites",
            &json!({"kind": "mosque", "location": {"country": "KZ"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> = strings(&body["errors"], "pointer");
    assert_eq!(pointers, vec!["#/name", "#/location/city"]);
    // Registrars do not manage sites.
    let (status, _) = app
        .post_problem(
            &app.token_a,
            "/api/v1/sites",
            &json!({"name": "x", "kind": "other", "location": {"country": "KZ", "city": "Oral"}}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (site, pools) = app
        .site_with_pools(&[
            json!({"kind": "male_dorm", "beds": 40, "step_free_beds": 2, "blocked_beds": 4}),
            json!({"kind": "family_room", "room_size": 4, "beds": 8}),
        ])
        .await;
    let family_id = id_of(&app.create(&family()).await).to_owned();

    let waiting: Value = app
        .json_of(&app.admin_a, "/api/v1/waiting-list?city=Oral")
        .await;
    assert_eq!(waiting["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(waiting["items"][0]["persons"], 4);
    assert_eq!(waiting["items"][0]["children"], 1);

    let (status, body) = app
        .post_problem(
            &app.admin_a,
            "/api/v1/stays",
            &json!({"household_id": family_id, "pool_id": pools[0]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "child_in_male_dorm");
    let stay = app.created(&app.admin_a, "/api/v1/stays", &json!({"household_id": family_id, "pool_id": pools[1], "reserve": true, "reservation_hours": 4})).await;
    assert_eq!(stay["status"], "reserved");

    let view: Value = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await;
    assert_eq!(view["pools"][0]["free"], 36, "40 beds less 4 blocked");
    // Another organisation without a `shelter` agreement sees the free beds, not the pools.
    let summary: Value = app
        .json_of(&app.admin_b, &format!("/api/v1/sites/{site}"))
        .await;
    assert_eq!(
        summary["free_beds"],
        36 + 4,
        "36 beds and one free family room of 4"
    );
    assert!(summary.get("pools").is_none() && summary.get("name").is_none());
    assert_eq!(view["pools"][1]["reserved"], 4);
    assert_eq!(view["pools"][1]["free"], 1, "one of two family rooms left");
    let waiting: Value = app.json_of(&app.admin_a, "/api/v1/waiting-list").await;
    assert_eq!(waiting["items"], json!([]));

    let stay_id = id_of(&stay);
    let response = app
        .post_action(&app.admin_a, &format!("/api/v1/stays/{stay_id}/check-in"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let residents: Value = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{site}/residents"))
        .await;
    assert_eq!(residents["items"][0]["names"][0], "Смирнов Алексей");
    assert_eq!(residents["items"][0]["overdue"], false);
    let (status, _) = app
        .get_problem(&app.admin_b, &format!("/api/v1/sites/{site}/residents"))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another organisation does not see residents"
    );
    let (status, _) = problem(
        app.post_action(&app.admin_b, &format!("/api/v1/stays/{stay_id}/check-out"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let response = app
        .post_action(&app.admin_a, &format!("/api/v1/stays/{stay_id}/check-out"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, body) = problem(
        app.post_action(&app.admin_a, &format!("/api/v1/stays/{stay_id}/check-out"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "invalid_transition");
    let view: Value = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await;
    assert_eq!(view["pools"][1]["free"], 2);

    // Shrinking below occupancy is refused; capacity edits work otherwise.
    let response = app
        .client
        .put(app.url(&format!("/api/v1/sites/{site}/pools/{}", pools[0])))
        .header(AUTHORIZATION, format!("Bearer {}", app.admin_a))
        .json(&json!({"kind": "male_dorm", "beds": 50, "step_free_beds": 2}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let view: Value = response.json().await.expect("json");
    assert_eq!(view["pools"][0]["free"], 50);

    // Closing the site: nobody more is admitted. Rules that contradict its pools are refused.
    let patch = |body: Value, tag: Option<&str>| {
        let mut request = app
            .client
            .patch(app.url(&format!("/api/v1/sites/{site}")))
            .header(AUTHORIZATION, format!("Bearer {}", app.admin_a))
            .header(CONTENT_TYPE, "application/merge-patch+json")
            .body(body.to_string());
        if let Some(tag) = tag {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    let response = patch(
        json!({"status": "closed", "contact_name": "Айдана"}),
        Some("\"1\""),
    )
    .await
    .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let closed: Value = response.json().await.expect("json");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["version"], 2);
    let (status, body) = app
        .post_problem(
            &app.admin_a,
            "/api/v1/stays",
            &json!({"household_id": family_id, "pool_id": pools[1]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "site_closed");
    let (status, _) = problem(
        patch(json!({"status": "open"}), Some("\"1\""))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    // A male dorm and family rooms may be a sex-segregated site (a family room is one
    // household's own); a mixed dormitory may not be added to one.
    let response = patch(json!({"rules": {"sex_segregated": true}}), None)
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let (status, body) = app
        .post_problem(
            &app.admin_a,
            &format!("/api/v1/sites/{site}/pools"),
            &json!({"kind": "mixed", "beds": 4}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/kind");
    let (status, _) = problem(
        app.client
            .patch(app.url(&format!("/api/v1/sites/{site}")))
            .header(AUTHORIZATION, format!("Bearer {}", app.admin_b))
            .header(CONTENT_TYPE, "application/merge-patch+json")
            .body(json!({"status": "open"}).to_string())
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only the operator edits its site; to others it is not there to edit"
    );
}

async fn last_bed_over_http_goes_to_one_client(app: TestApp) {
    let (_, pools) = app
        .site_with_pools(&[json!({"kind": "mixed", "beds": 1})])
        .await;
    let mut households = Vec::new();
    for i in 0..5 {
        let mut body = family();
        body["members"] = json!([{"surname": format!("Петров{i}"), "given_name": "Иван", "sex": "male",
                                  "birth_date": "1990-01-01", "relationship": "head"}]);
        households.push(id_of(&app.create(&body).await).to_owned());
    }
    let mut requests = Vec::new();
    for h in households {
        let client = app.client.clone();
        let url = app.url("/api/v1/stays");
        let token = app.admin_a.clone();
        let pool = pools[0].clone();
        requests.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"household_id": h, "pool_id": pool}))
                .send()
                .await
                .expect("send")
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for r in requests {
        statuses.push(r.await.expect("join"));
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        4,
        "{statuses:?}"
    );
}

async fn dispatcher_proposes_reviews_and_accepts(app: TestApp) {
    let (site, pools) = app
        .site_with_pools(&[
            json!({"kind": "mixed", "beds": 3}),
            json!({"kind": "family_room", "room_size": 4, "beds": 4}),
        ])
        .await;
    let family_id = id_of(&app.create(&family()).await).to_owned();
    let mut singles = Vec::new();
    for i in 0..5 {
        let mut body = family();
        body["members"] = json!([{"surname": format!("Сидоров{i}"), "given_name": "Олег", "sex": "male",
                                  "birth_date": "1991-05-05", "relationship": "head"}]);
        singles.push(id_of(&app.create(&body).await).to_owned());
    }
    let batch = app
        .created(&app.admin_a, "/api/v1/placements", &json!({"city": "Oral"}))
        .await;
    let proposals = batch["solution"]["proposals"]
        .as_array()
        .expect("proposals");
    let unplaced = batch["solution"]["unplaced"].as_array().expect("unplaced");
    assert_eq!(
        proposals.len(),
        4,
        "the family and three of five single men: {batch}"
    );
    assert_eq!(unplaced.len(), 2);
    assert!(
        unplaced.iter().all(|u| u["reason"].is_string()),
        "{unplaced:?}"
    );
    let family_proposal = proposals
        .iter()
        .find(|p| p["household_id"] == json!(family_id))
        .expect("family placed");
    assert_eq!(family_proposal["pools"][0]["pool_id"], json!(pools[1]));
    assert_eq!(family_proposal["site_id"], json!(site));

    // Reject one single man, accept the rest.
    let rejected = proposals
        .iter()
        .map(|p| p["household_id"].as_str().expect("id").to_owned())
        .find(|h| *h != family_id)
        .expect("a single man");
    let batch_id = id_of(&batch);
    let decisions = json!({"accept_all": true, "reject": [{"household_id": rejected, "reason": "went to relatives"}]});
    let response = app
        .post_json(
            &app.admin_a,
            &format!("/api/v1/placements/{batch_id}/decisions"),
            &decisions,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let results: Value = response.json().await.expect("json");
    let results = results["results"].as_array().expect("results");
    assert_eq!(
        results
            .iter()
            .filter(|r| r["outcome"] == "accepted")
            .count(),
        3,
        "{results:?}"
    );
    assert_eq!(
        results
            .iter()
            .filter(|r| r["outcome"] == "rejected")
            .count(),
        1
    );

    let view: Value = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await;
    assert_eq!(view["pools"][0]["reserved"], 2);
    assert_eq!(view["pools"][1]["reserved"], 4);
    // Accepting again changes nothing.
    let again: Value = app
        .post_for_json(
            &app.admin_a,
            &format!("/api/v1/placements/{batch_id}/decisions"),
            &json!({"accept": [family_id]}),
        )
        .await;
    assert_eq!(again["results"][0]["outcome"], "failed");
    assert_eq!(again["results"][0]["reason"], "already_decided");

    // Override: the rejected man goes to the last mixed bed after all.
    let response = app
        .post_json(
            &app.admin_a,
            &format!("/api/v1/placements/{batch_id}/decisions"),
            &json!({"overrides": [{"household_id": singles[4], "pool_id": pools[0]}]}),
        )
        .await;
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["results"][0]["outcome"], "accepted", "{body}");

    let stored: Value = app
        .json_of(&app.admin_a, &format!("/api/v1/placements/{batch_id}"))
        .await;
    assert_eq!(stored["decisions"].as_array().map(Vec::len), Some(5));
    let (status, _) = app
        .get_problem(&app.admin_b, &format!("/api/v1/placements/{batch_id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .post_problem(
            &app.admin_a,
            "/api/v1/placements",
            &json!({"max_batch_share": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/max_batch_share");
}

/// Accepting a batch decides many households in one transaction: one whose bed was given
/// away after the proposal fails with its reason recorded, and the others keep theirs.
async fn a_household_whose_beds_are_gone_fails_alone_in_a_batch(app: TestApp) {
    let (site, pools) = app
        .site_with_pools(&[json!({"kind": "mixed", "beds": 3})])
        .await;
    let single = |i: usize| {
        let mut body = family();
        body["members"] = json!([{"surname": format!("Ахметов{i}"), "given_name": "Ерлан", "sex": "male",
                                  "birth_date": "1990-01-01", "relationship": "head"}]);
        body
    };
    let mut men = Vec::new();
    for i in 0..3 {
        men.push(id_of(&app.create(&single(i)).await).to_owned());
    }
    let batch = app
        .created(&app.admin_a, "/api/v1/placements", &json!({"city": "Oral"}))
        .await;
    assert_eq!(
        batch["solution"]["proposals"].as_array().map(Vec::len),
        Some(3),
        "{batch}"
    );
    // Meanwhile a fourth man walks in and takes one of the three beds.
    let walk_in = id_of(&app.create(&single(3)).await).to_owned();
    app.created(
        &app.admin_a,
        "/api/v1/stays",
        &json!({"household_id": walk_in, "pool_id": pools[0]}),
    )
    .await;

    let batch_id = id_of(&batch);
    let answer: Value = app
        .post_for_json(
            &app.admin_a,
            &format!("/api/v1/placements/{batch_id}/decisions"),
            &json!({"accept_all": true}),
        )
        .await;
    let results = answer["results"].as_array().expect("results");
    let outcome = |o: &str| results.iter().filter(|r| r["outcome"] == o).count();
    assert_eq!((outcome("accepted"), outcome("failed")), (2, 1), "{answer}");
    let failed = results
        .iter()
        .find(|r| r["outcome"] == "failed")
        .expect("one failed");
    assert!(failed["reason"].is_string(), "{failed}");
    assert!(men.iter().any(|m| failed["household_id"] == json!(m)));

    let view: Value = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await;
    assert_eq!(view["pools"][0]["reserved"], 2, "{view}");
    assert_eq!(view["pools"][0]["occupied"], 1, "{view}");
    // The failure is kept with the batch, beside the two acceptances.
    let stored: Value = app
        .json_of(&app.admin_a, &format!("/api/v1/placements/{batch_id}"))
        .await;
    let decisions = stored["decisions"].as_array().expect("decisions");
    assert_eq!(decisions.len(), 3, "{stored}");
    assert_eq!(
        decisions
            .iter()
            .filter(|d| d["decision"] == "failed")
            .map(|d| d["reason"].clone())
            .collect::<Vec<_>>(),
        vec![failed["reason"].clone()]
    );
}
