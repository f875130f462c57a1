//! The in-memory identity index: possible duplicates at registration and person search.
//!
//! The database is the system of record; this index is a cache of every current person,
//! built at start and kept fresh from the audit log (`household_changes_since`), so any
//! number of server processes sharing one PostgreSQL database converge on the same view.
//! A process also applies its own writes at once, so a volunteer sees a duplicate they
//! registered a second ago.
//!
//! Duplicate lookup covers the asking user's organisation and those sharing `identity`
//! with it under an agreement in force; search covers the asking user's organisation.
//! Anonymised and erased persons are not members of any household view, so a refresh
//! removes them (an anonymised household reads as not found and is forgotten whole).

use std::collections::HashMap;
use std::sync::RwLock;

use serde::Serialize;
use serde_json::{Value, json};
use shanyrak_core::{Household, Person, PhoneNumber, Sex};
use shanyrak_linkage::model::EmOptions;
use shanyrak_linkage::{
    Decision, Document, Evidence, LinkageIndex, Model, PartialDate, PersonRecord,
};
use shanyrak_store::{Store, StoreError};
use uuid::Uuid;

/// Below this many persons EM has too little to learn from; the default model is used.
const MIN_PERSONS_FOR_EM: usize = 2_000;
const EM_RANDOM_PAIRS: usize = 200_000;

/// A registered person who may be the same as a newly registered one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PossibleDuplicate {
    pub person_id: Uuid,
    pub household_id: Uuid,
    /// Your organisation, or one sharing identity data with it under an agreement.
    pub organisation_id: Uuid,
    pub probability: f64,
    /// `link` (almost surely the same person) or `review` (a human should look).
    pub decision: String,
    /// Per-field weights explaining the probability.
    #[schema(value_type = Object)]
    pub evidence: Value,
}

#[derive(Debug, Clone, Copy)]
struct PersonMeta {
    household_id: Uuid,
    organisation_id: Uuid,
}

#[derive(Debug)]
struct Inner {
    index: LinkageIndex,
    persons: HashMap<Uuid, PersonMeta>,
    households: HashMap<Uuid, Vec<Uuid>>,
    /// The newest audit event applied.
    cursor: Option<Uuid>,
    /// Household events applied within [`LOOK_BACK`] of the cursor: across processes an
    /// event with a smaller id can commit after a larger one was read, so each refresh
    /// reads again from a little before the cursor and skips what it has seen.
    recent: std::collections::BTreeSet<Uuid>,
}

/// How far before its cursor a refresh reads the audit log again: longer than a write
/// transaction stays open between taking its event id and committing.
const LOOK_BACK_MS: u64 = 60_000;

/// The smallest UUIDv7 of the millisecond `ms`.
fn v7_floor(ms: u64) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    Uuid::from_bytes(bytes)
}

/// The millisecond a UUIDv7 was made (0 for another kind).
fn v7_millis(id: Uuid) -> u64 {
    let b = id.as_bytes();
    u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]])
}

#[derive(Debug)]
pub struct IdentityIndex {
    inner: RwLock<Inner>,
    /// False while the index is being loaded at start: a query then answers
    /// [`IndexLoading`] instead of an empty result, so no duplicate check is skipped.
    ready: tokio::sync::watch::Sender<bool>,
}

/// The index is still being loaded from the database; ask again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the identity index is still loading")]
pub struct IndexLoading;

