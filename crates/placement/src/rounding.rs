//! The aggregated model's LP relaxation solved exactly, then rounded to whole households
//! and repaired, for batches too large for branch and bound over every pool but small
//! enough for one exact LP (a few thousand households).
//!
//! Why this and not the Lagrangian price search alone: on a few thousand households its
//! greedy and its dual bound stay 0.3-0.5% apart within the evaluations a dispatcher can
//! wait for. Branch and bound over every pool is no answer either: at 2,000 households its
//! LP alone takes most of a second, and its dive and nodes stay about 0.4% below the
//! bound. Over household classes and site types the LP has a few hundred rows and some ten
//! thousand columns, which `microlp` solves exactly in a fraction of a second; its optimum
//! is within about a hundredth of a per cent of the LP over every pool, and only a few
//! dozen of its columns are fractional, so rounding them costs little once the displaced
//! households are repaired.
//!
//! The rounding: every class takes its LP counts at each site type, rounded down, and the
//! fractional remainders go to the options with the largest fractions; households are
//! then laid out over the sites of their type, largest first (rounding loses almost
//! nothing; what is lost is beds fragmented over the sites of a type, and stay limits and
//! step-free beds that the type pools but a site does not have). Households left over are
//! given any free beds in reach, nearest first, and then each waiting household may
//! displace placed households of lower value per bed when that raises the objective (the
//! displaced ones try other free beds).

use microlp::{ComparisonOp, OptimizationDirection};

use crate::model::{
    Feature, Model, NONE, Pattern, Relax, Remaining, nights_allowed, pool_needs, type_patterns,
};
use crate::output::Choice;
use crate::solve::{Assigned, Primal, pick_site};

/// Columns beyond which the LP is left to the price search: the simplex would take longer
/// than a dispatcher should wait.
const MAX_COLUMNS: usize = 60_000;

/// Passes of the displacement repair over the waiting households.
const REPAIR_PASSES: usize = 3;

/// The LP optimum of the aggregated model and how many households of each class it sends
/// to each option.
pub(crate) struct Relaxation {
    /// Proven upper bound on priority-weighted people less travel.
    pub bound: f64,
    /// Per class: (index into the feature's options, households), positive entries only.
    pub flows: Vec<Vec<(u32, f64)>>,
}

/// Solves the LP relaxation of the aggregated model: one column per class and option of
/// its feature in reach, valued at the class's priority less the least travel to a site
/// of the option's type; rows are the type resources (beds, step-free beds, intake) and
/// the households of each class, whose priority levels are filled best first. Every
/// placement that keeps the hard rules maps to a feasible point of it (pooling a type's
/// sites only loosens capacities, the least travel only lowers costs), so its optimum
/// bounds the objective. `None` when the LP is too large or the solver gives up.
pub(crate) fn relax(m: &Model) -> Option<Relaxation> {
    let mut lp = microlp::Problem::new(OptimizationDirection::Maximize);
    let mut rows: Vec<Vec<(microlp::Variable, f64)>> = vec![Vec::new(); m.res_cap.len()];
    let mut columns: Vec<Vec<(u32, microlp::Variable)>> = Vec::with_capacity(m.classes.len());
    let mut geo_costs: Vec<Option<Vec<f64>>> = vec![None; m.geos.len()];
    let mut ncols = 0usize;
    for class in &m.classes {
        let f = class.feature;
        let nc = m.cities.len();
        let n = f64::from(m.features[f as usize].n());
        let costs = geo_costs[class.geo as usize].get_or_insert_with(|| m.type_costs(class.geo));
        let count: u32 = class.levels.iter().map(|l| l.1).sum();
        let single = class.levels.len() == 1;
        let value = if single { class.levels[0].0 } else { 0.0 };
        let mut cols = Vec::new();
        for &(c, _) in &m.reach[class.geo as usize] {
            let (a, _) = m.feat_city[f as usize * nc + c as usize];
            for (i, o) in m.opts_in_city(f, c).iter().enumerate() {
                let travel = costs[o.ty as usize];
                // An option whose travel costs more than the best household of the class
                // is worth can only lower the objective.
                if !travel.is_finite() || class.levels[0].0 <= n * travel {
                    continue;
                }
                let x = lp.add_var(value - n * travel, (0.0, f64::from(count)));
                for &(r, amount) in o.usage() {
                    rows[r as usize].push((x, f64::from(amount)));
                }
                cols.push((a + i as u32, x));
            }
        }
        ncols += cols.len();
        if ncols > MAX_COLUMNS {
            return None;
        }
        if !cols.is_empty() {
            let mut row: Vec<(microlp::Variable, f64)> = cols.iter().map(|c| (c.1, 1.0)).collect();
            if single {
                lp.add_constraint(row, ComparisonOp::Le, f64::from(count));
            } else {
                for &(v, c) in &class.levels {
                    let z = lp.add_var(v, (0.0, f64::from(c)));
                    row.push((z, -1.0));
                }
                lp.add_constraint(row, ComparisonOp::Eq, 0.0);
            }
        }
        columns.push(cols);
    }
    for (r, row) in rows.into_iter().enumerate() {
        if !row.is_empty() {
            lp.add_constraint(row, ComparisonOp::Le, m.res_cap[r]);
        }
    }
    let solution = lp.solve().ok()?.into_solution().ok()?;
    // Only a proven optimum bounds every placement.
    if solution.status() != microlp::SolutionStatus::Optimal {
        return None;
    }
    let flows = columns
        .iter()
        .map(|cols| {
            cols.iter()
                .map(|&(o, x)| (o, solution.var_value(x)))
                .filter(|&(_, x)| x > 1e-7)
                .collect()
        })
        .collect();
    Some(Relaxation {
        bound: solution.objective(),
        flows,
    })
}

