use super::*;

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 10, 1).unwrap_or_default() + chrono::Duration::days(n)
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn adult(n: u128) -> MemberSnapshot {
    MemberSnapshot {
        person_id: id(n),
        identity: id(n),
        birth_date: BirthDate::parse("1990-05-05").unwrap_or(BirthDate::full(day(-10_000))),
    }
}

fn baby(n: u128, birth: &str) -> MemberSnapshot {
    MemberSnapshot {
        birth_date: BirthDate::parse(birth).unwrap_or(BirthDate::full(day(0))),
        ..adult(n)
    }
}

fn household(hid: u128, members: Vec<MemberSnapshot>) -> HouseholdSnapshot {
    HouseholdSnapshot {
        id: id(hid),
        group: PopulationGroup::Arrival,
        members,
    }
}

const KIT: u128 = 900;
const PARCEL: u128 = 901;
const BABY_KIT: u128 = 902;
const ORG: u128 = 800;

fn rules(item: u128, basis: EntitlementBasis, quantity: u32, period_days: u32) -> ItemRules {
    ItemRules {
        item_id: id(item),
        rules: vec![EntitlementRule {
            basis,
            quantity,
            period_days,
            condition: None,
            population_group: None,
        }],
    }
}

fn given(date: NaiveDate, hid: u128, item: u128, shares: &[(u128, u32)]) -> PastDistribution {
    PastDistribution {
        date,
        organisation_id: id(ORG),
        household_id: id(hid),
        item_id: id(item),
        quantity: shares.iter().map(|(_, q)| q).sum(),
        shares: shares
            .iter()
            .map(|(p, q)| Share {
                identity: id(*p),
                quantity: *q,
            })
            .collect(),
    }
}

fn line(item: u128, quantity: u32) -> RequestedLine {
    RequestedLine {
        item_id: id(item),
        quantity,
        person_ids: None,
    }
}

#[test]
fn a_thirty_day_window_blocks_day_29_and_frees_day_30() {
    let h = household(1, vec![adult(10)]);
    let kit = rules(KIT, EntitlementBasis::PerPerson, 1, 30);
    let past = [given(day(0), 1, KIT, &[(10, 1)])];
    let on_29 = entitlement(&h, &kit, day(29), &past);
    assert_eq!(on_29.remaining, Some(0));
    assert_eq!(on_29.entitled_again_on, Some(day(30)));
    assert_eq!(entitlement(&h, &kit, day(30), &past).remaining, Some(1));
    assert!(in_window(day(0), day(0), 30) && in_window(day(0), day(29), 30));
    assert!(!in_window(day(0), day(30), 30));
    // A receipt recorded with a later date (another time zone) still counts.
    assert_eq!(
        entitlement(&h, &kit, day(0), &[given(day(1), 1, KIT, &[(10, 1)])]).remaining,
        Some(0)
    );
}

#[test]
fn weekly_household_parcel_counts_the_household_not_its_size() {
    let h = household(1, vec![adult(10), adult(11), adult(12)]);
    let parcel = rules(PARCEL, EntitlementBasis::PerHousehold, 1, 7);
    let fresh = entitlement(&h, &parcel, day(0), &[]);
    assert_eq!((fresh.allowed, fresh.remaining), (1, Some(1)));
    let past = [given(day(0), 1, PARCEL, &[(10, 1), (11, 0), (12, 0)])];
    assert_eq!(entitlement(&h, &parcel, day(6), &past).remaining, Some(0));
    assert_eq!(entitlement(&h, &parcel, day(7), &past).remaining, Some(1));
    let assessed = assess(&h, &[parcel], day(3), &past, &[line(PARCEL, 1)]).unwrap_or_default();
    assert_eq!(assessed[0].over_by, 1);
    assert_eq!(assessed[0].shares.len(), 3, "every member is covered");
}

