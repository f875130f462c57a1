//! Coordinator figures kept ahead of the request.
//!
//! Grouping a million person records takes seconds, however it is indexed (see
//! docs/BENCHMARKS.md), so the dashboard reads a snapshot instead: every organisation's
//! cells, computed in the background and replaced whole. A reader sums the cells of the
//! organisations in its scope, then adds what was written after the snapshot (new
//! households, stays and distributions, found through indexes on their write time).
//!
//! Resolved persons across organisations: a record counts as a person in a scope when no
//! earlier record of the same person (smaller id, as in `population_cells`) lies in that
//! scope. Each cell therefore keeps the organisations holding earlier records of its
//! people (`earlier_orgs`); for most records that list is empty.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use shanyrak_core::stats::PopulationCell;
use shanyrak_core::{CountryCode, PopulationGroup, Sex};
use sqlx::{FromRow, Row};
use uuid::Uuid;

use super::figures::{age_band_of, age_band_sql, parse_day, scope_clause};
use super::{Backend, ColumnExt, Repo};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// When the snapshot was made and how long that took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct SnapshotInfo {
    /// Everything written up to this instant is in the snapshot, nothing after it.
    pub computed_at: DateTime<Utc>,
    /// The day age bands were computed on.
    pub today: NaiveDate,
    pub took_ms: i64,
}

/// Households waiting for a bed, by city and the day they started waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingCell {
    pub country: String,
    pub city: String,
    pub since: NaiveDate,
    pub households: u64,
    pub persons: u64,
}

/// The dimensions of a population cell, as stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
struct CellKey {
    organisation_id: Uuid,
    /// Not a column: the caller's (see the module documentation).
    #[sqlx(skip)]
    earlier_orgs: String,
    #[sqlx(rename = "population_group")]
    group: String,
    sex: String,
    #[sqlx(rename = "band")]
    age_band: String,
    citizenship: Option<String>,
    country: String,
    city: String,
    arrival_date: Option<NaiveDate>,
    crossing_point: Option<String>,
}

fn cell_key<R: Row>(row: &R, earlier_orgs: String) -> Result<CellKey, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    Uuid: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    NaiveDate: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(CellKey {
        earlier_orgs,
        ..CellKey::from_row(row)?
    })
}

