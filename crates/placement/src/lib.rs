//! Shanyrak's bed-placement optimiser: given the households waiting for shelter tonight and
//! the free beds of every site, propose where each household sleeps, explain every choice
//! and every household left waiting, and prove how close to the best possible the proposal is.
//!
//! The crate is pure: no IO, no clock, no database. Callers pass waiting days and free
//! beds as numbers; the same input always gives the same output.
//!
//! # Rules that always hold
//! - A household is placed whole, at one site, or not at all.
//! - Every pool (and every room) that holds a child of a household also holds an adult of
//!   that household; children never sleep in a male dormitory.
//! - At a sex-segregated site, and wherever men and women of one household are put in
//!   different dormitories, this happens only if the household accepted it; a household
//!   takes several family rooms only if it accepted that.
//! - Members needing step-free beds get step-free beds; house rules (children, maximum
//!   nights) and capacities (beds, rooms, intake) are never exceeded.
//!
//! [`verify`] checks these rules independently of the optimiser.
//!
//! # Objective
//! Place as many people as possible weighted by effective priority (vulnerability raised by
//! waiting time), then travel as little as possible (from where each household is to each
//! site, and away from the city it asked for); within a site type the batch is spread over
//! equally near sites rather than filling one from empty.
//!
//! # Example
//! ```
//! use shanyrak_placement::*;
//!
//! let family = Household {
//!     id: "h-1".into(),
//!     men: 1,
//!     women: 1,
//!     children: 2,
//!     step_free: StepFreeNeeds::default(),
//!     priority: 1.5,
//!     waiting_days: 2,
//!     preferred_city: "Oral".into(),
//!     current_position: None,
//!     accepts_sex_separation: false,
//!     accepts_several_rooms: false,
//!     nights_needed: Some(7),
//! };
//! let hostel = Site {
//!     id: "s-1".into(),
//!     city: "Oral".into(),
//!     coordinates: None,
//!     rules: HouseRules { sex_segregated: false, children_allowed: true, max_nights: None },
//!     max_intake: None,
//!     pools: vec![BedPool {
//!         id: "room-4".into(),
//!         kind: PoolKind::FamilyRoom { room_size: 4 },
//!         free_beds: 8,
//!         free_step_free_beds: 0,
//!     }],
//! };
//! let problem = Problem { households: vec![family], sites: vec![hostel] };
//! let solution = solve(&problem, &Options::default())?;
//! assert_eq!(solution.proposals[0].site_id, "s-1");
//! assert_eq!(solution.proposals[0].reason.arrangement, Arrangement::FamilyRoom);
//! assert!(verify(&problem, &solution.proposals).is_empty());
//! # Ok::<(), InputError>(())
//! ```
//!
//! # Layout
//! - [`input`]: households, sites, pools, options and their validation.
//! - [`output`]: proposals, reasons, statistics.
//! - `model`: dense, aggregated form (household classes, site types).
//! - `solve`: Lagrangian price search and priced greedy; the bound it proves.
//! - `exact`: branch and bound over every pool of every site for small batches (`microlp`).
//! - `rounding`: the aggregated model's LP solved exactly (`microlp`), rounded to whole
//!   households and repaired, for batches of a few thousand.
//! - `diagnose`: why a household stayed unplaced.
//! - `baseline`: first-come-first-served, for comparison.
//! - [`verify`]: the hard rules, checked from scratch.

mod baseline;
mod diagnose;
pub mod error;
mod exact;
pub mod input;
mod model;
pub mod output;
mod prices;
mod rounding;
mod solve;
mod verify;

pub use error::InputError;
pub use input::{
    BedPool, Coordinates, HouseRules, Household, Options, PoolKind, Problem, Site, StepFreeNeeds,
};
pub use output::{
    Arrangement, BoundMeasure, Choice, Method, PlacementReason, PoolUse, Proposal, Solution, Stats,
    TravelFrom, Unplaced, UnplacedReason, WarmStart,
};
pub use verify::{Violation, verify};

/// Proposes a placement for every waiting household it can, with reasons and a proven bound.
pub fn solve(problem: &Problem, options: &Options) -> Result<Solution, InputError> {
    problem.validate(options)?;
    Ok(solve::optimise(problem, options, None))
}

/// Like [`solve`], starting from the prices of an earlier run (for example the previous
/// batch before new arrivals), which usually reaches the target gap in a few iterations.
/// Prices of bed types that no longer exist are ignored; new ones start cold.
pub fn solve_warm(
    problem: &Problem,
    options: &Options,
    warm: &WarmStart,
) -> Result<Solution, InputError> {
    problem.validate(options)?;
    Ok(solve::optimise(problem, options, Some(warm)))
}

/// The first-come-first-served baseline: longest-waiting household first, first suitable
/// site of its city in list order. Keeps the hard rules; has no bound.
pub fn first_come_first_served(
    problem: &Problem,
    options: &Options,
) -> Result<Solution, InputError> {
    problem.validate(options)?;
    Ok(baseline::first_come_first_served(problem, options))
}

/// The proven upper bound of [`solve`] on what any placement keeping the hard rules can
/// reach, on the quantity its [`Stats::bound_measures`] names: priority-weighted people
/// (the price search's Lagrangian dual), or people less travel (the LP relaxation of the
/// exact model, for batches solved by branch and bound; of the aggregated model, for
/// batches of a few thousand).
pub fn upper_bound(problem: &Problem, options: &Options) -> Result<f64, InputError> {
    let s = solve(problem, options)?;
    Ok(s.stats.upper_bound.unwrap_or(s.stats.weighted_placed))
}

/// Sizes of the aggregated model (features, classes, site types, resources, options), for
/// the benchmark's report.
#[doc(hidden)]
pub fn model_sizes(problem: &Problem, options: &Options) -> Result<[usize; 5], InputError> {
    problem.validate(options)?;
    let m = model::Model::build(problem, options, false);
    Ok([
        m.features.len(),
        m.classes.len(),
        m.types.len(),
        m.res_cap.len(),
        m.feat_opts.iter().map(Vec::len).sum(),
    ])
}
