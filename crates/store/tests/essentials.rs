//! Essentials on both backends: the stock ledger, concurrent issues, entitlement windows,
//! receipts that follow identities across households and organisations, overrides.

use chrono::{DateTime, Duration, Utc};
use shanyrak_core::essentials::{
    DistributionInput, EntitlementBasis, EntitlementReason, EntitlementRule, ItemInput, LedgerKind,
    LineInput, MovementInput, MovementRoute, PointInput, validate_distribution, validate_item,
    validate_movement, validate_point,
};
use shanyrak_core::sharing::{SharingCategory, ValidatedAgreement};
use shanyrak_core::{Actor, FieldErrorCode, Role};
use shanyrak_store::{DistributionOutcome, IdempotencyRequest, Item, StoreError};
use uuid::Uuid;

use super::{Fixture, create, family, now, raw_execute, single, user};

on_both_backends!(
    ledger_balances_equal_the_sum_of_entries,
    concurrent_issues_of_the_last_unit_give_exactly_one_success,
    entitlement_windows_and_overrides,
    receipts_follow_a_person_who_moved_households,
    one_person_in_two_households_gets_one_share_under_concurrency,
    double_dipping_across_organisations_is_flagged_only_under_an_agreement,
    a_day_is_the_deployments_day_not_utcs,
    a_points_day_is_the_day_in_its_citys_zone,
);

fn rule(basis: EntitlementBasis, quantity: u32, period_days: u32) -> EntitlementRule {
    EntitlementRule {
        basis,
        quantity,
        period_days,
        condition: None,
        population_group: None,
    }
}

async fn distributor(f: &Fixture, org: Uuid, email: &str) -> Actor {
    user(&f.store, org, email, &[Role::Distributor]).await
}

async fn item(
    f: &Fixture,
    actor: &Actor,
    name: &str,
    code: &str,
    rules: Vec<EntitlementRule>,
) -> Item {
    let input = ItemInput {
        name: Some(name.into()),
        unit: Some("kit".into()),
        code: Some(code.into()),
        rules,
        ..ItemInput::default()
    };
    f.store
        .create_item(actor, &validate_item(&input).expect("valid item"), now())
        .await
        .expect("item")
}

/// The hygiene kit: one per person every 30 days.
async fn monthly_kit(f: &Fixture, actor: &Actor) -> Item {
    item(
        f,
        actor,
        "Hygiene kit",
        "hygiene_kit",
        vec![rule(EntitlementBasis::PerPerson, 1, 30)],
    )
    .await
}

async fn point(f: &Fixture, actor: &Actor, name: &str) -> Uuid {
    let input = PointInput {
        name: Some(name.into()),
        ..PointInput::default()
    };
    f.store
        .create_point(actor, &validate_point(&input).expect("valid point"), now())
        .await
        .expect("point")
        .id
}

async fn point_in(f: &Fixture, actor: &Actor, name: &str, city: &str) -> Uuid {
    let input = PointInput {
        name: Some(name.into()),
        city: Some(city.into()),
        ..PointInput::default()
    };
    f.store
        .create_point(actor, &validate_point(&input).expect("valid point"), now())
        .await
        .expect("point")
        .id
}

async fn receive(f: &Fixture, actor: &Actor, point: Uuid, item: Uuid, quantity: i64) {
    let input = MovementInput {
        item_id: Some(item),
        quantity: Some(quantity),
        reason: Some("donation".into()),
        ..MovementInput::default()
    };
    let movement = validate_movement(&input, MovementRoute::Receipt).expect("valid receipt");
    f.store
        .record_movement(actor, point, &movement, now())
        .await
        .expect("receipt");
}

