//! The linkage benchmark driver used by `bench/linkage.sh`: the same CSV files are read
//! here and by the Splink glue, so both tools see the same records.
//!
//! ```text
//! bench export N SEED OUT.csv           generate N labelled records (with person_id and
//!                                       ASCII-folded name columns for the baselines)
//! bench dedup IN.csv OUT.csv [LINK]     read, deduplicate, write record_id,cluster_id
//! bench link A.csv B.csv OUT.csv [LINK] read, link, write record_id_l,record_id_r,probability
//! bench encoded-link A.csv B.csv OUT.csv [THRESHOLD]
//!                                       encode both files as keyed Bloom filters (CLK,
//!                                       module `encoded`), link the encodings only, write
//!                                       record_id_l,record_id_r,similarity
//! bench exact IN.csv OUT.csv            baseline: one cluster per exact (folded surname,
//!                                       folded given name, birth date)
//! bench exact-link A.csv B.csv OUT.csv  baseline for linking: pairs with that key equal
//! ```
//!
//! Input columns by name (others ignored): `record_id, surname, given_name, patronymic,
//! sex, birth_date, citizenship, doc_type, doc_number, phone`, and optionally
//! `doc_type_2, doc_number_2, birth_estimated, address, locality, postcode, region`.
//! Timings (seconds) and counts are printed as one JSON line on stdout. All IO lives here,
//! not in the library.
//!
//! Environment: `BENCH_M_FROM_DOCUMENTS=1` learns `m` from pairs with equal documents
//! (used for FEBRL); `BENCH_VETO_BITS` sets `Model::veto_bits`; `BENCH_ALL_PAIRS=1` writes
//! review-band pairs too (link); `BENCH_MANY_TO_MANY=1` turns off the one-to-one
//! assignment (link, `BatchOptions::one_to_one`); `BENCH_EXPLAIN=1` prints the evidence of missed true pairs
//! for FEBRL ids (debugging aid); `BENCH_EXPLAIN_PAIR=idA,idB` prints one pair's evidence
//! (dedup); `BENCH_DEBUG=1` prints the fitted model.
//! `encoded-link`: `BENCH_CLK_FOLD=0|1`, `BENCH_CLK_BALANCE=0|1`, `BENCH_CLK_BITS`
//! (`ClkOptions`), `BENCH_CLK_EXHAUSTIVE=1` (all pairs, no blocking),
//! `BENCH_CLK_BANDS`/`BENCH_CLK_BAND_BITS` (`LshOptions`).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use shanyrak_linkage::encoded::{
    ClkEncoder, ClkKey, ClkOptions, ClkSet, EncodedLinkOptions, LshOptions, link_encoded,
};
use shanyrak_linkage::generate::{GeneratorConfig, generate};
use shanyrak_linkage::translit::{System, transliterate};
use shanyrak_linkage::{
    BatchOptions, Decision, Document, PartialDate, PersonRecord, Sex, dedup, link,
};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Splits one CSV line (RFC 4180 quoting; no newlines inside fields).
fn split_csv(line: &str, out: &mut Vec<String>) {
    out.clear();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn read_records(path: &str) -> Res<Vec<PersonRecord>> {
    let mut lines = BufReader::with_capacity(1 << 20, File::open(path)?).lines();
    let header = lines.next().ok_or("empty file")??;
    let mut cols = Vec::new();
    split_csv(header.trim_start_matches('\u{feff}'), &mut cols);
    let pos: HashMap<String, usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| (c.trim().to_string(), i))
        .collect();
    let col = |name: &str| pos.get(name).copied();
    let (id, sur, giv, pat, sex, bd, cit) = (
        col("record_id").ok_or("no record_id column")?,
        col("surname"),
        col("given_name"),
        col("patronymic"),
        col("sex"),
        col("birth_date"),
        col("citizenship"),
    );
    let docs = [
        (col("doc_type"), col("doc_number")),
        (col("doc_type_2"), col("doc_number_2")),
    ];
    let (est, phone, addr, loc, pc, reg) = (
        col("birth_estimated"),
        col("phone"),
        col("address"),
        col("locality"),
        col("postcode"),
        col("region"),
    );
    let mut out = Vec::new();
    let mut f = Vec::new();
    for line in lines {
        let line = line?;
        if line.is_empty() {
            continue;
        }
        split_csv(&line, &mut f);
        let get = |i: Option<usize>| -> &str { i.and_then(|i| f.get(i)).map_or("", |s| s) };
        let opt = |i: Option<usize>| -> Option<String> {
            let v = get(i).trim();
            (!v.is_empty()).then(|| v.to_string())
        };
        let mut birth_date = PartialDate::parse_loose(get(bd)).ok();
        if get(est) == "1"
            && let Some(d) = birth_date
        {
            birth_date = PartialDate::new(d.year(), d.month(), d.day(), true).ok();
        }
        out.push(PersonRecord {
            record_id: get(Some(id)).to_string(),
            surname: get(sur).to_string(),
            given_name: get(giv).to_string(),
            patronymic: opt(pat),
            sex: Sex::parse_loose(get(sex)),
            birth_date,
            citizenship: opt(cit),
            documents: docs
                .iter()
                .filter_map(|&(t, n)| {
                    opt(n).map(|number| Document {
                        doc_type: get(t).to_string(),
                        number,
                    })
                })
                .collect(),
            phone: opt(phone),
            address: opt(addr),
            locality: opt(loc),
            postcode: opt(pc),
            region: opt(reg),
        });
    }
    Ok(out)
}

