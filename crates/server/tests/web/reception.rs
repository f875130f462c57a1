//! The reception form: errors in place, retries, every language, where a family is now.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use shanyrak_server::web::i18n;

use super::super::{Backend, TestApp, family};
use super::{
    browser, field_of, get, get_in, location, login_page, post_form, reception_form,
    registered_family, registration, session,
};

on_both_backends!(
    web_registration_shows_errors_in_place_is_idempotent_and_attaches,
    web_pages_render_in_every_language_without_missing_keys,
    the_reception_form_takes_where_a_family_is_now_by_any_name,
    a_plain_save_of_a_possible_duplicate_writes_nothing_until_decided,
    adding_a_member_carries_the_family_over,
);

/// The option chosen in the select named `name`.
fn selected(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("name=\"{name}\""))?;
    let select = &page[at..at + page[at..].find("</select>")?];
    select
        .split("<option")
        .find(|o| o[..o.find('>').unwrap_or(o.len())].contains("selected"))
        .and_then(|o| o.split("value=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .map(str::to_owned)
}

/// "Add a person" starts the next row as families are typed: the surname and citizenship of
/// the row before, a spouse second (with the same kind of document) and children after,
/// and the cursor in the given name.
async fn adding_a_member_carries_the_family_over(app: TestApp) {
    let (_, csrf, submission) = reception_form(&app, &app.token_a).await;
    let mut form = registration(&submission, &csrf, "Смирнов");
    form.retain(|(k, _)| *k != "action" && *k != "m0.citizenship");
    form.push(("m0.citizenship", "KG"));
    form.push(("m0.doc_type", "ru_internal_passport"));
    form.push(("action", "add"));
    let response = post_form(&app, &app.token_a, "/reception", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("body");
    assert_eq!(field_of(&page, "m1.surname").as_deref(), Some("Смирнов"));
    assert!(page.contains("id=\"m1-given_name\""), "a second row");
    let given = &page[page.find("id=\"m1-given_name\"").expect("row")..];
    assert!(
        given[..given.find('>').expect("tag")].contains("autofocus"),
        "the cursor is in the given name"
    );
    assert_eq!(
        selected(&page, "m1.relationship").as_deref(),
        Some("spouse")
    );
    assert_eq!(selected(&page, "m1.citizenship").as_deref(), Some("KG"));
    assert_eq!(
        selected(&page, "m1.doc_type").as_deref(),
        Some("ru_internal_passport")
    );

    // The third row is a child.
    let mut more: Vec<(&str, &str)> = form
        .iter()
        .filter(|(k, _)| *k != "action" && *k != "member_count")
        .copied()
        .collect();
    more.extend([
        ("member_count", "2"),
        ("m1.surname", "Смирнова"),
        ("m1.given_name", "Ольга"),
        ("m1.relationship", "spouse"),
        ("m1.sex", "female"),
        ("action", "add"),
    ]);
    let page = post_form(&app, &app.token_a, "/reception", &more)
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(selected(&page, "m2.relationship").as_deref(), Some("child"));
    assert_eq!(
        selected(&page, "m2.doc_type").as_deref(),
        Some(""),
        "a child's document is not assumed"
    );
    assert_eq!(field_of(&page, "m2.surname").as_deref(), Some("Смирнова"));
}

/// Households of organisation A, as the API lists them.
async fn household_count(app: &TestApp) -> usize {
    let list = app
        .json_of(&app.token_a, "/api/v1/households?limit=200")
        .await;
    let count = list["items"].as_array().map(Vec::len).expect("a list");
    assert!(count > 0, "{list}");
    count
}

/// A person registered earlier, typed again and saved without a word about it (no
/// JavaScript, or a volunteer who did not look): nothing is written, the form comes back
/// with the evidence and nothing preselected; "a different person" saves a second
/// household, "the same person" attaches; saving the same form again replays.
async fn a_plain_save_of_a_possible_duplicate_writes_nothing_until_decided(app: TestApp) {
    let earlier = app.post(&app.token_a, &family(), None).await;
    assert_eq!(earlier.status(), StatusCode::CREATED);
    let earlier: Value = earlier.json().await.expect("json");
    let earlier_head = earlier["members"][0]["id"].as_str().expect("id").to_owned();
    let before = household_count(&app).await;

    let (_, csrf, submission) = reception_form(&app, &app.token_a).await;
    let mut form = registration(&submission, &csrf, "Смирнов");
    form.push(("m0.patronymic", "Игоревич"));
    form.push(("m0.doc_type", "ru_internal_passport"));
    form.push(("m0.doc_number", "4512 345678"));
    let stopped = post_form(&app, &app.token_a, "/reception", &form).await;
    assert_eq!(stopped.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = stopped.text().await.expect("body");
    assert!(page.contains("возможно, уже зарегистрирован"), "{page}");
    assert!(
        page.contains(&format!("value=\"{earlier_head}\"")),
        "the earlier record is offered"
    );
    assert!(page.contains("совпадение"), "with its evidence");
    assert!(
        !page.contains("value=\"new\" checked")
            && !page.contains(&format!("value=\"{earlier_head}\" checked")),
        "nothing is chosen for the volunteer"
    );
    assert_eq!(household_count(&app).await, before, "nothing was written");

    // "A different person": registered separately.
    let mut different = form.clone();
    different.push(("m0.attach", "new"));
    let saved = post_form(&app, &app.token_a, "/reception", &different).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&saved).contains("attached=0"),
        "{}",
        location(&saved)
    );
    assert_eq!(household_count(&app).await, before + 1);
    // The same form sent again (a double tap) replays: no question, no third household.
    let again = post_form(&app, &app.token_a, "/reception", &different).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(household_count(&app).await, before + 1);

    // "The same person", on a fresh form: attached to the earlier record.
    let (_, _, submission) = reception_form(&app, &app.token_a).await;
    let mut same = registration(&submission, &csrf, "Смирнов");
    same.push(("m0.patronymic", "Игоревич"));
    same.push(("m0.doc_type", "ru_internal_passport"));
    same.push(("m0.doc_number", "4512 345678"));
    same.push(("m0.attach", earlier_head.as_str()));
    let attached = post_form(&app, &app.token_a, "/reception", &same).await;
    assert_eq!(attached.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&attached).contains("attached=1"),
        "{}",
        location(&attached)
    );
}