#[allow(clippy::too_many_arguments)]
async fn give(
    f: &Fixture,
    actor: &Actor,
    household: Uuid,
    point: Uuid,
    item: Uuid,
    quantity: u32,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<DistributionOutcome, StoreError> {
    let input = DistributionInput {
        household_id: Some(household),
        point_id: Some(point),
        lines: vec![LineInput {
            item_id: Some(item),
            quantity: Some(quantity),
            person_ids: None,
        }],
        override_reason: reason.map(Into::into),
    };
    let request = validate_distribution(&input).expect("valid distribution");
    f.store.record_distribution(actor, &request, None, at).await
}

fn refused_for_want_of_a_reason(result: Result<DistributionOutcome, StoreError>) -> bool {
    matches!(result, Err(StoreError::Invalid(e))
        if e.errors.iter().any(|e| e.pointer == "#/override_reason" && e.code == FieldErrorCode::Required))
}

async fn ledger_balances_equal_the_sum_of_entries(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let clerk = distributor(&f, org, "clerk@example.org").await;
    let kit = item(&f, &clerk, "Гигиенический набор", "hygiene_kit", vec![]).await;
    let blanket = item(&f, &clerk, "Blanket", "blanket", vec![]).await;
    let warehouse = point(&f, &clerk, "Склад Орал").await;
    let mosque = point(&f, &clerk, "Мечеть").await;
    receive(&f, &clerk, warehouse, kit.id, 100).await;
    receive(&f, &clerk, warehouse, blanket.id, 40).await;
    let transfer = MovementInput {
        item_id: Some(kit.id),
        quantity: Some(30),
        to_point_id: Some(mosque),
        ..MovementInput::default()
    };
    let entries = f
        .store
        .record_movement(
            &clerk,
            warehouse,
            &validate_movement(&transfer, MovementRoute::Transfer).expect("valid"),
            now(),
        )
        .await
        .expect("transfer");
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.kind, e.quantity))
            .collect::<Vec<_>>(),
        vec![(LedgerKind::TransferOut, -30), (LedgerKind::TransferIn, 30)]
    );
    let loss = MovementInput {
        item_id: Some(blanket.id),
        quantity: Some(5),
        kind: Some(LedgerKind::Loss),
        reason: Some("soaked in the rain".into()),
        ..MovementInput::default()
    };
    f.store
        .record_movement(
            &clerk,
            warehouse,
            &validate_movement(&loss, MovementRoute::Adjustment).expect("valid"),
            now(),
        )
        .await
        .expect("loss");
    // An adjustment below zero is refused and writes nothing.
    let too_much = MovementInput {
        item_id: Some(kit.id),
        quantity: Some(-71),
        reason: Some("recount".into()),
        ..MovementInput::default()
    };
    let movement = validate_movement(&too_much, MovementRoute::Adjustment).expect("valid");
    assert!(matches!(
        f.store
            .record_movement(&clerk, warehouse, &movement, now())
            .await,
        Err(StoreError::InsufficientStock { .. })
    ));
    let household = create(&f, &f.registrar_a, &family()).await;
    give(&f, &clerk, household, mosque, kit.id, 4, None, now())
        .await
        .expect("give");

    // Idempotent: a retry with the same key is replayed, not recorded twice.
    let request = validate_distribution(&DistributionInput {
        household_id: Some(household),
        point_id: Some(mosque),
        lines: vec![LineInput {
            item_id: Some(kit.id),
            quantity: Some(1),
            person_ids: None,
        }],
        override_reason: None,
    })
    .expect("valid");
    let key = IdempotencyRequest {
        key: "k-1".into(),
        request_hash: vec![1; 32],
    };
    let first = f
        .store
        .record_distribution(&clerk, &request, Some(&key), now())
        .await
        .expect("first");
    let again = f
        .store
        .record_distribution(&clerk, &request, Some(&key), now())
        .await
        .expect("again");
    match (first, again) {
        (DistributionOutcome::Recorded(a), DistributionOutcome::Replayed(b)) => assert_eq!(a, b),
        other => panic!("expected a recording and a replay, got {other:?}"),
    }
    let other_body = IdempotencyRequest {
        key: "k-1".into(),
        request_hash: vec![2; 32],
    };
    assert!(matches!(
        f.store
            .record_distribution(&clerk, &request, Some(&other_body), now())
            .await,
        Err(StoreError::IdempotencyKeyReused)
    ));

    let mut checked = 0;
    for at in [warehouse, mosque] {
        let view = f.store.stock(&clerk, at, 10_000).await.expect("stock");
        for level in &view.levels {
            let sum: i64 = view
                .entries
                .iter()
                .filter(|e| e.item_id == level.item_id)
                .map(|e| e.quantity)
                .sum();
            assert_eq!(
                level.quantity, sum,
                "balance of {} at {}",
                level.item_name, view.point.name
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 3);
    let mosque_kits = f.store.stock(&clerk, mosque, 100).await.expect("stock");
    assert_eq!(mosque_kits.levels[0].quantity, 25);

    // The ledger is append-only.
    assert!(
        raw_execute(&f, "UPDATE stock_entries SET quantity = 1000")
            .await
            .is_err()
    );
    assert!(raw_execute(&f, "DELETE FROM stock_entries").await.is_err());
    // Another organisation sees nothing of it.
    let stranger = distributor(&f, f.registrar_b.organisation_id, "stranger@example.org").await;
    assert!(matches!(
        f.store.stock(&stranger, mosque, 10).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        f.store
            .list_items(&stranger)
            .await
            .expect("items")
            .is_empty()
    );
}

async fn concurrent_issues_of_the_last_unit_give_exactly_one_success(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let clerk = distributor(&f, org, "clerk@example.org").await;
    let sim = item(&f, &clerk, "SIM card", "sim_card", vec![]).await;
    let desk = point(&f, &clerk, "Вокзал").await;
    receive(&f, &clerk, desk, sim.id, 1).await;
    let mut households = Vec::new();
    for i in 0..6 {
        households.push(create(&f, &f.registrar_a, &single(&format!("Петров{i}"))).await);
    }
    let mut tasks = Vec::new();
    for household in households {
        let store = f.store.clone();
        let clerk = clerk.clone();
        let sim = sim.id;
        tasks.push(tokio::spawn(async move {
            let request = validate_distribution(&DistributionInput {
                household_id: Some(household),
                point_id: Some(desk),
                lines: vec![LineInput {
                    item_id: Some(sim),
                    quantity: Some(1),
                    person_ids: None,
                }],
                override_reason: None,
            })
            .expect("valid");
            store
                .record_distribution(&clerk, &request, None, now())
                .await
        }));
    }
    let mut given = 0;
    for task in tasks {
        match task.await.expect("join") {
            Ok(_) => given += 1,
            Err(StoreError::InsufficientStock { item_id }) => assert_eq!(item_id, sim.id),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(given, 1);
    let view = f.store.stock(&clerk, desk, 100).await.expect("stock");
    assert_eq!(view.levels[0].quantity, 0);
    assert_eq!(view.entries.len(), 2, "one receipt and one issue");
}

async fn entitlement_windows_and_overrides(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let clerk = distributor(&f, org, "clerk@example.org").await;
    let kit = monthly_kit(&f, &clerk).await;
    let parcel = item(
        &f,
        &clerk,
        "Food parcel",
        "food_parcel",
        vec![rule(EntitlementBasis::PerHousehold, 1, 7)],
    )
    .await;
    let desk = point(&f, &clerk, "Мечеть").await;
    receive(&f, &clerk, desk, kit.id, 100).await;
    receive(&f, &clerk, desk, parcel.id, 100).await;
    let household = create(&f, &f.registrar_a, &family()).await; // four members

    let view = f
        .store
        .entitlements(&clerk, household, now())
        .await
        .expect("entitlements");
    let of = |view: &shanyrak_store::EntitlementView, item: Uuid| {
        view.items
            .iter()
            .find(|i| i.item_id == item)
            .and_then(|i| i.remaining)
    };
    assert_eq!(
        (of(&view, kit.id), of(&view, parcel.id)),
        (Some(4), Some(1))
    );

    give(&f, &clerk, household, desk, kit.id, 4, None, now())
        .await
        .expect("kits, day 0");
    give(&f, &clerk, household, desk, parcel.id, 1, None, now())
        .await
        .expect("parcel, day 0");
    // Day 6: the weekly parcel is still counted; day 7 it is due again.
    let day = |n: i64| now() + Duration::days(n);
    assert!(refused_for_want_of_a_reason(
        give(&f, &clerk, household, desk, parcel.id, 1, None, day(6)).await
    ));
    give(&f, &clerk, household, desk, parcel.id, 1, None, day(7))
        .await
        .expect("parcel, day 7");
    // Day 29: no kits; day 30: four again.
    let on_29 = f
        .store
        .entitlements(&clerk, household, day(29))
        .await
        .expect("day 29");
    assert_eq!(of(&on_29, kit.id), Some(0));
    assert!(refused_for_want_of_a_reason(
        give(&f, &clerk, household, desk, kit.id, 1, None, day(29)).await
    ));
    assert_eq!(
        of(
            &f.store
                .entitlements(&clerk, household, day(30))
                .await
                .expect("day 30"),
            kit.id
        ),
        Some(4)
    );

    // An override with a reason is recorded, flagged and audited.
    let before = f.count("audit_events").await;
    let outcome = give(
        &f,
        &clerk,
        household,
        desk,
        kit.id,
        1,
        Some("kit lost in the fire at the gym"),
        day(29),
    )
    .await
    .expect("override");
    let DistributionOutcome::Recorded(receipt) = outcome else {
        panic!("replay")
    };
    assert!(receipt.overridden);
    assert_eq!(receipt.lines[0].over_by, 1);
    assert_eq!(f.count("audit_events").await, before + 1);
    let trail = f.audit_of(receipt.distribution_id).await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "distribute_override");
    assert_eq!(
        trail[0]
            .after
            .as_ref()
            .and_then(|a| a["override_reason"].as_str()),
        Some("kit lost in the fire at the gym")
    );

    // Reads of receipts are in the access log; analysts may not read them at all.
    let log = f
        .store
        .access_log(&f.admin_a, Some(clerk.user_id), Some(household), 100)
        .await
        .expect("log");
    assert!(log.iter().all(|e| e.action == "read_receipts") && log.len() >= 3);
    let analyst = user(&f.store, org, "analyst@example.org", &[Role::Analyst]).await;
    assert!(matches!(
        f.store.entitlements(&analyst, household, now()).await,
        Err(StoreError::Forbidden)
    ));
    let report = f
        .store
        .distribution_report(
            &analyst,
            shanyrak_store::ReportDimension::Item,
            None,
            None,
            day(30),
        )
        .await
        .expect("report");
    let kits = report
        .iter()
        .find(|r| r.key == "hygiene_kit")
        .expect("kits row");
    assert_eq!(
        (kits.quantity, kits.distributions, kits.households),
        (5, 2, 1)
    );
    let stock = f
        .store
        .stock_report(&analyst, 60, 7.0, day(30))
        .await
        .expect("stock report");
    assert!(
        stock
            .iter()
            .all(|r| r.on_hand > 0 && r.daily_rate > 0.0 && r.days_left.is_some())
    );
}

async fn receipts_follow_a_person_who_moved_households(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let clerk = distributor(&f, org, "clerk@example.org").await;
    let kit = monthly_kit(&f, &clerk).await;
    let desk = point(&f, &clerk, "Мечеть").await;
    receive(&f, &clerk, desk, kit.id, 100).await;
    let first_home = create(&f, &f.registrar_a, &single("Петров")).await;
    give(&f, &clerk, first_home, desk, kit.id, 1, None, now())
        .await
        .expect("kit");
    // Petrov joins his cousin's household and is registered there again.
    let mut joined = family();
    if let Some(members) = joined.members.as_mut() {
        members.truncate(2);
        members.push(super::member(
            "Петров",
            "Иван",
            None,
            shanyrak_core::Relationship::OtherRelative,
            "1990-01-01",
        ));
    }
    let new_home = create(&f, &f.registrar_a, &joined).await;
    let moved = f.member_ids(&f.registrar_a, new_home).await[2];
    let original = f.member_ids(&f.registrar_a, first_home).await[0];
    let before = f
        .store
        .entitlements(&clerk, new_home, now())
        .await
        .expect("before linking");
    assert_eq!(before.items[0].remaining, Some(3));
    f.same_person(original, moved).await;
    let after = f
        .store
        .entitlements(&clerk, new_home, now())
        .await
        .expect("after linking");
    assert_eq!(after.items[0].remaining, Some(2), "his kit follows him");
    assert!(after.items[0].reasons.iter().any(|r| matches!(r,
        EntitlementReason::ReceivedWithAnotherHousehold { person_id, .. } if *person_id == moved)));
    assert!(
        after
            .recent
            .iter()
            .any(|r| !r.this_household && r.item_code == "hygiene_kit")
    );
    // Giving him a second kit needs a reason; the other members still get theirs.
    let ids = f.member_ids(&f.registrar_a, new_home).await;
    let only_him = validate_distribution(&DistributionInput {
        household_id: Some(new_home),
        point_id: Some(desk),
        lines: vec![LineInput {
            item_id: Some(kit.id),
            quantity: Some(1),
            person_ids: Some(vec![moved]),
        }],
        override_reason: None,
    })
    .expect("valid");
    assert!(refused_for_want_of_a_reason(
        f.store
            .record_distribution(&clerk, &only_him, None, now())
            .await
    ));
    let the_others = validate_distribution(&DistributionInput {
        household_id: Some(new_home),
        point_id: Some(desk),
        lines: vec![LineInput {
            item_id: Some(kit.id),
            quantity: Some(2),
            person_ids: Some(ids[..2].to_vec()),
        }],
        override_reason: None,
    })
    .expect("valid");
    f.store
        .record_distribution(&clerk, &the_others, None, now())
        .await
        .expect("the others");
    // A second kit for him, with a reason: the report counts him once among the people
    // served, though two household records received kits for him.
    let mut again = only_him.clone();
    again.override_reason = Some("lost his kit on the way".into());
    f.store
        .record_distribution(&clerk, &again, None, now())
        .await
        .expect("override");
    let analyst = user(&f.store, org, "analyst@example.org", &[Role::Analyst]).await;
    let report = f
        .store
        .distribution_report(
            &analyst,
            shanyrak_store::ReportDimension::Item,
            None,
            None,
            now(),
        )
        .await
        .expect("report");
    let kits = report
        .iter()
        .find(|r| r.key == "hygiene_kit")
        .expect("kits row");
    assert_eq!(
        (
            kits.quantity,
            kits.distributions,
            kits.households,
            kits.persons
        ),
        (4, 3, 2, 3),
        "Petrov twice, the two others once: three people"
    );
}

async fn double_dipping_across_organisations_is_flagged_only_under_an_agreement(f: Fixture) {
    let (org_a, org_b) = (f.registrar_a.organisation_id, f.registrar_b.organisation_id);
    let clerk_a = distributor(&f, org_a, "clerk-a@example.org").await;
    let clerk_b = distributor(&f, org_b, "clerk-b@example.org").await;
    let weekly = || vec![rule(EntitlementBasis::PerHousehold, 1, 7)];
    let parcel_a = item(&f, &clerk_a, "Продуктовый набор", "food_parcel", weekly()).await;
    let parcel_b = item(&f, &clerk_b, "Food parcel", "food_parcel", weekly()).await;
    let desk_a = point(&f, &clerk_a, "Кайнар пункт").await;
    let desk_b = point(&f, &clerk_b, "UNHCR desk").await;
    receive(&f, &clerk_a, desk_a, parcel_a.id, 10).await;
    receive(&f, &clerk_b, desk_b, parcel_b.id, 10).await;
    let at_a = create(&f, &f.registrar_a, &family()).await;
    let at_b = create(&f, &f.registrar_b, &single("Смирнов")).await;
    let smirnov_a = f.member_ids(&f.registrar_a, at_a).await[0];
    let smirnov_b = f.member_ids(&f.registrar_b, at_b).await[0];
    // Cross-organisation review needs an identity agreement and the server's index; the
    // decision's effect (one resolved identity) is written directly here.
    let (low, high) = if smirnov_a < smirnov_b {
        (smirnov_a, smirnov_b)
    } else {
        (smirnov_b, smirnov_a)
    };
    let literal = |id: Uuid| {
        if f._db.url.starts_with("sqlite:") {
            format!("X'{}'", id.simple())
        } else {
            format!("'{id}'")
        }
    };
    raw_execute(
        &f,
        &format!(
            "UPDATE persons SET identity_id = {} WHERE id IN ({}, {})",
            literal(low),
            literal(low),
            literal(high)
        ),
    )
    .await
    .expect("link identities");
    give(&f, &clerk_a, at_a, desk_a, parcel_a.id, 1, None, now())
        .await
        .expect("parcel at A");

    // Without an agreement B cannot see A's receipts: no flag.
    let unseen = f
        .store
        .entitlements(&clerk_b, at_b, now())
        .await
        .expect("B without agreement");
    assert_eq!(unseen.items[0].remaining, Some(1));
    assert!(unseen.recent.is_empty());

    let agreement = f
        .store
        .create_agreement(
            &f.admin_a,
            &ValidatedAgreement {
                to_organisation_id: org_b,
                categories: vec![SharingCategory::Distributions],
                purpose: "avoid double distribution".into(),
                valid_until: (now() + Duration::days(90)).date_naive(),
            },
            now(),
        )
        .await
        .expect("agreement");
    let seen = f
        .store
        .entitlements(&clerk_b, at_b, now())
        .await
        .expect("B under agreement");
    assert_eq!(seen.items[0].remaining, Some(0));
    assert!(seen.items[0].reasons.iter().any(|r| matches!(r,
        EntitlementReason::ReceivedWithAnotherHousehold { organisation_id, person_id, .. }
            if *organisation_id == org_a && *person_id == smirnov_b)));
    assert!(refused_for_want_of_a_reason(
        give(&f, &clerk_b, at_b, desk_b, parcel_b.id, 1, None, now()).await
    ));
    // The agreement is one-way: A does not see B's receipts.
    give(
        &f,
        &clerk_b,
        at_b,
        desk_b,
        parcel_b.id,
        1,
        Some("family arrived hungry; checked with Кайнар"),
        now(),
    )
    .await
    .expect("override at B");
    let a_view = f
        .store
        .entitlements(&clerk_a, at_a, now())
        .await
        .expect("A view");
    assert!(a_view.recent.iter().all(|r| r.organisation_id == org_a));
    // Withdrawn, A's receipts disappear from B's view at once.
    f.store
        .withdraw_agreement(&f.admin_a, agreement.id, now())
        .await
        .expect("withdraw");
    let after = f
        .store
        .entitlements(&clerk_b, at_b, now())
        .await
        .expect("after withdrawal");
    assert!(!after.recent.is_empty() && after.recent.iter().all(|r| r.organisation_id == org_b));
}

/// A person registered in two households (the pair decided "same") is handed a
/// once-a-month kit at two points at the same instant, through each household: one
/// succeeds and the other needs a reason, never both. Repeated with fresh people, as the
/// race is a matter of timing.
async fn one_person_in_two_households_gets_one_share_under_concurrency(f: Fixture) {
    let org = f.registrar_a.organisation_id;
    let clerk = distributor(&f, org, "clerk@example.org").await;
    let kit = monthly_kit(&f, &clerk).await;
    let station = point(&f, &clerk, "Вокзал").await;
    let mosque = point(&f, &clerk, "Мечеть").await;
    receive(&f, &clerk, station, kit.id, 100).await;
    receive(&f, &clerk, mosque, kit.id, 100).await;
    for round in 0..8 {
        let name = format!("Сидоров{round}");
        let first = create(&f, &f.registrar_a, &single(&name)).await;
        let second = create(&f, &f.registrar_a, &single(&name)).await;
        let (a, b) = (
            f.member_ids(&f.registrar_a, first).await[0],
            f.member_ids(&f.registrar_a, second).await[0],
        );
        f.same_person(a, b).await;
        let tasks: Vec<_> = [(first, a, station), (second, b, mosque)]
            .into_iter()
            .map(|(household, person, at)| {
                let store = f.store.clone();
                let clerk = clerk.clone();
                let kit = kit.id;
                tokio::spawn(async move {
                    let request = validate_distribution(&DistributionInput {
                        household_id: Some(household),
                        point_id: Some(at),
                        lines: vec![LineInput {
                            item_id: Some(kit),
                            quantity: Some(1),
                            person_ids: Some(vec![person]),
                        }],
                        override_reason: None,
                    })
                    .expect("valid");
                    store
                        .record_distribution(&clerk, &request, None, now())
                        .await
                })
            })
            .collect();
        let mut given = 0;
        for task in tasks {
            let result = task.await.expect("join");
            if result.is_ok() {
                given += 1;
            } else {
                assert!(refused_for_want_of_a_reason(result), "round {round}");
            }
        }
        assert_eq!(given, 1, "round {round}: one kit for one person");
    }
}

/// A daily meal given at 23:30 in Almaty and again at 00:30 is given on two days: the
/// deployment's calendar (Asia/Almaty by default, UTC+6 in 2022) decides the day, not UTC,
/// where both moments fall on the 27th.
async fn a_day_is_the_deployments_day_not_utcs(f: Fixture) {
    use chrono::TimeZone;
    let org = f.registrar_a.organisation_id;
    let clerk = distributor(&f, org, "clerk@example.org").await;
    let meal = item(
        &f,
        &clerk,
        "Hot meal",
        "hot_meal",
        vec![rule(EntitlementBasis::PerHousehold, 1, 1)],
    )
    .await;
    let desk = point(&f, &clerk, "Столовая").await;
    receive(&f, &clerk, desk, meal.id, 10).await;
    let household = create(&f, &f.registrar_a, &family()).await;
    let at = |h: u32, m: u32| {
        Utc.with_ymd_and_hms(2022, 9, 27, h, m, 0)
            .single()
            .expect("t")
    };

    // 23:30 local on the 27th.
    let evening = give(&f, &clerk, household, desk, meal.id, 1, None, at(17, 30))
        .await
        .expect("the evening meal");
    let DistributionOutcome::Recorded(evening) = evening else {
        panic!("recorded")
    };
    assert_eq!(evening.distributed_on.to_string(), "2022-09-27");
    // 23:50 local, same day: a second meal needs a reason.
    assert!(refused_for_want_of_a_reason(
        give(&f, &clerk, household, desk, meal.id, 1, None, at(17, 50)).await
    ));
    // 00:30 local on the 28th (18:30 UTC on the 27th): a new day, a new meal.
    let view = f
        .store
        .entitlements_at_point(&clerk, household, desk, at(18, 30))
        .await
        .expect("entitlements");
    let remaining = view
        .items
        .iter()
        .find(|i| i.item_id == meal.id)
        .and_then(|i| i.remaining);
    assert_eq!(remaining, Some(1), "the new day's meal is owed");
    let night = give(&f, &clerk, household, desk, meal.id, 1, None, at(18, 30))
        .await
        .expect("the next day's meal, without a reason");
    let DistributionOutcome::Recorded(night) = night else {
        panic!("recorded")
    };
    assert_eq!(night.distributed_on.to_string(), "2022-09-28");
    assert!(!night.overridden);
}

/// Two points, one in Uralsk (Asia/Oral, UTC+5 in 2022) and one in Almaty (UTC+6): at
/// 18:30 UTC it is 23:30 in Uralsk and 00:30 of the next day in Almaty, so a daily meal
/// already given that day is still given in Uralsk and owed again in Almaty; an hour
/// later Uralsk's day turns too.
async fn a_points_day_is_the_day_in_its_citys_zone(f: Fixture) {
    use chrono::TimeZone;
    let org = f.registrar_a.organisation_id;
    let clerk = distributor(&f, org, "clerk@example.org").await;
    let meal = item(
        &f,
        &clerk,
        "Hot meal",
        "hot_meal",
        vec![rule(EntitlementBasis::PerHousehold, 1, 1)],
    )
    .await;
    let uralsk = point_in(&f, &clerk, "Вокзал", "Уральск").await;
    let almaty = point_in(&f, &clerk, "Столовая", "Алматы").await;
    receive(&f, &clerk, uralsk, meal.id, 10).await;
    receive(&f, &clerk, almaty, meal.id, 10).await;
    let at = |h: u32, m: u32| {
        Utc.with_ymd_and_hms(2022, 9, 27, h, m, 0)
            .single()
            .expect("t")
    };
    let recorded_on = |outcome: Result<DistributionOutcome, StoreError>| match outcome {
        Ok(DistributionOutcome::Recorded(d)) => {
            assert!(!d.overridden);
            d.distributed_on.to_string()
        }
        other => panic!("not recorded: {other:?}"),
    };
    let owed = |view: shanyrak_store::EntitlementView| {
        view.items
            .iter()
            .find(|i| i.item_id == meal.id)
            .and_then(|i| i.remaining)
    };

    // Uralsk, 23:30 on the 27th: the day's meal, then no second one that day.
    let first = create(&f, &f.registrar_a, &single("Иванов")).await;
    let given = give(&f, &clerk, first, uralsk, meal.id, 1, None, at(18, 30)).await;
    assert_eq!(recorded_on(given), "2022-09-27", "23:30 in Uralsk");
    assert!(refused_for_want_of_a_reason(
        give(&f, &clerk, first, uralsk, meal.id, 1, None, at(18, 40)).await
    ));
    let at_uralsk = f
        .store
        .entitlements_at_point(&clerk, first, uralsk, at(18, 40))
        .await
        .expect("entitlements");
    assert_eq!(at_uralsk.on.to_string(), "2022-09-27");
    assert_eq!(owed(at_uralsk), Some(0));
    // The same moment is 00:40 on the 28th in Almaty: the new day's meal is owed there.
    let at_almaty = f
        .store
        .entitlements_at_point(&clerk, first, almaty, at(18, 40))
        .await
        .expect("entitlements");
    assert_eq!(at_almaty.on.to_string(), "2022-09-28");
    assert_eq!(owed(at_almaty), Some(1));
    let given = give(&f, &clerk, first, almaty, meal.id, 1, None, at(18, 40)).await;
    assert_eq!(recorded_on(given), "2022-09-28", "00:40 in Almaty");

    // Another family in Almaty: 23:30 there is the 27th, 00:30 the 28th.
    let second = create(&f, &f.registrar_a, &single("Петров")).await;
    let given = give(&f, &clerk, second, almaty, meal.id, 1, None, at(17, 30)).await;
    assert_eq!(recorded_on(given), "2022-09-27", "23:30 in Almaty");
    let given = give(&f, &clerk, second, almaty, meal.id, 1, None, at(18, 30)).await;
    assert_eq!(recorded_on(given), "2022-09-28", "00:30 in Almaty");

    // A third family in Uralsk at 00:30 there (19:30 UTC): the 28th.
    let third = create(&f, &f.registrar_a, &single("Сидоров")).await;
    let given = give(&f, &clerk, third, uralsk, meal.id, 1, None, at(19, 30)).await;
    assert_eq!(recorded_on(given), "2022-09-28", "00:30 in Uralsk");
    // Without a point, the household's place (Oral) decides: 23:30 there is the 27th.
    let view = f
        .store
        .entitlements(&clerk, third, at(18, 30))
        .await
        .expect("entitlements");
    assert_eq!(view.on.to_string(), "2022-09-27");
}
