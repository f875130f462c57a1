//! The optimiser's input: households waiting for a bed, sites with free bed pools, and the
//! tuning options. Everything here is plain data that a caller (the server, the CLI, a test)
//! fills from its own records; [`Problem::validate`] rejects anything the optimiser could
//! misread, naming the record and the reason.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::InputError;

/// A household waiting for shelter. Only counts are needed: the optimiser never sees names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    /// Caller's opaque identifier, unique within one problem.
    pub id: String,
    /// Adult men (18 and over).
    pub men: u16,
    /// Adult women (18 and over).
    pub women: u16,
    /// Children under 18. They stay with the women's group when a household is separated
    /// by sex, because a child is never placed in a male dormitory.
    pub children: u16,
    /// Members who need a step-free bed (wheelchair users, the frail), per group.
    #[serde(default)]
    pub step_free: StepFreeNeeds,
    /// Priority weight from vulnerability (children, disability, medical, pregnancy, single
    /// caregiver, protection risk); 1.0 is an ordinary household. Must be in
    /// (0, [`MAX_PRIORITY`]].
    pub priority: f64,
    /// Days the household has already waited; raises its effective priority so that the
    /// queue moves (see [`Options::waiting_bonus_per_day`]). Passed in: this crate has no clock.
    #[serde(default)]
    pub waiting_days: u32,
    /// City where the household wants a bed. Sites elsewhere cost a little for every km
    /// they are from it ([`Options::away_cost_per_km`]), and [`Options::max_travel_km`]
    /// is counted from it.
    pub preferred_city: String,
    /// Where the household is now (a border town, a station), if known. Travel is measured
    /// from here to each site; without it, from the centre of the preferred city.
    #[serde(default)]
    pub current_position: Option<Coordinates>,
    /// Whether the household agreed that men sleep in a male dormitory and women and children
    /// in a female dormitory of the same site. Without it such a placement is never proposed.
    /// Children always stay with an adult of the household, so a father alone with his
    /// children is never separated from them.
    #[serde(default)]
    pub accepts_sex_separation: bool,
    /// Whether a household larger than a family room agreed to take several family rooms
    /// of the same site (each room holding a child also holds an adult of the household).
    #[serde(default)]
    pub accepts_several_rooms: bool,
    /// Nights of shelter the household needs, if known; sites whose maximum stay is shorter
    /// are not proposed.
    #[serde(default)]
    pub nights_needed: Option<u32>,
}

/// Members needing a step-free bed, counted per group so that a household separated by sex
/// gets its step-free beds in the right dormitory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StepFreeNeeds {
    /// Men needing a step-free bed.
    pub men: u16,
    /// Women needing a step-free bed.
    pub women: u16,
    /// Children needing a step-free bed.
    pub children: u16,
}

impl Household {
    /// Number of people in the household.
    pub fn size(&self) -> u32 {
        u32::from(self.men) + u32::from(self.women) + u32::from(self.children)
    }

    /// Number of members needing a step-free bed.
    pub fn step_free_total(&self) -> u32 {
        u32::from(self.step_free.men)
            + u32::from(self.step_free.women)
            + u32::from(self.step_free.children)
    }
}

/// A place with beds: sports hall, mosque, cinema, hostel, host family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Caller's opaque identifier, unique within one problem.
    pub id: String,
    /// City the site is in; matched against [`Household::preferred_city`] exactly.
    pub city: String,
    /// Latitude and longitude in degrees, if known. Travel to the site is measured to them;
    /// a city's centre is taken as the mean of its sites' coordinates.
    #[serde(default)]
    pub coordinates: Option<Coordinates>,
    /// House rules that restrict who may be placed here.
    pub rules: HouseRules,
    /// Most people the site can check in during this batch (staff, registration desk);
    /// `None` when only beds limit it. Spreads a batch over several sites.
    #[serde(default)]
    pub max_intake: Option<u32>,
    /// Free beds by kind.
    pub pools: Vec<BedPool>,
}

/// Latitude and longitude in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    /// Degrees north, -90..=90.
    pub lat: f64,
    /// Degrees east, -180..=180.
    pub lon: f64,
}

impl Coordinates {
    /// Whether both are finite and in range.
    pub fn is_valid(self) -> bool {
        self.lat.abs() <= 90.0 && self.lon.abs() <= 180.0
    }

    /// Great-circle distance in km.
    pub fn km_to(self, other: Coordinates) -> f64 {
        crate::model::haversine_km((self.lat, self.lon), (other.lat, other.lon))
    }
}