async fn web_registration_shows_errors_in_place_is_idempotent_and_attaches(app: TestApp) {
    // A person registered earlier through the API.
    let earlier = app.post(&app.token_a, &family(), None).await;
    assert_eq!(earlier.status(), StatusCode::CREATED);
    let earlier: Value = earlier.json().await.expect("json");
    let earlier_head = earlier["members"][0]["id"].as_str().expect("id").to_owned();

    let (_, csrf, submission) = reception_form(&app, &app.token_a).await;

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
    // 31.02 is in the asked form: the message says the day does not exist, and the
    // summary links each problem to its field.
    assert!(page.contains("Такого дня нет в календаре"), "{page}");
    assert!(!page.contains("введите ДД.ММ.ГГГГ"));
    for field in ["m0-given_name", "m0-birth_date", "information_given"] {
        assert!(
            page.contains(&format!("href=\"#{field}\"")),
            "{field} linked"
        );
    }
    assert!(page.contains("Человек 1 · Дата рождения: Такого дня нет"));
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
    let list = app.json_of(&app.token_a, "/api/v1/households").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    // The pair is decided "same" in the review queue, where it can be undone.
    let same = app
        .json_of(&app.token_a, "/api/v1/duplicates?status=same")
        .await;
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
    let pair = app.first_queued_pair(&app.admin_a).await;

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
            let (_, html) = get_in(&app, &app.admin_a, lang.code(), path).await;
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

/// "Where are they now" takes a place by any of its names (here the Latin one of a border
/// post), refuses text that names no place next to the field, and keeps what was typed.
async fn the_reception_form_takes_where_a_family_is_now_by_any_name(app: TestApp) {
    let (_, csrf, submission) = reception_form(&app, &app.token_a).await;
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
    let households = app.json_of(&app.token_a, "/api/v1/households").await;
    assert_eq!(
        households["items"][0]["current_location"]["place_id"], 1_000_000_001_u64,
        "{households}"
    );
    let id = households["items"][0]["id"].as_str().expect("id");
    let (_, page) = get(&app, &app.token_a, &format!("/households/{id}")).await;
    assert!(page.contains("Сырым"), "the household page names the place");
}
