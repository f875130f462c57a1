//! Running an import: the households a file holds, each validated and registered like an
//! API registration, or kept in the quarantine with its reasons. Used by `shanyrak
//! import` and by the web interface's upload.
//!
//! Importing the same file twice creates nothing: each household is registered with the
//! idempotency key `import:<file digest>:<household key>`, so a second run replays the
//! first's receipts, and the quarantine keeps each file line once.

use chrono::Utc;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shanyrak_core::household::validate;
use shanyrak_core::{Actor, FieldError, ValidationErrors};
use shanyrak_import::{ImportedHousehold, Mapping};
use shanyrak_store::{CreateOutcome, IdempotencyRequest, RowToQuarantine, StoreError};

use crate::AppState;
use crate::households::validation_context;

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
    File(#[from] shanyrak_import::ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0:?}")]
    Api(crate::error::ApiError),
}

impl From<crate::error::ApiError> for ImportRunError {
    fn from(e: crate::error::ApiError) -> Self {
        ImportRunError::Api(e)
    }
}

/// A file read and mapped, before anything is written.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub digest: String,
    pub headers: Vec<String>,
    pub mapping: Mapping,
    pub households: Vec<ImportedHousehold>,
    pub rows_read: usize,
}

/// Values for rows whose list has no such column (a list kept at one desk rarely says
/// which country it is in); a mapping file's defaults win.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub country: Option<String>,
    pub city: Option<String>,
}

pub fn prepare(
    bytes: &[u8],
    mapping_file: Option<&str>,
    defaults: &Defaults,
) -> Result<Prepared, ImportRunError> {
    let table = shanyrak_import::read_any(bytes)?;
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
    let households = shanyrak_import::households(&table, &mapping)?;
    let rows_read = households.iter().map(|h| h.lines.len()).sum();
    Ok(Prepared {
        digest: shanyrak_import::digest(bytes),
        headers: table.headers,
        mapping,
        households,
        rows_read,
    })
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

/// Registers what is valid and quarantines the rest; `dry_run` writes nothing and says
/// what would happen. `progress` is told (households done, households in all).
pub async fn run(
    state: &AppState,
    actor: &Actor,
    prepared: &Prepared,
    dry_run: bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<(ImportSummary, Vec<RowProblem>), ImportRunError> {
    let mut summary = ImportSummary {
        rows_read: prepared.rows_read,
        ..ImportSummary::default()
    };
    let mut problems = Vec::new();
    let total = prepared.households.len();
    // Possible duplicates are looked for in the organisation and in those sharing identity
    // data with it now (asked once per import, not once per household).
    let organisations = crate::partners::lookup_scope(
        state,
        actor,
        shanyrak_core::sharing::SharingCategory::Identity,
    )
    .await?
    .organisations;
    let mut done = 0;
    for chunk in prepared.households.chunks(CHUNK) {
        let mut valid = Vec::new();
        let mut held = Vec::new();
        for household in chunk {
            match check(household) {
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
            let mut queue = Vec::new();
            for outcome in outcomes {
                match outcome {
                    CreateOutcome::Created(receipt) => {
                        summary.households_created += 1;
                        summary.persons_created += receipt.member_ids.len();
                        let household = state
                            .store
                            .get_household(actor, receipt.household_id)
                            .await?;
                        // Indexed at once, so later rows of the same file can match it.
                        state.identity.apply_household(&household);
                        // New persons have no decisions yet: every pair goes to review.
                        let (found, pairs) = crate::households::match_members(
                            state,
                            &household,
                            &organisations,
                            actor.organisation_id,
                            |_, _| false,
                        );
                        crate::partners::log_identity_matches(
                            state,
                            actor,
                            found.values().flatten(),
                        )
                        .await?;
                        summary.sent_to_review += found
                            .values()
                            .filter(|c| {
                                c.iter().any(|c| c.organisation_id == actor.organisation_id)
                            })
                            .count();
                        queue.extend(pairs);
                    }
                    CreateOutcome::Replayed(receipt) => {
                        summary.attached += receipt.member_ids.len();
                    }
                }
            }
            state
                .store
                .enqueue_duplicates(actor, &queue, Utc::now())
                .await?;
        }
        done += chunk.len();
        progress(done, total);
    }
    Ok((summary, problems))
}

/// The summary as one JSON object (`--json`).
pub fn summary_json(summary: &ImportSummary) -> Value {
    serde_json::to_value(summary).unwrap_or(Value::Null)
}
