//! Time to protect one public release (people by city × group, by age band × sex, beds by
//! city) and to check it with the attacker, at a realistic size.
//!
//! `cargo run --release -p shanyrak-core --example disclosure_bench -- [cities] [seed] [--exact]`
//!
//! With `--exact`, also both bounds of every suppressed entry by linear programming (what
//! the tests do; minutes at 500 cities), as an independent confirmation of the check.
//!
//! City sizes are log-uniform from 1 to 3,000 people (500 cities hold about 190,000, the
//! scale of autumn 2022), split over the four groups at about 60/20/15/5 per cent; seven
//! cities in ten have beds, about a third as many as people, some full.

use std::time::Instant;

use shanyrak_core::disclosure::{
    CountTable, Entry, Link, Margins, PublishedTable, ReleaseTable, TableEntry, attacker,
    protect_release,
};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// How many of `n` fall in a share `p` (binomial, drawn one by one for small `n`).
    fn share(&mut self, n: u64, p: f64) -> u64 {
        if n < 200 {
            (0..n).filter(|_| self.unit() < p).count() as u64
        } else {
            let jitter = (self.unit() - 0.5) * 0.1;
            ((n as f64) * (p + jitter * p)).round().clamp(0.0, n as f64) as u64
        }
    }
}

fn release(cities: usize, seed: u64) -> ([ReleaseTable; 3], [Link; 1]) {
    let mut rng = Rng(seed.max(1));
    let names: Vec<String> = (0..cities).map(|i| format!("KZ/City {i:03}")).collect();
    let mut by_group = Vec::with_capacity(cities);
    let mut beds = Vec::with_capacity(cities);
    let mut bed_cities = Vec::new();
    for name in &names {
        let size = (3000f64.powf(rng.unit())).floor() as u64;
        let arrival = rng.share(size, 0.6);
        let idp = rng.share(size - arrival, 0.5);
        let returnee = rng.share(size - arrival - idp, 0.75);
        by_group.push(vec![
            arrival,
            idp,
            returnee,
            size - arrival - idp - returnee,
        ]);
        if rng.unit() < 0.7 {
            let capacity = (size as f64 * (0.1 + 0.5 * rng.unit())).round() as u64 + 1;
            let busy = rng.unit();
            let in_use = rng.share(capacity, busy);
            beds.push(vec![in_use, capacity - in_use]);
            bed_cities.push(name.clone());
        }
    }
    let total: u64 = by_group.iter().flatten().sum();
    let shares = [
        [0.05, 0.05, 0.002],
        [0.07, 0.07, 0.003],
        [0.05, 0.05, 0.002],
        [0.3, 0.0, 0.006],
        [0.05, 0.09, 0.0],
    ];
    // Men of 18–59 take what the other cells leave.
    let mut by_age: Vec<Vec<u64>> = shares
        .iter()
        .map(|row| row.iter().map(|p| rng.share(total, *p)).collect())
        .collect();
    by_age[3][1] = 0;
    let others: u64 = by_age.iter().flatten().sum();
    by_age[3][1] = total.saturating_sub(others);
    let tables = [
        ReleaseTable::of_people(
            CountTable {
                rows: names,
                columns: ["arrival", "idp", "returnee", "host_community"]
                    .map(String::from)
                    .to_vec(),
                cells: by_group,
            },
            Margins::Full,
        ),
        ReleaseTable::of_people(
            CountTable {
                rows: ["0-4", "5-11", "12-17", "18-59", "60+"]
                    .map(String::from)
                    .to_vec(),
                columns: ["female", "male", "unknown"].map(String::from).to_vec(),
                cells: by_age,
            },
            Margins::Full,
        ),
        ReleaseTable {
            counts: CountTable {
                rows: bed_cities,
                columns: vec!["in_use".into(), "free".into()],
                cells: beds,
            },
            margins: Margins::RowTotals,
            people_columns: vec![true, false],
        },
    ];
    let links = [Link(
        TableEntry {
            table: 0,
            entry: Entry::Total,
        },
        TableEntry {
            table: 1,
            entry: Entry::Total,
        },
    )];
    (tables, links)
}

fn main() {
    let exact = std::env::args().any(|a| a == "--exact");
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let cities: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2022);
    let threshold = 5;
    let (tables, links) = release(cities, seed);
    let people: u64 = tables[0].counts.cells.iter().flatten().sum();
    let started = Instant::now();
    let protected = match protect_release(&tables, &links, threshold) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("not protected: {e}");
            std::process::exit(1);
        }
    };
    let protect_ms = started.elapsed().as_secs_f64() * 1000.0;
    let published: Vec<PublishedTable> = tables
        .iter()
        .zip(&protected)
        .map(|(t, p)| PublishedTable {
            table: p.clone(),
            margins: t.margins,
        })
        .collect();
    let started = Instant::now();
    let narrow = attacker::narrow(&published, &links, threshold).map(|n| n.len());
    let check_ms = started.elapsed().as_secs_f64() * 1000.0;
    let exact = exact.then(|| {
        let started = Instant::now();
        let intervals = attacker::intervals(&published, &links);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match intervals {
            Ok(list) => format!(
                "; exact intervals of all {ms:.0} ms, narrowest {:?}",
                list.iter().filter_map(|i| i.width()).min()
            ),
            Err(e) => format!("; exact intervals failed: {e}"),
        }
    });
    let suppressed: usize = published
        .iter()
        .map(|p| {
            let t = &p.table;
            t.cells.iter().flatten().filter(|v| v.is_none()).count()
                + t.row_totals.iter().filter(|v| v.is_none()).count()
                + t.column_totals.iter().filter(|v| v.is_none()).count()
                + usize::from(p.margins == Margins::Full && t.total.is_none())
        })
        .sum();
    let primary: usize = tables
        .iter()
        .map(|t| {
            t.counts
                .cells
                .iter()
                .flatten()
                .filter(|v| **v > 0 && **v < threshold)
                .count()
        })
        .sum();
    println!(
        "cities {cities}, people {people}, seed {seed}, threshold {threshold}: \
         protect_release {protect_ms:.0} ms (includes its own check); \
         suppressed entries {suppressed} (cells below the threshold {primary}); \
         attacker check alone {check_ms:.0} ms, narrow {narrow:?}{}",
        exact.unwrap_or_default()
    );
}
