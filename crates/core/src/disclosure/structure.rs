//! The additive structure of a release: every number it may publish (a cell, a row or
//! column total, a grand total) as one *quantity*, and every published equation between
//! them as a *line* (`sum of parts = total`). Linked entries of different tables (the same
//! people counted twice, e.g. the grand totals of two tables) are one quantity.
//!
//! The attacker and the suppression both work on this form, so what one assumes the other
//! protects.

use super::{DisclosureError, Entry, Link, Margins, TableEntry};

/// A published equation: the sum over `terms` of coefficient × quantity is zero (`+1` for
/// the parts, `-1` for the total).
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub terms: Vec<(usize, f64)>,
}

impl Line {
    /// `sum of parts = total`, with a quantity that appears twice summed once.
    fn new(total: usize, parts: impl IntoIterator<Item = usize>) -> Self {
        let mut terms: std::collections::BTreeMap<usize, f64> = Default::default();
        for part in parts {
            *terms.entry(part).or_default() += 1.0;
        }
        *terms.entry(total).or_default() -= 1.0;
        Self {
            terms: terms.into_iter().filter(|(_, c)| *c != 0.0).collect(),
        }
    }
}

/// The quantities and lines of a set of linked tables.
#[derive(Debug, Clone)]
pub(super) struct Structure {
    /// `entries[table]`: every entry of that table and its quantity.
    pub entries: Vec<Vec<(Entry, usize)>>,
    pub lines: Vec<Line>,
    pub quantities: usize,
    pub shapes: Vec<Shape>,
}

/// The shape of one table: its row and column counts and the totals it publishes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    pub rows: usize,
    pub columns: usize,
    pub margins: Margins,
}

impl Shape {
    /// Every entry the table publishes, cells first.
    pub fn entries(&self) -> Vec<Entry> {
        let mut out = Vec::new();
        for row in 0..self.rows {
            for column in 0..self.columns {
                out.push(Entry::Cell { row, column });
            }
        }
        out.extend((0..self.rows).map(Entry::RowTotal));
        if self.margins == Margins::Full {
            out.extend((0..self.columns).map(Entry::ColumnTotal));
            out.push(Entry::Total);
        }
        out
    }

    /// Whether the table publishes this entry.
    fn has(&self, entry: Entry) -> bool {
        match entry {
            Entry::Cell { row, column } => row < self.rows && column < self.columns,
            Entry::RowTotal(row) => row < self.rows,
            Entry::ColumnTotal(column) => self.margins == Margins::Full && column < self.columns,
            Entry::Total => self.margins == Margins::Full,
        }
    }
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Disjoint sets over `0..n`, for linked entries and for connected groups of quantities.
pub(super) struct Groups {
    parent: Vec<usize>,
}

impl Groups {
    pub fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    pub fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (find(&mut self.parent, a), find(&mut self.parent, b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }

    pub fn root(&mut self, x: usize) -> usize {
        find(&mut self.parent, x)
    }
}

impl Structure {
    pub fn new(shapes: &[Shape], links: &[Link]) -> Result<Self, DisclosureError> {
        let listed: Vec<Vec<Entry>> = shapes.iter().map(Shape::entries).collect();
        let mut offsets = Vec::with_capacity(shapes.len());
        let mut count = 0;
        for entries in &listed {
            offsets.push(count);
            count += entries.len();
        }
        let position = |at: &TableEntry| -> Result<usize, DisclosureError> {
            let shape = shapes.get(at.table).ok_or(DisclosureError::Link)?;
            if !shape.has(at.entry) {
                return Err(DisclosureError::Link);
            }
            let index = listed[at.table]
                .iter()
                .position(|e| *e == at.entry)
                .ok_or(DisclosureError::Link)?;
            Ok(offsets[at.table] + index)
        };
        let mut linked = Groups::new(count);
        for link in links {
            linked.join(position(&link.0)?, position(&link.1)?);
        }
        let mut number = vec![usize::MAX; count];
        let mut quantities = 0;
        for slot in 0..count {
            let root = linked.root(slot);
            if number[root] == usize::MAX {
                number[root] = quantities;
                quantities += 1;
            }
            number[slot] = number[root];
        }
        let entries: Vec<Vec<(Entry, usize)>> = listed
            .iter()
            .zip(&offsets)
            .map(|(list, offset)| {
                list.iter()
                    .enumerate()
                    .map(|(i, e)| (*e, number[offset + i]))
                    .collect()
            })
            .collect();

        let mut lines = Vec::new();
        for (t, shape) in shapes.iter().enumerate() {
            let (rows, columns) = (shape.rows, shape.columns);
            let q = |entry: Entry| -> usize {
                let index = match entry {
                    Entry::Cell { row, column } => row * columns + column,
                    Entry::RowTotal(row) => rows * columns + row,
                    Entry::ColumnTotal(column) => rows * columns + rows + column,
                    Entry::Total => rows * columns + rows + columns,
                };
                number[offsets[t] + index]
            };
            for row in 0..rows {
                lines.push(Line::new(
                    q(Entry::RowTotal(row)),
                    (0..columns).map(|column| q(Entry::Cell { row, column })),
                ));
            }
            if shape.margins == Margins::Full {
                for column in 0..columns {
                    lines.push(Line::new(
                        q(Entry::ColumnTotal(column)),
                        (0..rows).map(|row| q(Entry::Cell { row, column })),
                    ));
                }
                lines.push(Line::new(
                    q(Entry::Total),
                    (0..rows).map(|row| q(Entry::RowTotal(row))),
                ));
                lines.push(Line::new(
                    q(Entry::Total),
                    (0..columns).map(|c| q(Entry::ColumnTotal(c))),
                ));
            }
        }
        Ok(Self {
            entries,
            lines,
            quantities,
            shapes: shapes.to_vec(),
        })
    }
}
