//! Random but realistic placement problems, seeded so every run sees the same instance.
//! Shared by the integration tests and the benchmark (`examples/placement_bench.rs`) through `#[path]`.
//!
//! The shape follows autumn 2022: most arrivals are single men, some couples and families
//! with children, a few fathers alone with their children and large families; border
//! cities and the large cities get most of them, and some still wait at a border post;
//! beds are in sports halls, mosques (sex-segregated), cinemas, hostels, hotels, student
//! dormitories (sex-segregated, with family rooms), workers' dormitories and host families,
//! and there are fewer beds than people.

#![allow(dead_code)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shanyrak_placement::{
    BedPool, Coordinates, HouseRules, Household, PoolKind, Problem, Site, StepFreeNeeds,
};

/// Real cities of the 2022 influx, with rough coordinates and a share of arrivals.
const CITIES: &[(&str, f64, f64, f64)] = &[
    ("Almaty", 43.24, 76.89, 10.0),
    ("Astana", 51.17, 71.45, 6.0),
    ("Oral", 51.23, 51.37, 8.0),
    ("Petropavl", 54.87, 69.15, 6.0),
    ("Kostanay", 53.21, 63.63, 6.0),
    ("Bishkek", 42.87, 74.59, 8.0),
    ("Aktobe", 50.28, 57.17, 4.0),
    ("Pavlodar", 52.29, 76.97, 3.0),
    ("Oskemen", 49.95, 82.61, 3.0),
    ("Semey", 50.41, 80.25, 3.0),
    ("Karaganda", 49.81, 73.09, 3.0),
    ("Shymkent", 42.32, 69.59, 2.0),
    ("Atyrau", 47.10, 51.92, 2.0),
    ("Osh", 40.51, 72.80, 2.0),
    ("Kokshetau", 53.28, 69.40, 1.5),
    ("Taraz", 42.90, 71.37, 1.0),
];

/// Knobs of a generated instance.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub households: usize,
    pub sites: usize,
    pub cities: usize,
    /// People waiting per free bed.
    pub pressure: f64,
    pub seed: u64,
}

impl Shape {
    pub fn new(households: usize, sites: usize, seed: u64) -> Shape {
        let cities = (sites / 120).clamp(3, 48);
        Shape {
            households,
            sites,
            cities,
            pressure: 1.15,
            seed,
        }
    }
}

/// Border posts where people waited in 2022 (rough coordinates), and the cities they lead to.
const BORDER_POSTS: &[(&str, f64, f64, &[&str])] = &[
    ("Syrym", 50.87, 51.93, &["Oral", "Atyrau"]),
    ("Zhaisan", 50.63, 56.98, &["Aktobe"]),
    ("Kairak", 53.97, 64.48, &["Kostanay"]),
    (
        "Karakoga",
        54.55,
        69.62,
        &["Petropavl", "Kokshetau", "Astana"],
    ),
    ("Auyl", 51.32, 80.15, &["Semey", "Oskemen", "Pavlodar"]),
    ("Korday", 43.05, 74.70, &["Bishkek", "Almaty"]),
];

/// Where a household heading for `city` may be waiting: the border post that leads there
/// (or the nearest one), a little off its centre.
fn border_post_for(city: &str, lat: f64, lon: f64, rng: &mut ChaCha8Rng) -> Coordinates {
    let post = BORDER_POSTS
        .iter()
        .find(|p| p.3.contains(&city))
        .or_else(|| {
            BORDER_POSTS.iter().min_by(|a, b| {
                let d = |p: &&(&str, f64, f64, &[&str])| (p.1 - lat).powi(2) + (p.2 - lon).powi(2);
                d(a).total_cmp(&d(b))
            })
        })
        .map_or((lat, lon), |p| (p.1, p.2));
    Coordinates {
        lat: post.0 + rng.random_range(-0.01..0.01),
        lon: post.1 + rng.random_range(-0.01..0.01),
    }
}

fn city(i: usize) -> (String, f64, f64, f64) {
    match CITIES.get(i) {
        Some(&(n, lat, lon, w)) => (n.to_owned(), lat, lon, w),
        None => {
            // Smaller towns spread over the steppe.
            let lat = 41.0 + ((i * 37) % 130) as f64 / 10.0;
            let lon = 50.0 + ((i * 53) % 330) as f64 / 10.0;
            (format!("Town-{i}"), lat, lon, 0.8)
        }
    }
}

