//! Households and their members: registration (one, idempotent, in bulk), reads scoped to
//! the actor's organisation, and versioned updates.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shanyrak_core::{
    Action, Actor, BirthDate, CountryCode, Document, DocumentType, FieldErrorCode, Household,
    HouseholdStatus, Location, Need, Person, PhoneNumber, PopulationGroup, ReferenceCode,
    Relationship, Sex, ValidatedHousehold, ValidatedMember, ValidationErrors, Vulnerability,
};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use shanyrak_store_macros::queries;

use crate::StoreError;

use super::idempotency::IdempotencyRequest;
use super::{
    Backend, Change, ColumnExt, MAX_BINDS, Principal, Query, Repo, check_version, from_json,
    parse_enum, place_id_from_row, require, to_json,
};
use shanyrak_core::places::fold_name;

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

pub(crate) const HOUSEHOLD_COLUMNS: &str = "id, reference, organisation_id, population_group, arrival_date, crossing_point, \
     country, region, city, phone, languages, needs, accepts_sex_separation, legal_basis, information_given, status, \
     notes, version, registered_at, \
     updated_at, current_place_id, current_latitude, current_longitude, accepts_several_rooms, place_id";

pub(super) const PERSON_COLUMNS: &str = "id, household_id, surname, given_name, patronymic, sex, birth_date, \
     birth_date_estimated, citizenship, relationship, vulnerabilities";

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

/// A household about to be inserted: its validated form, its receipt and when it was
/// registered.
type NewHousehold<'a> = (&'a ValidatedHousehold, &'a HouseholdReceipt, DateTime<Utc>);

/// A member about to be inserted: household, person id, position, validated form.
type NewMember<'a> = (Uuid, Uuid, usize, &'a ValidatedMember);

pub(crate) enum HouseholdKey {
    Id(Uuid),
    Reference(String),
}

enum Param {
    Uuid(Uuid),
    Text(String),
    Time(DateTime<Utc>),
}

#[queries]
impl<DB: Backend> Repo<DB> {
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
        require(actor, Action::RegisterHousehold)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let receipt = Self::fresh_receipts(&mut tx, &[h]).await?.remove(0);

        if let Some(idem) = idempotency
            && !Self::claim_key(&mut tx, actor, idem, to_json(&receipt)?, now).await?
        {
            tx.rollback().await?;
            return self.replay(actor, idem).await;
        }

        Self::insert_households(&mut tx, actor, &[(h, &receipt, now)]).await?;
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
        require(actor, Action::RegisterHousehold)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let validated: Vec<&ValidatedHousehold> = households.iter().map(|(h, _)| h).collect();
        let receipts = Self::fresh_receipts(&mut tx, &validated).await?;
        let claims = households
            .iter()
            .zip(&receipts)
            .map(|((_, idem), receipt)| Ok((idem, to_json(receipt)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut claimed = Self::claim_keys(&mut tx, actor, &claims, now).await?;
        let mut outcomes = Vec::with_capacity(households.len());
        let mut to_insert = Vec::with_capacity(households.len());
        for ((h, idem), receipt) in households.iter().zip(receipts) {
            // A key claimed by this batch belongs to its first household; a later one
            // with the same key is a replay of it, as it would be in a later batch.
            if !claimed.remove(&idem.key) {
                let stored = Self::claimed_receipt(&mut tx, actor, idem).await?;
                outcomes.push(CreateOutcome::Replayed(from_json(stored, "receipt")?));
                continue;
            }
            to_insert.push((h, receipt.clone(), now));
            outcomes.push(CreateOutcome::Created(receipt));
        }
        let to_insert: Vec<_> = to_insert.iter().map(|(h, r, at)| (*h, r, *at)).collect();
        Self::insert_households(&mut tx, actor, &to_insert).await?;
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
        require(actor, Action::RegisterHousehold)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let validated: Vec<&ValidatedHousehold> = households.iter().map(|(h, _)| h).collect();
        let receipts = Self::fresh_receipts(&mut tx, &validated).await?;
        let batch: Vec<NewHousehold<'_>> = households
            .iter()
            .zip(&receipts)
            .map(|((h, at), receipt)| (h, receipt, *at))
            .collect();
        Self::insert_households(&mut tx, actor, &batch).await?;
        tx.commit().await?;
        Ok(receipts)
    }

    /// Binds a member's own fields and their position in the household: eleven values, in
    /// the same order in the `INSERT` and the `UPDATE` of persons.
    fn bind_member_fields<'q>(
        query: Query<'q, DB>,
        position: usize,
        m: &ValidatedMember,
    ) -> Result<Query<'q, DB>, StoreError> {
        Ok(query
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
            .bind(Json(to_json(&m.vulnerabilities)?)))
    }

