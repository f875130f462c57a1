//! Sealing the audit log into a hash chain, checking it, and erasing payloads from it.
//!
//! Writers only append events (in the same transaction as their change). A sealer then
//! takes the unsealed events in id order, numbers them (`seq`) and chains them (chain v2):
//!
//! ```text
//! commitment = SHA-256(salt || canonical [before, after])      salt: 16 random bytes
//! hash       = SHA-256(prev_hash || canonical [v2, seq, id, at, actor, organisation,
//!                                              entity, entity_id, action, commitment])
//! ```
//!
//! with the head kept in `audit_chain`. Sealing apart from writing keeps the chain off
//! every write's critical path (no global lock held while a registration commits).
//! Triggers refuse deletes and changes to sealed events, with one exception: erasure may
//! set `salt`, `before_state` and `after_state` to NULL together (nothing else). An erased
//! event still verifies against its stored commitment, and without the salt the
//! commitment cannot be used to confirm a guess of what the payload was (a name and a
//! birth date are easy to enumerate; 128 random bits are not). Every erased event must be
//! listed by an erasure event (`erase_person` or `anonymise`) in the log, so nulling a
//! payload by hand is reported too.
//!
//! If someone with direct database access gets past the triggers, [`verify`] finds the
//! first event whose content, commitment, order or presence no longer matches the chain.
//! Someone who also re-chains every later event and moves the head leaves a chain that
//! verifies; against that, the head ([`AuditHead`], `seq:digest`) is kept outside the
//! database, and [`verify`] given a recorded head fails unless the event at that
//! sequence still has that hash, which commits to every event before it.
//!
//! The sealer only chains onto a head that is the chain's last event: a head that names a
//! missing or different event, or events numbered beyond the head by someone else, stop
//! it with [`StoreError::AuditTail`] rather than be built upon.
//!
//! Databases sealed under chain v1 (plaintext payload in the hash) are re-sealed as v2 once
//! by [`upgrade_audit_chain`], right after migration 0015, which first checks the v1 chain
//! and remembers where it was broken, if it was.
//!
//! [`verify`]: Repo::verify_audit
//! [`upgrade_audit_chain`]: Repo::upgrade_audit_chain

use std::collections::HashSet;

use chrono::SecondsFormat;
use rand::RngCore;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use super::{AuditEvent, Backend, Repo};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// A point of the chain: an event's sequence number and its hash, written `seq:digest`
/// (the digest in 64 hexadecimal digits) so that a person can copy it into a notebook or
/// a ticket. The hash of an event commits to every event before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: [u8; 32],
}

/// A chain head that is not `seq:digest`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a chain head is written SEQ:DIGEST, a sequence number and 64 hexadecimal digits, as `verify-audit --seal` prints it"
)]
pub struct AuditHeadParseError;

impl AuditHead {
    /// The head of an empty chain.
    pub const GENESIS: AuditHead = AuditHead {
        seq: 0,
        hash: [0; 32],
    };

    fn from_parts(seq: i64, hash: &[u8]) -> Result<Self, StoreError> {
        let hash = <[u8; 32]>::try_from(hash)
            .map_err(|_| StoreError::corrupt("an audit hash is not 32 bytes"))?;
        Ok(Self { seq, hash })
    }
}

impl std::fmt::Display for AuditHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, super::hex(&self.hash))
    }
}

impl std::str::FromStr for AuditHead {
    type Err = AuditHeadParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (seq, digest) = text.trim().split_once(':').ok_or(AuditHeadParseError)?;
        let seq: i64 = seq.trim().parse().map_err(|_| AuditHeadParseError)?;
        let digest = digest.trim();
        if seq < 0 || digest.len() != 64 || !digest.is_ascii() {
            return Err(AuditHeadParseError);
        }
        let mut hash = [0u8; 32];
        for (i, byte) in hash.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&digest[2 * i..2 * i + 2], 16)
                .map_err(|_| AuditHeadParseError)?;
        }
        Ok(Self { seq, hash })
    }
}

impl Serialize for AuditHead {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What checking the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// Sealed events checked.
    pub sealed: i64,
    /// Events written but not sealed yet (sealed within seconds by a running server).
    pub unsealed: i64,
    /// Sealed events whose payload was erased (retention or erasure on request).
    pub erased: i64,
    /// The first sealed event that does not match, and why; `None` when the chain holds.
    pub broken_at: Option<(i64, String)>,
    /// The chain's head when the check began: the last event it covers.
    pub head: AuditHead,
}

const EVENT_COLUMNS: &str = "id, at, actor_user_id, actor_label, organisation_id, entity, entity_id, action, \
     before_state, after_state";

