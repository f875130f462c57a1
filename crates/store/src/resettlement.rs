//! `Store` methods for the resettlement pipeline; see `repo/resettlement.rs` for the rules
//! they enforce.

use chrono::{DateTime, Utc};
use shanyrak_core::Actor;
use shanyrak_core::resettlement::{PipelineEvent, Programme, QuotaReport, ValidatedProgramme};
use uuid::Uuid;

use crate::{Proposal, ResettlementEntry, Store, StoreError};

impl Store {
    pub async fn create_programme(
        &self,
        actor: &Actor,
        programme: &ValidatedProgramme,
        now: DateTime<Utc>,
    ) -> Result<Programme, StoreError> {
        dispatch!(self, r => r.create_programme(actor, programme, now).await)
    }

    pub async fn get_programme(&self, actor: &Actor, id: Uuid) -> Result<Programme, StoreError> {
        dispatch!(self, r => r.get_programme(actor, id).await)
    }

    pub async fn list_programmes(&self, actor: &Actor) -> Result<Vec<Programme>, StoreError> {
        dispatch!(self, r => r.list_programmes(actor).await)
    }

    pub async fn propose_for_programme(
        &self,
        actor: &Actor,
        programme_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Proposal, StoreError> {
        dispatch!(self, r => r.propose_for_programme(actor, programme_id, now).await)
    }

    pub async fn list_resettlement_entries(
        &self,
        actor: &Actor,
        programme_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<ResettlementEntry>, StoreError> {
        dispatch!(self, r => r.list_resettlement_entries(actor, programme_id, now).await)
    }

    pub async fn transition_resettlement_entry(
        &self,
        actor: &Actor,
        id: Uuid,
        event: &PipelineEvent,
        now: DateTime<Utc>,
    ) -> Result<ResettlementEntry, StoreError> {
        dispatch!(self, r => r.transition_resettlement_entry(actor, id, event, now).await)
    }

    pub async fn resettlement_report(
        &self,
        actor: &Actor,
        programme_id: Uuid,
    ) -> Result<QuotaReport, StoreError> {
        dispatch!(self, r => r.resettlement_report(actor, programme_id).await)
    }
}
