//! Places of records: rows written before places were kept (or with names a newer place
//! list knows) are linked at start; a coordinator's mapping links an organisation's rows
//! by name and no other organisation's.

use shanyrak_core::places::PlaceId;
use shanyrak_core::{CountryCode, HouseholdInput};

use super::support::{Fixture, create, family, now, valid};

on_both_backends!(
    rows_without_a_place_are_linked_by_the_start_up_pass,
    a_mapping_links_one_organisations_records_only
);

const ORAL: PlaceId = PlaceId(608_668);

fn family_in(city: &str) -> HouseholdInput {
    let mut input = family();
    if let Some(location) = input.location.as_mut() {
        location.city = Some(city.into());
    }
    input
}

async fn register(f: &Fixture, actor: &shanyrak_core::Actor, city: &str) -> uuid::Uuid {
    create(f, actor, &family_in(city)).await
}

async fn place_of(f: &Fixture, actor: &shanyrak_core::Actor, id: uuid::Uuid) -> Option<PlaceId> {
    f.store
        .get_household(actor, id)
        .await
        .expect("read")
        .location
        .place_id
}

async fn rows_without_a_place_are_linked_by_the_start_up_pass(f: Fixture) {
    // "Uralskk" is no name of the place list; suppose a newer list (or a resolver that
    // knows more) says it is Oral.
    let id = register(&f, &f.registrar_a, "Uralskk").await;
    assert_eq!(place_of(&f, &f.registrar_a, id).await, None);
    let resolve = |country: CountryCode, city: &str| {
        (country == CountryCode::KZ && city == "Uralskk").then_some(ORAL)
    };
    let link = async || {
        f.store
            .link_unconfirmed_places(&resolve)
            .await
            .expect("link")
    };
    assert_eq!(link().await, 1);
    assert_eq!(place_of(&f, &f.registrar_a, id).await, Some(ORAL));
    // Linked rows are not visited again.
    assert_eq!(link().await, 0);
}

async fn a_mapping_links_one_organisations_records_only(f: Fixture) {
    let ours = register(&f, &f.registrar_a, "Уралськ").await;
    let theirs = register(&f, &f.registrar_b, "Уралськ").await;
    let listed = f.store.unconfirmed_places(&f.admin_a).await.expect("list");
    assert_eq!(
        listed.len(),
        1,
        "the other organisation's names are not shown"
    );
    assert_eq!(listed[0].households, 1);
    assert!(matches!(
        f.store.unconfirmed_places(&f.registrar_a).await,
        Err(shanyrak_store::StoreError::Forbidden)
    ));

    let mapping = f
        .store
        .map_unconfirmed_place(&f.admin_a, CountryCode::KZ, "Уралськ", ORAL, now())
        .await
        .expect("map");
    assert_eq!((mapping.households, mapping.sites), (1, 0));
    assert_eq!(place_of(&f, &f.registrar_a, ours).await, Some(ORAL));
    assert_eq!(place_of(&f, &f.registrar_b, theirs).await, None);
    // The other organisation's later records with the name are not linked either; ours are.
    let theirs_later = register(&f, &f.registrar_b, "уралськ").await;
    assert_eq!(place_of(&f, &f.registrar_b, theirs_later).await, None);
    let ours_later = register(&f, &f.registrar_a, "уралськ").await;
    assert_eq!(place_of(&f, &f.registrar_a, ours_later).await, Some(ORAL));
    // Households registered many to a statement (imports, seeding) take the mapping too,
    // each by its own organisation's.
    let batch = |city: &str| vec![(valid(&family_in(city)), now())];
    let ours_bulk = f
        .store
        .create_households_bulk(&f.registrar_a, &batch("УРАЛСЬК"))
        .await
        .expect("bulk")[0]
        .household_id;
    let theirs_bulk = f
        .store
        .create_households_bulk(&f.registrar_b, &batch("УРАЛСЬК"))
        .await
        .expect("bulk")[0]
        .household_id;
    assert_eq!(place_of(&f, &f.registrar_a, ours_bulk).await, Some(ORAL));
    assert_eq!(place_of(&f, &f.registrar_b, theirs_bulk).await, None);
    // One mapping is kept, under the folded name.
    assert_eq!(
        f.store
            .place_aliases()
            .await
            .expect("aliases")
            .into_iter()
            .filter(|(_, name, place)| name == "уралськ" && *place == ORAL)
            .count(),
        1
    );
}
