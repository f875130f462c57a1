//! The registry export's rows, read flat: one query for a page of households' people and
//! one for their documents, with no household or person objects built (the export of a
//! million people was a third slower through `households_page`).

use sqlx::Row;
use uuid::Uuid;

use super::{Backend, ColumnExt, Repo};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// One current person with the household fields the registry export carries, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRow {
    pub household_id: Uuid,
    pub reference: shanyrak_core::ReferenceCode,
    pub organisation_id: Uuid,
    pub population_group: String,
    pub country: String,
    pub city: String,
    pub arrival_date: Option<chrono::NaiveDate>,
    pub person_id: Uuid,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub sex: String,
    pub birth_date: String,
    pub citizenship: Option<String>,
    /// `(type, number)` in the order they were entered.
    pub documents: Vec<(String, Option<String>)>,
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// The current people of the next `households` households after `after` (by id), in
    /// household and member order, and the last household id read (`None`: the end).
    pub async fn registry_page(
        &self,
        after: Option<Uuid>,
        households: u32,
    ) -> Result<(Vec<RegistryRow>, Option<Uuid>), StoreError> {
        let mut conn = self.analytics.acquire().await?;
        let limit = households.clamp(1, 10_000);
        // PostgreSQL has no MAX over uuid: the page's last id by ordering instead.
        let last: Option<Uuid> = sqlx::query(&format!(
            "SELECT id FROM (SELECT id FROM households WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT {limit}) page \
             ORDER BY id DESC LIMIT 1"
        ))
        .bind(after)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("id"))
        .transpose()?;
        let Some(last) = last else {
            return Ok((Vec::new(), None));
        };
        // A range of ids rather than a list: no bound-parameter limit, one index range.
        let lower = if after.is_some() {
            "h.id > $1"
        } else {
            "($1 IS NULL)"
        };
        let rows = sqlx::query(&format!(
            "SELECT h.id AS household_id, h.reference, h.organisation_id, h.population_group, h.country, h.city, h.arrival_date, \
             p.id AS person_id, p.surname, p.given_name, p.patronymic, p.sex, p.birth_date, p.citizenship \
             FROM households h JOIN persons p ON p.household_id = h.id AND p.removed_at IS NULL \
             WHERE {lower} AND h.id <= $2 ORDER BY h.id, p.position"
        ))
        .bind(after)
        .bind(last)
        .fetch_all(&mut *conn)
        .await?;
        let mut documents: std::collections::HashMap<Uuid, Vec<(String, Option<String>)>> =
            std::collections::HashMap::new();
        for row in sqlx::query(&format!(
            "SELECT d.person_id, d.doc_type, d.number FROM documents d JOIN persons p ON p.id = d.person_id \
             WHERE p.removed_at IS NULL AND {} AND p.household_id <= $2 ORDER BY d.person_id, d.position",
            if after.is_some() { "p.household_id > $1" } else { "($1 IS NULL)" }
        ))
        .bind(after)
        .bind(last)
        .fetch_all(&mut *conn)
        .await?
        {
            documents.entry(row.try_get("person_id")?).or_default().push((row.try_get("doc_type")?, row.try_get("number")?));
        }
        let people = rows
            .iter()
            .map(|r| {
                let person_id: Uuid = r.try_get("person_id")?;
                Ok(RegistryRow {
                    household_id: r.try_get("household_id")?,
                    reference: r.text("reference", "unreadable household reference")?,
                    organisation_id: r.try_get("organisation_id")?,
                    population_group: r.try_get("population_group")?,
                    country: r.try_get("country")?,
                    city: r.try_get("city")?,
                    arrival_date: r.try_get("arrival_date")?,
                    person_id,
                    surname: r.try_get("surname")?,
                    given_name: r.try_get("given_name")?,
                    patronymic: r.try_get("patronymic")?,
                    sex: r.try_get("sex")?,
                    birth_date: r.try_get("birth_date")?,
                    citizenship: r.try_get("citizenship")?,
                    documents: documents.remove(&person_id).unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((people, Some(last)))
    }
}
