//! Public releases read by an attacker: the JSON and the CSV a real release publishes, from
//! registered households and a checked-in stay, checked with the linear-programming
//! attacker of `shanyrak_core::disclosure::attacker`.

use crate::support::id_of;
use std::collections::BTreeMap;

use serde_json::{Value, json};
use shanyrak_core::disclosure::{
    Entry, Link, Margins, ProtectedTable, PublishedTable, TableEntry, attacker,
};

use super::{Backend, TestApp};

on_both_backends!(
    the_differencing_finding_over_http,
    a_release_made_under_older_rules_is_replaced,
    public_cities_are_places_of_the_place_list_never_free_text
);

const THRESHOLD: u64 = 5;

/// A name of letters only, different for every `n`.
fn name(n: usize, ending: &str) -> String {
    const SYLLABLES: [&str; 10] = [
        "ka", "ra", "bek", "nur", "sa", "ty", "mo", "ul", "an", "zhi",
    ];
    let mut word = String::from("B");
    let mut rest = n;
    loop {
        word.push_str(SYLLABLES[rest % 10]);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    word.push_str(ending);
    word
}

/// A household of `size` people of one group in one city; `first` numbers its members.
fn household(city: &str, group: &str, size: usize, first: usize) -> Value {
    let members: Vec<Value> = (0..size)
        .map(|i| {
            let n = first + i;
            json!({
                "surname": name(n, "ov"), "given_name": name(n * 7 + 3, "a"),
                "sex": if n.is_multiple_of(2) { "female" } else { "male" },
                "birth_date": format!("{}-0{}-1{}", 1950 + (n * 13) % 70, 1 + n % 9, n % 10),
                "relationship": if i == 0 { "head" } else { "other_relative" },
            })
        })
        .collect();
    json!({
        "group": group, "arrival_date": "2022-09-27",
        "location": {"country": "KZ", "city": city},
        "languages": ["ru"], "needs": ["shelter"],
        "legal_basis": "consent", "information_given": true,
        "members": members,
    })
}

/// The finding's cities: A = Aktau, B = Almaty, C = Astana, E = Oral, by (arrival, idp).
const CITIES: [(&str, u64, u64); 4] = [
    ("Aktau", 0, 2),
    ("Almaty", 5, 100),
    ("Astana", 100, 5),
    ("Oral", 20, 20),
];

/// Registers the finding's people, ten to a household; returns Aktau's household id.
async fn register_the_finding(app: &TestApp) -> String {
    let mut numbered = 0;
    let mut aktau = String::new();
    for (city, arrival, idp) in CITIES {
        for (group, mut people) in [("arrival", arrival), ("idp", idp)] {
            while people > 0 {
                let size = people.min(10);
                let created = app
                    .create(&household(city, group, size as usize, numbered))
                    .await;
                numbered += size as usize;
                people -= size;
                if city == "Aktau" {
                    aktau = id_of(&created).to_owned();
                }
            }
        }
    }
    aktau
}

/// A table of the release JSON as published.
fn table_of(json: &Value) -> ProtectedTable {
    serde_json::from_value(json.clone()).expect("a table")
}

/// The release JSON as an attacker reads it: three tables, the two of people linked by
/// their grand totals.
fn from_json(release: &Value) -> Vec<PublishedTable> {
    let beds = release["beds_by_city"].as_array().expect("beds");
    vec![
        PublishedTable {
            table: table_of(&release["persons_by_city_and_group"]),
            margins: Margins::Full,
        },
        PublishedTable {
            table: table_of(&release["persons_by_age_and_sex"]),
            margins: Margins::Full,
        },
        PublishedTable {
            table: ProtectedTable {
                rows: beds
                    .iter()
                    .map(|b| b["city"].as_str().expect("city").to_owned())
                    .collect(),
                columns: vec!["in_use".into(), "free".into()],
                cells: beds
                    .iter()
                    .map(|b| vec![b["in_use"].as_u64(), b["free"].as_u64()])
                    .collect(),
                row_totals: beds.iter().map(|b| b["capacity"].as_u64()).collect(),
                column_totals: Vec::new(),
                total: None,
            },
            margins: Margins::RowTotals,
        },
    ]
}

/// The same three tables read from the CSV (`table,row,column,value,suppressed`).
fn from_csv(csv: &str) -> Vec<PublishedTable> {
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("table,row,column,value,suppressed"));
    // table → (rows, columns, values by (row, column)) in order of appearance.
    type Read = (
        Vec<String>,
        Vec<String>,
        BTreeMap<(String, String), Option<u64>>,
    );
    let mut read: BTreeMap<String, Read> = BTreeMap::new();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 5, "{line}");
        let value = fields[3].parse::<u64>().ok();
        assert_eq!(
            fields[4] == "true",
            value.is_none(),
            "suppressed ⇔ empty value: {line}"
        );
        let (table, row, column) = match fields[0] {
            "beds_capacity" => ("beds", fields[1], "total"),
            "beds_in_use" => ("beds", fields[1], "in_use"),
            "beds_free" => ("beds", fields[1], "free"),
            other => (other, fields[1], fields[2]),
        };
        let entry = read.entry(table.to_owned()).or_default();
        if row != "total" && !entry.0.iter().any(|r| r == row) {
            entry.0.push(row.to_owned());
        }
        if column != "total" && !entry.1.iter().any(|c| c == column) {
            entry.1.push(column.to_owned());
        }
        entry.2.insert((row.to_owned(), column.to_owned()), value);
    }
    let build = |name: &str, margins: Margins| {
        let (rows, columns, values) = read.get(name).cloned().unwrap_or_default();
        let at = |r: &str, c: &str| *values.get(&(r.to_owned(), c.to_owned())).expect("entry");
        let columns = if name == "beds" {
            vec!["in_use".to_owned(), "free".to_owned()]
        } else {
            columns
        };
        PublishedTable {
            table: ProtectedTable {
                cells: rows
                    .iter()
                    .map(|r| columns.iter().map(|c| at(r, c)).collect())
                    .collect(),
                row_totals: rows.iter().map(|r| at(r, "total")).collect(),
                column_totals: match margins {
                    Margins::Full => columns.iter().map(|c| at("total", c)).collect(),
                    Margins::RowTotals => Vec::new(),
                },
                total: match margins {
                    Margins::Full => at("total", "total"),
                    Margins::RowTotals => None,
                },
                rows,
                columns,
            },
            margins,
        }
    };
    vec![
        build("persons_by_city_and_group", Margins::Full),
        build("persons_by_age_and_sex", Margins::Full),
        build("beds", Margins::RowTotals),
    ]
}