/// Rules a site's operator sets; the optimiser never breaks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HouseRules {
    /// Men and women sleep apart: only male and female dormitories are used, and a household
    /// with both sexes comes only if it accepts separation.
    pub sex_segregated: bool,
    /// Whether children may stay.
    pub children_allowed: bool,
    /// Longest stay allowed, if limited.
    #[serde(default)]
    pub max_nights: Option<u32>,
}

/// A group of interchangeable beds at one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedPool {
    /// Identifier, unique within the site.
    pub id: String,
    /// Who may sleep in these beds.
    pub kind: PoolKind,
    /// Beds free tonight (after blocked beds and current stays). Signed so that an
    /// inconsistent count from upstream is reported rather than wrapped around.
    pub free_beds: i64,
    /// Of the free beds, how many are step-free.
    #[serde(default)]
    pub free_step_free_beds: i64,
}

/// Who may sleep in a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PoolKind {
    /// Adult men only; never children.
    MaleDorm,
    /// Women and children.
    FemaleDorm,
    /// Rooms of `room_size` beds, each given whole to one household (a household larger than
    /// a room may take several, with its consent). Allowed at sex-segregated sites too (a
    /// student dormitory's family rooms): a household's own room is not a shared dormitory.
    /// The pool's free beds count beds in wholly free rooms: it holds
    /// `free_beds / room_size` rooms, of which `free_step_free_beds / room_size` are
    /// step-free.
    FamilyRoom {
        /// Beds per room.
        room_size: u16,
    },
    /// Anyone, households kept together.
    Mixed,
}

impl PoolKind {
    /// Stable machine-readable name, as used in reasons and exports.
    pub fn code(self) -> &'static str {
        match self {
            PoolKind::MaleDorm => "male_dorm",
            PoolKind::FemaleDorm => "female_dorm",
            PoolKind::FamilyRoom { .. } => "family_room",
            PoolKind::Mixed => "mixed",
        }
    }
}

/// Everything the optimiser needs for one batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// Households waiting for a bed.
    pub households: Vec<Household>,
    /// Sites with their free beds.
    pub sites: Vec<Site>,
}

/// Largest priority weight accepted.
pub const MAX_PRIORITY: f64 = 1e6;

/// Tuning of the objective and of the search. The defaults suit a dispatcher's batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    /// Effective priority is `priority * (1 + waiting_bonus_per_day * min(waiting_days,
    /// waiting_bonus_cap_days))`, so that long waits count without overriding vulnerability.
    pub waiting_bonus_per_day: f64,
    /// Days after which waiting no longer raises priority.
    pub waiting_bonus_cap_days: u32,
    /// Objective cost of moving one person one kilometre from where the household is
    /// ([`Household::current_position`], else the centre of its preferred city) to the site,
    /// in units of one placed person of priority 1. Small, so that placing people always
    /// comes first and travel second.
    pub travel_cost_per_km: f64,
    /// Objective cost, per person, of each km between the site and the centre of the
    /// household's preferred city: keeps a household that waits at the border from being
    /// sent to the nearest city instead of the one it asked for.
    pub away_cost_per_km: f64,
    /// Kilometres assumed when a distance cannot be measured (a site or city without
    /// coordinates); a site in the preferred city without coordinates counts as 0 km from
    /// the city's centre.
    pub unknown_distance_km: f64,
    /// Never propose a site in another city farther than this from the preferred city (centre
    /// to centre); `None` allows any city, `Some(0.0)` keeps everyone in their preferred city.
    pub max_travel_km: Option<f64>,
    /// Fill at most this share of a site's free beds in one batch (e.g. 0.6), so that no
    /// hall fills from empty at once and staff can check people in; `None` leaves only
    /// [`Site::max_intake`]. Costs placements when beds are short, hence off by default.
    pub max_batch_share: Option<f64>,
    /// Stop improving once the proven gap to the upper bound is at most this fraction.
    pub target_gap: f64,
    /// Most evaluations of the dual function (each one pass over household classes and
    /// site-type options); the search usually stops earlier at `target_gap`.
    pub max_iterations: u32,
    /// Batches of at most this many households are also solved by branch and bound over
    /// the exact model (every pool of every site), to `exact_gap`; 0 turns it off.
    pub exact_max_households: u32,
    /// Larger batches, up to this many households, are solved through the exact LP of the
    /// aggregated model (household classes at site types), rounded to whole households and
    /// repaired; 0 turns it off. Beyond it the price search answers alone.
    pub lp_max_households: u32,
    /// The proven gap at which branch and bound stops, and the rounded LP stops trying
    /// other roundings.
    pub exact_gap: f64,
    /// Work allowed to branch and bound, in nodes times variables of the integer program
    /// (a node costs about one simplex pass). A count rather than a time limit, so that the
    /// same input gives the same answer on every machine; the default is about a second
    /// on a two-core machine. When it runs out, the best placement found so far is kept
    /// with the gap proven so far.
    pub exact_max_work: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            waiting_bonus_per_day: 0.02,
            waiting_bonus_cap_days: 30,
            // Together 1e-4 per km for a household in its city: moving 1,000 km costs a
            // tenth of a placed person.
            travel_cost_per_km: 5e-5,
            away_cost_per_km: 5e-5,
            unknown_distance_km: 1000.0,
            max_travel_km: None,
            max_batch_share: None,
            target_gap: 0.004,
            // Under a travel limit cities are priced apart and the search needs more than
            // 300 evaluations to reach the target gap on 20,000 households and more.
            max_iterations: 600,
            // Past about a thousand households branch and bound takes longer than a
            // dispatcher should wait (its LP alone most of a second at 2,000) and leaves
            // 0.4% open; the aggregated LP, rounded, reaches 0.1% there in well under a
            // second at 2,000-3,000 and in about 2 s at 5,000 on two cores; beyond, its LP
            // grows past that and the price search, within 0.5%, answers.
            exact_max_households: 1000,
            lp_max_households: 4000,
            exact_gap: 0.001,
            exact_max_work: 10_000_000,
        }
    }
}