#[test]
fn per_person_kits_scale_with_members_and_count_each_person() {
    let h = household(1, vec![adult(10), adult(11), adult(12)]);
    let kit = rules(KIT, EntitlementBasis::PerPerson, 1, 30);
    let past = [given(day(0), 1, KIT, &[(10, 1)])];
    let e = entitlement(&h, &kit, day(5), &past);
    assert_eq!((e.allowed, e.received, e.remaining), (3, 1, Some(2)));
    let assessed = assess(
        &h,
        std::slice::from_ref(&kit),
        day(5),
        &past,
        &[line(KIT, 3)],
    )
    .unwrap_or_default();
    assert_eq!(assessed[0].over_by, 1);
    // The two who had nothing get one each; the excess is spread.
    let of = |p: u128| {
        assessed[0]
            .shares
            .iter()
            .find(|s| s.person_id == id(p))
            .map(|s| s.quantity)
    };
    assert_eq!((of(10), of(11), of(12)), (Some(1), Some(1), Some(1)));
    let within = assess(&h, &[kit], day(5), &past, &[line(KIT, 2)]).unwrap_or_default();
    assert_eq!(within[0].over_by, 0);
    assert_eq!(
        within[0]
            .shares
            .iter()
            .find(|s| s.person_id == id(10))
            .map(|s| s.quantity),
        Some(0)
    );
}

#[test]
fn a_person_who_moved_households_brings_their_receipts() {
    // Person 10 received a kit with household 1, then was registered in household 2
    // as person 20, resolved to the same identity.
    let moved = MemberSnapshot {
        person_id: id(20),
        identity: id(10),
        ..adult(20)
    };
    let new_home = household(2, vec![moved, adult(21)]);
    let kit = rules(KIT, EntitlementBasis::PerPerson, 1, 30);
    let parcel = rules(PARCEL, EntitlementBasis::PerHousehold, 1, 7);
    let past = [
        given(day(0), 1, KIT, &[(10, 1)]),
        given(day(0), 1, PARCEL, &[(10, 1), (13, 0)]),
    ];
    let kits = entitlement(&new_home, &kit, day(10), &past);
    assert_eq!(
        kits.remaining,
        Some(1),
        "only the newcomer's own kit is left"
    );
    assert!(
        kits.persons
            .iter()
            .any(|p| p.person_id == id(20) && p.remaining == 0)
    );
    assert!(
        kits.reasons.iter().any(|r| matches!(r,
        EntitlementReason::ReceivedWithAnotherHousehold { person_id, .. } if *person_id == id(20)))
    );
    let parcels = entitlement(&new_home, &parcel, day(3), &past);
    assert_eq!(
        parcels.remaining,
        Some(0),
        "a member was fed with another household this week"
    );
    assert_eq!(
        entitlement(&new_home, &parcel, day(7), &past).remaining,
        Some(1)
    );
    // The old household's other member is not affected by the mover's new household.
    let old_home = household(1, vec![adult(13)]);
    assert_eq!(
        entitlement(&old_home, &kit, day(10), &past).remaining,
        Some(1)
    );
}

#[test]
fn one_person_twice_in_a_household_is_entitled_once() {
    let twin_record = MemberSnapshot {
        person_id: id(11),
        identity: id(10),
        ..adult(11)
    };
    let h = household(1, vec![adult(10), twin_record]);
    let kit = rules(KIT, EntitlementBasis::PerPerson, 1, 30);
    assert_eq!(entitlement(&h, &kit, day(0), &[]).allowed, 1);
}

