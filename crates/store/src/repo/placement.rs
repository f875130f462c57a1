//! Placement batches: the optimiser's proposal as the dispatcher saw it, and what the
//! dispatcher decided for each household. The store keeps the proposal as opaque JSON
//! (the placement crate is above it); an accepted household becomes reservations, all of
//! them or none, in one transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use shanyrak_core::Action;
use shanyrak_core::shelter::AdmissionError;
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::shelter::{by_user, scope_of};
use super::{Backend, Change, ColumnExt, Principal, Repo, to_json};
use crate::{AdmissionRequest, Stay, StoreError};
use shanyrak_store_macros::queries;

/// A stored proposal batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementBatch {
    pub id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub city: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The optimiser's output: proposals, unplaced households with reasons, statistics.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub solution: Value,
    pub decisions: Vec<PlacementDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementDecision {
    pub household_id: Uuid,
    /// `accepted`, `rejected` or `failed` (the beds could no longer be given).
    pub decision: String,
    pub site_id: Option<Uuid>,
    pub stay_ids: Vec<Uuid>,
    /// Why a proposal was rejected or failed (a stable code or the dispatcher's words).
    pub reason: Option<String>,
    pub decided_at: DateTime<Utc>,
}

/// Beds in one pool for some members of the household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolAllocation {
    pub pool_id: Uuid,
    pub member_ids: Vec<Uuid>,
}

/// A proposal accepted for one household: the site and, per pool, the members who sleep
/// there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementAcceptance {
    pub household_id: Uuid,
    pub site_id: Uuid,
    pub allocations: Vec<PoolAllocation>,
}

