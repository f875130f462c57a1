//! Host offers: a local offers a bed without signing in and gets only a private withdrawal
//! link; a coordinator of the organisation running the page verifies it, which makes a host
//! site with a pool that the next placement run proposes; the host withdraws and the site
//! closes. Registrars and other organisations never see the host's address or phone;
//! robots and floods store nothing beyond the limit. And the site's poster.

use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::Value;
use shanyrak_core::Role;

use super::super::{Backend, TestApp};
use super::{browser, csrf_of, get, location, post_form, pre_session, registered_family};

on_both_backends!(
    an_offer_is_verified_placed_into_and_withdrawn,
    hosts_are_seen_only_by_the_coordinators_and_dispatchers_of_the_organisation,
    robots_invalid_offers_and_spam_are_dropped_or_purged,
    a_flood_of_offers_from_one_address_stores_at_most_the_limit,
    a_site_has_a_printable_poster_with_the_pre_registration_qr,
);

const ADDRESS: &str = "ул. Досмухамедова 41, кв. 7";
const HOST: &str = "Гульнар Сейткали";

async fn public_form(app: &TestApp) -> (String, String, String) {
    super::public_form_at(app, "/offer-a-bed").await
}

fn offer<'a>(csrf: &'a str, city: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("country", "KZ"),
        ("city", city),
        ("address", ADDRESS),
        ("people", "4"),
        ("available_from", ""),
        ("available_until", ""),
        ("families", "1"),
        ("children", "1"),
        ("rent", "free"),
        ("contact_name", HOST),
        ("contact_phone", "+7 701 555 77 31"),
        ("notes", ""),
        ("website", ""),
    ]
}

async fn submit(app: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    super::post_public(app, "/offer-a-bed", cookie, fields).await
}

/// The withdrawal link on the answer page.
fn link_of(html: &str) -> String {
    let start = html.find("id=\"withdraw-link\" href=\"").expect("the link")
        + "id=\"withdraw-link\" href=\"".len();
    html[start..].split('"').next().expect("link").to_owned()
}

/// Offers the default bed in Oral and returns the withdrawal link.
async fn offered(app: &TestApp) -> String {
    let (cookie, csrf, _) = public_form(app).await;
    let done = submit(app, &cookie, &offer(&csrf, "Oral")).await;
    assert_eq!(done.status(), StatusCode::CREATED);
    link_of(&done.text().await.expect("body"))
}

async fn offers_json(app: &TestApp, token: &str, status: &str) -> Vec<Value> {
    let list = app
        .json_of(token, &format!("/api/v1/host-offers?status={status}"))
        .await;
    list["items"].as_array().expect("items").clone()
}

