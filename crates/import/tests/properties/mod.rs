//! Property tests of everything that takes outside bytes: the CSV and XLSX readers and
//! the header and row mapping. No input may panic them; what a spreadsheet program
//! writes must read back cell for cell; what they keep stays within the limits.
//! Case counts are fixed so that CI time is bounded.

use std::sync::atomic::AtomicBool;

use proptest::prelude::*;
use shanyrak_import::{
    Grouping, ImportError, Limits, Table, detect_mapping, read_any, read_csv, read_xlsx,
};

const CASES: u32 = 96;

fn never() -> AtomicBool {
    AtomicBool::new(false)
}

/// Letters a header is made of (a sniffed delimiter needs headers without the others).
fn header_cell() -> impl Strategy<Value = String> {
    "[A-Za-zА-Яа-яЁё]{1,12}"
}

/// Any text a cell of a real list may hold in Windows-1251: Russian letters, digits,
/// punctuation, every delimiter, quotes and line breaks inside; no space at either end
/// (cells are read trimmed).
fn cell_1251() -> BoxedStrategy<String> {
    "([A-Za-zА-Яа-яЁё0-9№.,;|\"'()+/-]([A-Za-zА-Яа-яЁё0-9№ .,;|\t\"'()+/\n-]{0,20}[A-Za-zА-Яа-яЁё0-9№.,;|\"'()+/-])?)?"
        .boxed()
}

/// The same, with Kazakh and Kyrgyz letters and any other Unicode, for UTF-8.
fn cell_utf8() -> BoxedStrategy<String> {
    prop_oneof![
        3 => cell_1251(),
        1 => "[ӘәҒғҚқҢңӨөҰұҮүҺһІіЁё\\u{1F600}a-z]{1,10}",
        1 => any::<String>().prop_map(|s| s.trim().to_owned()),
    ]
    .boxed()
}

#[derive(Debug, Clone, Copy)]
enum Written {
    Utf8,
    Utf8WithBom,
    Windows1251,
}

fn table_strategy(
    cell: BoxedStrategy<String>,
) -> impl Strategy<Value = (Vec<String>, Vec<Vec<String>>)> {
    (2usize..7).prop_flat_map(move |columns| {
        (
            proptest::collection::vec(header_cell(), columns),
            proptest::collection::vec(proptest::collection::vec(cell.clone(), columns), 0..25),
        )
    })
}

fn write_csv(headers: &[String], rows: &[Vec<String>], delimiter: u8) -> String {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    writer.write_record(headers).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// The rows a reader should give back: blank rows dropped, the first header cell
/// always Cyrillic so that Windows-1251 is told from UTF-8.
fn expected(rows: &[Vec<String>]) -> Vec<Vec<(usize, String)>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .filter(|(_, c)| !c.trim().is_empty())
                .map(|(i, c)| (i, c.trim().to_owned()))
                .collect::<Vec<_>>()
        })
        .filter(|row| !row.is_empty())
        .collect()
}

fn cells(table: &Table) -> Vec<Vec<(usize, String)>> {
    table
        .rows()
        .map(|r| r.values().map(|(c, v)| (c, v.to_owned())).collect())
        .collect()
}

