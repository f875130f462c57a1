//! Places of records: the settlement of the place list a household's or a site's city is,
//! the names no settlement answers to ("unconfirmed places"), and a coordinator's mapping
//! of such a name to a place for all of the organisation's records at once.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shanyrak_core::places::{PlaceId, fold_name};
use shanyrak_core::{Action, Actor, CountryCode};
use sqlx::Row;
use uuid::Uuid;

use shanyrak_store_macros::queries;

use crate::StoreError;

use super::{Backend, Change, ColumnExt, Repo, require};

/// A typed city name of the organisation's records that is no place of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnconfirmedPlace {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub country: CountryCode,
    /// The name as typed.
    pub city: String,
    /// Households of the organisation registered with this name.
    pub households: u64,
    /// Sites of the organisation with this name.
    pub sites: u64,
}

/// What mapping a name changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceMapping {
    /// Households now linked to the place.
    pub households: u64,
    /// Sites now linked to the place.
    pub sites: u64,
}

/// The place id column of a row (`NULL`, or a place id; an id out of range is no place).
pub(crate) fn place_id_from_row<R: Row>(
    row: &R,
    column: &str,
) -> Result<Option<PlaceId>, StoreError>
where
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    let id: Option<i64> = row.try_get(column)?;
    Ok(id.and_then(|id| u32::try_from(id).ok()).map(PlaceId))
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// The organisation's typed city names that are no place of the list, most records
    /// first.
    pub async fn unconfirmed_places(
        &self,
        actor: &Actor,
    ) -> Result<Vec<UnconfirmedPlace>, StoreError> {
        require(actor, Action::MapPlaces)?;
        let rows = sqlx::query(
            "SELECT country, city, CAST(SUM(households) AS BIGINT) AS households, \
             CAST(SUM(sites) AS BIGINT) AS sites FROM ( \
             SELECT country, city, COUNT(*) AS households, 0 AS sites FROM households \
             WHERE organisation_id = $1 AND place_id IS NULL AND anonymised_at IS NULL GROUP BY country, city \
             UNION ALL \
             SELECT country, city, 0 AS households, COUNT(*) AS sites FROM sites \
             WHERE organisation_id = $1 AND place_id IS NULL GROUP BY country, city) AS names \
             GROUP BY country, city ORDER BY SUM(households) + SUM(sites) DESC, country, city LIMIT 500",
        )
        .bind(actor.organisation_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let households: i64 = row.try_get("households")?;
                let sites: i64 = row.try_get("sites")?;
                Ok(UnconfirmedPlace {
                    country: row.text("country", "unknown country in households")?,
                    city: row.try_get("city")?,
                    households: u64::try_from(households).unwrap_or(0),
                    sites: u64::try_from(sites).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Maps a typed name (as listed by [`Repo::unconfirmed_places`]) to a place for the
    /// organisation: its households and sites with that name are linked now, and later
    /// records with a name that folds alike are linked when written. The caller has
    /// checked that the place is a settlement of `country`. One audit event.
    pub async fn map_unconfirmed_place(
        &self,
        actor: &Actor,
        country: CountryCode,
        city: &str,
        place: PlaceId,
        now: DateTime<Utc>,
    ) -> Result<PlaceMapping, StoreError> {
        require(actor, Action::MapPlaces)?;
        let folded = fold_name(city);
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        sqlx::query(
            "INSERT INTO place_aliases (organisation_id, country, folded_name, place_id, mapped_by, mapped_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organisation_id, country, folded_name) \
             DO UPDATE SET place_id = excluded.place_id, mapped_by = excluded.mapped_by, mapped_at = excluded.mapped_at",
        )
        .bind(actor.organisation_id)
        .bind(country.as_str().to_owned())
        .bind(folded.clone())
        .bind(i64::from(place.0))
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut linked = [0u64; 2];
        for (table, count) in ["households", "sites"].into_iter().zip(&mut linked) {
            let rows = sqlx::query(&format!(
                "UPDATE {table} SET place_id = $1 WHERE organisation_id = $2 AND country = $3 \
                 AND city = $4 AND place_id IS NULL RETURNING id"
            ))
            .bind(i64::from(place.0))
            .bind(actor.organisation_id)
            .bind(country.as_str().to_owned())
            .bind(city.to_owned())
            .fetch_all(&mut *tx)
            .await?;
            *count = rows.len() as u64;
        }
        let mapping = PlaceMapping {
            households: linked[0],
            sites: linked[1],
        };
        // The typed name is not personal data, but it is free text: the audit keeps its
        // folded form only.
        let alias_id = Uuid::now_v7();
        let change = Change::new("place_alias", alias_id, "map").after(serde_json::json!({
            "country": country.as_str(),
            "folded_name": folded,
            "place_id": place.0,
            "households": mapping.households,
            "sites": mapping.sites,
        }));
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(mapping)
    }

    /// Every organisation's mappings of typed names, as `(country, folded name, place)`:
    /// figures group a name by the place it was mapped to. Names only, no records.
    pub async fn place_aliases(&self) -> Result<Vec<(CountryCode, String, PlaceId)>, StoreError> {
        let rows = sqlx::query(
            "SELECT country, folded_name, place_id FROM place_aliases ORDER BY mapped_at",
        )
        .fetch_all(&self.reader)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let country: String = row.try_get("country")?;
            let Ok(country) = country.parse::<CountryCode>() else {
                continue;
            };
            let Some(place) = place_id_from_row(row, "place_id")? else {
                continue;
            };
            out.push((country, row.try_get("folded_name")?, place));
        }
        Ok(out)
    }

    /// Links every household and site whose place is unknown to the place `resolve`
    /// finds for its country and typed city, or to the organisation's mapping of that
    /// name. Run at start: it links rows written before places were kept, and rows whose
    /// name a newer place list knows. Returns how many rows it linked.
    pub async fn link_unconfirmed_places(
        &self,
        resolve: &(dyn Fn(CountryCode, &str) -> Option<PlaceId> + Send + Sync),
    ) -> Result<u64, StoreError> {
        let mut linked = 0;
        for table in ["households", "sites"] {
            let names = sqlx::query(&format!(
                "SELECT DISTINCT organisation_id, country, city FROM {table} WHERE place_id IS NULL"
            ))
            .fetch_all(&self.reader)
            .await?;
            for row in &names {
                let organisation: Uuid = row.try_get("organisation_id")?;
                let country: String = row.try_get("country")?;
                let city: String = row.try_get("city")?;
                let Ok(code) = country.parse::<CountryCode>() else {
                    continue;
                };
                let place = match resolve(code, &city) {
                    Some(place) => Some(i64::from(place.0)),
                    None => sqlx::query_scalar::<_, i64>(
                        "SELECT place_id FROM place_aliases WHERE organisation_id = $1 AND country = $2 \
                         AND folded_name = $3",
                    )
                    .bind(organisation)
                    .bind(country.clone())
                    .bind(fold_name(&city))
                    .fetch_optional(&self.reader)
                    .await?,
                };
                let Some(place) = place else { continue };
                let done = sqlx::query(&format!(
                    "UPDATE {table} SET place_id = $1 WHERE organisation_id = $2 AND country = $3 \
                     AND city = $4 AND place_id IS NULL RETURNING id"
                ))
                .bind(place)
                .bind(organisation)
                .bind(country)
                .bind(city)
                .fetch_all(&self.writer)
                .await?;
                linked += done.len() as u64;
            }
        }
        Ok(linked)
    }
}
