//! Figures computed with `GROUP BY` in the database equal the in-Rust computation over
//! every person row (the previous way), with merged identities and partial birth dates.

use chrono::{Duration, NaiveDate};
use shanyrak_core::stats::{
    age_by_sex, age_by_sex_cells, city_by_group, city_by_group_cells, population,
    population_from_cells,
};
use shanyrak_core::{HouseholdInput, LocationInput, Relationship, Sex};
use uuid::Uuid;

use super::{
    Fixture, admit_now, create, family, member, mixed, now, open_rules, raw_execute, reserve_until,
    site_with_pool,
};

on_both_backends!(
    sql_figures_equal_the_row_by_row_computation,
    placements_are_counted_per_day,
    snapshot_plus_what_came_after_equals_the_live_figures,
    bed_figures_equal_the_site_views,
    registry_pages_carry_every_current_person_once,
);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 9, 28).unwrap_or_default()
}

/// A household in `city` of people born on the given (possibly partial) dates.
fn household(city: &str, births: &[(&str, Sex)]) -> HouseholdInput {
    let mut h = family();
    h.location = Some(LocationInput {
        country: Some("KZ".into()),
        region: None,
        city: Some(city.into()),
        place_id: None,
    });
    h.members = Some(
        births
            .iter()
            .enumerate()
            .map(|(i, (birth, sex))| {
                let relationship = if i == 0 {
                    Relationship::Head
                } else {
                    Relationship::Child
                };
                let mut m = member("Петров", "Иван", None, relationship, birth);
                m.sex = Some(*sex);
                m.citizenship = Some(if i % 2 == 0 { "RU" } else { "KG" }.into());
                m
            })
            .collect(),
    );
    h
}

async fn sql_figures_equal_the_row_by_row_computation(f: Fixture) {
    // Birthdays around "today" (28 Sep 2022) and partial dates (month July, day 1).
    let first = create(
        &f,
        &f.registrar_a,
        &household(
            "Oral",
            &[
                ("1962-09-28", Sex::Female),
                ("2004-09-29", Sex::Male),
                ("2017-09", Sex::Female),
                ("2017-10", Sex::Male),
            ],
        ),
    )
    .await;
    let second = create(
        &f,
        &f.registrar_a,
        &household(
            "Almaty",
            &[("1962-09-28", Sex::Female), ("2017", Sex::Male)],
        ),
    )
    .await;
    let mut other = household("Bishkek", &[("1990", Sex::Male)]);
    other.crossing_point = None;
    other.arrival_date = None;
    create(&f, &f.registrar_b, &other).await;
    // The first member of each household is one person, registered twice.
    let (a, b) = (
        f.member_ids(&f.registrar_a, first).await[0],
        f.member_ids(&f.registrar_a, second).await[0],
    );
    f.same_person(a, b).await;

    let org_a = f.registrar_a.organisation_id;
    let org_b = f.registrar_b.organisation_id;
    for scope in [
        Some(vec![org_a]),
        Some(vec![org_b]),
        Some(vec![org_a, org_b]),
        None,
    ] {
        let cells = f
            .store
            .population_cells(scope.as_deref(), today(), None)
            .await
            .expect("cells");
        let rows = match scope.as_deref() {
            Some([one]) => f.store.population_rows(Some(*one)).await.expect("rows"),
            _ => f.store.population_rows(None).await.expect("rows"),
        };
        let old = population(&rows, today());
        assert_eq!(population_from_cells(&cells), old, "scope {scope:?}");
        assert_eq!(city_by_group_cells(&cells), city_by_group(&rows));
        assert_eq!(age_by_sex_cells(&cells), age_by_sex(&rows, today()));
    }
    let mine = live_population(&f, Some(&[org_a])).await;
    // Six records, five people: the person registered twice counts once.
    assert_eq!((mine.records, mine.persons), (6, 5));
    assert_eq!(mine.by_city.get("KZ/Oral"), Some(&4));
    assert_eq!(mine.by_city.get("KZ/Almaty"), Some(&1));
    assert_eq!(mine.by_age_band.get("60+"), Some(&1));
    assert_eq!(mine.by_age_band.get("12-17"), Some(&1));
    assert_eq!(mine.by_age_band.get("5-11"), Some(&2));
    assert_eq!(mine.by_age_band.get("0-4"), Some(&1));
    // An empty scope is nothing, not everything.
    assert!(
        f.store
            .population_cells(Some(&[]), today(), None)
            .await
            .expect("cells")
            .is_empty()
    );
}

