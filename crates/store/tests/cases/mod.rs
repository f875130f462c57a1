//! Cases, notes, referrals and the legal-stay tracker in the store, on both backends.

use serde_json::Value;
use shanyrak_core::CountryCode;
use shanyrak_core::cases::{ReferralEvent, ReferralState, ShareableField};
use shanyrak_core::legal_stay::{Movement, MovementKind};
use shanyrak_store::{Direction, StoreError};

use super::{Fixture, create, family, now};

on_both_backends!(
    notes_are_for_caseworkers_of_the_owning_organisation,
    referrals_share_the_consented_fields_and_move_by_the_rules,
    crossings_feed_the_legal_stay_facts,
    a_deadlines_last_day_lasts_until_midnight_at_the_households_place,
);

async fn notes_are_for_caseworkers_of_the_owning_organisation(f: Fixture) {
    let (caseworker, caseworker_b) = f.caseworkers().await;
    let household = create(&f, &f.registrar_a, &family()).await;
    let case = f.open_case(&caseworker, household, None).await;
    let secret = "Husband's unit is looking for him";
    f.store
        .add_case_note(&caseworker, case.id, secret, now())
        .await
        .expect("note");
    let notes = f
        .store
        .list_case_notes(&caseworker, case.id, now())
        .await
        .expect("notes");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].text, secret);
    for other in [&f.registrar_a, &f.admin_a] {
        assert!(matches!(
            f.store.list_case_notes(other, case.id, now()).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            f.store.add_case_note(other, case.id, "x", now()).await,
            Err(StoreError::Forbidden)
        ));
    }
    // Another organisation's caseworker does not learn that the case exists.
    assert!(matches!(
        f.store.list_case_notes(&caseworker_b, case.id, now()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        f.store.get_case(&caseworker_b, case.id, now()).await,
        Err(StoreError::NotFound)
    ));
    // The audit log (read by admins and auditors) never holds the text of a note.
    let audit = f.audit_of(notes[0].id).await;
    assert_eq!(audit.len(), 1);
    assert!(
        !serde_json::to_string(&audit)
            .expect("json")
            .contains("looking for him")
    );
    assert_eq!(f.count("case_notes").await, 1);
}

async fn referrals_share_the_consented_fields_and_move_by_the_rules(f: Fixture) {
    let (caseworker, receiver) = f.caseworkers().await;
    let household_id = create(&f, &f.registrar_a, &family()).await;
    let head = f.head_of(household_id).await;
    let case = f.open_case(&caseworker, household_id, Some(head)).await;
    let (sent, seen) = f
        .refer_for_legal_aid(
            &caseworker,
            &receiver,
            case.id,
            head,
            vec![ShareableField::GivenName, ShareableField::Citizenship],
        )
        .await;
    let shared = seen.shared.expect("shared view");
    assert_eq!(
        shared.keys().collect::<Vec<_>>(),
        vec!["citizenship", "given_name"]
    );
    assert_eq!(shared["given_name"], Value::from("Алексей"));
    assert_eq!(
        (seen.case_id, seen.household_id, seen.person_id),
        (None, None, None)
    );
    // The sender cannot answer its own referral; the receiver can, by the rules.
    assert!(matches!(
        f.store
            .transition_referral(&caseworker, sent.id, &ReferralEvent::Accepted, now())
            .await,
        Err(StoreError::Transition(_))
    ));
    assert!(matches!(
        f.store
            .transition_referral(&receiver, sent.id, &ReferralEvent::InProgress, now())
            .await,
        Err(StoreError::Transition(_))
    ));
    // Overdue for the sender two days later while unanswered.
    let later = now() + chrono::Duration::days(2);
    assert_eq!(
        f.store
            .overdue_referrals(&caseworker, later)
            .await
            .expect("overdue")
            .len(),
        1
    );
    let declined = f
        .store
        .transition_referral(
            &receiver,
            sent.id,
            &ReferralEvent::Declined {
                reason: "no lawyer free".into(),
            },
            later,
        )
        .await
        .expect("decline");
    assert_eq!(declined.state, ReferralState::Declined);
    assert!(
        f.store
            .overdue_referrals(&caseworker, later)
            .await
            .expect("overdue")
            .is_empty()
    );
    // Once declined, the receiver no longer sees the person.
    assert!(
        f.store
            .get_referral(&receiver, sent.id, later)
            .await
            .expect("read")
            .shared
            .is_none()
    );
    assert_eq!(
        f.store
            .list_referrals(&receiver, Direction::Received, later)
            .await
            .expect("list")
            .len(),
        1
    );
    // A third party sees nothing.
    assert!(matches!(
        f.store.get_referral(&f.registrar_b, sent.id, later).await,
        Err(StoreError::Forbidden)
    ));
}

