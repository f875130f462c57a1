//! Signing in with e-mail and password: each attempt is claimed against the attempt limits
//! before its password is checked.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use shanyrak_core::{Actor, Role};
use sqlx::Row;
use sqlx::types::Json;

use shanyrak_store_macros::queries;

use crate::StoreError;

use super::accounts::{IssuedToken, roles_from};
use super::{Backend, Principal, Repo};

/// Failed sign-ins in a row, from one address, that lock an account for that address, and
/// for how long. See [`LoginLimits`] for the other two limits.
pub const LOGIN_FAILURES_BEFORE_LOCK: i32 = 5;

pub const LOGIN_LOCK_MINUTES: i64 = 15;

/// Failed sign-ins from one address, over all accounts, that stop the address for the lock
/// period: enough for an office behind one address, too few to guess passwords at scale.
pub const LOGIN_FAILURES_PER_ADDRESS: i32 = 50;

/// Failed sign-ins to one account, over all addresses, that lock it for everyone: the cap
/// on a guesser with many addresses.
pub const LOGIN_FAILURES_PER_ACCOUNT: i32 = 100;

/// The three counters one sign-in attempt is claimed against, each a row of
/// `login_attempts` keyed by a hash (so attempts on accounts that do not exist are counted
/// the same way, and the table holds no e-mail or address in clear).
#[derive(Debug)]
pub struct LoginLimits;

impl LoginLimits {
    /// The key of a client address: an IPv4 address, or the /64 network of an IPv6 one
    /// (one subscriber's usual allocation); `None` is one shared "unknown" address.
    pub fn address_label(client: Option<std::net::IpAddr>) -> String {
        use std::net::IpAddr;
        match client.map(|ip| match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        }) {
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            None => "unknown".to_owned(),
        }
    }
}

struct LoginKeys {
    address: [u8; 32],
    account: [u8; 32],
    pair: [u8; 32],
}

impl LoginKeys {
    pub(super) fn new(email: &str, client: Option<std::net::IpAddr>) -> Self {
        let address = LoginLimits::address_label(client);
        let hash = |text: String| -> [u8; 32] { Sha256::digest(text.as_bytes()).into() };
        Self {
            address: hash(format!("login-address:{address}")),
            // The key the account's counter has always had.
            account: hash(format!("login:{email}")),
            pair: hash(format!("login-pair:{email}\0{address}")),
        }
    }

    /// Keys with their limits, in the one order rows are locked.
    pub(super) fn limited(&self) -> [(&[u8; 32], i32); 3] {
        [
            (&self.address, LOGIN_FAILURES_PER_ADDRESS),
            (&self.account, LOGIN_FAILURES_PER_ACCOUNT),
            (&self.pair, LOGIN_FAILURES_BEFORE_LOCK),
        ]
    }
}

