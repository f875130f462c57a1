//! The hostile-file corpus: spreadsheets an attacker with a registrar account could
//! upload, generated at test time (no binary blobs in the repository).
//!
//! Zip bombs are written by hand (local headers, central directory, raw deflate) because
//! they must say things a proper zip writer refuses to say, and because a 600 MB sheet is
//! compressed once as a 1 MB chunk whose deflate blocks are repeated: a sync-flushed
//! block that refers only to itself decodes the same wherever it stands.

#![allow(dead_code)] // shared with the benchmark example, which uses part of it

use std::io::Write;

/// What an import of a corpus file must end in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Refused whole, with a message naming this limit (the `limit` code of the problem).
    Refused(&'static str),
    /// The same, for files that take seconds to reach their limit in a debug build: on
    /// a loaded machine the time limit may come first, which is as clear a refusal.
    RefusedOrSlow(&'static str),
    /// Imported: this many households and persons, nothing quarantined.
    Imported { households: u64, persons: u64 },
}

#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// File name as uploaded (its extension may lie).
    pub name: &'static str,
    pub what: &'static str,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

/// Every file of the corpus. The largest is 49 MB, under the web upload limit.
pub fn corpus() -> Vec<CorpusFile> {
    vec![
        CorpusFile {
            name: "sparse.xlsx",
            what: "only A1 and XFD1048576 (a dense range would be 512 GiB)",
            bytes: sparse_xlsx(),
            expect: Expect::Refused("dimensions"),
        },
        CorpusFile {
            name: "tall-bomb.xlsx",
            what: "5,000,000 rows in a few hundred KB",
            bytes: tall_bomb(),
            expect: Expect::Refused("rows"),
        },
        CorpusFile {
            name: "wide-bomb.xlsx",
            what: "one row of 10,000,000 cells without positions",
            bytes: wide_bomb(),
            expect: Expect::Refused("columns"),
        },
        CorpusFile {
            name: "strings-bomb.xlsx",
            what: "600 MB of shared strings declaring 4 billion entries",
            bytes: shared_strings_bomb(),
            expect: Expect::RefusedOrSlow("text"),
        },
        CorpusFile {
            name: "cells-bomb.xlsx",
            what: "150,000 rows × 100 numbers",
            bytes: cells_bomb(),
            expect: Expect::RefusedOrSlow("cells"),
        },
        CorpusFile {
            name: "text-bomb.xlsx",
            what: "150,000 rows × 100 cells of one 54-byte shared string (810 MB of text)",
            bytes: text_bomb(),
            expect: Expect::RefusedOrSlow("text"),
        },
        CorpusFile {
            name: "honest-bomb.xlsx",
            what: "a sheet that says it unpacks to 3.9 GB, and does",
            bytes: honest_bomb(),
            expect: Expect::Refused("unpacked"),
        },
        CorpusFile {
            name: "lying-size.xlsx",
            what: "a sheet whose zip entry declares 1 KB and inflates to 300 MB",
            bytes: lying_size(),
            expect: Expect::Refused("unpacked"),
        },
        CorpusFile {
            name: "billion-laughs.xlsx",
            what: "a sheet with a DTD of nested entities",
            bytes: billion_laughs(),
            expect: Expect::Refused("xml"),
        },
        CorpusFile {
            name: "delimiters.csv",
            what: "49 MB of ';' and no newline",
            bytes: vec![b';'; 49 * 1024 * 1024],
            expect: Expect::Refused("line"),
        },
        CorpusFile {
            name: "delimiter-lines.csv",
            what: "49 MB of ';;;;;;;;;' lines",
            bytes: b";;;;;;;;;\n".repeat(49 * 1024 * 1024 / 10),
            expect: Expect::Refused("rows"),
        },
        CorpusFile {
            name: "long-line.csv",
            what: "a header and one 40 MB line",
            bytes: long_line(),
            expect: Expect::Refused("line"),
        },
        CorpusFile {
            name: "broken-utf8.csv",
            what: "UTF-8 Cyrillic with stray bytes, which read as Windows-1251 would be mojibake",
            bytes: broken_utf8(),
            expect: Expect::Refused("encoding"),
        },
        CorpusFile {
            name: "really-csv.xlsx",
            what: "a CSV file named .xlsx",
            bytes: small_list_csv().into_bytes(),
            expect: Expect::Imported {
                households: 2,
                persons: 3,
            },
        },
        CorpusFile {
            name: "really-xlsx.csv",
            what: "an XLSX file named .csv",
            bytes: small_list_xlsx(),
            expect: Expect::Imported {
                households: 2,
                persons: 3,
            },
        },
        CorpusFile {
            name: "formulas.xlsx",
            what: "full names built by formulas (cached results), a date by DATE()",
            bytes: formulas_xlsx(),
            expect: Expect::Imported {
                households: 2,
                persons: 2,
            },
        },
        CorpusFile {
            name: "merged.xlsx",
            what: "a family number merged down the rows of the family",
            bytes: merged_xlsx(),
            expect: Expect::Imported {
                households: 2,
                persons: 4,
            },
        },
        CorpusFile {
            name: "hidden-sheet.xlsx",
            what: "a hidden first sheet of codes before the visible list",
            bytes: hidden_sheet_xlsx(),
            expect: Expect::Imported {
                households: 3,
                persons: 3,
            },
        },
    ]
}

// ---------------------------------------------------------------------------------------
// Legitimate small lists

fn small_list_csv() -> String {
    "Семья;Фамилия;Имя;Дата рождения;Пол;Страна;Город\n\
     1;Кузнецов;Дмитрий;14.11.1988;м;KZ;Oral\n\
     1;Кузнецова;Ольга;30.05.1990;ж;KZ;Oral\n\
     2;Попов;Андрей;02.03.1979;м;KZ;Oral\n"
        .to_owned()
}

fn small_list_xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let text = small_list_csv();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(';').collect()).collect();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).expect("cell");
        }
    }
    workbook.save_to_buffer().expect("xlsx")
}

