//! Data protection: retention, erasure on request and subject access.
//!
//! Anonymising a person keeps the row, so the figures do not change: year of birth (the
//! birth date is cut to its year), sex, citizenship, relationship, the household's
//! population group, city, crossing point and dates, and the ids that stays, distributions
//! and resolved identities point to. Everything that names or describes the person goes:
//! names, documents, the rest of the birth date, vulnerabilities, case assessments, plans,
//! appointments and notes, referral answers; for a household also its phone, region and
//! notes. An anonymised person is no longer a member of any household view, so they drop
//! out of search, the identity index and duplicate lookup; their pending review pairs are
//! deleted. The payloads of audit events that mention them are erased (chain v2, see
//! `audit_chain.rs`), and the erasing event lists them.
//!
//! Erasure on request is the same for one person, plus: import quarantine rows that hold
//! their names or document numbers, idempotency receipts that hold their id, and the
//! organisation's pending import uploads are deleted. When the last member of a household
//! is erased, the household is anonymised too.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use shanyrak_core::retention::{RetentionCutoffs, RetentionPolicy};
use shanyrak_core::{Action, Household};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::sharing::{self, Agreement};
use super::{AccessEntry, Backend, Change, Principal, Repo, Stay};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// What an erasure removed (counts and ids only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureReport {
    pub person_id: Uuid,
    pub household_id: Uuid,
    /// The household had no other member left and was anonymised too.
    pub household_anonymised: bool,
    pub audit_events_erased: usize,
    pub quarantine_rows_deleted: usize,
    pub review_pairs_deleted: usize,
    pub idempotency_receipts_deleted: usize,
    pub import_uploads_deleted: usize,
}

/// What a retention run anonymised and deleted (or would, on a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    pub dry_run: bool,
    pub policy: RetentionPolicy,
    pub identity_before: DateTime<Utc>,
    pub quarantine_before: DateTime<Utc>,
    pub households_anonymised: usize,
    pub persons_anonymised: usize,
    pub audit_events_erased: usize,
    pub quarantine_rows_deleted: usize,
    /// Unconfirmed pre-registrations past their expiry.
    pub pre_registrations_deleted: usize,
    /// Host offers that never became a site (rejected, or withdrawn before verification)
    /// and were last changed before `quarantine_before`: the host's address and contact.
    pub host_offers_deleted: usize,
}

/// A distribution share received by the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(sqlx::FromRow)]
pub struct ReceivedItem {
    #[sqlx(rename = "id")]
    pub distribution_id: Uuid,
    pub organisation_id: Uuid,
    pub distributed_on: NaiveDate,
    #[sqlx(rename = "name")]
    pub item: String,
    pub quantity: i64,
}

/// A referral about the person: to whom, for what, and where it stands (not the fields
/// shared, which the receiving organisation's answer to the person covers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(sqlx::FromRow)]
pub struct ReferralSummary {
    pub id: Uuid,
    pub to_organisation_id: Uuid,
    pub service: String,
    pub state: String,
    pub sent_at: DateTime<Utc>,
}

/// A write about the person or their household: who, when, what (not the content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(sqlx::FromRow)]
pub struct AuditSummary {
    pub at: DateTime<Utc>,
    #[sqlx(rename = "actor_label")]
    pub actor: String,
    pub entity: String,
    pub action: String,
}

/// Everything held about one person, as the asking role may see it (subject access).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectAccess {
    pub generated_at: DateTime<Utc>,
    pub person_id: Uuid,
    /// The household with this person as its only member shown (other members' data is
    /// theirs), redacted for the asking role like any other read.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub household: Household,
    /// Stays (beds) that included the person.
    pub stays: Vec<Stay>,
    /// What the person received, with their share of each distribution.
    pub received: Vec<ReceivedItem>,
    /// Cases about the person or their household, when the asking role may read cases
    /// (caseworkers); otherwise only how many exist.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub cases: Vec<Value>,
    pub cases_withheld: usize,
    pub referrals: Vec<ReferralSummary>,
    /// Agreements under which the owning organisation shares data with others, in force
    /// or not (categories, purpose, last day).
    pub shared_with: Vec<Agreement>,
    /// Reads of the person's or household's record (who, when, why).
    pub access_log: Vec<AccessEntry>,
    /// Writes about the person or household (who, when, what).
    pub audit_trail: Vec<AuditSummary>,
}

