//! Host offers in the store: the limit per place across addresses, the organisation's
//! coordinators only, verification into a private-accommodation site with its pool in one
//! step, withdrawal by token closing that site, and a purge that leaves verified offers.

use shanyrak_core::host_offer::{HostOfferInput, HostOfferStatus, validate_offer};
use shanyrak_core::places::PlaceId;
use shanyrak_core::shelter::{PoolKind, SiteKind, SiteStatus};
use shanyrak_core::{CountryCode, Location, Role};
use shanyrak_store::{HOST_OFFERS_PER_PLACE, StoreError};

use super::{Fixture, now};

on_both_backends!(
    offers_per_place_are_limited_and_verified_into_a_site_that_a_withdrawal_closes,
    retention_deletes_offers_that_never_became_a_site_once_settled_long_enough,
);

fn offer(place: u32) -> shanyrak_core::host_offer::HostOffer {
    validate_offer(
        &HostOfferInput {
            people: Some("2".into()),
            women_only: true,
            step_free: true,
            rent: Some("free".into()),
            address: Some("ул. Абая 1".into()),
            contact_name: Some("Айгерим".into()),
            contact_phone: Some("+7 701 555 01 23".into()),
            available_until: Some("08.10.2022".into()),
            ..Default::default()
        },
        Some(Location {
            country: CountryCode::KZ,
            region: None,
            city: "Уральск".into(),
            place_id: Some(PlaceId(place)),
        }),
        now().date_naive(),
    )
    .expect("offer")
}

async fn offers_per_place_are_limited_and_verified_into_a_site_that_a_withdrawal_closes(
    f: Fixture,
) {
    let org = f.admin_a.organisation_id;
    let mut tokens = Vec::new();
    for i in 0..HOST_OFFERS_PER_PLACE {
        let client = format!("10.2.{}.{}", i / 200, i % 200).parse().ok();
        tokens.push(
            f.store
                .submit_host_offer(org, &offer(608_668), client, now())
                .await
                .expect("within the limit"),
        );
    }
    let refused = f
        .store
        .submit_host_offer(org, &offer(608_668), "192.0.2.9".parse().ok(), now())
        .await;
    assert!(
        matches!(refused, Err(StoreError::SubmissionsLimited { .. })),
        "{refused:?}"
    );
    f.store
        .submit_host_offer(org, &offer(610_613), "192.0.2.9".parse().ok(), now())
        .await
        .expect("another place");

    // The organisation's coordinators only.
    assert!(matches!(
        f.store.host_offers(&f.registrar_a, None).await,
        Err(StoreError::Forbidden)
    ));
    let dispatcher = f
        .user_of_a("dispatch@example.org", &[Role::Dispatcher])
        .await;
    let offers = f
        .store
        .host_offers(&dispatcher, Some(HostOfferStatus::Pending))
        .await
        .expect("offers");
    assert_eq!(offers.len(), HOST_OFFERS_PER_PLACE as usize + 1);
    let other = super::support::user(
        &f.store,
        f.registrar_b.organisation_id,
        "admin-b@example.org",
        &[Role::Admin],
    )
    .await;
    assert!(
        f.store
            .host_offers(&other, None)
            .await
            .expect("none")
            .is_empty()
    );
    assert!(matches!(
        f.store.host_offer(&other, offers[0].id).await,
        Err(StoreError::NotFound)
    ));

    // The oldest offer of Oral (the first token) verified: a site and its pool, the
    // offer's rules carried over, no address and no contact on the site.
    let first = offers
        .iter()
        .rev()
        .find(|o| o.offer.location.place_id == Some(PlaceId(608_668)))
        .expect("an offer in Oral");
    let site_id = f
        .store
        .verify_host_offer(&dispatcher, first.id, Some("звонок"), now())
        .await
        .expect("verified");
    let site = f.site_of_a(site_id).await;
    assert_eq!(site.site.details.kind, SiteKind::PrivateAccommodation);
    assert_eq!(site.site.details.address, None);
    assert_eq!(site.site.details.contact_phone, None);
    assert_eq!(site.site.details.rules.max_nights, Some(10));
    assert_eq!(site.pools.len(), 1);
    assert_eq!(site.pools[0].spec.kind, PoolKind::FemaleDorm);
    assert_eq!(site.pools[0].spec.step_free_beds, 2);
    assert!(matches!(
        f.store
            .verify_host_offer(&dispatcher, first.id, None, now())
            .await,
        Err(StoreError::Invalid(_))
    ));

    // The host withdraws with the first token: the site closes; the token works once.
    f.store
        .withdraw_host_offer(&tokens[0], now())
        .await
        .expect("withdrawn");
    let site = f.site_of_a(site_id).await;
    assert_eq!(site.site.details.status, SiteStatus::Closed);
    assert!(matches!(
        f.store.withdraw_host_offer(&tokens[0], now()).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        !f.store
            .host_offer_withdrawable(&tokens[0])
            .await
            .expect("read")
    );
    assert!(
        f.store
            .host_offer_withdrawable(&tokens[1])
            .await
            .expect("read")
    );

    // A purge of everything deletes all but the verified (now withdrawn) one.
    let ids: Vec<_> = offers.iter().map(|o| o.id).collect();
    let purged = f
        .store
        .purge_host_offers(&dispatcher, &ids, now())
        .await
        .expect("purged");
    assert_eq!(purged, ids.len() as u64 - 1);
    let left = f.store.host_offers(&dispatcher, None).await.expect("left");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].status, HostOfferStatus::Withdrawn);
    assert_eq!(left[0].note.as_deref(), Some("звонок"));
}

