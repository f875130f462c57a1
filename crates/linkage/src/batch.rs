//! Batch mode: deduplicate one slice of records or link two.
//!
//! The pipeline is prepare → block → compare (count patterns) → EM → compare and score
//! → cluster. Comparisons are made twice rather than stored, because a comparison is
//! cheaper than the memory for tens of millions of stored vectors; only pairs at or above
//! the review threshold are kept.

use std::collections::HashMap;

use crate::block::{BlockingOptions, BlockingStats, candidate_pairs};
use crate::cluster::{ClusterOptions, cluster};
use crate::compare::{Comparison, compare};
use crate::error::LinkageError;
use crate::hash::FnvBuild;
use crate::model::{Decision, EmOptions, EmReport, Evidence, Model, random_u};
use crate::prepare::PreparedSet;
use crate::record::PersonRecord;

/// Settings for [`dedup`] and [`link`].
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOptions {
    /// Blocking settings.
    pub blocking: BlockingOptions,
    /// Whether to estimate the model from the data by EM (otherwise `model` is used as is).
    pub estimate: bool,
    /// EM settings.
    pub em: EmOptions,
    /// The starting (or fixed) model, including thresholds.
    pub model: Model,
    /// Cap on cross comparisons when merging clusters.
    pub max_cross_pairs: usize,
    /// Random pairs sampled to estimate `u` among non-matches.
    pub random_pairs: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            blocking: BlockingOptions::default(),
            estimate: true,
            em: EmOptions::default(),
            model: Model::default(),
            max_cross_pairs: ClusterOptions::default().max_cross_pairs,
            random_pairs: 200_000,
        }
    }
}

/// A scored pair of record indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// Index of the first record (in the left slice for [`link`]).
    pub left: u32,
    /// Index of the second record (in the right slice for [`link`]).
    pub right: u32,
    /// Match probability.
    pub probability: f64,
    /// Decision under the model's thresholds.
    pub decision: Decision,
}

/// The outcome of [`dedup`].
#[derive(Debug, Clone)]
pub struct DedupResult {
    /// Cluster (person) number per input record.
    pub clusters: Vec<u32>,
    /// Candidate pairs at or above the review threshold, ordered by indices.
    pub pairs: Vec<ScoredPair>,
    /// The model used (estimated unless disabled).
    pub model: Model,
    /// How EM went, if it ran.
    pub em: Option<EmReport>,
    /// Blocking counts.
    pub blocking: BlockingStats,
    /// The prepared records, kept to explain any pair.
    pub prepared: PreparedSet,
}

impl DedupResult {
    /// Explains the score of records `i` and `j`.
    pub fn explain(&self, i: usize, j: usize) -> Result<Evidence, LinkageError> {
        let a = self
            .prepared
            .records
            .get(i)
            .ok_or(LinkageError::UnknownRecord(i))?;
        let b = self
            .prepared
            .records
            .get(j)
            .ok_or(LinkageError::UnknownRecord(j))?;
        Ok(self
            .model
            .explain(&compare(&self.prepared, a, b), &self.prepared.tf))
    }

    /// Number of distinct persons found.
    pub fn persons(&self) -> usize {
        self.clusters.iter().max().map_or(0, |&m| m as usize + 1)
    }
}

/// The outcome of [`link`].
#[derive(Debug, Clone)]
pub struct LinkResult {
    /// Cross pairs at or above the review threshold; `left` indexes the left slice,
    /// `right` the right slice.
    pub pairs: Vec<ScoredPair>,
    /// The model used.
    pub model: Model,
    /// How EM went, if it ran.
    pub em: Option<EmReport>,
    /// Blocking counts.
    pub blocking: BlockingStats,
    /// The prepared records (left slice first, then right), kept to explain any pair.
    pub prepared: PreparedSet,
    /// Length of the left slice.
    pub left_len: usize,
}

impl LinkResult {
    /// Explains the score of left record `i` against right record `j`.
    pub fn explain(&self, i: usize, j: usize) -> Result<Evidence, LinkageError> {
        let a = self
            .prepared
            .records
            .get(i)
            .filter(|_| i < self.left_len)
            .ok_or(LinkageError::UnknownRecord(i))?;
        let b = self
            .prepared
            .records
            .get(self.left_len + j)
            .ok_or(LinkageError::UnknownRecord(j))?;
        Ok(self
            .model
            .explain(&compare(&self.prepared, a, b), &self.prepared.tf))
    }
}

/// Compares every candidate pair once: the packed comparison per pair, and how often
/// each pattern occurs (EM's input).
fn compare_all(set: &PreparedSet, pairs: &[(u32, u32)]) -> (Vec<u32>, HashMap<u32, u64, FnvBuild>) {
    let run = |chunk: &[(u32, u32)]| {
        let mut packed = Vec::with_capacity(chunk.len());
        let mut counts: HashMap<u32, u64, FnvBuild> = HashMap::default();
        for &(a, b) in chunk {
            let c = compare(set, &set.records[a as usize], &set.records[b as usize]);
            *counts.entry(c.pattern()).or_default() += 1;
            packed.push(c.pack());
        }
        (packed, counts)
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        let parts: Vec<(Vec<u32>, HashMap<u32, u64, FnvBuild>)> =
            pairs.par_chunks(1 << 16).map(run).collect();
        let mut packed = Vec::with_capacity(pairs.len());
        let mut counts: HashMap<u32, u64, FnvBuild> = HashMap::default();
        for (p, c) in parts {
            packed.extend(p);
            for (k, v) in c {
                *counts.entry(k).or_default() += v;
            }
        }
        (packed, counts)
    }
    #[cfg(not(feature = "parallel"))]
    {
        run(pairs)
    }
}

