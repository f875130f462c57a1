//! Finding people: person search over the API.

use serde_json::Value;

use super::{Backend, TestApp};

on_both_backends!(a_surname_alone_finds_the_people_of_that_surname);

/// Search by a surname alone, typed in another script, lists the people of that surname
/// (man and woman alike), over the API and on the web's find page.
async fn a_surname_alone_finds_the_people_of_that_surname(app: TestApp) {
    app.create(&super::family()).await;
    let hits: Value = app
        .post_for_json(
            &app.token_a,
            "/api/v1/persons/search",
            &serde_json::json!({"q": "Smirnov"}),
        )
        .await;
    let names: Vec<String> = hits["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|h| h["surname"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        names.contains(&"Смирнов".to_owned()) && names.contains(&"SMIRNOVA".to_owned()),
        "{hits}"
    );
    assert!(
        !names.iter().any(|n| n.contains("Әбдірахманова")),
        "a surname finds only its people: {hits}"
    );
}
