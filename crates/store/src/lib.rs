//! Persistence for Shanyrak: schema migrations and queries for SQLite (the embedded
//! default) and PostgreSQL (shared deployments), and the audit log.
//!
//! # Layout
//! - [`Store`]: the handle the rest of the program holds; it picks the backend once from
//!   the URL scheme and forwards every call to a [`repo::Repo`] for that backend.
//! - [`repo`]: one implementation of every query, generic over the sqlx backend. The SQL
//!   is written once in the subset both databases speak (`$1` placeholders, `RETURNING`,
//!   `ON CONFLICT`); only the migrations differ, one folder per backend.
//!
//! **Architecture invariants:** only this crate speaks SQL. Every write passes one path
//! that checks the actor's role, scopes to the actor's organisation, writes the change and
//! exactly one audit event in the same transaction. SQLite runs in WAL mode with
//! `synchronous=FULL` and a single writer connection, so an acknowledged write survives a
//! crash and concurrent writers queue instead of failing with "database is locked".

mod error;
pub mod password;
pub mod repo;
#[cfg(feature = "test-support")]
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use shanyrak_core::{
    Actor, Household, OrgKind, Organisation, ReferenceCode, Role, ValidatedHousehold,
};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use uuid::Uuid;

pub use error::StoreError;
pub use repo::{
    AccessEntry, Agreement, AuditHead, AuditHeadParseError, AuditVerification, DuplicateCandidate,
    PartnerRead, PersonSide, ProposedPair,
};
pub use repo::{
    AdmissionRequest, PlacementBatch, PlacementDecision, PoolAllocation, PoolView, Resident,
    ShelterElsewhere, SiteEntry, SiteLabel, SiteSummary, SiteView, Stay, WaitingHousehold,
};
pub use repo::{
    AuditEvent, CreateOutcome, HouseholdFilter, HouseholdReceipt, IdempotencyRequest, IssuedToken,
    Principal, UserRecord,
};
pub use repo::{
    AuditSummary, ErasureReport, ReceivedItem, ReferralSummary, RetentionReport, SubjectAccess,
};
pub use repo::{Direction, Referral, StayFacts};
pub use repo::{
    DistributionOutcome, DistributionPoint, DistributionReceipt, DistributionReportRow,
    EntitlementView, Item, RecentReceipt, RecordedLine, ReportDimension, StockEntry, StockLevel,
    StockReportRow, StockView,
};
pub use repo::{
    LOGIN_FAILURES_BEFORE_LOCK, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS,
    LOGIN_LOCK_MINUTES, LoginLimits,
};
pub use repo::{Proposal, ResettlementEntry};
pub use repo::{QuarantinedRow, RowToQuarantine, Upload};
pub use repo::{RegistryRow, SnapshotInfo, WaitingCell};

/// The database behind the program: chosen once from the URL, then used everywhere.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(repo::Repo<sqlx::Sqlite>),
    Postgres(repo::Repo<sqlx::Postgres>),
}

/// Forwards a call to the backend's repo; both arms run the same generic code.
macro_rules! dispatch {
    ($self:ident, $repo:ident => $call:expr) => {
        match $self {
            Store::Sqlite($repo) => $call,
            Store::Postgres($repo) => $call,
        }
    };
}

// After `dispatch!`, which it uses.
mod cases;
mod essentials;
mod figures;
mod imports;
mod protection;
mod resettlement;

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
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("max_connections", &self.max_connections)
            .field("durable_commits", &self.durable_commits)
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
        }
    }
}

/// The passphrase as a SQL string literal for `PRAGMA key`.
fn key_literal(passphrase: &str) -> String {
    format!("'{}'", passphrase.replace('\'', "''"))
}

