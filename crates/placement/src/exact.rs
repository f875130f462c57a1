//! Branch and bound over the exact model, for batches small enough (a night dispatcher's
//! few hundred to a few thousand households).
//!
//! The price search bounds a relaxation in which the beds of all sites of one type are
//! pooled, and its greedy places households one by one; on a small batch one family placed
//! in the wrong room is already a per cent of the objective. Here every pool of every site
//! is its own constraint, and the integer program is solved by `microlp` (pure Rust, branch
//! and bound on the dual simplex) from the greedy's placement, to a proven gap of
//! [`crate::Options::exact_gap`] or until [`crate::Options::exact_max_work`] is spent.
//!
//! Variables: for each household class and each way of placing one of its households at one
//! site (a pattern with concrete pools), how many households of the class take it (an
//! integer). Households of a class differ only in priority, so the best of them are placed
//! first: a class with several priority levels gets one continuous variable per level,
//! filled best first by the objective. Rows: beds (or rooms) and step-free beds of every
//! pool, intake of every limited site, households of every class.

use microlp::{ComparisonOp, OptimizationDirection, SolveOptions, Variable};

use crate::model::Relax;
use crate::model::{Model, NONE, Pattern, Remaining, nights_allowed, pool_needs, type_patterns};
use crate::output::Choice;
use crate::solve::{Assigned, Primal};

/// Larger integer programs are left to the price search: the simplex alone would take
/// longer than the dispatcher should wait.
const MAX_VARIABLES: usize = 120_000;

/// The outcome of branch and bound.
pub(crate) struct Exact {
    pub primal: Primal,
    /// Proven upper bound on the objective (priority-weighted people less travel).
    pub bound: f64,
    pub nodes: u64,
}

/// One way of placing one household of a class.
struct Placement {
    class: u32,
    site: u32,
    pattern: Pattern,
    pools: [u32; 2],
    travel: f64,
}

