//! Organisations, user accounts and API tokens: administered by the operator or by an
//! organisation's admins; tokens are stored as hashes and checked on every request.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use shanyrak_core::{Actor, FieldErrorCode, OrgKind, Organisation, Role, ValidationErrors};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use shanyrak_store_macros::queries;

use crate::StoreError;

use super::{Backend, Change, ColumnExt, Principal, Repo, from_json, hex, parse_enum, to_json};

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

/// Token secrets are 32 random bytes, hex-encoded behind a recognisable prefix so that a
/// leaked token is easy to find in a scan of logs or repositories.
const TOKEN_PREFIX: &str = "shk_";

fn hash_token(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

struct AdministeredUser {
    user_id: Uuid,
    organisation_id: Uuid,
    roles: Vec<Role>,
    disabled: bool,
}

pub(super) fn roles_from(value: Value) -> Result<Vec<Role>, StoreError> {
    let names: Vec<String> = from_json(value, "roles")?;
    names
        .iter()
        .map(|n| parse_enum(n, Role::parse, "roles"))
        .collect()
}

async fn hash_password(password: String) -> Result<String, StoreError> {
    crate::password::hash(password).await
}

#[queries]
impl<DB: Backend> Repo<DB> {
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
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org.id)
        .bind(org.name.clone())
        .bind(kind.as_str().to_owned())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let change = Change::created("organisation", org.id, &org)?;
        Self::audit(&mut tx, by, Some(org.id), change, now).await?;
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
                    kind: row.parsed("kind", OrgKind::parse)?,
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
                kind: row.parsed("kind", OrgKind::parse)?,
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
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
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
        let change = Change::created("user", user.id, &user)?;
        Self::audit(&mut tx, by, Some(organisation_id), change, now).await?;
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
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
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
        let change = Change::new("user", user_id, if disabled { "disable" } else { "enable" })
            .before(serde_json::json!({ "disabled": was }))
            .after(serde_json::json!({ "disabled": disabled }));
        Self::audit(&mut tx, by, Some(organisation_id), change, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues a token for a user that acts with one of the user's roles only (`None`:
    /// with all of them).
    pub async fn create_token_for_role(
        &self,
        by: &Principal,
        email: &str,
        role: Option<Role>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, StoreError> {
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
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
        let change = Change::new("api_token", token.id, "create").after(
            serde_json::json!({ "user_id": user_id, "expires_at": expires_at, "role": role }),
        );
        Self::audit(&mut tx, by, Some(organisation_id), change, now).await?;
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
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
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
        let change = Change::new("user", user_id, "revoke_tokens")
            .after(serde_json::json!({ "revoked": revoked }));
        Self::audit(&mut tx, by, Some(organisation_id), change, now).await?;
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
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let row = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING id")
            .bind(now)
            .bind(hash_token(secret))
            .bind(actor.user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let token_id: Uuid = row.try_get("id")?;
        let change = Change::new("api_token", token_id, "revoke");
        Self::audit_by(&mut tx, actor, change, now).await?;
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
}
