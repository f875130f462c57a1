//! Statistical disclosure control for published figures.
//!
//! A release is a set of linked tables (people by city and group, by age and sex, beds by
//! city). [`attacker`] computes, from everything a release publishes, the interval each
//! suppressed entry is known to lie in; [`protect_release`] suppresses small counts of
//! people and then, by linear programming, as few further entries as it can until every
//! suppressed entry's interval is at least the threshold wide, and checks the result with
//! the attacker before returning it. The rules are written for people in
//! docs/DISCLOSURE.md.

pub mod attacker;
mod structure;
mod suppression;

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

/// Which totals a table publishes beside its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Margins {
    /// Row totals, column totals and the grand total.
    Full,
    /// Row totals only (beds: capacity is in use plus free; no national totals).
    RowTotals,
}

/// One entry of a table: a cell or one of its totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entry {
    Cell { row: usize, column: usize },
    RowTotal(usize),
    ColumnTotal(usize),
    Total,
}

/// An entry of one table of a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableEntry {
    pub table: usize,
    pub entry: Entry,
}

/// Two entries that count the same people (e.g. the grand totals of two tables of one
/// population): equal, and known to be equal by anyone who reads the release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link(pub TableEntry, pub TableEntry);

/// A table as an attacker reads it: the published numbers and which totals exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTable {
    pub table: ProtectedTable,
    pub margins: Margins,
}

impl PublishedTable {
    fn shape(&self) -> Result<structure::Shape, DisclosureError> {
        let t = &self.table;
        let (rows, columns) = (t.rows.len(), t.columns.len());
        let full = self.margins == Margins::Full;
        if t.cells.len() != rows
            || t.cells.iter().any(|r| r.len() != columns)
            || t.row_totals.len() != rows
            || (full && t.column_totals.len() != columns)
        {
            return Err(DisclosureError::Shape);
        }
        Ok(structure::Shape {
            rows,
            columns,
            margins: self.margins,
        })
    }

    /// The published value of an entry; `None` when suppressed or absent.
    fn value(&self, entry: Entry) -> Option<u64> {
        let t = &self.table;
        match entry {
            Entry::Cell { row, column } => t.cells.get(row)?.get(column).copied().flatten(),
            Entry::RowTotal(row) => t.row_totals.get(row).copied().flatten(),
            Entry::ColumnTotal(column) => t.column_totals.get(column).copied().flatten(),
            Entry::Total => t.total,
        }
    }
}

/// Why a release could not be checked or protected; nothing is published then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    #[error("a table's cells or totals do not match its rows and columns")]
    Shape,
    #[error("a link names an entry its table does not publish")]
    Link,
    #[error("the published numbers contradict each other")]
    Inconsistent,
    #[error("the linear-programming solver gave no answer")]
    Solver,
    #[error("no suppression protected every suppressed entry")]
    Unprotectable,
}

/// A table of a release before protection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseTable {
    pub counts: CountTable,
    pub margins: Margins,
    /// Whether each column counts people. Counts of people from 1 to threshold − 1 are
    /// suppressed; other numbers (free beds) only where that protects a suppressed count.
    /// A total counts people when every column it adds does.
    pub people_columns: Vec<bool>,
}

impl ReleaseTable {
    /// A table whose every column counts people.
    pub fn of_people(counts: CountTable, margins: Margins) -> Self {
        let people_columns = vec![true; counts.columns.len()];
        Self {
            counts,
            margins,
            people_columns,
        }
    }

    fn cell(&self, row: usize, column: usize) -> u64 {
        self.counts
            .cells
            .get(row)
            .and_then(|r| r.get(column))
            .copied()
            .unwrap_or(0)
    }

    /// The true value of an entry (totals summed from the cells).
    fn value(&self, entry: Entry) -> u64 {
        let (rows, columns) = (self.counts.rows.len(), self.counts.columns.len());
        match entry {
            Entry::Cell { row, column } => self.cell(row, column),
            Entry::RowTotal(row) => (0..columns).map(|c| self.cell(row, c)).sum(),
            Entry::ColumnTotal(column) => (0..rows).map(|r| self.cell(r, column)).sum(),
            Entry::Total => (0..rows)
                .flat_map(|r| (0..columns).map(move |c| (r, c)))
                .map(|(r, c)| self.cell(r, c))
                .sum(),
        }
    }

    fn counts_people(&self, entry: Entry) -> bool {
        let column = |c: usize| self.people_columns.get(c).copied().unwrap_or(true);
        match entry {
            Entry::Cell { column: c, .. } | Entry::ColumnTotal(c) => column(c),
            Entry::RowTotal(_) | Entry::Total => (0..self.counts.columns.len()).all(column),
        }
    }

    fn shape(&self) -> structure::Shape {
        structure::Shape {
            rows: self.counts.rows.len(),
            columns: self.counts.columns.len(),
            margins: self.margins,
        }
    }
}

