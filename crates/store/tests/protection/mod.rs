//! Retention, erasure on request and subject access in the store, on both backends, and
//! the audit chain v2 with erased payloads.

use chrono::Duration;
use serde_json::json;
use shanyrak_core::retention::RetentionPolicy;
use shanyrak_core::{DocumentType, Role};
use shanyrak_store::testing::TestDatabase;
use shanyrak_store::{
    IdempotencyRequest, Principal, ProposedPair, RowToQuarantine, Store, StoreError, StoreOptions,
};
use uuid::Uuid;

use super::{
    Fixture, create, family, mixed, now, open_rules, raw_execute, site_with_pool, user, valid,
};

on_both_backends!(
    erasure_leaves_no_trace_in_the_database,
    erased_payloads_verify_and_tampering_is_still_found,
    retention_anonymises_what_is_past_its_period_and_keeps_the_counts,
    subject_access_is_for_the_owning_organisation_and_logged,
    shelter_status_crosses_organisations_only_under_an_agreement_in_force,
    erasure_reaches_cases_notes_and_referrals,
);

const DISTINCT_SURNAME: &str = "Зыряновка-Стёртая";
const DISTINCT_GIVEN: &str = "Евлампия";
const DISTINCT_NUMBER: &str = "7719 555111";

/// A household whose second member has a name found nowhere else.
fn household_with_distinct_member() -> shanyrak_core::HouseholdInput {
    let mut input = family();
    if let Some(members) = input.members.as_mut() {
        members[1].surname = Some(DISTINCT_SURNAME.into());
        members[1].given_name = Some(DISTINCT_GIVEN.into());
        members[1].documents = vec![shanyrak_core::DocumentInput {
            doc_type: DocumentType::RuInternalPassport,
            number: Some(DISTINCT_NUMBER.into()),
            issuing_country: None,
        }];
    }
    input
}

/// Every place in the database where `needle` still appears: on SQLite the raw bytes of
/// the file and its WAL; on PostgreSQL every text and JSON column of every table.
async fn traces(f: &Fixture, needle: &str) -> Vec<String> {
    use sqlx::{Connection, Row};
    let mut found = Vec::new();
    if let Some(path) = f._db.url.strip_prefix("sqlite://") {
        for suffix in ["", "-wal"] {
            let file = format!("{path}{suffix}");
            if let Ok(bytes) = std::fs::read(&file) {
                let n = needle.as_bytes();
                if bytes.windows(n.len()).any(|w| w == n) {
                    found.push(file);
                }
            }
        }
    } else {
        let mut conn = sqlx::PgConnection::connect(&f._db.url)
            .await
            .expect("connect");
        let columns = sqlx::query(
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = 'public' AND data_type IN ('text', 'jsonb', 'character varying', 'bytea')",
        )
        .fetch_all(&mut conn)
        .await
        .expect("columns");
        for col in columns {
            let (t, c): (String, String) = (col.get("t"), col.get("c"));
            let sql = format!(
                "SELECT COUNT(*) AS n FROM \"{t}\" WHERE position($1 in \
                 CASE WHEN pg_typeof(\"{c}\")::text = 'bytea' THEN convert_from(\"{c}\"::bytea, 'LATIN1') \
                 ELSE \"{c}\"::text END) > 0"
            );
            let n: i64 = sqlx::query(&sql)
                .bind(needle)
                .fetch_one(&mut conn)
                .await
                .map(|r| r.get("n"))
                .unwrap_or(0);
            if n > 0 {
                found.push(format!("{t}.{c}"));
            }
        }
    }
    found
}

