//! Why a household was left waiting. The dispatcher needs the most basic obstacle first
//! ("no site in reach takes children" tells them to open one; "beds went to others" tells
//! them to find more beds), so the rules are applied one at a time over every site in reach
//! and the first rule that rules out all of them is the reason.

use crate::model::{Feature, Model, Relax, Remaining, nights_allowed, type_patterns};
use crate::output::UnplacedReason;

/// Reason for every household of class `class` that stayed unplaced.
pub(crate) fn why_unplaced(m: &Model, class: u32) -> UnplacedReason {
    let c = &m.classes[class as usize];
    let f = &m.features[c.feature as usize];
    if f.children > 0 && f.men == 0 && f.women == 0 {
        return UnplacedReason::ChildWithoutAdult;
    }
    let reach: Vec<u32> = m.reach[c.geo as usize]
        .iter()
        .map(|&(city, _)| city)
        .collect();
    let mut types: Vec<u32> = (0..m.types.len() as u32)
        .filter(|&t| reach.contains(&m.types[t as usize].city))
        .collect();
    if types.is_empty() {
        return UnplacedReason::NoSiteInReach;
    }
    types.retain(|&t| {
        m.types[t as usize]
            .sites
            .iter()
            .any(|&site| nights_allowed(f.nights, m.sites[site as usize].max_nights))
    });
    if types.is_empty() {
        return UnplacedReason::StayTooLong;
    }
    if f.children > 0 {
        types.retain(|&t| m.types[t as usize].rules.children_allowed);
        if types.is_empty() {
            return UnplacedReason::ChildrenNotAllowed;
        }
    }
    let with_patterns: Vec<u32> = types
        .iter()
        .copied()
        .filter(|&t| !type_patterns(f, &m.types[t as usize], Relax::default()).is_empty())
        .collect();
    if with_patterns.is_empty() {
        let allowed_if = |relax: Relax| {
            types
                .iter()
                .any(|&t| !type_patterns(f, &m.types[t as usize], relax).is_empty())
        };
        if allowed_if(Relax {
            accept_separation: true,
            leave_children_alone: false,
        }) {
            return UnplacedReason::SexSeparationRefused;
        }
        if allowed_if(Relax {
            accept_separation: true,
            leave_children_alone: true,
        }) {
            return UnplacedReason::ChildWithoutAdult;
        }
        let has_family_rooms = types.iter().any(|&t| {
            let ty = &m.types[t as usize];
            !ty.rules.sex_segregated
                && ty
                    .slots
                    .iter()
                    .any(|k| matches!(k, crate::input::PoolKind::FamilyRoom { .. }))
        });
        return if has_family_rooms {
            UnplacedReason::NoFamilyRoomLargeEnough
        } else {
            UnplacedReason::NoSuitablePool
        };
    }
    if reach
        .iter()
        .any(|&city| !m.opts_in_city(c.feature, city).is_empty())
    {
        return UnplacedReason::CapacityTakenByHigherPriority;
    }
    let without_step_free = Feature {
        sf_men: 0,
        sf_women: 0,
        sf_children: 0,
        ..*f
    };
    let rem = Remaining::new(m);
    let fits_ignoring_step_free = with_patterns.iter().any(|&t| {
        let ty = &m.types[t as usize];
        type_patterns(f, ty, Relax::default()).into_iter().any(|p| {
            ty.sites
                .iter()
                .any(|&s| m.find_pools(s, &without_step_free, p, &rem).is_some())
        })
    });
    if fits_ignoring_step_free {
        UnplacedReason::NoStepFreeBed
    } else {
        UnplacedReason::NoPoolLargeEnough
    }
}
