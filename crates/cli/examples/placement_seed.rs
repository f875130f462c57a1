//! Fills an empty database with a national placement night: the placement benchmark's
//! generated instance (`crates/placement/tests/support/generate.rs`, same seed, so the same
//! households and sites as its "100k x 5k" row) turned into registered households waiting
//! for shelter and sites with bed pools, through the store's own bulk paths.
//!
//! ```text
//! cargo run --release -p shanyrak --example placement_seed -- DB_URL [HOUSEHOLDS] [SITES]
//! ```
//!
//! Then time `shanyrak place --db DB_URL` (`bench/place.sh` does both, on both backends).
//! Households come 1,000 to a transaction; SQLite commits without `fsync`, as the demo
//! does. What the generator has and the store cannot take: positions at a border post
//! (the store wants a place of its list; travel is then measured from the city) and
//! the nights a household needs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark's set-up: fail loudly

#[path = "../../placement/tests/support/generate.rs"]
mod generate;

use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Duration, Utc};
use shanyrak_core::household::validate;
use shanyrak_core::shelter::{
    BedPoolInput, Coordinates, HouseRules, PoolKind, SiteInput, SiteKind, validate_pool,
    validate_site,
};
use shanyrak_core::{
    Actor, HouseholdInput, LocationInput, MemberInput, Need, OrgKind, PopulationGroup,
    Relationship, Role, Sex, ValidationContext, Vulnerability,
};
use shanyrak_placement as placement;
use shanyrak_store::{Principal, Store, StoreOptions};

const BATCH: usize = 1_000;

fn member(relationship: Relationship, sex: Sex, birth: &str, index: usize) -> MemberInput {
    // Names are not what this measures; one spelling per place in the household.
    MemberInput {
        surname: Some("Петров".into()),
        given_name: Some(["Иван", "Мария", "Олег", "Анна", "Пётр", "Нина"][index % 6].into()),
        sex: Some(sex),
        birth_date: Some(birth.into()),
        relationship: Some(relationship),
        ..MemberInput::default()
    }
}

/// The generator's household as a registration: adult men, adult women, children; the
/// member needing a step-free bed is disabled; the priority's extra point is a medical need.
fn household_input(h: &placement::Household, today: chrono::NaiveDate) -> HouseholdInput {
    // Adult men, adult women, children (no one sex: girls and boys in turn): how many,
    // sex, birth, relationship after the head, how many of them need a step-free bed.
    let groups = [
        (
            h.men,
            Some(Sex::Male),
            "1985-04-01",
            Relationship::OtherRelative,
            h.step_free.men,
        ),
        (
            h.women,
            Some(Sex::Female),
            "1988-09-15",
            Relationship::Spouse,
            h.step_free.women,
        ),
        (
            h.children,
            None,
            "2015-06-01",
            Relationship::Child,
            h.step_free.children,
        ),
    ];
    let mut members: Vec<MemberInput> = Vec::new();
    for (count, sex, birth, relationship, step_free) in groups {
        for i in 0..count {
            let relationship = if members.is_empty() {
                Relationship::Head
            } else {
                relationship
            };
            let child = sex.is_none();
            let sex = sex.unwrap_or(if i % 2 == 0 { Sex::Female } else { Sex::Male });
            let mut m = member(relationship, sex, birth, members.len());
            if i < step_free {
                m.vulnerabilities.push(Vulnerability::Disability);
            }
            if child {
                m.vulnerabilities.push(Vulnerability::Child);
            }
            members.push(m);
        }
    }
    let extra = h.priority
        - 1.0
        - if h.children > 0 { 0.5 } else { 0.0 }
        - if h.step_free != placement::StepFreeNeeds::default() {
            1.0
        } else {
            0.0
        }
        - if h.men == 0 && h.children > 0 {
            0.7
        } else {
            0.0
        };
    if extra > 0.5
        && let Some(head) = members.first_mut()
    {
        head.vulnerabilities.push(Vulnerability::Medical);
    }
    HouseholdInput {
        group: Some(PopulationGroup::Arrival),
        arrival_date: Some((today - Duration::days(i64::from(h.waiting_days))).to_string()),
        location: Some(LocationInput {
            country: Some("KZ".into()),
            region: None,
            city: Some(h.preferred_city.clone()),
            place_id: None,
        }),
        needs: vec![Need::Shelter],
        accepts_sex_separation: Some(h.accepts_sex_separation),
        accepts_several_rooms: Some(h.accepts_several_rooms),
        members: Some(members),
        ..HouseholdInput::default()
    }
}

