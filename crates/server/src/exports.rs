//! Datasets for export in the formats the humanitarian system reads (CSV, XLSX and
//! HXL-tagged CSV): each column has a header and an HXL hashtag.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use shanyrak_core::Sex;
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
pub const DATASETS: [&str; 3] = ["population", "sites", "distributions"];

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("unknown dataset {0:?}; use one of population, sites, distributions")]
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
        "distributions" => distributions(store, by, now).await,
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
    let today = crate::local_time::date_of(now);
    let cells = store
        .population_cells(scope.as_ref().map(std::slice::from_ref), today, None)
        .await?;
    // (country, city, group) -> (total, women, men, children)
    let mut counts: BTreeMap<(String, String, String), [u64; 4]> = BTreeMap::new();
    for cell in cells.iter().filter(|c| c.counted) {
        let entry = counts
            .entry((
                cell.country.to_string(),
                cell.city.clone(),
                cell.group.as_str().to_owned(),
            ))
            .or_default();
        entry[0] += cell.records;
        let child = matches!(cell.age_band, "0-4" | "5-11" | "12-17");
        if child {
            entry[3] += cell.records;
        } else if cell.sex == Sex::Female {
            entry[1] += cell.records;
        } else if cell.sex == Sex::Male {
            entry[2] += cell.records;
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

/// Columns of the distributions dataset and their HXL hashtags.
pub const DISTRIBUTION_COLUMNS: [(&str, &str); 5] = [
    ("date", "#date"),
    ("item_code", "#item+code"),
    ("city", "#loc+name"),
    ("quantity", "#output+num"),
    ("households", "#reached+hh"),
];

/// Units handed out per day, item and distribution point's city, with the households
/// served: the organisation's own and those shared with it under an agreement in force
/// (`distributions` or `statistics`), or every organisation's for the operator.
async fn distributions(
    store: &Store,
    by: &Principal,
    now: DateTime<Utc>,
) -> Result<Dataset, ExportError> {
    let scope = match by {
        Principal::User(actor) => {
            let mut orgs = vec![actor.organisation_id];
            for category in [
                shanyrak_core::sharing::SharingCategory::Distributions,
                shanyrak_core::sharing::SharingCategory::Statistics,
            ] {
                for org in store
                    .sharing_organisations(actor.organisation_id, category, now)
                    .await?
                {
                    if !orgs.contains(&org) {
                        orgs.push(org);
                    }
                }
            }
            Some(orgs)
        }
        Principal::System(_) => None,
    };
    let rows = store.distributions_by_day(scope.as_deref()).await?;
    Ok(Dataset {
        columns: DISTRIBUTION_COLUMNS.to_vec(),
        rows: rows
            .into_iter()
            .map(|(date, code, city, units, households)| {
                vec![
                    Cell::Text(date.format("%Y-%m-%d").to_string()),
                    Cell::Text(code),
                    Cell::Text(city.unwrap_or_default()),
                    Cell::Count(units),
                    Cell::Count(households),
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

    #[test]
    fn distributions_columns_are_all_tagged() {
        assert!(
            DISTRIBUTION_COLUMNS
                .iter()
                .all(|(header, tag)| !header.is_empty() && is_valid_hxl_tag(tag))
        );
    }
}