#[test]
fn baby_kits_only_for_households_with_a_child_under_two() {
    let baby_kit = ItemRules {
        item_id: id(BABY_KIT),
        rules: vec![EntitlementRule {
            basis: EntitlementBasis::PerHousehold,
            quantity: 1,
            period_days: 30,
            condition: Some(EntitlementCondition::ChildUnderMonths { months: 24 }),
            population_group: None,
        }],
    };
    // day(0) is 2022-10-01; born 2020-10-01 turns two that day.
    let two_today = household(1, vec![adult(10), baby(11, "2020-10-01")]);
    let e = entitlement(&two_today, &baby_kit, day(0), &[]);
    assert_eq!(e.remaining, Some(0));
    assert_eq!(e.reasons, vec![EntitlementReason::ConditionNotMet]);
    let two_tomorrow = household(1, vec![adult(10), baby(11, "2020-10-02")]);
    assert_eq!(
        entitlement(&two_tomorrow, &baby_kit, day(0), &[]).remaining,
        Some(1)
    );
    // Known only to the month: the latest day of that month counts.
    let month_only = household(1, vec![baby(11, "2020-10")]);
    assert_eq!(
        entitlement(&month_only, &baby_kit, day(29), &[]).remaining,
        Some(1)
    );
    assert_eq!(
        entitlement(&month_only, &baby_kit, day(30), &[]).remaining,
        Some(0)
    );
    let assessed =
        assess(&two_today, &[baby_kit], day(0), &[], &[line(BABY_KIT, 1)]).unwrap_or_default();
    assert_eq!(assessed[0].over_by, 1, "not entitled at all");
}

#[test]
fn group_specific_rules_win_and_other_groups_are_not_entitled() {
    let mut voucher = rules(PARCEL, EntitlementBasis::PerHousehold, 1, 7);
    voucher.rules[0].population_group = Some(PopulationGroup::Idp);
    let h = household(1, vec![adult(10)]);
    let e = entitlement(&h, &voucher, day(0), &[]);
    assert_eq!(
        (e.remaining, e.reasons.clone()),
        (Some(0), vec![EntitlementReason::NotInGroup])
    );
    voucher.rules.push(EntitlementRule {
        population_group: Some(PopulationGroup::Arrival),
        quantity: 2,
        ..voucher.rules[0].clone()
    });
    assert_eq!(entitlement(&h, &voucher, day(0), &[]).remaining, Some(2));
}

#[test]
fn items_without_rules_are_not_limited_and_unknown_persons_are_refused() {
    let h = household(1, vec![adult(10)]);
    let assessed = assess(&h, &[], day(0), &[], &[line(KIT, 40)]).unwrap_or_default();
    assert_eq!(
        (assessed[0].over_by, assessed[0].entitlement.remaining),
        (0, None)
    );
    let stranger = RequestedLine {
        person_ids: Some(vec![id(99)]),
        ..line(KIT, 1)
    };
    assert_eq!(
        assess(&h, &[], day(0), &[], &[stranger]),
        Err(AssessError::UnknownPerson {
            line: 0,
            position: 0
        })
    );
}

#[test]
fn entitled_again_waits_for_enough_receipts_to_leave_the_window() {
    let h = household(1, vec![adult(10)]);
    let parcel = rules(PARCEL, EntitlementBasis::PerHousehold, 2, 7);
    let past = [
        given(day(0), 1, PARCEL, &[(10, 1)]),
        given(day(3), 1, PARCEL, &[(10, 1)]),
    ];
    let e = entitlement(&h, &parcel, day(4), &past);
    assert_eq!((e.remaining, e.entitled_again_on), (Some(0), Some(day(7))));
}

#[test]
fn the_smallest_quantity_is_refused_not_overflowed() {
    for route in [
        MovementRoute::Transfer,
        MovementRoute::Adjustment,
        MovementRoute::Receipt,
    ] {
        let input = MovementInput {
            item_id: Some(id(KIT)),
            quantity: Some(i64::MIN),
            kind: (route == MovementRoute::Adjustment).then_some(LedgerKind::Loss),
            reason: Some("counted".into()),
            to_point_id: Some(id(KIT)),
        };
        let errors = validate_movement(&input, route).err().unwrap_or_default();
        assert!(
            errors.errors.iter().any(|e| e.pointer == "#/quantity"),
            "{errors:?}"
        );
    }
}

