//! Secondary suppression by linear programming.
//!
//! For a suppressed entry `x`, an attacker's interval is at least `t` wide as soon as some
//! other table, equal to the true one in every published number, has `x` larger by `t`.
//! Such a table differs from the true one by a *move*: a change of every entry that keeps
//! every row, column and link adding up, leaves zeros alone and leaves suppressed entries
//! at least 1. The cheapest move that raises `x` by `t`, where changing a published entry
//! costs its value and changing a suppressed one costs nothing, is a linear program (a
//! minimum-cost flow on the table's network); the published entries it changes are the
//! secondary suppressions. Every entry the move changes by `t` or more is protected by
//! the same move, so it needs no program of its own.
//!
//! Most moves are rectangles: raise `x`, lower one entry in its row and one in its column,
//! raise the fourth corner (a total counts with the opposite sign). The cheapest rectangle
//! is found by looking at all of them, which is fast; the linear program is the fallback
//! where no rectangle will do (an entry shared by two tables, a row whose other entries
//! are all small or zero).
//!
//! These are the hypercube and network-flow approaches of τ-ARGUS and sdcTable, one
//! suppressed entry at a time; they do not promise the least suppression overall, only a
//! protected one.

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::structure::{Groups, Structure};
use super::{DisclosureError, Entry, Margins};

/// A move smaller than this is the solver's round-off, not a change.
const MOVED: f64 = 1e-7;

/// Quantities joined by lines: a move never crosses from one block to another.
struct Block {
    quantities: Vec<usize>,
    lines: Vec<usize>,
}

/// A table's entries in a grid extended by a row of column totals (index `rows`) and a
/// column of row totals (index `columns`).
struct Grid {
    rows: usize,
    columns: usize,
    full: bool,
    at: Vec<Vec<Option<usize>>>,
}

impl Grid {
    /// `-1` for a total (row or column), `+1` for a cell or the grand total: with these
    /// signs every row and column of the grid sums to zero.
    fn sign(&self, row: usize, column: usize) -> i8 {
        let r = if row == self.rows { -1 } else { 1 };
        let c = if column == self.columns { -1 } else { 1 };
        r * c
    }
}

pub(super) struct Plan<'a> {
    structure: &'a Structure,
    values: &'a [u64],
    threshold: u64,
    blocks: Vec<Block>,
    block_of: Vec<usize>,
    grids: Vec<Grid>,
    /// Where each quantity sits: `(table, row, column)` in the grids; two places or more
    /// for entries linked across tables.
    places: Vec<Vec<(usize, usize, usize)>>,
}

/// A corner of a rectangle other than the entry being protected.
#[derive(Clone, Copy)]
struct Corner {
    quantity: usize,
    up: bool,
    cost: u64,
}

/// How far one move changes a quantity, up and down.
struct Change {
    quantity: usize,
    up: f64,
    down: f64,
}

impl<'a> Plan<'a> {
    pub fn new(structure: &'a Structure, values: &'a [u64], threshold: u64) -> Self {
        let mut groups = Groups::new(structure.quantities);
        for line in &structure.lines {
            if let Some((first, _)) = line.terms.first() {
                for (q, _) in &line.terms[1..] {
                    groups.join(*first, *q);
                }
            }
        }
        let mut block_of = vec![usize::MAX; structure.quantities];
        let mut blocks: Vec<Block> = Vec::new();
        for q in 0..structure.quantities {
            let root = groups.root(q);
            if block_of[root] == usize::MAX {
                block_of[root] = blocks.len();
                blocks.push(Block {
                    quantities: Vec::new(),
                    lines: Vec::new(),
                });
            }
            block_of[q] = block_of[root];
            blocks[block_of[q]].quantities.push(q);
        }
        for (i, line) in structure.lines.iter().enumerate() {
            if let Some((q, _)) = line.terms.first() {
                blocks[block_of[*q]].lines.push(i);
            }
        }
        let mut places = vec![Vec::new(); structure.quantities];
        let mut grids = Vec::with_capacity(structure.shapes.len());
        for (t, (shape, entries)) in structure.shapes.iter().zip(&structure.entries).enumerate() {
            let (rows, columns) = (shape.rows, shape.columns);
            let mut at = vec![vec![None; columns + 1]; rows + 1];
            for (entry, q) in entries {
                let (r, c) = match *entry {
                    Entry::Cell { row, column } => (row, column),
                    Entry::RowTotal(row) => (row, columns),
                    Entry::ColumnTotal(column) => (rows, column),
                    Entry::Total => (rows, columns),
                };
                at[r][c] = Some(*q);
                places[*q].push((t, r, c));
            }
            grids.push(Grid {
                rows,
                columns,
                full: shape.margins == Margins::Full,
                at,
            });
        }
        Self {
            structure,
            values,
            threshold,
            blocks,
            block_of,
            grids,
            places,
        }
    }

    /// Suppresses more until every suppressed quantity can move by the threshold.
    pub fn protect(&self, hidden: &mut [bool]) -> Result<(), DisclosureError> {
        let mut queue: Vec<usize> = (0..hidden.len()).filter(|q| hidden[*q]).collect();
        queue.sort_by_key(|q| (self.values[*q], *q));
        let mut protected = vec![false; hidden.len()];
        let mut next = 0;
        while let Some(&x) = queue.get(next) {
            next += 1;
            if protected[x] {
                continue;
            }
            let changes = match self.cheapest_rectangle(x, hidden) {
                Some(changes) => changes,
                None => self.cheapest_move(x, hidden, self.threshold)?,
            };
            self.apply(&changes, hidden, &mut protected, &mut queue);
        }
        Ok(())
    }

