//! The dispatcher's flow: propose placements for everyone waiting, review, accept (all,
//! some, or overridden) into reservations.
//!
//! This module turns the store's view (waiting households, sites with free beds) into the
//! optimiser's input, runs `shanyrak_placement::solve`, keeps the proposal in the store,
//! and maps an accepted proposal (which counts men, women and children per pool) back
//! onto named members.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shanyrak_core::places::{PlaceId, PlaceList, fold_name};
use shanyrak_core::shelter::{Occupant, PoolKind, SiteStatus, placement_weight};
use shanyrak_core::{CountryCode, FieldError, FieldErrorCode, Household, Sex, ValidationErrors};
use shanyrak_placement as placement;
use shanyrak_store::{
    PlacementAcceptance, PlacementBatch, PoolAllocation, Principal, SiteView, Stay, Store,
    StoreError, WaitingHousehold,
};
use uuid::Uuid;

/// Settings a dispatcher may choose for one proposal.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalSettings {
    /// Only households waiting in this city (sites anywhere within reach are used).
    #[serde(default)]
    pub city: Option<String>,
    /// Never propose a site farther than this many km from the household's city; 0 keeps
    /// everyone in their city. Default: no limit.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub max_travel_km: Option<f64>,
    /// Fill at most this share (above 0, at most 1) of a site's free beds in one batch.
    #[serde(default)]
    #[schema(exclusive_minimum = 0, maximum = 1)]
    pub max_batch_share: Option<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("the proposal in this batch is unreadable")]
    CorruptBatch,
    #[error(transparent)]
    Heavy(#[from] crate::heavy::HeavyError),
}

/// Longest a placement batch may take to solve; beyond it the dispatcher is told to try a
/// smaller batch (one city) rather than wait.
pub const SOLVE_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

fn invalid(pointer: &str, detail: &str) -> DispatchError {
    DispatchError::Invalid(ValidationErrors::single(FieldError::new(
        pointer,
        FieldErrorCode::InvalidValue,
        detail,
    )))
}

/// The optimiser's city of a household or a site: its place when known, so that every
/// spelling of one place is one city ("Уральск" waits for the beds of "Oral"); else the
/// typed name, folded, within its country.
fn city_key(place: Option<PlaceId>, country: CountryCode, city: &str) -> String {
    match place.and_then(|id| PlaceList::shared()?.get(id)) {
        Some(place) => format!("{} ({})", place.name("en"), place.id),
        None => format!("{}/{}", country.as_str(), fold_name(city)),
    }
}

