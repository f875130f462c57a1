//! The resettlement pipeline: receiving programmes, households proposed for them by
//! priority, their status, and the quota report.
//!
//! Scoping: a programme and its entries belong to one organisation; anyone else gets
//! `NotFound`. Only the organisation's own households are proposed.
//!
//! Quota and uniqueness: a proposal run first locks its organisation's row, then bumps
//! `proposal_runs` on the programme row; both locks are held until commit on PostgreSQL
//! (SQLite's write lock does the same). It then counts the persons already held and
//! proposes at most the rest, from households no programme holds. Runs of one
//! organisation, for one programme or for several, therefore follow one another: each
//! sees the entries of those before it, together they never exceed a quota, and no
//! household is proposed to two programmes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use shanyrak_core::resettlement::{
    Candidate, Criteria, PipelineEvent, PipelineStatus, Programme, QuotaReport, ValidatedProgramme,
    eligibility, pipeline_transition, rank, select_within_quota,
};
use shanyrak_core::{Action, Actor, Household, ReferenceCode};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Backend, Change, ColumnExt, HOUSEHOLD_COLUMNS, Repo, require, to_json};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// One household in a programme's pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResettlementEntry {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub household_id: Uuid,
    /// The household's reference code, to find its file.
    pub reference: ReferenceCode,
    /// Members when proposed: the places the entry holds while it counts.
    pub persons: u32,
    pub priority: u32,
    pub waiting_days: i64,
    pub status: PipelineStatus,
    /// Why it was rejected or withdrawn.
    pub reason: Option<String>,
    pub version: i64,
    pub proposed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What one proposal run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    /// The entries created, highest priority first.
    pub proposed: Vec<ResettlementEntry>,
    /// Eligible households not proposed because the quota is used up (or they do not fit
    /// in the places left).
    pub eligible_left_out: u32,
    /// Households of the organisation considered and found not eligible.
    pub ineligible: u32,
    /// Places (persons) left after this run.
    pub remaining: u32,
}

const PROGRAMME_COLUMNS: &str = "id, organisation_id, country, name, quota, criteria, created_at";

const ENTRY_COLUMNS: &str = "e.id, e.programme_id, e.household_id, h.reference, e.persons, e.priority, e.waiting_days, \
     e.status, e.reason, e.version, e.proposed_at, e.updated_at";

/// Households considered per batch when loading members (keeps bind lists short).
const HOUSEHOLD_BATCH: usize = 500;

fn to_u32(value: i32, column: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::corrupt(format!("negative {column}")))
}

#[queries]
impl<DB: Backend> Repo<DB> {
    fn resettlement_programme_from_row(row: &DB::Row) -> Result<Programme, StoreError> {
        Ok(Programme {
            id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            country: row.text("country", "unknown country")?,
            name: row.try_get("name")?,
            quota: to_u32(row.try_get("quota")?, "quota")?,
            criteria: row.json::<Criteria>("criteria")?,
            created_at: row.try_get("created_at")?,
        })
    }

