//! Pre-registrations: limits per address and for everyone that reopen with the next
//! window, IPv6 counted by /64, entries seen only by registrars of their organisation,
//! gone after 72 hours (unreadable at once, deleted by retention), confirmed once.

use std::net::IpAddr;

use chrono::Duration;
use serde_json::json;
use shanyrak_core::retention::RetentionPolicy;
use shanyrak_store::{
    PRE_REGISTRATION_HOURS, PRE_REGISTRATION_WINDOW_MINUTES, PRE_REGISTRATIONS_PER_ADDRESS,
    PRE_REGISTRATIONS_PER_PLACE, Principal, StoreError,
};
use uuid::Uuid;

use super::{Fixture, now};

on_both_backends!(
    the_limit_per_address_holds_and_reopens_with_the_next_window,
    entries_are_for_their_organisation_expire_and_are_confirmed_once,
    the_limit_per_place_holds_across_addresses,
    the_desk_code_of_the_day_is_asked_and_wrong_guesses_count,
    registrars_list_and_purge_their_own_pending_entries,
    a_shorter_lifetime_expires_sooner,
);

fn lifetime() -> Duration {
    Duration::hours(PRE_REGISTRATION_HOURS)
}

fn ip(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

async fn the_limit_per_address_holds_and_reopens_with_the_next_window(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let doc = json!({"members": [{"surname": "Тестов", "given_name": "Алексей"}]});
    // One /64: every address in it counts as one.
    for i in 0..PRE_REGISTRATIONS_PER_ADDRESS {
        let client = ip(&format!("2001:db8:1:2::{i:x}"));
        f.store
            .submit_pre_registration(org, &doc, None, client, lifetime(), now())
            .await
            .expect("within the limit");
    }
    let refused = f
        .store
        .submit_pre_registration(org, &doc, None, ip("2001:db8:1:2::ffff"), lifetime(), now())
        .await;
    assert!(
        matches!(refused, Err(StoreError::SubmissionsLimited { until }) if until == now() + Duration::minutes(PRE_REGISTRATION_WINDOW_MINUTES)),
        "{refused:?}"
    );
    // Another address is not held back by this one.
    f.store
        .submit_pre_registration(org, &doc, None, ip("2001:db8:1:3::1"), lifetime(), now())
        .await
        .expect("another network");
    assert_eq!(
        f.store
            .pending_pre_registrations(now())
            .await
            .expect("count"),
        i64::from(PRE_REGISTRATIONS_PER_ADDRESS) + 1
    );
    // The next window opens again.
    let later = now() + Duration::minutes(PRE_REGISTRATION_WINDOW_MINUTES);
    f.store
        .submit_pre_registration(org, &doc, None, ip("2001:db8:1:2::1"), lifetime(), later)
        .await
        .expect("a new window");
}

/// A flood aimed at one place from many addresses stops at the place's limit; a family
/// elsewhere still gets through. The place is the settlement of the place list when the
/// page resolved one, else the city as typed (folded: case and spacing do not matter).
async fn the_limit_per_place_holds_across_addresses(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let in_oral = |city: &str| {
        json!({"location": {"country": "KZ", "city": city, "place_id": 608_668},
               "members": [{"surname": "Тестов", "given_name": "Алексей"}]})
    };
    for i in 0..PRE_REGISTRATIONS_PER_PLACE {
        // Every spelling of the place is the same place.
        let city = if i % 2 == 0 { "Oral" } else { "Уральск" };
        f.store
            .submit_pre_registration(
                org,
                &in_oral(city),
                None,
                ip(&format!("10.1.{}.{}", i / 200, i % 200)),
                lifetime(),
                now(),
            )
            .await
            .expect("within the limit");
    }
    let refused = f
        .store
        .submit_pre_registration(
            org,
            &in_oral("Орал"),
            None,
            ip("192.0.2.1"),
            lifetime(),
            now(),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::SubmissionsLimited { .. })),
        "{refused:?}"
    );
    let typed = |city: &str| {
        json!({"location": {"country": "KZ", "city": city},
               "members": [{"surname": "Тестов", "given_name": "Алексей"}]})
    };
    f.store
        .submit_pre_registration(
            org,
            &typed("Аксай"),
            None,
            ip("192.0.2.2"),
            lifetime(),
            now(),
        )
        .await
        .expect("another place");
    assert_eq!(
        f.store
            .pending_pre_registrations(now())
            .await
            .expect("count"),
        i64::from(PRE_REGISTRATIONS_PER_PLACE) + 1
    );
}

