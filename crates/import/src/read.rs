//! Bytes of a file to a table of text cells: CSV in any usual delimiter and encoding, XLSX.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::ImportError;

/// A sheet as text: the header row and the data rows, cells trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The encodings spreadsheets in the region are saved in: UTF-8 (with or without a byte
/// order mark) and Windows-1251, Excel's default for Cyrillic "CSV" on Windows.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), "utf-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
            (text.into_owned(), "windows-1251")
        }
    }
}

/// The delimiter that splits the header line into the most fields (quotes respected).
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let count = |delimiter: char| {
        let mut quoted = false;
        header
            .chars()
            .filter(|c| {
                if *c == '"' {
                    quoted = !quoted;
                }
                !quoted && *c == delimiter
            })
            .count()
    };
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| count(*d as char))
        .unwrap_or(b',')
}

/// Reads a CSV file; returns the table and the encoding it was read in.
pub fn read_csv(bytes: &[u8]) -> Result<(Table, &'static str), ImportError> {
    let (text, encoding) = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(record) => record
            .map_err(|e| ImportError::Unreadable(format!("the header line: {}", csv_error(&e))))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect(),
        None => return Err(ImportError::Empty),
    };
    let mut rows = Vec::new();
    for (index, record) in records.enumerate() {
        let record = record.map_err(|e| {
            ImportError::Unreadable(format!("line {}: {}", index + 2, csv_error(&e)))
        })?;
        let row: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        rows.push(row);
    }
    Ok((Table { headers, rows }, encoding))
}

/// The kind of CSV error without the offending text (which may be a name).
fn csv_error(e: &csv::Error) -> &'static str {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid text",
        csv::ErrorKind::UnequalLengths { .. } => "a different number of fields",
        _ => "not valid CSV",
    }
}

/// Reads the first worksheet of an XLSX file. Dates come out as ISO 8601; whole numbers
/// without a decimal point; Excel serial dates in cells not formatted as dates stay
/// numbers and are converted where a date is expected (see `excel_serial_date`).
pub fn read_xlsx(bytes: &[u8]) -> Result<Table, ImportError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|_| ImportError::Unreadable("not an XLSX workbook".into()))?;
    let name = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or(ImportError::Empty)?;
    let range = workbook
        .worksheet_range(&name)
        .map_err(|_| ImportError::Unreadable("the first worksheet".into()))?;
    let mut rows = range
        .rows()
        .map(|row| row.iter().map(cell_text).collect::<Vec<_>>());
    let headers = rows.next().ok_or(ImportError::Empty)?;
    Ok(Table {
        headers,
        rows: rows.collect(),
    })
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|dt| dt.date().format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| d.as_f64().to_string()),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) => String::new(),
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
    fn windows_1251_and_semicolons_are_recognised() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251
            .encode("ФИО;Дата рождения\nИванов Иван Иванович;01.02.1990\n");
        let (table, encoding) = read_csv(&bytes).expect("csv");
        assert_eq!(encoding, "windows-1251");
        assert_eq!(table.headers, vec!["ФИО", "Дата рождения"]);
        assert_eq!(table.rows, vec![vec!["Иванов Иван Иванович", "01.02.1990"]]);
    }

    #[test]
    fn a_byte_order_mark_and_quoted_commas_are_handled() {
        let (table, encoding) =
            read_csv("\u{feff}Surname,Given name,Notes\n\"Smith\",John,\"a, b\"\n".as_bytes())
                .expect("csv");
        assert_eq!(encoding, "utf-8");
        assert_eq!(table.headers[0], "Surname");
        assert_eq!(table.rows[0][2], "a, b");
        let (tabs, _) = read_csv(b"a\tb\n1\t2\n").expect("tsv");
        assert_eq!(tabs.rows[0], vec!["1", "2"]);
    }

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
}