/// How the LP's households are laid out over sites. No one way is best on every batch
/// (each leaves 0.02-0.15% on a few thousand households, a different one best each time),
/// so [`VARIANTS`] are tried in turn until one is within the target gap.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Variant {
    /// Largest households first, while beds are least fragmented (among equal sizes those
    /// with a stay or step-free need, whom fewer sites of a type can take), else in
    /// priority order.
    pub largest_first: bool,
    /// A household that finds no room at the type the LP chose takes the nearest free
    /// beds at once, before the households after it; else it waits for the fill after
    /// everyone.
    pub fall_back: bool,
}

/// The layouts tried, most often best first.
pub(crate) const VARIANTS: [Variant; 4] = [
    Variant {
        largest_first: true,
        fall_back: false,
    },
    Variant {
        largest_first: false,
        fall_back: false,
    },
    Variant {
        largest_first: true,
        fall_back: true,
    },
    Variant {
        largest_first: false,
        fall_back: true,
    },
];

/// Whole households from the relaxation, laid out as `variant` says, repaired; `start`
/// (the price search's placement) lends its reasons to households placed at a site of
/// the same type.
pub(crate) fn round(
    m: &Model,
    relaxation: &Relaxation,
    start: &Primal,
    variant: Variant,
) -> Primal {
    let mut state = State::new(m);
    // Members of each class, best first.
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); m.classes.len()];
    for &h in &m.order {
        members[m.hh[h as usize].class as usize].push(h);
    }
    let mut tasks: Vec<(u32, u32)> = Vec::new();
    for (k, flows) in relaxation.flows.iter().enumerate() {
        let mut counts: Vec<(u32, u32, f64)> = flows
            .iter()
            .map(|&(o, x)| {
                let whole = (x + 1e-6).floor();
                (o, whole as u32, (x - whole).max(0.0))
            })
            .collect();
        let extra = counts.iter().map(|c| c.2).sum::<f64>().round() as usize;
        let mut by_fraction: Vec<usize> = (0..counts.len()).collect();
        by_fraction.sort_by(|&a, &b| counts[b].2.total_cmp(&counts[a].2).then(a.cmp(&b)));
        for &i in by_fraction.iter().take(extra) {
            counts[i].1 += 1;
        }
        let mut next = members[k].iter();
        for &(o, c, _) in &counts {
            for _ in 0..c {
                if let Some(&h) = next.next() {
                    tasks.push((h, o));
                }
            }
        }
    }
    let rank = rank_of(m);
    let constrained = |h: u32| {
        let f = &m.features[m.hh[h as usize].feature as usize];
        f.nights.is_some() || f.sf_total() > 0
    };
    if variant.largest_first {
        tasks.sort_by(|&(a, _), &(b, _)| {
            m.hh[b as usize]
                .n
                .cmp(&m.hh[a as usize].n)
                .then(constrained(b).cmp(&constrained(a)))
                .then(rank[a as usize].cmp(&rank[b as usize]))
        });
    } else {
        tasks.sort_by_key(|&(h, _)| rank[h as usize]);
    }
    let mut rotate = vec![0usize; m.types.len()];
    let mut candidates = Candidates::new(m);
    for (h, o) in tasks {
        let ch = &m.hh[h as usize];
        let f = &m.features[ch.feature as usize];
        let opt = &m.feat_opts[ch.feature as usize][o as usize];
        if let Some((site, pools, travel)) =
            pick_site(m, ch.geo, opt.ty, f, opt.pattern, &state.rem, &mut rotate)
            && ch.weight * f64::from(ch.n) > f64::from(ch.n) * travel
        {
            state.place(
                h,
                site,
                opt.pattern,
                pools,
                travel,
                Choice::LeastContestedBeds,
            );
        } else if variant.fall_back {
            state.fill_one(h, &mut candidates);
        }
    }
    state.fill(&mut candidates);
    // Households the LP places: of each class, as many of the best as its flows add up to.
    let mut wanted = vec![false; m.hh.len()];
    for (k, flows) in relaxation.flows.iter().enumerate() {
        let total = flows.iter().map(|f| f.1).sum::<f64>();
        let take = (total - 1e-6).ceil().max(0.0) as usize;
        for &h in members[k].iter().take(take) {
            wanted[h as usize] = true;
        }
    }
    for _ in 0..REPAIR_PASSES {
        if !state.displace(&mut candidates, &wanted) {
            break;
        }
    }
    state.into_primal(start)
}

