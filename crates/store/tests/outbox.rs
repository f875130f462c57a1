//! The offline outbox's key on both backends: made once per user, the same for every
//! session after, another user's apart, and only for users who may register.

use shanyrak_core::Role;
use shanyrak_store::StoreError;

use super::{Fixture, now, user};

on_both_backends!(an_outbox_key_is_made_once_per_user);

async fn an_outbox_key_is_made_once_per_user(f: Fixture) {
    let first = f
        .store
        .outbox_key(&f.registrar_a, b"first", now())
        .await
        .unwrap();
    assert_eq!(first, b"first");
    let again = f
        .store
        .outbox_key(&f.registrar_a, b"second", now())
        .await
        .unwrap();
    assert_eq!(again, b"first", "a later session gets the key already made");
    let other = f
        .store
        .outbox_key(&f.registrar_b, b"other", now())
        .await
        .unwrap();
    assert_eq!(other, b"other");
    let events = f
        .store
        .audit_events_for(&f.admin_a, f.registrar_a.user_id)
        .await
        .unwrap();
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
