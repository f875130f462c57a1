//! Bytes of a file to a table of text cells: CSV in any usual delimiter and encoding, XLSX.
//!
//! Both readers stream: a CSV record at a time into fixed buffers, an XLSX sheet an XML
//! event at a time out of the zip entry. What they keep goes through [`Reading`], which
//! checks every value against the [`Limits`] before it is kept, so no file can make
//! them hold more than the limits allow, whatever it declares.

mod csv;
mod xlsx;

use std::borrow::Cow;
use std::sync::atomic::AtomicBool;

pub use self::csv::read_csv;
pub use self::xlsx::read_xlsx;
use crate::ImportError;
use crate::limits::{Limit, Limits};
use crate::table::Table;

/// CSV or XLSX, by content (XLSX is a ZIP archive), whatever the file is named.
pub fn read_any(bytes: &[u8], limits: &Limits, cancel: &AtomicBool) -> Result<Table, ImportError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, limits, cancel)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Err(ImportError::Unreadable(
            "an old Excel file (.xls) or a password-protected workbook: save it as .xlsx or CSV"
                .into(),
        ))
    } else {
        read_csv(bytes, limits, cancel).map(|(table, _)| table)
    }
}

/// The encodings spreadsheets in the region are saved in: UTF-8 (with or without a byte
/// order mark) and Windows-1251, Excel's default for Cyrillic "CSV" on Windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Windows1251,
}

impl Encoding {
    /// UTF-8 if the bytes are; Windows-1251 if they are not and do not look like UTF-8
    /// damaged on the way (many valid multi-byte letters and a few stray bytes), which
    /// read as Windows-1251 would import every name as mojibake.
    pub(crate) fn detect(bytes: &[u8]) -> Result<Encoding, ImportError> {
        let Err(error) = std::str::from_utf8(bytes) else {
            return Ok(Encoding::Utf8);
        };
        let (mut letters, mut stray) = (0usize, 0usize);
        for chunk in bytes.utf8_chunks() {
            letters += chunk.valid().chars().filter(|c| c.len_utf8() > 1).count();
            stray += usize::from(!chunk.invalid().is_empty());
        }
        if letters >= 16 && letters >= 4 * stray {
            let line = bytes[..error.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            return Err(ImportError::NotText { line });
        }
        Ok(Encoding::Windows1251)
    }

    pub(crate) fn decode(self, bytes: &[u8]) -> Cow<'_, str> {
        match self {
            Encoding::Utf8 => String::from_utf8_lossy(bytes),
            Encoding::Windows1251 => {
                encoding_rs::WINDOWS_1251
                    .decode_without_bom_handling(bytes)
                    .0
            }
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1251 => "windows-1251",
        }
    }
}

/// The table being read: the first row with a value is the header, every later row
/// with a value a data row. Checks each value against the limits before keeping it.
#[derive(Debug)]
pub(crate) struct Reading<'l> {
    limits: &'l Limits,
    table: Table,
    have_header: bool,
    /// Lines after the header, blank ones included where the format counts them.
    data_lines: usize,
    /// Text held outside the table (an XLSX's shared strings), counted in the budget.
    pub(crate) held_elsewhere: usize,
    row_text: String,
    row_cells: Vec<(u32, usize, usize)>,
}