fn pick_weighted(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// Households only, e.g. new arrivals joining an existing problem; ids start at `first_id`.
pub fn households(shape: Shape, count: usize, first_id: usize, seed: u64) -> Vec<Household> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weights: Vec<f64> = (0..shape.cities).map(|i| city(i).3).collect();
    (0..count)
        .map(|i| {
            let c = pick_weighted(&mut rng, &weights);
            let kind = rng.random::<f64>();
            let (men, women, children) = if kind < 0.66 {
                (1, 0, 0)
            } else if kind < 0.72 {
                (0, 1, 0)
            } else if kind < 0.78 {
                (2, 0, 0)
            } else if kind < 0.86 {
                (1, 1, 0)
            } else if kind < 0.93 {
                (1, 1, rng.random_range(1..=3))
            } else if kind < 0.95 {
                (0, 1, rng.random_range(1..=3))
            } else if kind < 0.97 {
                // A father alone with his children.
                (1, 0, rng.random_range(1..=3))
            } else if kind < 0.985 {
                (
                    rng.random_range(1..=2),
                    rng.random_range(1..=2),
                    rng.random_range(0..=4),
                )
            } else {
                // A large family: grandparents, parents and children.
                (
                    rng.random_range(2..=3),
                    rng.random_range(2..=3),
                    rng.random_range(3..=6),
                )
            };
            let mut sf = StepFreeNeeds::default();
            if rng.random::<f64>() < 0.03 {
                if women > 0 && rng.random::<bool>() {
                    sf.women = 1;
                } else if men > 0 {
                    sf.men = 1;
                } else {
                    sf.women = 1;
                }
            }
            let mut priority = 1.0;
            if children > 0 {
                priority += 0.5;
            }
            if sf != StepFreeNeeds::default() {
                priority += 1.0;
            }
            if men == 0 && children > 0 {
                priority += 0.7;
            }
            if rng.random::<f64>() < 0.05 {
                priority += 1.0; // medical or protection risk
            }
            let (name, lat, lon, _) = city(c);
            let current_position = if rng.random::<f64>() < 0.15 {
                Some(border_post_for(&name, lat, lon, &mut rng))
            } else {
                None
            };
            let size = men + women + children;
            Household {
                id: format!("h{}", first_id + i),
                men,
                women,
                children,
                step_free: sf,
                priority,
                waiting_days: rng.random_range(0..=7),
                preferred_city: name,
                current_position,
                accepts_sex_separation: rng.random::<f64>() < 0.6,
                accepts_several_rooms: size > 2 && rng.random::<f64>() < 0.7,
                nights_needed: (rng.random::<f64>() < 0.3).then(|| rng.random_range(3..=30)),
            }
        })
        .collect()
}

fn rules(segregated: bool, children: bool, max_nights: Option<u32>) -> HouseRules {
    HouseRules {
        sex_segregated: segregated,
        children_allowed: children,
        max_nights,
    }
}

fn pool(
    id: &str,
    kind: PoolKind,
    beds: i64,
    step_free_share: f64,
    rng: &mut ChaCha8Rng,
) -> BedPool {
    let sf = if step_free_share > 0.0 {
        ((beds as f64) * step_free_share * rng.random::<f64>() * 2.0).round() as i64
    } else {
        0
    };
    BedPool {
        id: id.to_owned(),
        kind,
        free_beds: beds,
        free_step_free_beds: sf.min(beds),
    }
}