async fn erasure_leaves_no_trace_in_the_database(f: Fixture) {
    let admin = f.admin_a.clone();
    let reviewer = f.user_of_a("review@a.org", &[Role::Registrar]).await;
    // Registered with an idempotency key, edited once, paired for review with another
    // registration of the same person, and a rejected import row naming her.
    let h = valid(&household_with_distinct_member());
    let key = IdempotencyRequest {
        key: "desk-1".into(),
        request_hash: vec![7; 32],
    };
    let receipt = match f
        .store
        .create_household(&f.registrar_a, &h, Some(&key), now())
        .await
        .expect("create")
    {
        shanyrak_store::CreateOutcome::Created(r) => r,
        other => panic!("{other:?}"),
    };
    let person = receipt.member_ids[1];
    let again = create(&f, &f.registrar_a, &household_with_distinct_member()).await;
    let again_person = f
        .store
        .get_household(&f.registrar_a, again)
        .await
        .expect("get")
        .members[1]
        .id;
    f.store
        .enqueue_duplicates(
            &reviewer,
            &[ProposedPair {
                person: again_person,
                other: person,
                probability: 0.97,
                evidence: json!({"fields": []}),
            }],
            now(),
        )
        .await
        .expect("enqueue");
    f.store
        .quarantine_rows(
            &f.registrar_a,
            "digest-1",
            &[RowToQuarantine {
                line: 3,
                household_key: "3".into(),
                document: json!({"members": [{"surname": DISTINCT_SURNAME, "given_name": DISTINCT_GIVEN, "birth_date": "1996-13-40"}]}),
                errors: json!([{"pointer": "#/members/0/birth_date", "code": "invalid_date"}]),
            }],
            now(),
        )
        .await
        .expect("quarantine");
    f.store.seal_audit(10_000).await.expect("seal");
    let persons_before = f.count("persons").await;

    // The second registration is erased first (so the pair goes), then the first.
    assert!(matches!(
        f.store
            .erase_person(
                &Principal::User(f.registrar_a.clone()),
                person,
                "asked at the desk",
                now()
            )
            .await,
        Err(StoreError::Forbidden)
    ));
    let admin_b = f.user_of_b("admin@b.org", &[Role::Admin]).await;
    assert!(matches!(
        f.store
            .erase_person(&Principal::User(admin_b), person, "asked", now())
            .await,
        Err(StoreError::NotFound)
    ));
    let other = f
        .store
        .erase_person(
            &Principal::User(admin.clone()),
            again_person,
            "asked at the desk",
            now(),
        )
        .await
        .expect("erase the second record");
    assert_eq!(other.review_pairs_deleted, 1);
    let report = f
        .store
        .erase_person(
            &Principal::User(admin.clone()),
            person,
            "asked at the desk",
            now(),
        )
        .await
        .expect("erase");
    assert!(!report.household_anonymised, "three members are left");
    assert!(report.audit_events_erased >= 1, "{report:?}");
    // The quarantined row names the same person, so the first erasure took it.
    assert_eq!(
        (
            other.quarantine_rows_deleted,
            report.quarantine_rows_deleted
        ),
        (1, 0)
    );
    assert_eq!(report.idempotency_receipts_deleted, 1);

    // The household reads without her; the rest is intact.
    let household = f
        .store
        .get_household(&f.registrar_a, receipt.household_id)
        .await
        .expect("get");
    assert_eq!(household.members.len(), 3);
    assert!(household.members.iter().all(|m| m.id != person));
    assert_eq!(household.members[0].surname, "Смирнов");
    assert!(
        f.store
            .list_candidates(&reviewer, "pending", 100)
            .await
            .expect("queue")
            .is_empty()
    );
    // She still counts (anonymously): the row stays.
    assert_eq!(f.count("persons").await, persons_before);

    // The chain still verifies, with erased events.
    f.store.seal_audit(10_000).await.expect("seal");
    let verification = f.store.verify_audit().await.expect("verify");
    assert_eq!(verification.broken_at, None, "{verification:?}");
    assert!(verification.erased >= 2, "{verification:?}");

    // Nowhere in the database, not even in free pages or the WAL.
    for needle in [
        DISTINCT_SURNAME,
        DISTINCT_GIVEN,
        "7719555111",
        DISTINCT_NUMBER,
    ] {
        assert_eq!(traces(&f, needle).await, Vec::<String>::new(), "{needle}");
    }
    // While the other members are still there (the check can find things).
    assert!(!traces(&f, "Смирнова-Әбдірахманқызы").await.is_empty());

    // The idempotency key no longer replays her household.
    let replay = f
        .store
        .create_household(&f.registrar_a, &h, Some(&key), now())
        .await
        .expect("register again");
    assert!(matches!(replay, shanyrak_store::CreateOutcome::Created(_)));
}

