//! Sites and bed pools: who may see which site and how much of it, and the beds free.
//! Stays in them are in `stays.rs`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shanyrak_core::shelter::{
    Amenities, BedPoolSpec, Coordinates, HouseRules, PoolKind, PoolUsage, Site, SiteKind,
    SiteKindGroup, SiteStatus, ValidatedSite, validate_pool,
};
use shanyrak_core::{Action, Actor, CountryCode, Location, PhoneNumber, ValidationErrors};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Backend, Change, ColumnExt, Principal, Query, Repo, check_version, require, to_json};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// A bed pool with the beds its stays hold right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolView {
    pub id: Uuid,
    pub site_id: Uuid,
    #[serde(flatten)]
    pub spec: BedPoolSpec,
    /// People checked in.
    pub occupied: u32,
    /// People with a live reservation.
    pub reserved: u32,
    /// Beds (or, for family rooms, rooms) still free for ordinary stays.
    pub free: u32,
    /// Step-free beds not taken.
    pub free_step_free: u32,
    pub version: i64,
}

impl PoolView {
    /// Free beds counted as beds: for family rooms, every bed of each wholly free room.
    pub fn free_beds(&self) -> u64 {
        match self.spec.kind {
            PoolKind::FamilyRoom => {
                u64::from(self.free) * u64::from(self.spec.room_size.unwrap_or(1))
            }
            _ => u64::from(self.free),
        }
    }

    /// Beds in service: all beds less the blocked ones.
    pub fn capacity(&self) -> u64 {
        u64::from(self.spec.beds.saturating_sub(self.spec.blocked_beds))
    }
}

/// A site as those who may not see it in full see it (the owner's registrars, other
/// organisations without a `shelter` agreement): the city, a coarse kind and the free beds.
/// Never its name, address, coordinates, host or pools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteSummary {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub country: CountryCode,
    pub city: String,
    pub kind_group: SiteKindGroup,
    pub status: SiteStatus,
    /// Beds free now (for family rooms, the beds of wholly free rooms).
    pub free_beds: u64,
    pub free_step_free_beds: u64,
}

impl SiteSummary {
    fn of(view: &SiteView) -> Self {
        SiteSummary {
            id: view.site.id,
            organisation_id: view.site.organisation_id,
            country: view.site.details.location.country,
            city: view.site.details.location.city.clone(),
            kind_group: view.site.details.kind.group(),
            status: view.site.details.status,
            free_beds: view.pools.iter().map(PoolView::free_beds).sum(),
            free_step_free_beds: view.pools.iter().map(|p| u64::from(p.free_step_free)).sum(),
        }
    }
}

/// Where a stay is, as the reader may know it: the site's name only for those who see the
/// site whole (see [`SiteSummary`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteLabel {
    pub name: Option<String>,
    pub city: String,
    pub kind_group: SiteKindGroup,
    /// The IANA time zone the site keeps its calendar in: its place's, else the
    /// deployment's.
    #[serde(serialize_with = "crate::clock::serialize_zone")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Asia/Oral"))]
    pub time_zone: chrono_tz::Tz,
}

/// One site as a reader may see it: whole, or as a summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum SiteEntry {
    Full(Box<SiteView>),
    Summary(SiteSummary),
}

/// The organisations whose sites a reader sees whole, by the visibility table: their own
/// (for the roles that place people) and those sharing `shelter` with them.
#[derive(Debug, Clone)]
pub(super) enum FullSites {
    All,
    Of(Vec<Uuid>),
}

