//! Signing in and out, CSRF on every form, lockouts that a flood from one address cannot
//! turn against the owner, and cookie names.

use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use shanyrak_server::web::Lang;
use shanyrak_server::web::i18n;

use super::super::{Backend, TestApp};
use super::{
    assert_strict, browser, cookie_set, csrf_of, get, location, login_form, login_page, post_form,
    reception_form, registration, session, sets_session, sign_in_form,
};

/// Organisation A's registrar's e-mail and password, as the sign-in form takes them.
const RIGHT: [(&str, &str); 2] = [
    ("email", "a@example.org"),
    ("password", "long enough password"),
];

on_both_backends!(
    web_sign_in_sets_a_strict_cookie_and_sign_out_revokes_it,
    web_sign_in_from_a_foreign_page_is_refused_and_the_user_is_named,
    web_forms_refuse_missing_or_foreign_csrf_tokens,
);

async fn web_sign_in_sets_a_strict_cookie_and_sign_out_revokes_it(app: TestApp) {
    let wrong = sign_in_form(
        &app,
        &[("email", "a@example.org"), ("password", "not the password")],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie_set(&wrong, |c| c.contains("shanyrak_session")).is_none());
    assert!(wrong.text().await.expect("body").contains("login-problem"));

    let signed_in = sign_in_form(&app, &[RIGHT[0], RIGHT[1], ("next", "/find")]).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&signed_in), "/find");
    let cookie =
        cookie_set(&signed_in, |c| c.contains("shanyrak_session=")).expect("session cookie");
    assert_strict(&cookie);
    // Secure cookies carry the __Host- prefix: only this host, over HTTPS, may set them.
    let secret = cookie
        .split(';')
        .next()
        .and_then(|c| c.strip_prefix("__Host-shanyrak_session="))
        .expect("value")
        .to_owned();
    // An open redirect is refused: `next` must be a path of this site.
    let elsewhere = sign_in_form(&app, &[RIGHT[0], RIGHT[1], ("next", "//evil.example/")]).await;
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
    let api = app.get(&secret, "/api/v1/households").await;
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
    assert!(cookie_set(&locked, |c| c.contains("shanyrak_session")).is_none());
}

async fn web_sign_in_from_a_foreign_page_is_refused_and_the_user_is_named(app: TestApp) {
    // A page elsewhere posts the form without the token (it cannot read the cookie or the
    // page): refused, nobody signed in, no attempt counted.
    let forged = browser()
        .post(app.url("/login"))
        .form(&RIGHT)
        .send()
        .await
        .expect("send");
    assert_forbidden_without_session(&forged);
    // With another visitor's cookie but its own token, or a token without its cookie.
    let (cookie, _) = login_page(&app).await;
    let (_, other_csrf) = login_page(&app).await;
    let fields = [RIGHT[0], RIGHT[1], ("csrf", other_csrf.as_str())];
    let mixed = login_form(&app, &cookie)
        .form(&fields)
        .send()
        .await
        .expect("send");
    assert_forbidden_without_session(&mixed);

    // A browser that says where the form came from: another site is refused even with a
    // valid token, this site is accepted.
    let (cookie, csrf) = login_page(&app).await;
    let fields = [RIGHT[0], RIGHT[1], ("csrf", csrf.as_str())];
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
        let response = login_form(&app, &cookie)
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
    let same = login_form(&app, &cookie)
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .form(&fields)
        .send()
        .await
        .expect("send");
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    // A native form post under `no-referrer`: `Origin: null`, same origin by the browser.
    let (cookie, csrf) = login_page(&app).await;
    let fields = [RIGHT[0], RIGHT[1], ("csrf", csrf.as_str())];
    let same = login_form(&app, &cookie)
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

async fn web_forms_refuse_missing_or_foreign_csrf_tokens(app: TestApp) {
    let (_, own, submission) = reception_form(&app, &app.token_a).await;
    let (_, foreign, _) = reception_form(&app, &app.admin_a).await;

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
    let households: Value = app.json_of(&app.token_a, "/api/v1/households").await;
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

on_both_backends!(
    spawn = super::trusting_forwarded_for;
    web_a_flood_from_one_address_does_not_lock_the_owner_out,
);
on_both_backends!(
    spawn = super::not_trusting_forwarded_for;
    web_without_the_flag_a_client_cannot_pick_its_address,
);
on_both_backends!(
    spawn = super::plain_http_cookies;
    web_plain_http_cookies_have_plain_names,
);

async fn trusting_forwarded_for(backend: Backend) -> TestApp {
    TestApp::spawn_configured(backend, |state| state.trust_forwarded_for = true).await
}

async fn not_trusting_forwarded_for(backend: Backend) -> TestApp {
    TestApp::spawn_configured(backend, |state| state.trust_forwarded_for = false).await
}

async fn plain_http_cookies(backend: Backend) -> TestApp {
    TestApp::spawn_configured(backend, |state| state.plain_http_cookies = true).await
}

/// A sign-in form refused before it is read: nobody is signed in.
fn assert_forbidden_without_session(response: &reqwest::Response) {
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!sets_session(response));
}

/// Asks for an API token as a client behind the proxy at `forwarded_for`.
async fn token_from(app: &TestApp, forwarded_for: &str, password: &str) -> StatusCode {
    app.client
        .post(app.url("/api/v1/auth/token"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"email": "a@example.org", "password": password}))
        .send()
        .await
        .expect("send")
        .status()
}

/// Sign-in throttling per address over HTTP, behind a proxy that sets `X-Forwarded-For`
/// (`--trust-forwarded-for`): a flood from one address locks the account for that address
/// only; its owner signs in from another.
async fn web_a_flood_from_one_address_does_not_lock_the_owner_out(app: TestApp) {
    let login = async |from: &str, password: &str| {
        token_from(&app, &format!("198.51.100.77, {from}"), password).await
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
    let web = login_form(&app, &cookie)
        .header("x-forwarded-for", "203.0.113.66")
        .form(&[RIGHT[0], RIGHT[1], ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(web.status(), StatusCode::UNAUTHORIZED);
}

/// Without the flag a client cannot pick its address: every attempt here comes from
/// 127.0.0.1, whatever the header says.
async fn web_without_the_flag_a_client_cannot_pick_its_address(direct: TestApp) {
    for n in 0..5 {
        token_from(&direct, &format!("203.0.113.{n}"), "wrong password").await;
    }
    assert_eq!(
        token_from(&direct, "192.0.2.5", "long enough password").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Under `--plain-http-cookies` (a laptop serving plain HTTP) the cookies are not `Secure`,
/// so they cannot carry the `__Host-` prefix, which browsers accept only with `Secure`; the
/// session they hold still signs in.
async fn web_plain_http_cookies_have_plain_names(app: TestApp) {
    let page = browser().get(app.url("/login")).send().await.expect("send");
    let form_cookie =
        cookie_set(&page, |c| c.contains("shanyrak_form=")).expect("pre-session cookie");
    assert!(form_cookie.starts_with("shanyrak_form="), "{form_cookie}");
    assert!(!form_cookie.contains("Secure"), "{form_cookie}");
    let csrf = csrf_of(&page.text().await.expect("body"));
    let signed_in = login_form(&app, form_cookie.split(';').next().unwrap_or_default())
        .form(&[RIGHT[0], RIGHT[1], ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session =
        cookie_set(&signed_in, |c| c.contains("shanyrak_session=")).expect("session cookie");
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
