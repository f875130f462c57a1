//! XLSX, read as a stream: the zip directory is checked before it is opened, each part's
//! declared size before it is unpacked, its real size while it is, and the first visible
//! sheet goes through `quick-xml` one event at a time into the table. Nothing is sized
//! from what the file declares (`<dimension>`, `uniqueCount`), a document type
//! definition refuses the file (no entity is ever expanded), and no single XML event may
//! grow past what one cell can hold.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, Cursor, Read};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::{Reading, excel_serial_date};
use crate::ImportError;
use crate::limits::{Limit, Limits};
use crate::table::Table;

type Zip<'b> = ZipArchive<Cursor<&'b [u8]>>;

fn not_a_workbook() -> ImportError {
    ImportError::Unreadable("not an XLSX workbook".into())
}

fn damaged(part: &str) -> ImportError {
    ImportError::Unreadable(format!("the workbook is damaged ({part})"))
}

fn too_large(limit: Limit, limits: &Limits) -> ImportError {
    ImportError::TooLarge {
        limit,
        max: limit.of(limits),
        line: None,
    }
}

/// Reads the first visible worksheet of an XLSX file. Dates come out as ISO 8601; whole
/// numbers without a decimal point; formulas as their last computed value; a merged area
/// below the header as its top-left value in every cell.
pub fn read_xlsx(bytes: &[u8], limits: &Limits, cancel: &AtomicBool) -> Result<Table, ImportError> {
    check_directory(bytes, limits)?;
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_a_workbook())?;
    if zip.len() > limits.max_parts {
        return Err(too_large(Limit::Parts, limits));
    }
    let mut budget = limits.max_unpacked_bytes;
    let workbook_path = relationships(&mut zip, "_rels/.rels", "", &mut budget, limits)?
        .into_iter()
        .find(|r| r.kind.ends_with("/officeDocument"))
        .map(|r| r.target)
        .unwrap_or_else(|| "xl/workbook.xml".to_owned());
    let base = workbook_path
        .rsplit_once('/')
        .map_or(String::new(), |(dir, _)| format!("{dir}/"));
    let file_name = workbook_path.rsplit('/').next().unwrap_or("workbook.xml");
    let rels = relationships(
        &mut zip,
        &format!("{base}_rels/{file_name}.rels"),
        &base,
        &mut budget,
        limits,
    )?;
    let book = workbook(&mut zip, &workbook_path, &mut budget, limits)?;
    let sheet = book
        .sheets
        .iter()
        .find(|s| s.visible)
        .or_else(|| book.sheets.first())
        .ok_or(ImportError::Empty)?;
    let sheet_path = rels
        .iter()
        .find(|r| r.id == sheet.relationship)
        .map(|r| r.target.clone())
        .ok_or_else(|| damaged("the sheet's part is missing"))?;
    let part_of = |kind: &str, default: &str| {
        rels.iter()
            .find(|r| r.kind.ends_with(kind))
            .map_or_else(|| format!("{base}{default}"), |r| r.target.clone())
    };
    let styles_path = part_of("/styles", "styles.xml");
    let strings_path = part_of("/sharedStrings", "sharedStrings.xml");
    let date_styles = date_styles(&mut zip, &styles_path, &mut budget, limits)?;
    let mut reading = Reading::new(limits);
    let strings = shared_strings(&mut zip, &strings_path, &mut budget, &mut reading, cancel)?;
    let context = SheetContext {
        strings: &strings,
        date_styles: &date_styles,
        date1904: book.date1904,
    };
    worksheet(
        &mut zip,
        &sheet_path,
        &mut budget,
        reading,
        &context,
        cancel,
    )
}

