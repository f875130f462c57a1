//! Online duplicate lookup latency: index N generated records, then query held-out
//! registrations and report p50/p99 latency and how often the true person is found.
//!
//! `cargo run --release --example online -- 1000000`

use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use shanyrak_linkage::generate::{GeneratorConfig, generate};
use shanyrak_linkage::{BatchOptions, LinkageIndex, dedup};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let queries = 5_000;
    let data = generate(
        &mut ChaCha8Rng::seed_from_u64(7),
        &GeneratorConfig {
            records: n + queries,
            ..GeneratorConfig::default()
        },
    );
    let (indexed, held_out) = data.split_at(n);
    // Learn the model once from a sample, as the server would from its database.
    let sample: Vec<_> = indexed
        .iter()
        .take(100_000)
        .map(|r| r.record.clone())
        .collect();
    let model = match dedup(&sample, &BatchOptions::default()) {
        Ok(r) => r.model,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    let t = Instant::now();
    let mut index = LinkageIndex::new(model);
    for r in indexed {
        if let Err(e) = index.insert(&r.record) {
            eprintln!("{e}");
            return;
        }
    }
    let insert_s = t.elapsed().as_secs_f64();
    println!("indexed {} records in {:?}", index.len(), t.elapsed());
    let person_of: std::collections::HashMap<&str, u32> = indexed
        .iter()
        .map(|r| (r.record.record_id.as_str(), r.person))
        .collect();
    let known: std::collections::HashSet<u32> = indexed.iter().map(|r| r.person).collect();
    let mut latencies = Vec::with_capacity(queries);
    let (mut asked, mut found, mut false_best) = (0, 0, 0);
    for q in held_out {
        let mut record = q.record.clone();
        record.record_id = format!("q{}", record.record_id);
        let t = Instant::now();
        let hits = index.query(&record, 5);
        latencies.push(t.elapsed());
        if known.contains(&q.person) {
            asked += 1;
            if hits
                .first()
                .is_some_and(|h| person_of.get(h.record_id.as_str()) == Some(&q.person))
            {
                found += 1;
            }
        } else if !hits.is_empty() && hits[0].probability >= index.model().thresholds.link {
            false_best += 1;
        }
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize];
    println!(
        "{} queries: p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        pct(0.5),
        pct(0.99),
        latencies.last()
    );
    println!(
        "known persons found first: {found}/{asked}; unknown persons given a link: {false_best}"
    );
    println!(
        "{{\"indexed\":{},\"persons_indexed\":{},\"insert_s\":{:.3},\"queries\":{},\"p50_us\":{:.1},\"p99_us\":{:.1},\"max_us\":{:.1},\"found_first\":{found},\"asked\":{asked},\"unknown_linked\":{false_best}}}",
        index.len(),
        known.len(),
        insert_s,
        latencies.len(),
        pct(0.5).as_secs_f64() * 1e6,
        pct(0.99).as_secs_f64() * 1e6,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e6),
    );
}
