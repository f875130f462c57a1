//! Figures computed in the database (`repo/figures.rs`) on [`Store`].

use chrono::NaiveDate;
use shanyrak_core::stats::PopulationCell;
use uuid::Uuid;

use crate::{Store, StoreError};

impl Store {
    /// Resolved persons of the organisations in `scope` (every organisation for `None`),
    /// grouped by every dimension of the figures, with age bands on `today`.
    pub async fn population_cells(
        &self,
        scope: Option<&[Uuid]>,
        today: NaiveDate,
    ) -> Result<Vec<PopulationCell>, StoreError> {
        dispatch!(self, r => r.population_cells(scope, today).await)
    }

    /// `(day, stays made, stays checked in)` per UTC day.
    pub async fn placements_per_day(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<(NaiveDate, u64, u64)>, StoreError> {
        dispatch!(self, r => r.placements_per_day(scope).await)
    }

    /// `(item code, units)` given by the distributions of a scope.
    pub async fn distributions_by_item(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        dispatch!(self, r => r.distributions_by_item(scope).await)
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
