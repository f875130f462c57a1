//! Figures computed with `GROUP BY` in the database, so that the coordinator's dashboard
//! and the public releases do not load every person (see docs/BENCHMARKS.md).
//!
//! A scope is a list of organisations, or `None` for every organisation (the operator and
//! public releases). People are counted as resolved persons: of the current records of one
//! identity inside the scope, only the one with the smallest id counts as the person
//! (the same record `core::stats::population` counts); the others count as records only.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use shanyrak_core::stats::{AGE_BANDS, PopulationCell};
use shanyrak_core::{CountryCode, PopulationGroup, Sex};
use sqlx::Row;
use uuid::Uuid;

use super::{Backend, ColumnExt, Query, Repo};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// `AND <column> IN ($first, …)` for a scope, or nothing for every organisation.
pub(super) fn scope_clause(column: &str, scope: Option<&[Uuid]>, first: usize) -> String {
    match scope {
        None => String::new(),
        Some(orgs) => {
            let placeholders: Vec<String> =
                (0..orgs.len()).map(|i| format!("${}", first + i)).collect();
            format!(" AND {column} IN ({})", placeholders.join(", "))
        }
    }
}

/// The age on `$1`-year and `$2` (`MM-DD`) of a partial birth date, counting an unknown
/// month as July and an unknown day as the first, as `BirthDate::age_on` does.
pub(super) const AGE_SQL: &str = "($1 - p.birth_year - CASE WHEN $2 < \
    (CASE WHEN length(p.birth_date) >= 7 THEN substr(p.birth_date, 6, 2) ELSE '07' END || '-' || \
     CASE WHEN length(p.birth_date) >= 10 THEN substr(p.birth_date, 9, 2) ELSE '01' END) THEN 1 ELSE 0 END)";

pub(super) fn age_band_sql() -> String {
    format!(
        "CASE WHEN {AGE_SQL} <= 4 THEN '{}' WHEN {AGE_SQL} <= 11 THEN '{}' WHEN {AGE_SQL} <= 17 THEN '{}' \
         WHEN {AGE_SQL} <= 59 THEN '{}' ELSE '{}' END",
        AGE_BANDS[0], AGE_BANDS[1], AGE_BANDS[2], AGE_BANDS[3], AGE_BANDS[4]
    )
}

/// The band of [`AGE_BANDS`] named `text` (the first for anything else).
pub(super) fn age_band_of(text: &str) -> &'static str {
    AGE_BANDS
        .iter()
        .copied()
        .find(|b| *b == text)
        .unwrap_or(AGE_BANDS[0])
}

