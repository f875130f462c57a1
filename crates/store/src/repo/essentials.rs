//! Essentials: the item catalogue, distribution points, the stock ledger and distributions.
//!
//! The ledger (`stock_entries`) is append-only (triggers refuse updates and deletes).
//! `stock_balances` holds its running sum per point and item, changed in the same
//! transaction as each entry by a conditional `UPDATE … WHERE quantity >= $n`: on
//! PostgreSQL the row lock makes a concurrent issue wait and then re-check the new
//! quantity, on SQLite the single writer serialises, and a `CHECK (quantity >= 0)` backs
//! both. A distribution locks its household row first, so two points cannot both hand out
//! the last unit of one household's entitlement.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shanyrak_core::essentials::{
    EntitlementRule, HouseholdSnapshot, ItemEntitlement, ItemRules, LedgerKind, LineAssessment,
    MemberSnapshot, PastDistribution, PointKind, Share, ValidatedDistribution, ValidatedItem,
    ValidatedMovement, ValidatedPoint, assess,
};
use shanyrak_core::sharing::SharingCategory;
use shanyrak_core::{
    Action, Actor, BirthDate, FieldError, FieldErrorCode, PopulationGroup, ValidationErrors,
};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Backend, IdempotencyRequest, Principal, Repo, from_json, parse_enum, to_json};
use crate::StoreError;
use shanyrak_store_macros::queries;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    pub unit: String,
    pub code: String,
    pub rules: Vec<EntitlementRule>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistributionPoint {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    pub kind: PointKind,
    pub city: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One immutable ledger line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockEntry {
    pub id: Uuid,
    pub point_id: Uuid,
    pub item_id: Uuid,
    pub kind: LedgerKind,
    /// Signed change of the balance.
    pub quantity: i64,
    pub counterpart_point_id: Option<Uuid>,
    pub distribution_id: Option<Uuid>,
    pub reason: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockLevel {
    pub item_id: Uuid,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockView {
    pub point: DistributionPoint,
    pub levels: Vec<StockLevel>,
    /// The newest ledger entries first.
    pub entries: Vec<StockEntry>,
}

/// What recording a distribution wrote: ids and quantities only, so it can be kept for
/// replays without personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistributionReceipt {
    pub distribution_id: Uuid,
    pub household_id: Uuid,
    pub point_id: Uuid,
    pub distributed_on: NaiveDate,
    pub lines: Vec<RecordedLine>,
    /// True when some line went beyond the entitlement under an override reason.
    pub overridden: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedLine {
    pub item_id: Uuid,
    pub quantity: u32,
    pub over_by: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistributionOutcome {
    Recorded(DistributionReceipt),
    /// The same Idempotency-Key and body were seen before: nothing new was written.
    Replayed(DistributionReceipt),
}

/// Something the household received lately, as far as the asking organisation may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentReceipt {
    pub on: NaiveDate,
    pub organisation_id: Uuid,
    /// The item code shared across organisations.
    pub item_code: String,
    pub quantity: u32,
    /// Given to this household (false: to another household one of its members is in).
    pub this_household: bool,
}

/// A household's standing at a point: entitlements now and recent receipts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntitlementView {
    pub household_id: Uuid,
    pub on: NaiveDate,
    pub items: Vec<ItemEntitlement>,
    pub recent: Vec<RecentReceipt>,
}

/// How a distribution report is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportDimension {
    Item,
    Day,
    Point,
    Organisation,
    Group,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistributionReportRow {
    /// Item code, ISO date, point id, organisation id or population group.
    pub key: String,
    /// Item unit or point name, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub quantity: i64,
    pub distributions: i64,
    /// Household records served (a family registered twice counts twice).
    pub households: i64,
    /// Resolved people who had a share: a person registered twice and decided "same"
    /// counts once.
    pub persons: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockReportRow {
    pub point_id: Uuid,
    pub point_name: String,
    pub item_id: Uuid,
    pub item_name: String,
    pub unit: String,
    pub on_hand: i64,
    /// Units issued to households over the rate window.
    pub issued_in_window: i64,
    pub daily_rate: f64,
    /// On hand divided by the daily rate; absent when nothing was issued lately.
    pub days_left: Option<f64>,
    /// Out of stock, or fewer days left than the alert threshold.
    pub low: bool,
}

fn require(actor: &Actor, action: Action) -> Result<(), StoreError> {
    if actor.may(action) {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

fn invalid(pointer: impl Into<String>, code: FieldErrorCode, detail: &str) -> StoreError {
    StoreError::Invalid(ValidationErrors::single(FieldError::new(
        pointer, code, detail,
    )))
}

/// Placeholders `$first … $first+n-1` for an `IN (…)` list.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const ITEM_COLUMNS: &str = "id, organisation_id, name, unit, code, rules, created_at";
const POINT_COLUMNS: &str = "id, organisation_id, name, kind, city, created_at";
const ENTRY_COLUMNS: &str = "id, point_id, item_id, kind, quantity, counterpart_point_id, distribution_id, reason, recorded_by, recorded_at";

#[queries]
impl<DB: Backend> Repo<DB> {
    fn item_from_row(row: &DB::Row) -> Result<Item, StoreError> {
        Ok(Item {
            id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            name: row.try_get("name")?,
            unit: row.try_get("unit")?,
            code: row.try_get("code")?,
            rules: from_json(row.try_get::<Json<Value>, _>("rules")?.0, "rules")?,
            created_at: row.try_get("created_at")?,
        })
    }

    fn point_from_row(row: &DB::Row) -> Result<DistributionPoint, StoreError> {
        Ok(DistributionPoint {
            id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            name: row.try_get("name")?,
            kind: parse_enum(&row.try_get::<String, _>("kind")?, PointKind::parse, "kind")?,
            city: row.try_get("city")?,
            created_at: row.try_get("created_at")?,
        })
    }

    fn entry_from_row(row: &DB::Row) -> Result<StockEntry, StoreError> {
        Ok(StockEntry {
            id: row.try_get("id")?,
            point_id: row.try_get("point_id")?,
            item_id: row.try_get("item_id")?,
            kind: parse_enum(
                &row.try_get::<String, _>("kind")?,
                LedgerKind::parse,
                "kind",
            )?,
            quantity: row.try_get("quantity")?,
            counterpart_point_id: row.try_get("counterpart_point_id")?,
            distribution_id: row.try_get("distribution_id")?,
            reason: row.try_get("reason")?,
            recorded_by: row.try_get("recorded_by")?,
            recorded_at: row.try_get("recorded_at")?,
        })
    }

    pub async fn create_item(
        &self,
        actor: &Actor,
        item: &ValidatedItem,
        now: DateTime<Utc>,
    ) -> Result<Item, StoreError> {
        require(actor, Action::ManageStock)?;
        let created = Item {
            id: Uuid::now_v7(),
            organisation_id: actor.organisation_id,
            name: item.name.clone(),
            unit: item.unit.clone(),
            code: item.code.clone(),
            rules: item.rules.clone(),
            created_at: now,
        };
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO items (id, organisation_id, name, unit, code, rules, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (organisation_id, name) DO NOTHING RETURNING id",
        )
        .bind(created.id)
        .bind(created.organisation_id)
        .bind(created.name.clone())
        .bind(created.unit.clone())
        .bind(created.code.clone())
        .bind(Json(to_json(&created.rules)?))
        .bind(now)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            return Err(invalid(
                "#/name",
                FieldErrorCode::Duplicate,
                "your organisation already has an item with this name",
            ));
        }
        Self::audit(
            &mut tx,
            &Principal::User(actor.clone()),
            Some(actor.organisation_id),
            "item",
            created.id,
            "create",
            None,
            Some(to_json(&created)?),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces an item's entitlement rules (your organisation's items only; audited
    /// with the rules before and after). Name, unit and code stay: the code is what other
    /// organisations' receipts count against.
    pub async fn update_item_rules(
        &self,
        actor: &Actor,
        item_id: Uuid,
        rules: &[EntitlementRule],
        now: DateTime<Utc>,
    ) -> Result<Item, StoreError> {
        require(actor, Action::ManageStock)?;
        let mut tx = self.writer.begin().await?;
        let sql =
            format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = $1 AND organisation_id = $2");
        let row = sqlx::query(&sql)
            .bind(item_id)
            .bind(actor.organisation_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = Self::item_from_row(&row)?;
        sqlx::query("UPDATE items SET rules = $1, updated_at = $2 WHERE id = $3")
            .bind(Json(to_json(&rules)?))
            .bind(now)
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
        let after = Item {
            rules: rules.to_vec(),
            ..before.clone()
        };
        Self::audit(
            &mut tx,
            &Principal::User(actor.clone()),
            Some(actor.organisation_id),
            "item",
            item_id,
            "update_rules",
            Some(json!({ "rules": to_json(&before.rules)? })),
            Some(json!({ "rules": to_json(&after.rules)? })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn list_items(&self, actor: &Actor) -> Result<Vec<Item>, StoreError> {
        require(actor, Action::ReadStock)?;
        let mut conn = self.reader.acquire().await?;
        let sql =
            format!("SELECT {ITEM_COLUMNS} FROM items WHERE organisation_id = $1 ORDER BY name");
        let rows = sqlx::query(&sql)
            .bind(actor.organisation_id)
            .fetch_all(&mut *conn)
            .await?;
        rows.iter().map(Self::item_from_row).collect()
    }

    pub async fn create_point(
        &self,
        actor: &Actor,
        point: &ValidatedPoint,
        now: DateTime<Utc>,
    ) -> Result<DistributionPoint, StoreError> {
        require(actor, Action::ManageStock)?;
        let created = DistributionPoint {
            id: Uuid::now_v7(),
            organisation_id: actor.organisation_id,
            name: point.name.clone(),
            kind: point.kind,
            city: point.city.clone(),
            created_at: now,
        };
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO distribution_points (id, organisation_id, name, kind, city, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organisation_id, name) DO NOTHING RETURNING id",
        )
        .bind(created.id)
        .bind(created.organisation_id)
        .bind(created.name.clone())
        .bind(created.kind.as_str().to_owned())
        .bind(created.city.clone())
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            return Err(invalid(
                "#/name",
                FieldErrorCode::Duplicate,
                "your organisation already has a point with this name",
            ));
        }
        Self::audit(
            &mut tx,
            &Principal::User(actor.clone()),
            Some(actor.organisation_id),
            "distribution_point",
            created.id,
            "create",
            None,
            Some(to_json(&created)?),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn list_points(&self, actor: &Actor) -> Result<Vec<DistributionPoint>, StoreError> {
        require(actor, Action::ReadStock)?;
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT {POINT_COLUMNS} FROM distribution_points WHERE organisation_id = $1 ORDER BY name"
        );
        let rows = sqlx::query(&sql)
            .bind(actor.organisation_id)
            .fetch_all(&mut *conn)
            .await?;
        rows.iter().map(Self::point_from_row).collect()
    }

    /// A point of the actor's organisation; another organisation's is `NotFound`.
    async fn own_point(
        conn: &mut DB::Connection,
        actor: &Actor,
        id: Uuid,
    ) -> Result<DistributionPoint, StoreError> {
        let sql = format!(
            "SELECT {POINT_COLUMNS} FROM distribution_points WHERE id = $1 AND organisation_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(actor.organisation_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        Self::point_from_row(&row)
    }

    /// Writes one ledger entry and moves the balance with it. A decrease below zero is
    /// refused (`InsufficientStock`) and writes nothing.
    #[allow(clippy::too_many_arguments)]
    async fn post_entry(
        conn: &mut DB::Connection,
        actor: &Actor,
        point_id: Uuid,
        item_id: Uuid,
        kind: LedgerKind,
        delta: i64,
        counterpart_point_id: Option<Uuid>,
        distribution_id: Option<Uuid>,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<StockEntry, StoreError> {
        if delta < 0 {
            let taken = sqlx::query(
                "UPDATE stock_balances SET quantity = quantity - $3 WHERE point_id = $1 AND item_id = $2 AND quantity >= $3 RETURNING quantity",
            )
            .bind(point_id)
            .bind(item_id)
            .bind(-delta)
            .fetch_optional(&mut *conn)
            .await?;
            if taken.is_none() {
                return Err(StoreError::InsufficientStock { item_id });
            }
        } else {
            sqlx::query(
                "INSERT INTO stock_balances (point_id, item_id, quantity) VALUES ($1, $2, $3) \
                 ON CONFLICT (point_id, item_id) DO UPDATE SET quantity = stock_balances.quantity + excluded.quantity",
            )
            .bind(point_id)
            .bind(item_id)
            .bind(delta)
            .execute(&mut *conn)
            .await?;
        }
        let entry = StockEntry {
            id: Uuid::now_v7(),
            point_id,
            item_id,
            kind,
            quantity: delta,
            counterpart_point_id,
            distribution_id,
            reason: reason.map(str::to_owned),
            recorded_by: Some(actor.user_id),
            recorded_at: now,
        };
        sqlx::query(
            "INSERT INTO stock_entries (id, organisation_id, point_id, item_id, kind, quantity, counterpart_point_id, \
             distribution_id, reason, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(entry.id)
        .bind(actor.organisation_id)
        .bind(point_id)
        .bind(item_id)
        .bind(kind.as_str().to_owned())
        .bind(delta)
        .bind(counterpart_point_id)
        .bind(distribution_id)
        .bind(entry.reason.clone())
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(entry)
    }

    /// A receipt, transfer, adjustment or loss at `point_id`, with its audit event. A
    /// transfer writes both ledger lines (out here, in at the destination).
    pub async fn record_movement(
        &self,
        actor: &Actor,
        point_id: Uuid,
        movement: &ValidatedMovement,
        now: DateTime<Utc>,
    ) -> Result<Vec<StockEntry>, StoreError> {
        require(actor, Action::ManageStock)?;
        let mut tx = self.writer.begin().await?;
        Self::own_point(&mut tx, actor, point_id).await?;
        let item = sqlx::query("SELECT id FROM items WHERE id = $1 AND organisation_id = $2")
            .bind(movement.item_id)
            .bind(actor.organisation_id)
            .fetch_optional(&mut *tx)
            .await?;
        if item.is_none() {
            return Err(invalid(
                "#/item_id",
                FieldErrorCode::InvalidValue,
                "no such item in your catalogue",
            ));
        }
        let mut entries = Vec::new();
        if let Some(to) = movement.to_point_id {
            if to == point_id || Self::own_point(&mut tx, actor, to).await.is_err() {
                return Err(invalid(
                    "#/to_point_id",
                    FieldErrorCode::InvalidValue,
                    "must be another point of your organisation",
                ));
            }
            // Balance rows are locked in point-id order, so two opposite transfers cannot
            // deadlock.
            let out = (point_id, LedgerKind::TransferOut, movement.delta, to);
            let into = (to, LedgerKind::TransferIn, -movement.delta, point_id);
            let ordered = if point_id < to {
                [out, into]
            } else {
                [into, out]
            };
            for (at, kind, delta, counterpart) in ordered {
                entries.push(
                    Self::post_entry(
                        &mut tx,
                        actor,
                        at,
                        movement.item_id,
                        kind,
                        delta,
                        Some(counterpart),
                        None,
                        movement.reason.as_deref(),
                        now,
                    )
                    .await?,
                );
            }
            entries.sort_by_key(|e| e.kind != LedgerKind::TransferOut);
        } else {
            entries.push(
                Self::post_entry(
                    &mut tx,
                    actor,
                    point_id,
                    movement.item_id,
                    movement.kind,
                    movement.delta,
                    None,
                    None,
                    movement.reason.as_deref(),
                    now,
                )
                .await?,
            );
        }
        let first = entries.first().map(|e| e.id).unwrap_or(point_id);
        Self::audit(
            &mut tx,
            &Principal::User(actor.clone()),
            Some(actor.organisation_id),
            "stock_entry",
            first,
            movement.kind.as_str(),
            None,
            Some(serde_json::json!({ "entries": to_json(&entries)? })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(entries)
    }

    /// Balances and the newest `limit` ledger entries of a point.
    pub async fn stock(
        &self,
        actor: &Actor,
        point_id: Uuid,
        limit: u32,
    ) -> Result<StockView, StoreError> {
        require(actor, Action::ReadStock)?;
        let mut conn = self.reader.acquire().await?;
        let point = Self::own_point(&mut conn, actor, point_id).await?;
        let rows = sqlx::query(
            "SELECT b.item_id, i.name, i.unit, b.quantity FROM stock_balances b JOIN items i ON i.id = b.item_id \
             WHERE b.point_id = $1 ORDER BY i.name",
        )
        .bind(point_id)
        .fetch_all(&mut *conn)
        .await?;
        let levels = rows
            .iter()
            .map(|r| {
                Ok(StockLevel {
                    item_id: r.try_get("item_id")?,
                    item_name: r.try_get("name")?,
                    unit: r.try_get("unit")?,
                    quantity: r.try_get("quantity")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM stock_entries WHERE point_id = $1 ORDER BY id DESC LIMIT {}",
            limit.clamp(1, 100_000)
        );
        let rows = sqlx::query(&sql)
            .bind(point_id)
            .fetch_all(&mut *conn)
            .await?;
        let entries = rows
            .iter()
            .map(Self::entry_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StockView {
            point,
            levels,
            entries,
        })
    }

    /// The household as the entitlement check sees it: group and current members with
    /// resolved identities.
    async fn household_snapshot(
        conn: &mut DB::Connection,
        organisation_id: Uuid,
        household_id: Uuid,
    ) -> Result<HouseholdSnapshot, StoreError> {
        let row = sqlx::query(
            "SELECT population_group FROM households WHERE id = $1 AND organisation_id = $2",
        )
        .bind(household_id)
        .bind(organisation_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let group = parse_enum(
            &row.try_get::<String, _>("population_group")?,
            PopulationGroup::parse,
            "population_group",
        )?;
        let rows = sqlx::query(
            "SELECT id, birth_date, COALESCE(identity_id, id) AS identity FROM persons \
             WHERE household_id = $1 AND removed_at IS NULL ORDER BY position",
        )
        .bind(household_id)
        .fetch_all(&mut *conn)
        .await?;
        let members = rows
            .iter()
            .map(|r| {
                Ok(MemberSnapshot {
                    person_id: r.try_get("id")?,
                    identity: r.try_get("identity")?,
                    birth_date: BirthDate::parse(&r.try_get::<String, _>("birth_date")?)
                        .map_err(|_| StoreError::corrupt("unreadable birth_date"))?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(HouseholdSnapshot {
            id: household_id,
            group,
            members,
        })
    }

    /// The items of an organisation with their rules, keyed by code.
    async fn rules_by_code(
        conn: &mut DB::Connection,
        organisation_id: Uuid,
    ) -> Result<HashMap<String, ItemRules>, StoreError> {
        let rows = sqlx::query("SELECT id, code, rules FROM items WHERE organisation_id = $1")
            .bind(organisation_id)
            .fetch_all(&mut *conn)
            .await?;
        let mut by_code = HashMap::new();
        for r in &rows {
            let code: String = r.try_get("code")?;
            by_code.insert(
                code,
                ItemRules {
                    item_id: r.try_get("id")?,
                    rules: from_json(r.try_get::<Json<Value>, _>("rules")?.0, "rules")?,
                },
            );
        }
        Ok(by_code)
    }

    /// What the household and its members (by resolved identity, in any household) were
    /// given since `since`, by organisations in `visible` only. Item ids are mapped to the
    /// asking organisation's item of the same code; other items are kept under a nil id
    /// for the "recent receipts" list.
    /// The household and every household holding a person of the same resolved identity
    /// as one of its members (any organisation), in id order.
    async fn households_sharing_identities(
        conn: &mut DB::Connection,
        household_id: Uuid,
    ) -> Result<Vec<Uuid>, StoreError> {
        let identities: Vec<Uuid> = sqlx::query(
            "SELECT COALESCE(identity_id, id) AS identity FROM persons WHERE household_id = $1",
        )
        .bind(household_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("identity"))
        .collect::<Result<_, _>>()?;
        let mut households = vec![household_id];
        if !identities.is_empty() {
            let n = identities.len();
            let sql = format!(
                "SELECT DISTINCT household_id FROM persons WHERE id IN ({ids}) OR identity_id IN ({ids})",
                ids = placeholders(1, n)
            );
            let mut query = sqlx::query(&sql);
            for identity in &identities {
                query = query.bind(*identity);
            }
            for row in query.fetch_all(&mut *conn).await? {
                households.push(row.try_get("household_id")?);
            }
        }
        households.sort_unstable();
        households.dedup();
        Ok(households)
    }

    async fn past_distributions(
        conn: &mut DB::Connection,
        household: &HouseholdSnapshot,
        visible: &[Uuid],
        local_items: &HashMap<String, ItemRules>,
        since: NaiveDate,
    ) -> Result<Vec<(PastDistribution, String)>, StoreError> {
        // (distribution, item) -> past line
        let mut lines: HashMap<(Uuid, Uuid), (PastDistribution, String)> = HashMap::new();
        let local_id = |code: &str| local_items.get(code).map_or(Uuid::nil(), |i| i.item_id);
        let rows = sqlx::query(
            "SELECT d.id, d.distributed_on, d.organisation_id, d.household_id, l.item_id, l.quantity, i.code \
             FROM distributions d JOIN distribution_lines l ON l.distribution_id = d.id JOIN items i ON i.id = l.item_id \
             WHERE d.household_id = $1 AND d.distributed_on >= $2",
        )
        .bind(household.id)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let organisation_id: Uuid = r.try_get("organisation_id")?;
            if !visible.contains(&organisation_id) {
                continue;
            }
            let code: String = r.try_get("code")?;
            let item_id: Uuid = r.try_get("item_id")?;
            lines.insert(
                (r.try_get("id")?, item_id),
                (
                    PastDistribution {
                        date: r.try_get("distributed_on")?,
                        organisation_id,
                        household_id: r.try_get("household_id")?,
                        item_id: local_id(&code),
                        quantity: u32::try_from(r.try_get::<i64, _>("quantity")?)
                            .unwrap_or(u32::MAX),
                        shares: Vec::new(),
                    },
                    code,
                ),
            );
        }
        let identities: Vec<Uuid> = household.members.iter().map(|m| m.identity).collect();
        if !identities.is_empty() {
            let n = identities.len();
            let sql = format!(
                "SELECT s.distribution_id, s.item_id, s.quantity AS share, COALESCE(p.identity_id, p.id) AS identity, \
                 d.distributed_on, d.organisation_id, d.household_id, l.quantity, i.code \
                 FROM distribution_shares s JOIN persons p ON p.id = s.person_id \
                 JOIN distributions d ON d.id = s.distribution_id \
                 JOIN distribution_lines l ON l.distribution_id = s.distribution_id AND l.item_id = s.item_id \
                 JOIN items i ON i.id = s.item_id \
                 WHERE s.person_id IN (SELECT id FROM persons WHERE id IN ({ids}) OR identity_id IN ({ids})) \
                 AND d.distributed_on >= ${since}",
                ids = placeholders(1, n),
                since = n + 1,
            );
            let mut query = sqlx::query(&sql);
            for identity in &identities {
                query = query.bind(*identity);
            }
            let rows = query.bind(since).fetch_all(&mut *conn).await?;
            for r in &rows {
                let organisation_id: Uuid = r.try_get("organisation_id")?;
                if !visible.contains(&organisation_id) {
                    continue;
                }
                let code: String = r.try_get("code")?;
                let key: (Uuid, Uuid) = (r.try_get("distribution_id")?, r.try_get("item_id")?);
                let entry = match lines.entry(key) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => e.insert((
                        PastDistribution {
                            date: r.try_get("distributed_on")?,
                            organisation_id,
                            household_id: r.try_get("household_id")?,
                            item_id: local_id(&code),
                            quantity: u32::try_from(r.try_get::<i64, _>("quantity")?)
                                .unwrap_or(u32::MAX),
                            shares: Vec::new(),
                        },
                        code,
                    )),
                };
                entry.0.shares.push(Share {
                    identity: r.try_get("identity")?,
                    quantity: u32::try_from(r.try_get::<i64, _>("share")?).unwrap_or(u32::MAX),
                });
            }
        }
        let mut past: Vec<(PastDistribution, String)> = lines.into_values().collect();
        past.sort_by(|a, b| b.0.date.cmp(&a.0.date).then(a.1.cmp(&b.1)));
        Ok(past)
    }

    /// The organisations whose receipts the actor's organisation may count: its own and
    /// those sharing distributions with it under an agreement in force.
    async fn visible_organisations(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut visible = self
            .sharing_organisations(actor.organisation_id, SharingCategory::Distributions, now)
            .await?;
        visible.push(actor.organisation_id);
        Ok(visible)
    }

    /// The longest rule period of the catalogue: how far back receipts can matter.
    fn lookback(items: &HashMap<String, ItemRules>, today: NaiveDate) -> NaiveDate {
        let days = items
            .values()
            .flat_map(|i| i.rules.iter().map(|r| r.period_days))
            .max()
            .unwrap_or(0);
        today - Duration::days(i64::from(days))
    }

    /// A household's entitlements today and what it received lately, logged as a read of
    /// its receipts before it is returned.
    pub async fn entitlements(
        &self,
        actor: &Actor,
        household_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<EntitlementView, StoreError> {
        require(actor, Action::Distribute)?;
        let visible = self.visible_organisations(actor, now).await?;
        let today = now.date_naive();
        let mut conn = self.reader.acquire().await?;
        let household =
            Self::household_snapshot(&mut conn, actor.organisation_id, household_id).await?;
        let local = Self::rules_by_code(&mut conn, actor.organisation_id).await?;
        let past = Self::past_distributions(
            &mut conn,
            &household,
            &visible,
            &local,
            Self::lookback(&local, today),
        )
        .await?;
        drop(conn);
        let plain: Vec<PastDistribution> = past.iter().map(|(p, _)| p.clone()).collect();
        let mut items: Vec<&ItemRules> = local.values().collect();
        items.sort_by_key(|i| i.item_id);
        let items = items
            .into_iter()
            .map(|i| shanyrak_core::essentials::entitlement(&household, i, today, &plain))
            .collect();
        let recent = past
            .iter()
            .map(|(p, code)| RecentReceipt {
                on: p.date,
                organisation_id: p.organisation_id,
                item_code: code.clone(),
                quantity: p.quantity,
                this_household: p.household_id == household_id,
            })
            .collect();
        self.log_access(
            actor,
            "read_receipts",
            Some(household_id),
            None,
            serde_json::json!({ "visible_organisations": visible.len() }),
            now,
        )
        .await?;
        Ok(EntitlementView {
            household_id,
            on: today,
            items,
            recent,
        })
    }

    /// Records what a household is given at a point: checks the entitlement, refuses a
    /// line beyond it unless an override reason is given, takes the stock, and writes the
    /// distribution, its ledger entries and one audit event in one transaction. With an
    /// idempotency key a retry replays the first receipt and writes nothing.
    pub async fn record_distribution(
        &self,
        actor: &Actor,
        request: &ValidatedDistribution,
        idempotency: Option<&IdempotencyRequest>,
        now: DateTime<Utc>,
    ) -> Result<DistributionOutcome, StoreError> {
        require(actor, Action::Distribute)?;
        let visible = self.visible_organisations(actor, now).await?;
        let today = now.date_naive();
        let distribution_id = Uuid::now_v7();
        let mut tx = self.writer.begin().await?;
        if let Some(idem) = idempotency {
            // Claimed first, so a concurrent retry waits for this transaction and replays.
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys (user_id, key, request_hash, receipt, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, key) DO NOTHING RETURNING key",
            )
            .bind(actor.user_id)
            .bind(idem.key.clone())
            .bind(idem.request_hash.clone())
            .bind(Json(serde_json::json!({ "pending": distribution_id })))
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if claimed.is_none() {
                tx.rollback().await?;
                return self.replay_distribution(actor, idem).await;
            }
        }
        // Household rows are the locks that serialise distributions: this household's, and
        // those of every household holding one of its members' resolved identities (a
        // person registered twice), so two points cannot both give one person their
        // share through two households. All are taken in id order, so two distributions
        // that lock the same households cannot deadlock.
        let owned = sqlx::query("SELECT id FROM households WHERE id = $1 AND organisation_id = $2")
            .bind(request.household_id)
            .bind(actor.organisation_id)
            .fetch_optional(&mut *tx)
            .await?;
        if owned.is_none() {
            return Err(StoreError::NotFound);
        }
        for household_id in
            Self::households_sharing_identities(&mut tx, request.household_id).await?
        {
            sqlx::query("UPDATE households SET version = version WHERE id = $1")
                .bind(household_id)
                .execute(&mut *tx)
                .await?;
        }
        let point = Self::own_point(&mut tx, actor, request.point_id)
            .await
            .map_err(|_| {
                invalid(
                    "#/point_id",
                    FieldErrorCode::InvalidValue,
                    "no such distribution point in your organisation",
                )
            })?;
        if point.kind != PointKind::Point {
            return Err(invalid(
                "#/point_id",
                FieldErrorCode::InvalidValue,
                "a warehouse does not hand out; transfer to a point first",
            ));
        }
        let household =
            Self::household_snapshot(&mut tx, actor.organisation_id, request.household_id).await?;
        let local = Self::rules_by_code(&mut tx, actor.organisation_id).await?;
        for (i, line) in request.lines.iter().enumerate() {
            if !local.values().any(|item| item.item_id == line.item_id) {
                return Err(invalid(
                    format!("#/lines/{i}/item_id"),
                    FieldErrorCode::InvalidValue,
                    "no such item in your catalogue",
                ));
            }
        }
        let past = Self::past_distributions(
            &mut tx,
            &household,
            &visible,
            &local,
            Self::lookback(&local, today),
        )
        .await?;
        let past: Vec<PastDistribution> = past.into_iter().map(|(p, _)| p).collect();
        let items: Vec<ItemRules> = local.into_values().collect();
        let assessed: Vec<LineAssessment> =
            assess(&household, &items, today, &past, &request.lines).map_err(|e| match e {
                shanyrak_core::essentials::AssessError::UnknownPerson { line, position } => {
                    invalid(
                        format!("#/lines/{line}/person_ids/{position}"),
                        FieldErrorCode::UnknownMember,
                        "not a member of this household",
                    )
                }
            })?;
        let over = assessed.iter().any(|a| a.over_by > 0);
        if over && request.override_reason.is_none() {
            return Err(invalid(
                "#/override_reason",
                FieldErrorCode::Required,
                "giving beyond the entitlement needs a reason",
            ));
        }
        sqlx::query(
            "INSERT INTO distributions (id, organisation_id, household_id, point_id, distributed_on, population_group, \
             override_reason, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(distribution_id)
        .bind(actor.organisation_id)
        .bind(household.id)
        .bind(point.id)
        .bind(today)
        .bind(household.group.as_str().to_owned())
        .bind(if over { request.override_reason.clone() } else { None })
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // Balance rows are taken in item-id order so multi-line distributions at one point
        // cannot deadlock each other.
        let mut ordered: Vec<&LineAssessment> = assessed.iter().collect();
        ordered.sort_by_key(|a| a.item_id);
        for line in ordered {
            Self::post_entry(
                &mut tx,
                actor,
                point.id,
                line.item_id,
                LedgerKind::Issue,
                -i64::from(line.quantity),
                None,
                Some(distribution_id),
                None,
                now,
            )
            .await?;
            sqlx::query("INSERT INTO distribution_lines (distribution_id, item_id, quantity, over_by) VALUES ($1, $2, $3, $4)")
                .bind(distribution_id)
                .bind(line.item_id)
                .bind(i64::from(line.quantity))
                .bind(i64::from(line.over_by))
                .execute(&mut *tx)
                .await?;
            for share in &line.shares {
                sqlx::query("INSERT INTO distribution_shares (distribution_id, item_id, person_id, quantity) VALUES ($1, $2, $3, $4)")
                    .bind(distribution_id)
                    .bind(line.item_id)
                    .bind(share.person_id)
                    .bind(i64::from(share.quantity))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let receipt = DistributionReceipt {
            distribution_id,
            household_id: household.id,
            point_id: point.id,
            distributed_on: today,
            lines: assessed
                .iter()
                .map(|a| RecordedLine {
                    item_id: a.item_id,
                    quantity: a.quantity,
                    over_by: a.over_by,
                })
                .collect(),
            overridden: over,
        };
        let mut after = to_json(&receipt)?;
        if over && let Some(map) = after.as_object_mut() {
            map.insert(
                "override_reason".into(),
                Value::from(request.override_reason.clone()),
            );
        }
        Self::audit(
            &mut tx,
            &Principal::User(actor.clone()),
            Some(actor.organisation_id),
            "distribution",
            distribution_id,
            if over {
                "distribute_override"
            } else {
                "distribute"
            },
            None,
            Some(after),
            now,
        )
        .await?;
        if let Some(idem) = idempotency {
            sqlx::query("UPDATE idempotency_keys SET receipt = $1 WHERE user_id = $2 AND key = $3")
                .bind(Json(to_json(&receipt)?))
                .bind(actor.user_id)
                .bind(idem.key.clone())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(DistributionOutcome::Recorded(receipt))
    }

    async fn replay_distribution(
        &self,
        actor: &Actor,
        idem: &IdempotencyRequest,
    ) -> Result<DistributionOutcome, StoreError> {
        let mut conn = self.writer.acquire().await?;
        let row = sqlx::query(
            "SELECT request_hash, receipt FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        )
        .bind(actor.user_id)
        .bind(idem.key.clone())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::corrupt("idempotency key vanished"))?;
        if row.try_get::<Vec<u8>, _>("request_hash")? != idem.request_hash {
            return Err(StoreError::IdempotencyKeyReused);
        }
        let receipt: DistributionReceipt =
            from_json(row.try_get::<Json<Value>, _>("receipt")?.0, "receipt")
                .map_err(|_| StoreError::IdempotencyKeyReused)?;
        Ok(DistributionOutcome::Replayed(receipt))
    }

    /// Units distributed, grouped by one dimension, by the actor's organisation and those
    /// sharing distributions with it. Aggregates only.
    pub async fn distribution_report(
        &self,
        actor: &Actor,
        by: ReportDimension,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Vec<DistributionReportRow>, StoreError> {
        require(actor, Action::ReadDistributions)?;
        let visible = self.visible_organisations(actor, now).await?;
        let (key, label) = match by {
            ReportDimension::Item => ("i.code", "MIN(i.unit)"),
            ReportDimension::Day => ("d.distributed_on", "NULL"),
            ReportDimension::Point => ("d.point_id", "MIN(p.name)"),
            ReportDimension::Organisation => ("d.organisation_id", "NULL"),
            ReportDimension::Group => ("d.population_group", "NULL"),
        };
        let sql = format!(
            "SELECT {key} AS key, {label} AS label, CAST(SUM(l.quantity) AS BIGINT) AS quantity, \
             COUNT(DISTINCT d.id) AS distributions, COUNT(DISTINCT d.household_id) AS households \
             FROM distributions d JOIN distribution_lines l ON l.distribution_id = d.id \
             JOIN items i ON i.id = l.item_id JOIN distribution_points p ON p.id = d.point_id \
             WHERE d.organisation_id IN ({orgs}) AND ($1 IS NULL OR d.distributed_on >= $1) AND ($2 IS NULL OR d.distributed_on <= $2) \
             GROUP BY {key} ORDER BY {key}",
            orgs = placeholders(3, visible.len()),
        );
        let mut query = sqlx::query(&sql).bind(from).bind(to);
        for org in &visible {
            query = query.bind(*org);
        }
        let mut conn = self.reader.acquire().await?;
        let rows = query.fetch_all(&mut *conn).await?;
        // People by resolved identity, counted apart: joining the shares into the first
        // query would repeat each line once per share in its sums.
        let people_sql = format!(
            "SELECT {key} AS key, COUNT(DISTINCT COALESCE(pe.identity_id, pe.id)) AS persons \
             FROM distributions d JOIN distribution_lines l ON l.distribution_id = d.id \
             JOIN items i ON i.id = l.item_id \
             JOIN distribution_shares s ON s.distribution_id = l.distribution_id AND s.item_id = l.item_id \
             JOIN persons pe ON pe.id = s.person_id \
             WHERE d.organisation_id IN ({orgs}) AND ($1 IS NULL OR d.distributed_on >= $1) AND ($2 IS NULL OR d.distributed_on <= $2) \
             GROUP BY {key}",
            orgs = placeholders(3, visible.len()),
        );
        let mut people_query = sqlx::query(&people_sql).bind(from).bind(to);
        for org in &visible {
            people_query = people_query.bind(*org);
        }
        let key_of = |r: &DB::Row| -> Result<String, StoreError> {
            Ok(match by {
                ReportDimension::Item | ReportDimension::Group => r.try_get::<String, _>("key")?,
                ReportDimension::Day => r.try_get::<NaiveDate, _>("key")?.to_string(),
                ReportDimension::Point | ReportDimension::Organisation => {
                    r.try_get::<Uuid, _>("key")?.to_string()
                }
            })
        };
        let mut persons: HashMap<String, i64> = HashMap::new();
        for r in people_query.fetch_all(&mut *conn).await? {
            persons.insert(key_of(&r)?, r.try_get("persons")?);
        }
        rows.iter()
            .map(|r| {
                let key = key_of(r)?;
                let served = persons.get(&key).copied().unwrap_or(0);
                let label = match by {
                    ReportDimension::Item | ReportDimension::Point => {
                        r.try_get::<Option<String>, _>("label")?
                    }
                    _ => None,
                };
                Ok(DistributionReportRow {
                    key,
                    label,
                    quantity: r.try_get("quantity")?,
                    distributions: r.try_get("distributions")?,
                    households: r.try_get("households")?,
                    persons: served,
                })
            })
            .collect()
    }

    /// Stock on hand per point and item of the actor's organisation, with the issue rate
    /// over the last `window_days` days, days of stock left at that rate, and an alert
    /// when fewer than `alert_days` remain.
    pub async fn stock_report(
        &self,
        actor: &Actor,
        window_days: u32,
        alert_days: f64,
        now: DateTime<Utc>,
    ) -> Result<Vec<StockReportRow>, StoreError> {
        require(actor, Action::ReadDistributions)?;
        let window_days = window_days.clamp(1, 365);
        let since = now - Duration::days(i64::from(window_days));
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(
            "SELECT b.point_id, p.name AS point_name, b.item_id, i.name AS item_name, i.unit, b.quantity, \
             COALESCE((SELECT CAST(SUM(-e.quantity) AS BIGINT) FROM stock_entries e WHERE e.point_id = b.point_id \
             AND e.item_id = b.item_id AND e.kind = 'issue' AND e.recorded_at >= $2), 0) AS issued \
             FROM stock_balances b JOIN distribution_points p ON p.id = b.point_id JOIN items i ON i.id = b.item_id \
             WHERE p.organisation_id = $1 ORDER BY p.name, i.name",
        )
        .bind(actor.organisation_id)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let on_hand: i64 = r.try_get("quantity")?;
                let issued: i64 = r.try_get("issued")?;
                let daily_rate = issued as f64 / f64::from(window_days);
                let days_left = (daily_rate > 0.0).then(|| on_hand as f64 / daily_rate);
                Ok(StockReportRow {
                    point_id: r.try_get("point_id")?,
                    point_name: r.try_get("point_name")?,
                    item_id: r.try_get("item_id")?,
                    item_name: r.try_get("item_name")?,
                    unit: r.try_get("unit")?,
                    on_hand,
                    issued_in_window: issued,
                    daily_rate,
                    days_left,
                    low: on_hand == 0 || days_left.is_some_and(|d| d < alert_days),
                })
            })
            .collect()
    }
}
