//! Importing the lists people already keep: spreadsheets from mutual-aid groups, mosques
//! and volunteer desks, each with its own columns.
//!
//! Pure functions, no IO: bytes in, registrations out.
//! - [`read`]: CSV (any usual delimiter; UTF-8 with or without BOM, or Windows-1251) and
//!   XLSX to a [`Table`] of text cells, streamed and bounded by [`Limits`]: a file past a
//!   limit is refused with [`ImportError::TooLarge`] naming it, before it is held.
//! - [`detect_mapping`]: columns to fields by their headers in Russian, English, Kazakh
//!   and Kyrgyz, including one "ФИО" column; a mapping file overrides it.
//! - [`Grouping`]: rows to households (by a household column, or one per row), each
//!   built as registration JSON only when asked for, remembering the file lines it came
//!   from, so a validation error points back to a line and a field.
//!
//! A reader can be stopped from another thread through the `cancel` flag it takes (the
//! server sets it when an import runs past its time); it then answers
//! [`ImportError::Cancelled`].

pub mod limits;
pub mod read;
mod table;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use shanyrak_core::HouseholdInput;
use unicode_normalization::UnicodeNormalization;

pub use limits::{Limit, Limits};
pub use read::{excel_serial_date, read_any, read_csv, read_xlsx};
pub use table::{Row, Table};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("the file has no header row")]
    Empty,
    #[error("the file could not be read: {0}")]
    Unreadable(String),
    #[error("the mapping file: {0}")]
    Mapping(String),
    #[error("no column holds names: add a mapping for a surname or full-name column")]
    NoNameColumn,
    /// The file is past one of the [`Limits`]; nothing of it is kept.
    #[error("{}{}", too_large(*.limit, *.max), at_line(*.line))]
    TooLarge {
        limit: Limit,
        max: u64,
        line: Option<usize>,
    },
    #[error(
        "line {line} holds bytes that are not text: the file looks like UTF-8 damaged on the way; save it again as UTF-8 or Windows-1251"
    )]
    NotText { line: usize },
    #[error("the workbook holds {0}, which spreadsheet programs do not write")]
    Xml(&'static str),
    #[error("reading the file was stopped: it took too long")]
    Cancelled,
}

impl ImportError {
    /// A stable code for scripts, problem documents and translations: the limit's code
    /// (`rows`, `columns`, `unpacked` …) for a file past a limit.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Empty => "empty",
            ImportError::Unreadable(_) => "unreadable",
            ImportError::Mapping(_) => "mapping",
            ImportError::NoNameColumn => "no_name_column",
            ImportError::TooLarge { limit, .. } => limit.code(),
            ImportError::NotText { .. } => "encoding",
            ImportError::Xml(_) => "xml",
            ImportError::Cancelled => "time",
        }
    }
}

fn too_large(limit: Limit, max: u64) -> String {
    match limit {
        Limit::Rows => format!("the list has more than {max} rows"),
        Limit::Columns => format!("a value stands past column {max}"),
        Limit::Cells => format!("the list has more than {max} cells holding a value"),
        Limit::Text => format!("the cells hold more than {max} bytes of text"),
        Limit::CellChars => format!("a cell holds more than {max} characters"),
        Limit::LineBytes => format!("a line is longer than {max} bytes"),
        Limit::Unpacked => format!(
            "the workbook unpacks to more than {max} bytes, or to more than its parts declare"
        ),
        Limit::Parts => format!("the workbook has more than {max} parts"),
        Limit::Dimensions => format!(
            "the sheet declares a size past the limits (more than {max} rows, or too many columns)"
        ),
    }
}

fn at_line(line: Option<usize>) -> String {
    line.map(|l| format!(" (line {l})")).unwrap_or_default()
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Rows with the same value form one household.
    Household,
    /// Surname, given name and patronymic in one cell ("ФИО").
    FullName,
    Surname,
    GivenName,
    Patronymic,
    Sex,
    BirthDate,
    Citizenship,
    Relationship,
    /// Kazakh IIN.
    Iin,
    /// Kyrgyz PIN.
    Pin,
    /// A passport number: Russian internal (10 digits) or international (9), else other.
    Passport,
    Phone,
    Country,
    Region,
    City,
    ArrivalDate,
    CrossingPoint,
    Group,
    Notes,
    /// A column to leave out.
    Ignore,
}

