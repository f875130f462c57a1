//! Figures for coordinators (`/api/v1/stats`) and for the public (`/api/v1/public/stats`,
//! `.csv`, and the page at `/public/stats`).
//!
//! Public figures come from releases made on a schedule, never live, so that two
//! consecutive answers cannot be differenced to single out one arrival; they pass the
//! disclosure rules of docs/DISCLOSURE.md (small cells suppressed, with secondary
//! suppression; nothing finer than a city; no site named).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shanyrak_core::disclosure::{
    CountTable, DisclosureError, Entry, Link, Margins, ProtectedTable, PublishedTable,
    ReleaseTable, TableEntry, attacker, protect_release,
};
use shanyrak_core::places::PlaceIndex;
use shanyrak_core::sharing::SharingCategory;
use shanyrak_core::stats::{
    PopulationCell, PopulationStats, age_by_sex_cells, population_from_cells,
};
use shanyrak_core::{CountryCode, PopulationGroup};
use shanyrak_store::{Job, Principal, SnapshotInfo, Store, StoreError};
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::Authenticated;

/// Default for cells to suppress: fewer than this many people.
pub const DEFAULT_THRESHOLD: u64 = 5;
/// Default time between public releases.
pub const DEFAULT_RELEASE_HOURS: i64 = 6;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BedFigures {
    /// `COUNTRY/City`.
    pub city: String,
    /// Pool kind, or `all`.
    pub kind: String,
    pub capacity: u64,
    pub occupied: u64,
    pub reserved: u64,
    pub free: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CityGap {
    pub city: String,
    /// People in households waiting for a bed.
    pub waiting_persons: u64,
    pub free_beds: u64,
    /// Waiting people minus free beds (negative: spare beds).
    pub gap: i64,
}

/// Stays made and checked in on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DailyPlacements {
    pub date: chrono::NaiveDate,
    /// Stays made that day (reserved, or checked in at once).
    pub placed: u64,
    /// Stays checked in that day.
    pub checked_in: u64,
}

/// Units handed out of one item (items of different organisations share a `code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ItemUnits {
    pub item_code: String,
    pub units: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoordinatorStats {
    pub generated_at: DateTime<Utc>,
    /// The snapshot the people, waiting, placement and distribution figures start from;
    /// households, stays and distributions written after it are added live, other changes
    /// (edits, merges, check-outs) show from the next snapshot. Beds are live.
    pub figures_as_of: DateTime<Utc>,
    pub population: PopulationStats,
    pub beds: Vec<BedFigures>,
    pub waiting_households: u64,
    pub waiting_persons: u64,
    pub average_waiting_days: f64,
    pub gaps: Vec<CityGap>,
    /// Stays of the organisations in `organisations`, per day.
    pub placements_per_day: Vec<DailyPlacements>,
    /// Units per item code, of the organisations in `distribution_organisations`.
    pub distributions_by_item: Vec<ItemUnits>,
    /// Organisations whose people, waiting households and placements are counted: your
    /// own, then those sharing `statistics` with it under an agreement in force (empty for
    /// the operator: every organisation). Beds are every organisation's: sites are shared.
    pub organisations: Vec<Uuid>,
    /// Organisations whose distributions are counted: your own, then those sharing
    /// `distributions` or `statistics` with it (empty for the operator: all).
    pub distribution_organisations: Vec<Uuid>,
}

/// Your organisation first, then the organisations sharing any of `categories` with it
/// under an agreement in force now.
async fn scope_of(
    store: &Store,
    organisation_id: Uuid,
    categories: &[SharingCategory],
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut orgs = vec![organisation_id];
    for category in categories {
        for org in store
            .sharing_organisations(organisation_id, *category, now)
            .await?
        {
            if !orgs.contains(&org) {
                orgs.push(org);
            }
        }
    }
    Ok(orgs)
}

fn city_key(country: &str, city: &str) -> String {
    format!("{country}/{city}")
}

/// Default shortest time between two figure snapshots (`serve --figures-every`).
pub const DEFAULT_FIGURES_EVERY_SECONDS: i64 = 30;

