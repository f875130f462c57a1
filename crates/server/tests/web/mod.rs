//! The web interface over HTTP, as a browser without JavaScript uses it: forms, cookies,
//! CSRF, redirects, access checks, messages in every language.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use shanyrak_core::Role;
use shanyrak_server::web::Lang;
use shanyrak_server::web::i18n;

use super::{Backend, TestApp, family};

macro_rules! on_both_backends {
    ($($scenario:ident),+ $(,)?) => {
        $(mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario(super::TestApp::spawn(super::Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$scenario(super::TestApp::spawn(super::Backend::Postgres).await).await;
            }
        })+
    };
}

on_both_backends!(
    web_sign_in_sets_a_strict_cookie_and_sign_out_revokes_it,
    web_sign_in_from_a_foreign_page_is_refused_and_the_user_is_named,
    web_forms_refuse_missing_or_foreign_csrf_tokens,
    web_registration_shows_errors_in_place_is_idempotent_and_attaches,
    web_pages_render_in_every_language_without_missing_keys,
    web_pages_check_roles_and_organisations,
    web_import_previews_confirms_and_quarantine_rows_are_corrected,
    web_import_refusal_is_kept_and_the_file_not_read_again,
    web_casework_from_household_to_referral_answered_by_the_partner,
    web_subject_access_and_erasure_at_the_desk,
    web_resettlement_programme_from_the_form,
    web_a_long_site_list_starts_from_its_cities,
);

const _: Option<Backend> = None;

/// Registers `family()` through the API: the created household, its id and its head's id.
async fn registered_family(app: &TestApp, token: &str) -> (Value, String, String) {
    let created: Value = app
        .post(token, &family(), None)
        .await
        .json()
        .await
        .expect("json");
    let household = created["id"].as_str().expect("id").to_owned();
    let member = created["members"][0]["id"]
        .as_str()
        .expect("member")
        .to_owned();
    (created, household, member)
}

/// A browser that does not follow redirects, so each step can be checked.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The session cookie as the browser sends it (the test server's cookies are `Secure`).
fn session(token: &str) -> String {
    format!("{}={token}", shanyrak_server::web::SECURE_SESSION_COOKIE)
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, String) {
    let response = browser()
        .get(app.url(path))
        .header(COOKIE, session(token))
        .send()
        .await
        .expect("send");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[start..].split('"').next().expect("value").to_owned()
}

fn field_of(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    html[start..].split('"').next().map(str::to_owned)
}

async fn post_form(
    app: &TestApp,
    token: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    browser()
        .post(app.url(path))
        .header(COOKIE, session(token))
        .form(fields)
        .send()
        .await
        .expect("send")
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A visitor's pre-session: the cookie the sign-in page set and the token in its form.
async fn login_page(app: &TestApp) -> (String, String) {
    let page = browser().get(app.url("/login")).send().await.expect("send");
    assert_eq!(page.status(), StatusCode::OK);
    let cookie = page
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-shanyrak_form="))
        .expect("pre-session cookie")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair").to_owned();
    let html = page.text().await.expect("body");
    (pair, csrf_of(&html))
}

/// Posts the sign-in form as a browser that loaded it would.
async fn sign_in_form(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let (cookie, csrf) = login_page(app).await;
    let mut fields = fields.to_vec();
    fields.push(("csrf", &csrf));
    browser()
        .post(app.url("/login"))
        .header(COOKIE, cookie)
        .form(&fields)
        .send()
        .await
        .expect("send")
}

async fn web_sign_in_sets_a_strict_cookie_and_sign_out_revokes_it(app: TestApp) {
    let wrong = sign_in_form(
        &app,
        &[("email", "a@example.org"), ("password", "not the password")],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .all(|c| !c.to_str().unwrap_or_default().contains("shanyrak_session"))
    );
    assert!(wrong.text().await.expect("body").contains("login-problem"));

    let signed_in = sign_in_form(
        &app,
        &[
            ("email", "a@example.org"),
            ("password", "long enough password"),
            ("next", "/find"),
        ],
    )
    .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&signed_in), "/find");
    let cookie = signed_in
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("shanyrak_session="))
        .expect("session cookie")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    // Secure cookies carry the __Host- prefix: only this host, over HTTPS, may set them.
    let secret = cookie
        .split(';')
        .next()
        .and_then(|c| c.strip_prefix("__Host-shanyrak_session="))
        .expect("value")
        .to_owned();
    // An open redirect is refused: `next` must be a path of this site.
    let elsewhere = sign_in_form(
        &app,
        &[
            ("email", "a@example.org"),
            ("password", "long enough password"),
            ("next", "//evil.example/"),
        ],
    )
    .await;
    assert_eq!(location(&elsewhere), "/reception");

    let (status, html) = get(&app, &secret, "/reception").await;
    assert_eq!(status, StatusCode::OK);
    let out = post_form(&app, &secret, "/logout", &[("csrf", &csrf_of(&html))]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&out), "/login");
    // The session is revoked in the store, not only forgotten by the browser.
    let again = browser()
        .get(app.url("/reception"))
        .header(COOKIE, session(&secret))
        .send()
        .await
        .expect("send");
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), "/login?next=/reception");
    let api = app
        .client
        .get(app.url("/api/v1/households"))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("send");
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);

    // Five wrong passwords lock the account for the web form too.
    for _ in 0..5 {
        sign_in_form(&app, &[("email", "b@example.org"), ("password", "wrong")]).await;
    }
    let locked = sign_in_form(
        &app,
        &[
            ("email", "b@example.org"),
            ("password", "long enough password"),
        ],
    )
    .await;
    assert_eq!(locked.status(), StatusCode::UNAUTHORIZED);
    assert!(
        locked
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .all(|c| !c.to_str().unwrap_or_default().contains("shanyrak_session"))
    );
}

fn sets_session(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|c| c.to_str().unwrap_or_default().contains("shanyrak_session="))
}

