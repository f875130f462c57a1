//! What a handler needs before its own work starts, stated in its signature: a session, a
//! permission, the ids of its path and, for a form, a CSRF token that matches the session.
//!
//! The checks run in one order on every page, the order the handlers used to spell out one
//! by one: session (else the sign-in page), path and query (else axum's plain 400), CSRF
//! token, permission, then the ids (a malformed id is a record that does not exist). So a
//! refused request is answered the same whichever page it was sent to, and a page that
//! forgets a check does not compile into something that runs without it.

use std::future::Future;
use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use shanyrak_core::{Action, Actor};
use uuid::Uuid;

use super::forms::FormData;
use super::{OrPage, Web, WebError};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::parse_id;

/// Who may open a page: a marker type from [`may`].
pub trait Permission {
    fn allows(actor: &Actor) -> bool;
}

/// The permissions pages ask for, one marker type each, named as the [`Action`].
pub mod may {
    use super::{Action, Actor, Permission};

    macro_rules! permissions {
        ($($name:ident),+ $(,)?) => {$(
            #[doc = concat!("[`Action::", stringify!($name), "`].")]
            #[derive(Debug)]
            pub struct $name;

            impl Permission for $name {
                fn allows(actor: &Actor) -> bool {
                    actor.may(Action::$name)
                }
            }
        )+};
    }

    permissions!(
        Distribute,
        EraseSubject,
        ManageCases,
        ManageHostOffers,
        ManageResettlement,
        ManageSites,
        MapPlaces,
        PlaceHouseholds,
        ReadHousehold,
        ReadSites,
        ReceiveReferrals,
        RegisterHousehold,
        ReviewDuplicates,
        SubjectAccess,
        UpdateHousehold,
    );

    /// Anyone signed in: the store decides what they see.
    #[derive(Debug)]
    pub struct SignedIn;

    impl Permission for SignedIn {
        fn allows(_: &Actor) -> bool {
            true
        }
    }

    /// Either end of a referral: the organisation that sends it or the one that gets it.
    #[derive(Debug)]
    pub struct FollowReferrals;

    impl Permission for FollowReferrals {
        fn allows(actor: &Actor) -> bool {
            actor.may(Action::ManageReferrals) || actor.may(Action::ReceiveReferrals)
        }
    }
}

/// What a handler reads from the path and query: taken from the request before the
/// checks (a path or query axum cannot read is its plain 400), and turned into ids after
/// them, so someone who may not see a page learns nothing from the shape of its ids.
pub trait Params: Sized + Send {
    type Raw: Send;

    fn extract(
        parts: &mut Parts,
        state: &AppState,
    ) -> impl Future<Output = Result<Self::Raw, Response>> + Send;

    fn parse(raw: Self::Raw) -> Result<Self, ApiError>;
}

async fn path<T: DeserializeOwned + Send>(
    parts: &mut Parts,
    state: &AppState,
) -> Result<T, Response> {
    Path::<T>::from_request_parts(parts, state)
        .await
        .map(|Path(raw)| raw)
        .map_err(IntoResponse::into_response)
}

async fn query<Q: DeserializeOwned + Send>(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Q, Response> {
    Query::<Q>::from_request_parts(parts, state)
        .await
        .map(|Query(raw)| raw)
        .map_err(IntoResponse::into_response)
}

/// No path parameters.
impl Params for () {
    type Raw = ();

    async fn extract(_: &mut Parts, _: &AppState) -> Result<(), Response> {
        Ok(())
    }

    fn parse((): ()) -> Result<(), ApiError> {
        Ok(())
    }
}

/// One id: `/cases/{id}`.
impl Params for Uuid {
    type Raw = String;

    async fn extract(parts: &mut Parts, state: &AppState) -> Result<String, Response> {
        path(parts, state).await
    }

    fn parse(raw: String) -> Result<Uuid, ApiError> {
        parse_id(&raw)
    }
}

/// Two ids: `/sites/{id}/pools/{pool_id}`.
impl Params for (Uuid, Uuid) {
    type Raw = (String, String);

    async fn extract(parts: &mut Parts, state: &AppState) -> Result<Self::Raw, Response> {
        path(parts, state).await
    }

    fn parse((a, b): Self::Raw) -> Result<Self, ApiError> {
        Ok((parse_id(&a)?, parse_id(&b)?))
    }
}

/// An id and a word the handler matches itself: `/cases/{id}/{what}`.
impl Params for (Uuid, String) {
    type Raw = (String, String);

    async fn extract(parts: &mut Parts, state: &AppState) -> Result<Self::Raw, Response> {
        path(parts, state).await
    }

    fn parse((id, word): Self::Raw) -> Result<Self, ApiError> {
        Ok((parse_id(&id)?, word))
    }
}

/// The query of a page without path parameters.
impl<Q: DeserializeOwned + Send> Params for Query<Q> {
    type Raw = Q;

    async fn extract(parts: &mut Parts, state: &AppState) -> Result<Q, Response> {
        query(parts, state).await
    }

    fn parse(raw: Q) -> Result<Self, ApiError> {
        Ok(Query(raw))
    }
}

/// An id and the page's query: `/distribute/{id}?point=…`.
impl<Q: DeserializeOwned + Send> Params for (Uuid, Query<Q>) {
    type Raw = (String, Q);

    async fn extract(parts: &mut Parts, state: &AppState) -> Result<Self::Raw, Response> {
        let id = path(parts, state).await?;
        Ok((id, query(parts, state).await?))
    }

    fn parse((id, q): Self::Raw) -> Result<Self, ApiError> {
        Ok((parse_id(&id)?, Query(q)))
    }
}

/// A page for a signed-in user with permission `P`, with its path and query `I`.
#[derive(Debug)]
pub struct Can<P, I = ()> {
    pub web: Web,
    pub id: I,
    permission: PhantomData<P>,
}

impl<P: Permission, I: Params> FromRequestParts<AppState> for Can<P, I> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let web = Web::from_request_parts(parts, state).await?;
        let raw = I::extract(parts, state).await?;
        allow::<P>(&web).map_err(IntoResponse::into_response)?;
        let id = I::parse(raw)
            .or_page(&web.ctx)
            .map_err(IntoResponse::into_response)?;
        Ok(Can {
            web,
            id,
            permission: PhantomData,
        })
    }
}

/// A form sent by a signed-in user with permission `P`, to a path with ids `I`: the form
/// is read with [`FormData`]'s limits and its CSRF token is checked before anything else
/// is looked at.
#[derive(Debug)]
pub struct Submit<P, I = ()> {
    pub web: Web,
    pub id: I,
    pub form: FormData,
    permission: PhantomData<P>,
}

impl<P: Permission, I: Params> FromRequest<AppState> for Submit<P, I> {
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
        let id = I::parse(raw)
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
