//! The store's behaviour on both backends: every test runs once on SQLite and once on
//! PostgreSQL, on a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed expectation is a failed test

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use shanyrak_core::document::DocumentInput;
use shanyrak_core::household::validate;
use shanyrak_core::{
    Actor, DocumentType, HouseholdInput, LocationInput, MemberInput, OrgKind, PopulationGroup,
    Relationship, Role, Sex, ValidatedHousehold, ValidationContext,
};
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
);

struct Fixture {
    store: Store,
    registrar_a: Actor,
    registrar_b: Actor,
    admin_a: Actor,
    _db: TestDatabase,
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 9, 28, 10, 0, 0)
        .single()
        .unwrap_or_default()
}

fn ctx() -> ValidationContext {
    ValidationContext {
        today: NaiveDate::from_ymd_opt(2022, 9, 28).unwrap_or_default(),
    }
}

async fn user(store: &Store, org: Uuid, email: &str, roles: &[Role]) -> Actor {
    let user = store
        .create_user(
            &Principal::System("test"),
            org,
            email,
            "correct horse battery",
            roles,
            now(),
        )
        .await
        .expect("create user");
    Actor {
        user_id: user.id,
        organisation_id: org,
        roles: user.roles,
    }
}

impl Fixture {
    async fn new(backend: Backend) -> Self {
        let db = TestDatabase::new(backend).await;
        let store = Store::connect(&db.url, &StoreOptions::default())
            .await
            .expect("connect");
        let cli = Principal::System("test");
        let org_a = store
            .create_organisation(&cli, "Кайнар", OrgKind::MutualAid, now())
            .await
            .expect("org a");
        let org_b = store
            .create_organisation(&cli, "UNHCR", OrgKind::UnAgency, now())
            .await
            .expect("org b");
        Self {
            registrar_a: user(&store, org_a.id, "a@example.org", &[Role::Registrar]).await,
            registrar_b: user(&store, org_b.id, "b@example.org", &[Role::Registrar]).await,
            admin_a: user(&store, org_a.id, "admin@example.org", &[Role::Admin]).await,
            store,
            _db: db,
        }
    }

    async fn count(&self, table: &str) -> i64 {
        let counts = self.store.table_counts().await.expect("counts");
        counts
            .into_iter()
            .find(|(t, _)| *t == table)
            .map(|(_, n)| n)
            .unwrap_or(-1)
    }
}

fn member(
    surname: &str,
    given: &str,
    patronymic: Option<&str>,
    relationship: Relationship,
    birth: &str,
) -> MemberInput {
    MemberInput {
        surname: Some(surname.into()),
        given_name: Some(given.into()),
        patronymic: patronymic.map(Into::into),
        sex: Some(Sex::Unknown),
        birth_date: Some(birth.into()),
        relationship: Some(relationship),
        ..MemberInput::default()
    }
}

fn family() -> HouseholdInput {
    let mut head = member(
        "Смирнов",
        "Алексей",
        Some("Игоревич"),
        Relationship::Head,
        "1995-03-02",
    );
    head.sex = Some(Sex::Male);
    head.citizenship = Some("RU".into());
    head.documents = vec![DocumentInput {
        doc_type: DocumentType::RuInternalPassport,
        number: Some("4512 345678".into()),
        issuing_country: None,
    }];
    HouseholdInput {
        group: Some(PopulationGroup::Arrival),
        arrival_date: Some("2022-09-27".into()),
        crossing_point: Some("Сырым".into()),
        location: Some(LocationInput {
            country: Some("KZ".into()),
            region: Some("Батыс Қазақстан".into()),
            city: Some("Oral".into()),
        }),
        phone: Some("+7 912 345-67-89".into()),
        languages: vec!["ru".into(), "kk".into()],
        needs: vec![shanyrak_core::Need::Shelter],
        members: Some(vec![
            head,
            member("SMIRNOVA", "Ekaterina", None, Relationship::Spouse, "1996"),
            member(
                "Смирнова-Әбдірахманқызы",
                "Айгүл",
                Some("Ерланқызы"),
                Relationship::Child,
                "2015-06",
            ),
            member(
                "Ŝmirnov",
                "Jürgen\u{301}",
                None,
                Relationship::OtherRelative,
                "1950-01-01",
            ),
        ]),
        ..HouseholdInput::default()
    }
}

fn valid(input: &HouseholdInput) -> ValidatedHousehold {
    validate(input, &ctx()).expect("valid household")
}

async fn create(f: &Fixture, actor: &Actor, input: &HouseholdInput) -> Uuid {
    match f
        .store
        .create_household(actor, &valid(input), None, now())
        .await
        .expect("create")
    {
        CreateOutcome::Created(r) => r.household_id,
        CreateOutcome::Replayed(_) => panic!("unexpected replay"),
    }
}

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

    let events = f
        .store
        .audit_events_for(&f.admin_a, id)
        .await
        .expect("events");
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
    let analyst = user(
        &f.store,
        f.registrar_a.organisation_id,
        "analyst@example.org",
        &[Role::Analyst],
    )
    .await;
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
