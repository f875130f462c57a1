//! Files for people to open in a spreadsheet: CSV lines whose text cells all pass through
//! `shanyrak_core::spreadsheet::csv_field` (no cell is read as a formula), and XLSX text
//! cells written as strings, quote-prefixed where they begin like a formula. A writer
//! says for each cell whether it is text or a number the program computed, so user text
//! cannot reach a file unneutralised by forgetting a call.

use std::fmt::Display;
use std::io::{self, Write};

use shanyrak_core::spreadsheet::{begins_like_formula, csv_field};

/// Numbers the program computed (counts, ids it numbered, days): written as they are.
pub trait Number: Display {}
impl Number for u32 {}
impl Number for u64 {}
impl Number for usize {}
impl Number for i64 {}

/// A comma-separated file written row by row.
#[derive(Debug)]
pub struct Csv<W: Write> {
    out: W,
    line: String,
    cells: usize,
}

impl<W: Write> Csv<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            line: String::new(),
            cells: 0,
        }
    }

    fn separate(&mut self) {
        if self.cells > 0 {
            self.line.push(',');
        }
        self.cells += 1;
    }

    /// A cell of text: a person's (or a program word; both are treated alike).
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        self.line.push_str(&csv_field(value));
        self
    }

    /// A number the program computed.
    pub fn number(&mut self, value: impl Number) -> &mut Self {
        self.separate();
        self.line.push_str(&value.to_string());
        self
    }

    /// A computed fraction with `places` decimals.
    pub fn decimal(&mut self, value: f64, places: usize) -> &mut Self {
        self.separate();
        self.line.push_str(&format!("{value:.places$}"));
        self
    }

    /// Ends the row and writes it.
    pub fn end_row(&mut self) -> io::Result<()> {
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())?;
        self.line.clear();
        self.cells = 0;
        Ok(())
    }

    /// A row of text cells (a header, or a row that holds no numbers).
    pub fn text_row<S: AsRef<str>>(
        &mut self,
        cells: impl IntoIterator<Item = S>,
    ) -> io::Result<()> {
        for cell in cells {
            self.text(cell.as_ref());
        }
        self.end_row()
    }

    /// The writer underneath, flushed.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes text into an XLSX cell as a string (never a formula); a cell that begins like
/// a formula gets the quote-prefix style, so editing it in Excel keeps it text.
pub fn xlsx_text(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    column: u16,
    value: &str,
    quote_prefix: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    if begins_like_formula(value) {
        sheet.write_string_with_format(row, column, value, quote_prefix)?;
    } else {
        sheet.write_string(row, column, value)?;
    }
    Ok(())
}

/// The style [`xlsx_text`] gives to text that begins like a formula.
pub fn quote_prefix() -> rust_xlsxwriter::Format {
    rust_xlsxwriter::Format::new().set_quote_prefix()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(build: impl FnOnce(&mut Csv<Vec<u8>>)) -> String {
        let mut csv = Csv::new(Vec::new());
        build(&mut csv);
        csv.end_row().unwrap_or_default();
        String::from_utf8(csv.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn text_is_neutralised_and_numbers_stay_numbers() {
        let line = row(|c| {
            c.text("=1+1")
                .text("-2")
                .number(-3i64)
                .decimal(-0.25, 2)
                .text("Oral");
        });
        assert_eq!(line, "\"'=1+1\",\"'-2\",-3,-0.25,Oral\n");
    }

    #[test]
    fn empty_cells_keep_their_place() {
        assert_eq!(
            row(|c| {
                c.text("").text("").number(1u64);
            }),
            ",,1\n"
        );
        assert_eq!(
            row(|c| {
                c.text("a").text("");
            }),
            "a,\n"
        );
    }
}
