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

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use shanyrak_core::household::validate;
use shanyrak_core::{
    Action, BirthDate, DocumentType, Household, HouseholdInput, LegalBasis, Need, PopulationGroup,
    Relationship, Sex, Vulnerability,
};
use shanyrak_store::{CreateOutcome, IdempotencyRequest, StoreError};
use uuid::Uuid;

use super::forms::{FieldErrors, FormData};
use super::{Ctx, OrPage, PageResult, Web, WebError, render, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::deserialize_with_pointer;
use crate::households::{possible_duplicates, validation_context};
use crate::identity::PossibleDuplicate;

/// Most member rows one form holds (the API's limit is higher; a bigger group is
/// registered as several households or through the API).
pub const MAX_FORM_MEMBERS: usize = 30;

/// Citizenships offered first; the rest by code.
pub const COMMON_COUNTRIES: &[&str] = &["RU", "KZ", "KG", "UZ", "TJ", "BY", "UA", "AM", "AZ", "GE"];

/// A member row as typed, kept verbatim so a form with mistakes comes back as it was.
#[derive(Debug, Clone, Default)]
pub struct MemberDraft {
    pub id: Option<String>,
    pub surname: String,
    pub given_name: String,
    pub patronymic: String,
    pub sex: String,
    pub birth_date: String,
    pub estimated: bool,
    pub citizenship: String,
    pub relationship: String,
    pub vulnerabilities: Vec<String>,
    pub doc_type: String,
    pub doc_number: String,
    pub attach: String,
}

/// The whole form as typed.
#[derive(Debug, Clone, Default)]
pub struct HouseholdDraft {
    pub group: String,
    pub arrival_date: String,
    pub crossing_point: String,
    pub country: String,
    pub region: String,
    pub city: String,
    /// Where the household is now, as typed: a place name in any script, or
    /// "latitude, longitude".
    pub current_place: String,
    pub phone: String,
    pub languages: String,
    pub needs: Vec<String>,
    pub accepts_sex_separation: bool,
    pub accepts_several_rooms: bool,
    pub legal_basis: String,
    pub information_given: bool,
    pub status: String,
    pub notes: String,
    pub members: Vec<MemberDraft>,
    /// Makes a double submission on a bad connection register once.
    pub submission: String,
    pub version: Option<i64>,
    /// The quarantined import row this form corrects, if any.
    pub quarantine: Option<String>,
}

fn text(form: &FormData, name: &str) -> String {
    form.get(name).unwrap_or_default().trim().to_owned()
}

impl MemberDraft {
    fn from_form(form: &FormData, i: usize) -> Self {
        let f = |name: &str| text(form, &format!("m{i}.{name}"));
        MemberDraft {
            id: form.text(&format!("m{i}.id")),
            surname: f("surname"),
            given_name: f("given_name"),
            patronymic: f("patronymic"),
            sex: f("sex"),
            birth_date: f("birth_date"),
            estimated: form.checked(&format!("m{i}.estimated")),
            citizenship: f("citizenship"),
            relationship: f("relationship"),
            vulnerabilities: form
                .all(&format!("m{i}.vulnerabilities"))
                .into_iter()
                .map(str::to_owned)
                .collect(),
            doc_type: f("doc_type"),
            doc_number: f("doc_number"),
            attach: f("attach"),
        }
    }

    fn blank(relationship: Relationship) -> Self {
        MemberDraft {
            citizenship: "RU".into(),
            relationship: relationship.as_str().into(),
            ..Default::default()
        }
    }

    pub fn has_name(&self) -> bool {
        !self.surname.is_empty() && !self.given_name.is_empty()
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        let mut put = |key: &str, value: &str| {
            if !value.is_empty() {
                m.insert(key.into(), Value::String(value.into()));
            }
        };
        put("surname", &self.surname);
        put("given_name", &self.given_name);
        put("patronymic", &self.patronymic);
        put("sex", &self.sex);
        put("birth_date", &self.birth_date);
        put("citizenship", &self.citizenship);
        put("relationship", &self.relationship);
        if let Some(id) = &self.id {
            m.insert("id".into(), Value::String(id.clone()));
        }
        m.insert("birth_date_estimated".into(), Value::Bool(self.estimated));
        m.insert("vulnerabilities".into(), json!(self.vulnerabilities));
        if !self.doc_type.is_empty() {
            let mut doc = Map::new();
            doc.insert("type".into(), Value::String(self.doc_type.clone()));
            if !self.doc_number.is_empty() && self.doc_type != "none" {
                doc.insert("number".into(), Value::String(self.doc_number.clone()));
            }
            m.insert("documents".into(), json!([doc]));
        }
        Value::Object(m)
    }

    /// The person as the linkage library reads them, for a look-up before anything is
    /// saved. Parts that do not parse yet are left out rather than guessed.
    fn linkage_record(&self, phone: Option<&str>) -> shanyrak_linkage::PersonRecord {
        let birth_date = BirthDate::parse(&self.birth_date).ok().and_then(|b| {
            shanyrak_linkage::PartialDate::new(
                u16::try_from(b.year()).ok(),
                b.month().and_then(|m| u8::try_from(m).ok()),
                b.day().and_then(|d| u8::try_from(d).ok()),
                self.estimated,
            )
            .ok()
        });
        let documents = DocumentType::parse(&self.doc_type)
            .filter(|t| *t != DocumentType::None && !self.doc_number.is_empty())
            .map(|t| {
                vec![shanyrak_linkage::Document {
                    doc_type: t.as_str().to_owned(),
                    number: self
                        .doc_number
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .collect(),
                }]
            })
            .unwrap_or_default();
        shanyrak_linkage::PersonRecord {
            record_id: "draft".into(),
            surname: self.surname.clone(),
            given_name: self.given_name.clone(),
            patronymic: (!self.patronymic.is_empty()).then(|| self.patronymic.clone()),
            sex: match Sex::parse(&self.sex) {
                Some(Sex::Male) => Some(shanyrak_linkage::Sex::Male),
                Some(Sex::Female) => Some(shanyrak_linkage::Sex::Female),
                _ => None,
            },
            birth_date,
            citizenship: (!self.citizenship.is_empty()).then(|| self.citizenship.clone()),
            documents,
            phone: phone.map(str::to_owned),
            ..Default::default()
        }
    }
}

impl HouseholdDraft {
    pub fn from_form(form: &FormData) -> Self {
        let count = form
            .get("member_count")
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(1)
            .clamp(1, MAX_FORM_MEMBERS);
        HouseholdDraft {
            group: text(form, "group"),
            arrival_date: text(form, "arrival_date"),
            crossing_point: text(form, "crossing_point"),
            country: text(form, "country"),
            region: text(form, "region"),
            city: text(form, "city"),
            current_place: text(form, "current_place"),
            phone: text(form, "phone"),
            languages: text(form, "languages"),
            needs: form.all("needs").into_iter().map(str::to_owned).collect(),
            accepts_sex_separation: form.checked("accepts_sex_separation"),
            accepts_several_rooms: form.checked("accepts_several_rooms"),
            legal_basis: text(form, "legal_basis"),
            information_given: form.checked("information_given"),
            status: text(form, "status"),
            notes: text(form, "notes"),
            members: (0..count)
                .map(|i| MemberDraft::from_form(form, i))
                .collect(),
            submission: form
                .text("submission")
                .unwrap_or_else(|| Uuid::now_v7().to_string()),
            version: form.get("version").and_then(|v| v.parse().ok()),
            quarantine: form.text("quarantine"),
        }
    }

    /// A household held back from an import, as registration JSON, back into the form.
    pub fn from_document(document: &Value) -> Self {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let members: Vec<MemberDraft> = document["members"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                let doc = &m["documents"][0];
                MemberDraft {
                    id: None,
                    surname: text(&m["surname"]),
                    given_name: text(&m["given_name"]),
                    patronymic: text(&m["patronymic"]),
                    sex: text(&m["sex"]),
                    birth_date: text(&m["birth_date"]),
                    estimated: m["birth_date_estimated"].as_bool().unwrap_or(false),
                    citizenship: text(&m["citizenship"]),
                    relationship: text(&m["relationship"]),
                    vulnerabilities: m["vulnerabilities"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                    doc_type: text(&doc["type"]),
                    doc_number: text(&doc["number"]),
                    attach: String::new(),
                }
            })
            .collect();
        HouseholdDraft {
            group: text(&document["group"]),
            arrival_date: text(&document["arrival_date"]),
            crossing_point: text(&document["crossing_point"]),
            country: text(&document["location"]["country"]),
            region: text(&document["location"]["region"]),
            city: text(&document["location"]["city"]),
            phone: text(&document["phone"]),
            notes: text(&document["notes"]),
            legal_basis: LegalBasis::VitalInterest.as_str().into(),
            members: if members.is_empty() {
                vec![MemberDraft::blank(Relationship::Head)]
            } else {
                members
            },
            submission: Uuid::now_v7().to_string(),
            ..Default::default()
        }
    }

    /// A new registration, with what a border reception desk fills in most.
    pub fn blank(ctx: &Ctx) -> Self {
        let today = (Utc::now() + chrono::Duration::hours(5)).date_naive();
        HouseholdDraft {
            group: PopulationGroup::Arrival.as_str().into(),
            arrival_date: match ctx.lang {
                super::Lang::En => today.format("%Y-%m-%d").to_string(),
                _ => today.format("%d.%m.%Y").to_string(),
            },
            country: "KZ".into(),
            legal_basis: LegalBasis::Consent.as_str().into(),
            members: vec![MemberDraft::blank(Relationship::Head)],
            submission: Uuid::now_v7().to_string(),
            ..Default::default()
        }
    }

    /// The registered household as a form to edit.
    pub fn from_household(household: &Household) -> Self {
        let input = household.to_input();
        HouseholdDraft {
            group: household.group.as_str().into(),
            arrival_date: input.arrival_date.unwrap_or_default(),
            crossing_point: household.crossing_point.clone().unwrap_or_default(),
            country: household.location.country.to_string(),
            region: household.location.region.clone().unwrap_or_default(),
            city: household.location.city.clone(),
            current_place: household
                .current_location
                .map(|at| current_place_label("ru", at))
                .unwrap_or_default(),
            phone: household
                .phone
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            languages: household.languages.join(", "),
            needs: household.needs.iter().map(|n| n.as_str().into()).collect(),
            accepts_sex_separation: household.accepts_sex_separation,
            accepts_several_rooms: household.accepts_several_rooms,
            legal_basis: household
                .legal_basis
                .map(|b| b.as_str().into())
                .unwrap_or_default(),
            information_given: household.information_given,
            status: household.status.as_str().into(),
            notes: household.notes.clone().unwrap_or_default(),
            members: household
                .members
                .iter()
                .map(|m| {
                    let doc = m.documents.first();
                    MemberDraft {
                        id: Some(m.id.to_string()),
                        surname: m.surname.clone(),
                        given_name: m.given_name.clone(),
                        patronymic: m.patronymic.clone().unwrap_or_default(),
                        sex: m.sex.as_str().into(),
                        birth_date: m.birth_date.to_iso(),
                        estimated: m.birth_date_estimated,
                        citizenship: m.citizenship.map(|c| c.to_string()).unwrap_or_default(),
                        relationship: m.relationship.as_str().into(),
                        vulnerabilities: m
                            .vulnerabilities
                            .iter()
                            .map(|v| v.as_str().into())
                            .collect(),
                        doc_type: doc.map(|d| d.doc_type.as_str().into()).unwrap_or_default(),
                        doc_number: doc.and_then(|d| d.number.clone()).unwrap_or_default(),
                        attach: String::new(),
                    }
                })
                .collect(),
            submission: String::new(),
            version: Some(household.version),
            quarantine: None,
        }
    }

    pub fn to_json(&self) -> Value {
        let mut h = Map::new();
        let mut put = |key: &str, value: &str| {
            if !value.is_empty() {
                h.insert(key.into(), Value::String(value.into()));
            }
        };
        put("group", &self.group);
        put("arrival_date", &self.arrival_date);
        put("crossing_point", &self.crossing_point);
        put("phone", &self.phone);
        put("legal_basis", &self.legal_basis);
        put("notes", &self.notes);
        put("status", &self.status);
        let mut location = Map::new();
        for (key, value) in [
            ("country", &self.country),
            ("region", &self.region),
            ("city", &self.city),
        ] {
            if !value.is_empty() {
                location.insert(key.into(), Value::String(value.clone()));
            }
        }
        h.insert("location".into(), Value::Object(location));
        if let Some(current) = current_location_json(&self.current_place) {
            h.insert("current_location".into(), current);
        }
        h.insert(
            "languages".into(),
            json!(
                self.languages
                    .split([',', ' ', ';'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
            ),
        );
        h.insert("needs".into(), json!(self.needs));
        h.insert(
            "accepts_sex_separation".into(),
            Value::Bool(self.accepts_sex_separation),
        );
        h.insert(
            "accepts_several_rooms".into(),
            Value::Bool(self.accepts_several_rooms),
        );
        h.insert(
            "information_given".into(),
            Value::Bool(self.information_given),
        );
        h.insert(
            "members".into(),
            Value::Array(self.members.iter().map(MemberDraft::to_json).collect()),
        );
        Value::Object(h)
    }

    /// The draft as the API's input, or the field errors it has.
    pub fn parse(&self) -> Result<(HouseholdInput, Value), FieldErrors> {
        let raw = self.to_json();
        match deserialize_with_pointer::<HouseholdInput>(&raw) {
            Ok(input) => Ok((input, raw)),
            Err(ApiError::Validation(e)) | Err(ApiError::InvalidQuery(e)) => {
                Err(FieldErrors::from_validation(&e))
            }
            Err(_) => Err(FieldErrors::default()),
        }
    }
}

/// A current location in words: the place's name in `lang`, or the coordinates. The form
/// shows the Russian name, which resolves back to the same place when sent again.
pub fn current_place_label(lang: &str, at: shanyrak_core::CurrentLocation) -> String {
    at.place_id
        .and_then(|id| {
            shanyrak_core::places::PlaceList::shared()
                .and_then(|list| list.get(shanyrak_core::places::PlaceId(id)))
                .map(|place| place.name(lang).to_owned())
        })
        .unwrap_or_else(|| {
            format!(
                "{:.5}, {:.5}",
                at.coordinates.latitude, at.coordinates.longitude
            )
        })
}

/// The typed current place as the API's `current_location`: a place of the list found by
/// any of its names, or "latitude, longitude". Text that is neither becomes place id 0,
/// which no place has, so validation names the field.
fn current_location_json(typed: &str) -> Option<Value> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    if let Some((latitude, longitude)) = typed
        .split_once(',')
        .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)))
    {
        return Some(json!({"coordinates": {"latitude": latitude, "longitude": longitude}}));
    }
    let place = crate::places::index_now()
        .and_then(|index| index.resolve(typed))
        .map_or(0, |id| id.0);
    Some(json!({"place_id": place}))
}

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
            .identity
            .possible_duplicates(&organisations, &record, own_household, 5);
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