fn site_input(s: &placement::Site, n: usize) -> (SiteInput, HouseRules, Vec<BedPoolInput>) {
    let rules = HouseRules {
        sex_segregated: s.rules.sex_segregated,
        children_allowed: s.rules.children_allowed,
        max_nights: s.rules.max_nights,
        ..HouseRules::default()
    };
    let pools = s
        .pools
        .iter()
        .filter(|p| p.free_beds > 0)
        .map(|p| {
            let (kind, room_size) = match p.kind {
                placement::PoolKind::MaleDorm => (PoolKind::MaleDorm, None),
                placement::PoolKind::FemaleDorm => (PoolKind::FemaleDorm, None),
                placement::PoolKind::Mixed => (PoolKind::Mixed, None),
                placement::PoolKind::FamilyRoom { room_size } => {
                    (PoolKind::FamilyRoom, Some(u32::from(room_size)))
                }
            };
            BedPoolInput {
                kind: Some(kind),
                room_size,
                beds: Some(u32::try_from(p.free_beds).unwrap_or(u32::MAX)),
                step_free_beds: u32::try_from(p.free_step_free_beds).unwrap_or(0),
                ..BedPoolInput::default()
            }
        })
        .collect();
    let site = SiteInput {
        name: Some(format!("Пункт размещения № {}", n + 1)),
        kind: Some(SiteKind::Hostel),
        location: Some(LocationInput {
            country: Some("KZ".into()),
            region: None,
            city: Some(s.city.clone()),
            place_id: None,
        }),
        coordinates: s.coordinates.map(|c| Coordinates {
            latitude: c.lat,
            longitude: c.lon,
        }),
        rules: Some(rules.clone()),
        ..SiteInput::default()
    };
    (site, rules, pools)
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .context("usage: placement_seed DB_URL [HOUSEHOLDS] [SITES]")?;
    let households: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let sites: usize = args.next().map_or(Ok(5_000), |a| a.parse())?;
    let store = Store::connect(
        &url,
        &StoreOptions {
            durable_commits: false,
            ..StoreOptions::default()
        },
    )
    .await?;
    if store
        .table_counts()
        .await?
        .iter()
        .any(|(t, n)| *t == "households" && *n > 0)
    {
        bail!("the database already holds households; seed an empty one");
    }
    let now = Utc::now();
    let today = now.date_naive();
    let cli = Principal::System("bench");
    let org = store
        .create_organisation(&cli, "Кайнар", OrgKind::MutualAid, now)
        .await?;
    let user = store
        .create_user(
            &cli,
            org.id,
            "bench@example.org",
            "a long enough password",
            &[Role::Registrar, Role::SiteManager],
            now,
        )
        .await?;
    let actor = Actor {
        user_id: user.id,
        organisation_id: org.id,
        roles: user.roles,
    };
    // The benchmark's own shape: "100k x 5k" is seed 7.
    let shape = generate::Shape::new(households, sites, 7);
    let problem = generate::problem(shape);

    let started = Instant::now();
    let ctx = ValidationContext { today };
    for chunk in problem.households.chunks(BATCH) {
        let batch = chunk
            .iter()
            .map(|h| {
                validate(&household_input(h, today), &ctx)
                    .map(|v| (v, now))
                    .map_err(|e| anyhow!("generated household is invalid: {:?}", e.errors))
            })
            .collect::<Result<Vec<_>>>()?;
        store.create_households_bulk(&actor, &batch).await?;
    }
    let registered = started.elapsed();

    let started = Instant::now();
    let mut pools = 0;
    for (n, s) in problem.sites.iter().enumerate() {
        let (site, rules, inputs) = site_input(s, n);
        let site = validate_site(&site).map_err(|e| anyhow!("site invalid: {:?}", e.errors))?;
        let view = store.create_site(&actor, &site, now).await?;
        for input in inputs {
            let spec = validate_pool(&input, &rules)
                .map_err(|e| anyhow!("pool invalid: {:?}", e.errors))?;
            store.add_pool(&actor, view.site.id, &spec, now).await?;
            pools += 1;
        }
    }
    let sited = started.elapsed();
    store.close().await;
    eprintln!(
        "seeded {} households ({} people) in {:.1} s, {} sites with {pools} pools in {:.1} s",
        problem.households.len(),
        problem.households.iter().map(|h| h.size()).sum::<u32>(),
        registered.as_secs_f64(),
        problem.sites.len(),
        sited.as_secs_f64()
    );
    Ok(())
}