/// ASCII folding for the exact-match baseline: ICAO transliteration of Cyrillic (and
/// Kazakh/Kyrgyz letters), lower case, letters and digits only.
fn fold(s: &str) -> String {
    transliterate(s, System::Icao)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

fn date_string(d: Option<PartialDate>) -> String {
    match d {
        Some(d) => match (d.year(), d.month(), d.day()) {
            (Some(y), Some(m), Some(dd)) => format!("{y:04}-{m:02}-{dd:02}"),
            (Some(y), Some(m), None) => format!("{y:04}-{m:02}"),
            (Some(y), _, _) => format!("{y:04}"),
            _ => String::new(),
        },
        None => String::new(),
    }
}

fn exact_key(r: &PersonRecord) -> Option<String> {
    let (s, g) = (fold(&r.surname), fold(&r.given_name));
    let d = date_string(r.birth_date);
    (!s.is_empty() && !g.is_empty() && !d.is_empty()).then(|| format!("{s}|{g}|{d}"))
}

fn export(n: usize, seed: u64, path: &str) -> Res<String> {
    let data = generate(
        &mut ChaCha8Rng::seed_from_u64(seed),
        &GeneratorConfig {
            records: n,
            ..GeneratorConfig::default()
        },
    );
    let mut w = BufWriter::new(File::create(path)?);
    writeln!(
        w,
        "record_id,person_id,surname,given_name,patronymic,sex,birth_date,birth_estimated,\
         citizenship,doc_type,doc_number,doc_type_2,doc_number_2,phone,\
         surname_ascii,given_name_ascii,patronymic_ascii"
    )?;
    let mut persons = std::collections::HashSet::new();
    for l in &data {
        let r = &l.record;
        persons.insert(l.person);
        let doc = |i: usize| {
            r.documents
                .get(i)
                .map_or((String::new(), String::new()), |d| {
                    (quote(&d.doc_type), quote(&d.number))
                })
        };
        let ((t1, n1), (t2, n2)) = (doc(0), doc(1));
        let pat = r.patronymic.as_deref().unwrap_or("");
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            quote(&r.record_id),
            l.person,
            quote(&r.surname),
            quote(&r.given_name),
            quote(pat),
            match r.sex {
                Some(Sex::Male) => "M",
                Some(Sex::Female) => "F",
                None => "",
            },
            date_string(r.birth_date),
            if r.birth_date.is_some_and(|d| d.estimated()) {
                "1"
            } else {
                ""
            },
            quote(r.citizenship.as_deref().unwrap_or("")),
            t1,
            n1,
            t2,
            n2,
            quote(r.phone.as_deref().unwrap_or("")),
            quote(&fold(&r.surname)),
            quote(&fold(&r.given_name)),
            quote(&fold(pat)),
        )?;
    }
    w.flush()?;
    Ok(format!(
        "{{\"records\":{},\"persons\":{}}}",
        data.len(),
        persons.len()
    ))
}

