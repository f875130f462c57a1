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

use super::Repo;
use crate::StoreError;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub user_id: Uuid,
    /// What was read: `read_household`, `list_households`, `search_persons`, …
    pub action: String,
    pub entity_id: Option<Uuid>,
    pub purpose: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: Value,
}

/// Longest purpose kept; a purpose is a short statement, not a document.
const MAX_PURPOSE_CHARS: usize = 200;

backend_impl! {
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
            .map(|p| p.chars().filter(|c| !c.is_control()).take(MAX_PURPOSE_CHARS).collect::<String>())
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

    /// Records an export of personal data by the operator (the access log needs a user;
    /// the operator's exports go to the audit log instead, with what and how much).
    pub async fn record_export(&self, by: &super::Principal, detail: Value, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        Self::audit(&mut tx, by, None, "export", Uuid::now_v7(), "export", None, Some(detail), now).await?;
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
        if !actor.may(Action::ReadAudit) {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT id, at, user_id, action, entity_id, purpose, detail FROM access_log \
             WHERE organisation_id = $1 AND ($2 IS NULL OR user_id = $2) AND ($3 IS NULL OR entity_id = $3) \
             ORDER BY id DESC LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows = sqlx::query(&sql)
            .bind(actor.organisation_id)
            .bind(user_id)
            .bind(entity_id)
            .fetch_all(&mut *conn)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AccessEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    user_id: r.try_get("user_id")?,
                    action: r.try_get("action")?,
                    entity_id: r.try_get("entity_id")?,
                    purpose: r.try_get("purpose")?,
                    detail: r.try_get::<Json<Value>, _>("detail")?.0,
                })
            })
            .collect()
    }
}