    /// The last resort: every non-zero quantity of the blocks holding `at_risk`.
    pub fn hide_everything_near(&self, at_risk: &[usize], hidden: &mut [bool]) {
        for x in at_risk {
            for q in &self.blocks[self.block_of[*x]].quantities {
                if self.values[*q] > 0 {
                    hidden[*q] = true;
                }
            }
        }
    }

    fn apply(
        &self,
        changes: &[Change],
        hidden: &mut [bool],
        protected: &mut [bool],
        queue: &mut Vec<usize>,
    ) {
        let wide = self.threshold as f64 - MOVED;
        for change in changes {
            if change.up + change.down > MOVED && !hidden[change.quantity] {
                hidden[change.quantity] = true;
                queue.push(change.quantity);
            }
            if (change.up - change.down).abs() >= wide {
                protected[change.quantity] = true;
            }
        }
    }

    /// The cheapest rectangle (or, in a table without column totals, pair in one row)
    /// raising `x` by the threshold; `None` when there is none, or `x` is linked.
    fn cheapest_rectangle(&self, x: usize, hidden: &[bool]) -> Option<Vec<Change>> {
        let &[(t, row, column)] = self.places[x].as_slice() else {
            return None;
        };
        let grid = &self.grids[t];
        let by = self.threshold;
        // The quantity at (r, c) moving in direction `up`, if it can move: not zero, not
        // linked, and at least 1 after going down.
        let corner = |r: usize, c: usize, up: bool| -> Option<Corner> {
            let quantity = grid.at[r][c]?;
            let value = self.values[quantity];
            let movable = value > 0 && self.places[quantity].len() == 1 && (up || value > by);
            movable.then_some(Corner {
                quantity,
                up,
                cost: if hidden[quantity] { 0 } else { value },
            })
        };
        // Signed changes: x +, same row −, same column −, opposite corner +; the actual
        // change of a quantity is its sign in the grid times its signed change.
        let direction =
            |r: usize, c: usize, signed: i8| grid.sign(r, c) * grid.sign(row, column) * signed > 0;
        let mut best: Option<(u64, Vec<Corner>)> = None;
        let mut consider = |corners: &[Corner]| {
            let cost = corners.iter().map(|k| k.cost).sum();
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                best = Some((cost, corners.to_vec()));
            }
        };
        for c in (0..=grid.columns).filter(|c| *c != column) {
            let Some(in_row) = corner(row, c, direction(row, c, -1)) else {
                continue;
            };
            if !grid.full {
                consider(&[in_row]);
                continue;
            }
            for r in (0..=grid.rows).filter(|r| *r != row) {
                if let Some(in_column) = corner(r, column, direction(r, column, -1))
                    && let Some(opposite) = corner(r, c, direction(r, c, 1))
                {
                    consider(&[in_row, in_column, opposite]);
                }
            }
        }
        let (_, corners) = best?;
        let step = by as f64;
        let mut changes = vec![Change {
            quantity: x,
            up: step,
            down: 0.0,
        }];
        changes.extend(corners.into_iter().map(|k| Change {
            quantity: k.quantity,
            up: if k.up { step } else { 0.0 },
            down: if k.up { 0.0 } else { step },
        }));
        Some(changes)
    }

    /// The cheapest move raising `x` by `by`, given what is suppressed now.
    fn cheapest_move(
        &self,
        x: usize,
        hidden: &[bool],
        by: u64,
    ) -> Result<Vec<Change>, DisclosureError> {
        let block = &self.blocks[self.block_of[x]];
        let mut problem = Problem::new(OptimizationDirection::Minimize);
        let mut vars = Vec::with_capacity(block.quantities.len());
        let mut var_of = vec![None; self.structure.quantities];
        for q in &block.quantities {
            let value = self.values[*q];
            if value == 0 {
                continue; // zeros are published and stay put
            }
            let cost = if hidden[*q] { 0.0 } else { value as f64 };
            let up = problem.add_var(cost, (0.0, f64::INFINITY));
            let down = problem.add_var(cost, (0.0, (value - 1) as f64));
            var_of[*q] = Some((up, down));
            vars.push((*q, up, down));
        }
        let Some((up_x, down_x)) = var_of[x] else {
            return Ok(Vec::new());
        };
        for line in &block.lines {
            let mut terms = Vec::new();
            for (q, c) in &self.structure.lines[*line].terms {
                if let Some((up, down)) = var_of[*q] {
                    terms.push((up, *c));
                    terms.push((down, -*c));
                }
            }
            if !terms.is_empty() {
                problem.add_constraint(terms, ComparisonOp::Eq, 0.0);
            }
        }
        problem.add_constraint([(up_x, 1.0), (down_x, -1.0)], ComparisonOp::Ge, by as f64);
        let solution = problem
            .solve()
            .map_err(|_| DisclosureError::Solver)?
            .into_solution()
            .map_err(|_| DisclosureError::Solver)?;
        Ok(vars
            .iter()
            .map(|(quantity, up, down)| Change {
                quantity: *quantity,
                up: solution.var_value(*up),
                down: solution.var_value(*down),
            })
            .collect())
    }
}
