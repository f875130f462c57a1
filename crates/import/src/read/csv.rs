//! CSV in any usual delimiter, UTF-8 (with or without BOM) or Windows-1251, read record
//! by record with `csv-core` into fixed buffers: a line longer than the line limit or a
//! value past the column limit is refused before it is held.

use std::sync::atomic::{AtomicBool, Ordering};

use csv_core::{ReadRecordResult, ReaderBuilder};

use super::{Encoding, Reading};
use crate::ImportError;
use crate::limits::{Limit, Limits};
use crate::table::Table;

/// The delimiter that splits the first line into the most fields (quotes respected).
fn sniff_delimiter(bytes: &[u8], limits: &Limits) -> u8 {
    let head = &bytes[..bytes.len().min(limits.max_line_bytes)];
    let header = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |delimiter: u8| {
        let mut quoted = false;
        header
            .iter()
            .filter(|b| {
                if **b == b'"' {
                    quoted = !quoted;
                }
                !quoted && **b == delimiter
            })
            .count()
    };
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| count(*d))
        .unwrap_or(b',')
}

/// Reads a CSV file; returns the table and the encoding it was read in.
pub fn read_csv(
    bytes: &[u8],
    limits: &Limits,
    cancel: &AtomicBool,
) -> Result<(Table, &'static str), ImportError> {
    let encoding = Encoding::detect(bytes)?;
    let delimiter = sniff_delimiter(bytes, limits);
    let mut reader = ReaderBuilder::new().delimiter(delimiter).build();
    let mut output = vec![0u8; limits.max_line_bytes.max(1)];
    let mut ends = vec![0usize; 256];
    let mut reading = Reading::new(limits);
    let mut consumed = 0usize;
    // Lines are the file's own (as an editor or Excel numbers them): blank lines are
    // skipped but counted, and a record with line breaks inside quotes starts where its
    // first line is.
    let mut newlines = 0usize;
    let mut line: usize = 0;
    let mut records: usize = 0;
    // The record being read: bytes of input, output and ends used, and how many of its
    // fields were already handed over.
    let mut record_bytes = 0usize;
    let (mut out_len, mut ends_len, mut fields_done) = (0usize, 0usize, 0usize);
    let mut field_start = 0usize;
    let mut fields: Vec<(usize, usize)> = Vec::new();
    loop {
        let (result, nin, nout, nend) = reader.read_record(
            &bytes[consumed..],
            &mut output[out_len..],
            &mut ends[ends_len..],
        );
        newlines += bytes[consumed..consumed + nin]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        consumed += nin;
        record_bytes += nin;
        out_len += nout;
        ends_len += nend;
        if record_bytes > limits.max_line_bytes {
            return Err(reading.past(Limit::LineBytes, newlines + 1));
        }
        match result {
            ReadRecordResult::OutputFull => {
                return Err(reading.past(Limit::LineBytes, newlines + 1));
            }
            ReadRecordResult::OutputEndsFull | ReadRecordResult::Record => {
                // Note the fields ended so far and reuse the room for their ends; a
                // field past the column limit is refused only if it holds a value.
                for end in &ends[..ends_len] {
                    let (start, end) = (field_start, *end);
                    field_start = end;
                    let column = fields_done;
                    fields_done += 1;
                    if output[start..end].iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    if column >= limits.max_columns {
                        return Err(reading.past(Limit::Columns, newlines + 1));
                    }
                    fields.push((column, start));
                    fields.push((end, 0));
                }
                ends_len = 0;
            }
            ReadRecordResult::InputEmpty => {}
            ReadRecordResult::End => break,
        }
        if matches!(result, ReadRecordResult::Record) {
            let ended_with_newline = consumed > 0 && bytes[consumed - 1] == b'\n';
            let last_line = if ended_with_newline {
                newlines
            } else {
                newlines + 1
            };
            let inside = output[..out_len].iter().filter(|b| **b == b'\n').count();
            line = last_line.saturating_sub(inside).max(line + 1);
            for pair in fields.chunks_exact(2) {
                let (column, start) = pair[0];
                let end = pair[1].0;
                let text = encoding.decode(&output[start..end]);
                reading.cell(column, text.trim(), line)?;
            }
            reading.end_row(line, true)?;
            fields.clear();
            record_bytes = 0;
            out_len = 0;
            fields_done = 0;
            field_start = 0;
            records += 1;
            if records.is_multiple_of(4096) && cancel.load(Ordering::Relaxed) {
                return Err(ImportError::Cancelled);
            }
        }
    }
    Ok((reading.finish()?, encoding.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], limits: &Limits) -> Result<(Table, &'static str), ImportError> {
        read_csv(bytes, limits, &AtomicBool::new(false))
    }

    fn rows(table: &Table) -> Vec<Vec<(usize, String)>> {
        table
            .rows()
            .map(|r| r.values().map(|(c, v)| (c, v.to_owned())).collect())
            .collect()
    }

    #[test]
    fn windows_1251_and_semicolons_are_recognised() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251
            .encode("ФИО;Дата рождения\nИванов Иван Иванович;01.02.1990\n");
        let (table, encoding) = read(&bytes, &Limits::default()).expect("csv");
        assert_eq!(encoding, "windows-1251");
        assert_eq!(table.headers, vec!["ФИО", "Дата рождения"]);
        assert_eq!(
            rows(&table),
            vec![vec![
                (0, "Иванов Иван Иванович".to_owned()),
                (1, "01.02.1990".to_owned())
            ]]
        );
    }

    #[test]
    fn a_byte_order_mark_and_quoted_commas_are_handled() {
        let (table, encoding) = read(
            "\u{feff}Surname,Given name,Notes\n\"Smith\",John,\"a, b\"\n".as_bytes(),
            &Limits::default(),
        )
        .expect("csv");
        assert_eq!(encoding, "utf-8");
        assert_eq!(table.headers[0], "Surname");
        assert_eq!(table.row(0).expect("row").get(2), "a, b");
        let (tabs, _) = read(b"a\tb\n1\t2\n", &Limits::default()).expect("tsv");
        assert_eq!(tabs.row(0).expect("row").get(1), "2");
    }

    #[test]
    fn lines_count_blank_records_and_the_header_is_the_first_line_with_a_value() {
        let (table, _) = read(b";;\nName;Born\n\nA;1\n;;\nB;2\n", &Limits::default()).expect("csv");
        assert_eq!(table.headers, vec!["Name", "Born"]);
        let lines: Vec<usize> = table.rows().map(|r| r.line()).collect();
        assert_eq!(lines, vec![4, 6]);
    }

    #[test]
    fn each_limit_is_named_when_passed() {
        let small = Limits {
            max_rows: 2,
            max_columns: 3,
            max_cells: 5,
            max_text_bytes: 40,
            max_cell_chars: 10,
            max_line_bytes: 64,
            ..Limits::default()
        };
        let limit = |bytes: &[u8]| match read(bytes, &small) {
            Err(ImportError::TooLarge { limit, .. }) => Some(limit),
            _ => None,
        };
        assert_eq!(limit(b"a;b;c\n1;2;3\n4;5\n"), None);
        assert_eq!(limit(b"a\n1\n2\n3\n"), Some(Limit::Rows));
        assert_eq!(
            limit(b"a;b\n1;2\n;\n;\n"),
            Some(Limit::Rows),
            "lines of empty fields count"
        );
        assert_eq!(limit(b"a;b\n1;2\n\n\n\n\n"), None, "blank lines do not");
        assert_eq!(
            limit(b";\n;\n;\na;b\n"),
            Some(Limit::Rows),
            "before the header too"
        );
        assert_eq!(limit(b"a;b;c;d\n"), Some(Limit::Columns));
        // Empty fields past the last value do not count as columns…
        assert_eq!(limit(b"a;b;;;;\n1;;;;;\n"), None);
        // …but they do count as bytes of the line.
        assert_eq!(limit(&[b';'; 100]), Some(Limit::LineBytes));
        assert_eq!(limit(b"a;b;c\n1;2;3\n4;5;6\n"), Some(Limit::Cells));
        assert_eq!(limit(b"a\n12345678901\n"), Some(Limit::CellChars));
        assert_eq!(
            limit(b"a;b\nxxxxxxxxxx;yyyyyyyyyy\nzzzzzzzzzz;wwwwwwwwww;v\n"),
            Some(Limit::Text)
        );
        let mut quoted = b"a\n\"".to_vec();
        quoted.extend([b'x'; 100]);
        assert_eq!(limit(&quoted), Some(Limit::LineBytes));
    }

    #[test]
    fn utf8_with_a_broken_letter_is_refused_not_read_as_windows_1251() {
        let mut bytes = "Фамилия;Имя\n".as_bytes().to_vec();
        for _ in 0..20 {
            bytes.extend_from_slice("Кузнецов;Дмитрий\n".as_bytes());
        }
        let at = bytes.len() - 5;
        bytes.remove(at);
        assert_eq!(
            read(&bytes, &Limits::default()).err(),
            Some(ImportError::NotText { line: 21 })
        );
    }
}
