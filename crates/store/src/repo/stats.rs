//! What the figures are computed from, and the published releases.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use shanyrak_core::stats::PopulationRow;
use shanyrak_core::{BirthDate, CountryCode, PopulationGroup, Sex};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Backend, ColumnExt, Repo};
use crate::StoreError;
use shanyrak_store_macros::queries;

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Every current person record with its resolved identity, of one organisation or of
    /// all (`None`, for public figures).
    pub async fn population_rows(
        &self,
        organisation_id: Option<Uuid>,
    ) -> Result<Vec<PopulationRow>, StoreError> {
        let mut conn = self.analytics.acquire().await?;
        let rows = sqlx::query(
            "SELECT COALESCE(p.identity_id, p.id) AS identity, h.population_group, p.sex, p.birth_date, p.citizenship, \
             h.country, h.city, h.arrival_date, h.crossing_point FROM persons p JOIN households h ON h.id = p.household_id \
             WHERE p.removed_at IS NULL AND ($1 IS NULL OR h.organisation_id = $1) ORDER BY p.id",
        )
        .bind(organisation_id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let citizenship: Option<String> = r.try_get("citizenship")?;
                Ok(PopulationRow {
                    identity: r.try_get("identity")?,
                    group: r.parsed("population_group", PopulationGroup::parse)?,
                    sex: r.parsed("sex", Sex::parse)?,
                    birth_date: BirthDate::parse(&r.try_get::<String, _>("birth_date")?)
                        .map_err(|_| StoreError::corrupt("unreadable birth_date"))?,
                    citizenship: citizenship.and_then(|c| c.parse::<CountryCode>().ok()),
                    country: r.text("country", "unknown country")?,
                    city: r.try_get("city")?,
                    arrival_date: r.try_get("arrival_date")?,
                    crossing_point: r.try_get("crossing_point")?,
                })
            })
            .collect()
    }

    /// People arrived per day and crossing point since a date (resolved identities, so a
    /// person registered twice counts once), for the coordinator's chart.
    pub async fn arrivals_by_day(
        &self,
        organisation_id: Uuid,
        since: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Option<String>, i64)>, StoreError> {
        let mut conn = self.analytics.acquire().await?;
        let rows = sqlx::query(
            "SELECT h.arrival_date, h.crossing_point, COUNT(DISTINCT COALESCE(p.identity_id, p.id)) AS people \
             FROM persons p JOIN households h ON h.id = p.household_id \
             WHERE p.removed_at IS NULL AND h.organisation_id = $1 AND h.arrival_date >= $2 \
             GROUP BY h.arrival_date, h.crossing_point ORDER BY h.arrival_date, h.crossing_point",
        )
        .bind(organisation_id)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("arrival_date")?,
                    r.try_get("crossing_point")?,
                    r.try_get("people")?,
                ))
            })
            .collect()
    }

    /// The latest public release and when it was made.
    pub async fn latest_release(&self) -> Result<Option<(DateTime<Utc>, Value)>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query("SELECT released_at, body FROM public_releases ORDER BY released_at DESC, id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
        row.map(|r| {
            Ok((
                r.try_get("released_at")?,
                r.try_get::<Json<Value>, _>("body")?.0,
            ))
        })
        .transpose()
    }

    pub async fn record_release(&self, body: &Value, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.writer.acquire().await?;
        sqlx::query("INSERT INTO public_releases (id, released_at, body) VALUES ($1, $2, $3)")
            .bind(Uuid::now_v7())
            .bind(now)
            .bind(Json(body.clone()))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}
