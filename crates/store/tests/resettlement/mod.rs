//! The resettlement pipeline in the store, on both backends: proposals by priority within
//! the quota (also when two runs race), transitions, organisation scoping, the report.

use shanyrak_core::resettlement::{
    AgeRange, Criteria, PipelineEvent, PipelineStatus, ProgrammeInput, validate_programme,
};
use shanyrak_core::{Actor, HouseholdInput, MemberInput, Relationship, Role, Sex, Vulnerability};
use shanyrak_store::StoreError;
use uuid::Uuid;

use super::{Fixture, create, family, now};

on_both_backends!(
    proposals_follow_priority_within_the_quota,
    concurrent_proposals_never_exceed_the_quota,
);

pub(super) fn single(
    arrival: &str,
    citizenship: &str,
    vulnerabilities: Vec<Vulnerability>,
) -> HouseholdInput {
    HouseholdInput {
        arrival_date: Some(arrival.into()),
        members: Some(vec![MemberInput {
            surname: Some("Петров".into()),
            given_name: Some("Пётр".into()),
            sex: Some(Sex::Male),
            birth_date: Some("1990-05-05".into()),
            citizenship: Some(citizenship.into()),
            relationship: Some(Relationship::Head),
            vulnerabilities,
            ..MemberInput::default()
        }]),
        ..family()
    }
}

pub(super) async fn programme(f: &Fixture, actor: &Actor, quota: u32) -> Uuid {
    let input = ProgrammeInput {
        country: Some("DE".into()),
        name: Some("Humanitarian admission".into()),
        quota: Some(quota),
        criteria: Some(Criteria {
            citizenships: vec![shanyrak_core::CountryCode::RU],
            max_household_size: Some(4),
            conscription_risk: Some(AgeRange {
                min_age: 18,
                max_age: 50,
            }),
            ..Criteria::default()
        }),
    };
    f.store
        .create_programme(actor, &validate_programme(&input).expect("valid"), now())
        .await
        .expect("programme")
        .id
}

