//! Formula injection: names, cities and codes that begin like a spreadsheet formula reach
//! every file the binary writes for people to open in a spreadsheet (exports in CSV, HXL
//! and XLSX, `place`, `dedup` and `link`), and none of them is read as a formula.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_store::testing::{Backend, TestDatabase};

use crate::support::{create_org, export, scratch_dir, start_server, succeeds, user_with_token};

/// What a hostile registrar types into the reception form.
const SURNAME: &str = r#"=HYPERLINK("http://x","y")"#;
const GIVEN_NAME: &str = "+1+1";
const PATRONYMIC: &str = "-2";
const CITY: &str = "@SUM(A1)";
/// Excel in Russian, Kazakh and Kyrgyz locales splits a CSV file on semicolons, so a
/// formula can also hide behind one.
const REGION: &str = "Север;=1+1";

/// Every cell of a CSV file as a spreadsheet splits it: on commas, and on semicolons as
/// Excel does in the locales of our users; double quotes are respected in both.
fn cells(text: &str) -> Vec<String> {
    let mut all = Vec::new();
    for delimiter in [b',', b';'] {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for record in reader.records() {
            let record = record.expect("a CSV record");
            all.extend(record.iter().map(str::to_owned));
        }
    }
    all
}

fn begins_like_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
        || cell.trim_start().starts_with(['=', '+', '-', '@'])
}

/// No cell of the file begins like a formula, and each of `expected` is in it, behind a
/// single quote (so the test cannot pass on a file without the hostile values).
fn assert_neutralised(what: &str, text: &str, expected: &[&str]) {
    let cells = cells(text);
    let formulas: Vec<&String> = cells.iter().filter(|c| begins_like_formula(c)).collect();
    assert!(formulas.is_empty(), "{what}: {formulas:?} in\n{text}");
    for value in expected {
        let quoted = format!("'{value}");
        assert!(
            cells.iter().any(|c| c.contains(&quoted)),
            "{what}: {quoted} missing in\n{text}"
        );
    }
}

/// The sheet's values are the typed text exactly, as text cells; the workbook holds no
/// formula, and the cells that begin like one are marked quote-prefixed, so editing such
/// a cell in Excel keeps it text.
fn assert_xlsx_text(what: &str, path: &Path, expected: &[&str]) {
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(path).expect("xlsx");
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).expect("sheet");
    let texts: HashSet<String> = range
        .used_cells()
        .filter_map(|(_, _, cell)| match cell {
            calamine::Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    for value in expected {
        assert!(texts.contains(*value), "{what}: {value} not a text cell");
    }
    let formulas = workbook.worksheet_formula(&sheet).expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "{what}: a formula was written"
    );
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    let mut styles = String::new();
    archive
        .by_name("xl/styles.xml")
        .expect("styles")
        .read_to_string(&mut styles)
        .expect("read");
    assert!(styles.contains("quotePrefix=\"1\""), "{what}: {styles}");
}

fn xlsx_numbers(path: &Path) -> Vec<f64> {
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(path).expect("xlsx");
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).expect("sheet");
    range
        .used_cells()
        .filter_map(|(_, _, cell)| match cell {
            calamine::Data::Float(n) => Some(*n),
            calamine::Data::Int(n) => Some(*n as f64),
            _ => None,
        })
        .collect()
}