/// Scores packed comparisons, keeping pairs at or above the review threshold.
fn score_packed(
    set: &PreparedSet,
    model: &Model,
    pairs: &[(u32, u32)],
    packed: &[u32],
) -> Vec<(u32, u32, f64)> {
    let review = model.thresholds.review;
    pairs
        .iter()
        .zip(packed)
        .filter_map(|(&(a, b), &p)| {
            let c = Comparison::unpack(p, &set.records[a as usize], &set.records[b as usize]);
            let prob = model.probability(&c, &set.tf);
            (prob >= review).then_some((a, b, prob))
        })
        .collect()
}

/// Estimates a model from candidate pairs: EM over their comparison patterns (starting
/// from `start`), `u` among `random_pairs` random pairs, and the population match rate.
pub fn fit_model(
    set: &PreparedSet,
    pairs: &[(u32, u32)],
    start: &Model,
    em: EmOptions,
    random_pairs: usize,
) -> Result<(Model, EmReport), LinkageError> {
    let (_, patterns) = compare_all(set, pairs);
    fit_patterns(set, pairs.len(), &patterns, start, em, random_pairs, None)
}

fn fit_patterns(
    set: &PreparedSet,
    candidate_pairs: usize,
    patterns: &HashMap<u32, u64, FnvBuild>,
    start: &Model,
    em: EmOptions,
    random_pairs: usize,
    split: Option<usize>,
) -> Result<(Model, EmReport), LinkageError> {
    let (mut model, report) = start.estimate(patterns, em)?;
    model.comparable_pairs = None;
    // Small data sets need fewer samples: a few per record estimate u well enough.
    let samples = random_pairs.min(set.len().saturating_mul(10).saturating_add(10_000));
    if model.m_from_documents {
        model.refine_m_from_documents(patterns, 100, 100.0);
    }
    model.u_random = Some(random_u(set, samples));
    let n = set.len().max(1) as f64;
    model.matches_per_record = Some(model.lambda * candidate_pairs as f64 / n);
    model.population = set.len();
    model.refresh();
    if let Some(k) = split {
        let (k, n) = (k as f64, set.len() as f64);
        model.comparable_pairs = Some(k * (n - k));
    }
    model.refine_match_rate(patterns);
    Ok((model, report))
}

fn fit(
    set: &PreparedSet,
    pairs: usize,
    patterns: &HashMap<u32, u64, FnvBuild>,
    options: &BatchOptions,
    split: Option<usize>,
) -> Result<(Model, Option<EmReport>), LinkageError> {
    if !options.estimate {
        let mut model = options.model.clone();
        model.population = set.len();
        return Ok((model, None));
    }
    match fit_patterns(
        set,
        pairs,
        patterns,
        &options.model,
        options.em,
        options.random_pairs,
        split,
    ) {
        Ok((model, report)) => Ok((model, Some(report))),
        // Too little data to learn from: fall back to the given model rather than fail.
        Err(LinkageError::NotEnoughData(_)) => {
            let mut model = options.model.clone();
            model.population = set.len();
            Ok((model, None))
        }
        Err(e) => Err(e),
    }
}

/// Finds the persons in `records`: which records describe the same person.
pub fn dedup(
    records: &[PersonRecord],
    options: &BatchOptions,
) -> Result<DedupResult, LinkageError> {
    if u32::try_from(records.len()).is_err() {
        return Err(LinkageError::InvalidParameter {
            name: "records",
            reason: "more than 2^32 records".into(),
        });
    }
    let set = PreparedSet::new(records);
    let (pairs, blocking) = candidate_pairs(&set, options.blocking, None);
    let (packed, patterns) = compare_all(&set, &pairs);
    let (model, em) = fit(&set, pairs.len(), &patterns, options, None)?;
    let edges = score_packed(&set, &model, &pairs, &packed);
    drop(packed);
    let cluster_options = ClusterOptions {
        link: model.thresholds.link,
        max_cross_pairs: options.max_cross_pairs,
    };
    let clusters = cluster(set.len(), &edges, cluster_options, |a, b| {
        let c = compare(&set, &set.records[a as usize], &set.records[b as usize]);
        model.clearly_different(&c)
    });
    let pairs = edges
        .into_iter()
        .map(|(left, right, probability)| ScoredPair {
            left,
            right,
            probability,
            decision: model.thresholds.decide(probability),
        })
        .collect();
    Ok(DedupResult {
        clusters,
        pairs,
        model,
        em,
        blocking,
        prepared: set,
    })
}

/// Links two sets of records (for example two organisations' lists): returns the cross
/// pairs that may be the same person.
pub fn link(
    left: &[PersonRecord],
    right: &[PersonRecord],
    options: &BatchOptions,
) -> Result<LinkResult, LinkageError> {
    let k = left.len();
    if u32::try_from(k + right.len()).is_err() {
        return Err(LinkageError::InvalidParameter {
            name: "records",
            reason: "more than 2^32 records".into(),
        });
    }
    let mut set = PreparedSet::new(left);
    for r in right {
        set.push(r);
    }
    let (pairs, blocking) = candidate_pairs(&set, options.blocking, Some(k));
    let (packed, patterns) = compare_all(&set, &pairs);
    let (model, em) = fit(&set, pairs.len(), &patterns, options, Some(k))?;
    let k32 = u32::try_from(k).unwrap_or(u32::MAX);
    let pairs = score_packed(&set, &model, &pairs, &packed)
        .into_iter()
        .map(|(a, b, probability)| ScoredPair {
            left: a.min(b),
            right: a.max(b) - k32,
            probability,
            decision: model.thresholds.decide(probability),
        })
        .collect();
    Ok(LinkResult {
        pairs,
        model,
        em,
        blocking,
        prepared: set,
        left_len: k,
    })
}
