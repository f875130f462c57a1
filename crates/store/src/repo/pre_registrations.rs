//! Self pre-registration: a household enters itself on the public page and receives a
//! short code; a registrar of the organisation running the page opens it by that code at
//! the desk and confirms it, which registers the household and deletes the
//! pre-registration. Submissions are claimed against rate limits in the database, as
//! sign-in attempts are (see `login.rs`), so the limits hold across processes.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shanyrak_core::{Action, Actor, ReferenceCode};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::login::LoginLimits;
use super::{Backend, Change, Repo};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// How long an unconfirmed pre-registration is kept unless the deployment says otherwise.
pub const PRE_REGISTRATION_HOURS: i64 = 72;

/// Most pending pre-registrations the registrars' list shows and one purge handles.
pub const PRE_REGISTRATIONS_PAGE: i64 = 200;

/// Pre-registrations accepted from one client address (an IPv6 /64) per window: a few
/// families sharing one phone or one Wi-Fi, too few to fill the list.
pub const PRE_REGISTRATIONS_PER_ADDRESS: i32 = 10;

/// Pre-registrations accepted from all addresses together per window: the cap on what a
/// flood from many addresses can store.
pub const PRE_REGISTRATIONS_PER_WINDOW: i32 = 1_000;

/// Pre-registrations accepted for one place per window, from all addresses together: a
/// flood aimed at one crossing point or town cannot use up everyone's limit.
pub const PRE_REGISTRATIONS_PER_PLACE: i32 = 400;

/// The window the limits count in.
pub const PRE_REGISTRATION_WINDOW_MINUTES: i64 = 60;

