//! The offline outbox's key on both backends: made once per user, the same for every
//! session after, another user's apart, and only for users who may register. And the
//! inspection `shanyrak doctor` makes of a database.

use shanyrak_core::Role;
use shanyrak_store::StoreError;

use super::{Fixture, now, raw_execute, user};

on_both_backends!(an_outbox_key_is_made_once_per_user);

async fn an_outbox_key_is_made_once_per_user(f: Fixture) {
    let key_of = async |user: &shanyrak_core::Actor, offered: &[u8]| {
        f.store
            .outbox_key(user, offered, now())
            .await
            .expect("outbox key")
    };
    assert_eq!(key_of(&f.registrar_a, b"first").await, b"first");
    assert_eq!(
        key_of(&f.registrar_a, b"second").await,
        b"first",
        "a later session gets the key already made"
    );
    assert_eq!(key_of(&f.registrar_b, b"other").await, b"other");
    let events = f.audit_of(f.registrar_a.user_id).await;
    assert_eq!(
        events
            .iter()
            .filter(|e| e.action == "create_outbox_key")
            .count(),
        1
    );
    let site_manager = user(
        &f.store,
        f.registrar_a.organisation_id,
        "site@example.org",
        &[Role::SiteManager],
    )
    .await;
    assert!(matches!(
        f.store.outbox_key(&site_manager, b"x", now()).await,
        Err(StoreError::Forbidden)
    ));
}

on_both_backends!(inspection_finds_pending_and_unknown_migrations);

/// What `shanyrak doctor` reads: a migrated database has nothing pending; a migration
/// record removed is pending again, one this build does not know is reported.
async fn inspection_finds_pending_and_unknown_migrations(f: Fixture) {
    let url = f._db.url.clone();
    let options = shanyrak_store::StoreOptions::default();
    let found = shanyrak_store::inspect::inspect(&url, &options)
        .await
        .unwrap();
    assert!(found.pending.is_empty(), "{found:?}");
    assert!(
        found.unknown.is_empty() && found.changed.is_empty(),
        "{found:?}"
    );
    assert!(
        found.latest_event.is_some(),
        "the fixture's users were audited"
    );
    assert_eq!(found.database_now.is_some(), !url.starts_with("sqlite:"));
    raw_execute(&f, "DELETE FROM _sqlx_migrations WHERE version = 21")
        .await
        .unwrap();
    raw_execute(
        &f,
        "UPDATE _sqlx_migrations SET version = 9999 WHERE version = 19",
    )
    .await
    .unwrap();
    let found = shanyrak_store::inspect::inspect(&url, &options)
        .await
        .unwrap();
    let pending: Vec<i64> = found.pending.iter().map(|(v, _)| *v).collect();
    assert_eq!(pending, vec![19, 21], "{found:?}");
    assert_eq!(found.unknown, vec![9999]);
}
