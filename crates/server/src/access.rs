//! Who may make an API request, stated in the handler's signature, and the path ids it
//! reads; shared with the web interface's extractors (`web::access`).
//!
//! The checks run in the order the handlers used to spell out one by one: the bearer
//! token (401), the path and query, the JSON body when there is one (415, 413, 400, 422),
//! the permission (403), then the ids (a malformed id is a record that does not exist,
//! 404). A handler's own validation comes after all of them.

use std::future::Future;
use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use shanyrak_core::{Action, Actor};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, Authenticated, parse_id};

/// 403 unless the actor's role allows `action`.
pub fn require(actor: &Actor, action: Action) -> Result<(), ApiError> {
    if actor.may(action) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Who may make a request or open a page: a marker type from [`may`].
pub trait Permission {
    fn allows(actor: &Actor) -> bool;
}

/// The permissions handlers ask for, one marker type each, named as the [`Action`].
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
        CaseNotes,
        Distribute,
        EraseSubject,
        ManageAgreements,
        ManageCases,
        ManageHostOffers,
        ManageReferrals,
        ManageResettlement,
        ManageSites,
        ManageStock,
        MapPlaces,
        PlaceHouseholds,
        ReadDistributions,
        ReadHousehold,
        ReadShelterElsewhere,
        ReadSites,
        ReceiveReferrals,
        RegisterHousehold,
        ReviewDuplicates,
        SubjectAccess,
        TrackLegalStay,
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

/// What a handler reads from the path and query, named by the shape of its path:
/// `Uuid`, `(Uuid, Uuid)`, `Query<Q>`, `(Uuid, Query<Q>)`…; the handler gets the ids and
/// the query in fields of their own. Both are taken from the request before the checks (a
/// path or query axum cannot read is its plain 400), and the ids are parsed after them, so
/// someone who may not see a record learns nothing from the shape of its ids.
pub trait Params: Sized + Send {
    type Raw: Send;
    /// The path ids (`()` without any).
    type Ids: Send + std::fmt::Debug;
    /// The query (`()` without one).
    type Query: Send + std::fmt::Debug;

    fn extract(
        parts: &mut Parts,
        state: &AppState,
    ) -> impl Future<Output = Result<Self::Raw, Response>> + Send;

    fn parse(raw: Self::Raw) -> Result<(Self::Ids, Self::Query), ApiError>;
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
    type Ids = ();
    type Query = ();

    async fn extract(_: &mut Parts, _: &AppState) -> Result<(), Response> {
        Ok(())
    }

    fn parse((): ()) -> Result<((), ()), ApiError> {
        Ok(((), ()))
    }
}

/// One id: `/cases/{id}`.
impl Params for Uuid {
    type Raw = String;
    type Ids = Uuid;
    type Query = ();

    async fn extract(parts: &mut Parts, state: &AppState) -> Result<String, Response> {
        path(parts, state).await
    }

    fn parse(raw: String) -> Result<(Uuid, ()), ApiError> {
        Ok((parse_id(&raw)?, ()))
    }
}

/// Two ids: `/sites/{id}/pools/{pool_id}`.
impl Params for (Uuid, Uuid) {
    type Raw = (String, String);
    type Ids = Self;
    type Query = ();

    async fn extract(parts: &mut Parts, state: &AppState) -> Result<Self::Raw, Response> {
        path(parts, state).await
    }

    fn parse((a, b): Self::Raw) -> Result<(Self, ()), ApiError> {
        Ok(((parse_id(&a)?, parse_id(&b)?), ()))
    }
}

/// An id and a word the handler matches itself: `/cases/{id}/{what}`.
impl Params for (Uuid, String) {
    type Raw = (String, String);
    type Ids = Self;
    type Query = ();

    async fn extract(parts: &mut Parts, state: &AppState) -> Result<Self::Raw, Response> {
        path(parts, state).await
    }

    fn parse((id, word): Self::Raw) -> Result<(Self, ()), ApiError> {
        Ok(((parse_id(&id)?, word), ()))
    }
}

/// The query of a page without path parameters.
impl<Q: DeserializeOwned + Send + std::fmt::Debug> Params for Query<Q> {
    type Raw = Q;
    type Ids = ();
    type Query = Q;

    async fn extract(parts: &mut Parts, state: &AppState) -> Result<Q, Response> {
        query(parts, state).await
    }

    fn parse(raw: Q) -> Result<((), Q), ApiError> {
        Ok(((), raw))
    }
}

/// An id and the page's query: `/distribute/{id}?point=…`.
impl<Q: DeserializeOwned + Send + std::fmt::Debug> Params for (Uuid, Query<Q>) {
    type Raw = (String, Q);
    type Ids = Uuid;
    type Query = Q;

    async fn extract(parts: &mut Parts, state: &AppState) -> Result<Self::Raw, Response> {
        let id = path(parts, state).await?;
        Ok((id, query(parts, state).await?))
    }

    fn parse((id, q): Self::Raw) -> Result<(Uuid, Q), ApiError> {
        Ok((parse_id(&id)?, q))
    }
}

/// An API request by a signed-in user with permission `P`, to a path with ids `I`.
#[derive(Debug)]
pub struct Permitted<P, I: Params = ()> {
    pub actor: Actor,
    pub id: I::Ids,
    pub query: I::Query,
    permission: PhantomData<P>,
}

impl<P: Permission, I: Params> FromRequestParts<AppState> for Permitted<P, I> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Authenticated(actor) = Authenticated::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let raw = I::extract(parts, state).await?;
        let (id, query) = permit::<P, I>(&actor, raw).map_err(IntoResponse::into_response)?;
        Ok(Permitted {
            actor,
            id,
            query,
            permission: PhantomData,
        })
    }
}

/// An API request with a JSON body `T` by a signed-in user with permission `P`, to a
/// path with ids `I`. The body is read before the permission is checked, as a handler
/// taking [`ApiJson`] always did.
#[derive(Debug)]
pub struct PermittedJson<P, T, I: Params = ()> {
    pub actor: Actor,
    pub id: I::Ids,
    pub body: ApiJson<T>,
    permission: PhantomData<P>,
}

impl<P, T, I> FromRequest<AppState> for PermittedJson<P, T, I>
where
    P: Permission,
    T: DeserializeOwned + Send + 'static,
    I: Params<Query = ()>,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Authenticated(actor) = Authenticated::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let raw = I::extract(&mut parts, state).await?;
        let body = ApiJson::<T>::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let (id, ()) = permit::<P, I>(&actor, raw).map_err(IntoResponse::into_response)?;
        Ok(PermittedJson {
            actor,
            id,
            body,
            permission: PhantomData,
        })
    }
}

/// A request by any signed-in user, to a path with ids `I`: the store decides what they
/// may see or do.
pub type User<I = ()> = Permitted<may::SignedIn, I>;

/// A request with a JSON body `T` by any signed-in user, to a path with ids `I`.
pub type UserJson<T, I = ()> = PermittedJson<may::SignedIn, T, I>;

fn permit<P: Permission, I: Params>(
    actor: &Actor,
    raw: I::Raw,
) -> Result<(I::Ids, I::Query), ApiError> {
    if !P::allows(actor) {
        return Err(ApiError::Forbidden);
    }
    I::parse(raw)
}
