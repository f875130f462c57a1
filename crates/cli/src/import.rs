//! `shanyrak import FILE --org ORG`: bring in a list kept in a spreadsheet; and the
//! limits every import of this process obeys (`--max-rows` …), on `import` and `serve`.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use shanyrak_server::AppState;
use shanyrak_server::import::{
    ImportRunError, ImportSettings, ImportSummary, RowProblem, prepare_off_executor, refusal_json,
    run, summary_json,
};
use shanyrak_store::Store;
use uuid::Uuid;

/// Largest file read; a list of 200,000 people is about 30 MB of CSV.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// What one imported file may hold; past any of these it is refused whole, with the limit
/// named. The defaults take a list of 200,000 rows.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Import: data rows in one file.
    #[arg(long, default_value_t = shanyrak_import::Limits::default().max_rows)]
    pub max_rows: usize,
    /// Import: the last column that may hold a value.
    #[arg(long, default_value_t = shanyrak_import::Limits::default().max_columns)]
    pub max_columns: usize,
    /// Import: cells holding a value, in all.
    #[arg(long, default_value_t = shanyrak_import::Limits::default().max_cells)]
    pub max_cells: usize,
    /// Import: megabytes of cell text, in all.
    #[arg(long, default_value_t = shanyrak_import::Limits::default().max_text_bytes >> 20)]
    pub max_text_mb: usize,
    /// Import: characters in one cell.
    #[arg(long, default_value_t = shanyrak_import::Limits::default().max_cell_chars)]
    pub max_cell_chars: usize,
    /// Import: kilobytes in one CSV line.
    #[arg(long, default_value_t = shanyrak_import::Limits::default().max_line_bytes >> 10)]
    pub max_line_kb: usize,
    /// Import: megabytes an XLSX may unpack to.
    #[arg(long, default_value_t = shanyrak_import::Limits::default().max_unpacked_bytes >> 20)]
    pub max_unpacked_mb: u64,
    /// Import: seconds one file may take to be read and checked (a web preview must
    /// answer within the server's 30-second request timeout).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub import_seconds: u64,
    /// Import: files read at the same time (others wait).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub import_workers: u64,
}

impl LimitArgs {
    pub fn settings(&self) -> ImportSettings {
        ImportSettings {
            limits: shanyrak_import::Limits {
                max_rows: self.max_rows,
                max_columns: self.max_columns,
                max_cells: self.max_cells,
                max_text_bytes: self
                    .max_text_mb
                    .saturating_mul(1 << 20)
                    .min(u32::MAX as usize),
                max_cell_chars: self.max_cell_chars,
                max_line_bytes: self.max_line_kb.saturating_mul(1 << 10),
                max_unpacked_bytes: self.max_unpacked_mb.saturating_mul(1 << 20),
                ..shanyrak_import::Limits::default()
            },
            time_limit: Duration::from_secs(self.import_seconds),
            workers: usize::try_from(self.import_workers).unwrap_or(1),
        }
    }
}

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
    let prepared = match prepare_off_executor(bytes, mapping, defaults).await {
        Ok(prepared) => Arc::new(prepared),
        Err(ImportRunError::File(e)) => {
            // Scripts read why from the one JSON line; people from the message.
            if options.json {
                let refusal = refusal_json(&e);
                println!(
                    "{}",
                    serde_json::json!({
                        "refused": refusal["code"],
                        "detail": refusal["detail"],
                        "max": refusal["max"],
                        "line": refusal["line"],
                    })
                );
            }
            let hint = match &e {
                shanyrak_import::ImportError::TooLarge { limit, .. } => flag_of(*limit)
                    .map(|flag| format!(" (a limit of this import: see --{flag})"))
                    .unwrap_or_default(),
                shanyrak_import::ImportError::Cancelled => {
                    " (a limit of this import: see --import-seconds)".to_owned()
                }
                _ => String::new(),
            };
            bail!("{}: {e}{hint}", options.file.display());
        }
        Err(e) => bail!("{}: {e}", options.file.display()),
    };
    if !options.json {
        eprintln!(
            "{}: {} rows, {} households; columns: {}",
            options.file.display(),
            prepared.rows_read,
            prepared.households(),
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
            // Kept as the cause, so that a locked database is told as such.
            other => anyhow::Error::new(other).context("nothing was imported"),
        })?;
    let state = AppState::build(store.clone())
        .await
        .context("could not build the identity index")?;
    let bar = if std::io::stderr().is_terminal() && !options.json {
        let bar = ProgressBar::new(prepared.households() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} households [{elapsed}, {eta} left]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let total = prepared.households();
    let saved = std::sync::atomic::AtomicUsize::new(0);
    let (summary, problems) = run(&state, &actor, prepared, options.dry_run, |done, _| {
        saved.store(done, std::sync::atomic::Ordering::Relaxed);
        bar.set_position(done as u64)
    })
    .await
    .map_err(|e| {
        bar.finish_and_clear();
        let context = match saved.load(std::sync::atomic::Ordering::Relaxed) {
            0 => "nothing was imported".to_owned(),
            done => format!(
                "the import stopped after {done} of {total} households; those are saved, and \
                 running the same import again adds nothing twice"
            ),
        };
        anyhow::Error::new(e).context(context)
    })?;
    bar.finish_and_clear();
    if options.json {
        println!("{}", summary_json(&summary));
    } else {
        print_summary(&summary, &problems, options.dry_run);
    }
    Ok(summary)
}

/// The command-line option that sets a limit.
fn flag_of(limit: shanyrak_import::Limit) -> Option<&'static str> {
    use shanyrak_import::Limit;
    Some(match limit {
        Limit::Rows | Limit::Dimensions => "max-rows",
        Limit::Columns => "max-columns",
        Limit::Cells => "max-cells",
        Limit::Text => "max-text-mb",
        Limit::CellChars => "max-cell-chars",
        Limit::LineBytes => "max-line-kb",
        Limit::Unpacked => "max-unpacked-mb",
        Limit::Parts => return None,
    })
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