fn check_within(table: &Table, limits: &Limits) {
    assert!(table.len() <= limits.max_rows);
    assert!(table.cell_count() <= limits.max_cells);
    assert!(table.text_bytes() <= limits.max_text_bytes);
    for row in table.rows() {
        for (column, value) in row.values() {
            assert!(column < limits.max_columns);
            assert!(value.chars().count() <= limits.max_cell_chars);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn csv_written_in_either_encoding_and_any_delimiter_reads_back_the_same_cells(
        (mut headers, rows) in table_strategy(cell_1251()),
        delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
        written in prop::sample::select(vec![Written::Utf8, Written::Utf8WithBom, Written::Windows1251]),
    ) {
        headers[0] = format!("Фамилия{}", headers[0]);
        let text = write_csv(&headers, &rows, delimiter);
        let bytes = match written {
            Written::Utf8 => text.into_bytes(),
            Written::Utf8WithBom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
            Written::Windows1251 => {
                let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&text);
                prop_assert!(!unmappable);
                bytes.into_owned()
            }
        };
        let (table, encoding) = read_csv(&bytes, &Limits::default(), &never()).unwrap();
        prop_assert_eq!(encoding, match written {
            Written::Windows1251 => "windows-1251",
            _ => "utf-8",
        });
        prop_assert_eq!(&table.headers, &headers);
        prop_assert_eq!(cells(&table), expected(&rows));
    }

    #[test]
    fn csv_with_any_unicode_reads_back_in_utf8(
        (headers, rows) in table_strategy(cell_utf8()),
        delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
    ) {
        let text = write_csv(&headers, &rows, delimiter);
        let (table, _) = read_csv(text.as_bytes(), &Limits::default(), &never()).unwrap();
        prop_assert_eq!(&table.headers, &headers);
        prop_assert_eq!(cells(&table), expected(&rows));
    }

    #[test]
    fn xlsx_written_by_a_spreadsheet_writer_reads_back_the_same_cells(
        (headers, rows) in table_strategy(cell_utf8()),
        numbers in proptest::collection::vec(-1_000_000_000i64..1_000_000_000, 0..25),
    ) {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        let mut expected_rows = rows.clone();
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if !value.is_empty() {
                    sheet.write_string(r as u32 + 1, c as u16, value).unwrap();
                }
            }
            if let Some(n) = numbers.get(r) {
                sheet.write_number(r as u32 + 1, headers.len() as u16, *n as f64).unwrap();
                expected_rows[r].push(n.to_string());
            }
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let table = read_xlsx(&bytes, &Limits::default(), &never()).unwrap();
        prop_assert_eq!(&table.headers, &headers);
        // Excel's rows are lines: line numbers are the sheet's own.
        let lines: Vec<usize> = table.rows().map(|r| r.line()).collect();
        let expected_lines: Vec<usize> = expected_rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()))
            .map(|(i, _)| i + 2)
            .collect();
        prop_assert_eq!(lines, expected_lines);
        prop_assert_eq!(cells(&table), expected(&expected_rows));
    }

    #[test]
    fn no_bytes_panic_the_readers_and_what_they_keep_is_within_the_limits(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        max_rows in 1usize..20,
        max_columns in 1usize..8,
        max_cells in 1usize..50,
        max_text_bytes in 1usize..400,
        max_cell_chars in 1usize..40,
        max_line_bytes in 1usize..200,
    ) {
        let limits = Limits {
            max_rows, max_columns, max_cells, max_text_bytes, max_cell_chars, max_line_bytes,
            ..Limits::default()
        };
        if let Ok((table, _)) = read_csv(&bytes, &limits, &never()) {
            check_within(&table, &limits);
        }
        let _ = read_any(&bytes, &limits, &never());
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend_from_slice(&bytes);
        let _ = read_any(&zipped, &limits, &never());
    }

    #[test]
    fn damaged_workbooks_are_refused_not_panicked_on(
        (headers, rows) in table_strategy(cell_1251()),
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, value).unwrap();
            }
        }
        let mut bytes = workbook.save_to_buffer().unwrap();
        for (at, value) in damage {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let limits = Limits { max_rows: 10, max_cells: 30, ..Limits::default() };
        if let Ok(table) = read_xlsx(&bytes, &limits, &never()) {
            check_within(&table, &limits);
        }
    }

    #[test]
    fn any_headers_map_and_every_row_lands_in_exactly_one_household(
        headers in proptest::collection::vec(
            prop_oneof![
                prop::sample::select(vec![
                    "Семья", "ФИО", "Фамилия", "Имя", "Аты", "Тегі", "Дата рождения", "ИИН",
                    "Паспорт", "Пол", "Родство", "Город", "household", "",
                ]).prop_map(str::to_owned),
                any::<String>(),
            ],
            1..10,
        ),
        rows in proptest::collection::vec(proptest::collection::vec(
            prop_oneof![
                prop::sample::select(vec!["1", "2", "", "Иванов Иван Иванович", "м", "ж", "жена", "01.02.1990", "44562", "900101350123"]).prop_map(str::to_owned),
                any::<String>(),
            ], 0..10), 0..30),
    ) {
        let table = Table::from_rows(headers.clone(), rows);
        let mapping = detect_mapping(&table.headers);
        // Each column maps to at most one field, each field to at most one column.
        let mut fields: Vec<_> = mapping.columns.values().collect();
        fields.sort();
        fields.dedup();
        prop_assert_eq!(fields.len(), mapping.columns.len());
        match Grouping::new(&table, &mapping) {
            Err(e) => prop_assert_eq!(e, ImportError::NoNameColumn),
            Ok(grouping) => {
                let mut lines: Vec<usize> = (0..grouping.len())
                    .flat_map(|i| grouping.household(&table, &mapping, i).unwrap().lines)
                    .collect();
                lines.sort_unstable();
                let all: Vec<usize> = table.rows().map(|r| r.line()).collect();
                prop_assert_eq!(lines, all);
                for i in 0..grouping.len() {
                    let household = grouping.household(&table, &mapping, i).unwrap();
                    let members = household.document["members"].as_array().map_or(0, Vec::len);
                    prop_assert_eq!(members, household.lines.len());
                    // A validation pointer always leads back to one of the household's lines.
                    prop_assert!(household.lines.contains(&household.line_of("#/members/0/surname")));
                    prop_assert!(household.lines.contains(&household.line_of("#/location/city")));
                    prop_assert!(household.lines.contains(&household.line_of("#/members/999/x")));
                }
            }
        }
    }
}
