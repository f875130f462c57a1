//! Every query, written once and run on either backend.
//!
//! [`Repo`] is generic over a [`Backend`] (SQLite or PostgreSQL). Each module holds
//! `#[queries] impl<DB: Backend> Repo<DB>` blocks: the attribute states the sqlx bounds the
//! SQL needs, so the compiler checks that both backends meet them, and makes every `pub`
//! method with a `&self` receiver a method of [`crate::Store`] with the same signature
//! (`pub(crate)` ones too, for the adapters in `lib.rs`). Adding a store method is adding
//! it here, plus its test.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use shanyrak_core::{
    Action, Actor, BirthDate, CountryCode, Document, DocumentType, FieldErrorCode, Household,
    HouseholdStatus, Location, Need, OrgKind, Organisation, Person, PhoneNumber, PopulationGroup,
    ReferenceCode, Relationship, Role, Sex, ValidatedHousehold, ValidatedMember, ValidationErrors,
    Vulnerability,
};
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

/// A user account without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub email: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// A freshly issued API token. The secret exists only here; the database keeps its hash.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub secret: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// An `Idempotency-Key` and the hash of the request body it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyRequest {
    pub key: String,
    pub request_hash: Vec<u8>,
}

/// What a registration created: enough to answer the client, and nothing personal, so it
/// can be kept for replays without copying personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdReceipt {
    pub household_id: Uuid,
    pub reference: ReferenceCode,
    /// Member ids in the order the members were submitted.
    pub member_ids: Vec<Uuid>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    Created(HouseholdReceipt),
    /// The same Idempotency-Key and body were seen before: nothing new was written.
    Replayed(HouseholdReceipt),
}

/// Filters for listing households; results come in registration order after `after`.
#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub group: Option<PopulationGroup>,
    pub city: Option<String>,
    pub status: Option<HouseholdStatus>,
    pub registered_since: Option<DateTime<Utc>>,
    /// Keyset cursor: the last household id of the previous page.
    pub after: Option<Uuid>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: String,
    pub organisation_id: Option<Uuid>,
    pub entity: String,
    pub entity_id: Uuid,
    pub action: String,
    /// The record before the change, with every value the reader's role may not see on
    /// the record itself removed; absent when none may be shown.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<Value>,
    /// JSON pointers of the fields this change touched (shown even where values are not).
    pub changed: Vec<String>,
    /// JSON pointers whose values were withheld from this reader (`""`: the whole payload).
    pub withheld: Vec<String>,
}

/// The queries for one backend.
#[derive(Debug)]
pub struct Repo<DB: Database> {
    /// Writes go here. For SQLite this pool has exactly one connection.
    writer: Pool<DB>,
    /// Reads go here. For PostgreSQL it is the same pool as `writer`.
    reader: Pool<DB>,
}

impl<DB: Database> Clone for Repo<DB> {
    fn clone(&self) -> Self {
        Self {
            writer: self.writer.clone(),
            reader: self.reader.clone(),
        }
    }
}

pub(crate) const HOUSEHOLD_COLUMNS: &str = "id, reference, organisation_id, population_group, arrival_date, crossing_point, \
     country, region, city, phone, languages, needs, accepts_sex_separation, legal_basis, information_given, status, \
     notes, version, registered_at, \
     updated_at, current_place_id, current_latitude, current_longitude, accepts_several_rooms";

const PERSON_COLUMNS: &str = "id, household_id, surname, given_name, patronymic, sex, birth_date, \
     birth_date_estimated, citizenship, relationship, vulnerabilities";

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
    fn new(email: &str, client: Option<std::net::IpAddr>) -> Self {
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
    fn limited(&self) -> [(&[u8; 32], i32); 3] {
        [
            (&self.address, LOGIN_FAILURES_PER_ADDRESS),
            (&self.account, LOGIN_FAILURES_PER_ACCOUNT),
            (&self.pair, LOGIN_FAILURES_BEFORE_LOCK),
        ]
    }
}

/// Token secrets are 32 random bytes, hex-encoded behind a recognisable prefix so that a
/// leaked token is easy to find in a scan of logs or repositories.
const TOKEN_PREFIX: &str = "shk_";

