//! Batch mode: deduplicate one slice of records or link two.
//!
//! The pipeline is prepare → block → compare (count patterns) → EM → compare and score
//! → cluster. Comparisons are made twice rather than stored, because a comparison is
//! cheaper than the memory for tens of millions of stored vectors; only pairs at or above
//! the review threshold are kept.

use std::collections::HashMap;

use crate::block::{BlockingOptions, BlockingStats, candidate_pairs};
use crate::cluster::{ClusterOptions, WEAK, cluster_with_names};
use crate::compare::{Comparison, compare};
use crate::error::LinkageError;
use crate::hash::FnvBuild;
use crate::model::{
    Decision, EmOptions, EmReport, Evidence, Model, random_patterns, u_from_random,
};
use crate::prepare::{NO_SYM, PreparedSet};
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
    /// [`link`] only: each input list is taken as internally deduplicated (no person
    /// twice in one list), so a record links to at most one record of the other list.
    /// Links then form a one-to-one assignment ([`assign_one_to_one`], greedy by match
    /// weight): a linkable pair whose record was taken by a stronger pair goes to review;
    /// a pair whose documents conflict links only if every other candidate of either
    /// record is at least [`BatchOptions::one_to_one_margin_bits`] weaker (the clear
    /// mutual best), and then also when it was held back only by those documents
    /// ([`Model::held_back_only_by_documents`]): a replaced passport of a person whose
    /// names and birth date agree and who has no rival. The twin guard
    /// ([`crate::Guard::GivenNamesDiffer`]) is never lifted. `false` scores every pair on
    /// its own (many-to-many), with the guards of [`dedup`]. Default `true`.
    pub one_to_one: bool,
    /// How many bits (log2 odds) weaker than a pair every other candidate of its two
    /// records must be for the pair to count as their clear mutual best (default 6, a
    /// likelihood ratio of 64). Two candidates closer than this — twins, namesakes born
    /// the same day — leave the decision to a reviewer.
    pub one_to_one_margin_bits: f64,
    /// May the guards against relatives be relaxed when the data themselves show they
    /// are not needed: for [`link`] with [`BatchOptions::one_to_one`], when no pair
    /// within either list would link without them ([`GuardRelaxation`]); for [`dedup`],
    /// when the data hold no families ([`FamilySignal`]). Default `true`; `false` keeps
    /// them whatever the data say.
    pub relax_guards: bool,
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
            one_to_one: true,
            one_to_one_margin_bits: 6.0,
            relax_guards: true,
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
    /// Decision under the model's thresholds (and, for [`link`], the one-to-one
    /// assignment).
    pub decision: Decision,
    /// [`link`] only: linked as the clear mutual best of a one-to-one assignment although
    /// conflicting documents hold it for review on its own ([`BatchOptions::one_to_one`]);
    /// `probability` is then the model's before that guard, and [`LinkResult::explain`]
    /// still names the guard.
    pub mutual_best: bool,
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
    /// Whether the data showed families, and so whether the guards were kept
    /// ([`BatchOptions::relax_guards`]); `None` when relaxing was turned off.
    pub family_signal: Option<FamilySignal>,
}

/// What the candidate pairs of a [`dedup`] say about families in the data, which decides
/// whether the guards against relatives apply.
///
/// The guards (twins, a parent and child of one name, the caution that relatives share
/// a surname, a phone and an address) protect against a kind of non-match that
/// independent field weights cannot see, and cost recall wherever that kind is absent:
/// a list of individual applicants, a register whose copies had whole names replaced.
/// Families leave a mark among the candidate pairs that needs no labels: pairs that
/// share a surname and an address or phone while both their given names and birth
/// dates differ. A person's own records look like that only when two fields were
/// mistyped at once, a small share of the pairs that share all four
/// (`sure_pairs`); a family's members look like that all the time. So the guards are
/// relaxed when `family_pairs`, with three added (the rule of three when none are seen),
/// is at most [`FamilySignal::MAX_FAMILY_SHARE`] of at least
/// [`FamilySignal::MIN_SURE_PAIRS`] sure pairs. Registrations of households keep every
/// guard: on the generated registrations family pairs outnumber sure pairs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FamilySignal {
    /// Candidate pairs with the same surname, an agreeing address or phone, given names
    /// at least alike and the same full birth date: the same person.
    pub sure_pairs: u64,
    /// Candidate pairs with the same surname and an agreeing address or phone whose
    /// given names and birth dates both differ: relatives, or two typos at once.
    pub family_pairs: u64,
    /// Whether the guards were relaxed.
    pub applied: bool,
}

