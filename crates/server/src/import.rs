//! Running an import: the households a file holds, each validated and registered like an
//! API registration, or kept in the quarantine with its reasons. Used by `shanyrak
//! import` and by the web interface's upload.
//!
//! Importing the same file twice creates nothing: each household is registered with the
//! idempotency key `import:<file digest>:<household key>`, so a second run replays the
//! first's receipts, and the quarantine keeps each file line once.
//!
//! Reading a file and checking its rows is heavy and driven by outside bytes, so it never
//! runs on the async executor: [`off_executor`] runs it on the blocking pool, at most
//! [`ImportSettings::workers`] at a time, and stops it (through the reader's cancel flag)
//! past [`ImportSettings::time_limit`]. The readers themselves are bounded by
//! [`Limits`] (see `shanyrak_import::limits`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shanyrak_core::household::validate;
use shanyrak_core::{Actor, FieldError, ValidationErrors};
use shanyrak_import::{Grouping, ImportError, ImportedHousehold, Limits, Mapping, Table};
use shanyrak_store::{CreateOutcome, IdempotencyRequest, RowToQuarantine, StoreError};
use tokio::sync::Semaphore;

use crate::AppState;
use crate::households::validation_context;

/// How this process bounds imports. Set once at start ([`configure`]); defaults otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSettings {
    pub limits: Limits,
    /// Longest time one file may take to be read and checked. Under the server's
    /// 30-second request timeout, so a preview answers why rather than timing out.
    pub time_limit: Duration,
    /// Files read or checked at the same time; others wait (up to the time limit).
    pub workers: usize,
}

impl Default for ImportSettings {
    fn default() -> Self {
        ImportSettings {
            limits: Limits::default(),
            time_limit: Duration::from_secs(20),
            workers: 2,
        }
    }
}

static SETTINGS: OnceLock<ImportSettings> = OnceLock::new();
static WORKERS: OnceLock<Arc<Semaphore>> = OnceLock::new();

/// Sets the import bounds of this process; only the first call counts (the command
/// line sets them before anything is imported). Returns whether this call set them.
pub fn configure(settings: ImportSettings) -> bool {
    SETTINGS.set(settings).is_ok()
}

pub fn settings() -> ImportSettings {
    *SETTINGS.get_or_init(ImportSettings::default)
}

fn workers() -> Arc<Semaphore> {
    WORKERS
        .get_or_init(|| Arc::new(Semaphore::new(settings().workers.max(1))))
        .clone()
}

/// What an import did, with the keys scripts read (`--json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Data rows read (blank lines not counted).
    pub rows_read: usize,
    pub households_created: usize,
    pub persons_created: usize,
    /// Persons already registered from this file by an earlier run.
    pub attached: usize,
    /// New persons with a possible duplicate, now in the review queue.
    pub sent_to_review: usize,
    /// Rows held back with their reasons.
    pub quarantined: usize,
}