// ---------------------------------------------------------------------------------------
// Rendering.

fn options<T: Copy>(
    ctx: &Ctx,
    kind: &str,
    all: &[T],
    as_str: fn(&T) -> &'static str,
    selected: &str,
    blank: bool,
) -> Markup {
    html! {
        @if blank {
            option value="" selected[selected.is_empty()] { "—" }
        }
        @for v in all {
            option value=(as_str(v)) selected[as_str(v) == selected] { (ctx.label(kind, as_str(v))) }
        }
    }
}

fn country_options(ctx: &Ctx, selected: &str) -> Markup {
    let listed = COMMON_COUNTRIES.contains(&selected) || selected.is_empty();
    html! {
        option value="" selected[selected.is_empty()] { "—" }
        @for code in COMMON_COUNTRIES {
            option value=(code) selected[*code == selected] { (ctx.t(&format!("country-{}", code.to_ascii_lowercase()))) }
        }
        @if !listed {
            option value=(selected) selected { (selected) }
        }
    }
}

/// The example number and keyboard for each document type.
fn document_format(t: DocumentType) -> (&'static str, &'static str) {
    match t {
        DocumentType::RuInternalPassport => ("4510 123456", "numeric"),
        DocumentType::RuInternationalPassport => ("751234567", "numeric"),
        DocumentType::KzId => ("900101300123", "numeric"),
        DocumentType::KgId => ("20101199000123", "numeric"),
        DocumentType::BirthCertificate => ("IV-МЮ 123456", "text"),
        DocumentType::PassportOther | DocumentType::None => ("", "text"),
    }
}

