//! Look-ups in other organisations' records under data-sharing agreements: duplicate
//! checks (`identity`) and shelter status (`shelter`). They run on identifiers the asking
//! side types in, so each is limited per user and hour, and every record of a partner that
//! a look-up reached is written into that partner's own access log.

use chrono::Utc;
use shanyrak_core::Actor;
use shanyrak_core::sharing::SharingCategory;
use shanyrak_store::{PartnerRead, StoreError};
use uuid::Uuid;

use crate::AppState;
use crate::identity::PossibleDuplicate;

/// Which organisations a look-up may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupScope {
    /// The actor's own organisation first, then partners in force (unless throttled).
    pub organisations: Vec<Uuid>,
    /// Partners were left out: the user is over the hourly limit.
    pub throttled: bool,
}

/// The organisations a look-up of `category` may reach for `actor` now. A look-up that can
/// reach a partner counts against the user's hourly limit; over it, only their own
/// organisation is searched.
pub async fn lookup_scope(
    state: &AppState,
    actor: &Actor,
    category: SharingCategory,
) -> Result<LookupScope, StoreError> {
    let now = Utc::now();
    let partners = state
        .store
        .sharing_organisations(actor.organisation_id, category, now)
        .await?;
    let mut organisations = vec![actor.organisation_id];
    if partners.is_empty() {
        return Ok(LookupScope {
            organisations,
            throttled: false,
        });
    }
    let allowed = state
        .store
        .claim_cross_org_lookup(
            actor,
            category.as_str(),
            state.cross_org_lookups_per_hour,
            now,
        )
        .await?;
    if allowed {
        organisations.extend(partners);
    }
    Ok(LookupScope {
        organisations,
        throttled: !allowed,
    })
}

/// Writes each partner's person that a duplicate look-up returned into that partner's
/// access log (before the answer leaves: no log, no answer).
pub async fn log_identity_matches<'a>(
    state: &AppState,
    actor: &Actor,
    found: impl IntoIterator<Item = &'a PossibleDuplicate>,
) -> Result<(), StoreError> {
    let mut reads: Vec<PartnerRead> = found
        .into_iter()
        .filter(|c| c.organisation_id != actor.organisation_id)
        .map(|c| PartnerRead {
            owner: c.organisation_id,
            action: "partner_identity_lookup",
            entity_id: c.person_id,
        })
        .collect();
    reads.sort_by_key(|r| (r.owner, r.entity_id));
    reads.dedup();
    state
        .store
        .log_partner_reads(actor, &reads, Utc::now())
        .await
}