/// A hash to verify against when the account does not exist, so both paths cost the same.
async fn dummy_hash() -> Result<String, StoreError> {
    crate::password::dummy().await
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Signs in with e-mail and password and issues a token that expires, counted as an
    /// attempt from no known address (the command line, tests). See [`Self::login_from`].
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        role: Option<Role>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, StoreError> {
        self.login_from(email, password, role, None, expires_at, now)
            .await
    }

    /// Signs in with e-mail and password from a client address and issues a token that
    /// expires.
    ///
    /// Each attempt is claimed in the database before its password is checked, in one
    /// transaction that counts it against three limits (see [`LoginLimits`]): the account
    /// from this address, the address over all accounts, and the account over all
    /// addresses. An attempt over any of them is refused with `LoginLocked` without a
    /// password check, so a burst of parallel guesses gets no more checks than the limit,
    /// and a flood from one address cannot lock the account for its owner elsewhere.
    /// Accounts that do not exist are counted and checked (against a dummy hash) the same
    /// way. Success forgets the account's failures; failures are forgotten after the lock
    /// period anyway.
    pub async fn login_from(
        &self,
        email: &str,
        password: &str,
        role: Option<Role>,
        client: Option<std::net::IpAddr>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, StoreError> {
        let email = email.trim().to_lowercase();
        let keys = LoginKeys::new(&email, client);
        // The core first: an attempt counted is checked at once, never left waiting.
        let permit = crate::password::permit().await?;
        self.claim_login(&keys, now).await?;
        let outcome = self.verify_password_with(permit, &email, password).await;
        let actor = match outcome {
            Ok(Some(actor)) => actor,
            Ok(None) => return Err(self.login_failed(&keys, now).await),
            Err(e) => {
                // Not a wrong password: the claim is given back.
                self.settle_login(&keys, false).await.ok();
                return Err(e);
            }
        };
        self.settle_login(&keys, true).await?;
        debug_assert!(!actor.roles.is_empty());
        self.create_token_for_role(
            &Principal::System("login"),
            &email,
            role,
            Some(expires_at),
            now,
        )
        .await
    }

    /// Counts one attempt against every limit, or refuses it with the time the first lock
    /// that applies ends. Rows are locked in one order (address, account, pair) so that
    /// concurrent claims queue and never deadlock.
    async fn claim_login(&self, keys: &LoginKeys, now: DateTime<Utc>) -> Result<(), StoreError> {
        let period = chrono::Duration::minutes(LOGIN_LOCK_MINUTES);
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let mut rows = Vec::with_capacity(3);
        for (key, limit) in keys.limited() {
            // The upsert takes the row's lock on PostgreSQL (SQLite has one writer), so the
            // read below and the update after it are one step for every other attempt.
            let row = sqlx::query(
                "INSERT INTO login_attempts (email_hash, failures, locked_until, updated_at) VALUES ($1, 0, NULL, $2) \
                 ON CONFLICT (email_hash) DO UPDATE SET failures = login_attempts.failures \
                 RETURNING failures, locked_until, updated_at",
            )
            .bind(key.to_vec())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let mut failures: i32 = row.try_get("failures")?;
            let locked_until: Option<DateTime<Utc>> = row.try_get("locked_until")?;
            let updated_at: DateTime<Utc> = row.try_get("updated_at")?;
            if let Some(until) = locked_until.filter(|u| *u > now) {
                tx.commit().await?;
                return Err(StoreError::LoginLocked { until });
            }
            // A lock that has ended, or failures older than the period, start afresh.
            if locked_until.is_some() || updated_at + period <= now {
                failures = 0;
            }
            if failures >= limit {
                // Attempts still being checked fill the limit: refused like a lock.
                tx.commit().await?;
                return Err(StoreError::LoginLocked {
                    until: now + period,
                });
            }
            rows.push((key, failures + 1));
        }
        for (key, failures) in rows {
            sqlx::query("UPDATE login_attempts SET failures = $1, locked_until = NULL, updated_at = $2 WHERE email_hash = $3")
                .bind(failures)
                .bind(now)
                .bind(key.to_vec())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A claimed attempt failed: its count stays, and every limit it reached locks.
    async fn login_failed(&self, keys: &LoginKeys, now: DateTime<Utc>) -> StoreError {
        let until = now + chrono::Duration::minutes(LOGIN_LOCK_MINUTES);
        let mut locked = false;
        let result: Result<(), StoreError> = async {
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            for (key, limit) in keys.limited() {
                let done = sqlx::query(
                    "UPDATE login_attempts SET locked_until = $1 WHERE email_hash = $2 AND failures >= $3 AND locked_until IS NULL \
                     RETURNING failures",
                )
                .bind(until)
                .bind(key.to_vec())
                .bind(limit)
                .fetch_optional(&mut *tx)
                .await?;
                if done.is_some() {
                    locked = true;
                }
            }
            tx.commit().await?;
            Ok(())
        }
        .await;
        match result {
            Err(e) => e,
            Ok(()) if locked => {
                tracing::warn!("sign-in locked after repeated failures");
                StoreError::LoginLocked { until }
            }
            Ok(()) => StoreError::InvalidCredentials,
        }
    }

    /// A claimed attempt was not a wrong password. Success forgets the account's failures
    /// (from this address and from all); the address keeps its other failures, so signing
    /// in to one's own account does not reset a guess count over other accounts.
    async fn settle_login(&self, keys: &LoginKeys, signed_in: bool) -> Result<(), StoreError> {
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let give_back = "UPDATE login_attempts SET failures = failures - 1 WHERE email_hash = $1 AND failures > 0";
        sqlx::query(give_back)
            .bind(keys.address.to_vec())
            .execute(&mut *tx)
            .await?;
        for key in [&keys.account, &keys.pair] {
            let sql = if signed_in {
                "DELETE FROM login_attempts WHERE email_hash = $1"
            } else {
                give_back
            };
            sqlx::query(sql)
                .bind(key.to_vec())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The actor for an e-mail and password, or `None`. Takes the same time whether or not
    /// the account exists, so it cannot be used to find out who has an account. Counts
    /// against no limit: sign-in goes through [`Self::login_from`].
    pub async fn verify_password(
        &self,
        email: &str,
        password: &str,
    ) -> Result<Option<Actor>, StoreError> {
        let permit = crate::password::permit().await?;
        self.verify_password_with(permit, email, password).await
    }

    async fn verify_password_with(
        &self,
        permit: crate::password::HashPermit,
        email: &str,
        password: &str,
    ) -> Result<Option<Actor>, StoreError> {
        let email = email.trim().to_lowercase();
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query("SELECT id, organisation_id, roles, disabled, password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&mut *conn)
            .await?;
        drop(conn);
        let stored_hash = match &row {
            Some(row) => row.try_get::<String, _>("password_hash")?,
            None => dummy_hash().await?,
        };
        let matches = permit.verify(password.to_owned(), stored_hash).await?;
        let Some(row) = row else { return Ok(None) };
        if !matches || row.try_get::<bool, _>("disabled")? {
            return Ok(None);
        }
        Ok(Some(Actor {
            user_id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            roles: roles_from(row.try_get::<Json<Value>, _>("roles")?.0)?,
        }))
    }

    // ----- households --------------------------------------------------------------------
}
