//! The optimiser: a Lagrangian relaxation of the placement LP, searched by price adjustment,
//! with a priced greedy that places whole households only.
//!
//! Why this and not a min-cost flow with repair: a flow moves people, not households, so it
//! splits families and needs a repair step that loses quality. Here the integral decisions
//! are always whole households, and the LP enters through its dual: a shadow price per
//! resource (beds and step-free beds of each pool kind at each site type, intake per site
//! type). For any prices `λ ≥ 0`
//!
//! ```text
//! D(λ) = Σ_r cap_r λ_r + Σ_h max(0, value_h − min_option usage·λ)
//! ```
//!
//! bounds the priority-weighted people of every placement (weak duality; its minimum is the
//! LP relaxation's optimum), so the search both steers the greedy and proves how far from
//! optimal it can be. Households of one class share the inner minimum, so `D` costs one
//! pass over classes and type options, not over households.
//!
//! `D` is minimised on a smoothed version (soft minimum over options, soft plus over
//! households) by projected L-BFGS, lowering the temperature in phases; the exact `D` is
//! evaluated at every point visited and the lowest value is the bound. The smoothed
//! solution also says how many households of each class the LP sends to each option: those
//! quotas keep the greedy from spending beds that another class needs more.
//!
//! The primal step takes households by effective priority and gives each the cheapest option
//! (shadow price plus travel) that still has room, is within its quota and is worth its
//! price; a second pass hands out leftover beds; then travel is cut where that costs no one
//! a bed. Within a site type it rotates over sites, which spreads a batch instead of filling
//! one hall from empty.

use crate::input::{Options, PoolKind, Problem};
use crate::model::{Model, NONE, Pattern, Remaining, room_layout};
use crate::output::{
    Arrangement, BoundMeasure, Choice, Method, PlacementReason, PoolUse, Proposal, Solution, Stats,
    TravelFrom, Unplaced, WarmStart,
};
use crate::prices::{initial_prices, warm_start};

/// One household's placement inside the search.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Assigned {
    pub site: u32,
    pub pattern: Pattern,
    pub pools: [u32; 2],
    pub choice: Choice,
    pub shadow_cost: f64,
    /// Travel cost per person at this site.
    pub travel: f64,
    pub passed_over: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Primal {
    pub assigned: Vec<Option<Assigned>>,
    pub objective: f64,
    /// Priority-weighted people placed, the primary objective.
    pub weighted: f64,
}