fn formulas_xlsx() -> Vec<u8> {
    use rust_xlsxwriter::Formula;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    for (c, h) in [
        "ФИО",
        "Фамилия_",
        "Имя_",
        "Дата рождения",
        "Пол",
        "Страна",
        "Город",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for (r, (surname, given, serial, formula, sex)) in [
        ("Смирнов", "Алексей", 34_760.0, "DATE(1995,3,2)", "м"),
        ("Волкова", "Мария", 27_395.0, "DATE(1975,1,1)", "ж"),
    ]
    .into_iter()
    .enumerate()
    {
        let row = r as u32 + 1;
        sheet.write_string(row, 1, surname).expect("cell");
        sheet.write_string(row, 2, given).expect("cell");
        sheet
            .write_formula(
                row,
                0,
                Formula::new(format!("B{0}&\" \"&C{0}", row + 1))
                    .set_result(format!("{surname} {given}")),
            )
            .expect("formula");
        sheet
            .write_formula_with_format(
                row,
                3,
                Formula::new(formula).set_result(serial.to_string()),
                &date,
            )
            .expect("date formula");
        sheet.write_string(row, 4, sex).expect("cell");
        sheet.write_string(row, 5, "KZ").expect("cell");
        sheet.write_string(row, 6, "Oral").expect("cell");
    }
    workbook.save_to_buffer().expect("xlsx")
}

fn merged_xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    for (c, h) in ["Семья", "ФИО", "Дата рождения", "Страна", "Город"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    let people = [
        ("Кузнецов Дмитрий Сергеевич", "14.11.1988"),
        ("Кузнецова Ольга Викторовна", "30.05.1990"),
        ("Кузнецова Анна Дмитриевна", "02.06.2015"),
        ("Попов Андрей Ильич", "1979"),
    ];
    for (r, (name, born)) in people.iter().enumerate() {
        let row = r as u32 + 1;
        sheet.write_string(row, 1, *name).expect("cell");
        sheet.write_string(row, 2, *born).expect("cell");
    }
    // The family and the place, as clerks keep them: one merged cell per family.
    sheet
        .merge_range(1, 0, 3, 0, "1", &plain)
        .expect("merge family");
    sheet.write_string(4, 0, "2").expect("cell");
    sheet
        .merge_range(1, 3, 4, 3, "KZ", &plain)
        .expect("merge country");
    sheet
        .merge_range(1, 4, 4, 4, "Oral", &plain)
        .expect("merge city");
    workbook.save_to_buffer().expect("xlsx")
}

fn hidden_sheet_xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let codes = workbook.add_worksheet();
    codes.set_name("codes").expect("name");
    codes.write_string(0, 0, "Телефон").expect("cell");
    codes.write_string(1, 0, "+77011234567").expect("cell");
    codes.set_hidden(true);
    let list = workbook.add_worksheet();
    list.set_name("list").expect("name");
    list.set_active(true);
    for (c, h) in ["Фамилия", "Имя", "Дата рождения", "Пол", "Страна", "Город"]
        .iter()
        .enumerate()
    {
        list.write_string(0, c as u16, *h).expect("header");
    }
    for (r, (surname, given, born, sex)) in [
        ("Смирнов", "Алексей", "02.03.1995", "м"),
        ("Волкова", "Мария", "01.01.1975", "ж"),
        ("Попов", "Андрей", "1979", "м"),
    ]
    .into_iter()
    .enumerate()
    {
        let row = r as u32 + 1;
        for (c, v) in [surname, given, born, sex, "KZ", "Oral"].iter().enumerate() {
            list.write_string(row, c as u16, *v).expect("cell");
        }
    }
    workbook.save_to_buffer().expect("xlsx")
}