fn options(link_threshold: Option<f64>) -> BatchOptions {
    let mut o = BatchOptions::default();
    // `BENCH_M_FROM_DOCUMENTS=1`: learn `m` from pairs with equal documents (see
    // `Model::m_from_documents`); the harness sets it for FEBRL.
    o.model.m_from_documents = std::env::var("BENCH_M_FROM_DOCUMENTS").is_ok_and(|v| v == "1");
    if let Some(v) = std::env::var("BENCH_VETO_BITS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        o.model.veto_bits = v;
    }
    // `BENCH_CONFLICT_BITS`, `BENCH_RELATIVE_BITS`: how much a conflicting pair and a
    // pair that looks like two relatives count against a merge (`Model::merge_evidence`).
    if let Some(v) = std::env::var("BENCH_CONFLICT_BITS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        o.model.conflict_bits = v;
    }
    if let Some(v) = std::env::var("BENCH_RELATIVE_BITS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        o.model.relative_bits = v;
    }
    o.one_to_one = !std::env::var("BENCH_MANY_TO_MANY").is_ok_and(|v| v == "1");
    // `BENCH_KEEP_GUARDS=1`: `shanyrak link --keep-guards`.
    o.relax_guards = !std::env::var("BENCH_KEEP_GUARDS").is_ok_and(|v| v == "1");
    if let Some(t) = link_threshold {
        o.model.thresholds.link = t;
        o.model.thresholds.review = o.model.thresholds.review.min(t);
    }
    o
}

fn run_dedup(input: &str, output: &str, link_threshold: Option<f64>) -> Res<String> {
    let t0 = Instant::now();
    let records = read_records(input)?;
    let t_read = t0.elapsed().as_secs_f64();
    let t = Instant::now();
    let result = dedup(&records, &options(link_threshold))?;
    let t_dedup = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut w = BufWriter::new(File::create(output)?);
    writeln!(w, "record_id,cluster_id")?;
    for (r, c) in records.iter().zip(&result.clusters) {
        writeln!(w, "{},{c}", quote(&r.record_id))?;
    }
    w.flush()?;
    let t_write = t.elapsed().as_secs_f64();
    if std::env::var("BENCH_DEBUG").is_ok() {
        eprintln!("{:#?}", result.model);
    }
    // `BENCH_EXPLAIN_PAIR=idA,idB`: the evidence of one pair and of the two records'
    // clusters (debugging aid for generated data).
    if let Ok(pair) = std::env::var("BENCH_EXPLAIN_PAIR") {
        let find = |id: &str| records.iter().position(|r| r.record_id == id);
        if let Some((a, b)) = pair
            .split_once(',')
            .and_then(|(a, b)| Some((find(a)?, find(b)?)))
        {
            eprintln!("clusters {} {}", result.clusters[a], result.clusters[b]);
            if let Ok(e) = result.explain(a.min(b), a.max(b)) {
                eprintln!("{e:#?}");
            }
        }
    }
    if let Ok(truth) = std::env::var("BENCH_EXPLAIN_SPLITS") {
        explain_splits(&records, &result, &truth)?;
    }
    if std::env::var("BENCH_EXPLAIN").is_ok() {
        explain_dedup(&records, &result);
    }
    Ok(format!(
        "{{\"records\":{},\"persons\":{},\"candidate_pairs\":{},\"read_s\":{t_read:.3},\
         \"dedup_s\":{t_dedup:.3},\"write_s\":{t_write:.3},\"total_s\":{:.3}}}",
        records.len(),
        result.persons(),
        result.blocking.candidate_pairs,
        t0.elapsed().as_secs_f64()
    ))
}