impl<'l> Reading<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Self {
        Reading {
            limits,
            table: Table::default(),
            have_header: false,
            data_lines: 0,
            held_elsewhere: 0,
            row_text: String::new(),
            row_cells: Vec::new(),
        }
    }

    pub(crate) fn past(&self, limit: Limit, line: usize) -> ImportError {
        ImportError::TooLarge {
            limit,
            max: limit.of(self.limits),
            line: Some(line),
        }
    }

    /// Bytes of text held so far (table, current row and elsewhere).
    pub(crate) fn text_held(&self) -> usize {
        self.table.text_bytes() + self.row_text.len() + self.held_elsewhere
    }

    /// One cell of the current row (0-based column, trimmed text); empty cells are not
    /// kept and cost nothing.
    pub(crate) fn cell(
        &mut self,
        column: usize,
        text: &str,
        line: usize,
    ) -> Result<(), ImportError> {
        if text.is_empty() {
            return Ok(());
        }
        let limits = self.limits;
        if column >= limits.max_columns {
            return Err(self.past(Limit::Columns, line));
        }
        if text.len() > limits.max_cell_chars && text.chars().count() > limits.max_cell_chars {
            return Err(self.past(Limit::CellChars, line));
        }
        if self.text_held() + text.len() > limits.max_text_bytes {
            return Err(self.past(Limit::Text, line));
        }
        if self.table.cell_count() + self.row_cells.len() >= limits.max_cells {
            return Err(self.past(Limit::Cells, line));
        }
        let start = self.row_text.len();
        self.row_text.push_str(text);
        let column = u32::try_from(column).unwrap_or(u32::MAX);
        self.row_cells.push((column, start, self.row_text.len()));
        Ok(())
    }

    /// Ends the current row. `blank_counts`: a row without values still counts towards
    /// the row limit (a CSV's blank lines; an XLSX's empty rows hold formatting only).
    pub(crate) fn end_row(&mut self, line: usize, blank_counts: bool) -> Result<(), ImportError> {
        let blank = self.row_cells.is_empty();
        // The header is not a data row; blank lines cost reading time wherever they are.
        if (self.have_header && !blank) || (blank && blank_counts) {
            self.data_lines += 1;
            if self.data_lines > self.limits.max_rows {
                return Err(self.past(Limit::Rows, line));
            }
        }
        if blank {
            return Ok(());
        }
        // Spreadsheets write cells left to right; a file that does not is put in order
        // (the last value wins for a column given twice).
        if self.row_cells.windows(2).any(|w| w[0].0 >= w[1].0) {
            self.row_cells.sort_by_key(|c| c.0);
            let mut deduplicated: Vec<(u32, usize, usize)> =
                Vec::with_capacity(self.row_cells.len());
            for cell in self.row_cells.drain(..) {
                match deduplicated.last_mut() {
                    Some(last) if last.0 == cell.0 => *last = cell,
                    _ => deduplicated.push(cell),
                }
            }
            self.row_cells = deduplicated;
        }
        if self.have_header {
            let line = u32::try_from(line).unwrap_or(u32::MAX);
            let mut row = self.table.start_row(line);
            for (column, start, end) in &self.row_cells {
                row.push(*column, &self.row_text[*start..*end]);
            }
            row.finish();
        } else {
            let width = self.row_cells.last().map_or(0, |c| c.0 as usize + 1);
            let mut headers = vec![String::new(); width];
            for (column, start, end) in &self.row_cells {
                headers[*column as usize] = self.row_text[*start..*end].to_owned();
            }
            self.table.headers = headers;
            self.have_header = true;
        }
        self.row_text.clear();
        self.row_cells.clear();
        Ok(())
    }

    pub(crate) fn limits(&self) -> &'l Limits {
        self.limits
    }

    pub(crate) fn finish(self) -> Result<Table, ImportError> {
        self.finish_with_merges(&[])
    }

    /// The table, with merged areas (end-exclusive lines and columns) filled.
    pub(crate) fn finish_with_merges(
        mut self,
        areas: &[(std::ops::Range<u32>, std::ops::Range<u32>)],
    ) -> Result<Table, ImportError> {
        if !self.have_header {
            return Err(ImportError::Empty);
        }
        if !areas.is_empty() && !self.table.apply_merges(areas, self.limits.max_cells) {
            return Err(ImportError::TooLarge {
                limit: Limit::Cells,
                max: Limit::Cells.of(self.limits),
                line: None,
            });
        }
        Ok(self.table)
    }
}

/// An Excel serial day number (days since 1899-12-30, counting Excel's phantom 29 Feb
/// 1900) as a date, for the numbers Excel writes when a date cell lost its format.
pub fn excel_serial_date(serial: f64) -> Option<chrono::NaiveDate> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    epoch.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_are_days_since_1899_12_30() {
        assert_eq!(
            excel_serial_date(33_270.0),
            chrono::NaiveDate::from_ymd_opt(1991, 2, 1)
        );
        assert_eq!(
            excel_serial_date(44_833.0),
            chrono::NaiveDate::from_ymd_opt(2022, 9, 29)
        );
        assert_eq!(
            excel_serial_date(44_562.0),
            chrono::NaiveDate::from_ymd_opt(2022, 1, 1)
        );
        assert_eq!(excel_serial_date(0.0), None);
    }

    #[test]
    fn windows_1251_with_a_few_letters_that_happen_to_be_utf8_is_still_windows_1251() {
        // "Тё" in Windows-1251 is D2 B8, a valid two-byte UTF-8 sequence.
        let (bytes, _, _) =
            encoding_rs::WINDOWS_1251.encode("Фамилия;Имя\nТёмкин;Пётр\nАлёшин;Семён\n");
        assert_eq!(Encoding::detect(&bytes), Ok(Encoding::Windows1251));
    }
}