/// Rows per multi-row `INSERT`: under SQLite's and PostgreSQL's bound-parameter limits.
const INSERT_CHUNK: usize = 500;

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Rows of a query over the snapshot tables whose `{scope}` becomes the scope's
    /// `AND organisation_id IN (…)`, bound from `$1` (nothing for every organisation); an
    /// empty scope is no rows, not every organisation's.
    async fn snapshot_rows(
        &self,
        sql: &str,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<DB::Row>, StoreError> {
        if scope.is_some_and(|s| s.is_empty()) {
            return Ok(Vec::new());
        }
        let sql = sql.replace("{scope}", &scope_clause("organisation_id", scope, 1));
        let mut query = sqlx::query(&sql);
        for org in scope.unwrap_or_default() {
            query = query.bind(*org);
        }
        let mut conn = self.reader.acquire().await?;
        Ok(query.fetch_all(&mut *conn).await?)
    }

    /// The snapshot's time and cost, if one was made.
    pub async fn figure_snapshot_info(&self) -> Result<Option<SnapshotInfo>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let info =
            sqlx::query_as("SELECT computed_at, today, took_ms FROM figure_snapshot WHERE id = 1")
                .fetch_optional(&mut *conn)
                .await?;
        Ok(info)
    }

    /// Computes every organisation's cells as of `now` and replaces the snapshot with them.
    /// Reads run on a reader connection (nothing is locked while they run); the
    /// replacement is one short write transaction.
    pub async fn refresh_figure_snapshot(
        &self,
        now: DateTime<Utc>,
    ) -> Result<SnapshotInfo, StoreError> {
        let started = std::time::Instant::now();
        let today = crate::clock::local_date(now);
        let mut conn = self.analytics.acquire().await?;

        // Records of people never merged: grouped in the database.
        let sql = format!(
            "SELECT h.organisation_id, h.population_group, p.sex, {band} AS band, p.citizenship, h.country, h.city, \
             h.arrival_date, h.crossing_point, COUNT(*) AS records \
             FROM persons p JOIN households h ON h.id = p.household_id \
             WHERE p.removed_at IS NULL AND p.identity_id IS NULL AND h.registered_at <= $3 \
             GROUP BY h.organisation_id, h.population_group, p.sex, band, p.citizenship, h.country, h.city, \
             h.arrival_date, h.crossing_point",
            band = age_band_sql(),
        );
        let rows = sqlx::query(&sql)
            .bind(today.year())
            .bind(format!("{:02}-{:02}", today.month(), today.day()))
            .bind(now)
            .fetch_all(&mut *conn)
            .await?;
        let mut population: BTreeMap<CellKey, u64> = BTreeMap::new();
        for row in &rows {
            *population.entry(cell_key(row, String::new())?).or_default() +=
                count(row.try_get("records")?);
        }
        // Records of merged people (a few per cent): one row each, so that each can carry
        // the organisations of the same person's earlier records.
        let sql = format!(
            "SELECT p.id, p.identity_id, h.organisation_id, h.population_group, p.sex, {band} AS band, p.citizenship, \
             h.country, h.city, h.arrival_date, h.crossing_point \
             FROM persons p JOIN households h ON h.id = p.household_id \
             WHERE p.removed_at IS NULL AND p.identity_id IS NOT NULL AND h.registered_at <= $3 \
             ORDER BY p.identity_id, p.id",
            band = age_band_sql(),
        );
        let rows = sqlx::query(&sql)
            .bind(today.year())
            .bind(format!("{:02}-{:02}", today.month(), today.day()))
            .bind(now)
            .fetch_all(&mut *conn)
            .await?;
        let mut identity: Option<Uuid> = None;
        let mut earlier: BTreeSet<Uuid> = BTreeSet::new();
        for row in &rows {
            let this: Uuid = row.try_get("identity_id")?;
            if identity != Some(this) {
                identity = Some(this);
                earlier.clear();
            }
            let listed = earlier
                .iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let key = cell_key(row, listed)?;
            earlier.insert(key.organisation_id);
            *population.entry(key).or_default() += 1;
        }

        let mut placements: BTreeMap<(Uuid, NaiveDate), (u64, u64)> = BTreeMap::new();
        for (column, made) in [("created_at", true), ("checked_in_at", false)] {
            let sql = format!(
                "SELECT organisation_id, {day} AS day, COUNT(*) AS n FROM stays WHERE {column} IS NOT NULL AND {column} <= $1 \
                 GROUP BY organisation_id, {day}",
                day = DB::day_sql(column),
            );
            for row in sqlx::query(&sql).bind(now).fetch_all(&mut *conn).await? {
                let day = parse_day(&row.try_get::<String, _>("day")?)?;
                let entry = placements
                    .entry((row.try_get("organisation_id")?, day))
                    .or_default();
                let n = count(row.try_get("n")?);
                if made { entry.0 += n } else { entry.1 += n }
            }
        }

        let distributions: Vec<(Uuid, String, i64)> = sqlx::query(
            "SELECT d.organisation_id, i.code, CAST(SUM(l.quantity) AS BIGINT) AS units FROM distribution_lines l \
             JOIN distributions d ON d.id = l.distribution_id JOIN items i ON i.id = l.item_id \
             WHERE d.recorded_at <= $1 GROUP BY d.organisation_id, i.code",
        )
        .bind(now)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("organisation_id")?, r.try_get("code")?, r.try_get("units")?)))
        .collect::<Result<_, StoreError>>()?;

        // Waiting as `waiting_list` defines it: active, needing shelter, with members and
        // no member in a bed or a live reservation; waiting since arrival or registration,
        // whichever came first.
        let sql = format!(
            "SELECT organisation_id, country, city, arrival_date, registered_on, COUNT(*) AS households, CAST(SUM(members) AS BIGINT) AS persons \
             FROM (SELECT h.organisation_id, h.country, h.city, h.arrival_date, {registered_on} AS registered_on, \
               (SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id AND p.removed_at IS NULL) AS members \
               FROM households h WHERE h.status = 'active' AND CAST(h.needs AS TEXT) LIKE '%\"shelter\"%' \
               AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.household_id = h.id AND (s.status = 'checked_in' OR \
                 (s.status = 'reserved' AND s.reserved_until > $1)))) w \
             WHERE members > 0 GROUP BY organisation_id, country, city, arrival_date, registered_on",
            registered_on = DB::day_sql("h.registered_at"),
        );
        let mut waiting: BTreeMap<(Uuid, String, String, NaiveDate), (u64, u64)> = BTreeMap::new();
        for row in sqlx::query(&sql).bind(now).fetch_all(&mut *conn).await? {
            let registered = parse_day(&row.try_get::<String, _>("registered_on")?)?;
            let arrival: Option<NaiveDate> = row.try_get("arrival_date")?;
            let since = arrival.unwrap_or(registered).min(registered);
            let entry = waiting
                .entry((
                    row.try_get("organisation_id")?,
                    row.try_get("country")?,
                    row.try_get("city")?,
                    since,
                ))
                .or_default();
            entry.0 += count(row.try_get("households")?);
            entry.1 += count(row.try_get("persons")?);
        }
        drop(conn);

        let took_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        // The snapshot row first: it locks out a concurrent refresh (another PostgreSQL
        // process) until this one commits, so the two never both fill the tables; and a
        // refresh older than the one stored gives way instead of replacing it.
        let newer = sqlx::query(
            "INSERT INTO figure_snapshot (id, computed_at, today, took_ms) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET computed_at = excluded.computed_at, today = excluded.today, took_ms = excluded.took_ms \
             WHERE figure_snapshot.computed_at < excluded.computed_at RETURNING id",
        )
        .bind(now)
        .bind(today)
        .bind(took_ms)
        .fetch_optional(&mut *tx)
        .await?;
        if newer.is_none() {
            tx.rollback().await?;
            return self
                .figure_snapshot_info()
                .await?
                .ok_or_else(|| StoreError::corrupt("figure snapshot vanished"));
        }
        for table in [
            "figure_population",
            "figure_placements",
            "figure_distributions",
            "figure_waiting",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        let population: Vec<(CellKey, u64)> = population.into_iter().collect();
        for chunk in population.chunks(INSERT_CHUNK) {
            let sql = DB::values_sql(
                "INSERT INTO figure_population (organisation_id, earlier_orgs, population_group, sex, age_band, citizenship, \
                 country, city, arrival_date, crossing_point, records)",
                chunk.len(),
                11,
            );
            let mut query = sqlx::query(&sql);
            for (key, records) in chunk {
                query = query
                    .bind(key.organisation_id)
                    .bind(key.earlier_orgs.clone())
                    .bind(key.group.clone())
                    .bind(key.sex.clone())
                    .bind(key.age_band.clone())
                    .bind(key.citizenship.clone())
                    .bind(key.country.clone())
                    .bind(key.city.clone())
                    .bind(key.arrival_date)
                    .bind(key.crossing_point.clone())
                    .bind(to_i64(*records));
            }
            query.execute(&mut *tx).await?;
        }
        let placements: Vec<_> = placements.into_iter().collect();
        for chunk in placements.chunks(INSERT_CHUNK) {
            let sql = DB::values_sql(
                "INSERT INTO figure_placements (organisation_id, day, made, checked_in)",
                chunk.len(),
                4,
            );
            let mut query = sqlx::query(&sql);
            for ((org, day), (made, checked_in)) in chunk {
                query = query
                    .bind(*org)
                    .bind(*day)
                    .bind(to_i64(*made))
                    .bind(to_i64(*checked_in));
            }
            query.execute(&mut *tx).await?;
        }
        for chunk in distributions.chunks(INSERT_CHUNK) {
            let sql = DB::values_sql(
                "INSERT INTO figure_distributions (organisation_id, item_code, units)",
                chunk.len(),
                3,
            );
            let mut query = sqlx::query(&sql);
            for (org, code, units) in chunk {
                query = query.bind(*org).bind(code.clone()).bind(*units);
            }
            query.execute(&mut *tx).await?;
        }
        let waiting: Vec<_> = waiting.into_iter().collect();
        for chunk in waiting.chunks(INSERT_CHUNK) {
            let sql = DB::values_sql(
                "INSERT INTO figure_waiting (organisation_id, country, city, since, households, persons)",
                chunk.len(),
                6,
            );
            let mut query = sqlx::query(&sql);
            for ((org, country, city, since), (households, persons)) in chunk {
                query = query
                    .bind(*org)
                    .bind(country.clone())
                    .bind(city.clone())
                    .bind(*since)
                    .bind(to_i64(*households))
                    .bind(to_i64(*persons));
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(SnapshotInfo {
            computed_at: now,
            today,
            took_ms,
        })
    }

    /// The snapshot's population cells of a scope, each marked counted when none of its
    /// people has an earlier record in the scope.
    pub async fn snapshot_population(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<PopulationCell>, StoreError> {
        let in_scope = |org: &str| match scope {
            None => true,
            Some(orgs) => orgs.iter().any(|o| o.to_string() == org),
        };
        let rows = self
            .snapshot_rows(
                "SELECT organisation_id, earlier_orgs, population_group, sex, age_band, citizenship, country, city, arrival_date, \
             crossing_point, records FROM figure_population WHERE 1 = 1{scope}",
                scope,
            )
            .await?;
        rows.iter()
            .map(|r| {
                let earlier: String = r.try_get("earlier_orgs")?;
                let citizenship: Option<String> = r.try_get("citizenship")?;
                Ok(PopulationCell {
                    group: r.parsed("population_group", PopulationGroup::parse)?,
                    sex: r.parsed("sex", Sex::parse)?,
                    age_band: age_band_of(&r.try_get::<String, _>("age_band")?),
                    citizenship: citizenship.and_then(|c| c.parse::<CountryCode>().ok()),
                    country: r.text("country", "unknown country")?,
                    city: r.try_get("city")?,
                    arrival_date: r.try_get("arrival_date")?,
                    crossing_point: r.try_get("crossing_point")?,
                    counted: earlier.is_empty() || !earlier.split(',').any(in_scope),
                    records: count(r.try_get("records")?),
                })
            })
            .collect()
    }

    /// The snapshot's `(day, stays made, stays checked in)` of a scope.
    pub async fn snapshot_placements(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<(NaiveDate, u64, u64)>, StoreError> {
        let rows = self
            .snapshot_rows(
                "SELECT day, CAST(SUM(made) AS BIGINT) AS made, CAST(SUM(checked_in) AS BIGINT) AS checked_in FROM figure_placements WHERE 1 = 1{scope} \
             GROUP BY day ORDER BY day",
                scope,
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("day")?,
                    count(r.try_get("made")?),
                    count(r.try_get("checked_in")?),
                ))
            })
            .collect()
    }

    /// The snapshot's units per item code of a scope.
    pub async fn snapshot_distributions(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = self
            .snapshot_rows(
                "SELECT item_code, CAST(SUM(units) AS BIGINT) AS units FROM figure_distributions WHERE 1 = 1{scope} GROUP BY item_code ORDER BY item_code",
                scope,
            )
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("item_code")?, count(r.try_get("units")?))))
            .collect()
    }

    /// The snapshot's waiting households of a scope, by city and day they started waiting.
    pub async fn snapshot_waiting(
        &self,
        scope: Option<&[Uuid]>,
    ) -> Result<Vec<WaitingCell>, StoreError> {
        let rows = self
            .snapshot_rows(
                "SELECT country, city, since, CAST(SUM(households) AS BIGINT) AS households, CAST(SUM(persons) AS BIGINT) AS persons FROM figure_waiting \
             WHERE 1 = 1{scope} GROUP BY country, city, since ORDER BY country, city, since",
                scope,
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(WaitingCell {
                    country: r.try_get("country")?,
                    city: r.try_get("city")?,
                    since: r.try_get("since")?,
                    households: count(r.try_get("households")?),
                    persons: count(r.try_get("persons")?),
                })
            })
            .collect()
    }
}
