//! Cases, restricted case notes, referrals between organisations, and the crossings of
//! the legal-stay tracker.
//!
//! Scoping: a case, its notes and its crossings belong to one organisation; anyone else
//! gets `NotFound`. A referral is visible to its sender and to its receiver; the receiver
//! never sees the sender's internal ids and sees of the person only the fields the
//! consent names, built at read time by `shanyrak_core::cases::shared_view`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use shanyrak_core::cases::{
    Appointment, Assessment, Case, CaseNote, CaseStatus, Consent, PlanAction, ReferralEvent,
    ReferralState, ServiceKind, TransitionError, ValidatedCase, ValidatedReferral, is_overdue,
    shared_view, transition,
};
use shanyrak_core::legal_stay::{Movement, MovementKind};
use shanyrak_core::{Action, Actor, CountryCode, FieldErrorCode, Household, Relationship};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::{
    Backend, Change, ColumnExt, HouseholdKey, IdempotencyRequest, Repo, check_version, invalid,
    require, to_json,
};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// A referral as its sender or receiver sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    pub id: Uuid,
    pub from_organisation_id: Uuid,
    pub to_organisation_id: Uuid,
    pub service: ServiceKind,
    pub state: ReferralState,
    pub decline_reason: Option<String>,
    pub outcome: Option<String>,
    pub answer_within_days: u32,
    pub sent_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Unanswered past `answer_within_days`.
    pub overdue: bool,
    /// The names of the fields consent allows to share.
    pub consented_fields: Vec<shanyrak_core::cases::ShareableField>,
    /// Sender only: the case, household and person referred, and who consented when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Receiver only, while the referral is open (sent, accepted, in progress): the
    /// consented fields of the person and nothing else.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub shared: Option<Map<String, Value>>,
}

/// Which referrals to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Sent,
    Received,
}

/// What the legal-stay tracker needs about one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StayFacts {
    pub person_id: Uuid,
    pub household_id: Uuid,
    pub reference: String,
    pub surname: String,
    pub given_name: String,
    pub citizenship: Option<CountryCode>,
    /// The country of the household's current location.
    pub host: CountryCode,
    /// Recorded crossings and registrations, plus the household's arrival as an entry.
    pub movements: Vec<Movement>,
    /// The calendar the person's deadlines are counted on: the zone of the household's
    /// place, else the deployment's.
    pub time_zone: chrono_tz::Tz,
}

impl StayFacts {
    /// "Today" for this person's deadlines at `now`: the day at the household's place.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        crate::clock::local_date_in(self.time_zone, now)
    }
}

const CASE_COLUMNS: &str = "id, organisation_id, household_id, person_id, status, status_reason, assessments, plan, \
     appointments, version, opened_at, updated_at";

const REFERRAL_COLUMNS: &str = "id, from_organisation_id, to_organisation_id, case_id, household_id, person_id, service, \
     consent, state, decline_reason, outcome, answer_within_days, sent_at, updated_at";

/// Referrals listed per request; a caseworker's queue, not an export.
const MAX_LIST: u32 = 500;