/// A registration, a shelter and a distribution whose names begin like formulas, through
/// the API of a running server; returns nothing but leaves them in `db`.
async fn register_hostile_values(db: &str) {
    let org = create_org(db, "Кайнар", "ngo", &[]).await;
    let token = user_with_token(
        db,
        &org,
        "all@example.org",
        &["admin", "registrar", "site_manager", "distributor"],
    )
    .await;
    let (mut server, base) = start_server(db).await;
    let client = reqwest::Client::new();
    let post = async |path: &str, body: Value| -> Value {
        let response = client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::CREATED, "{path}");
        response.json().await.expect("json")
    };
    let location = json!({"country": "KZ", "region": REGION, "city": CITY});
    let household = post(
        "/api/v1/households",
        json!({"group": "arrival", "location": location, "needs": ["shelter"],
               "members": [{"surname": SURNAME, "given_name": GIVEN_NAME,
                            "patronymic": PATRONYMIC, "sex": "male",
                            "birth_date": "1990-01-01", "relationship": "head"}]}),
    )
    .await;
    let site = post(
        "/api/v1/sites",
        json!({"name": SURNAME, "kind": "sports_hall", "location": location}),
    )
    .await;
    post(
        &format!("/api/v1/sites/{}/pools", site["id"].as_str().expect("id")),
        json!({"kind": "mixed", "beds": 10}),
    )
    .await;
    let item = post(
        "/api/v1/items",
        json!({"name": "Набор", "unit": "kit", "code": GIVEN_NAME}),
    )
    .await;
    let point = post(
        "/api/v1/distribution-points",
        json!({"name": "Пункт", "city": CITY}),
    )
    .await;
    post(
        &format!(
            "/api/v1/distribution-points/{}/receipts",
            point["id"].as_str().expect("id")
        ),
        json!({"item_id": item["id"], "quantity": 5}),
    )
    .await;
    post(
        "/api/v1/distributions",
        json!({"household_id": household["id"], "point_id": point["id"],
               "lines": [{"item_id": item["id"], "quantity": 1}]}),
    )
    .await;
    let _ = server.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_written_cell_is_read_as_a_formula() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    register_hostile_values(&db.url).await;
    let dir = scratch_dir("formulas");
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();

    let exports: [(&str, &[&str], &[&str]); 4] = [
        (
            "registry",
            &["csv", "xlsx"],
            &[SURNAME, GIVEN_NAME, PATRONYMIC, CITY],
        ),
        ("population", &["csv", "hxl", "xlsx"], &[CITY]),
        ("sites", &["csv", "hxl", "xlsx"], &[SURNAME, CITY]),
        (
            "distributions",
            &["csv", "hxl", "xlsx"],
            &[GIVEN_NAME, CITY],
        ),
    ];
    for (dataset, formats, expected) in exports {
        for format in formats {
            let out = path(&format!("{dataset}.{format}"));
            let run = export(&db.url, dataset, Some(format), Path::new(&out), &[]).await;
            assert!(run.success, "{dataset} {format}: {}", run.stderr);
            let what = format!("export {dataset} as {format}");
            if *format == "xlsx" {
                assert_xlsx_text(&what, Path::new(&out), expected);
            } else {
                let text = std::fs::read_to_string(&out).expect("export");
                assert_neutralised(&what, &text, expected);
            }
        }
    }
    // Numbers the program counted are not user text: they stay numbers, unquoted in CSV
    // and numeric cells in XLSX (one adult man registered).
    let population = std::fs::read_to_string(path("population.csv")).expect("population");
    assert!(
        population.lines().any(|l| l.ends_with(",1,0,1,0")),
        "{population}"
    );
    assert_eq!(
        xlsx_numbers(Path::new(&path("population.xlsx"))),
        vec![1.0, 0.0, 1.0, 0.0]
    );
    // The region holds a formula behind a semicolon; the sites dataset writes it.
    let sites = std::fs::read_to_string(path("sites.csv")).expect("sites");
    assert!(sites.contains("\"Север;'=1+1\""), "{sites}");

    succeeds(&[
        "place",
        "--db",
        &db.url,
        "--dry-run",
        "--out",
        &path("place.csv"),
    ])
    .await;
    let text = std::fs::read_to_string(path("place.csv")).expect("place");
    assert!(text.contains("proposed,"), "{text}");
    assert_neutralised("place", &text, &[CITY, SURNAME]);

    // Lists read by dedup and link carry whatever their authors typed, ids included.
    let list = format!(
        "record_id,surname,given_name,patronymic,birth_date\n\
         \"{}\",Смирнов,Алексей,Игоревич,1995-03-02\n\
         {GIVEN_NAME},SMIRNOV,ALEKSEI,,1995-03-02\n\
         {PATRONYMIC},Кузнецов,Артём,,2019-02-11\n\
         {CITY},Петрова,Анна,,1980-01-01\n",
        SURNAME.replace('"', "\"\"")
    );
    std::fs::write(dir.join("list.csv"), &list).expect("write");
    succeeds(&[
        "dedup",
        &path("list.csv"),
        "--out",
        &path("clusters.csv"),
        "--pairs",
        &path("pairs.csv"),
    ])
    .await;
    let ids = [SURNAME, GIVEN_NAME, PATRONYMIC, CITY];
    let clusters = std::fs::read_to_string(path("clusters.csv")).expect("clusters");
    assert_neutralised("dedup clusters", &clusters, &ids);
    let pairs = std::fs::read_to_string(path("pairs.csv")).expect("pairs");
    assert_neutralised("dedup pairs", &pairs, &[SURNAME, GIVEN_NAME]);
    succeeds(&[
        "link",
        &path("list.csv"),
        &path("list.csv"),
        "--out",
        &path("links.csv"),
    ])
    .await;
    let links = std::fs::read_to_string(path("links.csv")).expect("links");
    assert_neutralised("link", &links, &[SURNAME, GIVEN_NAME]);
    let _ = std::fs::remove_dir_all(dir);
}
