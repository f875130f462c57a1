//! Importing a list in the browser: upload, preview (columns, counts, problems per line),
//! confirm; then the quarantine, where each held-back household opens in the reception
//! form to be corrected and registered.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use fluent_bundle::{FluentArgs, FluentValue};
use maud::{Markup, html};
use serde_json::{Value, json};
use shanyrak_core::Action;
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::forms::FormData;
use super::{Ctx, OrPage, PageError, PageResult, Web, WebError, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::import::{
    Defaults, ImportRunError, RowProblem, prepare_off_executor, preview_off_executor, refusal_json,
    run,
};

/// Largest upload: a list of 100,000 people is about 15 MB of CSV.
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

fn field_name(ctx: &Ctx, field: shanyrak_import::Field) -> String {
    let code = serde_json::to_value(field)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    ctx.t(&format!("import-field-{}", code.replace('_', "-")))
}

fn problem_text(ctx: &Ctx, p: &RowProblem) -> String {
    format!(
        "{} {}: {} ({})",
        ctx.t("import-line"),
        p.line,
        super::forms::message_for(ctx, &p.pointer, &p.code),
        p.pointer.trim_start_matches("#/")
    )
}

pub async fn page(
    State(state): State<AppState>,
    Can { web, .. }: Can<may::RegisterHousehold>,
) -> PageResult {
    let ctx = &web.ctx;
    let waiting = state
        .store
        .quarantine(&web.actor, 1000)
        .await
        .or_page(ctx)?;
    let body = html! {
        h1 { (ctx.t("import-title")) }
        p { (ctx.t("import-intro")) }
        form method="post" action="/import" enctype="multipart/form-data" hx-boost="false" {
            (ctx.csrf_field())
            div.field {
                label for="file" { (ctx.t("import-file")) }
                input #file type="file" name="file" accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                p.hint { (ctx.t("import-file-hint")) }
            }
            div.grid {
                div.field {
                    label for="country" { (ctx.t("import-default-country")) }
                    select #country name="country" {
                        @for code in super::household_draft::COMMON_COUNTRIES.iter().take(3) {
                            option value=(code) { (ctx.t(&format!("country-{}", code.to_ascii_lowercase()))) }
                        }
                    }
                }
                div.field {
                    label for="city" { (ctx.t("import-default-city")) }
                    input #city type="text" name="city" autocomplete="address-level2";
                }
            }
            button type="submit" { (ctx.t("import-upload")) }
        }
        h2 { (ctx.t("import-quarantine")) " (" (waiting.len()) ")" }
        @if waiting.is_empty() { p { (ctx.t("import-quarantine-empty")) } }
        @else {
            div.table-wrap { table.stack {
                (ctx.column_headers(["import-line", "import-reasons", "common-actions"]))
                tbody {
                    @for row in &waiting {
                        tr {
                            td data-label=(ctx.t("import-line")) { (row.line) }
                            td data-label=(ctx.t("import-reasons")) {
                                @for p in row.errors.as_array().into_iter().flatten() {
                                    @if let Ok(problem) = serde_json::from_value::<StoredProblem>(p.clone()) {
                                        (problem_text(ctx, &problem.into_problem())) br;
                                    }
                                }
                            }
                            td data-label=(ctx.t("common-actions")) {
                                a href=(format!("/reception?quarantine={}", row.id)) { (ctx.t("import-correct")) }
                            }
                        }
                    }
                }
            } }
        }
    };
    Ok(super::render(ctx, &ctx.t("import-title"), body))
}

#[derive(Debug, serde::Deserialize)]
struct StoredProblem {
    line: usize,
    pointer: String,
    code: String,
    #[serde(default)]
    detail: String,
}

impl StoredProblem {
    fn into_problem(self) -> RowProblem {
        RowProblem {
            line: self.line,
            pointer: self.pointer,
            code: self.code,
            detail: self.detail,
        }
    }
}

