//! `/api/v1/items`, `/api/v1/distribution-points`, `/api/v1/distributions`, a household's
//! entitlements and the essentials reports.
//!
//! Each handler asks the policy table (`Actor::may`) before it validates, so a role that
//! may not act learns nothing from validation errors; the store checks again and scopes
//! every record to the actor's organisation.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shanyrak_core::essentials::{
    DistributionInput, ItemInput, ItemRulesInput, ItemTranslationsInput, MovementInput,
    MovementRoute, PointInput, validate_distribution, validate_item, validate_item_rules,
    validate_item_translations, validate_movement, validate_point,
};
use shanyrak_store::{
    DistributionOutcome, DistributionPoint, DistributionReceipt, DistributionReportRow,
    EntitlementView, Item, ReportDimension, StockEntry, StockReportRow, StockView,
};

use uuid::Uuid;

use crate::AppState;
use crate::access::{Permitted, PermittedJson, User, may};
use crate::error::{ApiError, Problem};
use crate::extract::Authenticated;
use crate::households::idempotency_request;
use crate::reply::{created, created_once};

/// Ledger entries shown with a point's stock.
const STOCK_ENTRIES_SHOWN: u32 = 200;
/// Days over which the issue rate is measured, and days of stock below which an item is
/// flagged, unless the request says otherwise.
const DEFAULT_RATE_WINDOW_DAYS: u32 = 14;
const DEFAULT_ALERT_DAYS: f64 = 7.0;

