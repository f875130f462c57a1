//! `shanyrak admin verify-audit --seal` prints the chain head to keep outside the
//! database; `--expect SEQ:DIGEST` later fails if the history up to it was rewritten, even
//! re-chained so that the log verifies on its own; sealing refuses a head changed by hand.

use serde_json::Value;
use shanyrak_store::testing::{Backend, TestDatabase, execute_as_insider, rewrite_audit_history};

use crate::support::{Output, admin, create_org, provision};

on_both_backends!(a_sealed_head_kept_outside_catches_a_rewritten_history);

async fn verify(db: &str, extra: &[&str]) -> Output {
    admin("verify-audit", db, extra, "").await
}

/// Writes some more history (an organisation, with its audit event).
async fn more_history(db: &str) {
    create_org(db, "Другая", "ngo", &[]).await;
}

/// The `SEQ:DIGEST` on the line that names the chain head.
fn printed_head(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("chain head: "))
        .unwrap_or_else(|| panic!("no chain head in\n{stdout}"))
        .trim()
        .to_owned()
}

async fn a_sealed_head_kept_outside_catches_a_rewritten_history(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    provision(&db.url).await;

    let sealed = verify(&db.url, &["--seal"]).await;
    assert!(sealed.success, "{}", sealed.stderr);
    assert!(
        sealed.stdout.contains("audit log intact"),
        "{}",
        sealed.stdout
    );
    let head = printed_head(&sealed.stdout);
    let (seq, digest) = head.split_once(':').expect("SEQ:DIGEST");
    assert!(seq.parse::<u64>().is_ok_and(|n| n >= 3), "{head}");
    assert!(
        digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()),
        "{head}"
    );
    assert!(sealed.stderr.contains("--expect"), "{}", sealed.stderr);

    // More history since: the recorded head still holds, and the JSON says so too.
    more_history(&db.url).await;
    let grown = verify(&db.url, &["--seal", "--expect", &head, "--json"]).await;
    assert!(grown.success, "{}", grown.stderr);
    let report: Value = serde_json::from_str(&grown.stdout).expect("json");
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(report["expected"], head.as_str());
    assert_eq!(report["broken_at"], Value::Null);
    assert_eq!(report["unsealed"], 0);
    let newer = report["head"].as_str().expect("head").to_owned();
    assert_ne!(newer, head);

    // An insider changes the second event and re-chains everything after it.
    rewrite_audit_history(
        &db.url,
        "UPDATE audit_events SET actor_label = 'system:nobody' WHERE seq = 2",
    )
    .await
    .expect("rewrite");
    let plain = verify(&db.url, &[]).await;
    assert!(
        plain.success,
        "the chain alone cannot tell: {}",
        plain.stderr
    );
    for recorded in [&head, &newer] {
        let caught = verify(&db.url, &["--expect", recorded]).await;
        assert!(!caught.success, "{}", caught.stdout);
        assert!(
            caught.stderr.contains("was changed") && caught.stderr.contains(recorded.as_str()),
            "{}",
            caught.stderr
        );
        let json = verify(&db.url, &["--expect", recorded, "--json"]).await;
        assert!(!json.success);
        let report: Value = serde_json::from_str(&json.stdout).expect("json");
        assert_eq!(report["intact"], false, "{report}");
        assert_eq!(
            report["broken_at"]["seq"].as_i64().map(|s| s.to_string()),
            recorded.split_once(':').map(|(s, _)| s.to_owned())
        );
    }

    // A head that is not SEQ:DIGEST is refused before anything is opened.
    let typo = verify(&db.url, &["--expect", "12:abc"]).await;
    assert!(!typo.success);
    assert!(typo.stderr.contains("SEQ:DIGEST"), "{}", typo.stderr);

    // The head moved back by hand: sealing refuses to chain onto it, and says where.
    more_history(&db.url).await;
    execute_as_insider(&db.url, "UPDATE audit_chain SET seq = seq - 1 WHERE id = 1")
        .await
        .expect("rewind");
    let refused = verify(&db.url, &["--seal"]).await;
    assert!(!refused.success, "{}", refused.stdout);
    assert!(
        refused.stderr.contains("sealing refused at audit event"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stdout.contains("chain head:"),
        "{}",
        refused.stdout
    );
}