impl Field {
    fn parse(text: &str) -> Option<Field> {
        serde_json::from_value(Value::String(text.trim().to_owned())).ok()
    }
}

/// Header spellings in the four languages of the region (compared lower-case, without
/// punctuation or spaces).
const SYNONYMS: &[(Field, &[&str])] = &[
    (
        Field::Household,
        &[
            "household",
            "householdid",
            "family",
            "familyid",
            "семья",
            "домохозяйство",
            "номерсемьи",
            "отбасы",
            "үйшаруашылығы",
            "үйбүлө",
            "үйчарбасы",
        ],
    ),
    (
        Field::FullName,
        &[
            "фио",
            "fullname",
            "name",
            "фамилияимяотчество",
            "толықаты",
            "атыжөні",
            "аты",
            "атыжөнү",
            "толукаты",
        ],
    ),
    (
        Field::Surname,
        &[
            "фамилия",
            "surname",
            "lastname",
            "familyname",
            "тегі",
            "фамилиясы",
            "теги",
        ],
    ),
    (
        Field::GivenName,
        &[
            "имя",
            "givenname",
            "firstname",
            "forename",
            "аты",
            "есімі",
            "ысымы",
        ],
    ),
    (
        Field::Patronymic,
        &[
            "отчество",
            "patronymic",
            "middlename",
            "әкесініңаты",
            "атасынынаты",
            "әкесінің аты",
        ],
    ),
    (Field::Sex, &["пол", "sex", "gender", "жынысы", "жынысы"]),
    (
        Field::BirthDate,
        &[
            "датарождения",
            "датарожд",
            "др",
            "dob",
            "dateofbirth",
            "birthdate",
            "birthday",
            "туғанкүні",
            "туулганкүнү",
            "туулганкуну",
        ],
    ),
    (
        Field::Citizenship,
        &[
            "гражданство",
            "citizenship",
            "nationality",
            "азаматтығы",
            "жарандыгы",
        ],
    ),
    (
        Field::Relationship,
        &[
            "родство",
            "кемприходится",
            "relationship",
            "relation",
            "туыстығы",
            "туугандыгы",
        ],
    ),
    (Field::Iin, &["иин", "iin", "жсн"]),
    (Field::Pin, &["пин", "pin", "инн", "жэн"]),
    (
        Field::Passport,
        &[
            "паспорт",
            "passport",
            "номерпаспорта",
            "passportnumber",
            "паспортнөмірі",
            "паспорттунномери",
        ],
    ),
    (
        Field::Phone,
        &[
            "телефон",
            "тел",
            "phone",
            "mobile",
            "phonenumber",
            "телефоннөмірі",
            "телефонномери",
        ],
    ),
    (Field::Country, &["страна", "country", "ел", "өлкө"]),
    (
        Field::Region,
        &["область", "регион", "region", "облысы", "облусу"],
    ),
    (
        Field::City,
        &[
            "город",
            "населенныйпункт",
            "населённыйпункт",
            "city",
            "town",
            "қала",
            "шаар",
        ],
    ),
    (
        Field::ArrivalDate,
        &[
            "датаприбытия",
            "датавъезда",
            "прибыл",
            "arrival",
            "arrivaldate",
            "келгенкүні",
            "келгенкүнү",
        ],
    ),
    (
        Field::CrossingPoint,
        &[
            "пунктпропуска",
            "кпп",
            "crossing",
            "crossingpoint",
            "border",
            "өткізупункті",
            "өткөрүүпункту",
        ],
    ),
    (
        Field::Group,
        &["группа", "group", "category", "санат", "категория"],
    ),
    (
        Field::Notes,
        &[
            "примечание",
            "примечания",
            "комментарий",
            "notes",
            "note",
            "comment",
            "ескерту",
            "эскертүү",
        ],
    ),
];

fn normalise_header(header: &str) -> String {
    header
        .nfc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .replace('ё', "е")
}

