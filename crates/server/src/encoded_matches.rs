//! `POST /api/v1/agreements/{id}/encoded-matches`: matching across organisations without
//! sharing names, for entitlement checks under a `distributions` agreement.
//!
//! Each organisation of the agreement encodes its records with the agreement's key (which
//! the organisations hold and the server never sees; `shanyrak encode` makes the
//! encodings) and posts them with its own opaque record references. The server keeps the
//! caller's latest upload (replacing the one before), compares it with the partner's
//! latest upload by the Dice coefficient of the encodings (locality-sensitive blocking on
//! the encodings' bits, as `shanyrak link-encoded` does) and answers which of the
//! caller's records match one of the partner's, with the partner's reference for that
//! record: what the partner needs to look up its own record when asked about an
//! entitlement. Nothing else of the partner's upload is returned.

use axum::Json;
use axum::extract::{Path, Request, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shanyrak_core::{FieldErrorCode, ValidationErrors};
use shanyrak_linkage::encoded::{self, Clk, ClkOptions, ClkSet, EncodedLinkOptions, link_encoded};
use shanyrak_store::{EncodedUpload, EncodingScheme};
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Authenticated, parse_id};

/// The most records one upload may hold.
pub const MAX_ENCODED_RECORDS: usize = 50_000;
/// The body limit of this path (the rest of the API has 1 MiB): 50,000 records of
/// 1,024 bits with references of up to 64 bytes fit.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The longest record reference, in bytes.
pub const MAX_REF_BYTES: usize = 64;
/// The Dice coefficient at or above which two encodings match.
pub const THRESHOLD: f64 = 0.8;
/// At most this many field errors are listed for one upload.
const MAX_ERRORS: usize = 100;
/// Comparing is heavy work; this is its time limit.
const MATCH_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

/// One encoded record of the caller.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EncodedRecordInput {
    /// The caller's own reference for the record (1 to 64 bytes, no control
    /// characters), unique within the upload. It is shown to the partner when the partner
    /// matches this record, so it must say nothing about the person: an internal id or a
    /// random token, never a name or a document number.
    #[serde(rename = "ref")]
    #[schema(rename = "ref", min_length = 1, max_length = 64)]
    pub reference: String,
    /// The record's encoding: base64 (standard alphabet, padded) of `bits / 8` bytes,
    /// as written by `shanyrak encode`.
    #[schema(pattern = "^[A-Za-z0-9+/]*={0,2}$")]
    pub clk: String,
}

/// The caller's encodings, all made with the agreement's key and the same options.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EncodedMatchRequest {
    /// The encoding scheme: `shanyrak-clk/1`.
    #[schema(pattern = "^shanyrak-clk/1$")]
    pub scheme: String,
    /// Bits per encoding: a power of two from 256 to 8192 (`shanyrak encode` makes 1,024).
    #[schema(minimum = 256, maximum = 8192)]
    pub bits: u32,
    /// Whether the encodings are XOR-folded.
    pub fold: bool,
    /// Whether the encodings are balanced (the default of `shanyrak encode`).
    pub balance: bool,
    /// The fingerprint of the agreement's key (16 hex digits, the `key=` of an encodings
    /// file header). Never the key.
    #[schema(pattern = "^[0-9a-fA-F]{16}$")]
    pub key_fingerprint: String,
    /// The records, at most 50,000. An empty list withdraws the caller's encodings from
    /// matching.
    #[schema(max_items = 50000)]
    pub records: Vec<EncodedRecordInput>,
}

/// One of the caller's records that matches a record of the partner.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EncodedMatch {
    /// The record's position in the request's `records`.
    pub index: usize,
    /// The caller's reference for it.
    #[serde(rename = "ref")]
    #[schema(rename = "ref")]
    pub reference: String,
    /// The partner's reference for its best-matching record, which the partner can look
    /// up when the caller asks about an entitlement.
    pub partner_ref: String,
    /// The Dice coefficient of the two encodings (at least the threshold).
    pub dice: f64,
}

/// Whether the partner's encodings could be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartnerStatus {
    /// Compared with the partner's latest upload.
    Compared,
    /// The partner has not uploaded encodings under this agreement (yet).
    NotUploaded,
    /// The partner's encodings were made with another key, scheme or options; ask the
    /// partner to encode again with the agreement's key.
    DifferentEncoding,
}