async fn web_sign_in_from_a_foreign_page_is_refused_and_the_user_is_named(app: TestApp) {
    let right = [
        ("email", "a@example.org"),
        ("password", "long enough password"),
    ];
    // A page elsewhere posts the form without the token (it cannot read the cookie or the
    // page): refused, nobody signed in, no attempt counted.
    let forged = browser()
        .post(app.url("/login"))
        .form(&right)
        .send()
        .await
        .expect("send");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(!sets_session(&forged));
    // With another visitor's cookie but its own token, or a token without its cookie.
    let (cookie, _) = login_page(&app).await;
    let (_, other_csrf) = login_page(&app).await;
    let mut fields = right.to_vec();
    fields.push(("csrf", &other_csrf));
    let mixed = browser()
        .post(app.url("/login"))
        .header(COOKIE, &cookie)
        .form(&fields)
        .send()
        .await
        .expect("send");
    assert_eq!(mixed.status(), StatusCode::FORBIDDEN);
    assert!(!sets_session(&mixed));

    // A browser that says where the form came from: another site is refused even with a
    // valid token, this site is accepted.
    let (cookie, csrf) = login_page(&app).await;
    let mut fields = right.to_vec();
    fields.push(("csrf", &csrf));
    let host = app
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    for (header, value) in [
        ("origin", "https://evil.example".to_owned()),
        ("origin", "http://127.0.0.1:1".to_owned()),
        ("sec-fetch-site", "cross-site".to_owned()),
    ] {
        let response = browser()
            .post(app.url("/login"))
            .header(COOKIE, &cookie)
            .header(header, value.as_str())
            // Sent by browsers with every form post under `no-referrer`: says nothing.
            .header(
                if header == "origin" {
                    "x-no-origin"
                } else {
                    "origin"
                },
                "null",
            )
            .form(&fields)
            .send()
            .await
            .expect("send");
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{header}: {value}"
        );
        assert!(!sets_session(&response));
    }
    let same = browser()
        .post(app.url("/login"))
        .header(COOKIE, &cookie)
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .form(&fields)
        .send()
        .await
        .expect("send");
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    // A native form post under `no-referrer`: `Origin: null`, same origin by the browser.
    let (cookie, csrf) = login_page(&app).await;
    let mut fields = right.to_vec();
    fields.push(("csrf", &csrf));
    let same = browser()
        .post(app.url("/login"))
        .header(COOKIE, &cookie)
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .form(&fields)
        .send()
        .await
        .expect("send");
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    assert!(sets_session(&same));

    // Every page names who is signed in, with their role, next to the sign-out button.
    let (_, html) = get(&app, &app.token_a, "/find").await;
    let header = &html[html.find("id=\"signed-in-as\"").expect("who is signed in")..];
    let header = &header[..header.find("/logout").expect("sign-out next to it")];
    assert!(header.contains("a@example.org"), "{header}");
    assert!(
        header.contains(&i18n::message(Lang::Ru, "enum-role-registrar", None)),
        "{header}"
    );

    // A signed-in form posted from another site is refused before it is read.
    let csrf = csrf_of(&html);
    let logout = browser()
        .post(app.url("/logout"))
        .header(COOKIE, session(&app.token_a))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(logout.status(), StatusCode::FORBIDDEN);
    assert_eq!(get(&app, &app.token_a, "/find").await.0, StatusCode::OK);

    // The language form needs a token too.
    let forged = browser()
        .post(app.url("/language"))
        .form(&[("lang", "kk"), ("back", "/login")])
        .send()
        .await
        .expect("send");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // The API takes bearer tokens and answers any origin as before.
    let api = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("origin", "https://evil.example")
        .json(&json!({"email": "a@example.org", "password": "long enough password"}))
        .send()
        .await
        .expect("send");
    assert_eq!(api.status(), StatusCode::CREATED);
}

fn registration<'a>(
    submission: &'a str,
    csrf: &'a str,
    surname: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("submission", submission),
        ("member_count", "1"),
        ("group", "arrival"),
        ("arrival_date", "27.09.2022"),
        ("country", "KZ"),
        ("city", "Oral"),
        ("legal_basis", "consent"),
        ("information_given", "1"),
        ("needs", "shelter"),
        ("m0.surname", surname),
        ("m0.given_name", "Алексей"),
        ("m0.sex", "male"),
        ("m0.birth_date", "02.03.1995"),
        ("m0.relationship", "head"),
        ("m0.citizenship", "RU"),
        ("action", "save"),
    ]
}

