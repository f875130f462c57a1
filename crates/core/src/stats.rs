//! Figures about the registered population, counted as resolved persons: two records
//! decided to be one person count once.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::disclosure::CountTable;
use crate::{BirthDate, CountryCode, PopulationGroup, Sex};

/// One person record with what the figures need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationRow {
    /// The resolved identity: the same for records decided to be one person.
    pub identity: Uuid,
    pub group: PopulationGroup,
    pub sex: Sex,
    pub birth_date: BirthDate,
    pub citizenship: Option<CountryCode>,
    pub country: CountryCode,
    pub city: String,
    pub arrival_date: Option<NaiveDate>,
    pub crossing_point: Option<String>,
}

/// The age bands of humanitarian reporting.
pub const AGE_BANDS: [&str; 5] = ["0-4", "5-11", "12-17", "18-59", "60+"];

pub fn age_band(birth: &BirthDate, today: NaiveDate) -> &'static str {
    match birth.age_on(today).unwrap_or(0) {
        0..=4 => AGE_BANDS[0],
        5..=11 => AGE_BANDS[1],
        12..=17 => AGE_BANDS[2],
        18..=59 => AGE_BANDS[3],
        _ => AGE_BANDS[4],
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyArrivals {
    pub date: NaiveDate,
    pub crossing_point: String,
    pub persons: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PopulationStats {
    /// Person records, including several records of one person.
    pub records: u64,
    /// People: records decided to be one person count once.
    pub persons: u64,
    pub by_group: BTreeMap<String, u64>,
    pub by_sex: BTreeMap<String, u64>,
    pub by_age_band: BTreeMap<String, u64>,
    pub by_citizenship: BTreeMap<String, u64>,
    /// Keyed `COUNTRY/City`.
    pub by_city: BTreeMap<String, u64>,
    pub arrivals: Vec<DailyArrivals>,
}

/// Counts each resolved person once (the first of their records in the given order).
pub fn population(rows: &[PopulationRow], today: NaiveDate) -> PopulationStats {
    population_from_cells(&cells_of(rows, today))
}

/// Resolved persons by city (rows) and population group (columns), for publication.
pub fn city_by_group(rows: &[PopulationRow]) -> CountTable {
    // The age band plays no part here; any day gives the same table.
    city_by_group_cells(&cells_of(rows, NaiveDate::MIN))
}

/// Resolved persons by age band (rows) and sex (columns), for publication.
pub fn age_by_sex(rows: &[PopulationRow], today: NaiveDate) -> CountTable {
    age_by_sex_cells(&cells_of(rows, today))
}

/// One cell per record, as the store's `GROUP BY` would make them without grouping: the
/// first record of each resolved person (in the given order) is the counted one.
pub fn cells_of(rows: &[PopulationRow], today: NaiveDate) -> Vec<PopulationCell> {
    let mut seen = HashSet::new();
    rows.iter()
        .map(|row| PopulationCell {
            group: row.group,
            sex: row.sex,
            age_band: age_band(&row.birth_date, today),
            citizenship: row.citizenship,
            country: row.country,
            city: row.city.clone(),
            arrival_date: row.arrival_date,
            crossing_point: row.crossing_point.clone(),
            counted: seen.insert(row.identity),
            records: 1,
        })
        .collect()
}

/// Resolved persons grouped by every dimension the figures use, as the store computes them
/// with `GROUP BY` (one cell per combination), so figures need not load every person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationCell {
    pub group: PopulationGroup,
    pub sex: Sex,
    /// One of [`AGE_BANDS`], computed as [`age_band`] does.
    pub age_band: &'static str,
    pub citizenship: Option<CountryCode>,
    pub country: CountryCode,
    pub city: String,
    pub arrival_date: Option<NaiveDate>,
    pub crossing_point: Option<String>,
    /// Whether these records are the counted (first) record of their resolved person;
    /// other records count as records only.
    pub counted: bool,
    pub records: u64,
}

/// Figures from grouped cells: each counted cell's records are persons.
pub fn population_from_cells(cells: &[PopulationCell]) -> PopulationStats {
    let mut stats = PopulationStats {
        records: cells.iter().map(|c| c.records).sum(),
        persons: 0,
        by_group: BTreeMap::new(),
        by_sex: BTreeMap::new(),
        by_age_band: BTreeMap::new(),
        by_citizenship: BTreeMap::new(),
        by_city: BTreeMap::new(),
        arrivals: Vec::new(),
    };
    let mut arrivals: BTreeMap<(NaiveDate, String), u64> = BTreeMap::new();
    for cell in cells.iter().filter(|c| c.counted) {
        let n = cell.records;
        stats.persons += n;
        *stats
            .by_group
            .entry(cell.group.as_str().to_owned())
            .or_default() += n;
        *stats
            .by_sex
            .entry(cell.sex.as_str().to_owned())
            .or_default() += n;
        *stats
            .by_age_band
            .entry(cell.age_band.to_owned())
            .or_default() += n;
        let citizenship = cell
            .citizenship
            .map(|c| c.to_string())
            .unwrap_or_else(|| "unknown".to_owned());
        *stats.by_citizenship.entry(citizenship).or_default() += n;
        *stats
            .by_city
            .entry(format!("{}/{}", cell.country, cell.city))
            .or_default() += n;
        if let Some(date) = cell.arrival_date {
            let crossing = cell
                .crossing_point
                .clone()
                .unwrap_or_else(|| "unknown".to_owned());
            *arrivals.entry((date, crossing)).or_default() += n;
        }
    }
    stats.arrivals = arrivals
        .into_iter()
        .map(|((date, crossing_point), persons)| DailyArrivals {
            date,
            crossing_point,
            persons,
        })
        .collect();
    stats
}

/// The same table as [`city_by_group`], from grouped cells.
pub fn city_by_group_cells(cells: &[PopulationCell]) -> CountTable {
    let mut counts: BTreeMap<String, BTreeMap<&str, u64>> = BTreeMap::new();
    for cell in cells.iter().filter(|c| c.counted) {
        *counts
            .entry(format!("{}/{}", cell.country, cell.city))
            .or_default()
            .entry(cell.group.as_str())
            .or_default() += cell.records;
    }
    let columns: Vec<&str> = PopulationGroup::ALL.iter().map(|g| g.as_str()).collect();
    CountTable {
        rows: counts.keys().cloned().collect(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        cells: counts
            .values()
            .map(|by| {
                columns
                    .iter()
                    .map(|c| by.get(c).copied().unwrap_or(0))
                    .collect()
            })
            .collect(),
    }
}

/// The same table as [`age_by_sex`], from grouped cells.
pub fn age_by_sex_cells(cells: &[PopulationCell]) -> CountTable {
    let sexes: Vec<&str> = Sex::ALL.iter().map(|s| s.as_str()).collect();
    let mut table = vec![vec![0u64; sexes.len()]; AGE_BANDS.len()];
    for cell in cells.iter().filter(|c| c.counted) {
        let band = AGE_BANDS
            .iter()
            .position(|b| *b == cell.age_band)
            .unwrap_or(0);
        let sex = sexes
            .iter()
            .position(|s| *s == cell.sex.as_str())
            .unwrap_or(0);
        table[band][sex] += cell.records;
    }
    CountTable {
        rows: AGE_BANDS.iter().map(|b| (*b).to_owned()).collect(),
        columns: sexes.iter().map(|s| (*s).to_owned()).collect(),
        cells: table,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(identity: u128, city: &str, birth: &str) -> PopulationRow {
        PopulationRow {
            identity: Uuid::from_u128(identity),
            group: PopulationGroup::Arrival,
            sex: Sex::Male,
            birth_date: BirthDate::parse(birth).unwrap_or_else(|_| BirthDate::full(NaiveDate::MIN)),
            citizenship: Some(CountryCode::RU),
            country: CountryCode::KZ,
            city: city.to_owned(),
            arrival_date: NaiveDate::from_ymd_opt(2022, 9, 27),
            crossing_point: Some("Сырым".into()),
        }
    }

    #[test]
    fn two_records_of_one_person_count_once() {
        let today = NaiveDate::from_ymd_opt(2022, 10, 1).unwrap_or_default();
        let rows = vec![
            row(1, "Oral", "1995"),
            row(1, "Almaty", "1995"),
            row(2, "Oral", "2020"),
        ];
        let stats = population(&rows, today);
        assert_eq!((stats.records, stats.persons), (3, 2));
        assert_eq!(stats.by_city.get("KZ/Oral"), Some(&2));
        assert_eq!(stats.by_age_band.get("0-4"), Some(&1));
        assert_eq!(stats.arrivals[0].persons, 2);
        let table = city_by_group(&rows);
        assert_eq!(table.cells.iter().flatten().sum::<u64>(), 2);
    }
}
