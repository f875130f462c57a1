//! Self pre-registration: a household enters itself without signing in and gets only a
//! code; a registrar of the organisation running the page opens it by that code on the
//! reception form and saves it; robots, floods and other organisations get nothing.

use reqwest::StatusCode;
use shanyrak_core::Role;

use super::super::{Backend, TestApp};
use super::{browser, csrf_of, field_of, get, location, post_form};

on_both_backends!(
    a_household_pre_registers_and_the_desk_registers_it,
    robots_invalid_forms_and_other_organisations_get_nothing,
    a_flood_from_one_address_stores_at_most_the_limit,
    registrars_see_the_pending_list_and_purge_spam_in_bulk,
);

on_both_backends!(spawn = super::with_desk_code; the_form_asks_for_the_desks_code_of_the_day);

async fn with_desk_code(backend: Backend) -> TestApp {
    TestApp::spawn_configured(backend, |state| state.pre_register_desk_code = true).await
}

/// An anonymous visitor's pre-session on the public form: its cookie, token and page.
async fn public_form(app: &TestApp) -> (String, String, String) {
    super::public_form_at(app, "/pre-register").await
}

fn household<'a>(csrf: &'a str, surname: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("member_count", "2"),
        ("m0.surname", surname),
        ("m0.given_name", "Алексей"),
        ("m0.sex", "male"),
        ("m0.birth_date", "02.03.1995"),
        ("m0.relationship", "head"),
        ("m0.citizenship", "RU"),
        ("m1.surname", surname),
        ("m1.given_name", "Мария"),
        ("m1.sex", "female"),
        ("m1.birth_date", "14.07.2016"),
        ("m1.relationship", "child"),
        ("m1.citizenship", "RU"),
        ("country", "KZ"),
        ("city", "Oral"),
        ("phone", "+7 701 468 20 59"),
        ("needs", "shelter"),
        ("needs", "food"),
        ("website", ""),
        ("action", "save"),
    ]
}

async fn submit(app: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    super::post_public(app, "/pre-register", cookie, fields).await
}

fn code_of(html: &str) -> String {
    let start = html
        .find("id=\"pre-registration-code\">")
        .expect("the code")
        + "id=\"pre-registration-code\">".len();
    html[start..].split('<').next().expect("code").to_owned()
}

async fn open_by_code(app: &TestApp, token: &str, code: &str) -> reqwest::Response {
    let (_, page) = get(app, token, "/pre-registrations").await;
    post_form(
        app,
        token,
        "/pre-registrations",
        &[("csrf", &csrf_of(&page)), ("code", code)],
    )
    .await
}

async fn pending(app: &TestApp) -> i64 {
    app.store
        .pending_pre_registrations(chrono::Utc::now())
        .await
        .expect("count")
}