async fn web_forms_refuse_missing_or_foreign_csrf_tokens(app: TestApp) {
    let (_, html) = get(&app, &app.token_a, "/reception").await;
    let own = csrf_of(&html);
    let submission = field_of(&html, "submission").expect("submission");
    let (_, other_html) = get(&app, &app.admin_a, "/reception").await;
    let foreign = csrf_of(&other_html);

    let mut missing = registration(&submission, "", "Смирнов");
    missing.retain(|(k, _)| *k != "csrf");
    for fields in [
        missing,
        registration(&submission, &foreign, "Смирнов"),
        registration(&submission, "00ff", "Смирнов"),
    ] {
        let refused = post_form(&app, &app.token_a, "/reception", &fields).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }
    let households: Value = app
        .client
        .get(app.url("/api/v1/households"))
        .bearer_auth(&app.token_a)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(households["items"].as_array().map(Vec::len), Some(0));
    // Each page carries a freshly masked token; any of them is accepted.
    let (_, html_again) = get(&app, &app.token_a, "/reception").await;
    assert_ne!(csrf_of(&html_again), own);
    let accepted = post_form(
        &app,
        &app.token_a,
        "/reception",
        &registration(&submission, &csrf_of(&html_again), "Смирнов"),
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    // Signing out, switching language aside, is a form too.
    let out = post_form(&app, &app.token_a, "/logout", &[]).await;
    assert_eq!(out.status(), StatusCode::FORBIDDEN);
}

async fn web_registration_shows_errors_in_place_is_idempotent_and_attaches(app: TestApp) {
    // A person registered earlier through the API.
    let earlier = app.post(&app.token_a, &family(), None).await;
    assert_eq!(earlier.status(), StatusCode::CREATED);
    let earlier: Value = earlier.json().await.expect("json");
    let earlier_head = earlier["members"][0]["id"].as_str().expect("id").to_owned();

    let (_, html) = get(&app, &app.token_a, "/reception").await;
    let csrf = csrf_of(&html);
    let submission = field_of(&html, "submission").expect("submission");

    // Mistakes come back in place, with everything typed kept.
    let mut bad = registration(&submission, &csrf, "Смирнова");
    bad.retain(|(k, _)| *k != "m0.given_name" && *k != "information_given");
    bad.push(("m0.given_name", ""));
    bad.iter_mut()
        .filter(|(k, _)| *k == "m0.birth_date")
        .for_each(|f| f.1 = "31.02.1995");
    let response = post_form(&app, &app.token_a, "/reception", &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.expect("body");
    for id in [
        "err-members-0-given_name",
        "err-members-0-birth_date",
        "err-information_given",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id} shown");
    }
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(page.contains("value=\"Смирнова\""), "typed values kept");
    assert!(
        page.contains("При согласии"),
        "a message for this field, in Russian"
    );

    // The same person typed again: the check shows them; attach links the two records.
    let mut form = registration(&submission, &csrf, "Смирнов");
    form.retain(|(k, _)| *k != "action");
    form.push(("m0.patronymic", "Игоревич"));
    form.push(("m0.doc_type", "ru_internal_passport"));
    form.push(("m0.doc_number", "4512 345678"));
    let mut check = form.clone();
    check.push(("action", "check"));
    let checked = post_form(&app, &app.token_a, "/reception", &check).await;
    assert_eq!(checked.status(), StatusCode::OK);
    let checked = checked.text().await.expect("body");
    assert!(
        checked.contains(&format!("value=\"{earlier_head}\"")),
        "the earlier record is offered"
    );
    let mut live = form.clone();
    live.push(("check_member", "0"));
    let fragment = post_form(&app, &app.token_a, "/reception/check", &live).await;
    assert_eq!(fragment.status(), StatusCode::OK);
    let fragment = fragment.text().await.expect("body");
    assert!(
        fragment.starts_with("<div id=\"dup-0\""),
        "htmx gets the panel alone"
    );
    assert!(fragment.contains(&earlier_head));

    let mut save = form.clone();
    save.push(("m0.attach", &earlier_head));
    save.push(("action", "save"));
    let saved = post_form(&app, &app.token_a, "/reception", &save).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let card = location(&saved);
    assert!(card.ends_with("/card?registered=1&attached=1"), "{card}");
    assert!(!card.contains("Смирнов"), "no personal data in the URL");
    // A double submission (the phone lost the first answer) registers nothing new.
    let replay = post_form(&app, &app.token_a, "/reception", &save).await;
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&replay), card);
    let list: Value = app
        .client
        .get(app.url("/api/v1/households"))
        .bearer_auth(&app.token_a)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    // The pair is decided "same" in the review queue, where it can be undone.
    let same: Value = app
        .client
        .get(app.url("/api/v1/duplicates?status=same"))
        .bearer_auth(&app.token_a)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let pairs = same["items"].as_array().expect("items");
    assert_eq!(pairs.len(), 1);
    let pair = &pairs[0];
    assert!(
        pair["a"]["person_id"] == json!(earlier_head)
            || pair["b"]["person_id"] == json!(earlier_head)
    );
    // The card holds the code and its QR code.
    let (status, card_page) = get(&app, &app.token_a, &card).await;
    assert_eq!(status, StatusCode::OK);
    assert!(card_page.contains("<svg"));
    assert!(card_page.contains("id=\"reference\""));
}