pub(super) fn parse_day(text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| StoreError::corrupt("unreadable day"))
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Every organisation's id.
    pub(super) async fn organisation_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query("SELECT id FROM organisations ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// Binds the window's start, if any, then the scope's organisations: the parameters
    /// after the query's own, as `scope_clause` numbers them.
    fn bind_window<'q>(
        mut query: Query<'q, DB>,
        since: Option<DateTime<Utc>>,
        scope: Option<&[Uuid]>,
    ) -> Query<'q, DB> {
        if let Some(since) = since {
            query = query.bind(since);
        }
        for org in scope.unwrap_or_default() {
            query = query.bind(*org);
        }
        query
    }

    /// The organisations a figures query reads: `scope`, except that a window (`since`)
    /// over every organisation names them all, so that the per-organisation indexes on
    /// the write times serve the window.
    async fn window_scope<'s>(
        &self,
        scope: Option<&'s [Uuid]>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Option<Cow<'s, [Uuid]>>, StoreError> {
        Ok(match (scope, since) {
            (None, Some(_)) => Some(Cow::Owned(self.organisation_ids().await?)),
            _ => scope.map(Cow::Borrowed),
        })
    }

    /// Resolved persons of a scope grouped by group, sex, age band on `today`,
    /// citizenship, city, arrival day and crossing point, in one pass over the persons.
    /// With `since`, only the records of households registered after it (the figures
    /// written after a snapshot); earlier records of the same person still decide which
    /// record counts.
    pub async fn population_cells(
        &self,
        scope: Option<&[Uuid]>,
        today: NaiveDate,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<PopulationCell>, StoreError> {
        if scope.is_some_and(|s| s.is_empty()) {
            return Ok(Vec::new());
        }
        let scope = self.window_scope(scope, since).await?;
        let scope = scope.as_deref();
        let first = if since.is_some() { 4 } else { 3 };
        let mut outer = scope_clause("h.organisation_id", scope, first);
        if since.is_some() {
            outer.push_str(" AND h.registered_at > $3");
        }
        let inner = scope_clause("h2.organisation_id", scope, first);
        let sql = format!(
            "SELECT population_group, sex, band, citizenship, country, city, arrival_date, crossing_point, counted, \
             COUNT(*) AS records FROM (\
               SELECT h.population_group, p.sex, {band} AS band, p.citizenship, h.country, h.city, h.arrival_date, \
               h.crossing_point, CASE WHEN p.identity_id IS NULL OR NOT EXISTS (\
                 SELECT 1 FROM persons p2 JOIN households h2 ON h2.id = p2.household_id \
                 WHERE p2.identity_id = p.identity_id AND p2.id < p.id AND p2.removed_at IS NULL{inner}) \
               THEN 1 ELSE 0 END AS counted \
               FROM persons p JOIN households h ON h.id = p.household_id WHERE p.removed_at IS NULL{outer}\
             ) t GROUP BY population_group, sex, band, citizenship, country, city, arrival_date, crossing_point, counted",
            band = age_band_sql(),
        );
        let mut query = sqlx::query(&sql).bind(today.year()).bind(format!(
            "{:02}-{:02}",
            today.month(),
            today.day()
        ));
        query = Self::bind_window(query, since, scope);
        let mut conn = self.analytics.acquire().await?;
        let rows = query.fetch_all(&mut *conn).await?;
        rows.iter()
            .map(|r| {
                let band: String = r.try_get("band")?;
                let citizenship: Option<String> = r.try_get("citizenship")?;
                let counted: i32 = r.try_get("counted")?;
                let records: i64 = r.try_get("records")?;
                Ok(PopulationCell {
                    group: r.parsed("population_group", PopulationGroup::parse)?,
                    sex: r.parsed("sex", Sex::parse)?,
                    age_band: age_band_of(&band),
                    citizenship: citizenship.and_then(|c| c.parse::<CountryCode>().ok()),
                    country: r.text("country", "unknown country")?,
                    city: r.try_get("city")?,
                    arrival_date: r.try_get("arrival_date")?,
                    crossing_point: r.try_get("crossing_point")?,
                    counted: counted != 0,
                    records: u64::try_from(records).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Stays made (reserved or checked in at once) and stays checked in, per UTC day, of
    /// the stays recorded by a scope: `(day, made, checked_in)`.
    /// With `since`, only what happened after it.
    pub async fn placements_per_day(
        &self,
        scope: Option<&[Uuid]>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<(NaiveDate, u64, u64)>, StoreError> {
        if scope.is_some_and(|s| s.is_empty()) {
            return Ok(Vec::new());
        }
        let scope = self.window_scope(scope, since).await?;
        let scope = scope.as_deref();
        let first = if since.is_some() { 2 } else { 1 };
        let clause = scope_clause("organisation_id", scope, first);
        let mut days: std::collections::BTreeMap<NaiveDate, (u64, u64)> =
            std::collections::BTreeMap::new();
        let mut conn = self.analytics.acquire().await?;
        for (column, made) in [("created_at", true), ("checked_in_at", false)] {
            let window = if since.is_some() {
                format!(" AND {column} > $1")
            } else {
                String::new()
            };
            let sql = format!(
                "SELECT {day} AS day, COUNT(*) AS n FROM stays WHERE {column} IS NOT NULL{window}{clause} GROUP BY 1",
                day = DB::day_sql(column),
            );
            let mut query = sqlx::query(&sql);
            query = Self::bind_window(query, since, scope);
            for row in query.fetch_all(&mut *conn).await? {
                let day = parse_day(&row.try_get::<String, _>("day")?)?;
                let n = u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0);
                let entry = days.entry(day).or_default();
                if made { entry.0 += n } else { entry.1 += n }
            }
        }
        Ok(days.into_iter().map(|(d, (m, c))| (d, m, c)).collect())
    }

    /// Units given per item code by the distributions of a scope.
    /// With `since`, only distributions recorded after it.
    pub async fn distributions_by_item(
        &self,
        scope: Option<&[Uuid]>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        if scope.is_some_and(|s| s.is_empty()) {
            return Ok(Vec::new());
        }
        let scope = self.window_scope(scope, since).await?;
        let scope = scope.as_deref();
        let first = if since.is_some() { 2 } else { 1 };
        let clause = scope_clause("d.organisation_id", scope, first);
        let window = if since.is_some() {
            " AND d.recorded_at > $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT i.code, CAST(SUM(l.quantity) AS BIGINT) AS units FROM distribution_lines l JOIN distributions d ON d.id = l.distribution_id \
             JOIN items i ON i.id = l.item_id WHERE 1 = 1{window}{clause} GROUP BY i.code ORDER BY i.code"
        );
        let mut query = sqlx::query(&sql);
        query = Self::bind_window(query, since, scope);
        let mut conn = self.analytics.acquire().await?;
        let rows = query.fetch_all(&mut *conn).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("code")?,
                    u64::try_from(r.try_get::<i64, _>("units")?).unwrap_or(0),
                ))
            })
            .collect()
    }

    /// Distributions of a scope per day, item code and point city:
    /// `(day, item code, city, units, households)`.
    pub async fn distributions_by_day(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<(NaiveDate, String, Option<String>, u64, u64)>, StoreError> {
        if scope.is_some_and(|s| s.is_empty()) {
            return Ok(Vec::new());
        }
        let clause = scope_clause("d.organisation_id", scope, 1);
        let sql = format!(
            "SELECT d.distributed_on, i.code, pt.city, CAST(SUM(l.quantity) AS BIGINT) AS units, COUNT(DISTINCT d.household_id) AS households \
             FROM distribution_lines l JOIN distributions d ON d.id = l.distribution_id JOIN items i ON i.id = l.item_id \
             JOIN distribution_points pt ON pt.id = d.point_id WHERE 1 = 1{clause} \
             GROUP BY d.distributed_on, i.code, pt.city ORDER BY d.distributed_on, i.code, pt.city"
        );
        let mut query = sqlx::query(&sql);
        for org in scope.unwrap_or_default() {
            query = query.bind(*org);
        }
        let mut conn = self.analytics.acquire().await?;
        let rows = query.fetch_all(&mut *conn).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("distributed_on")?,
                    r.try_get("code")?,
                    r.try_get("city")?,
                    u64::try_from(r.try_get::<i64, _>("units")?).unwrap_or(0),
                    u64::try_from(r.try_get::<i64, _>("households")?).unwrap_or(0),
                ))
            })
            .collect()
    }
}