crate::reply::item_lists! {
    ItemList(Item);
    PointList(DistributionPoint);
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MovementEntries {
    pub entries: Vec<StockEntry>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DistributionReport {
    pub by: ReportDimension,
    pub rows: Vec<DistributionReportRow>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StockReport {
    pub window_days: u32,
    pub alert_days: f64,
    pub rows: Vec<StockReportRow>,
    /// The rows that are out of stock or below the alert threshold.
    pub alerts: Vec<StockReportRow>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DistributionReportQuery {
    /// `item`, `day`, `point`, `organisation` or `group` (required).
    #[param(schema_with = crate::openapi::report_by, required = true)]
    pub by: Option<String>,
    /// First day included (ISO 8601).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<String>,
    /// Last day included (ISO 8601).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub to: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockReportQuery {
    /// Days over which the issue rate is measured (1 to 365, default 14).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 365)]
    pub window_days: Option<String>,
    /// Fewer days of stock left than this raise an alert (0 to 365, default 7).
    #[param(value_type = Option<f64>, minimum = 0, maximum = 365)]
    pub alert_days: Option<String>,
}

fn query_date(value: Option<&str>, pointer: &str) -> Result<Option<NaiveDate>, ApiError> {
    value
        .map(|v| {
            shanyrak_core::date::parse_full_date(v)
                .map_err(|_| ApiError::invalid_query(pointer, "a date, YYYY-MM-DD"))
        })
        .transpose()
}

/// Add an item to your organisation's catalogue, with its entitlement rules.
#[utoipa::path(post, path = "/api/v1/items", tag = "essentials", request_body = ItemInput,
    responses((status = 201, body = Item), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_item(
    State(state): State<AppState>,
    PermittedJson { actor, body, .. }: PermittedJson<may::ManageStock, ItemInput>,
) -> Result<Response, ApiError> {
    let item = validate_item(&body.value).map_err(ApiError::Validation)?;
    Ok(created(
        state.store.create_item(&actor, &item, Utc::now()).await?,
    ))
}

/// Replace an item's entitlement rules (from now on; receipts already recorded count
/// against the new rules over their windows). Name, unit and code do not change.
/// Audited with the rules before and after.
#[utoipa::path(put, path = "/api/v1/items/{id}/rules", tag = "essentials", params(("id" = Uuid, Path)),
    request_body = ItemRulesInput,
    responses((status = 200, body = Item), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_item_rules(
    State(state): State<AppState>,
    PermittedJson {
        actor, id, body, ..
    }: PermittedJson<may::ManageStock, ItemRulesInput, Uuid>,
) -> Result<Json<Item>, ApiError> {
    let rules = validate_item_rules(&body.value).map_err(ApiError::Validation)?;
    Ok(Json(
        state
            .store
            .update_item_rules(&actor, id, &rules, Utc::now())
            .await?,
    ))
}

/// Replace an item's names and units in other languages (ISO 639-1 codes: `kk`, `ky`,
/// `en`, …); a reader of the web pages in that language sees them. `{}` removes every
/// translation. Audited with the translations before and after.
#[utoipa::path(put, path = "/api/v1/items/{id}/translations", tag = "essentials", params(("id" = Uuid, Path)),
    request_body = ItemTranslationsInput,
    responses((status = 200, body = Item), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_item_translations(
    State(state): State<AppState>,
    PermittedJson {
        actor, id, body, ..
    }: PermittedJson<may::ManageStock, ItemTranslationsInput, Uuid>,
) -> Result<Json<Item>, ApiError> {
    let translations = validate_item_translations(&body.value).map_err(ApiError::Validation)?;
    Ok(Json(
        state
            .store
            .update_item_translations(&actor, id, &translations, Utc::now())
            .await?,
    ))
}

/// Your organisation's item catalogue.
#[utoipa::path(get, path = "/api/v1/items", tag = "essentials",
    responses((status = 200, body = ItemList)), security(("bearer" = [])))]
pub async fn list_items(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<ItemList>, ApiError> {
    Ok(Json(ItemList {
        items: state.store.list_items(&actor).await?,
    }))
}

/// Open a distribution point or warehouse of your organisation.
#[utoipa::path(post, path = "/api/v1/distribution-points", tag = "essentials", request_body = PointInput,
    responses((status = 201, body = DistributionPoint), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_point(
    State(state): State<AppState>,
    PermittedJson { actor, body, .. }: PermittedJson<may::ManageStock, PointInput>,
) -> Result<Response, ApiError> {
    let point = validate_point(&body.value).map_err(ApiError::Validation)?;
    Ok(created(
        state.store.create_point(&actor, &point, Utc::now()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/distribution-points", tag = "essentials",
    responses((status = 200, body = PointList)), security(("bearer" = [])))]
pub async fn list_points(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<PointList>, ApiError> {
    Ok(Json(PointList {
        items: state.store.list_points(&actor).await?,
    }))
}

/// The body of the three movement routes, read by one type and validated by route.
type MovementBody = PermittedJson<may::ManageStock, MovementInput, Uuid>;

async fn movement(
    state: &AppState,
    PermittedJson {
        actor,
        id: point_id,
        body,
        ..
    }: MovementBody,
    route: MovementRoute,
) -> Result<Response, ApiError> {
    let movement = validate_movement(&body.value, route).map_err(ApiError::Validation)?;
    let entries = state
        .store
        .record_movement(&actor, point_id, &movement, Utc::now())
        .await?;
    Ok(created(MovementEntries { entries }))
}

// The three movement routes read one body type (`MovementInput`) and validate it by route;
// these types describe, for the OpenAPI document, what each route accepts.

/// Stock that arrived at a point.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ReceiptInput {
    item_id: Uuid,
    #[schema(minimum = 1, maximum = 1000000)]
    quantity: i64,
    /// Donor, waybill.
    #[serde(default)]
    #[schema(schema_with = shanyrak_core::schema::reason_optional)]
    reason: Option<String>,
}

/// Stock sent to another point of the organisation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TransferInput {
    item_id: Uuid,
    #[schema(minimum = 1, maximum = 1000000)]
    quantity: i64,
    to_point_id: Uuid,
    #[serde(default)]
    #[schema(schema_with = shanyrak_core::schema::reason_optional)]
    reason: Option<String>,
}

/// A corrected count or a loss.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct AdjustmentInput {
    item_id: Uuid,
    /// Signed for an adjustment; positive for a loss.
    #[schema(schema_with = adjustment_quantity)]
    quantity: i64,
    /// `adjustment` when absent.
    #[serde(default)]
    kind: Option<AdjustmentKind>,
    #[schema(schema_with = shanyrak_core::schema::reason)]
    reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum AdjustmentKind {
    Adjustment,
    Loss,
}

/// Not zero, at most the largest quantity either way.
fn adjustment_quantity() -> utoipa::openapi::Schema {
    use utoipa::openapi::{ObjectBuilder, Type};
    let limit = f64::from(shanyrak_core::essentials::MAX_QUANTITY);
    let range = |min: f64, max: f64| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int64,
            )))
            .minimum(Some(min))
            .maximum(Some(max))
    };
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(range(1.0, limit))
        .item(range(-limit, -1.0))
        .build()
        .into()
}

/// Stock arrived at a point (donation, purchase): `item_id`, `quantity`, optional `reason`.
#[utoipa::path(post, path = "/api/v1/distribution-points/{id}/receipts", tag = "essentials",
    params(("id" = Uuid, Path)), request_body = ReceiptInput,
    responses((status = 201, body = MovementEntries), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn receipt(
    State(state): State<AppState>,
    request: MovementBody,
) -> Result<Response, ApiError> {
    movement(&state, request, MovementRoute::Receipt).await
}

/// Move stock to another point of your organisation (`to_point_id`); both ledger lines are
/// written together.
#[utoipa::path(post, path = "/api/v1/distribution-points/{id}/transfers", tag = "essentials",
    params(("id" = Uuid, Path)), request_body = TransferInput,
    responses((status = 201, body = MovementEntries), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Not enough stock", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn transfer(
    State(state): State<AppState>,
    request: MovementBody,
) -> Result<Response, ApiError> {
    movement(&state, request, MovementRoute::Transfer).await
}

/// Correct a count (`kind: adjustment`, signed quantity) or record a loss (`kind: loss`);
/// both need a `reason`.
#[utoipa::path(post, path = "/api/v1/distribution-points/{id}/adjustments", tag = "essentials",
    params(("id" = Uuid, Path)), request_body = AdjustmentInput,
    responses((status = 201, body = MovementEntries), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The balance would go below zero", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn adjustment(
    State(state): State<AppState>,
    request: MovementBody,
) -> Result<Response, ApiError> {
    movement(&state, request, MovementRoute::Adjustment).await
}

/// Stock on hand at a point, with its newest ledger entries.
#[utoipa::path(get, path = "/api/v1/distribution-points/{id}/stock", tag = "essentials",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = StockView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn stock(
    State(state): State<AppState>,
    User { actor, id, .. }: User<Uuid>,
) -> Result<Json<StockView>, ApiError> {
    Ok(Json(
        state.store.stock(&actor, id, STOCK_ENTRIES_SHOWN).await?,
    ))
}

/// What a household of your organisation may receive today, and what it and its members
/// (by resolved identity, also in other households and, under a data-sharing agreement,
/// other organisations) received lately. The read is recorded in the access log.
#[utoipa::path(get, path = "/api/v1/households/{id}/entitlements", tag = "essentials",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = EntitlementView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn entitlements(
    State(state): State<AppState>,
    User { actor, id, .. }: User<Uuid>,
) -> Result<Json<EntitlementView>, ApiError> {
    Ok(Json(
        state.store.entitlements(&actor, id, Utc::now()).await?,
    ))
}

/// Record what a household is given at a point. A line beyond the entitlement is refused
/// unless `override_reason` says why (the override is audited); stock is taken in the same
/// transaction and a line the point cannot cover is refused with 409.
#[utoipa::path(post, path = "/api/v1/distributions", tag = "essentials", request_body = DistributionInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", example = "border-tablet-7-000123", description = "Makes retries safe: a repeat with the same key and body returns the first receipt and records nothing")),
    responses((status = 201, description = "Recorded (or replayed for a repeated Idempotency-Key)", body = DistributionReceipt),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such household in your organisation", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Not enough stock at the point", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid fields, beyond the entitlement without a reason, or Idempotency-Key reused", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn record_distribution(
    State(state): State<AppState>,
    headers: HeaderMap,
    PermittedJson { actor, body, .. }: PermittedJson<may::Distribute, DistributionInput>,
) -> Result<Response, ApiError> {
    let idempotency = idempotency_request(&headers, &body.raw)?;
    let request = validate_distribution(&body.value).map_err(ApiError::Validation)?;
    let outcome = state
        .store
        .record_distribution(&actor, &request, idempotency.as_ref(), Utc::now())
        .await?;
    let (receipt, replayed) = match outcome {
        DistributionOutcome::Recorded(r) => {
            tracing::info!(distribution = %r.distribution_id, lines = r.lines.len(), overridden = r.overridden, "distribution recorded");
            (r, false)
        }
        DistributionOutcome::Replayed(r) => (r, true),
    };
    Ok(created_once(receipt, replayed))
}

/// Units distributed by your organisation (and organisations sharing distributions with
/// it), grouped by item code, day, point, organisation or population group.
#[utoipa::path(get, path = "/api/v1/reports/distributions", tag = "essentials", params(DistributionReportQuery),
    responses((status = 200, body = DistributionReport), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn distribution_report(
    State(state): State<AppState>,
    Permitted { actor, query, .. }: Permitted<
        may::ReadDistributions,
        Query<DistributionReportQuery>,
    >,
) -> Result<Json<DistributionReport>, ApiError> {
    let by = match query.by.as_deref().unwrap_or("item") {
        "item" => ReportDimension::Item,
        "day" => ReportDimension::Day,
        "point" => ReportDimension::Point,
        "organisation" => ReportDimension::Organisation,
        "group" => ReportDimension::Group,
        _ => {
            return Err(ApiError::invalid_query(
                "#/by",
                "one of item, day, point, organisation, group",
            ));
        }
    };
    let from = query_date(query.from.as_deref(), "#/from")?;
    let to = query_date(query.to.as_deref(), "#/to")?;
    let rows = state
        .store
        .distribution_report(&actor, by, from, to, Utc::now())
        .await?;
    Ok(Json(DistributionReport { by, rows }))
}

/// Stock on hand per point and item, the issue rate, days of stock left at that rate and
/// low-stock alerts.
#[utoipa::path(get, path = "/api/v1/reports/stock", tag = "essentials", params(StockReportQuery),
    responses((status = 200, body = StockReport), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn stock_report(
    State(state): State<AppState>,
    Permitted { actor, query, .. }: Permitted<may::ReadDistributions, Query<StockReportQuery>>,
) -> Result<Json<StockReport>, ApiError> {
    let window_days = match query.window_days.as_deref() {
        None => DEFAULT_RATE_WINDOW_DAYS,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=365).contains(d))
            .ok_or_else(|| {
                ApiError::invalid_query("#/window_days", "a whole number of days, 1 to 365")
            })?,
    };
    let alert_days = match query.alert_days.as_deref() {
        None => DEFAULT_ALERT_DAYS,
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|d| d.is_finite() && (0.0..=365.0).contains(d))
            .ok_or_else(|| ApiError::invalid_query("#/alert_days", "a number of days, 0 to 365"))?,
    };
    let rows = state
        .store
        .stock_report(&actor, window_days, alert_days, Utc::now())
        .await?;
    let alerts = rows.iter().filter(|r| r.low).cloned().collect();
    Ok(Json(StockReport {
        window_days,
        alert_days,
        rows,
        alerts,
    }))
}
