//! The reception form without a connection: the offline outbox's server side.
//!
//! A phone that has opened the reception page once keeps the page and its assets in a
//! service worker's cache (`/sw.js`). Saved without a connection,
//! a registration goes to an outbox in IndexedDB (`assets/outbox.js`) under an
//! idempotency key made when the volunteer taps save, and is sent here when the connection
//! returns: `POST /reception/outbox` saves it exactly as the form does
//! ([`reception::save`]: validation, the possible-duplicate gate, the write under the key),
//! and answers what became of it in JSON, so a retry after a lost answer or a 5xx replays
//! instead of registering twice, and a registration held for a possible duplicate is
//! listed for the volunteer to decide instead of being created unseen.
//!
//! The outbox holds personal data on a phone that is often shared, so each entry is
//! encrypted to the public half of a P-256 key kept per user in the store (ECDH with a
//! fresh key per entry, HKDF, AES-GCM, all WebCrypto). The page keeps only the public half;
//! the private half comes from `GET /reception/outbox/key` to a signed-in session of that
//! user (never cached, never in a URL) and stays in the page's memory, so whoever picks up
//! the phone without the volunteer's password can read nothing of what waits.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::PKey;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::access::{Can, Submit, may};
use super::household_draft::HouseholdDraft;
use super::reception::{Saved, save};
use super::{Ctx, OrPage, PageResult, WebError, asset_url, mask_csrf};
use crate::AppState;
use crate::error::ApiError;

/// The header that carries an outbox entry's idempotency key, as on the API.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// With it, an entry held before is only asked after: registered under its key since (the
/// volunteer decided on the form) or `unchanged`, without a second duplicate check.
pub const PROBE: &str = "outbox-probe";

/// The outbox's panel on the reception page. Hidden until the script shows it: without
/// JavaScript there is no outbox, and the form posts as always. The script's messages are
/// carried as data attributes, in the page's language.
pub fn panel(ctx: &Ctx) -> Markup {
    html! {
        section #outbox .outbox hidden aria-labelledby="outbox-title"
            data-saved=(ctx.t("outbox-saved"))
            data-offline=(ctx.t("outbox-offline"))
            data-offline-check=(ctx.t("outbox-offline-check"))
            data-no-key=(ctx.t("outbox-no-key"))
            data-sign-in=(ctx.t("outbox-sign-in"))
            data-sending=(ctx.t("outbox-sending"))
            data-failed=(ctx.t("outbox-failed"))
            data-held=(ctx.t("outbox-held"))
            data-invalid=(ctx.t("outbox-invalid"))
            data-review=(ctx.t("outbox-review"))
            data-done=(ctx.t("outbox-done")) {
            h2 #outbox-title { (ctx.t("outbox-title")) }
            p {
                (ctx.t("outbox-waiting")) " " strong #outbox-waiting { "0" }
                " · " (ctx.t("outbox-sent")) " " strong #outbox-sent { "0" }
                " · " (ctx.t("outbox-decide")) " " strong #outbox-decide { "0" }
            }
            p #outbox-status role="status" {}
            ul #outbox-list {}
            button.secondary type="button" #outbox-send { (ctx.t("outbox-send")) }
        }
    }
}

/// A new outbox key: P-256, as PKCS#8 DER.
fn fresh_key() -> Result<Vec<u8>, WebError> {
    let make = || -> Result<Vec<u8>, openssl::error::ErrorStack> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
        PKey::from_ec_key(EcKey::generate(&group)?)?.private_key_to_pkcs8()
    };
    make().map_err(|_| WebError::Api(ApiError::Internal))
}

/// The signed-in user's outbox key, both halves, and a fresh CSRF token for sending:
/// `{"key_id", "public_key", "private_key", "csrf"}`, the keys in base64 (SPKI and PKCS#8
/// DER, as WebCrypto imports them). Never cached.
pub async fn key(
    State(state): State<AppState>,
    Can { web, .. }: Can<may::RegisterHousehold>,
) -> PageResult {
    let fresh = fresh_key().or_page(&web.ctx)?;
    let private = state
        .store
        .outbox_key(&web.actor, &fresh, Utc::now())
        .await
        .or_page(&web.ctx)?;
    let public = PKey::private_key_from_pkcs8(&private)
        .and_then(|k| k.public_key_to_der())
        .map_err(|_| WebError::Api(ApiError::Internal))
        .or_page(&web.ctx)?;
    let csrf = web
        .ctx
        .user
        .as_ref()
        .map(|u| mask_csrf(&u.session_csrf))
        .unwrap_or_default();
    let body = json!({
        "key_id": hex::encode(&Sha256::digest(&public)[..8]),
        "public_key": openssl::base64::encode_block(&public),
        "private_key": openssl::base64::encode_block(&private),
        "csrf": csrf,
    });
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_TYPE, "application/json"),
        ],
        body.to_string(),
    )
        .into_response())
}