/// A person as the linkage library reads them. The household phone stands for each member.
/// Optional record fields Shanyrak does not hold (addresses) stay at their defaults.
#[allow(clippy::needless_update)]
pub fn person_record(person: &Person, phone: Option<&PhoneNumber>) -> PersonRecord {
    let b = person.birth_date;
    let birth_date = u16::try_from(b.year()).ok().and_then(|year| {
        PartialDate::new(
            Some(year),
            b.month().and_then(|m| u8::try_from(m).ok()),
            b.day().and_then(|d| u8::try_from(d).ok()),
            person.birth_date_estimated,
        )
        .ok()
    });
    PersonRecord {
        record_id: person.id.to_string(),
        surname: person.surname.clone(),
        given_name: person.given_name.clone(),
        patronymic: person.patronymic.clone(),
        sex: match person.sex {
            Sex::Male => Some(shanyrak_linkage::Sex::Male),
            Sex::Female => Some(shanyrak_linkage::Sex::Female),
            Sex::Unknown => None,
        },
        birth_date,
        citizenship: person.citizenship.map(|c| c.to_string()),
        documents: person
            .documents
            .iter()
            .filter_map(|d| {
                d.number.as_ref().map(|n| Document {
                    doc_type: d.doc_type.as_str().to_owned(),
                    number: n.clone(),
                })
            })
            .collect(),
        phone: phone.map(|p| p.to_string()),
        ..PersonRecord::default()
    }
}

pub fn decision_name(decision: Decision) -> &'static str {
    match decision {
        Decision::Link => "link",
        Decision::Review => "review",
        Decision::NonLink => "non_link",
    }
}

/// The evidence behind a score as JSON: one entry per field, with its level and weight.
pub fn evidence_json(e: &Evidence) -> Value {
    json!({
        "probability": e.probability,
        "decision": decision_name(e.decision),
        "total_weight": e.total_weight,
        "prior_weight": e.prior_weight,
        "term_frequency_adjustment": e.term_frequency_adjustment,
        "swapped_names": e.swapped_names,
        "guard": e.guard.map(|g| format!("{g:?}")),
        "fields": e.fields.iter().map(|f| json!({
            "field": f.field.name(),
            "level": f.level,
            "level_name": f.level_name,
            "weight": f.weight,
        })).collect::<Vec<_>>(),
    })
}

impl Default for IdentityIndex {
    fn default() -> Self {
        Self::empty()
    }
}

impl IdentityIndex {
    /// An index with nothing to load (tests, an empty database): ready at once.
    pub fn empty() -> Self {
        let index = Self::loading();
        index.ready.send_replace(true);
        index
    }