/// Debug aid for generated data (`BENCH_EXPLAIN_SPLITS=TRUTH.csv`, lines
/// `record_id,person_id`): for every person of ten or more records split over several
/// clusters, each record outside the person's largest cluster with what its pairs with
/// that cluster say (`Weight` below the cap, strong links, conflicts, guarded) and its
/// best probability.
fn explain_splits(
    records: &[PersonRecord],
    result: &shanyrak_linkage::DedupResult,
    truth: &str,
) -> Res<()> {
    use shanyrak_linkage::cluster::PairEvidence;
    let person: HashMap<String, String> = BufReader::new(File::open(truth)?)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| {
            l.split_once(',')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect();
    let mut by_person: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(p) = person.get(&r.record_id) {
            by_person.entry(p).or_default().push(i);
        }
    }
    let set = &result.prepared;
    for (p, members) in by_person.iter().filter(|(_, m)| m.len() >= 10) {
        let mut pieces: HashMap<u32, Vec<usize>> = HashMap::new();
        for &i in members {
            pieces.entry(result.clusters[i]).or_default().push(i);
        }
        if pieces.len() < 2 {
            continue;
        }
        let main = pieces
            .values()
            .max_by_key(|v| v.len())
            .cloned()
            .unwrap_or_default();
        for (&c, piece) in &pieces {
            if piece.len() == main.len() && piece == &main {
                continue;
            }
            for &x in piece {
                let (mut weak, mut strong, mut against, mut guarded, mut best) =
                    (0, 0, 0, 0, 0.0f64);
                for &y in &main {
                    let (a, b) = (x.min(y), x.max(y));
                    let cmp =
                        shanyrak_linkage::compare::compare(set, &set.records[a], &set.records[b]);
                    best = best.max(result.model.probability(&cmp, &set.tf));
                    match result.model.merge_evidence(&cmp, &set.tf) {
                        PairEvidence::Against(_) => against += 1,
                        PairEvidence::Guarded => guarded += 1,
                        PairEvidence::Weight(w) | PairEvidence::Identified(w) => {
                            if w >= result.model.merge_cap_bits {
                                strong += 1;
                            } else {
                                weak += 1;
                            }
                        }
                    }
                }
                eprintln!(
                    "SPLIT person={p} size={} piece={}/{c} main={} best={best:.3} strong={strong} weak={weak} against={against} guarded={guarded} | {:?}",
                    members.len(),
                    piece.len(),
                    main.len(),
                    records[x]
                );
            }
        }
    }
    Ok(())
}

/// Debug aid for FEBRL (truth from `rec-N-...` ids): prints the evidence of every true
/// pair that ended up in different clusters, and whether blocking produced it.
fn explain_dedup(records: &[PersonRecord], result: &shanyrak_linkage::DedupResult) {
    use shanyrak_linkage::block::candidate_pairs;
    let entity = |id: &str| id.split('-').take(2).collect::<Vec<_>>().join("-");
    let (pairs, _) = candidate_pairs(&result.prepared, BatchOptions::default().blocking, None);
    let cands: std::collections::HashSet<(u32, u32)> = pairs.into_iter().collect();
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        groups.entry(entity(&r.record_id)).or_default().push(i);
    }
    for members in groups.values() {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                if result.clusters[i] == result.clusters[j] {
                    continue;
                }
                let (a, b) = (i.min(j), i.max(j));
                if let Ok(e) = result.explain(a, b) {
                    let levels: String = e
                        .fields
                        .iter()
                        .map(|f| char::from(b'0' + f.level))
                        .collect();
                    let weights: Vec<String> = e
                        .fields
                        .iter()
                        .map(|f| format!("{:.1}", f.weight))
                        .collect();
                    eprintln!(
                        "MISS {levels} cand={} p={:.3} w={:.1} guard={:?} prior={:.1} tf={:.1} [{}] | {:?} | {:?}",
                        cands.contains(&(a as u32, b as u32)),
                        e.probability,
                        e.total_weight,
                        e.guard,
                        e.prior_weight,
                        e.term_frequency_adjustment,
                        weights.join(" "),
                        records[a],
                        records[b]
                    );
                }
            }
        }
    }
}