impl Store {
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
                .busy_timeout(Duration::from_secs(30));
            // One writer: SQLite allows one write transaction at a time anyway, and a queue
            // in the pool waits politely where competing connections would fail with BUSY.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(connect.clone())
                .await?;
            sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
            let reader = SqlitePoolOptions::new()
                .max_connections(options.max_connections.max(1))
                .connect_with(connect.read_only(true))
                .await?;
            Store::Sqlite(repo::Repo::new(writer, reader))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections.max(2))
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Store::Postgres(repo::Repo::new(pool.clone(), pool))
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        // Migration 0015 moves the audit chain to v2; a chain sealed before is re-sealed
        // here, once (see repo/audit_chain.rs).
        let handle = &store;
        dispatch!(handle, r => r.upgrade_audit_chain().await)?;
        Ok(store)
    }

    /// "sqlite" or "postgres", for logs and health checks.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, r => r.ping().await)
    }

    pub async fn close(&self) {
        dispatch!(self, r => r.close().await)
    }

    pub async fn create_organisation(
        &self,
        by: &Principal,
        name: &str,
        kind: OrgKind,
        now: DateTime<Utc>,
    ) -> Result<Organisation, StoreError> {
        dispatch!(self, r => r.create_organisation(by, name, kind, now).await)
    }

    /// Every organisation, by name (partners for referrals and agreements).
    pub async fn list_organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        dispatch!(self, r => r.list_organisations().await)
    }

    pub async fn find_organisation(&self, id: Uuid) -> Result<Option<Organisation>, StoreError> {
        dispatch!(self, r => r.find_organisation(id).await)
    }

    pub async fn create_user(
        &self,
        by: &Principal,
        organisation_id: Uuid,
        email: &str,
        password: &str,
        roles: &[Role],
        now: DateTime<Utc>,
    ) -> Result<UserRecord, StoreError> {
        dispatch!(self, r => r.create_user(by, organisation_id, email, password, roles, now).await)
    }

    pub async fn set_user_disabled(
        &self,
        by: &Principal,
        email: &str,
        disabled: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, r => r.set_user_disabled(by, email, disabled, now).await)
    }

    pub async fn create_token(
        &self,
        by: &Principal,
        email: &str,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, StoreError> {
        dispatch!(self, r => r.create_token(by, email, None, expires_at, now).await)
    }

    /// A token that acts with one of the user's roles only.
    pub async fn create_token_for_role(
        &self,
        by: &Principal,
        email: &str,
        role: Option<Role>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, StoreError> {
        dispatch!(self, r => r.create_token(by, email, role, expires_at, now).await)
    }

    pub async fn revoke_tokens(
        &self,
        by: &Principal,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(self, r => r.revoke_tokens(by, email, now).await)
    }

    pub async fn revoke_token_secret(
        &self,
        actor: &Actor,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, r => r.revoke_token_secret(actor, secret, now).await)
    }

    /// E-mail and password to a token that expires; throttled and locked after failures.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        role: Option<Role>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, StoreError> {
        dispatch!(self, r => r.login(email, password, role, expires_at, now).await)
    }

    /// A user's e-mail address, to show them who is signed in.
    pub async fn user_email(&self, user_id: uuid::Uuid) -> Result<Option<String>, StoreError> {
        dispatch!(self, r => r.user_email(user_id).await)
    }

    /// Sign-in from a client address, throttled per address, per account and per account
    /// from that address (see `Repo::login_from`).
    pub async fn login_from(
        &self,
        email: &str,
        password: &str,
        role: Option<Role>,
        client: Option<std::net::IpAddr>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, StoreError> {
        dispatch!(self, r => r.login_from(email, password, role, client, expires_at, now).await)
    }

    pub async fn authenticate_token(
        &self,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Actor>, StoreError> {
        dispatch!(self, r => r.authenticate_token(secret, now).await)
    }

    pub async fn verify_password(
        &self,
        email: &str,
        password: &str,
    ) -> Result<Option<Actor>, StoreError> {
        dispatch!(self, r => r.verify_password(email, password).await)
    }

    pub async fn create_household(
        &self,
        actor: &Actor,
        household: &ValidatedHousehold,
        idempotency: Option<&IdempotencyRequest>,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome, StoreError> {
        dispatch!(self, r => r.create_household(actor, household, idempotency, now).await)
    }

    /// Many households in one transaction, each under its idempotency key (imports).
    pub async fn create_households_idempotent(
        &self,
        actor: &Actor,
        households: &[(ValidatedHousehold, IdempotencyRequest)],
        now: DateTime<Utc>,
    ) -> Result<Vec<CreateOutcome>, StoreError> {
        dispatch!(self, r => r.create_households_idempotent(actor, households, now).await)
    }

    /// Many households in one transaction, each with its registration time (demo seeding
    /// and migrations; no idempotency keys).
    pub async fn create_households_bulk(
        &self,
        actor: &Actor,
        households: &[(ValidatedHousehold, DateTime<Utc>)],
    ) -> Result<Vec<HouseholdReceipt>, StoreError> {
        dispatch!(self, r => r.create_households_bulk(actor, households).await)
    }

    pub async fn get_household(&self, actor: &Actor, id: Uuid) -> Result<Household, StoreError> {
        dispatch!(self, r => r.get_household(actor, id).await)
    }

    pub async fn get_household_by_reference(
        &self,
        actor: &Actor,
        reference: &ReferenceCode,
    ) -> Result<Household, StoreError> {
        dispatch!(self, r => r.get_household_by_reference(actor, reference).await)
    }

    pub async fn list_households(
        &self,
        actor: &Actor,
        filter: &HouseholdFilter,
    ) -> Result<Vec<Household>, StoreError> {
        dispatch!(self, r => r.list_households(actor, filter).await)
    }

    pub async fn update_household(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: Option<i64>,
        household: &ValidatedHousehold,
        now: DateTime<Utc>,
    ) -> Result<Household, StoreError> {
        dispatch!(self, r => r.update_household(actor, id, expected_version, household, now).await)
    }

    /// Audit events about one entity, oldest first (admins only).
    pub async fn audit_events_for(
        &self,
        actor: &Actor,
        entity_id: Uuid,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        dispatch!(self, r => r.audit_events_for(actor, entity_id).await)
    }

    pub async fn create_site(
        &self,
        actor: &Actor,
        site: &shanyrak_core::shelter::ValidatedSite,
        now: DateTime<Utc>,
    ) -> Result<SiteView, StoreError> {
        dispatch!(self, r => r.create_site(actor, site, now).await)
    }

    pub async fn update_site(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: Option<i64>,
        site: &shanyrak_core::shelter::ValidatedSite,
        now: DateTime<Utc>,
    ) -> Result<SiteView, StoreError> {
        dispatch!(self, r => r.update_site(actor, id, expected_version, site, now).await)
    }

    pub async fn get_site(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<SiteView, StoreError> {
        dispatch!(self, r => r.get_site(actor, id, now).await)
    }

    pub async fn list_sites(
        &self,
        actor: &Actor,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SiteView>, StoreError> {
        let by = Principal::User(actor.clone());
        dispatch!(self, r => r.list_sites(&by, city, now).await)
    }

    /// One site as the actor may see it: whole, or a summary (city, coarse kind, free beds).
    pub async fn site_entry(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<SiteEntry, StoreError> {
        dispatch!(self, r => r.site_entry(actor, id, now).await)
    }

    /// Every site in the actor's view: those seen whole, and the others as summaries.
    pub async fn site_listing(
        &self,
        actor: &Actor,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<SiteView>, Vec<SiteSummary>), StoreError> {
        let by = Principal::User(actor.clone());
        dispatch!(self, r => r.site_listing(&by, city, now).await)
    }

    /// Cities with how many sites each (`ReadSites`).
    pub async fn site_cities(&self, actor: &Actor) -> Result<Vec<(String, u64)>, StoreError> {
        dispatch!(self, r => r.site_cities(actor).await)
    }

    /// Every site, for the operator's system-wide commands.
    /// Beds by country, city and pool kind, summed in the database (aggregates, no site
    /// named): `(country, city, kind, capacity, occupied, reserved, free)`.
    #[allow(clippy::type_complexity)]
    pub async fn bed_figures(
        &self,
        now: DateTime<Utc>,
    ) -> Result<
        Vec<(
            shanyrak_core::CountryCode,
            String,
            shanyrak_core::shelter::PoolKind,
            u64,
            u64,
            u64,
            u64,
        )>,
        StoreError,
    > {
        dispatch!(self, r => r.bed_figures(now).await)
    }

    pub async fn list_sites_all(
        &self,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SiteView>, StoreError> {
        dispatch!(self, r => r.list_sites(&Principal::System("cli"), city, now).await)
    }

    pub async fn add_pool(
        &self,
        actor: &Actor,
        site_id: Uuid,
        spec: &shanyrak_core::shelter::BedPoolSpec,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        dispatch!(self, r => r.add_pool(actor, site_id, spec, now).await)
    }

    pub async fn update_pool(
        &self,
        actor: &Actor,
        site_id: Uuid,
        pool_id: Uuid,
        input: &shanyrak_core::shelter::BedPoolInput,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, r => r.update_pool(actor, site_id, pool_id, input, now).await)
    }

    pub async fn admit(
        &self,
        actor: &Actor,
        request: &AdmissionRequest,
        now: DateTime<Utc>,
    ) -> Result<Stay, StoreError> {
        let by = Principal::User(actor.clone());
        dispatch!(self, r => r.admit(&by, request, now).await)
    }

    pub async fn change_stay(
        &self,
        actor: &Actor,
        stay_id: Uuid,
        to: shanyrak_core::shelter::StayStatus,
        now: DateTime<Utc>,
    ) -> Result<Stay, StoreError> {
        dispatch!(self, r => r.change_stay(actor, stay_id, to, now).await)
    }

    pub async fn mark_seen(
        &self,
        actor: &Actor,
        stay_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Stay, StoreError> {
        dispatch!(self, r => r.mark_seen(actor, stay_id, now).await)
    }

    pub async fn residents(
        &self,
        actor: &Actor,
        site_id: Uuid,
        absence_days: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Resident>, StoreError> {
        dispatch!(self, r => r.residents(actor, site_id, absence_days, now).await)
    }

    /// Members of one's household holding a bed with another organisation that shares
    /// `shelter` with one's own under an agreement in force.
    /// The look-up counts against the user's `per_hour` limit of look-ups in partners'
    /// records (`None`: over it, nothing looked up); what it finds is written into each
    /// partner's access log.
    pub async fn shelter_elsewhere(
        &self,
        actor: &Actor,
        household_id: Uuid,
        per_hour: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<ShelterElsewhere>>, StoreError> {
        dispatch!(self, r => r.shelter_elsewhere(actor, household_id, per_hour, now).await)
    }

    /// [`Store::shelter_elsewhere`] for many households at once (the waiting list).
    pub async fn shelter_elsewhere_for(
        &self,
        actor: &Actor,
        household_ids: &[Uuid],
        per_hour: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<ShelterElsewhere>>, StoreError> {
        dispatch!(self, r => r.shelter_elsewhere_for(actor, household_ids, per_hour, now).await)
    }

    /// A household's stays, newest first, with the names of their sites.
    pub async fn household_stays(
        &self,
        actor: &Actor,
        household_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Stay, SiteLabel)>, StoreError> {
        dispatch!(self, r => r.household_stays(actor, household_id, now).await)
    }

    pub async fn waiting_list(
        &self,
        actor: &Actor,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<WaitingHousehold>, StoreError> {
        let by = Principal::User(actor.clone());
        dispatch!(self, r => r.waiting_list(&by, city, now).await)
    }

    /// The waiting list of every organisation, for the operator's system-wide placement run.
    pub async fn waiting_list_all(
        &self,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<WaitingHousehold>, StoreError> {
        dispatch!(self, r => r.waiting_list(&Principal::System("cli"), city, now).await)
    }

    pub async fn record_batch(
        &self,
        by: &Principal,
        city: Option<&str>,
        solution: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        dispatch!(self, r => r.record_batch(by, city, solution, now).await)
    }

    pub async fn get_batch(&self, by: &Principal, id: Uuid) -> Result<PlacementBatch, StoreError> {
        dispatch!(self, r => r.get_batch(by, id).await)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn accept_placement(
        &self,
        by: &Principal,
        batch_id: Uuid,
        household_id: Uuid,
        site_id: Uuid,
        allocations: &[PoolAllocation],
        reserve_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Stay>, StoreError> {
        dispatch!(self, r => r.accept_placement(by, batch_id, household_id, site_id, allocations, reserve_until, now).await)
    }

    pub async fn reject_placement(
        &self,
        by: &Principal,
        batch_id: Uuid,
        household_id: Uuid,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, r => r.reject_placement(by, batch_id, household_id, reason, now).await)
    }

    /// Every household with its members, a page at a time (for the identity index).
    /// The registry export's rows for the next `households` households after `after`,
    /// and the last household read (`None` at the end). Reads every organisation: the
    /// caller is the operator's export, which records itself in the audit log first.
    pub async fn registry_page(
        &self,
        after: Option<Uuid>,
        households: u32,
    ) -> Result<(Vec<RegistryRow>, Option<Uuid>), StoreError> {
        dispatch!(self, r => r.registry_page(after, households).await)
    }

    pub async fn households_page(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Household>, StoreError> {
        dispatch!(self, r => r.households_page(after, limit).await)
    }

    /// Households written since an audit event; see the identity index.
    pub async fn household_changes_since(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<(Vec<Uuid>, Option<Uuid>), StoreError> {
        dispatch!(self, r => r.household_changes_since(after, limit).await)
    }

    pub async fn latest_audit_event(&self) -> Result<Option<Uuid>, StoreError> {
        dispatch!(self, r => r.latest_audit_event().await)
    }

    /// The household with its members, for the operator's system-wide commands.
    pub async fn get_household_any(&self, id: Uuid) -> Result<Household, StoreError> {
        dispatch!(self, r => r.get_household_any(id).await)
    }

    pub async fn enqueue_duplicates(
        &self,
        actor: &Actor,
        pairs: &[ProposedPair],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        dispatch!(self, r => r.enqueue_duplicates(actor, pairs, now).await)
    }

    pub async fn list_candidates(
        &self,
        actor: &Actor,
        status: &str,
        limit: u32,
    ) -> Result<Vec<DuplicateCandidate>, StoreError> {
        dispatch!(self, r => r.list_candidates(actor, status, limit).await)
    }

    pub async fn get_candidate(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<DuplicateCandidate, StoreError> {
        dispatch!(self, r => r.get_candidate(actor, id).await)
    }

    /// The queued pair of two persons (in either order) of the actor's organisation.
    pub async fn candidate_for_pair(
        &self,
        actor: &Actor,
        one: Uuid,
        other: Uuid,
    ) -> Result<DuplicateCandidate, StoreError> {
        dispatch!(self, r => r.candidate_for_pair(actor, one, other).await)
    }

    /// `to` is `same`, `different`, or `pending` (undo).
    pub async fn decide_candidate(
        &self,
        actor: &Actor,
        id: Uuid,
        to: &str,
        now: DateTime<Utc>,
    ) -> Result<DuplicateCandidate, StoreError> {
        dispatch!(self, r => r.decide_candidate(actor, id, to, now).await)
    }

    /// (person records, resolved people) of the actor's organisation.
    pub async fn count_persons(&self, actor: &Actor) -> Result<(i64, i64), StoreError> {
        dispatch!(self, r => r.count_persons(actor).await)
    }

    /// Pairs (smaller id first) decided "different" that involve any of `persons`.
    pub async fn decided_different(
        &self,
        persons: &[Uuid],
    ) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        dispatch!(self, r => r.decided_different(persons).await)
    }

    pub async fn create_agreement(
        &self,
        actor: &Actor,
        agreement: &shanyrak_core::sharing::ValidatedAgreement,
        now: DateTime<Utc>,
    ) -> Result<Agreement, StoreError> {
        dispatch!(self, r => r.create_agreement(actor, agreement, now).await)
    }

    pub async fn list_agreements(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Agreement>, StoreError> {
        dispatch!(self, r => r.list_agreements(actor, now).await)
    }

    pub async fn withdraw_agreement(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Agreement, StoreError> {
        dispatch!(self, r => r.withdraw_agreement(actor, id, now).await)
    }

    /// Organisations sharing a category with `receiver` under an agreement in force.
    pub async fn sharing_organisations(
        &self,
        receiver: Uuid,
        category: shanyrak_core::sharing::SharingCategory,
        now: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StoreError> {
        dispatch!(self, r => r.sharing_organisations(receiver, category, now).await)
    }

    /// Person records with resolved identities, of one organisation or all (`None`).
    pub async fn population_rows(
        &self,
        organisation_id: Option<Uuid>,
    ) -> Result<Vec<shanyrak_core::stats::PopulationRow>, StoreError> {
        dispatch!(self, r => r.population_rows(organisation_id).await)
    }

    /// People arrived per day and crossing point since a date, in one organisation.
    pub async fn arrivals_by_day(
        &self,
        organisation_id: Uuid,
        since: chrono::NaiveDate,
    ) -> Result<Vec<(chrono::NaiveDate, Option<String>, i64)>, StoreError> {
        dispatch!(self, r => r.arrivals_by_day(organisation_id, since).await)
    }

    pub async fn latest_release(
        &self,
    ) -> Result<Option<(DateTime<Utc>, serde_json::Value)>, StoreError> {
        dispatch!(self, r => r.latest_release().await)
    }

    pub async fn record_release(
        &self,
        body: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, r => r.record_release(body, now).await)
    }

    /// Records an export of personal data made by the operator.
    pub async fn record_export(
        &self,
        by: &Principal,
        detail: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, r => r.record_export(by, detail, now).await)
    }

    /// Records a read of personal data before it is shown.
    pub async fn log_access(
        &self,
        actor: &Actor,
        action: &str,
        entity_id: Option<Uuid>,
        purpose: Option<&str>,
        detail: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, r => r.log_access(actor, action, entity_id, purpose, detail, now).await)
    }

    /// Counts a look-up in partners' records against the user's hourly limit; `false` when
    /// over it (nothing recorded, and the caller must not look).
    pub async fn claim_cross_org_lookup(
        &self,
        actor: &Actor,
        kind: &str,
        per_hour: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, r => r.claim_cross_org_lookup(actor, kind, per_hour, now).await)
    }

    /// Writes partners' records read on `actor`'s behalf into the partners' access logs.
    pub async fn log_partner_reads(
        &self,
        actor: &Actor,
        reads: &[PartnerRead],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, r => r.log_partner_reads(actor, reads, now).await)
    }

    pub async fn access_log(
        &self,
        actor: &Actor,
        user_id: Option<Uuid>,
        entity_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AccessEntry>, StoreError> {
        dispatch!(self, r => r.access_log(actor, user_id, entity_id, limit).await)
    }

    /// Seals written audit events into the hash chain; returns how many. Refuses
    /// ([`StoreError::AuditTail`]) when the chain's head is not its last sealed event or
    /// events are numbered beyond it.
    pub async fn seal_audit(&self, limit: u32) -> Result<usize, StoreError> {
        dispatch!(self, r => r.seal_audit(limit).await)
    }

    /// Checks the audit hash chain from the first event to the head.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        dispatch!(self, r => r.verify_audit(None).await)
    }

    /// Checks the chain as [`Store::verify_audit`] does, and that the event at
    /// `recorded.seq` still has `recorded.hash`: a head kept outside the database catches
    /// a history rewritten and re-chained by someone with database access.
    pub async fn verify_audit_expecting(
        &self,
        recorded: &AuditHead,
    ) -> Result<AuditVerification, StoreError> {
        dispatch!(self, r => r.verify_audit(Some(recorded)).await)
    }

    /// Row counts per table, for tests and operational checks; no personal data.
    pub async fn table_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        dispatch!(self, r => r.table_counts().await)
    }
}
