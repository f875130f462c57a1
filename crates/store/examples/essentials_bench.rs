//! Benchmark: recording a distribution with its entitlement check, against a database
//! seeded with many persons and past distributions.
//!
//! ```text
//! cargo run --release -p shanyrak-store --example essentials_bench -- \
//!     sqlite:///tmp/essentials-bench.db [persons] [past distributions] [measured]
//! ```
//! (or the `postgres://` URL of an empty database; `bench/essentials.sh` runs both).
//!
//! Seeding writes the rows directly (the store's own write path would audit every row and
//! take hours): on SQLite with multi-row inserts from the client in one transaction, on
//! PostgreSQL server-side, one `INSERT … SELECT` over `generate_series` per table (the
//! client-side inserts are several times slower there). Both make the same households and
//! persons with the same ids; the past distributions have the same ids, items and spread,
//! but their households and days are drawn by a different generator on each backend.
//! Measuring is the same on both: `Store::record_distribution`, the path the API uses, one
//! call at a time, then `Store::entitlements`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop

use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use serde_json::json;
use shanyrak_core::essentials::{
    DistributionInput, EntitlementBasis, EntitlementCondition, EntitlementRule, ItemInput,
    LineInput, MovementInput, MovementRoute, PointInput, validate_distribution, validate_item,
    validate_movement, validate_point,
};
use shanyrak_core::{Actor, OrgKind, Role};
use shanyrak_store::{Principal, Store, StoreOptions};
use sqlx::QueryBuilder;
use sqlx::types::Json;
use uuid::Uuid;

const BATCH: usize = 1000;

fn household_id(i: u64) -> Uuid {
    Uuid::from_u128((1u128 << 120) | u128::from(i))
}
fn person_id(i: u64) -> Uuid {
    Uuid::from_u128((2u128 << 120) | u128::from(i))
}
fn distribution_id(i: u64) -> Uuid {
    Uuid::from_u128((3u128 << 120) | u128::from(i))
}

struct Plan {
    persons: u64,
    distributions: u64,
    org: Uuid,
    user: Uuid,
    point: Uuid,
    items: Vec<Uuid>,
    today: NaiveDate,
}

impl Plan {
    /// Households of 2 and 3 members (2.5 on average), laid out so that person `p` belongs
    /// to household `p / 5 * 2 + (p % 5 >= 2)`: members 0-1 and 2-4 of each block of five
    /// (the last household may be smaller).
    fn households(&self) -> u64 {
        self.persons / 5 * 2
            + u64::from(!self.persons.is_multiple_of(5))
            + u64::from(self.persons % 5 > 2)
    }
    fn household_of(p: u64) -> u64 {
        p / 5 * 2 + u64::from(p % 5 >= 2)
    }
    fn first_member(h: u64) -> u64 {
        h / 2 * 5 + if h.is_multiple_of(2) { 0 } else { 2 }
    }
    fn size(&self, h: u64) -> u64 {
        let first = Self::first_member(h);
        let block = if h.is_multiple_of(2) { 2 } else { 3 };
        block.min(self.persons.saturating_sub(first))
    }
}