#[queries]
impl<DB: Backend> Repo<DB> {
    fn case_from_row(row: &DB::Row) -> Result<Case, StoreError> {
        Ok(Case {
            id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            household_id: row.try_get("household_id")?,
            person_id: row.try_get("person_id")?,
            status: row.parsed("status", CaseStatus::parse)?,
            status_reason: row.try_get("status_reason")?,
            assessments: row.json::<Vec<Assessment>>("assessments")?,
            plan: row.json::<Vec<PlanAction>>("plan")?,
            appointments: row.json::<Vec<Appointment>>("appointments")?,
            version: row.try_get("version")?,
            opened_at: row.try_get("opened_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// Checks that the case's person and assessed persons are current members.
    fn check_members(household: &Household, case: &ValidatedCase) -> Result<(), StoreError> {
        let member = |id: Uuid| household.members.iter().any(|m| m.id == id);
        if case.person_id.is_some_and(|p| !member(p)) {
            return Err(invalid(
                "#/person_id",
                FieldErrorCode::UnknownMember,
                "not a member of this household",
            ));
        }
        for (i, a) in case.assessments.iter().enumerate() {
            if a.person_id.is_some_and(|p| !member(p)) {
                return Err(invalid(
                    format!("#/assessments/{i}/person_id"),
                    FieldErrorCode::UnknownMember,
                    "not a member of this household",
                ));
            }
        }
        Ok(())
    }

    /// Opens a case for a household of the actor's organisation.
    pub async fn create_case(
        &self,
        actor: &Actor,
        case: &ValidatedCase,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        Ok(self.create_case_once(actor, case, None, now).await?.0)
    }

    /// [`Self::create_case`] with an idempotency key: a retry returns the case the first
    /// request opened (`true`: replayed) and writes nothing.
    pub async fn create_case_once(
        &self,
        actor: &Actor,
        case: &ValidatedCase,
        idempotency: Option<&IdempotencyRequest>,
        now: DateTime<Utc>,
    ) -> Result<(Case, bool), StoreError> {
        require(actor, Action::ManageCases)?;
        let id = Uuid::now_v7();
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        if let Some(idem) = idempotency
            && let Some(existing) = Self::claim_for_record(&mut tx, actor, idem, id, now).await?
        {
            tx.rollback().await?;
            return Ok((self.get_case(actor, existing, now).await?, true));
        }
        let household = match Self::load_household(
            &mut tx,
            Some(actor.organisation_id),
            "id",
            HouseholdKey::Id(case.household_id),
        )
        .await
        {
            Err(StoreError::NotFound) => {
                return Err(invalid(
                    "#/household_id",
                    FieldErrorCode::InvalidValue,
                    "no such household",
                ));
            }
            other => other?,
        };
        Self::check_members(&household, case)?;
        let created = Case {
            id,
            organisation_id: actor.organisation_id,
            household_id: case.household_id,
            person_id: case.person_id,
            status: case.status,
            status_reason: case.status_reason.clone(),
            assessments: case.assessments.clone(),
            plan: case.plan.clone(),
            appointments: case.appointments.clone(),
            version: 1,
            opened_at: now,
            updated_at: now,
        };
        sqlx::query(
            "INSERT INTO cases (id, organisation_id, household_id, person_id, status, status_reason, assessments, plan, \
             appointments, version, opened_by, opened_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(created.id)
        .bind(created.organisation_id)
        .bind(created.household_id)
        .bind(created.person_id)
        .bind(created.status.as_str().to_owned())
        .bind(created.status_reason.clone())
        .bind(Json(to_json(&created.assessments)?))
        .bind(Json(to_json(&created.plan)?))
        .bind(Json(to_json(&created.appointments)?))
        .bind(created.version)
        .bind(actor.user_id)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let change = Change::created("case", created.id, &created)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok((created, false))
    }

    async fn load_case(
        conn: &mut DB::Connection,
        organisation_id: Uuid,
        id: Uuid,
    ) -> Result<Case, StoreError> {
        let sql =
            format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1 AND organisation_id = $2");
        let row = Self::fetch_scoped(&mut *conn, &sql, id, organisation_id).await?;
        Self::case_from_row(&row)
    }

    /// A case of the actor's organisation; the read is logged first.
    pub async fn get_case(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        require(actor, Action::ManageCases)?;
        let case = {
            let mut conn = self.reader.acquire().await?;
            Self::load_case(&mut conn, actor.organisation_id, id).await?
        };
        self.log_access(actor, "read_case", Some(id), None, json!({}), now)
            .await?;
        Ok(case)
    }

    /// Cases of the actor's organisation, newest first, optionally of one household or status.
    pub async fn list_cases(
        &self,
        actor: &Actor,
        household_id: Option<Uuid>,
        status: Option<CaseStatus>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<Case>, StoreError> {
        require(actor, Action::ManageCases)?;
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE organisation_id = $1 AND ($2 IS NULL OR household_id = $2) \
             AND ($3 IS NULL OR status = $3) ORDER BY id DESC LIMIT {}",
            limit.clamp(1, MAX_LIST)
        );
        let rows = {
            let mut conn = self.reader.acquire().await?;
            sqlx::query(&sql)
                .bind(actor.organisation_id)
                .bind(household_id)
                .bind(status.map(|s| s.as_str().to_owned()))
                .fetch_all(&mut *conn)
                .await?
        };
        let cases = rows
            .iter()
            .map(Self::case_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.log_access(
            actor,
            "list_cases",
            household_id,
            None,
            json!({"results": cases.len()}),
            now,
        )
        .await?;
        Ok(cases)
    }

    /// Replaces a case's assessment, plan, appointments and status. The household and
    /// person a case is about never change.
    pub async fn update_case(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: Option<i64>,
        case: &ValidatedCase,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        require(actor, Action::ManageCases)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let before = Self::load_case(&mut tx, actor.organisation_id, id).await?;
        check_version(expected_version, before.version)?;
        if case.household_id != before.household_id {
            return Err(invalid(
                "#/household_id",
                FieldErrorCode::ReadOnly,
                "a case stays with its household",
            ));
        }
        if case.person_id != before.person_id {
            return Err(invalid(
                "#/person_id",
                FieldErrorCode::ReadOnly,
                "a case stays with its person",
            ));
        }
        let household = Self::load_household(
            &mut tx,
            Some(actor.organisation_id),
            "id",
            HouseholdKey::Id(before.household_id),
        )
        .await?;
        Self::check_members(&household, case)?;
        let after = Case {
            status: case.status,
            status_reason: case.status_reason.clone(),
            assessments: case.assessments.clone(),
            plan: case.plan.clone(),
            appointments: case.appointments.clone(),
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        let update = sqlx::query(
            "UPDATE cases SET status = $1, status_reason = $2, assessments = $3, plan = $4, appointments = $5, \
             version = $6, updated_at = $7 WHERE id = $8 AND version = $9 RETURNING id",
        )
        .bind(after.status.as_str().to_owned())
        .bind(after.status_reason.clone())
        .bind(Json(to_json(&after.assessments)?))
        .bind(Json(to_json(&after.plan)?))
        .bind(Json(to_json(&after.appointments)?))
        .bind(after.version)
        .bind(now)
        .bind(id)
        .bind(before.version);
        Self::update_at_version(&mut tx, update, before.version).await?;
        let change = Change::updated("case", id, "update", &before, &after)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Adds a restricted note. Its audit event names the case and the note's length, never
    /// its text: admins and auditors read the audit log, and notes are not for them.
    pub async fn add_case_note(
        &self,
        actor: &Actor,
        case_id: Uuid,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<CaseNote, StoreError> {
        Ok(self
            .add_case_note_once(actor, case_id, text, None, now)
            .await?
            .0)
    }

    /// [`Self::add_case_note`] with an idempotency key: a retry returns the first note.
    pub async fn add_case_note_once(
        &self,
        actor: &Actor,
        case_id: Uuid,
        text: &str,
        idempotency: Option<&IdempotencyRequest>,
        now: DateTime<Utc>,
    ) -> Result<(CaseNote, bool), StoreError> {
        require(actor, Action::CaseNotes)?;
        let id = Uuid::now_v7();
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        Self::load_case(&mut tx, actor.organisation_id, case_id).await?;
        if let Some(idem) = idempotency
            && let Some(existing) = Self::claim_for_record(&mut tx, actor, idem, id, now).await?
        {
            tx.rollback().await?;
            let note = self
                .list_case_notes(actor, case_id, now)
                .await?
                .into_iter()
                .find(|n| n.id == existing)
                .ok_or(StoreError::IdempotencyKeyReused)?;
            return Ok((note, true));
        }
        let note = CaseNote {
            id,
            case_id,
            author_user_id: actor.user_id,
            text: text.to_owned(),
            written_at: now,
        };
        sqlx::query("INSERT INTO case_notes (id, case_id, organisation_id, author_user_id, text, written_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(note.id)
            .bind(case_id)
            .bind(actor.organisation_id)
            .bind(actor.user_id)
            .bind(note.text.clone())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let change = Change::new("case_note", note.id, "create")
            .after(json!({"case_id": case_id, "characters": note.text.chars().count()}));
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok((note, false))
    }

    /// The notes of a case, oldest first: caseworkers of the owning organisation only.
    pub async fn list_case_notes(
        &self,
        actor: &Actor,
        case_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseNote>, StoreError> {
        require(actor, Action::CaseNotes)?;
        let rows = {
            let mut conn = self.reader.acquire().await?;
            Self::load_case(&mut conn, actor.organisation_id, case_id).await?;
            sqlx::query("SELECT id, case_id, author_user_id, text, written_at FROM case_notes WHERE case_id = $1 AND organisation_id = $2 ORDER BY id")
                .bind(case_id)
                .bind(actor.organisation_id)
                .fetch_all(&mut *conn)
                .await?
        };
        let notes = rows
            .iter()
            .map(|r| {
                Ok(CaseNote {
                    id: r.try_get("id")?,
                    case_id: r.try_get("case_id")?,
                    author_user_id: r.try_get("author_user_id")?,
                    text: r.try_get("text")?,
                    written_at: r.try_get("written_at")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.log_access(
            actor,
            "read_case_notes",
            Some(case_id),
            None,
            json!({"results": notes.len()}),
            now,
        )
        .await?;
        Ok(notes)
    }

    // ----- referrals ---------------------------------------------------------------------

    /// The referral as `organisation_id` may see it, without the shared fields.
    fn referral_from_row(
        row: &DB::Row,
        organisation_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Referral, StoreError> {
        let consent: Consent = row.json("consent")?;
        let state = row.parsed("state", ReferralState::parse)?;
        let sent_at: DateTime<Utc> = row.try_get("sent_at")?;
        let days: i32 = row.try_get("answer_within_days")?;
        let days =
            u32::try_from(days).map_err(|_| StoreError::corrupt("negative answer_within_days"))?;
        let from: Uuid = row.try_get("from_organisation_id")?;
        let sender = from == organisation_id;
        Ok(Referral {
            id: row.try_get("id")?,
            from_organisation_id: from,
            to_organisation_id: row.try_get("to_organisation_id")?,
            service: row.parsed("service", ServiceKind::parse)?,
            state,
            decline_reason: row.try_get("decline_reason")?,
            outcome: row.try_get("outcome")?,
            answer_within_days: days,
            sent_at,
            updated_at: row.try_get("updated_at")?,
            overdue: is_overdue(state, sent_at, days, now),
            consented_fields: consent.fields.clone(),
            case_id: if sender {
                Some(row.try_get("case_id")?)
            } else {
                None
            },
            household_id: if sender {
                Some(row.try_get("household_id")?)
            } else {
                None
            },
            person_id: if sender {
                Some(row.try_get("person_id")?)
            } else {
                None
            },
            consent: sender.then_some(consent),
            shared: None,
        })
    }

    /// Sends a referral from a case of the actor's organisation to another organisation.
    pub async fn create_referral(
        &self,
        actor: &Actor,
        referral: &ValidatedReferral,
        now: DateTime<Utc>,
    ) -> Result<Referral, StoreError> {
        Ok(self
            .create_referral_once(actor, referral, None, now)
            .await?
            .0)
    }

    /// [`Self::create_referral`] with an idempotency key: a retry returns the first
    /// referral and sends nothing twice.
    pub async fn create_referral_once(
        &self,
        actor: &Actor,
        referral: &ValidatedReferral,
        idempotency: Option<&IdempotencyRequest>,
        now: DateTime<Utc>,
    ) -> Result<(Referral, bool), StoreError> {
        require(actor, Action::ManageReferrals)?;
        let id = Uuid::now_v7();
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        if let Some(idem) = idempotency
            && let Some(existing) = Self::claim_for_record(&mut tx, actor, idem, id, now).await?
        {
            tx.rollback().await?;
            return Ok((self.get_referral(actor, existing, now).await?, true));
        }
        let case = match Self::load_case(&mut tx, actor.organisation_id, referral.case_id).await {
            Err(StoreError::NotFound) => {
                return Err(invalid(
                    "#/case_id",
                    FieldErrorCode::InvalidValue,
                    "no such case",
                ));
            }
            other => other?,
        };
        let receiver = sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(referral.to_organisation_id)
            .fetch_optional(&mut *tx)
            .await?;
        if receiver.is_none() {
            return Err(invalid(
                "#/to_organisation_id",
                FieldErrorCode::InvalidValue,
                "no such organisation",
            ));
        }
        let household = Self::load_household(
            &mut tx,
            Some(actor.organisation_id),
            "id",
            HouseholdKey::Id(case.household_id),
        )
        .await?;
        let member = |id: Uuid| household.members.iter().any(|m| m.id == id);
        let person_id = match referral.person_id.or(case.person_id) {
            Some(p) if member(p) => p,
            Some(_) => {
                return Err(invalid(
                    "#/person_id",
                    FieldErrorCode::UnknownMember,
                    "not a member of the case's household",
                ));
            }
            None => household
                .members
                .iter()
                .find(|m| m.relationship == Relationship::Head)
                .map(|m| m.id)
                .ok_or_else(|| StoreError::corrupt("household without a head"))?,
        };
        if !member(referral.consent.given_by_person_id) {
            return Err(invalid(
                "#/consent/given_by_person_id",
                FieldErrorCode::UnknownMember,
                "not a member of the case's household",
            ));
        }
        let days = i32::try_from(referral.answer_within_days).map_err(|_| {
            invalid(
                "#/answer_within_days",
                FieldErrorCode::InvalidValue,
                "too large",
            )
        })?;
        sqlx::query(&format!(
            "INSERT INTO referrals ({REFERRAL_COLUMNS}, sent_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(id)
        .bind(actor.organisation_id)
        .bind(referral.to_organisation_id)
        .bind(case.id)
        .bind(case.household_id)
        .bind(person_id)
        .bind(referral.service.as_str().to_owned())
        .bind(Json(to_json(&referral.consent)?))
        .bind(ReferralState::Sent.as_str().to_owned())
        .bind(None::<String>)
        .bind(None::<String>)
        .bind(days)
        .bind(now)
        .bind(now)
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        let created = Referral {
            id,
            from_organisation_id: actor.organisation_id,
            to_organisation_id: referral.to_organisation_id,
            service: referral.service,
            state: ReferralState::Sent,
            decline_reason: None,
            outcome: None,
            answer_within_days: referral.answer_within_days,
            sent_at: now,
            updated_at: now,
            overdue: false,
            consented_fields: referral.consent.fields.clone(),
            case_id: Some(case.id),
            household_id: Some(case.household_id),
            person_id: Some(person_id),
            consent: Some(referral.consent.clone()),
            shared: None,
        };
        let change = Change::created("referral", id, &created)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok((created, false))
    }

    /// Referrals the actor's organisation sent or received, newest first.
    pub async fn list_referrals(
        &self,
        actor: &Actor,
        direction: Direction,
        now: DateTime<Utc>,
    ) -> Result<Vec<Referral>, StoreError> {
        let column = match direction {
            Direction::Sent => {
                require(actor, Action::ManageReferrals)?;
                "from_organisation_id"
            }
            Direction::Received => {
                require(actor, Action::ReceiveReferrals)?;
                "to_organisation_id"
            }
        };
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT {REFERRAL_COLUMNS} FROM referrals WHERE {column} = $1 ORDER BY id DESC LIMIT {MAX_LIST}"
        );
        let rows = sqlx::query(&sql)
            .bind(actor.organisation_id)
            .fetch_all(&mut *conn)
            .await?;
        rows.iter()
            .map(|r| Self::referral_from_row(r, actor.organisation_id, now))
            .collect()
    }

    /// Sent referrals still unanswered past their answer days.
    pub async fn overdue_referrals(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Referral>, StoreError> {
        let sent = self.list_referrals(actor, Direction::Sent, now).await?;
        Ok(sent.into_iter().filter(|r| r.overdue).collect())
    }

    /// One referral. The sender sees its own ids; the receiver sees, while the referral is
    /// open, the consented fields of the person (the read is logged first).
    pub async fn get_referral(
        &self,
        actor: &Actor,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Referral, StoreError> {
        if !actor.may(Action::ManageReferrals) && !actor.may(Action::ReceiveReferrals) {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.reader.acquire().await?;
        let sql = format!(
            "SELECT {REFERRAL_COLUMNS} FROM referrals WHERE id = $1 AND (from_organisation_id = $2 OR to_organisation_id = $2)"
        );
        let row = Self::fetch_scoped(&mut *conn, &sql, id, actor.organisation_id).await?;
        let mut referral = Self::referral_from_row(&row, actor.organisation_id, now)?;
        let sender = referral.from_organisation_id == actor.organisation_id;
        let may = if sender {
            Action::ManageReferrals
        } else {
            Action::ReceiveReferrals
        };
        require(actor, may)?;
        let open = matches!(
            referral.state,
            ReferralState::Sent | ReferralState::Accepted | ReferralState::InProgress
        );
        if !sender && open {
            let household_id: Uuid = row.try_get("household_id")?;
            let person_id: Uuid = row.try_get("person_id")?;
            // The household is read under the sender's scope: the consent is the authority.
            let household = match Self::load_household(
                &mut conn,
                Some(referral.from_organisation_id),
                "id",
                HouseholdKey::Id(household_id),
            )
            .await
            {
                Ok(household) => household,
                // Anonymised (retention or erasure): nothing left to share.
                Err(StoreError::NotFound) => {
                    referral.shared = Some(Map::new());
                    return Ok(referral);
                }
                Err(e) => return Err(e),
            };
            drop(conn);
            let Some(person) = household.members.iter().find(|m| m.id == person_id) else {
                // The person was removed from the household since: nothing to share.
                referral.shared = Some(Map::new());
                return Ok(referral);
            };
            let shared = shared_view(&household, person, &referral.consented_fields);
            self.log_access(
                actor,
                "read_referral",
                Some(id),
                None,
                json!({"fields": referral.consented_fields.len()}),
                now,
            )
            .await?;
            referral.shared = Some(shared);
        }
        Ok(referral)
    }

    /// The receiving organisation answers a referral (accept, decline, start, close).
    pub async fn transition_referral(
        &self,
        actor: &Actor,
        id: Uuid,
        event: &ReferralEvent,
        now: DateTime<Utc>,
    ) -> Result<Referral, StoreError> {
        require(actor, Action::ReceiveReferrals)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let sql = format!(
            "SELECT {REFERRAL_COLUMNS} FROM referrals WHERE id = $1 AND (from_organisation_id = $2 OR to_organisation_id = $2)"
        );
        let row = Self::fetch_scoped(&mut *tx, &sql, id, actor.organisation_id).await?;
        let before = Self::referral_from_row(&row, actor.organisation_id, now)?;
        if before.to_organisation_id != actor.organisation_id {
            return Err(StoreError::Transition(TransitionError::NotReceiver));
        }
        let state = transition(before.state, event).map_err(StoreError::Transition)?;
        let (reason, outcome) = match event {
            ReferralEvent::Declined { reason } => (Some(reason.clone()), before.outcome.clone()),
            ReferralEvent::Closed { outcome } => {
                (before.decline_reason.clone(), Some(outcome.clone()))
            }
            _ => (before.decline_reason.clone(), before.outcome.clone()),
        };
        let updated = sqlx::query("UPDATE referrals SET state = $1, decline_reason = $2, outcome = $3, updated_at = $4 WHERE id = $5 AND state = $6 RETURNING id")
            .bind(state.as_str().to_owned())
            .bind(reason.clone())
            .bind(outcome.clone())
            .bind(now)
            .bind(id)
            .bind(before.state.as_str().to_owned())
            .fetch_optional(&mut *tx)
            .await?;
        if updated.is_none() {
            return Err(StoreError::Transition(TransitionError::NotAllowed));
        }
        let after = Referral {
            state,
            decline_reason: reason,
            outcome,
            updated_at: now,
            overdue: false,
            ..before.clone()
        };
        let change = Change::updated("referral", id, state.as_str(), &before, &after)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- legal stay --------------------------------------------------------------------

    /// Records an entry, exit or registration of a person of the actor's organisation.
    pub async fn record_stay_movement(
        &self,
        actor: &Actor,
        person_id: Uuid,
        movement: &Movement,
        now: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::TrackLegalStay)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let found = sqlx::query(
            "SELECT p.id FROM persons p JOIN households h ON h.id = p.household_id \
             WHERE p.id = $1 AND h.organisation_id = $2 AND p.removed_at IS NULL AND p.anonymised_at IS NULL",
        )
        .bind(person_id)
        .bind(actor.organisation_id)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO stay_movements (id, person_id, organisation_id, kind, on_date, country, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(person_id)
        .bind(actor.organisation_id)
        .bind(movement.kind.as_str().to_owned())
        .bind(movement.on)
        .bind(movement.country.to_string())
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let change = Change::new("stay_movement", id, "create")
            .after(json!({"person_id": person_id, "movement": movement}));
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Stay facts of the persons of the actor's organisation (one, or all current members
    /// of active households); the read is logged.
    pub async fn stay_facts(
        &self,
        actor: &Actor,
        person_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StayFacts>, StoreError> {
        require(actor, Action::TrackLegalStay)?;
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(
            "SELECT p.id, p.household_id, h.reference, p.surname, p.given_name, p.citizenship, h.country, h.arrival_date, h.place_id \
             FROM persons p JOIN households h ON h.id = p.household_id \
             WHERE h.organisation_id = $1 AND p.removed_at IS NULL AND p.anonymised_at IS NULL AND ($2 IS NULL OR p.id = $2) \
             AND ($2 IS NOT NULL OR h.status = 'active') ORDER BY p.id",
        )
        .bind(actor.organisation_id)
        .bind(person_id)
        .fetch_all(&mut *conn)
        .await?;
        if person_id.is_some() && rows.is_empty() {
            return Err(StoreError::NotFound);
        }
        let moves = sqlx::query(
            "SELECT m.person_id, m.kind, m.on_date, m.country FROM stay_movements m \
             WHERE m.organisation_id = $1 AND ($2 IS NULL OR m.person_id = $2) ORDER BY m.person_id, m.on_date",
        )
        .bind(actor.organisation_id)
        .bind(person_id)
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        let mut by_person: std::collections::HashMap<Uuid, Vec<Movement>> =
            std::collections::HashMap::new();
        for m in &moves {
            by_person
                .entry(m.try_get("person_id")?)
                .or_default()
                .push(Movement {
                    kind: m.parsed("kind", MovementKind::parse)?,
                    on: m.try_get("on_date")?,
                    country: m.text("country", "unknown country in stay_movements")?,
                });
        }
        let mut facts = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: Uuid = r.try_get("id")?;
            let host: CountryCode = r.text("country", "unknown country in households")?;
            let citizenship: Option<String> = r.try_get("citizenship")?;
            let arrival: Option<NaiveDate> = r.try_get("arrival_date")?;
            let mut movements = by_person.remove(&id).unwrap_or_default();
            // Registration recorded the arrival; it is the first entry unless recorded too.
            if let Some(on) = arrival
                && !movements
                    .iter()
                    .any(|m| m.kind == MovementKind::Entry && m.on == on && m.country == host)
            {
                movements.push(Movement {
                    kind: MovementKind::Entry,
                    on,
                    country: host,
                });
            }
            facts.push(StayFacts {
                person_id: id,
                household_id: r.try_get("household_id")?,
                reference: r.try_get("reference")?,
                surname: r.try_get("surname")?,
                given_name: r.try_get("given_name")?,
                citizenship: citizenship.and_then(|c| c.parse().ok()),
                host,
                movements,
                time_zone: crate::clock::zone_of_place(super::places::place_id_from_row(
                    r, "place_id",
                )?),
            });
        }
        let action = if person_id.is_some() {
            "read_legal_stay"
        } else {
            "list_legal_stay"
        };
        self.log_access(
            actor,
            action,
            person_id,
            None,
            json!({"results": facts.len()}),
            now,
        )
        .await?;
        Ok(facts)
    }
}