/// A problem of one row, for the summary and the quarantine (no values, only where and why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: usize,
    pub pointer: String,
    pub code: String,
    pub detail: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportRunError {
    #[error(transparent)]
    File(#[from] ImportError),
    /// Every import worker stayed busy for the whole time limit.
    #[error("other imports are being read; try again in a minute")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0:?}")]
    Api(crate::error::ApiError),
    /// Reading or checking panicked (a bug); the panic was contained on its thread.
    #[error("the import failed inside the server")]
    Internal,
}

impl From<crate::error::ApiError> for ImportRunError {
    fn from(e: crate::error::ApiError) -> Self {
        ImportRunError::Api(e)
    }
}

/// Why a file was refused, as kept with its upload and shown on its preview: the
/// refusal's code and the figures its message needs.
pub fn refusal_json(error: &ImportError) -> Value {
    let mut refusal = json!({ "code": error.code(), "detail": error.to_string() });
    match error {
        ImportError::TooLarge { max, line, .. } => {
            refusal["max"] = json!(max);
            if let Some(line) = line {
                refusal["line"] = json!(line);
            }
        }
        ImportError::NotText { line } => refusal["line"] = json!(line),
        ImportError::Cancelled => refusal["max"] = json!(settings().time_limit.as_secs()),
        _ => {}
    }
    refusal
}

/// Runs `work` on the blocking pool, at most `workers` at a time, and sets its cancel
/// flag past the time limit (the readers check it and stop). A worker's slot is freed
/// only when its thread is really done, so stopped work cannot pile up.
pub async fn off_executor<T: Send + 'static>(
    work: impl FnOnce(&AtomicBool) -> Result<T, ImportRunError> + Send + 'static,
) -> Result<T, ImportRunError> {
    let settings = settings();
    let slot = tokio::time::timeout(settings.time_limit, workers().acquire_owned())
        .await
        .map_err(|_| ImportRunError::Busy)?
        .map_err(|_| ImportRunError::Busy)?;
    let cancel = StopOnDrop(Arc::new(AtomicBool::new(false)));
    let flag = cancel.0.clone();
    let handle = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work(&flag)
    });
    match tokio::time::timeout(settings.time_limit, handle).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(ImportRunError::Internal),
        Err(_) => Err(ImportRunError::File(ImportError::Cancelled)),
    }
}

/// Sets the cancel flag when dropped: past the time limit, and also when the request
/// waiting for the work goes away (a closed tab, the server's request timeout), so no
/// thread keeps reading a file nobody waits for.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A file read and mapped, before anything is written. Households are built from the
/// table when asked for ([`Prepared::household`]).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub digest: String,
    pub headers: Vec<String>,
    pub mapping: Mapping,
    pub table: Table,
    pub grouping: Grouping,
    pub rows_read: usize,
}

impl Prepared {
    /// How many households the file holds.
    pub fn households(&self) -> usize {
        self.grouping.len()
    }

    pub fn household(&self, index: usize) -> Option<ImportedHousehold> {
        self.grouping.household(&self.table, &self.mapping, index)
    }
}

/// Values for rows whose list has no such column (a list kept at one desk rarely says
/// which country it is in); a mapping file's defaults win.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub country: Option<String>,
    pub city: Option<String>,
}

/// Reads and maps a file (on the calling thread: use [`prepare_off_executor`] from async
/// code).
pub fn prepare(
    bytes: &[u8],
    mapping_file: Option<&str>,
    defaults: &Defaults,
    limits: &Limits,
    cancel: &AtomicBool,
) -> Result<Prepared, ImportRunError> {
    let table = shanyrak_import::read_any(bytes, limits, cancel)?;
    let detected = shanyrak_import::detect_mapping(&table.headers);
    let mut mapping = match mapping_file {
        Some(text) => shanyrak_import::apply_mapping_file(&table.headers, detected, text)?,
        None => detected,
    };
    for (field, value) in [
        (shanyrak_import::Field::Country, &defaults.country),
        (shanyrak_import::Field::City, &defaults.city),
    ] {
        if let Some(value) = value.as_ref().filter(|v| !v.trim().is_empty()) {
            mapping
                .defaults
                .entry(field)
                .or_insert_with(|| value.trim().to_owned());
        }
    }
    let grouping = Grouping::new(&table, &mapping)?;
    Ok(Prepared {
        digest: shanyrak_import::digest(bytes),
        headers: table.headers.clone(),
        rows_read: table.len(),
        mapping,
        table,
        grouping,
    })
}

/// [`prepare`] on the import workers, within the time limit.
pub async fn prepare_off_executor(
    bytes: Vec<u8>,
    mapping_file: Option<String>,
    defaults: Defaults,
) -> Result<Prepared, ImportRunError> {
    let limits = settings().limits;
    off_executor(move |cancel| prepare(&bytes, mapping_file.as_deref(), &defaults, &limits, cancel))
        .await
}

/// What an import would do, without writing: the summary and the first problems.
#[derive(Debug, Clone)]
pub struct Preview {
    pub headers: Vec<String>,
    pub mapping: Mapping,
    pub summary: ImportSummary,
    /// The first problems (at most `MAX_PREVIEW_PROBLEMS`), in file order.
    pub problems: Vec<RowProblem>,
    pub problem_count: usize,
}