/// An idempotency key as a phone makes it: a UUID, or at least something of its shape.
fn well_formed_key(key: &str) -> bool {
    (16..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// One outbox entry: the reception form's fields as the volunteer saved them, with its
/// idempotency key in the `Idempotency-Key` header. Answers `{"outcome": …}`:
/// `registered` (now, or before under this key: `card` is the household's card),
/// `needs_decision` (held: `members` may be registered already; nothing written),
/// `invalid` (`errors` problems; nothing written), `saved_before` (the key was used for
/// a different form: nothing written now) or, with [`PROBE`], `unchanged` (nothing under
/// this key yet; nothing checked). Errors are the web interface's (a 5xx means try again
/// later).
pub async fn send(
    State(state): State<AppState>,
    headers: HeaderMap,
    Submit { web, form, .. }: Submit<may::RegisterHousehold>,
) -> Response {
    let Some(key) = headers
        .get(IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .filter(|k| well_formed_key(k))
    else {
        return outcome(
            StatusCode::BAD_REQUEST,
            json!({ "outcome": "invalid", "errors": 1 }),
        );
    };
    let claimed = match state
        .store
        .idempotency_key_claimed(&web.actor, &format!("web:{key}"))
        .await
    {
        Ok(claimed) => claimed,
        Err(e) => return WebError::from(e).render(&web.ctx),
    };
    if !claimed && headers.contains_key(PROBE) {
        return outcome(StatusCode::OK, json!({ "outcome": "unchanged" }));
    }
    let mut draft = HouseholdDraft::from_form(&form);
    draft.submission = key.to_owned();
    // An outbox entry corrects no quarantined import row.
    draft.quarantine = None;
    match save(&state, &web, &headers, &mut draft).await {
        Ok(Saved::Registered {
            household_id,
            attached,
        }) => outcome(
            StatusCode::OK,
            json!({
                "outcome": "registered",
                "card": format!("/households/{household_id}/card?registered=1&attached={attached}"),
            }),
        ),
        Ok(Saved::Undecided(members, _)) => outcome(
            StatusCode::OK,
            json!({ "outcome": "needs_decision", "members": members }),
        ),
        // Corrected on the form under this key since: the entry as kept is done with.
        Ok(Saved::Invalid(..)) if claimed => {
            outcome(StatusCode::OK, json!({ "outcome": "saved_before" }))
        }
        Ok(Saved::Invalid(errors, _)) => outcome(
            StatusCode::OK,
            json!({ "outcome": "invalid", "errors": errors.len() }),
        ),
        Ok(Saved::KeyReused) => outcome(StatusCode::OK, json!({ "outcome": "saved_before" })),
        Err(e) => e.render(&web.ctx),
    }
}

fn outcome(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// The service worker: caches the assets and the blank reception page, and answers with
/// them when the network does not. Served from the root, so its scope is the whole site
/// without a `Service-Worker-Allowed` header: a page is controlled by the worker whatever
/// page the tab was opened on (htmx moves between pages without loading a new document,
/// and a document is controlled only by a worker whose scope covers the URL it was first
/// loaded at). It names the assets by their versioned URLs, so a new build is a new
/// worker that replaces the old cache.
pub async fn service_worker() -> Response {
    let assets: Vec<String> = ["app.css", "app.js", "htmx.min.js", "outbox.js"]
        .iter()
        .map(|name| asset_url(name))
        .collect();
    let version = hex::encode(&Sha256::digest(assets.join(" ").as_bytes())[..6]);
    let script = include_str!("../../assets/sw.js")
        .replace("\"__VERSION__\"", &json!(version).to_string())
        .replace("\"__ASSETS__\"", &json!(assets).to_string());
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // Checked on every registration update, so a new build takes over at once.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        script,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_key_is_a_p256_key_whose_public_half_can_be_read_back() {
        let der = fresh_key().ok().unwrap_or_default();
        let key = PKey::private_key_from_pkcs8(&der).ok();
        let ec = key.as_ref().and_then(|k| k.ec_key().ok());
        assert_eq!(
            ec.and_then(|k| k.group().curve_name()),
            Some(Nid::X9_62_PRIME256V1)
        );
        assert_ne!(fresh_key().ok(), Some(der), "each key is new");
    }

    #[test]
    fn idempotency_keys_are_uuid_like() {
        assert!(well_formed_key("0b6e0f4e-3a55-4f7b-9a51-6b3d2c1a0f99"));
        assert!(!well_formed_key("short"));
        assert!(!well_formed_key("0b6e0f4e 3a55 4f7b 9a51 6b3d2c1a0f99"));
        assert!(!well_formed_key(&"a".repeat(65)));
    }
}
