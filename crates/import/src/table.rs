//! A sheet as text, held compactly: one string for all cell text and twelve bytes per
//! cell that holds a value. Empty cells and empty rows take no room, so the cost of a
//! table is its text plus its filled cells, which the readers bound (`Limits`).

use std::ops::Range;

/// A cell that holds a value: its column and where its text lies in `Table::text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CellAt {
    column: u32,
    start: u32,
    end: u32,
}

/// A row with at least one value: its line in the file and its first cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RowAt {
    line: u32,
    first_cell: u32,
}

/// The header row and the data rows of a sheet, cells trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Header cells by column (empty where a column has no header).
    pub headers: Vec<String>,
    text: String,
    cells: Vec<CellAt>,
    rows: Vec<RowAt>,
}

/// One data row.
#[derive(Debug, Clone, Copy)]
pub struct Row<'t> {
    table: &'t Table,
    index: usize,
}

impl Table {
    /// A table from plain rows (the header is line 1, data from line 2; blank rows keep
    /// their line but are not stored). For tests and callers that build tables by hand.
    pub fn from_rows(headers: Vec<String>, rows: Vec<Vec<String>>) -> Table {
        let mut table = Table {
            headers,
            ..Table::default()
        };
        for (index, row) in rows.into_iter().enumerate() {
            let line = u32::try_from(index + 2).unwrap_or(u32::MAX);
            let mut builder = table.start_row(line);
            for (column, value) in row.iter().enumerate() {
                builder.push(u32::try_from(column).unwrap_or(u32::MAX), value.trim());
            }
            builder.finish();
        }
        table
    }

    /// Data rows that hold a value.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn rows(&self) -> impl ExactSizeIterator<Item = Row<'_>> + '_ {
        (0..self.rows.len()).map(move |index| Row { table: self, index })
    }

    pub fn row(&self, index: usize) -> Option<Row<'_>> {
        (index < self.rows.len()).then_some(Row { table: self, index })
    }

    /// Bytes of cell text held.
    pub fn text_bytes(&self) -> usize {
        self.text.len()
    }

    /// Cells holding a value.
    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }

    pub(crate) fn start_row(&mut self, line: u32) -> RowBuilder<'_> {
        let first_cell = u32::try_from(self.cells.len()).unwrap_or(u32::MAX);
        RowBuilder {
            table: self,
            line,
            first_cell,
        }
    }

    /// Fills merged areas below the header: every empty cell of an area reads as its
    /// top-left cell, as a clerk who merged "family 12" over four rows meant. Areas are
    /// `(lines, columns)`, end-exclusive. The fills share the top-left cell's text and
    /// count as cells; false (and the table unchanged) if they would take it past
    /// `max_cells`.
    pub(crate) fn apply_merges(
        &mut self,
        areas: &[(Range<u32>, Range<u32>)],
        max_cells: usize,
    ) -> bool {
        let mut fills: Vec<(u32, CellAt)> = Vec::new();
        for (lines, columns) in areas {
            let Some(source) = self
                .rows
                .binary_search_by_key(&lines.start, |r| r.line)
                .ok()
                .and_then(|index| Row { table: self, index }.cell_at(columns.start))
            else {
                continue;
            };
            let first = self.rows.partition_point(|r| r.line < lines.start);
            for index in first..self.rows.len() {
                let line = self.rows[index].line;
                if line >= lines.end {
                    break;
                }
                let row = Row { table: self, index };
                for column in columns.clone() {
                    if row.cell_at(column).is_none() {
                        if self.cells.len() + fills.len() >= max_cells {
                            return false;
                        }
                        fills.push((line, CellAt { column, ..source }));
                    }
                }
            }
        }
        if fills.is_empty() {
            return true;
        }
        fills.sort_by_key(|(line, cell)| (*line, cell.column));
        fills.dedup_by_key(|(line, cell)| (*line, cell.column));
        let mut cells = Vec::with_capacity(self.cells.len() + fills.len());
        let mut fills = fills.into_iter().peekable();
        for index in 0..self.rows.len() {
            let line = self.rows[index].line;
            let own = Row { table: self, index }.cells();
            let first_cell = u32::try_from(cells.len()).unwrap_or(u32::MAX);
            let mut own = own.iter().peekable();
            loop {
                let fill = fills.peek().filter(|(l, _)| *l == line).map(|(_, c)| *c);
                match (own.peek(), fill) {
                    (Some(o), Some(f)) if f.column < o.column => {
                        cells.push(f);
                        fills.next();
                    }
                    (Some(o), _) => {
                        cells.push(**o);
                        own.next();
                    }
                    (None, Some(f)) => {
                        cells.push(f);
                        fills.next();
                    }
                    (None, None) => break,
                }
            }
            self.rows[index].first_cell = first_cell;
        }
        self.cells = cells;
        true
    }

    fn slice(&self, range: Range<u32>) -> &str {
        self.text
            .get(range.start as usize..range.end as usize)
            .unwrap_or_default()
    }
}