async fn erased_payloads_verify_and_tampering_is_still_found(f: Fixture) {
    let id = create(&f, &f.registrar_a, &household_with_distinct_member()).await;
    let person = f
        .store
        .get_household(&f.registrar_a, id)
        .await
        .expect("get")
        .members[1]
        .id;
    // Sealed before the erasure, and one event pending during it.
    f.store.seal_audit(10_000).await.expect("seal");
    f.store
        .erase_person(
            &Principal::System("test"),
            person,
            "request by letter",
            now(),
        )
        .await
        .expect("erase");
    f.store.seal_audit(10_000).await.expect("seal");
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!(report.broken_at, None, "{report:?}");
    assert!(report.erased >= 1);

    // The trigger allows nulling salt and payload together, nothing else: a payload nulled
    // by hand without an erasure record is reported.
    assert!(
        raw_execute(
            &f,
            "UPDATE audit_events SET before_state = NULL WHERE seq = 1"
        )
        .await
        .is_err(),
        "a payload cannot change on its own"
    );
    assert!(
        raw_execute(
            &f,
            "UPDATE audit_events SET salt = NULL, before_state = NULL, after_state = NULL, action = 'x' WHERE seq = 1"
        )
        .await
        .is_err(),
        "erasing may not change anything else"
    );
    raw_execute(
        &f,
        "UPDATE audit_events SET salt = NULL, before_state = NULL, after_state = NULL WHERE seq = 1",
    )
    .await
    .expect("the trigger allows an erasure");
    let report = f.store.verify_audit().await.expect("verify");
    assert_eq!(
        report.broken_at,
        Some((
            1,
            "the event's content was erased without an erasure record".to_owned()
        ))
    );

    // With the triggers out of the way: a changed commitment of an erased event breaks the
    // chain at that event.
    let erased_seq = if f._db.url.starts_with("sqlite:") {
        raw_execute(
            &f,
            "DROP TRIGGER audit_events_sealed; \
             UPDATE audit_events SET commitment = zeroblob(32) \
             WHERE seq = (SELECT MAX(seq) FROM audit_events WHERE salt IS NULL AND seq > 1)",
        )
        .await
    } else {
        raw_execute(
            &f,
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only; \
             UPDATE audit_events SET commitment = decode(repeat('00', 32), 'hex') \
             WHERE seq = (SELECT MAX(seq) FROM audit_events WHERE salt IS NULL AND seq > 1)",
        )
        .await
    };
    erased_seq.expect("tamper");
    let report = f.store.verify_audit().await.expect("verify");
    let (seq, why) = report.broken_at.expect("broken");
    assert!(seq > 1, "{seq}");
    assert_eq!(why, "the event's content was changed");
}