/// Writes the plan's rows in one transaction, then refreshes the planner's statistics
/// (SQLite; [`seed_postgres`] writes the same rows on PostgreSQL).
macro_rules! seed {
    ($pool:expr, $plan:expr, $DB:ty) => {{
        let pool = $pool;
        let plan: &Plan = $plan;
        let started = Instant::now();
        let now = Utc::now();
        let mut tx = pool.begin().await.expect("begin");
        let mut step = Instant::now();
        let households = plan.households();
        let mut h = 0;
        while h < households {
            let end = (h + BATCH as u64).min(households);
            let mut q = QueryBuilder::<$DB>::new(
                "INSERT INTO households (id, reference, organisation_id, population_group, country, city, languages, needs, \
                 status, version, registered_at, registered_by, updated_at) ",
            );
            q.push_values(h..end, |mut b, i| {
                b.push_bind(household_id(i))
                    .push_bind(format!("B{i:08}"))
                    .push_bind(plan.org)
                    .push_bind(if i % 3 == 0 { "idp" } else { "arrival" })
                    .push_bind("KZ")
                    .push_bind("Oral")
                    .push_bind(Json(json!(["ru"])))
                    .push_bind(Json(json!([])))
                    .push_bind("waiting")
                    .push_bind(1i64)
                    .push_bind(now)
                    .push_bind(plan.user)
                    .push_bind(now);
            });
            q.build().execute(&mut *tx).await.expect("households");
            h = end;
        }
        eprintln!("  {households} households in {:.1?}", step.elapsed());
        step = Instant::now();
        let mut p = 0;
        while p < plan.persons {
            let end = (p + BATCH as u64).min(plan.persons);
            let mut q = QueryBuilder::<$DB>::new(
                "INSERT INTO persons (id, household_id, position, surname, given_name, sex, birth_date, birth_year, \
                 birth_date_estimated, relationship, vulnerabilities, identity_id) ",
            );
            q.push_values(p..end, |mut b, i| {
                let h = Plan::household_of(i);
                let position = i - Plan::first_member(h);
                // One person in fifty is the same as someone registered elsewhere.
                let identity = (i % 50 == 49).then(|| person_id(i / 2));
                let year = if position == 2 { 2022 } else { 1960 + (i % 40) as i32 };
                b.push_bind(person_id(i))
                    .push_bind(household_id(h))
                    .push_bind(position as i32)
                    .push_bind(format!("Фамилия{}", i % 997))
                    .push_bind(format!("Имя{}", i % 211))
                    .push_bind(if i % 2 == 0 { "male" } else { "female" })
                    .push_bind(format!("{year}-03-01"))
                    .push_bind(year)
                    .push_bind(false)
                    .push_bind(if position == 0 { "head" } else { "child" })
                    .push_bind(Json(json!([])))
                    .push_bind(identity);
            });
            q.build().execute(&mut *tx).await.expect("persons");
            p = end;
        }
        eprintln!("  {} persons in {:.1?}", plan.persons, step.elapsed());
        step = Instant::now();
        // Past distributions spread over the last year, one line each, covering every
        // member of the household.
        let mut d = 0;
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut shares: Vec<(Uuid, Uuid, Uuid, i64)> = Vec::new();
        while d < plan.distributions {
            let end = (d + BATCH as u64).min(plan.distributions);
            let rows: Vec<(u64, u64, NaiveDate, Uuid)> = (d..end)
                .map(|i| {
                    let h = rng.random_range(0..households);
                    let day = plan.today - Duration::days(rng.random_range(1..365));
                    (i, h, day, plan.items[(i % plan.items.len() as u64) as usize])
                })
                .collect();
            let mut q = QueryBuilder::<$DB>::new(
                "INSERT INTO distributions (id, organisation_id, household_id, point_id, distributed_on, population_group, recorded_at) ",
            );
            q.push_values(&rows, |mut b, (i, h, day, _)| {
                b.push_bind(distribution_id(*i))
                    .push_bind(plan.org)
                    .push_bind(household_id(*h))
                    .push_bind(plan.point)
                    .push_bind(*day)
                    .push_bind("arrival")
                    .push_bind(now);
            });
            q.build().execute(&mut *tx).await.expect("distributions");
            let mut q = QueryBuilder::<$DB>::new("INSERT INTO distribution_lines (distribution_id, item_id, quantity, over_by) ");
            q.push_values(&rows, |mut b, (i, h, _, item)| {
                b.push_bind(distribution_id(*i)).push_bind(*item).push_bind(plan.size(*h).max(1) as i64).push_bind(0i64);
            });
            q.build().execute(&mut *tx).await.expect("lines");
            shares.clear();
            for (i, h, _, item) in &rows {
                let first = Plan::first_member(*h);
                for m in first..first + plan.size(*h) {
                    shares.push((distribution_id(*i), *item, person_id(m), 1));
                }
            }
            for chunk in shares.chunks(BATCH) {
                let mut q = QueryBuilder::<$DB>::new("INSERT INTO distribution_shares (distribution_id, item_id, person_id, quantity) ");
                q.push_values(chunk, |mut b, (dist, item, person, quantity)| {
                    b.push_bind(*dist).push_bind(*item).push_bind(*person).push_bind(*quantity);
                });
                q.build().execute(&mut *tx).await.expect("shares");
            }
            d = end;
            if d % 500_000 == 0 {
                eprintln!("  {d} distributions in {:.1?}", step.elapsed());
            }
        }
        tx.commit().await.expect("commit");
        eprintln!(
            "  {} past distributions with their lines and shares (written together) in {:.1?}",
            plan.distributions,
            step.elapsed()
        );
        step = Instant::now();
        sqlx::query("ANALYZE")
            .execute(pool)
            .await
            .expect("analyze");
        eprintln!("  ANALYZE in {:.1?}", step.elapsed());
        eprintln!("seeded in {:.1?}", started.elapsed());
    }};
}