fn linked_totals() -> [Link; 1] {
    [Link(
        TableEntry {
            table: 0,
            entry: Entry::Total,
        },
        TableEntry {
            table: 1,
            entry: Entry::Total,
        },
    )]
}

/// Every suppressed number of the release, bounded by everything else it publishes, is
/// left at least the threshold wide.
fn assert_attacker_learns_too_little(release: &[PublishedTable]) {
    let intervals = attacker::intervals(release, &linked_totals()).expect("intervals");
    assert!(
        !intervals.is_empty(),
        "the finding's small cells are suppressed"
    );
    for interval in &intervals {
        assert!(interval.protects(THRESHOLD), "{interval:?}");
    }
    assert_eq!(
        attacker::narrow(release, &linked_totals(), THRESHOLD).expect("check"),
        Vec::new()
    );
}

/// Cities A = [0, 2], B = [5, 100], C = [100, 5], E = [20, 20] by (arrival, idp), and A's
/// two people sheltered in a 50-bed hall of A: neither A's 2 nor the 2 beds in use can be
/// read off the JSON or the CSV, table by table or all together.
async fn the_differencing_finding_over_http(app: TestApp) {
    let aktau = register_the_finding(&app).await;
    let site = app
        .created(
            &app.admin_a,
            "/api/v1/sites",
            &json!({"name": "Спортзал", "kind": "sports_hall",
                    "location": {"country": "KZ", "city": "Aktau"}}),
        )
        .await;
    let site = id_of(&site);
    let pool = app
        .created(
            &app.admin_a,
            &format!("/api/v1/sites/{site}/pools"),
            &json!({"kind": "mixed", "beds": 50}),
        )
        .await;
    app.created(
        &app.admin_a,
        "/api/v1/stays",
        &json!({"household_id": aktau, "pool_id": pool["id"]}),
    )
    .await;

    assert!(app.release_public_figures(THRESHOLD).await);
    let json = app.public_json("/api/v1/public/stats").await;
    let csv = app.public_text("/api/v1/public/stats.csv").await;

    let published = from_json(&json);
    assert_eq!(published, from_csv(&csv), "the CSV says what the JSON says");
    let by_city = &published[0].table;
    assert_eq!(
        by_city.rows,
        ["KZ/Aktau", "KZ/Almaty", "KZ/Astana", "KZ/Oral"]
    );
    // Every number shown is the true count; A's 2 is not shown.
    for (r, (_, arrival, idp)) in CITIES.iter().enumerate() {
        for (c, truth) in [(0, *arrival), (1, *idp)] {
            if let Some(shown) = by_city.cells[r][c] {
                assert_eq!(shown, truth, "{r} {c}");
            }
        }
    }
    assert_eq!(by_city.cells[0][1], None, "A's 2 idp");
    assert_eq!(by_city.row_totals[0], None, "A's total of 2");
    let beds = &published[2].table;
    assert_eq!(beds.rows, ["KZ/Aktau"]);
    assert_eq!(beds.cells[0][0], None, "2 beds in use in A");
    assert!(
        beds.cells[0][1].is_none() || beds.row_totals[0].is_none(),
        "capacity − free would say 2: {beds:?}"
    );
    assert!(csv.contains("beds_in_use,KZ/Aktau,all,,true"), "{csv}");
    assert_eq!(json["disclosure_rules"], 3);
    assert_attacker_learns_too_little(&published);
}