fn hash_token(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
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

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Value, StoreError> {
    serde_json::to_value(value)
        .map_err(|_| StoreError::corrupt("value could not be encoded as JSON"))
}

/// Households whose members are read in one query.
const ATTACH_CHUNK: usize = 500;

fn random_reference() -> ReferenceCode {
    ReferenceCode::from_random_bits(rand::random::<u64>() & ((1 << 40) - 1))
}

/// Builds the stored form of a household from its validated input and assigned ids.
#[allow(clippy::too_many_arguments)]
fn assemble_household(
    id: Uuid,
    reference: ReferenceCode,
    organisation_id: Uuid,
    h: &ValidatedHousehold,
    member_ids: &[Uuid],
    version: i64,
    registered_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> Household {
    Household {
        id,
        reference,
        organisation_id,
        group: h.group,
        arrival_date: h.arrival_date,
        crossing_point: h.crossing_point.clone(),
        location: h.location.clone(),
        current_location: h.current_location,
        phone: h.phone.clone(),
        languages: h.languages.clone(),
        needs: h.needs.clone(),
        accepts_sex_separation: h.accepts_sex_separation,
        accepts_several_rooms: h.accepts_several_rooms,
        legal_basis: h.legal_basis,
        information_given: h.information_given,
        status: h.status,
        notes: h.notes.clone(),
        members: h
            .members
            .iter()
            .zip(member_ids)
            .map(|(m, id)| Person {
                id: *id,
                surname: m.surname.clone(),
                given_name: m.given_name.clone(),
                patronymic: m.patronymic.clone(),
                sex: m.sex,
                birth_date: m.birth_date,
                birth_date_estimated: m.birth_date_estimated,
                citizenship: m.citizenship,
                relationship: m.relationship,
                vulnerabilities: m.vulnerabilities.clone(),
                documents: m.documents.clone(),
            })
            .collect(),
        version,
        registered_at,
        updated_at,
    }
}

impl<DB: Database> Repo<DB> {
    pub fn new(writer: Pool<DB>, reader: Pool<DB>) -> Self {
        Self { writer, reader }
    }
}

mod access_log;
mod backend;
pub use backend::Backend;
mod audit_chain;
mod essentials;
mod figure_snapshot;
mod registry;
pub use registry::RegistryRow;
mod figures;
pub use figure_snapshot::{SnapshotInfo, WaitingCell};
mod imports;
pub use access_log::{AccessEntry, PartnerRead};
pub use essentials::{
    DistributionOutcome, DistributionPoint, DistributionReceipt, DistributionReportRow,
    EntitlementView, Item, RecentReceipt, RecordedLine, ReportDimension, StockEntry, StockLevel,
    StockReportRow, StockView,
};
pub use imports::{QuarantinedRow, RowToQuarantine, Upload};
mod cases;
pub use cases::{Direction, Referral, StayFacts};
mod identity;
mod placement;
mod protection;
mod resettlement;
pub use audit_chain::{AuditHead, AuditHeadParseError, AuditVerification};
pub use resettlement::{Proposal, ResettlementEntry};
mod sharing;
mod shelter;
mod stats;
pub use identity::{DuplicateCandidate, PersonSide, ProposedPair};
pub use placement::{PlacementBatch, PlacementDecision, PoolAllocation};
pub use protection::{
    AuditSummary, ErasureReport, ReceivedItem, ReferralSummary, RetentionReport, SubjectAccess,
};
pub use sharing::Agreement;
pub use shelter::{
    AdmissionRequest, PoolView, Resident, ShelterElsewhere, SiteEntry, SiteLabel, SiteSummary,
    SiteView, Stay, WaitingHousehold,
};

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

    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.reader.acquire().await?;
        sqlx::query("SELECT 1").fetch_one(&mut *conn).await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn audit(
        conn: &mut DB::Connection,
        by: &Principal,
        organisation_id: Option<Uuid>,
        entity: &str,
        entity_id: Uuid,
        action: &str,
        before: Option<Value>,
        after: Option<Value>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_events (id, at, actor_user_id, actor_label, organisation_id, entity, entity_id, \
             action, before_state, after_state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(Uuid::now_v7())
        .bind(now)
        .bind(by.user_id())
        .bind(by.label())
        .bind(organisation_id.or(by.organisation_id()))
        .bind(entity.to_owned())
        .bind(entity_id)
        .bind(action.to_owned())
        .bind(before.map(Json))
        .bind(after.map(Json))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    // ----- organisations, users, tokens -------------------------------------------------

    pub async fn create_organisation(
        &self,
        by: &Principal,
        name: &str,
        kind: OrgKind,
        now: DateTime<Utc>,
    ) -> Result<Organisation, StoreError> {
        if !matches!(by, Principal::System(_)) {
            return Err(StoreError::Forbidden);
        }
        let name = shanyrak_core::org::validate_org_name(name).map_err(StoreError::Invalid)?;
        let org = Organisation {
            id: Uuid::now_v7(),
            name,
            kind,
            created_at: now,
        };
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org.id)
        .bind(org.name.clone())
        .bind(kind.as_str().to_owned())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Self::audit(
            &mut tx,
            by,
            Some(org.id),
            "organisation",
            org.id,
            "create",
            None,
            Some(to_json(&org)?),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(org)
    }

    /// Every organisation, by name: the partners a referral or an agreement can name.
    /// Names and kinds are public facts about organisations, not about people.
    pub async fn list_organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let rows =
            sqlx::query("SELECT id, name, kind, created_at FROM organisations ORDER BY name")
                .fetch_all(&mut *conn)
                .await?;
        rows.iter()
            .map(|row| {
                Ok(Organisation {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    kind: parse_enum(&row.try_get::<String, _>("kind")?, OrgKind::parse, "kind")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    pub async fn find_organisation(&self, id: Uuid) -> Result<Option<Organisation>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query("SELECT id, name, kind, created_at FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        row.map(|row| {
            Ok(Organisation {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                kind: parse_enum(&row.try_get::<String, _>("kind")?, OrgKind::parse, "kind")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .transpose()
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
        if !by.may_administer(Some(organisation_id)) {
            return Err(StoreError::Forbidden);
        }
        let email = shanyrak_core::org::normalise_email(email).map_err(StoreError::Invalid)?;
        if password.chars().count() < 10 {
            return Err(StoreError::Invalid(ValidationErrors::single(
                shanyrak_core::FieldError::new(
                    "#/password",
                    FieldErrorCode::InvalidValue,
                    "a password has at least 10 characters",
                ),
            )));
        }
        if roles.is_empty() {
            return Err(StoreError::Invalid(ValidationErrors::single(
                shanyrak_core::FieldError::new(
                    "#/roles",
                    FieldErrorCode::Required,
                    "a user has at least one role",
                ),
            )));
        }
        let mut roles = roles.to_vec();
        roles.sort_unstable();
        roles.dedup();
        let password_hash = hash_password(password.to_owned()).await?;
        let user = UserRecord {
            id: Uuid::now_v7(),
            organisation_id,
            email,
            roles,
            disabled: false,
            created_at: now,
        };
        let mut tx = self.writer.begin().await?;
        let org_exists = sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(organisation_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !org_exists {
            return Err(StoreError::NotFound);
        }
        let inserted = sqlx::query(
            "INSERT INTO users (id, organisation_id, email, password_hash, roles, disabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(user.id)
        .bind(organisation_id)
        .bind(user.email.clone())
        .bind(password_hash)
        .bind(Json(to_json(&user.roles)?))
        .bind(false)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            return Err(StoreError::EmailTaken);
        }
        Self::audit(
            &mut tx,
            by,
            Some(organisation_id),
            "user",
            user.id,
            "create",
            None,
            Some(to_json(&user)?),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The account with this e-mail, if `by` may administer it; another organisation's
    /// account is `NotFound`, as if it did not exist.
    async fn administered_user(
        conn: &mut DB::Connection,
        by: &Principal,
        email: &str,
    ) -> Result<AdministeredUser, StoreError> {
        let email = shanyrak_core::org::normalise_email(email).map_err(StoreError::Invalid)?;
        let row =
            sqlx::query("SELECT id, organisation_id, roles, disabled FROM users WHERE email = $1")
                .bind(email)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound)?;
        let user = AdministeredUser {
            user_id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            roles: roles_from(row.try_get::<Json<Value>, _>("roles")?.0)?,
            disabled: row.try_get("disabled")?,
        };
        if by.may_administer(Some(user.organisation_id)) {
            Ok(user)
        } else {
            Err(StoreError::NotFound)
        }
    }

    pub async fn set_user_disabled(
        &self,
        by: &Principal,
        email: &str,
        disabled: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        let AdministeredUser {
            user_id,
            organisation_id,
            disabled: was,
            ..
        } = Self::administered_user(&mut tx, by, email).await?;
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        Self::audit(
            &mut tx,
            by,
            Some(organisation_id),
            "user",
            user_id,
            if disabled { "disable" } else { "enable" },
            Some(serde_json::json!({ "disabled": was })),
            Some(serde_json::json!({ "disabled": disabled })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues a token for a user, optionally limited to one of the user's roles.
    pub(crate) async fn issue_token(
        &self,
        by: &Principal,
        email: &str,
        role: Option<Role>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, StoreError> {
        let mut tx = self.writer.begin().await?;
        let AdministeredUser {
            user_id,
            organisation_id,
            roles,
            ..
        } = Self::administered_user(&mut tx, by, email).await?;
        if role.is_some_and(|r| !roles.contains(&r)) {
            return Err(StoreError::Invalid(ValidationErrors::single(
                shanyrak_core::FieldError::new(
                    "#/role",
                    FieldErrorCode::InvalidValue,
                    "the user does not have this role",
                ),
            )));
        }
        let random: [u8; 32] = rand::random();
        let secret = format!("{TOKEN_PREFIX}{}", hex(&random));
        let token = IssuedToken {
            id: Uuid::now_v7(),
            user_id,
            secret,
            expires_at,
        };
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, token_hash, created_at, expires_at, role) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.id)
        .bind(user_id)
        .bind(hash_token(&token.secret))
        .bind(now)
        .bind(expires_at)
        .bind(role.map(|r| r.as_str().to_owned()))
        .execute(&mut *tx)
        .await?;
        Self::audit(
            &mut tx,
            by,
            Some(organisation_id),
            "api_token",
            token.id,
            "create",
            None,
            Some(serde_json::json!({ "user_id": user_id, "expires_at": expires_at, "role": role })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The actor behind a bearer token, if the token is known, unexpired, unrevoked and
    /// its user is enabled. Checked on every request, so disabling takes effect at once.
    pub async fn authenticate_token(
        &self,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Actor>, StoreError> {
        let well_formed = secret.len() == TOKEN_PREFIX.len() + 64
            && secret.starts_with(TOKEN_PREFIX)
            && secret[TOKEN_PREFIX.len()..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Ok(None);
        }
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query(
            "SELECT t.user_id, t.expires_at, t.revoked_at, t.role, u.organisation_id, u.roles, u.disabled \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
        )
        .bind(hash_token(secret))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at: Option<DateTime<Utc>> = row.try_get("expires_at")?;
        let revoked_at: Option<DateTime<Utc>> = row.try_get("revoked_at")?;
        let disabled: bool = row.try_get("disabled")?;
        if disabled || revoked_at.is_some() || expires_at.is_some_and(|e| e <= now) {
            return Ok(None);
        }
        let mut roles = roles_from(row.try_get::<Json<Value>, _>("roles")?.0)?;
        if let Some(scope) = row.try_get::<Option<String>, _>("role")? {
            // A scoped token acts with that role only, and only while the user has it.
            let scope = parse_enum(&scope, Role::parse, "role")?;
            if !roles.contains(&scope) {
                return Ok(None);
            }
            roles = vec![scope];
        }
        Ok(Some(Actor {
            user_id: row.try_get("user_id")?,
            organisation_id: row.try_get("organisation_id")?,
            roles,
        }))
    }

    /// Revokes every live token of a user (after a lost phone, say); returns how many.
    pub async fn revoke_tokens(
        &self,
        by: &Principal,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin().await?;
        let AdministeredUser {
            user_id,
            organisation_id,
            ..
        } = Self::administered_user(&mut tx, by, email).await?;
        let revoked = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL RETURNING id")
            .bind(now)
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?
            .len() as u64;
        Self::audit(
            &mut tx,
            by,
            Some(organisation_id),
            "user",
            user_id,
            "revoke_tokens",
            None,
            Some(serde_json::json!({ "revoked": revoked })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// Revokes the token itself (logging out).
    pub async fn revoke_token_secret(
        &self,
        actor: &Actor,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING id")
            .bind(now)
            .bind(hash_token(secret))
            .bind(actor.user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let token_id: Uuid = row.try_get("id")?;
        Self::audit(
            &mut tx,
            &Principal::User(actor.clone()),
            Some(actor.organisation_id),
            "api_token",
            token_id,
            "revoke",
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

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
        self.issue_token(
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
        let mut tx = self.writer.begin().await?;
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
            let mut tx = self.writer.begin().await?;
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
        let mut tx = self.writer.begin().await?;
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

    /// A user's e-mail address, to show them who is signed in.
    pub async fn user_email(&self, user_id: Uuid) -> Result<Option<String>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
        row.map(|r| r.try_get::<String, _>("email"))
            .transpose()
            .map_err(Into::into)
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

    /// Registers a household with its members and documents, and its audit event, in one
    /// transaction. With an idempotency key, a repeat of the same request returns the
    /// first receipt and writes nothing.
    pub async fn create_household(
        &self,
        actor: &Actor,
        h: &ValidatedHousehold,
        idempotency: Option<&IdempotencyRequest>,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome, StoreError> {
        if !actor.may(Action::RegisterHousehold) {
            return Err(StoreError::Forbidden);
        }
        let household_id = Uuid::now_v7();
        let member_ids: Vec<Uuid> = h.members.iter().map(|_| Uuid::now_v7()).collect();
        let mut tx = self.writer.begin().await?;

        // 40 random bits make collisions rare but not impossible at national scale.
        let reference = Self::unused_reference(&mut tx).await?;
        let receipt = HouseholdReceipt {
            household_id,
            reference,
            member_ids: member_ids.clone(),
            version: 1,
        };

        if let Some(idem) = idempotency {
            // Claimed first, so a concurrent retry with the same key waits on this row
            // (PostgreSQL) or on the single writer (SQLite) and then sees it.
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys (user_id, key, request_hash, receipt, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, key) DO NOTHING RETURNING key",
            )
            .bind(actor.user_id)
            .bind(idem.key.clone())
            .bind(idem.request_hash.clone())
            .bind(Json(to_json(&receipt)?))
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if claimed.is_none() {
                tx.rollback().await?;
                return self.replay(actor, idem).await;
            }
        }

        Self::insert_household(&mut tx, actor, h, household_id, reference, &member_ids, now)
            .await?;
        tx.commit().await?;
        Ok(CreateOutcome::Created(receipt))
    }

    /// Many households in one transaction, each under its idempotency key: a key already
    /// used replays its receipt (a key reused with another body is an error for all).
    /// For imports, where one commit per household would dominate the run.
    pub async fn create_households_idempotent(
        &self,
        actor: &Actor,
        households: &[(ValidatedHousehold, IdempotencyRequest)],
        now: DateTime<Utc>,
    ) -> Result<Vec<CreateOutcome>, StoreError> {
        if !actor.may(Action::RegisterHousehold) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.writer.begin().await?;
        let mut outcomes = Vec::with_capacity(households.len());
        for (h, idem) in households {
            let household_id = Uuid::now_v7();
            let member_ids: Vec<Uuid> = h.members.iter().map(|_| Uuid::now_v7()).collect();
            let reference = Self::unused_reference(&mut tx).await?;
            let receipt = HouseholdReceipt {
                household_id,
                reference,
                member_ids: member_ids.clone(),
                version: 1,
            };
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys (user_id, key, request_hash, receipt, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, key) DO NOTHING RETURNING key",
            )
            .bind(actor.user_id)
            .bind(idem.key.clone())
            .bind(idem.request_hash.clone())
            .bind(Json(to_json(&receipt)?))
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if claimed.is_none() {
                let row = sqlx::query("SELECT request_hash, receipt FROM idempotency_keys WHERE user_id = $1 AND key = $2")
                    .bind(actor.user_id)
                    .bind(idem.key.clone())
                    .fetch_one(&mut *tx)
                    .await?;
                let stored_hash: Vec<u8> = row.try_get("request_hash")?;
                if stored_hash != idem.request_hash {
                    return Err(StoreError::IdempotencyKeyReused);
                }
                outcomes.push(CreateOutcome::Replayed(from_json(
                    row.try_get::<Json<Value>, _>("receipt")?.0,
                    "receipt",
                )?));
                continue;
            }
            Self::insert_household(&mut tx, actor, h, household_id, reference, &member_ids, now)
                .await?;
            outcomes.push(CreateOutcome::Created(receipt));
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Many households in one transaction, each registered at its own time: for seeding a
    /// demonstration or a migration, where one commit per household would take minutes.
    /// No idempotency keys; an error rolls back the whole batch.
    pub async fn create_households_bulk(
        &self,
        actor: &Actor,
        households: &[(ValidatedHousehold, DateTime<Utc>)],
    ) -> Result<Vec<HouseholdReceipt>, StoreError> {
        if !actor.may(Action::RegisterHousehold) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.writer.begin().await?;
        let mut receipts = Vec::with_capacity(households.len());
        for (h, at) in households {
            let household_id = Uuid::now_v7();
            let member_ids: Vec<Uuid> = h.members.iter().map(|_| Uuid::now_v7()).collect();
            let reference = Self::unused_reference(&mut tx).await?;
            Self::insert_household(&mut tx, actor, h, household_id, reference, &member_ids, *at)
                .await?;
            receipts.push(HouseholdReceipt {
                household_id,
                reference,
                member_ids,
                version: 1,
            });
        }
        tx.commit().await?;
        Ok(receipts)
    }

    /// The rows of a new household, its members and its audit event, in `conn`'s
    /// transaction.
    #[allow(clippy::too_many_arguments)]
    async fn insert_household(
        conn: &mut DB::Connection,
        actor: &Actor,
        h: &ValidatedHousehold,
        household_id: Uuid,
        reference: ReferenceCode,
        member_ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO households (id, reference, organisation_id, population_group, arrival_date, crossing_point, \
             country, region, city, phone, languages, needs, status, notes, version, registered_at, registered_by, \
             updated_at, accepts_sex_separation, legal_basis, information_given, current_place_id, \
             current_latitude, current_longitude, accepts_several_rooms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
             $22, $23, $24, $25)",
        )
        .bind(household_id)
        .bind(reference.as_str().to_owned())
        .bind(actor.organisation_id)
        .bind(h.group.as_str().to_owned())
        .bind(h.arrival_date)
        .bind(h.crossing_point.clone())
        .bind(h.location.country.as_str().to_owned())
        .bind(h.location.region.clone())
        .bind(h.location.city.clone())
        .bind(h.phone.as_ref().map(|p| p.as_str().to_owned()))
        .bind(Json(to_json(&h.languages)?))
        .bind(Json(to_json(&h.needs)?))
        .bind(h.status.as_str().to_owned())
        .bind(h.notes.clone())
        .bind(1i64)
        .bind(now)
        .bind(actor.user_id)
        .bind(now)
        .bind(h.accepts_sex_separation)
        .bind(h.legal_basis.map(|b| b.as_str().to_owned()))
        .bind(h.information_given)
        .bind(h.current_location.and_then(|c| c.place_id).map(i64::from))
        .bind(h.current_location.map(|c| c.coordinates.latitude))
        .bind(h.current_location.map(|c| c.coordinates.longitude))
        .bind(h.accepts_several_rooms)
        .execute(&mut *conn)
        .await?;

        for (position, (member, id)) in h.members.iter().zip(member_ids).enumerate() {
            Self::insert_person(conn, household_id, *id, position, member).await?;
        }

        let household = assemble_household(
            household_id,
            reference,
            actor.organisation_id,
            h,
            member_ids,
            1,
            now,
            now,
        );
        Self::audit(
            conn,
            &Principal::User(actor.clone()),
            Some(actor.organisation_id),
            "household",
            household_id,
            "create",
            None,
            Some(to_json(&household)?),
            now,
        )
        .await?;
        Ok(())
    }

    async fn replay(
        &self,
        actor: &Actor,
        idem: &IdempotencyRequest,
    ) -> Result<CreateOutcome, StoreError> {
        let mut conn = self.writer.acquire().await?;
        let row = sqlx::query(
            "SELECT request_hash, receipt FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        )
        .bind(actor.user_id)
        .bind(idem.key.clone())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::corrupt("idempotency key vanished"))?;
        let stored_hash: Vec<u8> = row.try_get("request_hash")?;
        if stored_hash != idem.request_hash {
            return Err(StoreError::IdempotencyKeyReused);
        }
        let receipt: HouseholdReceipt =
            from_json(row.try_get::<Json<Value>, _>("receipt")?.0, "receipt")?;
        Ok(CreateOutcome::Replayed(receipt))
    }

    /// Claims an idempotency key for a new record `id`, first in the write transaction (a
    /// concurrent retry waits for it). `Ok(None)`: claimed, write the record; `Ok(Some(id))`:
    /// the same key and request already wrote record `id` (roll back and return that one).
    /// The receipt keeps the id only, never personal data; the same key with another
    /// request, or used for another kind of write, is refused.
    pub(super) async fn claim_for_record(
        conn: &mut DB::Connection,
        actor: &Actor,
        idem: &IdempotencyRequest,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<Uuid>, StoreError> {
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, receipt, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, key) DO NOTHING RETURNING key",
        )
        .bind(actor.user_id)
        .bind(idem.key.clone())
        .bind(idem.request_hash.clone())
        .bind(Json(serde_json::json!({ "record_id": id })))
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if claimed.is_some() {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT request_hash, receipt FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        )
        .bind(actor.user_id)
        .bind(idem.key.clone())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::corrupt("idempotency key vanished"))?;
        if row.try_get::<Vec<u8>, _>("request_hash")? != idem.request_hash {
            return Err(StoreError::IdempotencyKeyReused);
        }
        row.try_get::<Json<Value>, _>("receipt")?
            .0
            .get("record_id")
            .and_then(Value::as_str)
            .and_then(|id| id.parse::<Uuid>().ok())
            .map(Some)
            .ok_or(StoreError::IdempotencyKeyReused)
    }

    /// A random reference code no household holds yet (40 random bits: a retry is rare).
    async fn unused_reference(conn: &mut DB::Connection) -> Result<ReferenceCode, StoreError> {
        loop {
            let reference = random_reference();
            let taken = sqlx::query("SELECT id FROM households WHERE reference = $1")
                .bind(reference.as_str().to_owned())
                .fetch_optional(&mut *conn)
                .await?;
            if taken.is_none() {
                return Ok(reference);
            }
        }
    }

    async fn insert_person(
        conn: &mut DB::Connection,
        household_id: Uuid,
        id: Uuid,
        position: usize,
        m: &ValidatedMember,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO persons (id, household_id, position, surname, given_name, patronymic, sex, birth_date, \
             birth_year, birth_date_estimated, citizenship, relationship, vulnerabilities) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id)
        .bind(household_id)
        .bind(position as i32)
        .bind(m.surname.clone())
        .bind(m.given_name.clone())
        .bind(m.patronymic.clone())
        .bind(m.sex.as_str().to_owned())
        .bind(m.birth_date.to_iso())
        .bind(m.birth_date.year())
        .bind(m.birth_date_estimated)
        .bind(m.citizenship.map(|c| c.as_str().to_owned()))
        .bind(m.relationship.as_str().to_owned())
        .bind(Json(to_json(&m.vulnerabilities)?))
        .execute(&mut *conn)
        .await?;
        Self::insert_documents(conn, id, &m.documents).await
    }

    async fn insert_documents(
        conn: &mut DB::Connection,
        person_id: Uuid,
        documents: &[Document],
    ) -> Result<(), StoreError> {
        for (position, doc) in documents.iter().enumerate() {
            sqlx::query(
                "INSERT INTO documents (person_id, position, doc_type, number, issuing_country) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(person_id)
            .bind(position as i32)
            .bind(doc.doc_type.as_str().to_owned())
            .bind(doc.number.clone())
            .bind(doc.issuing_country.map(|c| c.as_str().to_owned()))
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    fn household_from_row(row: &DB::Row) -> Result<Household, StoreError> {
        let current_location_from_row = |row: &DB::Row| -> Result<_, StoreError> {
            let place: Option<i64> = row.try_get("current_place_id")?;
            let latitude: Option<f64> = row.try_get("current_latitude")?;
            let longitude: Option<f64> = row.try_get("current_longitude")?;
            Ok(match (latitude, longitude) {
                (Some(latitude), Some(longitude)) => Some(shanyrak_core::CurrentLocation {
                    place_id: place.and_then(|p| u32::try_from(p).ok()),
                    coordinates: shanyrak_core::shelter::Coordinates {
                        latitude,
                        longitude,
                    },
                }),
                _ => None,
            })
        };
        let reference: String = row.try_get("reference")?;
        let country: String = row.try_get("country")?;
        let phone: Option<String> = row.try_get("phone")?;
        Ok(Household {
            id: row.try_get("id")?,
            reference: reference
                .parse()
                .map_err(|_| StoreError::corrupt("unreadable household reference"))?,
            organisation_id: row.try_get("organisation_id")?,
            group: parse_enum(
                &row.try_get::<String, _>("population_group")?,
                PopulationGroup::parse,
                "population_group",
            )?,
            arrival_date: row.try_get("arrival_date")?,
            crossing_point: row.try_get("crossing_point")?,
            location: Location {
                country: country
                    .parse::<CountryCode>()
                    .map_err(|_| StoreError::corrupt("unknown country in households"))?,
                region: row.try_get("region")?,
                city: row.try_get("city")?,
            },
            current_location: current_location_from_row(row)?,
            phone: phone
                .map(|p| PhoneNumber::from_e164(&p))
                .transpose()
                .map_err(|_| StoreError::corrupt("unreadable phone in households"))?,
            languages: from_json(row.try_get::<Json<Value>, _>("languages")?.0, "languages")?,
            needs: from_json::<Vec<Need>>(row.try_get::<Json<Value>, _>("needs")?.0, "needs")?,
            accepts_sex_separation: row.try_get("accepts_sex_separation")?,
            accepts_several_rooms: row.try_get("accepts_several_rooms")?,
            legal_basis: row
                .try_get::<Option<String>, _>("legal_basis")?
                .map(|b| parse_enum(&b, shanyrak_core::LegalBasis::parse, "legal_basis"))
                .transpose()?,
            information_given: row.try_get("information_given")?,
            status: parse_enum(
                &row.try_get::<String, _>("status")?,
                HouseholdStatus::parse,
                "status",
            )?,
            notes: row.try_get("notes")?,
            members: Vec::new(),
            version: row.try_get("version")?,
            registered_at: row.try_get("registered_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    fn person_from_row(row: &DB::Row) -> Result<(Uuid, Person), StoreError> {
        let citizenship: Option<String> = row.try_get("citizenship")?;
        let person = Person {
            id: row.try_get("id")?,
            surname: row.try_get("surname")?,
            given_name: row.try_get("given_name")?,
            patronymic: row.try_get("patronymic")?,
            sex: parse_enum(&row.try_get::<String, _>("sex")?, Sex::parse, "sex")?,
            birth_date: BirthDate::parse(&row.try_get::<String, _>("birth_date")?)
                .map_err(|_| StoreError::corrupt("unreadable birth_date"))?,
            birth_date_estimated: row.try_get("birth_date_estimated")?,
            citizenship: citizenship
                .map(|c| c.parse::<CountryCode>())
                .transpose()
                .map_err(|_| StoreError::corrupt("unknown citizenship"))?,
            relationship: parse_enum(
                &row.try_get::<String, _>("relationship")?,
                Relationship::parse,
                "relationship",
            )?,
            vulnerabilities: from_json::<Vec<Vulnerability>>(
                row.try_get::<Json<Value>, _>("vulnerabilities")?.0,
                "vulnerabilities",
            )?,
            documents: Vec::new(),
        };
        Ok((row.try_get("household_id")?, person))
    }

    /// Fills in the current members (and their documents) of the given households.
    /// Loads the members (and their documents) of households, a slice at a time: one
    /// `IN (…)` of a whole organisation's households would pass SQLite's and PostgreSQL's
    /// limits on bound parameters.
    async fn attach_members(
        conn: &mut DB::Connection,
        households: &mut [Household],
    ) -> Result<(), StoreError> {
        for chunk in households.chunks_mut(ATTACH_CHUNK) {
            Self::attach_members_of(conn, chunk).await?;
        }
        Ok(())
    }

    async fn attach_members_of(
        conn: &mut DB::Connection,
        households: &mut [Household],
    ) -> Result<(), StoreError> {
        if households.is_empty() {
            return Ok(());
        }
        let placeholders: Vec<String> = (1..=households.len()).map(|i| format!("${i}")).collect();
        let in_list = placeholders.join(", ");
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE removed_at IS NULL AND anonymised_at IS NULL AND household_id IN ({in_list}) \
             ORDER BY household_id, position"
        );
        let mut query = sqlx::query(&sql);
        for h in households.iter() {
            query = query.bind(h.id);
        }
        let rows = query.fetch_all(&mut *conn).await?;
        let mut people: Vec<(Uuid, Person)> = rows
            .iter()
            .map(Self::person_from_row)
            .collect::<Result<_, _>>()?;

        let doc_sql = format!(
            "SELECT d.person_id, d.doc_type, d.number, d.issuing_country FROM documents d \
             JOIN persons p ON p.id = d.person_id \
             WHERE p.removed_at IS NULL AND p.anonymised_at IS NULL AND p.household_id IN ({in_list}) ORDER BY d.person_id, d.position"
        );
        let mut doc_query = sqlx::query(&doc_sql);
        for h in households.iter() {
            doc_query = doc_query.bind(h.id);
        }
        let mut documents: HashMap<Uuid, Vec<Document>> = HashMap::new();
        for row in doc_query.fetch_all(&mut *conn).await? {
            let issuing: Option<String> = row.try_get("issuing_country")?;
            documents
                .entry(row.try_get("person_id")?)
                .or_default()
                .push(Document {
                    doc_type: parse_enum(
                        &row.try_get::<String, _>("doc_type")?,
                        DocumentType::parse,
                        "doc_type",
                    )?,
                    number: row.try_get("number")?,
                    issuing_country: issuing
                        .map(|c| c.parse::<CountryCode>())
                        .transpose()
                        .map_err(|_| StoreError::corrupt("unknown issuing_country"))?,
                });
        }
        let index: HashMap<Uuid, usize> = households
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id, i))
            .collect();
        for (household_id, mut person) in people.drain(..) {
            person.documents = documents.remove(&person.id).unwrap_or_default();
            if let Some(&i) = index.get(&household_id) {
                households[i].members.push(person);
            }
        }
        Ok(())
    }

    /// Loads a household with its members; `organisation_id` scopes the lookup (`None`
    /// only for the operator's system-wide commands).
    async fn load_household(
        conn: &mut DB::Connection,
        organisation_id: Option<Uuid>,
        column: &str,
        key: HouseholdKey,
    ) -> Result<Household, StoreError> {
        let scope = if organisation_id.is_some() {
            " AND organisation_id = $2"
        } else {
            ""
        };
        // An anonymised household (retention, or its last member erased) is no one's record.
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE {column} = $1 AND anonymised_at IS NULL{scope}"
        );
        let query = sqlx::query(&sql);
        let query = match key {
            HouseholdKey::Id(id) => query.bind(id),
            HouseholdKey::Reference(r) => query.bind(r),
        };
        let query = match organisation_id {
            Some(org) => query.bind(org),
            None => query,
        };
        let row = query
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut households = [Self::household_from_row(&row)?];
        Self::attach_members(conn, &mut households).await?;
        let [household] = households;
        Ok(household)
    }

    /// Every household with its current members, in pages by id, for building the
    /// in-memory identity index at start.
    pub async fn households_page(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Household>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE ($1 IS NULL OR id > $1) AND anonymised_at IS NULL ORDER BY id LIMIT {}",
            limit.clamp(1, 5000)
        );
        let rows = sqlx::query(&sql).bind(after).fetch_all(&mut *conn).await?;
        let mut households: Vec<Household> = rows
            .iter()
            .map(Self::household_from_row)
            .collect::<Result<_, _>>()?;
        Self::attach_members(&mut conn, &mut households).await?;
        Ok(households)
    }

    /// Households written since the audit event `after` (exclusive), oldest first, and the
    /// newest event seen: how in-memory indexes of several server processes stay fresh.
    pub async fn household_changes_since(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<(Vec<Uuid>, Option<Uuid>), StoreError> {
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT id, entity_id FROM audit_events WHERE entity = 'household' AND ($1 IS NULL OR id > $1) \
             ORDER BY id LIMIT {}",
            limit.clamp(1, 10_000)
        );
        let rows = sqlx::query(&sql).bind(after).fetch_all(&mut *conn).await?;
        let mut ids = Vec::new();
        let mut last = after;
        for row in rows {
            last = Some(row.try_get("id")?);
            let household: Uuid = row.try_get("entity_id")?;
            if !ids.contains(&household) {
                ids.push(household);
            }
        }
        Ok((ids, last))
    }

    /// The newest audit event, where a fresh index starts following changes.
    pub async fn latest_audit_event(&self) -> Result<Option<Uuid>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query("SELECT id FROM audit_events ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// The household with its members, for the operator's system-wide commands.
    pub async fn get_household_any(&self, id: Uuid) -> Result<Household, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::load_household(&mut conn, None, "id", HouseholdKey::Id(id)).await
    }

    /// A household of the actor's organisation; another organisation's is `NotFound`, so
    /// its existence is not revealed.
    pub async fn get_household(&self, actor: &Actor, id: Uuid) -> Result<Household, StoreError> {
        if !actor.may(Action::ReadHousehold) {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.reader.acquire().await?;
        Self::load_household(
            &mut conn,
            Some(actor.organisation_id),
            "id",
            HouseholdKey::Id(id),
        )
        .await
    }

    pub async fn get_household_by_reference(
        &self,
        actor: &Actor,
        reference: &ReferenceCode,
    ) -> Result<Household, StoreError> {
        if !actor.may(Action::ReadHousehold) {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.reader.acquire().await?;
        Self::load_household(
            &mut conn,
            Some(actor.organisation_id),
            "reference",
            HouseholdKey::Reference(reference.as_str().to_owned()),
        )
        .await
    }

    pub async fn list_households(
        &self,
        actor: &Actor,
        filter: &HouseholdFilter,
    ) -> Result<Vec<Household>, StoreError> {
        if !actor.may(Action::ReadHousehold) {
            return Err(StoreError::Forbidden);
        }
        let mut clauses = vec!["organisation_id = $1".to_owned()];
        let mut params: Vec<Param> = vec![Param::Uuid(actor.organisation_id)];
        let mut push = |clause: &str, param: Param| {
            params.push(param);
            clauses.push(clause.replace('?', &format!("${}", params.len())));
        };
        if let Some(group) = filter.group {
            push(
                "population_group = ?",
                Param::Text(group.as_str().to_owned()),
            );
        }
        if let Some(city) = &filter.city {
            push("city = ?", Param::Text(city.clone()));
        }
        if let Some(status) = filter.status {
            push("status = ?", Param::Text(status.as_str().to_owned()));
        }
        if let Some(since) = filter.registered_since {
            push("registered_at >= ?", Param::Time(since));
        }
        if let Some(after) = filter.after {
            push("id > ?", Param::Uuid(after));
        }
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE {} AND anonymised_at IS NULL ORDER BY id LIMIT {}",
            clauses.join(" AND "),
            filter.limit.clamp(1, 500)
        );
        let mut query = sqlx::query(&sql);
        for param in params {
            query = match param {
                Param::Uuid(v) => query.bind(v),
                Param::Text(v) => query.bind(v),
                Param::Time(v) => query.bind(v),
            };
        }
        let mut conn = self.reader.acquire().await?;
        let rows = query.fetch_all(&mut *conn).await?;
        let mut households: Vec<Household> = rows
            .iter()
            .map(Self::household_from_row)
            .collect::<Result<_, _>>()?;
        Self::attach_members(&mut conn, &mut households).await?;
        Ok(households)
    }

    /// Replaces a household's data with a validated new state: members with an id are
    /// updated, members without one are added, members left out are marked removed (kept
    /// for history). The version check makes concurrent edits fail instead of overwrite.
    pub async fn update_household(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: Option<i64>,
        h: &ValidatedHousehold,
        now: DateTime<Utc>,
    ) -> Result<Household, StoreError> {
        if !actor.may(Action::UpdateHousehold) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.writer.begin().await?;
        let before = Self::load_household(
            &mut tx,
            Some(actor.organisation_id),
            "id",
            HouseholdKey::Id(id),
        )
        .await?;
        if expected_version.is_some_and(|v| v != before.version) {
            return Err(StoreError::VersionMismatch {
                current: before.version,
            });
        }
        let existing: Vec<Uuid> = before.members.iter().map(|m| m.id).collect();
        let mut unknown = ValidationErrors::default();
        for (i, m) in h.members.iter().enumerate() {
            if m.id.is_some_and(|mid| !existing.contains(&mid)) {
                unknown.push(
                    &format!("#/members/{i}/id"),
                    FieldErrorCode::UnknownMember,
                    "no member with this id in this household",
                );
            }
        }
        if !unknown.is_empty() {
            return Err(StoreError::Invalid(unknown));
        }

        let new_version = before.version + 1;
        let updated = sqlx::query(
            "UPDATE households SET population_group = $1, arrival_date = $2, crossing_point = $3, country = $4, \
             region = $5, city = $6, phone = $7, languages = $8, needs = $9, status = $10, notes = $11, \
             version = $12, updated_at = $13, accepts_sex_separation = $16, legal_basis = $17, \
             information_given = $18, current_place_id = $19, current_latitude = $20, \
             current_longitude = $21, accepts_several_rooms = $22 WHERE id = $14 AND version = $15 \
             RETURNING id",
        )
        .bind(h.group.as_str().to_owned())
        .bind(h.arrival_date)
        .bind(h.crossing_point.clone())
        .bind(h.location.country.as_str().to_owned())
        .bind(h.location.region.clone())
        .bind(h.location.city.clone())
        .bind(h.phone.as_ref().map(|p| p.as_str().to_owned()))
        .bind(Json(to_json(&h.languages)?))
        .bind(Json(to_json(&h.needs)?))
        .bind(h.status.as_str().to_owned())
        .bind(h.notes.clone())
        .bind(new_version)
        .bind(now)
        .bind(id)
        .bind(before.version)
        .bind(h.accepts_sex_separation)
        .bind(h.legal_basis.map(|b| b.as_str().to_owned()))
        .bind(h.information_given)
        .bind(h.current_location.and_then(|c| c.place_id).map(i64::from))
        .bind(h.current_location.map(|c| c.coordinates.latitude))
        .bind(h.current_location.map(|c| c.coordinates.longitude))
        .bind(h.accepts_several_rooms)
        .fetch_optional(&mut *tx)
        .await?;
        if updated.is_none() {
            return Err(StoreError::VersionMismatch {
                current: before.version,
            });
        }

        let mut member_ids = Vec::with_capacity(h.members.len());
        for (position, m) in h.members.iter().enumerate() {
            match m.id {
                Some(person_id) => {
                    sqlx::query(
                        "UPDATE persons SET position = $1, surname = $2, given_name = $3, patronymic = $4, sex = $5, \
                         birth_date = $6, birth_year = $7, birth_date_estimated = $8, citizenship = $9, \
                         relationship = $10, vulnerabilities = $11 WHERE id = $12 AND household_id = $13",
                    )
                    .bind(position as i32)
                    .bind(m.surname.clone())
                    .bind(m.given_name.clone())
                    .bind(m.patronymic.clone())
                    .bind(m.sex.as_str().to_owned())
                    .bind(m.birth_date.to_iso())
                    .bind(m.birth_date.year())
                    .bind(m.birth_date_estimated)
                    .bind(m.citizenship.map(|c| c.as_str().to_owned()))
                    .bind(m.relationship.as_str().to_owned())
                    .bind(Json(to_json(&m.vulnerabilities)?))
                    .bind(person_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM documents WHERE person_id = $1")
                        .bind(person_id)
                        .execute(&mut *tx)
                        .await?;
                    Self::insert_documents(&mut tx, person_id, &m.documents).await?;
                    member_ids.push(person_id);
                }
                None => {
                    let person_id = Uuid::now_v7();
                    Self::insert_person(&mut tx, id, person_id, position, m).await?;
                    member_ids.push(person_id);
                }
            }
        }
        for removed in existing.iter().filter(|e| !member_ids.contains(e)) {
            sqlx::query("UPDATE persons SET removed_at = $1 WHERE id = $2")
                .bind(now)
                .bind(*removed)
                .execute(&mut *tx)
                .await?;
        }

        let after = assemble_household(
            id,
            before.reference,
            before.organisation_id,
            h,
            &member_ids,
            new_version,
            before.registered_at,
            now,
        );
        Self::audit(
            &mut tx,
            &Principal::User(actor.clone()),
            Some(actor.organisation_id),
            "household",
            id,
            "update",
            Some(to_json(&before)?),
            Some(to_json(&after)?),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- audit and operations ----------------------------------------------------------

    /// An audit event as stored; shared by the audit trail and the hash chain, which
    /// must read events the same way.
    fn audit_event_from_row(row: &DB::Row) -> Result<AuditEvent, StoreError> {
        Ok(AuditEvent {
            id: row.try_get("id")?,
            at: row.try_get("at")?,
            actor_user_id: row.try_get("actor_user_id")?,
            actor_label: row.try_get("actor_label")?,
            organisation_id: row.try_get("organisation_id")?,
            entity: row.try_get("entity")?,
            entity_id: row.try_get("entity_id")?,
            action: row.try_get("action")?,
            before: row
                .try_get::<Option<Json<Value>>, _>("before_state")?
                .map(|j| j.0),
            after: row
                .try_get::<Option<Json<Value>>, _>("after_state")?
                .map(|j| j.0),
            changed: Vec::new(),
            withheld: Vec::new(),
        })
    }

    /// Audit events about one entity, oldest first (admins only).
    pub async fn audit_events_for(
        &self,
        actor: &Actor,
        entity_id: Uuid,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        if !actor.may(Action::ReadAudit) {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(
            "SELECT id, at, actor_user_id, actor_label, organisation_id, entity, entity_id, action, before_state, \
             after_state FROM audit_events WHERE entity_id = $1 AND organisation_id = $2 ORDER BY id",
        )
        .bind(entity_id)
        .bind(actor.organisation_id)
        .fetch_all(&mut *conn)
        .await?;
        // Shown through the visibility of the record itself: what the reader's role may
        // not see on the record, it does not see in its history either.
        let viewer = shanyrak_core::visibility::Viewer::own(actor);
        rows.iter()
            .map(|row| {
                let mut event = Self::audit_event_from_row(row)?;
                let redacted = shanyrak_core::visibility::redact_audit(
                    &event.entity,
                    event.before.take(),
                    event.after.take(),
                    &viewer,
                );
                event.before = redacted.before;
                event.after = redacted.after;
                event.changed = redacted.changed;
                event.withheld = redacted.withheld;
                Ok(event)
            })
            .collect()
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
        ] {
            let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(&mut *conn)
                .await?;
            counts.push((table, row.try_get::<i64, _>("n")?));
        }
        Ok(counts)
    }
}

struct AdministeredUser {
    user_id: Uuid,
    organisation_id: Uuid,
    roles: Vec<Role>,
    disabled: bool,
}

pub(crate) enum HouseholdKey {
    Id(Uuid),
    Reference(String),
}

enum Param {
    Uuid(Uuid),
    Text(String),
    Time(DateTime<Utc>),
}

fn roles_from(value: Value) -> Result<Vec<Role>, StoreError> {
    let names: Vec<String> = from_json(value, "roles")?;
    names
        .iter()
        .map(|n| parse_enum(n, Role::parse, "roles"))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn hash_password(password: String) -> Result<String, StoreError> {
    crate::password::hash(password).await
}

/// A hash to verify against when the account does not exist, so both paths cost the same.
async fn dummy_hash() -> Result<String, StoreError> {
    crate::password::dummy().await
}