/// Reads the end of the zip's central directory and refuses an archive with more parts
/// than the limit before the zip reader builds its index of them.
fn check_directory(bytes: &[u8], limits: &Limits) -> Result<(), ImportError> {
    const END: &[u8] = b"PK\x05\x06";
    let window = bytes.len().saturating_sub(22 + 65_535);
    let at = (window..bytes.len().saturating_sub(21))
        .rev()
        .find(|i| bytes[*i..].starts_with(END))
        .ok_or_else(not_a_workbook)?;
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let mut entries = u64::from(u16_at(at + 10));
    let mut directory = u64::from(u32_at(at + 12));
    // A zip64 archive keeps the real figures in its own record, found through a locator
    // just before this one.
    if (entries == 0xFFFF || directory == 0xFFFF_FFFF)
        && at >= 20
        && bytes[at - 20..].starts_with(b"PK\x06\x07")
    {
        let offset = u64::from_le_bytes(
            bytes[at - 12..at - 4]
                .try_into()
                .map_err(|_| not_a_workbook())?,
        );
        let record = usize::try_from(offset).map_err(|_| not_a_workbook())?;
        let field = |i: usize| {
            bytes
                .get(record + i..record + i + 8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_le_bytes)
                .ok_or_else(not_a_workbook)
        };
        if !bytes
            .get(record..)
            .is_some_and(|b| b.starts_with(b"PK\x06\x06"))
        {
            return Err(not_a_workbook());
        }
        entries = field(32)?;
        directory = field(40)?;
    }
    // A directory entry is 46 bytes and a name; a kilobyte each is generous.
    let max_parts = u64::try_from(limits.max_parts).unwrap_or(u64::MAX);
    if entries > max_parts || directory > max_parts.saturating_mul(1024) {
        return Err(too_large(Limit::Parts, limits));
    }
    Ok(())
}

/// A zip entry's bytes as a `BufRead` that stops at the unpacked-size budget and at the
/// longest XML event a cell may need.
struct Metered<R> {
    inner: R,
    buffer: Box<[u8]>,
    position: usize,
    filled: usize,
    /// Bytes this part may still yield: what it declared, at most what the budget has.
    allowed: u64,
    yielded: u64,
    since_event: usize,
    max_event: usize,
    /// The limit that stopped the read, or whether the data was damaged.
    stopped: Option<Limit>,
    damaged: bool,
}

impl<R: Read> Metered<R> {
    fn new(inner: R, allowed: u64, max_event: usize) -> Self {
        Metered {
            inner,
            buffer: vec![0; 64 * 1024].into_boxed_slice(),
            position: 0,
            filled: 0,
            allowed,
            yielded: 0,
            since_event: 0,
            max_event,
            stopped: None,
            damaged: false,
        }
    }

    fn stop(&mut self, limit: Limit) -> std::io::Error {
        self.stopped = Some(limit);
        std::io::Error::other(limit.code())
    }
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Metered<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.position == self.filled {
            if self.since_event > self.max_event {
                return Err(self.stop(Limit::CellChars));
            }
            let n = match self.inner.read(&mut self.buffer) {
                Ok(n) => n,
                // The zip reader checks each part against the size it declared.
                Err(e) if e.to_string().contains("declared") => {
                    return Err(self.stop(Limit::Unpacked));
                }
                Err(e) => {
                    self.damaged = true;
                    return Err(e);
                }
            };
            self.yielded += n as u64;
            if self.yielded > self.allowed {
                return Err(self.stop(Limit::Unpacked));
            }
            self.position = 0;
            self.filled = n;
        }
        Ok(&self.buffer[self.position..self.filled])
    }

    fn consume(&mut self, amount: usize) {
        self.position = (self.position + amount).min(self.filled);
        self.since_event += amount;
    }
}

type Xml<'z, 'b> = quick_xml::Reader<Metered<zip::read::ZipFile<'z, Cursor<&'b [u8]>>>>;

/// One part of the workbook, read as XML events.
struct Part<'z, 'b> {
    name: String,
    xml: Xml<'z, 'b>,
    buffer: Vec<u8>,
    limits: Limits,
    events: usize,
}

