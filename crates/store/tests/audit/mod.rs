//! The audit chain against an insider with database access: a head kept outside the
//! database catches a history rewritten and re-chained, and the sealer refuses to chain
//! onto a head or a tail that was changed by hand. Both backends.

use chrono::{DateTime, Utc};
use shanyrak_store::testing::rewrite_audit_history;
use shanyrak_store::{AuditHead, StoreError};
use uuid::Uuid;

use super::{Fixture, create, family, now};

on_both_backends!(
    a_recorded_head_catches_a_history_rewritten_and_rechained,
    sealing_refuses_a_head_or_tail_changed_by_hand,
);

/// Runs `$body` with a raw connection `$conn` to the fixture's database, as an insider
/// with its credentials would.
macro_rules! as_insider {
    ($f:expr, |$conn:ident| $body:block) => {{
        use sqlx::Connection;
        if $f._db.url.starts_with("sqlite:") {
            let mut $conn = sqlx::SqliteConnection::connect(&$f._db.url)
                .await
                .expect("connect");
            $body
        } else {
            let mut $conn = sqlx::PgConnection::connect(&$f._db.url)
                .await
                .expect("connect");
            $body
        }
    }};
}

async fn seal_everything(f: &Fixture) -> AuditHead {
    while f.store.seal_audit(10_000).await.expect("seal") > 0 {}
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!((report.unsealed, report.broken_at.clone()), (0, None));
    report.head
}

async fn a_recorded_head_catches_a_history_rewritten_and_rechained(f: Fixture) {
    create(&f, &f.registrar_a, &family()).await;
    create(&f, &f.registrar_a, &family()).await;
    let recorded = seal_everything(&f).await;
    assert_eq!(recorded.seq, f.count("audit_events").await);
    // The printed form is what a person copies, and reads back as the same head.
    let written = recorded.to_string();
    assert_eq!(written.parse::<AuditHead>(), Ok(recorded.clone()));
    assert_eq!(written.len(), recorded.seq.to_string().len() + 1 + 64);

    // The chain grows: the recorded head still holds.
    create(&f, &f.registrar_a, &family()).await;
    let grown = seal_everything(&f).await;
    assert!(grown.seq > recorded.seq);
    let report = f
        .store
        .verify_audit_expecting(&recorded)
        .await
        .expect("verify");
    assert_eq!(report.broken_at, None, "{report:?}");

    // An insider edits an early event; the chain alone finds it...
    let edit = "UPDATE audit_events SET actor_label = 'system:nobody' WHERE seq = 2";
    let bypass = if f._db.url.starts_with("sqlite:") {
        format!("DROP TRIGGER audit_events_sealed; {edit}")
    } else {
        format!("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only; {edit}")
    };
    super::raw_execute(&f, &bypass).await.expect("edit");
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!(report.broken_at.map(|(seq, _)| seq), Some(2));

    // ...until every later hash is recomputed and the head moved: then the chain verifies,
    // and only the head recorded outside tells.
    rewrite_audit_history(&f._db.url, "SELECT 1")
        .await
        .expect("re-chain");
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!(
        report.broken_at, None,
        "the re-chained log verifies on its own"
    );
    assert_eq!(report.head.seq, grown.seq);
    assert_ne!(report.head, grown);
    for head in [&recorded, &grown] {
        let report = f.store.verify_audit_expecting(head).await.expect("verify");
        let (seq, why) = report.broken_at.expect("the rewrite is caught");
        assert_eq!(seq, head.seq, "{why}");
        assert!(why.contains("no longer has the hash recorded"), "{why}");
        assert!(why.contains(&head.to_string()), "{why}");
    }

    // A head from after the end: the chain was cut back (or rewound).
    let later = AuditHead {
        seq: grown.seq + 10,
        hash: grown.hash,
    };
    let report = f
        .store
        .verify_audit_expecting(&later)
        .await
        .expect("verify");
    let (seq, why) = report.broken_at.expect("shorter than recorded");
    assert_eq!(seq, grown.seq + 1);
    assert!(why.contains("before the recorded head"), "{why}");
}

async fn sealing_refuses_a_head_or_tail_changed_by_hand(f: Fixture) {
    create(&f, &f.registrar_a, &family()).await;
    let head = seal_everything(&f).await;
    let previous: Vec<u8> = as_insider!(f, |conn| {
        use sqlx::Row;
        sqlx::query("SELECT hash FROM audit_events WHERE seq = $1")
            .bind(head.seq - 1)
            .fetch_one(&mut conn)
            .await
            .expect("event")
            .try_get("hash")
            .expect("hash")
    });
    let set_head = async |seq: i64, hash: Vec<u8>| {
        as_insider!(f, |conn| {
            sqlx::query("UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1")
                .bind(seq)
                .bind(hash)
                .execute(&mut conn)
                .await
                .expect("move the head");
        })
    };
    let refusal = async || match f.store.seal_audit(10_000).await {
        Err(StoreError::AuditTail { seq, why }) => (seq, why),
        other => panic!("sealing went ahead: {other:?}"),
    };
    create(&f, &f.registrar_a, &family()).await;

    // The head rewound by one event: that event now lies beyond it.
    set_head(head.seq - 1, previous).await;
    let (seq, why) = refusal().await;
    assert_eq!(seq, head.seq);
    assert!(why.contains("not sealed by Shanyrak"), "{why}");
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!(report.unsealed, 1, "nothing was sealed");
    assert_eq!(report.broken_at.map(|(s, _)| s), Some(head.seq));

    // The head's hash replaced: it no longer matches its event.
    set_head(head.seq, vec![7u8; 32]).await;
    let (seq, why) = refusal().await;
    assert_eq!(seq, head.seq);
    assert!(why.contains("does not match"), "{why}");
    let report = f.store.verify_audit().await.expect("verify");
    assert!(report.broken_at.is_some());

    // Put back, sealing goes on.
    set_head(head.seq, head.hash.to_vec()).await;
    let head = seal_everything(&f).await;

    // An event forged with a sequence number past the head, linked to nothing.
    create(&f, &f.registrar_a, &family()).await;
    let at: DateTime<Utc> = now();
    let forged = Uuid::now_v7();
    as_insider!(f, |conn| {
        sqlx::query(
            "INSERT INTO audit_events (id, at, actor_user_id, actor_label, organisation_id, \
             entity, entity_id, action, before_state, after_state, seq, prev_hash, hash) \
             VALUES ($1, $2, NULL, 'system:forged', NULL, 'household', $1, 'create', NULL, \
             NULL, $3, $4, $5)",
        )
        .bind(forged)
        .bind(at)
        .bind(head.seq + 3)
        .bind(vec![1u8; 32])
        .bind(vec![2u8; 32])
        .execute(&mut conn)
        .await
        .expect("forge");
    });
    let (seq, why) = refusal().await;
    assert_eq!(seq, head.seq + 3);
    assert!(why.contains("does not chain onto it"), "{why}");
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!(report.unsealed, 1, "nothing was sealed");
    let (seq, why) = report.broken_at.expect("the forged event is reported");
    assert_eq!(seq, head.seq + 3);
    assert!(why.contains("numbered after the chain's head"), "{why}");
}
