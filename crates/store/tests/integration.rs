//! The store's behaviour on both backends: every test runs once on SQLite and once on
//! PostgreSQL, on a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed expectation is a failed test

use chrono::NaiveDate;
use shanyrak_core::{Actor, LocationInput, OrgKind, PopulationGroup, Relationship, Role};
use shanyrak_store::testing::{Backend, TestDatabase};
use shanyrak_store::{
    CreateOutcome, HouseholdFilter, IdempotencyRequest, Principal, Store, StoreError, StoreOptions,
};
use uuid::Uuid;

/// Generates `sqlite` and `postgres` test functions for a scenario.
macro_rules! on_both_backends {
    ($($scenario:ident),+ $(,)?) => {
        $(mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario(super::Fixture::new(shanyrak_store::testing::Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$scenario(super::Fixture::new(shanyrak_store::testing::Backend::Postgres).await).await;
            }
        })+
    };
}

mod support;

use support::{
    Fixture, admit_now, create, family, member, mixed, now, open_rules, raw_execute, reserve_until,
    single, site_with_pool, user, valid,
};

mod audit;
mod cases;
mod cluster;
mod essentials;
mod figures;
mod host_offers;
mod login;
mod outbox;
mod places;
mod pre_registrations;
mod protection;
mod races;
mod replica;
mod resettlement;

on_both_backends!(
    round_trip_keeps_names_byte_for_byte,
    idempotent_create_writes_once,
    concurrent_retries_with_one_key_create_one_household,
    other_organisations_see_nothing,
    every_write_has_exactly_one_audit_event,
    failed_write_leaves_no_trace,
    update_members_and_versions,
    list_filters_and_paginates,
    tokens_and_passwords,
    roles_are_enforced,
    last_bed_goes_to_exactly_one_of_concurrent_admissions,
    expired_reservation_frees_its_beds,
    admission_rules_and_the_waiting_list,
    capacity_changes_are_audited_and_never_below_occupancy,
    bulk_households_and_long_lists_keep_their_members,
    import_batches_write_each_household_once,
);

async fn round_trip_keeps_names_byte_for_byte(f: Fixture) {
    let input = family();
    let id = create(&f, &f.registrar_a, &input).await;
    let stored = f
        .store
        .get_household(&f.registrar_a, id)
        .await
        .expect("get");
    let sent = input.members.as_deref().unwrap_or_default();
    assert_eq!(stored.members.len(), 4);
    for (got, sent) in stored.members.iter().zip(sent) {
        assert_eq!(
            Some(got.surname.as_bytes()),
            sent.surname.as_deref().map(str::as_bytes)
        );
        assert_eq!(
            Some(got.given_name.as_bytes()),
            sent.given_name.as_deref().map(str::as_bytes)
        );
        assert_eq!(
            got.patronymic.as_deref().map(str::as_bytes),
            sent.patronymic.as_deref().map(str::as_bytes)
        );
    }
    assert_eq!(
        stored.members[0].documents[0].number.as_deref(),
        Some("4512345678")
    );
    assert_eq!(stored.members[1].birth_date.to_iso(), "1996");
    assert_eq!(stored.members[2].birth_date.to_iso(), "2015-06");
    assert_eq!(
        stored.phone.as_ref().map(|p| p.as_str()),
        Some("+79123456789")
    );
    assert_eq!(stored.location.region.as_deref(), Some("Батыс Қазақстан"));
    assert_eq!(stored.arrival_date, NaiveDate::from_ymd_opt(2022, 9, 27));
    assert_eq!(stored.version, 1);
    let by_ref = f
        .store
        .get_household_by_reference(&f.registrar_a, &stored.reference)
        .await
        .expect("by reference");
    assert_eq!(by_ref, stored);
}

async fn idempotent_create_writes_once(f: Fixture) {
    let h = valid(&family());
    let key = IdempotencyRequest {
        key: "retry-1".into(),
        request_hash: vec![1; 32],
    };
    let first = f
        .store
        .create_household(&f.registrar_a, &h, Some(&key), now())
        .await
        .expect("first");
    let second = f
        .store
        .create_household(&f.registrar_a, &h, Some(&key), now())
        .await
        .expect("second");
    let (CreateOutcome::Created(a), CreateOutcome::Replayed(b)) = (&first, &second) else {
        panic!("expected created then replayed: {first:?} {second:?}");
    };
    assert_eq!(a, b);
    assert_eq!(f.count("households").await, 1);
    assert_eq!(f.count("persons").await, 4);

    let other_body = IdempotencyRequest {
        key: "retry-1".into(),
        request_hash: vec![2; 32],
    };
    let reused = f
        .store
        .create_household(&f.registrar_a, &h, Some(&other_body), now())
        .await;
    assert!(
        matches!(reused, Err(StoreError::IdempotencyKeyReused)),
        "{reused:?}"
    );
    // Keys belong to a user: another user may use the same key for their own request.
    let other_user = f
        .store
        .create_household(&f.registrar_b, &h, Some(&other_body), now())
        .await
        .expect("b");
    assert!(matches!(other_user, CreateOutcome::Created(_)));
    assert_eq!(f.count("households").await, 2);
}

