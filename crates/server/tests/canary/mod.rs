//! The canary crawl: one household, its case, referral, stay, distribution, resettlement
//! entry and a private host's site carry a unique value in every protected field. Then a
//! user of every role, in the owning organisation, in a partner under each kind of
//! agreement, in the organisation that received a referral and in an unrelated
//! organisation, fetches every GET route of the API (enumerated from the OpenAPI document),
//! every page of the web interface (enumerated from its route list) and every export, and
//! each canary may appear only where the visibility table (`shanyrak_core::visibility`)
//! allows. A new route is crawled the moment it exists; a route whose ids the crawl cannot
//! fill fails the test until it learns them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, COOKIE};
use serde_json::{Value, json};
use shanyrak_core::sharing::SharingCategory;
use shanyrak_core::visibility::{Field, Relation};
use shanyrak_core::{OrgKind, Role};
use shanyrak_store::Principal;
use uuid::Uuid;

use super::{Backend, TestApp};

on_both_backends!(every_protected_value_appears_only_where_the_visibility_table_allows);

const SURNAME: &str = "Квазиканарейкин";
const DOCUMENT: &str = "9731468205";
const DOCUMENT_SPACED: &str = "9731 468205";
const PHONE: &str = "7014682059";
const NOTES: &str = "NOTECANARY-Ыж";
const PLAN: &str = "PLANCANARY-Щэ";
const APPOINTMENT: &str = "APPTCANARY-Юй";
const CASE_NOTE: &str = "CASENOTECANARY-Жф";
const OVERRIDE: &str = "OVERRIDECANARY-Ёб";
const WITHDRAWAL: &str = "WITHDRAWCANARY-Зц";
const SITE_NAME: &str = "HOSTSITECANARY-Вл";
const ADDRESS: &str = "ADDRCANARY-Кт 12";
const LATITUDE: &str = "51.2333";
const HOST: &str = "HOSTCANARY-Мн";
const HOST_PHONE: &str = "7015550123";
const OFFER_ADDRESS: &str = "OFFERADDRCANARY-Пх 3";
const OFFER_HOST: &str = "OFFERHOSTCANARY-Гю";
const OFFER_PHONE: &str = "7016660199";
const OFFER_NOTE: &str = "OFFERNOTECANARY-Йъ";
/// The household's current latitude (shown with five decimals on pages, as is in JSON).
const WHERE_NOW: &str = "50.61357";

/// Every canary string with the field it stands for.
const CANARIES: &[(Field, &str)] = &[
    (Field::HouseholdRecord, SURNAME),
    (Field::DocumentNumber, DOCUMENT),
    (Field::Phone, PHONE),
    (Field::CurrentPosition, WHERE_NOW),
    (Field::HouseholdNotes, NOTES),
    (Field::CaseRecord, PLAN),
    (Field::CaseRecord, APPOINTMENT),
    (Field::CaseNote, CASE_NOTE),
    (Field::DistributionRecord, OVERRIDE),
    (Field::ResettlementRecord, WITHDRAWAL),
    (Field::SiteDetails, SITE_NAME),
    (Field::SiteExactLocation, ADDRESS),
    (Field::SiteExactLocation, LATITUDE),
    (Field::SiteHostContact, HOST),
    (Field::SiteHostContact, HOST_PHONE),
    (Field::HostOffer, OFFER_ADDRESS),
    (Field::HostOffer, OFFER_HOST),
    (Field::HostOffer, OFFER_PHONE),
    (Field::HostOffer, OFFER_NOTE),
];

/// Vulnerability codes (JSON) and their Russian labels (pages), with their fields.
const VULNERABILITIES: &[(Field, &str, &str)] = &[
    (
        Field::SensitiveVulnerability,
        "protection_risk",
        "риск для безопасности",
    ),
    (
        Field::SensitiveVulnerability,
        "medical",
        "медицинские нужды",
    ),
    (Field::Pregnancy, "pregnant", "беременность"),
];

/// What the person consented to share with the organisation the referral went to.
const CONSENTED: &[Field] = &[Field::HouseholdRecord];

#[derive(Debug)]
struct Viewer {
    label: String,
    relation: Relation,
    role: Role,
    token: String,
}

impl Viewer {
    fn may_see(&self, field: Field) -> bool {
        field.visible_to(self.role, self.relation)
            && (self.relation != Relation::ReferralReceiver || CONSENTED.contains(&field))
    }
}

