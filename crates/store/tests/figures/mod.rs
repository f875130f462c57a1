//! Figures computed with `GROUP BY` in the database equal the in-Rust computation over
//! every person row (the previous way), with merged identities and partial birth dates.

use chrono::NaiveDate;
use shanyrak_core::stats::{
    age_by_sex, age_by_sex_cells, city_by_group, city_by_group_cells, population,
    population_from_cells,
};
use shanyrak_core::{HouseholdInput, LocationInput, Relationship, Sex};
use shanyrak_store::ProposedPair;
use uuid::Uuid;

use super::{Fixture, admit_now, create, family, member, mixed, now, open_rules, site_with_pool};

on_both_backends!(
    sql_figures_equal_the_row_by_row_computation,
    placements_are_counted_per_day,
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

async fn members(f: &Fixture, household: Uuid) -> Vec<Uuid> {
    f.store
        .get_household(&f.registrar_a, household)
        .await
        .expect("household")
        .members
        .iter()
        .map(|m| m.id)
        .collect()
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
    let (a, b) = (members(&f, first).await[0], members(&f, second).await[0]);
    f.store
        .enqueue_duplicates(
            &f.registrar_a,
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
    let queue = f
        .store
        .list_candidates(&f.registrar_a, "pending", 10)
        .await
        .expect("queue");
    f.store
        .decide_candidate(&f.registrar_a, queue[0].id, "same", now())
        .await
        .expect("same");

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
            .population_cells(scope.as_deref(), today())
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
    let mine = population_from_cells(
        &f.store
            .population_cells(Some(&[org_a]), today())
            .await
            .expect("cells"),
    );
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
            .population_cells(Some(&[]), today())
            .await
            .expect("cells")
            .is_empty()
    );
}

async fn placements_are_counted_per_day(f: Fixture) {
    let (_, pool) = site_with_pool(&f, mixed(10), open_rules()).await;
    let h = create(&f, &f.registrar_a, &family()).await;
    f.store
        .admit(&f.admin_a, &admit_now(h, pool), now())
        .await
        .expect("admit");
    let org_a = f.admin_a.organisation_id;
    let days = f
        .store
        .placements_per_day(Some(&[org_a]))
        .await
        .expect("placements");
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].0, now().date_naive());
    assert!(days[0].1 >= 1);
    let none = f
        .store
        .placements_per_day(Some(&[f.registrar_b.organisation_id]))
        .await
        .expect("placements");
    assert!(none.is_empty());
}
