//! Every query, written once and run on either backend.
//!
//! [`Repo`] is generic over a [`Backend`] (SQLite or PostgreSQL). Each module holds
//! `#[queries] impl<DB: Backend> Repo<DB>` blocks: the attribute states the sqlx bounds the
//! SQL needs, so the compiler checks that both backends meet them, and makes every `pub`
//! method with a `&self` receiver a method of [`crate::Store`] with the same signature
//! (`pub(crate)` ones too, for the adapters in `lib.rs`). Adding a store method is adding
//! it here, plus its test.

use serde::Serialize;
use serde_json::Value;
use shanyrak_core::{Action, Actor, FieldError, FieldErrorCode, Role, ValidationErrors};
use sqlx::types::Json;
use sqlx::{Database, Pool, Row};
use uuid::Uuid;

use shanyrak_store_macros::queries;

use crate::StoreError;

/// Who performs a write: a signed-in user, or the operator at the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User(Actor),
    /// The operator running an administrative command; the label names the channel.
    System(&'static str),
}

impl Principal {
    fn user_id(&self) -> Option<Uuid> {
        match self {
            Principal::User(a) => Some(a.user_id),
            Principal::System(_) => None,
        }
    }

    fn organisation_id(&self) -> Option<Uuid> {
        match self {
            Principal::User(a) => Some(a.organisation_id),
            Principal::System(_) => None,
        }
    }

    fn label(&self) -> String {
        match self {
            Principal::User(a) => format!("user:{}", a.user_id),
            Principal::System(channel) => format!("system:{channel}"),
        }
    }

    /// Refuses a user whose roles do not allow `action`; the operator may do anything.
    fn require(&self, action: Action) -> Result<(), StoreError> {
        match self {
            Principal::User(actor) => require(actor, action),
            Principal::System(_) => Ok(()),
        }
    }

    /// Hides a record of another organisation than the user's (`NotFound`, as if it did
    /// not exist); the operator sees every organisation's.
    fn require_own(&self, organisation_id: Uuid) -> Result<(), StoreError> {
        match self {
            Principal::User(actor) if actor.organisation_id != organisation_id => {
                Err(StoreError::NotFound)
            }
            _ => Ok(()),
        }
    }

    /// Administration (organisations, users, tokens) is for the operator and for admins,
    /// and an admin only administers their own organisation.
    fn may_administer(&self, organisation_id: Option<Uuid>) -> bool {
        match self {
            Principal::System(_) => true,
            Principal::User(actor) => {
                actor.roles.contains(&Role::Admin)
                    && organisation_id.is_none_or(|org| org == actor.organisation_id)
            }
        }
    }
}

/// The queries for one backend.
#[derive(Debug)]
pub struct Repo<DB: Database> {
    /// Writes go here. For SQLite this pool has exactly one connection.
    writer: Pool<DB>,
    /// Reads go here. For PostgreSQL it is the same pool as `writer`.
    reader: Pool<DB>,
    /// The heavy reads of figures and exports, which may lag the primary by seconds: a
    /// PostgreSQL read replica when the deployment names one, else `reader`.
    analytics: Pool<DB>,
}

impl<DB: Database> Clone for Repo<DB> {
    fn clone(&self) -> Self {
        Self {
            writer: self.writer.clone(),
            reader: self.reader.clone(),
            analytics: self.analytics.clone(),
        }
    }
}

/// A query with its arguments bound so far, for helpers that bind a share of them.
pub(crate) type Query<'q, DB> = sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>;

/// The most values one statement binds: multi-row inserts are cut into statements below
/// SQLite's limit of 32,766 bound parameters (PostgreSQL's is 65,535).
pub(crate) const MAX_BINDS: usize = 16_000;

