//! Importing a list from the browser: preview, confirmation, rejected rows corrected,
//! refusals kept.

use reqwest::StatusCode;
use serde_json::Value;

use super::super::{Backend, TestApp};
use super::{csrf_of, field_of, get, get_in, location, post_form, upload};

on_both_backends!(
    web_import_previews_confirms_and_quarantine_rows_are_corrected,
    web_import_refusal_is_kept_and_the_file_not_read_again,
);

async fn web_import_previews_confirms_and_quarantine_rows_are_corrected(app: TestApp) {
    let (_, html) = get(&app, &app.token_a, "/import").await;
    let csrf = csrf_of(&html);
    let csv =
        "Фамилия;Имя;Дата рождения;Пол\nСмирнов;Алексей;02.03.1995;м\nВолкова;Мария;31.02.1975;ж\n";
    // Without the CSRF token nothing is kept.
    let refused = upload(
        &app,
        &app.token_a,
        &[("country", "KZ"), ("city", "Oral")],
        "list.csv",
        csv.as_bytes(),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let uploaded = upload(
        &app,
        &app.token_a,
        &[("csrf", &csrf), ("country", "KZ"), ("city", "Oral")],
        "list.csv",
        csv.as_bytes(),
    )
    .await;
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
    let nothing_yet: Value = app.json_of(&app.token_a, "/api/v1/households").await;
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
    let uploaded = upload(
        &app,
        &app.token_a,
        &[("csrf", &csrf)],
        "phones.csv",
        "Телефон;Город\n+77011234567;Oral\n".as_bytes(),
    )
    .await;
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
    let actor = app.actor(&app.token_a).await;
    let id = preview_path
        .trim_start_matches("/import/")
        .parse()
        .expect("upload id");
    let stored = app.store.upload(&actor, id).await.expect("upload");
    assert!(stored.content.is_empty());
    let kept: Value = serde_json::from_str(stored.failure.as_deref().expect("failure kept"))
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
        let (_, page) = get_in(&app, &app.token_a, lang, &preview_path).await;
        assert!(!page.contains("import-refused-"), "{lang}: {page}");
    }
}
