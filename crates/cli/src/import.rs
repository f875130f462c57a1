//! `shanyrak import FILE --org ORG`: bring in a list kept in a spreadsheet.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use shanyrak_server::AppState;
use shanyrak_server::import::{ImportSummary, RowProblem, prepare, run, summary_json};
use shanyrak_store::Store;
use uuid::Uuid;

/// Largest file read; a list of 100,000 people is about 15 MB of CSV.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

pub struct Options<'a> {
    pub file: &'a Path,
    pub org: Uuid,
    pub mapping: Option<&'a Path>,
    pub country: Option<&'a str>,
    pub city: Option<&'a str>,
    pub dry_run: bool,
    pub json: bool,
}

pub async fn import(store: Store, options: Options<'_>) -> Result<ImportSummary> {
    let size = std::fs::metadata(options.file)
        .with_context(|| format!("cannot read {}", options.file.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        bail!("{} is larger than 256 MB; split it", options.file.display());
    }
    let bytes = std::fs::read(options.file)
        .with_context(|| format!("cannot read {}", options.file.display()))?;
    let mapping = match options.mapping {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mapping file {}", path.display()))?,
        ),
        None => None,
    };
    let defaults = shanyrak_server::import::Defaults {
        country: options.country.map(str::to_owned),
        city: options.city.map(str::to_owned),
    };
    let prepared =
        prepare(&bytes, mapping.as_deref(), &defaults).map_err(|e| anyhow::anyhow!("{e}"))?;
    if !options.json {
        eprintln!(
            "{}: {} rows, {} households; columns: {}",
            options.file.display(),
            prepared.rows_read,
            prepared.households.len(),
            prepared
                .mapping
                .columns
                .iter()
                .map(|(i, f)| format!(
                    "{} → {}",
                    prepared.headers.get(*i).map(String::as_str).unwrap_or("?"),
                    serde_json::to_value(f)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !prepared.mapping.unmapped.is_empty() {
            eprintln!(
                "left out (no matching field): {}",
                prepared.mapping.unmapped.join(", ")
            );
        }
    }
    let actor = store
        .import_actor(options.org, Utc::now())
        .await
        .map_err(|e| match e {
            shanyrak_store::StoreError::NotFound => {
                anyhow::anyhow!("no organisation {}", options.org)
            }
            other => anyhow::anyhow!("{other}"),
        })?;
    let state = AppState::build(store.clone())
        .await
        .context("could not build the identity index")?;
    let bar = if std::io::stderr().is_terminal() && !options.json {
        let bar = ProgressBar::new(prepared.households.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} households [{elapsed}, {eta} left]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let (summary, problems) = run(&state, &actor, &prepared, options.dry_run, |done, _| {
        bar.set_position(done as u64)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    if options.json {
        println!("{}", summary_json(&summary));
    } else {
        print_summary(&summary, &problems, options.dry_run);
    }
    Ok(summary)
}

fn print_summary(summary: &ImportSummary, problems: &[RowProblem], dry_run: bool) {
    if dry_run {
        println!("Dry run: nothing was written.");
    }
    println!("rows read            {}", summary.rows_read);
    println!("households created   {}", summary.households_created);
    println!("persons created      {}", summary.persons_created);
    println!("attached (imported before) {}", summary.attached);
    println!("sent to review       {}", summary.sent_to_review);
    println!("quarantined          {}", summary.quarantined);
    // Where and why, never the values (they may be names).
    for p in problems.iter().take(50) {
        println!("  line {}: {} {} ({})", p.line, p.pointer, p.code, p.detail);
    }
    if problems.len() > 50 {
        println!(
            "  … and {} more; all are in the quarantine",
            problems.len() - 50
        );
    }
}
