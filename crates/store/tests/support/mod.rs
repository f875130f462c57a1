//! What the stories of this suite share: a fresh store on SQLite or PostgreSQL with two
//! organisations and their users, the households, sites and pools they register, and a
//! way past the store to the database itself.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use shanyrak_core::cases::{
    Case, CaseInput, ConsentInput, ReferralInput, ServiceKind, ShareableField, validate_case,
    validate_referral,
};
use shanyrak_core::document::DocumentInput;
use shanyrak_core::household::validate;
use shanyrak_core::shelter::{
    BedPoolInput, HouseRules, PoolKind, SiteInput, SiteKind, validate_pool, validate_site,
};
use shanyrak_core::{
    Actor, DocumentType, HouseholdInput, LocationInput, MemberInput, OrgKind, PopulationGroup,
    Relationship, Role, Sex, ValidatedHousehold, ValidationContext,
};
use shanyrak_store::testing::{Backend, TestDatabase, execute_as_insider};
use shanyrak_store::{
    AdmissionRequest, CreateOutcome, Principal, ProposedPair, Referral, Store, StoreOptions,
};
use uuid::Uuid;

pub(crate) struct Fixture {
    pub(crate) store: Store,
    pub(crate) registrar_a: Actor,
    pub(crate) registrar_b: Actor,
    pub(crate) admin_a: Actor,
    pub(crate) _db: TestDatabase,
}

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 9, 28, 10, 0, 0)
        .single()
        .unwrap_or_default()
}

pub(crate) fn ctx() -> ValidationContext {
    ValidationContext {
        today: NaiveDate::from_ymd_opt(2022, 9, 28).unwrap_or_default(),
    }
}