impl FullSites {
    pub(super) fn includes(&self, organisation_id: Uuid) -> bool {
        match self {
            FullSites::All => true,
            FullSites::Of(orgs) => orgs.contains(&organisation_id),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteView {
    #[serde(flatten)]
    pub site: Site,
    pub pools: Vec<PoolView>,
}

const SITE_COLUMNS: &str = "id, organisation_id, name, kind, address, country, region, city, latitude, longitude, \
     contact_name, contact_phone, status, rules, amenities, version, created_at, updated_at, place_id, time_zone";
pub(super) const POOL_COLUMNS: &str =
    "id, site_id, kind, room_size, beds, step_free_beds, blocked_beds, transitory_beds, version";
/// Ids bound per query: under SQLite's and PostgreSQL's bound-parameter limits.
const POOL_CHUNK: usize = 5_000;

fn wide_to_u32(value: i64, column: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::corrupt(format!("{column} out of range")))
}

/// A pool with the beds its held stays leave free.
fn pool_view(
    id: Uuid,
    site_id: Uuid,
    spec: BedPoolSpec,
    version: i64,
    usage: (PoolUsage, u32, u32),
) -> PoolView {
    let (used, occupied, reserved) = usage;
    let free = if spec.kind == PoolKind::FamilyRoom {
        spec.rooms().saturating_sub(used.rooms)
    } else {
        spec.regular_capacity().saturating_sub(used.regular)
    };
    let free_step_free = spec.step_free_beds.saturating_sub(used.step_free);
    PoolView {
        id,
        site_id,
        spec,
        occupied,
        reserved,
        free,
        free_step_free,
        version,
    }
}

pub(super) fn to_u32(value: i32, column: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::corrupt(format!("negative value in {column}")))
}

/// The organisation a principal's reads and writes are confined to (`None`: all, for the
/// operator's system-wide commands).
pub(super) fn scope_of(by: &Principal) -> Option<Uuid> {
    match by {
        Principal::User(actor) => Some(actor.organisation_id),
        Principal::System(_) => None,
    }
}

pub(super) fn by_user(by: &Principal) -> Option<Uuid> {
    match by {
        Principal::User(actor) => Some(actor.user_id),
        Principal::System(_) => None,
    }
}

#[queries]
impl<DB: Backend> Repo<DB> {
    fn site_from_row(row: &DB::Row) -> Result<Site, StoreError> {
        let latitude: Option<f64> = row.try_get("latitude")?;
        let longitude: Option<f64> = row.try_get("longitude")?;
        let phone: Option<String> = row.try_get("contact_phone")?;
        let time_zone: Option<String> = row.try_get("time_zone")?;
        Ok(Site {
            id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            details: ValidatedSite {
                name: row.try_get("name")?,
                kind: row.parsed("kind", SiteKind::parse)?,
                address: row.try_get("address")?,
                location: Location {
                    country: row.text("country", "unknown country in sites")?,
                    region: row.try_get("region")?,
                    city: row.try_get("city")?,
                    place_id: super::place_id_from_row(row, "place_id")?,
                },
                coordinates: latitude
                    .zip(longitude)
                    .map(|(latitude, longitude)| Coordinates {
                        latitude,
                        longitude,
                    }),
                contact_name: row.try_get("contact_name")?,
                contact_phone: phone
                    .map(|p| PhoneNumber::from_e164(&p))
                    .transpose()
                    .map_err(|_| StoreError::corrupt("unreadable phone in sites"))?,
                status: row.parsed("status", SiteStatus::parse)?,
                rules: row.json::<HouseRules>("rules")?,
                amenities: row.json::<Amenities>("amenities")?,
                time_zone: time_zone
                    .map(|z| z.parse::<chrono_tz::Tz>())
                    .transpose()
                    .map_err(|_| StoreError::corrupt("unknown time zone in sites"))?,
            },
            version: row.try_get("version")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    pub(super) fn pool_from_row(
        row: &DB::Row,
    ) -> Result<(Uuid, Uuid, BedPoolSpec, i64), StoreError> {
        let room_size: Option<i32> = row.try_get("room_size")?;
        Ok((
            row.try_get("id")?,
            row.try_get("site_id")?,
            BedPoolSpec {
                kind: row.parsed("kind", PoolKind::parse)?,
                room_size: room_size.map(|r| to_u32(r, "room_size")).transpose()?,
                beds: to_u32(row.try_get("beds")?, "beds")?,
                step_free_beds: to_u32(row.try_get("step_free_beds")?, "step_free_beds")?,
                blocked_beds: to_u32(row.try_get("blocked_beds")?, "blocked_beds")?,
                transitory_beds: to_u32(row.try_get("transitory_beds")?, "transitory_beds")?,
            },
            row.try_get("version")?,
        ))
    }

    /// Adds one row of held beds (grouped by pool, status and one night) to `usage`.
    fn add_usage(
        usage: &mut HashMap<Uuid, (PoolUsage, u32, u32)>,
        row: &DB::Row,
    ) -> Result<(), StoreError> {
        let pool_id: Uuid = row.try_get("pool_id")?;
        let persons = wide_to_u32(row.try_get("persons")?, "persons")?;
        let step_free = wide_to_u32(row.try_get("step_free")?, "step_free")?;
        let stays = wide_to_u32(row.try_get("stays")?, "stays")?;
        let one_night: bool = row.try_get("one_night")?;
        let reserved = row.try_get::<String, _>("status")? == "reserved";
        let entry = usage.entry(pool_id).or_default();
        if one_night {
            entry.0.transitory += persons;
        } else {
            entry.0.regular += persons;
        }
        entry.0.step_free += step_free;
        entry.0.rooms += stays;
        if reserved {
            entry.2 += persons;
        } else {
            entry.1 += persons;
        }
        Ok(())
    }

    /// Beds by country, city and pool kind, summed in the database: `(country, city, kind,
    /// capacity, occupied, reserved, free)`. The arithmetic is [`pool_view`]'s (family rooms
    /// free whole; transitory beds apart); a test keeps the two equal.
    #[allow(clippy::type_complexity)]
    pub async fn bed_figures(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(CountryCode, String, PoolKind, u64, u64, u64, u64)>, StoreError> {
        let positive = |x: &str| format!("(CASE WHEN {x} > 0 THEN {x} ELSE 0 END)");
        let in_service = positive("p.beds - p.blocked_beds");
        let sql = format!(
            "SELECT s.country, s.city, p.kind, CAST(SUM({in_service}) AS BIGINT) AS capacity, \
             CAST(SUM(COALESCE(u.occupied, 0)) AS BIGINT) AS occupied, CAST(SUM(COALESCE(u.reserved, 0)) AS BIGINT) AS reserved, \
             CAST(SUM(CASE WHEN p.kind = '{family}' THEN \
               (CASE WHEN p.room_size > 0 THEN {free_rooms} * p.room_size ELSE 0 END) \
               ELSE {free_beds} END) AS BIGINT) AS free \
             FROM bed_pools p JOIN sites s ON s.id = p.site_id LEFT JOIN (\
               SELECT pool_id, SUM(CASE WHEN status = 'checked_in' THEN persons ELSE 0 END) AS occupied, \
               SUM(CASE WHEN status = 'reserved' THEN persons ELSE 0 END) AS reserved, \
               SUM(CASE WHEN one_night THEN 0 ELSE persons END) AS regular, COUNT(*) AS rooms FROM stays \
               WHERE status IN ('checked_in', 'reserved') AND (status = 'checked_in' OR reserved_until > $1) GROUP BY pool_id\
             ) u ON u.pool_id = p.id GROUP BY s.country, s.city, p.kind ORDER BY s.country, s.city, p.kind",
            family = PoolKind::FamilyRoom.as_str(),
            free_rooms = positive(&format!(
                "{in_service} / (CASE WHEN p.room_size > 0 THEN p.room_size ELSE 1 END) - COALESCE(u.rooms, 0)"
            )),
            free_beds =
                positive("p.beds - p.blocked_beds - p.transitory_beds - COALESCE(u.regular, 0)"),
        );
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(&sql).bind(now).fetch_all(&mut *conn).await?;
        let wide = |r: &DB::Row, column: &str| -> Result<u64, StoreError> {
            Ok(u64::try_from(r.try_get::<i64, _>(column)?).unwrap_or(0))
        };
        rows.iter()
            .map(|r| {
                Ok((
                    r.text("country", "unknown country in sites")?,
                    r.try_get("city")?,
                    r.parsed("kind", PoolKind::parse)?,
                    wide(r, "capacity")?,
                    wide(r, "occupied")?,
                    wide(r, "reserved")?,
                    wide(r, "free")?,
                ))
            })
            .collect()
    }

    /// Beds held in each of the given pools: checked-in stays and unexpired reservations.
    pub(super) async fn pool_usage(
        conn: &mut DB::Connection,
        pool_ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<HashMap<Uuid, (PoolUsage, u32, u32)>, StoreError> {
        let mut usage: HashMap<Uuid, (PoolUsage, u32, u32)> = HashMap::new();
        if pool_ids.is_empty() {
            return Ok(usage);
        }
        // Summed in the database over the partial index of held beds (migration 0016):
        // a site list reads one row per pool and kind of stay, not one per stay.
        for chunk in pool_ids.chunks(POOL_CHUNK) {
            let in_list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT pool_id, status, one_night, CAST(SUM(persons) AS BIGINT) AS persons, \
                 CAST(SUM(step_free) AS BIGINT) AS step_free, COUNT(*) AS stays FROM stays \
                 WHERE status IN ('checked_in', 'reserved') AND (status = 'checked_in' OR reserved_until > $1) \
                 AND pool_id IN ({}) GROUP BY pool_id, status, one_night",
                in_list.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(now);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut *conn).await? {
                Self::add_usage(&mut usage, &row)?;
            }
        }
        Ok(usage)
    }

    async fn load_site_views(
        conn: &mut DB::Connection,
        sites: Vec<Site>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SiteView>, StoreError> {
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let mut pools: Vec<(Uuid, Uuid, BedPoolSpec, i64)> = Vec::new();
        for chunk in sites.chunks(POOL_CHUNK) {
            let sql = format!(
                "SELECT {POOL_COLUMNS} FROM bed_pools WHERE site_id IN ({}) ORDER BY site_id, id",
                DB::placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for site in chunk {
                query = query.bind(site.id);
            }
            let rows = query.fetch_all(&mut *conn).await?;
            for row in &rows {
                pools.push(Self::pool_from_row(row)?);
            }
        }
        let ids: Vec<Uuid> = pools.iter().map(|p| p.0).collect();
        let usage = Self::pool_usage(conn, &ids, now).await?;
        let mut views: Vec<SiteView> = sites
            .into_iter()
            .map(|site| SiteView {
                site,
                pools: Vec::new(),
            })
            .collect();
        let index: HashMap<Uuid, usize> = views
            .iter()
            .enumerate()
            .map(|(i, v)| (v.site.id, i))
            .collect();
        for (id, site_id, spec, version) in pools {
            if let Some(&i) = index.get(&site_id) {
                views[i].pools.push(pool_view(
                    id,
                    site_id,
                    spec,
                    version,
                    usage.get(&id).copied().unwrap_or_default(),
                ));
            }
        }
        Ok(views)
    }

    pub async fn create_site(
        &self,
        actor: &Actor,
        site: &ValidatedSite,
        now: DateTime<Utc>,
    ) -> Result<SiteView, StoreError> {
        require(actor, Action::ManageSites)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let stored = Self::insert_site(&mut tx, actor, site, now).await?;
        tx.commit().await?;
        Ok(SiteView {
            site: stored,
            pools: Vec::new(),
        })
    }

    /// Binds a site's own fields: sixteen values, numbered the same in the `INSERT` and
    /// the `UPDATE` of sites (from `$3` and from `$1`).
    fn bind_site_fields<'q>(
        query: Query<'q, DB>,
        site: &ValidatedSite,
    ) -> Result<Query<'q, DB>, StoreError> {
        Ok(query
            .bind(site.name.clone())
            .bind(site.kind.as_str().to_owned())
            .bind(site.address.clone())
            .bind(site.location.country.as_str().to_owned())
            .bind(site.location.region.clone())
            .bind(site.location.city.clone())
            .bind(site.coordinates.map(|c| c.latitude))
            .bind(site.coordinates.map(|c| c.longitude))
            .bind(site.contact_name.clone())
            .bind(site.contact_phone.as_ref().map(|p| p.as_str().to_owned()))
            .bind(site.status.as_str().to_owned())
            .bind(Json(to_json(&site.rules)?))
            .bind(Json(to_json(&site.amenities)?))
            .bind(site.location.place_id.map(|p| i64::from(p.0)))
            .bind(shanyrak_core::places::fold_name(&site.location.city))
            .bind(site.time_zone.map(|z| z.name().to_owned())))
    }

    /// Writes a new site of the actor's organisation with its audit event, inside the
    /// caller's transaction; the caller has checked the actor's right (managing sites, or
    /// verifying a host offer).
    pub(super) async fn insert_site(
        conn: &mut DB::Connection,
        actor: &Actor,
        site: &ValidatedSite,
        now: DateTime<Utc>,
    ) -> Result<Site, StoreError> {
        let stored = Site {
            id: Uuid::now_v7(),
            organisation_id: actor.organisation_id,
            details: site.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let query = sqlx::query(
            "INSERT INTO sites (id, organisation_id, name, kind, address, country, region, city, latitude, longitude, \
             contact_name, contact_phone, status, rules, amenities, place_id, time_zone, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             COALESCE($16, (SELECT a.place_id FROM place_aliases a WHERE a.organisation_id = $2 \
             AND a.country = $6 AND a.folded_name = $17)), $18, $19, $20, $21)",
        )
        .bind(stored.id)
        .bind(stored.organisation_id);
        Self::bind_site_fields(query, site)?
            .bind(1i64)
            .bind(now)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        let change = Change::created("site", stored.id, &stored)?;
        Self::audit_by(conn, actor, change, now).await?;
        Ok(stored)
    }

    /// Replaces a site's details (name, status, rules, …) after checking that its pools
    /// still fit the rules, with the version guarding against concurrent edits.
    pub async fn update_site(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: Option<i64>,
        site: &ValidatedSite,
        now: DateTime<Utc>,
    ) -> Result<SiteView, StoreError> {
        require(actor, Action::ManageSites)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let before = Self::site_in_conn(&mut tx, id).await?;
        if before.organisation_id != actor.organisation_id {
            return Err(StoreError::Forbidden);
        }
        check_version(expected_version, before.version)?;
        if site.rules.sex_segregated {
            let mixed =
                sqlx::query("SELECT id FROM bed_pools WHERE site_id = $1 AND kind = 'mixed'")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if mixed.is_some() {
                return Err(StoreError::Invalid(ValidationErrors::single(
                    shanyrak_core::FieldError::new(
                        "#/rules/sex_segregated",
                        shanyrak_core::FieldErrorCode::InvalidValue,
                        "this site has mixed dormitories; a sex-segregated site has only male and female dorms and family rooms",
                    ),
                )));
            }
        }
        let query = sqlx::query(
            "UPDATE sites SET name = $1, kind = $2, address = $3, country = $4, region = $5, city = $6, latitude = $7, \
             longitude = $8, contact_name = $9, contact_phone = $10, status = $11, rules = $12, amenities = $13, \
             place_id = COALESCE($14, (SELECT a.place_id FROM place_aliases a \
             WHERE a.organisation_id = sites.organisation_id AND a.country = $4 AND a.folded_name = $15), \
             CASE WHEN sites.country = $4 AND sites.city = $6 THEN sites.place_id END), time_zone = $16, \
             version = $17, updated_at = $18 WHERE id = $19 AND version = $20 RETURNING id",
        );
        let update = Self::bind_site_fields(query, site)?
            .bind(before.version + 1)
            .bind(now)
            .bind(id)
            .bind(before.version);
        Self::update_at_version(&mut tx, update, before.version).await?;
        let after = Site {
            details: site.clone(),
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        let change = Change::updated("site", id, "update", &before, &after)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        let mut conn = self.writer.acquire().await?;
        let mut views = Self::load_site_views(&mut conn, vec![after], now).await?;
        views.pop().ok_or(StoreError::NotFound)
    }

    pub(super) async fn site_in_conn(
        conn: &mut DB::Connection,
        id: Uuid,
    ) -> Result<Site, StoreError> {
        let sql = format!("SELECT {SITE_COLUMNS} FROM sites WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        Self::site_from_row(&row)
    }

    /// A site with its pools and free beds. Sites are not personal data: every signed-in
    /// role may see them, which is what lets dispatchers place across organisations.
    /// Whose sites `by` sees whole: own (roles that place people), partners sharing
    /// `shelter` (the same roles), everything for the operator.
    pub(super) async fn full_sites(
        conn: &mut DB::Connection,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> Result<FullSites, StoreError> {
        use shanyrak_core::sharing::SharingCategory;
        use shanyrak_core::visibility::{Field, Relation, Viewer};
        let Principal::User(actor) = by else {
            return Ok(FullSites::All);
        };
        let mut orgs = Vec::new();
        if Viewer::own(actor).sees(Field::SiteDetails) {
            orgs.push(actor.organisation_id);
        }
        let partner = Viewer {
            roles: &actor.roles,
            relation: Relation::Partner(SharingCategory::Shelter),
        };
        if partner.sees(Field::SiteDetails) {
            orgs.extend(
                Self::sharing_organisations_in(
                    conn,
                    actor.organisation_id,
                    SharingCategory::Shelter,
                    now,
                )
                .await?,
            );
        }
        Ok(FullSites::Of(orgs))
    }

    /// A site the actor sees whole (see [`Self::site_entry`] for everyone else); another
    /// organisation's site without a `shelter` agreement is `NotFound`.
    pub async fn get_site(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<SiteView, StoreError> {
        match self.site_entry(actor, id, now).await? {
            SiteEntry::Full(view) => Ok(*view),
            SiteEntry::Summary(_) => Err(StoreError::NotFound),
        }
    }

    /// One site as the actor may see it: whole or as a summary.
    pub async fn site_entry(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<SiteEntry, StoreError> {
        require(actor, Action::ReadSites)?;
        let mut conn = self.reader.acquire().await?;
        let full = Self::full_sites(&mut conn, &Principal::User(actor.clone()), now).await?;
        let site = Self::site_in_conn(&mut conn, id).await?;
        let owner = site.organisation_id;
        let view = Self::load_site_views(&mut conn, vec![site], now)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        Ok(if full.includes(owner) {
            SiteEntry::Full(Box::new(view))
        } else {
            SiteEntry::Summary(SiteSummary::of(&view))
        })
    }

    /// The sites `by` sees whole (for a user: their organisation's, if their role places
    /// people, and those of organisations sharing `shelter` with theirs; all for the
    /// operator): the sites a placement may use.
    pub(crate) async fn list_sites_by(
        &self,
        by: &Principal,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SiteView>, StoreError> {
        Ok(self.site_listing_by(by, city, now).await?.0)
    }

    /// Every site in the actor's view: those seen whole, and the others as summaries.
    pub(crate) async fn site_listing_by(
        &self,
        by: &Principal,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<SiteView>, Vec<SiteSummary>), StoreError> {
        by.require(Action::ReadSites)?;
        let mut conn = self.reader.acquire().await?;
        let full = Self::full_sites(&mut conn, by, now).await?;
        let rows = match city {
            Some(city) => {
                let sql =
                    format!("SELECT {SITE_COLUMNS} FROM sites WHERE city = $1 ORDER BY name, id");
                sqlx::query(&sql)
                    .bind(city.to_owned())
                    .fetch_all(&mut *conn)
                    .await?
            }
            None => {
                let sql = format!("SELECT {SITE_COLUMNS} FROM sites ORDER BY city, name, id");
                sqlx::query(&sql).fetch_all(&mut *conn).await?
            }
        };
        let sites: Vec<Site> = rows
            .iter()
            .map(Self::site_from_row)
            .collect::<Result<_, _>>()?;
        let views = Self::load_site_views(&mut conn, sites, now).await?;
        let (whole, others): (Vec<SiteView>, Vec<SiteView>) = views
            .into_iter()
            .partition(|v| full.includes(v.site.organisation_id));
        let mut summaries: Vec<SiteSummary> = others.iter().map(SiteSummary::of).collect();
        // Ordered by place, never by name: a summary must not hint at the name either.
        summaries.sort_by(|a, b| (&a.country, &a.city, a.id).cmp(&(&b.country, &b.city, b.id)));
        Ok((whole, summaries))
    }

    /// Cities with how many sites each, by city name: the index of a long site list.
    pub async fn site_cities(&self, actor: &Actor) -> Result<Vec<(String, u64)>, StoreError> {
        require(actor, Action::ReadSites)?;
        let mut conn = self.reader.acquire().await?;
        let rows =
            sqlx::query("SELECT city, COUNT(*) AS sites FROM sites GROUP BY city ORDER BY city")
                .fetch_all(&mut *conn)
                .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("city")?,
                    u64::try_from(r.try_get::<i64, _>("sites")?).unwrap_or(0),
                ))
            })
            .collect()
    }

    /// Adds a bed pool to a site of the actor's organisation.
    pub async fn add_pool(
        &self,
        actor: &Actor,
        site_id: Uuid,
        spec: &BedPoolSpec,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::ManageSites)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let site = Self::site_in_conn(&mut tx, site_id).await?;
        if site.organisation_id != actor.organisation_id {
            return Err(StoreError::Forbidden);
        }
        let id = Self::insert_pool(&mut tx, actor, site_id, spec, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Writes a new bed pool of a site with its audit event, inside the caller's
    /// transaction; the caller has checked the actor's right and the site's organisation.
    pub(super) async fn insert_pool(
        conn: &mut DB::Connection,
        actor: &Actor,
        site_id: Uuid,
        spec: &BedPoolSpec,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO bed_pools (id, site_id, kind, room_size, beds, step_free_beds, blocked_beds, transitory_beds, \
             admissions, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 1, $9, $10)",
        )
        .bind(id)
        .bind(site_id)
        .bind(spec.kind.as_str().to_owned())
        .bind(spec.room_size.map(|r| r as i32))
        .bind(spec.beds as i32)
        .bind(spec.step_free_beds as i32)
        .bind(spec.blocked_beds as i32)
        .bind(spec.transitory_beds as i32)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Self::audit_by(conn, actor, Change::created("bed_pool", id, spec)?, now).await?;
        Ok(id)
    }

    /// Changes a pool's beds. Lowering capacity below what stays already hold is refused:
    /// people in beds are not evicted by a number typed into a form.
    pub async fn update_pool(
        &self,
        actor: &Actor,
        site_id: Uuid,
        pool_id: Uuid,
        spec_input: &shanyrak_core::shelter::BedPoolInput,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        require(actor, Action::ManageSites)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        // Lock the pool first, as admissions do.
        sqlx::query(
            "UPDATE bed_pools SET admissions = admissions + 1 WHERE id = $1 AND site_id = $2",
        )
        .bind(pool_id)
        .bind(site_id)
        .execute(&mut *tx)
        .await?;
        let site = Self::site_in_conn(&mut tx, site_id).await?;
        if site.organisation_id != actor.organisation_id {
            return Err(StoreError::Forbidden);
        }
        let sql = format!("SELECT {POOL_COLUMNS} FROM bed_pools WHERE id = $1 AND site_id = $2");
        let row = sqlx::query(&sql)
            .bind(pool_id)
            .bind(site_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let (_, _, before, version) = Self::pool_from_row(&row)?;
        let after = validate_pool(spec_input, &site.details.rules).map_err(StoreError::Invalid)?;
        if after.kind != before.kind {
            return Err(StoreError::Invalid(ValidationErrors::single(
                shanyrak_core::FieldError::new(
                    "#/kind",
                    shanyrak_core::FieldErrorCode::ReadOnly,
                    "a pool's kind cannot change; add a new pool instead",
                ),
            )));
        }
        let usage = Self::pool_usage(&mut tx, &[pool_id], now)
            .await?
            .get(&pool_id)
            .map(|u| u.0)
            .unwrap_or_default();
        let too_small = if after.kind == PoolKind::FamilyRoom {
            usage.rooms > after.rooms()
        } else {
            usage.regular > after.regular_capacity()
                || usage.regular + usage.transitory > after.beds - after.blocked_beds
        };
        if too_small || usage.step_free > after.step_free_beds {
            return Err(StoreError::Invalid(ValidationErrors::single(
                shanyrak_core::FieldError::new(
                    "#/beds",
                    shanyrak_core::FieldErrorCode::InvalidValue,
                    "fewer beds than people already staying or reserved; check people out first",
                ),
            )));
        }
        sqlx::query(
            "UPDATE bed_pools SET room_size = $1, beds = $2, step_free_beds = $3, blocked_beds = $4, \
             transitory_beds = $5, version = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(after.room_size.map(|r| r as i32))
        .bind(after.beds as i32)
        .bind(after.step_free_beds as i32)
        .bind(after.blocked_beds as i32)
        .bind(after.transitory_beds as i32)
        .bind(version + 1)
        .bind(now)
        .bind(pool_id)
        .execute(&mut *tx)
        .await?;
        let change = Change::updated("bed_pool", pool_id, "update", &before, &after)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