/// The optimiser's input for the waiting households and every open site's free beds.
pub fn build_problem(waiting: &[WaitingHousehold], sites: &[SiteView]) -> placement::Problem {
    let households = waiting
        .iter()
        .map(|w| placement::Household {
            id: w.household_id.to_string(),
            men: clamp_u16(w.men),
            women: clamp_u16(w.women),
            children: clamp_u16(w.children),
            step_free: placement::StepFreeNeeds {
                men: clamp_u16(w.step_free_men),
                women: clamp_u16(w.step_free_women),
                children: clamp_u16(w.step_free_children),
            },
            priority: placement_weight(&w.vulnerabilities),
            waiting_days: u32::try_from(w.waiting_days.max(0)).unwrap_or(u32::MAX),
            preferred_city: city_key(w.place_id, w.country, &w.city),
            // Travel is measured from here when known, else from the city's centre.
            current_position: w.current_location.map(|at| placement::Coordinates {
                lat: at.coordinates.latitude,
                lon: at.coordinates.longitude,
            }),
            accepts_sex_separation: w.accepts_sex_separation,
            // Not asked yet; the store admits one household per family room.
            accepts_several_rooms: w.accepts_several_rooms,
            nights_needed: None,
        })
        .collect();
    let sites = sites
        .iter()
        .filter(|s| s.site.details.status == SiteStatus::Open)
        .map(|s| placement::Site {
            id: s.site.id.to_string(),
            city: city_key(
                s.site.details.location.place_id,
                s.site.details.location.country,
                &s.site.details.location.city,
            ),
            coordinates: s.site.details.coordinates.map(|c| placement::Coordinates {
                lat: c.latitude,
                lon: c.longitude,
            }),
            rules: placement::HouseRules {
                sex_segregated: s.site.details.rules.sex_segregated,
                children_allowed: s.site.details.rules.children_allowed,
                max_nights: s.site.details.rules.max_nights,
            },
            max_intake: None,
            pools: s
                .pools
                .iter()
                .map(|p| {
                    let (kind, free_beds) = match p.spec.kind {
                        PoolKind::MaleDorm => (placement::PoolKind::MaleDorm, p.free),
                        PoolKind::FemaleDorm => (placement::PoolKind::FemaleDorm, p.free),
                        PoolKind::Mixed => (placement::PoolKind::Mixed, p.free),
                        // `free` counts rooms for family rooms; the optimiser counts beds in
                        // wholly free rooms.
                        PoolKind::FamilyRoom => {
                            let size = p.spec.room_size.unwrap_or(1);
                            (
                                placement::PoolKind::FamilyRoom {
                                    room_size: clamp_u16(size),
                                },
                                p.free.saturating_mul(size),
                            )
                        }
                    };
                    placement::BedPool {
                        id: p.id.to_string(),
                        kind,
                        free_beds: i64::from(free_beds),
                        free_step_free_beds: i64::from(p.free_step_free.min(free_beds)),
                    }
                })
                .collect(),
        })
        .collect();
    placement::Problem { households, sites }
}

fn clamp_u16(n: u32) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// What the optimiser was given and what it answered, with the records behind the ids.
#[derive(Debug)]
pub struct Plan {
    pub waiting: Vec<WaitingHousehold>,
    pub sites: Vec<SiteView>,
    pub solution: placement::Solution,
    pub city: Option<String>,
}

/// Runs the optimiser for what is waiting now, writing nothing.
pub async fn plan(
    store: &Store,
    by: &Principal,
    settings: &ProposalSettings,
    now: DateTime<Utc>,
) -> Result<Plan, DispatchError> {
    if settings
        .max_travel_km
        .is_some_and(|km| !(km.is_finite() && km >= 0.0))
    {
        return Err(invalid(
            "#/max_travel_km",
            "must be a number of kilometres, 0 or more",
        ));
    }
    if settings
        .max_batch_share
        .is_some_and(|s| !(s > 0.0 && s <= 1.0))
    {
        return Err(invalid(
            "#/max_batch_share",
            "must be a share above 0 and at most 1",
        ));
    }
    let city = settings
        .city
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let (waiting, sites) = match by {
        Principal::User(actor) => (
            store.waiting_list(actor, city, now).await?,
            store.list_sites(actor, None, now).await?,
        ),
        Principal::System(_) => (
            store.waiting_list_all(city, now).await?,
            store.list_sites_all(None, now).await?,
        ),
    };
    let problem = build_problem(&waiting, &sites);
    let options = placement::Options {
        max_travel_km: settings.max_travel_km,
        max_batch_share: settings.max_batch_share,
        ..placement::Options::default()
    };
    // Off the request executor: a national batch takes seconds of one core.
    let solved = crate::heavy::run(SOLVE_LIMIT, move || {
        let started = std::time::Instant::now();
        let solved = placement::solve(&problem, &options);
        crate::metrics::record_placement(started.elapsed());
        solved
    })
    .await?;
    // The input is built from validated records; an error here is a bug, not bad input.
    let solution = solved.map_err(|e| {
        tracing::error!(error = %e, "placement input rejected");
        DispatchError::CorruptBatch
    })?;
    Ok(Plan {
        waiting,
        sites,
        solution,
        city: city.map(str::to_owned),
    })
}

