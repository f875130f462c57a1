//! Persistence for Shanyrak: schema migrations and queries for SQLite (the embedded
//! default) and PostgreSQL (shared deployments), and the audit log.
//!
//! # Layout
//! - [`Store`]: the handle the rest of the program holds; it picks the backend once from
//!   the URL scheme. Its methods are generated from the repo's (see [`repo`]); the few
//!   written here adapt a signature (a user's [`Actor`] to a [`Principal`], a default).
//! - [`repo`]: one implementation of every query, generic over a [`repo::Backend`]. The
//!   SQL is written once in the subset both databases speak (`$1` placeholders,
//!   `RETURNING`, `ON CONFLICT`); what differs is a method of `Backend`, and the migrations
//!   have one folder per backend.
//!
//! **Architecture invariants:** only this crate speaks SQL. Every write passes one path
//! that checks the actor's role, scopes to the actor's organisation, writes the change and
//! exactly one audit event in the same transaction. SQLite runs in WAL mode with
//! `synchronous=FULL` and a single writer connection, so an acknowledged write survives a
//! crash and concurrent writers queue instead of failing with "database is locked".

pub mod clock;
mod error;
pub mod inspect;
pub mod password;
pub mod repo;
#[cfg(feature = "test-support")]
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use shanyrak_core::Actor;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use error::{StoreError, is_locked};
pub use repo::{
    AccessEntry, Agreement, AuditHead, AuditHeadParseError, AuditVerification, DuplicateCandidate,
    PartnerRead, PersonSide, ProposedPair,
};
pub use repo::{
    AdmissionRequest, PlacementAcceptance, PlacementBatch, PlacementDecision, PoolAllocation,
    PoolView, Resident, ShelterElsewhere, SiteEntry, SiteLabel, SiteSummary, SiteView, Stay,
    WaitingHousehold,
};
pub use repo::{
    AuditEvent, CreateOutcome, HouseholdFilter, HouseholdReceipt, IdempotencyRequest, IssuedToken,
    Principal, UserRecord,
};
pub use repo::{
    AuditSummary, ErasureReport, ReceivedItem, ReferralSummary, RetentionReport, SubjectAccess,
};
pub use repo::{ChangeFeed, HOUSEHOLD_CHANNEL, Job, JobLock};
pub use repo::{Direction, Referral, StayFacts};
pub use repo::{
    DistributionOutcome, DistributionPoint, DistributionReceipt, DistributionReportRow,
    EntitlementView, Item, RecentReceipt, RecordedLine, ReportDimension, StockEntry, StockLevel,
    StockReportRow, StockView,
};
pub use repo::{EncodedExchange, EncodedUpload, EncodingScheme};
pub use repo::{
    HOST_OFFERS_PAGE, HOST_OFFERS_PER_ADDRESS, HOST_OFFERS_PER_PLACE, HOST_OFFERS_PER_WINDOW,
    HostOfferRecord,
};
pub use repo::{
    LOGIN_FAILURES_BEFORE_LOCK, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS,
    LOGIN_LOCK_MINUTES, LoginLimits,
};
pub use repo::{
    PRE_REGISTRATION_HOURS, PRE_REGISTRATION_WINDOW_MINUTES, PRE_REGISTRATIONS_PAGE,
    PRE_REGISTRATIONS_PER_ADDRESS, PRE_REGISTRATIONS_PER_PLACE, PRE_REGISTRATIONS_PER_WINDOW,
    PreRegistration,
};
pub use repo::{PlaceMapping, Proposal, ResettlementEntry, UnconfirmedPlace};
pub use repo::{PoolStats, PoolUse, QueueSizes};
pub use repo::{QuarantinedRow, RowToQuarantine, Upload};
pub use repo::{RegistryRow, SnapshotInfo, WaitingCell};

/// The database behind the program: chosen once from the URL, then used everywhere.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(repo::Repo<sqlx::Sqlite>),
    Postgres(repo::Repo<sqlx::Postgres>),
}

/// Connection settings parsed once at start.
#[derive(Clone)]
pub struct StoreOptions {
    /// Connections in the PostgreSQL pool (and SQLite reader pool).
    pub max_connections: u32,
    /// Passphrase that encrypts the SQLite file (SQLCipher); `None` leaves it plain. An
    /// empty or blank one is refused ([`StoreError::EmptyEncryptionKey`]), never taken as
    /// "no encryption".
    pub encryption_key: Option<String>,
    /// SQLite: every commit reaches the disk before it is acknowledged (`synchronous =
    /// FULL`). Only a throwaway database (the demo) turns this off, to seed in seconds.
    pub durable_commits: bool,
    /// SQLite: how long a write waits for another process (a running server, an import,
    /// a backup) to let go of the file's write lock before it fails with "database is
    /// locked" ([`is_locked`]). Writers of one process queue for its one writer
    /// connection instead.
    pub lock_wait: Duration,
    /// PostgreSQL: a read replica (hot standby) of the database for the heavy reads of
    /// figures and exports, which then may lag the primary by the replication delay.
    /// Everything else, and every write, stays on the primary.
    pub replica_url: Option<String>,
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("max_connections", &self.max_connections)
            .field("durable_commits", &self.durable_commits)
            .field("lock_wait", &self.lock_wait)
            .field(
                "encryption_key",
                &self.encryption_key.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            encryption_key: None,
            durable_commits: true,
            lock_wait: Duration::from_secs(30),
            replica_url: None,
        }
    }
}