/// An import's batch goes in a few multi-row statements: every household whole with its
/// own key, a key repeated within the batch replayed like one from an earlier batch, the
/// whole batch replayed on a second run, and a key reused with another body refusing the
/// batch without writing any of it.
async fn import_batches_write_each_household_once(f: Fixture) {
    let h = valid(&family());
    let key = |i: usize, hash: u8| IdempotencyRequest {
        key: format!("import:digest:{i}"),
        request_hash: vec![hash; 32],
    };
    // More households than one statement holds.
    let mut batch: Vec<_> = (0..700).map(|i| (h.clone(), key(i, 1))).collect();
    batch.push((h.clone(), key(3, 1)));
    let outcomes = f
        .store
        .create_households_idempotent(&f.registrar_a, &batch, now())
        .await
        .expect("first run");
    let created: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            CreateOutcome::Created(r) => Some(r.clone()),
            CreateOutcome::Replayed(_) => None,
        })
        .collect();
    assert_eq!(created.len(), 700);
    assert_eq!(
        outcomes[701 - 1],
        CreateOutcome::Replayed(created[3].clone())
    );
    let members = h.members.len() as i64;
    let documents: i64 = h.members.iter().map(|m| m.documents.len() as i64).sum();
    assert_eq!(f.count("households").await, 700);
    assert_eq!(f.count("persons").await, 700 * members);
    assert_eq!(f.count("documents").await, 700 * documents);
    let stored = f
        .store
        .get_household(&f.registrar_a, created[699].household_id)
        .await
        .expect("read back");
    assert_eq!(stored.reference, created[699].reference);
    assert_eq!(
        stored.members.iter().map(|m| m.id).collect::<Vec<_>>(),
        created[699].member_ids
    );
    assert_eq!(
        f.audit_of(created[699].household_id).await.len(),
        1,
        "one audit event per household"
    );

    let again = f
        .store
        .create_households_idempotent(&f.registrar_a, &batch, now())
        .await
        .expect("second run");
    assert!(
        again
            .iter()
            .all(|o| matches!(o, CreateOutcome::Replayed(_)))
    );
    assert_eq!(f.count("households").await, 700);

    let mut reused: Vec<_> = (700..710).map(|i| (h.clone(), key(i, 1))).collect();
    reused.push((h.clone(), key(5, 2)));
    let refused = f
        .store
        .create_households_idempotent(&f.registrar_a, &reused, now())
        .await;
    assert!(
        matches!(refused, Err(StoreError::IdempotencyKeyReused)),
        "{refused:?}"
    );
    assert_eq!(
        f.count("households").await,
        700,
        "nothing of a refused batch"
    );
}

async fn concurrent_retries_with_one_key_create_one_household(f: Fixture) {
    let h = valid(&family());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = f.store.clone();
        let actor = f.registrar_a.clone();
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let key = IdempotencyRequest {
                key: "same-key".into(),
                request_hash: vec![9; 32],
            };
            store.create_household(&actor, &h, Some(&key), now()).await
        }));
    }
    let mut created = 0;
    let mut receipts = Vec::new();
    for task in tasks {
        match task.await.expect("join").expect("create") {
            CreateOutcome::Created(r) => {
                created += 1;
                receipts.push(r);
            }
            CreateOutcome::Replayed(r) => receipts.push(r),
        }
    }
    assert_eq!(created, 1);
    assert!(receipts.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(f.count("households").await, 1);
}

