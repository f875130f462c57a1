//! Statistical disclosure control for published figures.
//!
//! A cell below the threshold is suppressed (primary suppression). Then, wherever a row or
//! column total is published and exactly one of its cells is hidden, the hidden value
//! could be recovered by subtraction, so the smallest other published cell is hidden too
//! (secondary suppression); the same holds for the grand total over row and column totals.
//! This repeats until no hidden value can be derived from one equation. The rules are
//! written for people in docs/DISCLOSURE.md.

use serde::{Deserialize, Serialize};

/// A two-way table of counts before protection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<u64>>,
}

/// A table as published: `None` is a suppressed cell, never a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectedTable {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<Option<u64>>>,
    pub row_totals: Vec<Option<u64>>,
    pub column_totals: Vec<Option<u64>>,
    pub total: Option<u64>,
}

fn hide_smallest(values: &[u64], hidden: &mut [bool], except: usize) -> bool {
    let candidate = (0..values.len())
        .filter(|&i| i != except && !hidden[i] && values[i] > 0)
        .min_by_key(|&i| (values[i], i));
    match candidate {
        Some(i) => {
            hidden[i] = true;
            true
        }
        None => false,
    }
}

/// Protects a table: primary suppression below `threshold`, then secondary suppression
/// until no suppressed cell or total can be recovered from a single published total.
pub fn protect(table: &CountTable, threshold: u64) -> ProtectedTable {
    let rows = table.rows.len();
    let cols = table.columns.len();
    let cell = |r: usize, c: usize| {
        table
            .cells
            .get(r)
            .and_then(|row| row.get(c))
            .copied()
            .unwrap_or(0)
    };
    let row_totals: Vec<u64> = (0..rows)
        .map(|r| (0..cols).map(|c| cell(r, c)).sum())
        .collect();
    let col_totals: Vec<u64> = (0..cols)
        .map(|c| (0..rows).map(|r| cell(r, c)).sum())
        .collect();
    let total: u64 = row_totals.iter().sum();
    let small = |v: u64| v > 0 && v < threshold;

    let mut hidden: Vec<Vec<bool>> = (0..rows)
        .map(|r| (0..cols).map(|c| small(cell(r, c))).collect())
        .collect();
    let mut row_hidden: Vec<bool> = row_totals.iter().map(|&v| small(v)).collect();
    let mut col_hidden: Vec<bool> = col_totals.iter().map(|&v| small(v)).collect();
    let mut total_hidden = small(total);

    loop {
        let mut changed = false;
        for r in 0..rows {
            let count = hidden[r].iter().filter(|h| **h).count();
            if !row_hidden[r] && count == 1 {
                let values: Vec<u64> = (0..cols).map(|c| cell(r, c)).collect();
                let only = hidden[r].iter().position(|h| *h).unwrap_or(0);
                if hide_smallest(&values, &mut hidden[r], only) {
                    changed = true;
                } else {
                    row_hidden[r] = true;
                    changed = true;
                }
            }
        }
        for c in 0..cols {
            let mut column: Vec<bool> = (0..rows).map(|r| hidden[r][c]).collect();
            let count = column.iter().filter(|h| **h).count();
            if !col_hidden[c] && count == 1 {
                let values: Vec<u64> = (0..rows).map(|r| cell(r, c)).collect();
                let only = column.iter().position(|h| *h).unwrap_or(0);
                if hide_smallest(&values, &mut column, only) {
                    for (r, h) in column.iter().enumerate() {
                        hidden[r][c] = *h;
                    }
                } else {
                    col_hidden[c] = true;
                }
                changed = true;
            }
        }
        for (totals, flags) in [
            (&row_totals, &mut row_hidden),
            (&col_totals, &mut col_hidden),
        ] {
            if !total_hidden && flags.iter().filter(|h| **h).count() == 1 {
                let only = flags.iter().position(|h| *h).unwrap_or(0);
                if !hide_smallest(totals, flags, only) {
                    total_hidden = true;
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    let show = |v: u64, h: bool| (!h).then_some(v);
    ProtectedTable {
        rows: table.rows.clone(),
        columns: table.columns.clone(),
        cells: (0..rows)
            .map(|r| (0..cols).map(|c| show(cell(r, c), hidden[r][c])).collect())
            .collect(),
        row_totals: row_totals
            .iter()
            .zip(&row_hidden)
            .map(|(v, h)| show(*v, *h))
            .collect(),
        column_totals: col_totals
            .iter()
            .zip(&col_hidden)
            .map(|(v, h)| show(*v, *h))
            .collect(),
        total: show(total, total_hidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cells: Vec<Vec<u64>>) -> CountTable {
        CountTable {
            rows: (0..cells.len()).map(|r| format!("r{r}")).collect(),
            columns: (0..cells[0].len()).map(|c| format!("c{c}")).collect(),
            cells,
        }
    }

    /// No published total may leave exactly one hidden value in its equation.
    fn assert_nothing_derivable(p: &ProtectedTable) {
        for (r, row) in p.cells.iter().enumerate() {
            if p.row_totals[r].is_some() {
                assert_ne!(
                    row.iter().filter(|c| c.is_none()).count(),
                    1,
                    "row {r} gives its hidden cell away"
                );
            }
        }
        for c in 0..p.columns.len() {
            if p.column_totals[c].is_some() {
                assert_ne!(
                    p.cells.iter().filter(|row| row[c].is_none()).count(),
                    1,
                    "column {c}"
                );
            }
        }
        if p.total.is_some() {
            assert_ne!(p.row_totals.iter().filter(|t| t.is_none()).count(), 1);
            assert_ne!(p.column_totals.iter().filter(|t| t.is_none()).count(), 1);
        }
    }

    #[test]
    fn a_cell_of_three_cannot_be_derived_from_totals() {
        let t = table(vec![vec![120, 3, 40], vec![80, 60, 25], vec![33, 17, 90]]);
        let p = protect(&t, 5);
        assert_eq!(p.cells[0][1], None);
        assert_nothing_derivable(&p);
        // Everything not hidden is the true count.
        for r in 0..3 {
            for c in 0..3 {
                if let Some(v) = p.cells[r][c] {
                    assert_eq!(v, t.cells[r][c]);
                }
            }
        }
        assert_eq!(p.total, Some(468));
    }

    #[test]
    fn small_totals_are_hidden_and_zeros_shown() {
        let t = table(vec![vec![0, 2], vec![0, 50]]);
        let p = protect(&t, 5);
        assert_eq!(p.cells[0][0], Some(0));
        assert_eq!(p.row_totals[0], None, "a row of 2 is itself small");
        assert_nothing_derivable(&p);
    }

    #[test]
    fn random_tables_never_give_a_cell_away() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..300 {
            let mut next = || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            let rows = 1 + (next() % 5) as usize;
            let cols = 1 + (next() % 5) as usize;
            let cells: Vec<Vec<u64>> = (0..rows)
                .map(|_| (0..cols).map(|_| next() % 12).collect())
                .collect();
            let p = protect(&table(cells.clone()), 5);
            assert_nothing_derivable(&p);
            for (r, row) in cells.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if (1..5).contains(v) {
                        assert_eq!(p.cells[r][c], None, "{cells:?}");
                    }
                }
            }
        }
    }
}