/// Receives the file, keeps it (encrypted with the database) until confirmed, and shows
/// the preview.
pub async fn upload(
    State(state): State<AppState>,
    web: Web,
    mut multipart: Multipart,
) -> PageResult {
    web.require(Action::RegisterHousehold).or_page(&web.ctx)?;
    let ctx = &web.ctx;
    let mut fields = Vec::new();
    // Kept as received (no copy): a 50 MB upload is held once while it is stored.
    let mut file: Option<(String, axum::body::Bytes)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Err(WebError::Api(ApiError::PayloadTooLarge)).or_page(ctx),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("list").to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| WebError::Api(ApiError::PayloadTooLarge))
                .or_page(ctx)?;
            file = Some((file_name, bytes));
        } else {
            let text = field.text().await.unwrap_or_default();
            fields.push((name, text));
        }
    }
    let form = FormData::from_pairs(fields);
    web.check_csrf(&form).or_page(ctx)?;
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(see_other("/import"));
    };
    let defaults = json!({
        "country": form.text("country"),
        "city": form.text("city"),
    });
    let id = state
        .store
        .save_upload(
            &web.actor,
            &file_name,
            &shanyrak_import::digest(&bytes),
            &bytes,
            Some(&defaults.to_string()),
            Utc::now(),
        )
        .await
        .or_page(ctx)?;
    Ok(see_other(&format!("/import/{id}")))
}

fn defaults_of(mapping: Option<&str>) -> Defaults {
    let value: Value = mapping
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or(Value::Null);
    Defaults {
        country: value["country"].as_str().map(str::to_owned),
        city: value["city"].as_str().map(str::to_owned),
    }
}

fn summary_figures(ctx: &Ctx, summary: &crate::import::ImportSummary) -> Markup {
    html! {
        div.figures {
            div.figure #rows-read { strong { (ctx.number(summary.rows_read as i64)) } (ctx.t("import-rows-read")) }
            div.figure #households-created { strong { (ctx.number(summary.households_created as i64)) } (ctx.t("import-households-created")) }
            div.figure #persons-created { strong { (ctx.number(summary.persons_created as i64)) } (ctx.t("import-persons-created")) }
            div.figure #attached { strong { (ctx.number(summary.attached as i64)) } (ctx.t("import-attached")) }
            div.figure #sent-to-review { strong { (ctx.number(summary.sent_to_review as i64)) } (ctx.t("import-sent-to-review")) }
            div.figure #quarantined { strong { (ctx.number(summary.quarantined as i64)) } (ctx.t("import-quarantined")) }
        }
    }
}

/// The page for a file that was refused whole: why, in the user's language, with the
/// refusal's code in `data-refused` for scripts.
fn refused_page(ctx: &Ctx, refusal: &Value) -> Response {
    let code = refusal["code"].as_str().unwrap_or("unreadable");
    let number = |name: &str| {
        refusal[name]
            .as_u64()
            .map(|n| i64::try_from(n).unwrap_or(i64::MAX))
    };
    let mut args = FluentArgs::new();
    if let Some(max) = number("max") {
        args.set("max", FluentValue::from(ctx.number(max)));
    }
    if let Some(line) = number("line") {
        args.set("line", FluentValue::from(line));
    }
    let key = format!("import-refused-{}", code.replace('_', "-"));
    // Refusals without figures (not a workbook, no header, a damaged part) keep the
    // reader's own words, which never quote the file.
    let reason = super::i18n::try_message(ctx.lang, &key, Some(&args)).unwrap_or_else(|| {
        format!(
            "{} {}",
            ctx.t("import-unreadable"),
            refusal["detail"].as_str().unwrap_or_default()
        )
    });
    let is_limit = refusal["max"].is_u64() && code != "time";
    let body = html! {
        h1 { (ctx.t("import-title")) }
        p.notice.error role="alert" #import-refused data-refused=(code) { (reason) }
        @if let Some(line) = number("line") {
            p { (ctx.t("import-line")) " " (line) }
        }
        @if is_limit { p { (ctx.t("import-refused-limit-hint")) } }
        p { a href="/import" { (ctx.t("import-again")) } }
    };
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        super::render(ctx, &ctx.t("import-title"), body),
    )
        .into_response()
}

/// A refused file is recorded with its upload (its content dropped), so its preview
/// answers the same refusal without reading it again; other failures become pages.
async fn refuse(
    state: &AppState,
    web: &Web,
    upload: uuid::Uuid,
    error: ImportRunError,
) -> PageResult {
    let ctx = &web.ctx;
    match error {
        ImportRunError::File(e) => {
            let refusal = refusal_json(&e);
            tracing::info!(refused = e.code(), "an uploaded list was refused");
            state
                .store
                .mark_upload_failed(&web.actor, upload, &refusal.to_string())
                .await
                .or_page(ctx)?;
            Ok(refused_page(ctx, &refusal))
        }
        ImportRunError::Busy => {
            let body = html! {
                h1 { (ctx.t("import-title")) }
                p.notice.error role="alert" #import-busy { (ctx.t("import-busy")) }
            };
            Ok((
                StatusCode::SERVICE_UNAVAILABLE,
                [(axum::http::header::RETRY_AFTER, "60")],
                super::render(ctx, &ctx.t("import-title"), body),
            )
                .into_response())
        }
        ImportRunError::Store(e) => Err(WebError::from(e)).or_page(ctx),
        ImportRunError::Api(e) => Err(WebError::Api(e)).or_page(ctx),
        ImportRunError::Internal => Err(WebError::Api(ApiError::Internal)).or_page(ctx),
    }
}