/// What the comparison found. The caller's upload is stored either way.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EncodedMatchResponse {
    pub agreement_id: Uuid,
    /// The caller's records stored (they replace its previous upload).
    pub records: usize,
    pub partner_status: PartnerStatus,
    /// How many records the partner's latest upload holds (none when it has not
    /// uploaded).
    pub partner_records: Option<usize>,
    pub partner_uploaded_at: Option<DateTime<Utc>>,
    /// The Dice coefficient at or above which records match (0.8).
    pub threshold: f64,
    /// The caller's records that match a partner record, by index.
    pub matches: Vec<EncodedMatch>,
}

/// Checks the request; every problem gets a field error naming the record by its index
/// (at most 100 are listed). Never quotes a value.
fn validate(request: &EncodedMatchRequest) -> Result<(EncodingScheme, Vec<u8>), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if request.scheme != encoded::SCHEME {
        errors.push(
            "#/scheme",
            FieldErrorCode::InvalidValue,
            format!("the scheme is {}", encoded::SCHEME),
        );
    }
    let options = ClkOptions {
        bits: request.bits as usize,
        fold: request.fold,
        balance: request.balance,
    };
    let bits_ok = options.validate().is_ok();
    if !bits_ok {
        errors.push(
            "#/bits",
            FieldErrorCode::InvalidValue,
            "a power of two from 256 to 8192",
        );
    }
    let fp = &request.key_fingerprint;
    if fp.len() != 16 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
        errors.push(
            "#/key_fingerprint",
            FieldErrorCode::InvalidFormat,
            "16 hex digits",
        );
    }
    if request.records.len() > MAX_ENCODED_RECORDS {
        errors.push(
            "#/records",
            FieldErrorCode::TooMany,
            format!("at most {MAX_ENCODED_RECORDS} records in one upload"),
        );
        return Err(errors);
    }
    let mut clks = Vec::with_capacity(request.records.len() * request.bits as usize / 8);
    let mut seen = std::collections::HashSet::new();
    for (i, record) in request.records.iter().enumerate() {
        if errors.errors.len() >= MAX_ERRORS {
            break;
        }
        let r = &record.reference;
        if r.is_empty() || r.len() > MAX_REF_BYTES || r.chars().any(char::is_control) {
            errors.push(
                &format!("#/records/{i}/ref"),
                FieldErrorCode::InvalidFormat,
                format!("1 to {MAX_REF_BYTES} bytes without control characters"),
            );
        } else if !seen.insert(r.as_str()) {
            errors.push(
                &format!("#/records/{i}/ref"),
                FieldErrorCode::Duplicate,
                "the reference appears twice in the upload",
            );
        }
        if bits_ok {
            match Clk::from_base64(&record.clk, options.bits) {
                Ok(clk) => clks.extend(clk.to_bytes()),
                Err(e) => errors.push(
                    &format!("#/records/{i}/clk"),
                    FieldErrorCode::InvalidFormat,
                    // The linkage crate's reasons name lengths, never a value.
                    e.to_string(),
                ),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        EncodingScheme {
            scheme: request.scheme.clone(),
            bits: request.bits,
            fold: request.fold,
            balance: request.balance,
            key_fingerprint: fp.to_ascii_lowercase(),
        },
        clks,
    ))
}

fn clk_set(bits: usize, bytes: &[u8]) -> Result<ClkSet, ApiError> {
    let mut set = ClkSet::new(bits);
    for chunk in bytes.chunks_exact(bits / 8) {
        let clk = Clk::from_bytes(chunk).map_err(|_| ApiError::Internal)?;
        set.push(&clk).map_err(|_| ApiError::Internal)?;
    }
    Ok(set)
}

