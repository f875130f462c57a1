//! An independent check of proposals against the hard rules, written from the rules and not
//! from the optimiser's internals, so tests, the benchmark and a cautious server can trust a
//! proposal set before a single person is sent anywhere.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::input::{PoolKind, Problem};
use crate::output::Proposal;

/// A broken hard rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "violation")]
pub enum Violation {
    /// A proposal names a household that is not waiting.
    UnknownHousehold {
        /// Household id.
        household: String,
    },
    /// A proposal names a site or pool that does not exist.
    UnknownPool {
        /// Site id.
        site: String,
        /// Pool id.
        pool: String,
    },
    /// The household has more than one proposal: it would be split across sites.
    SplitAcrossSites {
        /// Household id.
        household: String,
    },
    /// The proposal does not place every member, or places a group in two pools.
    IncompleteHousehold {
        /// Household id.
        household: String,
    },
    /// More beds (or rooms, or step-free beds) given than free.
    OverCapacity {
        /// Site id.
        site: String,
        /// Pool id.
        pool: String,
    },
    /// More people than the site can take in this batch.
    OverIntake {
        /// Site id.
        site: String,
    },
    /// A child or a woman in a male dormitory, or a man in a female one.
    WrongDorm {
        /// Household id.
        household: String,
        /// Pool id.
        pool: String,
    },
    /// Children of a household in a pool (or room) that holds no adult of their household.
    ChildWithoutAdult {
        /// Household id.
        household: String,
        /// Pool id.
        pool: String,
    },
    /// Several family rooms for a household that did not agree to take more than one.
    SeveralRoomsWithoutConsent {
        /// Household id.
        household: String,
    },
    /// Members in several dormitories of a site without the household's consent, in a
    /// mixed pool of a sex-segregated site, men with women or children in one dormitory
    /// there, or a household spread over family rooms and dormitories at once.
    SegregationBroken {
        /// Household id.
        household: String,
    },
    /// A family room smaller than the household.
    RoomTooSmall {
        /// Household id.
        household: String,
    },
    /// Members needing step-free beds did not all get one.
    StepFreeNotMet {
        /// Household id.
        household: String,
    },
    /// Children at a site that does not allow them, or a stay longer than allowed.
    HouseRuleBroken {
        /// Household id.
        household: String,
    },
}