    /// Binds the household's own fields: nineteen values, from `population_group` to
    /// `place_id`, in the same order in the `INSERT` and the `UPDATE` of households.
    fn bind_household_fields<'q>(
        query: Query<'q, DB>,
        h: &ValidatedHousehold,
        place_id: Option<i64>,
    ) -> Result<Query<'q, DB>, StoreError> {
        Ok(query
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
            .bind(h.accepts_sex_separation)
            .bind(h.legal_basis.map(|b| b.as_str().to_owned()))
            .bind(h.information_given)
            .bind(h.current_location.and_then(|c| c.place_id).map(i64::from))
            .bind(h.current_location.map(|c| c.coordinates.latitude))
            .bind(h.current_location.map(|c| c.coordinates.longitude))
            .bind(h.accepts_several_rooms)
            .bind(place_id))
    }

    /// Receipts for households about to be registered: fresh ids for them and their
    /// members, and references no household has.
    async fn fresh_receipts(
        conn: &mut DB::Connection,
        households: &[&ValidatedHousehold],
    ) -> Result<Vec<HouseholdReceipt>, StoreError> {
        let references = Self::unused_references(conn, households.len()).await?;
        Ok(households
            .iter()
            .zip(references)
            .map(|(h, reference)| HouseholdReceipt {
                household_id: Uuid::now_v7(),
                reference,
                member_ids: h.members.iter().map(|_| Uuid::now_v7()).collect(),
                version: 1,
            })
            .collect())
    }

    /// `count` random reference codes that no household holds and no two share (40
    /// random bits: a retry is rare, but not impossible at national scale).
    async fn unused_references(
        conn: &mut DB::Connection,
        count: usize,
    ) -> Result<Vec<ReferenceCode>, StoreError> {
        let mut chosen: Vec<ReferenceCode> = Vec::with_capacity(count);
        let mut drawn = std::collections::HashSet::new();
        while chosen.len() < count {
            let candidates: Vec<ReferenceCode> = (chosen.len()..count)
                .map(|_| random_reference())
                .filter(|r| drawn.insert(r.as_str().to_owned()))
                .collect();
            let mut taken = std::collections::HashSet::new();
            for slice in candidates.chunks(MAX_BINDS) {
                let sql = format!(
                    "SELECT reference FROM households WHERE reference IN ({})",
                    DB::placeholders(1, slice.len())
                );
                let mut select = sqlx::query(&sql);
                for reference in slice {
                    select = select.bind(reference.as_str().to_owned());
                }
                for row in select.fetch_all(&mut *conn).await? {
                    taken.insert(row.try_get::<String, _>("reference")?);
                }
            }
            chosen.extend(
                candidates
                    .into_iter()
                    .filter(|r| !taken.contains(r.as_str())),
            );
        }
        Ok(chosen)
    }

    /// The rows of new households, their members, their documents and their audit
    /// events, in `conn`'s transaction: a few multi-row statements for the whole batch
    /// rather than several statements a household, since on PostgreSQL every statement is
    /// a round trip to the server.
    async fn insert_households(
        conn: &mut DB::Connection,
        actor: &Actor,
        batch: &[NewHousehold<'_>],
    ) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let aliases = Self::place_aliases_for(conn, actor.organisation_id, batch).await?;
        const HOUSEHOLD_VALUES: usize = 26;
        for rows in batch.chunks(MAX_BINDS / HOUSEHOLD_VALUES) {
            let sql = DB::values_sql(
                "INSERT INTO households (id, reference, organisation_id, population_group, arrival_date, \
                 crossing_point, country, region, city, phone, languages, needs, status, notes, \
                 accepts_sex_separation, legal_basis, information_given, current_place_id, current_latitude, \
                 current_longitude, accepts_several_rooms, place_id, version, registered_at, registered_by, \
                 updated_at)",
                rows.len(),
                HOUSEHOLD_VALUES,
            );
            let mut insert = sqlx::query(&sql);
            for (h, receipt, at) in rows {
                // A city typed without a place of the list takes the organisation's
                // mapping of that name, if a coordinator made one.
                let place_id = h.location.place_id.map(|p| i64::from(p.0)).or_else(|| {
                    aliases
                        .get(&(
                            h.location.country.as_str().to_owned(),
                            fold_name(&h.location.city),
                        ))
                        .copied()
                });
                let query = insert
                    .bind(receipt.household_id)
                    .bind(receipt.reference.as_str().to_owned())
                    .bind(actor.organisation_id);
                insert = Self::bind_household_fields(query, h, place_id)?
                    .bind(1i64)
                    .bind(*at)
                    .bind(actor.user_id)
                    .bind(*at);
            }
            insert.execute(&mut *conn).await?;
        }

        let members: Vec<NewMember<'_>> =
            batch
                .iter()
                .flat_map(|(h, receipt, _)| {
                    h.members.iter().zip(&receipt.member_ids).enumerate().map(
                        |(position, (member, id))| (receipt.household_id, *id, position, member),
                    )
                })
                .collect();
        Self::insert_persons(conn, &members).await?;

        let changes = batch
            .iter()
            .map(|(h, receipt, at)| {
                let household = assemble_household(
                    receipt.household_id,
                    receipt.reference,
                    actor.organisation_id,
                    h,
                    &receipt.member_ids,
                    1,
                    *at,
                    *at,
                );
                Ok((
                    Change::created("household", receipt.household_id, &household)?,
                    *at,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Self::audit_all(conn, &Principal::User(actor.clone()), None, changes).await
    }

    /// The organisation's mappings of typed city names to places, for the names of a
    /// batch that came without a place: (country, folded name) → place id.
    async fn place_aliases_for(
        conn: &mut DB::Connection,
        organisation_id: Uuid,
        batch: &[NewHousehold<'_>],
    ) -> Result<HashMap<(String, String), i64>, StoreError> {
        let mut names: Vec<String> = batch
            .iter()
            .filter(|(h, _, _)| h.location.place_id.is_none())
            .map(|(h, _, _)| fold_name(&h.location.city))
            .collect();
        names.sort_unstable();
        names.dedup();
        let mut aliases = HashMap::new();
        for slice in names.chunks(MAX_BINDS - 1) {
            let sql = format!(
                "SELECT country, folded_name, place_id FROM place_aliases \
                 WHERE organisation_id = {} AND folded_name IN ({})",
                DB::placeholder(1),
                DB::placeholders(2, slice.len())
            );
            let mut select = sqlx::query(&sql).bind(organisation_id);
            for name in slice {
                select = select.bind(name.clone());
            }
            for row in select.fetch_all(&mut *conn).await? {
                aliases.insert(
                    (row.try_get("country")?, row.try_get("folded_name")?),
                    row.try_get::<i64, _>("place_id")?,
                );
            }
        }
        Ok(aliases)
    }

    /// Persons (with their documents) of households already inserted.
    async fn insert_persons(
        conn: &mut DB::Connection,
        members: &[NewMember<'_>],
    ) -> Result<(), StoreError> {
        const PERSON_VALUES: usize = 13;
        for rows in members.chunks(MAX_BINDS / PERSON_VALUES) {
            let sql = DB::values_sql(
                "INSERT INTO persons (id, household_id, position, surname, given_name, patronymic, sex, \
                 birth_date, birth_year, birth_date_estimated, citizenship, relationship, vulnerabilities)",
                rows.len(),
                PERSON_VALUES,
            );
            let mut insert = sqlx::query(&sql);
            for (household_id, id, position, member) in rows {
                insert = Self::bind_member_fields(
                    insert.bind(*id).bind(*household_id),
                    *position,
                    member,
                )?;
            }
            insert.execute(&mut *conn).await?;
        }
        let documents: Vec<(Uuid, usize, &Document)> = members
            .iter()
            .flat_map(|(_, id, _, m)| {
                m.documents
                    .iter()
                    .enumerate()
                    .map(move |(position, doc)| (*id, position, doc))
            })
            .collect();
        Self::insert_documents(conn, &documents).await
    }

    /// Documents of persons already inserted: (person, position, document).
    async fn insert_documents(
        conn: &mut DB::Connection,
        documents: &[(Uuid, usize, &Document)],
    ) -> Result<(), StoreError> {
        const DOCUMENT_VALUES: usize = 5;
        for rows in documents.chunks(MAX_BINDS / DOCUMENT_VALUES) {
            let sql = DB::values_sql(
                "INSERT INTO documents (person_id, position, doc_type, number, issuing_country)",
                rows.len(),
                DOCUMENT_VALUES,
            );
            let mut insert = sqlx::query(&sql);
            for (person_id, position, doc) in rows {
                insert = insert
                    .bind(*person_id)
                    .bind(*position as i32)
                    .bind(doc.doc_type.as_str().to_owned())
                    .bind(doc.number.clone())
                    .bind(doc.issuing_country.map(|c| c.as_str().to_owned()));
            }
            insert.execute(&mut *conn).await?;
        }
        Ok(())
    }

    pub(super) fn household_from_row(row: &DB::Row) -> Result<Household, StoreError> {
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
        let phone: Option<String> = row.try_get("phone")?;
        Ok(Household {
            id: row.try_get("id")?,
            reference: row.text("reference", "unreadable household reference")?,
            organisation_id: row.try_get("organisation_id")?,
            group: row.parsed("population_group", PopulationGroup::parse)?,
            arrival_date: row.try_get("arrival_date")?,
            crossing_point: row.try_get("crossing_point")?,
            location: Location {
                country: row.text("country", "unknown country in households")?,
                region: row.try_get("region")?,
                city: row.try_get("city")?,
                place_id: place_id_from_row(row, "place_id")?,
            },
            current_location: current_location_from_row(row)?,
            phone: phone
                .map(|p| PhoneNumber::from_e164(&p))
                .transpose()
                .map_err(|_| StoreError::corrupt("unreadable phone in households"))?,
            languages: row.json("languages")?,
            needs: row.json::<Vec<Need>>("needs")?,
            accepts_sex_separation: row.try_get("accepts_sex_separation")?,
            accepts_several_rooms: row.try_get("accepts_several_rooms")?,
            legal_basis: row
                .try_get::<Option<String>, _>("legal_basis")?
                .map(|b| parse_enum(&b, shanyrak_core::LegalBasis::parse, "legal_basis"))
                .transpose()?,
            information_given: row.try_get("information_given")?,
            status: row.parsed("status", HouseholdStatus::parse)?,
            notes: row.try_get("notes")?,
            members: Vec::new(),
            version: row.try_get("version")?,
            registered_at: row.try_get("registered_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    pub(super) fn person_from_row(row: &DB::Row) -> Result<(Uuid, Person), StoreError> {
        let citizenship: Option<String> = row.try_get("citizenship")?;
        let person = Person {
            id: row.try_get("id")?,
            surname: row.try_get("surname")?,
            given_name: row.try_get("given_name")?,
            patronymic: row.try_get("patronymic")?,
            sex: row.parsed("sex", Sex::parse)?,
            birth_date: BirthDate::parse(&row.try_get::<String, _>("birth_date")?)
                .map_err(|_| StoreError::corrupt("unreadable birth_date"))?,
            birth_date_estimated: row.try_get("birth_date_estimated")?,
            citizenship: citizenship
                .map(|c| c.parse::<CountryCode>())
                .transpose()
                .map_err(|_| StoreError::corrupt("unknown citizenship"))?,
            relationship: row.parsed("relationship", Relationship::parse)?,
            vulnerabilities: row.json::<Vec<Vulnerability>>("vulnerabilities")?,
            documents: Vec::new(),
        };
        Ok((row.try_get("household_id")?, person))
    }

    /// Households read from rows of `HOUSEHOLD_COLUMNS`, with their current members.
    pub(super) async fn households_with_members(
        conn: &mut DB::Connection,
        rows: &[DB::Row],
    ) -> Result<Vec<Household>, StoreError> {
        let mut households = rows
            .iter()
            .map(Self::household_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Self::attach_members(conn, &mut households).await?;
        Ok(households)
    }

    /// Fills in the current members (and their documents) of the given households.
    /// Loads the members (and their documents) of households, a slice at a time: one
    /// `IN (…)` of a whole organisation's households would pass SQLite's and PostgreSQL's
    /// limits on bound parameters.
    pub(super) async fn attach_members(
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
        let in_list = DB::placeholders(1, households.len());
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
                    doc_type: row.parsed("doc_type", DocumentType::parse)?,
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
    pub(super) async fn load_household(
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

    /// A household of the actor's organisation; another organisation's is `NotFound`, so
    /// its existence is not revealed.
    pub async fn get_household(&self, actor: &Actor, id: Uuid) -> Result<Household, StoreError> {
        require(actor, Action::ReadHousehold)?;
        let mut conn = self.reader.acquire().await?;
        Self::load_household(
            &mut conn,
            Some(actor.organisation_id),
            "id",
            HouseholdKey::Id(id),
        )
        .await
    }

    /// Households of the actor's organisation by id, in the order asked; ids of another
    /// organisation's households, or of none, are left out. For a batch just written
    /// (an import), read back in a few queries instead of one read per household.
    pub async fn get_households(
        &self,
        actor: &Actor,
        ids: &[Uuid],
    ) -> Result<Vec<Household>, StoreError> {
        require(actor, Action::ReadHousehold)?;
        let mut conn = self.reader.acquire().await?;
        Self::households_by_id(&mut conn, Some(actor.organisation_id), ids).await
    }

    /// Households by id, in the order asked, a slice at a time; `organisation_id` scopes
    /// them (`None` only for the operator's system-wide commands).
    pub(super) async fn households_by_id(
        conn: &mut DB::Connection,
        organisation_id: Option<Uuid>,
        ids: &[Uuid],
    ) -> Result<Vec<Household>, StoreError> {
        let mut found = HashMap::with_capacity(ids.len());
        for slice in ids.chunks(ATTACH_CHUNK) {
            let sql = format!(
                "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE id IN ({}) AND anonymised_at IS NULL",
                DB::placeholders(1, slice.len())
            );
            let mut select = sqlx::query(&sql);
            for id in slice {
                select = select.bind(*id);
            }
            let rows = select.fetch_all(&mut *conn).await?;
            for household in Self::households_with_members(&mut *conn, &rows).await? {
                if organisation_id.is_none_or(|org| household.organisation_id == org) {
                    found.insert(household.id, household);
                }
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    pub async fn get_household_by_reference(
        &self,
        actor: &Actor,
        reference: &ReferenceCode,
    ) -> Result<Household, StoreError> {
        require(actor, Action::ReadHousehold)?;
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
        require(actor, Action::ReadHousehold)?;
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
        Self::households_with_members(&mut conn, &rows).await
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
        require(actor, Action::UpdateHousehold)?;
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        let before = Self::load_household(
            &mut tx,
            Some(actor.organisation_id),
            "id",
            HouseholdKey::Id(id),
        )
        .await?;
        check_version(expected_version, before.version)?;
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
        let query = sqlx::query(
            "UPDATE households SET population_group = $1, arrival_date = $2, crossing_point = $3, country = $4, \
             region = $5, city = $6, phone = $7, languages = $8, needs = $9, status = $10, notes = $11, \
             accepts_sex_separation = $12, legal_basis = $13, information_given = $14, current_place_id = $15, \
             current_latitude = $16, current_longitude = $17, accepts_several_rooms = $18, place_id = COALESCE($19, \
             (SELECT a.place_id FROM place_aliases a WHERE a.organisation_id = households.organisation_id \
             AND a.country = $4 AND a.folded_name = $20), \
             CASE WHEN households.country = $4 AND households.city = $6 THEN households.place_id END), \
             version = $21, updated_at = $22 WHERE id = $23 AND version = $24 RETURNING id",
        );
        let update =
            Self::bind_household_fields(query, h, h.location.place_id.map(|p| i64::from(p.0)))?
                .bind(fold_name(&h.location.city))
                .bind(new_version)
                .bind(now)
                .bind(id)
                .bind(before.version);
        Self::update_at_version(&mut tx, update, before.version).await?;

        let mut member_ids = Vec::with_capacity(h.members.len());
        for (position, m) in h.members.iter().enumerate() {
            match m.id {
                Some(person_id) => {
                    let query = sqlx::query(
                        "UPDATE persons SET position = $1, surname = $2, given_name = $3, patronymic = $4, sex = $5, \
                         birth_date = $6, birth_year = $7, birth_date_estimated = $8, citizenship = $9, \
                         relationship = $10, vulnerabilities = $11 WHERE id = $12 AND household_id = $13",
                    );
                    Self::bind_member_fields(query, position, m)?
                        .bind(person_id)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM documents WHERE person_id = $1")
                        .bind(person_id)
                        .execute(&mut *tx)
                        .await?;
                    let documents: Vec<(Uuid, usize, &Document)> = m
                        .documents
                        .iter()
                        .enumerate()
                        .map(|(position, doc)| (person_id, position, doc))
                        .collect();
                    Self::insert_documents(&mut tx, &documents).await?;
                    member_ids.push(person_id);
                }
                None => {
                    let person_id = Uuid::now_v7();
                    Self::insert_persons(&mut tx, &[(id, person_id, position, m)]).await?;
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
        let change = Change::updated("household", id, "update", &before, &after)?;
        Self::audit_by(&mut tx, actor, change, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- audit and operations ----------------------------------------------------------
}