/// Which column holds which field, and values for fields no column holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Mapping {
    /// Column index → field.
    pub columns: BTreeMap<usize, Field>,
    /// Values for every row (e.g. the city of the desk that kept the list).
    pub defaults: BTreeMap<Field, String>,
    /// Headers no synonym matched (left out; listed in the preview).
    pub unmapped: Vec<String>,
}

impl Mapping {
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns
            .iter()
            .find(|(_, f)| **f == field)
            .map(|(i, _)| *i)
    }

    pub fn has(&self, field: Field) -> bool {
        self.column_of(field).is_some() || self.defaults.contains_key(&field)
    }
}

/// Maps headers by their spelling. "Аты" is ambiguous (Kazakh for "name"); it means the
/// given name when a surname column exists and the full name otherwise.
pub fn detect_mapping(headers: &[String]) -> Mapping {
    let mut mapping = Mapping::default();
    let has_surname = headers.iter().any(|h| {
        let n = normalise_header(h);
        SYNONYMS
            .iter()
            .any(|(f, names)| *f == Field::Surname && names.contains(&n.as_str()))
    });
    for (index, header) in headers.iter().enumerate() {
        if header.trim().is_empty() {
            continue;
        }
        let n = normalise_header(header);
        let found = SYNONYMS
            .iter()
            .filter(|(_, names)| names.contains(&n.as_str()))
            .map(|(f, _)| *f)
            .find(|f| match f {
                Field::FullName => !has_surname || n != "аты",
                Field::GivenName => has_surname || n != "аты",
                _ => true,
            });
        match found {
            Some(field) if mapping.column_of(field).is_none() => {
                mapping.columns.insert(index, field);
            }
            _ => mapping.unmapped.push(header.clone()),
        }
    }
    mapping
}

/// A mapping file: JSON, `{"columns": {"Header": "field", …}, "defaults": {"city": "Oral"}}`.
/// Columns it names replace what the headers suggested; the others keep their detection.
pub fn apply_mapping_file(
    headers: &[String],
    detected: Mapping,
    text: &str,
) -> Result<Mapping, ImportError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        columns: BTreeMap<String, String>,
        #[serde(default)]
        defaults: BTreeMap<String, String>,
    }
    let file: File = serde_json::from_str(text).map_err(|e| {
        ImportError::Mapping(format!(
            "not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let mut mapping = detected;
    for (header, field) in &file.columns {
        let field = Field::parse(field)
            .ok_or_else(|| ImportError::Mapping(format!("unknown field \"{field}\"")))?;
        let index = headers
            .iter()
            .position(|h| h.trim() == header.trim())
            .ok_or_else(|| ImportError::Mapping(format!("no column \"{header}\" in the file")))?;
        mapping
            .columns
            .retain(|i, f| *i != index && (*f != field || field == Field::Ignore));
        if field != Field::Ignore {
            mapping.columns.insert(index, field);
        }
        mapping.unmapped.retain(|h| h.trim() != header.trim());
    }
    for (field, value) in &file.defaults {
        let field = Field::parse(field)
            .ok_or_else(|| ImportError::Mapping(format!("unknown field \"{field}\"")))?;
        mapping.defaults.insert(field, value.clone());
    }
    Ok(mapping)
}

/// One household of the file, as the registration API would receive it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedHousehold {
    /// The household column's value, or the row number for one household per row.
    pub key: String,
    /// File line numbers (the header is line 1) of the members, in member order.
    pub lines: Vec<usize>,
    /// The household as registration JSON (validated later by the caller).
    pub document: Value,
}

impl ImportedHousehold {
    pub fn input(&self) -> Result<HouseholdInput, serde_json::Error> {
        serde_json::from_value(self.document.clone())
    }

    /// The file line an error at `pointer` belongs to: the member's for `#/members/N/…`,
    /// else the household's first.
    pub fn line_of(&self, pointer: &str) -> usize {
        pointer
            .strip_prefix("#/members/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| self.lines.get(n).copied())
            .or_else(|| self.lines.first().copied())
            .unwrap_or(0)
    }
}

/// Splits "Фамилия Имя Отчество" (the order of Russian and Central Asian lists). Extra
/// words belong to the patronymic ("Ахмед угли", "Ерлан кызы").
pub fn split_full_name(text: &str) -> (String, String, Option<String>) {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [] => (String::new(), String::new(), None),
        [surname] => ((*surname).to_owned(), String::new(), None),
        [surname, given] => ((*surname).to_owned(), (*given).to_owned(), None),
        [surname, given, rest @ ..] => (
            (*surname).to_owned(),
            (*given).to_owned(),
            Some(rest.join(" ")),
        ),
    }
}

/// Sex as lists write it, in four languages.
pub fn parse_sex(text: &str) -> Option<&'static str> {
    let t = normalise_header(text);
    match t.as_str() {
        "м" | "муж" | "мужской" | "мужчина" | "m" | "male" | "man" | "ер" | "еркек" | "эркек"
        | "ә" => Some("male"),
        "ж" | "жен" | "женский" | "женщина" | "f" | "female" | "woman" | "w" | "әйел" | "аял"
        | "к" | "кыз" => Some("female"),
        _ => None,
    }
}

/// Sex where the list does not say: from the IIN's seventh digit, else from the
/// patronymic's ending. Never guessed from the given name.
pub fn infer_sex(iin: Option<&str>, patronymic: Option<&str>) -> Option<&'static str> {
    if let Some(iin) = iin {
        let digits: Vec<u32> = iin.chars().filter_map(|c| c.to_digit(10)).collect();
        if digits.len() == 12 {
            match digits[6] {
                1 | 3 | 5 => return Some("male"),
                2 | 4 | 6 => return Some("female"),
                _ => {}
            }
        }
    }
    let p = patronymic?.to_lowercase();
    let p = p.trim();
    if p.ends_with("вич")
        || p.ends_with("ич")
        || p.ends_with("улы")
        || p.ends_with("ұлы")
        || p.ends_with("уулу")
        || p.ends_with("угли")
        || p.ends_with("оглы")
    {
        Some("male")
    } else if p.ends_with("вна")
        || p.ends_with("чна")
        || p.ends_with("кызы")
        || p.ends_with("қызы")
        || p.ends_with("гызы")
    {
        Some("female")
    } else {
        None
    }
}

