//! `/api/v1/persons/search`: find a person by name in any script, document number, phone
//! or household reference.
//!
//! `POST` with a JSON body is the recommended form, because a name typed into a URL ends
//! up in browser histories and proxy logs; `GET ?q=` exists for simple clients and is
//! never logged with its query string here.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use shanyrak_core::{BirthDate, FieldErrorCode, Household, HouseholdStatus, ReferenceCode, Sex};
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Authenticated};

const DEFAULT_RESULTS: usize = 20;
const MAX_RESULTS: usize = 100;
const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// A name in any script and order, a document number, a phone or a household reference.
    #[param(max_length = 200)]
    #[schema(max_length = 200)]
    pub q: String,
    /// At most this many results (1 to 100, default 20).
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonHit {
    pub person_id: Uuid,
    pub household_id: Uuid,
    pub reference: ReferenceCode,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub sex: Sex,
    pub birth_date: BirthDate,
    pub city: String,
    pub household_status: HouseholdStatus,
}

crate::reply::item_lists! {
    PersonHits(PersonHit);
}

fn hits_of(household: &Household, only: Option<Uuid>) -> Vec<PersonHit> {
    household
        .members
        .iter()
        .filter(|m| only.is_none_or(|id| id == m.id))
        .map(|m| PersonHit {
            person_id: m.id,
            household_id: household.id,
            reference: household.reference,
            surname: m.surname.clone(),
            given_name: m.given_name.clone(),
            patronymic: m.patronymic.clone(),
            sex: m.sex,
            birth_date: m.birth_date,
            city: household.location.city.clone(),
            household_status: household.status,
        })
        .collect()
}

pub(crate) async fn search(
    state: &AppState,
    actor: &shanyrak_core::Actor,
    headers: &axum::http::HeaderMap,
    query: &SearchQuery,
) -> Result<PersonHits, ApiError> {
    // Checked before the index is asked, so that even "no results" is not an answer.
    crate::access::require(actor, shanyrak_core::Action::ReadHousehold)?;
    let hits = find(state, actor, query).await?;
    // The search text is personal data itself: only the number of results is logged.
    crate::audit::log_read(
        state,
        actor,
        headers,
        "search_persons",
        None,
        serde_json::json!({ "results": hits.items.len() }),
    )
    .await?;
    Ok(hits)
}

async fn find(
    state: &AppState,
    actor: &shanyrak_core::Actor,
    query: &SearchQuery,
) -> Result<PersonHits, ApiError> {
    let text = query.q.trim();
    if query.q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid_query(
            "#/q",
            format!("the search text has at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_RESULTS);
    if !(1..=MAX_RESULTS).contains(&limit) {
        return Err(ApiError::invalid_query(
            "#/limit",
            format!("limit is 1 to {MAX_RESULTS}"),
        ));
    }
    if text.is_empty() {
        // Blank text finds nothing, as in the place list: a typeahead asks before typing.
        return Ok(PersonHits { items: Vec::new() });
    }
    if let Ok(reference) = text.parse::<ReferenceCode>() {
        return match state
            .store
            .get_household_by_reference(actor, &reference)
            .await
        {
            Ok(household) => Ok(PersonHits {
                items: hits_of(&household, None),
            }),
            Err(shanyrak_store::StoreError::NotFound) => Ok(PersonHits { items: Vec::new() }),
            Err(e) => Err(e.into()),
        };
    }
    let viewer = shanyrak_core::visibility::Viewer::own(actor);
    let by = shanyrak_linkage::SearchBy {
        phone: viewer.sees(shanyrak_core::visibility::Field::Phone),
        documents: viewer.sees(shanyrak_core::visibility::Field::DocumentNumber),
    };
    let found = state
        .identity_ready()
        .await?
        .search_by(actor.organisation_id, text, limit, by)?;
    let mut households: HashMap<Uuid, Household> = HashMap::new();
    let mut items = Vec::with_capacity(found.len());
    for (person_id, household_id) in found {
        if let std::collections::hash_map::Entry::Vacant(e) = households.entry(household_id) {
            match state.store.get_household(actor, household_id).await {
                Ok(h) => {
                    e.insert(h);
                }
                // Removed since it was indexed: the index catches up on its next refresh.
                Err(shanyrak_store::StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(h) = households.get(&household_id) {
            items.extend(hits_of(h, Some(person_id)));
        }
    }
    Ok(PersonHits { items })
}

/// Find persons of your organisation (recommended form: the text stays out of URLs).
#[utoipa::path(post, path = "/api/v1/persons/search", tag = "households", request_body = SearchQuery,
    responses((status = 200, body = PersonHits), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn search_post(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: axum::http::HeaderMap,
    body: ApiJson<SearchQuery>,
) -> Result<Json<PersonHits>, ApiError> {
    Ok(Json(search(&state, &actor, &headers, &body.value).await?))
}

/// Find persons of your organisation by `?q=`.
#[utoipa::path(get, path = "/api/v1/persons/search", tag = "households", params(SearchQuery),
    responses((status = 200, body = PersonHits), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn search_get(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: axum::http::HeaderMap,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PersonHits>, ApiError> {
    let Query(query) = query.map_err(|_| {
        ApiError::query_error(
            "#/q",
            FieldErrorCode::Required,
            "query parameter q is required",
        )
    })?;
    Ok(Json(search(&state, &actor, &headers, &query).await?))
}