// ---------------------------------------------------------------------------------------
// Hostile CSV

fn long_line() -> Vec<u8> {
    let mut bytes = b"Surname,Given name,Notes\nSmith,John,".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 40 * 1024 * 1024));
    bytes.push(b'\n');
    bytes
}

fn broken_utf8() -> Vec<u8> {
    let mut text = String::from("Фамилия;Имя;Дата рождения\n");
    for i in 0..200 {
        text.push_str(&format!("Кузнецов{i};Дмитрий;14.11.1988\n"));
    }
    let mut bytes = text.into_bytes();
    // Cut one two-byte letter in half in line 101: a file damaged in transit.
    let at = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(100)
        .map(|(i, _)| i + 1)
        .expect("line");
    bytes.remove(at + 1);
    bytes
}

// ---------------------------------------------------------------------------------------
// Hostile XLSX

/// A zip entry: `data` inflates to `head`, then `chunk` `times` times, then `tail`.
struct Entry {
    name: String,
    head: Vec<u8>,
    chunk: Vec<u8>,
    times: usize,
    tail: Vec<u8>,
    /// The uncompressed size the headers claim, if not the real one.
    declared_size: Option<u32>,
}

impl Entry {
    fn plain(name: &str, text: impl Into<Vec<u8>>) -> Self {
        Entry {
            name: name.to_owned(),
            head: text.into(),
            chunk: Vec::new(),
            times: 0,
            tail: Vec::new(),
            declared_size: None,
        }
    }

    fn repeated(name: &str, head: &str, unit: &str, units: usize, tail: &str) -> Self {
        // About 1 MB of units per compressed chunk.
        let per_chunk = (1024 * 1024 / unit.len()).max(1).min(units.max(1));
        let chunk = unit.repeat(per_chunk);
        let times = units / per_chunk;
        let rest = units - times * per_chunk;
        let mut tail_bytes = unit.repeat(rest).into_bytes();
        tail_bytes.extend_from_slice(tail.as_bytes());
        Entry {
            name: name.to_owned(),
            head: head.as_bytes().to_vec(),
            chunk: chunk.into_bytes(),
            times,
            tail: tail_bytes,
            declared_size: None,
        }
    }
}

