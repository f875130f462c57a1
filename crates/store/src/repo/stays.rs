//! Stays: admission into a bed pool, check-in and out, residents, a household's stays and
//! its members' beds elsewhere, and the waiting list.
//!
//! Admission is the one place where concurrency matters: two volunteers checking two
//! families into the last bed at once. Every admission first bumps its pool's
//! `admissions` counter, which takes the pool's row lock on PostgreSQL (SQLite has a
//! single writer anyway), then counts the stays holding beds and asks
//! [`shanyrak_core::shelter::check_admission`]. The second admission waits for the first
//! and then sees its stay, so occupancy can never exceed capacity. Confirming a
//! reservation takes the same lock, then the household's, and counts again after the
//! check-in ([`shanyrak_core::shelter::over_capacity`]): its clock may predate the
//! reservation's deadline while an admission after the deadline took the freed bed.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shanyrak_core::shelter::{
    AdmissionError, Occupant, StayStatus, check_admission, over_capacity, waiting_priority,
};
use shanyrak_core::{
    Action, Actor, CountryCode, Household, HouseholdStatus, Need, ReferenceCode, Sex,
    ValidationErrors, Vulnerability,
};
use sqlx::Row;
use uuid::Uuid;

use super::shelter::{POOL_COLUMNS, SiteLabel, by_user, scope_of, to_u32};
use super::{Backend, Change, ColumnExt, HouseholdKey, Principal, Repo, require, to_json};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// A request to hold beds for some or all members of a household.
#[derive(Debug, Clone)]
pub struct AdmissionRequest {
    pub household_id: Uuid,
    pub pool_id: Uuid,
    /// Members to admit; all current members when `None`.
    pub member_ids: Option<Vec<Uuid>>,
    /// A reservation until this moment; `None` checks in at once.
    pub reserve_until: Option<DateTime<Utc>>,
    pub expected_departure: Option<NaiveDate>,
    pub one_night: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stay {
    pub id: Uuid,
    pub household_id: Uuid,
    pub site_id: Uuid,
    pub pool_id: Uuid,
    pub status: StayStatus,
    pub one_night: bool,
    pub member_ids: Vec<Uuid>,
    pub persons: u32,
    pub reserved_until: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub expected_departure: Option<NaiveDate>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub checked_out_at: Option<DateTime<Utc>>,
}

/// A member of your household who holds a bed with another organisation, as that
/// organisation shares it under a `shelter` agreement in force: whose bed (organisation),
/// in which city, reserved or checked in, since when. Never the site, the other record or
/// its names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShelterElsewhere {
    /// Your household and the member of it.
    pub household_id: Uuid,
    pub person_id: Uuid,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub city: String,
    /// `reserved` or `checked_in`.
    pub status: StayStatus,
    pub since: DateTime<Utc>,
}

/// Who stays at a site, as its manager sees them: names and the reference, nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resident {
    #[serde(flatten)]
    pub stay: Stay,
    pub reference: ReferenceCode,
    pub names: Vec<String>,
    pub nights: i64,
    /// Not seen for longer than the absence limit.
    pub overdue: bool,
    /// Reached the site's maximum nights.
    pub max_nights_reached: bool,
}

/// A household that needs a bed and has none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingHousehold {
    pub household_id: Uuid,
    pub organisation_id: Uuid,
    pub accepts_sex_separation: bool,
    /// Whether it agreed to take several family rooms of one site.
    pub accepts_several_rooms: bool,
    pub reference: ReferenceCode,
    pub city: String,
    pub country: CountryCode,
    /// The settlement of the place list its city is; `None`: an unconfirmed place.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub place_id: Option<shanyrak_core::places::PlaceId>,
    /// Where the household is now, if not in its city yet: travel is measured from here.
    pub current_location: Option<shanyrak_core::CurrentLocation>,
    pub persons: u32,
    pub men: u32,
    pub women: u32,
    pub children: u32,
    pub step_free: u32,
    /// Of the step-free needs, how many are adult men, adult women (or adults of unknown
    /// sex) and children.
    pub step_free_men: u32,
    pub step_free_women: u32,
    pub step_free_children: u32,
    /// The vulnerabilities of all members, for explanations and placement weights.
    pub vulnerabilities: Vec<Vulnerability>,
    pub priority: u32,
    pub waiting_days: i64,
}

