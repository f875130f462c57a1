//! `shanyrak export`: a dataset to CSV, HXL-tagged CSV (a hashtag row under the header, as
//! HDX tools read) or XLSX, optionally encrypted for one or more recipients in the age
//! format (`--recipient age1…`), so a file on a USB stick or in a mailbox is readable only
//! by those it was meant for. Encrypted output is streamed: no plaintext copy is written
//! (XLSX is assembled in memory, then encrypted). Every cell goes through `sheet`, so no
//! name or city is read as a formula by the spreadsheet that opens the file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use shanyrak_server::exports::{Cell, Dataset};

use crate::sheet;

/// Parses `--recipient` values (X25519 age recipients, `age1…`).
pub fn recipients(values: &[String]) -> Result<Vec<age::x25519::Recipient>> {
    values
        .iter()
        .map(|v| {
            age::x25519::Recipient::from_str(v.trim()).map_err(|_| {
                anyhow::anyhow!(
                    "--recipient {v:?} is not an age recipient (a public key starting with age1)"
                )
            })
        })
        .collect()
}

/// Where an export goes: the file itself, or an age stream into it.
pub struct Sink {
    inner: SinkInner,
}

enum SinkInner {
    Plain(BufWriter<File>),
    Age(age::stream::StreamWriter<BufWriter<File>>),
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.inner {
            SinkInner::Plain(_) => "plain",
            SinkInner::Age(_) => "age",
        };
        f.debug_struct("Sink").field("kind", &kind).finish()
    }
}

impl Sink {
    /// Creates `out`; encrypted for `recipients` unless there are none.
    pub fn create(out: &Path, recipients: &[age::x25519::Recipient]) -> Result<Self> {
        let file = BufWriter::new(
            File::create(out).with_context(|| format!("could not write {}", out.display()))?,
        );
        let inner = if recipients.is_empty() {
            SinkInner::Plain(file)
        } else {
            let encryptor = age::Encryptor::with_recipients(
                recipients.iter().map(|r| r as &dyn age::Recipient),
            )
            .context("could not encrypt for the recipients")?;
            SinkInner::Age(
                encryptor
                    .wrap_output(file)
                    .context("could not start the encrypted file")?,
            )
        };
        Ok(Self { inner })
    }

