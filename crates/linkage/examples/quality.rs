//! Generates labelled data, deduplicates it and prints quality and timing.
//!
//! `cargo run --release --example quality -- 100000 [seed]`

use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use shanyrak_linkage::block::{blocking_quality, candidate_pairs};
use shanyrak_linkage::generate::Variation;
use shanyrak_linkage::generate::{GeneratorConfig, generate};
use shanyrak_linkage::metrics::{bcubed, by_true_size, pairwise};
use shanyrak_linkage::prepare::PreparedSet;
use shanyrak_linkage::{BatchOptions, dedup};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let seed: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(42);
    let t = Instant::now();
    let data = generate(
        &mut ChaCha8Rng::seed_from_u64(seed),
        &GeneratorConfig {
            records: n,
            ..GeneratorConfig::default()
        },
    );
    println!("generated {} records in {:?}", data.len(), t.elapsed());
    let records: Vec<_> = data.iter().map(|r| r.record.clone()).collect();
    let truth: Vec<u32> = data.iter().map(|r| r.person).collect();
    let mut opts = BatchOptions::default();
    if let Some(tf) = std::env::var("TF").ok().and_then(|v| v.parse().ok()) {
        opts.model.tf_scale = tf;
    }
    if let Some(c) = std::env::var("TFCLAMP").ok().and_then(|v| v.parse().ok()) {
        opts.model.tf_clamp = c;
    }
    if let Some(b) = std::env::var("CONFLICT_BITS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        opts.model.conflict_bits = b;
    }
    if let Some(b) = std::env::var("RELATIVE_BITS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        opts.model.relative_bits = b;
    }
    if let Some(b) = std::env::var("CAP_BITS").ok().and_then(|v| v.parse().ok()) {
        opts.model.merge_cap_bits = b;
    }
    if let Some(link) = std::env::var("LINK").ok().and_then(|v| v.parse().ok()) {
        opts.model.thresholds.link = link;
    }
    if std::env::var("BLOCKING").is_ok() {
        let set = PreparedSet::new(&records);
        let (pairs, _) = candidate_pairs(&set, opts.blocking, None);
        println!("{:?}", blocking_quality(&pairs, &truth));
    }
    let t = Instant::now();
    let result = match dedup(&records, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    println!("dedup in {:?}: {:?}", t.elapsed(), result.blocking);
    if let Some(em) = &result.em {
        println!(
            "EM: {} iterations, converged {}, pairs {}",
            em.iterations, em.converged, em.pairs
        );
    }
    println!("lambda {:.4}", result.model.lambda);
    for (f, field) in shanyrak_linkage::compare::Field::ALL.iter().enumerate() {
        let w: Vec<String> = (1..field.levels())
            .map(|l| format!("{:+.1}", result.model.weight(*field, l as u8)))
            .collect();
        println!(
            "  {:<12} m={:?}",
            field.name(),
            &result.model.m[f][1..field.levels()]
                .iter()
                .map(|v| (v * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>()
        );
        println!(
            "  {:<12} u={:?} w={}",
            "",
            &result.model.u[f][1..field.levels()]
                .iter()
                .map(|v| (v * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>(),
            w.join(" ")
        );
    }
    println!("pairwise {:?}", pairwise(&result.clusters, &truth));
    println!("bcubed   {:?}", bcubed(&result.clusters, &truth));
    println!("by true size: persons, resolved whole, exact, pairwise recall");
    for q in by_true_size(&result.clusters, &truth, &[1, 2, 3, 5, 10, 20]) {
        let range = if q.max_size == usize::MAX {
            format!("{}+", q.min_size)
        } else {
            format!("{}-{}", q.min_size, q.max_size)
        };
        println!(
            "  {range:>6} {:>7} {:>7.4} {:>7.4} {:>7.4}",
            q.persons,
            q.whole_rate(),
            if q.persons == 0 {
                1.0
            } else {
                q.exact as f64 / q.persons as f64
            },
            q.recall()
        );
    }
    // Recall of the true pairs that involve a record showing each desk habit.
    let mut members: std::collections::HashMap<u32, Vec<usize>> = Default::default();
    for (i, &p) in truth.iter().enumerate() {
        members.entry(p).or_default().push(i);
    }
    println!("by variation: records, true pairs involving them, recall");
    for v in [
        Variation::WrongLayout,
        Variation::SurnameWithoutFeminineEnding,
        Variation::PatronymicMarker,
        Variation::Icao,
        Variation::OlderLatin,
        Variation::DayMonthSwapped,
        Variation::DocumentRetyped,
        Variation::DocumentWithoutSeries,
        Variation::Frequent,
    ] {
        let (mut records_with, mut pairs, mut found) = (0u64, 0u64, 0u64);
        for (i, r) in data.iter().enumerate() {
            if !r.variations.contains(&v) {
                continue;
            }
            records_with += 1;
            for &j in &members[&r.person] {
                if j != i {
                    pairs += 1;
                    found += u64::from(result.clusters[i] == result.clusters[j]);
                }
            }
        }
        println!(
            "  {:<30} {records_with:>7} {pairs:>8} {:>7.4}",
            format!("{v:?}"),
            if pairs == 0 {
                1.0
            } else {
                found as f64 / pairs as f64
            }
        );
    }
    if std::env::var("ERRORS").is_ok() || std::env::var("SPLITS").is_ok() {
        // Persons of 10+ records not resolved whole: what the records split off show.
        let mut split_habits: std::collections::BTreeMap<String, u64> = Default::default();
        let mut shown = 0;
        for records_of in members.values().filter(|m| m.len() >= 10) {
            let mut counts: std::collections::HashMap<u32, usize> = Default::default();
            for &i in records_of {
                *counts.entry(result.clusters[i]).or_default() += 1;
            }
            let Some((&main, _)) = counts
                .iter()
                .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
            else {
                continue;
            };
            for &i in records_of.iter().filter(|&&i| result.clusters[i] != main) {
                let mut key: Vec<String> = data[i]
                    .variations
                    .iter()
                    .map(|v| format!("{v:?}"))
                    .collect();
                key.retain(|k| k != "Frequent");
                let best = records_of
                    .iter()
                    .filter(|&&j| result.clusters[j] == main)
                    .filter_map(|&j| result.explain(i, j).ok())
                    .map(|e| e.probability)
                    .fold(0.0f64, f64::max);
                key.push(format!(
                    "best link {}",
                    if best >= 0.999 {
                        ">=0.999"
                    } else if best >= 0.8 {
                        ">=0.8"
                    } else {
                        "<0.8"
                    }
                ));
                if shown < 100000 && std::env::var("SHOW").is_ok() {
                    shown += 1;
                    println!(
                        "SPLIT best {best:.4} {} {} {:?} {:?} {:?} docs {:?} ph {:?}",
                        records[i].surname,
                        records[i].given_name,
                        records[i].patronymic,
                        records[i]
                            .birth_date
                            .map(|d| (d.year(), d.month(), d.day())),
                        records[i].sex,
                        records[i]
                            .documents
                            .iter()
                            .map(|d| d.number.as_str())
                            .collect::<Vec<_>>(),
                        records[i].phone
                    );
                }
                *split_habits.entry(key.join("+")).or_default() += 1;
            }
        }
        println!("records split off persons of 10+: {split_habits:?}");
    }
    if std::env::var("ERRORS").is_ok() {
        // Classify missed true pairs: below link threshold, or split by clustering.
        use std::collections::BTreeMap;
        let mut by_person: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (i, &p) in truth.iter().enumerate() {
            by_person.entry(p).or_default().push(i);
        }
        let (mut low, mut split) = (0u64, 0u64);
        let mut patterns: BTreeMap<String, u64> = BTreeMap::new();
        let mut shown = 0;
        for members in by_person.values() {
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    if result.clusters[a] == result.clusters[b] {
                        continue;
                    }
                    let Ok(e) = result.explain(a, b) else {
                        continue;
                    };
                    if e.probability >= result.model.thresholds.link {
                        split += 1;
                    } else {
                        low += 1;
                        let key: String = e
                            .fields
                            .iter()
                            .map(|f| char::from(b'0' + f.level))
                            .collect();
                        *patterns.entry(key).or_default() += 1;
                    }
                    if shown < 12 && std::env::var("SHOW").is_ok() {
                        shown += 1;
                        println!(
                            "MISS p={:.3} {:?} guard={:?}\n  {:?}\n  {:?}",
                            e.probability,
                            e.fields.iter().map(|f| f.level).collect::<Vec<_>>(),
                            e.guard,
                            records[a],
                            records[b]
                        );
                    }
                }
            }
        }
        println!("missed pairs: {low} scored below link, {split} linked but split by clustering");
        let mut by_cluster: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (i, &c) in result.clusters.iter().enumerate() {
            by_cluster.entry(c).or_default().push(i);
        }
        let mut wrong: BTreeMap<String, u64> = BTreeMap::new();
        let mut shown = 0;
        for members in by_cluster.values() {
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    if truth[a] == truth[b] {
                        continue;
                    }
                    let Ok(e) = result.explain(a, b) else {
                        continue;
                    };
                    let key: String = e
                        .fields
                        .iter()
                        .map(|f| char::from(b'0' + f.level))
                        .collect();
                    *wrong
                        .entry(format!(
                            "{key} p>=link:{}",
                            e.probability >= result.model.thresholds.link
                        ))
                        .or_default() += 1;
                    if shown < 6 && std::env::var("SHOW").is_ok() {
                        shown += 1;
                        println!(
                            "FALSE p={:.3} {key}\n  {:?}\n  {:?}",
                            e.probability, records[a], records[b]
                        );
                    }
                }
            }
        }
        let mut top: Vec<_> = wrong.into_iter().collect();
        top.sort_by_key(|e| std::cmp::Reverse(e.1));
        println!("top false-merge patterns: {:?}", &top[..top.len().min(12)]);
        let mut top: Vec<_> = patterns.into_iter().collect();
        top.sort_by_key(|e| std::cmp::Reverse(e.1));
        println!(
            "top low patterns (surname given patr date doc phone sex cit addr): {:?}",
            &top[..top.len().min(15)]
        );
    }
}