async fn crossings_feed_the_legal_stay_facts(f: Fixture) {
    let household_id = create(&f, &f.registrar_a, &family()).await;
    let head = f.head_of(household_id).await;
    let exit = Movement {
        kind: MovementKind::Exit,
        on: chrono::NaiveDate::from_ymd_opt(2022, 9, 28).expect("date"),
        country: CountryCode::KZ,
    };
    f.store
        .record_stay_movement(&f.registrar_a, head, &exit, now())
        .await
        .expect("recorded");
    assert!(matches!(
        f.store
            .record_stay_movement(&f.registrar_b, head, &exit, now())
            .await,
        Err(StoreError::NotFound)
    ));
    let facts = f
        .store
        .stay_facts(&f.registrar_a, Some(head), now())
        .await
        .expect("facts");
    assert_eq!(facts.len(), 1);
    // The arrival registered with the household is the first entry.
    assert_eq!(facts[0].movements.len(), 2);
    assert_eq!(facts[0].citizenship, Some(CountryCode::RU));
    assert_eq!(
        f.store
            .stay_facts(&f.registrar_a, None, now())
            .await
            .expect("all")
            .len(),
        4
    );
    assert!(matches!(
        f.store.stay_facts(&f.registrar_b, Some(head), now()).await,
        Err(StoreError::NotFound)
    ));
}

/// A family in Uralsk (Asia/Oral, UTC+5 in 2022) must register by a given day: at 23:30
/// there on that day it is not late yet, at 00:30 the next day it is. The deployment's
/// Almaty clock (UTC+6) would already have called it late at the first moment.
async fn a_deadlines_last_day_lasts_until_midnight_at_the_households_place(f: Fixture) {
    use chrono::TimeZone;
    use shanyrak_core::legal_stay::{RuleSet, compute};
    let household_id = create(&f, &f.registrar_a, &family()).await;
    let head = f.head_of(household_id).await;
    let facts = f
        .store
        .stay_facts(&f.registrar_a, Some(head), now())
        .await
        .expect("facts")
        .remove(0);
    assert_eq!(
        facts.time_zone,
        chrono_tz::Asia::Oral,
        "the household is in Oral"
    );
    let rules = RuleSet::examples().expect("rules");
    let rule = rules
        .find(CountryCode::RU, CountryCode::KZ)
        .expect("a rule for Russians in Kazakhstan");
    // Arrived 2022-09-27: registration due 30 days later, on 2022-10-27.
    let due = compute(
        rule,
        &facts.movements,
        chrono::NaiveDate::from_ymd_opt(2022, 9, 28).expect("d"),
    )
    .registration_due
    .expect("registration is due");
    assert_eq!(due.to_string(), "2022-10-27");
    let utc = |d: u32, h: u32, m: u32| {
        chrono::Utc
            .with_ymd_and_hms(2022, 10, d, h, m, 0)
            .single()
            .expect("t")
    };
    // 18:30 UTC on the 27th: 23:30 in Uralsk, 00:30 on the 28th in Almaty.
    let evening = utc(27, 18, 30);
    assert_eq!(facts.today(evening), due);
    let status = compute(rule, &facts.movements, facts.today(evening));
    assert!(!status.registration_overdue, "23:30 on the last day");
    assert_eq!(status.next_deadline.map(|d| d.on), Some(due));
    let almaty = shanyrak_store::clock::local_date_in(chrono_tz::Asia::Almaty, evening);
    assert!(compute(rule, &facts.movements, almaty).registration_overdue);
    // 19:30 UTC: 00:30 on the 28th in Uralsk.
    let night = utc(27, 19, 30);
    let status = compute(rule, &facts.movements, facts.today(night));
    assert!(status.registration_overdue, "00:30 the next day");
}