/// Refuses an actor whose roles do not allow `action`.
pub(crate) fn require(actor: &Actor, action: Action) -> Result<(), StoreError> {
    if actor.may(action) {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

/// A request refused for one field, as validation would report it.
pub(crate) fn invalid(
    pointer: impl Into<String>,
    code: FieldErrorCode,
    detail: &str,
) -> StoreError {
    StoreError::Invalid(ValidationErrors::single(FieldError::new(
        pointer, code, detail,
    )))
}

/// Typed reads of the columns that hold an enum's text, JSON or other text to parse: the
/// column is named once, and a value the type cannot read is reported as corrupt data.
pub(crate) trait ColumnExt: Row {
    /// The text column `column`, parsed by `parse`.
    fn parsed<T>(&self, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError>;

    /// The JSON column `column`, read as a `T`.
    fn json<T: serde::de::DeserializeOwned>(&self, column: &str) -> Result<T, StoreError>;

    /// The text column `column` parsed as a `T` (a country code, a reference code, …);
    /// text that does not parse is corrupt data, reported as `corrupt`.
    fn text<T: std::str::FromStr>(&self, column: &str, corrupt: &str) -> Result<T, StoreError>;
}

impl<R: Row> ColumnExt for R
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Json<Value>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn parsed<T>(&self, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
        parse_enum(&self.try_get::<String, _>(column)?, parse, column)
    }

    fn json<T: serde::de::DeserializeOwned>(&self, column: &str) -> Result<T, StoreError> {
        from_json(self.try_get::<Json<Value>, _>(column)?.0, column)
    }

    fn text<T: std::str::FromStr>(&self, column: &str, corrupt: &str) -> Result<T, StoreError> {
        self.try_get::<String, _>(column)?
            .parse()
            .map_err(|_| StoreError::corrupt(corrupt))
    }
}

pub(crate) fn parse_enum<T>(
    text: &str,
    parse: fn(&str) -> Option<T>,
    column: &str,
) -> Result<T, StoreError> {
    parse(text).ok_or_else(|| StoreError::corrupt(format!("unknown value in column {column}")))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    value: Value,
    column: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(value)
        .map_err(|_| StoreError::corrupt(format!("unreadable JSON in column {column}")))
}

/// Refuses an edit made against another version of the record than the stored one
/// (`If-Match`); without an expected version any version is edited.
pub(crate) fn check_version(expected: Option<i64>, current: i64) -> Result<(), StoreError> {
    match expected {
        Some(version) if version != current => Err(StoreError::VersionMismatch { current }),
        _ => Ok(()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Value, StoreError> {
    serde_json::to_value(value)
        .map_err(|_| StoreError::corrupt("value could not be encoded as JSON"))
}

impl<DB: Database> Repo<DB> {
    pub fn new(writer: Pool<DB>, reader: Pool<DB>) -> Self {
        let analytics = reader.clone();
        Self {
            writer,
            reader,
            analytics,
        }
    }

    /// Figures and exports read from `analytics` (a read replica) instead.
    pub fn with_analytics(self, analytics: Pool<DB>) -> Self {
        Self { analytics, ..self }
    }
}

mod access_log;
mod accounts;
mod audit;
mod households;
mod idempotency;
mod login;
mod unscoped;
pub use accounts::{IssuedToken, UserRecord};
pub use audit::AuditEvent;
use audit::Change;
pub use households::{CreateOutcome, HouseholdFilter, HouseholdReceipt};
pub(crate) use households::{HOUSEHOLD_COLUMNS, HouseholdKey};
pub use idempotency::IdempotencyRequest;
pub use login::{
    LOGIN_FAILURES_BEFORE_LOCK, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS,
    LOGIN_LOCK_MINUTES, LoginLimits,
};
mod backend;
pub use backend::Backend;
mod audit_chain;
mod distributions;
mod essentials;
mod figure_snapshot;
mod registry;
pub use registry::RegistryRow;
mod figures;
pub use figure_snapshot::{SnapshotInfo, WaitingCell};
mod imports;
pub use access_log::{AccessEntry, PartnerRead};
pub use distributions::{
    DistributionOutcome, DistributionReceipt, DistributionReportRow, EntitlementView,
    RecentReceipt, RecordedLine, ReportDimension,
};
pub use essentials::{DistributionPoint, Item, StockEntry, StockLevel, StockReportRow, StockView};
pub use imports::{QuarantinedRow, RowToQuarantine, Upload};
mod cases;
pub use cases::{Direction, Referral, StayFacts};
mod identity;
mod operations;
mod outbox;
pub use operations::{PoolStats, PoolUse, QueueSizes};
mod placement;
mod protection;
mod resettlement;
pub use audit_chain::{AuditHead, AuditHeadParseError, AuditVerification};
pub use resettlement::{Proposal, ResettlementEntry};
mod host_offers;
pub use host_offers::{
    HOST_OFFERS_PAGE, HOST_OFFERS_PER_ADDRESS, HOST_OFFERS_PER_PLACE, HOST_OFFERS_PER_WINDOW,
    HostOfferRecord,
};
mod places;
mod pre_registrations;
pub(crate) use places::place_id_from_row;
pub use places::{PlaceMapping, UnconfirmedPlace};
pub use pre_registrations::{
    PRE_REGISTRATION_HOURS, PRE_REGISTRATION_WINDOW_MINUTES, PRE_REGISTRATIONS_PAGE,
    PRE_REGISTRATIONS_PER_ADDRESS, PRE_REGISTRATIONS_PER_PLACE, PRE_REGISTRATIONS_PER_WINDOW,
    PreRegistration,
};
mod cluster;
pub use cluster::{ChangeFeed, HOUSEHOLD_CHANNEL, Job, JobLock};
mod encoded;
pub use encoded::{EncodedExchange, EncodedUpload, EncodingScheme};
mod sharing;
mod shelter;
mod stats;
mod stays;
pub use identity::{DuplicateCandidate, PersonSide, ProposedPair};
pub use placement::{PlacementAcceptance, PlacementBatch, PlacementDecision, PoolAllocation};
pub use protection::{
    AuditSummary, ErasureReport, ReceivedItem, ReferralSummary, RetentionReport, SubjectAccess,
};
pub use sharing::Agreement;
pub use shelter::{PoolView, SiteEntry, SiteLabel, SiteSummary, SiteView};
pub use stays::{AdmissionRequest, Resident, ShelterElsewhere, Stay, WaitingHousehold};

#[queries]
impl<DB: Backend> Repo<DB> {
    /// "sqlite" or "postgres", for logs and health checks.
    pub fn backend_name(&self) -> &'static str {
        DB::LABEL
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// A consistent copy of the whole database in a new file at `path`, taken while the
    /// server keeps writing (SQLite; PostgreSQL: [`StoreError::BackupUnsupported`]).
    pub async fn backup_into(&self, path: &str) -> Result<(), StoreError> {
        DB::backup_into(&self.reader, path).await
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.reader.acquire().await?;
        sqlx::query("SELECT 1").fetch_one(&mut *conn).await?;
        Ok(())
    }

    /// The row `sql` selects for the record `id` (bound as `$1`) of `organisation_id`
    /// (`$2`); `NotFound` when there is none, another organisation's record included.
    pub(super) async fn fetch_scoped(
        conn: &mut DB::Connection,
        sql: &str,
        id: Uuid,
        organisation_id: Uuid,
    ) -> Result<DB::Row, StoreError> {
        sqlx::query(sql)
            .bind(id)
            .bind(organisation_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Runs an `UPDATE … WHERE id = … AND version = … RETURNING id` of a record read at
    /// version `read`: no row back means a concurrent write changed it first.
    pub(super) async fn update_at_version(
        conn: &mut DB::Connection,
        update: Query<'_, DB>,
        read: i64,
    ) -> Result<(), StoreError> {
        update
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::VersionMismatch { current: read })?;
        Ok(())
    }

    /// Row counts per table, for tests and operational checks; no personal data.
    pub async fn table_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let mut counts = Vec::new();
        for table in [
            "organisations",
            "users",
            "api_tokens",
            "households",
            "persons",
            "documents",
            "audit_events",
            "idempotency_keys",
            "sites",
            "bed_pools",
            "stays",
            "duplicate_candidates",
            "access_log",
            "cases",
            "case_notes",
            "referrals",
            "stay_movements",
            "import_quarantine",
            "pre_registrations",
            "host_offers",
            "encoded_uploads",
        ] {
            let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(&mut *conn)
                .await?;
            counts.push((table, row.try_get::<i64, _>("n")?));
        }
        Ok(counts)
    }
}