async fn other_organisations_see_nothing(f: Fixture) {
    let id = create(&f, &f.registrar_a, &family()).await;
    let stored = f
        .store
        .get_household(&f.registrar_a, id)
        .await
        .expect("own");
    assert!(matches!(
        f.store.get_household(&f.registrar_b, id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        f.store
            .get_household_by_reference(&f.registrar_b, &stored.reference)
            .await,
        Err(StoreError::NotFound)
    ));
    let update = f
        .store
        .update_household(&f.registrar_b, id, None, &valid(&family()), now())
        .await;
    assert!(matches!(update, Err(StoreError::NotFound)), "{update:?}");
    let filter = HouseholdFilter {
        limit: 50,
        ..HouseholdFilter::default()
    };
    assert!(
        f.store
            .list_households(&f.registrar_b, &filter)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        f.store
            .list_households(&f.registrar_a, &filter)
            .await
            .expect("list")
            .len(),
        1
    );
    assert!(matches!(
        f.store
            .audit_events_for(&f.admin_a, id)
            .await
            .map(|e| e.len()),
        Ok(1)
    ));
}

async fn every_write_has_exactly_one_audit_event(f: Fixture) {
    let before = f.count("audit_events").await;
    let id = create(&f, &f.registrar_a, &family()).await;
    assert_eq!(f.count("audit_events").await, before + 1);
    let mut changed = family();
    changed.notes = Some("needs a ground-floor bed".into());
    f.store
        .update_household(&f.registrar_a, id, Some(1), &valid(&changed), now())
        .await
        .expect("update");
    assert_eq!(f.count("audit_events").await, before + 2);

    let events = f.audit_of(id).await;
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["create", "update"]
    );
    let update = &events[1];
    assert_eq!(update.actor_user_id, Some(f.registrar_a.user_id));
    assert_eq!(
        update.before.as_ref().and_then(|b| b.get("notes")),
        Some(&serde_json::Value::Null)
    );
    assert_eq!(
        update
            .after
            .as_ref()
            .and_then(|a| a.get("notes"))
            .and_then(|n| n.as_str()),
        Some("needs a ground-floor bed")
    );
    // Registrars may not read the audit log.
    assert!(matches!(
        f.store.audit_events_for(&f.registrar_a, id).await,
        Err(StoreError::Forbidden)
    ));
}

async fn failed_write_leaves_no_trace(f: Fixture) {
    // An actor whose organisation does not exist: the household insert violates its
    // foreign key after the idempotency key was claimed, so the whole transaction must
    // roll back, leaving no key, no household, no person and no audit event.
    let ghost = Actor {
        user_id: f.registrar_a.user_id,
        organisation_id: Uuid::now_v7(),
        roles: vec![Role::Registrar],
    };
    let before: Vec<_> = f.store.table_counts().await.expect("counts");
    let key = IdempotencyRequest {
        key: "ghost".into(),
        request_hash: vec![3; 32],
    };
    let result = f
        .store
        .create_household(&ghost, &valid(&family()), Some(&key), now())
        .await;
    assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
    assert_eq!(f.store.table_counts().await.expect("counts"), before);

    // A stale version is refused before anything is written.
    let id = create(&f, &f.registrar_a, &family()).await;
    let audit_before = f.count("audit_events").await;
    let stale = f
        .store
        .update_household(&f.registrar_a, id, Some(7), &valid(&family()), now())
        .await;
    assert!(
        matches!(stale, Err(StoreError::VersionMismatch { current: 1 })),
        "{stale:?}"
    );
    assert_eq!(f.count("audit_events").await, audit_before);
}

async fn update_members_and_versions(f: Fixture) {
    let id = create(&f, &f.registrar_a, &family()).await;
    let stored = f
        .store
        .get_household(&f.registrar_a, id)
        .await
        .expect("get");
    let mut input = stored.to_input();
    let members = input.members.get_or_insert_with(Vec::new);
    members.remove(3); // the other relative moved on
    members[1].given_name = Some("Екатерина".into());
    members.push(member(
        "Смирнов",
        "Миша",
        None,
        Relationship::Child,
        "2021-05-01",
    ));
    let updated = f
        .store
        .update_household(&f.registrar_a, id, Some(1), &valid(&input), now())
        .await
        .expect("update");
    assert_eq!(updated.version, 2);
    let reread = f
        .store
        .get_household(&f.registrar_a, id)
        .await
        .expect("reread");
    assert_eq!(reread, updated);
    assert_eq!(reread.members.len(), 4);
    assert_eq!(reread.members[0].id, stored.members[0].id);
    assert_eq!(reread.members[1].given_name, "Екатерина");
    assert_eq!(reread.members[3].given_name, "Миша");
    assert!(!reread.members.iter().any(|m| m.id == stored.members[3].id));
    assert_eq!(reread.members[0].documents, stored.members[0].documents);
    // The removed member is kept, only marked removed.
    assert_eq!(f.count("persons").await, 5);

    // A member id from another household is refused.
    let other = create(&f, &f.registrar_a, &family()).await;
    let foreign = f
        .store
        .get_household(&f.registrar_a, other)
        .await
        .expect("other");
    let mut input = reread.to_input();
    if let Some(m) = input.members.as_mut().and_then(|m| m.get_mut(1)) {
        m.id = Some(foreign.members[1].id);
    }
    let refused = f
        .store
        .update_household(&f.registrar_a, id, None, &valid(&input), now())
        .await;
    match refused {
        Err(StoreError::Invalid(errors)) => assert_eq!(errors.errors[0].pointer, "#/members/1/id"),
        other => panic!("expected invalid, got {other:?}"),
    }
}

