//! The harness every story of this suite shares: the real router on a real socket over
//! a fresh SQLite or PostgreSQL database, two organisations with their tokens, and the
//! requests and fixtures the stories use.

use chrono::Utc;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use shanyrak_core::{Actor, OrgKind, Role};
use shanyrak_server::AppState;
use shanyrak_store::testing::{Backend, TestDatabase};
use shanyrak_store::{Principal, Store, StoreOptions};

pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    pub(crate) token_a: String,
    pub(crate) token_b: String,
    /// Admins of organisations A and B (they may manage sites and place households).
    pub(crate) admin_a: String,
    pub(crate) admin_b: String,
    pub(crate) store: Store,
    pub(crate) _db: TestDatabase,
}

impl TestApp {
    /// An app whose coordinator figures are computed on every request.
    pub(crate) async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, chrono::Duration::zero()).await
    }

    /// An app whose coordinator figures come from snapshots at most `figures_every` apart.
    pub(crate) async fn spawn_with(backend: Backend, figures_every: chrono::Duration) -> Self {
        Self::spawn_configured(backend, |state| state.figures_every = figures_every).await
    }

    /// An app whose state `configure` adjusts before it serves. Its log is silent unless
    /// `TEST_LOG` names a filter (`TEST_LOG=debug cargo test …`).
    pub(crate) async fn spawn_configured(
        backend: Backend,
        configure: impl FnOnce(&mut AppState),
    ) -> Self {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
        let db = TestDatabase::new(backend).await;
        let store = Store::connect(&db.url, &StoreOptions::default())
            .await
            .expect("connect");
        let cli = Principal::System("test");
        let now = Utc::now();
        let mut tokens = Vec::new();
        let mut organisations = Vec::new();
        for (name, slug) in [("Кайнар", "a"), ("UNHCR", "b")] {
            let org = store
                .create_organisation(&cli, name, OrgKind::Ngo, now)
                .await
                .expect("org");
            organisations.push(org.id);
            for (role, email) in [
                (Role::Registrar, format!("{slug}@example.org")),
                (Role::Admin, format!("admin-{slug}@example.org")),
            ] {
                store
                    .create_user(&cli, org.id, &email, "long enough password", &[role], now)
                    .await
                    .expect("user");
                tokens.push(
                    store
                        .create_token(&cli, &email, None, now)
                        .await
                        .expect("token")
                        .secret,
                );
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let mut state = AppState::build(store.clone()).await.expect("state");
        state.figures_every = chrono::Duration::zero();
        // Organisation A runs the public pre-registration page.
        state.pre_register_org = organisations.first().copied();
        // And the public page where locals offer beds.
        state.host_offers_org = organisations.first().copied();
        configure(&mut state);
        tokio::spawn(shanyrak_server::serve(
            listener,
            state,
            std::future::pending(),
        ));
        Self {
            base: format!("http://{address}"),
            client: reqwest::Client::new(),
            admin_b: tokens.pop().unwrap_or_default(),
            token_b: tokens.pop().unwrap_or_default(),
            admin_a: tokens.pop().unwrap_or_default(),
            token_a: tokens.pop().unwrap_or_default(),
            store,
            _db: db,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn post(&self, token: &str, body: &Value, key: Option<&str>) -> Response {
        let mut request = self
            .client
            .post(self.url("/api/v1/households"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.expect("send")
    }

    pub(crate) async fn get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await
            .expect("send")
    }

    pub(crate) async fn patch(
        &self,
        token: &str,
        id: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .patch(self.url(&format!("/api/v1/households/{id}")))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(CONTENT_TYPE, "application/merge-patch+json")
            .body(body.to_string());
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.expect("send")
    }

    /// The registrar of `token` changes `household` with the merge patch `changes`, at the
    /// version it was read at: it must be changed, and the changed household is returned.
    pub(crate) async fn patched(&self, token: &str, household: &Value, changes: &Value) -> Value {
        let version = household["version"].as_i64().expect("version");
        let if_match = format!("\"{version}\"");
        let response = self
            .patch(token, id_of(household), changes, Some(&if_match))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    /// Organisation A's registrar registers the household `body`.
    pub(crate) async fn create(&self, body: &Value) -> Value {
        self.create_as(&self.token_a, body).await
    }

    /// The user of `token` registers the household `body`: it must be created.
    pub(crate) async fn create_as(&self, token: &str, body: &Value) -> Value {
        let response = self.post(token, body, None).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("json")
    }

    /// The rows of `table`, -1 if the store does not count it.
    pub(crate) async fn count(&self, table: &str) -> i64 {
        shanyrak_store::testing::row_count(&self.store, table)
            .await
            .expect("counts")
    }
}

pub(crate) fn family() -> Value {
    json!({
        "group": "arrival", "arrival_date": "2022-09-27", "crossing_point": "Сырым",
        "location": {"country": "KZ", "region": "Батыс Қазақстан", "city": "Oral"},
        "phone": "+7 912 345-67-89", "languages": ["ru"], "needs": ["shelter", "food"],
        "legal_basis": "consent", "information_given": true,
        "members": [
            {"surname": "Смирнов", "given_name": "Алексей", "patronymic": "Игоревич",
             "sex": "male", "birth_date": "1995-03-02", "citizenship": "RU",
             "relationship": "head", "vulnerabilities": [],
             "documents": [{"type": "ru_internal_passport", "number": "4512 345678"}]},
            {"surname": "SMIRNOVA", "given_name": "Ekaterina", "sex": "female",
             "birth_date": "1996", "birth_date_estimated": true, "relationship": "spouse"},
            {"surname": "Әбдірахманова", "given_name": "Айгүл", "patronymic": "Ерланқызы",
             "sex": "female", "birth_date": "02.06.2015", "relationship": "child",
             "vulnerabilities": ["child"]},
            {"surname": "Ŝmirnov-Ñúñez", "given_name": "Jürgen", "sex": "unknown",
             "birth_date": "1950-01", "relationship": "other_relative"}
        ]
    })
}

/// The value of the header `name` of `response` as text, empty if it has none.
pub(crate) fn header_of(response: &Response, name: impl reqwest::header::AsHeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub(crate) async fn problem(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = header_of(&response, CONTENT_TYPE);
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(
        body["status"].as_u64(),
        Some(u64::from(status.as_u16())),
        "{body}"
    );
    (status, body)
}

impl TestApp {
    pub(crate) async fn post_json(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .json(body)
            .send()
            .await
            .expect("send")
    }

    /// Organisation A's admin opens a sports hall in Oral with `pools`: the ids of the
    /// site and of its pools.
    pub(crate) async fn site_with_pools(&self, pools: &[Value]) -> (String, Vec<String>) {
        let site = json!({"name": "Спорткомплекс «Мирас»", "kind": "sports_hall",
            "location": {"country": "KZ", "city": "Oral"}, "address": "ул. Мухита 1",
            "rules": {"max_nights": 14, "check_in_from": "08:00", "check_in_until": "22:00"},
            "amenities": {"heating": true, "showers": true}});
        self.site_of(&site, pools).await
    }

    /// Organisation A's admin opens the site `site` with `pools`: the ids of the site and
    /// of its pools.
    pub(crate) async fn site_of(&self, site: &Value, pools: &[Value]) -> (String, Vec<String>) {
        let site = self.created(&self.admin_a, "/api/v1/sites", site).await;
        let site_id = id_of(&site).to_owned();
        let mut pool_ids = Vec::new();
        for pool in pools {
            let path = format!("/api/v1/sites/{site_id}/pools");
            let created = self.created(&self.admin_a, &path, pool).await;
            pool_ids.push(id_of(&created).to_owned());
        }
        (site_id, pool_ids)
    }
}

impl TestApp {
    pub(crate) async fn org_b(&self) -> String {
        self.actor(&self.admin_b).await.organisation_id.to_string()
    }

    /// Who `token` signs in as.
    pub(crate) async fn actor(&self, token: &str) -> Actor {
        self.store
            .authenticate_token(token, Utc::now())
            .await
            .expect("auth")
            .expect("a valid token")
    }

    /// POST an empty JSON object to `path` with `token`: an action such as a check-in
    /// or a withdrawal.
    pub(crate) async fn post_action(&self, token: &str, path: &str) -> Response {
        self.post_json(token, path, &json!({})).await
    }

    /// A new user of organisation A with one role, and their token.
    pub(crate) async fn user_of_a(&self, email: &str, role: Role) -> String {
        self.user_beside(&self.admin_a, email, role).await
    }

    /// A new user of organisation B with one role, and their token.
    pub(crate) async fn user_of_b(&self, email: &str, role: Role) -> String {
        self.user_beside(&self.admin_b, email, role).await
    }

    /// A new user of the organisation of `admin_token`, with one role, and their token.
    pub(crate) async fn user_beside(&self, admin_token: &str, email: &str, role: Role) -> String {
        let cli = Principal::System("test");
        let admin = self.actor(admin_token).await;
        self.store
            .create_user(
                &cli,
                admin.organisation_id,
                email,
                "long enough password",
                &[role],
                Utc::now(),
            )
            .await
            .expect("user");
        self.store
            .create_token(&cli, email, None, Utc::now())
            .await
            .expect("token")
            .secret
    }

    /// GET `path` with `token`: it must answer 200 OK, and its JSON body is returned.
    pub(crate) async fn json_of(&self, token: &str, path: &str) -> Value {
        let response = self.get(token, path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.expect("json")
    }

    /// POST `body` to `path` with `token`: it must answer `expected`, and its JSON body is
    /// returned.
    pub(crate) async fn post_expecting(
        &self,
        token: &str,
        path: &str,
        body: &Value,
        expected: StatusCode,
    ) -> Value {
        let response = self.post_json(token, path, body).await;
        assert_eq!(response.status(), expected, "{path}");
        response.json().await.expect("json")
    }

    /// POST `body` to `path` with `token`: it must answer 201 Created, and what was created
    /// is returned.
    pub(crate) async fn created(&self, token: &str, path: &str, body: &Value) -> Value {
        self.post_expecting(token, path, body, StatusCode::CREATED)
            .await
    }

    /// POST `body` to `path` with `token`, whatever the answer: its JSON body.
    pub(crate) async fn post_for_json(&self, token: &str, path: &str, body: &Value) -> Value {
        self.post_json(token, path, body)
            .await
            .json()
            .await
            .expect("json")
    }

    /// GET `path` with `token`, answered with a problem: its status and body.
    pub(crate) async fn get_problem(&self, token: &str, path: &str) -> (StatusCode, Value) {
        problem(self.get(token, path).await).await
    }

    /// POST `body` to `path` with `token`, answered with a problem: its status and body.
    pub(crate) async fn post_problem(
        &self,
        token: &str,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        problem(self.post_json(token, path, body).await).await
    }

    /// GET `path` without signing in.
    pub(crate) async fn anonymous_get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("send")
    }

    /// The body of `path`, read without signing in, as text.
    pub(crate) async fn public_text(&self, path: &str) -> String {
        self.anonymous_get(path).await.text().await.expect("text")
    }

    /// The body of `path`, read without signing in, as JSON.
    pub(crate) async fn public_json(&self, path: &str) -> Value {
        self.anonymous_get(path).await.json().await.expect("json")
    }

    /// The id of the first pair in the duplicate queue of `token`.
    pub(crate) async fn first_queued_pair(&self, token: &str) -> String {
        let queue = self.json_of(token, "/api/v1/duplicates").await;
        queue["items"][0]["id"]
            .as_str()
            .expect("a queued pair")
            .to_owned()
    }

    /// Organisation A's registrar decides the first pair of its duplicate queue is one
    /// person.
    pub(crate) async fn decide_first_pair_same(&self) {
        let pair = self.first_queued_pair(&self.token_a).await;
        self.post_expecting(
            &self.token_a,
            &format!("/api/v1/duplicates/{pair}/decision"),
            &json!({"decision": "same"}),
            StatusCode::OK,
        )
        .await;
    }

    /// Makes the next public release as its schedule would, hours after the one made at
    /// start, with cells under `threshold` suppressed; whether a release was made. The
    /// server's own release task may hold the release lock at that moment (it runs at
    /// start): then this waits for it and tries again, as a second process would.
    pub(crate) async fn release_public_figures(&self, threshold: u64) -> bool {
        for _ in 0..100 {
            let made = shanyrak_server::stats::refresh_release(
                &self.store,
                threshold,
                chrono::Duration::hours(6),
                Utc::now() + chrono::Duration::hours(7),
            )
            .await
            .expect("release");
            if made {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }
}

/// Tomorrow's date: the `valid_until` of an agreement in force now.
pub(crate) fn tomorrow() -> String {
    (Utc::now() + chrono::Duration::days(1))
        .date_naive()
        .to_string()
}

impl TestApp {
    /// The admin of `from_admin` agrees to share `categories` with the organisation of
    /// `to_admin` for `purpose`, until tomorrow: the agreement, which must be made.
    pub(crate) async fn agree(
        &self,
        (from_admin, to_admin): (&str, &str),
        categories: &[&str],
        purpose: &str,
    ) -> Value {
        let to = self.actor(to_admin).await.organisation_id;
        let agreement = json!({"to_organisation_id": to, "categories": categories,
                               "purpose": purpose, "valid_until": tomorrow()});
        self.created(from_admin, "/api/v1/agreements", &agreement)
            .await
    }

    /// Organisation A agrees to share `categories` with organisation B for `purpose`,
    /// until tomorrow: the agreement.
    pub(crate) async fn agree_a_to_b(&self, categories: &[&str], purpose: &str) -> Value {
        self.agree((&self.admin_a, &self.admin_b), categories, purpose)
            .await
    }
}

/// The `id` of a JSON object the API answered with.
pub(crate) fn id_of(object: &Value) -> &str {
    object["id"].as_str().expect("id")
}

/// The string `field` of every item of the JSON array `list`, in order.
pub(crate) fn strings<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .expect("a list")
        .iter()
        .filter_map(|item| item[field].as_str())
        .collect()
}

pub(crate) async fn over_limit_response(app: &TestApp) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/households HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{{\"notes\": \"",
        app.token_a,
        2 * 1024 * 1024
    );
    socket.write_all(head.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        socket.read_to_end(&mut response),
    )
    .await;
    String::from_utf8_lossy(&response).into_owned()
}
