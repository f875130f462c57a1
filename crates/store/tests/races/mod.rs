//! Writers racing each other, on both backends: a check-in that straddles its
//! reservation's deadline against an admission into the bed it frees, and two
//! resettlement programmes proposing at the same time.

use chrono::{DateTime, Duration, Utc};
use shanyrak_core::Role;
use shanyrak_core::shelter::{AdmissionError, StayStatus};
use shanyrak_store::StoreError;
use uuid::Uuid;

use super::resettlement::{programme, single as eligible};
use super::{
    Fixture, admit_now, create, mixed, now, open_rules, reserve_until, single, site_with_pool, user,
};

on_both_backends!(
    a_check_in_after_its_bed_was_given_away_is_refused,
    check_ins_racing_admissions_never_exceed_capacity,
    two_programmes_proposing_at_once_never_share_a_household,
);

/// One person's reservation of `pool` until `deadline`, made at `now()`.
async fn reserve(f: &Fixture, household: Uuid, pool: Uuid, deadline: DateTime<Utc>) -> Uuid {
    f.store
        .admit(&f.admin_a, &reserve_until(household, pool, deadline), now())
        .await
        .expect("reserve")
        .id
}

/// People in beds (checked in) and beds held (checked in, or reserved and live) in the
/// first pool, at `at`.
async fn occupancy(f: &Fixture, at: DateTime<Utc>) -> (u32, u32) {
    let sites = f
        .store
        .list_sites(&f.admin_a, None, at)
        .await
        .expect("sites");
    let pool = &sites[0].pools[0];
    (pool.occupied, pool.occupied + pool.reserved)
}

/// The reservation's clock is read before its transaction waits: a check-in that reads
/// 11:59 for a reservation held until 12:00 may run after someone was admitted, at 12:01,
/// into the bed the expired reservation freed. The second person must be refused.
async fn a_check_in_after_its_bed_was_given_away_is_refused(f: Fixture) {
    let (_, pool) = site_with_pool(&f, mixed(1), open_rules()).await;
    let first = create(&f, &f.registrar_a, &single("Орлов")).await;
    let second = create(&f, &f.registrar_a, &single("Жуков")).await;
    let deadline = now() + Duration::hours(6);
    let reservation = reserve(&f, first, pool, deadline).await;
    let after = deadline + Duration::minutes(1);
    f.store
        .admit(&f.admin_a, &admit_now(second, pool), after)
        .await
        .expect("the expired reservation's bed is free");

    let late = f
        .store
        .change_stay(
            &f.admin_a,
            reservation,
            StayStatus::CheckedIn,
            deadline - Duration::minutes(1),
        )
        .await;
    assert!(
        matches!(late, Err(StoreError::Admission(AdmissionError::NoCapacity))),
        "{late:?}"
    );
    assert_eq!(occupancy(&f, after).await.0, 1, "a 1-bed pool holds one");
    // Nothing of the refused check-in was kept: the reservation is as it was.
    let cancelled = f
        .store
        .change_stay(&f.admin_a, reservation, StayStatus::Cancelled, after)
        .await
        .expect("cancel");
    assert_eq!(cancelled.status, StayStatus::Cancelled);

    // The household is not housed twice either: placed elsewhere once its reservation
    // expired, it cannot then confirm the old one.
    let (_, other_pool) = site_with_pool(&f, mixed(2), open_rules()).await;
    let third = create(&f, &f.registrar_a, &single("Зайцев")).await;
    let old = reserve(&f, third, other_pool, deadline).await;
    let (_, new_pool) = site_with_pool(&f, mixed(1), open_rules()).await;
    f.store
        .admit(&f.admin_a, &admit_now(third, new_pool), after)
        .await
        .expect("placed elsewhere");
    let twice = f
        .store
        .change_stay(
            &f.admin_a,
            old,
            StayStatus::CheckedIn,
            deadline - Duration::minutes(1),
        )
        .await;
    assert!(
        matches!(
            twice,
            Err(StoreError::Admission(AdmissionError::AlreadyHoused))
        ),
        "{twice:?}"
    );
}

