//! How much of a file is read before it is refused. Every reader checks these while it
//! streams, before it keeps anything, so a file's cost is bounded by the limits and not
//! by what the file claims or how well it compresses.

use std::fmt;

/// The bounds of one import. The defaults take the largest list kept in 2022 (about
/// 200,000 rows of 10–25 columns) with room to spare, and keep what is held while
/// reading it well under 300 MB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Data rows with at least one value (the header row not counted). A CSV's lines of
    /// empty fields count too, before the header as after: they cost reading time.
    pub max_rows: usize,
    /// The last column that holds a value (A = 1).
    pub max_columns: usize,
    /// Cells holding a value, in all.
    pub max_cells: usize,
    /// Bytes of cell text kept, in all (an XLSX's shared strings count once when read
    /// and again for every cell that uses them).
    pub max_text_bytes: usize,
    /// Characters in one cell; Excel's own limit is 32,767.
    pub max_cell_chars: usize,
    /// Bytes of one CSV line (one record, quotes included).
    pub max_line_bytes: usize,
    /// Bytes an XLSX's parts unpack to, in all (checked against what each part declares
    /// before it is opened, and against what it really yields while it is read).
    pub max_unpacked_bytes: u64,
    /// Parts (zip entries) of an XLSX; a workbook has a few dozen.
    pub max_parts: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 200_000,
            max_columns: 256,
            max_cells: 6_000_000,
            max_text_bytes: 128 * 1024 * 1024,
            max_cell_chars: 32_767,
            max_line_bytes: 1024 * 1024,
            max_unpacked_bytes: 1024 * 1024 * 1024,
            max_parts: 10_000,
        }
    }
}

/// Which limit a file went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    Rows,
    Columns,
    Cells,
    Text,
    CellChars,
    LineBytes,
    Unpacked,
    Parts,
    /// The sheet's declared size (`<dimension ref="A1:XFD1048576"/>`) is past the row or
    /// column limit.
    Dimensions,
}

impl Limit {
    /// A stable code for scripts and translations.
    pub fn code(self) -> &'static str {
        match self {
            Limit::Rows => "rows",
            Limit::Columns => "columns",
            Limit::Cells => "cells",
            Limit::Text => "text",
            Limit::CellChars => "cell",
            Limit::LineBytes => "line",
            Limit::Unpacked => "unpacked",
            Limit::Parts => "parts",
            Limit::Dimensions => "dimensions",
        }
    }

    /// The limit's value in `limits`.
    pub fn of(self, limits: &Limits) -> u64 {
        let value = match self {
            Limit::Rows | Limit::Dimensions => limits.max_rows,
            Limit::Columns => limits.max_columns,
            Limit::Cells => limits.max_cells,
            Limit::Text => limits.max_text_bytes,
            Limit::CellChars => limits.max_cell_chars,
            Limit::LineBytes => limits.max_line_bytes,
            Limit::Parts => limits.max_parts,
            Limit::Unpacked => return limits.max_unpacked_bytes,
        };
        u64::try_from(value).unwrap_or(u64::MAX)
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::Rows => "rows",
            Limit::Columns => "columns",
            Limit::Cells => "cells holding a value",
            Limit::Text => "bytes of cell text",
            Limit::CellChars => "characters in one cell",
            Limit::LineBytes => "bytes in one line",
            Limit::Unpacked => "bytes unpacked from the workbook",
            Limit::Parts => "parts in the workbook",
            Limit::Dimensions => "rows or columns declared by the sheet",
        })
    }
}