async fn retention_anonymises_what_is_past_its_period_and_keeps_the_counts(f: Fixture) {
    let long_ago = now() - Duration::days(3 * 365);
    let old = match f
        .store
        .create_household(
            &f.registrar_a,
            &valid(&household_with_distinct_member()),
            None,
            long_ago,
        )
        .await
        .expect("old")
    {
        shanyrak_store::CreateOutcome::Created(r) => r,
        other => panic!("{other:?}"),
    };
    let recent = create(&f, &f.registrar_a, &family()).await;
    f.store
        .quarantine_rows(
            &f.registrar_a,
            "old-file",
            &[RowToQuarantine {
                line: 2,
                household_key: "2".into(),
                document: json!({"members": [{"surname": "Quarantined"}]}),
                errors: json!([]),
            }],
            now() - Duration::days(40),
        )
        .await
        .expect("old quarantine");
    f.store
        .quarantine_rows(
            &f.registrar_a,
            "new-file",
            &[RowToQuarantine {
                line: 2,
                household_key: "2".into(),
                document: json!({"members": [{"surname": "Fresh"}]}),
                errors: json!([]),
            }],
            now() - Duration::days(2),
        )
        .await
        .expect("new quarantine");
    let counted_before = f.store.count_persons(&f.registrar_a).await.expect("count");
    let policy = RetentionPolicy::default();
    let operator = Principal::System("retention");

    assert!(matches!(
        f.store
            .apply_retention(&Principal::User(f.admin_a.clone()), &policy, true, now())
            .await,
        Err(StoreError::Forbidden)
    ));
    let dry = f
        .store
        .apply_retention(&operator, &policy, true, now())
        .await
        .expect("dry run");
    assert_eq!(
        (
            dry.households_anonymised,
            dry.persons_anonymised,
            dry.quarantine_rows_deleted
        ),
        (1, 4, 1)
    );
    assert!(
        f.store
            .get_household(&f.registrar_a, old.household_id)
            .await
            .is_ok(),
        "a dry run changes nothing"
    );

    let done = f
        .store
        .apply_retention(&operator, &policy, false, now())
        .await
        .expect("apply");
    assert_eq!(
        (
            done.households_anonymised,
            done.persons_anonymised,
            done.quarantine_rows_deleted
        ),
        (1, 4, 1)
    );
    assert!(done.audit_events_erased >= 1);
    assert!(matches!(
        f.store
            .get_household(&f.registrar_a, old.household_id)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(f.store.get_household(&f.registrar_a, recent).await.is_ok());
    // The figures still count them.
    assert_eq!(
        f.store.count_persons(&f.registrar_a).await.expect("count"),
        counted_before
    );
    assert_eq!(f.count("import_quarantine").await, 1);
    assert_eq!(traces(&f, DISTINCT_SURNAME).await, Vec::<String>::new());
    assert_eq!(traces(&f, "Quarantined").await, Vec::<String>::new());

    f.store.seal_audit(10_000).await.expect("seal");
    assert_eq!(
        f.store.verify_audit().await.expect("verify").broken_at,
        None
    );
    // A second run finds nothing more.
    let again = f
        .store
        .apply_retention(&operator, &policy, false, now())
        .await
        .expect("again");
    assert_eq!(
        (again.households_anonymised, again.quarantine_rows_deleted),
        (0, 0)
    );
}

async fn subject_access_is_for_the_owning_organisation_and_logged(f: Fixture) {
    let id = create(&f, &f.registrar_a, &household_with_distinct_member()).await;
    let household = f
        .store
        .get_household(&f.registrar_a, id)
        .await
        .expect("get");
    let person = household.members[1].id;
    let report = f
        .store
        .subject_access(
            &Principal::User(f.registrar_a.clone()),
            person,
            Some("request at the desk"),
            now(),
        )
        .await
        .expect("subject access");
    assert_eq!(report.household.members.len(), 1, "only the subject");
    assert_eq!(report.household.members[0].surname, DISTINCT_SURNAME);
    assert_eq!(
        report.household.members[0].documents[0].number.as_deref(),
        Some("7719555111")
    );
    assert!(report.audit_trail.iter().any(|e| e.action == "create"));

    // Other organisations and other roles.
    assert!(matches!(
        f.store
            .subject_access(&Principal::User(f.registrar_b.clone()), person, None, now())
            .await,
        Err(StoreError::NotFound)
    ));
    let site_manager = f.user_of_a("site@a.org", &[Role::SiteManager]).await;
    assert!(matches!(
        f.store
            .subject_access(&Principal::User(site_manager), person, None, now())
            .await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        f.store
            .subject_access(
                &Principal::User(f.registrar_a.clone()),
                Uuid::now_v7(),
                None,
                now()
            )
            .await,
        Err(StoreError::NotFound)
    ));

    // The read is in the access log, and shows in the next report.
    let log = f
        .store
        .access_log(&f.admin_a, None, Some(person), 10)
        .await
        .expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "subject_access");
    assert_eq!(log[0].purpose.as_deref(), Some("request at the desk"));
    let second = f
        .store
        .subject_access(&Principal::System("cli"), person, None, now())
        .await
        .expect("operator");
    assert_eq!(second.access_log.len(), 1);
}

async fn shelter_status_crosses_organisations_only_under_an_agreement_in_force(f: Fixture) {
    use shanyrak_core::sharing::{SharingCategory, ValidatedAgreement};
    // Organisation A has the man in a bed; organisation B registers him again (same
    // passport) and its dispatcher asks whether he is sheltered elsewhere.
    let (_, pool) = site_with_pool(&f, mixed(10), open_rules()).await;
    let at_a = create(&f, &f.registrar_a, &family()).await;
    f.admitted(at_a, pool).await;
    let mut alone = family();
    if let Some(m) = alone.members.as_mut() {
        m.truncate(1);
    }
    let at_b = create(&f, &f.registrar_b, &alone).await;
    let org_b = f.registrar_b.organisation_id;
    let dispatcher_b = user(&f.store, org_b, "dispatch@b.org", &[Role::Dispatcher]).await;
    let asks = async |at: chrono::DateTime<chrono::Utc>| {
        f.store
            .shelter_elsewhere(&dispatcher_b, at_b, 1_000, at)
            .await
            .expect("ask")
            .expect("within the limit")
    };
    assert!(
        asks(now()).await.is_empty(),
        "no agreement, nothing visible"
    );

    // Roles and scoping.
    assert!(matches!(
        f.store
            .shelter_elsewhere(&f.registrar_b, at_b, 1_000, now())
            .await,
        Err(StoreError::Forbidden)
    ));
    let dispatcher_a = f.user_of_a("dispatch@a.org", &[Role::Dispatcher]).await;
    assert!(matches!(
        f.store
            .shelter_elsewhere(&dispatcher_a, at_b, 1_000, now())
            .await,
        Err(StoreError::NotFound)
    ));

    // An identity agreement is not a shelter agreement.
    let agree = async |categories: Vec<SharingCategory>, days: i64| {
        f.store
            .create_agreement(
                &f.admin_a,
                &ValidatedAgreement {
                    to_organisation_id: org_b,
                    categories,
                    purpose: "one bed per person".into(),
                    valid_until: (now() + Duration::days(days)).date_naive(),
                },
                now(),
            )
            .await
            .expect("agreement")
    };
    agree(vec![SharingCategory::Identity], 30).await;
    assert!(asks(now()).await.is_empty());

    let shelter = agree(vec![SharingCategory::Shelter], 30).await;
    let seen = asks(now()).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    let head_b = f
        .store
        .get_household(&f.registrar_b, at_b)
        .await
        .expect("b")
        .members[0]
        .id;
    assert_eq!(seen[0].person_id, head_b);
    assert_eq!(seen[0].organisation_id, f.registrar_a.organisation_id);
    assert_eq!(seen[0].organisation_name, "Кайнар");
    assert_eq!(
        seen[0].status,
        shanyrak_core::shelter::StayStatus::CheckedIn
    );
    assert_eq!(seen[0].household_id, at_b);
    // The waiting list asks for many households at once, with the same answer.
    assert_eq!(
        f.store
            .shelter_elsewhere_for(&dispatcher_b, &[at_b, Uuid::now_v7()], 1_000, now())
            .await
            .expect("batch"),
        Some(seen)
    );
    assert!(
        f.store
            .shelter_elsewhere_for(&f.registrar_b, &[at_b], 1_000, now())
            .await
            .expect("batch")
            .is_some_and(|found| found.is_empty()),
        "a role without the right sees nothing"
    );
    // Past its last day it is gone.
    assert!(asks(now() + Duration::days(31)).await.is_empty());

    // Withdrawn: gone at once.
    f.store
        .withdraw_agreement(&f.admin_a, shelter.id, now())
        .await
        .expect("withdraw");
    assert!(asks(now()).await.is_empty());
}

// ----- upgrading a chain sealed under v1 -----------------------------------------------------

mod v1_chain_is_checked_and_resealed_as_v2 {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::v1_chain_is_checked_and_resealed_as_v2(shanyrak_store::testing::Backend::Sqlite)
            .await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::v1_chain_is_checked_and_resealed_as_v2(shanyrak_store::testing::Backend::Postgres)
            .await;
    }
}

