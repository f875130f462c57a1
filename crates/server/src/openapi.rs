//! The OpenAPI 3.1 document, generated from the handlers' annotations and the types.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::error::Problem;
use crate::households::{CreatedHousehold, CreatedMember, HouseholdPage};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Shanyrak API",
        description = "Registration of displaced households: register, find, edit. Errors are RFC 9457 problem documents.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    paths(
        crate::households::create_household,
        crate::households::list_households,
        crate::households::get_household,
        crate::households::get_household_by_reference,
        crate::households::patch_household,
        crate::persons::search_post,
        crate::persons::search_get,
        crate::protection::subject_access,
        crate::protection::erase,
        crate::protection::shelter_elsewhere,
        crate::duplicates::queue,
        crate::duplicates::get,
        crate::duplicates::decide,
        crate::duplicates::undo,
        crate::duplicates::count,
        crate::audit::trail,
        crate::audit::access_log,
        crate::stats::coordinator_stats,
        crate::stats::public_stats,
        crate::stats::public_stats_csv,
        crate::agreements::create,
        crate::agreements::list,
        crate::agreements::withdraw,
        crate::encoded_matches::post,
        crate::auth::login,
        crate::auth::logout,
        crate::health,
        crate::health_live,
        crate::health_ready,
        crate::openapi_document,
        crate::shelter::create_site,
        crate::shelter::list_sites,
        crate::shelter::get_site,
        crate::shelter::patch_site,
        crate::shelter::add_pool,
        crate::shelter::update_pool,
        crate::shelter::residents,
        crate::shelter::create_stay,
        crate::shelter::check_in,
        crate::shelter::check_out,
        crate::shelter::cancel,
        crate::shelter::seen,
        crate::shelter::waiting_list,
        crate::placements::propose,
        crate::placements::get_batch,
        crate::placements::decide,
        crate::essentials::create_item,
        crate::essentials::list_items,
        crate::essentials::update_item_rules,
        crate::essentials::update_item_translations,
        crate::essentials::create_point,
        crate::essentials::list_points,
        crate::essentials::receipt,
        crate::essentials::transfer,
        crate::essentials::adjustment,
        crate::essentials::stock,
        crate::essentials::entitlements,
        crate::essentials::record_distribution,
        crate::essentials::distribution_report,
        crate::essentials::stock_report,
        crate::cases::create_case,
        crate::cases::list_cases,
        crate::cases::get_case,
        crate::cases::patch_case,
        crate::cases::add_note,
        crate::cases::list_notes,
        crate::cases::create_referral,
        crate::cases::list_referrals,
        crate::cases::overdue_referrals,
        crate::cases::get_referral,
        crate::cases::transition_referral,
        crate::cases::person_legal_stay,
        crate::cases::record_stay_movement,
        crate::cases::upcoming,
        crate::resettlement::create_programme,
        crate::resettlement::list_programmes,
        crate::resettlement::get_programme,
        crate::resettlement::propose,
        crate::resettlement::list_entries,
        crate::resettlement::report,
        crate::resettlement::transition_entry,
        crate::places::search,
        crate::places::unconfirmed,
        crate::places::map_unconfirmed,
        crate::host_offers::list,
    ),
    components(schemas(Problem, CreatedHousehold, CreatedMember, HouseholdPage)),
    modifiers(&BearerAuth, &CommonResponses, &MergePatchBodies),
    tags(
        (name = "households", description = "Households and their members"),
        (name = "shelter", description = "Sites, bed pools, stays and the waiting list"),
        (name = "identity", description = "Possible duplicates, their review, resolved persons"),
        (name = "audit", description = "The change history of records"),
        (name = "auth", description = "Sign in and out"),
        (name = "essentials", description = "Items, distribution points, the stock ledger, entitlements, distributions and their reports"),
        (name = "cases", description = "Cases, restricted notes, referrals with consent, and the legal-stay tracker"),
        (name = "resettlement", description = "Receiving programmes, households proposed by priority, their pipeline status and the quota report"),
        (name = "meta", description = "Health and this document"),
        (name = "statistics", description = "Figures for coordinators and, under disclosure control, the public")
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The problem responses any operation can give, whatever its handler does: each is a
/// reusable response under `components.responses`, named by its status.
///
/// | status | when | operations |
/// |---|---|---|
/// | 400 | a malformed query, header or JSON body | all |
/// | 401 | no valid token (`WWW-Authenticate: Bearer`) | signed-in ones, and sign-in |
/// | 403 | the role or organisation may not | signed-in ones |
/// | 404 | no such record (or not yours), or an id that is not a UUID | with a path id |
/// | 409 | a rule or a concurrent change refuses it | writes |
/// | 412 | `If-Match` names an older version | with `If-Match` |
/// | 413 | a body over the limit | all |
/// | 415 | a body that is not JSON, or in a `Content-Encoding` | all |
/// | 422 | invalid fields | with a body or query parameters |
/// | 429 | a per-user limit (`Retry-After`) | signed-in ones, and sign-in |
/// | 500 | an internal error | all |
/// | 503 | heavy work is busy (`Retry-After`) | all |
const COMMON: &[(u16, &str)] = &[
    (
        400,
        "Malformed query, header or JSON body (`invalid_query`, `invalid_header`, `malformed_json`)",
    ),
    (
        401,
        "No valid token (`unauthorized`), or wrong e-mail address or password at sign-in (`invalid_credentials`)",
    ),
    (
        403,
        "Not permitted for your role or organisation (`forbidden`)",
    ),
    (
        404,
        "No such record in what you may see (`not_found`); ids that are not UUIDs too",
    ),
    (
        409,
        "Refused by a rule or a concurrent change (`conflict`, `version_mismatch`, `insufficient_stock`, an admission rule's code)",
    ),
    (
        412,
        "`If-Match` names an older version (`version_mismatch`)",
    ),
    (
        413,
        "The body is larger than the limit (`payload_too_large`)",
    ),
    (
        415,
        "The body is not JSON (`unsupported_media_type`) or has a Content-Encoding (`unsupported_content_encoding`)",
    ),
    (
        422,
        "Invalid fields, each with a JSON pointer (`validation_failed`), or an Idempotency-Key reused with another body (`idempotency_key_reused`)",
    ),
    (
        429,
        "Over a per-user limit (`rate_limited`, `too_many_attempts`); `Retry-After` says when to try again",
    ),
    (
        500,
        "Internal error (`internal_error`); nothing about it is in the answer",
    ),
    (
        503,
        "Heavy work is busy or took too long (`busy`); `Retry-After` says when to try again",
    ),
];

/// The name under `components.responses` of the common problem response for a status.
pub fn problem_response_name(status: u16) -> String {
    format!("Problem{status}")
}

fn problem_response(status: u16, description: &str) -> Response {
    let mut builder = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    );
    let header = |description: &str| {
        HeaderBuilder::new()
            .schema(
                utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String),
            )
            .description(Some(description))
            .build()
    };
    match status {
        401 => builder = builder.header("WWW-Authenticate", header("`Bearer`")),
        429 | 503 => {
            builder = builder.header("Retry-After", header("Seconds to wait before trying again"))
        }
        _ => {}
    }
    builder.build()
}