fn env_num<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn run_encoded_link(a: &str, b: &str, output: &str, threshold: Option<f64>) -> Res<String> {
    let t0 = Instant::now();
    let left = read_records(a)?;
    let right = read_records(b)?;
    let t_read = t0.elapsed().as_secs_f64();
    let t = Instant::now();
    let defaults = ClkOptions::default();
    let options = ClkOptions {
        bits: env_num("BENCH_CLK_BITS").unwrap_or(defaults.bits),
        fold: env_num::<u8>("BENCH_CLK_FOLD").map_or(defaults.fold, |v| v == 1),
        balance: env_num::<u8>("BENCH_CLK_BALANCE").map_or(defaults.balance, |v| v == 1),
    };
    // Both organisations hold this agreement secret; the linker would not.
    let key = ClkKey::from_secret(b"a shared secret of the benchmark")?;
    let mut encoder = ClkEncoder::new(&key, options)?;
    let mut sets = [ClkSet::new(options.bits), ClkSet::new(options.bits)];
    for (set, records) in sets.iter_mut().zip([&left, &right]) {
        for r in records.iter() {
            set.push(&encoder.encode(r))?;
        }
    }
    let t_encode = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let lsh_defaults = LshOptions::default();
    let link_options = EncodedLinkOptions {
        threshold: threshold.unwrap_or(EncodedLinkOptions::default().threshold),
        lsh: LshOptions {
            bands: env_num("BENCH_CLK_BANDS").unwrap_or(lsh_defaults.bands),
            band_bits: env_num("BENCH_CLK_BAND_BITS").unwrap_or(lsh_defaults.band_bits),
            exhaustive: std::env::var("BENCH_CLK_EXHAUSTIVE").is_ok(),
            ..lsh_defaults
        },
        ..EncodedLinkOptions::default()
    };
    let result = link_encoded(&sets[0], &sets[1], &link_options)?;
    let t_link = t.elapsed().as_secs_f64();
    let mut w = BufWriter::new(File::create(output)?);
    writeln!(w, "record_id_l,record_id_r,similarity")?;
    for p in &result.pairs {
        let (l, r) = (&left[p.left as usize], &right[p.right as usize]);
        writeln!(
            w,
            "{},{},{:.4}",
            quote(&l.record_id),
            quote(&r.record_id),
            p.similarity
        )?;
    }
    w.flush()?;
    let fill = |s: &ClkSet| {
        (0..s.len())
            .map(|i| s.words(i).iter().map(|x| x.count_ones()).sum::<u32>() as f64)
            .sum::<f64>()
            / (s.len().max(1) * s.bits()) as f64
    };
    Ok(format!(
        "{{\"records\":{},\"options\":\"{}\",\"candidate_pairs\":{},\"above_threshold\":{},\
         \"linked_pairs\":{},\"mean_fill\":{:.3},\"read_s\":{t_read:.3},\"encode_s\":{t_encode:.3},\
         \"link_s\":{t_link:.3},\"total_s\":{:.3}}}",
        left.len() + right.len(),
        options.describe(),
        result.candidates,
        result.above_threshold,
        result.pairs.len(),
        fill(&sets[0]),
        t0.elapsed().as_secs_f64()
    ))
}

