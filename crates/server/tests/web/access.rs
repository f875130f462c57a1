//! Pages check roles and organisations; subject access and erasure at the desk.

use crate::support::header_of;
use crate::support::id_of;
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use shanyrak_core::Role;

use super::super::{Backend, TestApp};
use super::{browser, csrf_of, get, location, post_form, registered_family, session};

on_both_backends!(
    web_pages_check_roles_and_organisations,
    web_subject_access_and_erasure_at_the_desk,
);

async fn web_pages_check_roles_and_organisations(app: TestApp) {
    let (_, household, _) = registered_family(&app, &app.token_a).await;
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
    let stay = app.created(&app.admin_a, "/api/v1/stays", &json!({"household_id": household, "pool_id": pools[0], "reserve": true, "reservation_hours": 4})).await;
    let stay_path = format!("/sites/{site}/stays/{}", id_of(&stay));
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
        .json_of(
            &app.admin_a,
            &format!("/api/v1/access-log?entity_id={household}"),
        )
        .await;
    let reads = log["items"].as_array().map(|items| {
        items
            .iter()
            .filter(|e| e["action"] == "read_household")
            .count()
    });
    assert!(reads.is_some_and(|n| n >= 2), "{log}");
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
    let disposition = header_of(&file, "content-disposition");
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