/// A snapshot is refreshed at most every `every`, and never more often than twenty times
/// its own computing time: at a million people (seconds per snapshot) the figures then
/// take at most a twentieth of one core.
fn snapshot_interval(info: &SnapshotInfo, every: chrono::Duration) -> chrono::Duration {
    every.max(chrono::Duration::milliseconds(
        info.took_ms.saturating_mul(20),
    ))
}

/// Whether the figure snapshot should be recomputed now.
fn snapshot_due(info: Option<&SnapshotInfo>, every: chrono::Duration, now: DateTime<Utc>) -> bool {
    match info {
        None => true,
        Some(info) => {
            info.today != crate::local_time::date_of(now)
                || now - info.computed_at >= snapshot_interval(info, every)
        }
    }
}

/// Runs `work` holding the lock of `job`, which one process at a time gets: `None` when
/// another process has it. The lock is released whatever `work` returns.
async fn once_across_processes<T, E: From<StoreError>>(
    store: &Store,
    job: Job,
    work: impl Future<Output = Result<T, E>>,
) -> Result<Option<T>, E> {
    let Some(lock) = store.try_lock_job(job).await? else {
        return Ok(None);
    };
    let done = work.await;
    lock.release().await;
    done.map(Some)
}

/// Recomputes the figure snapshot when it is due (the server's background task).
pub async fn refresh_figures(
    store: &Store,
    every: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if !snapshot_due(store.figure_snapshot_info().await?.as_ref(), every, now) {
        return Ok(false);
    }
    // One process computes it; the others find it fresh at their next check.
    let refreshed = once_across_processes(store, Job::FigureSnapshot, async {
        // Asked again under the lock: another process may have just made it.
        if snapshot_due(store.figure_snapshot_info().await?.as_ref(), every, now) {
            store.refresh_figure_snapshot(now).await.map(Some)
        } else {
            Ok(None)
        }
    })
    .await?;
    let Some(Some(info)) = refreshed else {
        return Ok(false);
    };
    tracing::debug!(took_ms = info.took_ms, "figure snapshot refreshed");
    Ok(true)
}

