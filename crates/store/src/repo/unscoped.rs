//! Reads across every organisation with no authorisation check, named for it. Their callers
//! answer for them: the operator's commands and the server's system-wide identity index,
//! never a user's request.

use shanyrak_core::Household;
use sqlx::Row;
use uuid::Uuid;

use shanyrak_store_macros::queries;

use crate::StoreError;

use super::households::{HOUSEHOLD_COLUMNS, HouseholdKey};
use super::{Backend, Repo};

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Every household with its current members, in pages by id, for building the
    /// in-memory identity index at start.
    pub async fn households_page(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Household>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE ($1 IS NULL OR id > $1) AND anonymised_at IS NULL ORDER BY id LIMIT {}",
            limit.clamp(1, 5000)
        );
        let rows = sqlx::query(&sql).bind(after).fetch_all(&mut *conn).await?;
        Self::households_with_members(&mut conn, &rows).await
    }

    /// Households written since the audit event `after` (exclusive), oldest first, and the
    /// newest event seen: how in-memory indexes of several server processes stay fresh.
    pub async fn household_changes_since(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<(Vec<Uuid>, Option<Uuid>), StoreError> {
        let events = self.household_events_since(after, limit).await?;
        let last = events.last().map(|(event, _)| *event).or(after);
        let mut seen = std::collections::HashSet::new();
        let ids = events
            .into_iter()
            .map(|(_, household)| household)
            .filter(|household| seen.insert(*household))
            .collect();
        Ok((ids, last))
    }

    /// Household audit events after `after` (every one if `None`), oldest first, at most
    /// `limit`: (event, household) pairs, for a reader that must tell which events it has
    /// seen (events commit out of id order across processes).
    pub async fn household_events_since(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT id, entity_id FROM audit_events WHERE entity = 'household' AND ($1 IS NULL OR id > $1) \
             ORDER BY id LIMIT {}",
            limit.clamp(1, 10_000)
        );
        let rows = sqlx::query(&sql).bind(after).fetch_all(&mut *conn).await?;
        rows.into_iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("entity_id")?)))
            .collect()
    }

    /// The newest audit event, where a fresh index starts following changes.
    pub async fn latest_audit_event(&self) -> Result<Option<Uuid>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query("SELECT id FROM audit_events ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// The household with its members, whatever its organisation and with no authorisation
    /// check: for the operator's system-wide commands and the server's identity index.
    pub async fn household_unscoped(&self, id: Uuid) -> Result<Household, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::load_household(&mut conn, None, "id", HouseholdKey::Id(id)).await
    }

    /// Households of any organisation by id, in the order asked (ids of none are left
    /// out): the operator's system-wide placement run decides for all of them.
    pub async fn households_unscoped(&self, ids: &[Uuid]) -> Result<Vec<Household>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::households_by_id(&mut conn, None, ids).await
    }
}