#[queries]
impl<DB: Backend> Repo<DB> {
    pub async fn record_batch(
        &self,
        by: &Principal,
        city: Option<&str>,
        solution: &Value,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        by.require(Action::PlaceHouseholds)?;
        let id = Uuid::now_v7();
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        sqlx::query(
            "INSERT INTO placement_batches (id, organisation_id, city, solution, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(scope_of(by))
        .bind(city.map(str::to_owned))
        .bind(Json(solution.clone()))
        .bind(by_user(by))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // The proposal names households and sites only by id; the audit keeps its size.
        let summary = serde_json::json!({ "city": city, "stats": solution.get("stats") });
        let change = Change::new("placement_batch", id, "propose").after(summary);
        Self::audit(&mut tx, by, scope_of(by), change, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// That the batch exists and is the caller's to decide on, without reading its
    /// proposal and decisions (a dispatcher accepting a thousand proposals would otherwise
    /// re-read them for each).
    async fn check_batch(&self, by: &Principal, id: Uuid) -> Result<(), StoreError> {
        by.require(Action::PlaceHouseholds)?;
        let mut conn = self.reader.acquire().await?;
        Self::batch_row(&mut conn, by, id, "organisation_id").await?;
        Ok(())
    }

    /// The `columns` of a batch that is the caller's to see; another organisation's batch
    /// is `NotFound`.
    async fn batch_row(
        conn: &mut DB::Connection,
        by: &Principal,
        id: Uuid,
        columns: &str,
    ) -> Result<DB::Row, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {columns} FROM placement_batches WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let organisation_id: Option<Uuid> = row.try_get("organisation_id")?;
        if scope_of(by).is_some() && organisation_id != scope_of(by) {
            return Err(StoreError::NotFound);
        }
        Ok(row)
    }

    pub async fn get_batch(&self, by: &Principal, id: Uuid) -> Result<PlacementBatch, StoreError> {
        by.require(Action::PlaceHouseholds)?;
        let mut conn = self.reader.acquire().await?;
        let columns = "id, organisation_id, city, solution, created_at";
        let row = Self::batch_row(&mut conn, by, id, columns).await?;
        let rows = sqlx::query(
            "SELECT household_id, decision, site_id, stay_ids, reason, decided_at FROM placement_decisions \
             WHERE batch_id = $1 ORDER BY decided_at, household_id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let decisions = rows
            .iter()
            .map(|r| {
                Ok(PlacementDecision {
                    household_id: r.try_get("household_id")?,
                    decision: r.try_get("decision")?,
                    site_id: r.try_get("site_id")?,
                    stay_ids: r.json("stay_ids")?,
                    reason: r.try_get("reason")?,
                    decided_at: r.try_get("decided_at")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(PlacementBatch {
            id,
            organisation_id: row.try_get("organisation_id")?,
            city: row.try_get("city")?,
            created_at: row.try_get("created_at")?,
            solution: row.try_get::<Json<Value>, _>("solution")?.0,
            decisions,
        })
    }

    /// Refuses a second decision for a household; a recorded failure may be retried.
    async fn ensure_undecided(
        conn: &mut DB::Connection,
        batch_id: Uuid,
        household_id: Uuid,
    ) -> Result<(), StoreError> {
        let existing = sqlx::query(
            "SELECT decision FROM placement_decisions WHERE batch_id = $1 AND household_id = $2",
        )
        .bind(batch_id)
        .bind(household_id)
        .fetch_optional(&mut *conn)
        .await?;
        match existing {
            None => Ok(()),
            Some(row) if row.try_get::<String, _>("decision")? == "failed" => {
                sqlx::query(
                    "DELETE FROM placement_decisions WHERE batch_id = $1 AND household_id = $2",
                )
                .bind(batch_id)
                .bind(household_id)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }
            Some(_) => Err(StoreError::Admission(AdmissionError::InvalidTransition)),
        }
    }

    async fn insert_decision(
        conn: &mut DB::Connection,
        by: &Principal,
        batch_id: Uuid,
        decision: &PlacementDecision,
    ) -> Result<(), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO placement_decisions (batch_id, household_id, decision, site_id, stay_ids, reason, decided_by, \
             decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (batch_id, household_id) DO NOTHING \
             RETURNING household_id",
        )
        .bind(batch_id)
        .bind(decision.household_id)
        .bind(decision.decision.clone())
        .bind(decision.site_id)
        .bind(Json(to_json(&decision.stay_ids)?))
        .bind(decision.reason.clone())
        .bind(by_user(by))
        .bind(decision.decided_at)
        .fetch_optional(&mut *conn)
        .await?;
        if inserted.is_none() {
            return Err(StoreError::Admission(AdmissionError::InvalidTransition));
        }
        let change =
            Change::new("placement_batch", batch_id, &decision.decision).after(to_json(decision)?);
        Self::audit(conn, by, scope_of(by), change, decision.decided_at).await
    }

    /// Turns a proposal for one household into reservations (or check-ins when
    /// `reserve_until` is `None`) at one site: every allocation or none. A household can be
    /// decided once per batch. When the beds can no longer be given the failure is recorded
    /// with its reason code and returned.
    #[allow(clippy::too_many_arguments)]
    pub async fn accept_placement(
        &self,
        by: &Principal,
        batch_id: Uuid,
        household_id: Uuid,
        site_id: Uuid,
        allocations: &[super::placement::PoolAllocation],
        reserve_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Stay>, StoreError> {
        let acceptance = PlacementAcceptance {
            household_id,
            site_id,
            allocations: allocations.to_vec(),
        };
        self.accept_placements(by, batch_id, &[acceptance], reserve_until, now)
            .await?
            .into_iter()
            .next()
            .unwrap_or(Err(StoreError::NotFound))
    }

    /// [`Self::accept_placement`] for many households in one transaction, each in a
    /// savepoint of its own: a household whose beds are gone (or that was decided
    /// already) fails alone, with its failure recorded, and the others stand. One commit
    /// for many households instead of one each halves a national batch's time; the price
    /// is that an admission into a pool the group has touched waits for the group's
    /// commit. The answer has one outcome per acceptance, in order; an error of the
    /// database itself undoes the whole call.
    pub async fn accept_placements(
        &self,
        by: &Principal,
        batch_id: Uuid,
        acceptances: &[PlacementAcceptance],
        reserve_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<Vec<Stay>, StoreError>>, StoreError> {
        self.check_batch(by, batch_id).await?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let mut outcomes = Vec::with_capacity(acceptances.len());
        for acceptance in acceptances {
            let mut savepoint = sqlx::Connection::begin(&mut *tx).await?;
            match Self::accept_in(&mut savepoint, by, batch_id, acceptance, reserve_until, now)
                .await
            {
                Ok(stays) => {
                    savepoint.commit().await?;
                    outcomes.push(Ok(stays));
                }
                Err(
                    error @ (StoreError::Admission(_)
                    | StoreError::NotFound
                    | StoreError::Invalid(_)),
                ) => {
                    savepoint.rollback().await?;
                    if let StoreError::Admission(reason) = &error {
                        let decision = PlacementDecision {
                            household_id: acceptance.household_id,
                            decision: "failed".into(),
                            site_id: Some(acceptance.site_id),
                            stay_ids: Vec::new(),
                            reason: Some(reason.code().to_owned()),
                            decided_at: now,
                        };
                        // A failed attempt is worth remembering, but a retry may still
                        // succeed: it is recorded only if nothing else was decided for the
                        // household (in a savepoint, so that a refusal leaves the rest).
                        let mut record = sqlx::Connection::begin(&mut *tx).await?;
                        match Self::insert_decision(&mut record, by, batch_id, &decision).await {
                            Ok(()) => record.commit().await?,
                            Err(_) => record.rollback().await?,
                        }
                    }
                    outcomes.push(Err(error));
                }
                Err(error) => return Err(error),
            }
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// One household's acceptance, in `conn`'s transaction: every allocation admitted at
    /// the proposed site and the decision recorded, or an error.
    async fn accept_in(
        conn: &mut DB::Connection,
        by: &Principal,
        batch_id: Uuid,
        acceptance: &PlacementAcceptance,
        reserve_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Stay>, StoreError> {
        let household_id = acceptance.household_id;
        Self::ensure_undecided(conn, batch_id, household_id).await?;
        let mut stays = Vec::with_capacity(acceptance.allocations.len());
        for allocation in &acceptance.allocations {
            let request = AdmissionRequest {
                household_id,
                pool_id: allocation.pool_id,
                member_ids: Some(allocation.member_ids.clone()),
                reserve_until,
                expected_departure: None,
                one_night: false,
            };
            let stay = Self::admit_in(conn, by, &request, now).await?;
            if stay.site_id != acceptance.site_id {
                return Err(StoreError::Invalid(
                    shanyrak_core::ValidationErrors::single(shanyrak_core::FieldError::new(
                        "#/pool_id",
                        shanyrak_core::FieldErrorCode::InvalidValue,
                        "every pool of one placement must belong to its site",
                    )),
                ));
            }
            stays.push(stay);
        }
        let decision = PlacementDecision {
            household_id,
            decision: "accepted".into(),
            site_id: Some(acceptance.site_id),
            stay_ids: stays.iter().map(|s| s.id).collect(),
            reason: None,
            decided_at: now,
        };
        Self::insert_decision(conn, by, batch_id, &decision).await?;
        Ok(stays)
    }

    pub async fn reject_placement(
        &self,
        by: &Principal,
        batch_id: Uuid,
        household_id: Uuid,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.check_batch(by, batch_id).await?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        Self::ensure_undecided(&mut tx, batch_id, household_id).await?;
        let decision = PlacementDecision {
            household_id,
            decision: "rejected".into(),
            site_id: None,
            stay_ids: Vec::new(),
            reason: reason.map(str::to_owned),
            decided_at: now,
        };
        Self::insert_decision(&mut tx, by, batch_id, &decision).await?;
        tx.commit().await?;
        Ok(())
    }
}