async fn proposals_follow_priority_within_the_quota(f: Fixture) {
    let (cw, cw_b) = f.caseworkers().await;
    let waited = create(&f, &f.registrar_a, &single("2022-09-20", "RU", vec![])).await;
    let family4 = create(&f, &f.registrar_a, &family()).await;
    let medical = create(
        &f,
        &f.registrar_a,
        &single("2022-09-27", "RU", vec![Vulnerability::Medical]),
    )
    .await;
    let _kazakh = create(&f, &f.registrar_a, &single("2022-09-20", "KZ", vec![])).await;
    let _other_org = create(&f, &f.registrar_b, &single("2022-09-01", "RU", vec![])).await;

    assert!(matches!(
        f.store.list_programmes(&f.registrar_a).await,
        Err(StoreError::Forbidden)
    ));
    let id = programme(&f, &cw, 5).await;
    assert_eq!(
        f.store
            .list_programmes(&f.admin_a)
            .await
            .expect("list")
            .len(),
        1
    );

    // Priority 5 after eight days' wait, then priority 5 (medical) after one day; the
    // family of four (priority 1) does not fit in the three places left.
    let first = f
        .store
        .propose_for_programme(&cw, id, now())
        .await
        .expect("propose");
    let order: Vec<Uuid> = first.proposed.iter().map(|e| e.household_id).collect();
    assert_eq!(order, vec![waited, medical]);
    assert_eq!(
        (first.eligible_left_out, first.ineligible, first.remaining),
        (1, 1, 3)
    );
    assert_eq!(first.proposed[0].priority, 5);
    assert_eq!(first.proposed[0].waiting_days, 8);
    let again = f
        .store
        .propose_for_programme(&cw, id, now())
        .await
        .expect("again");
    assert!(again.proposed.is_empty());

    // Another organisation learns nothing; a registrar may not act.
    assert!(matches!(
        f.store.get_programme(&cw_b, id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        f.store.propose_for_programme(&cw_b, id, now()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        f.store.resettlement_report(&cw_b, id).await,
        Err(StoreError::NotFound)
    ));
    let medical_entry = first.proposed[1].id;
    let withdraw = PipelineEvent::Withdrawn {
        reason: "prefers to stay".into(),
    };
    assert!(matches!(
        f.store
            .transition_resettlement_entry(&cw_b, medical_entry, &withdraw, now())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        f.store
            .transition_resettlement_entry(&f.registrar_a, medical_entry, &withdraw, now())
            .await,
        Err(StoreError::Forbidden)
    ));

    // Withdrawing frees one place: four left, and the family now fits.
    let withdrawn = f
        .store
        .transition_resettlement_entry(&cw, medical_entry, &withdraw, now())
        .await
        .expect("withdraw");
    assert_eq!(withdrawn.status, PipelineStatus::Withdrawn);
    assert_eq!(withdrawn.reason.as_deref(), Some("prefers to stay"));
    let second = f
        .store
        .propose_for_programme(&cw, id, now())
        .await
        .expect("second");
    assert_eq!(
        second
            .proposed
            .iter()
            .map(|e| e.household_id)
            .collect::<Vec<_>>(),
        vec![family4]
    );
    assert_eq!(second.remaining, 0);

    // The pipeline of the first household: submitted, accepted, departed.
    let waited_entry = first.proposed[0].id;
    assert!(matches!(
        f.store
            .transition_resettlement_entry(&cw, waited_entry, &PipelineEvent::Departed, now())
            .await,
        Err(StoreError::Pipeline(_))
    ));
    for event in [
        PipelineEvent::Submitted,
        PipelineEvent::Accepted,
        PipelineEvent::Departed,
    ] {
        f.store
            .transition_resettlement_entry(&f.admin_a, waited_entry, &event, now())
            .await
            .expect("move");
    }
    let family_entry = second.proposed[0].id;
    f.store
        .transition_resettlement_entry(&cw, family_entry, &PipelineEvent::Submitted, now())
        .await
        .expect("submit");
    let rejected = f
        .store
        .transition_resettlement_entry(
            &cw,
            family_entry,
            &PipelineEvent::Rejected {
                reason: "documents incomplete".into(),
            },
            now(),
        )
        .await
        .expect("reject");
    assert_eq!(rejected.version, 3);

    let report = f.store.resettlement_report(&cw, id).await.expect("report");
    assert_eq!(report.quota, 5);
    assert_eq!(
        (report.departed.households, report.departed.persons),
        (1, 1)
    );
    assert_eq!(
        (report.rejected.households, report.rejected.persons),
        (1, 4)
    );
    assert_eq!(
        (report.withdrawn.households, report.withdrawn.persons),
        (1, 1)
    );
    assert_eq!((report.used, report.remaining), (1, 4));

    let entries = f
        .store
        .list_resettlement_entries(&cw, id, now())
        .await
        .expect("entries");
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| !e.reference.as_str().is_empty()));

    // Every step is in the audit log, without names.
    let events = f.audit_of(waited_entry).await;
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["propose", "submitted", "accepted", "departed"]
    );
    let text = serde_json::to_string(&events).expect("json");
    assert!(!text.contains("Петров"));
}

async fn concurrent_proposals_never_exceed_the_quota(f: Fixture) {
    let cw = f.user_of_a("cw@a.org", &[Role::Caseworker]).await;
    for day in 10..18 {
        create(
            &f,
            &f.registrar_a,
            &single(&format!("2022-09-{day}"), "RU", vec![]),
        )
        .await;
    }
    let id = programme(&f, &cw, 3).await;
    for _ in 0..3 {
        let (a, b) = tokio::join!(
            f.store.propose_for_programme(&cw, id, now()),
            f.store.propose_for_programme(&cw, id, now())
        );
        let a = a.expect("a");
        let b = b.expect("b");
        let mut households: Vec<Uuid> = a
            .proposed
            .iter()
            .chain(&b.proposed)
            .map(|e| e.household_id)
            .collect();
        let before = households.len();
        households.sort_unstable();
        households.dedup();
        assert_eq!(households.len(), before, "a household proposed twice");
        let report = f.store.resettlement_report(&cw, id).await.expect("report");
        assert_eq!(report.used, 3);
        assert_eq!(report.proposed.households, 3);
    }
}
