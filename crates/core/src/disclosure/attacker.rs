//! The attacker: from everything one release publishes, the smallest and largest value
//! each suppressed entry can take (its protection interval), by linear programming.
//!
//! What the attacker is assumed to know (docs/DISCLOSURE.md):
//! - every published number of every table of the release, and how the tables add up:
//!   each row and column sums to its total, totals to the grand total, and entries that
//!   count the same people in two tables ([`Link`]) are equal;
//! - counts are whole numbers and never negative;
//! - zeros are always published, so a suppressed entry is at least 1.
//!
//! Bounds are computed over the reals and then rounded inward to whole numbers. For the
//! tables a release holds (two-way tables with their totals, joined at their totals) the
//! equations form a network, whose linear-programming bounds are already whole numbers, so
//! an attacker who reasons in integers learns nothing more.

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::structure::{Groups, Shape, Structure};
use super::{DisclosureError, Entry, Link, PublishedTable};

/// What an attacker can narrow one suppressed entry down to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub table: usize,
    pub entry: Entry,
    /// The smallest value consistent with the release.
    pub low: u64,
    /// The largest value consistent with the release; `None`: no upper bound.
    pub high: Option<u64>,
}

impl Interval {
    /// `high - low`, or `None` when there is no upper bound.
    pub fn width(&self) -> Option<u64> {
        self.high.map(|high| high.saturating_sub(self.low))
    }

    /// Whether the interval is at least `threshold` wide.
    pub fn protects(&self, threshold: u64) -> bool {
        self.width().is_none_or(|w| w >= threshold)
    }
}

/// Tolerance of the solver's arithmetic when rounding its bounds to whole numbers.
const ROUNDING: f64 = 1e-6;

/// The equations left once the published values are known, over suppressed quantities.
struct Unknowns {
    /// The quantity of each variable.
    quantities: Vec<usize>,
    /// `variable[q]`: the variable of a suppressed quantity.
    variable: Vec<Option<usize>>,
    /// Groups of variables that share no equation with each other, each with its equations
    /// `sum of coefficient × variable = right-hand side`.
    components: Vec<Component>,
}

struct Component {
    variables: Vec<usize>,
    equations: Vec<(Vec<(usize, f64)>, f64)>,
}

impl Unknowns {
    fn new(structure: &Structure, known: &[Option<u64>]) -> Result<Self, DisclosureError> {
        let quantities: Vec<usize> = (0..structure.quantities)
            .filter(|q| known[*q].is_none())
            .collect();
        let mut variable = vec![None; structure.quantities];
        for (v, q) in quantities.iter().enumerate() {
            variable[*q] = Some(v);
        }
        let mut groups = Groups::new(quantities.len());
        let mut equations = Vec::new();
        for line in &structure.lines {
            let mut terms = Vec::new();
            let mut rhs = 0.0;
            for (q, c) in &line.terms {
                match (known[*q], variable[*q]) {
                    (Some(value), _) => rhs -= c * value as f64,
                    (None, Some(v)) => terms.push((v, *c)),
                    (None, None) => return Err(DisclosureError::Shape),
                }
            }
            match terms.first() {
                None if rhs != 0.0 => return Err(DisclosureError::Inconsistent),
                None => {}
                Some((first, _)) => {
                    for (v, _) in &terms[1..] {
                        groups.join(*first, *v);
                    }
                    equations.push((terms, rhs));
                }
            }
        }
        let mut component_of = vec![usize::MAX; quantities.len()];
        let mut components: Vec<Component> = Vec::new();
        for v in 0..quantities.len() {
            let root = groups.root(v);
            if component_of[root] == usize::MAX {
                component_of[root] = components.len();
                components.push(Component {
                    variables: Vec::new(),
                    equations: Vec::new(),
                });
            }
            component_of[v] = component_of[root];
            components[component_of[v]].variables.push(v);
        }
        for (terms, rhs) in equations {
            let c = component_of[terms[0].0];
            components[c].equations.push((terms, rhs));
        }
        Ok(Self {
            quantities,
            variable,
            components,
        })
    }
}

impl Component {
    /// The extreme value of `target` (a variable of this component) and a point reaching
    /// it (values of this component's variables, in order); `None` when unbounded.
    fn extreme(
        &self,
        target: usize,
        direction: OptimizationDirection,
    ) -> Result<Option<Vec<f64>>, DisclosureError> {
        self.optimum(|v| if v == target { 1.0 } else { 0.0 }, direction)
    }