/// Runs the optimiser for what is waiting now and records the proposal.
pub async fn propose(
    store: &Store,
    by: &Principal,
    settings: &ProposalSettings,
    now: DateTime<Utc>,
) -> Result<PlacementBatch, DispatchError> {
    let plan = plan(store, by, settings, now).await?;
    record(store, by, &plan, now).await
}

/// Keeps a plan as a proposal batch the dispatcher can decide on.
pub async fn record(
    store: &Store,
    by: &Principal,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<PlacementBatch, DispatchError> {
    let value = serde_json::to_value(&plan.solution).map_err(|_| DispatchError::CorruptBatch)?;
    let id = store
        .record_batch(by, plan.city.as_deref(), &value, now)
        .await?;
    tracing::info!(
        batch = %id,
        households = plan.waiting.len(),
        placed = plan.solution.proposals.len(),
        unplaced = plan.solution.unplaced.len(),
        "placement proposed"
    );
    Ok(store.get_batch(by, id).await?)
}

/// Assigns named members to the pools of a proposal: adult men to the men's places, adult
/// women (and adults of unknown sex) to the women's, children to the children's; members
/// needing step-free beds first where the proposal took step-free beds.
pub fn allocate_members(
    household: &Household,
    pools: &[placement::PoolUse],
    today: chrono::NaiveDate,
) -> Result<Vec<PoolAllocation>, String> {
    let mut men = Vec::new();
    let mut women = Vec::new();
    let mut children = Vec::new();
    for person in &household.members {
        let o = Occupant::of(person, today);
        let group = if o.child {
            &mut children
        } else if person.sex == Sex::Male {
            &mut men
        } else {
            &mut women
        };
        group.push((o.needs_step_free, person.id));
    }
    // Step-free needs first, so they land where step-free beds were taken.
    for group in [&mut men, &mut women, &mut children] {
        group.sort_by_key(|(needs, _)| !*needs);
    }
    let mut allocations = Vec::with_capacity(pools.len());
    for pool in pools {
        let pool_id = Uuid::parse_str(&pool.pool_id)
            .map_err(|_| "unknown pool in the proposal".to_owned())?;
        let mut member_ids = Vec::new();
        for (group, count) in [
            (&mut men, pool.men),
            (&mut women, pool.women),
            (&mut children, pool.children),
        ] {
            if group.len() < usize::from(count) {
                return Err("the household changed since the proposal".to_owned());
            }
            member_ids.extend(group.drain(..usize::from(count)).map(|(_, id)| id));
        }
        allocations.push(PoolAllocation {
            pool_id,
            member_ids,
        });
    }
    if !(men.is_empty() && women.is_empty() && children.is_empty()) {
        return Err("the household changed since the proposal".to_owned());
    }
    Ok(allocations)
}

/// What the dispatcher decided for a batch.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// Accept every proposal not otherwise decided here.
    #[serde(default)]
    pub accept_all: bool,
    /// Accept the proposals for these households.
    #[serde(default)]
    pub accept: Vec<Uuid>,
    /// Reject proposals, with the dispatcher's reason.
    #[serde(default)]
    pub reject: Vec<Rejection>,
    /// Place a household elsewhere than proposed: one pool, all its members.
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Hours the reservations hold (1 to 72, default 6). A household that does not arrive
    /// in time loses them and the beds return to the pool.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 72)]
    pub reservation_hours: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub household_id: Uuid,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub household_id: Uuid,
    pub pool_id: Uuid,
}

/// The outcome for one household.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionResult {
    pub household_id: Uuid,
    /// `accepted`, `rejected` or `failed`.
    pub outcome: String,
    pub stay_ids: Vec<Uuid>,
    /// For a failure: a stable code such as `no_capacity` or `already_decided`.
    pub reason: Option<String>,
}

fn failed(household_id: Uuid, reason: impl Into<String>) -> DecisionResult {
    DecisionResult {
        household_id,
        outcome: "failed".into(),
        stay_ids: Vec::new(),
        reason: Some(reason.into()),
    }
}