/// Position of each household in the model's priority order.
fn rank_of(m: &Model) -> Vec<u32> {
    let mut rank = vec![0u32; m.hh.len()];
    for (i, &h) in m.order.iter().enumerate() {
        rank[h as usize] = i as u32;
    }
    rank
}

/// Every site and layout a class may take, nearest first, built when first needed.
struct Candidates<'m, 'a> {
    m: &'m Model<'a>,
    by_class: Vec<Option<Vec<(f64, u32, Pattern)>>>,
}

impl<'m, 'a> Candidates<'m, 'a> {
    fn new(m: &'m Model<'a>) -> Self {
        Candidates {
            m,
            by_class: vec![None; m.classes.len()],
        }
    }

    fn of(&mut self, class: u32) -> &[(f64, u32, Pattern)] {
        let m = self.m;
        self.by_class[class as usize].get_or_insert_with(|| {
            let c = &m.classes[class as usize];
            let f = &m.features[c.feature as usize];
            let mut out = Vec::new();
            for &(city, _) in &m.reach[c.geo as usize] {
                for &s in &m.city_sites[city as usize] {
                    let site = &m.sites[s as usize];
                    if !nights_allowed(f.nights, site.max_nights)
                        || site.intake.is_some_and(|i| i < f.n())
                    {
                        continue;
                    }
                    let travel = m.site_cost(c.geo, s);
                    for pattern in type_patterns(f, &m.types[site.ty as usize], Relax::default()) {
                        out.push((travel, s, pattern));
                    }
                }
            }
            out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            out
        })
    }
}

/// A placement being built: capacities left and who sleeps where.
struct State<'m, 'a> {
    m: &'m Model<'a>,
    rem: Remaining,
    assigned: Vec<Option<Assigned>>,
    /// Per site: households placed there.
    at_site: Vec<Vec<u32>>,
}

impl<'m, 'a> State<'m, 'a> {
    fn new(m: &'m Model<'a>) -> Self {
        State {
            m,
            rem: Remaining::new(m),
            assigned: vec![None; m.hh.len()],
            at_site: vec![Vec::new(); m.sites.len()],
        }
    }

