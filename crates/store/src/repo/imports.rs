//! Imported lists: the quarantine of rows that failed validation, uploads waiting for
//! confirmation, and the service account command-line imports act as.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use shanyrak_core::{Action, Actor, Role};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Backend, Change, Principal, Repo, require, to_json};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// A row held back from an import, with why.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuarantinedRow {
    pub id: Uuid,
    pub file_digest: String,
    /// File line (the header is line 1).
    pub line: i64,
    pub household_key: String,
    /// The household the row belongs to, as registration JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[sqlx(json)]
    pub document: Value,
    /// `[{pointer, code, detail}]`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[sqlx(json)]
    pub errors: Value,
    /// `pending` or `resubmitted`.
    pub status: String,
    pub household_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// What goes into the quarantine.
#[derive(Debug, Clone, PartialEq)]
pub struct RowToQuarantine {
    pub line: i64,
    pub household_key: String,
    pub document: Value,
    pub errors: Value,
}

/// A file uploaded through the web interface, waiting for confirmation.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Upload {
    pub id: Uuid,
    pub file_name: String,
    pub file_digest: String,
    pub content: Vec<u8>,
    pub mapping: Option<String>,
    /// Why the file could not be read (JSON: `{"code": …}` and the refusal's figures),
    /// once a preview tried; its content is then gone.
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Uploads older than this are deleted when the next one arrives: they hold personal data.
const UPLOAD_HOURS: i64 = 24;

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Keeps rows that failed validation; a row already kept from the same file is not
    /// kept twice. Returns how many rows are new.
    pub async fn quarantine_rows(
        &self,
        actor: &Actor,
        file_digest: &str,
        rows: &[RowToQuarantine],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        require(actor, Action::RegisterHousehold)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let mut added = 0usize;
        for row in rows {
            let inserted = sqlx::query(
                "INSERT INTO import_quarantine (id, organisation_id, file_digest, line, household_key, document, errors, status, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) ON CONFLICT (organisation_id, file_digest, line) DO NOTHING RETURNING id",
            )
            .bind(Uuid::now_v7())
            .bind(actor.organisation_id)
            .bind(file_digest.to_owned())
            .bind(row.line)
            .bind(row.household_key.clone())
            .bind(Json(row.document.clone()))
            .bind(Json(row.errors.clone()))
            .bind(actor.user_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            added += usize::from(inserted.is_some());
        }
        if added > 0 {
            // The event names the file and the count; the rows' contents stay in their table.
            let change = Change::new("import", Uuid::now_v7(), "quarantine")
                .after(serde_json::json!({ "file_digest": file_digest, "rows": added }));
            Self::audit_by(&mut tx, actor, change, now).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Rows waiting for correction, oldest first.
    pub async fn quarantine(
        &self,
        actor: &Actor,
        limit: u32,
    ) -> Result<Vec<QuarantinedRow>, StoreError> {
        require(actor, Action::RegisterHousehold)?;
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT id, file_digest, line, household_key, document, errors, status, household_id, created_at FROM import_quarantine \
             WHERE organisation_id = $1 AND status = 'pending' ORDER BY id LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows = sqlx::query_as(&sql)
            .bind(actor.organisation_id)
            .fetch_all(&mut *conn)
            .await?;
        Ok(rows)
    }

    pub async fn quarantined_row(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<QuarantinedRow, StoreError> {
        require(actor, Action::RegisterHousehold)?;
        let mut conn = self.reader.acquire().await?;
        sqlx::query_as(
            "SELECT id, file_digest, line, household_key, document, errors, status, household_id, created_at FROM import_quarantine \
             WHERE id = $1 AND organisation_id = $2",
        )
        .bind(id)
        .bind(actor.organisation_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Marks every pending row of a quarantined household as resubmitted, with the
    /// household the corrected form created.
    pub async fn resolve_quarantine(
        &self,
        actor: &Actor,
        id: Uuid,
        household_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        require(actor, Action::RegisterHousehold)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let row = Self::fetch_scoped(
            &mut *tx,
            "SELECT file_digest, household_key FROM import_quarantine WHERE id = $1 AND organisation_id = $2",
            id,
            actor.organisation_id,
        )
        .await?;
        let digest: String = row.try_get("file_digest")?;
        let key: String = row.try_get("household_key")?;
        let done: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM import_quarantine WHERE organisation_id = $1 AND file_digest = $2 AND household_key = $3 AND status = 'pending'",
        )
        .bind(actor.organisation_id)
        .bind(digest.clone())
        .bind(key.clone())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        sqlx::query(
            "UPDATE import_quarantine SET status = 'resubmitted', household_id = $1, resolved_at = $2 \
             WHERE organisation_id = $3 AND file_digest = $4 AND household_key = $5 AND status = 'pending'",
        )
        .bind(household_id)
        .bind(now)
        .bind(actor.organisation_id)
        .bind(digest)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        let change = Change::new("import", id, "resubmit")
            .after(serde_json::json!({ "household_id": household_id, "rows": done }));
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(usize::try_from(done).unwrap_or(usize::MAX))
    }

    pub async fn save_upload(
        &self,
        actor: &Actor,
        file_name: &str,
        file_digest: &str,
        content: &[u8],
        mapping: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::RegisterHousehold)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        sqlx::query("DELETE FROM import_uploads WHERE created_at < $1")
            .bind(now - chrono::Duration::hours(UPLOAD_HOURS))
            .execute(&mut *tx)
            .await?;
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO import_uploads (id, organisation_id, created_by, file_name, file_digest, content, mapping, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(actor.organisation_id)
        .bind(actor.user_id)
        .bind(file_name.to_owned())
        .bind(file_digest.to_owned())
        .bind(content.to_vec())
        .bind(mapping.map(str::to_owned))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An upload of the actor's own (nobody else's, even in the same organisation).
    pub async fn upload(&self, actor: &Actor, id: Uuid) -> Result<Upload, StoreError> {
        require(actor, Action::RegisterHousehold)?;
        let mut conn = self.reader.acquire().await?;
        sqlx::query_as(
            "SELECT id, file_name, file_digest, content, mapping, failure, created_at FROM import_uploads \
             WHERE id = $1 AND organisation_id = $2 AND created_by = $3",
        )
        .bind(id)
        .bind(actor.organisation_id)
        .bind(actor.user_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Records why an upload could not be read and drops its content: its preview then
    /// answers the same refusal without reading the file again.
    pub async fn mark_upload_failed(
        &self,
        actor: &Actor,
        id: Uuid,
        failure: &str,
    ) -> Result<(), StoreError> {
        require(actor, Action::RegisterHousehold)?;
        let mut conn = self.writer.acquire().await?;
        sqlx::query(
            "UPDATE import_uploads SET failure = $1, content = $2 WHERE id = $3 AND organisation_id = $4 AND created_by = $5",
        )
        .bind(failure.to_owned())
        .bind(Vec::<u8>::new())
        .bind(id)
        .bind(actor.organisation_id)
        .bind(actor.user_id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub async fn delete_upload(&self, actor: &Actor, id: Uuid) -> Result<(), StoreError> {
        require(actor, Action::RegisterHousehold)?;
        let mut conn = self.writer.acquire().await?;
        sqlx::query(
            "DELETE FROM import_uploads WHERE id = $1 AND organisation_id = $2 AND created_by = $3",
        )
        .bind(id)
        .bind(actor.organisation_id)
        .bind(actor.user_id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// The account command-line imports of an organisation act as: a registrar that
    /// cannot sign in (disabled, unknown password), so that every imported household has
    /// a registering user and an audit trail like any other.
    pub async fn import_actor(
        &self,
        organisation_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Actor, StoreError> {
        let email = format!("import+{}@service.invalid", organisation_id.simple());
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let org = sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(organisation_id)
            .fetch_optional(&mut *tx)
            .await?;
        if org.is_none() {
            return Err(StoreError::NotFound);
        }
        let existing = sqlx::query("SELECT id FROM users WHERE email = $1")
            .bind(email.clone())
            .fetch_optional(&mut *tx)
            .await?;
        let roles = vec![Role::Registrar];
        let user_id = match existing {
            Some(row) => row.try_get("id")?,
            None => {
                let id = Uuid::now_v7();
                // Not a password hash at all: no password can ever match it.
                sqlx::query(
                    "INSERT INTO users (id, organisation_id, email, password_hash, roles, disabled, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(organisation_id)
                .bind(email)
                .bind("!service-account".to_owned())
                .bind(Json(to_json(&roles)?))
                .bind(true)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let change = Change::new("user", id, "create_service_account")
                    .after(serde_json::json!({ "roles": roles }));
                Self::audit(
                    &mut tx,
                    &Principal::System("import"),
                    Some(organisation_id),
                    change,
                    now,
                )
                .await?;
                id
            }
        };
        tx.commit().await?;
        Ok(Actor {
            user_id,
            organisation_id,
            roles,
        })
    }
}