/// Raw deflate of `data` ending in a sync flush, so it can be followed by more blocks.
fn deflate_block(data: &[u8]) -> Vec<u8> {
    let mut compress = flate2::Compress::new(flate2::Compression::best(), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 1024);
    let mut consumed = 0;
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(out.capacity());
        }
        let before = compress.total_in();
        compress
            .compress_vec(&data[consumed..], &mut out, flate2::FlushCompress::Sync)
            .expect("deflate");
        consumed += (compress.total_in() - before) as usize;
        if consumed == data.len() && out.capacity() - out.len() >= 1024 {
            // One more call with room to spare makes sure the flush completed.
            let len = out.len();
            compress
                .compress_vec(&[], &mut out, flate2::FlushCompress::Sync)
                .expect("deflate");
            if out.len() == len {
                break;
            }
        }
    }
    out
}

fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let mut data = deflate_block(&entry.head);
        let mut crc = crc32fast::Hasher::new();
        crc.update(&entry.head);
        if entry.times > 0 {
            let block = deflate_block(&entry.chunk);
            let mut chunk_crc = crc32fast::Hasher::new();
            chunk_crc.update(&entry.chunk);
            for _ in 0..entry.times {
                data.extend_from_slice(&block);
                crc.combine(&chunk_crc);
            }
        }
        data.extend(deflate_block(&entry.tail));
        crc.update(&entry.tail);
        // The final, empty block.
        data.extend_from_slice(&[0x03, 0x00]);
        let real = entry.head.len() + entry.chunk.len() * entry.times + entry.tail.len();
        let size = entry
            .declared_size
            .unwrap_or_else(|| u32::try_from(real).expect("under 4 GiB"));
        let crc = crc.finalize();
        let offset = u32::try_from(out.len()).expect("offset");
        let name = entry.name.as_bytes();
        let compressed = u32::try_from(data.len()).expect("compressed size");
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0x21u16.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&compressed.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&data);
        // Central directory header.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&8u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0x21u16.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&compressed.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let central_offset = u32::try_from(out.len()).expect("offset");
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// A workbook of one sheet (given as entry, so it may be a bomb) and shared strings.
fn workbook(sheet: Entry, shared_strings: Entry) -> Vec<u8> {
    zip(&[
        Entry::plain("[Content_Types].xml", CONTENT_TYPES),
        Entry::plain("_rels/.rels", ROOT_RELS),
        Entry::plain("xl/workbook.xml", WORKBOOK),
        Entry::plain("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        sheet,
        shared_strings,
    ])
}

fn strings(values: &[&str]) -> Entry {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
        values.len()
    );
    for v in values {
        xml.push_str(&format!("<si><t>{v}</t></si>"));
    }
    xml.push_str("</sst>");
    Entry::plain("xl/sharedStrings.xml", xml)
}

fn sparse_xlsx() -> Vec<u8> {
    let sheet = format!(
        r#"{SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576" t="s"><v>1</v></c></row></sheetData></worksheet>"#
    );
    workbook(
        Entry::plain("xl/worksheets/sheet1.xml", sheet),
        strings(&["Фамилия", "x"]),
    )
}