/// The v1 hash of an event, as sealed before migration 0015.
fn v1_hash(
    prev: &[u8],
    seq: i64,
    event: &(Uuid, chrono::DateTime<chrono::Utc>, &str, serde_json::Value),
) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let canonical = serde_json::to_vec(&json!([
        seq,
        event.0,
        event.1.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        Option::<Uuid>::None,
        event.2,
        Option::<Uuid>::None,
        "household",
        event.0,
        "create",
        Option::<serde_json::Value>::None,
        Some(event.3.clone()),
    ]))
    .expect("encode");
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(&canonical);
    hasher.finalize().to_vec()
}

/// Writes three events sealed under chain v1 (as the store did before migration 0015).
macro_rules! seal_v1 {
    ($conn:expr) => {{
        let conn = $conn;
        let mut prev = vec![0u8; 32];
        for seq in 1..=3i64 {
            let event = (
                Uuid::now_v7(),
                now() + Duration::seconds(seq),
                "system:old",
                json!({"members": [{"surname": format!("Старый-{seq}")}]}),
            );
            let hash = v1_hash(&prev, seq, &event);
            sqlx::query(
                "INSERT INTO audit_events (id, at, actor_user_id, actor_label, organisation_id, entity, entity_id, \
                 action, before_state, after_state, seq, prev_hash, hash) \
                 VALUES ($1, $2, NULL, $3, NULL, 'household', $1, 'create', NULL, $4, $5, $6, $7)",
            )
            .bind(event.0)
            .bind(event.1)
            .bind(event.2)
            .bind(sqlx::types::Json(event.3.clone()))
            .bind(seq)
            .bind(prev.clone())
            .bind(hash.clone())
            .execute(&mut *conn)
            .await
            .expect("insert v1 event");
            prev = hash;
        }
        sqlx::query("UPDATE audit_chain SET seq = 3, hash = $1 WHERE id = 1")
            .bind(prev)
            .execute(&mut *conn)
            .await
            .expect("head");
    }};
}