async fn a_household_pre_registers_and_the_desk_registers_it(app: TestApp) {
    let (cookie, csrf, html) = public_form(&app).await;
    assert!(html.len() < 30 * 1024, "{} bytes", html.len());
    // A plain form: it works without JavaScript (this test is a browser without it).
    assert!(html.contains("<form method=\"post\" action=\"/pre-register\""));
    assert!(
        html.contains("Предварительная регистрация"),
        "Russian first"
    );
    // Adding a member row is a round trip that stores nothing.
    let mut add = household(&csrf, "Тестов");
    add.retain(|(k, _)| *k != "action");
    add.push(("action", "add"));
    let added = submit(&app, &cookie, &add).await;
    assert_eq!(added.status(), StatusCode::OK);
    assert!(
        added
            .text()
            .await
            .expect("body")
            .contains("name=\"m2.surname\"")
    );
    assert_eq!(pending(&app).await, 0);

    let done = submit(&app, &cookie, &household(&csrf, "Тестов")).await;
    assert_eq!(done.status(), StatusCode::CREATED);
    let page = done.text().await.expect("body");
    let code = code_of(&page);
    assert!(page.contains("<svg"), "a QR code");
    for shown_back in ["Тестов", "Алексей", "468 20 59", "Oral"] {
        assert!(!page.contains(shown_back), "{shown_back} shown back");
    }
    assert_eq!(pending(&app).await, 1);
    // Not a household: it counts in no figure.
    assert_eq!(app.count("households").await, 0);
    assert_eq!(app.count("persons").await, 0);

    // The desk: typed in lower case with a Cyrillic look-alike, it opens the form.
    let typed = code.to_lowercase().replace('a', "а");
    let opened = open_by_code(&app, &app.token_a, &typed).await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let target = location(&opened);
    assert!(
        target.starts_with("/reception?pre_registration="),
        "{target}"
    );
    let (status, form) = get(&app, &app.token_a, &target).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("id=\"pre-registered\""));
    assert!(form.contains("value=\"Тестов\""));
    assert!(form.contains("value=\"Мария\""));
    assert!(form.contains("value=\"shelter\" checked"));
    // The page told the household what is recorded and who sees it: one tap saves an
    // unchanged family, without ticking that again.
    assert!(
        form.contains("name=\"information_given\" value=\"1\" checked"),
        "information given, as on the public page"
    );
    let id = field_of(&form, "pre_registration").expect("carried in the form");
    // Saved as the desk saves any registration: it is then a household, and gone.
    let saved = post_form(
        &app,
        &app.token_a,
        "/reception",
        &[
            ("csrf", csrf_of(&form).as_str()),
            (
                "submission",
                &field_of(&form, "submission").expect("submission"),
            ),
            ("pre_registration", &id),
            ("member_count", "2"),
            ("group", "arrival"),
            ("arrival_date", "27.09.2022"),
            ("country", "KZ"),
            ("city", "Oral"),
            ("phone", "+7 701 468 20 59"),
            ("legal_basis", "consent"),
            ("information_given", "1"),
            ("needs", "shelter"),
            ("m0.surname", "Тестов"),
            ("m0.given_name", "Алексей"),
            ("m0.sex", "male"),
            ("m0.birth_date", "02.03.1995"),
            ("m0.relationship", "head"),
            ("m0.citizenship", "RU"),
            ("m1.surname", "Тестов"),
            ("m1.given_name", "Мария"),
            ("m1.sex", "female"),
            ("m1.birth_date", "14.07.2016"),
            ("m1.relationship", "child"),
            ("m1.citizenship", "RU"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert!(location(&saved).contains("registered=1"));
    assert_eq!(app.count("households").await, 1);
    assert_eq!(app.count("persons").await, 2);
    assert_eq!(pending(&app).await, 0);
    assert_eq!(app.count("pre_registrations").await, 0);
    // The code now opens nothing.
    let again = open_by_code(&app, &app.token_a, &code).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

async fn robots_invalid_forms_and_other_organisations_get_nothing(app: TestApp) {
    let (cookie, csrf, _) = public_form(&app).await;
    // The honeypot filled: a code like any other, nothing stored.
    let mut robot = household(&csrf, "Робот");
    robot.retain(|(k, _)| *k != "website");
    robot.push(("website", "https://spam.example"));
    let fooled = submit(&app, &cookie, &robot).await;
    assert_eq!(fooled.status(), StatusCode::CREATED);
    let fake = code_of(&fooled.text().await.expect("body"));
    assert_eq!(pending(&app).await, 0);
    let opened = open_by_code(&app, &app.token_a, &fake).await;
    assert_eq!(opened.status(), StatusCode::NOT_FOUND);

    // Without the pre-session token nothing is stored.
    let mut forged = household("", "Подделкин");
    forged.retain(|(k, _)| *k != "csrf");
    let refused = submit(&app, &cookie, &forged).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Every field has the API's limits; a mistake comes back to its own author only.
    let long = "Я".repeat(5_000);
    for (field, value) in [
        ("m0.surname", long.as_str()),
        ("m0.birth_date", "31.02.1990"),
        ("m0.given_name", ""),
    ] {
        let mut bad = household(&csrf, "Ошибкин");
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
    }
    // A body beyond the form's limit is refused before it is read.
    let huge = "x".repeat(100 * 1024);
    let mut big = household(&csrf, "Большой");
    big.push(("notes", &huge));
    assert_eq!(
        submit(&app, &cookie, &big).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(pending(&app).await, 0);

    let done = submit(&app, &cookie, &household(&csrf, "Тестов")).await;
    let code = code_of(&done.text().await.expect("body"));
    // Another organisation's registrar, and a signed-in user who does not register:
    // nothing, not even whether the code exists.
    let other = open_by_code(&app, &app.token_b, &code).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    assert!(!other.text().await.expect("body").contains("Тестов"));
    let dispatcher = app
        .user_of_a("dispatcher@example.org", Role::Dispatcher)
        .await;
    let (status, _) = get(&app, &dispatcher, "/pre-registrations").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let id = app
        .store
        .pre_registration_by_code(
            &app.store
                .authenticate_token(&app.token_a, chrono::Utc::now())
                .await
                .expect("auth")
                .expect("registrar"),
            &code.parse().expect("code"),
            chrono::Utc::now(),
        )
        .await
        .expect("found")
        .id;
    let (status, page) = get(
        &app,
        &app.token_b,
        &format!("/reception?pre_registration={id}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("Тестов"));
    // Anonymous visitors are sent to sign in.
    let anonymous = browser()
        .get(app.url(&format!("/reception?pre_registration={id}")))
        .send()
        .await
        .expect("send");
    assert!(
        location(&anonymous).starts_with("/login"),
        "{}",
        location(&anonymous)
    );
}

async fn a_flood_from_one_address_stores_at_most_the_limit(app: TestApp) {
    let (cookie, csrf, _) = public_form(&app).await;
    let flood = 4 * shanyrak_store::PRE_REGISTRATIONS_PER_ADDRESS;
    // The server keeps answering meanwhile (checked by `flood`).
    let (created, limited) = super::flood(
        &app,
        "/pre-register",
        &cookie,
        &household(&csrf, "Флудов"),
        flood,
    )
    .await;
    let limit = i64::from(shanyrak_store::PRE_REGISTRATIONS_PER_ADDRESS);
    assert_eq!(created, limit);
    assert_eq!(limited, i64::from(flood) - limit);
    assert_eq!(pending(&app).await, limit);
    // A refused submission says when to come back.
    let refused = submit(&app, &cookie, &household(&csrf, "Флудов")).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().get("retry-after").is_some());
    assert_eq!(pending(&app).await, limit);
}

/// With `--pre-register-desk-code`, the public form asks for the code the desk shows
/// today: without it or with a wrong one nothing is stored and the field says why; the
/// registrars of the organisation see the code, nobody else does.
async fn the_form_asks_for_the_desks_code_of_the_day(app: TestApp) {
    let (cookie, csrf, html) = public_form(&app).await;
    assert!(html.contains("name=\"desk_code\""), "the field is asked");
    for typed in ["", "000000x"] {
        let mut fields = household(&csrf, "Тестов");
        fields.push(("desk_code", typed));
        let refused = submit(&app, &cookie, &fields).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{typed:?}"
        );
        let page = refused.text().await.expect("body");
        assert!(page.contains("id=\"err-desk_code\""), "{typed:?}");
        assert!(page.contains("Это не код дня"), "{typed:?}");
        assert!(page.contains("value=\"Тестов\""), "what was typed is kept");
    }
    assert_eq!(pending(&app).await, 0);

    // The desk sees the code of the day; a user of another organisation does not.
    let (status, desk) = get(&app, &app.token_a, "/pre-registrations").await;
    assert_eq!(status, StatusCode::OK);
    let marker = "id=\"desk-code-of-the-day\">";
    let start = desk.find(marker).expect("the code of the day") + marker.len();
    let code: String = desk[start..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    assert_eq!(code.len(), 6, "{code}");
    let other = app.user_of_b("registrar@b.example", Role::Registrar).await;
    let (_, elsewhere) = get(&app, &other, "/pre-registrations").await;
    assert!(!elsewhere.contains("desk-code-of-the-day"));
    assert!(!elsewhere.contains(&code));

    let mut fields = household(&csrf, "Тестов");
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    fields.push(("desk_code", &spaced));
    let done = submit(&app, &cookie, &fields).await;
    assert_eq!(done.status(), StatusCode::CREATED);
    assert_eq!(pending(&app).await, 1);
}

/// The registrars' page lists their organisation's pending entries (when, where, how many,
/// who) and deletes the ticked ones; another organisation sees none of them and cannot
/// delete them, and a purge without the form's token deletes nothing.
async fn registrars_see_the_pending_list_and_purge_spam_in_bulk(app: TestApp) {
    let (cookie, csrf, _) = public_form(&app).await;
    let mut codes = Vec::new();
    for surname in ["Асдф", "Qwerty", "Тестов"] {
        let done = submit(&app, &cookie, &household(&csrf, surname)).await;
        assert_eq!(done.status(), StatusCode::CREATED);
        let page = done.text().await.expect("body");
        assert!(page.contains("72 часа"), "the lifetime is told");
        codes.push(code_of(&page));
    }
    let (status, page) = get(&app, &app.token_a, "/pre-registrations").await;
    assert_eq!(status, StatusCode::OK);
    for (code, surname) in codes.iter().zip(["Асдф", "Qwerty", "Тестов"]) {
        assert!(page.contains(code.as_str()), "{code} listed");
        assert!(
            page.contains(&format!("2 · {surname} ")),
            "{surname} listed"
        );
    }
    assert!(page.contains("Oral"), "the town");
    let ids: Vec<String> = page
        .match_indices("name=\"pre_registration\" value=\"")
        .map(|(at, m)| page[at + m.len()..at + m.len() + 36].to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    let (_, other) = get(&app, &app.token_b, "/pre-registrations").await;
    assert!(!other.contains("Асдф") && !other.contains(codes[0].as_str()));
    assert!(
        other.contains("Предварительных регистраций нет"),
        "an empty list says so"
    );

    // Newest first: the first two rows are "Тестов" and "Qwerty"; purge "Qwerty" and "Асдф".
    let spam = [ids[1].as_str(), ids[2].as_str()];
    let mut fields = vec![("csrf", csrf_of(&other))];
    fields.extend(spam.iter().map(|id| ("pre_registration", (*id).to_owned())));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = post_form(&app, &app.token_b, "/pre-registrations/purge", &fields).await;
    assert!(refused.status().is_redirection());
    assert_eq!(
        pending(&app).await,
        3,
        "another organisation deletes nothing"
    );
    let mut forged = fields.clone();
    forged[0] = ("csrf", "forged");
    let forged = post_form(&app, &app.token_a, "/pre-registrations/purge", &forged).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(pending(&app).await, 3);
    let mut purge = fields.clone();
    let own_csrf = csrf_of(&page);
    purge[0] = ("csrf", own_csrf.as_str());
    let done = post_form(&app, &app.token_a, "/pre-registrations/purge", &purge).await;
    assert_eq!(location(&done), "/pre-registrations?purged=2");
    assert_eq!(pending(&app).await, 1);
    let (_, after) = get(&app, &app.token_a, "/pre-registrations?purged=2").await;
    assert!(after.contains("id=\"purged\""));
    assert!(after.contains("Тестов") && !after.contains("Асдф") && !after.contains("Qwerty"));
}