/// `X-Purpose`, which every signed-in request may send: why personal data is read. Reads
/// keep it in the access log (control characters dropped, at most 200 characters kept).
fn purpose_header() -> utoipa::openapi::path::Parameter {
    utoipa::openapi::path::ParameterBuilder::new()
        .name("X-Purpose")
        .parameter_in(utoipa::openapi::path::ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "Why you read personal data (e.g. `referral follow-up`); kept in the access log",
        ))
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .examples(["registration desk"]),
        ))
        .build()
}

/// Which common problem responses an operation can give (see [`COMMON`]).
pub fn common_statuses(path: &str, method: &HttpMethod, operation: &Operation) -> Vec<u16> {
    let signed_in = operation
        .security
        .as_ref()
        .is_some_and(|requirements| !requirements.is_empty());
    let signs_in = path == "/api/v1/auth/token" && matches!(method, HttpMethod::Post);
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_query = parameters
        .iter()
        .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query));
    let has_if_match = parameters
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case("if-match"));
    let writes = !matches!(
        method,
        HttpMethod::Get | HttpMethod::Head | HttpMethod::Options
    );
    let mut statuses = vec![400, 413, 415, 500, 503];
    if signed_in || signs_in {
        statuses.extend([401, 429]);
    }
    if signed_in {
        statuses.push(403);
    }
    if path.contains('{') {
        statuses.push(404);
    }
    if writes && signed_in {
        statuses.push(409);
    }
    if has_if_match {
        statuses.push(412);
    }
    if operation.request_body.is_some() || has_query {
        statuses.push(422);
    }
    statuses.sort_unstable();
    statuses
}

