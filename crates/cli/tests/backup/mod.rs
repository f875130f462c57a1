//! `shanyrak admin backup` while four desks register, then `admin restore` into a new
//! file: every household acknowledged before the backup began is in the copy, the audit
//! chain verifies, and the encrypted copy opens only with a recipient's identity.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use shanyrak_store::testing::{Backend, TestDatabase};
use tokio::sync::Mutex;

use crate::support::{
    BIN, admin, create_org, household, provision, scratch_dir, serve, shanyrak, start_server,
    succeeds,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_every_acknowledged_household() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let token = provision(&db.url).await;
    let (_server, base) = start_server(&db.url).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");

    // Four desks register until told to stop; each acknowledged id is noted with the
    // moment it was acknowledged.
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged: Arc<Mutex<Vec<(std::time::Instant, String)>>> = Arc::default();
    let mut desks = Vec::new();
    for desk in 0..4 {
        let (client, base, token, stop, acknowledged) = (
            client.clone(),
            base.clone(),
            token.clone(),
            stop.clone(),
            acknowledged.clone(),
        );
        desks.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let tag = format!("desk{desk}-{i}");
                let response = client
                    .post(format!("{base}/api/v1/households"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", &tag)
                    .json(&household(&tag, 1 + i % 3))
                    .send()
                    .await
                    .expect("send");
                assert_eq!(response.status(), StatusCode::CREATED);
                let body: Value = response.json().await.expect("json");
                let id = body["id"].as_str().expect("id").to_owned();
                acknowledged
                    .lock()
                    .await
                    .push((std::time::Instant::now(), id));
                i += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;

    let dir = scratch_dir("backup");
    let identity = age::x25519::Identity::generate();
    let identity_file = dir.join("identity.txt");
    {
        use age::secrecy::ExposeSecret;
        std::fs::write(
            &identity_file,
            format!("{}\n", identity.to_string().expose_secret()),
        )
        .expect("identity");
    }
    let out = dir.join("shanyrak.backup");
    let began = std::time::Instant::now();
    let backup = admin(
        "backup",
        &db.url,
        &[
            "--out",
            out.to_str().expect("path"),
            "--recipient",
            &identity.to_public().to_string(),
        ],
        "",
    )
    .await;
    assert!(backup.success, "{}", backup.stderr);
    assert!(backup.stdout.contains("encrypted"), "{}", backup.stdout);
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for desk in desks {
        desk.await.expect("desk");
    }
    let before: Vec<String> = acknowledged
        .lock()
        .await
        .iter()
        .filter(|(at, _)| *at < began)
        .map(|(_, id)| id.clone())
        .collect();
    assert!(
        before.len() >= 4,
        "too few registrations before the backup: {}",
        before.len()
    );
    let bytes = std::fs::read(&out).expect("backup");
    assert!(
        bytes.starts_with(b"age-encryption.org/v1\n"),
        "the backup is not encrypted"
    );

    // A second backup never overwrites the first.
    let again = admin(
        "backup",
        &db.url,
        &["--out", out.to_str().expect("path")],
        "",
    )
    .await;
    assert!(!again.success);
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);

    // Without the identity nothing is restored; with it, every acknowledged household.
    let restored = format!("sqlite://{}", dir.join("restored.db").display());
    let refused = shanyrak(
        &[
            "admin",
            "restore",
            out.to_str().expect("path"),
            "--db",
            &restored,
        ],
        "",
    )
    .await;
    assert!(!refused.success);
    assert!(refused.stderr.contains("--identity"), "{}", refused.stderr);
    let restore = succeeds(&[
        "admin",
        "restore",
        out.to_str().expect("path"),
        "--db",
        &restored,
        "--identity",
        identity_file.to_str().expect("path"),
    ])
    .await;
    assert!(restore.stdout.contains("intact"), "{}", restore.stdout);

    let (_restored_server, restored_base) = start_server(&restored).await;
    for id in &before {
        let response = client
            .get(format!("{restored_base}/api/v1/households/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("get");
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "household {id}, acknowledged before the backup, is not in it"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// An encrypted database's backup is encrypted with the same key: it opens with the key
/// and not without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backup_of_an_encrypted_database_stays_encrypted() {
    let dir = scratch_dir("backup-key");
    let key = dir.join("key");
    std::fs::write(&key, "a passphrase long enough\n").expect("key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let key = key.to_str().expect("path").to_owned();
    let db = format!("sqlite://{}", dir.join("registry.db").display());
    create_org(&db, "Кайнар", "ngo", &["--key-file", &key]).await;
    let out = dir.join("copy.db");
    let out = out.to_str().expect("path");
    let backup = admin("backup", &db, &["--key-file", &key, "--out", out], "").await;
    assert!(backup.success, "{}", backup.stderr);
    let copy = format!("sqlite://{out}");
    let without = admin("verify-audit", &copy, &[], "").await;
    assert!(!without.success, "the copy opened without the key");
    let with = admin("verify-audit", &copy, &["--key-file", &key], "").await;
    assert!(with.success, "{}", with.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

/// `serve --backup-every` backs up once at start into `--backup-dir` and keeps only the
/// newest `--backup-keep` of its own backups, leaving other files alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serving_laptop_backs_itself_up_and_keeps_the_newest() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    provision(&db.url).await;
    let dir = scratch_dir("scheduled");
    for old in [
        "shanyrak-20220927-210000.backup",
        "shanyrak-20220928-210000.backup",
    ] {
        std::fs::write(dir.join(old), b"an older backup").expect("old");
    }
    std::fs::write(dir.join("notes.txt"), b"not a backup").expect("other");
    let dir_arg = dir.to_string_lossy().into_owned();
    let mut server = serve(
        BIN,
        &db.url,
        &[
            "--backup-every",
            "24",
            "--backup-keep",
            "2",
            "--backup-dir",
            &dir_arg,
        ],
    )
    .env("SHANYRAK_LOG", "warn")
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .expect("serve");
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("read")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    };
    let mut names = listing();
    for _ in 0..100 {
        if !names.contains(&"shanyrak-20220927-210000.backup".to_owned()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        names = listing();
    }
    server.kill().await.expect("stop");
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], "notes.txt");
    assert_eq!(names[1], "shanyrak-20220928-210000.backup");
    let newest = dir.join(&names[2]);
    let copy = format!("sqlite://{}", newest.display());
    let verified = admin("verify-audit", &copy, &[], "").await;
    assert!(
        verified.success,
        "the scheduled backup is a database: {}",
        verified.stderr
    );
    let _ = std::fs::remove_dir_all(dir);
}
