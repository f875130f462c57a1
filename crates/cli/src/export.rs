//! `shanyrak export`: a dataset to CSV, HXL-tagged CSV (a hashtag row under the header, as
//! HDX tools read) or XLSX.

use std::path::Path;

use anyhow::{Context, Result, bail};
use shanyrak_server::exports::{Cell, Dataset};

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.clone(),
        Cell::Count(n) => n.to_string(),
    }
}

pub fn write(dataset: &Dataset, format: &str, out: &Path) -> Result<()> {
    match format {
        "csv" | "hxl" => {
            let mut writer = csv::Writer::from_path(out)
                .with_context(|| format!("could not write {}", out.display()))?;
            writer.write_record(dataset.columns.iter().map(|(header, _)| *header))?;
            if format == "hxl" {
                writer.write_record(dataset.columns.iter().map(|(_, tag)| *tag))?;
            }
            for row in &dataset.rows {
                writer.write_record(row.iter().map(text))?;
            }
            writer.flush()?;
        }
        "xlsx" => {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet();
            for (c, (header, _)) in dataset.columns.iter().enumerate() {
                sheet.write_string(0, c as u16, *header)?;
            }
            for (r, row) in dataset.rows.iter().enumerate() {
                let line = u32::try_from(r + 1).context("too many rows for one sheet")?;
                for (c, cell) in row.iter().enumerate() {
                    match cell {
                        Cell::Text(t) => sheet.write_string(line, c as u16, t)?,
                        Cell::Count(n) => sheet.write_number(line, c as u16, *n as f64)?,
                    };
                }
            }
            workbook
                .save(out)
                .with_context(|| format!("could not write {}", out.display()))?;
        }
        other => bail!("unknown format {other:?}; use csv, hxl or xlsx"),
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
pub async fn registry(store: &shanyrak_store::Store, format: &str, out: &Path) -> Result<usize> {
    if format == "hxl" {
        bail!(
            "the registry is personal data, not a humanitarian dataset; export it as csv or xlsx"
        );
    }
    if !matches!(format, "csv" | "xlsx") {
        bail!("unknown format {format:?}; use csv or xlsx");
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
    let mut csv_out = if format == "csv" {
        let mut w = csv::Writer::from_path(out)
            .with_context(|| format!("could not write {}", out.display()))?;
        w.write_record(REGISTRY_COLUMNS)?;
        Some(w)
    } else {
        None
    };
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    if csv_out.is_none() {
        for (c, header) in REGISTRY_COLUMNS.iter().enumerate() {
            sheet.write_string(0, c as u16, *header)?;
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
                Some(w) => w.write_record(&row)?,
                None => {
                    let line = u32::try_from(written).context("too many rows for one sheet")?;
                    for (c, value) in row.iter().enumerate() {
                        sheet.write_string(line, c as u16, value)?;
                    }
                }
            }
        }
    }
    match csv_out {
        Some(mut w) => w.flush()?,
        None => {
            workbook
                .save(out)
                .with_context(|| format!("could not write {}", out.display()))?;
        }
    }
    Ok(written)
}