fn parse_relationship(text: &str) -> Option<&'static str> {
    let t = normalise_header(text);
    Some(match t.as_str() {
        "глава" | "главасемьи" | "head" | "отбасыбасшысы" | "үйбүлөбашчысы" => {
            "head"
        }
        "супруг" | "супруга" | "жена" | "муж" | "spouse" | "wife" | "husband" | "жұбайы"
        | "жубайы" => "spouse",
        "сын" | "дочь" | "ребенок" | "ребёнок" | "child" | "son" | "daughter" | "баласы" => {
            "child"
        }
        "мать" | "отец" | "parent" | "mother" | "father" | "анасы" | "әкесі" | "атасы" => {
            "parent"
        }
        "брат" | "сестра" | "sibling" | "brother" | "sister" => "sibling",
        "внук" | "внучка" | "grandchild" => "grandchild",
        "бабушка" | "дедушка" | "grandparent" => "grandparent",
        "родственник" | "relative" => "other_relative",
        _ => return None,
    })
}

/// The date as a validator reads it: an Excel serial number (five digits or more) becomes
/// ISO 8601; everything else is kept as typed ("1990" is a year, not a serial).
fn date_value(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.len() >= 5
        && trimmed.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !trimmed.contains("..")
        && trimmed.matches('.').count() <= 1
        && let Ok(serial) = trimmed.parse::<f64>()
        && let Some(date) = excel_serial_date(serial)
    {
        return date.format("%Y-%m-%d").to_string();
    }
    trimmed.to_owned()
}

fn passport_type(number: &str) -> &'static str {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let only_digits = number
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-' || c == '№');
    match (only_digits, digits) {
        (true, 10) => "ru_internal_passport",
        (true, 9) => "ru_international_passport",
        _ => "passport_other",
    }
}

