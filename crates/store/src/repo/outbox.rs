//! The key of each user's offline outbox.
//!
//! A phone that registers households without a connection keeps them in an outbox,
//! encrypted to the public half of this key; the private half is handed only to a signed-in
//! session of the same user, which sends them. The store keeps the key as opaque bytes
//! (PKCS#8 DER, made by the server) and makes it once per user.

use chrono::{DateTime, Utc};
use shanyrak_core::{Action, Actor};
use sqlx::Row;

use super::{Backend, Change, Repo, require};
use crate::StoreError;
use shanyrak_store_macros::queries;

#[queries]
impl<DB: Backend> Repo<DB> {
    /// The user's outbox key: the one kept, or `fresh` when the user has none yet (kept
    /// from then on, with its audit event). For users who may register households.
    pub async fn outbox_key(
        &self,
        actor: &Actor,
        fresh: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, StoreError> {
        require(actor, Action::RegisterHousehold)?;
        {
            let mut conn = self.reader.acquire().await?;
            let kept = sqlx::query("SELECT private_key FROM outbox_keys WHERE user_id = $1")
                .bind(actor.user_id)
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = kept {
                return Ok(row.try_get("private_key")?);
            }
        }
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let inserted = sqlx::query(
            "INSERT INTO outbox_keys (user_id, private_key, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO NOTHING RETURNING user_id",
        )
        .bind(actor.user_id)
        .bind(fresh.to_vec())
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            // Made meanwhile by another session of the same user: that one is the key.
            let row = sqlx::query("SELECT private_key FROM outbox_keys WHERE user_id = $1")
                .bind(actor.user_id)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(row.try_get("private_key")?);
        }
        let change = Change::new("user", actor.user_id, "create_outbox_key");
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(fresh.to_vec())
    }
}
