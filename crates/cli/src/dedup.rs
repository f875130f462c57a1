//! `shanyrak dedup` and `shanyrak link`: identity resolution over CSV files, without a
//! database. Input columns by default are `record_id, surname, given_name, patronymic,
//! sex, birth_date, citizenship, doc_type, doc_number, phone` (others ignored);
//! `--columns field=Header,…` maps other names.

use std::collections::{HashMap, HashSet};
use std::io::{BufWriter, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use shanyrak_linkage::{BatchOptions, Document, Evidence, PartialDate, PersonRecord, Sex};

use crate::sheet;

/// Input fields: the ten, then four optional address columns (a previous
/// residence; FEBRL's address fields), which sharpen the evidence where lists carry them.
const FIELDS: [&str; 15] = [
    "record_id",
    "surname",
    "given_name",
    "patronymic",
    "sex",
    "birth_date",
    "citizenship",
    "doc_type",
    "doc_number",
    "phone",
    "address",
    "locality",
    "postcode",
    "region",
    // `type:number;type:number`, as in `shanyrak export registry`; read when there is no
    // doc_number column.
    "documents",
];

/// Which header holds which field, after `--columns`; fields named there must exist.
#[derive(Debug)]
pub(crate) struct Columns {
    headers: HashMap<&'static str, String>,
    required: HashSet<&'static str>,
}

impl std::ops::Index<&str> for Columns {
    type Output = String;
    fn index(&self, field: &str) -> &String {
        &self.headers[field]
    }
}

pub(crate) fn column_map(spec: Option<&str>) -> Result<Columns> {
    let mut map: HashMap<&'static str, String> =
        FIELDS.iter().map(|f| (*f, (*f).to_owned())).collect();
    let mut required: HashSet<&'static str> = ["record_id"].into_iter().collect();
    if let Some(spec) = spec {
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, header) = pair.split_once('=').with_context(|| {
                format!("--columns takes field=Header pairs separated by commas, got {pair:?}")
            })?;
            let field = FIELDS
                .iter()
                .find(|f| **f == field.trim())
                .with_context(|| {
                    format!(
                        "--columns: unknown field {:?}; fields are {}",
                        field.trim(),
                        FIELDS.join(", ")
                    )
                })?;
            map.insert(field, header.trim().to_owned());
            required.insert(field);
        }
    }
    Ok(Columns {
        headers: map,
        required,
    })
}

/// Reading problems that did not stop the run, reported at the end.
#[derive(Debug, Default)]
pub(crate) struct ReadReport {
    rows: usize,
    unreadable_dates: Vec<usize>,
}

/// The delimiter of the first line: the most frequent of `,` `;` tab `|`.
fn sniff_delimiter(first_line: &str) -> u8 {
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

// Record fields the CSV cannot carry stay at their defaults.
#[allow(clippy::needless_update)]
pub(crate) fn read_records(
    path: &Path,
    columns: &Columns,
) -> Result<(Vec<PersonRecord>, ReadReport)> {
    let mut raw = Vec::new();
    std::fs::File::open(path)
        .with_context(|| format!("could not open {}", path.display()))?
        .read_to_end(&mut raw)
        .with_context(|| format!("could not read {}", path.display()))?;
    let text = std::str::from_utf8(raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&raw))
        .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
    let delimiter = sniff_delimiter(text.lines().next().unwrap_or_default());
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .with_context(|| format!("{}: no header row", path.display()))?
        .clone();
    let index = |field: &str| -> Option<usize> {
        let wanted = columns.headers.get(field)?;
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(wanted))
    };
    for field in FIELDS.iter().filter(|f| columns.required.contains(**f)) {
        if index(field).is_none() {
            bail!(
                "{}: no {:?} column for {field} (map another header with --columns {field}=Header)",
                path.display(),
                columns[field]
            );
        }
    }
    if index("surname").is_none() && index("given_name").is_none() {
        bail!(
            "{}: neither a surname nor a given_name column (map them with --columns surname=…,given_name=…)",
            path.display()
        );
    }
    let Some(id_col) = index("record_id") else {
        bail!("{}: no record_id column", path.display());
    };
    let cols: HashMap<&str, Option<usize>> = FIELDS.iter().map(|f| (*f, index(f))).collect();
    let mut records = Vec::new();
    let mut report = ReadReport::default();
    let mut seen = HashSet::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row =
            row.with_context(|| format!("{}: row {line} could not be read", path.display()))?;
        let get = |field: &str| -> Option<String> {
            cols.get(field)
                .copied()
                .flatten()
                .and_then(|c| row.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let record_id = row
            .get(id_col)
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        if record_id.is_empty() {
            bail!("{}: row {line} has an empty record_id", path.display());
        }
        if !seen.insert(record_id.clone()) {
            bail!(
                "{}: row {line} repeats a record_id used on an earlier row",
                path.display()
            );
        }
        let birth_date = match get("birth_date") {
            Some(text) => match PartialDate::parse_loose(&text) {
                Ok(d) => Some(d),
                Err(_) => {
                    report.unreadable_dates.push(line);
                    None
                }
            },
            None => None,
        };
        let documents = match get("doc_number") {
            Some(number) => vec![Document {
                doc_type: get("doc_type").unwrap_or_default(),
                number,
            }],
            None => get("documents")
                .map(|list| registry_documents(&list))
                .unwrap_or_default(),
        };
        records.push(PersonRecord {
            record_id,
            surname: get("surname").unwrap_or_default(),
            given_name: get("given_name").unwrap_or_default(),
            patronymic: get("patronymic"),
            sex: get("sex").and_then(|s| Sex::parse_loose(&s)),
            birth_date,
            citizenship: get("citizenship"),
            documents,
            phone: get("phone"),
            address: get("address"),
            locality: get("locality"),
            postcode: get("postcode"),
            region: get("region"),
            ..PersonRecord::default()
        });
        report.rows += 1;
    }
    Ok((records, report))
}