const MAX_PREVIEW_PROBLEMS: usize = 100;

/// Reads a file and checks every household, on the import workers, keeping only counts
/// and the first problems: a large file costs its table, not a result per row.
pub async fn preview_off_executor(
    bytes: Vec<u8>,
    defaults: Defaults,
) -> Result<Preview, ImportRunError> {
    let limits = settings().limits;
    off_executor(move |cancel| {
        let prepared = prepare(&bytes, None, &defaults, &limits, cancel)?;
        drop(bytes);
        let mut summary = ImportSummary {
            rows_read: prepared.rows_read,
            ..ImportSummary::default()
        };
        let mut problems = Vec::new();
        let mut problem_count = 0;
        for index in 0..prepared.households() {
            if index.is_multiple_of(1024) && cancel.load(Ordering::Relaxed) {
                return Err(ImportError::Cancelled.into());
            }
            let Some(household) = prepared.household(index) else {
                continue;
            };
            match check(&household) {
                Ok(valid) => {
                    summary.households_created += 1;
                    summary.persons_created += valid.members.len();
                }
                Err(found) => {
                    summary.quarantined += household.lines.len();
                    problem_count += found.len();
                    let room = MAX_PREVIEW_PROBLEMS.saturating_sub(problems.len());
                    problems.extend(found.into_iter().take(room));
                }
            }
        }
        Ok(Preview {
            headers: prepared.headers,
            mapping: prepared.mapping,
            summary,
            problems,
            problem_count,
        })
    })
    .await
}

