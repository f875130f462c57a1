//! Success responses shared by the API's handlers.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The header that marks a response replayed for a repeated `Idempotency-Key`.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// 201 with the record created.
pub fn created(body: impl Serialize) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// 201 with the record, marked when an Idempotency-Key replayed an earlier request.
pub fn created_once(body: impl Serialize, replayed: bool) -> Response {
    let mut response = created(body);
    if replayed {
        response
            .headers_mut()
            .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}

/// Declares response bodies of the form `{"items": […]}`, one struct (and one named
/// schema in the OpenAPI document) per kind of record: `CaseList(Case);`. Doc comments
/// before a name describe the list, inside the parentheses its items.
macro_rules! item_lists {
    ($($(#[$list:meta])* $name:ident($(#[$items:meta])* $item:ty);)+) => {$(
        $(#[$list])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            $(#[$items])*
            pub items: Vec<$item>,
        }
    )+};
}
pub(crate) use item_lists;