/// Adds the common problem responses to every operation that does not describe them
/// itself, so a new route is documented with them as soon as it is in `paths`; and gives
/// every error response of an operation the problem media type and schema.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (status, description) in COMMON {
            components.responses.insert(
                problem_response_name(*status),
                RefOr::T(problem_response(*status, description)),
            );
        }
        // The codes a country field takes, as the parser knows them.
        components.schemas.insert(
            "CountryCode".to_owned(),
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .description(Some("An assigned ISO 3166-1 alpha-2 country code"))
                .enum_values(Some(shanyrak_core::CountryCode::assigned()))
                .examples(["KZ"])
                .into(),
        );
        for schema in components.schemas.values_mut() {
            if let RefOr::T(schema) = schema {
                unsigned_range(schema);
            }
        }
        // Tagged enums do not carry serde's `deny_unknown_fields` into their variants.
        if let Some(RefOr::T(utoipa::openapi::Schema::OneOf(one_of))) =
            components.schemas.get_mut("EntitlementCondition")
        {
            for variant in one_of.items.iter_mut() {
                if let RefOr::T(utoipa::openapi::Schema::Object(object)) = variant {
                    object.additional_properties = Some(Box::new(
                        utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
                    ));
                }
            }
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (HttpMethod::Get, &mut item.get),
                (HttpMethod::Put, &mut item.put),
                (HttpMethod::Post, &mut item.post),
                (HttpMethod::Delete, &mut item.delete),
                (HttpMethod::Patch, &mut item.patch),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                // Error bodies declared by a handler as JSON are problem documents.
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response
                        && let Some(content) = response.content.shift_remove("application/json")
                    {
                        let is_problem = matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"));
                        let key = if is_problem {
                            PROBLEM_JSON
                        } else {
                            "application/json"
                        };
                        response.content.insert(key.to_owned(), content);
                    }
                }
                // A parameter is absent or has a value: `null` is no header or query value.
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let Some(RefOr::T(utoipa::openapi::Schema::Object(object))) =
                        parameter.schema.as_mut()
                        && let utoipa::openapi::schema::SchemaType::Array(types) =
                            &object.schema_type
                    {
                        let types: Vec<_> = types
                            .iter()
                            .filter(|t| !matches!(t, utoipa::openapi::Type::Null))
                            .cloned()
                            .collect();
                        if types.len() == 1 {
                            object.schema_type =
                                utoipa::openapi::schema::SchemaType::Type(types[0].clone());
                        }
                    }
                }
                let signed_in = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let parameters = operation.parameters.get_or_insert_with(Vec::new);
                if signed_in
                    && !parameters
                        .iter()
                        .any(|p| p.name.eq_ignore_ascii_case("x-purpose"))
                {
                    parameters.push(purpose_header());
                }
                for status in common_statuses(path, &method, operation) {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| {
                            RefOr::Ref(Ref::from_response_name(problem_response_name(status)))
                        });
                }
            }
        }
    }
}

