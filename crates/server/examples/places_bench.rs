//! How long the place list takes to read and index, and a search to answer.
//!
//! `cargo run --release -p shanyrak-server --example places_bench`
//! Prints one Markdown table row per step (median of several runs); docs/BENCHMARKS.md
//! keeps the results.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop

use std::time::{Duration, Instant};

use shanyrak_core::places::{PlaceIndex, PlaceList, fold_name};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let list = PlaceList::embedded().expect("the place list");
    let core_index = PlaceIndex::new(list.clone(), fold_name);
    let server_index = shanyrak_server::places::build_index().expect("the place list");
    println!(
        "places: {}, names and later words indexed: {} (core folding), {} (server folding)",
        list.places().len(),
        core_index.len(),
        server_index.len()
    );
    println!("| step | median |");
    println!("|---|---:|");
    let row = |step: &str, d: Duration| println!("| {step} | {:.2} ms |", d.as_secs_f64() * 1e3);
    row(
        "read the compiled-in list",
        time(20, || PlaceList::embedded().unwrap()),
    );
    row(
        "index with core's folding",
        time(20, || PlaceIndex::new(list.clone(), fold_name)),
    );
    row(
        "index with linkage's canonical folding (the server's)",
        time(20, || shanyrak_server::places::build_index().unwrap()),
    );
    let queries = [
        "Урал",
        "Oral",
        "Алма-Ата",
        "bish",
        "Ақтө",
        "Karaghandy",
        "К",
        "Сырым",
    ];
    let per_query = time(200, || {
        for q in queries {
            std::hint::black_box(server_index.search(q, 10));
        }
    }) / queries.len() as u32;
    println!(
        "| one search, server index (mean of {} typical queries) | {:.1} µs |",
        queries.len(),
        per_query.as_secs_f64() * 1e6
    );
}