async fn v1_chain_is_checked_and_resealed_as_v2(backend: shanyrak_store::testing::Backend) {
    use sqlx::Connection;
    // Two databases at migration 0014, sealed under v1; the second edited by hand after.
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(match backend {
        shanyrak_store::testing::Backend::Sqlite => "migrations/sqlite",
        shanyrak_store::testing::Backend::Postgres => "migrations/postgres",
    });
    let old = std::env::temp_dir().join(format!("shanyrak-v1-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&old).expect("dir");
    for entry in std::fs::read_dir(&source).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name.as_str() < "0015" {
            std::fs::copy(&path, old.join(&name)).expect("copy");
        }
    }
    let migrator = sqlx::migrate::Migrator::new(old.as_path())
        .await
        .expect("migrator");
    let mut databases = Vec::new();
    for tamper in [false, true] {
        let db = TestDatabase::new(backend).await;
        if db.url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(&format!("{}?mode=rwc", db.url))
                .await
                .expect("connect");
            migrator.run(&mut conn).await.expect("migrate to 0014");
            seal_v1!(&mut conn);
            if tamper {
                sqlx::raw_sql(
                    "DROP TRIGGER audit_events_sealed; \
                     UPDATE audit_events SET actor_label = 'system:someone' WHERE seq = 2",
                )
                .execute(&mut conn)
                .await
                .expect("tamper");
            }
        } else {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
            migrator.run(&mut conn).await.expect("migrate to 0014");
            seal_v1!(&mut conn);
            if tamper {
                sqlx::raw_sql(
                    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only; \
                     UPDATE audit_events SET actor_label = 'system:someone' WHERE seq = 2; \
                     ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only",
                )
                .execute(&mut conn)
                .await
                .expect("tamper");
            }
        }
        databases.push(db);
    }
    let _ = std::fs::remove_dir_all(&old);

    // Opening the store migrates to 0015 and re-seals: the intact chain verifies as v2 and
    // keeps growing; the edited one is reported where the edit was, also after upgrading.
    let intact = Store::connect(&databases[0].url, &StoreOptions::default())
        .await
        .expect("upgrade");
    let report = intact.verify_audit().await.expect("verify");
    assert_eq!(
        (report.sealed, report.broken_at.clone()),
        (3, None),
        "{report:?}"
    );
    intact
        .create_organisation(
            &Principal::System("test"),
            "После",
            shanyrak_core::OrgKind::Ngo,
            now(),
        )
        .await
        .expect("org");
    intact.seal_audit(100).await.expect("seal");
    let report = intact.verify_audit().await.expect("verify");
    assert_eq!((report.sealed, report.broken_at), (4, None));
    let edited = Store::connect(&databases[1].url, &StoreOptions::default())
        .await
        .expect("upgrade");
    let report = edited.verify_audit().await.expect("verify");
    let (seq, why) = report.broken_at.expect("broken");
    assert_eq!(seq, 2);
    assert!(why.contains("before the upgrade"), "{why}");
    // Opening again does not upgrade twice (the version is 2 now).
    edited.close().await;
    let again = Store::connect(&databases[1].url, &StoreOptions::default())
        .await
        .expect("reopen");
    assert_eq!(
        again
            .verify_audit()
            .await
            .expect("verify")
            .broken_at
            .map(|(s, _)| s),
        Some(2)
    );
}