/// Solves the exact model from `start`; `None` when the batch is too large or the solver
/// gives no answer it can prove (the price search's placement then stands).
pub(crate) fn solve(m: &Model, start: &Primal) -> Option<Exact> {
    let options = m.options;
    let mut placements: Vec<Placement> = Vec::new();
    for (k, class) in m.classes.iter().enumerate() {
        let f = &m.features[class.feature as usize];
        let n = f.n();
        for &(city, _) in &m.reach[class.geo as usize] {
            for &s in &m.city_sites[city as usize] {
                let site = &m.sites[s as usize];
                if !nights_allowed(f.nights, site.max_nights) || site.intake.is_some_and(|i| i < n)
                {
                    continue;
                }
                let ty = &m.types[site.ty as usize];
                let travel = m.site_cost(class.geo, s);
                for pattern in type_patterns(f, ty, Relax::default()) {
                    let [(need0, sf0), (need1, sf1)] = pool_needs(f, pattern);
                    let fits = |kind: crate::input::PoolKind, need: u32, sf: u32| {
                        site.pools.clone().filter(move |&p| {
                            let pool = &m.pools[p];
                            pool.kind == kind && pool.cap >= need && pool.sf >= sf
                        })
                    };
                    use crate::input::PoolKind::{FemaleDorm, MaleDorm};
                    // The one pool kind a pattern of one pool takes.
                    let single = match pattern {
                        Pattern::Whole(kind) | Pattern::Rooms(kind) => Some(kind),
                        Pattern::Men => Some(MaleDorm),
                        Pattern::Wc => Some(FemaleDorm),
                        Pattern::Separated => None,
                    };
                    match single {
                        Some(kind) => {
                            for p in fits(kind, need0, sf0) {
                                placements.push(Placement {
                                    class: k as u32,
                                    site: s,
                                    pattern,
                                    pools: [p as u32, NONE],
                                    travel,
                                });
                            }
                        }
                        None => {
                            for a in fits(MaleDorm, need0, sf0) {
                                for b in fits(FemaleDorm, need1, sf1) {
                                    placements.push(Placement {
                                        class: k as u32,
                                        site: s,
                                        pattern,
                                        pools: [a as u32, b as u32],
                                        travel,
                                    });
                                }
                            }
                        }
                    }
                }
            }
            if placements.len() > MAX_VARIABLES {
                return None;
            }
        }
    }

    let program = Program::new(m, &placements);

    // The LP relaxation bounds every placement; rounded down and topped up it is usually
    // already within the gap.
    let (lp, vars, _) = program.build(false);
    let relaxed = lp.solve().ok()?.into_solution().ok()?;
    let lp_bound = relaxed.objective();
    let fractional: Vec<f64> = vars.iter().map(|&v| relaxed.var_value(v)).collect();
    let mut best = program.round_and_fill(&fractional);
    if let Some(dived) = program.dive(relaxed, &vars)
        && program.objective(&dived) > program.objective(&best)
    {
        best = dived;
    }
    if let Some(counts) = program.counts_of(start)
        && program.objective(&counts) > program.objective(&best)
    {
        best = counts;
    }
    let mut bound = lp_bound;
    let mut nodes = 0;
    if crate::solve::gap(bound, program.objective(&best)) > options.exact_gap {
        let (mip, vars, levels) = program.build(true);
        let mut warm: Vec<(Variable, f64)> = vars
            .iter()
            .zip(&best)
            .map(|(&v, &c)| (v, f64::from(c)))
            .collect();
        for (k, class) in m.classes.iter().enumerate() {
            let mut left: u32 = program.by_class[k].iter().map(|&i| best[i]).sum();
            for (z, &(_, n)) in levels[k].iter().zip(&class.levels) {
                let take = left.min(n);
                warm.push((*z, f64::from(take)));
                left -= take;
            }
        }
        let mut solve_options = SolveOptions::default();
        solve_options.mip_gap = options.exact_gap;
        // A node costs about one simplex pass over the program, so the budget is in nodes
        // times variables: deterministic, and about the same time for any batch size.
        let nodes_allowed = options.exact_max_work / (placements.len() as u64).max(1);
        solve_options.node_limit = Some(nodes_allowed.max(1));
        solve_options.warm_start = Some(warm);
        if let Some(solution) = mip
            .solve_with(solve_options)
            .ok()
            .and_then(|outcome| outcome.into_solution().ok())
        {
            let stats = solution.stats();
            nodes = stats.nodes_solved;
            if let Some(b) = stats.best_bound {
                bound = bound.min(b);
            }
            let counts: Vec<u32> = vars
                .iter()
                .map(|&v| solution.var_value(v).round().max(0.0) as u32)
                .collect();
            if program.feasible(&counts) && program.objective(&counts) > program.objective(&best) {
                best = counts;
            }
        }
    }

    let best = program.spread(best);

    // Households of a class in priority order take the placements chosen.
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); m.classes.len()];
    for &h in &m.order {
        members[m.hh[h as usize].class as usize].push(h);
    }
    let mut rem = Remaining::new(m);
    let mut assigned: Vec<Option<Assigned>> = vec![None; m.hh.len()];
    let (mut objective, mut weighted) = (0.0, 0.0);
    let mut next = vec![0usize; m.classes.len()];
    for (i, p) in placements.iter().enumerate() {
        let class = &m.classes[p.class as usize];
        let f = &m.features[class.feature as usize];
        for _ in 0..best[i] {
            let k = p.class as usize;
            let &h = members[k].get(next[k])?;
            next[k] += 1;
            if !fits(&rem, p, f) {
                return None;
            }
            rem.take(p.site, f, p.pattern, p.pools);
            let ch = &m.hh[h as usize];
            let value = ch.weight * f64::from(ch.n);
            objective += value - f64::from(ch.n) * p.travel;
            weighted += value;
            let before = start.assigned[h as usize];
            let same_type =
                before.is_some_and(|b| m.sites[b.site as usize].ty == m.sites[p.site as usize].ty);
            assigned[h as usize] = Some(Assigned {
                site: p.site,
                pattern: p.pattern,
                pools: p.pools,
                choice: Choice::LeastContestedBeds,
                shadow_cost: before.filter(|_| same_type).map_or(0.0, |b| b.shadow_cost),
                travel: p.travel,
                passed_over: before.filter(|_| same_type).map_or(0, |b| b.passed_over),
            });
        }
    }
    Some(Exact {
        primal: Primal {
            assigned,
            objective,
            weighted,
        },
        bound: bound.max(objective),
        nodes,
    })
}

