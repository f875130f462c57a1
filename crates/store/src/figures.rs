//! Figures computed in the database (`repo/figures.rs`) on [`Store`].

use chrono::{DateTime, NaiveDate, Utc};
use shanyrak_core::stats::PopulationCell;
use uuid::Uuid;

use crate::{SnapshotInfo, Store, StoreError, WaitingCell};

impl Store {
    /// Resolved persons of the organisations in `scope` (every organisation for `None`),
    /// grouped by every dimension of the figures, with age bands on `today`; with `since`,
    /// only records of households registered after it.
    pub async fn population_cells(
        &self,
        scope: Option<&[Uuid]>,
        today: NaiveDate,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<PopulationCell>, StoreError> {
        dispatch!(self, r => r.population_cells(scope, today, since).await)
    }

    /// `(day, stays made, stays checked in)` per UTC day; with `since`, only after it.
    pub async fn placements_per_day(
        &self,
        scope: Option<&[Uuid]>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<(NaiveDate, u64, u64)>, StoreError> {
        dispatch!(self, r => r.placements_per_day(scope, since).await)
    }

    /// `(item code, units)` given by the distributions of a scope; with `since`, only
    /// those recorded after it.
    pub async fn distributions_by_item(
        &self,
        scope: Option<&[Uuid]>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        dispatch!(self, r => r.distributions_by_item(scope, since).await)
    }

    /// When the figure snapshot was made, if ever (`repo/figure_snapshot.rs`).
    pub async fn figure_snapshot_info(&self) -> Result<Option<SnapshotInfo>, StoreError> {
        dispatch!(self, r => r.figure_snapshot_info().await)
    }

    /// Recomputes every organisation's figures as of `now` and replaces the snapshot.
    pub async fn refresh_figure_snapshot(
        &self,
        now: DateTime<Utc>,
    ) -> Result<SnapshotInfo, StoreError> {
        dispatch!(self, r => r.refresh_figure_snapshot(now).await)
    }

    /// The snapshot's population cells of a scope, counted as resolved persons of it.
    pub async fn snapshot_population(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<PopulationCell>, StoreError> {
        dispatch!(self, r => r.snapshot_population(scope).await)
    }

    /// The snapshot's `(day, stays made, stays checked in)` of a scope.
    pub async fn snapshot_placements(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<(NaiveDate, u64, u64)>, StoreError> {
        dispatch!(self, r => r.snapshot_placements(scope).await)
    }

    /// The snapshot's `(item code, units)` of a scope.
    pub async fn snapshot_distributions(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        dispatch!(self, r => r.snapshot_distributions(scope).await)
    }

    /// The snapshot's waiting households of a scope by city and waiting-since day.
    pub async fn snapshot_waiting(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<WaitingCell>, StoreError> {
        dispatch!(self, r => r.snapshot_waiting(scope).await)
    }

    /// `(day, item code, point city, units, households)` of a scope's distributions.
    #[allow(clippy::type_complexity)]
    pub async fn distributions_by_day(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<(NaiveDate, String, Option<String>, u64, u64)>, StoreError> {
        dispatch!(self, r => r.distributions_by_day(scope).await)
    }
}