/// The same rows as [`seed!`] on PostgreSQL, written by the server: one `INSERT … SELECT`
/// over `generate_series` per table, ids from `pg_temp.bench_id(kind, n)` (the same as
/// [`household_id`], [`person_id`] and [`distribution_id`]). The past distributions'
/// households and days are drawn once with `random()` into a temporary table that the
/// distributions, their lines and their shares are then written from, so each line and
/// its shares cover the household's members. Then `VACUUM (ANALYZE)`, so the planner has
/// statistics and no autovacuum of the fresh tables runs during the measurement.
async fn seed_postgres(url: &str, plan: &Plan) -> Result<(), sqlx::Error> {
    use sqlx::Connection as _;
    let started = Instant::now();
    let now = Utc::now();
    let households = plan.households();
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::raw_sql(
        "SET synchronous_commit = off; SET temp_buffers = '1GB'; SET work_mem = '256MB'; \
         CREATE FUNCTION pg_temp.bench_id(kind int, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS \
           $$ SELECT (lpad(to_hex(kind), 2, '0') || lpad(to_hex(n), 30, '0'))::uuid $$;",
    )
    .execute(&mut conn)
    .await?;
    let mut step = Instant::now();
    sqlx::query(&format!(
        "INSERT INTO households (id, reference, organisation_id, population_group, country, city, languages, needs, \
           status, version, registered_at, registered_by, updated_at) \
         SELECT pg_temp.bench_id(1, n), 'B' || lpad(n::text, greatest(8, length(n::text)), '0'), $1, \
           CASE WHEN n % 3 = 0 THEN 'idp' ELSE 'arrival' END, 'KZ', 'Oral', '[\"ru\"]'::jsonb, '[]'::jsonb, \
           'waiting', 1, $3, $2, $3 \
         FROM generate_series(0::bigint, {last}) AS n",
        last = households as i64 - 1
    ))
    .bind(plan.org)
    .bind(plan.user)
    .bind(now)
    .execute(&mut conn)
    .await?;
    eprintln!("  {households} households in {:.1?}", step.elapsed());
    step = Instant::now();
    // Person n: household n / 5 * 2 + (n % 5 >= 2), at position n % 5 (less 2 in the
    // second household of the block); one in fifty shares person n / 2's identity.
    sqlx::query(&format!(
        "INSERT INTO persons (id, household_id, position, surname, given_name, sex, birth_date, birth_year, \
           birth_date_estimated, relationship, vulnerabilities, identity_id) \
         SELECT pg_temp.bench_id(2, n), pg_temp.bench_id(1, n / 5 * 2 + (n % 5 >= 2)::int), position, \
           'Фамилия' || n % 997, 'Имя' || n % 211, CASE WHEN n % 2 = 0 THEN 'male' ELSE 'female' END, \
           year || '-03-01', year, false, CASE WHEN position = 0 THEN 'head' ELSE 'child' END, '[]'::jsonb, \
           CASE WHEN n % 50 = 49 THEN pg_temp.bench_id(2, n / 2) END \
         FROM generate_series(0::bigint, {last}) AS n, \
           LATERAL (SELECT (n % 5 - CASE WHEN n % 5 >= 2 THEN 2 ELSE 0 END)::int AS position) p, \
           LATERAL (SELECT CASE WHEN position = 2 THEN 2022 ELSE 1960 + (n % 40)::int END AS year) y",
        last = plan.persons as i64 - 1
    ))
    .execute(&mut conn)
    .await?;
    eprintln!("  {} persons in {:.1?}", plan.persons, step.elapsed());
    step = Instant::now();
    // Past distribution n: a random household (its first member and size as in `Plan`)
    // on a random day of the last year, item n % items.
    sqlx::raw_sql(&format!(
        "SELECT setseed(0.7); \
         CREATE TEMP TABLE bench_past AS \
         SELECT n, h, day, first, least(2 + h % 2, {persons} - first) AS size \
         FROM (SELECT n, h, day, h / 2 * 5 + 2 * (h % 2) AS first \
               FROM (SELECT n, floor(random() * {households})::bigint AS h, \
                       DATE '{today}' - (1 + floor(random() * 364))::int AS day \
                     FROM generate_series(0::bigint, {last}) AS n) r) f;",
        persons = plan.persons,
        today = plan.today,
        last = plan.distributions as i64 - 1
    ))
    .execute(&mut conn)
    .await?;
    eprintln!(
        "  {} households and days drawn in {:.1?}",
        plan.distributions,
        step.elapsed()
    );
    step = Instant::now();
    sqlx::query(
        "INSERT INTO distributions (id, organisation_id, household_id, point_id, distributed_on, population_group, recorded_at) \
         SELECT pg_temp.bench_id(3, n), $1, pg_temp.bench_id(1, h), $2, day, 'arrival', $3 FROM bench_past",
    )
    .bind(plan.org)
    .bind(plan.point)
    .bind(now)
    .execute(&mut conn)
    .await?;
    eprintln!(
        "  {} distributions in {:.1?}",
        plan.distributions,
        step.elapsed()
    );
    step = Instant::now();
    sqlx::query(
        "INSERT INTO distribution_lines (distribution_id, item_id, quantity, over_by) \
         SELECT pg_temp.bench_id(3, n), ($1::uuid[])[n % cardinality($1::uuid[]) + 1], greatest(size, 1), 0 \
         FROM bench_past",
    )
    .bind(plan.items.as_slice())
    .execute(&mut conn)
    .await?;
    eprintln!(
        "  {} distribution lines in {:.1?}",
        plan.distributions,
        step.elapsed()
    );
    step = Instant::now();
    let shares = sqlx::query(
        "INSERT INTO distribution_shares (distribution_id, item_id, person_id, quantity) \
         SELECT pg_temp.bench_id(3, n), ($1::uuid[])[n % cardinality($1::uuid[]) + 1], pg_temp.bench_id(2, first + m), 1 \
         FROM bench_past, generate_series(0::bigint, size - 1) AS m",
    )
    .bind(plan.items.as_slice())
    .execute(&mut conn)
    .await?
    .rows_affected();
    eprintln!("  {shares} distribution shares in {:.1?}", step.elapsed());
    step = Instant::now();
    // VACUUM refuses to run in the transaction of a multi-statement string.
    sqlx::raw_sql("DROP TABLE bench_past")
        .execute(&mut conn)
        .await?;
    sqlx::raw_sql("VACUUM (ANALYZE)").execute(&mut conn).await?;
    eprintln!("  VACUUM (ANALYZE) in {:.1?}", step.elapsed());
    conn.close().await?;
    eprintln!("seeded in {:.1?}", started.elapsed());
    Ok(())
}

