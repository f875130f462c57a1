//! The web interface over HTTP, as a browser without JavaScript uses it: forms, cookies,
//! CSRF, redirects, access checks, messages in every language. The helpers here are what
//! a browser does (sign in, follow a form, keep its cookie); the stories are in the
//! files beside this one.

use crate::support::header_of;
use crate::support::id_of;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::Value;

use super::{TestApp, family};

mod access;
mod casework;
mod distribute;
mod host_offers;
mod import;
mod outbox;
mod places;
mod pre_register;
mod reception;
mod sign_in;
mod sites;

/// Registers `family()` through the API: the created household, its id and its head's id.
async fn registered_family(app: &TestApp, token: &str) -> (Value, String, String) {
    let created: Value = app
        .post(token, &family(), None)
        .await
        .json()
        .await
        .expect("json");
    let household = id_of(&created).to_owned();
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
    get_with_cookies(app, &session(token), path).await
}

/// `path` as the user of `token` sees it in `lang` (chosen with the language cookie).
async fn get_in(app: &TestApp, token: &str, lang: &str, path: &str) -> (StatusCode, String) {
    let cookies = format!("{}; shanyrak_lang={lang}", session(token));
    get_with_cookies(app, &cookies, path).await
}

/// `path` as a browser sending `cookies` (the `Cookie` header) loads it.
async fn get_with_cookies(app: &TestApp, cookies: &str, path: &str) -> (StatusCode, String) {
    let response = browser()
        .get(app.url(path))
        .header(COOKIE, cookies)
        .send()
        .await
        .expect("send");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// The reception desk's empty form for the user of `token`: the page, its CSRF token and
/// the submission id it was given.
async fn reception_form(app: &TestApp, token: &str) -> (String, String, String) {
    let (_, html) = get(app, token, "/reception").await;
    let csrf = csrf_of(&html);
    let submission = field_of(&html, "submission").expect("submission");
    (html, csrf, submission)
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
    post_public(app, path, &session(token), fields).await
}

fn location(response: &reqwest::Response) -> String {
    header_of(response, LOCATION)
}

/// A visitor's pre-session: the cookie the sign-in page set and the token in its form.
async fn login_page(app: &TestApp) -> (String, String) {
    let (pair, html) = pre_session(app, "/login").await;
    (pair, csrf_of(&html))
}

/// A public page as a visitor without a session loads it: the pre-session cookie it set
/// (checked for its attributes) and the page.
async fn pre_session(app: &TestApp, path: &str) -> (String, String) {
    let page = browser().get(app.url(path)).send().await.expect("send");
    assert_eq!(page.status(), StatusCode::OK);
    let cookie =
        cookie_set(&page, |c| c.starts_with("__Host-shanyrak_form=")).expect("pre-session cookie");
    assert_strict(&cookie);
    assert!(!cookie.contains("Domain"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair").to_owned();
    (pair, page.text().await.expect("body"))
}

/// Posts the sign-in form as a browser that loaded it would.
async fn sign_in_form(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let (cookie, csrf) = login_page(app).await;
    let mut fields = fields.to_vec();
    fields.push(("csrf", &csrf));
    login_form(app, &cookie)
        .form(&fields)
        .send()
        .await
        .expect("send")
}

/// The sign-in form's post, as a browser holding the pre-session `cookie` starts it.
fn login_form(app: &TestApp, cookie: &str) -> reqwest::RequestBuilder {
    browser().post(app.url("/login")).header(COOKIE, cookie)
}

fn sets_session(response: &reqwest::Response) -> bool {
    cookie_set(response, |c| c.contains("shanyrak_session=")).is_some()
}

/// The first cookie `response` sets that `matches`, with its attributes.
fn cookie_set(response: &reqwest::Response, matches: impl Fn(&str) -> bool) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| matches(c))
        .map(str::to_owned)
}

/// A cookie only this host sets and reads, over HTTPS, never sent from another site or
/// read by a script.
fn assert_strict(cookie: &str) {
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
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

/// Posts the upload form with `fields` and the file as a browser signed in with `token`.
async fn upload(
    app: &TestApp,
    token: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    file: &[u8],
) -> reqwest::Response {
    let (content_type, body) = multipart(fields, file_name, file);
    browser()
        .post(app.url("/import"))
        .header(COOKIE, session(token))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("send")
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

/// Sends the public form at `path` `times` times at once from one visitor (its cookie),
/// checks that the server answers a health check meanwhile, and returns how many were
/// stored (201) and refused (429); any other answer fails the test.
async fn flood(
    app: &TestApp,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    times: i32,
) -> (i64, i64) {
    let fields: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..times {
        let request = browser()
            .post(app.url(path))
            .header(COOKIE, cookie)
            .form(&fields);
        tasks.spawn(async move { request.send().await.expect("send").status() });
    }
    let started = std::time::Instant::now();
    let health = browser()
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("send");
    assert!(health.status().is_success());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let (mut created, mut limited) = (0, 0);
    while let Some(status) = tasks.join_next().await {
        match status.expect("task") {
            StatusCode::CREATED => created += 1,
            StatusCode::TOO_MANY_REQUESTS => limited += 1,
            other => panic!("unexpected {other}"),
        }
    }
    (created, limited)
}

/// An anonymous visitor's pre-session on the public form at `path`: its cookie, token and
/// page.
async fn public_form_at(app: &TestApp, path: &str) -> (String, String, String) {
    let (cookie, html) = pre_session(app, path).await;
    let csrf = csrf_of(&html);
    (cookie, csrf, html)
}

/// The visitor with `cookie` sends the form at `path` (a public one, or with a session
/// cookie, as `post_form` does).
async fn post_public(
    app: &TestApp,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    browser()
        .post(app.url(path))
        .header(COOKIE, cookie)
        .form(fields)
        .send()
        .await
        .expect("send")
}