impl Options {
    /// Effective per-person priority of a household under these options.
    pub fn effective_priority(&self, h: &Household) -> f64 {
        let days = h.waiting_days.min(self.waiting_bonus_cap_days);
        h.priority * (1.0 + self.waiting_bonus_per_day * f64::from(days))
    }

    fn validate(&self) -> Result<(), InputError> {
        let bad = |field: &'static str, why: &'static str| InputError::InvalidOption { field, why };
        if !(self.waiting_bonus_per_day >= 0.0 && self.waiting_bonus_per_day <= 10.0) {
            return Err(bad("waiting_bonus_per_day", "must be between 0 and 10"));
        }
        if !(self.travel_cost_per_km.is_finite() && self.travel_cost_per_km >= 0.0) {
            return Err(bad("travel_cost_per_km", "must be finite and not negative"));
        }
        if !(self.away_cost_per_km.is_finite() && self.away_cost_per_km >= 0.0) {
            return Err(bad("away_cost_per_km", "must be finite and not negative"));
        }
        if !(self.exact_gap.is_finite() && self.exact_gap >= 0.0) {
            return Err(bad("exact_gap", "must be finite and not negative"));
        }
        if !(self.unknown_distance_km.is_finite() && self.unknown_distance_km >= 0.0) {
            return Err(bad(
                "unknown_distance_km",
                "must be finite and not negative",
            ));
        }
        if let Some(km) = self.max_travel_km
            && (km < 0.0 || km.is_nan())
        {
            return Err(bad("max_travel_km", "must not be negative"));
        }
        if let Some(share) = self.max_batch_share
            && !(share > 0.0 && share <= 1.0)
        {
            return Err(bad("max_batch_share", "must be in (0, 1]"));
        }
        if !(self.target_gap.is_finite() && self.target_gap >= 0.0) {
            return Err(bad("target_gap", "must be finite and not negative"));
        }
        Ok(())
    }
}

impl Problem {
    /// Checks every record; the first problem found is returned, naming the record.
    pub fn validate(&self, options: &Options) -> Result<(), InputError> {
        options.validate()?;
        let mut seen = BTreeSet::new();
        for h in &self.households {
            if !seen.insert(h.id.as_str()) {
                return Err(InputError::DuplicateHousehold { id: h.id.clone() });
            }
            validate_household(h)?;
        }
        let mut seen = BTreeSet::new();
        for s in &self.sites {
            if !seen.insert(s.id.as_str()) {
                return Err(InputError::DuplicateSite { id: s.id.clone() });
            }
            validate_site(s)?;
        }
        Ok(())
    }
}