    /// An index that is not ready until [`Self::load`] has filled it.
    pub fn loading() -> Self {
        Self {
            inner: RwLock::new(Inner {
                index: LinkageIndex::new(Model::default()),
                persons: HashMap::new(),
                households: HashMap::new(),
                cursor: None,
                recent: std::collections::BTreeSet::new(),
            }),
            ready: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Whether the index holds every person of the database (as of its last refresh).
    pub fn is_ready(&self) -> bool {
        *self.ready.borrow()
    }

    /// Waits at most `limit` for the index to be ready.
    pub async fn wait_ready(&self, limit: std::time::Duration) -> Result<(), IndexLoading> {
        let mut ready = self.ready.subscribe();
        match tokio::time::timeout(limit, ready.wait_for(|r| *r)).await {
            Ok(Ok(_)) => Ok(()),
            _ => Err(IndexLoading),
        }
    }

    fn check_ready(&self) -> Result<(), IndexLoading> {
        if self.is_ready() {
            Ok(())
        } else {
            Err(IndexLoading)
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        // A panic while holding the lock leaves a consistent index (every update is one
        // call), so a poisoned lock is still usable.
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Builds the index from every current person in the database.
    pub async fn build(store: &Store) -> Result<Self, StoreError> {
        let index = Self::loading();
        index.load(store).await?;
        Ok(index)
    }

    /// Fills an index made with [`Self::loading`] from every current person in the
    /// database, then marks it ready. Writes this process applies meanwhile
    /// ([`Self::apply_household`]) are kept: loading a household again is an upsert.
    pub async fn load(&self, store: &Store) -> Result<(), StoreError> {
        let index = self;
        // Changes after this point are replayed by `refresh`; replaying one already loaded
        // is harmless (upsert).
        let cursor = store.latest_audit_event().await?;
        let mut after = None;
        loop {
            let page = store.households_page(after, 2_000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for household in &page {
                index.apply_household(household);
            }
        }
        {
            let mut inner = index.write();
            inner.cursor = cursor;
            if inner.persons.len() >= MIN_PERSONS_FOR_EM
                && let Err(e) = inner
                    .index
                    .estimate_model(EmOptions::default(), EM_RANDOM_PAIRS)
            {
                tracing::warn!(error = %e, "identity model kept at its defaults");
            }
            tracing::info!(persons = inner.persons.len(), "identity index built");
        }
        self.ready.send_replace(true);
        Ok(())
    }

    /// Puts a household's current members in the index and removes members it no longer has.
    pub fn apply_household(&self, household: &Household) {
        let mut inner = self.write();
        let current: Vec<Uuid> = household.members.iter().map(|m| m.id).collect();
        if let Some(previous) = inner.households.get(&household.id).cloned() {
            for gone in previous.iter().filter(|p| !current.contains(p)) {
                inner.index.remove(&gone.to_string());
                inner.persons.remove(gone);
            }
        }
        for member in &household.members {
            let record = person_record(member, household.phone.as_ref());
            if let Err(e) = inner.index.upsert(&record) {
                // The record came from validated data; log without personal details.
                tracing::warn!(error = %e, person = %member.id, "person not indexed");
                continue;
            }
            inner.persons.insert(
                member.id,
                PersonMeta {
                    household_id: household.id,
                    organisation_id: household.organisation_id,
                },
            );
        }
        inner.households.insert(household.id, current);
    }

    /// Drops every member of a household that is no longer anyone's record.
    pub fn forget_household(&self, household_id: Uuid) {
        let mut inner = self.write();
        if let Some(previous) = inner.households.remove(&household_id) {
            for gone in previous {
                inner.index.remove(&gone.to_string());
                inner.persons.remove(&gone);
            }
        }
    }

    /// Applies households written since the last refresh (by any server process).
    pub async fn refresh(&self, store: &Store) -> Result<usize, StoreError> {
        if !self.is_ready() {
            // The load sets the cursor; replaying from none would read the whole log.
            return Ok(0);
        }
        let Some(cursor) = self.read().cursor else {
            // An empty log when loaded: read it from the start.
            return self.refresh_from(store, None).await;
        };
        let from = v7_floor(v7_millis(cursor).saturating_sub(LOOK_BACK_MS));
        self.refresh_from(store, Some(from)).await
    }

    async fn refresh_from(&self, store: &Store, from: Option<Uuid>) -> Result<usize, StoreError> {
        const PAGE: u32 = 5_000;
        let mut after = from;
        let mut applied = 0;
        loop {
            let events = store.household_events_since(after, PAGE).await?;
            let Some(&(last, _)) = events.last() else {
                break;
            };
            after = Some(last);
            let new: Vec<(Uuid, Uuid)> = {
                let inner = self.read();
                events
                    .iter()
                    .filter(|(event, _)| !inner.recent.contains(event))
                    .copied()
                    .collect()
            };
            let mut households: Vec<Uuid> = new.iter().map(|(_, h)| *h).collect();
            households.sort_unstable();
            households.dedup();
            for id in &households {
                match store.household_unscoped(*id).await {
                    Ok(household) => self.apply_household(&household),
                    // Anonymised (retention, or its last member erased): no one to find.
                    Err(StoreError::NotFound) => self.forget_household(*id),
                    Err(e) => return Err(e),
                }
            }
            applied += households.len();
            {
                let mut inner = self.write();
                inner.recent.extend(new.iter().map(|(event, _)| *event));
                if inner.cursor.is_none_or(|c| c < last) {
                    inner.cursor = Some(last);
                }
                if let Some(cursor) = inner.cursor {
                    let keep_from = v7_floor(v7_millis(cursor).saturating_sub(LOOK_BACK_MS));
                    inner.recent = inner.recent.split_off(&keep_from);
                }
            }
            if events.len() < PAGE as usize {
                break;
            }
        }
        Ok(applied)
    }

    /// Registered persons of the given organisations (the asker's own and those sharing
    /// identity data with it) who may be `person`, most likely first, leaving out the
    /// members of `own_household`.
    pub fn possible_duplicates(
        &self,
        organisations: &[Uuid],
        record: &PersonRecord,
        own_household: Uuid,
        limit: usize,
    ) -> Result<Vec<PossibleDuplicate>, IndexLoading> {
        self.check_ready()?;
        let inner = self.read();
        Ok(inner
            .index
            .query(record, limit.saturating_mul(4).max(10))
            .into_iter()
            .filter(|c| c.evidence.decision != Decision::NonLink)
            .filter_map(|c| {
                let person_id = Uuid::parse_str(&c.record_id).ok()?;
                let meta = inner.persons.get(&person_id)?;
                (organisations.contains(&meta.organisation_id)
                    && meta.household_id != own_household)
                    .then(|| PossibleDuplicate {
                        person_id,
                        household_id: meta.household_id,
                        organisation_id: meta.organisation_id,
                        probability: c.probability,
                        decision: decision_name(c.evidence.decision).to_owned(),
                        evidence: evidence_json(&c.evidence),
                    })
            })
            .take(limit)
            .collect())
    }

    /// Persons of the organisation matching a search box entry (name in any script,
    /// document number, phone): (person, household) pairs.
    pub fn search(
        &self,
        organisation_id: Uuid,
        text: &str,
        limit: usize,
    ) -> Result<Vec<(Uuid, Uuid)>, IndexLoading> {
        self.search_by(
            organisation_id,
            text,
            limit,
            shanyrak_linkage::SearchBy::ALL,
        )
    }

    /// [`Self::search`] on the keys the reader may use (no document or phone key for a role
    /// that may not see them).
    pub fn search_by(
        &self,
        organisation_id: Uuid,
        text: &str,
        limit: usize,
        by: shanyrak_linkage::SearchBy,
    ) -> Result<Vec<(Uuid, Uuid)>, IndexLoading> {
        self.check_ready()?;
        let inner = self.read();
        Ok(inner
            .index
            .search_by(text, limit.saturating_mul(4).max(20), by)
            .into_iter()
            .filter_map(|id| {
                let person_id = Uuid::parse_str(&id).ok()?;
                let meta = inner.persons.get(&person_id)?;
                (meta.organisation_id == organisation_id).then_some((person_id, meta.household_id))
            })
            .take(limit)
            .collect())
    }

    pub fn len(&self) -> usize {
        self.read().persons.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_look_back_floor_is_below_every_id_of_its_millisecond_and_above_earlier_ones() {
        let id = Uuid::now_v7();
        let ms = v7_millis(id);
        assert!(ms > 1_700_000_000_000, "{ms}");
        let floor = v7_floor(ms);
        assert!(floor <= id);
        assert_eq!(v7_millis(floor), ms);
        let earlier = v7_floor(ms.saturating_sub(LOOK_BACK_MS));
        assert!(earlier < floor);
        assert_eq!(ms - v7_millis(earlier), LOOK_BACK_MS);
        // Ids compare by their bytes on both backends, so the floor orders them in SQL too.
        assert!(earlier.as_bytes() < id.as_bytes());
    }

    #[tokio::test]
    async fn a_loading_index_refuses_queries_instead_of_answering_nothing() {
        let index = IdentityIndex::loading();
        let record = PersonRecord::default();
        assert_eq!(
            index
                .possible_duplicates(&[], &record, Uuid::nil(), 5)
                .err(),
            Some(IndexLoading)
        );
        assert_eq!(index.search(Uuid::nil(), "x", 5).err(), Some(IndexLoading));
        assert!(
            index
                .wait_ready(std::time::Duration::from_millis(20))
                .await
                .is_err()
        );
        let ready = IdentityIndex::empty();
        assert!(
            ready
                .possible_duplicates(&[], &record, Uuid::nil(), 5)
                .is_ok()
        );
        assert!(
            ready
                .wait_ready(std::time::Duration::from_millis(20))
                .await
                .is_ok()
        );
    }
}