/// A household's own entry, waiting at the desk.
#[derive(Debug, Clone, PartialEq)]
pub struct PreRegistration {
    pub id: Uuid,
    pub code: String,
    /// The household as registration JSON (the API's input shape, as far as it was given).
    pub document: Value,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub(super) fn limit_key(label: &str) -> Vec<u8> {
    Sha256::digest(format!("pre-register:{label}").as_bytes()).to_vec()
}

/// The place a pre-registration counts against: the settlement of the place list the page
/// resolved (`location.place_id`), else the country and the typed city, folded.
fn place_label(document: &Value) -> String {
    let location = &document["location"];
    match location["place_id"].as_u64() {
        Some(id) => format!("place:{id}"),
        None => format!(
            "place:{}:{}",
            location["country"].as_str().unwrap_or_default(),
            shanyrak_core::places::fold_name(location["city"].as_str().unwrap_or_default())
        ),
    }
}

fn may_confirm(actor: &Actor) -> Result<(), StoreError> {
    if actor.may(Action::RegisterHousehold) {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Stores a pre-registration for `organisation_id` from an anonymous visitor at
    /// `client`, and returns its code; or refuses with `SubmissionsLimited` when the
    /// address or everyone together has reached the limit of the window (nothing is
    /// written then). Expired pre-registrations are deleted in the same transaction, so
    /// the list stays bounded without an operator. Not audited: nobody is acting, and an
    /// append-only log must not be fillable by anonymous visitors; the registrar's
    /// confirmation is.
    ///
    /// `desk_code` is `Some` when the organisation requires the code of the day shown at
    /// its desk (what the visitor typed, perhaps empty): a wrong one is refused at
    /// `#/desk_code` and still counts against the limits, so the code cannot be guessed
    /// faster than the limits allow. The entry is kept for `lifetime` (normally
    /// [`PRE_REGISTRATION_HOURS`]) unless confirmed.
    pub async fn submit_pre_registration(
        &self,
        organisation_id: Uuid,
        document: &Value,
        desk_code: Option<&str>,
        client: Option<std::net::IpAddr>,
        lifetime: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<ReferenceCode, StoreError> {
        let keys = [
            (limit_key("all"), PRE_REGISTRATIONS_PER_WINDOW),
            (
                limit_key(&place_label(document)),
                PRE_REGISTRATIONS_PER_PLACE,
            ),
            (
                limit_key(&format!("address:{}", LoginLimits::address_label(client))),
                PRE_REGISTRATIONS_PER_ADDRESS,
            ),
        ];
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        Self::claim_submissions(&mut tx, &keys, now).await?;
        if let Some(typed) = desk_code
            && !Self::desk_code_holds(&mut tx, organisation_id, typed, now).await?
        {
            tx.commit().await?;
            return Err(StoreError::Invalid(
                shanyrak_core::ValidationErrors::single(shanyrak_core::FieldError::new(
                    "#/desk_code",
                    shanyrak_core::FieldErrorCode::InvalidValue,
                    "is not the code shown at the desk today",
                )),
            ));
        }
        sqlx::query("DELETE FROM pre_registrations WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let expires_at = now + lifetime;
        // 40 random bits: a clash among the few pending codes is rare; try again on one.
        for _ in 0..8 {
            let code = ReferenceCode::from_random_bits(rand::random::<u64>() & ((1 << 40) - 1));
            let inserted = sqlx::query(
                "INSERT INTO pre_registrations (id, organisation_id, code, document, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING RETURNING id",
            )
            .bind(Uuid::now_v7())
            .bind(organisation_id)
            .bind(code.to_string())
            .bind(Json(document.clone()))
            .bind(now)
            .bind(expires_at)
            .fetch_optional(&mut *tx)
            .await?;
            if inserted.is_some() {
                tx.commit().await?;
                return Ok(code);
            }
        }
        Err(StoreError::corrupt("no free pre-registration code"))
    }

    /// The code of the day the actor's desk shows the queue (registrars of the
    /// organisation): made on first request, the same for every desk and process of the
    /// organisation that day (the deployment's calendar).
    pub async fn desk_code(&self, actor: &Actor, now: DateTime<Utc>) -> Result<String, StoreError> {
        may_confirm(actor)?;
        let day = crate::clock::local_date(now).to_string();
        let fresh = format!("{:06}", rand::random::<u32>() % 1_000_000);
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        sqlx::query(
            "INSERT INTO desk_codes (organisation_id, day, code) VALUES ($1, $2, $3) \
             ON CONFLICT (organisation_id, day) DO NOTHING",
        )
        .bind(actor.organisation_id)
        .bind(&day)
        .bind(&fresh)
        .execute(&mut *tx)
        .await?;
        let code: String = sqlx::query_scalar(
            "SELECT code FROM desk_codes WHERE organisation_id = $1 AND day = $2",
        )
        .bind(actor.organisation_id)
        .bind(&day)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Whether `typed` is the organisation's desk code of today or of yesterday (a family
    /// that read it before midnight), spaces ignored. No code made yet: nothing holds.
    async fn desk_code_holds(
        conn: &mut DB::Connection,
        organisation_id: Uuid,
        typed: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if typed.is_empty() {
            return Ok(false);
        }
        let today = crate::clock::local_date(now);
        let yesterday = today.pred_opt().unwrap_or(today);
        let found: Option<String> = sqlx::query_scalar(
            "SELECT code FROM desk_codes WHERE organisation_id = $1 AND day IN ($2, $3) AND code = $4",
        )
        .bind(organisation_id)
        .bind(today.to_string())
        .bind(yesterday.to_string())
        .bind(&typed)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(found.is_some())
    }

    /// Counts one submission of a public form against every `(key, limit)` in the window
    /// (`PRE_REGISTRATION_WINDOW_MINUTES`), or refuses with `SubmissionsLimited` when any
    /// key has reached its limit; the caller's transaction is then dropped, so nothing is
    /// written. Keys are hashes (see [`limit_key`]): no address is stored in clear.
    pub(super) async fn claim_submissions(
        conn: &mut DB::Connection,
        keys: &[(Vec<u8>, i32)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let window = chrono::Duration::minutes(PRE_REGISTRATION_WINDOW_MINUTES);
        let mut counts = Vec::with_capacity(keys.len());
        for (key, limit) in keys {
            // The upsert locks the row on PostgreSQL (SQLite has one writer), so the read
            // and the update are one step for every concurrent submission.
            let row = sqlx::query(
                "INSERT INTO public_submissions (key_hash, submissions, window_start) VALUES ($1, 0, $2) \
                 ON CONFLICT (key_hash) DO UPDATE SET submissions = public_submissions.submissions \
                 RETURNING submissions, window_start",
            )
            .bind(key.clone())
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
            let submissions: i32 = row.try_get("submissions")?;
            let start: DateTime<Utc> = row.try_get("window_start")?;
            let (submissions, start) = if start + window <= now {
                (0, now)
            } else {
                (submissions, start)
            };
            if submissions >= *limit {
                return Err(StoreError::SubmissionsLimited {
                    until: start + window,
                });
            }
            counts.push((key, submissions + 1, start));
        }
        for (key, submissions, start) in counts {
            sqlx::query("UPDATE public_submissions SET submissions = $1, window_start = $2 WHERE key_hash = $3")
                .bind(submissions)
                .bind(start)
                .bind(key.clone())
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// The pending pre-registration with this code, for a registrar of the organisation
    /// that runs the page; anyone else, an expired one or an unknown code: `NotFound`.
    pub async fn pre_registration_by_code(
        &self,
        actor: &Actor,
        code: &ReferenceCode,
        now: DateTime<Utc>,
    ) -> Result<PreRegistration, StoreError> {
        self.pre_registration_where(actor, Some(code.to_string()), None, now)
            .await
    }

    /// The pending pre-registration with this id (see [`Self::pre_registration_by_code`]).
    pub async fn pre_registration(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<PreRegistration, StoreError> {
        self.pre_registration_where(actor, None, Some(id), now)
            .await
    }

    async fn pre_registration_where(
        &self,
        actor: &Actor,
        code: Option<String>,
        id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<PreRegistration, StoreError> {
        may_confirm(actor)?;
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query(
            "SELECT id, code, document, created_at, expires_at FROM pre_registrations \
             WHERE (code = $1 OR id = $2) AND organisation_id = $3 AND expires_at > $4",
        )
        .bind(code)
        .bind(id)
        .bind(actor.organisation_id)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        Self::pre_registration_from_row(&row)
    }

    fn pre_registration_from_row(row: &DB::Row) -> Result<PreRegistration, StoreError> {
        Ok(PreRegistration {
            id: row.try_get("id")?,
            code: row.try_get("code")?,
            document: row.try_get::<Json<Value>, _>("document")?.0,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
        })
    }

    /// The household registered from a pre-registration: the pre-registration is deleted,
    /// with one audit event naming both (ids only).
    pub async fn confirm_pre_registration(
        &self,
        actor: &Actor,
        id: Uuid,
        household_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        may_confirm(actor)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let deleted = sqlx::query(
            "DELETE FROM pre_registrations WHERE id = $1 AND organisation_id = $2 RETURNING id",
        )
        .bind(id)
        .bind(actor.organisation_id)
        .fetch_optional(&mut *tx)
        .await?;
        if deleted.is_none() {
            return Err(StoreError::NotFound);
        }
        let change = Change::new("pre_registration", id, "confirm")
            .after(json!({ "household_id": household_id }));
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's pending pre-registrations, newest first (at most
    /// [`PRE_REGISTRATIONS_PAGE`]), for its registrars: the list they purge spam from.
    pub async fn pending_pre_registration_list(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<PreRegistration>, StoreError> {
        may_confirm(actor)?;
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(
            "SELECT id, code, document, created_at, expires_at FROM pre_registrations \
             WHERE organisation_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id DESC LIMIT $3",
        )
        .bind(actor.organisation_id)
        .bind(now)
        .bind(PRE_REGISTRATIONS_PAGE)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(Self::pre_registration_from_row).collect()
    }

    /// Deletes the chosen pending pre-registrations of the actor's organisation (spam
    /// purged in bulk; at most [`PRE_REGISTRATIONS_PAGE`] at once). Others' and unknown
    /// ids are left alone. Returns how many were deleted; each deletion is audited with
    /// its id only, as a confirmation is.
    pub async fn purge_pre_registrations(
        &self,
        actor: &Actor,
        ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        may_confirm(actor)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let mut deleted = 0;
        for id in ids.iter().take(PRE_REGISTRATIONS_PAGE as usize) {
            let gone = sqlx::query(
                "DELETE FROM pre_registrations WHERE id = $1 AND organisation_id = $2 RETURNING id",
            )
            .bind(*id)
            .bind(actor.organisation_id)
            .fetch_optional(&mut *tx)
            .await?;
            if gone.is_none() {
                continue;
            }
            Self::audit_by(
                &mut tx,
                actor,
                Change::new("pre_registration", *id, "purge"),
                now,
            )
            .await?;
            deleted += 1;
        }
        tx.commit().await?;
        Ok(deleted)
    }

    /// Pending pre-registrations of every organisation, for tests and operational checks
    /// (a count, no personal data).
    pub async fn pending_pre_registrations(&self, now: DateTime<Utc>) -> Result<i64, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM pre_registrations WHERE expires_at > $1")
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
        Ok(row.try_get("n")?)
    }
}
