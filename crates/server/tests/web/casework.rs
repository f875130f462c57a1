//! Casework and resettlement from the browser.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_core::Role;
use shanyrak_server::web::i18n;

use super::super::{Backend, TestApp};
use super::{csrf_of, get, get_in, location, post_form, registered_family};

on_both_backends!(
    web_casework_from_household_to_referral_answered_by_the_partner,
    web_resettlement_programme_from_the_form,
);

async fn web_casework_from_household_to_referral_answered_by_the_partner(app: TestApp) {
    let (_, household, head) = registered_family(&app, &app.token_a).await;
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
            let (status, _) = get_in(&app, &caseworker, lang.code(), path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
        }
    }
    let missing = i18n::missing_keys();
    assert!(
        missing.iter().all(|k| k == "no-such-key-for-test"),
        "{missing:?}"
    );
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
        .json_of(&app.admin_a, "/api/v1/resettlement/programmes")
        .await;
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
