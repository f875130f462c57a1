//! Essentials on [`Store`]: items, distribution points, the stock ledger, distributions
//! and their reports, forwarded to the backend's repo.

use chrono::{DateTime, NaiveDate, Utc};
use shanyrak_core::Actor;
use shanyrak_core::essentials::{
    EntitlementRule, ValidatedDistribution, ValidatedItem, ValidatedMovement, ValidatedPoint,
};
use uuid::Uuid;

use crate::{
    DistributionOutcome, DistributionPoint, DistributionReportRow, EntitlementView,
    IdempotencyRequest, Item, ReportDimension, StockEntry, StockReportRow, StockView, Store,
    StoreError,
};

impl Store {
    pub async fn create_item(
        &self,
        actor: &Actor,
        item: &ValidatedItem,
        now: DateTime<Utc>,
    ) -> Result<Item, StoreError> {
        dispatch!(self, r => r.create_item(actor, item, now).await)
    }

    /// Replaces an item's entitlement rules; see `Repo::update_item_rules`.
    pub async fn update_item_rules(
        &self,
        actor: &Actor,
        item_id: Uuid,
        rules: &[EntitlementRule],
        now: DateTime<Utc>,
    ) -> Result<Item, StoreError> {
        dispatch!(self, r => r.update_item_rules(actor, item_id, rules, now).await)
    }

    pub async fn list_items(&self, actor: &Actor) -> Result<Vec<Item>, StoreError> {
        dispatch!(self, r => r.list_items(actor).await)
    }

    pub async fn create_point(
        &self,
        actor: &Actor,
        point: &ValidatedPoint,
        now: DateTime<Utc>,
    ) -> Result<DistributionPoint, StoreError> {
        dispatch!(self, r => r.create_point(actor, point, now).await)
    }

    pub async fn list_points(&self, actor: &Actor) -> Result<Vec<DistributionPoint>, StoreError> {
        dispatch!(self, r => r.list_points(actor).await)
    }

    /// A receipt, transfer, adjustment or loss at a point; the ledger entries written.
    pub async fn record_movement(
        &self,
        actor: &Actor,
        point_id: Uuid,
        movement: &ValidatedMovement,
        now: DateTime<Utc>,
    ) -> Result<Vec<StockEntry>, StoreError> {
        dispatch!(self, r => r.record_movement(actor, point_id, movement, now).await)
    }

    /// Balances and the newest `limit` ledger entries of a point.
    pub async fn stock(
        &self,
        actor: &Actor,
        point_id: Uuid,
        limit: u32,
    ) -> Result<StockView, StoreError> {
        dispatch!(self, r => r.stock(actor, point_id, limit).await)
    }

    /// What a household may receive today and what it received lately (logged read).
    pub async fn entitlements(
        &self,
        actor: &Actor,
        household_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<EntitlementView, StoreError> {
        dispatch!(self, r => r.entitlements(actor, household_id, now).await)
    }

    pub async fn record_distribution(
        &self,
        actor: &Actor,
        request: &ValidatedDistribution,
        idempotency: Option<&IdempotencyRequest>,
        now: DateTime<Utc>,
    ) -> Result<DistributionOutcome, StoreError> {
        dispatch!(self, r => r.record_distribution(actor, request, idempotency, now).await)
    }

    pub async fn distribution_report(
        &self,
        actor: &Actor,
        by: ReportDimension,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Vec<DistributionReportRow>, StoreError> {
        dispatch!(self, r => r.distribution_report(actor, by, from, to, now).await)
    }

    pub async fn stock_report(
        &self,
        actor: &Actor,
        window_days: u32,
        alert_days: f64,
        now: DateTime<Utc>,
    ) -> Result<Vec<StockReportRow>, StoreError> {
        dispatch!(self, r => r.stock_report(actor, window_days, alert_days, now).await)
    }
}