async fn entries_are_for_their_organisation_expire_and_are_confirmed_once(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let doc = json!({"members": [{"surname": "Тестов", "given_name": "Алексей"}]});
    let code = f
        .store
        .submit_pre_registration(org, &doc, None, ip("203.0.113.7"), lifetime(), now())
        .await
        .expect("stored");
    let found = f
        .store
        .pre_registration_by_code(&f.registrar_a, &code, now())
        .await
        .expect("the running organisation's registrar");
    assert_eq!(found.document, doc);
    assert_eq!(
        found.expires_at,
        now() + Duration::hours(PRE_REGISTRATION_HOURS)
    );
    assert!(matches!(
        f.store
            .pre_registration_by_code(&f.registrar_b, &code, now())
            .await,
        Err(StoreError::NotFound)
    ));
    // Past 72 hours it is unreadable at once, before any retention run.
    let expired = now() + Duration::hours(PRE_REGISTRATION_HOURS);
    assert!(matches!(
        f.store
            .pre_registration(&f.registrar_a, found.id, expired)
            .await,
        Err(StoreError::NotFound)
    ));
    let operator = Principal::System("retention");
    let policy = RetentionPolicy::default();
    let dry = f
        .store
        .apply_retention(&operator, &policy, true, now())
        .await
        .expect("dry run");
    assert_eq!(dry.pre_registrations_deleted, 0, "not yet expired");
    let done = f
        .store
        .apply_retention(&operator, &policy, false, expired)
        .await
        .expect("retention");
    assert_eq!(done.pre_registrations_deleted, 1);
    assert_eq!(
        f.store
            .pending_pre_registrations(now())
            .await
            .expect("count"),
        0,
        "deleted, not only hidden"
    );

    // Confirmed once: the entry goes with one audit event; a second time is not found.
    let code = f
        .store
        .submit_pre_registration(org, &doc, None, ip("203.0.113.7"), lifetime(), now())
        .await
        .expect("stored");
    let id = f
        .store
        .pre_registration_by_code(&f.registrar_a, &code, now())
        .await
        .expect("found")
        .id;
    let household = Uuid::now_v7();
    assert!(matches!(
        f.store
            .confirm_pre_registration(&f.registrar_b, id, household, now())
            .await,
        Err(StoreError::NotFound)
    ));
    f.store
        .confirm_pre_registration(&f.registrar_a, id, household, now())
        .await
        .expect("confirmed");
    let events = f.audit_of(id).await;
    assert_eq!(events.len(), 1);
    assert!(matches!(
        f.store
            .confirm_pre_registration(&f.registrar_a, id, household, now())
            .await,
        Err(StoreError::NotFound)
    ));
}