fn run_link(a: &str, b: &str, output: &str, link_threshold: Option<f64>) -> Res<String> {
    let t0 = Instant::now();
    let left = read_records(a)?;
    let right = read_records(b)?;
    let t_read = t0.elapsed().as_secs_f64();
    let t = Instant::now();
    let result = link(&left, &right, &options(link_threshold))?;
    let t_link = t.elapsed().as_secs_f64();
    let mut w = BufWriter::new(File::create(output)?);
    writeln!(w, "record_id_l,record_id_r,probability")?;
    let mut linked = 0usize;
    let all = std::env::var("BENCH_ALL_PAIRS").is_ok();
    if std::env::var("BENCH_DEBUG").is_ok() {
        eprintln!("{:#?}", result.model);
    }
    for p in result
        .pairs
        .iter()
        .filter(|p| all || p.decision == Decision::Link)
    {
        linked += 1;
        writeln!(
            w,
            "{},{},{:.6}",
            quote(&left[p.left as usize].record_id),
            quote(&right[p.right as usize].record_id),
            p.probability
        )?;
    }
    w.flush()?;
    if std::env::var("BENCH_EXPLAIN").is_ok() {
        // FEBRL truth: rec-N-org ~ rec-N-dup-k. Prints the evidence of missed true pairs.
        let entity = |id: &str| id.split('-').take(2).collect::<Vec<_>>().join("-");
        let by_entity: HashMap<String, usize> = left
            .iter()
            .enumerate()
            .map(|(i, r)| (entity(&r.record_id), i))
            .collect();
        let linked: std::collections::HashSet<(u32, u32)> = result
            .pairs
            .iter()
            .filter(|p| p.decision == Decision::Link)
            .map(|p| (p.left, p.right))
            .collect();
        for (j, r) in right.iter().enumerate() {
            let Some(&i) = by_entity.get(&entity(&r.record_id)) else {
                continue;
            };
            if linked.contains(&(i as u32, j as u32)) {
                continue;
            }
            if let Ok(e) = result.explain(i, j) {
                let levels: String = e
                    .fields
                    .iter()
                    .map(|f| char::from(b'0' + f.level))
                    .collect();
                let weights: Vec<String> = e
                    .fields
                    .iter()
                    .map(|f| format!("{:.1}", f.weight))
                    .collect();
                eprintln!(
                    "MISS {levels} p={:.3} w={:.1} prior={:.1} tf={:.1} [{}] guard={:?} | {:?} {:?} | {:?} {:?}",
                    e.probability,
                    e.total_weight,
                    e.prior_weight,
                    e.term_frequency_adjustment,
                    weights.join(" "),
                    e.guard,
                    left[i].surname,
                    left[i].given_name,
                    r.surname,
                    r.given_name
                );
            }
        }
    }
    Ok(format!(
        "{{\"records\":{},\"candidate_pairs\":{},\"linked_pairs\":{linked},\"read_s\":{t_read:.3},\
         \"link_s\":{t_link:.3},\"total_s\":{:.3},\"guards_relaxed\":{},\"within_list_guarded_links\":{}}}",
        left.len() + right.len(),
        result.blocking.candidate_pairs,
        t0.elapsed().as_secs_f64(),
        result.relaxation.is_some_and(|r| r.applied),
        result.relaxation.map_or(0, |r| r.within_list_guarded_links),
    ))
}

fn run_exact(input: &str, output: &str) -> Res<String> {
    let t0 = Instant::now();
    let records = read_records(input)?;
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut w = BufWriter::new(File::create(output)?);
    writeln!(w, "record_id,cluster_id")?;
    for (i, r) in records.iter().enumerate() {
        let c = match exact_key(r) {
            Some(k) => *ids.entry(k).or_insert(i),
            None => i,
        };
        writeln!(w, "{},{c}", quote(&r.record_id))?;
    }
    w.flush()?;
    Ok(format!(
        "{{\"records\":{},\"total_s\":{:.3}}}",
        records.len(),
        t0.elapsed().as_secs_f64()
    ))
}

fn run_exact_link(a: &str, b: &str, output: &str) -> Res<String> {
    let t0 = Instant::now();
    let left = read_records(a)?;
    let right = read_records(b)?;
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in left.iter().enumerate() {
        if let Some(k) = exact_key(r) {
            by_key.entry(k).or_default().push(i);
        }
    }
    let mut w = BufWriter::new(File::create(output)?);
    writeln!(w, "record_id_l,record_id_r,probability")?;
    for r in &right {
        let Some(k) = exact_key(r) else { continue };
        for &i in by_key.get(&k).map_or(&[][..], |v| v) {
            writeln!(w, "{},{},1", quote(&left[i].record_id), quote(&r.record_id))?;
        }
    }
    w.flush()?;
    Ok(format!(
        "{{\"records\":{},\"total_s\":{:.3}}}",
        left.len() + right.len(),
        t0.elapsed().as_secs_f64()
    ))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a = |i: usize| args.get(i).map_or("", String::as_str);
    let threshold = |i: usize| args.get(i).and_then(|v| v.parse::<f64>().ok());
    let result = match a(0) {
        "export" => match (a(1).parse(), a(2).parse()) {
            (Ok(n), Ok(seed)) => export(n, seed, a(3)),
            _ => Err("usage: bench export N SEED OUT.csv".into()),
        },
        "dedup" => run_dedup(a(1), a(2), threshold(3)),
        "link" => run_link(a(1), a(2), a(3), threshold(4)),
        "encoded-link" => run_encoded_link(a(1), a(2), a(3), threshold(4)),
        "exact" => run_exact(a(1), a(2)),
        "exact-link" => run_exact_link(a(1), a(2), a(3)),
        _ => Err("usage: bench export|dedup|link|exact|exact-link ...".into()),
    };
    match result {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::exit(1);
        }
    }
}