async fn list_filters_and_paginates(f: Fixture) {
    let mut ids = Vec::new();
    for i in 0..7 {
        let mut input = family();
        if i % 2 == 1 {
            input.group = Some(PopulationGroup::Returnee);
            input.location = Some(LocationInput {
                country: Some("KG".into()),
                region: None,
                city: Some("Бишкек".into()),
                place_id: None,
            });
            input.phone = None;
        }
        ids.push(create(&f, &f.registrar_a, &input).await);
    }
    let mut page_ids = Vec::new();
    let mut after = None;
    loop {
        let filter = HouseholdFilter {
            after,
            limit: 3,
            ..HouseholdFilter::default()
        };
        let page = f
            .store
            .list_households(&f.registrar_a, &filter)
            .await
            .expect("page");
        if page.is_empty() {
            break;
        }
        assert!(page.iter().all(|h| h.members.len() == 4));
        after = page.last().map(|h| h.id);
        page_ids.extend(page.into_iter().map(|h| h.id));
    }
    assert_eq!(
        page_ids, ids,
        "pages cover every household once, in registration order"
    );

    let returnees = HouseholdFilter {
        group: Some(PopulationGroup::Returnee),
        city: Some("Бишкек".into()),
        limit: 50,
        ..HouseholdFilter::default()
    };
    assert_eq!(
        f.store
            .list_households(&f.registrar_a, &returnees)
            .await
            .expect("filter")
            .len(),
        3
    );
    let later = HouseholdFilter {
        registered_since: Some(now() + chrono::Duration::hours(1)),
        limit: 50,
        ..HouseholdFilter::default()
    };
    assert!(
        f.store
            .list_households(&f.registrar_a, &later)
            .await
            .expect("since")
            .is_empty()
    );
}

async fn tokens_and_passwords(f: Fixture) {
    let cli = Principal::System("test");
    let token = f
        .store
        .create_token(&cli, "a@example.org", None, now())
        .await
        .expect("token");
    let actor = f
        .store
        .authenticate_token(&token.secret, now())
        .await
        .expect("auth");
    assert_eq!(
        actor.as_ref().map(|a| a.user_id),
        Some(f.registrar_a.user_id)
    );
    assert_eq!(
        f.store
            .authenticate_token("shk_nonsense", now())
            .await
            .expect("auth"),
        None
    );
    let wrong = format!("shk_{}", "0".repeat(64));
    assert_eq!(
        f.store
            .authenticate_token(&wrong, now())
            .await
            .expect("auth"),
        None
    );

    let expiring = f
        .store
        .create_token(
            &cli,
            "a@example.org",
            Some(now() + chrono::Duration::hours(1)),
            now(),
        )
        .await
        .expect("token");
    assert!(
        f.store
            .authenticate_token(&expiring.secret, now())
            .await
            .expect("auth")
            .is_some()
    );
    let later = now() + chrono::Duration::hours(2);
    assert!(
        f.store
            .authenticate_token(&expiring.secret, later)
            .await
            .expect("auth")
            .is_none()
    );

    assert!(
        f.store
            .verify_password("A@example.org", "correct horse battery")
            .await
            .expect("verify")
            .is_some()
    );
    assert!(
        f.store
            .verify_password("a@example.org", "wrong password!")
            .await
            .expect("verify")
            .is_none()
    );
    assert!(
        f.store
            .verify_password("nobody@example.org", "correct horse battery")
            .await
            .expect("verify")
            .is_none()
    );

    f.store
        .set_user_disabled(&cli, "a@example.org", true, now())
        .await
        .expect("disable");
    assert!(
        f.store
            .authenticate_token(&token.secret, now())
            .await
            .expect("auth")
            .is_none()
    );
    assert!(
        f.store
            .verify_password("a@example.org", "correct horse battery")
            .await
            .expect("verify")
            .is_none()
    );

    let taken = f
        .store
        .create_user(
            &cli,
            f.registrar_a.organisation_id,
            "A@Example.org",
            "another long password",
            &[Role::Analyst],
            now(),
        )
        .await;
    assert!(matches!(taken, Err(StoreError::EmailTaken)), "{taken:?}");
    let short = f
        .store
        .create_user(
            &cli,
            f.registrar_a.organisation_id,
            "c@example.org",
            "short",
            &[Role::Analyst],
            now(),
        )
        .await;
    assert!(matches!(short, Err(StoreError::Invalid(_))), "{short:?}");
}