/// The file's rows as households: which rows form each, in file order. Building a
/// household's registration JSON waits until it is asked for ([`Grouping::household`]),
/// so a large file costs its table and this index, not a document per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouping {
    /// Every row is a household of its own (no household column).
    OnePerRow(usize),
    /// Rows sharing a household value, in the order each value first appears.
    ByKey(Vec<(String, Vec<u32>)>),
}

impl Grouping {
    /// Groups the table's rows. Every row holds a value (blank rows are not kept), and
    /// ends up in exactly one household.
    pub fn new(table: &Table, mapping: &Mapping) -> Result<Grouping, ImportError> {
        if !mapping.has(Field::FullName) && !mapping.has(Field::Surname) {
            return Err(ImportError::NoNameColumn);
        }
        let Some(column) = mapping.column_of(Field::Household) else {
            return Ok(Grouping::OnePerRow(table.len()));
        };
        let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
        let mut index_of: HashMap<String, usize> = HashMap::new();
        for (index, row) in table.rows().enumerate() {
            let value = row.get(column);
            let key = if value.is_empty() {
                format!("line {}", row.line())
            } else {
                value.to_owned()
            };
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            match index_of.get(&key) {
                Some(group) => groups[*group].1.push(index),
                None => {
                    index_of.insert(key.clone(), groups.len());
                    groups.push((key, vec![index]));
                }
            }
        }
        Ok(Grouping::ByKey(groups))
    }

