//! The optimiser's answer: one proposal per placed household, one reason per household left
//! waiting, and figures that let a dispatcher (and the benchmark) judge the batch.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::input::PoolKind;

/// Result of one placement run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// Placed households, in the order of the input.
    pub proposals: Vec<Proposal>,
    /// Households left waiting, in the order of the input.
    pub unplaced: Vec<Unplaced>,
    /// Figures of the run.
    pub stats: Stats,
    /// Prices learned in this run; pass them to [`crate::solve_warm`] for the next batch.
    pub warm_start: WarmStart,
}

/// Where one household should go. A household is always placed whole, at one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// Household id.
    pub household_id: String,
    /// Site id.
    pub site_id: String,
    /// Which pools of the site take which members: one entry; two when the household
    /// accepted separation by sex; one per room when it takes several family rooms (the
    /// same pool may then appear more than once). Members needing step-free beds are
    /// counted in the first entries that take their group, the order in which named
    /// members are assigned.
    pub pools: Vec<PoolUse>,
    /// People placed (always the whole household).
    pub people: u32,
    /// Why this site.
    pub reason: PlacementReason,
}

/// Members of one household placed in one pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolUse {
    /// Pool id within the site.
    pub pool_id: String,
    /// Kind of the pool.
    pub kind: PoolKind,
    /// Men placed here.
    pub men: u16,
    /// Women placed here.
    pub women: u16,
    /// Children placed here.
    pub children: u16,
    /// Step-free beds taken here.
    pub step_free_beds: u16,
    /// Beds taken from the pool's free count: the members for a dormitory, the whole room
    /// for a family room.
    pub beds_taken: u32,
}

/// How the household sleeps at the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrangement {
    /// A family room of its own.
    FamilyRoom,
    /// Together in a mixed dormitory.
    MixedDorm,
    /// Everyone is of one group (only men, or only women and children) in that group's dorm.
    SingleSexDorm,
    /// Men in the male dormitory, women and children in the female dormitory of the same
    /// site; only proposed to households that accepted it, and never to a father alone
    /// with his children.
    SeparatedBySex,
    /// Several family rooms of one site, each room with children holding an adult of the
    /// household; only proposed to households larger than a room that accepted it.
    FamilyRooms,
}

/// Where a proposal's travel is measured from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TravelFrom {
    /// The household's current position, to the site's coordinates (or its city's centre).
    CurrentPosition,
    /// The centre of the preferred city (the mean of its sites' coordinates); 0 km for a
    /// site of that city without coordinates.
    #[default]
    PreferredCity,
    /// A position or a site that cannot be placed on the map: the distance is
    /// [`crate::Options::unknown_distance_km`], an assumption.
    Unknown,
}

/// Why the optimiser chose a site for a household; structured so the interface can
/// translate it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacementReason {
    /// How the household sleeps there.
    pub arrangement: Arrangement,
    /// How the choice was made.
    pub choice: Choice,
    /// The site is in the household's preferred city.
    pub in_preferred_city: bool,
    /// Kilometres from where the household is to the site (great circle), measured from
    /// `travel_from`.
    pub travel_km: f64,
    /// What `travel_km` is measured from.
    #[serde(default)]
    pub travel_from: TravelFrom,
    /// Effective priority per person (vulnerability and waiting time).
    pub effective_priority: f64,
    /// Shadow price of the beds taken: what they are worth to other waiting households.
    /// The chosen beds had the lowest such price (plus travel) among those with room.
    pub shadow_cost: f64,
    /// Step-free beds used for members who need them.
    pub step_free_beds: u16,
    /// Options ranked before this one (cheaper, or nearer) that were full or kept for
    /// households that needed them more; 0 means the household got its first choice. For
    /// the first-come-first-served baseline: sites earlier in the list that were full.
    #[serde(default)]
    pub better_options_unavailable: u32,
}

/// How a site was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// The cheapest beds in shadow price plus travel that still had room: the household
    /// gets a bed without taking one that someone with fewer options needs more.
    LeastContestedBeds,
    /// Beds left over once every household that could be placed at a fair price was: the
    /// household would otherwise wait.
    LeftoverBeds,
    /// First free bed in site order, as the first-come-first-served baseline does.
    FirstComeFirstServed,
}

/// A household left waiting, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unplaced {
    /// Household id.
    pub household_id: String,
    /// People in the household.
    pub people: u32,
    /// Effective priority per person.
    pub effective_priority: f64,
    /// Why no bed was proposed.
    pub reason: UnplacedReason,
    /// Whether only the preferred city was searched ([`crate::Options::max_travel_km`]); the
    /// reason then reads "in the city".
    pub only_preferred_city: bool,
}