    fn feature(&self, h: u32) -> &'m Feature {
        let m = self.m;
        &m.features[m.hh[h as usize].feature as usize]
    }

    /// What household `h` adds to the objective at a site `travel` away per person.
    fn worth(&self, h: u32, travel: f64) -> f64 {
        let ch = &self.m.hh[h as usize];
        f64::from(ch.n) * (ch.weight - travel)
    }

    fn place(
        &mut self,
        h: u32,
        site: u32,
        pattern: Pattern,
        pools: [u32; 2],
        travel: f64,
        choice: Choice,
    ) {
        let f = self.feature(h);
        self.rem.take(site, f, pattern, pools);
        self.at_site[site as usize].push(h);
        self.assigned[h as usize] = Some(Assigned {
            site,
            pattern,
            pools,
            choice,
            shadow_cost: 0.0,
            travel,
            passed_over: 0,
        });
    }

    fn remove(&mut self, h: u32) -> Option<Assigned> {
        let a = self.assigned[h as usize].take()?;
        let f = self.feature(h);
        self.rem.release(a.site, f, a.pattern, a.pools);
        self.at_site[a.site as usize].retain(|&x| x != h);
        Some(a)
    }

    /// Gives every waiting household, best first, the nearest free beds worth taking.
    fn fill(&mut self, candidates: &mut Candidates) {
        for &h in &self.m.order {
            if self.assigned[h as usize].is_none() {
                self.fill_one(h, candidates);
            }
        }
    }

    /// Gives `h` the nearest free beds worth taking, if any; returns whether it found some.
    fn fill_one(&mut self, h: u32, candidates: &mut Candidates) -> bool {
        let ch = &self.m.hh[h as usize];
        let f = self.feature(h);
        for &(travel, site, pattern) in candidates.of(ch.class) {
            if self.worth(h, travel) <= 0.0 {
                break;
            }
            if let Some(pools) = self.m.find_pools(site, f, pattern, &self.rem) {
                self.place(h, site, pattern, pools, travel, Choice::LeftoverBeds);
                return true;
            }
        }
        false
    }

    /// One pass over the waiting households, best first: each takes the site and layout
    /// where displacing placed households of the lowest value per bed in the pools it needs
    /// gains the most, counting what the displaced regain on other free beds; households
    /// the LP places (`wanted`) weigh every site in reach, the others stop at the first
    /// gain that does not need the displaced to find beds. Returns whether the objective
    /// rose.
    fn displace(&mut self, candidates: &mut Candidates, wanted: &[bool]) -> bool {
        let m = self.m;
        let mut improved = false;
        for &h in &m.order {
            if self.assigned[h as usize].is_some() {
                continue;
            }
            let ch = &m.hh[h as usize];
            let list = candidates.of(ch.class).to_vec();
            let mut best: Option<(f64, usize, Vec<u32>)> = None;
            for (ci, &(travel, site, pattern)) in list.iter().enumerate() {
                let gain = self.worth(h, travel);
                if gain <= best.as_ref().map_or(1e-9, |b| b.0) {
                    break;
                }
                let limit = if wanted[h as usize] {
                    f64::INFINITY
                } else {
                    gain
                };
                let Some((loss, evicted)) = self.eviction(h, site, pattern, limit) else {
                    continue;
                };
                let net = if wanted[h as usize] && !evicted.is_empty() {
                    let (net, log) = self.chain(h, site, pattern, travel, &evicted, candidates);
                    self.undo(log);
                    net
                } else {
                    gain - loss
                };
                if net > best.as_ref().map_or(1e-9, |b| b.0) {
                    best = Some((net, ci, evicted));
                }
            }
            if let Some((_, ci, evicted)) = best {
                let (travel, site, pattern) = list[ci];
                let (net, log) = self.chain(h, site, pattern, travel, &evicted, candidates);
                if net > 1e-9 {
                    improved = true;
                } else {
                    self.undo(log);
                }
            }
        }
        improved
    }

    /// Moves `evicted` out, puts `h` at `site` laid out as `pattern` and gives the evicted
    /// the nearest free beds they are worth; returns the change of the objective and what
    /// was done, for [`State::undo`].
    fn chain(
        &mut self,
        h: u32,
        site: u32,
        pattern: Pattern,
        travel: f64,
        evicted: &[u32],
        candidates: &mut Candidates,
    ) -> (f64, Vec<(u32, Option<Assigned>)>) {
        let m = self.m;
        let mut log = Vec::new();
        let mut net = 0.0;
        for &e in evicted {
            if let Some(a) = self.remove(e) {
                net -= self.worth(e, a.travel);
                log.push((e, Some(a)));
            }
        }
        let f = self.feature(h);
        if let Some(pools) = m.find_pools(site, f, pattern, &self.rem) {
            self.place(h, site, pattern, pools, travel, Choice::LeastContestedBeds);
            net += self.worth(h, travel);
            log.push((h, None));
        }
        for &e in evicted {
            if self.fill_one(e, candidates) {
                if let Some(a) = self.assigned[e as usize] {
                    net += self.worth(e, a.travel);
                }
                log.push((e, None));
            }
        }
        (net, log)
    }

    /// Reverses [`State::chain`]: entries with a placement were removed and are put back,
    /// the others were placed and are removed.
    fn undo(&mut self, log: Vec<(u32, Option<Assigned>)>) {
        for (h, before) in log.into_iter().rev() {
            match before {
                None => {
                    self.remove(h);
                }
                Some(a) => {
                    let f = self.feature(h);
                    self.rem.take(a.site, f, a.pattern, a.pools);
                    self.at_site[a.site as usize].push(h);
                    self.assigned[h as usize] = Some(a);
                }
            }
        }
    }

    /// The placed households to move out of `site` so that `h` fits there laid out as
    /// `pattern`, lowest value per bed first, and the value lost; `None` when that costs
    /// at least `limit`. Capacities are left as they were.
    fn eviction(
        &mut self,
        h: u32,
        site: u32,
        pattern: Pattern,
        limit: f64,
    ) -> Option<(f64, Vec<u32>)> {
        let m = self.m;
        let f = self.feature(h);
        if m.find_pools(site, f, pattern, &self.rem).is_some() {
            return Some((0.0, Vec::new()));
        }
        let kinds = pattern_kinds(pattern);
        let intake_short = self.rem.intake[site as usize] < f.n();
        let mut occupants: Vec<(f64, u32)> = Vec::new();
        for &o in &self.at_site[site as usize] {
            let Some(a) = self.assigned[o as usize] else {
                continue;
            };
            let of = self.feature(o);
            let mut units = 0u32;
            for (&pool, (need, _)) in a.pools.iter().zip(pool_needs(of, a.pattern)) {
                if pool != NONE && kinds.contains(&Some(m.pools[pool as usize].kind)) {
                    units += need;
                }
            }
            if units == 0 && intake_short {
                units = m.hh[o as usize].n;
            }
            if units > 0 {
                occupants.push((self.worth(o, a.travel) / f64::from(units), o));
            }
        }
        occupants.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut loss = 0.0;
        let mut moved: Vec<(u32, Assigned)> = Vec::new();
        let mut fits = false;
        for &(_, o) in &occupants {
            let Some(a) = self.assigned[o as usize] else {
                continue;
            };
            loss += self.worth(o, a.travel);
            if loss >= limit {
                break;
            }
            let of = self.feature(o);
            self.rem.release(a.site, of, a.pattern, a.pools);
            moved.push((o, a));
            if m.find_pools(site, f, pattern, &self.rem).is_some() {
                fits = true;
                break;
            }
        }
        for &(o, a) in moved.iter().rev() {
            let of = self.feature(o);
            self.rem.take(a.site, of, a.pattern, a.pools);
        }
        fits.then(|| (loss, moved.into_iter().map(|(o, _)| o).collect()))
    }

    fn into_primal(self, start: &Primal) -> Primal {
        let m = self.m;
        let (mut objective, mut weighted) = (0.0, 0.0);
        let mut assigned = self.assigned;
        for (h, a) in assigned.iter_mut().enumerate() {
            let Some(a) = a else {
                continue;
            };
            let ch = &m.hh[h];
            weighted += ch.weight * f64::from(ch.n);
            objective += f64::from(ch.n) * (ch.weight - a.travel);
            let ty = m.sites[a.site as usize].ty;
            if let Some(b) = start.assigned[h].filter(|b| m.sites[b.site as usize].ty == ty) {
                a.shadow_cost = b.shadow_cost;
                a.passed_over = b.passed_over;
            }
        }
        Primal {
            assigned,
            objective,
            weighted,
        }
    }
}

/// Pool kinds a layout takes beds from.
fn pattern_kinds(pattern: Pattern) -> [Option<crate::input::PoolKind>; 2] {
    use crate::input::PoolKind::{FemaleDorm, MaleDorm};
    match pattern {
        Pattern::Whole(k) | Pattern::Rooms(k) => [Some(k), None],
        Pattern::Men => [Some(MaleDorm), None],
        Pattern::Wc => [Some(FemaleDorm), None],
        Pattern::Separated => [Some(MaleDorm), Some(FemaleDorm)],
    }
}
