//! Sealing the audit log into a hash chain, and checking it.
//!
//! Writers only append events (in the same transaction as their change). A sealer then
//! takes the unsealed events in id order, numbers them (`seq`) and chains them:
//! `hash = SHA-256(prev_hash || canonical(event))`, with the head kept in `audit_chain`.
//! Sealing apart from writing keeps the chain off every write's critical path (no global
//! lock held while a registration commits). Triggers refuse deletes and changes to sealed
//! events; if someone with direct database access gets past them, [`verify`] finds the
//! first event whose content, order or presence no longer matches the chain.
//!
//! [`verify`]: Repo::verify_audit

use chrono::SecondsFormat;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{AuditEvent, Repo};
use crate::StoreError;

/// What checking the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// Sealed events checked.
    pub sealed: i64,
    /// Events written but not sealed yet (sealed within seconds by a running server).
    pub unsealed: i64,
    /// The first sealed event that does not match, and why; `None` when the chain holds.
    pub broken_at: Option<(i64, String)>,
}

const EVENT_COLUMNS: &str = "id, at, actor_user_id, actor_label, organisation_id, entity, entity_id, action, \
     before_state, after_state";

fn canonical(seq: i64, fields: &AuditEvent) -> Result<Vec<u8>, StoreError> {
    // A JSON array of fixed order; serde_json maps are key-sorted, so before/after
    // serialise the same way every time they are read back.
    serde_json::to_vec(&serde_json::json!([
        seq,
        fields.id,
        fields.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        fields.actor_user_id,
        fields.actor_label,
        fields.organisation_id,
        fields.entity,
        fields.entity_id,
        fields.action,
        fields.before,
        fields.after,
    ]))
    .map_err(|_| StoreError::corrupt("audit event could not be encoded"))
}

fn chain_hash(prev: &[u8], event: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(event);
    hasher.finalize().to_vec()
}

backend_impl! {
    /// Seals up to `limit` unsealed events into the chain; returns how many.
    pub async fn seal_audit(&self, limit: u32) -> Result<usize, StoreError> {
        let mut tx = self.writer.begin().await?;
        // Takes the chain's row lock: one sealer at a time, across processes.
        let head = sqlx::query("UPDATE audit_chain SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        let mut seq: i64 = head.try_get("seq")?;
        let mut prev: Vec<u8> = head.try_get("hash")?;
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT {}",
            limit.clamp(1, 10_000)
        );
        let rows = sqlx::query(&sql).fetch_all(&mut *tx).await?;
        for row in &rows {
            let fields = Self::audit_event_from_row(row)?;
            seq += 1;
            let hash = chain_hash(&prev, &canonical(seq, &fields)?);
            sqlx::query("UPDATE audit_events SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4")
                .bind(seq)
                .bind(prev.clone())
                .bind(hash.clone())
                .bind(fields.id)
                .execute(&mut *tx)
                .await?;
            prev = hash;
        }
        if !rows.is_empty() {
            sqlx::query("UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1")
                .bind(seq)
                .bind(prev)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Recomputes the chain over every sealed event.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let head = sqlx::query("SELECT seq, hash FROM audit_chain WHERE id = 1").fetch_one(&mut *conn).await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: Vec<u8> = head.try_get("hash")?;
        let unsealed: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_events WHERE seq IS NULL")
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        let mut prev = vec![0u8; 32];
        let mut expected = 1i64;
        let mut last = 0i64;
        let page = 5_000;
        loop {
            let sql = format!(
                "SELECT {EVENT_COLUMNS}, seq, prev_hash, hash FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT {page}"
            );
            let rows = sqlx::query(&sql).bind(expected).fetch_all(&mut *conn).await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let seq: i64 = row.try_get("seq")?;
                let broken = |why: &str| Ok(AuditVerification { sealed: last, unsealed, broken_at: Some((expected, why.to_owned())) });
                if seq != expected {
                    return broken("an event is missing");
                }
                let stored_prev: Vec<u8> = row.try_get("prev_hash")?;
                let stored_hash: Vec<u8> = row.try_get("hash")?;
                if stored_prev != prev {
                    return broken("the link to the previous event does not match");
                }
                let fields = Self::audit_event_from_row(row)?;
                let hash = chain_hash(&prev, &canonical(seq, &fields)?);
                if hash != stored_hash {
                    return broken("the event's content was changed");
                }
                prev = hash;
                last = seq;
                expected += 1;
            }
            if rows.len() < page {
                break;
            }
        }
        if last != head_seq || prev != head_hash {
            return Ok(AuditVerification {
                sealed: last,
                unsealed,
                broken_at: Some((last + 1, "events at the end of the chain are missing".to_owned())),
            });
        }
        Ok(AuditVerification { sealed: last, unsealed, broken_at: None })
    }
}
