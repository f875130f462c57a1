//! Imported lists on `Store`: the quarantine, uploads and the import service account.

use chrono::{DateTime, Utc};
use shanyrak_core::Actor;
use uuid::Uuid;

use crate::{QuarantinedRow, RowToQuarantine, Store, StoreError, Upload};

impl Store {
    /// Keeps rows that failed validation (each file line once); returns how many are new.
    pub async fn quarantine_rows(
        &self,
        actor: &Actor,
        file_digest: &str,
        rows: &[RowToQuarantine],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        dispatch!(self, r => r.quarantine_rows(actor, file_digest, rows, now).await)
    }

    /// Rows waiting for correction, oldest first.
    pub async fn quarantine(
        &self,
        actor: &Actor,
        limit: u32,
    ) -> Result<Vec<QuarantinedRow>, StoreError> {
        dispatch!(self, r => r.quarantine(actor, limit).await)
    }

    pub async fn quarantined_row(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<QuarantinedRow, StoreError> {
        dispatch!(self, r => r.quarantined_row(actor, id).await)
    }

    /// Marks the rows of a quarantined household as resubmitted as `household_id`.
    pub async fn resolve_quarantine(
        &self,
        actor: &Actor,
        id: Uuid,
        household_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        dispatch!(self, r => r.resolve_quarantine(actor, id, household_id, now).await)
    }

    pub async fn save_upload(
        &self,
        actor: &Actor,
        file_name: &str,
        file_digest: &str,
        content: &[u8],
        mapping: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        dispatch!(self, r => r.save_upload(actor, file_name, file_digest, content, mapping, now).await)
    }

    pub async fn upload(&self, actor: &Actor, id: Uuid) -> Result<Upload, StoreError> {
        dispatch!(self, r => r.upload(actor, id).await)
    }

    /// Records why an upload could not be read (JSON) and drops its content.
    pub async fn mark_upload_failed(
        &self,
        actor: &Actor,
        id: Uuid,
        failure: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, r => r.mark_upload_failed(actor, id, failure).await)
    }

    pub async fn delete_upload(&self, actor: &Actor, id: Uuid) -> Result<(), StoreError> {
        dispatch!(self, r => r.delete_upload(actor, id).await)
    }

    /// The disabled registrar account command-line imports of an organisation act as.
    pub async fn import_actor(
        &self,
        organisation_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Actor, StoreError> {
        dispatch!(self, r => r.import_actor(organisation_id, now).await)
    }
}