/// Applies the dispatcher's decisions. Each household is its own transaction: one that
/// cannot be placed any more does not stop the others.
pub async fn decide(
    store: &Store,
    by: &Principal,
    batch_id: Uuid,
    input: &DecisionInput,
    now: DateTime<Utc>,
) -> Result<Vec<DecisionResult>, DispatchError> {
    let hours = input
        .reservation_hours
        .unwrap_or(crate::shelter::DEFAULT_RESERVATION_HOURS);
    if !(1..=72).contains(&hours) {
        return Err(invalid(
            "#/reservation_hours",
            "a reservation holds 1 to 72 hours",
        ));
    }
    let reserve_until = Some(now + chrono::Duration::hours(hours));
    let batch = store.get_batch(by, batch_id).await?;
    let solution: placement::Solution =
        serde_json::from_value(batch.solution.clone()).map_err(|_| DispatchError::CorruptBatch)?;
    let proposals: HashMap<Uuid, &placement::Proposal> = solution
        .proposals
        .iter()
        .filter_map(|p| Uuid::parse_str(&p.household_id).ok().map(|id| (id, p)))
        .collect();
    // Sets, not lists: a national batch decides for 100,000 households, each looked up here.
    let decided: HashSet<Uuid> = batch.decisions.iter().map(|d| d.household_id).collect();
    let asked: HashSet<Uuid> = input.accept.iter().copied().collect();

    let mut results = Vec::new();
    for rejection in &input.reject {
        // Only a household proposed in this batch can have its proposal rejected.
        if !proposals.contains_key(&rejection.household_id) {
            results.push(failed(rejection.household_id, "not_in_proposal"));
            continue;
        }
        let reason = rejection
            .reason
            .as_deref()
            .map(|r| r.chars().take(500).collect::<String>());
        results.push(
            match store
                .reject_placement(by, batch_id, rejection.household_id, reason.as_deref(), now)
                .await
            {
                Ok(()) => DecisionResult {
                    household_id: rejection.household_id,
                    outcome: "rejected".into(),
                    stay_ids: Vec::new(),
                    reason,
                },
                Err(e) => failed(rejection.household_id, store_reason(e)?),
            },
        );
    }
    for o in &input.overrides {
        let outcome = place_override(
            store,
            by,
            batch_id,
            o.household_id,
            o.pool_id,
            reserve_until,
            now,
        )
        .await?;
        results.push(outcome);
    }
    let mut to_accept: Vec<Uuid> = input.accept.clone();
    if input.accept_all {
        let mut all: Vec<Uuid> = proposals.keys().copied().collect();
        all.sort_unstable();
        to_accept.extend(all);
    }
    // Each household once, and not one already rejected or overridden above.
    let mut seen: HashSet<Uuid> = results.iter().map(|r| r.household_id).collect();
    to_accept.retain(|id| seen.insert(*id));
    to_accept.retain(|household_id| {
        !(input.accept_all && decided.contains(household_id) && !asked.contains(household_id))
    });
    // Many households to a transaction: a national batch is 100,000 of them.
    for chunk in to_accept.chunks(ACCEPT_CHUNK) {
        accept_proposed(
            store,
            by,
            batch_id,
            chunk,
            &proposals,
            reserve_until,
            now,
            &mut results,
        )
        .await?;
    }
    Ok(results)
}

/// Households accepted to a transaction (each in a savepoint of its own).
const ACCEPT_CHUNK: usize = 500;

