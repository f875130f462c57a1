//! The household form's fields, drawn from a draft with their errors next to them: shared
//! by reception (a new household) and the household's edit page.

use maud::{Markup, html};
use shanyrak_core::{
    DocumentType, LegalBasis, Need, PopulationGroup, Relationship, Sex, Vulnerability,
};

use super::Ctx;
use super::forms::FieldErrors;
use super::household_draft::{COMMON_COUNTRIES, HouseholdDraft, MemberDraft};
use super::reception::DuplicateView;

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
                aria-invalid=[bad] aria-describedby=[described.as_deref()] required[attrs.required] autofocus[attrs.autofocus]
                list=[attrs.places.then_some(super::places::PLACE_LIST_ID)]
                hx-post=[attrs.places.then_some("/places/suggest")]
                hx-params=[attrs.places.then(|| format!("csrf,{name}"))]
                hx-trigger=[attrs.places.then_some("input changed delay:300ms")]
                hx-target=[attrs.places.then(|| format!("#{}", super::places::PLACE_LIST_ID))]
                hx-swap=[attrs.places.then_some("innerHTML")];
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
    autofocus: bool,
    /// Offers the place list's suggestions (a datalist; narrowed as one types with htmx).
    places: bool,
}

const TEXT: InputAttrs = InputAttrs {
    kind: "text",
    autocomplete: "off",
    inputmode: None,
    placeholder: None,
    hint: None,
    required: false,
    autofocus: false,
    places: false,
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

/// The `attach` value of "a different person". Nothing is chosen for the volunteer: saving
/// waits until each member with possible duplicates has one answer or the other.
pub const NEW_PERSON: &str = "new";

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
                div.duplicates.invalid[member.undecided] role="group" aria-labelledby=(format!("dup-title-{i}")) {
                    p id=(format!("dup-title-{i}")) { strong { (ctx.t("reception-duplicates-title")) } }
                    @if member.undecided {
                        p.field-error role="alert" { (ctx.t("reception-duplicates-decide")) }
                    }
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
                                input type="radio" name=(attach_name) value=(NEW_PERSON) checked[member.attach == NEW_PERSON];
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
                (text_field(ctx, errors, &n("given_name"), &id("given_name"), "field-given-name", &m.given_name, &p("given_name"), InputAttrs { required: true, autofocus: m.focus, ..TEXT }))
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
            (text_field(ctx, errors, "crossing_point", "crossing_point", "field-crossing-point", &d.crossing_point, "#/crossing_point", InputAttrs { places: true, ..TEXT }))
        }
        (super::places::datalist(ctx))
        div.grid.grid3 {
            (select_field(ctx, errors, "country", "country", "field-country", "#/location/country", country_options(ctx, &d.country), true))
            (text_field(ctx, errors, "city", "city", "field-city", &d.city, "#/location/city", InputAttrs { required: true, autocomplete: "address-level2", places: true, ..TEXT }))
            (text_field(ctx, errors, "current_place", "current_place", "field-current-place", &d.current_place, "#/current_location", InputAttrs { places: true, ..TEXT }))
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
                        input #information_given type="checkbox" name="information_given" value="1" checked[d.information_given]
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