/// A merge patch (RFC 7396) names only what changes, so its body is the input type with no
/// field required, at any depth of nested objects (a nested object is merged, not
/// replaced); list items keep their rules, because a list is replaced whole. Each
/// merge-patch operation's body is pointed at such a copy, named `…Patch`.
struct MergePatchBodies;

const MERGE_PATCH: &str = "application/merge-patch+json";

impl Modify for MergePatchBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for item in openapi.paths.paths.values_mut() {
            let Some(operation) = item.patch.as_mut() else {
                continue;
            };
            let Some(content) = operation
                .request_body
                .as_mut()
                .and_then(|body| body.content.get_mut(MERGE_PATCH))
            else {
                continue;
            };
            if let Some(RefOr::Ref(reference)) = content.schema.as_mut()
                && let Some(name) = component_name(reference)
                && let Some(patch) = patch_component(&mut components.schemas, &name)
            {
                *reference = Ref::from_schema_name(patch);
            }
        }
    }
}

fn component_name(reference: &Ref) -> Option<String> {
    reference
        .ref_location
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

/// Adds the patch copy of the object schema `name` (and of the objects it nests), and
/// returns its name; `None` when `name` is not an object schema.
fn patch_component(
    schemas: &mut std::collections::BTreeMap<String, RefOr<utoipa::openapi::Schema>>,
    name: &str,
) -> Option<String> {
    use utoipa::openapi::Schema;
    let patch_name = format!("{}Patch", name.strip_suffix("Input").unwrap_or(name));
    if schemas.contains_key(&patch_name) {
        return Some(patch_name);
    }
    let Some(RefOr::T(Schema::Object(object))) = schemas.get(name) else {
        return None;
    };
    let mut object = object.clone();
    object.required.clear();
    // Registered before the properties are visited, so a type that nests itself ends.
    schemas.insert(patch_name.clone(), RefOr::T(Schema::Object(object.clone())));
    for property in object.properties.values_mut() {
        match property {
            RefOr::Ref(reference) => patch_reference(schemas, reference),
            RefOr::T(Schema::OneOf(one_of)) => {
                for variant in one_of.items.iter_mut() {
                    if let RefOr::Ref(reference) = variant {
                        patch_reference(schemas, reference);
                    }
                }
            }
            _ => {}
        }
    }
    schemas.insert(patch_name.clone(), RefOr::T(Schema::Object(object)));
    Some(patch_name)
}

fn patch_reference(
    schemas: &mut std::collections::BTreeMap<String, RefOr<utoipa::openapi::Schema>>,
    reference: &mut Ref,
) {
    if let Some(name) = component_name(reference)
        && let Some(patch) = patch_component(schemas, &name)
    {
        let description = reference.description.clone();
        *reference = Ref::from_schema_name(patch);
        reference.description = description;
    }
}

/// utoipa describes a `u32` as `int32` (at most 2^31 - 1), but the server takes every
/// `u32`: without a stated maximum, an unsigned field gets the whole range, as `int64`.
fn unsigned_range(schema: &mut utoipa::openapi::Schema) {
    use utoipa::openapi::schema::{ArrayItems, SchemaFormat, SchemaType};
    use utoipa::openapi::{KnownFormat, Schema, Type};
    let visit = |item: &mut RefOr<Schema>| {
        if let RefOr::T(schema) = item {
            unsigned_range(schema);
        }
    };
    match schema {
        Schema::Object(object) => {
            let integer = match &object.schema_type {
                SchemaType::Type(Type::Integer) => true,
                SchemaType::Array(types) => types.contains(&Type::Integer),
                _ => false,
            };
            if integer
                && matches!(
                    object.format,
                    Some(SchemaFormat::KnownFormat(KnownFormat::Int32))
                )
                && object.minimum.as_ref().is_some_and(|m| match m {
                    utoipa::Number::Int(n) => *n >= 0,
                    utoipa::Number::UInt(_) => true,
                    utoipa::Number::Float(f) => *f >= 0.0,
                })
                && object.maximum.is_none()
            {
                object.format = Some(SchemaFormat::KnownFormat(KnownFormat::Int64));
                object.maximum = Some(f64::from(u32::MAX).into());
            }
            object.properties.values_mut().for_each(visit);
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                visit(items);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(visit),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(visit),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(visit),
        _ => {}
    }
}

fn string_enum(values: &[&str]) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(values.iter().copied()))
        .build()
}

