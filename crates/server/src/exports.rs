//! Datasets for export in the formats the humanitarian system reads (CSV, XLSX and
//! HXL-tagged CSV): each column has a header and an HXL hashtag.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use shanyrak_core::Sex;
use shanyrak_core::stats::age_band;
use shanyrak_store::{Principal, Store, StoreError};

/// A cell: text or a count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(u64),
}

/// A table with a header and an HXL hashtag per column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    pub columns: Vec<(&'static str, &'static str)>,
    pub rows: Vec<Vec<Cell>>,
}

/// Datasets that can be exported today.
pub const DATASETS: [&str; 2] = ["population", "sites"];

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("unknown dataset {0:?}; use one of population, sites")]
    UnknownDataset(String),
    #[error("the {0} dataset is not available yet")]
    NotYet(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Builds a dataset for the operator (all organisations) or for a user's organisation.
pub async fn dataset(
    store: &Store,
    by: &Principal,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Dataset, ExportError> {
    match name {
        "population" => population(store, by, now).await,
        "sites" => sites(store, by, now).await,
        "distributions" => Err(ExportError::NotYet("distributions")),
        "registry" => Err(ExportError::NotYet("registry")),
        other => Err(ExportError::UnknownDataset(other.to_owned())),
    }
}

/// Resolved persons by city and population group, with women, men and children.
async fn population(
    store: &Store,
    by: &Principal,
    now: DateTime<Utc>,
) -> Result<Dataset, ExportError> {
    let scope = match by {
        Principal::User(actor) => Some(actor.organisation_id),
        Principal::System(_) => None,
    };
    let rows = store.population_rows(scope).await?;
    let today = now.date_naive();
    let mut seen = HashSet::new();
    // (country, city, group) -> (total, women, men, children)
    let mut counts: BTreeMap<(String, String, String), [u64; 4]> = BTreeMap::new();
    for row in rows.iter().filter(|r| seen.insert(r.identity)) {
        let entry = counts
            .entry((
                row.country.to_string(),
                row.city.clone(),
                row.group.as_str().to_owned(),
            ))
            .or_default();
        entry[0] += 1;
        let child = matches!(age_band(&row.birth_date, today), "0-4" | "5-11" | "12-17");
        if child {
            entry[3] += 1;
        } else if row.sex == Sex::Female {
            entry[1] += 1;
        } else if row.sex == Sex::Male {
            entry[2] += 1;
        }
    }
    let date = today.format("%Y-%m-%d").to_string();
    Ok(Dataset {
        columns: vec![
            ("date", "#date"),
            ("country", "#country+code"),
            ("city", "#loc+name"),
            ("population_group", "#meta+group"),
            ("persons", "#affected+ind"),
            ("adult_women", "#affected+ind+f+adults"),
            ("adult_men", "#affected+ind+m+adults"),
            ("children", "#affected+ind+children"),
        ],
        rows: counts
            .into_iter()
            .map(|((country, city, group), [total, women, men, children])| {
                vec![
                    Cell::Text(date.clone()),
                    Cell::Text(country),
                    Cell::Text(city),
                    Cell::Text(group),
                    Cell::Count(total),
                    Cell::Count(women),
                    Cell::Count(men),
                    Cell::Count(children),
                ]
            })
            .collect(),
    })
}

/// Shelter sites with their beds; for coordinators (names included).
async fn sites(store: &Store, by: &Principal, now: DateTime<Utc>) -> Result<Dataset, ExportError> {
    let sites = match by {
        Principal::User(actor) => store.list_sites(actor, None, now).await?,
        Principal::System(_) => store.list_sites_all(None, now).await?,
    };
    let rows = sites
        .iter()
        .map(|s| {
            let d = &s.site.details;
            let capacity: u64 = s.pools.iter().map(|p| p.capacity()).sum();
            let occupied: u64 = s.pools.iter().map(|p| u64::from(p.occupied)).sum();
            let free: u64 = s.pools.iter().map(|p| p.free_beds()).sum();
            vec![
                Cell::Text(d.location.country.to_string()),
                Cell::Text(d.location.region.clone().unwrap_or_default()),
                Cell::Text(d.location.city.clone()),
                Cell::Text(d.name.clone()),
                Cell::Text(d.kind.as_str().to_owned()),
                Cell::Text(d.status.as_str().to_owned()),
                Cell::Text(s.site.organisation_id.to_string()),
                Cell::Count(capacity),
                Cell::Count(occupied),
                Cell::Count(free),
            ]
        })
        .collect();
    Ok(Dataset {
        columns: vec![
            ("country", "#country+code"),
            ("region", "#adm1+name"),
            ("city", "#loc+name"),
            ("site", "#loc+name+site"),
            ("kind", "#loc+type"),
            ("status", "#status"),
            ("organisation", "#org+id"),
            ("capacity", "#capacity"),
            ("occupied", "#capacity+occupied"),
            ("free", "#capacity+free"),
        ],
        rows,
    })
}

/// Whether a hashtag is well formed HXL: `#tag` then `+attribute`s, lower case.
pub fn is_valid_hxl_tag(tag: &str) -> bool {
    let mut parts = tag.split('+');
    let word = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    parts
        .next()
        .and_then(|h| h.strip_prefix('#'))
        .is_some_and(word)
        && parts.all(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hxl_tags() {
        assert!(is_valid_hxl_tag("#affected+ind+f"));
        assert!(is_valid_hxl_tag("#adm1+name"));
        assert!(!is_valid_hxl_tag("affected"));
        assert!(!is_valid_hxl_tag("#Affected"));
        assert!(!is_valid_hxl_tag("#affected+"));
        assert!(!is_valid_hxl_tag("#"));
    }
}