fn code_name(error: &FieldError) -> String {
    serde_json::to_value(error.code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Validates one household; its problems per file line when it fails.
pub fn check(
    household: &ImportedHousehold,
) -> Result<shanyrak_core::ValidatedHousehold, Vec<RowProblem>> {
    let errors: ValidationErrors =
        match crate::extract::deserialize_with_pointer(&household.document) {
            Ok(input) => match validate(&input, &validation_context()) {
                Ok(valid) => return Ok(valid),
                Err(errors) => errors,
            },
            Err(crate::error::ApiError::Validation(errors)) => errors,
            Err(_) => ValidationErrors::default(),
        };
    Err(errors
        .errors
        .iter()
        .map(|e| RowProblem {
            line: household.line_of(&e.pointer),
            pointer: e.pointer.clone(),
            code: code_name(e),
            detail: e.detail.clone(),
        })
        .collect())
}

/// Households registered per transaction: one commit per household would dominate a
/// large import; a failure loses at most this many, and a rerun replays the rest.
const CHUNK: usize = 250;

/// One chunk of households, built and checked on an import worker.
type CheckedChunk = Vec<(
    ImportedHousehold,
    Result<shanyrak_core::ValidatedHousehold, Vec<RowProblem>>,
)>;

/// Registers what is valid and quarantines the rest; `dry_run` writes nothing and says
/// what would happen. `progress` is told (households done, households in all). Each
/// chunk is built and checked on the import workers; only the writes run here.
pub async fn run(
    state: &AppState,
    actor: &Actor,
    prepared: Arc<Prepared>,
    dry_run: bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<(ImportSummary, Vec<RowProblem>), ImportRunError> {
    let mut summary = ImportSummary {
        rows_read: prepared.rows_read,
        ..ImportSummary::default()
    };
    let mut problems = Vec::new();
    let total = prepared.households();
    // No row is written before the duplicate check can run.
    state.identity_ready().await?;
    // Possible duplicates are looked for in the organisation and in those sharing identity
    // data with it now (asked once per import, not once per household).
    let organisations = Arc::new(
        crate::partners::lookup_scope(
            state,
            actor,
            shanyrak_core::sharing::SharingCategory::Identity,
        )
        .await?
        .organisations,
    );
    let mut done = 0;
    while done < total {
        let range = done..(done + CHUNK).min(total);
        let chunk: CheckedChunk = {
            let prepared = prepared.clone();
            let range = range.clone();
            off_executor(move |_| {
                Ok(range
                    .filter_map(|i| prepared.household(i))
                    .map(|h| {
                        let checked = check(&h);
                        (h, checked)
                    })
                    .collect())
            })
            .await?
        };
        let mut valid = Vec::new();
        let mut held = Vec::new();
        for (household, checked) in chunk {
            match checked {
                Ok(v) => valid.push((household, v)),
                Err(found) => {
                    // The whole household waits: registering part of a family would split it.
                    summary.quarantined += household.lines.len();
                    held.extend(household.lines.iter().map(|line| RowToQuarantine {
                        line: i64::try_from(*line).unwrap_or(i64::MAX),
                        household_key: household.key.clone(),
                        document: household.document.clone(),
                        errors: json!(
                            found
                                .iter()
                                .filter(|p| p.line == *line || !p.pointer.starts_with("#/members/"))
                                .collect::<Vec<_>>()
                        ),
                    }));
                    problems.extend(found);
                }
            }
        }
        if dry_run {
            summary.households_created += valid.len();
            summary.persons_created += valid.iter().map(|(_, v)| v.members.len()).sum::<usize>();
        } else {
            state
                .store
                .quarantine_rows(actor, &prepared.digest, &held, Utc::now())
                .await?;
            let batch: Vec<_> = valid
                .into_iter()
                .map(|(household, v)| {
                    let canonical = serde_json::to_vec(&household.document).unwrap_or_default();
                    let key = IdempotencyRequest {
                        key: format!("import:{}:{}", prepared.digest, household.key),
                        request_hash: Sha256::digest(&canonical).to_vec(),
                    };
                    (v, key)
                })
                .collect();
            let outcomes = state
                .store
                .create_households_idempotent(actor, &batch, Utc::now())
                .await?;
            let mut created_ids = Vec::new();
            for outcome in outcomes {
                match outcome {
                    CreateOutcome::Created(receipt) => {
                        summary.households_created += 1;
                        summary.persons_created += receipt.member_ids.len();
                        created_ids.push(receipt.household_id);
                    }
                    CreateOutcome::Replayed(receipt) => {
                        summary.attached += receipt.member_ids.len();
                    }
                }
            }
            let created = state.store.get_households(actor, &created_ids).await?;
            // Indexing and duplicate search are CPU work: on a worker too.
            let (sent_to_review, queue, partners_found) = {
                let state = state.clone();
                let organisations = organisations.clone();
                let own = actor.organisation_id;
                off_executor(move |_| {
                    let mut sent = 0;
                    let mut queue = Vec::new();
                    let mut partners_found = Vec::new();
                    for household in &created {
                        // Indexed at once, so later rows of the same file can match it.
                        state.identity.apply_household(household);
                        // New persons have no decisions yet: every pair goes to review.
                        let (found, pairs) = crate::households::match_members(
                            &state,
                            household,
                            &organisations,
                            own,
                            |_, _| false,
                        )
                        .map_err(crate::error::ApiError::from)?;
                        sent += found
                            .values()
                            .filter(|c| c.iter().any(|c| c.organisation_id == own))
                            .count();
                        partners_found.extend(
                            found
                                .into_values()
                                .flatten()
                                .filter(|c| c.organisation_id != own),
                        );
                        queue.extend(pairs);
                    }
                    Ok((sent, queue, partners_found))
                })
                .await?
            };
            crate::partners::log_identity_matches(state, actor, &partners_found).await?;
            summary.sent_to_review += sent_to_review;
            state
                .store
                .enqueue_duplicates(actor, &queue, Utc::now())
                .await?;
        }
        done = range.end;
        progress(done, total);
    }
    Ok((summary, problems))
}

/// The summary as one JSON object (`--json`).
pub fn summary_json(summary: &ImportSummary) -> Value {
    serde_json::to_value(summary).unwrap_or(Value::Null)
}