#[test]
fn movements_and_distributions_are_validated_with_pointers() {
    let loss = MovementInput {
        item_id: Some(id(KIT)),
        quantity: Some(3),
        kind: Some(LedgerKind::Loss),
        ..MovementInput::default()
    };
    let errors = validate_movement(&loss, MovementRoute::Adjustment)
        .err()
        .unwrap_or_default();
    assert_eq!(errors.errors[0].pointer, "#/reason");
    let ok = validate_movement(
        &MovementInput {
            reason: Some("wet".into()),
            ..loss
        },
        MovementRoute::Adjustment,
    );
    assert_eq!(ok.map(|m| m.delta), Ok(-3));
    let transfer = MovementInput {
        item_id: Some(id(KIT)),
        quantity: Some(0),
        ..MovementInput::default()
    };
    let errors = validate_movement(&transfer, MovementRoute::Transfer)
        .err()
        .unwrap_or_default();
    let pointers: Vec<&str> = errors.errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(pointers, vec!["#/quantity", "#/to_point_id"]);
    let twice = DistributionInput {
        household_id: Some(id(1)),
        point_id: Some(id(2)),
        lines: vec![
            LineInput {
                item_id: Some(id(KIT)),
                quantity: Some(1),
                person_ids: None,
            },
            LineInput {
                item_id: Some(id(KIT)),
                quantity: Some(0),
                person_ids: None,
            },
        ],
        override_reason: Some("  ".into()),
    };
    let errors = validate_distribution(&twice).err().unwrap_or_default();
    let pointers: Vec<&str> = errors.errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        vec![
            "#/lines/1/item_id",
            "#/lines/1/quantity",
            "#/override_reason"
        ]
    );
}

fn translation(name: Option<&str>, unit: Option<&str>) -> ItemTranslationInput {
    ItemTranslationInput {
        name: name.map(str::to_owned),
        unit: unit.map(str::to_owned),
    }
}

#[test]
fn item_names_are_kept_per_language_and_fall_back_to_the_items_own() {
    let item = validate_item(&ItemInput {
        name: Some("Гигиенический набор".into()),
        unit: Some("набор".into()),
        translations: [
            (
                "en".to_owned(),
                translation(Some("Hygiene kit"), Some("kit")),
            ),
            (
                "kk".to_owned(),
                translation(Some("Гигиеналық жиынтық"), None),
            ),
        ]
        .into(),
        ..ItemInput::default()
    })
    .expect("valid item");
    let shown = |language| localized_item(&item.translations, language, &item.name, &item.unit);
    assert_eq!(shown("en"), ("Hygiene kit", "kit"));
    assert_eq!(
        shown("kk"),
        ("Гигиеналық жиынтық", "набор"),
        "unit falls back"
    );
    assert_eq!(
        shown("ky"),
        ("Гигиенический набор", "набор"),
        "no translation"
    );
}

#[test]
fn item_translations_name_the_language_and_field_at_fault() {
    let errors = validate_item(&ItemInput {
        name: Some("Одеяло".into()),
        unit: Some("шт.".into()),
        translations: [
            ("en".to_owned(), translation(None, Some("pcs"))),
            ("English".to_owned(), translation(Some("Blanket"), None)),
            ("ky".to_owned(), translation(Some(&"ж".repeat(500)), None)),
        ]
        .into(),
        ..ItemInput::default()
    })
    .expect_err("invalid translations");
    let pointers: Vec<_> = errors.errors.iter().map(|e| e.pointer.as_str()).collect();
    assert!(pointers.contains(&"#/translations/en/name"), "{pointers:?}");
    assert!(pointers.contains(&"#/translations"), "{pointers:?}");
    assert!(pointers.contains(&"#/translations/ky/name"), "{pointers:?}");

    let missing = validate_item_translations(&ItemTranslationsInput { translations: None })
        .expect_err("required");
    assert_eq!(missing.errors[0].pointer, "#/translations");
    let cleared = validate_item_translations(&ItemTranslationsInput {
        translations: Some(Default::default()),
    })
    .expect("{} clears");
    assert!(cleared.is_empty());
}