/// A coordinator's (admin's) verification through the page; returns the site's path.
async fn verify(app: &TestApp, token: &str, id: &str) -> String {
    let (status, page) = get(app, token, &format!("/host-offers/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let response = post_form(
        app,
        token,
        &format!("/host-offers/{id}"),
        &[
            ("csrf", &csrf_of(&page)),
            ("note", "Позвонили, были в гостях 28.09"),
            ("action", "verify"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    location(&response)
}

async fn withdraw(app: &TestApp, link: &str) -> StatusCode {
    let (cookie, page) = pre_session(app, link).await;
    assert!(page.contains("name=\"token\""));
    let token = link.split("token=").nth(1).expect("token");
    browser()
        .post(app.url("/offer-a-bed/withdraw"))
        .header(COOKIE, cookie)
        .form(&[("csrf", csrf_of(&page).as_str()), ("token", token)])
        .send()
        .await
        .expect("send")
        .status()
}

async fn an_offer_is_verified_placed_into_and_withdrawn(app: TestApp) {
    let (cookie, csrf, html) = public_form(&app).await;
    assert!(html.len() < 30 * 1024, "{} bytes", html.len());
    assert!(html.contains("<form method=\"post\" action=\"/offer-a-bed\""));
    assert!(html.contains("Предложить жильё"), "Russian first");
    let done = submit(&app, &cookie, &offer(&csrf, "Уральск")).await;
    assert_eq!(done.status(), StatusCode::CREATED);
    let page = done.text().await.expect("body");
    for shown_back in [ADDRESS, HOST, "555 77 31"] {
        assert!(!page.contains(shown_back), "{shown_back} shown back");
    }
    let link = link_of(&page);
    assert!(link.starts_with("/offer-a-bed/withdraw?token="), "{link}");
    // Only a hash of the token is stored.
    let token = link.split("token=").nth(1).expect("token");
    assert_eq!(app.count("host_offers").await, 1);
    assert_eq!(app.count("sites").await, 0);

    // The coordinator sees it with the host's details and verifies it.
    let pending = offers_json(&app, &app.admin_a, "pending").await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["offer"]["address"], ADDRESS);
    assert_eq!(pending[0]["offer"]["location"]["place_id"], 608_668);
    assert!(!pending[0].to_string().contains(token));
    let id = pending[0]["id"].as_str().expect("id").to_owned();
    let (status, list) = get(&app, &app.admin_a, "/host-offers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("/host-offers/{id}")));
    let site_path = verify(&app, &app.admin_a, &id).await;
    assert!(site_path.starts_with("/sites/"), "{site_path}");
    let site_id = site_path.trim_start_matches("/sites/").to_owned();
    let verified = offers_json(&app, &app.admin_a, "verified").await;
    assert_eq!(verified[0]["site_id"], site_id.as_str());
    assert_eq!(verified[0]["note"], "Позвонили, были в гостях 28.09");
    assert!(verified[0]["decided_by"].is_string());
    assert!(verified[0]["decided_at"].is_string());
    // A second decision is refused.
    let (_, page) = get(&app, &app.admin_a, &format!("/host-offers/{id}")).await;
    assert!(!page.contains("value=\"verify\""));

    // The site: a private home with one family room of the offer's beds; no address and
    // no contact on it.
    let site = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{site_id}"))
        .await;
    assert_eq!(site["kind"], "private_accommodation");
    assert_eq!(site["location"]["place_id"], 608_668);
    assert_eq!(site["pools"][0]["kind"], "family_room");
    assert_eq!(site["pools"][0]["beds"], 4);
    assert_eq!(site["address"], Value::Null);
    assert_eq!(site["contact_phone"], Value::Null);
    let (status, site_page) = get(&app, &app.admin_a, &site_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(site_page.contains(&format!("/host-offers/{id}")));

    // The next placement run proposes its bed to a family waiting in Oral, and the
    // dispatcher's page says the bed is in a private home.
    let dispatcher = app
        .user_of_a("dispatcher@example.org", Role::Dispatcher)
        .await;
    let (_, household, _) = registered_family(&app, &app.token_a).await;
    let batch = app.post_action(&dispatcher, "/api/v1/placements").await;
    assert_eq!(batch.status(), StatusCode::CREATED);
    let batch: Value = batch.json().await.expect("batch");
    let proposals = batch["solution"]["proposals"]
        .as_array()
        .expect("proposals");
    assert_eq!(proposals.len(), 1, "{batch}");
    assert_eq!(proposals[0]["household_id"], household.as_str());
    assert_eq!(proposals[0]["site_id"], site_id.as_str());
    let (_, batch_page) = get(
        &app,
        &dispatcher,
        &format!("/dispatch/batches/{}", batch["id"].as_str().expect("id")),
    )
    .await;
    assert!(batch_page.contains("частное жильё"), "a private home");

    // The host withdraws: the site closes, and the next run proposes nothing there.
    assert_eq!(withdraw(&app, &link).await, StatusCode::OK);
    let site = app
        .json_of(&app.admin_a, &format!("/api/v1/sites/{site_id}"))
        .await;
    assert_eq!(site["status"], "closed");
    assert_eq!(
        offers_json(&app, &app.admin_a, "withdrawn").await[0]["id"],
        id.as_str()
    );
    let batch: Value = app
        .post_action(&dispatcher, "/api/v1/placements")
        .await
        .json()
        .await
        .expect("batch");
    assert_eq!(
        batch["solution"]["proposals"]
            .as_array()
            .expect("proposals")
            .len(),
        0,
        "{batch}"
    );
    // The link works once.
    let again = browser().get(app.url(&link)).send().await.expect("send");
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

async fn hosts_are_seen_only_by_the_coordinators_and_dispatchers_of_the_organisation(app: TestApp) {
    offered(&app).await;
    let id = offers_json(&app, &app.admin_a, "pending").await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let dispatcher = app
        .user_of_a("dispatcher@example.org", Role::Dispatcher)
        .await;
    let (status, page) = get(&app, &dispatcher, &format!("/host-offers/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(ADDRESS) && page.contains(HOST));
    // The dispatcher verifies too (the coordinators' right).
    let site_path = verify(&app, &dispatcher, &id).await;

    // A registrar, a site manager and a caseworker of the organisation: no offers, and the
    // host site's page without the host's details.
    let site_manager = app.user_of_a("site@example.org", Role::SiteManager).await;
    let caseworker = app.user_of_a("case@example.org", Role::Caseworker).await;
    for token in [&app.token_a, &site_manager, &caseworker] {
        let (status, page) = get(&app, token, &format!("/host-offers/{id}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(!page.contains(ADDRESS));
        let (status, _) = get(&app, token, "/host-offers").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let api = app.get(token, "/api/v1/host-offers").await;
        assert_eq!(api.status(), StatusCode::FORBIDDEN);
        let (_, page) = get(&app, token, &site_path).await;
        assert!(!page.contains(ADDRESS) && !page.contains(HOST) && !page.contains("555 77 31"));
        assert!(!page.contains("/host-offers/"));
        let sites = app.json_of(token, "/api/v1/sites").await.to_string();
        assert!(!sites.contains(ADDRESS) && !sites.contains("7015557731"));
    }
    // Another organisation's admin: not found, and an empty list.
    let (status, page) = get(&app, &app.admin_b, &format!("/host-offers/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains(ADDRESS));
    assert!(offers_json(&app, &app.admin_b, "verified").await.is_empty());
    // The audit trail of the offer: the verification's note for the coordinators only.
    let trail = app
        .json_of(&app.admin_a, &format!("/api/v1/audit?entity_id={id}"))
        .await
        .to_string();
    assert!(trail.contains("verify"), "{trail}");
    let auditor = app.user_of_a("auditor@example.org", Role::Auditor).await;
    let trail = app
        .json_of(&auditor, &format!("/api/v1/audit?entity_id={id}"))
        .await
        .to_string();
    assert!(!trail.contains("Позвонили"), "{trail}");
}

async fn robots_invalid_offers_and_spam_are_dropped_or_purged(app: TestApp) {
    let (cookie, csrf, _) = public_form(&app).await;
    // The honeypot filled: a link like any other, nothing stored.
    let mut robot = offer(&csrf, "Oral");
    robot.retain(|(k, _)| *k != "website");
    robot.push(("website", "https://spam.example"));
    let fooled = submit(&app, &cookie, &robot).await;
    assert_eq!(fooled.status(), StatusCode::CREATED);
    let fake = link_of(&fooled.text().await.expect("body"));
    assert_eq!(app.count("host_offers").await, 0);
    let gone = browser().get(app.url(&fake)).send().await.expect("send");
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);

    // Without the pre-session token nothing is stored.
    let mut forged = offer("", "Oral");
    forged.retain(|(k, _)| *k != "csrf");
    assert_eq!(
        submit(&app, &cookie, &forged).await.status(),
        StatusCode::FORBIDDEN
    );
    // Every field has its limit; a place outside the list is refused.
    let long = "Я".repeat(1_500);
    for (field, value) in [
        ("address", long.as_str()),
        ("contact_name", long.as_str()),
        ("notes", long.as_str()),
        ("city", "Атлантида"),
        ("people", "500"),
        ("contact_phone", "12"),
        ("available_from", "31.02.2022"),
        ("rent", "cheap"),
    ] {
        let mut bad = offer(&csrf, "Oral");
        for (k, v) in &mut bad {
            if *k == field {
                *v = value;
            }
        }
        let response = submit(&app, &cookie, &bad).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        assert!(
            !response.text().await.expect("body").contains("cheap"),
            "{field}"
        );
    }
    let huge = "x".repeat(64 * 1024);
    let mut big = offer(&csrf, "Oral");
    big.push(("notes", &huge));
    assert_eq!(
        submit(&app, &cookie, &big).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(app.count("host_offers").await, 0);

    // Spam that got through is purged in bulk; a verified offer is not.
    for _ in 0..3 {
        submit(&app, &cookie, &offer(&csrf, "Oral")).await;
    }
    let ids: Vec<String> = offers_json(&app, &app.admin_a, "pending")
        .await
        .iter()
        .map(|o| o["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    verify(&app, &app.admin_a, &ids[0]).await;
    let (_, page) = get(&app, &app.admin_a, "/host-offers").await;
    let mut fields = vec![("csrf", csrf_of(&page)), ("action", "purge".to_owned())];
    for id in &ids {
        fields.push(("offer", id.clone()));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Another organisation's admin purges nothing of organisation A.
    let (_, page_b) = get(&app, &app.admin_b, "/host-offers").await;
    let mut fields_b = fields.clone();
    let csrf_b = csrf_of(&page_b);
    fields_b[0] = ("csrf", csrf_b.as_str());
    let purged_b = post_form(&app, &app.admin_b, "/host-offers", &fields_b).await;
    assert_eq!(location(&purged_b), "/host-offers?purged=0");
    let purged = post_form(&app, &app.admin_a, "/host-offers", &fields).await;
    assert_eq!(purged.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&purged), "/host-offers?purged=2");
    assert_eq!(app.count("host_offers").await, 1);
    // Rejecting needs a pending offer.
    offered(&app).await;
    let pending = offers_json(&app, &app.admin_a, "pending").await;
    let id = pending[0]["id"].as_str().expect("id");
    let (_, page) = get(&app, &app.admin_a, &format!("/host-offers/{id}")).await;
    let rejected = post_form(
        &app,
        &app.admin_a,
        &format!("/host-offers/{id}"),
        &[
            ("csrf", &csrf_of(&page)),
            ("note", "Не отвечает"),
            ("action", "reject"),
        ],
    )
    .await;
    assert_eq!(rejected.status(), StatusCode::SEE_OTHER);
    assert_eq!(offers_json(&app, &app.admin_a, "rejected").await.len(), 1);
}

async fn a_flood_of_offers_from_one_address_stores_at_most_the_limit(app: TestApp) {
    let (cookie, csrf, _) = public_form(&app).await;
    let flood = 20 * shanyrak_store::HOST_OFFERS_PER_ADDRESS;
    let (created, limited) =
        super::flood(&app, "/offer-a-bed", &cookie, &offer(&csrf, "Oral"), flood).await;
    let limit = i64::from(shanyrak_store::HOST_OFFERS_PER_ADDRESS);
    assert_eq!(created, limit);
    assert_eq!(limited, i64::from(flood) - limit);
    assert_eq!(app.count("host_offers").await, limit);
    let refused = submit(&app, &cookie, &offer(&csrf, "Oral")).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().get("retry-after").is_some());
}

async fn a_site_has_a_printable_poster_with_the_pre_registration_qr(app: TestApp) {
    let (site, _) = app
        .site_with_pools(&[serde_json::json!({"kind": "mixed", "beds": 10})])
        .await;
    let (status, page) = get(&app, &app.admin_a, &format!("/sites/{site}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("/sites/{site}/poster")));
    let (status, poster) = get(&app, &app.admin_a, &format!("/sites/{site}/poster")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(poster.contains("class=\"poster\""));
    assert!(poster.contains("<svg"), "a QR code");
    assert!(poster.contains("/pre-register</p>"), "the form's address");
    // The four languages.
    for lang in ["lang=\"ru\"", "lang=\"kk\"", "lang=\"ky\"", "lang=\"en\""] {
        assert!(poster.contains(lang), "{lang}");
    }
    // Another organisation's admin does not see the site whole: no poster.
    let (status, _) = get(&app, &app.admin_b, &format!("/sites/{site}/poster")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The QR code reads as the form's address.
    let anonymous = browser()
        .get(app.url(&format!("/sites/{site}/poster")))
        .send()
        .await
        .expect("send");
    assert!(location(&anonymous).starts_with("/login"));
}