/// Upload your organisation's encodings under a `distributions` agreement and learn which
/// of your records match a record of the partner organisation.
///
/// For distributors and admins of either organisation of an agreement in force that
/// covers `distributions`; the agreement is 404 for everyone else and once it is
/// withdrawn or past its last day. The upload replaces your previous one under this
/// agreement; withdrawing the agreement deletes both parties' uploads. Audited
/// (`encoded_match`, counts only).
#[utoipa::path(post, path = "/api/v1/agreements/{id}/encoded-matches", tag = "audit",
    params(("id" = Uuid, Path, description = "The agreement")),
    request_body = EncodedMatchRequest,
    responses((status = 200, body = EncodedMatchResponse),
              (status = 403, description = "Your role does not record distributions", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such agreement in force covering distributions with your organisation", body = Problem, content_type = "application/problem+json"),
              (status = 413, description = "Over 16 MiB", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "A field or a record is invalid; each error's pointer names the record, e.g. `#/records/3/clk`", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn post(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<EncodedMatchResponse>, ApiError> {
    let id = parse_id(&id)?;
    crate::access::require(&actor, shanyrak_core::Action::Distribute)?;
    // A stranger's request is refused before its body is read.
    state
        .store
        .encoded_matching_partner(&actor, id, Utc::now())
        .await?;
    let body = crate::extract::json_body_with_limit(request, MAX_BODY_BYTES).await?;
    let parsed = ApiJson::<EncodedMatchRequest>::from_bytes(&body)?;
    drop(body);
    let request = parsed.value;
    let (scheme, clks) = validate(&request).map_err(ApiError::Validation)?;
    let refs: Vec<String> = request.records.into_iter().map(|r| r.reference).collect();
    let upload = EncodedUpload {
        scheme: scheme.clone(),
        refs,
        clks,
    };
    let exchange = state
        .store
        .exchange_encodings(&actor, id, &upload, Utc::now())
        .await?;
    let records = upload.refs.len();
    let partner_records = exchange.partner.as_ref().map(|p| p.refs.len());
    let partner_uploaded_at = exchange.partner_uploaded_at;
    let (partner_status, matches) = match exchange.partner {
        None => (PartnerStatus::NotUploaded, Vec::new()),
        Some(p) if p.scheme != scheme => (PartnerStatus::DifferentEncoding, Vec::new()),
        Some(partner) => {
            let matches =
                crate::heavy::run(MATCH_LIMIT, move || compare(&upload, &partner)).await??;
            (PartnerStatus::Compared, matches)
        }
    };
    Ok(Json(EncodedMatchResponse {
        agreement_id: id,
        records,
        partner_status,
        partner_records,
        partner_uploaded_at,
        threshold: THRESHOLD,
        matches,
    }))
}

/// For each of `mine`, the best-matching record of `partner` at or above [`THRESHOLD`].
fn compare(mine: &EncodedUpload, partner: &EncodedUpload) -> Result<Vec<EncodedMatch>, ApiError> {
    let bits = mine.scheme.bits as usize;
    let left = clk_set(bits, &mine.clks)?;
    let right = clk_set(bits, &partner.clks)?;
    let options = EncodedLinkOptions {
        threshold: THRESHOLD,
        // An organisation may hold one person twice; each of its records is asked about.
        one_to_one: false,
        ..EncodedLinkOptions::default()
    };
    let linked = link_encoded(&left, &right, &options).map_err(|_| ApiError::Internal)?;
    let mut best: Vec<Option<(u32, f64)>> = vec![None; left.len()];
    for p in linked.pairs {
        let slot = &mut best[p.left as usize];
        if slot.is_none_or(|(_, s)| p.similarity > s) {
            *slot = Some((p.right, p.similarity));
        }
    }
    Ok(best
        .into_iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let (j, dice) = b?;
            Some(EncodedMatch {
                index: i,
                reference: mine.refs.get(i)?.clone(),
                partner_ref: partner.refs.get(j as usize)?.clone(),
                dice: (dice * 1000.0).round() / 1000.0,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(records: Vec<(&str, String)>) -> EncodedMatchRequest {
        EncodedMatchRequest {
            scheme: encoded::SCHEME.into(),
            bits: 256,
            fold: false,
            balance: true,
            key_fingerprint: "0123456789abcdef".into(),
            records: records
                .into_iter()
                .map(|(r, clk)| EncodedRecordInput {
                    reference: r.into(),
                    clk,
                })
                .collect(),
        }
    }

    #[test]
    fn every_bad_record_is_named_by_its_index() {
        let good = format!("{}=", "A".repeat(43)); // 32 bytes of base64
        let errors = validate(&request(vec![
            ("a", good.clone()),
            ("b", "A".repeat(43)),
            ("c", format!("{}!", "A".repeat(43))),
            ("a", good.clone()),
            ("", good.clone()),
        ]))
        .expect_err("bad records");
        let pointers: Vec<&str> = errors.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "#/records/1/clk",
                "#/records/2/clk",
                "#/records/3/ref",
                "#/records/4/ref"
            ]
        );
        assert!(validate(&request(vec![("a", good.clone()), ("b", good)])).is_ok());
    }
}