/// Protects the linked tables of one release against `threshold`:
/// 1. primary suppression: every count of people from 1 to `threshold - 1`, totals
///    included;
/// 2. secondary suppression ([`suppression`]): for each suppressed entry, the published
///    entries to suppress with it, chosen by linear programming at the least cost (the
///    sum of their values), so that its value can move by at least `threshold` without
///    changing anything published;
/// 3. the check: [`attacker::narrow`] on exactly what would be published. Should an entry
///    still be narrower than `threshold` (the moves of step 2 prove it cannot, up to the
///    solver's round-off), every non-zero entry of the tables joined to it is suppressed
///    and the check runs again. A release that fails that check is an error, never a
///    result.
///
/// Zeros are always published. Returns one [`ProtectedTable`] per table, in order.
pub fn protect_release(
    tables: &[ReleaseTable],
    links: &[Link],
    threshold: u64,
) -> Result<Vec<ProtectedTable>, DisclosureError> {
    let shapes: Vec<structure::Shape> = tables.iter().map(ReleaseTable::shape).collect();
    let structure = structure::Structure::new(&shapes, links)?;
    let mut values: Vec<Option<u64>> = vec![None; structure.quantities];
    let mut people = vec![false; structure.quantities];
    for (table, entries) in tables.iter().zip(&structure.entries) {
        for (entry, q) in entries {
            let value = table.value(*entry);
            match values[*q] {
                Some(other) if other != value => return Err(DisclosureError::Inconsistent),
                _ => values[*q] = Some(value),
            }
            people[*q] |= table.counts_people(*entry);
        }
    }
    let values: Vec<u64> = values.into_iter().map(Option::unwrap_or_default).collect();
    let mut hidden: Vec<bool> = values
        .iter()
        .zip(&people)
        .map(|(v, p)| *p && *v > 0 && *v < threshold)
        .collect();
    let plan = suppression::Plan::new(&structure, &values, threshold);
    plan.protect(&mut hidden)?;
    checked(tables, links, &structure, &values, &plan, hidden, threshold)
}

/// The tables as published with `hidden` suppressed, once the attacker finds no entry
/// narrower than `threshold`; otherwise the last resort, checked again.
fn checked(
    tables: &[ReleaseTable],
    links: &[Link],
    structure: &structure::Structure,
    values: &[u64],
    plan: &suppression::Plan,
    mut hidden: Vec<bool>,
    threshold: u64,
) -> Result<Vec<ProtectedTable>, DisclosureError> {
    for last_resort in [false, true] {
        let published = publish(tables, structure, values, &hidden);
        let narrow = attacker::narrow(&published, links, threshold)?;
        if narrow.is_empty() {
            return Ok(published.into_iter().map(|p| p.table).collect());
        }
        if last_resort {
            break;
        }
        let at_risk: Vec<usize> = narrow
            .iter()
            .filter_map(|i| {
                structure.entries[i.table]
                    .iter()
                    .find(|(e, _)| *e == i.entry)
                    .map(|(_, q)| *q)
            })
            .collect();
        plan.hide_everything_near(&at_risk, &mut hidden);
    }
    Err(DisclosureError::Unprotectable)
}

/// The tables as they would be published with `hidden` suppressed.
fn publish(
    tables: &[ReleaseTable],
    structure: &structure::Structure,
    values: &[u64],
    hidden: &[bool],
) -> Vec<PublishedTable> {
    tables
        .iter()
        .zip(&structure.entries)
        .map(|(table, entries)| {
            let (rows, columns) = (table.counts.rows.len(), table.counts.columns.len());
            let mut out = ProtectedTable {
                rows: table.counts.rows.clone(),
                columns: table.counts.columns.clone(),
                cells: vec![vec![None; columns]; rows],
                row_totals: vec![None; rows],
                column_totals: match table.margins {
                    Margins::Full => vec![None; columns],
                    Margins::RowTotals => Vec::new(),
                },
                total: None,
            };
            for (entry, q) in entries {
                let shown = (!hidden[*q]).then_some(values[*q]);
                match *entry {
                    Entry::Cell { row, column } => out.cells[row][column] = shown,
                    Entry::RowTotal(row) => out.row_totals[row] = shown,
                    Entry::ColumnTotal(column) => out.column_totals[column] = shown,
                    Entry::Total => out.total = shown,
                }
            }
            PublishedTable {
                table: out,
                margins: table.margins,
            }
        })
        .collect()
}

/// Protects one table on its own, with all its totals (see [`protect_release`]).
pub fn protect(table: &CountTable, threshold: u64) -> Result<ProtectedTable, DisclosureError> {
    let mut out = protect_release(
        &[ReleaseTable::of_people(table.clone(), Margins::Full)],
        &[],
        threshold,
    )?;
    out.pop().ok_or(DisclosureError::Shape)
}

#[cfg(test)]
mod tests;