async fn web_pages_render_in_every_language_without_missing_keys(app: TestApp) {
    let (_, household, member) = registered_family(&app, &app.admin_a).await;
    let (site, _) = app
        .site_with_pools(&[
            json!({"kind": "family_room", "room_size": 4, "beds": 8}),
            json!({"kind": "mixed", "beds": 10, "step_free_beds": 2}),
        ])
        .await;
    let batch = app
        .post_json(&app.admin_a, "/api/v1/placements", &json!({}))
        .await;
    assert_eq!(batch.status(), StatusCode::CREATED);
    let batch: Value = batch.json().await.expect("json");
    let batch = batch["id"].as_str().expect("batch").to_owned();
    let duplicate = app.post(&app.admin_a, &family(), None).await;
    assert_eq!(duplicate.status(), StatusCode::CREATED);
    let queue: Value = app
        .client
        .get(app.url("/api/v1/duplicates"))
        .bearer_auth(&app.admin_a)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let pair = queue["items"][0]["id"]
        .as_str()
        .expect("a queued pair")
        .to_owned();

    let pages = [
        "/reception".to_owned(),
        "/find".to_owned(),
        "/sites".to_owned(),
        format!("/sites/{site}"),
        "/dispatch".to_owned(),
        format!("/dispatch/batches/{batch}"),
        "/duplicates".to_owned(),
        format!("/duplicates/{pair}"),
        "/dashboard".to_owned(),
        format!("/households/{household}"),
        format!("/households/{household}/card"),
        format!("/households/{household}/edit"),
        "/distribute".to_owned(),
        format!("/distribute/{household}"),
        "/import".to_owned(),
        format!("/households/{household}/members/{member}/data"),
        format!("/households/{household}/members/{member}/erase"),
        "/resettlement".to_owned(),
    ];
    for lang in i18n::Lang::ALL {
        for path in pages.iter().map(String::as_str).chain(["/login"]) {
            let response = browser()
                .get(app.url(path))
                .header(
                    COOKIE,
                    format!("{}; shanyrak_lang={}", session(&app.admin_a), lang.code()),
                )
                .header(ACCEPT_ENCODING, "gzip")
                .send()
                .await
                .expect("send");
            // /login redirects a signed-in user to their first screen.
            let expected = if path == "/login" {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::OK
            };
            assert_eq!(response.status(), expected, "{path} in {}", lang.code());
            let gzipped = response
                .headers()
                .get("content-encoding")
                .is_some_and(|v| v == "gzip");
            let bytes = response.bytes().await.expect("body");
            if path != "/login" {
                assert!(gzipped, "{path} is compressed");
                assert!(
                    bytes.len() < 100 * 1024,
                    "{path}: {} bytes compressed",
                    bytes.len()
                );
            }
        }
        // The same pages uncompressed, for their text.
        for path in &pages {
            let response = browser()
                .get(app.url(path))
                .header(
                    COOKIE,
                    format!("{}; shanyrak_lang={}", session(&app.admin_a), lang.code()),
                )
                .send()
                .await
                .expect("send");
            let html = response.text().await.expect("body");
            assert!(html.contains(&format!("<html lang=\"{}\"", lang.code())));
            assert!(
                !html.contains("{ $"),
                "{path} in {} has an unfilled placeable",
                lang.code()
            );
        }
    }
    let missing = i18n::missing_keys();
    assert!(
        missing.iter().all(|k| k == "no-such-key-for-test"),
        "pages asked for keys no language has: {missing:?}"
    );
    // Accept-Language decides the first visit.
    let english = browser()
        .get(app.url("/login"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("body");
    assert!(english.contains("<html lang=\"en\""));
    let (pre_session, csrf) = login_page(&app).await;
    let chosen = browser()
        .post(app.url("/language"))
        .header(COOKIE, pre_session)
        .form(&[("lang", "kk"), ("back", "/login"), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
    let cookie = chosen
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cookie.starts_with("shanyrak_lang=kk;"), "{cookie}");
}

async fn web_pages_check_roles_and_organisations(app: TestApp) {
    let created = app.post(&app.token_a, &family(), None).await;
    let created: Value = created.json().await.expect("json");
    let household = created["id"].as_str().expect("id").to_owned();
    // Another organisation's household does not exist for you.
    let (status, _) = get(&app, &app.token_b, &format!("/households/{household}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&app, &app.admin_b, &format!("/households/{household}/card")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Roles see only their screens.
    let site_manager = app.user_of_a("site@example.org", Role::SiteManager).await;
    let analyst = app.user_of_a("analyst@example.org", Role::Analyst).await;
    for (token, path, expected) in [
        (&site_manager, "/reception", StatusCode::FORBIDDEN),
        (&site_manager, "/duplicates", StatusCode::FORBIDDEN),
        (&site_manager, "/sites", StatusCode::OK),
        (&analyst, "/find", StatusCode::FORBIDDEN),
        (
            &analyst,
            &format!("/households/{household}") as &str,
            StatusCode::FORBIDDEN,
        ),
        (&analyst, "/dispatch", StatusCode::FORBIDDEN),
        (&analyst, "/dashboard", StatusCode::OK),
        (&app.token_a, "/dispatch", StatusCode::FORBIDDEN),
        (
            &app.token_a,
            &format!("/households/{household}/edit") as &str,
            StatusCode::OK,
        ),
    ] {
        let (status, _) = get(&app, token, path).await;
        assert_eq!(status, expected, "{path}");
    }
    // The site manager sees names but no document numbers or notes.
    let (_, page) = get(&app, &site_manager, &format!("/households/{household}")).await;
    assert!(page.contains("Смирнов"));
    assert!(
        !page.contains("4512345678") && !page.contains("4512 345678"),
        "no document number for a site manager"
    );
    let (_, page) = get(&app, &app.token_a, &format!("/households/{household}")).await;
    assert!(page.contains("4512345678") || page.contains("4512 345678"));
    // Anyone signed out is sent to sign in, with nothing but the path kept.
    let anonymous = browser()
        .get(app.url(&format!("/households/{household}")))
        .send()
        .await
        .expect("send");
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&anonymous),
        format!("/login?next=/households/{household}")
    );
    // Nobody else's site can be managed from a form either.
    let (site, pools) = app
        .site_with_pools(&[json!({"kind": "mixed", "beds": 10})])
        .await;
    let (_, html) = get(&app, &app.admin_b, "/sites").await;
    let edit = post_form(
        &app,
        &app.admin_b,
        &format!("/sites/{site}/pools/{}", pools[0]),
        &[("csrf", &csrf_of(&html)), ("beds", "0")],
    )
    .await;
    assert!(
        matches!(edit.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        edit.status()
    );
    let (_, site_page) = get(&app, &app.admin_a, &format!("/sites/{site}")).await;
    assert!(
        site_page.contains("name=\"beds\" value=\"10\""),
        "the beds are unchanged"
    );
    // The site manager's buttons move a stay: check in, check out; anything else is 404.
    let stay = app
        .post_json(
            &app.admin_a,
            "/api/v1/stays",
            &json!({"household_id": household, "pool_id": pools[0], "reserve": true, "reservation_hours": 4}),
        )
        .await;
    assert_eq!(stay.status(), StatusCode::CREATED);
    let stay: Value = stay.json().await.expect("stay");
    let stay_path = format!(
        "/sites/{site}/stays/{}",
        stay["id"].as_str().expect("stay id")
    );
    let (_, site_page) = get(&app, &app.admin_a, &format!("/sites/{site}")).await;
    let csrf = csrf_of(&site_page);
    for (action, outcome) in [
        ("check-in", "checked-in"),
        ("seen", "seen"),
        ("check-out", "checked-out"),
    ] {
        let moved = post_form(
            &app,
            &app.admin_a,
            &stay_path,
            &[("csrf", csrf.as_str()), ("action", action)],
        )
        .await;
        assert_eq!(moved.status(), StatusCode::SEE_OTHER, "{action}");
        assert_eq!(location(&moved), format!("/sites/{site}?done={outcome}"));
    }
    let unknown = post_form(
        &app,
        &app.admin_a,
        &stay_path,
        &[("csrf", csrf.as_str()), ("action", "teleport")],
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    // Every page read of a household is in the access log.
    let log: Value = app
        .client
        .get(app.url(&format!("/api/v1/access-log?entity_id={household}")))
        .bearer_auth(&app.admin_a)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let reads = log["items"].as_array().map(|items| {
        items
            .iter()
            .filter(|e| e["action"] == "read_household")
            .count()
    });
    assert!(reads.is_some_and(|n| n >= 2), "{log}");
}

/// A multipart body as a browser sends it for the upload form.
fn multipart(fields: &[(&str, &str)], file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----shanyrak-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn web_import_previews_confirms_and_quarantine_rows_are_corrected(app: TestApp) {
    let (_, html) = get(&app, &app.token_a, "/import").await;
    let csrf = csrf_of(&html);
    let csv =
        "Фамилия;Имя;Дата рождения;Пол\nСмирнов;Алексей;02.03.1995;м\nВолкова;Мария;31.02.1975;ж\n";
    // Without the CSRF token nothing is kept.
    let (content_type, body) = multipart(
        &[("country", "KZ"), ("city", "Oral")],
        "list.csv",
        csv.as_bytes(),
    );
    let refused = browser()
        .post(app.url("/import"))
        .header(COOKIE, session(&app.token_a))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (content_type, body) = multipart(
        &[("csrf", &csrf), ("country", "KZ"), ("city", "Oral")],
        "list.csv",
        csv.as_bytes(),
    );
    let uploaded = browser()
        .post(app.url("/import"))
        .header(COOKIE, session(&app.token_a))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(uploaded.status(), StatusCode::SEE_OTHER);
    let preview_path = location(&uploaded);
    assert!(preview_path.starts_with("/import/"));
    // The upload is the uploader's own.
    let (status, _) = get(&app, &app.admin_a, &preview_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, preview) = get(&app, &app.token_a, &preview_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        preview.contains("id=\"problems\""),
        "the bad date is shown before importing"
    );
    let nothing_yet: Value = app
        .client
        .get(app.url("/api/v1/households"))
        .bearer_auth(&app.token_a)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(nothing_yet["items"].as_array().map(Vec::len), Some(0));
    let done = post_form(
        &app,
        &app.token_a,
        &preview_path,
        &[("csrf", &csrf_of(&preview))],
    )
    .await;
    assert_eq!(done.status(), StatusCode::OK);
    let summary = done.text().await.expect("body");
    for (id, n) in [
        ("households-created", "1"),
        ("quarantined", "1"),
        ("rows-read", "2"),
    ] {
        assert!(
            summary.contains(&format!("id=\"{id}\"><strong>{n}</strong>")),
            "{id} = {n}"
        );
    }
    // The upload is gone once imported.
    let (status, _) = get(&app, &app.token_a, &preview_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The quarantined row opens in the reception form with its problem shown.
    let (_, page) = get(&app, &app.token_a, "/import").await;
    let start = page.find("/reception?quarantine=").expect("a correct link")
        + "/reception?quarantine=".len();
    let quarantine_id = page[start..start + 36].to_owned();
    let (status, form) = get(
        &app,
        &app.token_a,
        &format!("/reception?quarantine={quarantine_id}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("id=\"correcting\""));
    assert!(form.contains("id=\"err-members-0-birth_date\""));
    assert!(form.contains("value=\"Волкова\""));
    let submission = field_of(&form, "submission").expect("submission");
    let csrf = csrf_of(&form);
    let fixed = post_form(
        &app,
        &app.token_a,
        "/reception",
        &[
            ("csrf", csrf.as_str()),
            ("submission", submission.as_str()),
            ("quarantine", quarantine_id.as_str()),
            ("member_count", "1"),
            ("group", "arrival"),
            ("country", "KZ"),
            ("city", "Oral"),
            ("legal_basis", "vital_interest"),
            ("m0.surname", "Волкова"),
            ("m0.given_name", "Мария"),
            ("m0.sex", "female"),
            ("m0.birth_date", "28.02.1975"),
            ("m0.relationship", "head"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(fixed.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &app.token_a, "/import").await;
    assert!(
        !page.contains("/reception?quarantine="),
        "the corrected row left the quarantine"
    );
}

async fn web_import_refusal_is_kept_and_the_file_not_read_again(app: TestApp) {
    let (_, html) = get(&app, &app.token_a, "/import").await;
    let csrf = csrf_of(&html);
    // A list with no column of names is refused whole.
    let (content_type, body) = multipart(
        &[("csrf", &csrf)],
        "phones.csv",
        "Телефон;Город\n+77011234567;Oral\n".as_bytes(),
    );
    let uploaded = browser()
        .post(app.url("/import"))
        .header(COOKIE, session(&app.token_a))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(uploaded.status(), StatusCode::SEE_OTHER);
    let preview_path = location(&uploaded);
    let (status, page) = get(&app, &app.token_a, &preview_path).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("data-refused=\"no_name_column\""),
        "the refusal names why: {page}"
    );
    // The refusal is kept with the upload and the file's content is gone: opening the
    // preview again (or confirming) answers the same refusal without reading anything.
    let actor = app
        .store
        .authenticate_token(&app.token_a, chrono::Utc::now())
        .await
        .expect("store")
        .expect("actor");
    let id = preview_path
        .trim_start_matches("/import/")
        .parse()
        .expect("upload id");
    let upload = app.store.upload(&actor, id).await.expect("upload");
    assert!(upload.content.is_empty());
    let kept: Value = serde_json::from_str(upload.failure.as_deref().expect("failure kept"))
        .expect("failure JSON");
    assert_eq!(kept["code"], "no_name_column");
    let (status, again) = get(&app, &app.token_a, &preview_path).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.contains("data-refused=\"no_name_column\""));
    let confirmed = post_form(
        &app,
        &app.token_a,
        &preview_path,
        &[("csrf", &csrf_of(&again))],
    )
    .await;
    assert_eq!(confirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // In every language the refusal is a sentence, not a message key.
    for lang in ["en", "kk", "ky"] {
        let page = browser()
            .get(app.url(&preview_path))
            .header(
                COOKIE,
                format!("{}; shanyrak_lang={lang}", session(&app.token_a)),
            )
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("body");
        assert!(!page.contains("import-refused-"), "{lang}: {page}");
    }
}

async fn web_casework_from_household_to_referral_answered_by_the_partner(app: TestApp) {
    let created = app.post(&app.token_a, &family(), None).await;
    let created: Value = created.json().await.expect("json");
    let household = created["id"].as_str().expect("id").to_owned();
    let caseworker = app.user_of_a("cw@example.org", Role::Caseworker).await;
    // Registrars and admins do not do casework.
    for token in [&app.token_a, &app.admin_a] {
        let (status, _) = get(&app, token, "/cases").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, page) = get(&app, &caseworker, &format!("/households/{household}")).await;
    assert_eq!(status, StatusCode::OK);
    let opened = post_form(
        &app,
        &caseworker,
        "/cases",
        &[("csrf", &csrf_of(&page)), ("household_id", &household)],
    )
    .await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let case_path = location(&opened);
    let (_, page) = get(&app, &caseworker, &case_path).await;
    let csrf = csrf_of(&page);
    for (what, fields) in [
        (
            "assessments",
            vec![
                ("vulnerability", "medical"),
                ("severity", "high"),
                ("on", "2022-09-28"),
            ],
        ),
        (
            "plan",
            vec![("description", "Запись к юристу"), ("due", "2022-10-05")],
        ),
        ("notes", vec![("text", "Нужна консультация по отсрочке")]),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let saved = post_form(&app, &caseworker, &format!("{case_path}/{what}"), &form).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{what}");
    }
    let (_, page) = get(&app, &caseworker, &case_path).await;
    assert!(page.contains("Запись к юристу") && page.contains("Нужна консультация"));
    // A note sent twice from one page (a double tap, a resent form) is written once.
    assert!(
        page.contains("name=\"submission\""),
        "the note form carries its key"
    );
    let submission = uuid::Uuid::now_v7().to_string();
    for _ in 0..2 {
        let saved = post_form(
            &app,
            &caseworker,
            &format!("{case_path}/notes"),
            &[
                ("csrf", csrf.as_str()),
                ("submission", &submission),
                ("text", "Один раз"),
            ],
        )
        .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    }
    let (_, page) = get(&app, &caseworker, &case_path).await;
    assert_eq!(page.matches("Один раз").count(), 1, "one note for one form");
    // A referral to organisation B sharing the given name only.
    let org_b: uuid::Uuid = app.org_b().await.parse().expect("org b");
    let head = created["members"][0]["id"]
        .as_str()
        .expect("head")
        .to_owned();
    let sent = post_form(
        &app,
        &caseworker,
        &format!("{case_path}/referrals"),
        &[
            ("csrf", csrf.as_str()),
            ("service", "legal_aid"),
            ("to", &org_b.to_string()),
            ("consent_by", &head),
            ("consent_on", "2022-09-28"),
            ("fields", "given_name"),
        ],
    )
    .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    // The partner's caseworker sees exactly the consented field, and answers.
    app.store
        .create_user(
            &shanyrak_store::Principal::System("test"),
            org_b,
            "cw-b@example.org",
            "long enough password",
            &[Role::Caseworker],
            chrono::Utc::now(),
        )
        .await
        .expect("user b");
    let partner = app
        .store
        .create_token(
            &shanyrak_store::Principal::System("test"),
            "cw-b@example.org",
            None,
            chrono::Utc::now(),
        )
        .await
        .expect("token")
        .secret;
    let (status, overview) = get(&app, &partner, "/cases").await;
    assert_eq!(status, StatusCode::OK);
    let start = overview.find("/referrals/").expect("a received referral") + "/referrals/".len();
    let referral = overview[start..start + 36].to_owned();
    let (status, page) = get(&app, &partner, &format!("/referrals/{referral}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Алексей"), "the consented given name");
    assert!(!page.contains("Смирнов"), "no surname");
    assert!(!page.contains("345678"), "no document, no phone");
    let answered = post_form(
        &app,
        &partner,
        &format!("/referrals/{referral}"),
        &[("csrf", &csrf_of(&page)), ("to", "accepted")],
    )
    .await;
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &caseworker, &format!("/referrals/{referral}")).await;
    assert!(page.contains("принято"), "the sender sees the answer");
    // Nobody but the owning caseworkers reads the notes.
    let (status, _) = get(&app, &partner, &case_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for lang in i18n::Lang::ALL {
        for path in [
            "/cases",
            case_path.as_str(),
            &format!("/referrals/{referral}"),
        ] {
            let response = browser()
                .get(app.url(path))
                .header(
                    COOKIE,
                    format!("{}; shanyrak_lang={}", session(&caseworker), lang.code()),
                )
                .send()
                .await
                .expect("send");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
        }
    }
    let missing = i18n::missing_keys();
    assert!(
        missing.iter().all(|k| k == "no-such-key-for-test"),
        "{missing:?}"
    );
}

async fn web_subject_access_and_erasure_at_the_desk(app: TestApp) {
    let (created, household, member) = registered_family(&app, &app.token_a).await;
    let spouse = created["members"][1]["id"]
        .as_str()
        .expect("spouse")
        .to_owned();
    let page_of = format!("/households/{household}");
    let data = format!("/households/{household}/members/{member}/data");
    let erase = format!("/households/{household}/members/{member}/erase");

    // A registrar shows the person what is held and hands over the file, but cannot erase.
    let (_, page) = get(&app, &app.token_a, &page_of).await;
    assert!(page.contains(&data), "link to what is held");
    assert!(!page.contains(&erase), "no erasure for a registrar");
    let (status, page) = get(&app, &app.token_a, &data).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Смирнов") && page.contains(&format!("{data}.json")));
    assert!(!page.contains("SMIRNOVA"), "only this member's data");
    let file = browser()
        .get(app.url(&format!("{data}.json")))
        .header(COOKIE, session(&app.token_a))
        .send()
        .await
        .expect("send");
    assert_eq!(file.status(), StatusCode::OK);
    let disposition = file
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.starts_with("attachment") && disposition.contains(&member),
        "{disposition}"
    );
    assert!(!disposition.contains("Смирнов") && !disposition.to_lowercase().contains("smirnov"));
    let held: Value = file.json().await.expect("json");
    assert_eq!(held["person_id"], json!(member));
    assert_eq!(
        held["household"]["members"].as_array().map(Vec::len),
        Some(1)
    );
    // Both reads are in the access log, with the desk's purpose.
    let reads = held["access_log"].as_array().cloned().unwrap_or_default();
    assert!(
        reads
            .iter()
            .any(|r| r["purpose"] == "subject access request at the desk"),
        "{reads:?}"
    );
    let (status, _) = get(&app, &app.token_a, &erase).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another organisation's admin finds nothing.
    let (status, _) = get(&app, &app.admin_b, &data).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&app, &app.admin_b, &erase).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A member id that is not in this household is not found either.
    let (status, _) = get(
        &app,
        &app.admin_a,
        &format!("/households/{household}/members/{household}/erase"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The admin erases on the person's request.
    let (_, page) = get(&app, &app.admin_a, &page_of).await;
    assert!(page.contains(&erase));
    let (status, form) = get(&app, &app.admin_a, &erase).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&form);
    // Without a reason: said next to the field, nothing erased.
    let refused = post_form(
        &app,
        &app.admin_a,
        &erase,
        &[("csrf", &csrf), ("reason", "  ")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .expect("body")
            .contains("id=\"reason-error\"")
    );
    // Without the form's token: refused.
    let forged = post_form(
        &app,
        &app.admin_a,
        &erase,
        &[("reason", "asked at the desk")],
    )
    .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let (_, page) = get(&app, &app.admin_a, &page_of).await;
    assert!(
        page.contains("4512 345678") || page.contains("4512345678"),
        "not erased yet"
    );
    let done = post_form(
        &app,
        &app.admin_a,
        &erase,
        &[("csrf", &csrf), ("reason", "Asked in person at the desk")],
    )
    .await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.expect("body").contains(&page_of));
    // The name and document are gone from the household; the spouse is untouched.
    let (_, page) = get(&app, &app.admin_a, &page_of).await;
    assert!(
        !page.contains("Алексей") && !page.contains("4512"),
        "erased"
    );
    assert!(page.contains("SMIRNOVA") && page.contains(&spouse));
    // The erasure is in the household's change history.
    assert!(page.contains("household · erase_person"), "erasure audited");
}

async fn web_resettlement_programme_from_the_form(app: TestApp) {
    let (status, page) = get(&app, &app.admin_a, "/resettlement").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    // Every problem at once, next to its field, with what was typed kept.
    let refused = post_form(
        &app,
        &app.admin_a,
        "/resettlement",
        &[
            ("csrf", &csrf),
            ("name", ""),
            ("country", "Germany"),
            ("quota", "250"),
            ("citizenships", "RU, XX1"),
            ("groups", "arrival"),
            ("conscription_min", "18"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.expect("body");
    for field in ["name", "country", "citizenships", "conscription_max"] {
        assert!(page.contains(&format!("id=\"{field}-error\"")), "{field}");
    }
    assert!(!page.contains("id=\"quota-error\""), "quota is fine");
    assert!(page.contains("value=\"250\""), "typed quota kept");
    assert!(
        page.contains("value=\"RU, XX1\""),
        "typed citizenships kept"
    );
    assert!(
        page.contains("value=\"arrival\" checked"),
        "ticked group kept"
    );
    // Without the form's token: refused.
    let forged = post_form(&app, &app.admin_a, "/resettlement", &[("name", "x")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // A registrar may not manage resettlement.
    let (status, _) = get(&app, &app.token_a, "/resettlement").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let created = post_form(
        &app,
        &app.admin_a,
        "/resettlement",
        &[
            ("csrf", &csrf),
            ("name", "Humanitarian admission (§ 22 AufenthG)"),
            ("country", "de"),
            ("quota", "250"),
            ("citizenships", "RU, by"),
            ("groups", "arrival"),
            ("max_household_size", "6"),
            ("vulnerabilities", "medical"),
            ("vulnerabilities", "disability"),
            ("conscription_min", "18"),
            ("conscription_max", "27"),
        ],
    )
    .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let to = location(&created);
    assert!(to.starts_with("/resettlement/"), "{to}");
    let (status, page) = get(&app, &app.admin_a, &to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Humanitarian admission"));
    let listed: Value = app
        .client
        .get(app.url("/api/v1/resettlement/programmes"))
        .bearer_auth(&app.admin_a)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let programme = &listed["items"][0];
    assert_eq!(programme["country"], "DE");
    assert_eq!(programme["quota"], 250);
    let criteria = &programme["criteria"];
    let sorted = |v: &Value| -> Vec<String> {
        let mut items: Vec<String> = v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        items.sort();
        items
    };
    assert_eq!(sorted(&criteria["citizenships"]), ["BY", "RU"]);
    assert_eq!(criteria["population_groups"], json!(["arrival"]));
    assert_eq!(criteria["max_household_size"], 6);
    assert_eq!(
        sorted(&criteria["any_vulnerability"]),
        ["disability", "medical"]
    );
    assert_eq!(
        criteria["conscription_risk"],
        json!({"min_age": 18, "max_age": 27})
    );
    // Listed on the page.
    let (_, page) = get(&app, &app.admin_a, "/resettlement").await;
    assert!(page.contains(&to));
}

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

/// The href of the city-index link whose text starts with `city`.
fn page_link(page: &str, city: &str) -> String {
    let at = page.find(&format!(">{city} (")).expect("city link");
    let start = page[..at].rfind("href=\"").expect("href") + 6;
    page[start..]
        .split('"')
        .next()
        .expect("link")
        .replace("&amp;", "&")
}

on_both_backends!(the_reception_form_takes_where_a_family_is_now_by_any_name);

/// "Where are they now" takes a place by any of its names (here the Latin one of a border
/// post), refuses text that names no place next to the field, and keeps what was typed.
async fn the_reception_form_takes_where_a_family_is_now_by_any_name(app: TestApp) {
    let (_, html) = get(&app, &app.token_a, "/reception").await;
    let csrf = csrf_of(&html);
    let submission = field_of(&html, "submission").expect("submission");
    let mut fields = registration(&submission, &csrf, "Смирнов");
    fields.push(("current_place", "Нигдебург"));
    let refused = post_form(&app, &app.token_a, "/reception", &fields).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.expect("html");
    assert!(page.contains("value=\"Нигдебург\""), "the text is kept");
    assert!(
        page.contains("Не найдено в списке мест"),
        "the field says why"
    );

    fields.pop();
    fields.push(("current_place", "Syrym"));
    let accepted = post_form(&app, &app.token_a, "/reception", &fields).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let households: Value = app
        .client
        .get(app.url("/api/v1/households"))
        .bearer_auth(&app.token_a)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        households["items"][0]["current_location"]["place_id"], 1_000_000_001_u64,
        "{households}"
    );
    let id = households["items"][0]["id"].as_str().expect("id");
    let (_, page) = get(&app, &app.token_a, &format!("/households/{id}")).await;
    assert!(page.contains("Сырым"), "the household page names the place");
}

/// Sign-in throttling per address over HTTP, behind a proxy that sets `X-Forwarded-For`
/// (`--trust-forwarded-for`): a flood from one address locks the account for that address
/// only; its owner signs in from another. Without the flag the header is ignored.
mod web_a_flood_from_one_address_does_not_lock_the_owner_out {
    use super::{Backend, TestApp};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::flood_from_one_address(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::flood_from_one_address(Backend::Postgres).await;
    }

    pub(super) async fn spawn(backend: Backend, trust: bool) -> TestApp {
        TestApp::spawn_configured(backend, |state| state.trust_forwarded_for = trust).await
    }
}

async fn flood_from_one_address(backend: Backend) {
    let app = web_a_flood_from_one_address_does_not_lock_the_owner_out::spawn(backend, true).await;
    let login = async |from: &str, password: &str| {
        app.client
            .post(app.url("/api/v1/auth/token"))
            .header("x-forwarded-for", format!("198.51.100.77, {from}"))
            .json(&json!({"email": "a@example.org", "password": password}))
            .send()
            .await
            .expect("send")
            .status()
    };
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(login("203.0.113.66", "wrong password").await);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count(),
        4,
        "{statuses:?}"
    );
    assert_eq!(
        login("203.0.113.66", "long enough password").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The owner, at another address, signs in.
    assert_eq!(
        login("192.0.2.5", "long enough password").await,
        StatusCode::CREATED
    );
    // The web form counts the same way.
    let (cookie, csrf) = login_page(&app).await;
    let web = browser()
        .post(app.url("/login"))
        .header(COOKIE, &cookie)
        .header("x-forwarded-for", "203.0.113.66")
        .form(&[
            ("email", "a@example.org"),
            ("password", "long enough password"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(web.status(), StatusCode::UNAUTHORIZED);

    // Without the flag a client cannot pick its address: every attempt here comes from
    // 127.0.0.1, whatever the header says.
    let direct =
        web_a_flood_from_one_address_does_not_lock_the_owner_out::spawn(backend, false).await;
    for n in 0..5 {
        direct
            .client
            .post(direct.url("/api/v1/auth/token"))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .json(&json!({"email": "a@example.org", "password": "wrong password"}))
            .send()
            .await
            .expect("send");
    }
    let refused = direct
        .client
        .post(direct.url("/api/v1/auth/token"))
        .header("x-forwarded-for", "192.0.2.5")
        .json(&json!({"email": "a@example.org", "password": "long enough password"}))
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
}

mod web_plain_http_cookies_have_plain_names {
    use super::Backend;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::plain_http_cookies_have_plain_names(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::plain_http_cookies_have_plain_names(Backend::Postgres).await;
    }
}

/// Under `--plain-http-cookies` (a laptop serving plain HTTP) the cookies are not `Secure`,
/// so they cannot carry the `__Host-` prefix, which browsers accept only with `Secure`; the
/// session they hold still signs in.
async fn plain_http_cookies_have_plain_names(backend: Backend) {
    let app = TestApp::spawn_configured(backend, |state| state.plain_http_cookies = true).await;
    let page = browser().get(app.url("/login")).send().await.expect("send");
    let form_cookie = page
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("shanyrak_form="))
        .expect("pre-session cookie")
        .to_owned();
    assert!(form_cookie.starts_with("shanyrak_form="), "{form_cookie}");
    assert!(!form_cookie.contains("Secure"), "{form_cookie}");
    let csrf = csrf_of(&page.text().await.expect("body"));
    let signed_in = browser()
        .post(app.url("/login"))
        .header(COOKIE, form_cookie.split(';').next().unwrap_or_default())
        .form(&[
            ("email", "a@example.org"),
            ("password", "long enough password"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = signed_in
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("shanyrak_session="))
        .expect("session cookie")
        .to_owned();
    assert!(session.starts_with("shanyrak_session="), "{session}");
    assert!(!session.contains("Secure"), "{session}");
    assert_eq!(
        shanyrak_server::web::session_cookie_name(false),
        "shanyrak_session"
    );
    let find = browser()
        .get(app.url("/find"))
        .header(COOKIE, session.split(';').next().unwrap_or_default())
        .send()
        .await
        .expect("send");
    assert_eq!(find.status(), StatusCode::OK, "the plain session signs in");
}

on_both_backends!(a_site_page_counts_family_rooms_as_the_api_does);

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
    let view: Value = app
        .get(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await
        .json()
        .await
        .expect("json");
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

on_both_backends!(a_proposal_batch_page_presets_nothing_and_offers_pools_of_its_city);

/// The dispatcher's batch page: no proposal is accepted unless chosen, "accept the rest"
/// is not ticked, and another pool is offered from the proposed site's city only, with
/// its kind in words.
async fn a_proposal_batch_page_presets_nothing_and_offers_pools_of_its_city(app: TestApp) {
    app.site_with_pools(&[json!({"kind": "family_room", "room_size": 4, "beds": 8})])
        .await;
    let far = json!({"name": "Алматы Арена", "kind": "sports_hall",
        "location": {"country": "KZ", "city": "Almaty"}});
    let response = app.post_json(&app.admin_a, "/api/v1/sites", &far).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let far: Value = response.json().await.expect("json");
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

on_both_backends!(a_duplicate_pair_is_compared_in_words_of_the_users_language);

/// The evidence of a queued pair says "совпадает", not `same`, and citizenship by name.
async fn a_duplicate_pair_is_compared_in_words_of_the_users_language(app: TestApp) {
    app.create(&family()).await;
    let duplicate = app.post(&app.admin_a, &family(), None).await;
    assert_eq!(duplicate.status(), StatusCode::CREATED);
    let queue: Value = app
        .client
        .get(app.url("/api/v1/duplicates"))
        .bearer_auth(&app.admin_a)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let pair = queue["items"][0]["id"].as_str().expect("a queued pair");
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

on_both_backends!(a_family_without_a_reservation_is_checked_in_on_the_spot);

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
    let view: Value = app
        .get(&app.admin_a, &format!("/api/v1/sites/{site}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["pools"][1]["occupied"], 4, "{view}");
}

on_both_backends!(the_waiting_list_is_paged_and_filtered_by_city);

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