/// Sites only; bed totals are scaled so that `shape.pressure` people wait per bed.
pub fn sites(shape: Shape, people: f64) -> Vec<Site> {
    let mut rng = ChaCha8Rng::seed_from_u64(shape.seed ^ 0x5eed);
    let weights: Vec<f64> = (0..shape.cities).map(|i| city(i).3).collect();
    let mut out = Vec::with_capacity(shape.sites);
    for i in 0..shape.sites {
        let c = pick_weighted(&mut rng, &weights);
        let (name, lat, lon, _) = city(c);
        let coordinates = Some(Coordinates {
            lat: lat + rng.random_range(-0.05..0.05),
            lon: lon + rng.random_range(-0.05..0.05),
        });
        let kind = rng.random::<f64>();
        let mut intake = None;
        let (rules, pools) = if kind < 0.18 {
            // Sports hall: men's and women's sides, often step-free.
            let b = rng.random_range(40..=250);
            if rng.random::<f64>() < 0.5 {
                intake = Some(b / 2);
            }
            (
                rules(false, true, Some(30)),
                vec![
                    pool("hall-m", PoolKind::MaleDorm, b * 3 / 5, 0.1, &mut rng),
                    pool("hall-f", PoolKind::FemaleDorm, b * 2 / 5, 0.1, &mut rng),
                ],
            )
        } else if kind < 0.32 {
            // Mosque: sex-segregated.
            let b = rng.random_range(20..=150);
            (
                rules(true, rng.random::<f64>() < 0.6, Some(14)),
                vec![
                    pool("prayer-hall", PoolKind::MaleDorm, b * 3 / 4, 0.0, &mut rng),
                    pool("women-hall", PoolKind::FemaleDorm, b / 4, 0.0, &mut rng),
                ],
            )
        } else if kind < 0.42 {
            // Cinema: one mixed room.
            let b = rng.random_range(30..=200);
            (
                rules(false, true, Some(10)),
                vec![pool("auditorium", PoolKind::Mixed, b, 0.05, &mut rng)],
            )
        } else if kind < 0.62 {
            // Hostel: dorms and a few family rooms.
            let b = rng.random_range(10..=60);
            let rooms = rng.random_range(0..=6);
            (
                rules(false, true, None),
                vec![
                    pool("dorm-m", PoolKind::MaleDorm, b / 2, 0.02, &mut rng),
                    pool("dorm-f", PoolKind::FemaleDorm, b / 4, 0.02, &mut rng),
                    pool("dorm-x", PoolKind::Mixed, b / 4, 0.02, &mut rng),
                    pool(
                        "fam-4",
                        PoolKind::FamilyRoom { room_size: 4 },
                        rooms * 4,
                        0.1,
                        &mut rng,
                    ),
                ],
            )
        } else if kind < 0.68 {
            // Student dormitory: sex-segregated floors, and family rooms for married students.
            let b = rng.random_range(20..=100);
            let rooms = rng.random_range(1..=8);
            (
                rules(true, true, Some(30)),
                vec![
                    pool("floor-m", PoolKind::MaleDorm, b / 2, 0.02, &mut rng),
                    pool("floor-f", PoolKind::FemaleDorm, b / 2, 0.02, &mut rng),
                    pool(
                        "family-3",
                        PoolKind::FamilyRoom { room_size: 3 },
                        rooms * 3,
                        0.1,
                        &mut rng,
                    ),
                ],
            )
        } else if kind < 0.74 {
            // Hotel: rooms of two and four.
            let r2 = rng.random_range(2..=20);
            let r4 = rng.random_range(0..=10);
            (
                rules(false, true, None),
                vec![
                    pool(
                        "double",
                        PoolKind::FamilyRoom { room_size: 2 },
                        r2 * 2,
                        0.1,
                        &mut rng,
                    ),
                    pool(
                        "quad",
                        PoolKind::FamilyRoom { room_size: 4 },
                        r4 * 4,
                        0.1,
                        &mut rng,
                    ),
                ],
            )
        } else if kind < 0.80 {
            // Workers' dormitory, men only.
            let b = rng.random_range(20..=120);
            (
                rules(true, false, Some(60)),
                vec![pool("block-a", PoolKind::MaleDorm, b, 0.0, &mut rng)],
            )
        } else {
            // Host family: one room.
            let size = rng.random_range(2..=6u16);
            (
                rules(false, true, Some(rng.random_range(7..=60))),
                vec![pool(
                    "room",
                    PoolKind::FamilyRoom { room_size: size },
                    i64::from(size),
                    0.05,
                    &mut rng,
                )],
            )
        };
        out.push(Site {
            id: format!("s{i}-{name}"),
            city: name,
            coordinates,
            rules,
            max_intake: intake.map(|b: i64| b.max(1) as u32),
            pools,
        });
    }
    // Scale dormitory beds so that the whole instance has the intended pressure.
    let beds: f64 = out
        .iter()
        .flat_map(|s| &s.pools)
        .map(|p| p.free_beds as f64)
        .sum();
    let factor = people / shape.pressure / beds.max(1.0);
    for s in &mut out {
        for p in &mut s.pools {
            if !matches!(p.kind, PoolKind::FamilyRoom { .. }) {
                let scaled = (p.free_beds as f64 * factor).round() as i64;
                p.free_step_free_beds =
                    ((p.free_step_free_beds as f64 * factor).round() as i64).min(scaled);
                p.free_beds = scaled;
            }
        }
        if let Some(m) = s.max_intake.as_mut() {
            *m = ((f64::from(*m) * factor).round() as u32).max(1);
        }
    }
    out
}

/// A whole problem of the given shape.
pub fn problem(shape: Shape) -> Problem {
    let households = households(shape, shape.households, 0, shape.seed);
    let people: f64 = households.iter().map(|h| f64::from(h.size())).sum();
    Problem {
        sites: sites(shape, people),
        households,
    }
}