/// Runs the search; `warm` seeds the prices.
///
/// First the dual of the city-merged relaxation (every site in one city, travel free) is
/// minimised: it has few prices, converges quickly, and bounds the real problem whatever
/// the travel limit. When people may travel anywhere its prices and quotas drive the greedy
/// directly. When travel is limited, cities differ in scarcity, so the city-level dual is
/// refined from the merged prices and drives the greedy instead; the bound is the lower of
/// the two. The greedy runs after each low-temperature phase and the best placement is kept;
/// the search stops once the proven gap is at most `Options::target_gap`.
pub(crate) fn optimise(problem: &Problem, options: &Options, warm: Option<&WarmStart>) -> Solution {
    let merged = Model::build(problem, options, true);
    let m = Model::build(problem, options, false);
    let scale = {
        let (v, n) =
            m.hh.iter()
                .fold((0.0, 0.0), |(v, n), h| (v + h.weight, n + 1.0));
        if n > 0.0 { v / n } else { 1.0 }
    };
    let budget = options.max_iterations;
    let target = options.target_gap;
    let limited = options.max_travel_km.is_some();
    // Travel matters when moving someone 100 km costs more than 2% of an average person's
    // priority: cities must then be priced apart, as under a travel limit.
    let per_km = options.travel_cost_per_km + options.away_cost_per_km;
    let travel_matters = per_km * 100.0 > 0.02 * scale;
    let by_city = limited || travel_matters;
    let phases: &[f64] = if warm.is_some() {
        &[0.003, 0.001, 0.0003]
    } else {
        &[0.03, 0.01, 0.003, 0.001, 0.0003]
    };
    let mut best: Option<Primal> = None;
    let keep = |p: Primal, best: &mut Option<Primal>| {
        if best.as_ref().is_none_or(|b| p.objective > b.objective) {
            *best = Some(p);
        }
    };
    let mut stage1 = Descent::new(&merged, initial_prices(&merged, warm), scale, 0.0);
    let stage1_budget = if by_city { budget / 4 } else { budget };
    let mut x = vec![0.0; m.res_cap.len()];
    let map = if by_city {
        Vec::new()
    } else {
        option_map(&m, &merged)
    };
    stage1.run(phases, stage1_budget, |prices, tau, bound| {
        if by_city || tau > 0.0031 * scale {
            return false;
        }
        // Travel anywhere and cheap: the merged prices and quotas steer the greedy directly.
        seed_from_merged(&m, &merged, prices, &mut x);
        let guide = Guide {
            model: &merged,
            prices,
            tau,
            beta: 0.0,
            option_map: Some(&map),
        };
        keep(primal(&m, &x, &guide), &mut best);
        best.as_ref()
            .is_some_and(|b| gap(bound, b.weighted) <= target)
    });
    let mut bound = stage1.best_dual;
    let mut warm_out = warm_start(&merged, &stage1.best_prices);
    if by_city {
        // Cities differ in scarcity: refine prices per city, starting from the merged ones.
        // Under a travel limit travel is left out, so that this dual also bounds the primary
        // objective (tighter than the merged one); otherwise it prices travel in.
        let beta = if limited { 0.0 } else { 1.0 };
        let mut x = initial_prices(&m, warm);
        if warm.is_none() {
            seed_from_merged(&m, &merged, &stage1.best_prices, &mut x);
        }
        let mut stage2 = Descent::new(&m, x, scale, beta);
        let remaining = budget.saturating_sub(stage1.evaluations).max(1);
        stage2.run(
            &[0.01, 0.003, 0.001, 0.0003],
            remaining,
            |prices, tau, b| {
                if tau > 0.0031 * scale {
                    return false;
                }
                let guide = Guide {
                    model: &m,
                    prices,
                    tau,
                    beta,
                    option_map: None,
                };
                keep(primal(&m, prices, &guide), &mut best);
                best.as_ref().is_some_and(|p| {
                    if limited {
                        gap(b.min(bound), p.weighted) <= target
                    } else {
                        gap(b.min(bound), p.objective) <= target
                    }
                })
            },
        );
        // Either way the lower dual is a valid bound: on priority-weighted people under a
        // travel limit, on people less travel otherwise (the merged dual bounds that too,
        // since travel only costs).
        bound = bound.min(stage2.best_dual);
        warm_out
            .prices
            .extend(warm_start(&m, &stage2.best_prices).prices);
        stage1.evaluations += stage2.evaluations;
    }
    let best = match best {
        Some(b) => b,
        None => {
            seed_from_merged(&m, &merged, &stage1.best_prices, &mut x);
            let guide = Guide {
                model: &m,
                prices: &x,
                tau: 0.001 * scale,
                beta: 0.0,
                option_map: None,
            };
            primal(&m, &x, &guide)
        }
    };
    // No finite dual value means no bound was proven (no iteration ran).
    let measure = if by_city && !limited {
        BoundMeasure::WeightedPeopleLessTravel
    } else {
        BoundMeasure::WeightedPeople
    };
    let achieved = match measure {
        BoundMeasure::WeightedPeople => best.weighted,
        BoundMeasure::WeightedPeopleLessTravel => best.objective,
    };
    let small = options.exact_max_households > 0
        && m.hh.len() <= options.exact_max_households as usize
        && !m.hh.is_empty();
    if let Some(exact) = small.then(|| crate::exact::solve(&m, &best)).flatten() {
        // Either dual bounds the objective too (travel only costs).
        let lagrangian = if bound.is_finite() {
            bound
        } else {
            f64::INFINITY
        };
        let chosen = if exact.primal.objective + 1e-9 >= best.objective {
            exact.primal
        } else {
            best
        };
        let proven = exact.bound.min(lagrangian).max(chosen.objective);
        let mut solution = build_solution(
            &m,
            &chosen,
            Some((proven, BoundMeasure::WeightedPeopleLessTravel)),
            stage1.evaluations,
            warm_out,
        );
        solution.stats.method = Method::BranchAndBound;
        solution.stats.exact_nodes = exact.nodes;
        return solution;
    }
    let medium = !small && !m.hh.is_empty() && m.hh.len() <= options.lp_max_households as usize;
    if let Some(relaxation) = medium.then(|| crate::rounding::relax(&m)).flatten() {
        // Either dual bounds the objective too (travel only costs). The simplex's optimum
        // is exact only to its tolerances, so the LP bound is widened by far less than
        // any gap it is compared with.
        let lp_bound = relaxation.bound + 1e-7 * relaxation.bound.abs();
        let limit = lp_bound.min(bound);
        let mut rounded: Option<Primal> = None;
        for variant in crate::rounding::VARIANTS {
            let reached = rounded.as_ref().map_or(best.objective, |r| r.objective);
            if gap(limit, reached) <= options.exact_gap {
                break;
            }
            let next = crate::rounding::round(&m, &relaxation, &best, variant);
            if next.objective > reached + 1e-9 {
                rounded = Some(next);
            }
        }
        let method = if rounded.is_some() {
            Method::RoundedLp
        } else {
            Method::PriceSearch
        };
        let chosen = rounded.unwrap_or(best);
        let proven = limit.max(chosen.objective);
        let mut solution = build_solution(
            &m,
            &chosen,
            Some((proven, BoundMeasure::WeightedPeopleLessTravel)),
            stage1.evaluations,
            warm_out,
        );
        solution.stats.method = method;
        return solution;
    }
    let bound = bound.is_finite().then(|| (bound.max(achieved), measure));
    build_solution(&m, &best, bound, stage1.evaluations, warm_out)
}

/// City-level prices start at the merged prices of the same kind of site.
fn seed_from_merged(m: &Model, merged: &Model, merged_prices: &[f64], x: &mut [f64]) {
    let by_key: std::collections::BTreeMap<_, _> = merged
        .types
        .iter()
        .map(|t| ((t.rules, t.intake_limited, t.slots.clone()), t.res0))
        .collect();
    for t in &m.types {
        if let Some(&r0) = by_key.get(&(t.rules, t.intake_limited, t.slots.clone())) {
            let n = 2 * t.slots.len() + usize::from(t.intake_limited);
            for j in 0..n {
                x[t.res0 as usize + j] = merged_prices[r0 as usize + j];
            }
        }
    }
}