async fn erasure_reaches_cases_notes_and_referrals(f: Fixture) {
    use shanyrak_core::cases::ShareableField;
    let (caseworker, receiver) = f.caseworkers().await;
    let mut input = household_with_distinct_member();
    if let Some(m) = input.members.as_mut() {
        m.truncate(2);
    }
    let household_id = create(&f, &f.registrar_a, &input).await;
    let household = f
        .store
        .get_household(&f.registrar_a, household_id)
        .await
        .expect("get");
    let person = household.members[1].id;
    let case = f.open_case(&caseworker, household_id, Some(person)).await;
    f.store
        .add_case_note(
            &caseworker,
            case.id,
            "Евлампия fears her former unit",
            now(),
        )
        .await
        .expect("note");
    let (sent, seen) = f
        .refer_for_legal_aid(
            &caseworker,
            &receiver,
            case.id,
            person,
            vec![ShareableField::Surname, ShareableField::GivenName],
        )
        .await;
    assert_eq!(
        seen.shared.expect("shared")["surname"],
        json!(DISTINCT_SURNAME)
    );

    // Both members erased: the household goes too.
    for member in &household.members {
        f.store
            .erase_person(
                &Principal::System("test"),
                member.id,
                "request by letter",
                now(),
            )
            .await
            .expect("erase");
    }
    let seen = f
        .store
        .get_referral(&receiver, sent.id, now())
        .await
        .expect("still there");
    assert_eq!(
        seen.shared,
        Some(serde_json::Map::new()),
        "nothing left to share"
    );
    assert!(
        f.store
            .list_case_notes(&caseworker, case.id, now())
            .await
            .expect("notes")
            .is_empty()
    );
    assert_eq!(
        traces(&f, "fears her former unit").await,
        Vec::<String>::new()
    );
    assert_eq!(traces(&f, DISTINCT_GIVEN).await, Vec::<String>::new());
    assert_eq!(
        traces(&f, "Смирнов").await,
        Vec::<String>::new(),
        "the head too"
    );
    f.store.seal_audit(10_000).await.expect("seal");
    assert_eq!(
        f.store.verify_audit().await.expect("verify").broken_at,
        None
    );
}