    fn resettlement_entry_from_row(row: &DB::Row) -> Result<ResettlementEntry, StoreError> {
        Ok(ResettlementEntry {
            id: row.try_get("id")?,
            programme_id: row.try_get("programme_id")?,
            household_id: row.try_get("household_id")?,
            reference: row.text("reference", "unreadable household reference")?,
            persons: to_u32(row.try_get("persons")?, "persons")?,
            priority: to_u32(row.try_get("priority")?, "priority")?,
            waiting_days: i64::from(row.try_get::<i32, _>("waiting_days")?),
            status: row.parsed("status", PipelineStatus::parse)?,
            reason: row.try_get("reason")?,
            version: row.try_get("version")?,
            proposed_at: row.try_get("proposed_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// Creates a programme owned by the actor's organisation.
    pub async fn create_programme(
        &self,
        actor: &Actor,
        programme: &ValidatedProgramme,
        now: DateTime<Utc>,
    ) -> Result<Programme, StoreError> {
        require(actor, Action::ManageResettlement)?;
        let created = Programme {
            id: Uuid::now_v7(),
            organisation_id: actor.organisation_id,
            country: programme.country,
            name: programme.name.clone(),
            quota: programme.quota,
            criteria: programme.criteria.clone(),
            created_at: now,
        };
        let quota =
            i32::try_from(created.quota).map_err(|_| StoreError::corrupt("quota out of range"))?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        sqlx::query(
            "INSERT INTO resettlement_programmes (id, organisation_id, country, name, quota, criteria, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(created.id)
        .bind(created.organisation_id)
        .bind(created.country.to_string())
        .bind(created.name.clone())
        .bind(quota)
        .bind(Json(to_json(&created.criteria)?))
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let change = Change::created("resettlement_programme", created.id, &created)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn load_resettlement_programme(
        conn: &mut DB::Connection,
        organisation_id: Uuid,
        id: Uuid,
    ) -> Result<Programme, StoreError> {
        let sql = format!(
            "SELECT {PROGRAMME_COLUMNS} FROM resettlement_programmes WHERE id = $1 AND organisation_id = $2"
        );
        let row = Self::fetch_scoped(&mut *conn, &sql, id, organisation_id).await?;
        Self::resettlement_programme_from_row(&row)
    }

    /// A programme of the actor's organisation (no personal data).
    pub async fn get_programme(&self, actor: &Actor, id: Uuid) -> Result<Programme, StoreError> {
        require(actor, Action::ManageResettlement)?;
        let mut conn = self.reader.acquire().await?;
        Self::load_resettlement_programme(&mut conn, actor.organisation_id, id).await
    }

    /// The programmes of the actor's organisation, oldest first.
    pub async fn list_programmes(&self, actor: &Actor) -> Result<Vec<Programme>, StoreError> {
        require(actor, Action::ManageResettlement)?;
        let sql = format!(
            "SELECT {PROGRAMME_COLUMNS} FROM resettlement_programmes WHERE organisation_id = $1 ORDER BY id LIMIT 1000"
        );
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(&sql)
            .bind(actor.organisation_id)
            .fetch_all(&mut *conn)
            .await?;
        rows.iter()
            .map(Self::resettlement_programme_from_row)
            .collect()
    }

    async fn resettlement_persons_held(
        conn: &mut DB::Connection,
        programme_id: Uuid,
    ) -> Result<u32, StoreError> {
        let rows = sqlx::query("SELECT persons FROM resettlement_entries WHERE programme_id = $1 AND status IN ('proposed', 'submitted', 'accepted', 'departed')")
            .bind(programme_id)
            .fetch_all(&mut *conn)
            .await?;
        let mut held: u32 = 0;
        for row in rows {
            held = held.saturating_add(to_u32(row.try_get("persons")?, "persons")?);
        }
        Ok(held)
    }

    /// Proposes eligible households of the actor's organisation, by priority, up to the
    /// places left. Households already in this programme (in any status) or held by any
    /// programme's pipeline (proposed, submitted, accepted or departed) are not considered.
    pub async fn propose_for_programme(
        &self,
        actor: &Actor,
        programme_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Proposal, StoreError> {
        require(actor, Action::ManageResettlement)?;
        let today = crate::clock::local_date(now);
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        // The organisation's row first: it serialises every proposal run of the
        // organisation, whatever the programme, so a run sees the entries of any run that
        // committed before it and no household is proposed to two programmes at once.
        // (Only the organisation's own households are proposed.) A row lock on
        // PostgreSQL; SQLite's write lock does the same.
        sqlx::query("UPDATE organisations SET kind = kind WHERE id = $1")
            .bind(actor.organisation_id)
            .execute(&mut *tx)
            .await?;
        // Then the programme's row, which counts the runs.
        let locked = sqlx::query("UPDATE resettlement_programmes SET proposal_runs = proposal_runs + 1 WHERE id = $1 AND organisation_id = $2 RETURNING id")
            .bind(programme_id)
            .bind(actor.organisation_id)
            .fetch_optional(&mut *tx)
            .await?;
        if locked.is_none() {
            return Err(StoreError::NotFound);
        }
        let programme =
            Self::load_resettlement_programme(&mut tx, actor.organisation_id, programme_id).await?;
        let held = Self::resettlement_persons_held(&mut tx, programme_id).await?;
        let remaining = programme.quota.saturating_sub(held);

        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE organisation_id = $1 AND status = 'active' AND anonymised_at IS NULL AND id NOT IN \
             (SELECT household_id FROM resettlement_entries WHERE programme_id = $2 \
              OR status IN ('proposed', 'submitted', 'accepted', 'departed')) ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(actor.organisation_id)
            .bind(programme_id)
            .fetch_all(&mut *tx)
            .await?;
        let mut households: Vec<Household> = rows
            .iter()
            .map(Self::household_from_row)
            .collect::<Result<_, _>>()?;
        for chunk in households.chunks_mut(HOUSEHOLD_BATCH) {
            Self::attach_members(&mut tx, chunk).await?;
        }
        let mut candidates = Vec::new();
        let mut ineligible: u32 = 0;
        for household in &households {
            match eligibility(&programme.criteria, household, today) {
                Ok(()) => candidates.push(Candidate::of(household, today)),
                Err(_) => ineligible += 1,
            }
        }
        rank(&mut candidates);
        let chosen = select_within_quota(&candidates, remaining);
        let references: std::collections::HashMap<Uuid, ReferenceCode> =
            households.iter().map(|h| (h.id, h.reference)).collect();
        let mut proposed = Vec::with_capacity(chosen.len());
        for candidate in &chosen {
            let entry = ResettlementEntry {
                id: Uuid::now_v7(),
                programme_id,
                household_id: candidate.household_id,
                reference: *references
                    .get(&candidate.household_id)
                    .ok_or_else(|| StoreError::corrupt("candidate without household"))?,
                persons: candidate.persons,
                priority: candidate.priority,
                waiting_days: candidate.waiting_days,
                status: PipelineStatus::Proposed,
                reason: None,
                version: 1,
                proposed_at: now,
                updated_at: now,
            };
            sqlx::query(
                "INSERT INTO resettlement_entries (id, programme_id, organisation_id, household_id, persons, priority, waiting_days, \
                 status, reason, version, proposed_by, proposed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(entry.id)
            .bind(programme_id)
            .bind(actor.organisation_id)
            .bind(entry.household_id)
            .bind(i32::try_from(entry.persons).map_err(|_| StoreError::corrupt("persons out of range"))?)
            .bind(i32::try_from(entry.priority).map_err(|_| StoreError::corrupt("priority out of range"))?)
            .bind(i32::try_from(entry.waiting_days).unwrap_or(i32::MAX))
            .bind(entry.status.as_str().to_owned())
            .bind(None::<String>)
            .bind(entry.version)
            .bind(actor.user_id)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let change =
                Change::new("resettlement_entry", entry.id, "propose").after(to_json(&entry)?);
            Self::audit_by(&mut tx, actor, change, now).await?;
            proposed.push(entry);
        }
        tx.commit().await?;
        let used: u32 = chosen.iter().map(|c| c.persons).sum();
        let eligible_left_out = u32::try_from(candidates.len() - chosen.len()).unwrap_or(u32::MAX);
        self.log_access(
            actor,
            "propose_resettlement",
            Some(programme_id),
            None,
            json!({"proposed": proposed.len(), "considered": households.len()}),
            now,
        )
        .await?;
        Ok(Proposal {
            proposed,
            eligible_left_out,
            ineligible,
            remaining: remaining.saturating_sub(used),
        })
    }

    /// The entries of a programme of the actor's organisation, highest priority first.
    pub async fn list_resettlement_entries(
        &self,
        actor: &Actor,
        programme_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<ResettlementEntry>, StoreError> {
        require(actor, Action::ManageResettlement)?;
        let entries = {
            let mut conn = self.reader.acquire().await?;
            Self::load_resettlement_programme(&mut conn, actor.organisation_id, programme_id)
                .await?;
            let sql = format!(
                "SELECT {ENTRY_COLUMNS} FROM resettlement_entries e JOIN households h ON h.id = e.household_id \
                 WHERE e.programme_id = $1 AND e.organisation_id = $2 ORDER BY e.priority DESC, e.waiting_days DESC, e.household_id LIMIT 5000"
            );
            let rows = sqlx::query(&sql)
                .bind(programme_id)
                .bind(actor.organisation_id)
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(Self::resettlement_entry_from_row)
                .collect::<Result<Vec<_>, _>>()?
        };
        self.log_access(
            actor,
            "list_resettlement_entries",
            Some(programme_id),
            None,
            json!({"results": entries.len()}),
            now,
        )
        .await?;
        Ok(entries)
    }

    async fn load_resettlement_entry(
        conn: &mut DB::Connection,
        organisation_id: Uuid,
        id: Uuid,
    ) -> Result<ResettlementEntry, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM resettlement_entries e JOIN households h ON h.id = e.household_id \
             WHERE e.id = $1 AND e.organisation_id = $2"
        );
        let row = Self::fetch_scoped(&mut *conn, &sql, id, organisation_id).await?;
        Self::resettlement_entry_from_row(&row)
    }

    /// Moves an entry of the actor's organisation through the pipeline, with its audit
    /// event. `UPDATE … WHERE status = $from` so two concurrent moves cannot both win.
    pub async fn transition_resettlement_entry(
        &self,
        actor: &Actor,
        id: Uuid,
        event: &PipelineEvent,
        now: DateTime<Utc>,
    ) -> Result<ResettlementEntry, StoreError> {
        require(actor, Action::ManageResettlement)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let before = Self::load_resettlement_entry(&mut tx, actor.organisation_id, id).await?;
        let status = pipeline_transition(before.status, event).map_err(StoreError::Pipeline)?;
        let reason = event
            .reason()
            .map(str::to_owned)
            .or_else(|| before.reason.clone());
        let updated = sqlx::query("UPDATE resettlement_entries SET status = $1, reason = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND status = $5 RETURNING id")
            .bind(status.as_str().to_owned())
            .bind(reason.clone())
            .bind(now)
            .bind(id)
            .bind(before.status.as_str().to_owned())
            .fetch_optional(&mut *tx)
            .await?;
        if updated.is_none() {
            return Err(StoreError::Pipeline(
                shanyrak_core::resettlement::PipelineTransitionError,
            ));
        }
        let after = ResettlementEntry {
            status,
            reason,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        let change = Change::updated("resettlement_entry", id, status.as_str(), &before, &after)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Persons and households per status against the quota (figures only).
    pub async fn resettlement_report(
        &self,
        actor: &Actor,
        programme_id: Uuid,
    ) -> Result<QuotaReport, StoreError> {
        require(actor, Action::ManageResettlement)?;
        let mut conn = self.reader.acquire().await?;
        let programme =
            Self::load_resettlement_programme(&mut conn, actor.organisation_id, programme_id)
                .await?;
        let rows =
            sqlx::query("SELECT status, persons FROM resettlement_entries WHERE programme_id = $1")
                .bind(programme_id)
                .fetch_all(&mut *conn)
                .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            entries.push((
                row.parsed("status", PipelineStatus::parse)?,
                to_u32(row.try_get("persons")?, "persons")?,
            ));
        }
        Ok(QuotaReport::from_entries(
            programme_id,
            programme.quota,
            entries,
        ))
    }
}