async fn roles_are_enforced(f: Fixture) {
    let analyst = f.user_of_a("analyst@example.org", &[Role::Analyst]).await;
    let created = f
        .store
        .create_household(&analyst, &valid(&family()), None, now())
        .await;
    assert!(matches!(created, Err(StoreError::Forbidden)));
    let id = create(&f, &f.registrar_a, &family()).await;
    assert!(matches!(
        f.store.get_household(&analyst, id).await,
        Err(StoreError::Forbidden)
    ));
    // An admin of one organisation cannot make users in another.
    let admin = Principal::User(f.admin_a.clone());
    let cross = f
        .store
        .create_user(
            &admin,
            f.registrar_b.organisation_id,
            "x@example.org",
            "long enough password",
            &[Role::Admin],
            now(),
        )
        .await;
    assert!(matches!(cross, Err(StoreError::Forbidden)), "{cross:?}");
    let org = f
        .store
        .create_organisation(&admin, "Rogue", OrgKind::Other, now())
        .await;
    assert!(matches!(org, Err(StoreError::Forbidden)));
}

// ----- shelter ---------------------------------------------------------------------------

use shanyrak_core::shelter::{
    AdmissionError, BedPoolInput, HouseRules, PoolKind, StayStatus, validate_pool,
};
use shanyrak_store::AdmissionRequest;

