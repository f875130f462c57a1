//! Reception: register a household in under a minute, and see at once whether a member is
//! already registered.
//!
//! One form, posted with an `action`: `add` a member row, `remove-N`, `check` for
//! possible duplicates, or `save`. Without JavaScript each is a full round trip; with
//! htmx the page is swapped in place, and a member's row asks for possible duplicates as
//! soon as a field changes (`/reception/check`).
//!
//! "Attach" links the new member to the existing person: the pair is recorded as the same
//! person in the duplicate queue (decided, audited, undoable on the duplicates screen),
//! and both records stay. Nothing is moved or merged behind the volunteer's back.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::html;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shanyrak_core::household::validate;
use shanyrak_core::{Household, PopulationGroup, Relationship};
use shanyrak_store::{CreateOutcome, IdempotencyRequest, StoreError};
use uuid::Uuid;

use super::access::{Can, Submit, may};
use super::forms::FieldErrors;
use super::household_draft::{HouseholdDraft, MAX_FORM_MEMBERS, MemberDraft};
use super::household_form::{NEW_PERSON, duplicates_panel, household_fields, member_fieldset};
use super::{Ctx, OrPage, PageResult, Web, WebError, render, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::households::{possible_duplicates, validation_context};
use crate::identity::PossibleDuplicate;

/// A possible duplicate as the volunteer sees it.
#[derive(Debug, Clone)]
pub struct DuplicateView {
    pub person_id: Uuid,
    pub probability: f64,
    /// Names and details only for persons of the volunteer's own organisation.
    pub details: Option<PersonDetails>,
    pub agreeing: Vec<String>,
    pub disagreeing: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct PersonDetails {
    pub name: String,
    pub birth_date: String,
    pub reference: String,
    pub household_id: Uuid,
    pub city: String,
}

fn evidence_fields(evidence: &Value) -> (Vec<String>, Vec<String>) {
    let mut agree = Vec::new();
    let mut disagree = Vec::new();
    for f in evidence
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = f
            .get("field")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let weight = f.get("weight").and_then(Value::as_f64).unwrap_or(0.0);
        if weight > 0.5 {
            agree.push(name);
        } else if weight < -0.5 {
            disagree.push(name);
        }
    }
    (agree, disagree)
}

/// Looks the candidates up for display: one household read per distinct household.
async fn describe(
    state: &AppState,
    web: &Web,
    found: &[PossibleDuplicate],
    households: &mut HashMap<Uuid, Option<Household>>,
) -> Result<Vec<DuplicateView>, WebError> {
    let mut out = Vec::new();
    for c in found {
        let details = if c.organisation_id == web.actor.organisation_id {
            if let std::collections::hash_map::Entry::Vacant(entry) =
                households.entry(c.household_id)
            {
                entry.insert(
                    match state.store.get_household(&web.actor, c.household_id).await {
                        Ok(h) => Some(h),
                        Err(StoreError::NotFound) => None,
                        Err(e) => return Err(e.into()),
                    },
                );
            }
            households
                .get(&c.household_id)
                .and_then(Option::as_ref)
                .and_then(|h| {
                    h.members
                        .iter()
                        .find(|m| m.id == c.person_id)
                        .map(|m| PersonDetails {
                            name: full_name(&m.surname, &m.given_name, m.patronymic.as_deref()),
                            birth_date: super::i18n::format_birth_date(web.ctx.lang, &m.birth_date),
                            reference: h.reference.to_string(),
                            household_id: h.id,
                            city: h.location.city.clone(),
                        })
                })
        } else {
            None
        };
        let (agreeing, disagreeing) = evidence_fields(&c.evidence);
        out.push(DuplicateView {
            person_id: c.person_id,
            probability: c.probability,
            details,
            agreeing,
            disagreeing,
        });
    }
    Ok(out)
}

pub fn full_name(surname: &str, given: &str, patronymic: Option<&str>) -> String {
    let mut name = format!("{surname} {given}");
    if let Some(p) = patronymic.filter(|p| !p.is_empty()) {
        name.push(' ');
        name.push_str(p);
    }
    name
}

/// Possible duplicates of each named member row, as the index knows them now.
async fn check_members(
    state: &AppState,
    web: &Web,
    headers: &HeaderMap,
    draft: &HouseholdDraft,
    only: Option<usize>,
) -> Result<HashMap<usize, Vec<DuplicateView>>, WebError> {
    // A new registration has no household of its own yet.
    let own_household = Uuid::nil();
    let scope = crate::partners::lookup_scope(
        state,
        &web.actor,
        shanyrak_core::sharing::SharingCategory::Identity,
    )
    .await?;
    let organisations = scope.organisations;
    let phone = (!draft.phone.is_empty()).then_some(draft.phone.as_str());
    let mut households = HashMap::new();
    let mut out = HashMap::new();
    let mut shown = 0usize;
    for (i, member) in draft.members.iter().enumerate() {
        if only.is_some_and(|o| o != i) || !member.has_name() {
            continue;
        }
        let record = member.linkage_record(phone);
        let found = state
            .identity_ready()
            .await?
            .possible_duplicates(&organisations, &record, own_household, 5)
            .map_err(ApiError::from)?;
        crate::partners::log_identity_matches(state, &web.actor, &found).await?;
        let views = describe(state, web, &found, &mut households).await?;
        shown += views.len();
        out.insert(i, views);
    }
    if shown > 0 {
        // Seeing another person's record is a read like any other: logged, without names.
        crate::audit::log_read(
            state,
            &web.actor,
            headers,
            "duplicate_check",
            None,
            json!({ "candidates": shown }),
        )
        .await?;
    }
    Ok(out)
}

/// The input of the reception form an error's pointer names, and that input's label:
/// `#/members/1/birth_date` is `m1-birth_date`, "Человек 2 · Дата рождения".
fn field_of_error(ctx: &Ctx, pointer: &str) -> Option<(String, String)> {
    let label = |key: &str| super::i18n::try_message(ctx.lang, key, None);
    let parts: Vec<&str> = pointer.trim_start_matches("#/").split('/').collect();
    match parts.as_slice() {
        ["members", i, rest @ ..] => {
            let i: usize = i.parse().ok()?;
            let (field, key) = match rest {
                ["documents", _, ..] => ("doc_number", "field-document-number".to_owned()),
                [field, ..] => (*field, format!("field-{}", field.replace('_', "-"))),
                [] => return None,
            };
            let person = ctx.t_with(
                "reception-member-title",
                &[("number", fluent_bundle::FluentValue::from(i as i64 + 1))],
            );
            Some((
                format!("m{i}-{field}"),
                format!("{person} · {}", label(&key)?),
            ))
        }
        ["location", field, ..] => Some(((*field).to_owned(), label(&format!("field-{field}"))?)),
        ["current_location", ..] => Some(("current_place".into(), label("field-current-place")?)),
        [field] => Some((
            (*field).to_owned(),
            label(&format!("field-{}", field.replace('_', "-")))?,
        )),
        _ => None,
    }
}

fn form_page(
    ctx: &Ctx,
    draft: &HouseholdDraft,
    errors: &FieldErrors,
    found: &HashMap<usize, Vec<DuplicateView>>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let member_pointers: Vec<String> = (0..draft.members.len())
        .map(|i| format!("#/members/{i}"))
        .collect();
    let mut shown: Vec<&str> = vec![
        "#/group",
        "#/arrival_date",
        "#/crossing_point",
        "#/location",
        "#/current_location",
        "#/phone",
        "#/legal_basis",
        "#/information_given",
        "#/notes",
        "#/languages",
        "#/status",
    ];
    shown.extend(member_pointers.iter().map(String::as_str));
    let other_errors = errors.others(&shown);
    let body = html! {
        h1 { (ctx.t("reception-title")) }
        p { a href="/import" { (ctx.t("reception-import-link")) } " · " a href="/pre-registrations" { (ctx.t("reception-pre-registrations-link")) } }
        (super::outbox::panel(ctx))
        @if draft.quarantine.is_some() {
            p.notice.warn role="status" #correcting { (ctx.t("reception-correcting")) }
        }
        @if draft.pre_registration.is_some() {
            p.notice.warn role="status" #pre-registered { (ctx.t("reception-pre-registered")) }
        }
        @if let Some(notice) = &notice {
            p.notice.warn role="status" { (notice) }
        }
        @if !errors.is_empty() {
            div.notice.error role="alert" #form-errors tabindex="-1" {
                p { (ctx.count("reception-errors", errors.len() as i64)) }
                // Each problem with a link to its field, so a volunteer on a phone
                // jumps to it instead of scrolling the form for the red border.
                ul {
                    @for e in errors.all() {
                        @if let Some((id, label)) = field_of_error(ctx, &e.pointer) {
                            li { a href=(format!("#{id}")) { (label) ": " (super::forms::message(ctx, e)) } }
                        }
                    }
                }
                @for e in &other_errors { p { (super::forms::message(ctx, e)) } }
            }
        }
        form method="post" action="/reception" novalidate {
            (ctx.csrf_field())
            input type="hidden" name="submission" value=(draft.submission);
            input type="hidden" name="member_count" value=(draft.members.len());
            @if let Some(q) = &draft.quarantine {
                input type="hidden" name="quarantine" value=(q);
            }
            @if let Some(p) = &draft.pre_registration {
                input type="hidden" name="pre_registration" value=(p);
            }
            h2 { (ctx.t("reception-household")) }
            (household_fields(ctx, draft, errors, false))
            h2 { (ctx.t("reception-members")) }
            @for (i, m) in draft.members.iter().enumerate() {
                (member_fieldset(ctx, i, m, errors, found.get(&i), draft.members.len() > 1, true))
            }
            div.actions {
                button type="submit" name="action" value="save" { (ctx.t("reception-save")) }
                @if draft.members.len() < MAX_FORM_MEMBERS {
                    button.secondary type="submit" name="action" value="add" formnovalidate { (ctx.t("reception-add-member")) }
                }
                button.secondary type="submit" name="action" value="check" formnovalidate { (ctx.t("reception-check")) }
            }
        }
    };
    (status, render(ctx, &ctx.t("reception-title"), body)).into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct ReceptionQuery {
    /// A quarantined import row to correct.
    #[serde(default)]
    quarantine: Option<String>,
    /// A pre-registration to confirm.
    #[serde(default)]
    pre_registration: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Can { web, query, .. }: Can<may::RegisterHousehold, Query<ReceptionQuery>>,
) -> PageResult {
    if let Some(id) = query.pre_registration.as_deref() {
        let draft = super::pre_register::draft(&state, &web, id)
            .await
            .or_page(&web.ctx)?;
        return prefilled(&state, &web, &headers, &draft).await;
    }
    let Some(id) = query.quarantine.as_deref() else {
        let mut draft = HouseholdDraft::blank(&web.ctx);
        if let Some(desk) = super::cookie(&headers, DESK_COOKIE).and_then(DeskShift::decode) {
            desk.fill(&mut draft);
        }
        return Ok(form_page(
            &web.ctx,
            &draft,
            &FieldErrors::default(),
            &HashMap::new(),
            None,
            StatusCode::OK,
        ));
    };
    let row = state
        .store
        .quarantined_row(&web.actor, crate::extract::parse_id(id).or_page(&web.ctx)?)
        .await
        .or_page(&web.ctx)?;
    let mut draft = HouseholdDraft::from_document(&row.document);
    draft.quarantine = Some(row.id.to_string());
    prefilled(&state, &web, &headers, &draft).await
}

/// A form filled from elsewhere (an import row, a pre-registration), with its problems and
/// possible duplicates shown at once.
async fn prefilled(
    state: &AppState,
    web: &Web,
    headers: &HeaderMap,
    draft: &HouseholdDraft,
) -> PageResult {
    // Show the problems right away, next to their fields.
    let errors = match draft.parse() {
        Ok((input, _)) => match validate(&input, &validation_context()) {
            Ok(_) => FieldErrors::default(),
            Err(e) => FieldErrors::from_validation(&e),
        },
        Err(e) => e,
    };
    let found = check_members(state, web, headers, draft, None)
        .await
        .or_page(&web.ctx)?;
    Ok(form_page(
        &web.ctx,
        draft,
        &errors,
        &found,
        None,
        StatusCode::OK,
    ))
}

/// The duplicates panel of one member row, for htmx while the volunteer types.
pub async fn check_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    Submit { web, form, .. }: Submit<may::RegisterHousehold>,
) -> PageResult {
    let draft = HouseholdDraft::from_form(&form);
    let i = form
        .get("check_member")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|i| *i < draft.members.len())
        .ok_or(WebError::Api(ApiError::NotFound))
        .or_page(&web.ctx)?;
    let found = check_members(&state, &web, &headers, &draft, Some(i))
        .await
        .or_page(&web.ctx)?;
    Ok(duplicates_panel(&web.ctx, i, &draft.members[i], found.get(&i)).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Submit { web, form, .. }: Submit<may::RegisterHousehold>,
) -> PageResult {
    let ctx = &web.ctx;
    let mut draft = HouseholdDraft::from_form(&form);
    let action = form.get("action").unwrap_or("save");
    // The form's own buttons: the page again, with the members changed or checked.
    let shown_again = match action {
        "add" => {
            if draft.members.len() < MAX_FORM_MEMBERS {
                let has_spouse = draft.members.iter().any(|m| m.relationship == "spouse");
                let next = match draft.members.last() {
                    Some(previous) => MemberDraft::after(previous, draft.members.len(), has_spouse),
                    None => MemberDraft::blank(Relationship::Head),
                };
                draft.members.push(next);
            }
            true
        }
        "check" => true,
        other => draft.remove_member(other),
    };
    if shown_again {
        let found = check_members(&state, &web, &headers, &draft, None)
            .await
            .or_page(ctx)?;
        let notice = (action == "check" && found.values().all(Vec::is_empty))
            .then(|| ctx.t("reception-no-duplicates"));
        return Ok(form_page(
            ctx,
            &draft,
            &FieldErrors::default(),
            &found,
            notice,
            StatusCode::OK,
        ));
    }
    // Save.
    let saved = save(&state, &web, &headers, &mut draft)
        .await
        .or_page(ctx)?;
    match saved {
        Saved::Invalid(errors, found) => Ok(form_page(
            ctx,
            &draft,
            &errors,
            &found,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Saved::Undecided(undecided, found) => Ok(form_page(
            ctx,
            &draft,
            &FieldErrors::default(),
            &found,
            Some(ctx.count("reception-decide-duplicates", undecided)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Saved::KeyReused => {
            // The same form was already saved, then changed: this is a new registration.
            draft.submission = Uuid::now_v7().to_string();
            Ok(form_page(
                ctx,
                &draft,
                &FieldErrors::default(),
                &HashMap::new(),
                Some(ctx.t("reception-already-saved")),
                StatusCode::CONFLICT,
            ))
        }
        Saved::Registered {
            household_id,
            attached,
        } => {
            let mut response = see_other(&format!(
                "/households/{household_id}/card?registered=1&attached={attached}"
            ));
            if let Ok(cookie) = HeaderValue::from_str(&format!(
                "{DESK_COOKIE}={}; Path=/reception; HttpOnly; SameSite=Strict; Max-Age={DESK_SHIFT_SECONDS}{}",
                DeskShift::of(&draft).encode(),
                state.cookie_secure_attribute()
            )) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
    }
}

/// What saving a reception form came to.
pub(super) enum Saved {
    /// Refused input: the problems by field, and the members' possible duplicates.
    Invalid(FieldErrors, HashMap<usize, Vec<DuplicateView>>),
    /// Held: this many members may be registered already and the volunteer has not said
    /// whether they are the same person (marked `undecided` in the draft). Nothing written.
    Undecided(i64, HashMap<usize, Vec<DuplicateView>>),
    /// The form was saved before under its submission key and has changed since.
    KeyReused,
    /// Registered now or before under the same submission key.
    Registered { household_id: Uuid, attached: usize },
}

/// Saves the form as a registration: validation, the possible-duplicate gate, the write
/// under the form's submission key, and the members the volunteer attached. The form page
/// and the offline outbox's sync both save through here.
pub(super) async fn save(
    state: &AppState,
    web: &Web,
    headers: &HeaderMap,
    draft: &mut HouseholdDraft,
) -> Result<Saved, WebError> {
    let (input, raw) = match draft.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            let found = check_members(state, web, headers, draft, None).await?;
            return Ok(Saved::Invalid(errors, found));
        }
    };
    let household = match validate(&input, &validation_context()) {
        Ok(h) => h,
        Err(errors) => {
            let found = check_members(state, web, headers, draft, None).await?;
            return Ok(Saved::Invalid(FieldErrors::from_validation(&errors), found));
        }
    };
    let canonical = serde_json::to_vec(&raw).map_err(|_| WebError::Api(ApiError::Internal))?;
    let idempotency = IdempotencyRequest {
        key: format!("web:{}", draft.submission),
        request_hash: Sha256::digest(&canonical).to_vec(),
    };
    // Nothing is written while a member may be registered already and the volunteer has
    // not said whether it is the same person: a plain submit, with or without JavaScript,
    // stops here with the evidence. A form sent again after it was saved is a replay, not
    // a new registration, and is not asked again (its own members would match).
    state.identity_ready().await?;
    let replay = state
        .store
        .idempotency_key_claimed(&web.actor, &idempotency.key)
        .await?;
    if !replay {
        let found = check_members(state, web, headers, draft, None).await?;
        let mut undecided = 0;
        for (i, member) in draft.members.iter_mut().enumerate() {
            let Some(candidates) = found.get(&i).filter(|c| !c.is_empty()) else {
                continue;
            };
            let decided = member.attach == NEW_PERSON
                || candidates
                    .iter()
                    .any(|c| c.details.is_some() && c.person_id.to_string() == member.attach);
            if !decided {
                member.undecided = true;
                undecided += 1;
            }
        }
        if undecided > 0 {
            return Ok(Saved::Undecided(undecided, found));
        }
    }
    let outcome = match state
        .store
        .create_household(&web.actor, &household, Some(&idempotency), Utc::now())
        .await
    {
        Ok(outcome) => outcome,
        Err(StoreError::IdempotencyKeyReused) => return Ok(Saved::KeyReused),
        Err(e) => return Err(e.into()),
    };
    let receipt = match &outcome {
        CreateOutcome::Created(r) | CreateOutcome::Replayed(r) => r.clone(),
    };
    if matches!(outcome, CreateOutcome::Created(_)) {
        tracing::info!(household = %receipt.household_id, members = receipt.member_ids.len(), "household registered on the web");
    }
    let (found, _) = possible_duplicates(state, &web.actor, receipt.household_id).await?;
    let mut attached = 0;
    for (member, new_id) in draft.members.iter().zip(&receipt.member_ids) {
        let Ok(existing) = Uuid::parse_str(&member.attach) else {
            continue;
        };
        // Only a person the index itself proposed, of the volunteer's own organisation.
        let proposed = found.get(new_id).is_some_and(|c| {
            c.iter()
                .any(|c| c.person_id == existing && c.organisation_id == web.actor.organisation_id)
        });
        if !proposed {
            continue;
        }
        let candidate = state
            .store
            .candidate_for_pair(&web.actor, *new_id, existing)
            .await?;
        if candidate.status == "pending" {
            state
                .store
                .decide_candidate(&web.actor, candidate.id, "same", Utc::now())
                .await?;
        }
        attached += 1;
    }
    if let Some(q) = draft
        .quarantine
        .as_deref()
        .and_then(|q| Uuid::parse_str(q).ok())
    {
        state
            .store
            .resolve_quarantine(&web.actor, q, receipt.household_id, Utc::now())
            .await?;
    }
    if let Some(p) = draft.pre_registration.as_deref() {
        super::pre_register::confirmed(state, web, p, receipt.household_id).await?;
    }
    Ok(Saved::Registered {
        household_id: receipt.household_id,
        attached,
    })
}

/// The desk's cookie: what the next registration at this desk starts from.
pub const DESK_COOKIE: &str = "shanyrak_desk";
/// A shift: the desk's place and group are remembered this long after its last save.
const DESK_SHIFT_SECONDS: i64 = 12 * 3600;

/// What stays the same from one family to the next at one desk during a shift: the
/// population group, the country, the city and the crossing point. No personal data; kept
/// in a cookie of the reception page only, hex-encoded JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeskShift {
    group: String,
    country: String,
    city: String,
    crossing_point: String,
}

impl DeskShift {
    fn of(draft: &HouseholdDraft) -> Self {
        Self {
            group: draft.group.clone(),
            country: draft.country.clone(),
            city: draft.city.clone(),
            crossing_point: draft.crossing_point.clone(),
        }
    }

    fn encode(&self) -> String {
        hex::encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// The shift of a cookie this server set; anything else (edited, too long) is ignored.
    fn decode(cookie: &str) -> Option<Self> {
        if cookie.len() > 4 * 1024 {
            return None;
        }
        let shift: Self = serde_json::from_slice(&hex::decode(cookie).ok()?).ok()?;
        let short = |t: &str| t.chars().count() <= shanyrak_core::validation::MAX_SHORT_TEXT_CHARS;
        (short(&shift.group)
            && short(&shift.country)
            && short(&shift.city)
            && short(&shift.crossing_point))
        .then_some(shift)
    }

    fn fill(self, draft: &mut HouseholdDraft) {
        if PopulationGroup::parse(&self.group).is_some() {
            draft.group = self.group;
        }
        if self.country.parse::<shanyrak_core::CountryCode>().is_ok() {
            draft.country = self.country;
        }
        draft.city = self.city;
        draft.crossing_point = self.crossing_point;
    }
}
