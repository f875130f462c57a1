//! Operating the real binary: `shanyrak doctor` says what to fix and fails on a problem;
//! `serve` answers `/metrics` to loopback and to the metrics token only.

use std::path::Path;

use openssl::asn1::Asn1Time;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::x509::{X509, X509NameBuilder};
use reqwest::StatusCode;
use shanyrak_store::testing::{Backend, TestDatabase};

use super::support::{Output, provision, scratch_dir, shanyrak_without_key, start_server_with};

async fn doctor(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["doctor"];
    all.extend(args);
    shanyrak_without_key(&all, env).await
}

/// A self-signed certificate whose `notAfter` is `days` from now (negative: expired).
fn certificate(path: &Path, days: i64) {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("group");
    let key = PKey::from_ec_key(EcKey::generate(&group).expect("key")).expect("pkey");
    let mut name = X509NameBuilder::new().expect("name");
    name.append_entry_by_text("CN", "localhost").expect("cn");
    let name = name.build();
    let now = chrono::Utc::now().timestamp();
    let mut builder = X509::builder().expect("builder");
    builder.set_version(2).expect("version");
    builder.set_subject_name(&name).expect("subject");
    builder.set_issuer_name(&name).expect("issuer");
    builder.set_pubkey(&key).expect("pubkey");
    builder
        .set_not_before(&Asn1Time::from_unix(now - 40 * 86_400).expect("time"))
        .expect("not before");
    builder
        .set_not_after(&Asn1Time::from_unix(now + days * 86_400).expect("time"))
        .expect("not after");
    builder.sign(&key, MessageDigest::sha256()).expect("sign");
    std::fs::write(path, builder.build().to_pem().expect("pem")).expect("write");
}

