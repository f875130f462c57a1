//! Data protection on `Store`: retention, erasure on request, subject access.

use chrono::{DateTime, Utc};
use shanyrak_core::retention::RetentionPolicy;
use uuid::Uuid;

use crate::{ErasureReport, Principal, RetentionReport, Store, StoreError, SubjectAccess};

impl Store {
    /// Erases one person's personal data everywhere (see `repo/protection.rs`); on SQLite
    /// the WAL is then checkpointed and emptied so no old frame keeps a copy.
    pub async fn erase_person(
        &self,
        by: &Principal,
        person_id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<ErasureReport, StoreError> {
        let report = dispatch!(self, r => r.erase_person(by, person_id, reason, now).await)?;
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
        let report = dispatch!(self, r => r.apply_retention(by, policy, dry_run, now).await)?;
        if !dry_run {
            self.checkpoint().await?;
        }
        Ok(report)
    }

    /// Everything held about one person, for them; logged before it is returned.
    pub async fn subject_access(
        &self,
        by: &Principal,
        person_id: Uuid,
        purpose: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<SubjectAccess, StoreError> {
        dispatch!(self, r => r.subject_access(by, person_id, purpose, now).await)
    }

    /// SQLite: empties the WAL into the file. PostgreSQL: nothing (dead row versions stay
    /// until autovacuum; see docs/THREAT_MODEL.md).
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(r) => r.checkpoint().await,
            Store::Postgres(_) => Ok(()),
        }
    }
}