    /// The optimum of `sum of objective(v) × v` and a point reaching it; `None` when
    /// unbounded.
    fn optimum(
        &self,
        objective: impl Fn(usize) -> f64,
        direction: OptimizationDirection,
    ) -> Result<Option<Vec<f64>>, DisclosureError> {
        let (problem, vars) = self.problem(objective, direction);
        match problem.solve() {
            Ok(outcome) => {
                let solution = outcome
                    .into_solution()
                    .map_err(|_| DisclosureError::Solver)?;
                Ok(Some(vars.iter().map(|v| solution.var_value(*v)).collect()))
            }
            Err(microlp::Error::Unbounded) => Ok(None),
            Err(microlp::Error::Infeasible) => Err(DisclosureError::Inconsistent),
            Err(_) => Err(DisclosureError::Solver),
        }
    }

    /// This component's equations over its variables (each at least 1), with an objective.
    fn problem(
        &self,
        objective: impl Fn(usize) -> f64,
        direction: OptimizationDirection,
    ) -> (Problem, Vec<microlp::Variable>) {
        let mut problem = Problem::new(direction);
        let mut local = std::collections::HashMap::with_capacity(self.variables.len());
        let vars: Vec<_> = self
            .variables
            .iter()
            .map(|v| {
                local.insert(*v, local.len());
                problem.add_var(objective(*v), (1.0, f64::INFINITY))
            })
            .collect();
        for (terms, rhs) in &self.equations {
            problem.add_constraint(
                terms
                    .iter()
                    .map(|(v, c)| (vars[local[v]], *c))
                    .collect::<Vec<_>>(),
                ComparisonOp::Eq,
                *rhs,
            );
        }
        (problem, vars)
    }
}

/// Widens the ranges seen so far by one consistent table.
fn see(point: &[f64], low: &mut [f64], high: &mut [f64]) {
    for (i, x) in point.iter().enumerate() {
        low[i] = low[i].min(*x);
        high[i] = high[i].max(*x);
    }
}

fn round_low(x: f64) -> u64 {
    (x - ROUNDING).ceil().max(0.0) as u64
}

fn round_high(x: f64) -> u64 {
    (x + ROUNDING).floor().max(0.0) as u64
}

/// The published values of every quantity, checked for agreement where tables are linked.
fn read(
    tables: &[PublishedTable],
    links: &[Link],
) -> Result<(Structure, Vec<Option<u64>>), DisclosureError> {
    let shapes = tables
        .iter()
        .map(PublishedTable::shape)
        .collect::<Result<Vec<Shape>, _>>()?;
    let structure = Structure::new(&shapes, links)?;
    let mut known: Vec<Option<u64>> = vec![None; structure.quantities];
    for (table, entries) in tables.iter().zip(&structure.entries) {
        for (entry, q) in entries {
            if let Some(value) = table.value(*entry) {
                match known[*q] {
                    Some(other) if other != value => return Err(DisclosureError::Inconsistent),
                    _ => known[*q] = Some(value),
                }
            }
        }
    }
    Ok((structure, known))
}

/// The exact protection interval of every suppressed entry of a release (both bounds by
/// linear programming). Linked entries are listed once per table.
pub fn intervals(
    tables: &[PublishedTable],
    links: &[Link],
) -> Result<Vec<Interval>, DisclosureError> {
    let (structure, known) = read(tables, links)?;
    let unknowns = Unknowns::new(&structure, &known)?;
    let mut bounds: Vec<(u64, Option<u64>)> = vec![(0, None); unknowns.quantities.len()];
    for component in &unknowns.components {
        for (i, v) in component.variables.iter().enumerate() {
            let low = component
                .extreme(*v, OptimizationDirection::Minimize)?
                .map(|point| round_low(point[i]))
                .ok_or(DisclosureError::Solver)?;
            let high = component
                .extreme(*v, OptimizationDirection::Maximize)?
                .map(|point| round_high(point[i]));
            bounds[*v] = (low, high);
        }
    }
    Ok(listing(&structure, &unknowns, |v| Some(bounds[v])))
}