/// Projected L-BFGS on the smoothed dual, with the exact dual tracked.
struct Descent<'m, 'a> {
    dual: Dual<'m, 'a>,
    x: Vec<f64>,
    scale: f64,
    best_dual: f64,
    best_prices: Vec<f64>,
    evaluations: u32,
    precond: Vec<f64>,
}

impl<'m, 'a> Descent<'m, 'a> {
    fn new(m: &'m Model<'a>, x: Vec<f64>, scale: f64, beta: f64) -> Self {
        // Curvature of the smoothed dual in a price grows with the beds behind it; dividing
        // the gradient by the capacity evens out the conditioning.
        let nres = x.len();
        let mean_cap = m.res_cap.iter().sum::<f64>() / (nres.max(1) as f64);
        let precond = m
            .res_cap
            .iter()
            .map(|&c| (mean_cap + 1.0) / (c + 1.0))
            .collect();
        Descent {
            dual: Dual::new(m, beta),
            best_prices: x.clone(),
            x,
            scale,
            best_dual: f64::INFINITY,
            evaluations: 0,
            precond,
        }
    }

    fn eval(&mut self, at_x: bool, xn: &[f64], tau: f64, g: &mut [f64]) -> f64 {
        let point: &[f64] = if at_x { &self.x } else { xn };
        let (smooth, exact) = self.dual.evaluate(point, tau, g);
        self.evaluations += 1;
        if exact < self.best_dual {
            self.best_dual = exact;
            self.best_prices.clear();
            self.best_prices.extend_from_slice(point);
        }
        smooth
    }

    /// Runs the phases (temperatures relative to the mean priority) within `budget`
    /// evaluations; after each phase `after_phase(best prices, tau)` may stop the run.
    // Index loops over several parallel vectors read better than zipped iterators here.
    #[allow(clippy::needless_range_loop)]
    fn run(
        &mut self,
        phases: &[f64],
        budget: u32,
        mut after_phase: impl FnMut(&[f64], f64, f64) -> bool,
    ) {
        let nres = self.x.len();
        let per_phase = (budget as usize / phases.len().max(1)).max(1);
        let start = self.evaluations;
        let (mut g, mut gn, mut xn, mut d) = (
            vec![0.0; nres],
            vec![0.0; nres],
            vec![0.0; nres],
            vec![0.0; nres],
        );
        for &t in phases {
            let tau = t * self.scale;
            let phase_start = self.evaluations;
            let mut f = self.eval(true, &[], tau, &mut g);
            // Projected L-BFGS: quasi-Newton direction on the prices not held at zero.
            let mut memory: std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)> =
                std::collections::VecDeque::new();
            let mut alpha = [0.0; 12];
            let mut stalled = 0;
            while ((self.evaluations - phase_start) as usize) < per_phase
                && self.evaluations - start < budget
            {
                let free = |x: &[f64], g: &[f64], r: usize| !(x[r] <= 0.0 && g[r] > 0.0);
                for r in 0..nres {
                    d[r] = if free(&self.x, &g, r) { g[r] } else { 0.0 };
                }
                for (i, (sv, yv, rho)) in memory.iter().enumerate().rev() {
                    let a = rho * dot(sv, &d);
                    alpha[i] = a;
                    for r in 0..nres {
                        d[r] -= a * yv[r];
                    }
                }
                let gamma = match memory.back() {
                    Some((sv, yv, _)) => {
                        let yy: f64 = (0..nres).map(|r| yv[r] * yv[r] * self.precond[r]).sum();
                        if yy > 0.0 { dot(sv, yv) / yy } else { 1.0 }
                    }
                    None => {
                        let mut inf: f64 = 0.0;
                        for r in 0..nres {
                            inf = inf.max((self.precond[r] * d[r]).abs());
                        }
                        if inf > 0.0 { 1.0 / inf } else { 1.0 }
                    }
                };
                for r in 0..nres {
                    d[r] *= gamma * self.precond[r];
                }
                for (i, (sv, yv, rho)) in memory.iter().enumerate() {
                    let b = rho * dot(yv, &d);
                    for r in 0..nres {
                        d[r] += sv[r] * (alpha[i] - b);
                    }
                }
                for r in 0..nres {
                    d[r] = if free(&self.x, &g, r) { -d[r] } else { 0.0 };
                }
                if dot(&g, &d) >= 0.0 {
                    memory.clear();
                    let mut inf: f64 = 0.0;
                    for r in 0..nres {
                        inf = inf.max((self.precond[r] * g[r]).abs());
                    }
                    let scale = if inf > 0.0 { 1.0 / inf } else { 1.0 };
                    for r in 0..nres {
                        d[r] = if free(&self.x, &g, r) {
                            -scale * self.precond[r] * g[r]
                        } else {
                            0.0
                        };
                    }
                }
                let mut dmax: f64 = 0.0;
                for v in d.iter() {
                    dmax = dmax.max(v.abs());
                }
                if dmax < 1e-12 {
                    break;
                }
                let mut step = 1.0;
                let mut accepted = false;
                let mut fnew = f;
                for _ in 0..20 {
                    for r in 0..nres {
                        xn[r] = (self.x[r] + step * d[r]).max(0.0);
                    }
                    let decrease: f64 = (0..nres).map(|r| g[r] * (xn[r] - self.x[r])).sum();
                    fnew = self.eval(false, &xn, tau, &mut gn);
                    if fnew <= f + 1e-4 * decrease {
                        accepted = true;
                        break;
                    }
                    step *= 0.5;
                }
                if !accepted {
                    if memory.is_empty() {
                        break;
                    }
                    memory.clear();
                    continue;
                }
                let sv: Vec<f64> = (0..nres).map(|r| xn[r] - self.x[r]).collect();
                let yv: Vec<f64> = (0..nres).map(|r| gn[r] - g[r]).collect();
                let sy = dot(&sv, &yv);
                if sy > 1e-12 {
                    if memory.len() == 10 {
                        memory.pop_front();
                    }
                    memory.push_back((sv, yv, 1.0 / sy));
                }
                std::mem::swap(&mut self.x, &mut xn);
                std::mem::swap(&mut g, &mut gn);
                // A phase is done once the smoothed dual stops moving.
                stalled = if f - fnew <= 1e-9 * f.abs() {
                    stalled + 1
                } else {
                    0
                };
                f = fnew;
                if stalled >= 5 {
                    break;
                }
            }
            let current = self.x.clone();
            if after_phase(&current, tau, self.best_dual) || self.evaluations - start >= budget {
                break;
            }
        }
    }
}

