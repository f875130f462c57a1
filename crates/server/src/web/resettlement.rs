//! Resettlement in the browser: programmes with their quota and criteria, and the
//! households in each programme's pipeline.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::Utc;
use maud::html;
use shanyrak_core::{ValidationErrors, Vulnerability};
use shanyrak_store::StoreError;
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::forms::{FieldErrors, FormData};
use super::{OrPage, PageResult, Web, WebError, see_other};
use crate::AppState;
use crate::error::ApiError;

pub async fn programmes(
    State(state): State<AppState>,
    Can { web, .. }: Can<may::ManageResettlement>,
) -> PageResult {
    programmes_page(
        &state,
        &web,
        &FormData::default(),
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The programme list with the form for a new one (`form` and `errors` refill it after a
/// refused submission).
async fn programmes_page(
    state: &AppState,
    web: &Web,
    form: &FormData,
    errors: &FieldErrors,
    status: StatusCode,
) -> PageResult {
    let ctx = &web.ctx;
    let programmes = state.store.list_programmes(&web.actor).await.or_page(ctx)?;
    let value = |name: &str| form.get(name).unwrap_or_default().to_owned();
    let chosen = |name: &str, v: &str| form.all(name).contains(&v);
    let field = |name: &str, pointer: &str, label: &str, kind: &str, hint: Option<String>| {
        let error_id = format!("{name}-error");
        let invalid = errors.touches(pointer);
        html! {
            div.field {
                label for=(name) { (label) }
                @if let Some(hint) = &hint { p.hint id=(format!("{name}-hint")) { (hint) } }
                input id=(name) name=(name) type=(kind) value=(value(name))
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[hint.as_ref().map(|_| format!("{name}-hint"))];
                (errors.show(ctx, pointer, &error_id))
            }
        }
    };
    let shown = [
        "#/name",
        "#/country",
        "#/quota",
        "#/criteria/citizenships",
        "#/criteria/population_groups",
        "#/criteria/max_household_size",
        "#/criteria/any_vulnerability",
        "#/criteria/conscription_risk",
    ];
    let body = html! {
        h1 { (ctx.t("resettle-title")) }
        @if programmes.is_empty() { p { (ctx.t("resettle-none")) } }
        ul {
            @for p in &programmes {
                li { a href=(format!("/resettlement/{}", p.id)) { (p.name) } " · " (p.country) " · " (ctx.count("common-people", i64::from(p.quota))) }
            }
        }
        h2 { (ctx.t("resettle-new")) }
        @let others = errors.others(&shown);
        @if !others.is_empty() {
            ul.notice.error role="alert" { @for e in &others { li { (super::forms::message(ctx, e)) } } }
        }
        form method="post" action="/resettlement" {
            (ctx.csrf_field())
            (field("name", "#/name", &ctx.t("resettle-field-name"), "text", None))
            (field("country", "#/country", &ctx.t("resettle-field-country"), "text", Some(ctx.t("resettle-field-country-hint"))))
            (field("quota", "#/quota", &ctx.t("resettle-field-quota"), "number", None))
            fieldset {
                legend { (ctx.t("resettle-criteria")) }
                p.hint { (ctx.t("resettle-criteria-hint")) }
                (field("citizenships", "#/criteria/citizenships", &ctx.t("resettle-field-citizenships"), "text", Some(ctx.t("resettle-field-citizenships-hint"))))
                fieldset {
                    legend { (ctx.t("resettle-field-groups")) }
                    div.checks {
                        @for g in shanyrak_core::PopulationGroup::ALL {
                            label { input type="checkbox" name="groups" value=(g.as_str()) checked[chosen("groups", g.as_str())]; (ctx.label("group", g.as_str())) }
                        }
                    }
                    (errors.show(ctx, "#/criteria/population_groups", "groups-error"))
                }
                (field("max_household_size", "#/criteria/max_household_size", &ctx.t("resettle-field-max-size"), "number", None))
                fieldset {
                    legend { (ctx.t("resettle-field-vulnerabilities")) }
                    div.checks {
                        @for v in Vulnerability::ALL {
                            label { input type="checkbox" name="vulnerabilities" value=(v.as_str()) checked[chosen("vulnerabilities", v.as_str())]; (ctx.label("vulnerability", v.as_str())) }
                        }
                    }
                    (errors.show(ctx, "#/criteria/any_vulnerability", "vulnerabilities-error"))
                }
                fieldset {
                    legend { (ctx.t("resettle-field-conscription")) }
                    p.hint { (ctx.t("resettle-field-conscription-hint")) }
                    (field("conscription_min", "#/criteria/conscription_risk/min_age", &ctx.t("resettle-field-age-from"), "number", None))
                    (field("conscription_max", "#/criteria/conscription_risk/max_age", &ctx.t("resettle-field-age-to"), "number", None))
                    (errors.show(ctx, "#/criteria/conscription_risk", "conscription-error"))
                }
            }
            div.actions { button type="submit" { (ctx.t("resettle-create")) } }
        }
    };
    Ok((status, super::render(ctx, &ctx.t("resettle-title"), body)).into_response())
}

/// The API's programme document from the form: lists from checkboxes and a comma list,
/// numbers as typed. What cannot go into the document (a non-number, an unknown country
/// code, half an age range) is left out and reported at its pointer instead, so the
/// validation of the rest runs too and every problem is shown at once.
fn programme_document(form: &FormData) -> (serde_json::Value, ValidationErrors) {
    use shanyrak_core::FieldErrorCode;
    let mut errors = ValidationErrors::default();
    let text = |name: &str| form.text(name).filter(|t| !t.trim().is_empty());
    let mut number = |name: &str, pointer: &str| {
        text(name).and_then(|t| match t.trim().parse::<u32>() {
            Ok(n) => Some(serde_json::Value::from(n)),
            Err(_) => {
                errors.push(pointer, FieldErrorCode::InvalidType, "a whole number");
                None
            }
        })
    };
    let quota = number("quota", "#/quota");
    let size = number("max_household_size", "#/criteria/max_household_size");
    let min_age = number("conscription_min", "#/criteria/conscription_risk/min_age");
    let max_age = number("conscription_max", "#/criteria/conscription_risk/max_age");
    let mut citizenships = Vec::new();
    for (i, code) in text("citizenships")
        .unwrap_or_default()
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        let code = code.to_uppercase();
        if code.parse::<shanyrak_core::CountryCode>().is_ok() {
            citizenships.push(code);
        } else {
            errors.push(
                &format!("#/criteria/citizenships/{i}"),
                FieldErrorCode::UnknownCountry,
                "not an ISO 3166-1 alpha-2 code",
            );
        }
    }
    let mut criteria = serde_json::json!({
        "citizenships": citizenships,
        "population_groups": form.all("groups"),
        "any_vulnerability": form.all("vulnerabilities"),
    });
    if let Some(size) = size {
        criteria["max_household_size"] = size;
    }
    match (min_age, max_age) {
        (Some(min_age), Some(max_age)) => {
            criteria["conscription_risk"] =
                serde_json::json!({"min_age": min_age, "max_age": max_age});
        }
        (Some(_), None) if text("conscription_max").is_none() => errors.push(
            "#/criteria/conscription_risk/max_age",
            FieldErrorCode::Required,
            "give both ages",
        ),
        (None, Some(_)) if text("conscription_min").is_none() => errors.push(
            "#/criteria/conscription_risk/min_age",
            FieldErrorCode::Required,
            "give both ages",
        ),
        _ => {}
    }
    let mut document = serde_json::json!({ "criteria": criteria });
    if let Some(name) = text("name") {
        document["name"] = name.into();
    }
    if let Some(country) = text("country") {
        document["country"] = country.trim().to_uppercase().into();
    }
    if let Some(quota) = quota {
        document["quota"] = quota;
    }
    (document, errors)
}

/// `POST /resettlement`: a new programme, through the same validation as the API.
pub async fn create_programme(
    State(state): State<AppState>,
    Submit { web, form, .. }: Submit<may::ManageResettlement>,
) -> PageResult {
    let ctx = &web.ctx;
    let (document, mut errors) = programme_document(&form);
    let input: shanyrak_core::resettlement::ProgrammeInput =
        match crate::extract::deserialize_with_pointer(&document) {
            Ok(input) => input,
            Err(ApiError::Validation(more)) => {
                errors.errors.extend(more.errors);
                shanyrak_core::resettlement::ProgrammeInput::default()
            }
            Err(e) => return Err(WebError::Api(e)).or_page(ctx),
        };
    let programme = match shanyrak_core::resettlement::validate_programme(&input) {
        Ok(programme) if errors.errors.is_empty() => Some(programme),
        Ok(_) => None,
        Err(more) => {
            // Fields already reported as untypable are not also "required".
            let reported: Vec<String> = errors.errors.iter().map(|e| e.pointer.clone()).collect();
            errors.errors.extend(
                more.errors
                    .into_iter()
                    .filter(|e| !reported.contains(&e.pointer)),
            );
            None
        }
    };
    let Some(programme) = programme else {
        let errors = FieldErrors::from_validation(&errors);
        return programmes_page(
            &state,
            &web,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let created = state
        .store
        .create_programme(&web.actor, &programme, Utc::now())
        .await
        .or_page(ctx)?;
    Ok(see_other(&format!("/resettlement/{}", created.id)))
}

pub async fn programme(
    State(state): State<AppState>,
    Can { web, id, .. }: Can<may::ManageResettlement, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let p = state
        .store
        .get_programme(&web.actor, id)
        .await
        .or_page(ctx)?;
    let report = state
        .store
        .resettlement_report(&web.actor, id)
        .await
        .or_page(ctx)?;
    let entries = state
        .store
        .list_resettlement_entries(&web.actor, id, Utc::now())
        .await
        .or_page(ctx)?;
    let body = html! {
        h1 { (p.name) " · " (p.country) }
        div.figures {
            div.figure #quota { strong { (ctx.number(i64::from(report.quota))) } (ctx.t("resettle-quota")) }
            div.figure #used { strong { (ctx.number(i64::from(report.used))) } (ctx.t("resettle-used")) }
            div.figure #remaining { strong { (ctx.number(i64::from(report.remaining))) } (ctx.t("resettle-remaining")) }
            div.figure { strong { (ctx.number(i64::from(report.departed.persons))) } (ctx.label("pipeline", "departed")) }
        }
        form method="post" action=(format!("/resettlement/{id}")) {
            (ctx.csrf_field())
            input type="hidden" name="action" value="propose";
            button type="submit" { (ctx.t("resettle-propose")) }
        }
        h2 { (ctx.t("resettle-entries")) " (" (entries.len()) ")" }
        div.table-wrap { table.stack {
            (ctx.column_headers(["field-reference", "sites-persons", "dispatch-priority", "field-status", "common-actions"]))
            tbody {
                @for e in &entries {
                    tr {
                        td data-label=(ctx.t("field-reference")) { a href=(format!("/households/{}", e.household_id)) { span.reference { (e.reference) } } }
                        td data-label=(ctx.t("sites-persons")) { (e.persons) }
                        td data-label=(ctx.t("dispatch-priority")) { (e.priority) }
                        td data-label=(ctx.t("field-status")) { (ctx.label("pipeline", e.status.as_str())) @if let Some(r) = &e.reason { " · " (r) } }
                        td data-label=(ctx.t("common-actions")) {
                            form method="post" action=(format!("/resettlement/{id}")) {
                                (ctx.csrf_field())
                                input type="hidden" name="entry" value=(e.id);
                                label.visually-hidden for=(format!("reason-{}", e.id)) { (ctx.t("cases-reason")) }
                                input id=(format!("reason-{}", e.id)) type="text" name="reason" placeholder=(ctx.t("cases-reason"));
                                div.actions {
                                    @for to in ["submitted", "accepted", "rejected", "departed", "withdrawn"] {
                                        button.secondary type="submit" name="to" value=(to) { (ctx.label("pipeline", to)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } }
    };
    Ok(super::render(ctx, &p.name, body))
}

/// A step of a programme's pipeline: propose the eligible, or move one entry on.
#[derive(Debug, Default, serde::Deserialize)]
struct ProgrammeActionForm {
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    entry: Option<Uuid>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default, deserialize_with = "super::forms::field::text")]
    reason: Option<String>,
}

pub async fn programme_action(
    State(state): State<AppState>,
    Submit { web, id, form, .. }: Submit<may::ManageResettlement, Uuid>,
) -> PageResult {
    use shanyrak_core::resettlement::PipelineEvent;
    let ctx = &web.ctx;
    let now = Utc::now();
    let fields: ProgrammeActionForm = form.parse().map_err(WebError::Api).or_page(ctx)?;
    if fields.action.as_deref() == Some("propose") {
        state
            .store
            .propose_for_programme(&web.actor, id, now)
            .await
            .or_page(ctx)?;
        return Ok(see_other(&format!("/resettlement/{id}")));
    }
    let entry = fields
        .entry
        .ok_or(WebError::Api(ApiError::NotFound))
        .or_page(ctx)?;
    let reason = fields.reason.unwrap_or_default();
    let event = match fields.to.as_deref() {
        Some("submitted") => PipelineEvent::Submitted,
        Some("accepted") => PipelineEvent::Accepted,
        Some("rejected") => PipelineEvent::Rejected { reason },
        Some("departed") => PipelineEvent::Departed,
        Some("withdrawn") => PipelineEvent::Withdrawn { reason },
        _ => return Err(WebError::Api(ApiError::NotFound)).or_page(ctx),
    };
    match state
        .store
        .transition_resettlement_entry(&web.actor, entry, &event, now)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/resettlement/{id}"))),
        Err(StoreError::Pipeline(_)) | Err(StoreError::Invalid(_)) => {
            Err(WebError::Api(ApiError::Conflict("transition".into()))).or_page(ctx)
        }
        Err(e) => Err(e).or_page(ctx),
    }
}