    /// Writes the end of the file (the age stream's last chunk) and flushes it.
    pub fn finish(self) -> Result<()> {
        match self.inner {
            SinkInner::Plain(mut w) => w.flush()?,
            SinkInner::Age(w) => w.finish()?.flush()?,
        }
        Ok(())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.inner {
            SinkInner::Plain(w) => w.write(buf),
            SinkInner::Age(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.inner {
            SinkInner::Plain(w) => w.flush(),
            SinkInner::Age(w) => w.flush(),
        }
    }
}

fn finish_csv(writer: sheet::Csv<Sink>) -> Result<()> {
    writer
        .into_inner()
        .context("could not write the export")?
        .finish()
}

pub fn write(
    dataset: &Dataset,
    format: &str,
    out: &Path,
    recipients: &[age::x25519::Recipient],
) -> Result<()> {
    if !matches!(format, "csv" | "hxl" | "xlsx") {
        bail!("unknown format {format:?}; use csv, hxl or xlsx");
    }
    let sink = Sink::create(out, recipients)?;
    match format {
        "csv" | "hxl" => {
            let mut writer = sheet::Csv::new(sink);
            writer.text_row(dataset.columns.iter().map(|(header, _)| *header))?;
            if format == "hxl" {
                writer.text_row(dataset.columns.iter().map(|(_, tag)| *tag))?;
            }
            for row in &dataset.rows {
                for cell in row {
                    match cell {
                        Cell::Text(t) => writer.text(t),
                        Cell::Count(n) => writer.number(*n),
                    };
                }
                writer.end_row()?;
            }
            finish_csv(writer)?;
        }
        "xlsx" => {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let quote_prefix = sheet::quote_prefix();
            let worksheet = workbook.add_worksheet();
            for (c, (header, _)) in dataset.columns.iter().enumerate() {
                worksheet.write_string(0, c as u16, *header)?;
            }
            for (r, row) in dataset.rows.iter().enumerate() {
                let line = u32::try_from(r + 1).context("too many rows for one sheet")?;
                for (c, cell) in row.iter().enumerate() {
                    match cell {
                        Cell::Text(t) => {
                            sheet::xlsx_text(worksheet, line, c as u16, t, &quote_prefix)?
                        }
                        Cell::Count(n) => {
                            worksheet.write_number(line, c as u16, *n as f64)?;
                        }
                    };
                }
            }
            let mut sink = sink;
            sink.write_all(&workbook.save_to_buffer()?)?;
            sink.finish()?;
        }
        _ => {}
    }
    Ok(())
}

const REGISTRY_COLUMNS: [&str; 15] = [
    "household_id",
    "reference",
    "organisation_id",
    "population_group",
    "country",
    "city",
    "arrival_date",
    "person_id",
    "surname",
    "given_name",
    "patronymic",
    "sex",
    "birth_date",
    "citizenship",
    "documents",
];

/// The whole registry, one row per current person, written page by page so that memory
/// stays flat however large it is. Recorded in the audit log before anything is written.
pub async fn registry(
    store: &shanyrak_store::Store,
    format: &str,
    out: &Path,
    recipients: &[age::x25519::Recipient],
) -> Result<usize> {
    if format == "hxl" {
        bail!(
            "the registry is personal data, not a humanitarian dataset; export it as csv or xlsx"
        );
    }
    if !matches!(format, "csv" | "xlsx") {
        bail!("unknown format {format:?}; use csv or xlsx");
    }
    if format == "xlsx" && !recipients.is_empty() {
        // The constant-memory XLSX writer keeps its sheet in plaintext temporary files,
        // which a seized disk could give back; CSV is encrypted as it is written.
        bail!(
            "an encrypted registry export is written as csv: xlsx passes every row through unencrypted temporary files"
        );
    }
    let by = shanyrak_store::Principal::System("cli");
    store
        .record_export(
            &by,
            serde_json::json!({ "dataset": "registry", "format": format }),
            chrono::Utc::now(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let sink = Sink::create(out, recipients)?;
    let (mut csv_out, mut xlsx_sink) = if format == "csv" {
        let mut w = sheet::Csv::new(sink);
        w.text_row(REGISTRY_COLUMNS)?;
        (Some(w), None)
    } else {
        (None, Some(sink))
    };
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let quote_prefix = sheet::quote_prefix();
    let worksheet = workbook.add_worksheet_with_constant_memory()?;
    if csv_out.is_none() {
        for (c, header) in REGISTRY_COLUMNS.iter().enumerate() {
            worksheet.write_string(0, c as u16, *header)?;
        }
    }
    let mut after = None;
    let mut written = 0usize;
    loop {
        let (page, last) = store
            .registry_page(after, 2_000)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(last) = last else { break };
        after = Some(last);
        for p in page {
            let documents: Vec<String> = p
                .documents
                .iter()
                .map(|(doc_type, number)| {
                    format!("{doc_type}:{}", number.as_deref().unwrap_or_default())
                })
                .collect();
            let row = [
                p.household_id.to_string(),
                p.reference.to_string(),
                p.organisation_id.to_string(),
                p.population_group,
                p.country,
                p.city,
                p.arrival_date.map(|d| d.to_string()).unwrap_or_default(),
                p.person_id.to_string(),
                p.surname,
                p.given_name,
                p.patronymic.unwrap_or_default(),
                p.sex,
                p.birth_date,
                p.citizenship.unwrap_or_default(),
                documents.join(";"),
            ];
            written += 1;
            match csv_out.as_mut() {
                Some(w) => w.text_row(&row)?,
                None => {
                    let line = u32::try_from(written).context("too many rows for one sheet")?;
                    for (c, value) in row.iter().enumerate() {
                        sheet::xlsx_text(worksheet, line, c as u16, value, &quote_prefix)?;
                    }
                }
            }
        }
    }
    if let Some(w) = csv_out {
        finish_csv(w)?;
    }
    if let Some(mut sink) = xlsx_sink.take() {
        sink.write_all(&workbook.save_to_buffer()?)?;
        sink.finish()?;
    }
    Ok(written)
}