/// Lower-case text of a quarantined row and the names and numbers to look for in it.
fn mentions(haystack: &str, names: &[String], numbers: &[String]) -> bool {
    let text = haystack.to_lowercase();
    let compact: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
    let names_match = !names.is_empty() && names.iter().all(|n| text.contains(n.as_str()));
    let number_match = numbers
        .iter()
        .any(|n| n.len() >= 4 && compact.contains(n.as_str()));
    names_match || number_match
}

/// Host offers retention deletes (`$1`: the quarantine cut-off): those that never became
/// a site and were rejected or withdrawn. Pending offers wait for a coordinator; a
/// verified one is a site and stays with it.
const SETTLED_HOST_OFFERS: &str =
    "site_id IS NULL AND status IN ('rejected', 'withdrawn') AND updated_at < $1";

fn empty_list() -> Json<Value> {
    Json(Value::Array(Vec::new()))
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Erases one person's personal data everywhere (see the module documentation); on
    /// SQLite the WAL is then checkpointed and emptied so no old frame keeps a copy.
    pub async fn erase_person(
        &self,
        by: &Principal,
        person_id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<ErasureReport, StoreError> {
        let report = self.erase_person_rows(by, person_id, reason, now).await?;
        self.checkpoint().await?;
        Ok(report)
    }

    /// Anonymises what is past retention and deletes old quarantined rows (operator only).
    pub async fn apply_retention(
        &self,
        by: &Principal,
        policy: &RetentionPolicy,
        dry_run: bool,
        now: DateTime<Utc>,
    ) -> Result<RetentionReport, StoreError> {
        // Once at a time across every process on the database: two runs would anonymise
        // the same households side by side.
        let Some(lock) = DB::try_lock_job(&self.writer, super::Job::Retention).await? else {
            return Err(StoreError::JobRunning("the retention policy"));
        };
        let report = self.apply_retention_rows(by, policy, dry_run, now).await;
        lock.release().await;
        let report = report?;
        if !dry_run {
            self.checkpoint().await?;
        }
        Ok(report)
    }

    /// Runs `delete` (its `$1`: the cut-off) and, when it removed rows, audits how many as
    /// one `retention_delete` event of `entity` with `summary` of the count.
    #[allow(clippy::too_many_arguments)]
    async fn delete_past_retention(
        conn: &mut DB::Connection,
        by: &Principal,
        delete: &str,
        cutoff: DateTime<Utc>,
        entity: &str,
        summary: impl FnOnce(usize) -> Value,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let deleted = sqlx::query(delete)
            .bind(cutoff)
            .fetch_all(&mut *conn)
            .await?
            .len();
        if deleted > 0 {
            let change =
                Change::new(entity, Uuid::now_v7(), "retention_delete").after(summary(deleted));
            Self::audit(conn, by, None, change, now).await?;
        }
        Ok(deleted)
    }

    /// SQLite: empties the WAL into the file. PostgreSQL: nothing (dead row versions stay
    /// until autovacuum; see docs/THREAT_MODEL.md).
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        DB::checkpoint(&self.writer).await
    }

    /// Removes what names or describes one person, keeping the row for the figures.
    async fn scrub_person(
        conn: &mut DB::Connection,
        person_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE persons SET surname = '', given_name = '', patronymic = NULL, \
             birth_date = CAST(birth_year AS TEXT), vulnerabilities = $1, \
             anonymised_at = COALESCE(anonymised_at, $2) WHERE id = $3",
        )
        .bind(empty_list())
        .bind(now)
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM documents WHERE person_id = $1")
            .bind(person_id)
            .execute(&mut *conn)
            .await?;
        Self::scrub_case_text(conn, "person_id", person_id).await
    }

    /// Case notes, assessments, plans, appointments and referral answers of the cases and
    /// referrals whose `column` (`person_id` or `household_id`) is `id`.
    async fn scrub_case_text(
        conn: &mut DB::Connection,
        column: &'static str,
        id: Uuid,
    ) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "DELETE FROM case_notes WHERE case_id IN (SELECT id FROM cases WHERE {column} = $1)"
        ))
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(&format!(
            "UPDATE cases SET assessments = $1, plan = $1, appointments = $1, status_reason = NULL WHERE {column} = $2"
        ))
        .bind(empty_list())
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(&format!(
            "UPDATE referrals SET decline_reason = NULL, outcome = NULL WHERE {column} = $1"
        ))
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Pending and "different" review pairs of the persons (a "same" decision stays: it
    /// holds ids only and keeps the resolved identity that the figures count by).
    async fn delete_review_pairs(
        conn: &mut DB::Connection,
        person_ids: &[Uuid],
    ) -> Result<usize, StoreError> {
        let mut deleted = 0;
        for id in person_ids {
            let rows = sqlx::query(
                "DELETE FROM duplicate_candidates WHERE (person_a = $1 OR person_b = $1) AND status <> 'same' RETURNING id",
            )
            .bind(*id)
            .fetch_all(&mut *conn)
            .await?;
            deleted += rows.len();
        }
        Ok(deleted)
    }

    /// Anonymises a household row and everything free-text attached to it.
    async fn scrub_household(
        conn: &mut DB::Connection,
        household_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE households SET phone = NULL, region = NULL, notes = NULL, current_place_id = NULL, \
             current_latitude = NULL, current_longitude = NULL, anonymised_at = COALESCE(anonymised_at, $1) WHERE id = $2",
        )
        .bind(now)
        .bind(household_id)
        .execute(&mut *conn)
        .await?;
        Self::scrub_case_text(conn, "household_id", household_id).await?;
        sqlx::query("UPDATE distributions SET override_reason = NULL WHERE household_id = $1")
            .bind(household_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE resettlement_entries SET reason = NULL WHERE household_id = $1")
            .bind(household_id)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Idempotency receipts that name any of the ids (a replay after this registers anew).
    async fn delete_receipts(conn: &mut DB::Connection, ids: &[Uuid]) -> Result<usize, StoreError> {
        let mut deleted = 0;
        for id in ids {
            let rows = sqlx::query(
                "DELETE FROM idempotency_keys WHERE CAST(receipt AS TEXT) LIKE $1 RETURNING key",
            )
            .bind(format!("%{id}%"))
            .fetch_all(&mut *conn)
            .await?;
            deleted += rows.len();
        }
        Ok(deleted)
    }

    /// Erases one person's personal data everywhere, on their request (see the module
    /// documentation). Admins of the owning organisation, or the operator.
    async fn erase_person_rows(
        &self,
        by: &Principal,
        person_id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<ErasureReport, StoreError> {
        by.require(Action::EraseSubject)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        // Serialise with the sealer first, so no event is sealed half-way through.
        Self::lock_audit_chain(&mut tx).await?;
        let row = sqlx::query(
            "SELECT p.household_id, p.surname, p.given_name, h.organisation_id FROM persons p \
             JOIN households h ON h.id = p.household_id WHERE p.id = $1",
        )
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let household_id: Uuid = row.try_get("household_id")?;
        let organisation_id: Uuid = row.try_get("organisation_id")?;
        by.require_own(organisation_id)?;
        let names: Vec<String> = [
            row.try_get::<String, _>("surname")?,
            row.try_get::<String, _>("given_name")?,
        ]
        .into_iter()
        .map(|n| n.trim().to_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
        let numbers: Vec<String> =
            sqlx::query("SELECT number FROM documents WHERE person_id = $1 AND number IS NOT NULL")
                .bind(person_id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("number"))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .map(|n| {
                    n.to_lowercase()
                        .chars()
                        .filter(|c| c.is_alphanumeric())
                        .collect()
                })
                .collect();

        Self::scrub_person(&mut tx, person_id, now).await?;
        let review_pairs_deleted = Self::delete_review_pairs(&mut tx, &[person_id]).await?;
        let others: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM persons WHERE household_id = $1 AND removed_at IS NULL AND anonymised_at IS NULL",
        )
        .bind(household_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        let household_anonymised = others == 0;
        let mut about = vec![person_id];
        if household_anonymised {
            Self::scrub_household(&mut tx, household_id, now).await?;
            about.push(household_id);
        }
        let mentioning = Self::audit_events_mentioning(&mut tx, &about).await?;
        let erased = Self::erase_audit_payloads(&mut tx, &mentioning).await?;

        // Quarantined import rows of the organisation that hold the person's names or
        // document numbers (compared in lower case, numbers without separators).
        let quarantined = sqlx::query(
            "SELECT id, household_key, document FROM import_quarantine WHERE organisation_id = $1",
        )
        .bind(organisation_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut quarantine_rows_deleted = 0;
        for q in &quarantined {
            let document: Json<Value> = q.try_get("document")?;
            let key: String = q.try_get("household_key")?;
            if mentions(&format!("{key} {}", document.0), &names, &numbers) {
                sqlx::query("DELETE FROM import_quarantine WHERE id = $1")
                    .bind(q.try_get::<Uuid, _>("id")?)
                    .execute(&mut *tx)
                    .await?;
                quarantine_rows_deleted += 1;
            }
        }
        let idempotency_receipts_deleted = Self::delete_receipts(&mut tx, &[person_id]).await?;
        // Uploads are files (possibly compressed) waiting a day at most for confirmation;
        // they cannot be searched, so the organisation's pending ones go.
        let import_uploads_deleted =
            sqlx::query("DELETE FROM import_uploads WHERE organisation_id = $1 RETURNING id")
                .bind(organisation_id)
                .fetch_all(&mut *tx)
                .await?
                .len();

        let report = ErasureReport {
            person_id,
            household_id,
            household_anonymised,
            audit_events_erased: erased.len(),
            quarantine_rows_deleted,
            review_pairs_deleted,
            idempotency_receipts_deleted,
            import_uploads_deleted,
        };
        // The household's event: the identity index re-reads the household and drops the
        // person. Lists the erased events, so verification can tell erasure from tampering.
        let change = Change::new(
            "household",
            household_id,
            super::audit_chain::ERASURE_ACTIONS[0],
        )
        .after(json!({
            "person_id": person_id,
            "reason": reason,
            "household_anonymised": household_anonymised,
            "erased_events": erased,
            "quarantine_rows_deleted": quarantine_rows_deleted,
            "review_pairs_deleted": review_pairs_deleted,
            "idempotency_receipts_deleted": idempotency_receipts_deleted,
            "import_uploads_deleted": import_uploads_deleted,
        }));
        Self::audit(&mut tx, by, Some(organisation_id), change, now).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Households whose identity data is past retention (see `core::retention`).
    async fn households_past_retention(
        &self,
        cut: &RetentionCutoffs,
        now: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(
            "SELECT h.id FROM households h WHERE h.anonymised_at IS NULL AND h.updated_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.household_id = h.id AND (s.updated_at >= $1 \
                 OR s.status = 'checked_in' OR (s.status = 'reserved' AND s.reserved_until > $2))) \
             AND NOT EXISTS (SELECT 1 FROM distributions d WHERE d.household_id = h.id AND d.recorded_at >= $1) \
             AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.household_id = h.id AND c.updated_at >= $1) \
             AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.household_id = h.id AND r.updated_at >= $1) \
             ORDER BY h.id",
        )
        .bind(cut.identity_before)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<Uuid, _>("id")?))
            .collect()
    }

    /// Anonymises every household past its identity retention, deletes quarantined
    /// import rows past theirs and unconfirmed pre-registrations past their 72 hours.
    /// The operator only (`shanyrak admin apply-retention`). One
    /// transaction and one audit event per household, one for the quarantine.
    async fn apply_retention_rows(
        &self,
        by: &Principal,
        policy: &RetentionPolicy,
        dry_run: bool,
        now: DateTime<Utc>,
    ) -> Result<RetentionReport, StoreError> {
        if !matches!(by, Principal::System(_)) {
            return Err(StoreError::Forbidden);
        }
        let cut = policy.cutoffs(now);
        let households = self.households_past_retention(&cut, now).await?;
        let mut report = RetentionReport {
            dry_run,
            policy: *policy,
            identity_before: cut.identity_before,
            quarantine_before: cut.quarantine_before,
            households_anonymised: 0,
            persons_anonymised: 0,
            audit_events_erased: 0,
            quarantine_rows_deleted: 0,
            pre_registrations_deleted: 0,
            host_offers_deleted: 0,
        };
        if dry_run {
            let mut conn = self.reader.acquire().await?;
            for h in &households {
                let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM persons WHERE household_id = $1 AND anonymised_at IS NULL")
                    .bind(*h)
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get("n")?;
                report.persons_anonymised += usize::try_from(n).unwrap_or_default();
            }
            report.households_anonymised = households.len();
            let n: i64 =
                sqlx::query("SELECT COUNT(*) AS n FROM import_quarantine WHERE created_at < $1")
                    .bind(cut.quarantine_before)
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get("n")?;
            report.quarantine_rows_deleted = usize::try_from(n).unwrap_or_default();
            let n: i64 =
                sqlx::query("SELECT COUNT(*) AS n FROM pre_registrations WHERE expires_at <= $1")
                    .bind(now)
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get("n")?;
            report.pre_registrations_deleted = usize::try_from(n).unwrap_or_default();
            let n: i64 = sqlx::query(&format!(
                "SELECT COUNT(*) AS n FROM host_offers WHERE {SETTLED_HOST_OFFERS}"
            ))
            .bind(cut.quarantine_before)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
            report.host_offers_deleted = usize::try_from(n).unwrap_or_default();
            return Ok(report);
        }
        for household_id in households {
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            Self::lock_audit_chain(&mut tx).await?;
            let row = sqlx::query(
                "SELECT organisation_id FROM households WHERE id = $1 AND anonymised_at IS NULL",
            )
            .bind(household_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else { continue };
            let organisation_id: Uuid = row.try_get("organisation_id")?;
            let persons: Vec<Uuid> = sqlx::query(
                "SELECT id FROM persons WHERE household_id = $1 AND anonymised_at IS NULL",
            )
            .bind(household_id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<Uuid, _>("id"))
            .collect::<Result<_, _>>()?;
            for p in &persons {
                Self::scrub_person(&mut tx, *p, now).await?;
            }
            Self::scrub_household(&mut tx, household_id, now).await?;
            Self::delete_review_pairs(&mut tx, &persons).await?;
            let mut about = persons.clone();
            about.push(household_id);
            Self::delete_receipts(&mut tx, &about).await?;
            let mentioning = Self::audit_events_mentioning(&mut tx, &about).await?;
            let erased = Self::erase_audit_payloads(&mut tx, &mentioning).await?;
            let change = Change::new(
                "household",
                household_id,
                super::audit_chain::ERASURE_ACTIONS[1],
            )
            .after(json!({
                "reason": "retention",
                "identity_before": cut.identity_before,
                "persons": persons.len(),
                "erased_events": erased,
            }));
            Self::audit(&mut tx, by, Some(organisation_id), change, now).await?;
            tx.commit().await?;
            report.households_anonymised += 1;
            report.persons_anonymised += persons.len();
            report.audit_events_erased += erased.len();
        }
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let before = cut.quarantine_before;
        let deleted = Self::delete_past_retention(
            &mut tx,
            by,
            "DELETE FROM import_quarantine WHERE created_at < $1 RETURNING id",
            before,
            "import",
            |rows| json!({ "rows": rows, "created_before": before }),
            now,
        )
        .await?;
        let settled = Self::delete_past_retention(
            &mut tx,
            by,
            &format!("DELETE FROM host_offers WHERE {SETTLED_HOST_OFFERS} RETURNING id"),
            before,
            "host_offer",
            |offers| json!({ "offers": offers, "changed_before": before }),
            now,
        )
        .await?;
        // Unconfirmed pre-registrations were never records: deleted, not audited (their
        // creation was not either), with the rate-limit counters of past windows.
        let expired =
            sqlx::query("DELETE FROM pre_registrations WHERE expires_at <= $1 RETURNING id")
                .bind(now)
                .fetch_all(&mut *tx)
                .await?
                .len();
        sqlx::query("DELETE FROM public_submissions WHERE window_start < $1")
            .bind(now - chrono::Duration::minutes(super::PRE_REGISTRATION_WINDOW_MINUTES))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        report.quarantine_rows_deleted = deleted;
        report.pre_registrations_deleted = expired;
        report.host_offers_deleted = settled;
        Ok(report)
    }

    /// Everything held about one person, for them (subject access): admins and registrars
    /// of the owning organisation, or the operator. Logged before it is returned: in the
    /// access log for a user, in the audit log for the operator.
    pub async fn subject_access(
        &self,
        by: &Principal,
        person_id: Uuid,
        purpose: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<SubjectAccess, StoreError> {
        by.require(Action::SubjectAccess)?;
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query(
            "SELECT p.household_id, h.organisation_id FROM persons p JOIN households h ON h.id = p.household_id \
             WHERE p.id = $1 AND p.anonymised_at IS NULL AND h.anonymised_at IS NULL",
        )
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let household_id: Uuid = row.try_get("household_id")?;
        let organisation_id: Uuid = row.try_get("organisation_id")?;
        by.require_own(organisation_id)?;
        let mut household = Self::load_household(
            &mut conn,
            Some(organisation_id),
            "id",
            super::HouseholdKey::Id(household_id),
        )
        .await?;
        household.members.retain(|m| m.id == person_id);
        if household.members.is_empty() {
            // Removed from the household by an edit: the subject is still the person.
            let sql = format!(
                "SELECT {} FROM persons WHERE id = $1",
                super::households::PERSON_COLUMNS
            );
            let p = sqlx::query(&sql)
                .bind(person_id)
                .fetch_one(&mut *conn)
                .await?;
            household.members.push(Self::person_from_row(&p)?.1);
        }
        let household = match by {
            Principal::User(actor) => household.redacted_for(actor),
            Principal::System(_) => household,
        };

        let sql = format!(
            "SELECT {} FROM stays WHERE household_id = $1 AND id IN (SELECT stay_id FROM stay_members WHERE person_id = $2) ORDER BY id",
            super::stays::STAY_COLUMNS
        );
        let stay_rows = sqlx::query(&sql)
            .bind(household_id)
            .bind(person_id)
            .fetch_all(&mut *conn)
            .await?;
        let mut stays = Vec::with_capacity(stay_rows.len());
        for r in &stay_rows {
            let members = Self::stay_members(&mut conn, r.try_get("id")?).await?;
            stays.push(Self::stay_from_row(r, members, now)?);
        }

        let received: Vec<ReceivedItem> = sqlx::query_as(
            "SELECT d.id, d.organisation_id, d.distributed_on, i.name, s.quantity FROM distribution_shares s \
             JOIN distributions d ON d.id = s.distribution_id JOIN items i ON i.id = s.item_id \
             WHERE s.person_id = $1 AND s.quantity > 0 ORDER BY d.id",
        )
        .bind(person_id)
        .fetch_all(&mut *conn)
        .await?;

        let case_ids: Vec<Uuid> = sqlx::query(
            "SELECT id FROM cases WHERE household_id = $1 AND (person_id IS NULL OR person_id = $2) ORDER BY id",
        )
        .bind(household_id)
        .bind(person_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<Uuid, _>("id"))
        .collect::<Result<_, _>>()?;
        let mut cases = Vec::new();
        let mut cases_withheld = 0;
        match by {
            Principal::User(actor) if actor.may(Action::ManageCases) => {
                drop(conn);
                for id in &case_ids {
                    cases.push(super::to_json(&self.get_case(actor, *id, now).await?)?);
                }
                conn = self.reader.acquire().await?;
            }
            _ => cases_withheld = case_ids.len(),
        }

        let referrals: Vec<ReferralSummary> = sqlx::query_as(
            "SELECT id, to_organisation_id, service, state, sent_at FROM referrals WHERE person_id = $1 ORDER BY id",
        )
        .bind(person_id)
        .fetch_all(&mut *conn)
        .await?;

        let sql = format!(
            "SELECT {} FROM sharing_agreements WHERE from_organisation_id = $1 ORDER BY id",
            sharing::COLUMNS
        );
        let shared_with = sqlx::query(&sql)
            .bind(organisation_id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Self::agreement_from_row(r, now))
            .collect::<Result<Vec<_>, _>>()?;

        let access_log: Vec<AccessEntry> = sqlx::query_as(
            "SELECT id, at, user_id, action, entity_id, purpose, detail FROM access_log \
             WHERE entity_id = $1 OR entity_id = $2 ORDER BY id",
        )
        .bind(person_id)
        .bind(household_id)
        .fetch_all(&mut *conn)
        .await?;

        let audit_trail: Vec<AuditSummary> = sqlx::query_as(
            "SELECT at, actor_label, entity, action FROM audit_events WHERE entity_id = $1 OR entity_id = $2 ORDER BY id",
        )
        .bind(person_id)
        .bind(household_id)
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);

        let detail = json!({ "stays": stays.len(), "cases": case_ids.len(), "access_entries": access_log.len() });
        match by {
            Principal::User(actor) => {
                self.log_access(
                    actor,
                    "subject_access",
                    Some(person_id),
                    purpose,
                    detail,
                    now,
                )
                .await?;
            }
            Principal::System(_) => {
                let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
                let change = Change::new("person", person_id, "subject_access").after(detail);
                Self::audit(&mut tx, by, Some(organisation_id), change, now).await?;
                tx.commit().await?;
            }
        }
        Ok(SubjectAccess {
            generated_at: now,
            person_id,
            household,
            stays,
            received,
            cases,
            cases_withheld,
            referrals,
            shared_with,
            access_log,
            audit_trail,
        })
    }
}