impl<'t> Row<'t> {
    /// The row's line in the file (the header's line is the first line with a value).
    pub fn line(&self) -> usize {
        self.table.rows[self.index].line as usize
    }

    fn cells(&self) -> &'t [CellAt] {
        let first = self.table.rows[self.index].first_cell as usize;
        let end = self
            .table
            .rows
            .get(self.index + 1)
            .map_or(self.table.cells.len(), |r| r.first_cell as usize);
        &self.table.cells[first..end]
    }

    fn cell_at(&self, column: u32) -> Option<CellAt> {
        let cells = self.cells();
        cells
            .binary_search_by_key(&column, |c| c.column)
            .ok()
            .map(|at| cells[at])
    }

    /// The text of a cell (empty if it holds nothing).
    pub fn get(&self, column: usize) -> &'t str {
        u32::try_from(column)
            .ok()
            .and_then(|column| self.cell_at(column))
            .map_or("", |c| self.table.slice(c.start..c.end))
    }

    /// The cells that hold a value, by column.
    pub fn values(&self) -> impl Iterator<Item = (usize, &'t str)> + 't {
        let table = self.table;
        self.cells()
            .iter()
            .map(move |c| (c.column as usize, table.slice(c.start..c.end)))
    }
}

/// Appends one row's cells; nothing is kept if no cell holds a value.
#[derive(Debug)]
pub(crate) struct RowBuilder<'t> {
    table: &'t mut Table,
    line: u32,
    first_cell: u32,
}

impl RowBuilder<'_> {
    /// Adds a cell's (trimmed) text; columns must come in increasing order.
    pub(crate) fn push(&mut self, column: u32, text: &str) {
        if text.is_empty() {
            return;
        }
        let start = u32::try_from(self.table.text.len()).unwrap_or(u32::MAX);
        self.table.text.push_str(text);
        self.table.cells.push(CellAt {
            column,
            start,
            end: u32::try_from(self.table.text.len()).unwrap_or(u32::MAX),
        });
    }

    pub(crate) fn cells(&self) -> usize {
        self.table.cells.len() - self.first_cell as usize
    }

    pub(crate) fn finish(self) {
        if self.cells() > 0 {
            self.table.rows.push(RowAt {
                line: self.line,
                first_cell: self.first_cell,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_back_by_column_and_blank_rows_are_not_kept() {
        let table = Table::from_rows(
            vec!["a".into(), "b".into(), "c".into()],
            vec![
                vec!["1".into(), "".into(), " 3 ".into()],
                vec!["".into(), "".into()],
                vec!["".into(), "x".into()],
            ],
        );
        assert_eq!(table.len(), 2);
        let first = table.row(0).expect("row");
        assert_eq!(first.line(), 2);
        assert_eq!((first.get(0), first.get(1), first.get(2)), ("1", "", "3"));
        assert_eq!(first.get(9), "");
        let second = table.row(1).expect("row");
        assert_eq!(second.line(), 4);
        assert_eq!(second.values().collect::<Vec<_>>(), vec![(1, "x")]);
    }

    #[test]
    fn a_merged_area_reads_as_its_top_left_cell() {
        let mut table = Table::from_rows(
            vec!["family".into(), "name".into()],
            vec![
                vec!["7".into(), "A".into()],
                vec!["".into(), "B".into()],
                vec!["".into(), "C".into()],
                vec!["".into(), "D".into()],
            ],
        );
        assert!(
            !table.apply_merges(&[(2..5, 0..1)], 6),
            "two fills past six cells"
        );
        assert!(table.apply_merges(&[(2..5, 0..1)], 7));
        assert_eq!(table.cell_count(), 7);
        let families: Vec<&str> = table.rows().map(|r| r.get(0)).collect();
        assert_eq!(families, vec!["7", "7", "7", ""]);
    }
}