/// Retention deletes a rejected offer and one withdrawn before verification once they were
/// last changed before the quarantine cut-off (the host's address and contact go with
/// them); a pending offer waits for its coordinator, and nothing younger goes.
async fn retention_deletes_offers_that_never_became_a_site_once_settled_long_enough(f: Fixture) {
    use shanyrak_core::retention::RetentionPolicy;
    use shanyrak_store::Principal;
    let org = f.admin_a.organisation_id;
    let submit = async |address: &str| {
        f.store
            .submit_host_offer(org, &offer(608_668), address.parse().ok(), now())
            .await
            .expect("offer")
    };
    let _rejected_token = submit("192.0.2.1").await;
    let withdrawn_token = submit("192.0.2.2").await;
    let _pending_token = submit("192.0.2.3").await;
    let pending = f
        .store
        .host_offers(&f.admin_a, Some(HostOfferStatus::Pending))
        .await
        .expect("list");
    assert_eq!(pending.len(), 3);
    let rejected = pending.iter().map(|o| o.id).min().expect("the first offer");
    f.store
        .reject_host_offer(&f.admin_a, rejected, Some("unreachable"), now())
        .await
        .expect("rejected");
    f.store
        .withdraw_host_offer(&withdrawn_token, now())
        .await
        .expect("withdrawn");

    let operator = Principal::System("retention");
    let policy = RetentionPolicy::default();
    let soon = now() + chrono::Duration::days(i64::from(policy.quarantine_days) - 1);
    let early = f
        .store
        .apply_retention(&operator, &policy, false, soon)
        .await
        .expect("retention");
    assert_eq!(
        early.host_offers_deleted, 0,
        "kept for the quarantine period"
    );
    let later = now() + chrono::Duration::days(i64::from(policy.quarantine_days) + 1);
    let dry = f
        .store
        .apply_retention(&operator, &policy, true, later)
        .await
        .expect("dry run");
    assert_eq!(dry.host_offers_deleted, 2);
    let done = f
        .store
        .apply_retention(&operator, &policy, false, later)
        .await
        .expect("retention");
    assert_eq!(done.host_offers_deleted, 2);
    let left = f.store.host_offers(&f.admin_a, None).await.expect("list");
    assert_eq!(left.len(), 1, "the pending offer stays");
    assert_eq!(left[0].status, HostOfferStatus::Pending);
    assert!(matches!(
        f.store.host_offer(&f.admin_a, rejected).await,
        Err(StoreError::NotFound)
    ));
}