/// `registered_since`: a date or a date-time (ISO 8601).
pub fn date_or_date_time() -> utoipa::openapi::Schema {
    use utoipa::openapi::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let format = |f| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(f)))
            .build()
    };
    utoipa::openapi::schema::AnyOfBuilder::new()
        .item(format(KnownFormat::Date))
        .item(format(KnownFormat::DateTime))
        .build()
        .into()
}

/// The review queue's `status`.
pub fn queue_status() -> utoipa::openapi::Object {
    string_enum(&["pending", "same", "different"])
}

/// A duplicate decision.
pub fn decision() -> utoipa::openapi::Object {
    string_enum(&["same", "different"])
}

/// Which referrals: `sent` or `received`.
pub fn referral_direction() -> utoipa::openapi::Object {
    string_enum(&["sent", "received"])
}

/// How the distribution report is grouped.
pub fn report_by() -> utoipa::openapi::Object {
    string_enum(&["item", "day", "point", "organisation", "group"])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use utoipa::openapi::path::ParameterIn;

    use super::*;

    fn operations(
        doc: &utoipa::openapi::OpenApi,
    ) -> Vec<(String, HttpMethod, &'static str, &Operation)> {
        let mut out = Vec::new();
        for (path, item) in &doc.paths.paths {
            for (method, name, operation) in [
                (HttpMethod::Get, "get", &item.get),
                (HttpMethod::Put, "put", &item.put),
                (HttpMethod::Post, "post", &item.post),
                (HttpMethod::Delete, "delete", &item.delete),
                (HttpMethod::Patch, "patch", &item.patch),
            ] {
                if let Some(operation) = operation {
                    out.push((path.clone(), method, name, operation));
                }
            }
        }
        out
    }

    #[test]
    fn every_route_is_documented_and_every_documented_operation_is_routed() {
        let doc = ApiDoc::openapi();
        let documented: BTreeSet<(String, String)> = operations(&doc)
            .into_iter()
            .map(|(path, _, method, _)| (method.to_owned(), path))
            .collect();
        let mut routed: BTreeSet<(String, String)> = crate::API_ROUTES
            .iter()
            .map(|(method, path)| ((*method).to_owned(), format!("/api/v1{path}")))
            .collect();
        for path in ["/healthz", "/healthz/live", "/healthz/ready"] {
            routed.insert(("get".to_owned(), path.to_owned()));
        }
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from the document: {undocumented:?}"
        );
        assert!(
            unrouted.is_empty(),
            "documented but not routed: {unrouted:?}"
        );
    }

    #[test]
    fn every_operation_declares_its_parameters_and_problem_responses() {
        let doc = ApiDoc::openapi();
        let components = doc.components.as_ref().expect("components");
        for (path, method, name, operation) in operations(&doc) {
            let label = format!("{name} {path}");
            let parameters = operation.parameters.as_deref().unwrap_or_default();
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let wanted = segment.trim_matches(|c| c == '{' || c == '}');
                assert!(
                    parameters
                        .iter()
                        .any(|p| p.name == wanted && matches!(p.parameter_in, ParameterIn::Path)),
                    "{label}: path parameter {wanted} is not declared"
                );
            }
            let statuses = common_statuses(&path, &method, operation);
            assert!(
                statuses.contains(&500) && statuses.contains(&415),
                "{label}"
            );
            if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                assert!(
                    statuses.contains(&401) && statuses.contains(&403),
                    "{label}"
                );
            }
            for status in statuses {
                assert!(
                    operation
                        .responses
                        .responses
                        .contains_key(&status.to_string()),
                    "{label} does not declare {status}"
                );
            }
            assert!(
                operation
                    .responses
                    .responses
                    .keys()
                    .any(|s| s.starts_with('2')),
                "{label} declares no success"
            );
            for (status, response) in &operation.responses.responses {
                if !status.starts_with('4') && !status.starts_with('5') {
                    continue;
                }
                let response = match response {
                    RefOr::T(response) => response,
                    RefOr::Ref(r) => {
                        let name = r.ref_location.rsplit('/').next().unwrap_or_default();
                        match components.responses.get(name) {
                            Some(RefOr::T(response)) => response,
                            _ => panic!("{label} {status}: no response named {name}"),
                        }
                    }
                };
                if path.starts_with("/healthz") && status == "503" {
                    continue; // the health document itself, for load balancers
                }
                assert!(
                    response.content.len() == 1 && response.content.contains_key(PROBLEM_JSON),
                    "{label} {status} is not a problem document: {:?}",
                    response.content.keys().collect::<Vec<_>>()
                );
            }
        }
    }

    fn json() -> serde_json::Value {
        serde_json::to_value(ApiDoc::openapi()).expect("the document serialises")
    }

    #[test]
    fn creation_bodies_require_what_validation_requires_and_merge_patches_require_nothing() {
        let doc = json();
        let schemas = &doc["components"]["schemas"];
        let required = |name: &str| -> Vec<String> {
            schemas[name]["required"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(required("SiteInput"), ["name", "kind", "location"]);
        assert_eq!(required("LocationInput"), ["country", "city"]);
        assert_eq!(
            required("TransferInput"),
            ["item_id", "quantity", "to_point_id"]
        );
        assert_eq!(required("CaseNoteInput"), ["text"]);
        for (path, patch) in [
            ("/api/v1/sites/{id}", "SitePatch"),
            ("/api/v1/cases/{id}", "CasePatch"),
        ] {
            let body = &doc["paths"][path]["patch"]["requestBody"]["content"][MERGE_PATCH]["schema"]
                ["$ref"];
            assert_eq!(body, &format!("#/components/schemas/{patch}"));
            assert!(required(patch).is_empty(), "{patch}");
        }
        assert!(required("LocationPatch").is_empty());
        let location =
            serde_json::to_string(&schemas["SitePatch"]["properties"]["location"]).expect("json");
        assert!(location.contains("LocationPatch"), "{location}");
    }

    #[test]
    fn text_fields_state_their_rules_and_unsigned_fields_their_range() {
        let doc = json();
        let schemas = &doc["components"]["schemas"];
        let name_pattern = schemas["SiteInput"]["properties"]["name"]["pattern"]
            .as_str()
            .expect("a pattern on the site name");
        let name = regex::Regex::new(name_pattern).expect("the pattern compiles");
        assert!(name.is_match("Спортзал №3"));
        assert!(!name.is_match("   "));
        assert!(!name.is_match("a\u{0}b"));
        let mut loose = Vec::new();
        fn walk(value: &serde_json::Value, at: &str, loose: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(map) => {
                    if map.get("format").and_then(|f| f.as_str()) == Some("int32")
                        && map
                            .get("minimum")
                            .and_then(|m| m.as_f64())
                            .is_some_and(|m| m >= 0.0)
                        && map.get("maximum").is_none()
                    {
                        loose.push(at.to_owned());
                    }
                    for (key, child) in map {
                        walk(child, &format!("{at}/{key}"), loose);
                    }
                }
                serde_json::Value::Array(items) => {
                    for (i, child) in items.iter().enumerate() {
                        walk(child, &format!("{at}/{i}"), loose);
                    }
                }
                _ => {}
            }
        }
        walk(schemas, "#/components/schemas", &mut loose);
        assert!(
            loose.is_empty(),
            "unsigned fields declared as int32 without a maximum: {loose:?}"
        );
    }
}