    /// How many households.
    pub fn len(&self) -> usize {
        match self {
            Grouping::OnePerRow(n) => *n,
            Grouping::ByKey(groups) => groups.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `index`th household, built from the table.
    pub fn household(
        &self,
        table: &Table,
        mapping: &Mapping,
        index: usize,
    ) -> Option<ImportedHousehold> {
        let (key, rows): (String, Vec<Row<'_>>) = match self {
            Grouping::OnePerRow(_) => {
                let row = table.row(index)?;
                (format!("line {}", row.line()), vec![row])
            }
            Grouping::ByKey(groups) => {
                let (key, rows) = groups.get(index)?;
                (
                    key.clone(),
                    rows.iter().filter_map(|r| table.row(*r as usize)).collect(),
                )
            }
        };
        Some(ImportedHousehold {
            key,
            lines: rows.iter().map(Row::line).collect(),
            document: household_document(mapping, &rows),
        })
    }
}

/// Every household of the file at once (for small files and tests; a large import asks
/// [`Grouping::household`] for one chunk at a time).
pub fn households(table: &Table, mapping: &Mapping) -> Result<Vec<ImportedHousehold>, ImportError> {
    let grouping = Grouping::new(table, mapping)?;
    Ok((0..grouping.len())
        .filter_map(|i| grouping.household(table, mapping, i))
        .collect())
}

fn household_document(mapping: &Mapping, rows: &[Row<'_>]) -> Value {
    let cell = |row: &Row<'_>, field: Field| -> Option<String> {
        mapping
            .column_of(field)
            .map(|c| row.get(c).trim().to_owned())
            .filter(|v| !v.is_empty())
            .or_else(|| mapping.defaults.get(&field).cloned())
    };
    // Household fields: the first row that has them.
    let first = |field: Field| rows.iter().find_map(|r| cell(r, field));
    let mut h = Map::new();
    h.insert(
        "group".into(),
        json!(first(Field::Group).unwrap_or_else(|| "arrival".into())),
    );
    if let Some(d) = first(Field::ArrivalDate) {
        h.insert("arrival_date".into(), json!(date_value(&d)));
    }
    if let Some(c) = first(Field::CrossingPoint) {
        h.insert("crossing_point".into(), json!(c));
    }
    let mut location = Map::new();
    if let Some(c) = first(Field::Country) {
        location.insert("country".into(), json!(c));
    }
    if let Some(r) = first(Field::Region) {
        location.insert("region".into(), json!(r));
    }
    if let Some(c) = first(Field::City) {
        location.insert("city".into(), json!(c));
    }
    h.insert("location".into(), Value::Object(location));
    if let Some(p) = first(Field::Phone) {
        h.insert("phone".into(), json!(p));
    }
    if let Some(n) = first(Field::Notes) {
        h.insert("notes".into(), json!(n));
    }
    let mut members = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let mut m = Map::new();
        let (surname, given, patronymic) = match cell(row, Field::FullName) {
            Some(full) if cell(row, Field::Surname).is_none() => split_full_name(&full),
            _ => (
                cell(row, Field::Surname).unwrap_or_default(),
                cell(row, Field::GivenName).unwrap_or_default(),
                cell(row, Field::Patronymic),
            ),
        };
        if !surname.is_empty() {
            m.insert("surname".into(), json!(surname));
        }
        if !given.is_empty() {
            m.insert("given_name".into(), json!(given));
        }
        if let Some(p) = &patronymic {
            m.insert("patronymic".into(), json!(p));
        }
        let iin = cell(row, Field::Iin);
        let sex = match cell(row, Field::Sex) {
            // An unrecognised value goes through as typed, so validation names it.
            Some(s) => parse_sex(&s).map(str::to_owned).unwrap_or(s),
            None => infer_sex(iin.as_deref(), patronymic.as_deref())
                .unwrap_or("unknown")
                .to_owned(),
        };
        m.insert("sex".into(), json!(sex));
        if let Some(b) = cell(row, Field::BirthDate) {
            m.insert("birth_date".into(), json!(date_value(&b)));
        }
        if let Some(c) = cell(row, Field::Citizenship) {
            m.insert("citizenship".into(), json!(c));
        }
        let relationship = match cell(row, Field::Relationship) {
            Some(r) => parse_relationship(&r).map(str::to_owned).unwrap_or(r),
            None if i == 0 => "head".into(),
            None => "other_relative".into(),
        };
        m.insert("relationship".into(), json!(relationship));
        let mut documents = Vec::new();
        if let Some(n) = iin {
            documents.push(json!({"type": "kz_id", "number": n}));
        }
        if let Some(n) = cell(row, Field::Pin) {
            documents.push(json!({"type": "kg_id", "number": n}));
        }
        if let Some(n) = cell(row, Field::Passport) {
            documents.push(json!({"type": passport_type(&n), "number": n}));
        }
        if !documents.is_empty() {
            m.insert("documents".into(), Value::Array(documents));
        }
        members.push(Value::Object(m));
    }
    h.insert("members".into(), Value::Array(members));
    Value::Object(h)
}

/// The file's identity for idempotency: the same bytes are the same import.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_in_four_languages_are_recognised() {
        let m = detect_mapping(&headers(&[
            "Фамилия",
            "Имя",
            "Отчество",
            "Дата рождения",
            "ИИН",
            "Паспорт",
            "Телефон",
            "Примечание",
        ]));
        assert_eq!(m.column_of(Field::Surname), Some(0));
        assert_eq!(m.column_of(Field::BirthDate), Some(3));
        assert_eq!(m.column_of(Field::Iin), Some(4));
        assert_eq!(m.column_of(Field::Notes), Some(7));
        let m = detect_mapping(&headers(&[
            "Surname",
            "First name",
            "DOB",
            "Gender",
            "Mobile",
            "Unknown column",
        ]));
        assert_eq!(m.column_of(Field::GivenName), Some(1));
        assert_eq!(m.column_of(Field::Sex), Some(3));
        assert_eq!(m.unmapped, vec!["Unknown column".to_owned()]);
        let m = detect_mapping(&headers(&["Тегі", "Аты", "Туған күні", "ЖСН"]));
        assert_eq!(m.column_of(Field::GivenName), Some(1));
        assert_eq!(m.column_of(Field::Iin), Some(3));
        let m = detect_mapping(&headers(&["Аты-жөні", "Туулган күнү"]));
        assert_eq!(m.column_of(Field::FullName), Some(0));
        assert_eq!(m.column_of(Field::BirthDate), Some(1));
    }

    #[test]
    fn a_mapping_file_overrides_and_adds_defaults() {
        let h = headers(&["Ф", "Семья", "Дата"]);
        let m = apply_mapping_file(&h, detect_mapping(&h), r#"{"columns": {"Ф": "full_name", "Дата": "birth_date"}, "defaults": {"city": "Oral", "country": "KZ"}}"#)
            .expect("mapping");
        assert_eq!(m.column_of(Field::FullName), Some(0));
        assert_eq!(m.column_of(Field::Household), Some(1));
        assert_eq!(
            m.defaults.get(&Field::City).map(String::as_str),
            Some("Oral")
        );
        assert!(
            apply_mapping_file(
                &h,
                Mapping::default(),
                r#"{"columns": {"Nope": "surname"}}"#
            )
            .is_err()
        );
        assert!(
            apply_mapping_file(&h, Mapping::default(), r#"{"columns": {"Ф": "shoe_size"}}"#)
                .is_err()
        );
    }

    #[test]
    fn full_names_split_surname_first() {
        assert_eq!(
            split_full_name("Иванов Иван Иванович"),
            ("Иванов".into(), "Иван".into(), Some("Иванович".into()))
        );
        assert_eq!(
            split_full_name(" Ахмедов  Ахмед Ахмед угли "),
            ("Ахмедов".into(), "Ахмед".into(), Some("Ахмед угли".into()))
        );
        assert_eq!(
            split_full_name("SMITH JOHN"),
            ("SMITH".into(), "JOHN".into(), None)
        );
    }

    #[test]
    fn sex_comes_from_the_list_or_the_iin_or_the_patronymic() {
        assert_eq!(parse_sex("М"), Some("male"));
        assert_eq!(parse_sex("жен."), Some("female"));
        assert_eq!(parse_sex("Әйел"), Some("female"));
        assert_eq!(infer_sex(Some("900101350123"), None), Some("male"));
        assert_eq!(
            infer_sex(Some("900101450123"), Some("Иванович")),
            Some("female")
        );
        assert_eq!(infer_sex(None, Some("Сергеевна")), Some("female"));
        assert_eq!(infer_sex(None, Some("Ерланұлы")), Some("male"));
        assert_eq!(infer_sex(None, None), None);
    }

    #[test]
    fn rows_group_into_households_and_remember_their_lines() {
        let table = Table::from_rows(
            headers(&["Семья", "ФИО", "Дата рождения", "Родство", "Город"]),
            vec![
                vec![
                    "A1".into(),
                    "Кузнецов Дмитрий Сергеевич".into(),
                    "14.11.1988".into(),
                    "глава".into(),
                    "Oral".into(),
                ],
                vec![
                    "A1".into(),
                    "Кузнецова Ольга Викторовна".into(),
                    "33023".into(),
                    "жена".into(),
                    "".into(),
                ],
                vec!["".into(), "".into(), "".into(), "".into(), "".into()],
                vec![
                    "B2".into(),
                    "Волков Илья".into(),
                    "2001".into(),
                    "".into(),
                    "Oral".into(),
                ],
            ],
        );
        let found = households(&table, &detect_mapping(&table.headers)).expect("households");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].lines, vec![2, 3]);
        assert_eq!(found[1].lines, vec![5]);
        let doc = &found[0].document;
        assert_eq!(doc["members"][1]["surname"], "Кузнецова");
        assert_eq!(doc["members"][1]["sex"], "female");
        assert_eq!(doc["members"][1]["relationship"], "spouse");
        assert_eq!(
            doc["members"][1]["birth_date"], "1990-05-30",
            "Excel serial"
        );
        assert_eq!(doc["location"]["city"], "Oral");
        assert_eq!(
            found[1].document["members"][0]["birth_date"], "2001",
            "a year stays a year"
        );
        assert_eq!(found[1].document["members"][0]["relationship"], "head");
        assert_eq!(found[0].line_of("#/members/1/birth_date"), 3);
        assert_eq!(found[0].line_of("#/location/city"), 2);
        assert!(found[0].input().is_ok());
    }

    #[test]
    fn a_list_without_names_is_refused_whole() {
        let table = Table::from_rows(headers(&["Телефон"]), vec![vec!["+77011234567".into()]]);
        assert_eq!(
            households(&table, &detect_mapping(&table.headers)),
            Err(ImportError::NoNameColumn)
        );
    }
}
