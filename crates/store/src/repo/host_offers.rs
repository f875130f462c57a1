//! Host offers: a local offers a bed on the public page `/offer-a-bed` for the organisation
//! running it; its coordinators and dispatchers (`Action::ManageHostOffers`) see the offers
//! with the host's address and contact, verify one (it becomes a site of kind
//! `private_accommodation` with one bed pool, in the same transaction), reject one or purge
//! spam in bulk. The host withdraws with the private token they were shown once (only its
//! SHA-256 is stored); a withdrawal after verification closes the site, so no new placement
//! uses it. Submissions are counted against rate limits in the database (per client address,
//! per place and for everyone) like pre-registrations.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use shanyrak_core::host_offer::{HostOffer, HostOfferStatus};
use shanyrak_core::shelter::SiteStatus;
use shanyrak_core::{Action, Actor, FieldError, FieldErrorCode, ValidationErrors};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::login::LoginLimits;
use super::{Backend, Change, Principal, Repo};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// Offers accepted from one client address (an IPv6 /64) per window: a household with a
/// spare room and a flat, not a list.
pub const HOST_OFFERS_PER_ADDRESS: i32 = 5;
/// Offers accepted for one place per window, from all addresses together: a flood aimed
/// at one town cannot bury that town's real offers.
pub const HOST_OFFERS_PER_PLACE: i32 = 50;
/// Offers accepted from everyone together per window.
pub const HOST_OFFERS_PER_WINDOW: i32 = 500;
/// Most offers one list page or one purge handles.
pub const HOST_OFFERS_PAGE: i64 = 200;

/// An offer as the organisation's coordinators and dispatchers see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostOfferRecord {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub offer: HostOffer,
    pub status: HostOfferStatus,
    /// The coordinator's note on the verification or rejection.
    pub note: Option<String>,
    /// Who verified or rejected it.
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The host site a verification made.
    pub site_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn limit_key(label: &str) -> Vec<u8> {
    Sha256::digest(format!("offer-a-bed:{label}").as_bytes()).to_vec()
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.trim().as_bytes()).to_vec()
}

