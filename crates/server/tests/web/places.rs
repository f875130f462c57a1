//! Place fields in the web interface: the reception form offers the place list without
//! JavaScript, suggestions narrow in any script, and a coordinator maps a typed name the
//! list does not know, once, for all the organisation's records.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::super::{Backend, TestApp, family};
use super::{
    cookie_set, csrf_of, field_of, get, get_with_cookies, location, post_form, reception_form,
    registration, session,
};

on_both_backends!(
    place_fields_offer_the_place_list_without_javascript,
    a_coordinator_maps_a_typed_name_to_a_place_from_the_web,
    the_desk_remembers_its_place_and_group_for_the_next_family
);

async fn place_fields_offer_the_place_list_without_javascript(app: TestApp) {
    let (status, page) = get(&app, &app.token_a, "/reception").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<datalist id=\"place-list\">"), "{page}");
    assert!(
        page.contains("list=\"place-list\""),
        "the city field points at it"
    );
    // Oral is offered under its Russian name with its other names, so a browser finds it
    // when "Oral" or "Орал" is typed; a crossing point is offered too.
    let oral = page
        .split("<option")
        .find(|o| o.contains("value=\"Уральск\""))
        .expect("Уральск offered");
    assert!(oral.contains("Oral") && oral.contains("Орал"), "{oral}");
    assert!(page.contains("value=\"Сырым\""), "crossing point offered");

    // Each place field asks for suggestions with a POST of itself and the CSRF token (a
    // family's position stays out of URLs).
    assert!(page.contains("hx-post=\"/places/suggest\""));
    assert!(page.contains("hx-params=\"csrf,current_place\""));
    assert!(!page.contains("hx-get=\"/places/suggest\""));
    let csrf = csrf_of(&page);
    // Suggestions for what is typed, in any script and under old names.
    let suggest = |field: &'static str, typed: &'static str| {
        let csrf = csrf.clone();
        let app = &app;
        async move {
            let response = post_form(
                app,
                &app.token_a,
                "/places/suggest",
                &[("csrf", &csrf), (field, typed)],
            )
            .await;
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.expect("body")
        }
    };
    let options = suggest("city", "Uralsk").await;
    assert!(
        options.starts_with("<option value=\"Уральск\""),
        "{options}"
    );
    let options = suggest("current_place", "Фрунзе").await;
    assert!(
        options.starts_with("<option value=\"Бишкек\""),
        "Фрунзе is Bishkek: {options}"
    );
    // Without the token, or signed out: no place data.
    let response = post_form(&app, &app.token_a, "/places/suggest", &[("city", "Oral")]).await;
    assert_ne!(response.status(), StatusCode::OK);
    let response = super::browser()
        .post(app.url("/places/suggest"))
        .form(&[("city", "Oral")])
        .send()
        .await
        .expect("send");
    assert_ne!(response.status(), StatusCode::OK);
}

async fn a_coordinator_maps_a_typed_name_to_a_place_from_the_web(app: TestApp) {
    let mut body = family();
    body["location"]["city"] = json!("Уралськ");
    let created: Value = app.create(&body).await;
    let id = created["id"].as_str().expect("id").to_owned();

    // Registrars do not see the page; coordinators do, with the name and its count.
    let (status, _) = get(&app, &app.token_a, "/places/unconfirmed").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page) = get(&app, &app.admin_a, "/places/unconfirmed").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Уралськ"), "{page}");
    let csrf = csrf_of(&page);
    // The coordinator says which place the name "Уралськ" in Kazakhstan is.
    let map_to = async |place: &str| {
        let fields = [
            ("csrf", csrf.as_str()),
            ("country", "KZ"),
            ("city", "Уралськ"),
            ("place", place),
        ];
        post_form(&app, &app.admin_a, "/places/unconfirmed", &fields).await
    };

    // A name of no settlement of the country is refused and nothing is mapped.
    let response = map_to("Бишкек").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).contains("not_found"));
    let (_, page) = get(&app, &app.admin_a, "/places/unconfirmed?not_found=1").await;
    assert!(page.contains("Уралськ") && page.contains("role=\"alert\""));

    // The coordinator names the place in any of its names: "Орал".
    let response = map_to("Орал").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/places/unconfirmed?mapped=1");
    let household = app
        .json_of(&app.token_a, &format!("/api/v1/households/{id}"))
        .await;
    assert_eq!(household["location"]["place_id"], json!(608_668));
    let (_, page) = get(&app, &app.admin_a, "/places/unconfirmed?mapped=1").await;
    assert!(
        !page.contains("Уралськ</td>") && !page.contains("Уралськ ("),
        "{page}"
    );
    assert!(page.contains("role=\"status\""));

    // Without the form's CSRF token nothing happens.
    let response = post_form(
        &app,
        &app.admin_a,
        "/places/unconfirmed",
        &[("country", "KZ"), ("city", "Уралськ"), ("place", "Орал")],
    )
    .await;
    assert_ne!(response.status(), StatusCode::SEE_OTHER);
}

/// The next family at a desk starts with the desk's city, crossing point and group (for a
/// shift); nothing about the family before is carried.
async fn the_desk_remembers_its_place_and_group_for_the_next_family(app: TestApp) {
    let (html, csrf, submission) = reception_form(&app, &app.token_a).await;
    assert_eq!(
        field_of(&html, "city").as_deref(),
        Some(""),
        "a new desk starts empty"
    );
    let mut form = registration(&submission, &csrf, "Смирнов");
    form.retain(|(k, _)| *k != "city" && *k != "group");
    form.push(("city", "Орал"));
    form.push(("group", "idp"));
    form.push(("crossing_point", "Сырым"));
    let saved = post_form(&app, &app.token_a, "/reception", &form).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let desk = cookie_set(&saved, |c| c.starts_with("shanyrak_desk=")).expect("the desk's cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/reception", "Secure"] {
        assert!(desk.contains(attribute), "{attribute} in {desk}");
    }
    assert!(
        !desk.contains("Смирнов") && !desk.contains("Алексей"),
        "{desk}"
    );
    let pair = desk.split(';').next().expect("pair");

    let cookies = format!("{}; {pair}", session(&app.token_a));
    let (_, next) = get_with_cookies(&app, &cookies, "/reception").await;
    assert_eq!(field_of(&next, "city").as_deref(), Some("Орал"));
    assert_eq!(field_of(&next, "crossing_point").as_deref(), Some("Сырым"));
    assert!(next.contains("value=\"idp\" selected"), "the group is kept");
    assert_eq!(
        field_of(&next, "m0.surname").as_deref(),
        Some(""),
        "no one is carried"
    );

    // A cookie that was not this server's is ignored.
    let cookies = format!("{}; shanyrak_desk=zz{{", session(&app.token_a));
    let (_, next) = get_with_cookies(&app, &cookies, "/reception").await;
    assert_eq!(field_of(&next, "city").as_deref(), Some(""));
}