impl FamilySignal {
    /// The largest share of family pairs among sure pairs that still counts as data
    /// without families.
    pub const MAX_FAMILY_SHARE: f64 = 0.05;
    /// The fewest sure pairs to judge from; smaller data keep the guards.
    pub const MIN_SURE_PAIRS: u64 = 200;

    /// Counts the signal over candidate pairs' comparison patterns and their counts.
    pub fn from_patterns<S: std::hash::BuildHasher>(patterns: &HashMap<u32, u64, S>) -> Self {
        use crate::compare::Field;
        let (mut sure_pairs, mut family_pairs) = (0u64, 0u64);
        for (&pattern, &count) in patterns {
            let l = Comparison::levels_of(pattern);
            let level = |f: Field| l[f as usize];
            let household = level(Field::Surname) == Field::Surname.top_level()
                && (level(Field::Address) >= 4 || level(Field::Phone) >= 2);
            if !household {
                continue;
            }
            if level(Field::Given) >= 3 && level(Field::BirthDate) == Field::BirthDate.top_level() {
                sure_pairs += count;
            } else if level(Field::Given) == 1 && (1..=2).contains(&level(Field::BirthDate)) {
                family_pairs += count;
            }
        }
        let applied = sure_pairs >= Self::MIN_SURE_PAIRS
            && (family_pairs + 3) as f64 <= Self::MAX_FAMILY_SHARE * sure_pairs as f64;
        FamilySignal {
            sure_pairs,
            family_pairs,
            applied,
        }
    }
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
    /// `right` the right slice. With [`BatchOptions::one_to_one`] every record is in at
    /// most one `Link` pair.
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
    /// Whether the guards were relaxed and why ([`BatchOptions::relax_guards`]); `None`
    /// when relaxing was not considered (many-to-many, or turned off).
    pub relaxation: Option<GuardRelaxation>,
}

/// Why [`link`] did or did not relax the guards of deduplication.
///
/// The guards (twins, a parent and child of one name, conflicting documents, and the
/// caution that relatives share a phone and an address) protect against a kind of
/// non-match that independent field weights cannot see. Whether that kind is present is a
/// property of the population, and two deduplicated lists measure it: every pair of
/// records *within* one list is two different people. So the within-list candidate pairs
/// (same blocking keys) are scored with the plain weights
/// ([`Model::weight_without_relatives`]): each such pair the plain score would link but
/// the guards would not is a relative (or namesake) the guards are there for. Scaled from
/// within-list to cross-list pairs, with a 95% upper bound (three more than seen, the rule
/// of three when none are), that is how many false links relaxing would add between the
/// lists. The guards are relaxed only if that bound is at most `1 − link threshold` of the
/// links relaxing adds — the precision a link promises — and then only for pairs that are
/// the clear mutual best of both records ([`BatchOptions::one_to_one_margin_bits`]).
/// Lists with twins or families in them keep every guard; so do small lists, where too
/// few within-list pairs exist to show anything.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GuardRelaxation {
    /// Candidate pairs within one list that were scored.
    pub within_list_pairs: u64,
    /// Of those, pairs the plain score links and the guards hold back: relatives, or
    /// duplicates left inside a list.
    pub within_list_guarded_links: u64,
    /// Upper bound (95%) on the false links relaxing would add between the lists.
    pub expected_false_links: f64,
    /// Links relaxing adds: clear mutual bests that the guards hold back.
    pub extra_links: u64,
    /// Whether the links were relaxed.
    pub applied: bool,
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

/// The lowest pair probability [`dedup`] keeps for attaching a record to a cluster.
const ATTACH_FLOOR: f64 = 0.15;

