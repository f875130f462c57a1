//! Encrypted exports, subject access, erasure and retention from the command line.

use std::io::Read;

use serde_json::Value;
use shanyrak_store::testing::{Backend, TestDatabase};
use shanyrak_store::{Store, StoreOptions};

use crate::support::{admin, scratch_dir, seed_demo};

fn decrypt(bytes: &[u8], identity: &age::x25519::Identity) -> Result<String, String> {
    let decryptor = age::Decryptor::new(bytes).map_err(|e| e.to_string())?;
    let mut reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| e.to_string())?;
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    Ok(text)
}

/// `shanyrak export --recipient age1…` writes an age file that the recipient's identity
/// opens to the same rows as the plain export, and nobody else's does; the plain registry
/// export warns that it is unencrypted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_are_encrypted_for_their_recipients() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    seed_demo(&db.url).await;
    let dir = scratch_dir("age");
    let reader = age::x25519::Identity::generate();
    let second = age::x25519::Identity::generate();
    let stranger = age::x25519::Identity::generate();
    let export = async |dataset: &str, format: &str, out: &std::path::Path, to: &[String]| {
        let recipients: Vec<&str> = to.iter().flat_map(|r| ["--recipient", r]).collect();
        crate::support::export(&db.url, dataset, Some(format), out, &recipients).await
    };

    let plain_path = dir.join("registry.csv");
    let plain = export("registry", "csv", &plain_path, &[]).await;
    assert!(plain.success, "{}", plain.stderr);
    assert!(plain.stderr.contains("UNENCRYPTED"), "{}", plain.stderr);
    let plain_text = std::fs::read_to_string(&plain_path).expect("plain");
    assert!(plain_text.lines().count() > 10, "{plain_text}");

    let sealed_path = dir.join("registry.csv.age");
    let sealed = export(
        "registry",
        "csv",
        &sealed_path,
        &[
            reader.to_public().to_string(),
            second.to_public().to_string(),
        ],
    )
    .await;
    assert!(sealed.success, "{}", sealed.stderr);
    assert!(!sealed.stderr.contains("UNENCRYPTED"), "{}", sealed.stderr);
    // XLSX would pass through plaintext temporary files: refused, and nothing written.
    let xlsx_path = dir.join("registry.xlsx.age");
    let xlsx = export(
        "registry",
        "xlsx",
        &xlsx_path,
        &[reader.to_public().to_string()],
    )
    .await;
    assert!(
        !xlsx.success && xlsx.stderr.contains("written as csv"),
        "{}",
        xlsx.stderr
    );
    assert!(!xlsx_path.exists());
    let bytes = std::fs::read(&sealed_path).expect("sealed");
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    // No name of the plain export appears in the encrypted file.
    let a_surname = plain_text
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').nth(8))
        .expect("a surname")
        .to_owned();
    assert!(!a_surname.is_empty());
    assert!(
        !bytes
            .windows(a_surname.len())
            .any(|w| w == a_surname.as_bytes())
    );
    // The export is recorded in the audit log, so its rows are the same apart from the
    // order of nothing: compare whole texts.
    assert_eq!(
        decrypt(&bytes, &reader).expect("reader opens it"),
        plain_text
    );
    assert_eq!(
        decrypt(&bytes, &second).expect("second recipient"),
        plain_text
    );
    assert!(
        decrypt(&bytes, &stranger).is_err(),
        "a wrong identity fails"
    );

    // Other datasets and XLSX too.
    let xlsx = dir.join("sites.xlsx.age");
    let run = export("sites", "xlsx", &xlsx, &[reader.to_public().to_string()]).await;
    assert!(run.success, "{}", run.stderr);
    let sealed_xlsx = std::fs::read(&xlsx).expect("xlsx");
    let decryptor = age::Decryptor::new(&sealed_xlsx[..]).expect("age");
    let mut workbook = Vec::new();
    decryptor
        .decrypt(std::iter::once(&reader as &dyn age::Identity))
        .expect("decrypt")
        .read_to_end(&mut workbook)
        .expect("read");
    assert!(workbook.starts_with(b"PK"), "an XLSX file inside");

    let bad = export(
        "population",
        "csv",
        &dir.join("x.csv"),
        &["age1nonsense".into()],
    )
    .await;
    assert!(
        !bad.success && bad.stderr.contains("not an age recipient"),
        "{}",
        bad.stderr
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `admin subject-access`, `admin erase` and `admin apply-retention` on the demo.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subject_access_erasure_and_retention_commands() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    seed_demo(&db.url).await;
    let person = {
        let store = Store::connect(&db.url, &StoreOptions::default())
            .await
            .expect("connect");
        let page = store.households_page(None, 1).await.expect("page");
        store.close().await;
        page[0].members[0].id.to_string()
    };
    let access = admin("subject-access", &db.url, &["--person", &person], "").await;
    assert!(access.success, "{}", access.stderr);
    let export: Value = serde_json::from_str(&access.stdout).expect("json");
    assert_eq!(export["person_id"], Value::String(person.clone()));
    assert_eq!(
        export["household"]["members"].as_array().map(Vec::len),
        Some(1)
    );

    let no_reason = admin(
        "erase",
        &db.url,
        &["--person", &person, "--reason", " "],
        "",
    )
    .await;
    assert!(
        !no_reason.success && no_reason.stderr.contains("reason"),
        "{}",
        no_reason.stderr
    );
    let erase = admin(
        "erase",
        &db.url,
        &["--person", &person, "--reason", "letter of 3 May"],
        "",
    )
    .await;
    assert!(erase.success, "{}", erase.stderr);
    let report: Value = serde_json::from_str(&erase.stdout).expect("json");
    assert_eq!(report["person_id"], Value::String(person.clone()));
    let again = admin("subject-access", &db.url, &["--person", &person], "").await;
    assert!(
        !again.success && again.stderr.contains("not found"),
        "{}",
        again.stderr
    );
    let verify = admin("verify-audit", &db.url, &["--seal"], "").await;
    assert!(verify.success, "{}", verify.stderr);
    assert!(verify.stdout.contains("intact"), "{}", verify.stdout);

    // The demo is days old: nothing is past a month, everything past... nothing yet.
    let dry = admin("apply-retention", &db.url, &["--dry-run", "--json"], "").await;
    assert!(dry.success, "{}", dry.stderr);
    let dry: Value = serde_json::from_str(&dry.stdout).expect("json");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["households_anonymised"], 0);
    let bad = admin("apply-retention", &db.url, &["--identity-months", "0"], "").await;
    assert!(
        !bad.success && bad.stderr.contains("identity_months"),
        "{}",
        bad.stderr
    );
}