/// After an upgrade the stored release may have been made under rules an attacker sees
/// through: it is replaced before anything is shown.
async fn a_release_made_under_older_rules_is_replaced(app: TestApp) {
    app.create(&household("Oral", "arrival", 3, 0)).await;
    let old = json!({
        "released_at": chrono::Utc::now(), "threshold": 5,
        "persons_by_city_and_group": {"rows": ["KZ/Oral"], "columns": ["arrival"],
            "cells": [[3]], "row_totals": [3], "column_totals": [3], "total": 3},
        "persons_by_age_and_sex": {"rows": [], "columns": [], "cells": [],
            "row_totals": [], "column_totals": [], "total": 3},
        "beds_by_city": [{"city": "KZ/Oral", "capacity": 50, "free": 47}],
    });
    app.store
        .record_release(&old, chrono::Utc::now())
        .await
        .expect("old release");
    let json = app.public_json("/api/v1/public/stats").await;
    assert_eq!(json["disclosure_rules"], 3, "{json}");
    assert_eq!(
        json["persons_by_city_and_group"]["cells"][0][0],
        Value::Null
    );
    assert_eq!(json["beds_by_city"], json!([]));
}

/// "Уральск" and "Oral" are one city in a public release, and a city no place-list entry
/// names is counted as unconfirmed: its text, which may point at one family, is not shown.
async fn public_cities_are_places_of_the_place_list_never_free_text(app: TestApp) {
    app.create(&household("Уральск", "arrival", 3, 0)).await;
    app.create(&household("Oral", "arrival", 3, 3)).await;
    app.create(&household("Орал", "idp", 2, 6)).await;
    app.create(&household("Хутор Бекова", "arrival", 4, 8))
        .await;
    assert!(app.release_public_figures(THRESHOLD).await);
    let json = app.public_json("/api/v1/public/stats").await;
    assert_eq!(
        json["persons_by_city_and_group"]["rows"],
        json!(["KZ/Oral", "KZ/unconfirmed"]),
        "{json}"
    );
    let csv = app.public_text("/api/v1/public/stats.csv").await;
    for text in [json.to_string(), csv] {
        assert!(
            !text.contains("Бекова") && !text.contains("Уральск"),
            "{text}"
        );
    }
}
