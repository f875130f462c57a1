//! Encodings (keyed Bloom filters, CLKs) uploaded by the organisations of a
//! `distributions` agreement, for learning which of one's records the partner also serves
//! without names, dates or documents leaving either side. The store keeps each party's
//! latest upload per agreement (replaced on every upload, deleted when the agreement is
//! withdrawn) and hands the partner's back for comparison; comparing is linkage's work,
//! in the server.

use chrono::{DateTime, Utc};
use serde_json::json;
use shanyrak_core::sharing::SharingCategory;
use shanyrak_core::{Action, Actor};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Backend, Change, ColumnExt, Repo, require, sharing::COLUMNS, to_json};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// How the encodings of one upload were made. Both parties must use the same scheme,
/// options and key (compared by its fingerprint) for their encodings to be comparable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodingScheme {
    /// The scheme's name and version (`shanyrak-clk/1`).
    pub scheme: String,
    /// Bits per encoding.
    pub bits: u32,
    /// XOR-folded.
    pub fold: bool,
    /// Balanced.
    pub balance: bool,
    /// The key's public fingerprint (16 hex digits); never the key.
    pub key_fingerprint: String,
}

/// One organisation's encodings under an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedUpload {
    pub scheme: EncodingScheme,
    /// The organisation's own opaque references, one per encoding.
    pub refs: Vec<String>,
    /// The encodings, `bits / 8` bytes each, in the order of `refs`.
    pub clks: Vec<u8>,
}

/// What [`Repo::exchange_encodings`] found after storing the caller's upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedExchange {
    /// The partner organisation of the agreement.
    pub partner_organisation_id: Uuid,
    /// The partner's latest upload under this agreement, if any.
    pub partner: Option<EncodedUpload>,
    /// When the partner uploaded it.
    pub partner_uploaded_at: Option<DateTime<Utc>>,
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// The partner organisation of agreement `id` for matching encodings, checked as
    /// [`Self::exchange_encodings`] checks it (the same errors), without writing: lets
    /// a caller refuse a stranger before reading a large body.
    pub async fn encoded_matching_partner(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::Distribute)?;
        let mut conn = self.reader.acquire().await?;
        Self::matching_partner_in(&mut conn, actor, id, now).await
    }

    async fn matching_partner_in(
        conn: &mut DB::Connection,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sharing_agreements WHERE id = $1 AND (from_organisation_id = $2 OR to_organisation_id = $2)"
        );
        let row = Self::fetch_scoped(&mut *conn, &sql, id, actor.organisation_id).await?;
        let agreement = Self::agreement_from_row(&row, now)?;
        if !agreement.in_force
            || !agreement
                .categories
                .contains(&SharingCategory::Distributions)
        {
            return Err(StoreError::NotFound);
        }
        Ok(if agreement.from_organisation_id == actor.organisation_id {
            agreement.to_organisation_id
        } else {
            agreement.from_organisation_id
        })
    }

    /// Stores `upload` as the caller's organisation's encodings under agreement `id`
    /// (replacing its previous upload) and returns the partner's, in one transaction
    /// with one audit event (`encoded_match`: counts and the fingerprint, no reference).
    ///
    /// Only distributors and admins ([`Action::Distribute`]) of either organisation of
    /// the agreement may, and only while it is in force and covers `distributions`; for
    /// anyone else, and for an agreement withdrawn, past its last day or for other
    /// categories, the agreement is [`StoreError::NotFound`] (nothing says which).
    pub async fn exchange_encodings(
        &self,
        actor: &Actor,
        id: Uuid,
        upload: &EncodedUpload,
        now: DateTime<Utc>,
    ) -> Result<EncodedExchange, StoreError> {
        require(actor, Action::Distribute)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let partner_organisation_id = Self::matching_partner_in(&mut tx, actor, id, now).await?;
        let count = i64::try_from(upload.refs.len()).unwrap_or(i64::MAX);
        let s = &upload.scheme;
        sqlx::query(
            "INSERT INTO encoded_uploads (agreement_id, organisation_id, scheme, bits, fold, balance, key_fingerprint, \
             record_count, refs, clks, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (agreement_id, organisation_id) DO UPDATE SET scheme = excluded.scheme, bits = excluded.bits, \
             fold = excluded.fold, balance = excluded.balance, key_fingerprint = excluded.key_fingerprint, \
             record_count = excluded.record_count, refs = excluded.refs, clks = excluded.clks, \
             uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at",
        )
        .bind(id)
        .bind(actor.organisation_id)
        .bind(s.scheme.clone())
        .bind(i64::from(s.bits) as i32)
        .bind(s.fold)
        .bind(s.balance)
        .bind(s.key_fingerprint.clone())
        .bind(count as i32)
        .bind(Json(to_json(&upload.refs)?))
        .bind(upload.clks.clone())
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let partner_row = sqlx::query(
            "SELECT scheme, bits, fold, balance, key_fingerprint, refs, clks, uploaded_at FROM encoded_uploads \
             WHERE agreement_id = $1 AND organisation_id = $2",
        )
        .bind(id)
        .bind(partner_organisation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (partner, partner_uploaded_at) = match partner_row {
            None => (None, None),
            Some(r) => {
                let bits: i32 = r.try_get("bits")?;
                let refs: Vec<String> = r.json("refs")?;
                let clks: Vec<u8> = r.try_get("clks")?;
                let bits = u32::try_from(bits)
                    .map_err(|_| StoreError::corrupt("negative bits in encoded_uploads"))?;
                if bits == 0 || clks.len() != refs.len() * (bits as usize / 8) {
                    return Err(StoreError::corrupt("encodings and references do not agree"));
                }
                let at: DateTime<Utc> = r.try_get("uploaded_at")?;
                (
                    Some(EncodedUpload {
                        scheme: EncodingScheme {
                            scheme: r.try_get("scheme")?,
                            bits,
                            fold: r.try_get("fold")?,
                            balance: r.try_get("balance")?,
                            key_fingerprint: r.try_get("key_fingerprint")?,
                        },
                        refs,
                        clks,
                    }),
                    Some(at),
                )
            }
        };
        let change = Change::new("sharing_agreement", id, "encoded_match").after(json!({
            "records": upload.refs.len(),
            "scheme": s.scheme,
            "bits": s.bits,
            "key_fingerprint": s.key_fingerprint,
            "partner_organisation_id": partner_organisation_id,
            "partner_records": partner.as_ref().map(|p| p.refs.len()),
        }));
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(EncodedExchange {
            partner_organisation_id,
            partner,
            partner_uploaded_at,
        })
    }
}
