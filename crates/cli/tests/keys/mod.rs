//! Encryption cannot be off by accident: an empty key, from a file or from the
//! environment, and a key file other users can read are refused before any database is
//! created or opened, with a message that says which source, why and how to fix it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::{Output, scratch_dir, shanyrak_without_key};

fn write_key(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).expect("key");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// `shanyrak admin create-org` on `db` with extra arguments and environment.
async fn create_org(db: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let url = format!("sqlite://{}", db.display());
    let mut args = vec![
        "admin",
        "create-org",
        "--db",
        &url,
        "--name",
        "Кайнар",
        "--kind",
        "ngo",
    ];
    args.extend(extra);
    shanyrak_without_key(&args, env).await
}

fn assert_refused(what: &str, run: &Output, db: &Path, says: &[&str]) {
    assert!(!run.success, "{what}: accepted\n{}", run.stdout);
    for words in says {
        assert!(
            run.stderr.contains(words),
            "{what}: {words:?} not in\n{}",
            run.stderr
        );
    }
    assert!(!db.exists(), "{what}: a database was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_key_is_refused_wherever_it_comes_from() {
    let dir = scratch_dir("keys");
    let db = dir.join("shanyrak.db");
    let key = dir.join("shanyrak.key");
    let key_arg = key.to_string_lossy().into_owned();

    for (what, text) in [("empty key file", ""), ("blank key file", " \n\t\r\n")] {
        write_key(&key, text, 0o600);
        let run = create_org(&db, &["--key-file", &key_arg], &[]).await;
        assert_refused(
            what,
            &run,
            &db,
            &[&key_arg, "empty", "unencrypted", "passphrase"],
        );
        let run = create_org(&db, &[], &[("SHANYRAK_DB_KEY_FILE", &key_arg)]).await;
        assert_refused(what, &run, &db, &[&key_arg, "empty"]);
    }
    for (what, value) in [
        ("empty SHANYRAK_DB_KEY", ""),
        ("blank SHANYRAK_DB_KEY", "  "),
    ] {
        let run = create_org(&db, &[], &[("SHANYRAK_DB_KEY", value)]).await;
        assert_refused(
            what,
            &run,
            &db,
            &[
                "SHANYRAK_DB_KEY",
                "empty",
                "unencrypted",
                "unset SHANYRAK_DB_KEY",
            ],
        );
    }
    let run = create_org(&db, &[], &[("SHANYRAK_DB_KEY_FILE", "")]).await;
    assert_refused(
        "empty SHANYRAK_DB_KEY_FILE",
        &run,
        &db,
        &["SHANYRAK_DB_KEY_FILE", "empty"],
    );

    // A real passphrase opens (and creates) an encrypted database.
    write_key(&key, "a long passphrase from a USB key\n", 0o600);
    let run = create_org(&db, &["--key-file", &key_arg], &[]).await;
    assert!(run.success, "{}", run.stderr);
    assert!(db.exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_file_others_can_read_is_refused_with_the_fix() {
    let dir = scratch_dir("keys");
    let db = dir.join("shanyrak.db");
    let key = dir.join("shanyrak.key");
    let key_arg = key.to_string_lossy().into_owned();
    for mode in [0o644, 0o640, 0o604, 0o660, 0o601] {
        write_key(&key, "a long passphrase from a USB key\n", mode);
        let run = create_org(&db, &["--key-file", &key_arg], &[]).await;
        assert_refused(
            &format!("mode {mode:o}"),
            &run,
            &db,
            &[&format!("chmod 600 {key_arg}"), "other users"],
        );
    }
    for mode in [0o600, 0o400] {
        write_key(&key, "a long passphrase from a USB key\n", mode);
        let run = create_org(&db, &["--key-file", &key_arg], &[]).await;
        assert!(run.success, "mode {mode:o}: {}", run.stderr);
    }
    let _ = std::fs::remove_dir_all(dir);
}