/// The records the crawl fills path parameters with, by the path segment before them.
#[derive(Debug, Default)]
struct Ids(BTreeMap<&'static str, Vec<String>>);

impl Ids {
    fn add(&mut self, kind: &'static str, id: &Value) {
        let id = id.as_str().unwrap_or_else(|| panic!("{kind} id in {id}"));
        self.0.entry(kind).or_default().push(id.to_owned());
    }

    /// The values for a parameter that follows `segment` in a path template.
    fn for_segment(&self, segment: &str, template: &str) -> &[String] {
        let kind = match segment {
            "households" | "distribute" => "household",
            "members" | "persons" => "person",
            "by-reference" => "reference",
            "sites" => "site",
            "pools" => "pool",
            "stays" => "stay",
            "placements" | "batches" => "batch",
            "duplicates" => "pair",
            "distribution-points" => "point",
            "items" => "item",
            "cases" => "case",
            "referrals" => "referral",
            "programmes" | "resettlement" => "programme",
            "entries" => "entry",
            "agreements" => "agreement",
            "import" => "upload",
            "host-offers" => "offer",
            other => panic!("the crawl does not know which record `{other}` takes in {template}"),
        };
        self.0
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or_else(|| panic!("no {kind} record made for {template}"))
    }

    /// Every id, for `?entity_id=`.
    fn all(&self) -> Vec<String> {
        self.0
            .iter()
            .filter(|(kind, _)| **kind != "reference")
            .flat_map(|(_, ids)| ids.iter().cloned())
            .collect()
    }
}

/// Every concrete path for a template, its parameters filled from `ids`.
fn expand(template: &str, ids: &Ids) -> Vec<String> {
    let mut paths = vec![String::new()];
    let mut previous = "";
    for segment in template.split('/').skip(1) {
        let options: Vec<String> = if segment.starts_with('{') {
            if segment == "{what}" || segment == "{name}" {
                return Vec::new(); // an action (POST only) or a static asset
            }
            ids.for_segment(previous, template).to_vec()
        } else {
            vec![segment.to_owned()]
        };
        paths = paths
            .iter()
            .flat_map(|p| options.iter().map(move |o| format!("{p}/{o}")))
            .collect();
        previous = segment;
    }
    if template == "/" {
        paths = vec!["/".to_owned()];
    }
    paths
}

/// JSON string values of `value` (any depth).
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[derive(Debug, Default)]
struct Findings {
    /// (viewer, path, field, canary) seen where the table forbids it.
    leaks: Vec<String>,
    /// Canaries seen at least once by someone allowed to.
    seen: BTreeSet<&'static str>,
    requests: usize,
}

impl Findings {
    fn check(&mut self, viewer: Option<&Viewer>, path: &str, body: &str, is_html: bool) {
        self.requests += 1;
        let allowed = |field: Field| viewer.is_some_and(|v| v.may_see(field));
        let who = viewer.map_or("anonymous".to_owned(), |v| v.label.clone());
        for (field, canary) in CANARIES {
            if body.contains(canary) {
                if allowed(*field) {
                    self.seen.insert(canary);
                } else {
                    self.leaks.push(format!("{who} {path}: {field} ({canary})"));
                }
            }
        }
        if is_html {
            // A form offering every vulnerability as an option shows every label.
            let offers_options = body.contains("value=\"protection_risk\"");
            for (field, code, label) in VULNERABILITIES {
                if !offers_options && body.contains(label) && !allowed(*field) {
                    self.leaks.push(format!("{who} {path}: {field} ({code})"));
                }
            }
        } else if let Ok(json) = serde_json::from_str::<Value>(body) {
            let mut values = Vec::new();
            strings(&json, &mut values);
            for (field, code, _) in VULNERABILITIES {
                if values.iter().any(|v| v == code) {
                    if allowed(*field) {
                        self.seen.insert(code);
                    } else {
                        self.leaks.push(format!("{who} {path}: {field} ({code})"));
                    }
                }
            }
        }
    }
}

struct Crawl<'a> {
    app: &'a TestApp,
    browser: reqwest::Client,
}