pub(crate) async fn user(store: &Store, org: Uuid, email: &str, roles: &[Role]) -> Actor {
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
    pub(crate) async fn new(backend: Backend) -> Self {
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

    /// The rows of `table`, -1 if the store does not count it.
    pub(crate) async fn count(&self, table: &str) -> i64 {
        shanyrak_store::testing::row_count(&self.store, table)
            .await
            .expect("counts")
    }
}

pub(crate) fn member(
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

pub(crate) fn family() -> HouseholdInput {
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
            place_id: None,
        }),
        phone: Some("+7 912 345-67-89".into()),
        languages: vec!["ru".into(), "kk".into()],
        needs: vec![shanyrak_core::Need::Shelter],
        members: Some(vec![
            head,
            MemberInput {
                sex: Some(Sex::Female),
                ..member("SMIRNOVA", "Ekaterina", None, Relationship::Spouse, "1996")
            },
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

pub(crate) fn valid(input: &HouseholdInput) -> ValidatedHousehold {
    validate(input, &ctx()).expect("valid household")
}

pub(crate) async fn create(f: &Fixture, actor: &Actor, input: &HouseholdInput) -> Uuid {
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

impl Fixture {
    /// A new user of organisation A with `roles`.
    pub(crate) async fn user_of_a(&self, email: &str, roles: &[Role]) -> Actor {
        user(&self.store, self.registrar_a.organisation_id, email, roles).await
    }

    /// A new user of organisation B with `roles`.
    pub(crate) async fn user_of_b(&self, email: &str, roles: &[Role]) -> Actor {
        user(&self.store, self.registrar_b.organisation_id, email, roles).await
    }

    /// A caseworker of organisation A and one of organisation B.
    pub(crate) async fn caseworkers(&self) -> (Actor, Actor) {
        (
            self.user_of_a("cw@a.org", &[Role::Caseworker]).await,
            self.user_of_b("cw@b.org", &[Role::Caseworker]).await,
        )
    }

    /// The id of the first member (the head) of a household of organisation A.
    pub(crate) async fn head_of(&self, household_id: Uuid) -> Uuid {
        self.store
            .get_household(&self.registrar_a, household_id)
            .await
            .expect("household")
            .members[0]
            .id
    }

    /// The ids of the members of `household`, as `actor` reads it.
    pub(crate) async fn member_ids(&self, actor: &Actor, household: Uuid) -> Vec<Uuid> {
        self.store
            .get_household(actor, household)
            .await
            .expect("household")
            .members
            .iter()
            .map(|m| m.id)
            .collect()
    }

    /// `caseworker` opens a case on `household_id`, about `person_id` if given.
    pub(crate) async fn open_case(
        &self,
        caseworker: &Actor,
        household_id: Uuid,
        person_id: Option<Uuid>,
    ) -> Case {
        let input = CaseInput {
            household_id: Some(household_id),
            person_id,
            ..CaseInput::default()
        };
        self.store
            .create_case(
                caseworker,
                &validate_case(&input, &ctx()).expect("valid"),
                now(),
            )
            .await
            .expect("case")
    }

    /// `caseworker` refers `case_id` for legal aid to the organisation of `receiver`,
    /// `person` consenting to share `fields`, to be answered within two days: the referral
    /// sent, and the referral as `receiver` reads it.
    pub(crate) async fn refer_for_legal_aid(
        &self,
        caseworker: &Actor,
        receiver: &Actor,
        case_id: Uuid,
        person: Uuid,
        fields: Vec<ShareableField>,
    ) -> (Referral, Referral) {
        let input = ReferralInput {
            case_id: Some(case_id),
            to_organisation_id: Some(receiver.organisation_id),
            service: Some(ServiceKind::LegalAid),
            person_id: None,
            consent: Some(ConsentInput {
                given_by_person_id: Some(person),
                given_on: Some("2022-09-28".into()),
                fields,
            }),
            answer_within_days: Some(2),
        };
        let referral =
            validate_referral(&input, caseworker.organisation_id, &ctx()).expect("valid");
        let sent = self
            .store
            .create_referral(caseworker, &referral, now())
            .await
            .expect("sent");
        let seen = self
            .store
            .get_referral(receiver, sent.id, now())
            .await
            .expect("received");
        (sent, seen)
    }

    /// Organisation A's admin gives everyone in `household` a bed in `pool` now: it must
    /// be admitted.
    pub(crate) async fn admitted(&self, household: Uuid, pool: Uuid) -> shanyrak_store::Stay {
        self.store
            .admit(&self.admin_a, &admit_now(household, pool), now())
            .await
            .expect("admitted")
    }

    /// The site `id`, as organisation A's admin sees it now.
    pub(crate) async fn site_of_a(&self, id: Uuid) -> shanyrak_store::SiteView {
        self.store
            .get_site(&self.admin_a, id, now())
            .await
            .expect("site")
    }

    /// The audit trail of `entity`, as organisation A's admin reads it.
    pub(crate) async fn audit_of(&self, entity: Uuid) -> Vec<shanyrak_store::AuditEvent> {
        self.store
            .audit_events_for(&self.admin_a, entity)
            .await
            .expect("audit")
    }

    /// Organisation A's registrar decides that two person records are one person.
    pub(crate) async fn same_person(&self, a: Uuid, b: Uuid) {
        self.store
            .enqueue_duplicates(
                &self.registrar_a,
                &[ProposedPair {
                    person: a,
                    other: b,
                    probability: 0.99,
                    evidence: serde_json::json!({}),
                }],
                now(),
            )
            .await
            .expect("enqueue");
        let queue = self
            .store
            .list_candidates(&self.registrar_a, "pending", 10)
            .await
            .expect("queue");
        self.store
            .decide_candidate(&self.registrar_a, queue[0].id, "same", now())
            .await
            .expect("same");
    }
}

pub(crate) async fn site_with_pool(
    f: &Fixture,
    pool: BedPoolInput,
    rules: HouseRules,
) -> (Uuid, Uuid) {
    let site = validate_site(&SiteInput {
        name: Some("Спорткомплекс «Мирас»".into()),
        kind: Some(SiteKind::SportsHall),
        location: Some(LocationInput {
            country: Some("KZ".into()),
            region: None,
            city: Some("Oral".into()),
            place_id: None,
        }),
        rules: Some(rules.clone()),
        ..SiteInput::default()
    })
    .expect("valid site");
    let view = f
        .store
        .create_site(&f.admin_a, &site, now())
        .await
        .expect("site");
    let spec = validate_pool(&pool, &rules).expect("valid pool");
    let pool_id = f
        .store
        .add_pool(&f.admin_a, view.site.id, &spec, now())
        .await
        .expect("pool");
    (view.site.id, pool_id)
}

pub(crate) fn open_rules() -> HouseRules {
    HouseRules {
        children_allowed: true,
        max_nights: Some(14),
        ..HouseRules::default()
    }
}

pub(crate) fn mixed(beds: u32) -> BedPoolInput {
    BedPoolInput {
        kind: Some(PoolKind::Mixed),
        beds: Some(beds),
        ..BedPoolInput::default()
    }
}

pub(crate) fn single(surname: &str) -> HouseholdInput {
    let mut h = family();
    let mut head = member(surname, "Иван", None, Relationship::Head, "1990-01-01");
    head.sex = Some(Sex::Male);
    h.members = Some(vec![head]);
    h
}

pub(crate) fn admit_now(household_id: Uuid, pool_id: Uuid) -> AdmissionRequest {
    AdmissionRequest {
        household_id,
        pool_id,
        member_ids: None,
        reserve_until: None,
        expected_departure: None,
        one_night: false,
    }
}

/// A reservation of a bed in `pool_id` for everyone in `household_id`, held until
/// `until`.
pub(crate) fn reserve_until(
    household_id: Uuid,
    pool_id: Uuid,
    until: DateTime<Utc>,
) -> AdmissionRequest {
    AdmissionRequest {
        reserve_until: Some(until),
        ..admit_now(household_id, pool_id)
    }
}

/// Runs `sql` on the fixture's database directly, past the store.
pub(crate) async fn raw_execute(f: &Fixture, sql: &str) -> Result<(), sqlx::Error> {
    execute_as_insider(&f._db.url, sql).await
}