async fn last_bed_goes_to_exactly_one_of_concurrent_admissions(f: Fixture) {
    let (_, pool) = site_with_pool(&f, mixed(3), open_rules()).await;
    // Two beds are taken already; six single men race for the last one.
    let couple = create(&f, &f.registrar_a, &{
        let mut h = family();
        if let Some(m) = h.members.as_mut() {
            m.truncate(2);
        }
        h
    })
    .await;
    f.admitted(couple, pool).await;
    let mut households = Vec::new();
    for i in 0..6 {
        households.push(create(&f, &f.registrar_a, &single(&format!("Петров{i}"))).await);
    }
    let mut tasks = Vec::new();
    for h in households {
        let store = f.store.clone();
        let actor = f.admin_a.clone();
        tasks.push(tokio::spawn(async move {
            store.admit(&actor, &admit_now(h, pool), now()).await
        }));
    }
    let mut admitted = 0;
    for task in tasks {
        match task.await.expect("join") {
            Ok(_) => admitted += 1,
            Err(StoreError::Admission(AdmissionError::NoCapacity)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(admitted, 1);
    let site = f
        .store
        .list_sites(&f.admin_a, Some("Oral"), now())
        .await
        .expect("sites");
    assert_eq!(site[0].pools[0].occupied, 3);
    assert_eq!(site[0].pools[0].free, 0);
}

async fn expired_reservation_frees_its_beds(f: Fixture) {
    let (_, pool) = site_with_pool(&f, mixed(2), open_rules()).await;
    let first = create(&f, &f.registrar_a, &{
        let mut h = family();
        if let Some(m) = h.members.as_mut() {
            m.truncate(2);
        }
        h
    })
    .await;
    let second = create(&f, &f.registrar_a, &single("Орлов")).await;
    let deadline = now() + chrono::Duration::hours(6);
    let reservation = f
        .store
        .admit(&f.admin_a, &reserve_until(first, pool, deadline), now())
        .await
        .expect("reserve");
    assert_eq!(reservation.status, StayStatus::Reserved);
    let site = f
        .store
        .list_sites(&f.admin_a, None, now())
        .await
        .expect("sites");
    assert_eq!((site[0].pools[0].reserved, site[0].pools[0].free), (2, 0));
    let blocked = f
        .store
        .admit(&f.admin_a, &admit_now(second, pool), now())
        .await;
    assert!(
        matches!(
            blocked,
            Err(StoreError::Admission(AdmissionError::NoCapacity))
        ),
        "{blocked:?}"
    );
    // The same household cannot be placed twice.
    let twice = f
        .store
        .admit(&f.admin_a, &admit_now(first, pool), now())
        .await;
    assert!(
        matches!(
            twice,
            Err(StoreError::Admission(AdmissionError::AlreadyHoused))
        ),
        "{twice:?}"
    );

    let later = deadline + chrono::Duration::minutes(1);
    let waiting = f
        .store
        .waiting_list(&f.admin_a, Some("Oral"), later)
        .await
        .expect("waiting");
    assert!(
        waiting.iter().any(|w| w.household_id == first),
        "expired reservation returns the household to the list"
    );
    let admitted = f
        .store
        .admit(&f.admin_a, &admit_now(second, pool), later)
        .await
        .expect("bed freed");
    assert_eq!(admitted.status, StayStatus::CheckedIn);
    let late = f
        .store
        .change_stay(&f.admin_a, reservation.id, StayStatus::CheckedIn, later)
        .await;
    assert!(
        matches!(
            late,
            Err(StoreError::Admission(AdmissionError::InvalidTransition))
        ),
        "{late:?}"
    );
    let cancelled = f
        .store
        .change_stay(&f.admin_a, reservation.id, StayStatus::Cancelled, later)
        .await
        .expect("cancel");
    assert_eq!(cancelled.status, StayStatus::Cancelled);
}

async fn admission_rules_and_the_waiting_list(f: Fixture) {
    let male_dorm = BedPoolInput {
        kind: Some(PoolKind::MaleDorm),
        beds: Some(10),
        ..BedPoolInput::default()
    };
    let segregated = HouseRules {
        sex_segregated: true,
        ..open_rules()
    };
    let (site, dorm) = site_with_pool(&f, male_dorm, segregated.clone()).await;
    let female = validate_pool(
        &BedPoolInput {
            kind: Some(PoolKind::FemaleDorm),
            beds: Some(10),
            ..BedPoolInput::default()
        },
        &segregated,
    )
    .expect("pool");
    let female_dorm = f
        .store
        .add_pool(&f.admin_a, site, &female, now())
        .await
        .expect("pool");

    let fam = create(&f, &f.registrar_a, &family()).await;
    let household = f
        .store
        .get_household(&f.registrar_a, fam)
        .await
        .expect("get");
    let waiting = f
        .store
        .waiting_list(&f.admin_a, Some("Oral"), now())
        .await
        .expect("waiting");
    assert_eq!(waiting.len(), 1);
    assert_eq!((waiting[0].persons, waiting[0].children), (4, 1));

    // The whole family into the male dorm: refused, a child never sleeps there.
    let refused = f
        .store
        .admit(&f.admin_a, &admit_now(fam, dorm), now())
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Admission(AdmissionError::ChildInMaleDorm))
        ),
        "{refused:?}"
    );
    // The father alone into the male dorm; mother and daughter into the female dorm.
    let father = AdmissionRequest {
        member_ids: Some(vec![household.members[0].id]),
        ..admit_now(fam, dorm)
    };
    f.store
        .admit(&f.admin_a, &father, now())
        .await
        .expect("father");
    let wrong = AdmissionRequest {
        member_ids: Some(vec![household.members[1].id, household.members[3].id]),
        ..admit_now(fam, female_dorm)
    };
    let wrong = f.store.admit(&f.admin_a, &wrong, now()).await;
    assert!(
        matches!(
            wrong,
            Err(StoreError::Admission(AdmissionError::WrongSexForPool))
        ),
        "{wrong:?}"
    );
    let women = AdmissionRequest {
        member_ids: Some(vec![household.members[1].id, household.members[2].id]),
        ..admit_now(fam, female_dorm)
    };
    let stay = f
        .store
        .admit(&f.admin_a, &women, now())
        .await
        .expect("mother and daughter");
    assert!(
        f.store
            .waiting_list(&f.admin_a, Some("Oral"), now())
            .await
            .expect("waiting")
            .is_empty()
    );

    // Registrars do not place; other organisations do not see residents.
    let registrar = f
        .store
        .admit(&f.registrar_a, &admit_now(fam, dorm), now())
        .await;
    assert!(matches!(registrar, Err(StoreError::Forbidden)));
    let residents = f
        .store
        .residents(&f.admin_a, site, 3, now())
        .await
        .expect("residents");
    assert_eq!(residents.len(), 2);
    assert_eq!(
        residents[1].names,
        vec![
            "SMIRNOVA Ekaterina".to_owned(),
            "Смирнова-Әбдірахманқызы Айгүл".to_owned()
        ]
    );
    let later = now() + chrono::Duration::days(4);
    let residents = f
        .store
        .residents(&f.admin_a, site, 3, later)
        .await
        .expect("residents");
    assert!(residents.iter().all(|r| r.overdue));
    f.store
        .mark_seen(&f.admin_a, stay.id, later)
        .await
        .expect("seen");
    let residents = f
        .store
        .residents(&f.admin_a, site, 3, later)
        .await
        .expect("residents");
    assert_eq!(residents.iter().filter(|r| r.overdue).count(), 1);

    let out = f
        .store
        .change_stay(&f.admin_a, stay.id, StayStatus::CheckedOut, later)
        .await
        .expect("out");
    assert_eq!(out.status, StayStatus::CheckedOut);
    assert_eq!(
        f.store
            .residents(&f.admin_a, site, 3, later)
            .await
            .expect("residents")
            .len(),
        1
    );
}