fn stored_refusal(upload: &shanyrak_store::Upload) -> Option<Value> {
    upload
        .failure
        .as_deref()
        .map(|f| serde_json::from_str(f).unwrap_or_else(|_| json!({ "code": "unreadable" })))
}

/// An upload of the user's with the defaults it was sent with, or the page that says why
/// it was refused when it was.
async fn readable_upload(
    state: &AppState,
    web: &Web,
    id: uuid::Uuid,
) -> Result<Result<(shanyrak_store::Upload, Defaults), Response>, PageError> {
    let upload = state.store.upload(&web.actor, id).await.or_page(&web.ctx)?;
    if let Some(refusal) = stored_refusal(&upload) {
        return Ok(Err(refused_page(&web.ctx, &refusal)));
    }
    let defaults = defaults_of(upload.mapping.as_deref());
    Ok(Ok((upload, defaults)))
}

pub async fn preview(
    State(state): State<AppState>,
    Can { web, id, .. }: Can<may::RegisterHousehold, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let (upload, defaults) = match readable_upload(&state, &web, id).await? {
        Ok(readable) => readable,
        Err(refused) => return Ok(refused),
    };
    let preview = match preview_off_executor(upload.content, defaults).await {
        Ok(preview) => preview,
        Err(e) => return refuse(&state, &web, upload.id, e).await,
    };
    let body = html! {
        h1 { (ctx.t("import-preview")) }
        p { (upload.file_name) }
        h2 { (ctx.t("import-columns")) }
        ul {
            @for (index, field) in &preview.mapping.columns {
                li { (preview.headers.get(*index).map(String::as_str).unwrap_or("?")) " → " (field_name(ctx, *field)) }
            }
            @for header in &preview.mapping.unmapped {
                li { (header) " → " em { (ctx.t("import-left-out")) } }
            }
        }
        h2 { (ctx.t("import-would")) }
        (summary_figures(ctx, &preview.summary))
        @if !preview.problems.is_empty() {
            h2 { (ctx.t("import-problems")) }
            ul #problems {
                @for p in &preview.problems { li { (problem_text(ctx, p)) } }
            }
            @if preview.problem_count > preview.problems.len() {
                p { (ctx.count("import-more-problems", i64::try_from(preview.problem_count - preview.problems.len()).unwrap_or(i64::MAX))) }
            }
        }
        form method="post" action=(format!("/import/{}", upload.id)) {
            (ctx.csrf_field())
            div.actions {
                button type="submit" { (ctx.t("import-confirm")) }
                a.button.secondary href="/import" { (ctx.t("common-cancel")) }
            }
        }
    };
    Ok(super::render(ctx, &ctx.t("import-preview"), body))
}

pub async fn confirm(
    State(state): State<AppState>,
    Submit { web, id, .. }: Submit<may::RegisterHousehold, Uuid>,
) -> PageResult {
    let ctx = &web.ctx;
    let (upload, defaults) = match readable_upload(&state, &web, id).await? {
        Ok(readable) => readable,
        Err(refused) => return Ok(refused),
    };
    let prepared = match prepare_off_executor(upload.content, None, defaults).await {
        Ok(prepared) => std::sync::Arc::new(prepared),
        Err(e) => return refuse(&state, &web, upload.id, e).await,
    };
    let (summary, _) = match run(&state, &web.actor, prepared, false, |_, _| {}).await {
        Ok(done) => done,
        Err(e) => return refuse(&state, &web, upload.id, e).await,
    };
    // The file held personal data; what it produced is in the registry and the quarantine.
    state
        .store
        .delete_upload(&web.actor, upload.id)
        .await
        .or_page(ctx)?;
    tracing::info!(
        rows = summary.rows_read,
        created = summary.households_created,
        quarantined = summary.quarantined,
        "list imported on the web"
    );
    let body = html! {
        h1 { (ctx.t("import-done")) }
        (summary_figures(ctx, &summary))
        div.actions {
            a.button href="/import" { (ctx.t("import-quarantine")) }
            a.button.secondary href="/duplicates" { (ctx.t("nav-duplicates")) }
        }
    };
    Ok(super::render(ctx, &ctx.t("import-done"), body))
}
