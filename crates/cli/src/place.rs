//! `shanyrak place`: the nightly placement run from the command line, over every
//! organisation's waiting list; with `--dry-run` it only writes the proposals.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::Utc;
use shanyrak_server::dispatch::{self, DecisionInput, Plan, ProposalSettings};
use shanyrak_store::{Principal, SiteView, Store, WaitingHousehold};

use crate::sheet;

const HEADER: [&str; 16] = [
    "status",
    "household_id",
    "reference",
    "city",
    "people",
    "site_id",
    "site_name",
    "site_city",
    "pools",
    "arrangement",
    "in_preferred_city",
    "travel_km",
    "effective_priority",
    "reason",
    "waiting_days",
    // Where `travel_km` is measured from: `current_position`, `preferred_city` or `unknown`.
    "travel_from",
];

fn snake(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// One CSV row per waiting household: where it is proposed to sleep, or why not. Cities
/// and site names are as typed, so every cell goes through `sheet::Csv`.
fn write_csv(plan: &Plan, out: impl Write) -> Result<()> {
    let mut writer = sheet::Csv::new(out);
    writer.text_row(HEADER)?;
    // Joined back to their records by id through maps: a national run has 100,000
    // households and thousands of sites.
    let waiting_by_id: HashMap<String, &WaitingHousehold> = plan
        .waiting
        .iter()
        .map(|w| (w.household_id.to_string(), w))
        .collect();
    let sites_by_id: HashMap<String, &SiteView> = plan
        .sites
        .iter()
        .map(|s| (s.site.id.to_string(), s))
        .collect();
    let waiting = |id: &str| waiting_by_id.get(id).copied();
    for p in &plan.solution.proposals {
        let w = waiting(&p.household_id);
        let site = sites_by_id.get(&p.site_id).copied();
        let pools: Vec<String> = p
            .pools
            .iter()
            .map(|u| format!("{}:{}m/{}w/{}c", u.pool_id, u.men, u.women, u.children))
            .collect();
        writer
            .text("proposed")
            .text(&p.household_id)
            .text(&w.map(|w| w.reference.to_string()).unwrap_or_default())
            .text(w.map(|w| w.city.as_str()).unwrap_or_default())
            .number(p.people)
            .text(&p.site_id)
            .text(
                site.map(|s| s.site.details.name.as_str())
                    .unwrap_or_default(),
            )
            .text(
                site.map(|s| s.site.details.location.city.as_str())
                    .unwrap_or_default(),
            )
            .text(&pools.join(";"))
            .text(&snake(&p.reason.arrangement))
            .text(&p.reason.in_preferred_city.to_string())
            .decimal(p.reason.travel_km, 0)
            .decimal(p.reason.effective_priority, 2)
            .text(&snake(&p.reason.choice));
        match w {
            Some(w) => writer.number(w.waiting_days),
            None => writer.text(""),
        };
        writer.text(&snake(&p.reason.travel_from));
        writer.end_row()?;
    }
    for u in &plan.solution.unplaced {
        let w = waiting(&u.household_id);
        writer
            .text("unplaced")
            .text(&u.household_id)
            .text(&w.map(|w| w.reference.to_string()).unwrap_or_default())
            .text(w.map(|w| w.city.as_str()).unwrap_or_default())
            .number(u.people);
        for _ in 0..7 {
            writer.text("");
        }
        writer
            .decimal(u.effective_priority, 2)
            .text(&snake(&u.reason));
        match w {
            Some(w) => writer.number(w.waiting_days),
            None => writer.text(""),
        };
        writer.text("");
        writer.end_row()?;
    }
    writer.into_inner()?;
    Ok(())
}

#[derive(Debug)]
pub struct PlaceArgs {
    pub city: Option<String>,
    pub dry_run: bool,
    pub out: Option<PathBuf>,
    pub max_travel_km: Option<f64>,
    pub reservation_hours: Option<i64>,
}

pub async fn run(store: &Store, args: PlaceArgs) -> Result<()> {
    let by = Principal::System("cli");
    let settings = ProposalSettings {
        city: args.city.clone(),
        max_travel_km: args.max_travel_km,
        max_batch_share: None,
    };
    let now = Utc::now();
    let started = Instant::now();
    let plan = dispatch::plan(store, &by, &settings, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let elapsed = started.elapsed();
    match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("could not write {}", path.display()))?;
            write_csv(&plan, std::io::BufWriter::new(file))?;
        }
        None => write_csv(&plan, std::io::stdout().lock())?,
    }
    let stats = &plan.solution.stats;
    eprintln!(
        "{} households waiting ({} people); proposed beds for {} households ({} people), {} left waiting; \
         priority-weighted coverage {:.1}%, gap to the bound {}; solved in {} ms",
        stats.households,
        stats.people,
        stats.placed_households,
        stats.placed_people,
        plan.solution.unplaced.len(),
        stats.weighted_coverage * 100.0,
        stats
            .gap
            .map(|g| format!("{:.2}%", g * 100.0))
            .unwrap_or_else(|| "n/a".into()),
        elapsed.as_millis()
    );
    if args.dry_run {
        eprintln!("dry run: nothing reserved");
        return Ok(());
    }
    let batch = dispatch::record(store, &by, &plan, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let decisions = DecisionInput {
        accept_all: true,
        reservation_hours: args.reservation_hours,
        ..DecisionInput::default()
    };
    let results = dispatch::decide(store, &by, batch.id, &decisions, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let accepted = results.iter().filter(|r| r.outcome == "accepted").count();
    eprintln!(
        "batch {}: {accepted} households reserved, {} could not be (see the batch's decisions)",
        batch.id,
        results.len() - accepted
    );
    Ok(())
}
