//! A read replica for figures and exports: on PostgreSQL those heavy reads go to the
//! replica and everything else, every write included, to the primary. Here the "replica"
//! is the same database opened with read-only transactions, so a write sent through it
//! would fail; SQLite refuses a replica.

use shanyrak_store::testing::Backend;
use shanyrak_store::{Store, StoreError, StoreOptions};

use super::{Fixture, create, family, now, valid};

/// The URL with every transaction read-only, as on a hot standby.
fn read_only(url: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20default_transaction_read_only%3Don")
}

/// The "replica" is another database holding other households: figures and exports
/// show its households, registrations land in the primary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_and_exports_read_from_the_replica_and_writes_go_to_the_primary() {
    let primary = Fixture::new(Backend::Postgres).await;
    let on_primary = create(&primary, &primary.registrar_a, &family()).await;
    let standby = Fixture::new(Backend::Postgres).await;
    let on_replica = create(&standby, &standby.registrar_a, &family()).await;
    let replica = read_only(&standby._db.url);
    assert!(
        Store::connect(&replica, &StoreOptions::default())
            .await
            .is_err(),
        "the replica's URL really is read-only (it cannot be migrated)"
    );
    let store = Store::connect(
        &primary._db.url,
        &StoreOptions {
            replica_url: Some(replica),
            ..StoreOptions::default()
        },
    )
    .await
    .expect("a store with a replica");
    let (rows, _) = store
        .registry_page(None, 100)
        .await
        .expect("an export page");
    assert!(rows.iter().any(|r| r.household_id == on_replica));
    assert!(!rows.iter().any(|r| r.household_id == on_primary));
    let cells = store
        .population_cells(None, now().date_naive(), None)
        .await
        .expect("live figures");
    assert!(!cells.is_empty());
    let snapshot = store
        .refresh_figure_snapshot(now())
        .await
        .expect("a snapshot computed on the replica and written on the primary");
    assert_eq!(
        primary.store.figure_snapshot_info().await.expect("info"),
        Some(snapshot)
    );
    // Writes and ordinary reads go to the primary.
    let registered = store
        .create_household(&primary.registrar_a, &valid(&family()), None, now())
        .await
        .expect("a registration through the store with a replica");
    let shanyrak_store::CreateOutcome::Created(registered) = registered else {
        panic!("a replay")
    };
    store
        .get_household(&primary.registrar_a, registered.household_id)
        .await
        .expect("read back from the primary");
}

#[tokio::test]
async fn a_replica_is_for_postgresql_only() {
    let path = std::env::temp_dir().join(format!("shanyrak-replica-{}.db", uuid::Uuid::now_v7()));
    let url = format!("sqlite://{}", path.display());
    let refused = Store::connect(
        &url,
        &StoreOptions {
            replica_url: Some("postgres://postgres@127.0.0.1/replica".into()),
            ..StoreOptions::default()
        },
    )
    .await;
    assert!(matches!(refused, Err(StoreError::ReplicaNeedsPostgres)));
}
