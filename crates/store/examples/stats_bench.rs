//! Benchmark of the coordinator dashboard's queries and the registry export at scale.
//!
//! ```text
//! stats_bench seed      sqlite:///tmp/bench.db [persons] [sites] [stays]
//! stats_bench dashboard sqlite:///tmp/bench.db [runs]
//! stats_bench export    sqlite:///tmp/bench.db /tmp/registry.csv
//! ```
//! (or a `postgres://` URL of an empty database for each).
//! `seed` makes four organisations with one template household, site and stay each
//! through the store (so every format is the store's own), then clones them with
//! `INSERT … SELECT` over a recursive sequence in big transactions: people 2.5 to a
//! household, 2% registered twice and merged, one pool per site, stays over 60 days of which
//! each household's first is held (30% of households checked in, 10% reserved) and every
//! other is checked out. `dashboard` makes the figure snapshot, registers 500 households
//! after it, then times each query of a dashboard request. `bench/stats.sh` runs all three.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write as _;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use shanyrak_core::household::validate;
use shanyrak_core::sharing::SharingCategory;
use shanyrak_core::shelter::{
    BedPoolInput, HouseRules, PoolKind, SiteInput, SiteKind, validate_pool, validate_site,
};
use shanyrak_core::{
    Actor, HouseholdInput, LocationInput, MemberInput, OrgKind, PopulationGroup, Relationship,
    Role, Sex, ValidationContext,
};
use shanyrak_store::{AdmissionRequest, CreateOutcome, Principal, Store, StoreOptions};
use sqlx::Connection as _;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn arg(n: usize) -> Option<String> {
    std::env::args().nth(n)
}

