//! The audit log: the one event every write adds in its own transaction, and reading the
//! events about an entity back.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use shanyrak_core::{Action, Actor};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use shanyrak_store_macros::queries;

use crate::StoreError;

use super::{Backend, Principal, Repo, require, to_json};

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

/// What one audit event says happened: to which entity, by which action, and the entity's
/// state (or the action's details) before and after.
#[derive(Debug)]
pub(super) struct Change<'a> {
    entity: &'a str,
    entity_id: Uuid,
    action: &'a str,
    before: Option<Value>,
    after: Option<Value>,
}

impl<'a> Change<'a> {
    /// An event without payload; [`Self::before`] and [`Self::after`] add one.
    pub(super) fn new(entity: &'a str, entity_id: Uuid, action: &'a str) -> Self {
        Self {
            entity,
            entity_id,
            action,
            before: None,
            after: None,
        }
    }

    /// A record created (action `create`): the event holds the record as stored.
    pub(super) fn created(
        entity: &'a str,
        entity_id: Uuid,
        record: &impl Serialize,
    ) -> Result<Self, StoreError> {
        Ok(Self::new(entity, entity_id, "create").after(to_json(record)?))
    }

    /// A record changed by `action`: the event holds it before and after.
    pub(super) fn updated(
        entity: &'a str,
        entity_id: Uuid,
        action: &'a str,
        before: &impl Serialize,
        after: &impl Serialize,
    ) -> Result<Self, StoreError> {
        Ok(Self::new(entity, entity_id, action)
            .before(to_json(before)?)
            .after(to_json(after)?))
    }

    pub(super) fn before(self, state: Value) -> Self {
        Self {
            before: Some(state),
            ..self
        }
    }

    pub(super) fn after(self, state: Value) -> Self {
        Self {
            after: Some(state),
            ..self
        }
    }
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// Adds the audit event of a write, in the write's transaction. The event belongs to
    /// `organisation_id`, else to the principal's organisation.
    pub(super) async fn audit(
        conn: &mut DB::Connection,
        by: &Principal,
        organisation_id: Option<Uuid>,
        change: Change<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Self::audit_all(conn, by, organisation_id, vec![(change, now)]).await
    }

    /// [`Self::audit`] for many writes of one principal, each at its own time, in as few
    /// statements as the bound-value limit allows.
    pub(super) async fn audit_all(
        conn: &mut DB::Connection,
        by: &Principal,
        organisation_id: Option<Uuid>,
        changes: Vec<(Change<'_>, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        const EVENT_VALUES: usize = 10;
        let organisation_id = organisation_id.or(by.organisation_id());
        let mut changes = changes.into_iter().peekable();
        while changes.peek().is_some() {
            let rows: Vec<_> = changes
                .by_ref()
                .take(super::MAX_BINDS / EVENT_VALUES)
                .collect();
            let sql = DB::values_sql(
                "INSERT INTO audit_events (id, at, actor_user_id, actor_label, organisation_id, entity, entity_id, \
                 action, before_state, after_state)",
                rows.len(),
                EVENT_VALUES,
            );
            let mut insert = sqlx::query(&sql);
            for (change, at) in rows {
                insert = insert
                    .bind(Uuid::now_v7())
                    .bind(at)
                    .bind(by.user_id())
                    .bind(by.label())
                    .bind(organisation_id)
                    .bind(change.entity.to_owned())
                    .bind(change.entity_id)
                    .bind(change.action.to_owned())
                    .bind(change.before.map(Json))
                    .bind(change.after.map(Json));
            }
            insert.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// [`Self::audit`] for a signed-in user's write, in the user's organisation.
    pub(super) async fn audit_by(
        conn: &mut DB::Connection,
        actor: &Actor,
        change: Change<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Self::audit(conn, &Principal::User(actor.clone()), None, change, now).await
    }

    // ----- organisations, users, tokens -------------------------------------------------

    /// An audit event as stored; shared by the audit trail and the hash chain, which
    /// must read events the same way.
    pub(super) fn audit_event_from_row(row: &DB::Row) -> Result<AuditEvent, StoreError> {
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
        require(actor, Action::ReadAudit)?;
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
}
