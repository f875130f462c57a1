//! Sign in, sign out, and the language switch.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::html;
use serde::Deserialize;
use shanyrak_store::StoreError;

use super::forms::{FormData, field};
use super::{Ctx, LANG_COOKIE, Lang, SESSION_HOURS, Visitor, Web, render, see_other};
use crate::AppState;
use crate::extract::ClientAddr;

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

/// Only a path of this site: `/households/…`, never `//evil.example` or a full URL.
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && n.bytes().all(|b| b.is_ascii_graphic())
    })
    .map(str::to_owned)
}

fn login_form(
    ctx: &Ctx,
    next: Option<&str>,
    email: &str,
    problem: Option<(StatusCode, String)>,
) -> Response {
    let status = problem
        .as_ref()
        .map_or(StatusCode::OK, |(status, _)| *status);
    let problem = problem.map(|(_, text)| text);
    let body = html! {
        section.narrow {
            h1 { (ctx.t("login-title")) }
            @if let Some(problem) = &problem {
                p.notice.error role="alert" #login-problem { (problem) }
            }
            form method="post" action="/login" {
                (ctx.csrf_field())
                @if let Some(next) = next {
                    input type="hidden" name="next" value=(next);
                }
                div.field {
                    label for="email" { (ctx.t("login-email")) }
                    input #email type="email" name="email" value=(email) autocomplete="username"
                        required autofocus aria-describedby=[problem.as_ref().map(|_| "login-problem")];
                }
                div.field {
                    label for="password" { (ctx.t("login-password")) }
                    input #password type="password" name="password" autocomplete="current-password" required;
                }
                button type="submit" { (ctx.t("login-submit")) }
            }
        }
    };
    (status, render(ctx, &ctx.t("login-title"), body)).into_response()
}

pub async fn page(visitor: Visitor, Query(query): Query<NextQuery>) -> Response {
    if let Some(user) = &visitor.ctx.user {
        return see_other(super::home_path(&user.actor));
    }
    login_form(
        &visitor.ctx,
        safe_next(query.next.as_deref()).as_deref(),
        "",
        None,
    )
}

fn session_cookie(state: &AppState, secret: &str, max_age_seconds: i64) -> HeaderValue {
    let name = state.session_cookie_name();
    let secure = state.cookie_secure_attribute();
    HeaderValue::from_str(&format!(
        "{name}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("shanyrak_session=; Path=/; Max-Age=0"))
}

/// The sign-in form. The password is read as typed (spaces are part of it).
#[derive(Debug, Default, Deserialize)]
struct SignInForm {
    #[serde(default, deserialize_with = "field::text")]
    email: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

/// The language switch.
#[derive(Debug, Default, Deserialize)]
struct LanguageForm {
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    back: Option<String>,
}

/// Sign in. Wrong e-mail or password get the same answer; repeated failures lock the
/// account for a while, as for the API. The form must carry the pre-session token, so a
/// page elsewhere cannot sign a visitor in to an account of its choosing.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    client: ClientAddr,
    form: FormData,
) -> Response {
    let ctx = &visitor.ctx;
    // A field sent twice reads as none: the same answer as a wrong password.
    let fields: SignInForm = form.parse().unwrap_or_default();
    let email = fields.email.unwrap_or_default();
    let password = fields.password.as_deref().unwrap_or_default();
    let next = safe_next(fields.next.as_deref());
    if ctx.check_form_csrf(&form).is_err() {
        // An old form, or one from elsewhere: shown again with a fresh token, no attempt.
        let problem = (StatusCode::FORBIDDEN, ctx.t("error-csrf"));
        return login_form(ctx, next.as_deref(), &email, Some(problem));
    }
    let now = Utc::now();
    let expires_at = now + chrono::Duration::hours(SESSION_HOURS);
    match state
        .store
        .login_from(&email, password, None, client.0, expires_at, now)
        .await
    {
        Ok(token) => {
            let target = match next {
                Some(next) => next,
                None => match state.store.authenticate_token(&token.secret, now).await {
                    Ok(Some(actor)) => super::home_path(&actor).to_owned(),
                    _ => "/".to_owned(),
                },
            };
            let mut response = see_other(&target);
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&state, &token.secret, SESSION_HOURS * 3600),
            );
            tracing::info!("signed in to the web interface");
            response
        }
        Err(StoreError::LoginLocked { .. }) => {
            let problem = (StatusCode::UNAUTHORIZED, ctx.t("login-locked"));
            login_form(ctx, next.as_deref(), &email, Some(problem))
        }
        Err(StoreError::InvalidCredentials | StoreError::Invalid(_)) => {
            let problem = (StatusCode::UNAUTHORIZED, ctx.t("login-failed"));
            login_form(ctx, next.as_deref(), &email, Some(problem))
        }
        Err(StoreError::Busy) => {
            let problem = (StatusCode::TOO_MANY_REQUESTS, ctx.t("login-busy"));
            let mut response = login_form(ctx, next.as_deref(), &email, Some(problem));
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            response
        }
        Err(e) => super::WebError::from(e).render(ctx),
    }
}

/// Sign out: the session token is revoked, not just forgotten by the browser.
pub async fn logout(
    State(state): State<AppState>,
    web: Web,
    headers: axum::http::HeaderMap,
    form: FormData,
) -> Response {
    if let Err(e) = web.check_csrf(&form) {
        return e.render(&web.ctx);
    }
    if let Some(secret) = super::cookie(&headers, state.session_cookie_name())
        && let Err(e) = state
            .store
            .revoke_token_secret(&web.actor, secret, Utc::now())
            .await
    {
        return super::WebError::from(e).render(&web.ctx);
    }
    let mut response = see_other("/login");
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    response
}

/// Chooses the interface language; kept in a cookie for a year. The form carries the
/// session's or the pre-session's CSRF token.
pub async fn set_language(visitor: Visitor, form: FormData) -> Response {
    if let Err(e) = visitor.ctx.check_form_csrf(&form) {
        return e.render(&visitor.ctx);
    }
    let fields: LanguageForm = form.parse().unwrap_or_default();
    let lang = fields
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(Lang::Ru);
    let back = safe_next(fields.back.as_deref()).unwrap_or_else(|| "/".to_owned());
    let mut response = see_other(&back);
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/sites/1")), Some("/sites/1".into()));
        assert_eq!(safe_next(Some("//evil.example/")), None);
        assert_eq!(safe_next(Some("https://evil.example/")), None);
        assert_eq!(safe_next(Some("/\\evil")), None);
        assert_eq!(safe_next(Some("/a b")), None);
        assert_eq!(safe_next(None), None);
    }
}