/// The documents of a registry export's `documents` cell: `type:number` items separated
/// by `;` (a number alone has no type).
fn registry_documents(cell: &str) -> Vec<Document> {
    cell.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .filter_map(|d| {
            let (doc_type, number) = d.split_once(':').unwrap_or(("", d));
            let number = number.trim();
            (!number.is_empty()).then(|| Document {
                doc_type: doc_type.trim().to_owned(),
                number: number.to_owned(),
            })
        })
        .collect()
}

pub(crate) fn spinner(message: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn evidence_text(e: &Evidence) -> String {
    let mut parts: Vec<String> = e
        .fields
        .iter()
        .filter(|f| f.weight != 0.0)
        .map(|f| format!("{}={}({:+.1})", f.field.name(), f.level_name, f.weight))
        .collect();
    if e.swapped_names {
        parts.push("names_swapped".into());
    }
    if let Some(guard) = e.guard {
        parts.push(format!("guard={guard:?}"));
    }
    parts.join(";")
}

pub(crate) fn report_dates(path: &Path, report: &ReadReport) {
    if !report.unreadable_dates.is_empty() {
        let shown: Vec<String> = report
            .unreadable_dates
            .iter()
            .take(10)
            .map(usize::to_string)
            .collect();
        eprintln!(
            "{}: unreadable birth_date on {} of {} rows (row {}{}); those records are compared without it",
            path.display(),
            report.unreadable_dates.len(),
            report.rows,
            shown.join(", "),
            if report.unreadable_dates.len() > 10 {
                ", …"
            } else {
                ""
            }
        );
    }
}

/// Scored pairs with their probability, decision and evidence.
fn write_pairs(
    path: &Path,
    scored: &[shanyrak_linkage::ScoredPair],
    left: &[PersonRecord],
    right: &[PersonRecord],
    explain: impl Fn(usize, usize) -> Option<Evidence>,
) -> Result<()> {
    let mut pairs = writer(path)?;
    pairs.text_row([
        "record_id_l",
        "record_id_r",
        "probability",
        "decision",
        "evidence",
    ])?;
    for p in scored {
        let (l, r) = (p.left as usize, p.right as usize);
        let mut evidence = explain(l, r).map(|e| evidence_text(&e)).unwrap_or_default();
        if p.mutual_best {
            // Linked by the one-to-one assignment despite the guard named above.
            evidence.push_str(";linked_as_clear_mutual_best");
        }
        pairs
            .text(&left[l].record_id)
            .text(&right[r].record_id)
            .decimal(p.probability, 4)
            .text(shanyrak_server::identity::decision_name(p.decision))
            .text(&evidence)
            .end_row()?;
    }
    pairs.into_inner()?;
    Ok(())
}

/// A CSV output file; record ids come from the input as typed, so every cell goes
/// through `sheet::Csv`.
pub(crate) fn writer(path: &Path) -> Result<sheet::Csv<BufWriter<std::fs::File>>> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("could not write {}", path.display()))?;
    Ok(sheet::Csv::new(BufWriter::new(file)))
}

pub fn dedup(
    input: &Path,
    out: &Path,
    pairs_out: Option<&PathBuf>,
    columns: Option<&str>,
    relax_guards: bool,
) -> Result<()> {
    let started = Instant::now();
    let map = column_map(columns)?;
    let bar = spinner("reading");
    let (records, report) = read_records(input, &map)?;
    bar.set_message(format!("resolving {} records", records.len()));
    let options = BatchOptions {
        relax_guards,
        ..BatchOptions::default()
    };
    let result = shanyrak_linkage::dedup(&records, &options).map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.set_message("writing");
    let mut clusters = writer(out)?;
    clusters.text_row(["record_id", "cluster_id"])?;
    for (record, cluster) in records.iter().zip(&result.clusters) {
        clusters
            .text(&record.record_id)
            .number(*cluster)
            .end_row()?;
    }
    clusters.into_inner()?;
    if let Some(path) = pairs_out {
        write_pairs(path, &result.pairs, &records, &records, |l, r| {
            result.explain(l, r).ok()
        })?;
    }
    bar.finish_and_clear();
    report_dates(input, &report);
    eprintln!(
        "{} records, {} persons; {} candidate pairs compared; {:.2} s",
        records.len(),
        result.persons(),
        result.blocking.candidate_pairs,
        started.elapsed().as_secs_f64()
    );
    if let Some(f) = &result.family_signal {
        eprintln!("{}", family_text(f));
    }
    Ok(())
}

