//! Distributions of essentials: what a household may receive (its entitlements), recording
//! what it received, and the distribution report.
//!
//! A distribution locks its household row first, so two points cannot both hand out the
//! last unit of one household's entitlement; stock leaves through the ledger
//! (`essentials.rs`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shanyrak_core::essentials::{
    HouseholdSnapshot, ItemEntitlement, ItemRules, LedgerKind, LineAssessment, MemberSnapshot,
    PastDistribution, PointKind, Share, ValidatedDistribution, assess,
};
use shanyrak_core::sharing::SharingCategory;
use shanyrak_core::{Action, Actor, BirthDate, FieldErrorCode, PopulationGroup};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::essentials::numbered_placeholders;
use super::{Backend, Change, ColumnExt, IdempotencyRequest, Repo, from_json, to_json};
use super::{invalid, require};
use crate::StoreError;
use shanyrak_store_macros::queries;

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

#[queries]
impl<DB: Backend> Repo<DB> {
    /// The household as the entitlement check sees it: group and current members with
    /// resolved identities.
    /// The zone of a household's place (its city in the place list), else the
    /// deployment's.
    async fn household_zone(
        conn: &mut DB::Connection,
        household_id: Uuid,
    ) -> Result<chrono_tz::Tz, StoreError> {
        let row = sqlx::query("SELECT place_id FROM households WHERE id = $1")
            .bind(household_id)
            .fetch_optional(&mut *conn)
            .await?;
        let place = match row {
            Some(row) => super::places::place_id_from_row(&row, "place_id")?,
            None => None,
        };
        Ok(crate::clock::zone_of_place(place))
    }

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
        let group = row.parsed("population_group", PopulationGroup::parse)?;
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
                    rules: r.json("rules")?,
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
                ids = numbered_placeholders(1, n)
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
        // A distribution line as the entitlement rules count it, without its shares.
        let past_line = |r: &DB::Row, organisation_id: Uuid, code: &str| {
            Ok::<_, StoreError>(PastDistribution {
                date: r.try_get("distributed_on")?,
                organisation_id,
                household_id: r.try_get("household_id")?,
                item_id: local_id(code),
                quantity: u32::try_from(r.try_get::<i64, _>("quantity")?).unwrap_or(u32::MAX),
                shares: Vec::new(),
            })
        };
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
                (past_line(r, organisation_id, &code)?, code),
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
                ids = numbered_placeholders(1, n),
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
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert((past_line(r, organisation_id, &code)?, code))
                    }
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
    /// its receipts before it is returned. "Today" is the day at the household's place
    /// (else the deployment's); [`Repo::entitlements_at_point`] counts from a point's day.
    pub async fn entitlements(
        &self,
        actor: &Actor,
        household_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<EntitlementView, StoreError> {
        self.entitlements_on_day_of(actor, household_id, None, now)
            .await
    }

    /// [`Repo::entitlements`] counted from the day at a point of the actor's organisation
    /// (its city's calendar), the day a distribution there would be recorded on. A point
    /// that is not the organisation's counts as none.
    pub async fn entitlements_at_point(
        &self,
        actor: &Actor,
        household_id: Uuid,
        point_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<EntitlementView, StoreError> {
        self.entitlements_on_day_of(actor, household_id, Some(point_id), now)
            .await
    }

    async fn entitlements_on_day_of(
        &self,
        actor: &Actor,
        household_id: Uuid,
        point_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<EntitlementView, StoreError> {
        require(actor, Action::Distribute)?;
        let visible = self.visible_organisations(actor, now).await?;
        let mut conn = self.reader.acquire().await?;
        let household =
            Self::household_snapshot(&mut conn, actor.organisation_id, household_id).await?;
        let point = match point_id {
            Some(id) => Self::own_point(&mut conn, actor, id).await.ok(),
            None => None,
        };
        let zone = match point {
            Some(point) => crate::clock::zone_of_named_place(point.city.as_deref()),
            None => Self::household_zone(&mut conn, household_id).await?,
        };
        let today = crate::clock::local_date_in(zone, now);
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
        let distribution_id = Uuid::now_v7();
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        if let Some(idem) = idempotency {
            let pending = serde_json::json!({ "pending": distribution_id });
            if !Self::claim_key(&mut tx, actor, idem, pending, now).await? {
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
        // The day the family is served on is the point's: its city's calendar, else the
        // deployment's. Entitlement periods count back from it.
        let today = crate::clock::local_date_in(
            crate::clock::zone_of_named_place(point.city.as_deref()),
            now,
        );
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
        let change = Change::new(
            "distribution",
            distribution_id,
            if over {
                "distribute_override"
            } else {
                "distribute"
            },
        )
        .after(after);
        Self::audit_by(&mut tx, actor, change, now).await?;
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
        let stored = Self::claimed_receipt(&mut conn, actor, idem).await?;
        let receipt: DistributionReceipt =
            from_json(stored, "receipt").map_err(|_| StoreError::IdempotencyKeyReused)?;
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
            orgs = numbered_placeholders(3, visible.len()),
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
            orgs = numbered_placeholders(3, visible.len()),
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
}