/// Why a household got no bed. The first reason that applies to every site in reach is
/// given, in the order of the variants, so the dispatcher sees the most basic obstacle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnplacedReason {
    /// No site with free beds in the preferred city nor within the travel limit.
    NoSiteInReach,
    /// Every site in reach allows fewer nights than the household needs.
    StayTooLong,
    /// Every site in reach refuses children.
    ChildrenNotAllowed,
    /// Only sex-segregated sites or dormitories could take the household and it did not
    /// accept separation.
    SexSeparationRefused,
    /// The only beds in reach would leave children without an adult of their household
    /// (a father alone with his children where there are only men's and women's
    /// dormitories), or the household has no adult at all.
    ChildWithoutAdult,
    /// The household must stay together and no family room is large enough, nor is there a
    /// mixed dormitory.
    NoFamilyRoomLargeEnough,
    /// No pool in reach fits its composition (e.g. only male dormitories for women).
    NoSuitablePool,
    /// Beds of a suitable kind exist but not enough step-free ones for the members who
    /// need them.
    NoStepFreeBed,
    /// Suitable pools exist but none has enough free beds for the whole household at once.
    NoPoolLargeEnough,
    /// Suitable beds existed but went to households with higher priority (or a shorter way).
    CapacityTakenByHigherPriority,
}

impl UnplacedReason {
    /// Stable machine-readable code, also the key of the translated message.
    pub fn code(self) -> &'static str {
        match self {
            UnplacedReason::NoSiteInReach => "no_site_in_reach",
            UnplacedReason::StayTooLong => "stay_too_long",
            UnplacedReason::ChildrenNotAllowed => "children_not_allowed",
            UnplacedReason::SexSeparationRefused => "sex_separation_refused",
            UnplacedReason::ChildWithoutAdult => "child_without_adult",
            UnplacedReason::NoFamilyRoomLargeEnough => "no_family_room_large_enough",
            UnplacedReason::NoSuitablePool => "no_suitable_pool",
            UnplacedReason::NoStepFreeBed => "no_step_free_bed",
            UnplacedReason::NoPoolLargeEnough => "no_pool_large_enough",
            UnplacedReason::CapacityTakenByHigherPriority => "capacity_taken_by_higher_priority",
        }
    }
}

/// Figures of one run, comparable between the optimiser and the baseline. Missing fields
/// read as their defaults, so stored batches from earlier versions still load.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Stats {
    /// Households waiting.
    pub households: u32,
    /// People waiting.
    pub people: u64,
    /// Households placed.
    pub placed_households: u32,
    /// People placed.
    pub placed_people: u64,
    /// Sum of effective priority times people over all waiting households.
    pub weighted_demand: f64,
    /// Sum of effective priority times people over placed households.
    pub weighted_placed: f64,
    /// `weighted_placed / weighted_demand`.
    pub weighted_coverage: f64,
    /// Travel part of the objective: `travel_cost_per_km * km * people`, summed.
    pub travel_cost: f64,
    /// What the optimiser maximises: `weighted_placed - travel_cost`.
    pub objective: f64,
    /// Proven upper bound, for any placement that keeps the hard rules, on the quantity
    /// named by `bound_measures`: the best Lagrangian dual value of the LP relaxation, or
    /// the LP optimum itself where branch and bound or the rounded LP ran.
    pub upper_bound: Option<f64>,
    /// What `upper_bound` and `gap` measure.
    pub bound_measures: Option<BoundMeasure>,
    /// `(upper_bound - achieved) / upper_bound`: at most this fraction of the achievable
    /// value is left on the table.
    pub gap: Option<f64>,
    /// Evaluations of the dual function used.
    pub iterations: u32,
    /// How the proposal was found.
    pub method: Method,
    /// Branch-and-bound nodes solved (0 when the batch was too large for it).
    pub exact_nodes: u64,
}

/// The search that produced a proposal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Lagrangian price search and the priced greedy (large batches, and any batch where
    /// neither branch and bound nor the rounded LP found a better placement).
    #[default]
    PriceSearch,
    /// Branch and bound over the exact model, started from the price search's placement
    /// (batches up to [`crate::Options::exact_max_households`]).
    BranchAndBound,
    /// The exact LP of the aggregated model (household classes at site types), rounded to
    /// whole households and repaired (batches above
    /// [`crate::Options::exact_max_households`], up to
    /// [`crate::Options::lp_max_households`]); its bound is the LP optimum.
    RoundedLp,
    /// First come first served.
    FirstComeFirstServed,
}

/// The quantity a bound is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundMeasure {
    /// Priority-weighted people placed (`weighted_placed`): the primary objective. Used by
    /// the price search when travel is cheap (it only breaks ties) or limited by
    /// `max_travel_km`.
    WeightedPeople,
    /// Priority-weighted people less travel cost (`objective`). Used by the price search
    /// when travel is priced high enough that keeping people near home is worth placing
    /// fewer of them, and always by branch and bound.
    WeightedPeopleLessTravel,
}

/// Shadow prices of bed types, keyed by a description of the bed type (city, house rules,
/// kind). Carrying them into the next batch lets a re-solve start close to the optimum.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WarmStart {
    /// Price per resource key.
    pub prices: BTreeMap<String, f64>,
}