/// Actions whose events record an erasure: their payload lists the erased events and is
/// never erased itself.
pub(crate) const ERASURE_ACTIONS: [&str; 2] = ["erase_person", "anonymise"];

/// Chain v1: the plaintext payload inside the hash (kept to check a chain before upgrading).
fn canonical_v1(seq: i64, fields: &AuditEvent) -> Result<Vec<u8>, StoreError> {
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

/// `SHA-256(salt || canonical [before, after])`.
pub(crate) fn commitment(
    salt: &[u8],
    before: &Option<Value>,
    after: &Option<Value>,
) -> Result<Vec<u8>, StoreError> {
    let payload = serde_json::to_vec(&serde_json::json!([before, after]))
        .map_err(|_| StoreError::corrupt("audit event could not be encoded"))?;
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(&payload);
    Ok(hasher.finalize().to_vec())
}

fn canonical_v2(seq: i64, fields: &AuditEvent, commitment: &[u8]) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&serde_json::json!([
        "v2",
        seq,
        fields.id,
        fields.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        fields.actor_user_id,
        fields.actor_label,
        fields.organisation_id,
        fields.entity,
        fields.entity_id,
        fields.action,
        super::hex(commitment),
    ]))
    .map_err(|_| StoreError::corrupt("audit event could not be encoded"))
}

fn chain_hash(prev: &[u8], event: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(event);
    hasher.finalize().to_vec()
}