fn may_manage(actor: &Actor) -> Result<(), StoreError> {
    if actor.may(Action::ManageHostOffers) {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

fn already_decided() -> StoreError {
    StoreError::Invalid(ValidationErrors::single(FieldError::new(
        "#/status",
        FieldErrorCode::InvalidValue,
        "only a pending offer can be verified or rejected",
    )))
}

const COLUMNS: &str = "id, organisation_id, offer, status, note, decided_by, decided_at, site_id, created_at, updated_at";

/// The name of the site an offer becomes: no address, no host name, a short mark to find
/// the offer by.
fn site_name(id: Uuid) -> String {
    let hex = id.simple().to_string();
    let mark = hex[hex.len() - 6..].to_ascii_uppercase();
    format!("Частное жильё {mark}")
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Stores an offer for `organisation_id` from an anonymous visitor at `client` and
    /// returns the withdrawal token (shown once; only its hash is kept); or refuses with
    /// `SubmissionsLimited` (nothing written) when the address, the place or everyone
    /// together reached the window's limit. Not audited, as pre-registrations are not: an
    /// append-only log must not be fillable by anonymous visitors; the decisions are.
    pub async fn submit_host_offer(
        &self,
        organisation_id: Uuid,
        offer: &HostOffer,
        client: Option<std::net::IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let place_id = offer
            .location
            .place_id
            .ok_or_else(|| StoreError::corrupt("a host offer without a place"))?;
        let keys = [
            (limit_key("all"), HOST_OFFERS_PER_WINDOW),
            (
                limit_key(&format!("place:{}", place_id.0)),
                HOST_OFFERS_PER_PLACE,
            ),
            (
                limit_key(&format!("address:{}", LoginLimits::address_label(client))),
                HOST_OFFERS_PER_ADDRESS,
            ),
        ];
        let token: String = rand::random::<[u8; 32]>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        Self::claim_submissions(&mut tx, &keys, now).await?;
        sqlx::query(
            "INSERT INTO host_offers (id, organisation_id, token_hash, place_id, country, city, people, offer, \
             status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $9)",
        )
        .bind(Uuid::now_v7())
        .bind(organisation_id)
        .bind(token_hash(&token))
        .bind(i64::from(place_id.0))
        .bind(offer.location.country.as_str().to_owned())
        .bind(offer.location.city.clone())
        .bind(i32::try_from(offer.people).unwrap_or(i32::MAX))
        .bind(Json(super::to_json(offer)?))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Whether a withdrawal token belongs to an offer still standing (pending or verified):
    /// the confirmation page asks before withdrawing. Reveals nothing else.
    pub async fn host_offer_withdrawable(&self, token: &str) -> Result<bool, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query(
            "SELECT id FROM host_offers WHERE token_hash = $1 AND status IN ('pending', 'verified')",
        )
        .bind(token_hash(token))
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.is_some())
    }

    /// The host withdraws their offer with its token. A verified offer's site is closed in
    /// the same transaction: no new placement uses it (stays already there are the
    /// coordinators' to move). An unknown token, or an offer no longer standing: `NotFound`.
    pub async fn withdraw_host_offer(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let row = sqlx::query(
            "UPDATE host_offers SET status = 'withdrawn', updated_at = $2 \
             WHERE token_hash = $1 AND status IN ('pending', 'verified') \
             RETURNING id, organisation_id, site_id",
        )
        .bind(token_hash(token))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let id: Uuid = row.try_get("id")?;
        let organisation_id: Uuid = row.try_get("organisation_id")?;
        let site_id: Option<Uuid> = row.try_get("site_id")?;
        if let Some(site_id) = site_id {
            sqlx::query(
                "UPDATE sites SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(SiteStatus::Closed.as_str().to_owned())
            .bind(now)
            .bind(site_id)
            .execute(&mut *tx)
            .await?;
        }
        let change = Change::new("host_offer", id, "withdraw").after(json!({
            "status": "withdrawn",
            "site_id": site_id,
            "site_status": site_id.map(|_| SiteStatus::Closed.as_str()),
        }));
        Self::audit(
            &mut tx,
            &Principal::System("host offer link"),
            Some(organisation_id),
            change,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's offers, newest first, of one status or all (at most
    /// [`HOST_OFFERS_PAGE`]).
    pub async fn host_offers(
        &self,
        actor: &Actor,
        status: Option<HostOfferStatus>,
    ) -> Result<Vec<HostOfferRecord>, StoreError> {
        may_manage(actor)?;
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM host_offers WHERE organisation_id = $1 \
             AND ($2 IS NULL OR status = $2) ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(actor.organisation_id)
            .bind(status.map(|s| s.as_str().to_owned()))
            .bind(HOST_OFFERS_PAGE)
            .fetch_all(&mut *conn)
            .await?;
        rows.iter().map(Self::host_offer_from_row).collect()
    }

    /// One offer of the actor's organisation; another organisation's is `NotFound`.
    pub async fn host_offer(&self, actor: &Actor, id: Uuid) -> Result<HostOfferRecord, StoreError> {
        may_manage(actor)?;
        let mut conn = self.reader.acquire().await?;
        Self::host_offer_in(&mut conn, actor, id).await
    }

    /// The offer whose site this is, for the coordinators and dispatchers of its
    /// organisation (`None` for a site no offer made, or for anyone else).
    pub async fn host_offer_of_site(
        &self,
        actor: &Actor,
        site_id: Uuid,
    ) -> Result<Option<Uuid>, StoreError> {
        if !actor.may(Action::ManageHostOffers) {
            return Ok(None);
        }
        let mut conn = self.reader.acquire().await?;
        let row =
            sqlx::query("SELECT id FROM host_offers WHERE site_id = $1 AND organisation_id = $2")
                .bind(site_id)
                .bind(actor.organisation_id)
                .fetch_optional(&mut *conn)
                .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    async fn host_offer_in(
        conn: &mut DB::Connection,
        actor: &Actor,
        id: Uuid,
    ) -> Result<HostOfferRecord, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM host_offers WHERE id = $1 AND organisation_id = $2");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(actor.organisation_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        Self::host_offer_from_row(&row)
    }

    fn host_offer_from_row(row: &DB::Row) -> Result<HostOfferRecord, StoreError> {
        let status: String = row.try_get("status")?;
        Ok(HostOfferRecord {
            id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            offer: super::from_json(
                row.try_get::<Json<serde_json::Value>, _>("offer")?.0,
                "host_offers.offer",
            )?,
            status: HostOfferStatus::parse(&status)
                .ok_or_else(|| StoreError::corrupt("host offer status"))?,
            note: row.try_get("note")?,
            decided_by: row.try_get("decided_by")?,
            decided_at: row.try_get("decided_at")?,
            site_id: row.try_get("site_id")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// A coordinator verified the offer (a call, a visit): it becomes a host site of the
    /// organisation, kind `private_accommodation`, with the pool the offer describes
    /// (`HostOffer::site`), in one transaction with the offer's new status, the note, who
    /// and when. Returns the site's id. Only a pending offer can be verified.
    pub async fn verify_host_offer(
        &self,
        actor: &Actor,
        id: Uuid,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        may_manage(actor)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let record = Self::host_offer_in(&mut tx, actor, id).await?;
        if record.status != HostOfferStatus::Pending {
            return Err(already_decided());
        }
        let (site, pool) = record.offer.site(site_name(id));
        let site = Self::insert_site(&mut tx, actor, &site, now).await?;
        Self::insert_pool(&mut tx, actor, site.id, &pool, now).await?;
        let updated = sqlx::query(
            "UPDATE host_offers SET status = 'verified', note = $1, decided_by = $2, decided_at = $3, \
             site_id = $4, updated_at = $3 WHERE id = $5 AND status = 'pending' RETURNING id",
        )
        .bind(note.map(str::to_owned))
        .bind(actor.user_id)
        .bind(now)
        .bind(site.id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if updated.is_none() {
            return Err(already_decided());
        }
        let change = Change::new("host_offer", id, "verify")
            .before(json!({ "status": "pending" }))
            .after(json!({ "status": "verified", "note": note, "site_id": site.id }));
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(site.id)
    }

    /// A coordinator turned the offer down (unreachable, unsuitable, spam), with a note.
    pub async fn reject_host_offer(
        &self,
        actor: &Actor,
        id: Uuid,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        may_manage(actor)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let updated = sqlx::query(
            "UPDATE host_offers SET status = 'rejected', note = $1, decided_by = $2, decided_at = $3, \
             updated_at = $3 WHERE id = $4 AND organisation_id = $5 AND status = 'pending' RETURNING id",
        )
        .bind(note.map(str::to_owned))
        .bind(actor.user_id)
        .bind(now)
        .bind(id)
        .bind(actor.organisation_id)
        .fetch_optional(&mut *tx)
        .await?;
        if updated.is_none() {
            // Tell a decided offer from one that is not the organisation's.
            Self::host_offer_in(&mut tx, actor, id).await?;
            return Err(already_decided());
        }
        let change = Change::new("host_offer", id, "reject")
            .before(json!({ "status": "pending" }))
            .after(json!({ "status": "rejected", "note": note }));
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the chosen offers that never became a site (pending, rejected or withdrawn
    /// before verification): spam purged in bulk. Offers of other organisations and
    /// verified ones are left alone. Returns how many were deleted; each deletion is
    /// audited (ids only).
    pub async fn purge_host_offers(
        &self,
        actor: &Actor,
        ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        may_manage(actor)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let mut deleted = 0;
        for id in ids.iter().take(HOST_OFFERS_PAGE as usize) {
            let row = sqlx::query(
                "DELETE FROM host_offers WHERE id = $1 AND organisation_id = $2 AND site_id IS NULL \
                 RETURNING status",
            )
            .bind(*id)
            .bind(actor.organisation_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else { continue };
            let status: String = row.try_get("status")?;
            let change =
                Change::new("host_offer", *id, "purge").before(json!({ "status": status }));
            Self::audit_by(&mut tx, actor, change, now).await?;
            deleted += 1;
        }
        tx.commit().await?;
        Ok(deleted)
    }
}
