//! Data-sharing agreements: offered by an admin of the sharing organisation, in force
//! until their last day or until withdrawn, checked on every cross-organisation read.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shanyrak_core::sharing::{SharingCategory, ValidatedAgreement};
use shanyrak_core::{Action, Actor};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Backend, Change, ColumnExt, Repo, parse_enum, require, to_json};
use crate::StoreError;
use shanyrak_store_macros::queries;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agreement {
    pub id: Uuid,
    pub from_organisation_id: Uuid,
    pub to_organisation_id: Uuid,
    pub categories: Vec<SharingCategory>,
    pub purpose: String,
    pub valid_until: NaiveDate,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// In force now: not withdrawn and not past its last day.
    pub in_force: bool,
}

pub(super) const COLUMNS: &str = "id, from_organisation_id, to_organisation_id, categories, purpose, valid_until, withdrawn_at, created_at";

#[queries]
impl<DB: Backend> Repo<DB> {
    pub(super) fn agreement_from_row(
        row: &DB::Row,
        now: DateTime<Utc>,
    ) -> Result<Agreement, StoreError> {
        let names: Vec<String> = row.json("categories")?;
        let categories = names
            .iter()
            .map(|n| parse_enum(n, SharingCategory::parse, "categories"))
            .collect::<Result<Vec<_>, _>>()?;
        let valid_until: NaiveDate = row.try_get("valid_until")?;
        let withdrawn_at: Option<DateTime<Utc>> = row.try_get("withdrawn_at")?;
        Ok(Agreement {
            id: row.try_get("id")?,
            from_organisation_id: row.try_get("from_organisation_id")?,
            to_organisation_id: row.try_get("to_organisation_id")?,
            categories,
            purpose: row.try_get("purpose")?,
            valid_until,
            withdrawn_at,
            created_at: row.try_get("created_at")?,
            in_force: withdrawn_at.is_none() && valid_until >= crate::clock::local_date(now),
        })
    }

    pub async fn create_agreement(
        &self,
        actor: &Actor,
        agreement: &ValidatedAgreement,
        now: DateTime<Utc>,
    ) -> Result<Agreement, StoreError> {
        require(actor, Action::ManageAgreements)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let partner = sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(agreement.to_organisation_id)
            .fetch_optional(&mut *tx)
            .await?;
        if partner.is_none() {
            return Err(StoreError::Invalid(
                shanyrak_core::ValidationErrors::single(shanyrak_core::FieldError::new(
                    "#/to_organisation_id",
                    shanyrak_core::FieldErrorCode::InvalidValue,
                    "no such organisation",
                )),
            ));
        }
        let id = Uuid::now_v7();
        let categories: Vec<&str> = agreement.categories.iter().map(|c| c.as_str()).collect();
        sqlx::query(
            "INSERT INTO sharing_agreements (id, from_organisation_id, to_organisation_id, categories, purpose, valid_until, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(actor.organisation_id)
        .bind(agreement.to_organisation_id)
        .bind(Json(to_json(&categories)?))
        .bind(agreement.purpose.clone())
        .bind(agreement.valid_until)
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let created = Agreement {
            id,
            from_organisation_id: actor.organisation_id,
            to_organisation_id: agreement.to_organisation_id,
            categories: agreement.categories.clone(),
            purpose: agreement.purpose.clone(),
            valid_until: agreement.valid_until,
            withdrawn_at: None,
            created_at: now,
            in_force: agreement.valid_until >= crate::clock::local_date(now),
        };
        let change = Change::created("sharing_agreement", id, &created)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Agreements the actor's organisation gives or receives.
    pub async fn list_agreements(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Agreement>, StoreError> {
        require(actor, Action::ManageAgreements)?;
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM sharing_agreements WHERE from_organisation_id = $1 OR to_organisation_id = $1 ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(actor.organisation_id)
            .fetch_all(&mut *conn)
            .await?;
        rows.iter()
            .map(|r| Self::agreement_from_row(r, now))
            .collect()
    }

    /// Ends an agreement at once; only the sharing organisation can.
    pub async fn withdraw_agreement(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Agreement, StoreError> {
        require(actor, Action::ManageAgreements)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM sharing_agreements WHERE id = $1 AND from_organisation_id = $2"
        );
        let row = Self::fetch_scoped(&mut *tx, &sql, id, actor.organisation_id).await?;
        let before = Self::agreement_from_row(&row, now)?;
        if before.withdrawn_at.is_some() {
            return Err(StoreError::Admission(
                shanyrak_core::shelter::AdmissionError::InvalidTransition,
            ));
        }
        sqlx::query("UPDATE sharing_agreements SET withdrawn_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // Encodings uploaded for matching under it have no purpose any more.
        sqlx::query("DELETE FROM encoded_uploads WHERE agreement_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = Agreement {
            withdrawn_at: Some(now),
            in_force: false,
            ..before.clone()
        };
        let change = Change::updated("sharing_agreement", id, "withdraw", &before, &after)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Organisations sharing `category` with `receiver` under an agreement in force now.
    pub async fn sharing_organisations(
        &self,
        receiver: Uuid,
        category: SharingCategory,
        now: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::sharing_organisations_in(&mut conn, receiver, category, now).await
    }

    /// [`Self::sharing_organisations`] on the caller's connection (inside its transaction).
    pub(super) async fn sharing_organisations_in(
        conn: &mut DB::Connection,
        receiver: Uuid,
        category: SharingCategory,
        now: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sharing_agreements WHERE to_organisation_id = $1 AND withdrawn_at IS NULL"
        );
        let rows = sqlx::query(&sql)
            .bind(receiver)
            .fetch_all(&mut *conn)
            .await?;
        let mut orgs = Vec::new();
        for row in &rows {
            let a = Self::agreement_from_row(row, now)?;
            if a.in_force
                && a.categories.contains(&category)
                && !orgs.contains(&a.from_organisation_id)
            {
                orgs.push(a.from_organisation_id);
            }
        }
        Ok(orgs)
    }
}
