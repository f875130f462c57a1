//! The access log: every read of a personal record, every search, every export, with the
//! user, their organisation and the purpose they gave. Kept apart from the write audit
//! (which has exactly one event per change) and append-only.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use shanyrak_core::{Action, Actor};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Backend, Change, Repo, require};
use crate::StoreError;
use shanyrak_store_macros::queries;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(sqlx::FromRow)]
pub struct AccessEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub user_id: Uuid,
    /// What was read: `read_household`, `list_households`, `search_persons`, …
    pub action: String,
    pub entity_id: Option<Uuid>,
    pub purpose: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[sqlx(json)]
    pub detail: Value,
}

/// A record of another organisation read on a user's behalf under an agreement: it goes
/// into the owner's access log, so the owner sees who outside looked their people up.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerRead {
    /// The organisation that owns the record read.
    pub owner: Uuid,
    /// `partner_identity_lookup`, `partner_shelter_lookup`, …
    pub action: &'static str,
    /// The owner's record (a person id).
    pub entity_id: Uuid,
}

/// The smallest version-7 UUID of `at`'s millisecond: access-log ids are time-ordered, so
/// "since `at`" is a range on the primary key (and on the per-organisation index).
fn uuid_v7_floor(at: DateTime<Utc>) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    bytes[6] = 0x70;
    bytes[8] = 0x80;
    Uuid::from_bytes(bytes)
}

/// Longest purpose kept; a purpose is a short statement, not a document.
const MAX_PURPOSE_CHARS: usize = 200;

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Records one read. Called before the data is returned: if it cannot be recorded, the
    /// data is not shown.
    pub async fn log_access(
        &self,
        actor: &Actor,
        action: &str,
        entity_id: Option<Uuid>,
        purpose: Option<&str>,
        detail: Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let purpose = purpose
            .map(|p| {
                p.chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_PURPOSE_CHARS)
                    .collect::<String>()
            })
            .filter(|p| !p.trim().is_empty());
        let mut conn = self.writer.acquire().await?;
        sqlx::query(
            "INSERT INTO access_log (id, at, user_id, organisation_id, action, entity_id, purpose, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::now_v7())
        .bind(now)
        .bind(actor.user_id)
        .bind(actor.organisation_id)
        .bind(action.to_owned())
        .bind(entity_id)
        .bind(purpose)
        .bind(Json(detail))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Counts a look-up in other organisations' records against the user's hourly limit and
    /// records it in their own organisation's access log. `false`: over the limit, nothing
    /// recorded, and the caller must not look.
    pub async fn claim_cross_org_lookup(
        &self,
        actor: &Actor,
        kind: &str,
        per_hour: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        // The user's row lock serialises one user's concurrent claims on PostgreSQL (SQLite
        // has one writer), so the limit holds under a burst.
        sqlx::query("UPDATE users SET disabled = disabled WHERE id = $1")
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM access_log WHERE organisation_id = $1 AND id >= $2 AND user_id = $3 \
             AND action = 'cross_org_lookup'",
        )
        .bind(actor.organisation_id)
        .bind(uuid_v7_floor(now - chrono::Duration::hours(1)))
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await?;
        if row.try_get::<i64, _>("n")? >= i64::from(per_hour) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO access_log (id, at, user_id, organisation_id, action, entity_id, purpose, detail) \
             VALUES ($1, $2, $3, $4, 'cross_org_lookup', NULL, NULL, $5)",
        )
        .bind(Uuid::now_v7())
        .bind(now)
        .bind(actor.user_id)
        .bind(actor.organisation_id)
        .bind(Json(serde_json::json!({ "kind": kind })))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records in each owner's access log the records of theirs read on `actor`'s behalf.
    pub async fn log_partner_reads(
        &self,
        actor: &Actor,
        reads: &[PartnerRead],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if reads.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        Self::log_partner_reads_in(&mut tx, actor, reads, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn log_partner_reads_in(
        conn: &mut DB::Connection,
        actor: &Actor,
        reads: &[PartnerRead],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for read in reads {
            sqlx::query(
                "INSERT INTO access_log (id, at, user_id, organisation_id, action, entity_id, purpose, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
            )
            .bind(Uuid::now_v7())
            .bind(now)
            .bind(actor.user_id)
            .bind(read.owner)
            .bind(read.action.to_owned())
            .bind(read.entity_id)
            .bind(Json(serde_json::json!({ "by_organisation_id": actor.organisation_id })))
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    /// Records an export of personal data by the operator (the access log needs a user;
    /// the operator's exports go to the audit log instead, with what and how much).
    pub async fn record_export(
        &self,
        by: &super::Principal,
        detail: Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let change = Change::new("export", Uuid::now_v7(), "export").after(detail);
        Self::audit(&mut tx, by, None, change, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The access log of the actor's organisation, newest first (auditors and admins),
    /// optionally for one user or one record.
    pub async fn access_log(
        &self,
        actor: &Actor,
        user_id: Option<Uuid>,
        entity_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AccessEntry>, StoreError> {
        require(actor, Action::ReadAudit)?;
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT id, at, user_id, action, entity_id, purpose, detail FROM access_log \
             WHERE organisation_id = $1 AND ($2 IS NULL OR user_id = $2) AND ($3 IS NULL OR entity_id = $3) \
             ORDER BY id DESC LIMIT {}",
            limit.clamp(1, 1000)
        );
        let entries = sqlx::query_as(&sql)
            .bind(actor.organisation_id)
            .bind(user_id)
            .bind(entity_id)
            .fetch_all(&mut *conn)
            .await?;
        Ok(entries)
    }
}