async fn placements_are_counted_per_day(f: Fixture) {
    let (_, pool) = site_with_pool(&f, mixed(10), open_rules()).await;
    let h = create(&f, &f.registrar_a, &family()).await;
    f.admitted(h, pool).await;
    let org_a = f.admin_a.organisation_id;
    let days = f
        .store
        .placements_per_day(Some(&[org_a]), None)
        .await
        .expect("placements");
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].0, now().date_naive());
    assert!(days[0].1 >= 1);
    let none = f
        .store
        .placements_per_day(Some(&[f.registrar_b.organisation_id]), None)
        .await
        .expect("placements");
    assert!(none.is_empty());
}

/// The live population figures of `scope`, from every record.
async fn live_population(
    f: &Fixture,
    scope: Option<&[Uuid]>,
) -> shanyrak_core::stats::PopulationStats {
    let cells = f
        .store
        .population_cells(scope, today(), None)
        .await
        .expect("live");
    population_from_cells(&cells)
}

/// `figures` summed: snapshot cells and the live cells written after it.
async fn snapshot_and_after(
    f: &Fixture,
    scope: Option<&[Uuid]>,
    since: chrono::DateTime<chrono::Utc>,
) -> shanyrak_core::stats::PopulationStats {
    let mut cells = f.store.snapshot_population(scope).await.expect("snapshot");
    cells.extend(
        f.store
            .population_cells(scope, today(), Some(since))
            .await
            .expect("after"),
    );
    population_from_cells(&cells)
}