impl<'z, 'b> Part<'z, 'b> {
    /// Opens a part if the workbook has it; its declared size must fit the budget.
    fn open(
        zip: &'z mut Zip<'b>,
        path: &str,
        budget: &u64,
        limits: &Limits,
    ) -> Result<Option<Part<'z, 'b>>, ImportError> {
        let path = path.trim_start_matches('/');
        let index = match zip.index_for_name(path) {
            Some(i) => i,
            None => match (0..zip.len()).find(|i| {
                zip.name_for_index(*i)
                    .is_some_and(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(path)))
            }) {
                Some(i) => i,
                None => return Ok(None),
            },
        };
        let file = zip.by_index(index).map_err(|_| damaged(path))?;
        if file.size() > *budget {
            return Err(too_large(Limit::Unpacked, limits));
        }
        let allowed = file.size();
        // The longest event a cell needs: its characters, each up to four bytes and
        // escaped (`&amp;` is five), plus the markup around them.
        let max_event = limits
            .max_cell_chars
            .saturating_mul(4)
            .saturating_add(64 * 1024);
        let mut xml = quick_xml::Reader::from_reader(Metered::new(file, allowed, max_event));
        // No stack of open element names: a file of nested elements would grow it.
        xml.config_mut().check_end_names = false;
        Ok(Some(Part {
            name: path.to_owned(),
            xml,
            buffer: Vec::new(),
            limits: *limits,
            events: 0,
        }))
    }

    fn next(&mut self, cancel: Option<&AtomicBool>) -> Result<Event<'_>, ImportError> {
        self.buffer.clear();
        self.xml.get_mut().since_event = 0;
        self.events += 1;
        if self.events.is_multiple_of(4096) && cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(ImportError::Cancelled);
        }
        match self.xml.read_event_into(&mut self.buffer) {
            Ok(Event::DocType(_)) => Err(ImportError::Xml("a document type definition (DTD)")),
            Ok(event) => Ok(event),
            Err(_) => {
                let metered = self.xml.get_ref();
                Err(match metered.stopped {
                    Some(limit) => too_large(limit, &self.limits),
                    None => damaged(&self.name),
                })
            }
        }
    }

    /// Bytes this part unpacked to.
    fn unpacked(&self) -> u64 {
        self.xml.get_ref().yielded
    }
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The values of the named attributes (local names) of an element, in the order asked.
fn attributes<const N: usize>(
    element: &BytesStart<'_>,
    names: [&str; N],
) -> Result<[Option<String>; N], ImportError> {
    let mut found: [Option<String>; N] = std::array::from_fn(|_| None);
    let mut all = element.attributes();
    // Duplicates are not looked for: that check is quadratic in the attributes.
    all.with_checks(false);
    for attribute in all {
        let attribute = attribute.map_err(|_| ImportError::Unreadable("damaged XML".into()))?;
        let key = local(attribute.key.as_ref());
        if let Some(i) = names.iter().position(|n| *n == key) {
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|_| ImportError::Xml("an entity reference"))?;
            found[i] = Some(value.into_owned());
        }
    }
    Ok(found)
}

/// The text an entity reference stands for: a character or one of XML's five.
fn reference(name: &str) -> Result<Cow<'static, str>, ImportError> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        return code
            .and_then(char::from_u32)
            .map(|c| Cow::Owned(c.to_string()))
            .ok_or(ImportError::Xml("an invalid character reference"));
    }
    quick_xml::escape::resolve_predefined_entity(name)
        .map(Cow::Borrowed)
        .ok_or(ImportError::Xml("an entity reference"))
}