/// The integer program's structure, shared by its LP relaxation and branch and bound.
struct Program<'p, 'a> {
    m: &'p Model<'a>,
    placements: &'p [Placement],
    /// Per placement: most households it can take alone.
    uppers: Vec<u32>,
    by_class: Vec<Vec<usize>>,
    /// Per pool: placements using it with beds (or rooms) and step-free beds.
    by_pool: Vec<Vec<(usize, u32, u32)>>,
    /// Per site with an intake limit: placements there with their people.
    by_site: Vec<Vec<(usize, u32)>>,
    /// Per class: households.
    counts: Vec<u32>,
}

impl<'p, 'a> Program<'p, 'a> {
    fn new(m: &'p Model<'a>, placements: &'p [Placement]) -> Self {
        let counts: Vec<u32> = m
            .classes
            .iter()
            .map(|c| c.levels.iter().map(|l| l.1).sum())
            .collect();
        let mut uppers = Vec::with_capacity(placements.len());
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); m.classes.len()];
        let mut by_pool: Vec<Vec<(usize, u32, u32)>> = vec![Vec::new(); m.pools.len()];
        let mut by_site: Vec<Vec<(usize, u32)>> = vec![Vec::new(); m.sites.len()];
        for (i, p) in placements.iter().enumerate() {
            let f = &m.features[m.classes[p.class as usize].feature as usize];
            let n = f.n();
            let mut upper = counts[p.class as usize];
            for (pool, (need, sf)) in p.pools.iter().zip(pool_needs(f, p.pattern)) {
                if *pool == NONE {
                    continue;
                }
                let cp = &m.pools[*pool as usize];
                if let Some(most) = cp.cap.checked_div(need) {
                    upper = upper.min(most);
                }
                if let Some(most) = cp.sf.checked_div(sf) {
                    upper = upper.min(most);
                }
                by_pool[*pool as usize].push((i, need, sf));
            }
            if let Some(intake) = m.sites[p.site as usize].intake {
                upper = upper.min(intake / n.max(1));
                by_site[p.site as usize].push((i, n));
            }
            uppers.push(upper.min(i32::MAX as u32));
            by_class[p.class as usize].push(i);
        }
        Program {
            m,
            placements,
            uppers,
            by_class,
            by_pool,
            by_site,
            counts,
        }
    }

    /// The program with integer (`true`) or continuous counts; also returns the count
    /// variables and, per class, its priority-level variables.
    fn build(&self, integer: bool) -> (microlp::Problem, Vec<Variable>, Vec<Vec<Variable>>) {
        let m = self.m;
        let mut lp = microlp::Problem::new(OptimizationDirection::Maximize);
        let mut vars = Vec::with_capacity(self.placements.len());
        for (i, p) in self.placements.iter().enumerate() {
            let class = &m.classes[p.class as usize];
            let n = m.features[class.feature as usize].n();
            let value = if class.levels.len() == 1 {
                class.levels[0].0
            } else {
                0.0
            };
            let objective = value - f64::from(n) * p.travel;
            vars.push(if integer {
                lp.add_integer_var(objective, (0, self.uppers[i] as i32))
            } else {
                lp.add_var(objective, (0.0, f64::from(self.uppers[i])))
            });
        }
        let mut levels: Vec<Vec<Variable>> = vec![Vec::new(); m.classes.len()];
        for (k, class) in m.classes.iter().enumerate() {
            if self.by_class[k].is_empty() {
                continue;
            }
            let mut row: Vec<(Variable, f64)> =
                self.by_class[k].iter().map(|&i| (vars[i], 1.0)).collect();
            if class.levels.len() == 1 {
                lp.add_constraint(row, ComparisonOp::Le, f64::from(self.counts[k]));
            } else {
                for &(value, n) in &class.levels {
                    let z = lp.add_var(value, (0.0, f64::from(n)));
                    levels[k].push(z);
                    row.push((z, -1.0));
                }
                lp.add_constraint(row, ComparisonOp::Eq, 0.0);
            }
        }
        for (pool, uses) in self.by_pool.iter().enumerate() {
            let cp = &m.pools[pool];
            // A row that cannot bind is left out: fewer rows, faster simplex.
            let most = |amount: fn(&(usize, u32, u32)) -> u32| -> u64 {
                uses.iter()
                    .map(|u| u64::from(amount(u)) * u64::from(self.uppers[u.0]))
                    .sum()
            };
            if most(|u| u.1) > u64::from(cp.cap) {
                let row: Vec<(Variable, f64)> = uses
                    .iter()
                    .map(|&(i, need, _)| (vars[i], f64::from(need)))
                    .collect();
                lp.add_constraint(row, ComparisonOp::Le, f64::from(cp.cap));
            }
            if most(|u| u.2) > u64::from(cp.sf) {
                let row: Vec<(Variable, f64)> = uses
                    .iter()
                    .filter(|u| u.2 > 0)
                    .map(|&(i, _, sf)| (vars[i], f64::from(sf)))
                    .collect();
                lp.add_constraint(row, ComparisonOp::Le, f64::from(cp.sf));
            }
        }
        for (s, uses) in self.by_site.iter().enumerate() {
            if let Some(intake) = m.sites[s].intake
                && !uses.is_empty()
            {
                let row: Vec<(Variable, f64)> =
                    uses.iter().map(|&(i, n)| (vars[i], f64::from(n))).collect();
                lp.add_constraint(row, ComparisonOp::Le, f64::from(intake));
            }
        }
        (lp, vars, levels)
    }

    /// Fractional diving: the count furthest into its fraction is fixed at its ceiling when
    /// that still fits beside the counts fixed so far, else at its floor, and the relaxation
    /// is solved again from where it was, until no count is fractional. Returns the
    /// integral counts, or `None` if the solver gives up.
    fn dive(&self, mut solution: microlp::Solution, vars: &[Variable]) -> Option<Vec<u32>> {
        let m = self.m;
        let mut fixed: Vec<Option<u32>> = vec![None; vars.len()];
        let mut pool_used = vec![(0u64, 0u64); m.pools.len()];
        let mut site_used = vec![0u64; m.sites.len()];
        let mut class_used = vec![0u32; m.classes.len()];
        for _ in 0..vars.len() {
            let values: Vec<f64> = vars.iter().map(|&v| solution.var_value(v)).collect();
            let pick = (0..vars.len())
                .filter(|&i| fixed[i].is_none())
                .filter(|&i| {
                    let frac = values[i] - values[i].floor();
                    frac > 1e-6 && frac < 1.0 - 1e-6
                })
                .max_by(|&a, &b| {
                    let fa = values[a] - values[a].floor();
                    let fb = values[b] - values[b].floor();
                    fa.total_cmp(&fb).then(b.cmp(&a))
                });
            let Some(i) = pick else {
                return Some(values.iter().map(|v| v.round().max(0.0) as u32).collect());
            };
            let ceil = values[i].ceil() as u32;
            let p = &self.placements[i];
            let f = &m.features[m.classes[p.class as usize].feature as usize];
            let needs = pool_needs(f, p.pattern);
            let room_for = |count: u32| {
                let pools_ok = p.pools.iter().zip(needs).all(|(&pool, (need, sf))| {
                    pool == NONE || {
                        let (b, s) = pool_used[pool as usize];
                        let cp = &m.pools[pool as usize];
                        b + u64::from(count) * u64::from(need) <= u64::from(cp.cap)
                            && s + u64::from(count) * u64::from(sf) <= u64::from(cp.sf)
                    }
                });
                let site_ok = m.sites[p.site as usize].intake.is_none_or(|cap| {
                    site_used[p.site as usize] + u64::from(count) * u64::from(f.n())
                        <= u64::from(cap)
                });
                pools_ok
                    && site_ok
                    && class_used[p.class as usize] + count <= self.counts[p.class as usize]
            };
            let value = if room_for(ceil) { ceil } else { ceil - 1 };
            fixed[i] = Some(value);
            for (&pool, (need, sf)) in p.pools.iter().zip(needs) {
                if pool != NONE {
                    pool_used[pool as usize].0 += u64::from(value) * u64::from(need);
                    pool_used[pool as usize].1 += u64::from(value) * u64::from(sf);
                }
            }
            site_used[p.site as usize] += u64::from(value) * u64::from(f.n());
            class_used[p.class as usize] += value;
            solution = solution
                .fix_var(vars[i], f64::from(value))
                .ok()?
                .into_solution()
                .ok()?;
        }
        None
    }

    /// Spreads a batch as the price search does: households of one class laid out the same
    /// way at sites of one type that are equally near (within a band of
    /// [`crate::solve::SPREAD_KM_BAND`]) are dealt over those sites in turn, where they fit;
    /// a group that does not fit that way keeps its counts.
    fn spread(&self, mut counts: Vec<u32>) -> Vec<u32> {
        let m = self.m;
        let mut groups: std::collections::BTreeMap<(u32, Pattern, u32, i64), Vec<usize>> =
            std::collections::BTreeMap::new();
        for (i, p) in self.placements.iter().enumerate() {
            let geo = m.classes[p.class as usize].geo;
            let band = (m.trip_km(geo, p.site).0 / crate::solve::SPREAD_KM_BAND).floor() as i64;
            groups
                .entry((p.class, p.pattern, m.sites[p.site as usize].ty, band))
                .or_default()
                .push(i);
        }
        for list in groups.values() {
            let total: u32 = list.iter().map(|&i| counts[i]).sum();
            if list.len() < 2 || total < 2 {
                continue;
            }
            let mut rem = Remaining::new(m);
            for (i, p) in self.placements.iter().enumerate() {
                let f = &m.features[m.classes[p.class as usize].feature as usize];
                if !list.contains(&i) {
                    for _ in 0..counts[i] {
                        rem.take(p.site, f, p.pattern, p.pools);
                    }
                }
            }
            let mut dealt = vec![0u32; list.len()];
            let (mut left, mut turn, mut idle) = (total, 0usize, 0usize);
            while left > 0 && idle < list.len() {
                let i = list[turn % list.len()];
                let p = &self.placements[i];
                let f = &m.features[m.classes[p.class as usize].feature as usize];
                if fits(&rem, p, f) {
                    rem.take(p.site, f, p.pattern, p.pools);
                    dealt[turn % list.len()] += 1;
                    left -= 1;
                    idle = 0;
                } else {
                    idle += 1;
                }
                turn += 1;
            }
            if left == 0 {
                for (k, &i) in list.iter().enumerate() {
                    counts[i] = dealt[k];
                }
            }
        }
        counts
    }

    /// Priority-weighted people less travel of integer counts (the best households of each
    /// class placed).
    fn objective(&self, counts: &[u32]) -> f64 {
        let m = self.m;
        let mut total = 0.0;
        for (k, class) in m.classes.iter().enumerate() {
            let n = f64::from(m.features[class.feature as usize].n());
            let mut left: u32 = 0;
            for &i in &self.by_class[k] {
                left += counts[i];
                total -= f64::from(counts[i]) * n * self.placements[i].travel;
            }
            for &(value, c) in &class.levels {
                let take = left.min(c);
                total += f64::from(take) * value;
                left -= take;
            }
            if left > 0 {
                return f64::NEG_INFINITY;
            }
        }
        total
    }

    /// Whether integer counts keep every capacity.
    fn feasible(&self, counts: &[u32]) -> bool {
        let m = self.m;
        let pools_ok = self.by_pool.iter().enumerate().all(|(pool, uses)| {
            let (beds, sf) = uses.iter().fold((0u64, 0u64), |(b, s), &(i, need, sf)| {
                (
                    b + u64::from(counts[i]) * u64::from(need),
                    s + u64::from(counts[i]) * u64::from(sf),
                )
            });
            beds <= u64::from(m.pools[pool].cap) && sf <= u64::from(m.pools[pool].sf)
        });
        let sites_ok = self.by_site.iter().enumerate().all(|(s, uses)| {
            let people: u64 = uses
                .iter()
                .map(|&(i, n)| u64::from(counts[i]) * u64::from(n))
                .sum();
            m.sites[s].intake.is_none_or(|cap| people <= u64::from(cap))
        });
        let classes_ok = self
            .by_class
            .iter()
            .enumerate()
            .all(|(k, list)| list.iter().map(|&i| counts[i]).sum::<u32>() <= self.counts[k]);
        pools_ok && sites_ok && classes_ok
    }

    /// The relaxation's counts rounded down, then every household still waiting, best
    /// first, given the nearest placement of its class that still has room.
    fn round_and_fill(&self, fractional: &[f64]) -> Vec<u32> {
        let m = self.m;
        let mut counts: Vec<u32> = fractional
            .iter()
            .map(|&x| (x + 1e-6).floor().max(0.0) as u32)
            .collect();
        if !self.feasible(&counts) {
            counts.iter_mut().for_each(|c| *c = 0);
        }
        let mut rem = Remaining::new(m);
        let mut placed = vec![0u32; m.classes.len()];
        for (i, p) in self.placements.iter().enumerate() {
            let f = &m.features[m.classes[p.class as usize].feature as usize];
            for _ in 0..counts[i] {
                rem.take(p.site, f, p.pattern, p.pools);
            }
            placed[p.class as usize] += counts[i];
        }
        let mut by_travel: Vec<Vec<usize>> = self.by_class.clone();
        for list in &mut by_travel {
            list.sort_by(|&a, &b| {
                fractional[b]
                    .fract()
                    .total_cmp(&fractional[a].fract())
                    .then(
                        self.placements[a]
                            .travel
                            .total_cmp(&self.placements[b].travel),
                    )
                    .then(a.cmp(&b))
            });
        }
        let mut seen = vec![0u32; m.classes.len()];
        for &h in &m.order {
            let ch = &m.hh[h as usize];
            let k = ch.class as usize;
            seen[k] += 1;
            if seen[k] <= placed[k] {
                continue;
            }
            let f = &m.features[ch.feature as usize];
            let worth = ch.weight * f64::from(ch.n);
            for &i in &by_travel[k] {
                let p = &self.placements[i];
                if worth > f64::from(ch.n) * p.travel && fits(&rem, p, f) {
                    rem.take(p.site, f, p.pattern, p.pools);
                    counts[i] += 1;
                    placed[k] += 1;
                    break;
                }
            }
        }
        counts
    }

    /// The counts of a placement found by the price search, if every one of its choices is
    /// a placement of this program.
    fn counts_of(&self, start: &Primal) -> Option<Vec<u32>> {
        let index: std::collections::BTreeMap<(u32, u32, Pattern, [u32; 2]), usize> = self
            .placements
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.class, p.site, p.pattern, p.pools), i))
            .collect();
        let mut counts = vec![0u32; self.placements.len()];
        for (h, a) in start.assigned.iter().enumerate() {
            if let Some(a) = a {
                let class = self.m.hh[h].class;
                counts[*index.get(&(class, a.site, a.pattern, a.pools))?] += 1;
            }
        }
        Some(counts)
    }
}

/// Whether one more household fits a placement with the capacity left.
fn fits(rem: &Remaining, p: &Placement, f: &crate::model::Feature) -> bool {
    let site = p.site as usize;
    if rem.intake[site] != u32::MAX && rem.intake[site] < f.n() {
        return false;
    }
    p.pools
        .iter()
        .zip(pool_needs(f, p.pattern))
        .all(|(&pool, (need, sf))| {
            pool == NONE || (rem.cap[pool as usize] >= need && rem.sf[pool as usize] >= sf)
        })
}