/// Every rule broken by `proposals` for `problem`; empty when all hard rules hold.
pub fn verify(problem: &Problem, proposals: &[Proposal]) -> Vec<Violation> {
    let mut out = Vec::new();
    let households: HashMap<&str, usize> = problem
        .households
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id.as_str(), i))
        .collect();
    let sites: HashMap<&str, usize> = problem
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    // (site, pool) -> (beds or rooms, step-free beds or rooms)
    let mut used: BTreeMap<(usize, usize), (i64, i64)> = BTreeMap::new();
    let mut intake: BTreeMap<usize, i64> = BTreeMap::new();
    for p in proposals {
        let hid = p.household_id.clone();
        let Some(&hi) = households.get(p.household_id.as_str()) else {
            out.push(Violation::UnknownHousehold { household: hid });
            continue;
        };
        let count = seen.entry(p.household_id.as_str()).or_insert(0);
        *count += 1;
        if *count == 2 {
            out.push(Violation::SplitAcrossSites {
                household: hid.clone(),
            });
        }
        let h = &problem.households[hi];
        let Some(&si) = sites.get(p.site_id.as_str()) else {
            out.push(Violation::UnknownPool {
                site: p.site_id.clone(),
                pool: String::new(),
            });
            continue;
        };
        let site = &problem.sites[si];
        *intake.entry(si).or_insert(0) += i64::from(h.size());
        let (mut men, mut women, mut children, mut sf) = (0u32, 0u32, 0u32, 0u32);
        let mut complete = true;
        // Several family rooms (with consent) may share a group between them; anywhere else
        // a group sleeps in one pool.
        let rooms = p
            .pools
            .iter()
            .filter(|u| matches!(u.kind, PoolKind::FamilyRoom { .. }))
            .count();
        let dorms = p.pools.len() - rooms;
        let in_rooms = rooms > 1 && dorms == 0;
        if rooms > 1 && !h.accepts_several_rooms {
            out.push(Violation::SeveralRoomsWithoutConsent {
                household: hid.clone(),
            });
        }
        if rooms > 0 && dorms > 0 {
            out.push(Violation::SegregationBroken {
                household: hid.clone(),
            });
        }
        for u in &p.pools {
            let Some(pi) = site.pools.iter().position(|q| q.id == u.pool_id) else {
                out.push(Violation::UnknownPool {
                    site: site.id.clone(),
                    pool: u.pool_id.clone(),
                });
                complete = false;
                continue;
            };
            let pool = &site.pools[pi];
            men += u32::from(u.men);
            women += u32::from(u.women);
            children += u32::from(u.children);
            sf += u32::from(u.step_free_beds);
            // Each group sits in one pool, so its step-free needs go where it goes.
            let need_sf = [
                (u.men, h.men, h.step_free.men),
                (u.women, h.women, h.step_free.women),
            ]
            .into_iter()
            .chain([(u.children, h.children, h.step_free.children)])
            .map(|(placed, all, need)| {
                if placed > 0 && placed != all && !in_rooms {
                    complete = false;
                }
                if placed > 0 && !in_rooms {
                    u32::from(need)
                } else {
                    0
                }
            })
            .sum::<u32>();
            let people_here = u32::from(u.men) + u32::from(u.women) + u32::from(u.children);
            if u32::from(u.step_free_beds) < need_sf || u32::from(u.step_free_beds) > people_here {
                out.push(Violation::StepFreeNotMet {
                    household: hid.clone(),
                });
            }
            let people = i64::from(u.men) + i64::from(u.women) + i64::from(u.children);
            let e = used.entry((si, pi)).or_insert((0, 0));
            match pool.kind {
                PoolKind::MaleDorm if u.women > 0 || u.children > 0 => {
                    out.push(Violation::WrongDorm {
                        household: hid.clone(),
                        pool: pool.id.clone(),
                    });
                }
                PoolKind::FemaleDorm if u.men > 0 => {
                    out.push(Violation::WrongDorm {
                        household: hid.clone(),
                        pool: pool.id.clone(),
                    });
                }
                PoolKind::FamilyRoom { room_size } => {
                    if people > i64::from(room_size) {
                        out.push(Violation::RoomTooSmall {
                            household: hid.clone(),
                        });
                    }
                    e.0 += 1;
                    e.1 += i64::from(u.step_free_beds > 0);
                }
                _ => {}
            }
            if !matches!(pool.kind, PoolKind::FamilyRoom { .. }) {
                e.0 += people;
                e.1 += i64::from(u.step_free_beds);
            }
            if pool.kind == PoolKind::Mixed && site.rules.sex_segregated {
                out.push(Violation::SegregationBroken {
                    household: hid.clone(),
                });
            }
        }
        // Children sleep where an adult of their household sleeps: a dormitory is checked
        // as a whole, a family room entry is one room.
        let mut adults_in: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
        for u in &p.pools {
            let key = if matches!(u.kind, PoolKind::FamilyRoom { .. }) {
                // Each family room entry is a room of its own.
                None
            } else {
                Some(u.pool_id.as_str())
            };
            let adults = u32::from(u.men) + u32::from(u.women);
            match key {
                Some(pool) => {
                    let e = adults_in.entry(pool).or_insert((0, 0));
                    e.0 += adults;
                    e.1 += u32::from(u.children);
                }
                None if u.children > 0 && adults == 0 => {
                    out.push(Violation::ChildWithoutAdult {
                        household: hid.clone(),
                        pool: u.pool_id.clone(),
                    });
                }
                None => {}
            }
        }
        for (pool, (adults, children)) in adults_in {
            if children > 0 && adults == 0 {
                out.push(Violation::ChildWithoutAdult {
                    household: hid.clone(),
                    pool: pool.to_owned(),
                });
            }
        }
        if dorms > 1 && !h.accepts_sex_separation {
            out.push(Violation::SegregationBroken {
                household: hid.clone(),
            });
        }
        if site.rules.sex_segregated
            && p.pools.iter().any(|u| {
                !matches!(u.kind, PoolKind::FamilyRoom { .. })
                    && u.men > 0
                    && (u.women > 0 || u.children > 0)
            })
        {
            out.push(Violation::SegregationBroken {
                household: hid.clone(),
            });
        }
        if !complete
            || men != u32::from(h.men)
            || women != u32::from(h.women)
            || children != u32::from(h.children)
            || p.people != h.size()
        {
            out.push(Violation::IncompleteHousehold {
                household: hid.clone(),
            });
        }
        if sf < h.step_free_total() {
            out.push(Violation::StepFreeNotMet {
                household: hid.clone(),
            });
        }
        let too_long =
            matches!((h.nights_needed, site.rules.max_nights), (Some(n), Some(m)) if n > m);
        if (h.children > 0 && !site.rules.children_allowed) || too_long {
            out.push(Violation::HouseRuleBroken { household: hid });
        }
    }
    for (&(si, pi), &(beds, step_free)) in &used {
        let site = &problem.sites[si];
        let pool = &site.pools[pi];
        let (cap, cap_sf) = match pool.kind {
            PoolKind::FamilyRoom { room_size } => {
                let size = i64::from(room_size.max(1));
                (pool.free_beds / size, pool.free_step_free_beds / size)
            }
            _ => (pool.free_beds, pool.free_step_free_beds),
        };
        if beds > cap || step_free > cap_sf {
            out.push(Violation::OverCapacity {
                site: site.id.clone(),
                pool: pool.id.clone(),
            });
        }
    }
    for (&si, &n) in &intake {
        let site = &problem.sites[si];
        if site.max_intake.is_some_and(|m| n > i64::from(m)) {
            out.push(Violation::OverIntake {
                site: site.id.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{BedPool, HouseRules, Household, Site, StepFreeNeeds};
    use crate::output::{Arrangement, Choice, PlacementReason, PoolUse};

    fn problem(kind: PoolKind, beds: i64, step_free: i64) -> Problem {
        let h = |id: &str| Household {
            id: id.into(),
            men: 1,
            women: 1,
            children: 0,
            step_free: StepFreeNeeds {
                men: 1,
                women: 0,
                children: 0,
            },
            priority: 1.0,
            waiting_days: 0,
            preferred_city: "Oral".into(),
            current_position: None,
            accepts_sex_separation: false,
            accepts_several_rooms: false,
            nights_needed: None,
        };
        Problem {
            households: vec![h("a"), h("b")],
            sites: vec![Site {
                id: "s".into(),
                city: "Oral".into(),
                coordinates: None,
                rules: HouseRules {
                    sex_segregated: false,
                    children_allowed: true,
                    max_nights: None,
                },
                max_intake: None,
                pools: vec![BedPool {
                    id: "p".into(),
                    kind,
                    free_beds: beds,
                    free_step_free_beds: step_free,
                }],
            }],
        }
    }

    fn whole(id: &str, kind: PoolKind, step_free_beds: u16) -> Proposal {
        Proposal {
            household_id: id.into(),
            site_id: "s".into(),
            pools: vec![PoolUse {
                pool_id: "p".into(),
                kind,
                men: 1,
                women: 1,
                children: 0,
                step_free_beds,
                beds_taken: 2,
            }],
            people: 2,
            reason: PlacementReason {
                arrangement: Arrangement::MixedDorm,
                choice: Choice::LeastContestedBeds,
                in_preferred_city: true,
                travel_km: 0.0,
                travel_from: crate::output::TravelFrom::PreferredCity,
                effective_priority: 1.0,
                shadow_cost: 0.0,
                step_free_beds,
                better_options_unavailable: 0,
            },
        }
    }

    #[test]
    fn rooms_are_counted_per_household() {
        let kind = PoolKind::FamilyRoom { room_size: 2 };
        let p = problem(kind, 2, 2);
        assert_eq!(verify(&p, &[whole("a", kind, 1)]), vec![]);
        let v = verify(&p, &[whole("a", kind, 1), whole("b", kind, 1)]);
        assert_eq!(
            v,
            vec![Violation::OverCapacity {
                site: "s".into(),
                pool: "p".into()
            }]
        );
    }

    #[test]
    fn step_free_beds_are_checked_against_needs_and_capacity() {
        let p = problem(PoolKind::Mixed, 10, 1);
        let v = verify(&p, &[whole("a", PoolKind::Mixed, 0)]);
        assert!(v.contains(&Violation::StepFreeNotMet {
            household: "a".into()
        }));
        let v = verify(
            &p,
            &[
                whole("a", PoolKind::Mixed, 1),
                whole("b", PoolKind::Mixed, 1),
            ],
        );
        assert!(v.contains(&Violation::OverCapacity {
            site: "s".into(),
            pool: "p".into()
        }));
    }

    #[test]
    fn a_woman_in_a_male_dorm_is_caught() {
        let p = problem(PoolKind::MaleDorm, 10, 10);
        let v = verify(&p, &[whole("a", PoolKind::MaleDorm, 1)]);
        assert!(v.contains(&Violation::WrongDorm {
            household: "a".into(),
            pool: "p".into()
        }));
    }
}
