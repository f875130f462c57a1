//! Idempotency keys: a write claims its key in its own transaction, and a retry with the
//! same key and body replays what the first one recorded instead of writing again.

use chrono::{DateTime, Utc};
use serde_json::Value;
use shanyrak_core::Actor;
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use shanyrak_store_macros::queries;

use crate::StoreError;

use super::households::CreateOutcome;
use super::{Backend, Repo, from_json};

/// An `Idempotency-Key` and the hash of the request body it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyRequest {
    pub key: String,
    pub request_hash: Vec<u8>,
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Claims `idem` for a write about to be made in the transaction on `conn`, storing
    /// `receipt` for retries to find. It comes first in the transaction, so a concurrent
    /// retry with the same key waits on this row (PostgreSQL) or on the single writer
    /// (SQLite) and then sees it. `false`: the key was already claimed.
    pub(super) async fn claim_key(
        conn: &mut DB::Connection,
        actor: &Actor,
        idem: &IdempotencyRequest,
        receipt: Value,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let claimed = Self::claim_keys(conn, actor, &[(idem, receipt)], now).await?;
        Ok(claimed.contains(&idem.key))
    }

    /// Claims many keys at once; the answer holds the keys this call claimed (a key
    /// claimed before, or twice in `claims`, is claimed once).
    pub(super) async fn claim_keys(
        conn: &mut DB::Connection,
        actor: &Actor,
        claims: &[(&IdempotencyRequest, Value)],
        now: DateTime<Utc>,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        const KEY_VALUES: usize = 5;
        let mut claimed = std::collections::HashSet::new();
        for rows in claims.chunks(super::MAX_BINDS / KEY_VALUES) {
            let mut sql = DB::values_sql(
                "INSERT INTO idempotency_keys (user_id, key, request_hash, receipt, created_at)",
                rows.len(),
                KEY_VALUES,
            );
            sql.push_str(" ON CONFLICT (user_id, key) DO NOTHING RETURNING key");
            let mut insert = sqlx::query(&sql);
            for (idem, receipt) in rows {
                insert = insert
                    .bind(actor.user_id)
                    .bind(idem.key.clone())
                    .bind(idem.request_hash.clone())
                    .bind(Json(receipt.clone()))
                    .bind(now);
            }
            for row in insert.fetch_all(&mut *conn).await? {
                claimed.insert(row.try_get::<String, _>("key")?);
            }
        }
        Ok(claimed)
    }

    /// Whether this user already claimed `key`: a form sent again after it was saved is a
    /// replay, to be answered with what the first one did rather than checked afresh.
    pub async fn idempotency_key_claimed(
        &self,
        actor: &Actor,
        key: &str,
    ) -> Result<bool, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query("SELECT key FROM idempotency_keys WHERE user_id = $1 AND key = $2")
            .bind(actor.user_id)
            .bind(key.to_owned())
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.is_some())
    }

    /// The receipt stored under an already claimed key; the same key with another request
    /// body is refused.
    pub(super) async fn claimed_receipt(
        conn: &mut DB::Connection,
        actor: &Actor,
        idem: &IdempotencyRequest,
    ) -> Result<Value, StoreError> {
        let row = sqlx::query(
            "SELECT request_hash, receipt FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        )
        .bind(actor.user_id)
        .bind(idem.key.clone())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::corrupt("idempotency key vanished"))?;
        if row.try_get::<Vec<u8>, _>("request_hash")? != idem.request_hash {
            return Err(StoreError::IdempotencyKeyReused);
        }
        Ok(row.try_get::<Json<Value>, _>("receipt")?.0)
    }

    /// The household receipt of a registration whose key was already claimed, read after
    /// the claiming transaction rolled back.
    pub(super) async fn replay(
        &self,
        actor: &Actor,
        idem: &IdempotencyRequest,
    ) -> Result<CreateOutcome, StoreError> {
        let mut conn = self.writer.acquire().await?;
        let receipt = Self::claimed_receipt(&mut conn, actor, idem).await?;
        Ok(CreateOutcome::Replayed(from_json(receipt, "receipt")?))
    }

    /// Claims an idempotency key for a new record `id`, first in the write transaction (a
    /// concurrent retry waits for it). `Ok(None)`: claimed, write the record; `Ok(Some(id))`:
    /// the same key and request already wrote record `id` (roll back and return that one).
    /// The receipt keeps the id only, never personal data; the same key with another
    /// request, or used for another kind of write, is refused.
    pub(super) async fn claim_for_record(
        conn: &mut DB::Connection,
        actor: &Actor,
        idem: &IdempotencyRequest,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<Uuid>, StoreError> {
        let receipt = serde_json::json!({ "record_id": id });
        if Self::claim_key(conn, actor, idem, receipt, now).await? {
            return Ok(None);
        }
        Self::claimed_receipt(conn, actor, idem)
            .await?
            .get("record_id")
            .and_then(Value::as_str)
            .and_then(|id| id.parse::<Uuid>().ok())
            .map(Some)
            .ok_or(StoreError::IdempotencyKeyReused)
    }
}
