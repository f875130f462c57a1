//! Times the phases of a batch run on generated data.
//!
//! `cargo run --release --example profile -- 1000000 [max_block_size]`

use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use shanyrak_linkage::batch::fit_model;
use shanyrak_linkage::block::{BlockingOptions, blocking_quality, candidate_pairs};
use shanyrak_linkage::cluster::{ClusterOptions, cluster};
use shanyrak_linkage::compare::compare;
use shanyrak_linkage::generate::{GeneratorConfig, generate};
use shanyrak_linkage::model::{EmOptions, Model, random_u};
use shanyrak_linkage::prepare::PreparedSet;

/// CPU time of this thread so far, from /proc (wall time is meaningless on a shared box).
fn cpu() -> std::time::Duration {
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0);
    std::time::Duration::from_nanos(ns)
}

struct Timer(Instant, std::time::Duration);

impl Timer {
    fn now() -> Self {
        Timer(Instant::now(), cpu())
    }
    fn elapsed(&self) -> String {
        format!("wall {:.2?} cpu {:.2?}", self.0.elapsed(), cpu() - self.1)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let max_block: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let data = generate(
        &mut ChaCha8Rng::seed_from_u64(42),
        &GeneratorConfig {
            records: n,
            ..GeneratorConfig::default()
        },
    );
    let records: Vec<_> = data.iter().map(|r| r.record.clone()).collect();
    let truth: Vec<u32> = data.iter().map(|r| r.person).collect();
    drop(data);
    let t = Timer::now();
    let set = PreparedSet::new(&records);
    println!("prepare {:?} ({} strings)", t.elapsed(), set.strings.len());
    println!("cache sizes {:?}", set.cache.sizes());
    if std::env::var("PREPARE_ONLY").is_ok() {
        return;
    }
    let t = Timer::now();
    let (pairs, stats) = candidate_pairs(
        &set,
        BlockingOptions {
            max_block_size: max_block,
        },
        None,
    );
    println!("block {:?} {stats:?}", t.elapsed());
    println!("{:?}", blocking_quality(&pairs, &truth));
    let t = Timer::now();
    let mut acc = 0u64;
    for &(a, b) in &pairs {
        acc += u64::from(
            compare(&set, &set.records[a as usize], &set.records[b as usize]).pattern() & 1,
        );
    }
    println!("compare all {:?} ({acc})", t.elapsed());
    let t = Timer::now();
    let _ = random_u(&set, 200_000);
    println!("random u {}", t.elapsed());
    let t = Timer::now();
    let Ok((model, _)) = fit_model(
        &set,
        &pairs,
        &Model::default(),
        EmOptions::default(),
        200_000,
    ) else {
        return;
    };
    println!("fit (compare + EM + random u) {}", t.elapsed());
    let t = Timer::now();
    let edges: Vec<(u32, u32, f64)> = pairs
        .iter()
        .filter_map(|&(a, b)| {
            let c = compare(&set, &set.records[a as usize], &set.records[b as usize]);
            let p = model.probability(&c, &set.tf);
            (p >= model.thresholds.review).then_some((a, b, p))
        })
        .collect();
    println!("score {:?} ({} edges)", t.elapsed(), edges.len());
    let t = Timer::now();
    let mut calls = 0u64;
    let clusters = cluster(set.len(), &edges, ClusterOptions::default(), |a, b| {
        calls += 1;
        let c = compare(&set, &set.records[a as usize], &set.records[b as usize]);
        model.merge_evidence(&c, &set.tf)
    });
    println!(
        "cluster {:?} ({calls} callback calls, {} clusters)",
        t.elapsed(),
        clusters.iter().max().unwrap_or(&0)
    );
}