pub(crate) fn gap(bound: f64, objective: f64) -> f64 {
    if bound <= 1e-12 {
        0.0
    } else {
        ((bound - objective) / bound).max(0.0)
    }
}

/// Buffers for evaluating the dual function.
struct Dual<'m, 'a> {
    m: &'m Model<'a>,
    /// Weight of travel costs in the dual, 0 or 1. With 0 the dual bounds priority-weighted
    /// people (the primary objective); otherwise its prices also reflect travel.
    beta: f64,
    /// Offset of each feature's options in the flat buffers.
    offset: Vec<usize>,
    cost: Vec<f64>,
    soft: Vec<f64>,
    hard: Vec<f64>,
    mass: Vec<f64>,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `ln(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        z.exp() / (1.0 + z.exp())
    }
}

impl<'m, 'a> Dual<'m, 'a> {
    fn new(m: &'m Model<'a>, beta: f64) -> Self {
        let mut offset = Vec::with_capacity(m.features.len() + 1);
        let mut total = 0;
        for o in &m.feat_opts {
            offset.push(total);
            total += o.len();
        }
        let cells = m.features.len() * m.cities.len();
        Dual {
            m,
            beta,
            offset,
            cost: vec![0.0; total],
            soft: vec![0.0; cells],
            hard: vec![0.0; cells],
            mass: vec![0.0; cells],
        }
    }

    /// Returns the smoothed dual at temperature `tau` and the exact dual `D(λ)`, and fills
    /// `grad` with the gradient of the smoothed one.
    fn evaluate(&mut self, prices: &[f64], tau: f64, grad: &mut [f64]) -> (f64, f64) {
        let m = self.m;
        let nc = m.cities.len();
        let beta = self.beta;
        for f in 0..m.features.len() {
            let base = self.offset[f];
            for c in 0..nc {
                let (a, b) = m.feat_city[f * nc + c];
                let cell = f * nc + c;
                self.mass[cell] = 0.0;
                if a == b {
                    self.soft[cell] = f64::INFINITY;
                    self.hard[cell] = f64::INFINITY;
                    continue;
                }
                let mut lo = f64::INFINITY;
                for i in a..b {
                    let cost = m.feat_opts[f][i as usize].cost(prices);
                    self.cost[base + i as usize] = cost;
                    lo = lo.min(cost);
                }
                let sum: f64 = (a..b)
                    .map(|i| (-(self.cost[base + i as usize] - lo) / tau).exp())
                    .sum();
                self.hard[cell] = lo;
                self.soft[cell] = lo - tau * sum.ln();
            }
        }
        let fixed: f64 = m.res_cap.iter().zip(prices).map(|(c, p)| c * p).sum();
        let (mut smooth, mut exact) = (fixed, fixed);
        for class in &m.classes {
            let f = class.feature as usize;
            let n = f64::from(m.features[f].n());
            let reach = &m.reach[class.geo as usize];
            let (mut hard, mut lo) = (f64::INFINITY, f64::INFINITY);
            for &(c, km) in reach {
                let cell = f * nc + c as usize;
                hard = hard.min(self.hard[cell] + n * beta * km);
                lo = lo.min(self.soft[cell] + n * beta * km);
            }
            if !lo.is_finite() {
                continue;
            }
            let sum: f64 = reach
                .iter()
                .map(|&(c, km)| {
                    (-(self.soft[f * nc + c as usize] + n * beta * km - lo) / tau).exp()
                })
                .sum();
            let soft = lo - tau * sum.ln();
            let mut participation = 0.0;
            for &(v, count) in &class.levels {
                let count = f64::from(count);
                if v > hard {
                    exact += count * (v - hard);
                }
                let z = (v - soft) / tau;
                if z < -40.0 {
                    break;
                }
                smooth += count * tau * softplus(z);
                participation += count * sigmoid(z);
            }
            if participation > 0.0 {
                for &(c, km) in reach {
                    let cell = f * nc + c as usize;
                    let share = (-(self.soft[cell] + n * beta * km - soft) / tau).exp();
                    self.mass[cell] += participation * share;
                }
            }
        }
        for (r, g) in grad.iter_mut().enumerate() {
            *g = m.res_cap[r];
        }
        for f in 0..m.features.len() {
            let base = self.offset[f];
            for c in 0..nc {
                let cell = f * nc + c;
                let mass = self.mass[cell];
                if mass <= 0.0 {
                    continue;
                }
                let (a, b) = m.feat_city[cell];
                for i in a..b {
                    let p = (-(self.cost[base + i as usize] - self.soft[cell]) / tau).exp();
                    let w = mass * p;
                    if w < 1e-12 {
                        continue;
                    }
                    for &(r, amount) in m.feat_opts[f][i as usize].usage() {
                        grad[r as usize] -= w * f64::from(amount);
                    }
                }
            }
        }
        (smooth, exact)
    }
}

/// An option of a class: price plus travel, the city, and the option's index in its feature.
#[derive(Debug, Clone, Copy)]
struct ClassOpt {
    cost: f64,
    shadow: f64,
    /// Least travel cost per person to a site of the option's type.
    travel: f64,
    opt: u32,
    /// The same option in the guide model.
    guide_opt: u32,
}

/// The model whose smoothed LP solution sets quotas for the greedy: how many households of
/// each of its classes should take each of its options. The merged model when people may
/// travel anywhere (its classes are features), the city model itself otherwise.
pub(crate) struct Guide<'g, 'a> {
    pub model: &'g Model<'a>,
    pub prices: &'g [f64],
    pub tau: f64,
    /// Weight of travel (0 or 1) in the dual that produced `prices`.
    pub beta: f64,
    /// Per feature, city-model option index to guide option index (`None` = identity).
    pub option_map: Option<&'g [Vec<u32>]>,
}

/// For every option of `m`, the option of `merged` with the same kind of site and pattern.
pub(crate) fn option_map(m: &Model, merged: &Model) -> Vec<Vec<u32>> {
    let merged_type: std::collections::BTreeMap<_, u32> = merged
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| ((t.rules, t.intake_limited, t.slots.clone()), i as u32))
        .collect();
    let ty_map: Vec<u32> = m
        .types
        .iter()
        .map(|t| {
            merged_type
                .get(&(t.rules, t.intake_limited, t.slots.clone()))
                .copied()
                .unwrap_or(NONE)
        })
        .collect();
    m.feat_opts
        .iter()
        .enumerate()
        .map(|(f, opts)| {
            let index: std::collections::BTreeMap<(u32, Pattern), u32> = merged.feat_opts[f]
                .iter()
                .enumerate()
                .map(|(i, o)| ((o.ty, o.pattern), i as u32))
                .collect();
            opts.iter()
                .map(|o| {
                    index
                        .get(&(ty_map[o.ty as usize], o.pattern))
                        .copied()
                        .unwrap_or(NONE)
                })
                .collect()
        })
        .collect()
}

/// Quotas of one guide class: per option of its feature, households wanted and placed.
fn class_quotas(g: &Guide, class: u32) -> Vec<(f64, u32)> {
    let gm = g.model;
    let c = &gm.classes[class as usize];
    let f = c.feature;
    let n = f64::from(gm.features[f as usize].n());
    // The same objective as the dual, so that the quotas are the smoothed LP solution that
    // the prices balance.
    let beta = g.beta;
    let mut quotas = vec![(0.0, 0u32); gm.feat_opts[f as usize].len()];
    let mut costs = Vec::new();
    for &(city, km) in &gm.reach[c.geo as usize] {
        let (a, b) = gm.feat_city[f as usize * gm.cities.len() + city as usize];
        for i in a..b {
            costs.push((
                i,
                gm.feat_opts[f as usize][i as usize].cost(g.prices) + n * beta * km,
            ));
        }
    }
    let Some(lo) = costs.iter().map(|c| c.1).min_by(f64::total_cmp) else {
        return quotas;
    };
    let sum: f64 = costs.iter().map(|&(_, x)| (-(x - lo) / g.tau).exp()).sum();
    let soft = lo - g.tau * sum.ln();
    let participation: f64 = c
        .levels
        .iter()
        .map(|&(val, count)| f64::from(count) * sigmoid((val - soft) / g.tau))
        .sum();
    for (i, x) in costs {
        quotas[i as usize].0 = participation * (-(x - lo) / g.tau).exp() / sum;
    }
    quotas
}

/// Quotas of every guide class of feature `f`, summed.
fn feature_quotas(g: &Guide, f: u32) -> Vec<(f64, u32)> {
    let mut total = vec![(0.0, 0u32); g.model.feat_opts[f as usize].len()];
    for (k, class) in g.model.classes.iter().enumerate() {
        if class.feature == f {
            for (t, q) in total.iter_mut().zip(class_quotas(g, k as u32)) {
                t.0 += q.0;
            }
        }
    }
    total
}

/// Sites of one type whose travel from a household differs by less than this count as
/// equally near, and a batch is rotated over them.
pub(crate) const SPREAD_KM_BAND: f64 = 2.0;

/// Picks the site of type `ty` for a household of `geo`: the nearest (by bands of
/// [`SPREAD_KM_BAND`]) with room, rotating over equally near ones.
pub(crate) fn pick_site(
    m: &Model,
    geo: u32,
    ty: u32,
    f: &crate::model::Feature,
    pattern: Pattern,
    rem: &Remaining,
    rotate: &mut [usize],
) -> Option<(u32, [u32; 2], f64)> {
    let sites = &m.types[ty as usize].sites;
    let start = rotate[ty as usize];
    let mut best: Option<(i64, usize, u32, [u32; 2])> = None;
    for step in 0..sites.len() {
        let idx = (start + step) % sites.len();
        let s = sites[idx];
        let band = if m.merged {
            0
        } else {
            (m.trip_km(geo, s).0 / SPREAD_KM_BAND).floor() as i64
        };
        if best.as_ref().is_some_and(|b| b.0 <= band) {
            continue;
        }
        if let Some(found) = m.find_pools(s, f, pattern, rem) {
            best = Some((band, idx, s, found));
        }
    }
    let (_, idx, site, found) = best?;
    rotate[ty as usize] = (idx + 1) % sites.len();
    Some((site, found, m.site_cost(geo, site)))
}

/// Priced greedy: whole households only, best priority first. Pass one gives each
/// household the cheapest option (shadow price plus travel) that is worth its price and
/// within the guide's quota; pass two hands out what is left.
pub(crate) fn primal(m: &Model, prices: &[f64], guide: &Guide) -> Primal {
    let mut rem = Remaining::new(m);
    let mut exhausted: Vec<Vec<bool>> = m.feat_opts.iter().map(|o| vec![false; o.len()]).collect();
    let mut rotate = vec![0usize; m.types.len()];
    let mut class_opts: Vec<Option<Vec<ClassOpt>>> = vec![None; m.classes.len()];
    let mut geo_costs: Vec<Option<Vec<f64>>> = vec![None; m.geos.len()];
    // Quotas are pooled per feature over the guide's classes: larger numbers round better.
    let mut quotas: Vec<Option<Vec<(f64, u32)>>> = vec![None; guide.model.features.len()];
    let mut assigned: Vec<Option<Assigned>> = vec![None; m.hh.len()];
    let mut objective = 0.0;
    let mut weighted = 0.0;

    for round in 0..3 {
        let pass = if round == 0 {
            Choice::LeastContestedBeds
        } else {
            Choice::LeftoverBeds
        };
        if round == 2 {
            // Travel second: bring people nearer where that costs no one a bed, then give
            // any beds freed that way to those still waiting.
            let (saved, freed) = bring_home(m, &mut assigned, &mut rem);
            objective += saved;
            if !freed {
                break;
            }
            exhausted
                .iter_mut()
                .for_each(|e| e.iter_mut().for_each(|x| *x = false));
        }
        // Options only ever fill up, so each class skips its dead prefix once.
        let mut cursor = vec![0usize; m.classes.len()];
        for &h in &m.order {
            if assigned[h as usize].is_some() {
                continue;
            }
            let ch = &m.hh[h as usize];
            let fi = ch.feature as usize;
            let f = &m.features[fi];
            let opts = class_opts[ch.class as usize].get_or_insert_with(|| {
                let costs = geo_costs[ch.geo as usize].get_or_insert_with(|| m.type_costs(ch.geo));
                let n = f64::from(f.n());
                let mut v = Vec::new();
                for &(c, _) in &m.reach[ch.geo as usize] {
                    let (a, _) = m.feat_city[fi * m.cities.len() + c as usize];
                    for (i, o) in m.opts_in_city(ch.feature, c).iter().enumerate() {
                        let shadow = o.cost(prices);
                        let travel = costs[o.ty as usize];
                        let opt = a + i as u32;
                        let guide_opt = guide.option_map.map_or(opt, |map| map[fi][opt as usize]);
                        v.push(ClassOpt {
                            cost: shadow + n * travel,
                            shadow,
                            travel,
                            opt,
                            guide_opt,
                        });
                    }
                }
                v.sort_by(|x, y| {
                    x.cost
                        .total_cmp(&y.cost)
                        .then(x.travel.total_cmp(&y.travel))
                        .then(x.opt.cmp(&y.opt))
                });
                v
            });
            let quota = quotas[fi].get_or_insert_with(|| feature_quotas(guide, fi as u32));
            let open = |co: &ClassOpt, quota: &[(f64, u32)]| {
                quota
                    .get(co.guide_opt as usize)
                    .is_some_and(|&(q, used)| f64::from(used) < q.round())
            };
            let val = ch.weight * f64::from(ch.n);
            let n = f64::from(ch.n);
            let cur = &mut cursor[ch.class as usize];
            while let Some(co) = opts.get(*cur) {
                let dead = exhausted[fi][co.opt as usize]
                    || (pass == Choice::LeastContestedBeds && !open(co, quota));
                if !dead {
                    break;
                }
                *cur += 1;
            }
            let first = *cur;
            for (rank, co) in opts[first..].iter().enumerate() {
                let ex = &mut exhausted[fi][co.opt as usize];
                if *ex || (pass == Choice::LeastContestedBeds && !open(co, quota)) {
                    continue;
                }
                let worth = match pass {
                    Choice::LeastContestedBeds => co.cost <= val,
                    _ => val - n * co.travel > 0.0,
                };
                if !worth {
                    if pass == Choice::LeastContestedBeds {
                        break;
                    }
                    continue;
                }
                let o = &m.feat_opts[fi][co.opt as usize];
                match pick_site(m, ch.geo, o.ty, f, o.pattern, &rem, &mut rotate) {
                    Some((site, pools, travel)) if val - n * travel > 0.0 => {
                        rem.take(site, f, o.pattern, pools);
                        if let Some(q) = quota.get_mut(co.guide_opt as usize) {
                            q.1 += 1;
                        }
                        objective += val - n * travel;
                        weighted += val;
                        assigned[h as usize] = Some(Assigned {
                            site,
                            pattern: o.pattern,
                            pools,
                            choice: pass,
                            shadow_cost: co.shadow,
                            travel,
                            passed_over: (first + rank) as u32,
                        });
                        break;
                    }
                    Some(_) => {}
                    None => *ex = true,
                }
            }
        }
    }
    Primal {
        assigned,
        objective,
        weighted,
    }
}

/// Cuts travel without losing anyone a bed: two households of the same composition placed
/// in each other's preferred city swap places when that is shorter for both together, and
/// a household away from its preferred city moves there when a bed there is still free and
/// nearer. Returns the travel cost removed and whether a bed away was freed.
fn bring_home(m: &Model, assigned: &mut [Option<Assigned>], rem: &mut Remaining) -> (f64, bool) {
    let mut saved = 0.0;
    let mut freed = false;
    let mut away: std::collections::BTreeMap<(u32, u32, u32), Vec<usize>> =
        std::collections::BTreeMap::new();
    for (h, a) in assigned.iter().enumerate() {
        if let Some(a) = a {
            let ch = &m.hh[h];
            let at = m.sites[a.site as usize].city;
            if at != ch.city {
                away.entry((ch.feature, ch.city, at)).or_default().push(h);
            }
        }
    }
    for (&(f, home, at), list) in &away {
        if home >= at {
            continue;
        }
        let Some(other) = away.get(&(f, at, home)) else {
            continue;
        };
        for (&h1, &h2) in list.iter().zip(other) {
            if let (Some(a1), Some(a2)) = (assigned[h1], assigned[h2]) {
                let n = f64::from(m.hh[h1].n);
                let t1 = m.site_cost(m.hh[h1].geo, a2.site);
                let t2 = m.site_cost(m.hh[h2].geo, a1.site);
                if t1 + t2 < a1.travel + a2.travel {
                    saved += n * (a1.travel + a2.travel - t1 - t2);
                    assigned[h1] = Some(Assigned { travel: t1, ..a2 });
                    assigned[h2] = Some(Assigned { travel: t2, ..a1 });
                }
            }
        }
    }
    let mut still_away: Vec<usize> = (0..assigned.len())
        .filter(|&h| assigned[h].is_some_and(|a| m.sites[a.site as usize].city != m.hh[h].city))
        .collect();
    still_away.sort_by(|&x, &y| {
        let t = |h: usize| assigned[h].map_or(0.0, |a| a.travel);
        t(y).total_cmp(&t(x)).then(x.cmp(&y))
    });
    for h in still_away {
        let ch = &m.hh[h];
        let Some(old) = assigned[h] else {
            continue;
        };
        let f = &m.features[ch.feature as usize];
        let mut home: Option<(u32, Pattern, [u32; 2], f64)> = None;
        for o in m.opts_in_city(ch.feature, ch.city) {
            for &s in &m.types[o.ty as usize].sites {
                let travel = m.site_cost(ch.geo, s);
                if travel >= old.travel || home.as_ref().is_some_and(|b| b.3 <= travel) {
                    continue;
                }
                if let Some(found) = m.find_pools(s, f, o.pattern, rem) {
                    home = Some((s, o.pattern, found, travel));
                }
            }
        }
        if let Some((site, pattern, pools, travel)) = home {
            rem.release(old.site, f, old.pattern, old.pools);
            rem.take(site, f, pattern, pools);
            saved += f64::from(ch.n) * (old.travel - travel);
            assigned[h] = Some(Assigned {
                site,
                pattern,
                pools,
                travel,
                ..old
            });
            freed = true;
        }
    }
    (saved, freed)
}

/// Turns a search result into the public answer.
pub(crate) fn build_solution(
    m: &Model,
    p: &Primal,
    bound: Option<(f64, BoundMeasure)>,
    iterations: u32,
    warm_start: WarmStart,
) -> Solution {
    let mut proposals = Vec::new();
    let mut unplaced = Vec::new();
    let mut stats = Stats {
        iterations,
        ..Stats::default()
    };
    let mut diagnosis = vec![None; m.classes.len()];
    for (i, h) in m.problem.households.iter().enumerate() {
        let ch = &m.hh[i];
        let n = ch.n;
        stats.households += 1;
        stats.people += u64::from(n);
        stats.weighted_demand += ch.weight * f64::from(n);
        match &p.assigned[i] {
            Some(a) => {
                stats.placed_households += 1;
                stats.placed_people += u64::from(n);
                stats.weighted_placed += ch.weight * f64::from(n);
                stats.travel_cost += a.travel * f64::from(n);
                proposals.push(proposal(m, i, a));
            }
            None => {
                let reason = *diagnosis[ch.class as usize]
                    .get_or_insert_with(|| crate::diagnose::why_unplaced(m, ch.class));
                unplaced.push(Unplaced {
                    household_id: h.id.clone(),
                    people: n,
                    effective_priority: ch.weight,
                    reason,
                    only_preferred_city: m.reach[ch.geo as usize].len() <= 1,
                });
            }
        }
    }
    stats.weighted_coverage = if stats.weighted_demand > 0.0 {
        stats.weighted_placed / stats.weighted_demand
    } else {
        1.0
    };
    stats.objective = stats.weighted_placed - stats.travel_cost;
    stats.upper_bound = bound.map(|b| b.0);
    stats.bound_measures = bound.map(|b| b.1);
    stats.gap = bound.map(|(b, measure)| match measure {
        BoundMeasure::WeightedPeople => gap(b, stats.weighted_placed),
        BoundMeasure::WeightedPeopleLessTravel => gap(b, stats.objective),
    });
    Solution {
        proposals,
        unplaced,
        stats,
        warm_start,
    }
}

/// Kilometres from where household `i` is to `site`, and what they are measured from.
fn travel_of(m: &Model, i: usize, site: u32) -> (f64, TravelFrom) {
    let h = &m.problem.households[i];
    let s = &m.sites[site as usize];
    match (h.current_position, s.loc) {
        (Some(p), Some(l)) => (
            crate::model::haversine_km((p.lat, p.lon), l),
            TravelFrom::CurrentPosition,
        ),
        (Some(_), None) => (m.options.unknown_distance_km, TravelFrom::Unknown),
        (None, _) => match m.trip_km(m.hh[i].geo, site) {
            (km, true) => (km, TravelFrom::PreferredCity),
            (0.0, false) => (0.0, TravelFrom::PreferredCity),
            (km, false) => (km, TravelFrom::Unknown),
        },
    }
}

fn proposal(m: &Model, i: usize, a: &Assigned) -> Proposal {
    let h = &m.problem.households[i];
    let f = &m.features[m.hh[i].feature as usize];
    let site = &m.problem.sites[a.site as usize];
    let pool_use = |pool: u32, men: u16, women: u16, children: u16, sf: u16| {
        let cp = &m.pools[pool as usize];
        let beds_taken = match cp.kind {
            PoolKind::FamilyRoom { room_size } => u32::from(room_size),
            _ => u32::from(men) + u32::from(women) + u32::from(children),
        };
        PoolUse {
            pool_id: site.pools[cp.index as usize].id.clone(),
            kind: cp.kind,
            men,
            women,
            children,
            step_free_beds: sf,
            beds_taken,
        }
    };
    let sf_all = f.sf_men + f.sf_women + f.sf_children;
    let (arrangement, pools) = match a.pattern {
        Pattern::Whole(PoolKind::FamilyRoom { .. }) => (
            Arrangement::FamilyRoom,
            vec![pool_use(a.pools[0], h.men, h.women, h.children, sf_all)],
        ),
        Pattern::Rooms(PoolKind::FamilyRoom { room_size }) => (
            Arrangement::FamilyRooms,
            room_layout(f, room_size)
                .unwrap_or_default()
                .iter()
                .map(|r| pool_use(a.pools[0], r.men, r.women, r.children, r.step_free))
                .collect(),
        ),
        Pattern::Whole(_) | Pattern::Rooms(_) => (
            Arrangement::MixedDorm,
            vec![pool_use(a.pools[0], h.men, h.women, h.children, sf_all)],
        ),
        Pattern::Men | Pattern::Wc => (
            Arrangement::SingleSexDorm,
            vec![pool_use(a.pools[0], h.men, h.women, h.children, sf_all)],
        ),
        Pattern::Separated => (
            Arrangement::SeparatedBySex,
            vec![
                pool_use(a.pools[0], h.men, 0, 0, f.sf_men),
                pool_use(
                    a.pools[1],
                    0,
                    h.women,
                    h.children,
                    f.sf_women + f.sf_children,
                ),
            ],
        ),
    };
    let (travel_km, travel_from) = travel_of(m, i, a.site);
    Proposal {
        household_id: h.id.clone(),
        site_id: site.id.clone(),
        pools,
        people: h.size(),
        reason: PlacementReason {
            arrangement,
            choice: a.choice,
            in_preferred_city: site.city == h.preferred_city,
            travel_km,
            travel_from,
            effective_priority: m.hh[i].weight,
            shadow_cost: a.shadow_cost,
            step_free_beds: sf_all,
            better_options_unavailable: a.passed_over,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smooth_functions_do_not_overflow() {
        assert!((softplus(1000.0) - 1000.0).abs() < 1e-9);
        assert!(softplus(-1000.0) >= 0.0 && softplus(-1000.0) < 1e-300);
        assert!((sigmoid(-1000.0)).abs() < 1e-300 && (sigmoid(1000.0) - 1.0).abs() < 1e-12);
        assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn gap_is_relative_and_never_negative() {
        assert_eq!(gap(0.0, 0.0), 0.0);
        assert!((gap(200.0, 199.0) - 0.005).abs() < 1e-12);
        assert_eq!(gap(100.0, 101.0), 0.0);
    }
}