async fn capacity_changes_are_audited_and_never_below_occupancy(f: Fixture) {
    let (site, pool) = site_with_pool(&f, mixed(4), open_rules()).await;
    let fam = create(&f, &f.registrar_a, &family()).await;
    f.admitted(fam, pool).await;
    let shrink = f
        .store
        .update_pool(&f.admin_a, site, pool, &mixed(3), now())
        .await;
    assert!(matches!(shrink, Err(StoreError::Invalid(_))), "{shrink:?}");
    f.store
        .update_pool(&f.admin_a, site, pool, &mixed(8), now())
        .await
        .expect("grow");
    let events = f.audit_of(pool).await;
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["create", "update"]
    );
    assert_eq!(
        events[1].before.as_ref().and_then(|b| b.get("beds")),
        Some(&serde_json::json!(4))
    );
    assert_eq!(
        events[1].after.as_ref().and_then(|a| a.get("beds")),
        Some(&serde_json::json!(8))
    );
    // Another organisation's admin cannot change these beds.
    let other_admin = f.user_of_b("admin-b@example.org", &[Role::Admin]).await;
    let foreign = f
        .store
        .update_pool(&other_admin, site, pool, &mixed(1), now())
        .await;
    assert!(matches!(foreign, Err(StoreError::Forbidden)), "{foreign:?}");
    // Another organisation without a `shelter` agreement sees how many beds are free,
    // not the site itself.
    assert!(matches!(
        f.store.get_site(&other_admin, site, now()).await,
        Err(StoreError::NotFound)
    ));
    let Ok(shanyrak_store::SiteEntry::Summary(summary)) =
        f.store.site_entry(&other_admin, site, now()).await
    else {
        panic!("another organisation gets the summary");
    };
    assert_eq!(summary.free_beds, 4);
    let view = f.site_of_a(site).await;
    assert_eq!((view.pools[0].occupied, view.pools[0].free), (4, 4));
}

// ----- audit chain -----------------------------------------------------------------------

on_both_backends!(audit_chain_detects_tampering);

async fn audit_chain_detects_tampering(f: Fixture) {
    create(&f, &f.registrar_a, &family()).await;
    create(&f, &f.registrar_a, &family()).await;
    let events = f.count("audit_events").await;
    assert_eq!(
        f.store.seal_audit(10_000).await.expect("seal") as i64,
        events
    );
    assert_eq!(
        f.store.seal_audit(10_000).await.expect("seal"),
        0,
        "sealing twice seals nothing"
    );
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!(
        (report.sealed, report.unsealed, report.broken_at.clone()),
        (events, 0, None)
    );

    // Ordinary SQL cannot rewrite or delete history.
    assert!(
        raw_execute(
            &f,
            "UPDATE audit_events SET action = 'nothing' WHERE seq = 3"
        )
        .await
        .is_err()
    );
    assert!(
        raw_execute(&f, "DELETE FROM audit_events WHERE seq = 3")
            .await
            .is_err()
    );
    // A new event after sealing is pending until the next seal, then chained on.
    create(&f, &f.registrar_a, &family()).await;
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!((report.unsealed, report.broken_at.clone()), (1, None));
    f.store.seal_audit(10_000).await.expect("seal");

    // Someone with the database file gets past the triggers and edits one event.
    let bypass_and_edit = if f._db.url.starts_with("sqlite:") {
        "DROP TRIGGER audit_events_sealed; DROP TRIGGER audit_events_no_delete; \
         UPDATE audit_events SET actor_label = 'system:nobody' WHERE seq = 3"
    } else {
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only; \
         UPDATE audit_events SET actor_label = 'system:nobody' WHERE seq = 3"
    };
    raw_execute(&f, bypass_and_edit).await.expect("tamper");
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!(
        report.broken_at.as_ref().map(|(seq, _)| *seq),
        Some(3),
        "{report:?}"
    );
    assert_eq!(report.sealed, 2);

    // Put it back (event 3 is the fixture's first user, created by the test operator):
    // the chain holds again, which shows the check looks at content, not at flags.
    raw_execute(
        &f,
        "UPDATE audit_events SET actor_label = 'system:test' WHERE seq = 3",
    )
    .await
    .expect("restore");
    assert_eq!(
        f.store.verify_audit().await.expect("verify").broken_at,
        None
    );

    // Deleting the newest event is found too: the chain's head remembers it.
    let last = f.count("audit_events").await;
    raw_execute(&f, &format!("DELETE FROM audit_events WHERE seq = {last}"))
        .await
        .expect("delete");
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!(
        report.broken_at.as_ref().map(|(seq, _)| *seq),
        Some(last),
        "{report:?}"
    );
}