/// Check-ins whose clocks read just before their reservations' deadline race admissions
/// whose clocks read just after it, into a pool the reservations fill.
async fn check_ins_racing_admissions_never_exceed_capacity(f: Fixture) {
    const BEDS: u32 = 4;
    let (_, pool) = site_with_pool(&f, mixed(BEDS), open_rules()).await;
    let deadline = now() + Duration::hours(6);
    let mut reservations = Vec::new();
    let mut newcomers = Vec::new();
    for i in 0..BEDS {
        let h = create(&f, &f.registrar_a, &single(&format!("Резерв{i}"))).await;
        reservations.push(reserve(&f, h, pool, deadline).await);
        newcomers.push(create(&f, &f.registrar_a, &single(&format!("Новый{i}"))).await);
    }
    let mut tasks = Vec::new();
    for (stay, newcomer) in reservations.into_iter().zip(newcomers) {
        let (store, actor) = (f.store.clone(), f.admin_a.clone());
        tasks.push(tokio::spawn(async move {
            store
                .change_stay(
                    &actor,
                    stay,
                    StayStatus::CheckedIn,
                    deadline - Duration::seconds(1),
                )
                .await
                .map(|_| ())
        }));
        let (store, actor) = (f.store.clone(), f.admin_a.clone());
        tasks.push(tokio::spawn(async move {
            store
                .admit(
                    &actor,
                    &admit_now(newcomer, pool),
                    deadline + Duration::seconds(1),
                )
                .await
                .map(|_| ())
        }));
    }
    let mut given = 0;
    for task in tasks {
        match task.await.expect("join") {
            Ok(()) => given += 1,
            Err(StoreError::Admission(AdmissionError::NoCapacity)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let (occupied, _) = occupancy(&f, deadline + Duration::minutes(1)).await;
    assert!(occupied <= BEDS, "{occupied} people in {BEDS} beds");
    assert_eq!(occupied, given, "every bed given is in the count");
}

/// Every household of the organisation is eligible for both programmes (the same
/// criteria), and both have room for all of them: each household must end up in exactly
/// one pipeline.
async fn two_programmes_proposing_at_once_never_share_a_household(f: Fixture) {
    let cw = user(
        &f.store,
        f.registrar_a.organisation_id,
        "cw@a.org",
        &[Role::Caseworker],
    )
    .await;
    let (germany, canada) = (
        programme(&f, &cw, 1_000).await,
        programme(&f, &cw, 1_000).await,
    );
    let mut all = Vec::new();
    for round in 0..3 {
        for i in 0..6 {
            let arrival = format!("2022-09-{:02}", 10 + i);
            all.push(create(&f, &f.registrar_a, &eligible(&arrival, "RU", vec![])).await);
        }
        let (a, b) = tokio::join!(
            f.store.propose_for_programme(&cw, germany, now()),
            f.store.propose_for_programme(&cw, canada, now())
        );
        let (a, b) = (a.expect("germany"), b.expect("canada"));
        let mut proposed: Vec<Uuid> = a
            .proposed
            .iter()
            .chain(&b.proposed)
            .map(|e| e.household_id)
            .collect();
        proposed.sort_unstable();
        let before = proposed.len();
        proposed.dedup();
        assert_eq!(
            before,
            proposed.len(),
            "round {round}: a household in both pipelines"
        );
        let mut held: Vec<Uuid> = Vec::new();
        for id in [germany, canada] {
            held.extend(
                f.store
                    .list_resettlement_entries(&cw, id, now())
                    .await
                    .expect("entries")
                    .into_iter()
                    .map(|e| e.household_id),
            );
        }
        held.sort_unstable();
        let mut expected = all.clone();
        expected.sort_unstable();
        assert_eq!(
            held, expected,
            "round {round}: each household in one pipeline"
        );
    }
}

/// PostgreSQL only: the testers' reproduction, with a row lock held from another
/// connection on the reservation while a check-in (clock before the deadline) and an
/// admission (clock after it) both start; the lock is then released.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_held_up_by_a_row_lock_does_not_share_a_bed_postgres() {
    use sqlx::Connection;
    let f = Fixture::new(shanyrak_store::testing::Backend::Postgres).await;
    let (_, pool) = site_with_pool(&f, mixed(1), open_rules()).await;
    let first = create(&f, &f.registrar_a, &single("Орлов")).await;
    let second = create(&f, &f.registrar_a, &single("Жуков")).await;
    let deadline = now() + Duration::hours(6);
    let reservation = reserve(&f, first, pool, deadline).await;

    let mut psql = sqlx::PgConnection::connect(&f._db.url)
        .await
        .expect("second connection");
    sqlx::query("BEGIN")
        .execute(&mut psql)
        .await
        .expect("begin");
    sqlx::query("SELECT id FROM stays WHERE id = $1 FOR UPDATE")
        .bind(reservation)
        .execute(&mut psql)
        .await
        .expect("lock the reservation");

    let (store, actor) = (f.store.clone(), f.admin_a.clone());
    let check_in = tokio::spawn(async move {
        store
            .change_stay(
                &actor,
                reservation,
                StayStatus::CheckedIn,
                deadline - Duration::minutes(1),
            )
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (store, actor) = (f.store.clone(), f.admin_a.clone());
    let admission = tokio::spawn(async move {
        store
            .admit(
                &actor,
                &admit_now(second, pool),
                deadline + Duration::minutes(1),
            )
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    sqlx::query("COMMIT")
        .execute(&mut psql)
        .await
        .expect("release");

    let check_in = check_in.await.expect("join");
    let admission = admission.await.expect("join");
    let (occupied, _) = occupancy(&f, deadline + Duration::minutes(1)).await;
    assert_eq!(
        occupied, 1,
        "a 1-bed pool: check-in {check_in:?}, admission {admission:?}"
    );
    assert!(
        check_in.is_ok() != admission.is_ok(),
        "exactly one gets the bed: check-in {check_in:?}, admission {admission:?}"
    );
}