fn tall_bomb() -> Vec<u8> {
    workbook(
        Entry::repeated(
            "xl/worksheets/sheet1.xml",
            &format!(r#"{SHEET_HEAD}<sheetData><row><c t="s"><v>0</v></c></row>"#),
            r#"<row><c t="s"><v>1</v></c></row>"#,
            5_000_000,
            "</sheetData></worksheet>",
        ),
        strings(&["Фамилия", "Иванов"]),
    )
}

fn wide_bomb() -> Vec<u8> {
    workbook(
        Entry::repeated(
            "xl/worksheets/sheet1.xml",
            &format!(r#"{SHEET_HEAD}<sheetData><row>"#),
            r#"<c t="s"><v>0</v></c>"#,
            10_000_000,
            "</row></sheetData></worksheet>",
        ),
        strings(&["Фамилия"]),
    )
}

fn shared_strings_bomb() -> Vec<u8> {
    let unit = format!("<si><t>{}</t></si>", "Ж".repeat(15_000));
    let sheet = format!(
        r#"{SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#
    );
    workbook(
        Entry::plain("xl/worksheets/sheet1.xml", sheet),
        Entry::repeated(
            "xl/sharedStrings.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4294967295" uniqueCount="4294967295"><si><t>Фамилия</t></si>"#,
            &unit,
            20_000,
            "</sst>",
        ),
    )
}

/// A sheet of 150,000 rows of 100 `cell`s each, under a header of the shared strings
/// 0 ("Фамилия") and, 99 times, `filler`.
fn wide_sheet(filler: u32, cell: &str) -> Entry {
    let row = format!("<row>{}</row>", cell.repeat(100));
    let header = format!(
        "<row>{}{}</row>",
        r#"<c t="s"><v>0</v></c>"#,
        format!(r#"<c t="s"><v>{filler}</v></c>"#).repeat(99)
    );
    Entry::repeated(
        "xl/worksheets/sheet1.xml",
        &format!("{SHEET_HEAD}<sheetData>{header}"),
        &row,
        150_000,
        "</sheetData></worksheet>",
    )
}

fn cells_bomb() -> Vec<u8> {
    workbook(
        wide_sheet(1, "<c><v>7</v></c>"),
        strings(&["Фамилия", "Прочее"]),
    )
}

fn honest_bomb() -> Vec<u8> {
    workbook(
        Entry::repeated(
            "xl/worksheets/sheet1.xml",
            &format!(r#"{SHEET_HEAD}<sheetData><row><c t="s"><v>0</v></c></row>"#),
            "<row/>",
            650_000_000,
            "</sheetData></worksheet>",
        ),
        strings(&["Фамилия"]),
    )
}

fn text_bomb() -> Vec<u8> {
    workbook(
        wide_sheet(2, r#"<c t="s"><v>1</v></c>"#),
        strings(&["Фамилия", "ИвановаИвановаИвановаИванов", "Прочее"]),
    )
}

fn lying_size() -> Vec<u8> {
    // Every row is empty, so no row limit ends the read: only the unpacked size does.
    let mut sheet = Entry::repeated(
        "xl/worksheets/sheet1.xml",
        &format!(r#"{SHEET_HEAD}<sheetData><row><c t="s"><v>0</v></c></row>"#),
        "<row/>",
        300 * 1024 * 1024 / 6,
        "</sheetData></worksheet>",
    );
    sheet.declared_size = Some(1024);
    workbook(sheet, strings(&["Фамилия"]))
}

fn billion_laughs() -> Vec<u8> {
    let mut dtd = String::from(r#"<!DOCTYPE worksheet [<!ENTITY lol "lol">"#);
    dtd.push_str(r#"<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">"#);
    for i in 2..10 {
        let p = i - 1;
        dtd.push_str(&format!(
            r#"<!ENTITY lol{i} "&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};">"#
        ));
    }
    dtd.push(']');
    dtd.push('>');
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>{dtd}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Фамилия</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"#
    );
    workbook(
        Entry::plain("xl/worksheets/sheet1.xml", sheet),
        strings(&["Фамилия"]),
    )
}

/// Writes every corpus file into `dir` (for the benchmark and for looking at them).
pub fn write_all(dir: &std::path::Path) -> Vec<(CorpusFile, std::path::PathBuf)> {
    corpus()
        .into_iter()
        .map(|file| {
            let path = dir.join(file.name);
            let mut out = std::fs::File::create(&path).expect("create");
            out.write_all(&file.bytes).expect("write");
            (file, path)
        })
        .collect()
}