fn validate_household(h: &Household) -> Result<(), InputError> {
    let id = || h.id.clone();
    if h.id.is_empty() {
        return Err(InputError::EmptyId {
            record: "household",
        });
    }
    if h.size() == 0 {
        return Err(InputError::EmptyHousehold { id: id() });
    }
    if h.size() > u32::from(u16::MAX) {
        return Err(InputError::HouseholdTooLarge {
            id: id(),
            size: h.size(),
        });
    }
    for (group, need, members) in [
        ("men", h.step_free.men, h.men),
        ("women", h.step_free.women, h.women),
        ("children", h.step_free.children, h.children),
    ] {
        if need > members {
            return Err(InputError::StepFreeExceedsMembers {
                id: id(),
                group,
                need,
                members,
            });
        }
    }
    // A weight, not an amount: bounded so that sums over 100k households stay exact enough.
    if !(h.priority.is_finite() && h.priority > 0.0 && h.priority <= MAX_PRIORITY) {
        return Err(InputError::InvalidPriority {
            id: id(),
            priority: h.priority,
        });
    }
    if h.preferred_city.is_empty() {
        return Err(InputError::MissingCity {
            record: "household",
            id: id(),
        });
    }
    if h.current_position.is_some_and(|c| !c.is_valid()) {
        return Err(InputError::InvalidPosition { household: id() });
    }
    Ok(())
}

fn validate_site(s: &Site) -> Result<(), InputError> {
    if s.id.is_empty() {
        return Err(InputError::EmptyId { record: "site" });
    }
    if s.city.is_empty() {
        return Err(InputError::MissingCity {
            record: "site",
            id: s.id.clone(),
        });
    }
    if s.coordinates.is_some_and(|c| !c.is_valid()) {
        return Err(InputError::InvalidCoordinates { site: s.id.clone() });
    }
    let mut seen = BTreeSet::new();
    for p in &s.pools {
        let err_site = || s.id.clone();
        let err_pool = || p.id.clone();
        if !seen.insert(p.id.as_str()) {
            return Err(InputError::DuplicatePool {
                site: err_site(),
                pool: err_pool(),
            });
        }
        if p.free_beds < 0 || p.free_step_free_beds < 0 {
            return Err(InputError::NegativeCapacity {
                site: err_site(),
                pool: err_pool(),
                free_beds: p.free_beds,
                free_step_free_beds: p.free_step_free_beds,
            });
        }
        if p.free_step_free_beds > p.free_beds {
            return Err(InputError::StepFreeExceedsFree {
                site: err_site(),
                pool: err_pool(),
                free_beds: p.free_beds,
                free_step_free_beds: p.free_step_free_beds,
            });
        }
        if p.free_beds > i64::from(u32::MAX) {
            return Err(InputError::CapacityTooLarge {
                site: err_site(),
                pool: err_pool(),
            });
        }
        match p.kind {
            PoolKind::FamilyRoom { room_size: 0 } => {
                return Err(InputError::ZeroRoomSize {
                    site: err_site(),
                    pool: err_pool(),
                });
            }
            PoolKind::Mixed if s.rules.sex_segregated => {
                return Err(InputError::MixedPoolAtSegregatedSite {
                    site: err_site(),
                    pool: err_pool(),
                    kind: p.kind.code(),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single() -> Household {
        Household {
            id: "h".into(),
            men: 1,
            women: 0,
            children: 0,
            step_free: StepFreeNeeds::default(),
            priority: 2.0,
            waiting_days: 100,
            preferred_city: "Oral".into(),
            current_position: None,
            accepts_sex_separation: false,
            accepts_several_rooms: false,
            nights_needed: None,
        }
    }

    #[test]
    fn waiting_raises_priority_up_to_the_cap() {
        let o = Options::default();
        let h = single();
        let expected = 2.0 * (1.0 + o.waiting_bonus_per_day * f64::from(o.waiting_bonus_cap_days));
        assert!((o.effective_priority(&h) - expected).abs() < 1e-12);
    }

    #[test]
    fn options_out_of_range_are_refused() {
        let p = Problem::default();
        for o in [
            Options {
                max_batch_share: Some(0.0),
                ..Options::default()
            },
            Options {
                max_batch_share: Some(1.5),
                ..Options::default()
            },
            Options {
                travel_cost_per_km: f64::NAN,
                ..Options::default()
            },
            Options {
                max_travel_km: Some(-1.0),
                ..Options::default()
            },
        ] {
            assert!(
                matches!(p.validate(&o), Err(InputError::InvalidOption { .. })),
                "{o:?}"
            );
        }
        assert_eq!(p.validate(&Options::default()), Ok(()));
    }

    #[test]
    fn household_without_city_is_refused() {
        let mut h = single();
        h.preferred_city.clear();
        let p = Problem {
            households: vec![h],
            sites: vec![],
        };
        assert!(matches!(
            p.validate(&Options::default()),
            Err(InputError::MissingCity {
                record: "household",
                ..
            })
        ));
    }
}