fn rule(basis: EntitlementBasis, quantity: u32, period_days: u32) -> EntitlementRule {
    EntitlementRule {
        basis,
        quantity,
        period_days,
        condition: None,
        population_group: None,
    }
}

/// The 1, 5 and 15 minute load averages, to be stated beside the figures.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "sqlite:///tmp/essentials-bench.db".into());
    let persons: u64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let distributions: u64 = args
        .get(3)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000_000);
    let measured: usize = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(2000);

    let store = Store::connect(&url, &StoreOptions::default())
        .await
        .expect("connect");
    let cli = Principal::System("bench");
    let now = Utc.from_utc_datetime(&Utc::now().date_naive().and_hms_opt(12, 0, 0).expect("noon"));
    let org = store
        .create_organisation(&cli, "Bench", OrgKind::Ngo, now)
        .await
        .expect("org");
    let email = format!("bench-{}@example.org", Uuid::now_v7().simple());
    let user = store
        .create_user(
            &cli,
            org.id,
            &email,
            "long enough password",
            &[Role::Distributor],
            now,
        )
        .await
        .expect("user");
    let clerk = Actor {
        user_id: user.id,
        organisation_id: org.id,
        roles: user.roles.clone(),
    };
    let mut items = Vec::new();
    for (name, rules) in [
        (
            "Hygiene kit",
            vec![rule(EntitlementBasis::PerPerson, 1, 30)],
        ),
        (
            "Food parcel",
            vec![rule(EntitlementBasis::PerHousehold, 1, 7)],
        ),
        (
            "Drinking water 5 L",
            vec![rule(EntitlementBasis::PerPerson, 2, 1)],
        ),
        (
            "Baby kit",
            vec![EntitlementRule {
                condition: Some(EntitlementCondition::ChildUnderMonths { months: 24 }),
                ..rule(EntitlementBasis::PerHousehold, 1, 30)
            }],
        ),
    ] {
        let input = ItemInput {
            name: Some(name.into()),
            unit: Some("unit".into()),
            code: None,
            rules,
            ..ItemInput::default()
        };
        items.push(
            store
                .create_item(&clerk, &validate_item(&input).expect("item"), now)
                .await
                .expect("item")
                .id,
        );
    }
    let point_input = PointInput {
        name: Some("Bench point".into()),
        ..PointInput::default()
    };
    let point = store
        .create_point(&clerk, &validate_point(&point_input).expect("point"), now)
        .await
        .expect("point")
        .id;
    for item in &items {
        let receipt = MovementInput {
            item_id: Some(*item),
            quantity: Some(1_000_000),
            ..MovementInput::default()
        };
        store
            .record_movement(
                &clerk,
                point,
                &validate_movement(&receipt, MovementRoute::Receipt).expect("receipt"),
                now,
            )
            .await
            .expect("receipt");
    }
    let plan = Plan {
        persons,
        distributions,
        org: org.id,
        user: user.id,
        point,
        items: items.clone(),
        today: now.date_naive(),
    };
    eprintln!(
        "seeding {persons} persons, {distributions} past distributions into {} (load average {})",
        store.backend_name(),
        load_average()
    );
    if url.starts_with("sqlite:") {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .expect("seed connection");
        sqlx::query("PRAGMA synchronous = OFF")
            .execute(&pool)
            .await
            .expect("pragma");
        seed!(&pool, &plan, sqlx::Sqlite);
        pool.close().await;
    } else {
        if let Err(e) = seed_postgres(&url, &plan).await {
            eprintln!("seeding PostgreSQL failed: {e}");
            std::process::exit(1);
        }
    }

    // Measure: one distribution at a time to a random household, a food parcel and a
    // hygiene kit per member, with an override reason so that households already served
    // are recorded too (the check runs in full either way).
    let load = load_average();
    eprintln!(
        "measuring from {} UTC, load average {load}",
        Utc::now().format("%Y-%m-%d %H:%M:%S")
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut timings = Vec::with_capacity(measured);
    let mut over = 0;
    for _ in 0..measured {
        let h = rng.random_range(0..plan.households());
        let input = DistributionInput {
            household_id: Some(household_id(h)),
            point_id: Some(point),
            lines: vec![
                LineInput {
                    item_id: Some(items[1]),
                    quantity: Some(1),
                    person_ids: None,
                },
                LineInput {
                    item_id: Some(items[0]),
                    quantity: Some(plan.size(h).max(1) as u32),
                    person_ids: None,
                },
            ],
            override_reason: Some("benchmark".into()),
        };
        let request = validate_distribution(&input).expect("valid");
        let started = Instant::now();
        let outcome = store
            .record_distribution(&clerk, &request, None, now)
            .await
            .expect("record");
        timings.push(started.elapsed().as_secs_f64() * 1000.0);
        if let shanyrak_store::DistributionOutcome::Recorded(r) = outcome
            && r.overridden
        {
            over += 1;
        }
    }
    let mut checks = Vec::with_capacity(measured / 4);
    for _ in 0..measured / 4 {
        let h = rng.random_range(0..plan.households());
        let started = Instant::now();
        store
            .entitlements(&clerk, household_id(h), now)
            .await
            .expect("entitlements");
        checks.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    timings.sort_by(f64::total_cmp);
    checks.sort_by(f64::total_cmp);
    println!(
        "{} | {persons} persons | {distributions} past | record n={measured}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({over} over entitlement) | entitlement check n={}: p50 {:.2} ms, p99 {:.2} ms | load average at start {load}",
        store.backend_name(),
        percentile(&timings, 0.50),
        percentile(&timings, 0.95),
        percentile(&timings, 0.99),
        timings.last().copied().unwrap_or_default(),
        checks.len(),
        percentile(&checks, 0.50),
        percentile(&checks, 0.99),
    );
    store.close().await;
}