async fn snapshot_plus_what_came_after_equals_the_live_figures(f: Fixture) {
    let org_a = f.registrar_a.organisation_id;
    let org_b = f.registrar_b.organisation_id;
    let first = create(
        &f,
        &f.registrar_a,
        &household(
            "Oral",
            &[("1962-09-28", Sex::Female), ("2017-09", Sex::Male)],
        ),
    )
    .await;
    let second = create(
        &f,
        &f.registrar_a,
        &household("Almaty", &[("1962-09-28", Sex::Female)]),
    )
    .await;
    let at_b = create(
        &f,
        &f.registrar_b,
        &household("Bishkek", &[("1962-09-28", Sex::Female)]),
    )
    .await;
    // One woman registered three times: twice by A, once by B (a decision's effect, as the
    // server would write it under an identity agreement).
    let mut same = [
        f.member_ids(&f.registrar_a, first).await[0],
        f.member_ids(&f.registrar_a, second).await[0],
        f.store
            .get_household(&f.registrar_b, at_b)
            .await
            .expect("B")
            .members[0]
            .id,
    ];
    same.sort();
    let literal = |id: Uuid| {
        if f._db.url.starts_with("sqlite:") {
            format!("X'{}'", id.simple())
        } else {
            format!("'{id}'")
        }
    };
    let listed: Vec<String> = same.iter().map(|id| literal(*id)).collect();
    raw_execute(
        &f,
        &format!(
            "UPDATE persons SET identity_id = {} WHERE id IN ({})",
            literal(same[0]),
            listed.join(", ")
        ),
    )
    .await
    .expect("one identity");
    let (_, pool) = site_with_pool(&f, mixed(10), open_rules()).await;
    f.admitted(first, pool).await;

    let info = f
        .store
        .refresh_figure_snapshot(now())
        .await
        .expect("snapshot");
    assert_eq!(info.computed_at, now());
    assert_eq!(
        f.store.figure_snapshot_info().await.expect("info"),
        Some(info)
    );
    let scopes = [
        Some(vec![org_a]),
        Some(vec![org_b]),
        Some(vec![org_a, org_b]),
        Some(vec![org_b, org_a]),
        None,
    ];
    for scope in &scopes {
        let live = live_population(&f, scope.as_deref()).await;
        assert_eq!(
            snapshot_and_after(&f, scope.as_deref(), now()).await,
            live,
            "scope {scope:?}"
        );
    }
    // The woman counts once wherever two of her records are in scope, and in B alone too.
    let both = snapshot_and_after(&f, Some(&[org_a, org_b]), now()).await;
    assert_eq!((both.records, both.persons), (4, 2));
    let only_b = snapshot_and_after(&f, Some(&[org_b]), now()).await;
    assert_eq!((only_b.records, only_b.persons), (1, 1));

    // Waiting households in the snapshot are those of the waiting list at that time.
    let waiting = f
        .store
        .snapshot_waiting(Some(&[org_a]))
        .await
        .expect("waiting");
    let list = f
        .store
        .waiting_list(&f.admin_a, None, now())
        .await
        .expect("list");
    assert_eq!(
        waiting.iter().map(|w| w.households).sum::<u64>(),
        list.len() as u64
    );
    assert_eq!(
        waiting.iter().map(|w| w.persons).sum::<u64>(),
        list.iter().map(|w| u64::from(w.persons)).sum::<u64>()
    );
    assert!(waiting.iter().all(|w| w.city == "Almaty"), "{waiting:?}");
    // Written after the snapshot: a household of B and a placement. The live part adds
    // them; the snapshot is unchanged until refreshed.
    let later = now() + Duration::hours(1);
    let mut newcomer = household("Bishkek", &[("1990", Sex::Male), ("2020", Sex::Female)]);
    newcomer.arrival_date = Some("2022-09-28".into());
    let newcomer_valid = super::valid(&newcomer);
    f.store
        .create_household(&f.registrar_b, &newcomer_valid, None, later)
        .await
        .expect("newcomer");
    f.store
        .admit(&f.admin_a, &admit_now(second, pool), later)
        .await
        .expect("admit later");
    for scope in &scopes {
        let live = live_population(&f, scope.as_deref()).await;
        assert_eq!(
            snapshot_and_after(&f, scope.as_deref(), now()).await,
            live,
            "scope {scope:?} after"
        );
        let mut days = f
            .store
            .snapshot_placements(scope.as_deref())
            .await
            .expect("placements");
        days.extend(
            f.store
                .placements_per_day(scope.as_deref(), Some(now()))
                .await
                .expect("after"),
        );
        let made: u64 = days.iter().map(|d| d.1).sum();
        let live_made: u64 = f
            .store
            .placements_per_day(scope.as_deref(), None)
            .await
            .expect("live")
            .iter()
            .map(|d| d.1)
            .sum();
        assert_eq!(made, live_made, "scope {scope:?}");
    }
    assert_eq!(
        f.store
            .snapshot_population(Some(&[org_b]))
            .await
            .expect("snapshot")
            .iter()
            .map(|c| c.records)
            .sum::<u64>(),
        1
    );

    // A refresh takes everything in, and an empty scope is nothing.
    f.store
        .refresh_figure_snapshot(later)
        .await
        .expect("refresh");
    let refreshed = snapshot_and_after(&f, None, later).await;
    assert_eq!((refreshed.records, refreshed.persons), (6, 4));
    // Two processes refreshing at once (PostgreSQL) do not both fill the tables, and an
    // older refresh never replaces a newer one.
    let (first, second) = tokio::join!(
        f.store
            .refresh_figure_snapshot(later + Duration::seconds(1)),
        f.store
            .refresh_figure_snapshot(later + Duration::seconds(2)),
    );
    first.expect("first");
    second.expect("second");
    let twice = snapshot_and_after(&f, None, later + Duration::seconds(2)).await;
    assert_eq!((twice.records, twice.persons), (6, 4));
    assert_eq!(
        f.store
            .figure_snapshot_info()
            .await
            .expect("info")
            .map(|i| i.computed_at),
        Some(later + Duration::seconds(2))
    );
    let stale = f.store.refresh_figure_snapshot(later).await.expect("older");
    assert_eq!(
        stale.computed_at,
        later + Duration::seconds(2),
        "an older refresh gives way"
    );
    assert!(
        f.store
            .snapshot_population(Some(&[]))
            .await
            .expect("empty")
            .is_empty()
    );
    assert!(
        f.store
            .snapshot_waiting(Some(&[org_a]))
            .await
            .expect("waiting")
            .is_empty()
    );
}