/// The suppressed entries of a release whose protection interval is narrower than
/// `threshold`, with their exact intervals; empty when the release protects every one.
///
/// Same verdict as [`intervals`], but cheaper: every solution the solver returns is a table
/// consistent with the release, so two of them at least `threshold` apart in an entry
/// prove that entry protected without solving for its own bounds.
pub fn narrow(
    tables: &[PublishedTable],
    links: &[Link],
    threshold: u64,
) -> Result<Vec<Interval>, DisclosureError> {
    let (structure, known) = read(tables, links)?;
    let unknowns = Unknowns::new(&structure, &known)?;
    let mut failing: Vec<Option<(u64, Option<u64>)>> = vec![None; unknowns.quantities.len()];
    for component in &unknowns.components {
        let n = component.variables.len();
        let mut seen_low = vec![f64::INFINITY; n];
        let mut seen_high = vec![f64::NEG_INFINITY; n];
        let wide = |low: f64, high: f64| {
            low.is_finite() && high.is_finite() && round_high(high) >= round_low(low) + threshold
        };
        // One consistent table, then for each entry a question asked of it with one more
        // constraint ("can this entry be `threshold` above the lowest value seen?"), which
        // the solver answers from where it stands instead of from scratch.
        let (problem, vars) = component.problem(|_| 0.0, OptimizationDirection::Minimize);
        let base = match problem.solve() {
            Ok(outcome) => outcome
                .into_solution()
                .map_err(|_| DisclosureError::Solver)?,
            Err(microlp::Error::Infeasible) => return Err(DisclosureError::Inconsistent),
            Err(_) => return Err(DisclosureError::Solver),
        };
        let values = |solution: &microlp::Solution| -> Vec<f64> {
            vars.iter().map(|v| solution.var_value(*v)).collect()
        };
        see(&values(&base), &mut seen_low, &mut seen_high);
        let probe = |op: ComparisonOp, var: microlp::Variable, rhs: f64| match base
            .clone()
            .add_constraint([(var, 1.0)], op, rhs)
        {
            Ok(outcome) => outcome
                .into_solution()
                .map(|s| Some(values(&s)))
                .map_err(|_| DisclosureError::Solver),
            Err(microlp::Error::Infeasible) => Ok(None),
            Err(_) => Err(DisclosureError::Solver),
        };
        for i in 0..n {
            if wide(seen_low[i], seen_high[i]) {
                continue;
            }
            let above = (round_low(seen_low[i]) + threshold) as f64;
            if let Some(point) = probe(ComparisonOp::Ge, vars[i], above)? {
                see(&point, &mut seen_low, &mut seen_high);
            }
            if !wide(seen_low[i], seen_high[i])
                && let Some(below) = round_high(seen_high[i]).checked_sub(threshold)
                && let Some(point) = probe(ComparisonOp::Le, vars[i], below as f64)?
            {
                see(&point, &mut seen_low, &mut seen_high);
            }
            if wide(seen_low[i], seen_high[i]) {
                continue;
            }
            // Still undecided: the exact bounds decide.
            let v = component.variables[i];
            let Some(point) = component.extreme(v, OptimizationDirection::Maximize)? else {
                continue;
            };
            see(&point, &mut seen_low, &mut seen_high);
            let point = component
                .extreme(v, OptimizationDirection::Minimize)?
                .ok_or(DisclosureError::Solver)?;
            see(&point, &mut seen_low, &mut seen_high);
            if !wide(seen_low[i], seen_high[i]) {
                failing[v] = Some((round_low(seen_low[i]), Some(round_high(seen_high[i]))));
            }
        }
    }
    Ok(listing(&structure, &unknowns, |v| failing[v]))
}

/// One interval per suppressed entry of every table, for the variables `bounds` gives.
fn listing(
    structure: &Structure,
    unknowns: &Unknowns,
    bounds: impl Fn(usize) -> Option<(u64, Option<u64>)>,
) -> Vec<Interval> {
    let mut out = Vec::new();
    for (table, entries) in structure.entries.iter().enumerate() {
        for (entry, q) in entries {
            if let Some((low, high)) = unknowns.variable[*q].and_then(&bounds) {
                out.push(Interval {
                    table,
                    entry: *entry,
                    low,
                    high,
                });
            }
        }
    }
    out
}