/// The passphrase as a SQL string literal for `PRAGMA key`.
fn key_literal(passphrase: &str) -> String {
    format!("'{}'", passphrase.replace('\'', "''"))
}

impl Store {
    /// Wake-ups when another process writes a household: PostgreSQL `LISTEN` on its own
    /// connection; SQLite never wakes (one process serves a file; the server polls).
    pub async fn change_feed(&self) -> Result<ChangeFeed, StoreError> {
        match self {
            Store::Sqlite(_) => Ok(ChangeFeed::Never),
            Store::Postgres(repo) => repo.change_feed().await,
        }
    }

    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…` and brings the
    /// schema up to date.
    pub async fn connect(url: &str, options: &StoreOptions) -> Result<Self, StoreError> {
        if options
            .encryption_key
            .as_deref()
            .is_some_and(|key| key.trim().is_empty())
        {
            return Err(StoreError::EmptyEncryptionKey);
        }
        let postgres = |url: &str| url.starts_with("postgres:") || url.starts_with("postgresql:");
        if options
            .replica_url
            .as_deref()
            .is_some_and(|replica| !postgres(url) || !postgres(replica))
        {
            return Err(StoreError::ReplicaNeedsPostgres);
        }
        let store = if url.starts_with("sqlite:") {
            let mut connect = SqliteConnectOptions::from_str(url)?;
            if let Some(key) = &options.encryption_key {
                // sqlx runs `key` before any other pragma, as SQLCipher requires.
                connect = connect.pragma("key", key_literal(key));
            }
            let connect = connect
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(if options.durable_commits {
                    SqliteSynchronous::Full
                } else {
                    SqliteSynchronous::Normal
                })
                .foreign_keys(true)
                // Deleted and overwritten content is zeroed in the file, so erasure and
                // retention leave no readable copy in free pages.
                .pragma("secure_delete", "ON")
                .busy_timeout(options.lock_wait);
            // One writer: SQLite allows one write transaction at a time anyway, and a queue
            // in the pool waits politely where competing connections would fail with BUSY.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                // Longer than the lock wait: the queue behind this process's own writer
                // includes a write that is waiting for another process's lock.
                .acquire_timeout(Duration::from_secs(60).max(options.lock_wait * 2))
                .connect_with(connect.clone())
                .await?;
            sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
            let reader = SqlitePoolOptions::new()
                .max_connections(options.max_connections.max(1))
                .connect_with(connect.read_only(true))
                .await?;
            Store::Sqlite(repo::Repo::new(writer, reader))
        } else if postgres(url) {
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections.max(2))
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            let repo = repo::Repo::new(pool.clone(), pool);
            Store::Postgres(match &options.replica_url {
                Some(replica) => repo.with_analytics(
                    PgPoolOptions::new()
                        .max_connections(options.max_connections.max(2))
                        .acquire_timeout(Duration::from_secs(30))
                        .connect(replica)
                        .await?,
                ),
                None => repo,
            })
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        // Migration 0015 moves the audit chain to v2; a chain sealed before is re-sealed
        // here, once (see repo/audit_chain.rs).
        store.upgrade_audit_chain().await?;
        Ok(store)
    }

    pub async fn create_token(
        &self,
        by: &Principal,
        email: &str,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, StoreError> {
        self.create_token_for_role(by, email, None, expires_at, now)
            .await
    }

    pub async fn list_sites(
        &self,
        actor: &Actor,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SiteView>, StoreError> {
        let by = Principal::User(actor.clone());
        self.list_sites_by(&by, city, now).await
    }

    /// Every site in the actor's view: those seen whole, and the others as summaries.
    pub async fn site_listing(
        &self,
        actor: &Actor,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<SiteView>, Vec<SiteSummary>), StoreError> {
        let by = Principal::User(actor.clone());
        self.site_listing_by(&by, city, now).await
    }

    pub async fn list_sites_all(
        &self,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SiteView>, StoreError> {
        self.list_sites_by(&Principal::System("cli"), city, now)
            .await
    }

    pub async fn admit(
        &self,
        actor: &Actor,
        request: &AdmissionRequest,
        now: DateTime<Utc>,
    ) -> Result<Stay, StoreError> {
        let by = Principal::User(actor.clone());
        self.admit_by(&by, request, now).await
    }

    pub async fn waiting_list(
        &self,
        actor: &Actor,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<WaitingHousehold>, StoreError> {
        let by = Principal::User(actor.clone());
        self.waiting_list_by(&by, city, now).await
    }

    /// The waiting list of every organisation, for the operator's system-wide placement run.
    pub async fn waiting_list_all(
        &self,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<WaitingHousehold>, StoreError> {
        self.waiting_list_by(&Principal::System("cli"), city, now)
            .await
    }

    /// Checks the audit hash chain from the first event to the head.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        self.verify_audit_chain(None).await
    }

    /// Checks the chain as [`Store::verify_audit`] does, and that the event at
    /// `recorded.seq` still has `recorded.hash`: a head kept outside the database catches
    /// a history rewritten and re-chained by someone with database access.
    pub async fn verify_audit_expecting(
        &self,
        recorded: &AuditHead,
    ) -> Result<AuditVerification, StoreError> {
        self.verify_audit_chain(Some(recorded)).await
    }
}