/// Beds summed in SQL equal the sums of the site views (`PoolView`), with family rooms,
/// blocked and transitory beds, a one-night stay, and a reservation before and after expiry.
async fn bed_figures_equal_the_site_views(f: Fixture) {
    use shanyrak_core::shelter::{BedPoolInput, PoolKind};
    use shanyrak_store::AdmissionRequest;

    let rooms = BedPoolInput {
        kind: Some(PoolKind::FamilyRoom),
        room_size: Some(4),
        beds: Some(14),
        blocked_beds: 2,
        ..BedPoolInput::default()
    };
    let (_, family_pool) = site_with_pool(&f, rooms, open_rules()).await;
    let dorm = BedPoolInput {
        kind: Some(PoolKind::Mixed),
        beds: Some(20),
        blocked_beds: 3,
        transitory_beds: 5,
        ..BedPoolInput::default()
    };
    let (_, dorm_pool) = site_with_pool(&f, dorm, open_rules()).await;
    let (_, empty_pool) = site_with_pool(&f, mixed(7), open_rules()).await;
    let _ = empty_pool;
    let checked_in = create(&f, &f.registrar_a, &family()).await;
    f.admitted(checked_in, family_pool).await;
    let reserved = create(&f, &f.registrar_a, &family()).await;
    f.store
        .admit(
            &f.admin_a,
            &reserve_until(reserved, dorm_pool, now() + Duration::hours(1)),
            now(),
        )
        .await
        .expect("reservation");
    let passing = create(&f, &f.registrar_a, &family()).await;
    f.store
        .admit(
            &f.admin_a,
            &AdmissionRequest {
                one_night: true,
                ..admit_now(passing, dorm_pool)
            },
            now(),
        )
        .await
        .expect("one night");

    for at in [now(), now() + Duration::hours(2)] {
        let mut expected: std::collections::BTreeMap<(String, String), (u64, u64, u64, u64)> =
            std::collections::BTreeMap::new();
        for site in f.store.list_sites_all(None, at).await.expect("sites") {
            for pool in &site.pools {
                let e = expected
                    .entry((
                        site.site.details.location.city.clone(),
                        pool.spec.kind.as_str().to_owned(),
                    ))
                    .or_default();
                e.0 += pool.capacity();
                e.1 += u64::from(pool.occupied);
                e.2 += u64::from(pool.reserved);
                e.3 += pool.free_beds();
            }
        }
        let summed: std::collections::BTreeMap<(String, String), (u64, u64, u64, u64)> = f
            .store
            .bed_figures(at)
            .await
            .expect("beds")
            .into_iter()
            .map(|(_, city, kind, capacity, occupied, reserved, free)| {
                (
                    (city, kind.as_str().to_owned()),
                    (capacity, occupied, reserved, free),
                )
            })
            .collect();
        assert_eq!(summed, expected, "at {at}");
    }
    // The reservation holds its beds until it expires.
    let held = f.store.bed_figures(now()).await.expect("beds");
    let later = f
        .store
        .bed_figures(now() + Duration::hours(2))
        .await
        .expect("beds");
    let mixed_free = |rows: &[(
        shanyrak_core::CountryCode,
        String,
        PoolKind,
        u64,
        u64,
        u64,
        u64,
    )]| {
        rows.iter()
            .filter(|r| r.2 == PoolKind::Mixed)
            .map(|r| r.6)
            .sum::<u64>()
    };
    assert!(mixed_free(&later) > mixed_free(&held));
}

/// The registry export's flat pages give the same people, documents and household fields
/// as the households themselves, each once, across page boundaries.
async fn registry_pages_carry_every_current_person_once(f: Fixture) {
    for actor in [&f.registrar_a, &f.registrar_b, &f.registrar_a] {
        create(&f, actor, &family()).await;
    }
    create(
        &f,
        &f.registrar_b,
        &household("Bishkek", &[("1990", Sex::Male)]),
    )
    .await;
    let mut expected = Vec::new();
    let mut cursor = None;
    loop {
        let page = f
            .store
            .households_page(cursor, 500)
            .await
            .expect("households");
        let Some(last) = page.last() else { break };
        cursor = Some(last.id);
        for h in &page {
            for p in &h.members {
                let documents: Vec<(String, Option<String>)> = p
                    .documents
                    .iter()
                    .map(|d| (d.doc_type.as_str().to_owned(), d.number.clone()))
                    .collect();
                expected.push((
                    h.id,
                    h.reference.to_string(),
                    h.location.city.clone(),
                    p.id,
                    p.surname.clone(),
                    p.birth_date.to_iso(),
                    documents,
                ));
            }
        }
    }
    assert!(
        expected.iter().any(|e| !e.6.is_empty()),
        "some people have documents"
    );
    for per_page in [1, 2, 1_000] {
        let mut read = Vec::new();
        let mut after = None;
        loop {
            let (rows, last) = f.store.registry_page(after, per_page).await.expect("page");
            let Some(last) = last else { break };
            after = Some(last);
            for r in rows {
                read.push((
                    r.household_id,
                    r.reference.to_string(),
                    r.city,
                    r.person_id,
                    r.surname,
                    r.birth_date,
                    r.documents,
                ));
            }
        }
        assert_eq!(read, expected, "{per_page} households a page");
    }
}