impl Crawl<'_> {
    async fn api(&self, token: Option<&str>, path: &str) -> (StatusCode, String) {
        let mut request = self.browser.get(self.app.url(path));
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = request.send().await.expect("send");
        (response.status(), response.text().await.expect("body"))
    }

    async fn page(&self, token: &str, path: &str) -> (StatusCode, String) {
        let response = self
            .browser
            .get(self.app.url(path))
            .header(
                COOKIE,
                format!("{}={token}", shanyrak_server::web::SECURE_SESSION_COOKIE),
            )
            .send()
            .await
            .expect("send");
        (response.status(), response.text().await.expect("body"))
    }

    async fn post(&self, token: &str, path: &str, body: &Value) -> Value {
        let response = self
            .browser
            .post(self.app.url(path))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .json(body)
            .send()
            .await
            .expect("send");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

async fn organisation(app: &TestApp, name: &str) -> Uuid {
    app.store
        .create_organisation(&Principal::System("test"), name, OrgKind::Ngo, Utc::now())
        .await
        .expect("organisation")
        .id
}

/// A user of every role in `organisation`: role → token.
async fn staff(app: &TestApp, organisation: Uuid, slug: &str) -> BTreeMap<Role, String> {
    let cli = Principal::System("test");
    let mut tokens = BTreeMap::new();
    for role in Role::ALL {
        let email = format!("{role}@{slug}.example.org");
        app.store
            .create_user(
                &cli,
                organisation,
                &email,
                "long enough password",
                &[*role],
                Utc::now(),
            )
            .await
            .expect("user");
        let token = app
            .store
            .create_token(&cli, &email, None, Utc::now())
            .await
            .expect("token")
            .secret;
        tokens.insert(*role, token);
    }
    tokens
}

async fn every_protected_value_appears_only_where_the_visibility_table_allows(app: TestApp) {
    let crawl = Crawl {
        app: &app,
        browser: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
    };
    // ----- the organisations and their people ----------------------------------------------
    let owner = organisation(&app, "Владелец").await;
    let a = staff(&app, owner, "owner").await;
    let mut viewers = Vec::new();
    let mut add = |relation: Relation, slug: &str, tokens: &BTreeMap<Role, String>| {
        for (role, token) in tokens {
            viewers.push(Viewer {
                label: format!("{role} of {slug}"),
                relation,
                role: *role,
                token: token.clone(),
            });
        }
    };
    add(Relation::Own, "the owner", &a);
    let tomorrow = (Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();
    let mut receiver = Uuid::nil();
    for (relation, slug) in [
        (Relation::Partner(SharingCategory::Identity), "identity"),
        (Relation::Partner(SharingCategory::Shelter), "shelter"),
        (
            Relation::Partner(SharingCategory::Distributions),
            "distributions",
        ),
        (Relation::Partner(SharingCategory::Statistics), "statistics"),
        (Relation::ReferralReceiver, "receiver"),
        (Relation::Unrelated, "unrelated"),
    ] {
        let org = organisation(&app, &format!("Партнёр {slug}")).await;
        let tokens = staff(&app, org, slug).await;
        if let Relation::Partner(category) = relation {
            crawl
                .post(
                    &a[&Role::Admin],
                    "/api/v1/agreements",
                    &json!({"to_organisation_id": org, "categories": [category],
                            "purpose": "coordination", "valid_until": tomorrow}),
                )
                .await;
        }
        if relation == Relation::ReferralReceiver {
            receiver = org;
        }
        add(relation, &format!("a partner ({slug})"), &tokens);
    }

    // ----- the canary records --------------------------------------------------------------
    let mut ids = Ids::default();
    let site = crawl
        .post(
            &a[&Role::Admin],
            "/api/v1/sites",
            &json!({"name": SITE_NAME, "kind": "private_accommodation",
                "location": {"country": "KZ", "city": "Oral"}, "address": ADDRESS,
                "coordinates": {"latitude": 51.2333, "longitude": 51.3667},
                "contact_name": HOST, "contact_phone": "+7 701 555 01 23"}),
        )
        .await;
    ids.add("site", &site["id"]);
    let site_id = site["id"].as_str().expect("site").to_owned();
    let pool = crawl
        .post(
            &a[&Role::Admin],
            &format!("/api/v1/sites/{site_id}/pools"),
            &json!({"kind": "family_room", "room_size": 4, "beds": 8}),
        )
        .await;
    ids.add("pool", &pool["id"]);

    let household = crawl
        .post(
            &a[&Role::Caseworker],
            "/api/v1/households",
            &json!({"group": "arrival", "arrival_date": "2022-09-27", "crossing_point": "Сырым",
                "location": {"country": "KZ", "city": "Oral"}, "phone": "+7 701 468 20 59",
                "current_location": {"coordinates": {"latitude": 50.61357, "longitude": 51.97531}},
                "needs": ["shelter"], "notes": NOTES, "legal_basis": "consent", "information_given": true,
                "members": [
                    {"surname": SURNAME, "given_name": "Алексей", "sex": "male", "birth_date": "1990-03-02",
                     "citizenship": "RU", "relationship": "head", "vulnerabilities": ["protection_risk"],
                     "documents": [{"type": "ru_internal_passport", "number": DOCUMENT_SPACED}]},
                    {"surname": SURNAME, "given_name": "Мария", "sex": "female", "birth_date": "1992-05-06",
                     "relationship": "spouse", "vulnerabilities": ["medical", "pregnant"]},
                    {"surname": SURNAME, "given_name": "Дима", "sex": "male", "birth_date": "2018-01-01",
                     "relationship": "child", "vulnerabilities": ["child"]}]}),
        )
        .await;
    ids.add("household", &household["id"]);
    let head = household["members"][0]["id"].clone();
    ids.add("person", &head);
    ids.add("reference", &household["reference"]);
    let stay = crawl
        .post(
            &a[&Role::Dispatcher],
            "/api/v1/stays",
            &json!({"household_id": household["id"], "pool_id": pool["id"]}),
        )
        .await;
    ids.add("stay", &stay["id"]);
    let case = crawl
        .post(
            &a[&Role::Caseworker],
            "/api/v1/cases",
            &json!({"household_id": household["id"], "person_id": head,
                "assessments": [{"vulnerability": "protection_risk", "severity": "high", "assessed_on": "2022-09-28"}],
                "plan": [{"description": PLAN, "due": "2022-10-05"}],
                "appointments": [{"on": "2022-10-03", "time": "10:30", "purpose": APPOINTMENT, "place": "Oral hub"}]}),
        )
        .await;
    ids.add("case", &case["id"]);
    let case_id = case["id"].as_str().expect("case").to_owned();
    crawl
        .post(
            &a[&Role::Caseworker],
            &format!("/api/v1/cases/{case_id}/notes"),
            &json!({"text": CASE_NOTE}),
        )
        .await;
    let referral = crawl
        .post(
            &a[&Role::Caseworker],
            "/api/v1/referrals",
            &json!({"case_id": case_id, "to_organisation_id": receiver, "service": "legal_aid",
                "consent": {"given_by_person_id": head, "given_on": "2022-09-28",
                            "fields": ["surname", "given_name", "birth_date"]}}),
        )
        .await;
    ids.add("referral", &referral["id"]);
    crawl
        .post(
            &a[&Role::Caseworker],
            &format!("/api/v1/persons/{}/movements", head.as_str().expect("head")),
            &json!({"kind": "registration", "on": "2022-09-29", "country": "KZ"}),
        )
        .await;

    // The same head registered again (a duplicate pair) in a household that waits for a bed.
    let again = crawl
        .post(
            &a[&Role::Registrar],
            "/api/v1/households",
            &json!({"group": "arrival", "location": {"country": "KZ", "city": "Oral"}, "needs": ["shelter"],
                "legal_basis": "consent", "information_given": true,
                "members": [{"surname": SURNAME, "given_name": "Алексей", "sex": "male", "birth_date": "1990-03-02",
                    "relationship": "head",
                    "documents": [{"type": "ru_internal_passport", "number": DOCUMENT}]}]}),
        )
        .await;
    ids.add("household", &again["id"]);
    let (_, pairs) = crawl
        .api(Some(&a[&Role::Registrar]), "/api/v1/duplicates")
        .await;
    let pairs: Value = serde_json::from_str(&pairs).expect("pairs");
    ids.add("pair", &pairs["items"][0]["id"]);
    let batch = crawl
        .post(&a[&Role::Dispatcher], "/api/v1/placements", &json!({}))
        .await;
    ids.add("batch", &batch["id"]);

    // Essentials: a kit, its second share over the entitlement with a reason.
    let kit = crawl
        .post(
            &a[&Role::Distributor],
            "/api/v1/items",
            &json!({"name": "Hygiene kit", "unit": "kit", "code": "hygiene_kit",
                "rules": [{"basis": "per_household", "quantity": 1, "period_days": 30}]}),
        )
        .await;
    ids.add("item", &kit["id"]);
    let point = crawl
        .post(
            &a[&Role::Distributor],
            "/api/v1/distribution-points",
            &json!({"name": "Пункт", "city": "Oral"}),
        )
        .await;
    ids.add("point", &point["id"]);
    let point_id = point["id"].as_str().expect("point").to_owned();
    crawl
        .post(
            &a[&Role::Distributor],
            &format!("/api/v1/distribution-points/{point_id}/receipts"),
            &json!({"item_id": kit["id"], "quantity": 10}),
        )
        .await;
    for reason in [None, Some(OVERRIDE)] {
        let mut body = json!({"household_id": household["id"], "point_id": point_id,
            "lines": [{"item_id": kit["id"], "quantity": 1}]});
        if let Some(reason) = reason {
            body["override_reason"] = json!(reason);
        }
        let given = crawl
            .post(&a[&Role::Distributor], "/api/v1/distributions", &body)
            .await;
        ids.add("distribution", &given["distribution_id"]);
    }

    // Resettlement: proposed, then withdrawn with a reason.
    let programme = crawl
        .post(
            &a[&Role::Caseworker],
            "/api/v1/resettlement/programmes",
            &json!({"country": "DE", "name": "Humanitarian admission", "quota": 20}),
        )
        .await;
    ids.add("programme", &programme["id"]);
    let programme_id = programme["id"].as_str().expect("programme").to_owned();
    crawl
        .post(
            &a[&Role::Caseworker],
            &format!("/api/v1/resettlement/programmes/{programme_id}/proposals"),
            &json!({}),
        )
        .await;
    let (_, entries) = crawl
        .api(
            Some(&a[&Role::Caseworker]),
            &format!("/api/v1/resettlement/programmes/{programme_id}/entries"),
        )
        .await;
    let entries: Value = serde_json::from_str(&entries).expect("entries");
    let entry = entries["items"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["household_id"] == household["id"])
        .unwrap_or_else(|| panic!("the canary household was not proposed: {entries}"))
        .clone();
    ids.add("entry", &entry["id"]);
    crawl
        .post(
            &a[&Role::Caseworker],
            &format!(
                "/api/v1/resettlement/entries/{}/transition",
                entry["id"].as_str().expect("entry")
            ),
            &json!({"to": "withdrawn", "reason": WITHDRAWAL}),
        )
        .await;
    let agreements: Value = serde_json::from_str(
        &crawl
            .api(Some(&a[&Role::Admin]), "/api/v1/agreements")
            .await
            .1,
    )
    .expect("agreements");
    ids.add("agreement", &agreements["items"][0]["id"]);
    // An uploaded list waiting for its preview, readable by its uploader alone.
    let registrar = app.actor(&a[&Role::Registrar]).await;
    let upload = app
        .store
        .save_upload(
            &registrar,
            "list.csv",
            "digest",
            format!("Фамилия;Имя\n{SURNAME};Алексей\n").as_bytes(),
            None,
            Utc::now(),
        )
        .await
        .expect("upload");
    ids.add("upload", &json!(upload.to_string()));
    // A bed offered on the public page for the owner, verified by its dispatcher.
    let offer = shanyrak_core::host_offer::validate_offer(
        &shanyrak_core::host_offer::HostOfferInput {
            people: Some("2".into()),
            rent: Some("free".into()),
            address: Some(OFFER_ADDRESS.into()),
            contact_name: Some(OFFER_HOST.into()),
            contact_phone: Some(format!("+7{OFFER_PHONE}")),
            families: true,
            ..Default::default()
        },
        Some(shanyrak_core::Location {
            country: shanyrak_core::CountryCode::KZ,
            region: None,
            city: "Уральск".into(),
            place_id: Some(shanyrak_core::places::PlaceId(608_668)),
        }),
        Utc::now().date_naive(),
    )
    .expect("offer");
    app.store
        .submit_host_offer(owner, &offer, None, Utc::now())
        .await
        .expect("offered");
    let dispatcher = app.actor(&a[&Role::Dispatcher]).await;
    let offers = app
        .store
        .host_offers(&dispatcher, None)
        .await
        .expect("offers");
    ids.add("offer", &json!(offers[0].id.to_string()));
    let host_site = app
        .store
        .verify_host_offer(&dispatcher, offers[0].id, Some(OFFER_NOTE), Utc::now())
        .await
        .expect("verified");
    ids.add("site", &json!(host_site.to_string()));
    // A household waiting in the queue pre-registered itself with the owner: its
    // registering roles list it on /pre-registrations, nobody else sees it.
    app.store
        .submit_pre_registration(
            owner,
            &json!({
                "members": [{"surname": SURNAME, "given_name": "Ивана",
                    "documents": [{"type": "passport", "number": DOCUMENT}]}],
                "phone": format!("+{PHONE}"),
                "location": {"country": "KZ", "city": "Уральск"},
            }),
            None,
            None,
            chrono::Duration::hours(shanyrak_store::PRE_REGISTRATION_HOURS),
            Utc::now(),
        )
        .await
        .expect("pre-registered");

    // ----- the crawl ------------------------------------------------------------------------
    let document: Value =
        serde_json::from_str(&crawl.api(None, "/api/v1/openapi.json").await.1).expect("openapi");
    let mut api_paths: Vec<String> = Vec::new();
    for (template, operations) in document["paths"].as_object().expect("paths") {
        let Some(get) = operations.get("get") else {
            continue;
        };
        if template.ends_with("/openapi.json") {
            continue;
        }
        let queries: Vec<String> = get["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        for path in expand(template, &ids) {
            api_paths.push(path.clone());
            if queries.iter().any(|q| q == "entity_id") {
                api_paths.extend(ids.all().iter().map(|id| format!("{path}?entity_id={id}")));
            }
            for (name, kind) in [("household_id", "household"), ("person_id", "person")] {
                if queries.iter().any(|q| q == name) {
                    api_paths.extend(ids.0[kind].iter().map(|id| format!("{path}?{name}={id}")));
                }
            }
            if queries.iter().any(|q| q == "q") {
                api_paths.push(format!("{path}?q={SURNAME}"));
            }
        }
    }
    assert!(api_paths.len() > 60, "{}", api_paths.len());
    let mut pages: Vec<String> = Vec::new();
    for template in shanyrak_server::web::ROUTE_TEMPLATES {
        pages.extend(expand(template, &ids));
    }
    let searches = [SURNAME, DOCUMENT, DOCUMENT_SPACED, "+7 701 468 20 59"]
        .iter()
        .map(|q| json!({ "q": q }))
        .chain([json!({"q": household["reference"]})])
        .collect::<Vec<_>>();
    let datasets = shanyrak_server::exports::DATASETS;

    let mut findings = Findings::default();
    let mut answered: BTreeMap<String, usize> = BTreeMap::new();
    for path in api_paths.iter().chain(&pages) {
        let (_, body) = crawl.api(None, path).await;
        findings.check(
            None,
            path,
            &body,
            path.starts_with("/public") || !path.starts_with("/api"),
        );
    }
    for viewer in &viewers {
        for path in &api_paths {
            let (status, body) = crawl.api(Some(&viewer.token), path).await;
            assert!(
                !status.is_server_error(),
                "{} {path}: {status}",
                viewer.label
            );
            if status.is_success() {
                *answered.entry(path.clone()).or_default() += 1;
            }
            findings.check(Some(viewer), path, &body, path.ends_with("stats.csv"));
        }
        for path in &pages {
            let (status, body) = crawl.page(&viewer.token, path).await;
            assert!(
                !status.is_server_error(),
                "{} {path}: {status}",
                viewer.label
            );
            findings.check(Some(viewer), path, &body, true);
        }
        for query in &searches {
            let response = crawl
                .browser
                .post(app.url("/api/v1/persons/search"))
                .header(AUTHORIZATION, format!("Bearer {}", viewer.token))
                .json(query)
                .send()
                .await
                .expect("send");
            let body = response.text().await.expect("body");
            findings.check(Some(viewer), &format!("search {query}"), &body, false);
        }
        let actor = app.actor(&viewer.token).await;
        for name in datasets {
            if let Ok(dataset) = shanyrak_server::exports::dataset(
                &app.store,
                &Principal::User(actor.clone()),
                name,
                Utc::now(),
            )
            .await
            {
                let text = format!("{:?}", dataset.rows);
                findings.check(Some(viewer), &format!("export {name}"), &text, false);
            }
        }
    }

    assert!(
        findings.leaks.is_empty(),
        "{} leaks in {} requests:\n{}",
        findings.leaks.len(),
        findings.requests,
        findings.leaks.join("\n")
    );
    // The crawl reached the data: every canary was seen by someone allowed to see it, so
    // a route that stopped answering would not pass as "no leak".
    let expected: BTreeSet<&str> = CANARIES
        .iter()
        .map(|(_, c)| *c)
        .chain(VULNERABILITIES.iter().map(|(_, code, _)| *code))
        .collect();
    let missing: Vec<&&str> = expected.difference(&findings.seen).collect();
    assert!(
        missing.is_empty(),
        "never seen by anyone allowed: {missing:?}"
    );
    let unanswered: Vec<&String> = api_paths
        .iter()
        .filter(|p| !answered.contains_key(*p))
        .collect();
    assert!(
        unanswered.len() < api_paths.len() / 4,
        "most routes answered nobody: {unanswered:?}"
    );
}
