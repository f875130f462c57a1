//! Requests during heavy work: seeds a database with HOUSEHOLDS waiting households and SITES
//! shelters, serves it on a two-thread server (the machine's shape), and measures health
//! checks and registrations first on an idle server, then while a placement batch of every
//! waiting household is solved. Prints one Markdown table row per phase.
//!
//! `heavy_latency DATABASE_URL [HOUSEHOLDS] [SITES]` (see bench/heavy.sh)

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use chrono::Utc;
use serde_json::{Value, json};
use shanyrak_core::{OrgKind, Role};
use shanyrak_store::{Principal, Store, StoreOptions};

const CITIES: [&str; 6] = ["Oral", "Aktobe", "Atyrau", "Almaty", "Astana", "Bishkek"];

/// A birth date spread over decades, so that no date holds more than a few hundred people
/// (the duplicate look-up blocks on it, as on real registers).
fn born(i: usize, first_year: usize, years: usize) -> String {
    format!(
        "{}-{:02}-{:02}",
        first_year + (i / 336) % years,
        1 + i % 12,
        1 + (i / 12) % 28
    )
}

fn household(i: usize, city: &str) -> Value {
    let head = json!({"surname": format!("Иванов{i}"), "given_name": "Иван", "sex": "male",
        "birth_date": born(i, 1950, 50), "relationship": "head"});
    let spouse = json!({"surname": format!("Иванова{i}"), "given_name": "Анна", "sex": "female",
        "birth_date": born(i + 7, 1952, 50), "relationship": "spouse"});
    let child = json!({"surname": format!("Иванов{i}"), "given_name": "Пётр", "sex": "male",
        "birth_date": born(i + 3, 2008, 14), "relationship": "child"});
    let members = match i % 6 {
        0..=2 => vec![head],
        3 => vec![head, spouse],
        4 => vec![head, spouse, child.clone()],
        _ => vec![head, spouse, child.clone(), child],
    };
    json!({"group": "arrival", "arrival_date": "2022-09-27", "needs": ["shelter"],
        "location": {"country": "KZ", "city": city}, "legal_basis": "consent",
        "information_given": true, "members": members})
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn row(phase: &str, health: &mut [Duration], registrations: &mut [Duration], solve: &str) {
    health.sort();
    registrations.sort();
    println!(
        "| {phase} | {solve} | {} | {:.1} | {:.1} | {:.1} | {} | {:.1} | {:.1} |",
        health.len(),
        percentile(health, 0.5),
        percentile(health, 0.99),
        health.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
        registrations.len(),
        percentile(registrations, 0.5),
        percentile(registrations, 0.99),
    );
}

/// Health checks every 20 ms and a registration every 100 ms until `done` says stop.
async fn probe(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    done: impl Fn() -> bool,
) -> Result<(Vec<Duration>, Vec<Duration>)> {
    let mut health = Vec::new();
    let mut registrations = Vec::new();
    let mut n = 0usize;
    while !done() {
        let asked = Instant::now();
        let response = client.get(format!("{base}/healthz")).send().await?;
        if !response.status().is_success() {
            return Err(anyhow!("health check answered {}", response.status()));
        }
        health.push(asked.elapsed());
        if n.is_multiple_of(5) {
            let asked = Instant::now();
            let response = client
                .post(format!("{base}/api/v1/households"))
                .bearer_auth(token)
                .json(&household(1_000_000 + n, "Oral"))
                .send()
                .await?;
            if response.status().as_u16() != 201 {
                return Err(anyhow!("registration answered {}", response.status()));
            }
            registrations.push(asked.elapsed());
        }
        n += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok((health, registrations))
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args.next().context("DATABASE_URL")?;
    let households: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let sites: usize = args.next().map_or(Ok(5_000), |a| a.parse())?;

    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (base, token) = server.block_on(async {
        let store = Store::connect(&url, &StoreOptions::default()).await?;
        let system = Principal::System("bench");
        let now = Utc::now();
        let org = store
            .create_organisation(&system, "Кайнар", OrgKind::Ngo, now)
            .await?;
        store
            .create_user(
                &system,
                org.id,
                "dispatch@example.org",
                "a long enough password",
                &[Role::Registrar, Role::Admin],
                now,
            )
            .await?;
        let token = store
            .create_token(&system, "dispatch@example.org", None, now)
            .await?
            .secret;
        let actor = store
            .authenticate_token(&token, now)
            .await?
            .context("the bench user")?;
        let context = shanyrak_core::ValidationContext {
            today: now.date_naive(),
        };
        let started = Instant::now();
        for chunk in (0..households).collect::<Vec<_>>().chunks(5_000) {
            let mut batch = Vec::with_capacity(chunk.len());
            for &i in chunk {
                let input: shanyrak_core::HouseholdInput =
                    serde_json::from_value(household(i, CITIES[i % CITIES.len()]))?;
                let valid = shanyrak_core::household::validate(&input, &context)
                    .map_err(|e| anyhow!("generated household {i} invalid: {e:?}"))?;
                batch.push((valid, now));
            }
            store.create_households_bulk(&actor, &batch).await?;
        }
        for s in 0..sites {
            let input: shanyrak_core::shelter::SiteInput = serde_json::from_value(json!({
                "name": format!("Site {s}"), "kind": "sports_hall",
                "location": {"country": "KZ", "city": CITIES[s % CITIES.len()]}}))?;
            let site = shanyrak_core::shelter::validate_site(&input)
                .map_err(|e| anyhow!("generated site {s} invalid: {e:?}"))?;
            let view = store.create_site(&actor, &site, now).await?;
            let beds = 4 + (s * 7) % 23;
            for pool in [
                json!({"kind": "male_dorm", "beds": beds}),
                json!({"kind": "female_dorm", "beds": beds}),
                json!({"kind": "family_room", "room_size": 4, "beds": 4 * (1 + s % 3)}),
            ] {
                let input: shanyrak_core::shelter::BedPoolInput = serde_json::from_value(pool)?;
                let spec = shanyrak_core::shelter::validate_pool(&input, &site.rules)
                    .map_err(|e| anyhow!("generated pool invalid: {e:?}"))?;
                store.add_pool(&actor, view.site.id, &spec, now).await?;
            }
        }
        eprintln!(
            "seeded {households} households and {sites} sites in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let state = shanyrak_server::AppState::build(store).await?;
        tokio::spawn(shanyrak_server::serve(
            listener,
            state,
            std::future::pending(),
        ));
        anyhow::Ok((format!("http://{address}"), token))
    })?;

    // The client has a runtime of its own, so its timings are not the server's threads'.
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    client_runtime.block_on(async {
        let client = reqwest::Client::new();
        println!(
            "| phase | solve | health checks | health p50 ms | health p99 ms | health max ms | registrations | registration p50 ms | registration p99 ms |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        let idle_until = Instant::now() + Duration::from_secs(5);
        let (mut health, mut registrations) =
            probe(&client, &base, &token, || Instant::now() >= idle_until).await?;
        row("idle server", &mut health, &mut registrations, "none");

        let solve = {
            let client = client.clone();
            let url = format!("{base}/api/v1/placements");
            let token = token.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({}))
                    .send()
                    .await;
                (response.map(|r| r.status().as_u16()), started.elapsed())
            })
        };
        let (mut health, mut registrations) =
            probe(&client, &base, &token, || solve.is_finished()).await?;
        let (status, took) = solve.await?;
        let status = status?;
        row(
            &format!("during the placement of {households} households at {sites} sites"),
            &mut health,
            &mut registrations,
            &format!("{:.1} s (answered {status})", took.as_secs_f64()),
        );
        anyhow::Ok(())
    })?;
    server.shutdown_background();
    Ok(())
}