/// Reserves the proposed beds of `household_ids`, in order, appending an outcome for each.
#[allow(clippy::too_many_arguments)]
async fn accept_proposed(
    store: &Store,
    by: &Principal,
    batch_id: Uuid,
    household_ids: &[Uuid],
    proposals: &HashMap<Uuid, &placement::Proposal>,
    reserve_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    results: &mut Vec<DecisionResult>,
) -> Result<(), DispatchError> {
    let households = match by {
        Principal::User(actor) => store.get_households(actor, household_ids).await?,
        Principal::System(_) => store.households_unscoped(household_ids).await?,
    };
    let households: HashMap<Uuid, &Household> = households.iter().map(|h| (h.id, h)).collect();
    let today = crate::local_time::date_of(now);
    // Each household's outcome, or the index of its acceptance in the store's answer.
    let mut outcomes: Vec<Result<usize, DecisionResult>> = Vec::with_capacity(household_ids.len());
    let mut acceptances = Vec::new();
    for &household_id in household_ids {
        let Some(proposal) = proposals.get(&household_id) else {
            outcomes.push(Err(failed(household_id, "not_in_proposal")));
            continue;
        };
        let Ok(site_id) = Uuid::parse_str(&proposal.site_id) else {
            return Err(DispatchError::CorruptBatch);
        };
        let Some(household) = households.get(&household_id) else {
            outcomes.push(Err(failed(household_id, "not_found")));
            continue;
        };
        match allocate_members(household, &proposal.pools, today) {
            Ok(allocations) => {
                outcomes.push(Ok(acceptances.len()));
                acceptances.push(PlacementAcceptance {
                    household_id,
                    site_id,
                    allocations,
                });
            }
            Err(_) => outcomes.push(Err(failed(household_id, "household_changed"))),
        }
    }
    let mut accepted = store
        .accept_placements(by, batch_id, &acceptances, reserve_until, now)
        .await?
        .into_iter()
        .map(Some)
        .collect::<Vec<_>>();
    for (outcome, &household_id) in outcomes.into_iter().zip(household_ids) {
        let result = match outcome {
            Err(result) => result,
            Ok(index) => match accepted.get_mut(index).and_then(Option::take) {
                Some(Ok(stays)) => DecisionResult {
                    household_id,
                    outcome: "accepted".into(),
                    stay_ids: stays.iter().map(|s: &Stay| s.id).collect(),
                    reason: None,
                },
                Some(Err(e)) => failed(household_id, store_reason(e)?),
                None => return Err(DispatchError::CorruptBatch),
            },
        };
        results.push(result);
    }
    Ok(())
}

/// A failure a dispatcher can act on, or the error to report.
fn store_reason(error: StoreError) -> Result<String, DispatchError> {
    match &error {
        StoreError::Admission(shanyrak_core::shelter::AdmissionError::InvalidTransition) => {
            Ok("already_decided".into())
        }
        StoreError::Admission(e) => Ok(e.code().into()),
        StoreError::NotFound => Ok("not_found".into()),
        StoreError::Invalid(_) => Ok("invalid".into()),
        _ => Err(DispatchError::Store(error)),
    }
}