/// The snapshot to read: made now when there is none, when `every` is zero (figures always
/// live), or when it is twice overdue (no background task is keeping it fresh). A new day
/// alone does not make a request wait: the background task redoes the age bands.
async fn current_snapshot(
    store: &Store,
    every: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<SnapshotInfo, StoreError> {
    match store.figure_snapshot_info().await? {
        Some(info)
            if !every.is_zero() && now - info.computed_at < snapshot_interval(&info, every) * 2 =>
        {
            Ok(info)
        }
        _ => store.refresh_figure_snapshot(now).await,
    }
}

/// The figures a coordinator needs, for one organisation (a user) or all (the operator).
///
/// People, waiting households, placements and distributions come from the figure snapshot
/// (at most `every`, or twenty times its computing time, old) plus the households, stays
/// and distributions written since it; beds are read live.
pub async fn coordinator(
    store: &Store,
    by: &Principal,
    now: DateTime<Utc>,
    every: chrono::Duration,
) -> Result<CoordinatorStats, StoreError> {
    let today = crate::local_time::date_of(now);
    let (population_scope, distribution_scope) = match by {
        Principal::User(actor) => (
            Some(
                scope_of(
                    store,
                    actor.organisation_id,
                    &[SharingCategory::Statistics],
                    now,
                )
                .await?,
            ),
            Some(
                scope_of(
                    store,
                    actor.organisation_id,
                    &[SharingCategory::Distributions, SharingCategory::Statistics],
                    now,
                )
                .await?,
            ),
        ),
        Principal::System(_) => (None, None),
    };
    let snapshot = current_snapshot(store, every, now).await?;
    let since = Some(snapshot.computed_at);
    let population_scope_ref = population_scope.as_deref();
    let mut cells = store.snapshot_population(population_scope_ref).await?;
    cells.extend(
        store
            .population_cells(population_scope_ref, today, since)
            .await?,
    );
    // Every spelling of one place counts as that place (its English name), so "Уральск"
    // and "Oral" are one city on the dashboard; names no place answers to stay as typed.
    let places = crate::places::CityResolver::load(store).await?;
    for cell in &mut cells {
        if let Some(place) = places.place(cell.country, &cell.city) {
            cell.city = place.name("en").to_owned();
        }
    }
    let population = population_from_cells(&cells);

    let mut per_day: BTreeMap<chrono::NaiveDate, (u64, u64)> = BTreeMap::new();
    for (day, placed, checked_in) in store
        .snapshot_placements(population_scope_ref)
        .await?
        .into_iter()
        .chain(
            store
                .placements_per_day(population_scope_ref, since)
                .await?,
        )
    {
        let entry = per_day.entry(day).or_default();
        entry.0 += placed;
        entry.1 += checked_in;
    }
    let placements_per_day = per_day
        .into_iter()
        .map(|(date, (placed, checked_in))| DailyPlacements {
            date,
            placed,
            checked_in,
        })
        .collect();

    let mut units: BTreeMap<String, u64> = BTreeMap::new();
    for (code, n) in store
        .snapshot_distributions(distribution_scope.as_deref())
        .await?
        .into_iter()
        .chain(
            store
                .distributions_by_item(distribution_scope.as_deref(), since)
                .await?,
        )
    {
        *units.entry(code).or_default() += n;
    }
    let distributions_by_item = units
        .into_iter()
        .map(|(item_code, units)| ItemUnits { item_code, units })
        .collect();

    let mut beds: BTreeMap<(String, String), BedFigures> = BTreeMap::new();
    let mut free_by_city: BTreeMap<String, u64> = BTreeMap::new();
    for (country, city, kind, capacity, occupied, reserved, free) in store.bed_figures(now).await? {
        let (city, _) = places.city_key(country, &city);
        for kind in [kind.as_str().to_owned(), "all".to_owned()] {
            let entry = beds
                .entry((city.clone(), kind.clone()))
                .or_insert_with(|| BedFigures {
                    city: city.clone(),
                    kind,
                    capacity: 0,
                    occupied: 0,
                    reserved: 0,
                    free: 0,
                });
            entry.capacity += capacity;
            entry.occupied += occupied;
            entry.reserved += reserved;
            entry.free += free;
        }
        *free_by_city.entry(city).or_default() += free;
    }

    let waiting = store.snapshot_waiting(population_scope_ref).await?;
    let mut waiting_by_city: BTreeMap<String, u64> = BTreeMap::new();
    let (mut waiting_households, mut waiting_persons, mut waiting_days) = (0u64, 0u64, 0i64);
    for cell in &waiting {
        let city = match cell.country.parse::<CountryCode>() {
            Ok(country) => places.city_key(country, &cell.city).0,
            Err(_) => city_key(&cell.country, &cell.city),
        };
        *waiting_by_city.entry(city).or_default() += cell.persons;
        waiting_households += cell.households;
        waiting_persons += cell.persons;
        let days = (today - cell.since).num_days().max(0);
        waiting_days = waiting_days.saturating_add(days.saturating_mul(cell.households as i64));
    }
    let mut cities: Vec<String> = free_by_city
        .keys()
        .chain(waiting_by_city.keys())
        .cloned()
        .collect();
    cities.sort();
    cities.dedup();
    let gaps = cities
        .into_iter()
        .map(|city| {
            let waiting_persons = waiting_by_city.get(&city).copied().unwrap_or(0);
            let free_beds = free_by_city.get(&city).copied().unwrap_or(0);
            CityGap {
                gap: waiting_persons as i64 - free_beds as i64,
                city,
                waiting_persons,
                free_beds,
            }
        })
        .collect();
    let average_waiting_days = if waiting_households == 0 {
        0.0
    } else {
        waiting_days as f64 / waiting_households as f64
    };
    Ok(CoordinatorStats {
        generated_at: now,
        figures_as_of: snapshot.computed_at,
        population,
        beds: beds.into_values().collect(),
        waiting_households,
        waiting_persons,
        average_waiting_days,
        gaps,
        placements_per_day,
        distributions_by_item,
        organisations: population_scope.unwrap_or_default(),
        distribution_organisations: distribution_scope.unwrap_or_default(),
    })
}

/// Live figures for your organisation (any signed-in role: aggregates only).
#[utoipa::path(get, path = "/api/v1/stats", tag = "statistics",
    responses((status = 200, body = CoordinatorStats), (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn coordinator_stats(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<CoordinatorStats>, ApiError> {
    Ok(Json(
        coordinator(
            &state.store,
            &Principal::User(actor),
            Utc::now(),
            state.figures_every,
        )
        .await?,
    ))
}

/// Beds of a city, all kinds together: no site is named or located. Beds in use count
/// people and are protected like them; `null` is a suppressed number.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicBeds {
    pub city: String,
    /// Beds in service: `in_use` + `free`.
    pub capacity: Option<u64>,
    pub free: Option<u64>,
    /// Capacity minus free: beds occupied, reserved, or kept for one-night stays.
    #[serde(default)]
    pub in_use: Option<u64>,
}

/// The disclosure rules a release was made under; a stored release made under older
/// rules is never shown, a new one is made instead.
pub const DISCLOSURE_RULES: u32 = 3;

/// One public release.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicRelease {
    pub released_at: DateTime<Utc>,
    /// Cells below this many people are suppressed (`null`).
    pub threshold: u64,
    /// Version of the rules in docs/DISCLOSURE.md the release was protected by.
    #[serde(default)]
    pub disclosure_rules: u32,
    #[schema(value_type = Object)]
    pub persons_by_city_and_group: serde_json::Value,
    #[schema(value_type = Object)]
    pub persons_by_age_and_sex: serde_json::Value,
    pub beds_by_city: Vec<PublicBeds>,
}

/// Why no release was made; the last one stays published.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("disclosure control: {0}")]
    Disclosure(#[from] DisclosureError),
    #[error("the release task stopped")]
    Task,
    #[error(transparent)]
    Heavy(#[from] crate::heavy::HeavyError),
}

impl From<ReleaseError> for ApiError {
    fn from(error: ReleaseError) -> Self {
        match error {
            ReleaseError::Store(e) => e.into(),
            ReleaseError::Disclosure(_) | ReleaseError::Task => ApiError::Internal,
            ReleaseError::Heavy(e) => e.into(),
        }
    }
}

/// What a public release calls a city that the place list does not know: free text never
/// reaches a public table (it may be a misspelling that points at one family, or a name).
pub const UNCONFIRMED_PLACE: &str = "unconfirmed";

/// How a public release names a city: `COUNTRY/Name` with the place list's English name of
/// the settlement the text resolves to, so every spelling of one place (Уральск, Орал,
/// Oral) is one row; text that names no single settlement of that country is counted as
/// `COUNTRY/unconfirmed`.
fn public_city_label(places: &PlaceIndex, country: CountryCode, city: &str) -> String {
    match places.settlement_named(country, city) {
        Some(place) => city_key(country.as_str(), place.name("en")),
        None => city_key(country.as_str(), UNCONFIRMED_PLACE),
    }
}

/// Tables of a release, in this order; `persons` tables count the same people.
const CITY_BY_GROUP: usize = 0;
const AGE_BY_SEX: usize = 1;

/// Two tables of one release that count the same people have the same grand total, and
/// every reader knows it.
fn release_links() -> [Link; 1] {
    [Link(
        TableEntry {
            table: CITY_BY_GROUP,
            entry: Entry::Total,
        },
        TableEntry {
            table: AGE_BY_SEX,
            entry: Entry::Total,
        },
    )]
}

/// Capacity and free beds by city label, all kinds of site together.
type BedsByCity = BTreeMap<String, (u64, u64)>;

/// The linked tables of a release before protection: people by city × group and by age
/// band × sex, and beds by city as in use and free, capacity being their total.
fn release_tables(
    places: &PlaceIndex,
    cells: &[PopulationCell],
    beds: &BedsByCity,
) -> [ReleaseTable; 3] {
    let groups: Vec<&str> = PopulationGroup::ALL.iter().map(|g| g.as_str()).collect();
    let mut by_city: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for cell in cells.iter().filter(|c| c.counted) {
        let column = groups
            .iter()
            .position(|g| *g == cell.group.as_str())
            .unwrap_or(0);
        by_city
            .entry(public_city_label(places, cell.country, &cell.city))
            .or_insert_with(|| vec![0; groups.len()])[column] += cell.records;
    }
    let city_by_group = CountTable {
        rows: by_city.keys().cloned().collect(),
        columns: groups.iter().map(|g| (*g).to_owned()).collect(),
        cells: by_city.into_values().collect(),
    };
    let beds = CountTable {
        rows: beds.keys().cloned().collect(),
        columns: vec!["in_use".to_owned(), "free".to_owned()],
        cells: beds
            .values()
            .map(|(capacity, free)| vec![capacity.saturating_sub(*free), *free.min(capacity)])
            .collect(),
    };
    [
        ReleaseTable::of_people(city_by_group, Margins::Full),
        ReleaseTable::of_people(age_by_sex_cells(cells), Margins::Full),
        ReleaseTable {
            counts: beds,
            margins: Margins::RowTotals,
            // Free beds are not people; they are suppressed only to protect beds in use.
            people_columns: vec![true, false],
        },
    ]
}

/// The release of these figures, protected and checked (CPU-bound: seconds at most at
/// hundreds of cities).
fn protected_release(
    places: &PlaceIndex,
    cells: &[PopulationCell],
    beds: &BedsByCity,
    threshold: u64,
    now: DateTime<Utc>,
) -> Result<PublicRelease, DisclosureError> {
    let tables = release_tables(places, cells, beds);
    let [city_by_group, age_by_sex, beds]: [ProtectedTable; 3] =
        protect_release(&tables, &release_links(), threshold)?
            .try_into()
            .map_err(|_| DisclosureError::Shape)?;
    let beds_by_city = beds
        .rows
        .iter()
        .enumerate()
        .map(|(r, city)| PublicBeds {
            city: city.clone(),
            capacity: beds.row_totals[r],
            in_use: beds.cells[r][0],
            free: beds.cells[r][1],
        })
        .collect();
    let release = PublicRelease {
        released_at: now,
        threshold,
        disclosure_rules: DISCLOSURE_RULES,
        persons_by_city_and_group: table_json(&city_by_group),
        persons_by_age_and_sex: table_json(&age_by_sex),
        beds_by_city,
    };
    // protect_release checked its tables; check again what is about to be stored, as a
    // reader will parse it.
    let (published, links) = attacker_view(&release)?;
    if !attacker::narrow(&published, &links, threshold)?.is_empty() {
        return Err(DisclosureError::Unprotectable);
    }
    Ok(release)
}

/// A release as an attacker reads it: its three tables and how they are linked.
pub fn attacker_view(
    release: &PublicRelease,
) -> Result<(Vec<PublishedTable>, Vec<Link>), DisclosureError> {
    let table = |value: &serde_json::Value| -> Result<ProtectedTable, DisclosureError> {
        serde_json::from_value(value.clone()).map_err(|_| DisclosureError::Shape)
    };
    let beds = &release.beds_by_city;
    let beds = ProtectedTable {
        rows: beds.iter().map(|b| b.city.clone()).collect(),
        columns: vec!["in_use".to_owned(), "free".to_owned()],
        cells: beds.iter().map(|b| vec![b.in_use, b.free]).collect(),
        row_totals: beds.iter().map(|b| b.capacity).collect(),
        column_totals: Vec::new(),
        total: None,
    };
    Ok((
        vec![
            PublishedTable {
                table: table(&release.persons_by_city_and_group)?,
                margins: Margins::Full,
            },
            PublishedTable {
                table: table(&release.persons_by_age_and_sex)?,
                margins: Margins::Full,
            },
            PublishedTable {
                table: beds,
                margins: Margins::RowTotals,
            },
        ],
        release_links().to_vec(),
    ))
}

fn table_json(table: &ProtectedTable) -> serde_json::Value {
    serde_json::to_value(table).unwrap_or_default()
}

/// Computes a release over every organisation. The protection runs off the async
/// executor; a release it cannot protect is an error and nothing is published.
/// How long protecting one public release may take (500 cities take about a second).
const RELEASE_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

pub async fn make_release(
    store: &Store,
    threshold: u64,
    now: DateTime<Utc>,
) -> Result<PublicRelease, ReleaseError> {
    let today = crate::local_time::date_of(now);
    let mut cells = store.population_cells(None, today, None).await?;
    let places = crate::places::index()
        .await
        .map_err(|_| ReleaseError::Task)?;
    // Names a coordinator mapped count as their place too.
    let mapped = crate::places::CityResolver::load(store).await?;
    for cell in &mut cells {
        if let Some(place) = mapped.place(cell.country, &cell.city) {
            cell.city = place.name("en").to_owned();
        }
    }
    let mut beds = BedsByCity::new();
    for (country, city, _, in_service, _, _, free) in store.bed_figures(now).await? {
        let city = mapped
            .place(country, &city)
            .map_or(city.as_str(), |place| place.name("en"));
        let entry = beds
            .entry(public_city_label(places, country, city))
            .or_default();
        entry.0 += in_service;
        entry.1 += free;
    }
    // Thousands of small linear programs: on the bounded blocking pool, never on the
    // threads that answer requests.
    crate::heavy::run(RELEASE_LIMIT, move || {
        protected_release(places, &cells, &beds, threshold, now)
    })
    .await?
    .map_err(ReleaseError::from)
}

/// Whether a stored release body was made under the current disclosure rules.
fn current_rules(body: &serde_json::Value) -> bool {
    body.get("disclosure_rules")
        .and_then(serde_json::Value::as_u64)
        == Some(u64::from(DISCLOSURE_RULES))
}

/// Makes a new release when the last is older than `interval`, made under older rules, or
/// missing.
pub async fn refresh_release(
    store: &Store,
    threshold: u64,
    interval: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<bool, ReleaseError> {
    if !release_due(store, interval, now).await? {
        return Ok(false);
    }
    // One process makes it (thousands of small linear programs); another that finds the
    // lock taken leaves it to that one.
    let made = once_across_processes(store, Job::PublicRelease, async {
        // Asked again under the lock: another process may have just made it.
        if !release_due(store, interval, now).await? {
            return Ok(false);
        }
        let release = make_release(store, threshold, now).await?;
        let body =
            serde_json::to_value(&release).map_err(|_| StoreError::Corrupt("release".into()))?;
        store.record_release(&body, now).await?;
        tracing::info!("public statistics released");
        Ok::<_, ReleaseError>(true)
    })
    .await?;
    Ok(made.unwrap_or(false))
}

async fn release_due(
    store: &Store,
    interval: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(match store.latest_release().await? {
        Some((at, body)) => now - at >= interval || !current_rules(&body),
        None => true,
    })
}

/// How long a request waits for another process to finish a release before it answers
/// 503: a release under older rules is never shown meanwhile.
const RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

pub(crate) async fn latest(state: &AppState) -> Result<PublicRelease, ApiError> {
    let deadline = tokio::time::Instant::now() + RELEASE_WAIT;
    loop {
        if let Some((_, body)) = state.store.latest_release().await?
            && current_rules(&body)
        {
            return serde_json::from_value(body).map_err(|_| ApiError::Internal);
        }
        // None, or made under rules an attacker may see through: make one now, unless
        // another process holds the lock and is making it; then wait for that one.
        let made = refresh_release(
            &state.store,
            state.disclosure_threshold,
            state.release_interval,
            Utc::now(),
        )
        .await?;
        if !made {
            if tokio::time::Instant::now() >= deadline {
                return Err(ApiError::Unavailable(
                    "a public release is being made".into(),
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

/// The latest public release (no sign-in): aggregates under disclosure control.
#[utoipa::path(get, path = "/api/v1/public/stats", tag = "statistics",
    responses((status = 200, body = PublicRelease)))]
pub async fn public_stats(State(state): State<AppState>) -> Result<Json<PublicRelease>, ApiError> {
    Ok(Json(latest(&state).await?))
}

/// A label as typed (a city): neutralised so no spreadsheet runs it as a formula.
fn csv_field(text: &str) -> String {
    shanyrak_core::spreadsheet::csv_field(text).into_owned()
}

/// The latest public release as CSV: `table,row,column,value,suppressed`; a suppressed
/// cell has an empty value.
#[utoipa::path(get, path = "/api/v1/public/stats.csv", tag = "statistics",
    responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn public_stats_csv(State(state): State<AppState>) -> Result<Response, ApiError> {
    let release = latest(&state).await?;
    let mut out = String::from("table,row,column,value,suppressed\n");
    for (name, value) in [
        (
            "persons_by_city_and_group",
            &release.persons_by_city_and_group,
        ),
        ("persons_by_age_and_sex", &release.persons_by_age_and_sex),
    ] {
        let table: ProtectedTable =
            serde_json::from_value(value.clone()).map_err(|_| ApiError::Internal)?;
        let mut line = |row: &str, column: &str, v: Option<u64>| {
            let _ = writeln!(
                out,
                "{name},{},{},{},{}",
                csv_field(row),
                csv_field(column),
                v.map(|n| n.to_string()).unwrap_or_default(),
                v.is_none()
            );
        };
        for (r, row) in table.rows.iter().enumerate() {
            for (c, column) in table.columns.iter().enumerate() {
                line(row, column, table.cells[r][c]);
            }
            line(row, "total", table.row_totals[r]);
        }
        for (c, column) in table.columns.iter().enumerate() {
            line("total", column, table.column_totals[c]);
        }
        line("total", "total", table.total);
    }
    for beds in &release.beds_by_city {
        for (name, v) in [
            ("beds_capacity", beds.capacity),
            ("beds_free", beds.free),
            ("beds_in_use", beds.in_use),
        ] {
            let _ = writeln!(
                out,
                "{name},{},all,{},{}",
                csv_field(&beds.city),
                v.map(|n| n.to_string()).unwrap_or_default(),
                v.is_none()
            );
        }
    }
    let mut response = out.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use shanyrak_store::SnapshotInfo;

    use super::{snapshot_due, snapshot_interval};

    fn made_at(hour: u32, minute: u32, took_ms: i64) -> SnapshotInfo {
        let computed_at = Utc
            .with_ymd_and_hms(2022, 9, 28, hour, minute, 0)
            .single()
            .unwrap_or_default();
        SnapshotInfo {
            computed_at,
            today: crate::local_time::date_of(computed_at),
            took_ms,
        }
    }

    #[test]
    fn a_costly_snapshot_is_refreshed_less_often() {
        let every = Duration::seconds(30);
        assert_eq!(snapshot_interval(&made_at(10, 0, 100), every), every);
        // 18.7 s to compute: at most every 374 s, a twentieth of a core.
        assert_eq!(
            snapshot_interval(&made_at(10, 0, 18_700), every),
            Duration::seconds(374)
        );
    }

    #[test]
    fn due_when_missing_old_or_of_another_day() {
        let every = Duration::seconds(30);
        let info = made_at(10, 0, 18_700);
        let at = |h, m| {
            Utc.with_ymd_and_hms(2022, 9, 28, h, m, 0)
                .single()
                .unwrap_or_default()
        };
        assert!(snapshot_due(None, every, at(10, 0)));
        assert!(!snapshot_due(Some(&info), every, at(10, 5)));
        assert!(snapshot_due(Some(&info), every, at(10, 7)));
        let late = made_at(23, 59, 10);
        let next_day = Utc
            .with_ymd_and_hms(2022, 9, 29, 0, 0, 5)
            .single()
            .unwrap_or_default();
        assert!(
            snapshot_due(Some(&late), every, next_day),
            "age bands move at midnight"
        );
    }
}