const DOCUMENT_TYPES: &[DocumentType] = &[
    DocumentType::RuInternalPassport,
    DocumentType::RuInternationalPassport,
    DocumentType::KzId,
    DocumentType::KgId,
    DocumentType::PassportOther,
    DocumentType::BirthCertificate,
    DocumentType::None,
];

/// `aria-invalid` and `aria-describedby` for an input with errors.
fn invalid(errors: &FieldErrors, pointer: &str) -> Option<&'static str> {
    let prefix = format!("{pointer}/");
    errors
        .others(&[])
        .iter()
        .any(|e| e.pointer == pointer || e.pointer.starts_with(&prefix))
        .then_some("true")
}

fn error_id(pointer: &str) -> String {
    format!("err-{}", pointer.trim_start_matches("#/").replace('/', "-"))
}

/// One input with its label and the messages about it.
#[allow(clippy::too_many_arguments)]
fn text_field(
    ctx: &Ctx,
    errors: &FieldErrors,
    name: &str,
    id: &str,
    label_key: &str,
    value: &str,
    pointer: &str,
    attrs: InputAttrs,
) -> Markup {
    let bad = invalid(errors, pointer);
    let described = bad.map(|_| error_id(pointer));
    html! {
        div.field {
            label for=(id) { (ctx.t(label_key)) @if attrs.required { " " abbr title=(ctx.t("common-required")) { "*" } } }
            input id=(id) type=(attrs.kind) name=(name) value=(value)
                autocomplete=(attrs.autocomplete) inputmode=[attrs.inputmode] placeholder=[attrs.placeholder]
                aria-invalid=[bad] aria-describedby=[described.as_deref()] required[attrs.required];
            @if let Some(hint) = attrs.hint { p.hint { (ctx.t(hint)) } }
            (errors.show(ctx, pointer, &error_id(pointer)))
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct InputAttrs {
    kind: &'static str,
    autocomplete: &'static str,
    inputmode: Option<&'static str>,
    placeholder: Option<&'static str>,
    hint: Option<&'static str>,
    required: bool,
}

const TEXT: InputAttrs = InputAttrs {
    kind: "text",
    autocomplete: "off",
    inputmode: None,
    placeholder: None,
    hint: None,
    required: false,
};

#[allow(clippy::too_many_arguments)]
fn select_field(
    ctx: &Ctx,
    errors: &FieldErrors,
    name: &str,
    id: &str,
    label_key: &str,
    pointer: &str,
    options: Markup,
    required: bool,
) -> Markup {
    let bad = invalid(errors, pointer);
    let described = bad.map(|_| error_id(pointer));
    html! {
        div.field {
            label for=(id) { (ctx.t(label_key)) @if required { " " abbr title=(ctx.t("common-required")) { "*" } } }
            select id=(id) name=(name) aria-invalid=[bad] aria-describedby=[described.as_deref()] { (options) }
            (errors.show(ctx, pointer, &error_id(pointer)))
        }
    }
}

pub fn duplicates_panel(
    ctx: &Ctx,
    i: usize,
    member: &MemberDraft,
    found: Option<&Vec<DuplicateView>>,
) -> Markup {
    let attach_name = format!("m{i}.attach");
    html! {
        div id=(format!("dup-{i}")) aria-live="polite" {
            @if let Some(found) = found.filter(|f| !f.is_empty()) {
                div.duplicates role="group" aria-labelledby=(format!("dup-title-{i}")) {
                    p id=(format!("dup-title-{i}")) { strong { (ctx.t("reception-duplicates-title")) } }
                    ul {
                        @for d in found {
                            li {
                                @if let Some(p) = &d.details {
                                    label {
                                        input type="radio" name=(attach_name) value=(d.person_id)
                                            checked[member.attach == d.person_id.to_string()];
                                        " " strong { (p.name) } ", " (p.birth_date) " · " (p.city) " · "
                                        span.reference { (p.reference) }
                                    }
                                    " " a href=(format!("/households/{}", p.household_id)) target="_blank" { (ctx.t("reception-duplicates-open")) }
                                } @else {
                                    (ctx.t("reception-duplicates-partner"))
                                }
                                p.evidence {
                                    (ctx.t_with("reception-duplicates-probability", &[("percent", fluent_bundle::FluentValue::from((d.probability * 100.0).round() as i64))]))
                                    @if !d.agreeing.is_empty() {
                                        " · " (ctx.t("reception-duplicates-agree")) " "
                                        (d.agreeing.iter().map(|f| ctx.t(&format!("linkage-field-{}", f.replace('_', "-")))).collect::<Vec<_>>().join(", "))
                                    }
                                    @if !d.disagreeing.is_empty() {
                                        " · " (ctx.t("reception-duplicates-disagree")) " "
                                        (d.disagreeing.iter().map(|f| ctx.t(&format!("linkage-field-{}", f.replace('_', "-")))).collect::<Vec<_>>().join(", "))
                                    }
                                }
                            }
                        }
                        li {
                            label {
                                input type="radio" name=(attach_name) value="" checked[member.attach.is_empty()];
                                " " (ctx.t("reception-duplicates-new"))
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn member_fieldset(
    ctx: &Ctx,
    i: usize,
    m: &MemberDraft,
    errors: &FieldErrors,
    found: Option<&Vec<DuplicateView>>,
    removable: bool,
    live_check: bool,
) -> Markup {
    let p = |field: &str| format!("#/members/{i}/{field}");
    let n = |field: &str| format!("m{i}.{field}");
    let id = |field: &str| format!("m{i}-{field}");
    let doc_pointer = format!("#/members/{i}/documents");
    html! {
        fieldset.member id=(format!("member-{i}"))
            hx-post=[live_check.then_some("/reception/check")]
            hx-trigger=[live_check.then_some("change delay:400ms")]
            hx-target=[live_check.then(|| format!("#dup-{i}"))]
            hx-swap=[live_check.then_some("outerHTML")]
            hx-include=[live_check.then_some("closest form")]
            hx-vals=[live_check.then(|| format!("{{\"check_member\": \"{i}\"}}"))] {
            legend { (ctx.t_with("reception-member-title", &[("number", fluent_bundle::FluentValue::from(i as i64 + 1))])) }
            @if let Some(member_id) = &m.id {
                input type="hidden" name=(n("id")) value=(member_id);
            }
            div.grid.grid3 {
                (text_field(ctx, errors, &n("surname"), &id("surname"), "field-surname", &m.surname, &p("surname"), InputAttrs { required: true, ..TEXT }))
                (text_field(ctx, errors, &n("given_name"), &id("given_name"), "field-given-name", &m.given_name, &p("given_name"), InputAttrs { required: true, ..TEXT }))
                (text_field(ctx, errors, &n("patronymic"), &id("patronymic"), "field-patronymic", &m.patronymic, &p("patronymic"), TEXT))
            }
            div.grid.grid3 {
                (select_field(ctx, errors, &n("sex"), &id("sex"), "field-sex", &p("sex"),
                    options(ctx, "sex", Sex::ALL, Sex::as_str, &m.sex, true), true))
                div {
                    (text_field(ctx, errors, &n("birth_date"), &id("birth_date"), "field-birth-date", &m.birth_date, &p("birth_date"),
                        InputAttrs { placeholder: Some("ДД.ММ.ГГГГ"), hint: Some("field-birth-date-hint"), required: true, inputmode: Some("numeric"), ..TEXT }))
                    div.checks {
                        label { input type="checkbox" name=(n("estimated")) value="1" checked[m.estimated]; (ctx.t("field-birth-date-estimated")) }
                    }
                }
                (select_field(ctx, errors, &n("relationship"), &id("relationship"), "field-relationship", &p("relationship"),
                    options(ctx, "relationship", Relationship::ALL, Relationship::as_str, &m.relationship, false), true))
            }
            div.grid.grid3 {
                (select_field(ctx, errors, &n("citizenship"), &id("citizenship"), "field-citizenship", &p("citizenship"),
                    country_options(ctx, &m.citizenship), false))
                div.field {
                    label for=(id("doc_type")) { (ctx.t("field-document-type")) }
                    select id=(id("doc_type")) name=(n("doc_type")) data-number-input=(id("doc_number")) {
                        option value="" selected[m.doc_type.is_empty()] { "—" }
                        @for t in DOCUMENT_TYPES {
                            @let (example, inputmode) = document_format(*t);
                            option value=(t.as_str()) data-example=(example) data-inputmode=(inputmode) selected[t.as_str() == m.doc_type] {
                                (ctx.label("document", t.as_str()))
                            }
                        }
                    }
                }
                div.field {
                    label for=(id("doc_number")) { (ctx.t("field-document-number")) }
                    input id=(id("doc_number")) type="text" name=(n("doc_number")) value=(m.doc_number) autocomplete="off"
                        aria-invalid=[invalid(errors, &doc_pointer)] aria-describedby=[invalid(errors, &doc_pointer).map(|_| error_id(&doc_pointer))];
                    p.hint { (ctx.t("field-document-number-hint")) }
                    (errors.show(ctx, &doc_pointer, &error_id(&doc_pointer)))
                }
            }
            details {
                summary { (ctx.t("field-vulnerabilities")) @if !m.vulnerabilities.is_empty() { " (" (m.vulnerabilities.len()) ")" } }
                div.checks {
                    @for v in Vulnerability::ALL {
                        label {
                            input type="checkbox" name=(n("vulnerabilities")) value=(v.as_str()) checked[m.vulnerabilities.iter().any(|x| x == v.as_str())];
                            (ctx.label("vulnerability", v.as_str()))
                        }
                    }
                }
                (errors.show(ctx, &p("vulnerabilities"), &error_id(&p("vulnerabilities"))))
            }
            (duplicates_panel(ctx, i, m, found))
            @if removable {
                div.actions {
                    button.secondary type="submit" name="action" value=(format!("remove-{i}")) formnovalidate {
                        (ctx.t("reception-remove-member"))
                    }
                }
            }
        }
    }
}

/// The household part of the form, shared by reception and the edit page.
pub fn household_fields(
    ctx: &Ctx,
    d: &HouseholdDraft,
    errors: &FieldErrors,
    editing: bool,
) -> Markup {
    html! {
        div.grid.grid3 {
            (select_field(ctx, errors, "group", "group", "field-group", "#/group",
                options(ctx, "group", PopulationGroup::ALL, PopulationGroup::as_str, &d.group, false), true))
            (text_field(ctx, errors, "arrival_date", "arrival_date", "field-arrival-date", &d.arrival_date, "#/arrival_date",
                InputAttrs { placeholder: Some("ДД.ММ.ГГГГ"), inputmode: Some("numeric"), ..TEXT }))
            (text_field(ctx, errors, "crossing_point", "crossing_point", "field-crossing-point", &d.crossing_point, "#/crossing_point", TEXT))
        }
        div.grid.grid3 {
            (select_field(ctx, errors, "country", "country", "field-country", "#/location/country", country_options(ctx, &d.country), true))
            (text_field(ctx, errors, "city", "city", "field-city", &d.city, "#/location/city", InputAttrs { required: true, autocomplete: "address-level2", ..TEXT }))
            (text_field(ctx, errors, "current_place", "current_place", "field-current-place", &d.current_place, "#/current_location", TEXT))
            (text_field(ctx, errors, "phone", "phone", "field-phone", &d.phone, "#/phone",
                InputAttrs { kind: "tel", autocomplete: "tel", placeholder: Some("+7 701 123 4567"), ..TEXT }))
        }
        fieldset {
            legend { (ctx.t("field-needs")) }
            div.checks {
                @for need in Need::ALL {
                    label {
                        input type="checkbox" name="needs" value=(need.as_str()) checked[d.needs.iter().any(|n| n == need.as_str())];
                        (ctx.label("need", need.as_str()))
                    }
                }
            }
            div.checks {
                label {
                    input type="checkbox" name="accepts_sex_separation" value="1" checked[d.accepts_sex_separation];
                    (ctx.t("field-accepts-sex-separation"))
                }
                label {
                    input type="checkbox" name="accepts_several_rooms" value="1" checked[d.accepts_several_rooms];
                    (ctx.t("field-accepts-several-rooms"))
                }
            }
        }
        div.grid {
            (select_field(ctx, errors, "legal_basis", "legal_basis", "field-legal-basis", "#/legal_basis",
                options(ctx, "legal-basis", LegalBasis::ALL, LegalBasis::as_str, &d.legal_basis, true), false))
            div.field {
                div.checks {
                    label {
                        input type="checkbox" name="information_given" value="1" checked[d.information_given]
                            aria-describedby="information-hint";
                        (ctx.t("field-information-given"))
                    }
                }
                p.hint #information-hint { (ctx.t("field-information-given-hint")) }
                (errors.show(ctx, "#/information_given", "err-information_given"))
            }
        }
        details open[!d.notes.is_empty() || !d.languages.is_empty() || !d.region.is_empty() || editing] {
            summary { (ctx.t("reception-more")) }
            div.grid.grid3 {
                (text_field(ctx, errors, "region", "region", "field-region", &d.region, "#/location/region", TEXT))
                (text_field(ctx, errors, "languages", "languages", "field-languages", &d.languages, "#/languages",
                    InputAttrs { placeholder: Some("ru, kk"), ..TEXT }))
                @if editing {
                    (select_field(ctx, errors, "status", "status", "field-status", "#/status",
                        options(ctx, "status", shanyrak_core::HouseholdStatus::ALL, shanyrak_core::HouseholdStatus::as_str, &d.status, false), false))
                }
            }
            div.field {
                label for="notes" { (ctx.t("field-notes")) }
                textarea #notes name="notes" { (d.notes) }
                p.hint { (ctx.t("field-notes-hint")) }
                (errors.show(ctx, "#/notes", "err-notes"))
            }
        }
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
        p { a href="/import" { (ctx.t("reception-import-link")) } }
        @if draft.quarantine.is_some() {
            p.notice.warn role="status" #correcting { (ctx.t("reception-correcting")) }
        }
        @if let Some(notice) = &notice {
            p.notice.warn role="status" { (notice) }
        }
        @if !errors.is_empty() {
            div.notice.error role="alert" #form-errors tabindex="-1" {
                p { (ctx.count("reception-errors", errors.len() as i64)) }
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
}

pub async fn page(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<ReceptionQuery>,
) -> PageResult {
    web.require(Action::RegisterHousehold).or_page(&web.ctx)?;
    let Some(id) = query.quarantine.as_deref() else {
        let draft = HouseholdDraft::blank(&web.ctx);
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
    // Show the problems right away, next to their fields.
    let errors = match draft.parse() {
        Ok((input, _)) => match validate(&input, &validation_context()) {
            Ok(_) => FieldErrors::default(),
            Err(e) => FieldErrors::from_validation(&e),
        },
        Err(e) => e,
    };
    let found = check_members(&state, &web, &headers, &draft, None)
        .await
        .or_page(&web.ctx)?;
    Ok(form_page(
        &web.ctx,
        &draft,
        &errors,
        &found,
        None,
        StatusCode::OK,
    ))
}

/// The duplicates panel of one member row, for htmx while the volunteer types.
pub async fn check_member(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    form: FormData,
) -> PageResult {
    web.check_csrf(&form).or_page(&web.ctx)?;
    web.require(Action::RegisterHousehold).or_page(&web.ctx)?;
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
    web: Web,
    headers: HeaderMap,
    form: FormData,
) -> PageResult {
    web.check_csrf(&form).or_page(&web.ctx)?;
    web.require(Action::RegisterHousehold).or_page(&web.ctx)?;
    let ctx = &web.ctx;
    let mut draft = HouseholdDraft::from_form(&form);
    let action = form.get("action").unwrap_or("save");
    match action {
        "add" => {
            if draft.members.len() < MAX_FORM_MEMBERS {
                draft.members.push(MemberDraft::blank(Relationship::Child));
            }
            let found = check_members(&state, &web, &headers, &draft, None)
                .await
                .or_page(ctx)?;
            return Ok(form_page(
                ctx,
                &draft,
                &FieldErrors::default(),
                &found,
                None,
                StatusCode::OK,
            ));
        }
        "check" => {
            let found = check_members(&state, &web, &headers, &draft, None)
                .await
                .or_page(ctx)?;
            let notice = found
                .values()
                .all(Vec::is_empty)
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
        remove if remove.starts_with("remove-") => {
            if let Some(i) = remove["remove-".len()..]
                .parse::<usize>()
                .ok()
                .filter(|i| *i < draft.members.len())
                && draft.members.len() > 1
            {
                draft.members.remove(i);
            }
            let found = check_members(&state, &web, &headers, &draft, None)
                .await
                .or_page(ctx)?;
            return Ok(form_page(
                ctx,
                &draft,
                &FieldErrors::default(),
                &found,
                None,
                StatusCode::OK,
            ));
        }
        _ => {}
    }
    // Save.
    let invalid_form = |errors: FieldErrors, found| {
        form_page(
            ctx,
            &draft,
            &errors,
            &found,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let (input, raw) = match draft.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            let found = check_members(&state, &web, &headers, &draft, None)
                .await
                .or_page(ctx)?;
            return Ok(invalid_form(errors, found));
        }
    };
    let household = match validate(&input, &validation_context()) {
        Ok(h) => h,
        Err(errors) => {
            let found = check_members(&state, &web, &headers, &draft, None)
                .await
                .or_page(ctx)?;
            return Ok(invalid_form(FieldErrors::from_validation(&errors), found));
        }
    };
    let canonical = serde_json::to_vec(&raw)
        .map_err(|_| WebError::Api(ApiError::Internal))
        .or_page(ctx)?;
    let idempotency = IdempotencyRequest {
        key: format!("web:{}", draft.submission),
        request_hash: Sha256::digest(&canonical).to_vec(),
    };
    let outcome = match state
        .store
        .create_household(&web.actor, &household, Some(&idempotency), Utc::now())
        .await
    {
        Ok(outcome) => outcome,
        Err(StoreError::IdempotencyKeyReused) => {
            // The same form was already saved, then changed: this is a new registration.
            draft.submission = Uuid::now_v7().to_string();
            return Ok(form_page(
                ctx,
                &draft,
                &FieldErrors::default(),
                &HashMap::new(),
                Some(ctx.t("reception-already-saved")),
                StatusCode::CONFLICT,
            ));
        }
        Err(e) => return Err(WebError::from(e)).or_page(ctx),
    };
    let receipt = match &outcome {
        CreateOutcome::Created(r) | CreateOutcome::Replayed(r) => r.clone(),
    };
    if matches!(outcome, CreateOutcome::Created(_)) {
        tracing::info!(household = %receipt.household_id, members = receipt.member_ids.len(), "household registered on the web");
    }
    let (found, _) = possible_duplicates(&state, &web.actor, receipt.household_id)
        .await
        .or_page(ctx)?;
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
            .await
            .or_page(ctx)?;
        if candidate.status == "pending" {
            state
                .store
                .decide_candidate(&web.actor, candidate.id, "same", Utc::now())
                .await
                .or_page(ctx)?;
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
            .await
            .or_page(ctx)?;
    }
    Ok(see_other(&format!(
        "/households/{}/card?registered=1&attached={attached}",
        receipt.household_id
    )))
}
