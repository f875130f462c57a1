//! `shanyrak import` into a SQLite file others are writing to: beside the live server
//! (the normal case), two imports at once, and a lock held for longer than the import
//! waits, which must say what is locked and what to do.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;
use shanyrak_store::testing::{Backend, TestDatabase};
use shanyrak_store::{Store, StoreOptions};

use super::{org, tempdir};
use crate::support::{Output, household, shanyrak, start_server, user_with_token};

/// A list of `households` households of one to three people, every name its own, so that
/// nothing is held back as a possible duplicate.
fn list(path: &Path, households: usize, tag: &str) {
    const FIRST: [&str; 8] = ["Ка", "Ра", "Бе", "То", "Ми", "Лу", "Се", "Да"];
    const GIVEN: [&str; 6] = ["Алексей", "Дмитрий", "Ольга", "Ирина", "Павел", "Мария"];
    let mut text = String::from("Семья;ФИО;Дата рождения;Город\n");
    for h in 0..households {
        let surname = format!(
            "{tag}{}{}{}ов",
            FIRST[h % 8],
            FIRST[(h / 8) % 8].to_lowercase(),
            FIRST[(h / 64) % 8].to_lowercase()
        );
        for m in 0..(1 + h % 3) {
            let year = if m == 2 { 2012 } else { 1970 + h % 30 };
            text.push_str(&format!(
                "{tag}{h};{surname} {} Иванович;{:02}.{:02}.{year};Уральск\n",
                GIVEN[(h + m) % 6],
                1 + h % 28,
                1 + m * 3
            ));
        }
    }
    std::fs::write(path, text).expect("write list");
}

async fn run_import(db: &str, org: &str, file: &Path) -> Output {
    let path = file.to_string_lossy().to_string();
    shanyrak(
        &[
            "import",
            path.as_str(),
            "--db",
            db,
            "--org",
            org,
            "--country",
            "KZ",
            "--json",
        ],
        "",
    )
    .await
}

fn summary(out: &Output) -> Value {
    assert!(out.success, "import failed: {}", out.stderr);
    serde_json::from_str(out.stdout.lines().last().unwrap_or_default()).expect("summary JSON")
}

/// Volunteers registering at the desk through the server until `stop`: how many were
/// acknowledged, and every answer that was not a 201.
fn desk(
    base: String,
    token: String,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<(usize, Vec<String>)> {
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut created = 0;
        let mut failures = Vec::new();
        let mut i = 0;
        while !stop.load(Ordering::Relaxed) {
            i += 1;
            let answer = client
                .post(format!("{base}/api/v1/households"))
                .bearer_auth(&token)
                .json(&household(&format!("desk {i}"), 2))
                .send()
                .await;
            match answer {
                Ok(r) if r.status() == reqwest::StatusCode::CREATED => created += 1,
                Ok(r) => failures.push(format!(
                    "{}: {}",
                    r.status(),
                    r.text().await.unwrap_or_default()
                )),
                Err(e) => failures.push(e.to_string()),
            }
        }
        (created, failures)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_run_beside_the_live_server_and_each_other_sqlite() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let org = org(&db.url).await;
    let token = user_with_token(&db.url, &org, "desk@example.org", &["registrar"]).await;
    let (mut server, base) = start_server(&db.url).await;
    let dir = tempdir();
    let (one, two, three) = (
        dir.join("one.csv"),
        dir.join("two.csv"),
        dir.join("three.csv"),
    );
    list(&one, 600, "Аб");
    list(&two, 400, "Ве");
    list(&three, 400, "Гу");

    let stop = Arc::new(AtomicBool::new(false));
    let registering = desk(base.clone(), token.clone(), stop.clone());
    // The server is busy writing before the import opens the file.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Beside the live server.
    let alone = summary(&run_import(&db.url, &org, &one).await);
    assert_eq!(alone["households_created"], 600, "{alone}");
    assert_eq!(alone["quarantined"], 0, "{alone}");

    // Two imports started together, still beside the server.
    let (a, b) = tokio::join!(
        run_import(&db.url, &org, &two),
        run_import(&db.url, &org, &three)
    );
    let (a, b) = (summary(&a), summary(&b));
    assert_eq!(a["households_created"], 400, "{a}");
    assert_eq!(b["households_created"], 400, "{b}");

    stop.store(true, Ordering::Relaxed);
    let (created, failures) = registering.await.expect("join");
    assert!(failures.is_empty(), "the desk was refused: {failures:?}");
    assert!(created > 0, "the desk registered nobody meanwhile");

    // Everything acknowledged is there: 1,400 imported households and the desk's.
    let _ = server.kill().await;
    let store = Store::connect(&db.url, &StoreOptions::default())
        .await
        .expect("connect");
    let counts = store.table_counts().await.expect("counts");
    store.close().await;
    let households = counts
        .iter()
        .find(|(table, _)| *table == "households")
        .map(|(_, n)| *n);
    assert_eq!(households, Some(1_400 + created as i64));
}

/// Another program holds the file's write lock for longer than the import waits
/// (`--lock-wait 1`): the import fails, saying what is locked and what to do, not a bare
/// "database error"; run again once the lock is gone, it imports everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_behind_a_lock_held_too_long_says_what_is_locked_sqlite() {
    use tokio::io::AsyncBufReadExt;
    let db = TestDatabase::new(Backend::Sqlite).await;
    let org = org(&db.url).await;
    let dir = tempdir();
    let file = dir.join("list.csv");
    list(&file, 30, "Дe");
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    // A writer of another process that does not let go (Python's own SQLite).
    let mut holder = tokio::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys, time\n\
             c = sqlite3.connect(sys.argv[1], isolation_level=None)\n\
             c.execute('BEGIN IMMEDIATE')\n\
             print('locked', flush=True)\n\
             time.sleep(60)\n",
            &path,
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3");
    let mut lines = tokio::io::BufReader::new(holder.stdout.take().expect("stdout")).lines();
    assert_eq!(
        lines.next_line().await.expect("read").as_deref(),
        Some("locked")
    );

    let file_arg = file.to_string_lossy().to_string();
    let started = std::time::Instant::now();
    let refused = shanyrak(
        &[
            "import",
            file_arg.as_str(),
            "--db",
            &db.url,
            "--org",
            &org,
            "--country",
            "KZ",
            "--lock-wait",
            "1",
        ],
        "",
    )
    .await;
    assert!(!refused.success, "{}", refused.stdout);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "waited {:?}",
        started.elapsed()
    );
    let said = refused.stderr.lines().last().unwrap_or_default();
    assert!(said.starts_with("error: "), "{said}");
    assert!(!said.ends_with("database error"), "{said}");
    for words in ["database file is locked", "another program", "--lock-wait"] {
        assert!(said.contains(words), "no {words:?} in {said}");
    }

    let _ = holder.kill().await;
    let _ = holder.wait().await;
    let imported = summary(&run_import(&db.url, &org, &file).await);
    assert_eq!(imported["households_created"], 30, "{imported}");
}
