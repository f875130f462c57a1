//! What several serving processes on one database share: jobs that run once at a time
//! (advisory locks on PostgreSQL, always granted on SQLite) and the wake-up a household
//! write sends to the other processes (PostgreSQL `NOTIFY`, migration 0029).

use std::time::Duration;

use shanyrak_core::retention::RetentionPolicy;
use shanyrak_store::{ChangeFeed, Job, Principal, Store, StoreError, StoreOptions};

use super::{Fixture, create, family, now};

on_both_backends!(
    a_job_runs_in_one_process_at_a_time,
    a_household_write_wakes_the_other_processes,
);

async fn a_job_runs_in_one_process_at_a_time(f: Fixture) {
    // A second process on the same database.
    let other = Store::connect(&f._db.url, &StoreOptions::default())
        .await
        .expect("connect");
    let postgres = f.store.backend_name() == "postgres";
    let held = f
        .store
        .try_lock_job(Job::Retention)
        .await
        .expect("lock")
        .expect("free at first");
    let second = other.try_lock_job(Job::Retention).await.expect("lock");
    assert_eq!(
        second.is_none(),
        postgres,
        "taken across processes on PostgreSQL only"
    );
    // Another job is not excluded.
    let figures = other.try_lock_job(Job::FigureSnapshot).await.expect("lock");
    assert!(figures.is_some());
    if let Some(figures) = figures {
        figures.release().await;
    }
    if postgres {
        let refused = other
            .apply_retention(
                &Principal::System("test"),
                &RetentionPolicy::default(),
                true,
                now(),
            )
            .await;
        assert!(
            matches!(refused, Err(StoreError::JobRunning(_))),
            "{refused:?}"
        );
    }
    if let Some(second) = second {
        second.release().await;
    }
    held.release().await;
    let again = other
        .try_lock_job(Job::Retention)
        .await
        .expect("lock")
        .expect("free after release");
    // Dropped without release (a panic, a cancelled task): the lock goes with its
    // connection, never left held in the pool.
    drop(again);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after_drop = f.store.try_lock_job(Job::Retention).await.expect("lock");
    assert!(after_drop.is_some(), "a dropped lock is free");
    if let Some(lock) = after_drop {
        lock.release().await;
    }
    other
        .apply_retention(
            &Principal::System("test"),
            &RetentionPolicy::default(),
            true,
            now(),
        )
        .await
        .expect("retention runs when no one else does");
}

async fn a_household_write_wakes_the_other_processes(f: Fixture) {
    let mut feed = f.store.change_feed().await.expect("listen");
    match &feed {
        ChangeFeed::Never => {
            assert_eq!(f.store.backend_name(), "sqlite");
            return;
        }
        ChangeFeed::Postgres(_) => {}
    }
    // Nothing written yet: no wake-up.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), feed.next())
            .await
            .is_err()
    );
    let other = Store::connect(&f._db.url, &StoreOptions::default())
        .await
        .expect("connect");
    let registrar = f.registrar_a.clone();
    let written = {
        let f = Fixture { store: other, ..f };
        create(&f, &registrar, &family()).await;
        f
    };
    tokio::time::timeout(Duration::from_secs(1), feed.next())
        .await
        .expect("woken within a second")
        .expect("notification");
    drop(written);
}
