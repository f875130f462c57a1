//! First come, first served: how volunteers placed people from a spreadsheet in 2022. Whoever
//! has waited longest gets the first site in the list of their city with a free bed that
//! suits them. It keeps every hard rule (it never splits a household), so the benchmark
//! compares only the quality of the choices, not rule-breaking.

use crate::input::{Options, Problem};
use crate::model::{Model, Remaining};
use crate::output::{Choice, WarmStart};
use crate::solve::{Assigned, Primal, build_solution};

/// Places households longest-waiting first at the first suitable site of their city, in
/// the order the sites are listed. No upper bound is computed.
pub(crate) fn first_come_first_served(problem: &Problem, options: &Options) -> crate::Solution {
    let m = Model::build(problem, options, false);
    let mut order: Vec<usize> = (0..problem.households.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(problem.households[i].waiting_days), i));
    let mut sites_of_city: Vec<Vec<u32>> = vec![Vec::new(); m.cities.len()];
    for (i, s) in m.sites.iter().enumerate() {
        sites_of_city[s.city as usize].push(i as u32);
    }
    let mut rem = Remaining::new(&m);
    let mut assigned = vec![None; m.hh.len()];
    let mut objective = 0.0;
    let mut weighted = 0.0;
    // Capacity only shrinks, so a site that cannot take a feature now never will: each
    // feature and city keeps a cursor past the sites already found full for it.
    let mut first_site = vec![0usize; m.features.len() * m.cities.len()];
    for i in order {
        let ch = &m.hh[i];
        let f = &m.features[ch.feature as usize];
        let opts = m.opts_in_city(ch.feature, ch.city);
        if opts.is_empty() {
            continue;
        }
        let sites = &sites_of_city[ch.city as usize];
        let cursor = &mut first_site[ch.feature as usize * m.cities.len() + ch.city as usize];
        while let Some(&s) = sites.get(*cursor) {
            let ty = m.sites[s as usize].ty;
            let from = opts.partition_point(|o| o.ty < ty);
            let found = opts[from..]
                .iter()
                .take_while(|o| o.ty == ty)
                .find_map(|o| {
                    m.find_pools(s, f, o.pattern, &rem)
                        .map(|found| (o.pattern, found))
                });
            if let Some((pattern, found)) = found {
                rem.take(s, f, pattern, found);
                let travel = m.site_cost(ch.geo, s);
                objective += (ch.weight - travel) * f64::from(ch.n);
                weighted += ch.weight * f64::from(ch.n);
                assigned[i] = Some(Assigned {
                    site: s,
                    pattern,
                    pools: found,
                    choice: Choice::FirstComeFirstServed,
                    shadow_cost: 0.0,
                    travel,
                    passed_over: *cursor as u32,
                });
                break;
            }
            *cursor += 1;
        }
    }
    let mut solution = build_solution(
        &m,
        &Primal {
            assigned,
            objective,
            weighted,
        },
        None,
        0,
        WarmStart::default(),
    );
    solution.stats.method = crate::output::Method::FirstComeFirstServed;
    solution
}
