//! Distribution at a point: find the household by its code, see what it may receive now
//! and what it received lately (anywhere, under agreements), record what is given.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shanyrak_core::ReferenceCode;
use shanyrak_core::essentials::{DistributionInput, LineInput, validate_distribution};
use shanyrak_store::{EntitlementView, IdempotencyRequest, Item, StoreError};
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::forms::FieldErrors;
use super::reception::full_name;
use super::{Ctx, OrPage, PageResult, Web, WebError, see_other};
use crate::AppState;
use crate::error::ApiError;

fn point_select(
    ctx: &Ctx,
    points: &[shanyrak_store::DistributionPoint],
    selected: Option<Uuid>,
) -> Markup {
    html! {
        div.field {
            label for="point" { (ctx.t("distribute-point")) }
            select #point name="point" required {
                @for p in points.iter().filter(|p| p.kind == shanyrak_core::essentials::PointKind::Point) {
                    option value=(p.id) selected[Some(p.id) == selected] { (p.name) }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    point: Option<String>,
    #[serde(default)]
    unknown: Option<u8>,
}

pub async fn start(
    State(state): State<AppState>,
    Can { web, query, .. }: Can<may::Distribute, Query<StartQuery>>,
) -> PageResult {
    let ctx = &web.ctx;
    let points = state.store.list_points(&web.actor).await.or_page(ctx)?;
    let selected = query.point.as_deref().and_then(|p| Uuid::parse_str(p).ok());
    let body = html! {
        h1 { (ctx.t("distribute-title")) }
        @if query.unknown == Some(1) {
            p.notice.error role="alert" #unknown { (ctx.t("distribute-unknown-household")) }
        }
        @if points.is_empty() {
            p { (ctx.t("distribute-no-points")) }
        } @else {
            form method="post" action="/distribute" {
                (ctx.csrf_field())
                (point_select(ctx, &points, selected))
                (super::sites::reference_field(ctx, "distribute-open"))
            }
        }
    };
    Ok(super::render(ctx, &ctx.t("distribute-title"), body))
}

/// The household by the code on its card, then its page at the chosen point.
pub async fn find(
    State(state): State<AppState>,
    Submit { web, form, .. }: Submit<may::Distribute>,
) -> PageResult {
    let ctx = &web.ctx;
    let point = form.text("point").and_then(|p| Uuid::parse_str(&p).ok());
    let point_query = point.map(|p| format!("point={p}&")).unwrap_or_default();
    let Some(reference) = form
        .text("reference")
        .and_then(|r| r.parse::<ReferenceCode>().ok())
    else {
        return Ok(see_other(&format!("/distribute?{point_query}unknown=1")));
    };
    match state
        .store
        .get_household_by_reference(&web.actor, &reference)
        .await
    {
        Ok(h) => Ok(see_other(&format!(
            "/distribute/{}?point={}",
            h.id,
            point.map(|p| p.to_string()).unwrap_or_default()
        ))),
        Err(StoreError::NotFound) => Ok(see_other(&format!("/distribute?{point_query}unknown=1"))),
        Err(e) => Err(e).or_page(ctx),
    }
}

#[derive(Debug, Deserialize)]
pub struct HouseholdQuery {
    #[serde(default)]
    point: Option<String>,
    #[serde(default)]
    done: Option<u8>,
}

struct Screen<'a> {
    household_id: Uuid,
    point: Option<Uuid>,
    errors: &'a FieldErrors,
    notice: Option<String>,
    quantities: HashMap<Uuid, String>,
    /// Fill every quantity with what the household may still receive ("all it is owed").
    fill: bool,
    reason: String,
    submission: String,
}

async fn render_household(
    state: &AppState,
    web: &Web,
    screen: Screen<'_>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let ctx = &web.ctx;
    let household = state
        .store
        .get_household(&web.actor, screen.household_id)
        .await?;
    // Counted from the chosen point's day, the day a distribution there is recorded on.
    let view: EntitlementView = match screen.point {
        Some(point) => {
            state
                .store
                .entitlements_at_point(&web.actor, screen.household_id, point, Utc::now())
                .await?
        }
        None => {
            state
                .store
                .entitlements(&web.actor, screen.household_id, Utc::now())
                .await?
        }
    };
    let items: Vec<Item> = state.store.list_items(&web.actor).await?;
    let points = state.store.list_points(&web.actor).await?;
    let by_id: HashMap<Uuid, &Item> = items.iter().map(|i| (i.id, i)).collect();
    // The items asked beyond what the household may still receive, named, so that the
    // volunteer sees which line needs the reason (or a smaller number).
    let over: Vec<String> = view
        .items
        .iter()
        .filter(|e| e.limited)
        .filter_map(|e| {
            let asked: u32 = screen.quantities.get(&e.item_id)?.trim().parse().ok()?;
            let remaining = e.remaining.unwrap_or(0);
            let item = by_id.get(&e.item_id)?;
            (asked > remaining).then(|| {
                ctx.t_with(
                    "distribute-over-item",
                    &[
                        ("item", item.localized(ctx.lang.code()).0.to_owned().into()),
                        ("asked", i64::from(asked).into()),
                        ("remaining", i64::from(remaining).into()),
                    ],
                )
            })
        })
        .collect();
    let by_code: HashMap<&str, &Item> = items.iter().map(|i| (i.code.as_str(), i)).collect();
    let head = household.members.first();
    let body = html! {
        h1 { (ctx.t("distribute-title")) }
        p {
            span.reference { (household.reference) } " · "
            @if let Some(h) = head { (full_name(&h.surname, &h.given_name, h.patronymic.as_deref())) " · " }
            (ctx.count("common-people", household.members.len() as i64))
        }
        @if let Some(notice) = &screen.notice {
            p.notice.ok role="status" #distributed { (notice) }
        }
        @if !screen.errors.is_empty() {
            div.notice.error role="alert" #distribute-errors {
                @for e in screen.errors.others(&[]) { p { (super::forms::message(ctx, e)) } }
            }
        }
        form method="post" action=(format!("/distribute/{}", household.id)) {
            (ctx.csrf_field())
            input type="hidden" name="submission" value=(screen.submission);
            (point_select(ctx, &points, screen.point))
            p.actions {
                button.secondary #distribute-fill type="submit" name="fill" value="1" formnovalidate {
                    (ctx.t("distribute-fill"))
                }
            }
            div.table-wrap { table.stack {
                (ctx.column_headers(["distribute-item", "distribute-entitled", "distribute-quantity"]))
                tbody {
                    @for e in &view.items {
                        @if let Some(item) = by_id.get(&e.item_id) {
                            @let input_id = format!("q-{}", item.id);
                            // Nothing is preset: one careless tap must not record everything.
                            @let default = if screen.fill {
                                e.remaining.unwrap_or(0).min(9).to_string()
                            } else {
                                screen.quantities.get(&item.id).cloned().unwrap_or_else(|| "0".to_owned())
                            };
                            @let (name, unit) = item.localized(ctx.lang.code());
                            tr {
                                th scope="row" { (name) br; span.hint { (unit) } }
                                td data-label=(ctx.t("distribute-entitled")) {
                                    @if !e.limited { (ctx.t("distribute-unlimited")) }
                                    @else {
                                        (ctx.t_with("distribute-remaining", &[
                                            ("remaining", i64::from(e.remaining.unwrap_or(0)).into()),
                                            ("allowed", i64::from(e.allowed).into()),
                                        ]))
                                        @if let Some(on) = e.entitled_again_on { br; span.hint { (ctx.t("distribute-again-on")) " " (ctx.date(on)) } }
                                        @if !e.reasons.is_empty() { br; span.hint { (reasons(ctx, e)) } }
                                    }
                                }
                                td data-label=(ctx.t("distribute-quantity")) {
                                    label.visually-hidden for=(input_id) { (name) }
                                    input id=(input_id) type="number" min="0" max="999" inputmode="numeric"
                                        name=(format!("q.{}", item.id)) value=(default);
                                    " "
                                    button.secondary.plus type="submit" name="plus" value=(item.id) formnovalidate
                                        aria-label=(ctx.t_with("distribute-plus-one", &[("item", name.to_owned().into())])) {
                                        "+1"
                                    }
                                }
                            }
                        }
                    }
                }
            } }
            div.field {
                label for="override_reason" { (ctx.t("distribute-override-reason")) }
                input #override_reason type="text" name="override_reason" value=(screen.reason)
                    aria-invalid=[screen.errors.has("#/override_reason").then_some("true")];
                p.hint { (ctx.t("distribute-override-hint")) }
                (screen.errors.show(ctx, "#/override_reason", "err-override_reason"))
                @if screen.errors.has("#/override_reason") && !over.is_empty() {
                    ul.field-error #over-items { @for line in &over { li { (line) } } }
                }
            }
            div.actions { button #distribute-submit type="submit" { (ctx.t("distribute-submit")) } }
        }
        h2 { (ctx.t("distribute-recent")) }
        (recent(ctx, web, &view, &by_code))
    };
    Ok((status, super::render(ctx, &ctx.t("distribute-title"), body)).into_response())
}

fn reasons(ctx: &Ctx, e: &shanyrak_core::essentials::ItemEntitlement) -> String {
    use shanyrak_core::essentials::EntitlementReason as R;
    let mut texts: Vec<String> = Vec::new();
    for text in e.reasons.iter().map(|r| match r {
        R::NotInGroup => ctx.t("distribute-reason-not-in-group"),
        R::ConditionNotMet => ctx.t("distribute-reason-condition"),
        R::ReceivedByHousehold { on, .. } => {
            format!("{} {}", ctx.t("distribute-reason-received"), ctx.date(*on))
        }
        R::ReceivedWithAnotherHousehold { on, .. } => {
            format!(
                "{} {}",
                ctx.t("distribute-reason-received-elsewhere"),
                ctx.date(*on)
            )
        }
    }) {
        // One line per fact, not one per member who shares it.
        if !texts.contains(&text) {
            texts.push(text);
        }
    }
    texts.join("; ")
}

/// What the household received lately, here and (under agreements) elsewhere.
pub fn recent(
    ctx: &Ctx,
    web: &Web,
    view: &EntitlementView,
    by_code: &HashMap<&str, &Item>,
) -> Markup {
    html! {
        @if view.recent.is_empty() { p { (ctx.t("distribute-nothing-yet")) } }
        @else {
            ul {
                @for r in &view.recent {
                    li {
                        (ctx.date(r.on)) " · "
                        (by_code.get(r.item_code.as_str()).map_or(r.item_code.as_str(), |i| i.localized(ctx.lang.code()).0))
                        " × " (r.quantity)
                        @if r.organisation_id != web.actor.organisation_id { " · " (ctx.t("distribute-partner")) }
                        @if !r.this_household { " · " (ctx.t("distribute-other-household")) }
                    }
                }
            }
        }
    }
}

pub async fn household(
    State(state): State<AppState>,
    Can {
        web,
        id: household_id,
        query,
        ..
    }: Can<may::Distribute, (Uuid, Query<HouseholdQuery>)>,
) -> PageResult {
    let screen = Screen {
        household_id,
        point: query.point.as_deref().and_then(|p| Uuid::parse_str(p).ok()),
        errors: &FieldErrors::default(),
        notice: (query.done == Some(1)).then(|| web.ctx.t("distribute-done")),
        quantities: HashMap::new(),
        fill: false,
        reason: String::new(),
        submission: Uuid::now_v7().to_string(),
    };
    render_household(&state, &web, screen, StatusCode::OK)
        .await
        .or_page(&web.ctx)
}

pub async fn record(
    State(state): State<AppState>,
    Submit {
        web,
        id: household_id,
        form,
        ..
    }: Submit<may::Distribute, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let point = form.text("point").and_then(|p| Uuid::parse_str(&p).ok());
    let mut quantities = HashMap::new();
    let mut lines = Vec::new();
    let mut bad_quantity = false;
    for item in state.store.list_items(&web.actor).await.or_page(ctx)? {
        let Some(text) = form.text(&format!("q.{}", item.id)) else {
            continue;
        };
        quantities.insert(item.id, text.clone());
        match text.parse::<u32>() {
            Ok(0) => {}
            Ok(quantity) => lines.push(LineInput {
                item_id: Some(item.id),
                quantity: Some(quantity),
                person_ids: None,
            }),
            Err(_) => bad_quantity = true,
        }
    }
    let reason = form.text("override_reason").unwrap_or_default();
    let submission = form
        .text("submission")
        .unwrap_or_else(|| Uuid::now_v7().to_string());
    let shown_again = if let Some(item) = form.text("plus").and_then(|id| Uuid::parse_str(&id).ok())
    {
        // "+1" on one line: the form again with that quantity one higher, nothing recorded.
        let current = quantities
            .get(&item)
            .and_then(|q| q.trim().parse::<u32>().ok())
            .unwrap_or(0);
        quantities.insert(item, current.saturating_add(1).min(999).to_string());
        Some((std::mem::take(&mut quantities), false))
    } else if form.text("fill").is_some() {
        // "All it is owed": the form again with the allowances filled in, nothing recorded.
        Some((HashMap::new(), true))
    } else {
        None
    };
    if let Some((quantities, fill)) = shown_again {
        let screen = Screen {
            household_id,
            point,
            errors: &FieldErrors::default(),
            notice: None,
            quantities,
            fill,
            reason,
            submission,
        };
        return render_household(&state, &web, screen, StatusCode::OK)
            .await
            .or_page(ctx);
    }
    let input = DistributionInput {
        household_id: Some(household_id),
        point_id: point,
        lines,
        override_reason: (!reason.is_empty()).then(|| reason.clone()),
    };
    let again = |errors: FieldErrors, status| {
        let quantities = quantities.clone();
        let reason = reason.clone();
        let submission = submission.clone();
        let state = state.clone();
        let web = web.clone();
        async move {
            let screen = Screen {
                household_id,
                point,
                errors: &errors,
                notice: None,
                quantities,
                fill: false,
                reason,
                submission,
            };
            render_household(&state, &web, screen, status).await
        }
    };
    if bad_quantity {
        let errors = FieldErrors::single(
            "#/lines",
            shanyrak_core::FieldErrorCode::InvalidValue,
            "whole numbers",
        );
        return again(errors, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .or_page(ctx);
    }
    let request = match validate_distribution(&input) {
        Ok(r) => r,
        Err(errors) => {
            return again(
                FieldErrors::from_validation(&errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
            .or_page(ctx);
        }
    };
    let canonical = serde_json::to_vec(&input)
        .map_err(|_| WebError::Api(ApiError::Internal))
        .or_page(ctx)?;
    let idempotency = IdempotencyRequest {
        key: format!("web-distribution:{submission}"),
        request_hash: Sha256::digest(&canonical).to_vec(),
    };
    match state
        .store
        .record_distribution(&web.actor, &request, Some(&idempotency), Utc::now())
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/distribute/{household_id}?point={}&done=1",
            point.map(|p| p.to_string()).unwrap_or_default()
        ))),
        Err(StoreError::Invalid(errors)) => again(
            FieldErrors::from_validation(&errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
        .or_page(ctx),
        Err(StoreError::InsufficientStock { .. }) => {
            let errors = FieldErrors::single(
                "#/stock",
                shanyrak_core::FieldErrorCode::InvalidValue,
                "not enough stock",
            );
            let mut response = again(errors, StatusCode::CONFLICT).await.or_page(ctx)?;
            *response.status_mut() = StatusCode::CONFLICT;
            Ok(response)
        }
        // This form was already recorded, then changed: show the receipts rather than
        // record a second distribution from one form.
        Err(StoreError::IdempotencyKeyReused) => {
            let errors = FieldErrors::single(
                "#/submission",
                shanyrak_core::FieldErrorCode::Duplicate,
                "already recorded",
            );
            again(errors, StatusCode::CONFLICT).await.or_page(ctx)
        }
        Err(e) => Err(e).or_page(ctx),
    }
}