/// The whole household into the pool the dispatcher chose instead of the proposal.
async fn place_override(
    store: &Store,
    by: &Principal,
    batch_id: Uuid,
    household_id: Uuid,
    pool_id: Uuid,
    reserve_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DecisionResult, DispatchError> {
    let household = match by {
        Principal::User(actor) => store.get_household(actor, household_id).await,
        Principal::System(_) => store.household_unscoped(household_id).await,
    };
    let household = match household {
        Ok(h) => h,
        Err(e) => return Ok(failed(household_id, store_reason(e)?)),
    };
    let sites = match by {
        Principal::User(actor) => store.list_sites(actor, None, now).await?,
        Principal::System(_) => store.list_sites_all(None, now).await?,
    };
    let Some(site) = sites
        .iter()
        .find(|s| s.pools.iter().any(|p| p.id == pool_id))
    else {
        return Ok(failed(household_id, "not_found"));
    };
    let site_id = site.site.id;
    let allocations = vec![PoolAllocation {
        pool_id,
        member_ids: household.members.iter().map(|m| m.id).collect(),
    }];
    match store
        .accept_placement(
            by,
            batch_id,
            household_id,
            site_id,
            &allocations,
            reserve_until,
            now,
        )
        .await
    {
        Ok(stays) => Ok(DecisionResult {
            household_id,
            outcome: "accepted".into(),
            stay_ids: stays.iter().map(|s: &Stay| s.id).collect(),
            reason: None,
        }),
        Err(e) => Ok(failed(household_id, store_reason(e)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use shanyrak_core::{BirthDate, Person, Relationship, Vulnerability};

    fn person(id: u128, sex: Sex, birth: &str, vulnerabilities: Vec<Vulnerability>) -> Person {
        Person {
            id: Uuid::from_u128(id),
            surname: "Тест".into(),
            given_name: "Тест".into(),
            patronymic: None,
            sex,
            birth_date: BirthDate::parse(birth).expect("date"),
            birth_date_estimated: false,
            citizenship: None,
            relationship: Relationship::Head,
            vulnerabilities,
            documents: Vec::new(),
        }
    }

    fn pool_use(
        pool: u128,
        kind: placement::PoolKind,
        men: u16,
        women: u16,
        children: u16,
        step_free: u16,
    ) -> placement::PoolUse {
        placement::PoolUse {
            pool_id: Uuid::from_u128(pool).to_string(),
            kind,
            men,
            women,
            children,
            step_free_beds: step_free,
            beds_taken: u32::from(men + women + children),
        }
    }

    fn household(members: Vec<Person>) -> Household {
        Household {
            id: Uuid::from_u128(99),
            reference: shanyrak_core::ReferenceCode::from_random_bits(1),
            organisation_id: Uuid::nil(),
            group: shanyrak_core::PopulationGroup::Arrival,
            arrival_date: None,
            crossing_point: None,
            location: shanyrak_core::Location {
                country: shanyrak_core::CountryCode::KZ,
                region: None,
                city: "Oral".into(),
                place_id: None,
            },
            current_location: None,
            phone: None,
            languages: Vec::new(),
            needs: Vec::new(),
            accepts_sex_separation: true,
            accepts_several_rooms: false,
            legal_basis: None,
            information_given: false,
            status: shanyrak_core::HouseholdStatus::Active,
            notes: None,
            members,
            version: 1,
            registered_at: DateTime::<Utc>::default(),
            updated_at: DateTime::<Utc>::default(),
        }
    }

    #[test]
    fn separated_family_goes_by_sex_and_children_stay_with_women() {
        let h = household(vec![
            person(1, Sex::Male, "1980-01-01", vec![]),
            person(2, Sex::Female, "1982-01-01", vec![]),
            person(3, Sex::Male, "2015-01-01", vec![Vulnerability::Child]),
            person(4, Sex::Male, "1950-01-01", vec![Vulnerability::Disability]),
        ]);
        let pools = [
            pool_use(10, placement::PoolKind::MaleDorm, 2, 0, 0, 1),
            pool_use(11, placement::PoolKind::FemaleDorm, 0, 1, 1, 0),
        ];
        let today = NaiveDate::from_ymd_opt(2022, 9, 28).expect("date");
        let allocations = allocate_members(&h, &pools, today).expect("fits");
        assert_eq!(
            allocations[0].member_ids,
            vec![Uuid::from_u128(4), Uuid::from_u128(1)],
            "step-free first"
        );
        assert_eq!(
            allocations[1].member_ids,
            vec![Uuid::from_u128(2), Uuid::from_u128(3)]
        );
    }

    #[test]
    fn a_changed_household_is_refused() {
        let h = household(vec![person(1, Sex::Male, "1980-01-01", vec![])]);
        let today = NaiveDate::from_ymd_opt(2022, 9, 28).expect("date");
        let too_many = [pool_use(10, placement::PoolKind::Mixed, 2, 0, 0, 0)];
        assert!(allocate_members(&h, &too_many, today).is_err());
        let too_few = [pool_use(10, placement::PoolKind::Mixed, 0, 0, 0, 0)];
        assert!(allocate_members(&h, &too_few, today).is_err());
    }
}