/// One line on whether `dedup` kept the guards against relatives, with the figures that
/// decided it.
fn family_text(f: &shanyrak_linkage::FamilySignal) -> String {
    let figures = format!(
        "{} pairs share a surname and an address or phone with given name and birth date \
         differing, against {} with both the same",
        f.family_pairs, f.sure_pairs
    );
    if f.applied {
        format!("guards relaxed: no families in the file ({figures}); --keep-guards keeps them")
    } else if f.sure_pairs < shanyrak_linkage::FamilySignal::MIN_SURE_PAIRS {
        format!(
            "guards kept: too few records of one person to tell whether the file holds families ({figures})"
        )
    } else {
        format!("guards kept: the file holds families ({figures})")
    }
}

/// How `shanyrak link` treats the two files.
#[derive(Debug, Clone, Copy)]
pub struct LinkMode {
    /// Each file is deduplicated, links form a one-to-one assignment
    /// (`BatchOptions::one_to_one`); `--many-to-many` turns it off.
    pub one_to_one: bool,
    /// The guards may be relaxed when the files show they are not needed
    /// (`BatchOptions::relax_guards`); `--keep-guards` turns it off.
    pub relax_guards: bool,
}

pub fn link(
    left: &Path,
    right: &Path,
    out: &Path,
    columns: Option<&str>,
    mode: LinkMode,
) -> Result<()> {
    let started = Instant::now();
    let map = column_map(columns)?;
    let bar = spinner("reading");
    let (a, report_a) = read_records(left, &map)?;
    let (b, report_b) = read_records(right, &map)?;
    bar.set_message(format!("linking {} and {} records", a.len(), b.len()));
    let options = BatchOptions {
        one_to_one: mode.one_to_one,
        relax_guards: mode.relax_guards,
        ..BatchOptions::default()
    };
    let result = shanyrak_linkage::link(&a, &b, &options).map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.set_message("writing");
    write_pairs(out, &result.pairs, &a, &b, |l, r| result.explain(l, r).ok())?;
    let linked = result
        .pairs
        .iter()
        .filter(|p| p.decision == shanyrak_linkage::Decision::Link)
        .count();
    bar.finish_and_clear();
    report_dates(left, &report_a);
    report_dates(right, &report_b);
    eprintln!(
        "{} × {} records: {} pairs linked, {} to review; {:.2} s",
        a.len(),
        b.len(),
        linked,
        result.pairs.len() - linked,
        started.elapsed().as_secs_f64()
    );
    if let Some(r) = &result.relaxation {
        eprintln!("{}", relaxation_text(r));
    }
    Ok(())
}

/// One line on whether the guards were relaxed, with the figures that decided it.
fn relaxation_text(r: &shanyrak_linkage::GuardRelaxation) -> String {
    if r.extra_links == 0 {
        return "guards: every pair they hold back stays in review".into();
    }
    if !r.expected_false_links.is_finite() {
        return format!(
            "guards kept: the files are too small to show whether {} clear mutual bests they \
             hold back are relatives; they stay in review",
            r.extra_links
        );
    }
    let within = format!(
        "{} of {} candidate pairs within the files would link without them",
        r.within_list_guarded_links, r.within_list_pairs
    );
    if r.applied {
        format!(
            "guards relaxed: {within}, so at most {:.1} false links are expected among the {} \
             clear mutual bests they held back, which are linked (--keep-guards to review them)",
            r.expected_false_links, r.extra_links
        )
    } else {
        format!(
            "guards kept: {within} (twins, relatives or duplicates inside a file), so up to \
             {:.1} of the {} clear mutual bests they hold back could be different people; \
             they stay in review",
            r.expected_false_links, r.extra_links
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter("record_id;surname;given_name"), b';');
        assert_eq!(sniff_delimiter("record_id,surname"), b',');
        assert_eq!(sniff_delimiter("record_id\tsurname\tgiven_name"), b'\t');
    }

    #[test]
    fn column_mapping_names_bad_fields() {
        let map = column_map(Some("surname=Фамилия, given_name=Имя")).expect("valid");
        assert_eq!(map["surname"], "Фамилия");
        assert_eq!(map["phone"], "phone");
        assert!(map.required.contains("surname") && !map.required.contains("phone"));
        assert!(column_map(Some("nickname=Ник")).is_err());
        assert!(column_map(Some("surname")).is_err());
    }
}