/// Undoes OOXML's escape of characters XML cannot hold (`_x0001_`; `_x005F_` is `_`).
fn unescape_ooxml(text: &str) -> Cow<'_, str> {
    if !text.contains("_x") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        let decoded = candidate
            .get(2..6)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .filter(|_| candidate.as_bytes().get(6) == Some(&b'_'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &candidate[7..];
            }
            None => {
                out.push_str("_x");
                rest = &candidate[2..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn is_tag(event: &BytesStart<'_>, name: &str) -> bool {
    local(event.name().as_ref()) == name
}

#[derive(Debug)]
struct Relationship {
    id: String,
    kind: String,
    target: String,
}

/// Resolves a relationship target against the folder of the part that names it.
fn resolve(base: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("{base}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn relationships(
    zip: &mut Zip<'_>,
    path: &str,
    base: &str,
    budget: &mut u64,
    limits: &Limits,
) -> Result<Vec<Relationship>, ImportError> {
    let Some(mut part) = Part::open(zip, path, budget, limits)? else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    loop {
        match part.next(None)? {
            Event::Start(e) | Event::Empty(e) if is_tag(&e, "Relationship") => {
                let [id, kind, target, mode] =
                    attributes(&e, ["Id", "Type", "Target", "TargetMode"])?;
                if found.len() >= limits.max_parts {
                    return Err(too_large(Limit::Parts, limits));
                }
                if mode.as_deref() != Some("External")
                    && let (Some(id), Some(kind), Some(target)) = (id, kind, target)
                {
                    found.push(Relationship {
                        id,
                        kind,
                        target: resolve(base, &target),
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    *budget -= part.unpacked();
    Ok(found)
}

#[derive(Debug)]
struct Sheet {
    relationship: String,
    visible: bool,
}

#[derive(Debug)]
struct Workbook {
    sheets: Vec<Sheet>,
    date1904: bool,
}

fn workbook(
    zip: &mut Zip<'_>,
    path: &str,
    budget: &mut u64,
    limits: &Limits,
) -> Result<Workbook, ImportError> {
    let mut part = Part::open(zip, path, budget, limits)?.ok_or_else(not_a_workbook)?;
    let mut book = Workbook {
        sheets: Vec::new(),
        date1904: false,
    };
    loop {
        match part.next(None)? {
            Event::Start(e) | Event::Empty(e) if is_tag(&e, "workbookPr") => {
                let [date1904] = attributes(&e, ["date1904"])?;
                book.date1904 = matches!(date1904.as_deref(), Some("1" | "true"));
            }
            Event::Start(e) | Event::Empty(e) if is_tag(&e, "sheet") => {
                let [id, state] = attributes(&e, ["id", "state"])?;
                if book.sheets.len() >= limits.max_parts {
                    return Err(too_large(Limit::Parts, limits));
                }
                if let Some(relationship) = id {
                    book.sheets.push(Sheet {
                        relationship,
                        visible: !matches!(state.as_deref(), Some("hidden" | "veryHidden")),
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    *budget -= part.unpacked();
    Ok(book)
}

/// Whether a number format shows a date: Excel's built-in date formats, or a custom
/// code with a day or a year in it (outside quotes, escapes and brackets).
fn is_date_format(id: u32, code: Option<&str>) -> bool {
    if let Some(code) = code {
        let mut plain = String::new();
        let mut chars = code.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    for q in chars.by_ref() {
                        if q == '"' {
                            break;
                        }
                    }
                }
                '[' => {
                    for q in chars.by_ref() {
                        if q == ']' {
                            break;
                        }
                    }
                }
                '\\' | '_' | '*' => {
                    chars.next();
                }
                c => plain.push(c.to_ascii_lowercase()),
            }
        }
        return plain.contains('d') || plain.contains('y');
    }
    matches!(id, 14..=17 | 22 | 27..=36 | 50..=58)
}

/// Which cell styles (`s` attribute) show dates.
fn date_styles(
    zip: &mut Zip<'_>,
    path: &str,
    budget: &mut u64,
    limits: &Limits,
) -> Result<Vec<bool>, ImportError> {
    const MAX_STYLES: usize = 65_536;
    let Some(mut part) = Part::open(zip, path, budget, limits)? else {
        return Ok(Vec::new());
    };
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut styles = Vec::new();
    let mut in_cell_formats = false;
    loop {
        match part.next(None)? {
            Event::Start(e) | Event::Empty(e) if is_tag(&e, "numFmt") => {
                let [id, code] = attributes(&e, ["numFmtId", "formatCode"])?;
                if let Some(id) = id.and_then(|i| i.parse::<u32>().ok())
                    && custom.len() < MAX_STYLES
                {
                    custom.insert(id, is_date_format(id, Some(code.as_deref().unwrap_or(""))));
                }
            }
            Event::Start(e) if is_tag(&e, "cellXfs") => in_cell_formats = true,
            Event::End(e) if local(e.name().as_ref()) == "cellXfs" => in_cell_formats = false,
            Event::Start(e) | Event::Empty(e) if in_cell_formats && is_tag(&e, "xf") => {
                let [id] = attributes(&e, ["numFmtId"])?;
                let id = id.and_then(|i| i.parse::<u32>().ok()).unwrap_or(0);
                if styles.len() < MAX_STYLES {
                    styles.push(
                        custom
                            .get(&id)
                            .copied()
                            .unwrap_or_else(|| is_date_format(id, None)),
                    );
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    *budget -= part.unpacked();
    Ok(styles)
}

/// The shared strings, one text with their ends; they count in the text budget.
#[derive(Debug, Default)]
struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = index.checked_sub(1).map_or(0, |i| self.ends[i] as usize);
        self.text.get(start..end)
    }
}

fn shared_strings(
    zip: &mut Zip<'_>,
    path: &str,
    budget: &mut u64,
    reading: &mut Reading<'_>,
    cancel: &AtomicBool,
) -> Result<Strings, ImportError> {
    let limits = *reading.limits();
    let Some(mut part) = Part::open(zip, path, budget, &limits)? else {
        return Ok(Strings::default());
    };
    let mut strings = Strings::default();
    let (mut in_item, mut in_text, mut phonetic) = (false, false, 0usize);
    loop {
        let event = part.next(Some(cancel))?;
        let added = match event {
            Event::Start(e) if is_tag(&e, "si") => {
                in_item = true;
                None
            }
            Event::Start(e) if in_item && is_tag(&e, "rPh") => {
                phonetic += 1;
                None
            }
            Event::End(e) if in_item && local(e.name().as_ref()) == "rPh" => {
                phonetic = phonetic.saturating_sub(1);
                None
            }
            Event::Start(e) if in_item && phonetic == 0 && is_tag(&e, "t") => {
                in_text = true;
                None
            }
            Event::End(e) if local(e.name().as_ref()) == "t" => {
                in_text = false;
                None
            }
            Event::Empty(e) if is_tag(&e, "si") => {
                strings
                    .ends
                    .push(u32::try_from(strings.text.len()).unwrap_or(u32::MAX));
                None
            }
            Event::End(e) if local(e.name().as_ref()) == "si" => {
                in_item = false;
                if strings.ends.len() >= limits.max_cells {
                    return Err(too_large(Limit::Cells, &limits));
                }
                strings
                    .ends
                    .push(u32::try_from(strings.text.len()).unwrap_or(u32::MAX));
                None
            }
            Event::Text(t) if in_text => Some(Cow::Owned(t.xml10_content().into_owned())),
            Event::CData(t) if in_text => Some(Cow::Owned(t.xml10_content().into_owned())),
            Event::GeneralRef(r) => {
                let text = reference(&r)?;
                in_text.then_some(text)
            }
            Event::Eof => break,
            _ => None,
        };
        if let Some(text) = added {
            if strings.text.len() + text.len() > limits.max_text_bytes {
                return Err(too_large(Limit::Text, &limits));
            }
            strings.text.push_str(&text);
        }
    }
    *budget -= part.unpacked();
    reading.held_elsewhere = strings.text.len();
    Ok(strings)
}

struct SheetContext<'s> {
    strings: &'s Strings,
    date_styles: &'s [bool],
    date1904: bool,
}

/// A cell reference (`B7`, `XFD1048576`) as a 0-based column and a 1-based row;
/// absurd ones saturate, so they fall past every limit.
fn cell_reference(reference: &str) -> (Option<u64>, Option<u64>) {
    let letters: String = reference
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    let digits = &reference[letters.len()..];
    let column = (!letters.is_empty()).then(|| {
        letters
            .bytes()
            .fold(0u64, |n, b| {
                n.saturating_mul(26)
                    .saturating_add(u64::from(b.to_ascii_uppercase() - b'A' + 1))
            })
            .saturating_sub(1)
    });
    let row = digits.parse::<u64>().ok();
    (column, row)
}

/// A merged area `A2:B5` as end-exclusive lines and columns.
fn area(reference: &str) -> Option<(Range<u64>, Range<u64>)> {
    let (from, to) = reference.split_once(':')?;
    let (c1, r1) = cell_reference(from);
    let (c2, r2) = cell_reference(to);
    let (c1, r1, c2, r2) = (c1?, r1?, c2?, r2?);
    Some((r1.min(r2)..r1.max(r2) + 1, c1.min(c2)..c1.max(c2) + 1))
}

fn number_text(raw: &str, is_date: bool, date1904: bool) -> String {
    let raw = raw.trim();
    // Most numbers are whole and already written as they print.
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if !is_date
        && !digits.is_empty()
        && digits.len() < 16
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
    {
        return raw.to_owned();
    }
    let Ok(number) = raw.parse::<f64>() else {
        return raw.to_owned();
    };
    if is_date {
        let date = if date1904 {
            chrono::NaiveDate::from_ymd_opt(1904, 1, 1).and_then(|epoch| {
                (0.0..2_958_465.0)
                    .contains(&number)
                    .then(|| {
                        epoch.checked_add_signed(chrono::Duration::days(number.floor() as i64))
                    })
                    .flatten()
            })
        } else {
            excel_serial_date(number)
        };
        if let Some(date) = date {
            return date.format("%Y-%m-%d").to_string();
        }
    }
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        number.to_string()
    }
}

fn worksheet(
    zip: &mut Zip<'_>,
    path: &str,
    budget: &mut u64,
    mut reading: Reading<'_>,
    context: &SheetContext<'_>,
    cancel: &AtomicBool,
) -> Result<Table, ImportError> {
    let limits = *reading.limits();
    let mut part = Part::open(zip, path, budget, &limits)?
        .ok_or_else(|| damaged("the sheet's part is missing"))?;
    let max_rows = u64::try_from(limits.max_rows).unwrap_or(u64::MAX);
    let max_columns = u64::try_from(limits.max_columns).unwrap_or(u64::MAX);
    let max_value = limits.max_cell_chars.saturating_mul(4);
    let mut in_data = false;
    let mut row: Option<u64> = None;
    let mut in_row = false;
    let mut header_line: Option<u64> = None;
    // The cell being read: column, type, style, and its value's text.
    let mut column: Option<u64> = None;
    let mut in_cell = false;
    let (mut kind, mut style) = (String::new(), 0usize);
    let mut value = String::new();
    let (mut in_value, mut in_inline, mut in_text, mut phonetic) = (false, false, false, 0usize);
    let mut merges: Vec<(Range<u64>, Range<u64>)> = Vec::new();
    loop {
        let event = part.next(Some(cancel))?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            match local(e.name().as_ref()) {
                "dimension" if !in_data => {
                    let [reference] = attributes(e, ["ref"])?;
                    let reference = reference.unwrap_or_default();
                    let (from, to) = reference
                        .split_once(':')
                        .unwrap_or((reference.as_str(), reference.as_str()));
                    let (c1, r1) = cell_reference(from);
                    let (c2, r2) = cell_reference(to);
                    let rows = r2.unwrap_or(0).saturating_sub(r1.unwrap_or(1)) + 1;
                    let last_column = c2.unwrap_or(0).max(c1.unwrap_or(0));
                    if rows > max_rows.saturating_add(1) || last_column >= max_columns {
                        return Err(too_large(Limit::Dimensions, &limits));
                    }
                }
                "sheetData" => in_data = !empty,
                "row" if in_data => {
                    let [r] = attributes(e, ["r"])?;
                    let line = match r.and_then(|r| r.parse::<u64>().ok()) {
                        Some(line) => line,
                        None => row.map_or(1, |r| r + 1),
                    };
                    if row.is_some_and(|previous| line <= previous) {
                        return Err(ImportError::Unreadable(
                            "the sheet's rows are out of order".into(),
                        ));
                    }
                    row = Some(line);
                    column = None;
                    in_row = !empty;
                    if empty {
                        reading.end_row(line_of(line), false)?;
                    }
                }
                "c" if in_row => {
                    let [r, t, s] = attributes(e, ["r", "t", "s"])?;
                    let (at, _) = r.as_deref().map_or((None, None), cell_reference);
                    column = Some(at.unwrap_or_else(|| column.map_or(0, |c| c.saturating_add(1))));
                    kind = t.unwrap_or_default();
                    style = s.and_then(|s| s.parse().ok()).unwrap_or(0);
                    value.clear();
                    in_cell = !empty;
                }
                "v" if in_cell => in_value = !empty,
                "is" if in_cell => in_inline = !empty,
                "rPh" if in_inline && !empty => phonetic += 1,
                "t" if in_inline && phonetic == 0 => in_text = !empty,
                "mergeCell" => {
                    let [reference] = attributes(e, ["ref"])?;
                    if let Some(area) = reference.as_deref().and_then(area) {
                        if merges.len() >= limits.max_cells {
                            return Err(too_large(Limit::Cells, &limits));
                        }
                        merges.push(area);
                    }
                }
                _ => {}
            }
            continue;
        }
        let text = match &event {
            Event::Text(t) if in_value || in_text => Some(t.xml10_content()),
            Event::CData(t) if in_value || in_text => Some(t.xml10_content()),
            Event::GeneralRef(r) => {
                let text = reference(r)?;
                (in_value || in_text).then_some(text)
            }
            _ => None,
        };
        if let Some(text) = text {
            if value.len() + text.len() > max_value {
                return Err(reading.past(Limit::CellChars, line_of(row.unwrap_or(0))));
            }
            value.push_str(&text);
            continue;
        }
        match &event {
            Event::End(e) => match local(e.name().as_ref()) {
                "v" => in_value = false,
                "t" => in_text = false,
                "rPh" => phonetic = phonetic.saturating_sub(1),
                "is" => in_inline = false,
                "c" if in_cell => {
                    in_cell = false;
                    let line = line_of(row.unwrap_or(0));
                    let text: Cow<'_, str> = match kind.as_str() {
                        "s" => value
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| context.strings.get(i))
                            .map_or(Cow::Borrowed(""), unescape_ooxml),
                        "b" => Cow::Borrowed(match value.trim() {
                            "1" => "true",
                            "0" => "false",
                            _ => "",
                        }),
                        "e" => Cow::Borrowed(""),
                        "str" | "inlineStr" => unescape_ooxml(&value),
                        "d" => Cow::Owned(value.trim().chars().take(10).collect()),
                        _ => Cow::Owned(number_text(
                            &value,
                            context.date_styles.get(style).copied().unwrap_or(false),
                            context.date1904,
                        )),
                    };
                    let text = text.trim();
                    if !text.is_empty() {
                        let at = column.unwrap_or(0);
                        if at >= max_columns {
                            return Err(reading.past(Limit::Columns, line));
                        }
                        reading.cell(usize::try_from(at).unwrap_or(usize::MAX), text, line)?;
                        if header_line.is_none() {
                            header_line = row;
                        }
                    }
                }
                "row" if in_row => {
                    in_row = false;
                    reading.end_row(line_of(row.unwrap_or(0)), false)?;
                }
                "sheetData" => in_data = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    *budget -= part.unpacked();
    let header = header_line.unwrap_or(0);
    let areas: Vec<(Range<u32>, Range<u32>)> = merges
        .into_iter()
        .filter(|(lines, _)| lines.start > header)
        .map(|(lines, columns)| {
            let clamp = |n: u64, max: u64| u32::try_from(n.min(max)).unwrap_or(u32::MAX);
            (
                clamp(lines.start, u64::from(u32::MAX))..clamp(lines.end, u64::from(u32::MAX)),
                clamp(columns.start, max_columns)..clamp(columns.end, max_columns),
            )
        })
        .collect();
    let table_cells = reading.finish_with_merges(&areas)?;
    Ok(table_cells)
}

fn line_of(row: u64) -> usize {
    usize::try_from(row).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_and_areas() {
        assert_eq!(cell_reference("A1"), (Some(0), Some(1)));
        assert_eq!(
            cell_reference("XFD1048576"),
            (Some(16_383), Some(1_048_576))
        );
        assert_eq!(cell_reference("7"), (None, Some(7)));
        assert_eq!(area("A2:A4"), Some((2..5, 0..1)));
        assert_eq!(area("C5:B2"), Some((2..6, 1..3)));
        assert!(cell_reference("ZZZZZZZZZZZZZZZZZZZZZZ1").0.is_some());
    }

    #[test]
    fn date_formats_are_told_from_times_and_numbers() {
        assert!(is_date_format(14, None));
        assert!(!is_date_format(20, None), "h:mm");
        assert!(!is_date_format(0, None));
        assert!(is_date_format(164, Some("dd.mm.yyyy")));
        assert!(is_date_format(164, Some("[$-419]d mmmm yyyy;@")));
        assert!(!is_date_format(164, Some("h:mm:ss")));
        assert!(!is_date_format(164, Some("\"day\" 0")));
        assert!(!is_date_format(164, Some("0.00")));
    }

    #[test]
    fn numbers_print_as_typed_and_dates_as_iso() {
        assert_eq!(number_text("4512345678", false, false), "4512345678");
        assert_eq!(number_text("-12", false, false), "-12");
        assert_eq!(number_text("007", false, false), "7");
        assert_eq!(number_text("1E3", false, false), "1000");
        assert_eq!(number_text("1.5", false, false), "1.5");
        assert_eq!(number_text("33270", true, false), "1991-02-01");
        assert_eq!(number_text("0", true, true), "1904-01-01");
        assert_eq!(number_text("abc", true, false), "abc");
    }

    #[test]
    fn ooxml_escapes_are_undone_and_lookalikes_kept() {
        assert_eq!(unescape_ooxml("a_x0009_b"), "a\tb");
        assert_eq!(unescape_ooxml("_x005F_x0041_"), "_x0041_");
        assert_eq!(unescape_ooxml("_x12_ and _xZZZZ_"), "_x12_ and _xZZZZ_");
        assert_eq!(unescape_ooxml("Кузнецов"), "Кузнецов");
    }

    #[test]
    fn relationship_targets_resolve_against_their_folder() {
        assert_eq!(
            resolve("xl/", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(resolve("xl/", "/xl/styles.xml"), "xl/styles.xml");
        assert_eq!(
            resolve("xl/sub/", "../sharedStrings.xml"),
            "xl/sharedStrings.xml"
        );
    }
}