/// Scores packed comparisons, keeping pairs at or above `review`: with the guards, or
/// with the plain weights ([`Model::weight_without_relatives`]) for data without
/// families ([`FamilySignal`]).
fn score_packed(
    set: &PreparedSet,
    model: &Model,
    pairs: &[(u32, u32)],
    packed: &[u32],
    review: f64,
    without_relatives: bool,
) -> Vec<(u32, u32, f64)> {
    pairs
        .iter()
        .zip(packed)
        .filter_map(|(&(a, b), &p)| {
            let c = Comparison::unpack(p, &set.records[a as usize], &set.records[b as usize]);
            let prob = if without_relatives {
                Model::probability_of_weight(model.weight_without_relatives(&c, &set.tf))
            } else {
                model.probability(&c, &set.tf)
            };
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
        model.refine_document_m_from_names(patterns, 100, 100.0);
    }
    let random = random_patterns(set, samples);
    model.u_random = Some(u_from_random(&random));
    let n = set.len().max(1) as f64;
    model.matches_per_record = Some(model.lambda * candidate_pairs as f64 / n);
    model.population = set.len();
    model.refresh();
    if let Some(k) = split {
        let (k, n) = (k as f64, set.len() as f64);
        model.comparable_pairs = Some(k * (n - k));
    }
    model.refine_match_rate(patterns);
    // Random pairs include true matches; remove them by their posterior (twice: the
    // match rate moves with the weights). See `Model::refine_u_random`.
    for _ in 0..2 {
        model.refine_u_random(&random);
        model.refine_match_rate(patterns);
    }
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
    let family_signal = options
        .relax_guards
        .then(|| FamilySignal::from_patterns(&patterns));
    let relaxed = family_signal.is_some_and(|f| f.applied);
    // Attaching a record to a cluster of k records adds log2(k/2) bits to its mean
    // weight (see `cluster`); for the largest clusters people form (forty records, about
    // 4.3 bits) a pair weaker than this probability could never reach a link.
    let attach = ATTACH_FLOOR.min(model.thresholds.review);
    let edges = score_packed(&set, &model, &pairs, &packed, attach, relaxed);
    drop(packed);
    let cluster_options = ClusterOptions {
        link: model.thresholds.link,
        max_cross_pairs: options.max_cross_pairs,
        cap_bits: model.merge_cap_bits,
        attach,
    };
    // Each record's names as phonetic keys (surname stem and given-name group, in either
    // order), marked when the record has nothing else that identifies, for attaching such
    // a record by what the data say of its name (`cluster_with_names`).
    let names: Vec<u64> = set
        .records
        .iter()
        .map(|p| {
            if p.surname_key == NO_SYM || p.given_key == NO_SYM {
                return 0;
            }
            let (a, b) = (
                p.surname_key.min(p.given_key),
                p.surname_key.max(p.given_key),
            );
            let key = (u64::from(a) << 32 | u64::from(b)) + 1;
            let weak = p.birth.is_none() && p.docs.is_empty() && p.phone == 0;
            if weak { key | WEAK } else { key }
        })
        .collect();
    let clusters = cluster_with_names(set.len(), &edges, cluster_options, Some(&names), |a, b| {
        let c = compare(&set, &set.records[a as usize], &set.records[b as usize]);
        if relaxed {
            model.merge_evidence_without_relatives(&c, &set.tf)
        } else {
            model.merge_evidence(&c, &set.tf)
        }
    });
    let review = model.thresholds.review;
    let pairs = edges
        .into_iter()
        .filter(|e| e.2 >= review)
        .map(|(left, right, probability)| ScoredPair {
            left,
            right,
            probability,
            decision: model.thresholds.decide(probability),
            mutual_best: false,
        })
        .collect();
    Ok(DedupResult {
        clusters,
        pairs,
        model,
        em,
        blocking,
        prepared: set,
        family_signal,
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
    let mut relaxation = None;
    if options.one_to_one && options.relax_guards {
        let (report, relaxed) = relax_guards(&set, k, &pairs, &packed, &model, options);
        relaxation = Some(report);
        if let Some(pairs) = relaxed {
            return Ok(LinkResult {
                pairs,
                model,
                em,
                blocking,
                prepared: set,
                left_len: k,
                relaxation,
            });
        }
    }
    let review = model.thresholds.review;
    // (left, right, probability after guards, weight before guards, documents conflict,
    // held back only by conflicting documents)
    let scored: Vec<(u32, u32, f64, f64, bool, bool)> = pairs
        .iter()
        .zip(&packed)
        .filter_map(|(&(a, b), &p)| {
            let c = Comparison::unpack(p, &set.records[a as usize], &set.records[b as usize]);
            let probability = model.probability(&c, &set.tf);
            (probability >= review).then(|| {
                (
                    a.min(b),
                    a.max(b).saturating_sub(k32),
                    probability,
                    model.match_weight(&c, &set.tf),
                    model.cannot_link(&c),
                    options.one_to_one && model.held_back_only_by_documents(&c, &set.tf),
                )
            })
        })
        .collect();
    drop(packed);
    let assignment = if options.one_to_one {
        let weighted: Vec<(u32, u32, f64)> = scored.iter().map(|s| (s.0, s.1, s.3)).collect();
        Some(assign_one_to_one(&weighted))
    } else {
        None
    };
    let thresholds = model.thresholds;
    let pairs = scored
        .iter()
        .enumerate()
        .map(|(i, &(left, right, probability, weight, conflict, lift))| {
            let decision = thresholds.decide(probability);
            let margin = options.one_to_one_margin_bits;
            let (probability, decision, mutual_best) =
                match assignment.as_ref().and_then(|a| a.get(i)) {
                    None => (probability, decision, false),
                    // The record is taken by a stronger pair.
                    Some(a) if !a.assigned => (probability, decision.min_review(), false),
                    // Conflicting documents and a close rival: which one is he? Ask.
                    Some(a) if conflict && a.margin < margin => {
                        (probability, decision.min_review(), false)
                    }
                    // The clear mutual best, held back only by its documents.
                    Some(_) if lift => (Model::probability_of_weight(weight), Decision::Link, true),
                    Some(_) => (probability, decision, false),
                };
            ScoredPair {
                left,
                right,
                probability,
                decision,
                mutual_best,
            }
        })
        .collect();
    Ok(LinkResult {
        pairs,
        model,
        em,
        blocking,
        prepared: set,
        left_len: k,
        relaxation,
    })
}

/// Scores the cross pairs with the plain weights and decides, from the pairs within the
/// lists, whether their links may stand ([`GuardRelaxation`]). Returns the relaxed pairs
/// only if relaxing applies.
fn relax_guards(
    set: &PreparedSet,
    k: usize,
    pairs: &[(u32, u32)],
    packed: &[u32],
    model: &Model,
    options: &BatchOptions,
) -> (GuardRelaxation, Option<Vec<ScoredPair>>) {
    let k32 = u32::try_from(k).unwrap_or(u32::MAX);
    let thresholds = model.thresholds;
    // (left, right, probability with guards, plain weight)
    let scored: Vec<(u32, u32, f64, f64)> = pairs
        .iter()
        .zip(packed)
        .filter_map(|(&(a, b), &p)| {
            let c = Comparison::unpack(p, &set.records[a as usize], &set.records[b as usize]);
            let guarded = model.probability(&c, &set.tf);
            let plain = model.weight_without_relatives(&c, &set.tf);
            (guarded.max(Model::probability_of_weight(plain)) >= thresholds.review)
                .then(|| (a.min(b), a.max(b).saturating_sub(k32), guarded, plain))
        })
        .collect();
    let weighted: Vec<(u32, u32, f64)> = scored.iter().map(|s| (s.0, s.1, s.3)).collect();
    let assignment = assign_one_to_one(&weighted);
    let margin = options.one_to_one_margin_bits;
    let guarded_link = |p: f64| thresholds.decide(p) == Decision::Link;
    let lifted = |s: &(u32, u32, f64, f64), a: &Assignment| {
        a.assigned
            && a.margin >= margin
            && !guarded_link(s.2)
            && Model::probability_of_weight(s.3) >= thresholds.link
    };
    let extra_links = scored
        .iter()
        .zip(&assignment)
        .filter(|(s, a)| lifted(s, a))
        .count() as u64;
    let mut report = GuardRelaxation {
        within_list_pairs: 0,
        within_list_guarded_links: 0,
        expected_false_links: f64::INFINITY,
        extra_links,
        applied: false,
    };
    if extra_links == 0 {
        return (report, None);
    }
    // Every pair within one list is two different people.
    let (all, _) = candidate_pairs(set, options.blocking, None);
    for &(a, b) in all
        .iter()
        .filter(|&&(a, b)| ((a as usize) < k) == ((b as usize) < k))
    {
        report.within_list_pairs += 1;
        let c = compare(set, &set.records[a as usize], &set.records[b as usize]);
        if !guarded_link(model.probability(&c, &set.tf))
            && Model::probability_of_weight(model.weight_without_relatives(&c, &set.tf))
                >= thresholds.link
        {
            report.within_list_guarded_links += 1;
        }
    }
    let (kf, rf) = (k as f64, (set.len() - k) as f64);
    let within = kf * (kf - 1.0) / 2.0 + rf * (rf - 1.0) / 2.0;
    let cross = kf * rf;
    if within >= 1.0 {
        report.expected_false_links =
            (report.within_list_guarded_links as f64 + 3.0) * cross / within;
    }
    report.applied = report.expected_false_links <= (1.0 - thresholds.link) * extra_links as f64;
    if !report.applied {
        return (report, None);
    }
    let pairs = scored
        .iter()
        .zip(&assignment)
        .filter_map(|(s, a)| {
            let &(left, right, guarded, plain) = s;
            let (probability, decision, mutual_best) = if lifted(s, a) {
                (Model::probability_of_weight(plain), Decision::Link, true)
            } else if !a.assigned {
                (guarded, thresholds.decide(guarded).min_review(), false)
            } else {
                (guarded, thresholds.decide(guarded), false)
            };
            (probability >= thresholds.review).then_some(ScoredPair {
                left,
                right,
                probability,
                decision,
                mutual_best,
            })
        })
        .collect();
    (report, Some(pairs))
}

/// A pair's place in a one-to-one assignment ([`assign_one_to_one`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assignment {
    /// Whether the pair is in the assignment.
    pub assigned: bool,
    /// The pair's weight minus the largest weight of any *other* pair that shares one of
    /// its records (`f64::INFINITY` when there is none): how clearly it is the mutual best.
    pub margin: f64,
}

/// Greedy one-to-one assignment over scored cross pairs `(left, right, weight)`: pairs are
/// taken by descending weight (ties by left, then right index), and a pair is kept when
/// neither of its records is already taken. Deterministic; one result per input pair, in
/// input order. Greedy by weight is the usual choice for record linkage: the strongest
/// pair is certainly right if either is, and it keeps the best pair of every mutual-best
/// couple (an exact maximum-weight assignment can trade a strong pair for two weaker ones).
pub fn assign_one_to_one(pairs: &[(u32, u32, f64)]) -> Vec<Assignment> {
    // The two strongest pairs per record: (weight, index), best first.
    type Top2 = [Option<(f64, usize)>; 2];
    fn offer(top: &mut Top2, weight: f64, i: usize) {
        let better =
            |x: Option<(f64, usize)>| x.is_none_or(|(w, j)| weight > w || (weight == w && i < j));
        if better(top[0]) {
            top[1] = top[0];
            top[0] = Some((weight, i));
        } else if better(top[1]) {
            top[1] = Some((weight, i));
        }
    }
    let mut left_top: HashMap<u32, Top2, FnvBuild> = HashMap::default();
    let mut right_top: HashMap<u32, Top2, FnvBuild> = HashMap::default();
    for (i, &(l, r, w)) in pairs.iter().enumerate() {
        offer(left_top.entry(l).or_default(), w, i);
        offer(right_top.entry(r).or_default(), w, i);
    }
    let rival = |top: Option<&Top2>, i: usize| -> f64 {
        match top {
            Some([Some((_, j)), second]) if *j == i => second.map_or(f64::NEG_INFINITY, |s| s.0),
            Some([Some((w, _)), _]) => *w,
            _ => f64::NEG_INFINITY,
        }
    };
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by(|&x, &y| {
        let (a, b) = (pairs[x], pairs[y]);
        b.2.total_cmp(&a.2)
            .then_with(|| a.0.cmp(&b.0))
            .then_with(|| a.1.cmp(&b.1))
    });
    let mut taken_left: std::collections::HashSet<u32, FnvBuild> = Default::default();
    let mut taken_right: std::collections::HashSet<u32, FnvBuild> = Default::default();
    let mut out = vec![
        Assignment {
            assigned: false,
            margin: f64::INFINITY,
        };
        pairs.len()
    ];
    for i in order {
        let (l, r, w) = pairs[i];
        let other = rival(left_top.get(&l), i).max(rival(right_top.get(&r), i));
        out[i].margin = w - other;
        if !w.is_nan() && !taken_left.contains(&l) && !taken_right.contains(&r) {
            taken_left.insert(l);
            taken_right.insert(r);
            out[i].assigned = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_read_from_the_patterns() {
        let pattern = |levels: [u8; crate::compare::NUM_FIELDS]| {
            Comparison {
                levels,
                swapped: false,
                surname_value: u32::MAX,
                given_value: u32::MAX,
            }
            .pattern()
        };
        // Same surname and address: given name and birth date the same (one person), or
        // both different (a family); a pair with another surname counts for neither.
        let sure = pattern([4, 4, 0, 7, 0, 0, 0, 0, 5]);
        let family = pattern([4, 1, 0, 2, 0, 0, 0, 0, 5]);
        let elsewhere = pattern([1, 1, 0, 2, 0, 0, 0, 0, 5]);
        let signal = |counts: &[(u32, u64)]| {
            let patterns: HashMap<u32, u64> = counts.iter().copied().collect();
            FamilySignal::from_patterns(&patterns)
        };
        let none = signal(&[(sure, 1_000), (family, 10), (elsewhere, 5_000)]);
        assert_eq!((none.sure_pairs, none.family_pairs), (1_000, 10));
        assert!(none.applied);
        assert!(!signal(&[(sure, 1_000), (family, 300)]).applied, "families");
        assert!(!signal(&[(sure, 100)]).applied, "too little to judge");
        // Sharing a phone instead of an address counts the same.
        let by_phone = pattern([4, 1, 0, 1, 0, 3, 0, 0, 0]);
        assert_eq!(signal(&[(by_phone, 7)]).family_pairs, 7);
    }

    fn assigned(result: &[Assignment]) -> Vec<bool> {
        result.iter().map(|a| a.assigned).collect()
    }

    #[test]
    fn one_to_one_takes_the_strongest_pair_first() {
        // Left 0 has two candidates; right 0 is also wanted by left 1 (weaker).
        let pairs = [
            (0, 0, 20.0),
            (0, 1, 5.0),
            (1, 0, 8.0),
            (1, 1, 7.0),
            (2, 2, 3.0),
        ];
        let a = assign_one_to_one(&pairs);
        assert_eq!(assigned(&a), [true, false, false, true, true]);
        // Margins: (0,0) beats its rivals (0,1) and (1,0) by 12 bits; (1,1) is 1 bit
        // behind (1,0), which lost its right record to (0,0); (2,2) has no rival.
        assert_eq!(a[0].margin, 12.0);
        assert_eq!(a[3].margin, -1.0);
        assert_eq!(a[4].margin, f64::INFINITY);
    }

    #[test]
    fn one_to_one_is_deterministic_and_order_free() {
        let pairs = vec![
            (0, 0, 4.0),
            (0, 1, 4.0),
            (1, 0, 4.0),
            (1, 1, 4.0),
            (2, 1, 1.0),
        ];
        let first = assign_one_to_one(&pairs);
        // Equal weights: ties go to the lower left, then the lower right index.
        assert_eq!(assigned(&first), [true, false, false, true, false]);
        assert!(first.iter().all(|a| a.margin <= 0.0));
        let mut reversed = pairs.clone();
        reversed.reverse();
        let mut again = assign_one_to_one(&reversed);
        again.reverse();
        assert_eq!(again, first);
        assert!(assign_one_to_one(&[]).is_empty());
        // A NaN weight is never assigned and takes no record from anyone.
        let with_nan = assign_one_to_one(&[(0, 0, f64::NAN), (0, 1, 1.0)]);
        assert_eq!(assigned(&with_nan), [false, true]);
    }

    #[test]
    fn every_record_is_assigned_at_most_once() {
        let pairs: Vec<(u32, u32, f64)> = (0..60u32)
            .map(|i| (i % 7, (i * 5) % 11, f64::from((i * 37) % 13)))
            .collect();
        let a = assign_one_to_one(&pairs);
        let mut left = std::collections::HashSet::new();
        let mut right = std::collections::HashSet::new();
        for (p, a) in pairs.iter().zip(&a) {
            if a.assigned {
                assert!(left.insert(p.0) && right.insert(p.1), "{p:?} reused");
            }
        }
        // Greedy is maximal: every unassigned pair has a taken record.
        for (p, a) in pairs.iter().zip(&a) {
            assert!(a.assigned || left.contains(&p.0) || right.contains(&p.1));
        }
    }
}