fn line<'a>(run: &'a Output, check: &str) -> &'a str {
    run.stdout
        .lines()
        .find(|l| l.get(5..).is_some_and(|rest| rest.starts_with(check)))
        .unwrap_or_else(|| panic!("no {check} line in\n{}", run.stdout))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_says_what_to_fix_on_sqlite() {
    let dir = scratch_dir("ops");
    let db = dir.join("shanyrak.db");
    let url = format!("sqlite://{}", db.display());

    let missing = doctor(&["--db", &url], &[]).await;
    assert!(!missing.success, "{}", missing.stdout);
    assert!(
        line(&missing, "database").starts_with("FAIL"),
        "{}",
        missing.stdout
    );
    assert!(
        missing.stdout.contains("no SQLite file"),
        "{}",
        missing.stdout
    );
    assert!(!db.exists(), "doctor created nothing");

    provision(&url).await;
    let fine = doctor(&["--db", &url], &[]).await;
    assert!(fine.success, "{}\n{}", fine.stdout, fine.stderr);
    assert!(
        line(&fine, "migrations").starts_with("ok"),
        "{}",
        fine.stdout
    );
    assert!(
        line(&fine, "database key").starts_with("warn"),
        "not encrypted: {}",
        fine.stdout
    );
    assert!(line(&fine, "clock").starts_with("ok"), "{}", fine.stdout);
    assert!(line(&fine, "disk").contains("MiB free"), "{}", fine.stdout);
    // Asking for more free space than any disk has is a failure that names the fix.
    let full = doctor(&["--db", &url, "--min-free-mib", "999999999999"], &[]).await;
    assert!(!full.success);
    assert!(line(&full, "disk").starts_with("FAIL"), "{}", full.stdout);

    // An encrypted database: without its key it cannot be read, and doctor says how to
    // give it; with it, all is well; with another key, that key is wrong.
    let secret_db = dir.join("secret.db");
    let secret_url = format!("sqlite://{}", secret_db.display());
    let org = shanyrak_without_key(
        &[
            "admin",
            "create-org",
            "--db",
            &secret_url,
            "--name",
            "Кайнар",
            "--kind",
            "ngo",
        ],
        &[("SHANYRAK_DB_KEY", "correct horse battery staple")],
    )
    .await;
    assert!(org.success, "{}", org.stderr);
    let keyless = doctor(&["--db", &secret_url], &[]).await;
    assert!(!keyless.success);
    assert!(
        line(&keyless, "database key").starts_with("FAIL"),
        "{}",
        keyless.stdout
    );
    assert!(
        keyless.stdout.contains("SHANYRAK_DB_KEY"),
        "{}",
        keyless.stdout
    );
    let keyed = doctor(
        &["--db", &secret_url],
        &[("SHANYRAK_DB_KEY", "correct horse battery staple")],
    )
    .await;
    assert!(keyed.success, "{}", keyed.stdout);
    assert!(
        line(&keyed, "database key").starts_with("ok"),
        "{}",
        keyed.stdout
    );
    let wrong = doctor(
        &["--db", &secret_url],
        &[("SHANYRAK_DB_KEY", "another key")],
    )
    .await;
    assert!(!wrong.success);
    assert!(wrong.stdout.contains("another one"), "{}", wrong.stdout);

    // Certificates: one expiring soon warns, an expired one fails, `--tls-dir` finds the
    // self-signed one `serve` keeps.
    let soon = dir.join("soon.pem");
    certificate(&soon, 5);
    let run = doctor(&["--db", &url, "--tls-cert", &soon.to_string_lossy()], &[]).await;
    assert!(run.success, "{}", run.stdout);
    assert!(
        line(&run, "certificate").starts_with("warn"),
        "{}",
        run.stdout
    );
    assert!(line(&run, "certificate").contains("days"), "{}", run.stdout);
    let expired = dir.join("expired.pem");
    certificate(&expired, -1);
    let run = doctor(
        &["--db", &url, "--tls-cert", &expired.to_string_lossy()],
        &[],
    )
    .await;
    assert!(!run.success);
    assert!(
        line(&run, "certificate").starts_with("FAIL"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("expired on"), "{}", run.stdout);
    let tls_dir = dir.join("tls");
    std::fs::create_dir_all(&tls_dir).expect("tls dir");
    certificate(&tls_dir.join("certificate.pem"), 365);
    let run = doctor(
        &["--db", &url, "--tls-dir", &tls_dir.to_string_lossy()],
        &[],
    )
    .await;
    assert!(run.success, "{}", run.stdout);
    assert!(
        line(&run, "certificate").starts_with("ok"),
        "{}",
        run.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_on_postgres_reports_pending_migrations_and_an_unreachable_server() {
    let db = TestDatabase::new(Backend::Postgres).await;
    // A database nobody has migrated yet: everything is pending, a warning only.
    let fresh = doctor(&["--db", &db.url], &[]).await;
    assert!(fresh.success, "{}\n{}", fresh.stdout, fresh.stderr);
    assert!(
        line(&fresh, "migrations").starts_with("warn"),
        "{}",
        fresh.stdout
    );
    assert!(
        fresh.stdout.contains("0021 outbox keys"),
        "{}",
        fresh.stdout
    );
    assert!(line(&fresh, "clock").starts_with("ok"), "{}", fresh.stdout);
    provision(&db.url).await;
    let migrated = doctor(&["--db", &db.url], &[]).await;
    assert!(migrated.success, "{}", migrated.stdout);
    assert!(
        line(&migrated, "migrations").starts_with("ok"),
        "{}",
        migrated.stdout
    );
    // Nothing listens on port 1.
    let away = doctor(
        &["--db", "postgres://postgres:secret@127.0.0.1:1/shanyrak"],
        &[],
    )
    .await;
    assert!(!away.success);
    assert!(
        line(&away, "database").starts_with("FAIL"),
        "{}",
        away.stdout
    );
    assert!(away.stdout.contains("cannot be reached"), "{}", away.stdout);
    assert!(
        !away.stdout.contains("secret"),
        "no password printed: {}",
        away.stdout
    );
}

const METRICS_TOKEN: &str = "operator-metrics-token-7f3a9c2e";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_metrics_to_loopback_and_the_token_only() {
    let dir = scratch_dir("ops");
    let url = format!("sqlite://{}", dir.join("shanyrak.db").display());
    provision(&url).await;
    // A token too short to be a secret is refused at start.
    let short = shanyrak_without_key(
        &["serve", "--db", &url, "--bind", "127.0.0.1:0"],
        &[("SHANYRAK_METRICS_TOKEN", "short")],
    )
    .await;
    assert!(!short.success);
    assert!(short.stderr.contains("16 characters"));

    let (_server, base) =
        start_server_with(&url, &[("SHANYRAK_METRICS_TOKEN", METRICS_TOKEN)]).await;
    let client = reqwest::Client::new();
    let health = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), StatusCode::OK);
    let local = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(local.status(), StatusCode::OK);
    let text = local.text().await.expect("text");
    assert!(
        text.contains(
            r#"shanyrak_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("shanyrak_identity_index_records"), "{text}");
    let proxied = client
        .get(format!("{base}/metrics"))
        .header("x-forwarded-for", "198.51.100.4")
        .send()
        .await
        .expect("metrics");
    assert_eq!(proxied.status(), StatusCode::NOT_FOUND);
    let with_token = client
        .get(format!("{base}/metrics"))
        .header("x-forwarded-for", "198.51.100.4")
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .expect("metrics");
    assert_eq!(with_token.status(), StatusCode::OK);
    let _ = std::fs::remove_dir_all(&dir);
}
