//! `Store` methods for cases, case notes, referrals and the legal-stay tracker; see
//! `repo/cases.rs` for the rules they enforce.

use chrono::{DateTime, Utc};
use shanyrak_core::Actor;
use shanyrak_core::cases::{
    Case, CaseNote, CaseStatus, ReferralEvent, ValidatedCase, ValidatedReferral,
};
use shanyrak_core::legal_stay::Movement;
use uuid::Uuid;

use crate::{Direction, Referral, StayFacts, Store, StoreError};

impl Store {
    pub async fn create_case(
        &self,
        actor: &Actor,
        case: &ValidatedCase,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        dispatch!(self, r => r.create_case(actor, case, now).await)
    }

    pub async fn get_case(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        dispatch!(self, r => r.get_case(actor, id, now).await)
    }

    pub async fn list_cases(
        &self,
        actor: &Actor,
        household_id: Option<Uuid>,
        status: Option<CaseStatus>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<Case>, StoreError> {
        dispatch!(self, r => r.list_cases(actor, household_id, status, limit, now).await)
    }

    pub async fn update_case(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: Option<i64>,
        case: &ValidatedCase,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        dispatch!(self, r => r.update_case(actor, id, expected_version, case, now).await)
    }

    pub async fn add_case_note(
        &self,
        actor: &Actor,
        case_id: Uuid,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<CaseNote, StoreError> {
        dispatch!(self, r => r.add_case_note(actor, case_id, text, now).await)
    }

    pub async fn list_case_notes(
        &self,
        actor: &Actor,
        case_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseNote>, StoreError> {
        dispatch!(self, r => r.list_case_notes(actor, case_id, now).await)
    }

    pub async fn create_referral(
        &self,
        actor: &Actor,
        referral: &ValidatedReferral,
        now: DateTime<Utc>,
    ) -> Result<Referral, StoreError> {
        dispatch!(self, r => r.create_referral(actor, referral, now).await)
    }

    pub async fn list_referrals(
        &self,
        actor: &Actor,
        direction: Direction,
        now: DateTime<Utc>,
    ) -> Result<Vec<Referral>, StoreError> {
        dispatch!(self, r => r.list_referrals(actor, direction, now).await)
    }

    pub async fn overdue_referrals(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Referral>, StoreError> {
        dispatch!(self, r => r.overdue_referrals(actor, now).await)
    }

    pub async fn get_referral(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Referral, StoreError> {
        dispatch!(self, r => r.get_referral(actor, id, now).await)
    }

    pub async fn transition_referral(
        &self,
        actor: &Actor,
        id: Uuid,
        event: &ReferralEvent,
        now: DateTime<Utc>,
    ) -> Result<Referral, StoreError> {
        dispatch!(self, r => r.transition_referral(actor, id, event, now).await)
    }

    pub async fn record_stay_movement(
        &self,
        actor: &Actor,
        person_id: Uuid,
        movement: &Movement,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        dispatch!(self, r => r.record_stay_movement(actor, person_id, movement, now).await)
    }

    /// One person's stay facts (`Some(id)`), or those of every current member of the
    /// organisation's active households (`None`).
    pub async fn stay_facts(
        &self,
        actor: &Actor,
        person_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StayFacts>, StoreError> {
        dispatch!(self, r => r.stay_facts(actor, person_id, now).await)
    }

    /// [`Store::create_case`] with an idempotency key; `true` when replayed.
    pub async fn create_case_once(
        &self,
        actor: &Actor,
        case: &shanyrak_core::cases::ValidatedCase,
        idempotency: Option<&crate::IdempotencyRequest>,
        now: DateTime<Utc>,
    ) -> Result<(shanyrak_core::cases::Case, bool), StoreError> {
        dispatch!(self, r => r.create_case_once(actor, case, idempotency, now).await)
    }

    /// [`Store::add_case_note`] with an idempotency key; `true` when replayed.
    pub async fn add_case_note_once(
        &self,
        actor: &Actor,
        case_id: Uuid,
        text: &str,
        idempotency: Option<&crate::IdempotencyRequest>,
        now: DateTime<Utc>,
    ) -> Result<(shanyrak_core::cases::CaseNote, bool), StoreError> {
        dispatch!(self, r => r.add_case_note_once(actor, case_id, text, idempotency, now).await)
    }

    /// [`Store::create_referral`] with an idempotency key; `true` when replayed.
    pub async fn create_referral_once(
        &self,
        actor: &Actor,
        referral: &shanyrak_core::cases::ValidatedReferral,
        idempotency: Option<&crate::IdempotencyRequest>,
        now: DateTime<Utc>,
    ) -> Result<(crate::Referral, bool), StoreError> {
        dispatch!(self, r => r.create_referral_once(actor, referral, idempotency, now).await)
    }
}
