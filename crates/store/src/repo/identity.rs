//! The duplicate review queue and resolved identities.
//!
//! A pair of registrations that may be one person waits here until a person decides.
//! "Same" joins the two into one resolved identity without touching either record (each
//! person row gets the smallest person id of its group as `identity_id`); "different" is
//! remembered so the pair is never proposed again; both can be undone. Counts of people use
//! resolved identities.

use std::collections::{BTreeSet, HashMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use shanyrak_core::shelter::AdmissionError;
use shanyrak_core::{Action, Actor, BirthDate, CountryCode, Document, ReferenceCode, Sex};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Backend, Change, HouseholdKey, Repo, require};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// One side of a pair, as a reviewer compares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSide {
    pub person_id: Uuid,
    pub household_id: Uuid,
    pub reference: ReferenceCode,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub sex: Sex,
    pub birth_date: BirthDate,
    pub citizenship: Option<CountryCode>,
    pub documents: Vec<Document>,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateCandidate {
    pub id: Uuid,
    pub a: PersonSide,
    pub b: PersonSide,
    pub probability: f64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub evidence: Value,
    /// `pending`, `same` or `different`.
    pub status: String,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A pair proposed by the identity index.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedPair {
    pub person: Uuid,
    pub other: Uuid,
    pub probability: f64,
    pub evidence: Value,
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Puts proposed pairs of the actor's organisation in the queue. A pair already there,
    /// pending or decided, is left as it is.
    pub async fn enqueue_duplicates(
        &self,
        actor: &Actor,
        pairs: &[ProposedPair],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if pairs.is_empty() {
            return Ok(0);
        }
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let mut added = Vec::new();
        for pair in pairs {
            let (a, b) = if pair.person < pair.other {
                (pair.person, pair.other)
            } else {
                (pair.other, pair.person)
            };
            if a == b {
                continue;
            }
            let inserted = sqlx::query(
                "INSERT INTO duplicate_candidates (id, organisation_id, person_a, person_b, probability, evidence, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) ON CONFLICT (person_a, person_b) DO NOTHING RETURNING id",
            )
            .bind(Uuid::now_v7())
            .bind(actor.organisation_id)
            .bind(a)
            .bind(b)
            .bind(pair.probability)
            .bind(Json(pair.evidence.clone()))
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = inserted {
                added.push(row.try_get::<Uuid, _>("id")?);
            }
        }
        if let Some(first) = added.first() {
            let change = Change::new("duplicate_candidate", *first, "propose")
                .after(serde_json::json!({ "candidates": added }));
            Self::audit_by(&mut tx, actor, change, now).await?;
        }
        tx.commit().await?;
        Ok(added.len())
    }

    async fn person_side(
        conn: &mut DB::Connection,
        organisation_id: Uuid,
        person_id: Uuid,
    ) -> Result<PersonSide, StoreError> {
        let row = sqlx::query("SELECT household_id FROM persons WHERE id = $1")
            .bind(person_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let household_id: Uuid = row.try_get("household_id")?;
        let household = Self::load_household(
            conn,
            Some(organisation_id),
            "id",
            HouseholdKey::Id(household_id),
        )
        .await?;
        // A member removed since keeps its place in history; show it from its row.
        let person = match household.members.iter().find(|m| m.id == person_id) {
            Some(p) => p.clone(),
            None => return Err(StoreError::NotFound),
        };
        Ok(PersonSide {
            person_id,
            household_id,
            reference: household.reference,
            surname: person.surname,
            given_name: person.given_name,
            patronymic: person.patronymic,
            sex: person.sex,
            birth_date: person.birth_date,
            citizenship: person.citizenship,
            documents: person.documents,
            city: household.location.city,
        })
    }

    async fn candidate_from_row(
        conn: &mut DB::Connection,
        organisation_id: Uuid,
        row: &DB::Row,
    ) -> Result<DuplicateCandidate, StoreError> {
        let a: Uuid = row.try_get("person_a")?;
        let b: Uuid = row.try_get("person_b")?;
        Ok(DuplicateCandidate {
            id: row.try_get("id")?,
            a: Self::person_side(conn, organisation_id, a).await?,
            b: Self::person_side(conn, organisation_id, b).await?,
            probability: row.try_get("probability")?,
            evidence: row.try_get::<Json<Value>, _>("evidence")?.0,
            status: row.try_get("status")?,
            decided_at: row.try_get("decided_at")?,
        })
    }

    /// The queue of the actor's organisation, most likely duplicates first.
    pub async fn list_candidates(
        &self,
        actor: &Actor,
        status: &str,
        limit: u32,
    ) -> Result<Vec<DuplicateCandidate>, StoreError> {
        require(actor, Action::ReviewDuplicates)?;
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT id, person_a, person_b, probability, evidence, status, decided_at FROM duplicate_candidates \
             WHERE organisation_id = $1 AND status = $2 ORDER BY probability DESC, id LIMIT {}",
            limit.clamp(1, 200)
        );
        let rows = sqlx::query(&sql)
            .bind(actor.organisation_id)
            .bind(status.to_owned())
            .fetch_all(&mut *conn)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            match Self::candidate_from_row(&mut conn, actor.organisation_id, row).await {
                Ok(c) => out.push(c),
                // A person removed from their household since: not reviewable any more.
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    pub async fn get_candidate(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<DuplicateCandidate, StoreError> {
        require(actor, Action::ReviewDuplicates)?;
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query(
            "SELECT id, person_a, person_b, probability, evidence, status, decided_at FROM duplicate_candidates \
             WHERE id = $1 AND organisation_id = $2",
        )
        .bind(id)
        .bind(actor.organisation_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        Self::candidate_from_row(&mut conn, actor.organisation_id, &row).await
    }

    /// The queued pair of two persons, in either order.
    pub async fn candidate_for_pair(
        &self,
        actor: &Actor,
        one: Uuid,
        other: Uuid,
    ) -> Result<DuplicateCandidate, StoreError> {
        require(actor, Action::ReviewDuplicates)?;
        let (a, b) = if one < other {
            (one, other)
        } else {
            (other, one)
        };
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query(
            "SELECT id, person_a, person_b, probability, evidence, status, decided_at FROM duplicate_candidates \
             WHERE person_a = $1 AND person_b = $2 AND organisation_id = $3",
        )
        .bind(a)
        .bind(b)
        .bind(actor.organisation_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        Self::candidate_from_row(&mut conn, actor.organisation_id, &row).await
    }

    /// Records a reviewer's decision (`same`, `different`) or takes it back (`pending`),
    /// then recomputes the resolved identities the pair touches.
    pub async fn decide_candidate(
        &self,
        actor: &Actor,
        id: Uuid,
        to: &str,
        now: DateTime<Utc>,
    ) -> Result<DuplicateCandidate, StoreError> {
        require(actor, Action::ReviewDuplicates)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let row = Self::fetch_scoped(
            &mut *tx,
            "SELECT person_a, person_b, status FROM duplicate_candidates WHERE id = $1 AND organisation_id = $2",
            id,
            actor.organisation_id,
        )
        .await?;
        let status: String = row.try_get("status")?;
        let allowed = match to {
            "same" | "different" => status == "pending",
            "pending" => status == "same" || status == "different",
            _ => false,
        };
        if !allowed {
            return Err(StoreError::Admission(AdmissionError::InvalidTransition));
        }
        let (a, b): (Uuid, Uuid) = (row.try_get("person_a")?, row.try_get("person_b")?);
        let decided_by = (to != "pending").then_some(actor.user_id);
        let decided_at = (to != "pending").then_some(now);
        sqlx::query("UPDATE duplicate_candidates SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4")
            .bind(to.to_owned())
            .bind(decided_by)
            .bind(decided_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Self::resolve_identities(&mut tx, &[a, b]).await?;
        let action = if to == "pending" { "undo" } else { to };
        let change = Change::new("duplicate_candidate", id, action)
            .before(serde_json::json!({ "status": status }))
            .after(serde_json::json!({ "status": to, "person_a": a, "person_b": b }));
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        let mut conn = self.writer.acquire().await?;
        let row = sqlx::query("SELECT id, person_a, person_b, probability, evidence, status, decided_at FROM duplicate_candidates WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        Self::candidate_from_row(&mut conn, actor.organisation_id, &row).await
    }

    /// Sets `identity_id` for every person connected to the seeds by "same" decisions: the
    /// smallest person id of the group, or NULL for a person alone.
    async fn resolve_identities(
        conn: &mut DB::Connection,
        seeds: &[Uuid],
    ) -> Result<(), StoreError> {
        let mut assigned: HashMap<Uuid, Option<Uuid>> = HashMap::new();
        for seed in seeds {
            if assigned.contains_key(seed) {
                continue;
            }
            let mut group = BTreeSet::from([*seed]);
            let mut queue = VecDeque::from([*seed]);
            while let Some(person) = queue.pop_front() {
                let rows = sqlx::query(
                    "SELECT person_a, person_b FROM duplicate_candidates WHERE status = 'same' AND (person_a = $1 OR person_b = $1)",
                )
                .bind(person)
                .fetch_all(&mut *conn)
                .await?;
                for row in rows {
                    for column in ["person_a", "person_b"] {
                        let other: Uuid = row.try_get(column)?;
                        if group.insert(other) {
                            queue.push_back(other);
                        }
                    }
                }
            }
            let representative = (group.len() > 1).then(|| group.first().copied()).flatten();
            for person in group {
                assigned.insert(person, representative);
            }
        }
        for (person, identity) in assigned {
            sqlx::query("UPDATE persons SET identity_id = $1 WHERE id = $2")
                .bind(identity)
                .bind(person)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Person records and resolved people (records joined by "same" decisions count once)
    /// of the actor's organisation. Aggregates only, so every role of the organisation may
    /// see them.
    pub async fn count_persons(&self, actor: &Actor) -> Result<(i64, i64), StoreError> {
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS records, COUNT(DISTINCT COALESCE(p.identity_id, p.id)) AS resolved FROM persons p \
             JOIN households h ON h.id = p.household_id WHERE h.organisation_id = $1 AND p.removed_at IS NULL",
        )
        .bind(actor.organisation_id)
        .fetch_one(&mut *conn)
        .await?;
        Ok((row.try_get("records")?, row.try_get("resolved")?))
    }

    /// Pairs decided "different" that involve any of `persons`, in one query, so that
    /// they are not proposed again. Each pair is returned ordered (smaller id first).
    pub async fn decided_different(
        &self,
        persons: &[Uuid],
    ) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        if persons.is_empty() {
            return Ok(Vec::new());
        }
        let in_list: Vec<String> = (1..=persons.len()).map(|i| format!("${i}")).collect();
        let in_list = in_list.join(", ");
        let sql = format!(
            "SELECT person_a, person_b FROM duplicate_candidates WHERE status = 'different' \
             AND (person_a IN ({in_list}) OR person_b IN ({in_list}))"
        );
        let mut query = sqlx::query(&sql);
        for person in persons {
            query = query.bind(*person);
        }
        let mut conn = self.reader.acquire().await?;
        let rows = query.fetch_all(&mut *conn).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("person_a")?, r.try_get("person_b")?)))
            .collect()
    }
}