fn fresh_salt() -> Vec<u8> {
    let mut salt = vec![0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    salt
}

/// The ids an erasure event lists in its payload.
fn listed_erasures(after: &Option<Value>) -> impl Iterator<Item = Uuid> + '_ {
    after
        .as_ref()
        .and_then(|a| a.get("erased_events"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()))
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Seals up to `limit` unsealed events into the chain; returns how many. Refuses
    /// ([`StoreError::AuditTail`]) when the chain's head is not its last sealed event or
    /// events are numbered beyond it.
    pub async fn seal_audit(&self, limit: u32) -> Result<usize, StoreError> {
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        // Takes the chain's row lock: one sealer at a time, across processes.
        let head = sqlx::query(
            "UPDATE audit_chain SET seq = seq WHERE id = 1 RETURNING seq, hash, version",
        )
        .fetch_one(&mut *tx)
        .await?;
        if head.try_get::<i32, _>("version")? != 2 {
            // Not upgraded yet (another process is doing it): seal nothing now.
            return Ok(0);
        }
        let mut seq: i64 = head.try_get("seq")?;
        let mut prev: Vec<u8> = head.try_get("hash")?;
        Self::check_tail(&mut tx, seq, &prev).await?;
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT {}",
            limit.clamp(1, 10_000)
        );
        let rows = sqlx::query(&sql).fetch_all(&mut *tx).await?;
        for row in &rows {
            let fields = Self::audit_event_from_row(row)?;
            seq += 1;
            let salt = fresh_salt();
            let commitment = commitment(&salt, &fields.before, &fields.after)?;
            let hash = chain_hash(&prev, &canonical_v2(seq, &fields, &commitment)?);
            sqlx::query(
                "UPDATE audit_events SET seq = $1, prev_hash = $2, hash = $3, salt = $4, commitment = $5 WHERE id = $6",
            )
            .bind(seq)
            .bind(prev.clone())
            .bind(hash.clone())
            .bind(salt)
            .bind(commitment)
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

    /// Whether unsealed events can be chained onto the head: the head is the last sealed
    /// event (same number, same hash) and no event is numbered beyond it. Otherwise the
    /// head or the events were changed outside the sealer, and chaining on would build
    /// on a history nobody verified.
    async fn check_tail(
        conn: &mut DB::Connection,
        head_seq: i64,
        head_hash: &[u8],
    ) -> Result<(), StoreError> {
        if head_seq > 0 {
            let last = sqlx::query("SELECT hash FROM audit_events WHERE seq = $1")
                .bind(head_seq)
                .fetch_optional(&mut *conn)
                .await?;
            let why = match last {
                None => Some("the chain's head names this event, which is missing"),
                Some(row)
                    if row.try_get::<Option<Vec<u8>>, _>("hash")?.as_deref() != Some(head_hash) =>
                {
                    Some("the chain's head does not match this event's hash")
                }
                Some(_) => None,
            };
            if let Some(why) = why {
                return Err(StoreError::AuditTail {
                    seq: head_seq,
                    why: why.to_owned(),
                });
            }
        }
        let beyond = sqlx::query(
            "SELECT seq, prev_hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 1",
        )
        .bind(head_seq)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = beyond {
            let seq: i64 = row.try_get("seq")?;
            let prev: Option<Vec<u8>> = row.try_get("prev_hash")?;
            let why = if seq == head_seq + 1 && prev.as_deref() == Some(head_hash) {
                format!(
                    "it is numbered after the chain's head ({head_seq}) but was not sealed by Shanyrak"
                )
            } else {
                format!(
                    "it is numbered after the chain's head ({head_seq}) and does not chain onto it"
                )
            };
            return Err(StoreError::AuditTail { seq, why });
        }
        Ok(())
    }

    /// Re-seals a chain sealed under v1 as v2 (once, right after migration 0015). The v1
    /// chain is checked first; where it was broken is kept and reported by every later
    /// verification, so the upgrade never launders tampering. Returns whether it upgraded.
    pub(crate) async fn upgrade_audit_chain(&self) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let head = sqlx::query(
            "UPDATE audit_chain SET seq = seq WHERE id = 1 RETURNING seq, hash, version",
        )
        .fetch_one(&mut *tx)
        .await?;
        if head.try_get::<i32, _>("version")? != 1 {
            return Ok(false);
        }
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: Vec<u8> = head.try_get("hash")?;
        let mut broken: Option<(i64, &str)> = None;
        let mut old_prev = vec![0u8; 32];
        let mut new_prev = vec![0u8; 32];
        let mut expected = 1i64;
        let page = 5_000;
        loop {
            let sql = format!(
                "SELECT {EVENT_COLUMNS}, seq, prev_hash, hash FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT {page}"
            );
            let rows = sqlx::query(&sql).bind(expected).fetch_all(&mut *tx).await?;
            for row in &rows {
                let seq: i64 = row.try_get("seq")?;
                let fields = Self::audit_event_from_row(row)?;
                if broken.is_none() {
                    let stored_prev: Vec<u8> = row.try_get("prev_hash")?;
                    let stored_hash: Vec<u8> = row.try_get("hash")?;
                    if seq != expected {
                        broken = Some((expected, "an event is missing"));
                    } else if stored_prev != old_prev {
                        broken = Some((seq, "the link to the previous event does not match"));
                    } else if chain_hash(&old_prev, &canonical_v1(seq, &fields)?) != stored_hash {
                        broken = Some((seq, "the event's content was changed"));
                    }
                    old_prev = stored_hash;
                }
                let salt = fresh_salt();
                let commitment = commitment(&salt, &fields.before, &fields.after)?;
                let hash = chain_hash(&new_prev, &canonical_v2(seq, &fields, &commitment)?);
                sqlx::query(
                    "UPDATE audit_events SET prev_hash = $1, hash = $2, salt = $3, commitment = $4 WHERE id = $5",
                )
                .bind(new_prev.clone())
                .bind(hash.clone())
                .bind(salt)
                .bind(commitment)
                .bind(fields.id)
                .execute(&mut *tx)
                .await?;
                new_prev = hash;
                expected = seq + 1;
            }
            if rows.len() < page {
                break;
            }
        }
        if broken.is_none() && (expected - 1 != head_seq || old_prev != head_hash) {
            broken = Some((expected, "events at the end of the chain are missing"));
        }
        sqlx::query(
            "UPDATE audit_chain SET version = 2, seq = $1, hash = $2, upgrade_broken_at = $3, upgrade_broken_why = $4 WHERE id = 1",
        )
        .bind(expected - 1)
        .bind(new_prev)
        .bind(broken.map(|(seq, _)| seq))
        .bind(broken.map(|(_, why)| format!("before the upgrade to chain v2: {why}")))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Erases the payload (before/after and the salt) of the given events, in a
    /// transaction that holds the chain's row lock (taken by the caller with
    /// [`Self::lock_audit_chain`]), so no event is sealed half-way through. Erasure events
    /// themselves are never erased. Returns the ids erased.
    pub(crate) async fn erase_audit_payloads(
        conn: &mut DB::Connection,
        ids: &[Uuid],
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut erased = Vec::with_capacity(ids.len());
        for id in ids {
            let done = sqlx::query(
                "UPDATE audit_events SET salt = NULL, before_state = NULL, after_state = NULL \
                 WHERE id = $1 AND action <> $2 AND action <> $3 \
                 AND (before_state IS NOT NULL OR after_state IS NOT NULL OR salt IS NOT NULL) RETURNING id",
            )
            .bind(*id)
            .bind(ERASURE_ACTIONS[0].to_owned())
            .bind(ERASURE_ACTIONS[1].to_owned())
            .fetch_optional(&mut *conn)
            .await?;
            if done.is_some() {
                erased.push(*id);
            }
        }
        Ok(erased)
    }

    /// Serialises with the sealer (one transaction at a time holds the chain's row).
    pub(crate) async fn lock_audit_chain(conn: &mut DB::Connection) -> Result<(), StoreError> {
        sqlx::query("UPDATE audit_chain SET seq = seq WHERE id = 1")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Events whose payload holds data about any of `ids` (a person, their household):
    /// about them (`entity_id`) or mentioning one of their ids in before/after.
    pub(crate) async fn audit_events_mentioning(
        conn: &mut DB::Connection,
        ids: &[Uuid],
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut found: Vec<Uuid> = Vec::new();
        for id in ids {
            let pattern = format!("%{id}%");
            let rows = sqlx::query(
                "SELECT id FROM audit_events WHERE (entity_id = $1 \
                 OR CAST(before_state AS TEXT) LIKE $2 OR CAST(after_state AS TEXT) LIKE $2) \
                 AND action <> $3 AND action <> $4 \
                 AND (before_state IS NOT NULL OR after_state IS NOT NULL)",
            )
            .bind(*id)
            .bind(pattern)
            .bind(ERASURE_ACTIONS[0].to_owned())
            .bind(ERASURE_ACTIONS[1].to_owned())
            .fetch_all(&mut *conn)
            .await?;
            for row in rows {
                let event: Uuid = row.try_get("id")?;
                if !found.contains(&event) {
                    found.push(event);
                }
            }
        }
        Ok(found)
    }

    /// Recomputes the chain over every sealed event up to the head. With `expected` (a
    /// head recorded earlier, outside the database) it also fails unless the event at that
    /// sequence still has that hash, which catches a history rewritten and re-chained
    /// consistently; a chain that has grown since passes.
    pub(crate) async fn verify_audit_chain(
        &self,
        expected: Option<&AuditHead>,
    ) -> Result<AuditVerification, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let read_head = "SELECT seq, hash, version, upgrade_broken_at, upgrade_broken_why FROM audit_chain WHERE id = 1";
        let head = sqlx::query(read_head).fetch_one(&mut *conn).await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: Vec<u8> = head.try_get("hash")?;
        let chain_head = AuditHead::from_parts(head_seq, &head_hash)?;
        let unsealed: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_events WHERE seq IS NULL")
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        let report =
            |sealed: i64, erased: i64, broken_at: Option<(i64, String)>| AuditVerification {
                sealed,
                unsealed,
                erased,
                broken_at,
                head: chain_head.clone(),
            };
        if head.try_get::<i32, _>("version")? != 2 {
            return Ok(report(
                0,
                0,
                Some((1, "the chain has not been upgraded to v2 yet".to_owned())),
            ));
        }
        let upgrade_broken: Option<i64> = head.try_get("upgrade_broken_at")?;
        let upgrade_why: Option<String> = head.try_get("upgrade_broken_why")?;
        let rewritten = |e: &AuditHead| {
            format!(
                "the event no longer has the hash recorded for it ({e}): an event up to it was changed, removed or added, and the chain re-computed"
            )
        };
        if let Some(genesis) = expected.filter(|e| e.seq == 0 && e.hash != AuditHead::GENESIS.hash)
        {
            return Ok(report(0, 0, Some((0, rewritten(genesis)))));
        }
        let mut prev = vec![0u8; 32];
        let mut expected_seq = 1i64;
        let mut last = 0i64;
        let mut erased: Vec<(i64, Uuid)> = Vec::new();
        let mut listed: HashSet<Uuid> = HashSet::new();
        let page = 5_000;
        // Up to the head read above: events a sealer chains meanwhile are for the next check.
        loop {
            let sql = format!(
                "SELECT {EVENT_COLUMNS}, seq, prev_hash, hash, salt, commitment FROM audit_events \
                 WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT {page}"
            );
            let rows = sqlx::query(&sql)
                .bind(expected_seq)
                .bind(head_seq)
                .fetch_all(&mut *conn)
                .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let seq: i64 = row.try_get("seq")?;
                let erased_so_far = erased.len() as i64;
                let broken = |why: &str| {
                    Ok(report(
                        last,
                        erased_so_far,
                        Some((expected_seq, why.to_owned())),
                    ))
                };
                if seq != expected_seq {
                    return broken("an event is missing");
                }
                let stored_prev: Vec<u8> = row.try_get("prev_hash")?;
                let stored_hash: Vec<u8> = row.try_get("hash")?;
                if stored_prev != prev {
                    return broken("the link to the previous event does not match");
                }
                let fields = Self::audit_event_from_row(row)?;
                let salt: Option<Vec<u8>> = row.try_get("salt")?;
                let Some(stored_commitment) = row.try_get::<Option<Vec<u8>>, _>("commitment")?
                else {
                    return broken("the event's commitment is missing");
                };
                match salt {
                    Some(salt) => {
                        if commitment(&salt, &fields.before, &fields.after)? != stored_commitment {
                            return broken("the event's content was changed");
                        }
                    }
                    None => {
                        if fields.before.is_some() || fields.after.is_some() {
                            return broken("the event's content was changed");
                        }
                        erased.push((seq, fields.id));
                    }
                }
                if ERASURE_ACTIONS.contains(&fields.action.as_str()) {
                    listed.extend(listed_erasures(&fields.after));
                }
                let hash = chain_hash(&prev, &canonical_v2(seq, &fields, &stored_commitment)?);
                if hash != stored_hash {
                    return broken("the event's content was changed");
                }
                if let Some(recorded) = expected.filter(|e| e.seq == seq && e.hash[..] != hash[..])
                {
                    return broken(&rewritten(recorded));
                }
                prev = hash;
                last = seq;
                expected_seq += 1;
            }
            if rows.len() < page {
                break;
            }
        }
        let erased_count = erased.len() as i64;
        if last != head_seq {
            return Ok(report(
                last,
                erased_count,
                Some((
                    last + 1,
                    "events at the end of the chain are missing".to_owned(),
                )),
            ));
        }
        if prev != head_hash {
            return Ok(report(
                last,
                erased_count,
                Some((
                    last,
                    "the chain's head does not match its last event".to_owned(),
                )),
            ));
        }
        if let Some(expected) = expected.filter(|e| e.seq > head_seq) {
            return Ok(report(
                last,
                erased_count,
                Some((
                    head_seq + 1,
                    format!(
                        "the chain ends at event {head_seq}, before the recorded head {}: events were removed or the chain was rewound",
                        expected.seq
                    ),
                )),
            ));
        }
        // Events numbered beyond the head were not sealed by a sealer, unless one sealed
        // them while this check ran (then the head has moved on).
        let beyond: Option<i64> =
            sqlx::query("SELECT MIN(seq) AS seq FROM audit_events WHERE seq > $1")
                .bind(head_seq)
                .fetch_one(&mut *conn)
                .await?
                .try_get("seq")?;
        if let Some(seq) = beyond {
            let now: i64 = sqlx::query("SELECT seq FROM audit_chain WHERE id = 1")
                .fetch_one(&mut *conn)
                .await?
                .try_get("seq")?;
            if now == head_seq {
                return Ok(report(
                    last,
                    erased_count,
                    Some((
                        seq,
                        format!(
                            "the event is numbered after the chain's head ({head_seq}) but was not sealed by Shanyrak"
                        ),
                    )),
                ));
            }
        }
        // Erasure events not sealed yet still count as the record of an erasure.
        let pending = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq IS NULL AND (action = $1 OR action = $2)"
        ))
        .bind(ERASURE_ACTIONS[0].to_owned())
        .bind(ERASURE_ACTIONS[1].to_owned())
        .fetch_all(&mut *conn)
        .await?;
        for row in &pending {
            listed.extend(listed_erasures(&Self::audit_event_from_row(row)?.after));
        }
        if let Some((seq, _)) = erased.iter().find(|(_, id)| !listed.contains(id)) {
            return Ok(report(
                last,
                erased_count,
                Some((
                    *seq,
                    "the event's content was erased without an erasure record".to_owned(),
                )),
            ));
        }
        if let Some(seq) = upgrade_broken {
            return Ok(report(
                last,
                erased_count,
                Some((seq, upgrade_why.unwrap_or_default())),
            ));
        }
        Ok(report(last, erased_count, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_reads_back_from_its_printed_form() {
        let head = AuditHead {
            seq: 42,
            hash: [0xab; 32],
        };
        let printed = head.to_string();
        assert_eq!(printed, format!("42:{}", "ab".repeat(32)));
        assert_eq!(printed.parse::<AuditHead>(), Ok(head.clone()));
        // Copied by hand: spaces around it, upper-case digits.
        assert_eq!(
            format!("  42:{}\n", "AB".repeat(32)).parse::<AuditHead>(),
            Ok(head)
        );
        for bad in [
            "",
            "42",
            "42:ab",
            "x:00",
            "-1:00",
            &format!("42:{}", "zz".repeat(32)),
            &format!("42:{}", "é".repeat(32)),
        ] {
            assert_eq!(
                bad.parse::<AuditHead>(),
                Err(AuditHeadParseError),
                "{bad:?}"
            );
        }
    }
}
