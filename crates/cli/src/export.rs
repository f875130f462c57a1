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
