//! Essentials: the item catalogue, distribution points, the stock ledger and distributions.
//!
//! The ledger (`stock_entries`) is append-only (triggers refuse updates and deletes).
//! `stock_balances` holds its running sum per point and item, changed in the same
//! transaction as each entry by a conditional `UPDATE … WHERE quantity >= $n`: on
//! PostgreSQL the row lock makes a concurrent issue wait and then re-check the new
//! quantity, on SQLite the single writer serialises, and a `CHECK (quantity >= 0)` backs
//! both. A distribution locks its household row first, so two points cannot both hand out
//! the last unit of one household's entitlement.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use shanyrak_core::essentials::{
    EntitlementRule, ItemTranslations, LedgerKind, PointKind, ValidatedItem, ValidatedMovement,
    ValidatedPoint, localized_item,
};
use shanyrak_core::{Action, Actor, FieldErrorCode};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Backend, Change, ColumnExt, Repo, from_json, invalid, require, to_json};
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
    /// Name and unit in other languages, by ISO 639-1 code.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, shanyrak_core::essentials::ItemTranslation>))]
    pub translations: ItemTranslations,
    pub created_at: DateTime<Utc>,
}

impl Item {
    /// The name and unit a reader of `language` (an ISO 639-1 code) sees.
    pub fn localized(&self, language: &str) -> (&str, &str) {
        localized_item(&self.translations, language, &self.name, &self.unit)
    }
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockLevel {
    pub item_id: Uuid,
    #[sqlx(rename = "name")]
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

/// Numbered placeholders `$first … $first+n-1` for an `IN (…)` list that a statement
/// names twice (a numbered placeholder can be referred to again).
pub(super) fn numbered_placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const ITEM_COLUMNS: &str = "id, organisation_id, name, unit, code, rules, translations, created_at";
const POINT_COLUMNS: &str = "id, organisation_id, name, kind, city, created_at";
/// The JSON columns of an item that change after it is created.
#[derive(Debug, Clone, Copy)]
enum ItemColumn {
    Rules,
    Translations,
}

impl ItemColumn {
    fn name(self) -> &'static str {
        match self {
            ItemColumn::Rules => "rules",
            ItemColumn::Translations => "translations",
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            ItemColumn::Rules => "update_rules",
            ItemColumn::Translations => "update_translations",
        }
    }
}

pub(super) const ENTRY_COLUMNS: &str = "id, point_id, item_id, kind, quantity, counterpart_point_id, distribution_id, reason, recorded_by, recorded_at";

#[queries]
impl<DB: Backend> Repo<DB> {
    fn item_from_row(row: &DB::Row) -> Result<Item, StoreError> {
        Ok(Item {
            id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            name: row.try_get("name")?,
            unit: row.try_get("unit")?,
            code: row.try_get("code")?,
            rules: row.json("rules")?,
            translations: row.json("translations")?,
            created_at: row.try_get("created_at")?,
        })
    }

    fn point_from_row(row: &DB::Row) -> Result<DistributionPoint, StoreError> {
        Ok(DistributionPoint {
            id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            name: row.try_get("name")?,
            kind: row.parsed("kind", PointKind::parse)?,
            city: row.try_get("city")?,
            created_at: row.try_get("created_at")?,
        })
    }

    fn entry_from_row(row: &DB::Row) -> Result<StockEntry, StoreError> {
        Ok(StockEntry {
            id: row.try_get("id")?,
            point_id: row.try_get("point_id")?,
            item_id: row.try_get("item_id")?,
            kind: row.parsed("kind", LedgerKind::parse)?,
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
            translations: item.translations.clone(),
            created_at: now,
        };
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let inserted = sqlx::query(
            "INSERT INTO items (id, organisation_id, name, unit, code, rules, created_at, updated_at, translations) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (organisation_id, name) DO NOTHING RETURNING id",
        )
        .bind(created.id)
        .bind(created.organisation_id)
        .bind(created.name.clone())
        .bind(created.unit.clone())
        .bind(created.code.clone())
        .bind(Json(to_json(&created.rules)?))
        .bind(now)
        .bind(now)
        .bind(Json(to_json(&created.translations)?))
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            return Err(invalid(
                "#/name",
                FieldErrorCode::Duplicate,
                "your organisation already has an item with this name",
            ));
        }
        let change = Change::created("item", created.id, &created)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
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
        let rules = to_json(&rules)?;
        self.replace_item_column(actor, item_id, ItemColumn::Rules, rules, now)
            .await
    }

    /// Replaces an item's names and units in other languages (your organisation's items
    /// only; audited with the translations before and after).
    pub async fn update_item_translations(
        &self,
        actor: &Actor,
        item_id: Uuid,
        translations: &ItemTranslations,
        now: DateTime<Utc>,
    ) -> Result<Item, StoreError> {
        let translations = to_json(translations)?;
        self.replace_item_column(actor, item_id, ItemColumn::Translations, translations, now)
            .await
    }

    /// Replaces one JSON column of an item in one audited transaction.
    async fn replace_item_column(
        &self,
        actor: &Actor,
        item_id: Uuid,
        column: ItemColumn,
        value: Value,
        now: DateTime<Utc>,
    ) -> Result<Item, StoreError> {
        require(actor, Action::ManageStock)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let sql =
            format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = $1 AND organisation_id = $2");
        let row = Self::fetch_scoped(&mut *tx, &sql, item_id, actor.organisation_id).await?;
        let before = Self::item_from_row(&row)?;
        let name = column.name();
        sqlx::query(&format!(
            "UPDATE items SET {name} = $1, updated_at = $2 WHERE id = $3"
        ))
        .bind(Json(value.clone()))
        .bind(now)
        .bind(item_id)
        .execute(&mut *tx)
        .await?;
        let mut after = before.clone();
        let old = match column {
            ItemColumn::Rules => {
                after.rules = from_json(value.clone(), name)?;
                to_json(&before.rules)?
            }
            ItemColumn::Translations => {
                after.translations = from_json(value.clone(), name)?;
                to_json(&before.translations)?
            }
        };
        let change = Change::new("item", item_id, column.audit_action())
            .before(json!({ name: old }))
            .after(json!({ name: value }));
        Self::audit_by(&mut tx, actor, change, now).await?;
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
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
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
        let change = Change::created("distribution_point", created.id, &created)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
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
    pub(super) async fn own_point(
        conn: &mut DB::Connection,
        actor: &Actor,
        id: Uuid,
    ) -> Result<DistributionPoint, StoreError> {
        let sql = format!(
            "SELECT {POINT_COLUMNS} FROM distribution_points WHERE id = $1 AND organisation_id = $2"
        );
        let row = Self::fetch_scoped(&mut *conn, &sql, id, actor.organisation_id).await?;
        Self::point_from_row(&row)
    }

    /// Writes one ledger entry and moves the balance with it. A decrease below zero is
    /// refused (`InsufficientStock`) and writes nothing.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn post_entry(
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
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
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
        let change = Change::new("stock_entry", first, movement.kind.as_str())
            .after(serde_json::json!({ "entries": to_json(&entries)? }));
        Self::audit_by(&mut tx, actor, change, now).await?;
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
        let levels: Vec<StockLevel> = sqlx::query_as(
            "SELECT b.item_id, i.name, i.unit, b.quantity FROM stock_balances b JOIN items i ON i.id = b.item_id \
             WHERE b.point_id = $1 ORDER BY i.name",
        )
        .bind(point_id)
        .fetch_all(&mut *conn)
        .await?;
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
