//! The public CSV names cities as typed; a formula hidden in one must not run in the
//! spreadsheet that opens the file, read with commas or, as Excel does in Russian,
//! Kazakh and Kyrgyz locales, with semicolons.

use crate::support::id_of;
use serde_json::json;

use super::{Backend, TestApp};

on_both_backends!(public_csv_runs_no_formula_typed_into_a_city);

/// Every cell of a CSV file as a spreadsheet splits it on `delimiter`, quotes respected.
fn cells(text: &str, delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .flat_map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn public_csv_runs_no_formula_typed_into_a_city(app: TestApp) {
    let city = r#"Орал;=HYPERLINK("http://x","y")"#;
    let household = json!({"group": "arrival", "location": {"country": "KZ", "city": city},
        "members": [{"surname": "Смирнов", "given_name": "Алексей", "sex": "male",
                     "birth_date": "1995-03-02", "relationship": "head"}]});
    app.create(&household).await;
    let site = json!({"name": "Зал", "kind": "sports_hall",
        "location": {"country": "KZ", "city": "Уральск;@SUM(A1)"}});
    let site = app.created(&app.admin_a, "/api/v1/sites", &site).await;
    app.created(
        &app.admin_a,
        &format!("/api/v1/sites/{}/pools", id_of(&site)),
        &json!({"kind": "mixed", "beds": 10}),
    )
    .await;
    app.release_public_figures(5).await;
    let csv = app.public_text("/api/v1/public/stats.csv").await;
    // Free text never reaches a public table: a city the place list does not know is
    // published as the country's unconfirmed places.
    assert!(
        !csv.contains("HYPERLINK") && !csv.contains("SUM(A1)"),
        "{csv}"
    );
    assert!(csv.contains("KZ/unconfirmed"), "{csv}");
    for delimiter in [b',', b';'] {
        let formulas: Vec<String> = cells(&csv, delimiter)
            .into_iter()
            .filter(|c| c.trim_start().starts_with(['=', '+', '-', '@', '\t', '\r']))
            .collect();
        assert!(formulas.is_empty(), "{formulas:?} in\n{csv}");
    }
}