fn number(n: usize, default: u64) -> u64 {
    arg(n).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn options() -> StoreOptions {
    StoreOptions {
        durable_commits: false,
        ..StoreOptions::default()
    }
}

fn template_household() -> HouseholdInput {
    HouseholdInput {
        group: Some(PopulationGroup::Arrival),
        arrival_date: Some("2022-09-27".into()),
        crossing_point: Some("Сырым".into()),
        location: Some(LocationInput {
            country: Some("KZ".into()),
            region: None,
            city: Some("Oral".into()),
            place_id: None,
        }),
        languages: vec!["ru".into()],
        needs: vec![shanyrak_core::Need::Shelter],
        members: Some(vec![MemberInput {
            surname: Some("Смирнов".into()),
            given_name: Some("Алексей".into()),
            sex: Some(Sex::Male),
            birth_date: Some("1995-03-02".into()),
            relationship: Some(Relationship::Head),
            citizenship: Some("RU".into()),
            ..MemberInput::default()
        }]),
        ..HouseholdInput::default()
    }
}

async fn seed(url: &str) -> Result<()> {
    let persons = number(3, 1_000_000);
    let sites = number(4, 10_000);
    let stays = number(5, 5_000_000);
    let households = persons * 2 / 5;
    let started = Instant::now();
    let store = Store::connect(url, &options()).await?;
    let system = Principal::System("bench");
    let mut orgs = Vec::new();
    for k in 0..4u32 {
        let org = store
            .create_organisation(&system, &format!("Org {k}"), OrgKind::Ngo, now())
            .await?;
        let user = store
            .create_user(
                &system,
                org.id,
                &format!("admin{k}@example.org"),
                "correct horse battery staple",
                &[Role::Admin],
                now(),
            )
            .await?;
        let actor = Actor {
            user_id: user.id,
            organisation_id: org.id,
            roles: vec![Role::Admin],
        };
        let ctx = ValidationContext {
            today: now().date_naive(),
        };
        let household = validate(&template_household(), &ctx).map_err(|_| "template household")?;
        let household_id = match store
            .create_household(&actor, &household, None, now())
            .await?
        {
            CreateOutcome::Created(r) | CreateOutcome::Replayed(r) => r.household_id,
        };
        let rules = HouseRules {
            children_allowed: true,
            ..HouseRules::default()
        };
        let site = validate_site(&SiteInput {
            name: Some(format!("Спортзал {k}")),
            kind: Some(SiteKind::SportsHall),
            location: Some(LocationInput {
                country: Some("KZ".into()),
                region: None,
                city: Some("Oral".into()),
                place_id: None,
            }),
            rules: Some(rules.clone()),
            ..SiteInput::default()
        })
        .map_err(|_| "template site")?;
        let view = store.create_site(&actor, &site, now()).await?;
        let pool = validate_pool(
            &BedPoolInput {
                kind: Some(PoolKind::Mixed),
                beds: Some(40),
                ..BedPoolInput::default()
            },
            &rules,
        )
        .map_err(|_| "template pool")?;
        let pool_id = store.add_pool(&actor, view.site.id, &pool, now()).await?;
        store
            .admit(
                &actor,
                &AdmissionRequest {
                    household_id,
                    pool_id,
                    member_ids: None,
                    reserve_until: None,
                    expected_departure: None,
                    one_night: false,
                },
                now(),
            )
            .await?;
        orgs.push((org.id, user.id));
    }
    store.close().await;
    let shape = Shape {
        persons,
        households,
        sites,
        stays,
    };
    if url.starts_with("postgres") {
        clone_postgres(url, &shape, &orgs, started).await
    } else {
        clone_sqlite(url, &shape, &orgs, started).await
    }
}

/// How many rows `seed` makes of each kind.
#[derive(Clone, Copy)]
struct Shape {
    persons: u64,
    households: u64,
    sites: u64,
    stays: u64,
}

/// The cities (and their crossing points) households and sites are spread over.
const CITIES: [(&str, &str); 9] = [
    ("Oral", "Сырым"),
    ("Almaty", "Жайсан"),
    ("Astana", "Петухово"),
    ("Aktobe", "Жайсан"),
    ("Kostanay", "Кайрак"),
    ("Pavlodar", "Урлютюб"),
    ("Semey", "Шемонаиха"),
    ("Bishkek", "Ак-Жол"),
    ("Osh", "Ак-Жол"),
];

/// Fills the temporary tables `bench_orgs` and `bench_cities` on either backend's
/// connection (a macro: the two connection types share no trait that binds a uuid).
macro_rules! fill_bench_tables {
    ($conn:ident, $orgs:expr) => {
        for (k, (org, user)) in $orgs.iter().enumerate() {
            sqlx::query("INSERT INTO bench_orgs VALUES ($1, $2, $3)")
                .bind(k as i64)
                .bind(*org)
                .bind(*user)
                .execute(&mut $conn)
                .await?;
        }
        for (k, (city, crossing)) in CITIES.iter().enumerate() {
            sqlx::query("INSERT INTO bench_cities VALUES ($1, $2, $3)")
                .bind(k as i64)
                .bind(*city)
                .bind(*crossing)
                .execute(&mut $conn)
                .await?;
        }
    };
}

/// A valid household reference for household `n`, the same on both backends.
fn reference_of(n: u64) -> String {
    shanyrak_core::ReferenceCode::from_random_bits(
        n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5DEE_CE66,
    )
    .as_str()
    .to_owned()
}

/// The clones on PostgreSQL: the same rows as on SQLite, each table filled by one
/// `INSERT … SELECT` over `generate_series` (references come as one array), ids
/// `k0000000-0000-4000-8000-<n in hex>` with one leading digit per table.
async fn clone_postgres(
    url: &str,
    shape: &Shape,
    orgs: &[(uuid::Uuid, uuid::Uuid)],
    started: Instant,
) -> Result<()> {
    let Shape {
        persons,
        households,
        sites,
        stays,
    } = *shape;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::raw_sql(
        "CREATE TEMP TABLE bench_orgs (k bigint PRIMARY KEY, org uuid, usr uuid); \
         CREATE TEMP TABLE bench_cities (k bigint PRIMARY KEY, city text, crossing text); \
         CREATE FUNCTION pg_temp.bench_id(prefix text, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS \
           $$ SELECT (prefix || '0000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid $$;",
    )
    .execute(&mut conn)
    .await?;
    fill_bench_tables!(conn, orgs);
    let references: Vec<String> = (0..households).map(reference_of).collect();
    sqlx::query(
        "INSERT INTO households (id, reference, organisation_id, population_group, arrival_date, crossing_point, country, \
         region, city, phone, languages, needs, accepts_sex_separation, legal_basis, information_given, status, notes, \
         version, registered_at, registered_by, updated_at) \
         SELECT pg_temp.bench_id('a', r.n - 1), r.reference, o.org, \
         CASE (r.n - 1) % 10 WHEN 0 THEN 'idp' WHEN 1 THEN 'returnee' ELSE 'arrival' END, \
         DATE '2022-09-21' + ((r.n - 1) % 40)::int, c.crossing, 'KZ', NULL, c.city, NULL, t.languages, t.needs, \
         t.accepts_sex_separation, t.legal_basis, t.information_given, t.status, NULL, 1, t.registered_at, o.usr, t.updated_at \
         FROM unnest($1::text[]) WITH ORDINALITY AS r(reference, n) \
         JOIN bench_orgs o ON o.k = (r.n - 1) % 4 \
         JOIN bench_cities c ON c.k = ((r.n - 1) / 4) % 9 \
         JOIN LATERAL (SELECT * FROM households h WHERE h.organisation_id = o.org ORDER BY h.id LIMIT 1) t ON true",
    )
    .bind(&references)
    .execute(&mut conn)
    .await?;
    eprintln!(
        "{households} households in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    sqlx::raw_sql(&format!(
        "INSERT INTO persons (id, household_id, position, surname, given_name, patronymic, sex, birth_date, birth_year, \
           birth_date_estimated, citizenship, relationship, vulnerabilities, removed_at, identity_id) \
         SELECT pg_temp.bench_id('b', n), pg_temp.bench_id('a', n * 2 / 5), n, t.surname, t.given_name, NULL, \
           CASE n % 3 WHEN 0 THEN 'male' WHEN 1 THEN 'female' ELSE 'male' END, \
           CASE n % 5 WHEN 0 THEN (1940 + n % 83)::text \
             WHEN 1 THEN (1940 + n % 83)::text || '-' || lpad((1 + n % 12)::text, 2, '0') \
             ELSE (1940 + n % 83)::text || '-' || lpad((1 + n % 12)::text, 2, '0') || '-' || lpad((1 + n % 28)::text, 2, '0') END, \
           1940 + n % 83, false, CASE n % 7 WHEN 0 THEN 'KG' WHEN 1 THEN NULL ELSE 'RU' END, \
           CASE WHEN n * 2 % 5 < 2 THEN 'head' ELSE 'child' END, t.vulnerabilities, NULL, \
           CASE WHEN n % 100 < 2 THEN pg_temp.bench_id('b', n - n % 100) END \
         FROM generate_series(0::bigint, {last}) AS n, \
           (SELECT * FROM persons ORDER BY id LIMIT 1) t",
        last = persons - 1
    ))
    .execute(&mut conn)
    .await?;
    eprintln!(
        "{persons} persons in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    sqlx::raw_sql(&format!(
        "INSERT INTO sites (id, organisation_id, name, kind, address, country, region, city, latitude, longitude, contact_name, \
           contact_phone, status, rules, amenities, version, created_at, updated_at) \
         SELECT pg_temp.bench_id('c', n), o.org, 'Site ' || n, t.kind, NULL, 'KZ', NULL, c.city, NULL, NULL, NULL, NULL, \
           t.status, t.rules, t.amenities, 1, t.created_at, t.updated_at \
         FROM generate_series(0::bigint, {last}) AS n \
         JOIN bench_orgs o ON o.k = n % 4 \
         JOIN bench_cities c ON c.k = (n / 4) % 9, \
           (SELECT * FROM sites ORDER BY id LIMIT 1) t; \
         INSERT INTO bed_pools (id, site_id, kind, room_size, beds, step_free_beds, blocked_beds, transitory_beds, admissions, \
           version, created_at, updated_at) \
         SELECT pg_temp.bench_id('d', n), pg_temp.bench_id('c', n), t.kind, t.room_size, 100, 0, 0, 0, 0, 1, \
           t.created_at, t.updated_at \
         FROM generate_series(0::bigint, {last}) AS n, (SELECT * FROM bed_pools ORDER BY id LIMIT 1) t;",
        last = sites - 1
    ))
    .execute(&mut conn)
    .await?;
    eprintln!("{sites} sites in {:.1} s", started.elapsed().as_secs_f64());
    sqlx::raw_sql(&format!(
        "INSERT INTO stays (id, household_id, organisation_id, site_id, pool_id, status, one_night, persons, step_free, \
           reserved_until, checked_in_at, expected_departure, last_seen_at, checked_out_at, created_by, created_at, updated_at) \
         SELECT pg_temp.bench_id('e', n), pg_temp.bench_id('a', n % {households}), o.org, \
           pg_temp.bench_id('c', n % {sites}), pg_temp.bench_id('d', n % {sites}), \
           CASE WHEN n >= {households} THEN 'checked_out' WHEN n % 10 < 3 THEN 'checked_in' WHEN n % 10 = 3 THEN 'reserved' \
             ELSE 'checked_out' END, false, 1, 0, \
           CASE WHEN n < {households} AND n % 10 = 3 THEN TIMESTAMPTZ '2099-01-01 12:00:00+00' END, \
           CASE WHEN n >= {households} OR n % 10 <> 3 THEN TIMESTAMPTZ '2022-09-21 12:00:00+00' + make_interval(days => (n % 60)::int) END, \
           NULL, NULL, \
           CASE WHEN n >= {households} OR n % 10 > 3 THEN TIMESTAMPTZ '2022-09-22 12:00:00+00' + make_interval(days => (n % 60)::int) END, \
           o.usr, TIMESTAMPTZ '2022-09-21 12:00:00+00' + make_interval(days => (n % 60)::int), t.updated_at \
         FROM generate_series(0::bigint, {last}) AS n \
         JOIN bench_orgs o ON o.k = (n % {households}) % 4, \
           (SELECT * FROM stays ORDER BY id LIMIT 1) t;",
        last = stays - 1
    ))
    .execute(&mut conn)
    .await?;
    eprintln!("{stays} stays in {:.1} s", started.elapsed().as_secs_f64());
    sqlx::raw_sql("ANALYZE").execute(&mut conn).await?;
    conn.close().await?;
    println!(
        "seeded {persons} persons, {households} households, {sites} sites, {stays} stays in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The clones on SQLite (see [`clone_postgres`] for the same on PostgreSQL).
async fn clone_sqlite(
    url: &str,
    shape: &Shape,
    orgs: &[(uuid::Uuid, uuid::Uuid)],
    started: Instant,
) -> Result<()> {
    let Shape {
        persons,
        households,
        sites,
        stays,
    } = *shape;
    let mut conn = sqlx::SqliteConnection::connect(url).await?;
    sqlx::raw_sql(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -200000; \
         CREATE TEMP TABLE bench_orgs (k INTEGER PRIMARY KEY, org BLOB, usr BLOB); \
         CREATE TEMP TABLE bench_cities (k INTEGER PRIMARY KEY, city TEXT, crossing TEXT);",
    )
    .execute(&mut conn)
    .await?;
    fill_bench_tables!(conn, orgs);
    // Households: references must be valid codes, so they are bound from Rust; everything
    // else comes from the template row of the same organisation.
    let mut tx = conn.begin().await?;
    for n in 0..households {
        sqlx::query(
            "INSERT INTO households (id, reference, organisation_id, population_group, arrival_date, crossing_point, country, \
             region, city, phone, languages, needs, accepts_sex_separation, legal_basis, information_given, status, notes, \
             version, registered_at, registered_by, updated_at) \
             SELECT CAST(printf('h%015d', $1) AS BLOB), $2, o.org, \
             CASE $1 % 10 WHEN 0 THEN 'idp' WHEN 1 THEN 'returnee' ELSE 'arrival' END, \
             date('2022-09-21', '+' || ($1 % 40) || ' days'), c.crossing, 'KZ', NULL, c.city, NULL, t.languages, t.needs, \
             t.accepts_sex_separation, t.legal_basis, t.information_given, t.status, NULL, 1, t.registered_at, o.usr, t.updated_at \
             FROM bench_orgs o, bench_cities c, households t \
             WHERE o.k = $1 % 4 AND c.k = ($1 / 4) % 9 AND t.id = (SELECT MIN(id) FROM households WHERE organisation_id = o.org)",
        )
        .bind(n as i64)
        .bind(reference_of(n))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    eprintln!(
        "{households} households in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    sqlx::raw_sql(&format!(
        "BEGIN; \
         WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {last}) \
         INSERT INTO persons (id, household_id, position, surname, given_name, patronymic, sex, birth_date, birth_year, \
           birth_date_estimated, citizenship, relationship, vulnerabilities, removed_at, identity_id) \
         SELECT CAST(printf('p%015d', n) AS BLOB), CAST(printf('h%015d', n * 2 / 5) AS BLOB), n, t.surname, t.given_name, NULL, \
           CASE n % 3 WHEN 0 THEN 'male' WHEN 1 THEN 'female' ELSE 'male' END, \
           CASE n % 5 WHEN 0 THEN printf('%04d', 1940 + n % 83) WHEN 1 THEN printf('%04d-%02d', 1940 + n % 83, 1 + n % 12) \
             ELSE printf('%04d-%02d-%02d', 1940 + n % 83, 1 + n % 12, 1 + n % 28) END, \
           1940 + n % 83, 0, CASE n % 7 WHEN 0 THEN 'KG' WHEN 1 THEN NULL ELSE 'RU' END, \
           CASE WHEN n * 2 % 5 < 2 THEN 'head' ELSE 'child' END, t.vulnerabilities, NULL, \
           CASE WHEN n % 100 < 2 THEN CAST(printf('p%015d', n - n % 100) AS BLOB) END \
         FROM seq, persons t WHERE t.id = (SELECT MIN(id) FROM persons); \
         COMMIT;",
        last = persons - 1
    ))
    .execute(&mut conn)
    .await?;
    eprintln!(
        "{persons} persons in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    sqlx::raw_sql(&format!(
        "BEGIN; \
         WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {last}) \
         INSERT INTO sites (id, organisation_id, name, kind, address, country, region, city, latitude, longitude, contact_name, \
           contact_phone, status, rules, amenities, version, created_at, updated_at) \
         SELECT CAST(printf('s%015d', n) AS BLOB), o.org, 'Site ' || n, t.kind, NULL, 'KZ', NULL, c.city, NULL, NULL, NULL, NULL, \
           t.status, t.rules, t.amenities, 1, t.created_at, t.updated_at \
         FROM seq, bench_orgs o, bench_cities c, sites t \
         WHERE o.k = n % 4 AND c.k = (n / 4) % 9 AND t.id = (SELECT MIN(id) FROM sites); \
         WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {last}) \
         INSERT INTO bed_pools (id, site_id, kind, room_size, beds, step_free_beds, blocked_beds, transitory_beds, admissions, \
           version, created_at, updated_at) \
         SELECT CAST(printf('q%015d', n) AS BLOB), CAST(printf('s%015d', n) AS BLOB), t.kind, t.room_size, 100, 0, 0, 0, 0, 1, \
           t.created_at, t.updated_at FROM seq, bed_pools t WHERE t.id = (SELECT MIN(id) FROM bed_pools); \
         COMMIT;",
        last = sites - 1
    ))
    .execute(&mut conn)
    .await?;
    eprintln!("{sites} sites in {:.1} s", started.elapsed().as_secs_f64());
    // Stays: household k's stays are made by its own organisation (k % 4).
    sqlx::raw_sql(&format!(
        "BEGIN; \
         WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {last}) \
         INSERT INTO stays (id, household_id, organisation_id, site_id, pool_id, status, one_night, persons, step_free, \
           reserved_until, checked_in_at, expected_departure, last_seen_at, checked_out_at, created_by, created_at, updated_at) \
         SELECT CAST(printf('y%015d', n) AS BLOB), CAST(printf('h%015d', n % {households}) AS BLOB), o.org, \
           CAST(printf('s%015d', n % {sites}) AS BLOB), CAST(printf('q%015d', n % {sites}) AS BLOB), \
           CASE WHEN n >= {households} THEN 'checked_out' WHEN n % 10 < 3 THEN 'checked_in' WHEN n % 10 = 3 THEN 'reserved' \
             ELSE 'checked_out' END, 0, 1, 0, \
           CASE WHEN n < {households} AND n % 10 = 3 THEN '2099-01-01' || substr(t.created_at, 11) END, \
           CASE WHEN n >= {households} OR n % 10 <> 3 THEN date('2022-09-21', '+' || (n % 60) || ' days') || substr(t.created_at, 11) END, \
           NULL, NULL, \
           CASE WHEN n >= {households} OR n % 10 > 3 THEN date('2022-09-22', '+' || (n % 60) || ' days') || substr(t.created_at, 11) END, \
           o.usr, date('2022-09-21', '+' || (n % 60) || ' days') || substr(t.created_at, 11), t.updated_at \
         FROM seq, bench_orgs o, stays t WHERE o.k = (n % {households}) % 4 AND t.id = (SELECT MIN(id) FROM stays); \
         COMMIT;",
        last = stays - 1
    ))
    .execute(&mut conn)
    .await?;
    eprintln!("{stays} stays in {:.1} s", started.elapsed().as_secs_f64());
    sqlx::raw_sql("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")
        .execute(&mut conn)
        .await?;
    println!(
        "seeded {persons} persons, {households} households, {sites} sites, {stays} stays in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted
        .get(i)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

async fn dashboard(url: &str) -> Result<()> {
    let runs = number(3, 7) as usize;
    let store = Store::connect(url, &options()).await?;
    let (org, admin) = first_organisation(url).await?;
    let actor = Actor {
        user_id: admin,
        organisation_id: org,
        roles: vec![Role::Admin],
    };
    let today = now().date_naive();
    let one = [org];
    let mut timings: Vec<(&str, Vec<Duration>)> = Vec::new();
    macro_rules! time {
        ($name:expr, $call:expr) => {{
            let mut samples = Vec::new();
            for _ in 0..runs {
                let t = Instant::now();
                let out = $call;
                samples.push(t.elapsed());
                if let Err(e) = std::hint::black_box(out) {
                    println!("{}: failed: {e}", $name);
                    break;
                }
            }
            samples.sort();
            timings.push(($name, samples));
        }};
    }
    // The background refresh, then a busy stretch of registrations after it: the live
    // part of every request reads those.
    let refresh = Instant::now();
    let info = store.refresh_figure_snapshot(now()).await?;
    println!(
        "figure snapshot (background, every organisation): {:.0} ms",
        refresh.elapsed().as_secs_f64() * 1000.0
    );
    let ctx = ValidationContext {
        today: now().date_naive(),
    };
    let household = validate(&template_household(), &ctx).map_err(|_| "template household")?;
    for _ in 0..500 {
        store
            .create_household(&actor, &household, None, now())
            .await?;
    }
    let since = Some(info.computed_at);
    time!(
        "agreements in force (statistics)",
        store
            .sharing_organisations(org, SharingCategory::Statistics, now())
            .await
    );
    time!(
        "population, one organisation: snapshot cells",
        store.snapshot_population(Some(&one)).await
    );
    time!(
        "population, one organisation: 500 households registered since",
        store.population_cells(Some(&one), today, since).await
    );
    time!(
        "population, all organisations: snapshot cells",
        store.snapshot_population(None).await
    );
    time!(
        "population, all organisations: registered since",
        store.population_cells(None, today, since).await
    );
    time!(
        "placements per day, one organisation: snapshot",
        store.snapshot_placements(Some(&one)).await
    );
    time!(
        "placements per day, one organisation: since",
        store.placements_per_day(Some(&one), since).await
    );
    time!(
        "distributions by item, one organisation: snapshot + since",
        async {
            store.snapshot_distributions(Some(&one)).await?;
            store.distributions_by_item(Some(&one), since).await
        }
        .await
    );
    time!(
        "waiting households, one organisation: snapshot",
        store.snapshot_waiting(Some(&one)).await
    );
    time!(
        "beds by city and kind, live (10,000 sites)",
        store.bed_figures(now()).await
    );
    time!(
        "(site list page) every site with its pools, live",
        store.list_sites(&actor, None, now()).await
    );
    let mut total = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let _ = store
            .sharing_organisations(org, SharingCategory::Statistics, now())
            .await?;
        let _ = store.snapshot_population(Some(&one)).await?;
        let _ = store.population_cells(Some(&one), today, since).await?;
        let _ = store.snapshot_placements(Some(&one)).await?;
        let _ = store.placements_per_day(Some(&one), since).await?;
        let _ = store.snapshot_distributions(Some(&one)).await?;
        let _ = store.distributions_by_item(Some(&one), since).await?;
        let _ = store.snapshot_waiting(Some(&one)).await?;
        let _ = store.bed_figures(now()).await?;
        total.push(t.elapsed());
    }
    total.sort();
    timings.push(("the whole dashboard request, one organisation", total));
    // For comparison: the live grouping every request used to run.
    time!(
        "(before) population computed live, one organisation",
        store.population_cells(Some(&one), today, None).await
    );
    println!("| query | p50 ms | p95 ms | runs |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, samples) in &timings {
        println!(
            "| {name} | {:.1} | {:.1} | {} |",
            percentile(samples, 0.5),
            percentile(samples, 0.95),
            samples.len()
        );
    }
    store.close().await;
    Ok(())
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// The first organisation `seed` made and its administrator.
async fn first_organisation(url: &str) -> Result<(uuid::Uuid, uuid::Uuid)> {
    const ORG: &str = "SELECT id FROM organisations WHERE name = 'Org 0'";
    const ADMIN: &str = "SELECT id FROM users WHERE email = 'admin0@example.org'";
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let org = sqlx::query_scalar(ORG).fetch_one(&mut conn).await?;
        let admin = sqlx::query_scalar(ADMIN).fetch_one(&mut conn).await?;
        conn.close().await?;
        Ok((org, admin))
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        let org = sqlx::query_scalar(ORG).fetch_one(&mut conn).await?;
        let admin = sqlx::query_scalar(ADMIN).fetch_one(&mut conn).await?;
        conn.close().await?;
        Ok((org, admin))
    }
}

/// The registry export's loop (`shanyrak export --dataset registry`): pages of 2,000
/// households read flat (`registry_page`), one CSV line per current person.
async fn export(url: &str, out: &str) -> Result<()> {
    let store = Store::connect(url, &options()).await?;
    let started = Instant::now();
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut after = None;
    let mut written = 0u64;
    let mut peaks = Vec::new();
    loop {
        let (page, last) = store.registry_page(after, 2_000).await?;
        let Some(last) = last else { break };
        after = Some(last);
        for p in &page {
            writeln!(
                file,
                "{},{},{},{},{},{},{},{}",
                p.household_id,
                p.reference,
                csv_field(&p.city),
                p.person_id,
                csv_field(&p.surname),
                csv_field(&p.given_name),
                p.sex,
                p.birth_date
            )?;
            written += 1;
            if written.is_multiple_of(200_000) {
                peaks.push((written, peak_rss_kib()));
            }
        }
    }
    file.flush()?;
    println!(
        "exported {written} rows in {:.1} s; peak RSS (VmHWM) {} MiB; after rows: {}",
        started.elapsed().as_secs_f64(),
        peak_rss_kib() / 1024,
        peaks
            .iter()
            .map(|(n, kib)| format!("{n}: {} MiB", kib / 1024))
            .collect::<Vec<_>>()
            .join(", ")
    );
    store.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let mode = arg(1).unwrap_or_default();
    let url = arg(2).ok_or("usage: stats_bench seed|dashboard|export URL …")?;
    match mode.as_str() {
        "seed" => seed(&url).await,
        "dashboard" => dashboard(&url).await,
        "export" => export(&url, &arg(3).unwrap_or_else(|| "/tmp/registry.csv".into())).await,
        _ => Err("usage: stats_bench seed|dashboard|export URL …".into()),
    }
}
