//! What a handler needs before its own work starts, stated in its signature: a session, a
//! permission, the ids of its path and, for a form, a CSRF token that matches the session.
//!
//! The checks run in one order on every page, the order the handlers used to spell out one
//! by one: session (else the sign-in page), path and query (else axum's plain 400), CSRF
//! token, permission, then the ids (a malformed id is a record that does not exist). So a
//! refused request is answered the same whichever page it was sent to, and a page that
//! forgets a check does not compile into something that runs without it.

use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::forms::FormData;
use super::{OrPage, Web, WebError};
use crate::AppState;
pub use crate::access::{Params, Permission, may};
use crate::error::ApiError;

/// A page for a signed-in user with permission `P`, with its path and query `I`.
#[derive(Debug)]
pub struct Can<P, I: Params = ()> {
    pub web: Web,
    pub id: I::Ids,
    pub query: I::Query,
    permission: PhantomData<P>,
}

impl<P: Permission, I: Params> FromRequestParts<AppState> for Can<P, I> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let web = Web::from_request_parts(parts, state).await?;
        let raw = I::extract(parts, state).await?;
        allow::<P>(&web).map_err(IntoResponse::into_response)?;
        let (id, query) = I::parse(raw)
            .or_page(&web.ctx)
            .map_err(IntoResponse::into_response)?;
        Ok(Can {
            web,
            id,
            query,
            permission: PhantomData,
        })
    }
}

/// A form sent by a signed-in user with permission `P`, to a path with ids `I`: the form
/// is read with [`FormData`]'s limits and its CSRF token is checked before anything else
/// is looked at.
#[derive(Debug)]
pub struct Submit<P, I: Params = ()> {
    pub web: Web,
    pub id: I::Ids,
    pub form: FormData,
    permission: PhantomData<P>,
}

impl<P: Permission, I: Params<Query = ()>> FromRequest<AppState> for Submit<P, I> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let web = Web::from_request_parts(&mut parts, state).await?;
        let raw = I::extract(&mut parts, state).await?;
        let form = FormData::from_request(Request::from_parts(parts, body), state).await?;
        web.check_csrf(&form)
            .or_page(&web.ctx)
            .map_err(IntoResponse::into_response)?;
        allow::<P>(&web).map_err(IntoResponse::into_response)?;
        let (id, ()) = I::parse(raw)
            .or_page(&web.ctx)
            .map_err(IntoResponse::into_response)?;
        Ok(Submit {
            web,
            id,
            form,
            permission: PhantomData,
        })
    }
}

fn allow<P: Permission>(web: &Web) -> Result<(), super::PageError> {
    if P::allows(&web.actor) {
        Ok(())
    } else {
        Err(WebError::Api(ApiError::Forbidden)).or_page(&web.ctx)
    }
}