impl WaitingHousehold {
    /// The entry as `actor` may see it: vulnerabilities beyond the role's view (protection
    /// risk, medical, pregnancy for those who do not follow cases) are removed; the
    /// priority, which counts them all, and the bed needs (step-free, children) stay.
    pub fn redacted_for(mut self, actor: &Actor) -> Self {
        let viewer = shanyrak_core::visibility::Viewer::own(actor);
        self.vulnerabilities
            .retain(|v| viewer.sees_vulnerability(*v));
        if !viewer.sees(shanyrak_core::visibility::Field::CurrentPosition) {
            self.current_location = None;
        }
        self
    }
}

pub(super) const STAY_COLUMNS: &str = "id, household_id, site_id, pool_id, status, one_night, persons, reserved_until, \
     checked_in_at, expected_departure, last_seen_at, checked_out_at";

/// The status a client sees: a reservation past its deadline has expired.
fn effective_status(
    stored: StayStatus,
    reserved_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> StayStatus {
    match (stored, reserved_until) {
        (StayStatus::Reserved, Some(deadline)) if deadline <= now => StayStatus::Expired,
        (status, _) => status,
    }
}

fn occupant(person: &shanyrak_core::Person, today: NaiveDate) -> Occupant {
    Occupant::of(person, today)
}

fn admission_error(error: AdmissionError) -> StoreError {
    StoreError::Admission(error)
}

#[queries]
impl<DB: Backend> Repo<DB> {
    pub(super) fn stay_from_row(
        row: &DB::Row,
        member_ids: Vec<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Stay, StoreError> {
        let reserved_until: Option<DateTime<Utc>> = row.try_get("reserved_until")?;
        let stored = row.parsed("status", StayStatus::parse)?;
        Ok(Stay {
            id: row.try_get("id")?,
            household_id: row.try_get("household_id")?,
            site_id: row.try_get("site_id")?,
            pool_id: row.try_get("pool_id")?,
            status: effective_status(stored, reserved_until, now),
            one_night: row.try_get("one_night")?,
            member_ids,
            persons: to_u32(row.try_get("persons")?, "persons")?,
            reserved_until,
            checked_in_at: row.try_get("checked_in_at")?,
            expected_departure: row.try_get("expected_departure")?,
            last_seen_at: row.try_get("last_seen_at")?,
            checked_out_at: row.try_get("checked_out_at")?,
        })
    }

    /// Members of the household who are in a stay holding beds (checked in or reserved).
    async fn housed_members(
        conn: &mut DB::Connection,
        household_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.person_id FROM stay_members m JOIN stays s ON s.id = m.stay_id \
             WHERE s.household_id = $1 AND (s.status = 'checked_in' OR (s.status = 'reserved' AND s.reserved_until > $2))",
        )
        .bind(household_id)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<Uuid, _>("person_id")?))
            .collect()
    }

    /// Reserves beds for, or checks in, members of a household of the actor's
    /// organisation (any household for the operator). Never over capacity, also under
    /// concurrent admissions.
    pub(crate) async fn admit_by(
        &self,
        by: &Principal,
        request: &AdmissionRequest,
        now: DateTime<Utc>,
    ) -> Result<Stay, StoreError> {
        by.require(Action::PlaceHouseholds)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let stay = Self::admit_in(&mut tx, by, request, now).await?;
        tx.commit().await?;
        Ok(stay)
    }

    /// One admission inside the caller's transaction, with its audit event.
    pub(super) async fn admit_in(
        conn: &mut DB::Connection,
        by: &Principal,
        request: &AdmissionRequest,
        now: DateTime<Utc>,
    ) -> Result<Stay, StoreError> {
        let scope = scope_of(by);
        // The pool lock first, then the household's, always in this order.
        let locked = sqlx::query(
            "UPDATE bed_pools SET admissions = admissions + 1 WHERE id = $1 RETURNING site_id",
        )
        .bind(request.pool_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let site_id: Uuid = locked.try_get("site_id")?;
        sqlx::query("UPDATE households SET version = version WHERE id = $1")
            .bind(request.household_id)
            .execute(&mut *conn)
            .await?;
        let household =
            Self::load_household(conn, scope, "id", HouseholdKey::Id(request.household_id)).await?;
        let site = Self::site_in_conn(conn, site_id).await?;
        // Beds of one's own organisation, or of one sharing `shelter` with it: a site one
        // may not see whole is not there to place into.
        if !Self::full_sites(conn, by, now)
            .await?
            .includes(site.organisation_id)
        {
            return Err(StoreError::NotFound);
        }
        let sql = format!("SELECT {POOL_COLUMNS} FROM bed_pools WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(request.pool_id)
            .fetch_one(&mut *conn)
            .await?;
        let (_, _, spec, _) = Self::pool_from_row(&row)?;

        let members: Vec<&shanyrak_core::Person> = match &request.member_ids {
            None => household.members.iter().collect(),
            Some(ids) => {
                let mut chosen = Vec::with_capacity(ids.len());
                for (i, id) in ids.iter().enumerate() {
                    match household.members.iter().find(|m| m.id == *id) {
                        Some(m) if !chosen.iter().any(|c: &&shanyrak_core::Person| c.id == *id) => {
                            chosen.push(m)
                        }
                        _ => {
                            return Err(StoreError::Invalid(ValidationErrors::single(
                                shanyrak_core::FieldError::new(
                                    format!("#/member_ids/{i}"),
                                    shanyrak_core::FieldErrorCode::UnknownMember,
                                    "not a member of this household, or given twice",
                                ),
                            )));
                        }
                    }
                }
                chosen
            }
        };
        let housed = Self::housed_members(conn, household.id, now).await?;
        if members.iter().any(|m| housed.contains(&m.id)) {
            return Err(StoreError::Admission(AdmissionError::AlreadyHoused));
        }
        // Ages on the site's calendar.
        let today = crate::clock::local_date_in(crate::clock::zone_of_site(&site), now);
        let occupants: Vec<Occupant> = members.iter().map(|m| occupant(m, today)).collect();
        let usage = Self::pool_usage(conn, &[request.pool_id], now)
            .await?
            .get(&request.pool_id)
            .map(|u| u.0)
            .unwrap_or_default();
        check_admission(
            site.details.status,
            &site.details.rules,
            &spec,
            usage,
            &occupants,
            request.one_night,
        )
        .map_err(admission_error)?;

        let status = if request.reserve_until.is_some() {
            StayStatus::Reserved
        } else {
            StayStatus::CheckedIn
        };
        let stay = Stay {
            id: Uuid::now_v7(),
            household_id: household.id,
            site_id,
            pool_id: request.pool_id,
            status,
            one_night: request.one_night,
            member_ids: members.iter().map(|m| m.id).collect(),
            persons: occupants.len() as u32,
            reserved_until: request.reserve_until,
            checked_in_at: request.reserve_until.is_none().then_some(now),
            expected_departure: if request.one_night {
                today.succ_opt()
            } else {
                request.expected_departure
            },
            last_seen_at: request.reserve_until.is_none().then_some(now),
            checked_out_at: None,
        };
        sqlx::query(
            "INSERT INTO stays (id, household_id, organisation_id, site_id, pool_id, status, one_night, persons, step_free, \
             reserved_until, checked_in_at, expected_departure, last_seen_at, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(stay.id)
        .bind(stay.household_id)
        .bind(household.organisation_id)
        .bind(site_id)
        .bind(stay.pool_id)
        .bind(status.as_str().to_owned())
        .bind(stay.one_night)
        .bind(stay.persons as i32)
        .bind(occupants.iter().filter(|o| o.needs_step_free).count() as i32)
        .bind(stay.reserved_until)
        .bind(stay.checked_in_at)
        .bind(stay.expected_departure)
        .bind(stay.last_seen_at)
        .bind(by_user(by))
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        for person in &stay.member_ids {
            sqlx::query("INSERT INTO stay_members (stay_id, person_id) VALUES ($1, $2)")
                .bind(stay.id)
                .bind(*person)
                .execute(&mut *conn)
                .await?;
        }
        let action = if status == StayStatus::Reserved {
            "reserve"
        } else {
            "check_in"
        };
        let change = Change::new("stay", stay.id, action).after(to_json(&stay)?);
        Self::audit(conn, by, Some(household.organisation_id), change, now).await?;
        Ok(stay)
    }

    pub(super) async fn stay_members(
        conn: &mut DB::Connection,
        stay_id: Uuid,
    ) -> Result<Vec<Uuid>, StoreError> {
        let rows =
            sqlx::query("SELECT person_id FROM stay_members WHERE stay_id = $1 ORDER BY person_id")
                .bind(stay_id)
                .fetch_all(&mut *conn)
                .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<Uuid, _>("person_id")?))
            .collect()
    }

    /// Loads a stay the actor may act on: of their organisation's household, or at a site
    /// their organisation runs.
    async fn stay_for_actor(
        conn: &mut DB::Connection,
        actor: &Actor,
        stay_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Stay, StoreError> {
        let sql = "SELECT s.id, s.household_id, s.site_id, s.pool_id, s.status, s.one_night, s.persons, s.reserved_until, \
             s.checked_in_at, s.expected_departure, s.last_seen_at, s.checked_out_at FROM stays s \
             JOIN sites t ON t.id = s.site_id WHERE s.id = $1 AND (s.organisation_id = $2 OR t.organisation_id = $2)";
        let row = sqlx::query(sql)
            .bind(stay_id)
            .bind(actor.organisation_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let members = Self::stay_members(conn, stay_id).await?;
        Self::stay_from_row(&row, members, now)
    }

    /// Moves a stay to a new status: `checked_in` confirms a live reservation,
    /// `checked_out` ends a stay, `cancelled` drops a reservation.
    pub async fn change_stay(
        &self,
        actor: &Actor,
        stay_id: Uuid,
        to: StayStatus,
        now: DateTime<Utc>,
    ) -> Result<Stay, StoreError> {
        require(actor, Action::PlaceHouseholds)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        // The stay's pool never changes, so it may be read before the locks.
        let pool_id = Self::stay_for_actor(&mut tx, actor, stay_id, now)
            .await?
            .pool_id;
        // The pool's lock, then the household's, as admissions take them: a check-in then
        // waits for any admission into the pool, and the other way round, whatever the
        // clocks of the two say.
        sqlx::query("UPDATE bed_pools SET admissions = admissions + 1 WHERE id = $1")
            .bind(pool_id)
            .execute(&mut *tx)
            .await?;
        let before = Self::stay_for_actor(&mut tx, actor, stay_id, now).await?;
        if to == StayStatus::CheckedIn {
            sqlx::query("UPDATE households SET version = version WHERE id = $1")
                .bind(before.household_id)
                .execute(&mut *tx)
                .await?;
        }
        let allowed = matches!(
            (before.status, to),
            (
                StayStatus::Reserved,
                StayStatus::CheckedIn | StayStatus::Cancelled
            ) | (StayStatus::CheckedIn, StayStatus::CheckedOut)
                | (StayStatus::Expired, StayStatus::Cancelled)
        );
        if !allowed {
            return Err(StoreError::Admission(AdmissionError::InvalidTransition));
        }
        let mut after = before.clone();
        after.status = to;
        match to {
            StayStatus::CheckedIn => {
                after.checked_in_at = Some(now);
                after.last_seen_at = Some(now);
            }
            StayStatus::CheckedOut => after.checked_out_at = Some(now),
            _ => {}
        }
        // Only if nothing changed it since it was read (the status is the guard).
        let updated = sqlx::query(
            "UPDATE stays SET status = $1, checked_in_at = $2, last_seen_at = $3, checked_out_at = $4, updated_at = $5 \
             WHERE id = $6 AND status = $7 RETURNING id",
        )
        .bind(to.as_str().to_owned())
        .bind(after.checked_in_at)
        .bind(after.last_seen_at)
        .bind(after.checked_out_at)
        .bind(now)
        .bind(stay_id)
        .bind(if before.status == StayStatus::Expired { StayStatus::Reserved.as_str().to_owned() } else { before.status.as_str().to_owned() })
        .fetch_optional(&mut *tx)
        .await?;
        if updated.is_none() {
            return Err(StoreError::Admission(AdmissionError::InvalidTransition));
        }
        if to == StayStatus::CheckedIn {
            // `now` is the caller's clock, read before this transaction waited for its
            // locks: the reservation may have expired meanwhile and its bed, or its
            // household, been given elsewhere. Count again with the stay checked in.
            Self::check_confirmed_stay(&mut tx, &after, now).await?;
        }
        let change = Change::updated("stay", stay_id, to.as_str(), &before, &after)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// That a stay just confirmed (checked in, inside the caller's transaction, which holds
    /// its pool's and household's locks) leaves its pool within capacity and houses none
    /// of its members twice. Dropping the transaction on an error undoes the check-in.
    async fn check_confirmed_stay(
        conn: &mut DB::Connection,
        stay: &Stay,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let elsewhere = sqlx::query(
            "SELECT 1 AS found FROM stay_members m JOIN stays s ON s.id = m.stay_id \
             WHERE m.person_id IN (SELECT person_id FROM stay_members WHERE stay_id = $1) AND s.id <> $1 \
             AND (s.status = 'checked_in' OR (s.status = 'reserved' AND s.reserved_until > $2)) LIMIT 1",
        )
        .bind(stay.id)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if elsewhere.is_some() {
            return Err(StoreError::Admission(AdmissionError::AlreadyHoused));
        }
        let sql = format!("SELECT {POOL_COLUMNS} FROM bed_pools WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(stay.pool_id)
            .fetch_one(&mut *conn)
            .await?;
        let (_, _, spec, _) = Self::pool_from_row(&row)?;
        let usage = Self::pool_usage(conn, &[stay.pool_id], now)
            .await?
            .get(&stay.pool_id)
            .map(|u| u.0)
            .unwrap_or_default();
        match over_capacity(&spec, &usage) {
            Some(error) => Err(StoreError::Admission(error)),
            None => Ok(()),
        }
    }

    /// Roll call: the residents of a stay were seen today.
    pub async fn mark_seen(
        &self,
        actor: &Actor,
        stay_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Stay, StoreError> {
        require(actor, Action::PlaceHouseholds)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let mut stay = Self::stay_for_actor(&mut tx, actor, stay_id, now).await?;
        if stay.status != StayStatus::CheckedIn {
            return Err(StoreError::Admission(AdmissionError::InvalidTransition));
        }
        let before = stay.last_seen_at;
        stay.last_seen_at = Some(now);
        sqlx::query("UPDATE stays SET last_seen_at = $1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(stay_id)
            .execute(&mut *tx)
            .await?;
        let change = Change::new("stay", stay_id, "seen")
            .before(serde_json::json!({ "last_seen_at": before }))
            .after(serde_json::json!({ "last_seen_at": now }));
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(stay)
    }

    /// Current residents and live reservations of a site the actor's organisation runs.
    pub async fn residents(
        &self,
        actor: &Actor,
        site_id: Uuid,
        absence_days: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Resident>, StoreError> {
        require(actor, Action::ReadResidents)?;
        let mut conn = self.reader.acquire().await?;
        let site = Self::site_in_conn(&mut conn, site_id).await?;
        if site.organisation_id != actor.organisation_id {
            return Err(StoreError::NotFound);
        }
        let sql = format!(
            "SELECT {STAY_COLUMNS} FROM stays WHERE site_id = $1 AND (status = 'checked_in' OR (status = 'reserved' AND reserved_until > $2)) ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(site_id)
            .bind(now)
            .fetch_all(&mut *conn)
            .await?;
        let mut residents = Vec::with_capacity(rows.len());
        for row in rows {
            let id: Uuid = row.try_get("id")?;
            let members = Self::stay_members(&mut conn, id).await?;
            let stay = Self::stay_from_row(&row, members, now)?;
            let household_row = sqlx::query("SELECT reference FROM households WHERE id = $1")
                .bind(stay.household_id)
                .fetch_one(&mut *conn)
                .await?;
            let reference: ReferenceCode =
                household_row.text("reference", "unreadable reference")?;
            let mut names = Vec::new();
            for person in &stay.member_ids {
                let p = sqlx::query("SELECT surname, given_name FROM persons WHERE id = $1")
                    .bind(*person)
                    .fetch_one(&mut *conn)
                    .await?;
                names.push(format!(
                    "{} {}",
                    p.try_get::<String, _>("surname")?,
                    p.try_get::<String, _>("given_name")?
                ));
            }
            // Nights are counted on the site's calendar.
            let zone = crate::clock::zone_of_site(&site);
            let nights = stay
                .checked_in_at
                .map(|t| {
                    shanyrak_core::shelter::nights_stayed(
                        crate::clock::local_date_in(zone, t),
                        crate::clock::local_date_in(zone, now),
                    )
                })
                .unwrap_or(0);
            let overdue = stay.status == StayStatus::CheckedIn
                && stay
                    .last_seen_at
                    .is_some_and(|seen| (now - seen).num_days() >= absence_days);
            let max_nights_reached = site
                .details
                .rules
                .max_nights
                .is_some_and(|max| nights >= i64::from(max));
            residents.push(Resident {
                stay,
                reference,
                names,
                nights,
                overdue,
                max_nights_reached,
            });
        }
        Ok(residents)
    }

    /// Members of the actor's household holding a bed with an organisation that shares
    /// `shelter` with the actor's under an agreement in force. A look-up that can reach a
    /// partner counts against the user's `per_hour` limit (`None`: over it, nothing looked
    /// up), and each partner's person found goes into that partner's access log.
    pub async fn shelter_elsewhere(
        &self,
        actor: &Actor,
        household_id: Uuid,
        per_hour: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<ShelterElsewhere>>, StoreError> {
        require(actor, Action::ReadShelterElsewhere)?;
        let mut conn = self.reader.acquire().await?;
        // Scoped: another organisation's household is not found.
        Self::load_household(
            &mut conn,
            Some(actor.organisation_id),
            "id",
            HouseholdKey::Id(household_id),
        )
        .await?;
        drop(conn);
        self.shelter_elsewhere_for(actor, &[household_id], per_hour, now)
            .await
    }

    /// [`Self::shelter_elsewhere`] for many households of the actor's organisation at once
    /// (the waiting list); empty without a `shelter` agreement in force or the role.
    pub async fn shelter_elsewhere_for(
        &self,
        actor: &Actor,
        household_ids: &[Uuid],
        per_hour: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<ShelterElsewhere>>, StoreError> {
        if !actor.may(Action::ReadShelterElsewhere) || household_ids.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let partners = self
            .sharing_organisations(
                actor.organisation_id,
                shanyrak_core::sharing::SharingCategory::Shelter,
                now,
            )
            .await?;
        if partners.is_empty() {
            return Ok(Some(Vec::new()));
        }
        if !self
            .claim_cross_org_lookup(actor, "shelter", per_hour, now)
            .await?
        {
            return Ok(None);
        }
        let (found, reads) = self
            .shelter_elsewhere_among(actor.organisation_id, &partners, household_ids, now)
            .await?;
        self.log_partner_reads(actor, &reads, now).await?;
        Ok(Some(found))
    }

    /// Current stays with `partners` of persons who share an identity document (type and
    /// number) with a current member of one of `household_ids`, which belong to `own`.
    async fn shelter_elsewhere_among(
        &self,
        own: Uuid,
        partners: &[Uuid],
        household_ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<(Vec<ShelterElsewhere>, Vec<super::PartnerRead>), StoreError> {
        let mut conn = self.reader.acquire().await?;
        let mut found: Vec<ShelterElsewhere> = Vec::new();
        let mut reads: Vec<super::PartnerRead> = Vec::new();
        // Kept in the order found, each once: sets beside the lists, since a waiting list
        // of thousands may find as many.
        let mut found_seen: HashSet<ShelterElsewhere> = HashSet::new();
        let mut reads_seen: HashSet<(Uuid, Uuid)> = HashSet::new();
        for chunk in household_ids.chunks(500) {
            let in_list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 4)).collect();
            let sql = format!(
                "SELECT DISTINCT own.household_id AS own_household, own.id AS own_person, p.id AS their_person, s.id AS stay_id, s.organisation_id, \
                 o.name AS organisation_name, t.city, s.status, s.checked_in_at, s.created_at \
                 FROM persons own JOIN households oh ON oh.id = own.household_id \
                 JOIN documents od ON od.person_id = own.id \
                 JOIN documents d ON d.doc_type = od.doc_type AND d.number = od.number \
                 JOIN persons p ON p.id = d.person_id \
                 JOIN stay_members m ON m.person_id = p.id \
                 JOIN stays s ON s.id = m.stay_id \
                 JOIN sites t ON t.id = s.site_id \
                 JOIN organisations o ON o.id = s.organisation_id \
                 WHERE oh.organisation_id = $1 AND own.household_id IN ({}) \
                 AND own.removed_at IS NULL AND own.anonymised_at IS NULL AND od.number IS NOT NULL \
                 AND p.removed_at IS NULL AND p.anonymised_at IS NULL AND s.organisation_id <> $2 \
                 AND (s.status = 'checked_in' OR (s.status = 'reserved' AND s.reserved_until > $3)) \
                 ORDER BY own.household_id, own.id, s.id",
                in_list.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(own).bind(own).bind(now);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut *conn).await? {
                let organisation_id: Uuid = row.try_get("organisation_id")?;
                if !partners.contains(&organisation_id) {
                    continue;
                }
                let checked_in: Option<DateTime<Utc>> = row.try_get("checked_in_at")?;
                let entry = ShelterElsewhere {
                    household_id: row.try_get("own_household")?,
                    person_id: row.try_get("own_person")?,
                    organisation_id,
                    organisation_name: row.try_get("organisation_name")?,
                    city: row.try_get("city")?,
                    status: row.parsed("status", StayStatus::parse)?,
                    since: checked_in.unwrap_or(row.try_get("created_at")?),
                };
                let read = super::PartnerRead {
                    owner: organisation_id,
                    action: "partner_shelter_lookup",
                    entity_id: row.try_get("their_person")?,
                };
                if reads_seen.insert((read.owner, read.entity_id)) {
                    reads.push(read);
                }
                if found_seen.insert(entry.clone()) {
                    found.push(entry);
                }
            }
        }
        Ok((found, reads))
    }

    /// Every stay of a household of the actor's organisation, newest first, with the name
    /// of its site: the household's shelter history.
    pub async fn household_stays(
        &self,
        actor: &Actor,
        household_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Stay, SiteLabel)>, StoreError> {
        require(actor, Action::ReadHousehold)?;
        let mut conn = self.reader.acquire().await?;
        let owner = sqlx::query("SELECT organisation_id FROM households WHERE id = $1")
            .bind(household_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        if owner.try_get::<Uuid, _>("organisation_id")? != actor.organisation_id {
            return Err(StoreError::NotFound);
        }
        let full = Self::full_sites(&mut conn, &Principal::User(actor.clone()), now).await?;
        let sql =
            format!("SELECT {STAY_COLUMNS} FROM stays WHERE household_id = $1 ORDER BY id DESC");
        let rows = sqlx::query(&sql)
            .bind(household_id)
            .fetch_all(&mut *conn)
            .await?;
        let mut stays = Vec::with_capacity(rows.len());
        for row in rows {
            let id: Uuid = row.try_get("id")?;
            let members = Self::stay_members(&mut conn, id).await?;
            let stay = Self::stay_from_row(&row, members, now)?;
            let site = Self::site_in_conn(&mut conn, stay.site_id).await?;
            let label = SiteLabel {
                name: full
                    .includes(site.organisation_id)
                    .then(|| site.details.name.clone()),
                city: site.details.location.city.clone(),
                kind_group: site.details.kind.group(),
                time_zone: crate::clock::zone_of_site(&site),
            };
            stays.push((stay, label));
        }
        Ok(stays)
    }

    /// Households of the actor's organisation that need shelter, are active, and have no
    /// member in a bed or a live reservation; most urgent first.
    pub(crate) async fn waiting_list_by(
        &self,
        by: &Principal,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<WaitingHousehold>, StoreError> {
        by.require(Action::PlaceHouseholds)?;
        let mut conn = self.reader.acquire().await?;
        // The operator's system-wide run sees every organisation (organisation_id matches
        // itself when $1 is NULL).
        let mut sql = format!(
            "SELECT {} FROM households h WHERE ($1 IS NULL OR h.organisation_id = $1) AND h.status = $2 AND h.anonymised_at IS NULL AND NOT EXISTS (\
             SELECT 1 FROM stays s WHERE s.household_id = h.id AND (s.status = 'checked_in' OR \
             (s.status = 'reserved' AND s.reserved_until > $3)))",
            super::HOUSEHOLD_COLUMNS
                .split(", ")
                .map(|c| format!("h.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        // A city filter names a place in any of its spellings: "Уральск" lists the
        // households whose city is Oral as well as those who typed "Уральск".
        if city.is_some() {
            sql.push_str(" AND (h.city = $4 OR h.place_id = $5)");
        }
        sql.push_str(" ORDER BY h.id");
        let mut query = sqlx::query(&sql)
            .bind(scope_of(by))
            .bind(HouseholdStatus::Active.as_str().to_owned())
            .bind(now);
        if let Some(city) = city {
            let place = shanyrak_core::places::PlaceList::shared_index().and_then(|index| {
                index.resolve_where(city, |p| {
                    p.kind == shanyrak_core::places::PlaceKind::Settlement
                })
            });
            query = query
                .bind(city.to_owned())
                .bind(place.map(|p| i64::from(p.0)));
        }
        let rows = query.fetch_all(&mut *conn).await?;
        let mut households: Vec<Household> = rows
            .iter()
            .map(Self::household_from_row)
            .collect::<Result<_, _>>()?;
        households.retain(|h| h.needs.contains(&Need::Shelter));
        Self::attach_members(&mut conn, &mut households).await?;
        let today = crate::clock::local_date(now);
        let mut waiting: Vec<WaitingHousehold> = households
            .into_iter()
            .filter(|h| !h.members.is_empty())
            .map(|h| {
                let occupants: Vec<Occupant> =
                    h.members.iter().map(|m| occupant(m, today)).collect();
                let vulnerabilities: Vec<Vulnerability> = h
                    .members
                    .iter()
                    .flat_map(|m| m.vulnerabilities.iter().copied())
                    .collect();
                let since = h
                    .arrival_date
                    .unwrap_or(h.registered_at.date_naive())
                    .min(h.registered_at.date_naive());
                let waiting_days = (today - since).num_days().max(0);
                WaitingHousehold {
                    household_id: h.id,
                    organisation_id: h.organisation_id,
                    accepts_sex_separation: h.accepts_sex_separation,
                    accepts_several_rooms: h.accepts_several_rooms,
                    reference: h.reference,
                    city: h.location.city.clone(),
                    country: h.location.country,
                    place_id: h.location.place_id,
                    current_location: h.current_location,
                    persons: occupants.len() as u32,
                    men: occupants
                        .iter()
                        .filter(|o| !o.child && o.sex == Sex::Male)
                        .count() as u32,
                    women: occupants
                        .iter()
                        .filter(|o| !o.child && o.sex != Sex::Male)
                        .count() as u32,
                    children: occupants.iter().filter(|o| o.child).count() as u32,
                    step_free: occupants.iter().filter(|o| o.needs_step_free).count() as u32,
                    step_free_men: occupants
                        .iter()
                        .filter(|o| o.needs_step_free && !o.child && o.sex == Sex::Male)
                        .count() as u32,
                    step_free_women: occupants
                        .iter()
                        .filter(|o| o.needs_step_free && !o.child && o.sex != Sex::Male)
                        .count() as u32,
                    step_free_children: occupants
                        .iter()
                        .filter(|o| o.needs_step_free && o.child)
                        .count() as u32,
                    vulnerabilities: {
                        let mut v = vulnerabilities.clone();
                        v.sort_unstable();
                        v.dedup();
                        v
                    },
                    priority: waiting_priority(&vulnerabilities, waiting_days),
                    waiting_days,
                }
            })
            .collect();
        waiting.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(b.waiting_days.cmp(&a.waiting_days))
                .then(a.household_id.cmp(&b.household_id))
        });
        Ok(waiting)
    }
}