/// Where the organisation asks for the desk's code of the day, only that code (today's, or
/// yesterday's just after midnight) lets a pre-registration in; a wrong guess is refused at
/// its field and still counts against the address's limit.
async fn the_desk_code_of_the_day_is_asked_and_wrong_guesses_count(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let doc = json!({"members": [{"surname": "Тестов", "given_name": "Алексей"}]});
    let code = f
        .store
        .desk_code(&f.registrar_a, now())
        .await
        .expect("code");
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "digits only");
    assert_eq!(
        f.store
            .desk_code(&f.admin_a, now())
            .await
            .expect("same day"),
        code,
        "one code a day for the organisation"
    );
    let other = f.store.desk_code(&f.registrar_b, now()).await.expect("b");
    let submit = async |typed: &str, address: &str, at| {
        f.store
            .submit_pre_registration(org, &doc, Some(typed), ip(address), lifetime(), at)
            .await
    };
    for wrong in ["", "12", &other] {
        if wrong == code {
            continue;
        }
        match submit(wrong, "198.51.100.1", now()).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.errors[0].pointer, "#/desk_code"),
            other => panic!("{wrong:?} let in: {other:?}"),
        }
    }
    submit(&format!(" {} ", &code), "198.51.100.2", now())
        .await
        .expect("today's code, spaces around");
    // Just after midnight (local), yesterday's code still holds; two days on it does not.
    submit(&code, "198.51.100.3", now() + Duration::hours(16))
        .await
        .expect("yesterday's code");
    assert!(matches!(
        submit(&code, "198.51.100.4", now() + Duration::hours(40)).await,
        Err(StoreError::Invalid(_))
    ));
    // Wrong guesses from one address use up its limit.
    for _ in 3..PRE_REGISTRATIONS_PER_ADDRESS {
        let _ = submit("000000", "198.51.100.1", now()).await;
    }
    assert!(matches!(
        submit(&code, "198.51.100.1", now()).await,
        Err(StoreError::SubmissionsLimited { .. })
    ));
}

/// The registrars' list holds their organisation's pending entries, newest first; a purge
/// deletes the ticked ones of their organisation only, audited by id, and leaves the rest.
async fn registrars_list_and_purge_their_own_pending_entries(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let doc = json!({"members": [{"surname": "Спам", "given_name": "Спам"}]});
    let mut codes = Vec::new();
    for i in 0..3 {
        codes.push(
            f.store
                .submit_pre_registration(
                    org,
                    &doc,
                    None,
                    ip(&format!("198.18.0.{i}")),
                    lifetime(),
                    now() + Duration::minutes(i),
                )
                .await
                .expect("stored"),
        );
    }
    let list = f
        .store
        .pending_pre_registration_list(&f.registrar_a, now() + Duration::minutes(5))
        .await
        .expect("list");
    assert_eq!(
        list.iter().map(|p| p.code.clone()).collect::<Vec<_>>(),
        codes
            .iter()
            .rev()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        "newest first"
    );
    assert!(
        f.store
            .pending_pre_registration_list(&f.registrar_b, now())
            .await
            .expect("another organisation")
            .is_empty()
    );
    let analyst = shanyrak_core::Actor {
        roles: vec![shanyrak_core::Role::Analyst],
        ..f.registrar_a.clone()
    };
    assert!(matches!(
        f.store.pending_pre_registration_list(&analyst, now()).await,
        Err(StoreError::Forbidden)
    ));
    let spam = [list[0].id, list[1].id, Uuid::now_v7()];
    assert_eq!(
        f.store
            .purge_pre_registrations(&f.registrar_b, &spam, now())
            .await
            .expect("another organisation's purge"),
        0,
        "another organisation's registrar deletes nothing"
    );
    assert_eq!(
        f.store
            .purge_pre_registrations(&f.registrar_a, &spam, now())
            .await
            .expect("purge"),
        2
    );
    let left = f
        .store
        .pending_pre_registration_list(&f.registrar_a, now() + Duration::minutes(5))
        .await
        .expect("list");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, list[2].id);
    let events = f
        .store
        .audit_events_for(&f.admin_a, list[0].id)
        .await
        .expect("audit");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "purge");
    assert_eq!(events[0].before, None, "ids only");
}

/// A deployment that keeps pre-registrations for less than the default sees them go then.
async fn a_shorter_lifetime_expires_sooner(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let doc = json!({"members": [{"surname": "Тестов", "given_name": "Алексей"}]});
    let code = f
        .store
        .submit_pre_registration(org, &doc, None, ip("198.18.1.1"), Duration::hours(2), now())
        .await
        .expect("stored");
    let found = f
        .store
        .pre_registration_by_code(&f.registrar_a, &code, now() + Duration::minutes(119))
        .await
        .expect("within two hours");
    assert_eq!(found.expires_at, now() + Duration::hours(2));
    assert!(matches!(
        f.store
            .pre_registration_by_code(&f.registrar_a, &code, now() + Duration::hours(2))
            .await,
        Err(StoreError::NotFound)
    ));
}