/// An empty passphrase would leave the file unencrypted without a word: it is refused
/// before any file is created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_encryption_key_is_refused() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let path = std::path::PathBuf::from(db.url.trim_start_matches("sqlite://"));
    for key in ["", " \n\t"] {
        let options = StoreOptions {
            encryption_key: Some(key.into()),
            ..StoreOptions::default()
        };
        let refused = Store::connect(&db.url, &options).await;
        assert!(
            matches!(refused, Err(StoreError::EmptyEncryptionKey)),
            "{key:?}: {refused:?}"
        );
        assert!(!path.exists(), "{key:?}: a database file was created");
    }
}

/// A seized laptop yields nothing: with a key the SQLite file (and its WAL) holds no
/// plaintext, and it opens only with the same key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_sqlite_is_unreadable_without_its_key() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let keyed = StoreOptions {
        encryption_key: Some("correct horse 'battery' staple".into()),
        ..StoreOptions::default()
    };
    let store = Store::connect(&db.url, &keyed)
        .await
        .expect("connect with key");
    let cli = Principal::System("test");
    let org = store
        .create_organisation(&cli, "Кайнар", OrgKind::MutualAid, now())
        .await
        .expect("org");
    let user = user(&store, org.id, "a@example.org", &[Role::Registrar]).await;
    let mut input = family();
    if let Some(m) = input.members.as_mut() {
        m[0].surname = Some("Зыряновка-Шифр".into());
        m[0].documents[0].number = Some("7719 283746".into());
    }
    let h = valid(&input);
    store
        .create_household(&user, &h, None, now())
        .await
        .expect("create");
    store.close().await;

    let path = db.url.trim_start_matches("sqlite://").to_owned();
    for file in [path.clone(), format!("{path}-wal")] {
        if let Ok(bytes) = std::fs::read(&file) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("Зыряновка")
                    && !text.contains("7719283746")
                    && !text.contains("SQLite format"),
                "{file} holds plaintext"
            );
        }
    }
    let plain = Store::connect(&db.url, &StoreOptions::default()).await;
    assert!(plain.is_err(), "opened without the key");
    let wrong = StoreOptions {
        encryption_key: Some("wrong".into()),
        ..StoreOptions::default()
    };
    assert!(
        Store::connect(&db.url, &wrong).await.is_err(),
        "opened with a wrong key"
    );
    let store = Store::connect(&db.url, &keyed)
        .await
        .expect("reopen with key");
    let households = store
        .list_households(
            &user,
            &HouseholdFilter {
                limit: 10,
                ..HouseholdFilter::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(households[0].members[0].surname, "Зыряновка-Шифр");
    store.close().await;
}

/// More households than one members query reads (500) come back whole across the
/// chunks; the chunking exists because a city's households in one `IN` list exceeded the
/// bound-parameter limit at 250,000 households (found by the statistics benchmark).
async fn bulk_households_and_long_lists_keep_their_members(f: Fixture) {
    let mut input = family();
    input.needs = vec![shanyrak_core::Need::Shelter];
    let household = valid(&input);
    let batch: Vec<_> = (0..1_203)
        .map(|i| (household.clone(), now() - chrono::Duration::minutes(i)))
        .collect();
    let receipts = f
        .store
        .create_households_bulk(&f.registrar_a, &batch)
        .await
        .expect("bulk");
    assert_eq!(receipts.len(), 1_203);
    let waiting = f
        .store
        .waiting_list_all(None, now())
        .await
        .expect("waiting list");
    assert_eq!(waiting.len(), 1_203);
    let members = household.members.len() as u32;
    assert!(
        waiting.iter().all(|w| w.persons == members),
        "every household has all its members"
    );
    // Each household has its own audit event and reference.
    let references: std::collections::HashSet<_> = receipts.iter().map(|r| r.reference).collect();
    assert_eq!(references.len(), 1_203);
}
