//! Fellegi–Sunter scoring with parameters learnt by EM, and explained scores.
//!
//! For each field `f` and level `l` the model holds `m = P(level | same person)` and
//! `u = P(level | different people)`. A pair's *match weight* is the prior log-odds plus
//! `Σ log2(m/u)` over fields with a comparable value, plus a term-frequency adjustment
//! for agreeing on a rare or common name. The weight converts to a probability, and
//! [`Thresholds`] turn it into a [`Decision`]. Every score can be taken apart into an
//! [`Evidence`] value, so a reviewer sees *why* two records were proposed.
//!
//! The parameters are learnt without labels by expectation–maximisation over the
//! candidate pairs of the data itself ([`Model::estimate`]): the comparison vectors are
//! first counted by pattern (a few thousand distinct patterns even for millions of pairs),
//! so each EM iteration is cheap.
//!
//! Three refinements make the textbook model work on registrations:
//! - EM runs on candidate pairs, where family members (shared surname, phone,
//!   patronymic) crowd the non-matches; unanchored, it separates households rather than
//!   persons. `m` is therefore pulled towards typing-error priors
//!   ([`EmOptions::m_prior_weight`]).
//! - Weights use `u` among random pairs for person-specific fields and a conservative `u`
//!   for household-shared ones, with the population match rate as prior
//!   ([`Model::u_random`], [`Model::matches_per_record`]).
//! - [`Guard`]s encode what independence cannot: twins differ only by given name, and
//!   conflicting documents mean "ask a human".

use std::collections::HashMap;

use crate::cluster::PairEvidence;
use crate::compare::{Comparison, Field, MAX_LEVELS, NUM_FIELDS, compare};
use crate::error::LinkageError;
use crate::hash::FnvBuild;
use crate::prepare::{PreparedSet, TermFrequencies};

/// Probability thresholds for decisions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At or above: the same person (link automatically).
    pub link: f64,
    /// At or above (and below `link`): a human should review.
    pub review: f64,
}

impl Default for Thresholds {
    /// Chosen on generated Cyrillic/Latin data (100k and 1M records): at 0.8 pairwise
    /// precision stays above 0.99 (the probabilities are conservative). A wrong merge can
    /// deny someone aid ("already received"), a missed one only sends a pair to review,
    /// so the default leans towards precision; [`Thresholds::calibrate`] sets them from
    /// labelled pairs.
    fn default() -> Self {
        Thresholds {
            link: 0.8,
            review: 0.3,
        }
    }
}

impl Thresholds {
    /// Validated thresholds: `0 < review <= link < 1`.
    pub fn new(link: f64, review: f64) -> Result<Self, LinkageError> {
        if !(review > 0.0 && review <= link && link < 1.0) {
            return Err(LinkageError::InvalidParameter {
                name: "thresholds",
                reason: format!("need 0 < review <= link < 1, got review {review}, link {link}"),
            });
        }
        Ok(Thresholds { link, review })
    }

    /// Calibrates thresholds on labelled pairs `(probability, is_match)`: `link` becomes
    /// the lowest probability above which the share of true matches is at least
    /// `link_precision`, and `review` the lowest above which it is at least
    /// `review_precision`. Use a sample a reviewer has labelled, or generated data.
    pub fn calibrate(
        labelled: &[(f64, bool)],
        link_precision: f64,
        review_precision: f64,
    ) -> Result<Self, LinkageError> {
        if labelled.is_empty() {
            return Err(LinkageError::NotEnoughData("no labelled pairs".into()));
        }
        let mut sorted: Vec<(f64, bool)> = labelled
            .iter()
            .copied()
            .filter(|(p, _)| p.is_finite())
            .collect();
        sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
        // Walk from the most to the least probable, remembering the lowest probability at
        // which the running precision still meets each target.
        let (mut link, mut review) = (1.0 - 1e-9, 1.0 - 1e-9);
        let mut matches = 0usize;
        for (i, &(p, is_match)) in sorted.iter().enumerate() {
            matches += usize::from(is_match);
            let precision = matches as f64 / (i + 1) as f64;
            if precision >= link_precision {
                link = p;
            }
            if precision >= review_precision {
                review = p;
            }
        }
        let link = link.clamp(1e-6, 1.0 - 1e-9);
        Thresholds::new(link, review.clamp(1e-6, link))
    }

    /// The decision for a probability.
    pub fn decide(&self, probability: f64) -> Decision {
        if probability >= self.link {
            Decision::Link
        } else if probability >= self.review {
            Decision::Review
        } else {
            Decision::NonLink
        }
    }
}

/// What to do with a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Same person.
    Link,
    /// Possibly the same person: ask a human.
    Review,
    /// Different people.
    NonLink,
}

impl Decision {
    /// `Link` lowered to `Review`; the others unchanged.
    pub fn min_review(self) -> Decision {
        match self {
            Decision::Link => Decision::Review,
            other => other,
        }
    }
}

/// A rule that overrides the naive score, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guard {
    /// Given names differ or are merely similar (`Aleksandr`/`Aleksei`) and no document
    /// number agrees or is one typo apart: twins and brothers born the same day share surname, patronymic,
    /// birth date, phone and citizenship, and only the given name tells them apart; such
    /// a pair is never linked automatically, at most reviewed.
    GivenNamesDiffer,
    /// Both records carry a document of the same kind and the numbers differ by more than
    /// a typo. A replaced passport is possible, so this is not proof, but it is not
    /// linked automatically and clustering does not merge across it (a cannot-link
    /// constraint): a reviewer decides. The one exception is overwhelming other evidence,
    /// see [`Model::document_conflict_override_bits`].
    DocumentsConflict,
}

/// One field's contribution to a score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldEvidence {
    /// The field.
    pub field: Field,
    /// Its comparison level.
    pub level: u8,
    /// The level's readable name.
    pub level_name: &'static str,
    /// `log2(m/u)`; zero when missing.
    pub weight: f64,
}

/// Why a pair scored what it scored.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Prior log2-odds of a match among candidate pairs.
    pub prior_weight: f64,
    /// Per-field weights.
    pub fields: [FieldEvidence; NUM_FIELDS],
    /// Adjustment for how common the agreeing surname and given name are.
    pub term_frequency_adjustment: f64,
    /// Whether the names matched with surname and given name crossed.
    pub swapped_names: bool,
    /// A rule that capped the probability.
    pub guard: Option<Guard>,
    /// Sum of all weights.
    pub total_weight: f64,
    /// Match probability after guards.
    pub probability: f64,
    /// The decision under the model's thresholds.
    pub decision: Decision,
}

/// EM settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmOptions {
    /// Iteration limit.
    pub max_iterations: usize,
    /// Stop when no parameter moves more than this.
    pub tolerance: f64,
    /// Strength of the prior on `m`, as a fraction of the number of candidate pairs.
    ///
    /// Unanchored two-class EM on candidate pairs tends to split "same household" from
    /// "different household" instead of "same person" from "different person", because
    /// family members share surname, phone and patronymic. `m` (typing-error rates) is
    /// what is stable across data sets, so it is pulled towards the starting model's `m`
    /// while `u` and the match proportion are learnt freely.
    pub m_prior_weight: f64,
}

impl Default for EmOptions {
    fn default() -> Self {
        EmOptions {
            max_iterations: 200,
            tolerance: 1e-6,
            m_prior_weight: 1.0,
        }
    }
}

/// How EM went.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmReport {
    /// Iterations run.
    pub iterations: usize,
    /// Whether the tolerance was reached.
    pub converged: bool,
    /// Log-likelihood after each iteration (non-decreasing for a correct EM).
    pub log_likelihood: Vec<f64>,
    /// Number of pairs the model was estimated from.
    pub pairs: u64,
}

/// Parameters of a Fellegi–Sunter model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Proportion of matches among candidate pairs.
    pub lambda: f64,
    /// `m[field][level]`; level 0 (missing) is unused.
    pub m: [[f64; MAX_LEVELS]; NUM_FIELDS],
    /// `u[field][level]`.
    pub u: [[f64; MAX_LEVELS]; NUM_FIELDS],
    /// Decision thresholds.
    pub thresholds: Thresholds,
    /// Scale of the term-frequency adjustment (0 disables it).
    pub tf_scale: f64,
    /// Bound on the absolute term-frequency adjustment, in bits.
    pub tf_clamp: f64,
    /// `u` among *random* pairs, if estimated (see [`random_u`]).
    ///
    /// EM learns `u` among candidate pairs, and blocking makes fields dependent there: a
    /// candidate pair whose surnames differ was blocked on given name and birth date, so
    /// "surnames differ" is rare among candidate non-matches and EM would read it as
    /// evidence *for* a match; and a pair blocked on names agrees on names whether or not
    /// it is a match, so the name weight would vanish. Once `u_random` is known, scoring
    /// therefore works at population level: person-specific fields (given name, birth date,
    /// documents, sex) use `u_random`; fields shared inside a household (surname,
    /// patronymic, phone, citizenship) use the larger of the two, because a family shares
    /// them far more often than random people do. The prior is then the population match
    /// rate (see [`Model::matches_per_record`]).
    pub u_random: Option<[[f64; MAX_LEVELS]; NUM_FIELDS]>,
    /// Expected number of other records of the same person per record, `M/N` where `M`
    /// is the number of matching pairs; with [`Model::population`] it gives the prior
    /// probability that two random records match, `2(M/N)/(N-1)`.
    pub matches_per_record: Option<f64>,
    /// Number of records the model scores among (the data set or the index size).
    pub population: usize,
    /// Number of pairs that could match, if not all pairs of the population: `k(N-k)`
    /// when linking two lists of `k` and `N-k` records, where only cross pairs count.
    /// `None` means `N(N-1)/2`. Reset by [`Model::set_population`].
    pub comparable_pairs: Option<f64>,
    /// Whether batch estimation re-learns `m` from pairs with equal documents
    /// ([`Model::refine_m_from_documents`]). Off by default: on the generated registrations
    /// it trades about 0.005 of pairwise precision at 1M records for recall, and the
    /// default leans towards precision. Worth turning on for data whose names are much
    /// noisier than typing errors (FEBRL replaces whole names).
    pub m_from_documents: bool,
    /// How many bits of net evidence against make a pair "clearly different".
    pub veto_bits: f64,
    /// The most one cross pair counts for or against merging two clusters
    /// ([`Model::merge_evidence`]); the default 10 bits is a link at odds of 1,000 to one.
    pub merge_cap_bits: f64,
    /// How much one pair with conflicting documents (below
    /// [`Model::document_conflict_override_bits`]) or net field evidence against counts
    /// against a merge ([`Model::merge_evidence`]): by default one and a half strong
    /// links, so a chain through one record that says little (a name and a birth date)
    /// cannot join two namesakes with their own passports, and a person's mistyped
    /// passport is outweighed once two of their records link strongly for each conflict.
    pub conflict_bits: f64,
    /// How much one pair that looks like two relatives (given names or birth years
    /// clearly differ, no document agrees) counts against a merge
    /// ([`Model::merge_evidence`]): by default three strong links' worth, so records that
    /// say little (no birth date, no document) cannot pull a father and a son of one
    /// name, or twins, together.
    pub relative_bits: f64,
    /// Conflicting documents ([`Guard::DocumentsConflict`]) block an automatic link and a
    /// merge unless the pair's total match weight (prior and the document's own negative
    /// weight included) reaches this many bits, that is odds of about 4,000 to one at
    /// the default 12: a replaced or badly mistyped document of a person whose name, birth
    /// date, address and phone all agree. `f64::INFINITY` makes the guard absolute.
    pub document_conflict_override_bits: f64,
    weights: [[f64; MAX_LEVELS]; NUM_FIELDS],
    /// Weights for pairs whose names agree (see [`Model::names_agree`]): household-shared
    /// fields then use `u_random` too.
    weights_named: [[f64; MAX_LEVELS]; NUM_FIELDS],
}

/// Probabilities are kept away from 0 and 1 so that weights stay finite.
const FLOOR: f64 = 1e-6;

fn normalise(row: &mut [f64; MAX_LEVELS], levels: usize) {
    let total: f64 = row[1..levels].iter().map(|v| v.max(FLOOR)).sum();
    for (l, v) in row.iter_mut().enumerate() {
        *v = if l == 0 || l >= levels {
            0.0
        } else {
            v.max(FLOOR) / total
        };
    }
}

/// Hand-set `m` probabilities: how often a volunteer's record of the *same* person lands
/// in each level. These are typing-error rates, similar across deployments, so they also
/// serve as the prior that anchors EM (see [`EmOptions::m_prior_weight`]).
const PRIOR_M: [&[f64]; NUM_FIELDS] = [
    &[0.0, 0.02, 0.03, 0.07, 0.88],
    &[0.0, 0.01, 0.04, 0.10, 0.85],
    &[0.0, 0.02, 0.06, 0.92],
    &[0.0, 0.005, 0.015, 0.03, 0.02, 0.03, 0.03, 0.87],
    &[0.0, 0.03, 0.04, 0.93],
    &[0.0, 0.02, 0.01, 0.97],
    &[0.0, 0.02, 0.98],
    &[0.0, 0.05, 0.95],
    &[0.0, 0.10, 0.03, 0.07, 0.15, 0.65],
];

/// Hand-set `u` probabilities among *candidate pairs* (records that share a blocking key,
/// so non-matches often share a surname, a family phone or a birth date). Used before any
/// data has been seen; EM replaces them.
const PRIOR_U: [&[f64]; NUM_FIELDS] = [
    &[0.0, 0.35, 0.10, 0.10, 0.45],
    &[0.0, 0.60, 0.10, 0.05, 0.25],
    &[0.0, 0.50, 0.10, 0.40],
    &[0.0, 0.60, 0.15, 0.05, 0.03, 0.05, 0.02, 0.10],
    &[0.0, 0.98, 0.015, 0.005],
    &[0.0, 0.50, 0.02, 0.48],
    &[0.0, 0.45, 0.55],
    &[0.0, 0.10, 0.90],
    &[0.0, 0.85, 0.08, 0.04, 0.02, 0.01],
];

impl Default for Model {
    /// Hand-set values good enough to score before any data exists, and EM's start point.
    fn default() -> Self {
        let mut m = [[0.0; MAX_LEVELS]; NUM_FIELDS];
        let mut u = [[0.0; MAX_LEVELS]; NUM_FIELDS];
        for (f, field) in Field::ALL.iter().enumerate() {
            let n = field.levels();
            for l in 1..n {
                m[f][l] = PRIOR_M[f].get(l).copied().unwrap_or(FLOOR);
                u[f][l] = PRIOR_U[f].get(l).copied().unwrap_or(FLOOR);
            }
            normalise(&mut m[f], n);
            normalise(&mut u[f], n);
        }
        let mut model = Model {
            lambda: 0.3,
            m,
            u,
            thresholds: Thresholds::default(),
            tf_scale: 0.5,
            tf_clamp: 3.0,
            u_random: None,
            matches_per_record: None,
            population: 0,
            comparable_pairs: None,
            m_from_documents: false,
            veto_bits: 2.0,
            merge_cap_bits: 10.0,
            conflict_bits: 15.0,
            relative_bits: 30.0,
            document_conflict_override_bits: 12.0,
            weights: [[0.0; MAX_LEVELS]; NUM_FIELDS],
            weights_named: [[0.0; MAX_LEVELS]; NUM_FIELDS],
        };
        model.refresh();
        model
    }
}

/// Compares `samples` random pairs of `set`, drawn by a fixed-seed generator so the result
/// is deterministic, and counts their comparison patterns (as [`Comparison::pattern`]).
/// The input of [`u_from_random`] and [`Model::refine_u_random`].
pub fn random_patterns(set: &PreparedSet, samples: usize) -> HashMap<u32, u64, FnvBuild> {
    let mut patterns: HashMap<u32, u64, FnvBuild> = HashMap::default();
    let n = set.len() as u64;
    if n >= 2 {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        for _ in 0..samples {
            let a = (next() % n) as usize;
            let b = (next() % n) as usize;
            if a == b {
                continue;
            }
            let c = compare(set, &set.records[a], &set.records[b]);
            *patterns.entry(c.pattern()).or_default() += 1;
        }
    }
    patterns
}

/// Level frequencies of random pairs given their pattern counts, each pattern weighted by
/// `weight(levels)` (1 for all: the raw frequencies), with one pseudo-pair per level.
fn u_from_weighted<S: std::hash::BuildHasher>(
    patterns: &HashMap<u32, u64, S>,
    mut weight: impl FnMut(&[u8; NUM_FIELDS]) -> f64,
) -> [[f64; MAX_LEVELS]; NUM_FIELDS] {
    let mut entries: Vec<(u32, u64)> = patterns.iter().map(|(&p, &c)| (p, c)).collect();
    // Deterministic summation order regardless of hash map iteration.
    entries.sort_unstable();
    let mut counts = [[1.0f64; MAX_LEVELS]; NUM_FIELDS];
    for (p, count) in entries {
        let levels = Comparison::levels_of(p);
        let w = count as f64 * weight(&levels);
        for (f, &l) in levels.iter().enumerate() {
            if l != 0 {
                counts[f][usize::from(l)] += w;
            }
        }
    }
    for (f, field) in Field::ALL.iter().enumerate() {
        normalise(&mut counts[f], field.levels());
    }
    counts
}

/// `u` as the raw level frequencies among the random pairs counted by [`random_patterns`]
/// (true matches included; [`Model::refine_u_random`] removes them).
pub fn u_from_random<S: std::hash::BuildHasher>(
    patterns: &HashMap<u32, u64, S>,
) -> [[f64; MAX_LEVELS]; NUM_FIELDS] {
    u_from_weighted(patterns, |_| 1.0)
}

/// Estimates `u` (level frequencies among non-matching pairs) from `samples` random pairs
/// of `set`, drawn by a fixed-seed generator so the result is deterministic, counting true
/// matches among them as non-matches (see [`Model::refine_u_random`] for the correction).
pub fn random_u(set: &PreparedSet, samples: usize) -> [[f64; MAX_LEVELS]; NUM_FIELDS] {
    u_from_random(&random_patterns(set, samples))
}

fn log2_odds(p: f64) -> f64 {
    let p = p.clamp(FLOOR, 1.0 - FLOOR);
    (p / (1.0 - p)).log2()
}

fn probability_of(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

impl Model {
    /// Recomputes cached weights after `m`, `u` or `lambda` changed.
    pub fn refresh(&mut self) {
        for (f, field) in Field::ALL.iter().enumerate() {
            for l in 0..MAX_LEVELS {
                let (u, u_named) = match &self.u_random {
                    Some(r) if field.shared_in_household() => {
                        let conservative = self.u[f][l].max(r[f][l]);
                        (
                            conservative,
                            if matches!(field, Field::Phone | Field::Address) {
                                r[f][l]
                            } else {
                                conservative
                            },
                        )
                    }
                    Some(r) => (r[f][l], r[f][l]),
                    None => (self.u[f][l], self.u[f][l]),
                };
                let w = |u: f64| {
                    if l == 0 || l >= field.levels() {
                        0.0
                    } else {
                        (self.m[f][l].max(FLOOR) / u.max(FLOOR)).log2()
                    }
                };
                self.weights[f][l] = w(u);
                self.weights_named[f][l] = w(u_named);
            }
        }
    }

    /// Whether a pair agrees on both names (surname and given name at least "very
    /// similar" / "same name group").
    ///
    /// A phone or an address shared by a household is weak evidence in general (a
    /// family shares it), so it is scored with the conservative `u`. But non-matching
    /// *namesakes* almost never share a household (a family does not give two members
    /// one name), so for pairs whose names agree, a shared phone or address is as rare
    /// among non-matches as among random pairs and is scored with `u_random`. Father and
    /// son of one name still differ in patronymic and birth year, which count as before.
    /// Patronymic and citizenship stay conservative: namesakes from different families
    /// share them by chance often enough (a common father's name) that trusting them
    /// costs precision.
    ///
    /// The same holds for a pair whose given names and full birth dates agree while the
    /// surnames do not (a surname changed at marriage or replaced by a typo): two members
    /// of one family do not share a given name and a birthday (twins are given two names).
    pub fn names_agree(c: &Comparison) -> bool {
        let given = c.levels[Field::Given as usize] >= 3;
        given
            && (c.levels[Field::Surname as usize] >= 3
                || c.levels[Field::BirthDate as usize] == Field::BirthDate.top_level())
    }

    fn weight_table(&self, c: &Comparison) -> &[[f64; MAX_LEVELS]; NUM_FIELDS] {
        if Self::names_agree(c) {
            &self.weights_named
        } else {
            &self.weights
        }
    }

    /// The prior log2-odds that a pair matches.
    pub fn prior_weight(&self) -> f64 {
        match self.matches_per_record {
            Some(r) if self.population >= 2 => {
                let n = self.population as f64;
                let pairs = self.comparable_pairs.unwrap_or(n * (n - 1.0) / 2.0);
                log2_odds(r * n / pairs.max(1.0))
            }
            _ => log2_odds(self.lambda),
        }
    }

    /// Sets the number of records scored among (the prior depends on it).
    pub fn set_population(&mut self, population: usize) {
        self.population = population;
        self.comparable_pairs = None;
    }

    /// The weight of a level, `log2(m/u)`.
    pub fn weight(&self, field: Field, level: u8) -> f64 {
        let f = Field::ALL.iter().position(|x| *x == field).unwrap_or(0);
        self.weights[f]
            .get(usize::from(level))
            .copied()
            .unwrap_or(0.0)
    }

    fn tf_adjustment(&self, c: &Comparison, tf: &TermFrequencies) -> f64 {
        if self.tf_scale == 0.0 {
            return 0.0;
        }
        let mut adj = 0.0;
        if let Some(r) = tf.surname_ratio(c.surname_value) {
            adj += r.log2();
        }
        if let Some(r) = tf.given_ratio(c.given_value) {
            adj += r.log2();
        }
        (adj * self.tf_scale).clamp(-self.tf_clamp, self.tf_clamp)
    }

    fn guard(&self, c: &Comparison) -> Option<Guard> {
        if self.documents_conflict(c) {
            return Some(Guard::DocumentsConflict);
        }
        let given = c.levels[Field::Given as usize];
        // A document at most one typo apart identifies the person as well as an equal one.
        ((given == 1 || given == 2) && !c.documents_agree()).then_some(Guard::GivenNamesDiffer)
    }

    /// Whether conflicting documents keep this pair apart: they do, unless everything
    /// else agrees overwhelmingly (see [`Model::document_conflict_override_bits`]).
    fn documents_conflict(&self, c: &Comparison) -> bool {
        self.cannot_link(c)
            && self.match_weight(c, &TermFrequencies::default())
                < self.document_conflict_override_bits
    }

    /// Whether the pair is held back by [`Guard::DocumentsConflict`] alone: with its
    /// documents set aside no other guard applies and the records are not clearly
    /// different (given names, birth years, net evidence against), and its full match
    /// weight — the conflicting document's negative weight included — reaches the link
    /// threshold. One-to-one linkage ([`crate::batch::link`]) may then link the pair if it
    /// is also the clear mutual best candidate of both records; deduplication never does.
    pub fn held_back_only_by_documents(&self, c: &Comparison, tf: &TermFrequencies) -> bool {
        if self.guard(c) != Some(Guard::DocumentsConflict) {
            return false;
        }
        let mut rest = *c;
        rest.levels[Field::Document as usize] = 0;
        self.guard(&rest).is_none()
            && !self.clearly_different(&rest)
            && probability_of(self.match_weight(c, tf)) >= self.thresholds.link
    }

    /// The match probability of a total weight (log2 odds), before guards.
    pub fn probability_of_weight(weight: f64) -> f64 {
        probability_of(weight)
    }

    fn apply_guard(&self, p: f64, guard: Option<Guard>) -> f64 {
        match guard {
            Some(Guard::GivenNamesDiffer | Guard::DocumentsConflict) => {
                p.min(self.thresholds.link * 0.999)
            }
            None => p,
        }
    }

    /// Whether two records carry comparable documents whose numbers clearly differ. Such a
    /// pair is not linked or merged automatically unless its total weight reaches
    /// [`Model::document_conflict_override_bits`].
    pub fn cannot_link(&self, c: &Comparison) -> bool {
        c.levels[Field::Document as usize] == 1
    }

    /// Whether the evidence says two records are different people — not merely that it
    /// says little. True for conflicting documents (below the override), clearly different
    /// given names or birth years far apart (a parent and a child of the same name) unless
    /// a document is equal or one typo apart, or field weights that add up to evidence
    /// against (below −[`Self::veto_bits`]). Clustering weighs such pairs against the
    /// links instead of obeying each one ([`Model::merge_evidence`]).
    pub fn clearly_different(&self, c: &Comparison) -> bool {
        if self.documents_conflict(c) {
            return true;
        }
        // A document equal or one typo apart outweighs a different given name (a name
        // typed into the wrong field, a changed name) or a far-off birth year (a typo).
        let document_agrees = c.documents_agree();
        if !document_agrees
            && (c.levels[Field::Given as usize] == 1 || c.levels[Field::BirthDate as usize] == 1)
        {
            return true;
        }
        let evidence: f64 = c
            .levels
            .iter()
            .enumerate()
            .map(|(f, &l)| self.weights[f].get(usize::from(l)).copied().unwrap_or(0.0))
            .sum();
        evidence < -self.veto_bits
    }

    /// How much one pair across two clusters counts for (positive) or against (negative)
    /// merging them, in bits; clustering merges when the sum over every cross pair is
    /// positive ([`crate::cluster::cluster`]).
    ///
    /// A veto by any single pair splits a person registered a dozen times as soon as one
    /// record carries a mistyped passport, although every other pair links at odds of
    /// thousands to one; so evidence is weighed instead:
    /// - a pair that looks like two relatives — given names clearly different, or birth
    ///   years far apart, and no document equal or one typo apart — counts
    ///   −[`Model::relative_bits`]: twins, siblings and a father and son of one name
    ///   share everything else, and only such a pair tells them apart;
    /// - conflicting documents (below [`Model::document_conflict_override_bits`]) or net
    ///   field evidence against (below −[`Model::veto_bits`]) count
    ///   −[`Model::conflict_bits`];
    /// - any other pair counts its match weight (log2 odds, prior included) between 0
    ///   and [`Model::merge_cap_bits`]: a link supports the merge, a pair that says
    ///   little is neutral ([`PairEvidence::Weight`]; the cap is applied by clustering);
    ///   with equal document numbers the pair also identifies the record
    ///   ([`PairEvidence::Identified`]).
    pub fn merge_evidence(&self, c: &Comparison, tf: &TermFrequencies) -> PairEvidence {
        let document_agrees = c.documents_agree();
        if !document_agrees
            && (c.levels[Field::Given as usize] == 1 || c.levels[Field::BirthDate as usize] == 1)
        {
            return PairEvidence::Against(self.relative_bits.max(0.0));
        }
        if self.clearly_different(c) {
            return PairEvidence::Against(self.conflict_bits.max(0.0));
        }
        if self.guard(c).is_some() {
            return PairEvidence::Guarded;
        }
        let weight = self.match_weight(c, tf);
        if c.documents_agree() {
            PairEvidence::Identified(weight)
        } else {
            PairEvidence::Weight(weight)
        }
    }

    /// [`Model::merge_evidence`] for data without families (see
    /// [`crate::batch::FamilySignal`]): the plain weight
    /// ([`Model::weight_without_relatives`]) counts for the merge, or
    /// −[`Model::conflict_bits`] when it is evidence against (below −[`Model::veto_bits`]);
    /// no pair is held back as a possible relative, and a document equal or one typo
    /// apart still identifies.
    pub fn merge_evidence_without_relatives(
        &self,
        c: &Comparison,
        tf: &TermFrequencies,
    ) -> PairEvidence {
        let weight = self.weight_without_relatives(c, tf);
        if weight < -self.veto_bits {
            PairEvidence::Against(self.conflict_bits.max(0.0))
        } else if c.documents_agree() {
            PairEvidence::Identified(weight)
        } else {
            PairEvidence::Weight(weight)
        }
    }

    /// The total match weight (log2 odds) of a comparison, before guards.
    pub fn match_weight(&self, c: &Comparison, tf: &TermFrequencies) -> f64 {
        let mut w = self.prior_weight();
        let table = self.weight_table(c);
        for (f, &l) in c.levels.iter().enumerate() {
            w += table[f].get(usize::from(l)).copied().unwrap_or(0.0);
        }
        w + self.tf_adjustment(c, tf)
    }

    /// The match weight (log2 odds) as if no two records could be relatives: a shared
    /// phone or address scored against random pairs whatever the names say, and no guard.
    /// This is the plain Fellegi–Sunter score; [`crate::batch::link`] uses it only when
    /// the two lists themselves show that relatives are not confused at this weight
    /// ([`crate::batch::GuardRelaxation`]).
    pub fn weight_without_relatives(&self, c: &Comparison, tf: &TermFrequencies) -> f64 {
        let mut w = self.prior_weight();
        for (f, &l) in c.levels.iter().enumerate() {
            w += self.weights_named[f]
                .get(usize::from(l))
                .copied()
                .unwrap_or(0.0);
        }
        w + self.tf_adjustment(c, tf)
    }

    /// The match probability of a comparison, after guards. Allocation-free.
    pub fn probability(&self, c: &Comparison, tf: &TermFrequencies) -> f64 {
        self.apply_guard(probability_of(self.match_weight(c, tf)), self.guard(c))
    }

    /// The full explanation of a score.
    pub fn explain(&self, c: &Comparison, tf: &TermFrequencies) -> Evidence {
        let table = self.weight_table(c);
        let fields = std::array::from_fn(|f| {
            let field = Field::ALL[f];
            let level = c.levels[f];
            FieldEvidence {
                field,
                level,
                level_name: field
                    .level_names()
                    .get(usize::from(level))
                    .copied()
                    .unwrap_or("?"),
                weight: table[f].get(usize::from(level)).copied().unwrap_or(0.0),
            }
        });
        let total = self.match_weight(c, tf);
        let guard = self.guard(c);
        let probability = self.apply_guard(probability_of(total), guard);
        Evidence {
            prior_weight: self.prior_weight(),
            fields,
            term_frequency_adjustment: self.tf_adjustment(c, tf),
            swapped_names: c.swapped,
            guard: guard.filter(|_| probability < probability_of(total)),
            total_weight: total,
            probability,
            decision: self.thresholds.decide(probability),
        }
    }

    /// Estimates `m`, `u` and `lambda` from unlabelled comparison patterns by EM,
    /// starting from `self`.
    ///
    /// `patterns` maps [`Comparison::pattern`] to how many candidate pairs showed it.
    /// After convergence the two classes are ordered so that the match class is the one
    /// that agrees more on names and dates (EM itself does not know which is which).
    pub fn estimate<S: std::hash::BuildHasher>(
        &self,
        patterns: &HashMap<u32, u64, S>,
        options: EmOptions,
    ) -> Result<(Model, EmReport), LinkageError> {
        let total: u64 = patterns.values().sum();
        if total < 10 {
            return Err(LinkageError::NotEnoughData(format!(
                "{total} candidate pairs"
            )));
        }
        let mut entries: Vec<([u8; NUM_FIELDS], f64)> = patterns
            .iter()
            .map(|(&p, &c)| (Comparison::levels_of(p), c as f64))
            .collect();
        // Deterministic summation order regardless of hash map iteration.
        entries.sort_by_key(|e| e.0);
        let mut model = self.clone();
        let mut report = EmReport {
            pairs: total,
            ..EmReport::default()
        };
        for iteration in 0..options.max_iterations {
            let mut m_acc = [[0.0f64; MAX_LEVELS]; NUM_FIELDS];
            let mut u_acc = [[0.0f64; MAX_LEVELS]; NUM_FIELDS];
            let mut match_mass = 0.0;
            let mut ll = 0.0;
            for (levels, count) in &entries {
                let mut pm = model.lambda;
                let mut pu = 1.0 - model.lambda;
                for (f, &l) in levels.iter().enumerate() {
                    if l == 0 {
                        continue;
                    }
                    pm *= model.m[f][usize::from(l)].max(FLOOR);
                    pu *= model.u[f][usize::from(l)].max(FLOOR);
                }
                let denom = (pm + pu).max(f64::MIN_POSITIVE);
                ll += count * denom.ln();
                let g = pm / denom;
                match_mass += count * g;
                for (f, &l) in levels.iter().enumerate() {
                    if l == 0 {
                        continue;
                    }
                    m_acc[f][usize::from(l)] += count * g;
                    u_acc[f][usize::from(l)] += count * (1.0 - g);
                }
            }
            let mut next = model.clone();
            next.lambda = (match_mass / total as f64).clamp(FLOOR, 1.0 - FLOOR);
            for (f, field) in Field::ALL.iter().enumerate() {
                let n = field.levels();
                // A tiny pseudo-count keeps unseen levels possible; the prior pulls `m`
                // towards the starting model (see `EmOptions::m_prior_weight`).
                let prior = options.m_prior_weight.max(0.0) * total as f64;
                let prior_total: f64 = self.m[f][1..n].iter().sum::<f64>().max(FLOOR);
                for l in 1..n {
                    m_acc[f][l] += 1e-3 + prior * self.m[f][l] / prior_total;
                    u_acc[f][l] += 1e-3;
                }
                next.m[f] = m_acc[f];
                next.u[f] = u_acc[f];
                normalise(&mut next.m[f], n);
                normalise(&mut next.u[f], n);
            }
            let mut delta = (next.lambda - model.lambda).abs();
            for f in 0..NUM_FIELDS {
                for l in 0..MAX_LEVELS {
                    delta = delta
                        .max((next.m[f][l] - model.m[f][l]).abs())
                        .max((next.u[f][l] - model.u[f][l]).abs());
                }
            }
            model = next;
            report.iterations = iteration + 1;
            report.log_likelihood.push(ll);
            if delta < options.tolerance {
                report.converged = true;
                break;
            }
        }
        model.orient();
        model.refresh();
        Ok((model, report))
    }

    /// Re-estimates [`Model::matches_per_record`] from the candidate-pair `patterns` with
    /// `m`, `u_random` and the weights held fixed: the EM update of the population match
    /// rate alone, iterated to its fixed point (expected matches = sum of match
    /// probabilities over candidate pairs; pairs blocking never produced count as
    /// non-matches). Two-class EM on candidate pairs estimates the match share badly when
    /// nearly all candidates are matches (tight blocking, as on FEBRL): the free `u` class
    /// then absorbs the matches and the share collapses. This estimate does not depend on
    /// how the candidates were split. Needs `population` set; does nothing otherwise.
    pub fn refine_match_rate<S: std::hash::BuildHasher>(
        &mut self,
        patterns: &HashMap<u32, u64, S>,
    ) {
        let n = self.population as f64;
        if self.population < 2 || self.u_random.is_none() {
            return;
        }
        let mut entries: Vec<(Comparison, f64)> = patterns
            .iter()
            .map(|(&p, &count)| {
                (
                    Comparison {
                        levels: Comparison::levels_of(p),
                        swapped: false,
                        surname_value: crate::prepare::NO_SYM,
                        given_value: crate::prepare::NO_SYM,
                    },
                    count as f64,
                )
            })
            .collect();
        entries.sort_by_key(|e| e.0.levels);
        let tf = TermFrequencies::default();
        let mut rate = self.matches_per_record.unwrap_or(0.0).max(1e-6);
        for _ in 0..1000 {
            self.matches_per_record = Some(rate);
            let expected: f64 = entries
                .iter()
                .map(|(c, count)| count * probability_of(self.match_weight(c, &tf)))
                .sum();
            let next = (expected / n).max(1e-9);
            let done = (next - rate).abs() <= 1e-6 * rate;
            rate = next;
            if done {
                break;
            }
        }
        self.matches_per_record = Some(rate);
    }

    /// Re-estimates the document row of [`Model::u_random`] from the random pairs counted
    /// by [`random_patterns`], each weighted by its probability of being a *non*-match
    /// under the current model (guards not applied, no term-frequency adjustment).
    ///
    /// A random pair is a true match with probability `π = 2(M/N)/(N-1)`, so the raw
    /// frequency of a level among random pairs is `π·m + (1-π)·u`, not `u`. Two different
    /// people almost never carry the same document number (`u` of the order of one in
    /// ten million), so nearly every random pair with equal documents is a match: on
    /// 10,000 records (`π` ≈ 1e-4) the raw estimate caps the weight of an equal document
    /// near `log2(1/π)` ≈ 13 bits whatever the data says, and the correction lifts it to
    /// what the sample can show (about 17 bits with 110,000 pairs). Removing each sampled
    /// pair by its posterior is the E-step of the mixture `π·m + (1-π)·u`.
    ///
    /// Only the document row is corrected. Names and dates carry the same bias at small
    /// `N`, but correcting them raises every name and date weight by a few bits in a list
    /// of a few thousand, enough for two namesakes born the same day to outweigh their
    /// conflicting passports ([`Model::document_conflict_override_bits`] is calibrated on
    /// the raw frequencies); the conservative choice is kept there. With millions of
    /// records `π` is tiny and nothing changes. Call after [`Model::u_random`], the prior
    /// and `m` are set; it refreshes the weights.
    pub fn refine_u_random<S: std::hash::BuildHasher>(&mut self, random: &HashMap<u32, u64, S>) {
        if self.u_random.is_none() {
            return;
        }
        let tf = TermFrequencies::default();
        let u = u_from_weighted(random, |levels| {
            let c = Comparison {
                levels: *levels,
                swapped: false,
                surname_value: crate::prepare::NO_SYM,
                given_value: crate::prepare::NO_SYM,
            };
            1.0 - probability_of(self.match_weight(&c, &tf))
        });
        if let Some(r) = self.u_random.as_mut() {
            let doc = Field::Document as usize;
            r[doc] = u[doc];
        }
        self.refresh();
    }

    /// Re-estimates `m` of every field but the document from the candidate pairs whose
    /// documents are equal: such pairs are (almost) all the same person, so how often
    /// their names, dates, phones and addresses disagree *is* the error rate of this data
    /// set, as Splink estimates `m` on pairs blocked by an identifier. This is what lets
    /// the model learn that a data set's names are noisier (FEBRL) or cleaner than the
    /// typing-error priors say, without labels. Each field's estimate is blended with the
    /// current `m` weighted as `prior_pairs` pairs, and used only if at least `min_pairs`
    /// such pairs have the field on both sides. Call [`Model::refresh`] afterwards.
    pub fn refine_m_from_documents<S: std::hash::BuildHasher>(
        &mut self,
        patterns: &HashMap<u32, u64, S>,
        min_pairs: u64,
        prior_pairs: f64,
    ) {
        let doc = Field::Document as usize;
        let top = Field::Document.levels() - 1;
        let mut counts = [[0u64; MAX_LEVELS]; NUM_FIELDS];
        for (&p, &count) in patterns {
            let levels = Comparison::levels_of(p);
            if usize::from(levels[doc]) != top {
                continue;
            }
            for (f, &l) in levels.iter().enumerate() {
                if l != 0 {
                    counts[f][usize::from(l)] += count;
                }
            }
        }
        for (f, field) in Field::ALL.iter().enumerate() {
            let n: u64 = counts[f].iter().sum();
            if f == doc || n < min_pairs {
                continue;
            }
            let levels = field.levels();
            for (m, &c) in self.m[f].iter_mut().zip(&counts[f]).take(levels).skip(1) {
                *m = (c as f64 + prior_pairs * *m) / (n as f64 + prior_pairs);
            }
            normalise(&mut self.m[f], levels);
        }
    }

    /// The counterpart of [`Model::refine_m_from_documents`] for the document itself:
    /// re-learns the document's `m` from candidate pairs identified by everything but the
    /// document (surname, given name and full birth date the same). Namesakes born the
    /// same day are rare enough that these pairs are, in effect, matches; how often their
    /// documents differ is how often a person's document is replaced or mistyped in this
    /// data. Blended with the current `m` as `prior_pairs` pairs, used only from
    /// `min_pairs` such pairs with a document on both sides. Call [`Model::refresh`]
    /// afterwards.
    pub fn refine_document_m_from_names<S: std::hash::BuildHasher>(
        &mut self,
        patterns: &HashMap<u32, u64, S>,
        min_pairs: u64,
        prior_pairs: f64,
    ) {
        let doc = Field::Document as usize;
        let identifying = [Field::Surname, Field::Given, Field::BirthDate];
        let mut counts = [0u64; MAX_LEVELS];
        for (&p, &count) in patterns {
            let levels = Comparison::levels_of(p);
            if identifying
                .iter()
                .all(|&f| levels[f as usize] == f.top_level())
                && levels[doc] != 0
            {
                counts[usize::from(levels[doc])] += count;
            }
        }
        let n: u64 = counts.iter().sum();
        if n < min_pairs {
            return;
        }
        let levels = Field::Document.levels();
        for (m, &c) in self.m[doc].iter_mut().zip(&counts).take(levels).skip(1) {
            *m = (c as f64 + prior_pairs * *m) / (n as f64 + prior_pairs);
        }
        normalise(&mut self.m[doc], levels);
    }

    /// Makes sure the "match" class is the one that agrees on names and dates.
    fn orient(&mut self) {
        let top = |row: &[f64; MAX_LEVELS], field: Field| row[field.levels() - 1];
        let m_score: f64 = [Field::Surname, Field::Given, Field::BirthDate]
            .iter()
            .map(|&fl| top(&self.m[fl as usize], fl))
            .sum();
        let u_score: f64 = [Field::Surname, Field::Given, Field::BirthDate]
            .iter()
            .map(|&fl| top(&self.u[fl as usize], fl))
            .sum();
        if u_score > m_score {
            std::mem::swap(&mut self.m, &mut self.u);
            self.lambda = 1.0 - self.lambda;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_model_prefers_agreement() {
        let m = Model::default();
        assert!(m.weight(Field::Surname, 4) > 0.0);
        assert!(m.weight(Field::Surname, 1) < 0.0);
        assert_eq!(m.weight(Field::Surname, 0), 0.0);
    }

    #[test]
    fn thresholds_validate() {
        assert!(Thresholds::new(0.9, 0.5).is_ok());
        assert!(Thresholds::new(0.5, 0.9).is_err());
        assert!(Thresholds::new(1.0, 0.5).is_err());
        assert!(Thresholds::new(f64::NAN, 0.5).is_err());
    }

    #[test]
    fn thresholds_calibrate_to_precision() {
        let pairs: Vec<(f64, bool)> = (0..100)
            .map(|i| (f64::from(i) / 100.0, i >= 60 || i % 2 == 0))
            .collect();
        let t = Thresholds::calibrate(&pairs, 1.0, 0.7).unwrap_or_else(|e| panic!("{e}"));
        assert!((t.link - 0.6).abs() < 1e-9, "{t:?}");
        assert!(t.review < t.link);
        assert!(Thresholds::calibrate(&[], 0.9, 0.5).is_err());
    }

    fn comparison(levels: [u8; NUM_FIELDS]) -> Comparison {
        Comparison {
            levels,
            swapped: false,
            surname_value: u32::MAX,
            given_value: u32::MAX,
        }
    }

    #[test]
    fn the_document_m_is_learned_from_pairs_identified_by_names_and_date() {
        // 300 pairs with the same names and birth date; 60 of them carry different
        // documents (a replaced number). Pairs whose names differ do not count.
        let mut patterns: HashMap<u32, u64> = HashMap::new();
        patterns.insert(comparison([4, 4, 0, 7, 3, 0, 0, 0, 0]).pattern(), 240);
        patterns.insert(comparison([4, 4, 0, 7, 1, 0, 0, 0, 0]).pattern(), 60);
        patterns.insert(comparison([1, 4, 0, 7, 1, 0, 0, 0, 0]).pattern(), 5_000);
        let mut model = Model::default();
        let before = model.m[Field::Document as usize][1];
        model.refine_document_m_from_names(&patterns, 100, 100.0);
        let after = model.m[Field::Document as usize][1];
        // (60 + 100 * before) / 400: a quarter of the prior's weight, three of the data's.
        assert!(
            (after - (60.0 + 100.0 * before) / 400.0).abs() < 1e-9,
            "{after}"
        );
        assert!(after > 4.0 * before);
        // Too few identified pairs: unchanged.
        let mut few = Model::default();
        few.refine_document_m_from_names(&patterns, 1_000, 100.0);
        assert_eq!(few.m, Model::default().m);
    }

    #[test]
    fn a_shared_address_counts_when_given_name_and_birth_date_agree() {
        let model = Model::default();
        let tf = TermFrequencies::default();
        // Surname changed, given name and full birth date the same, same address.
        let married = comparison([1, 4, 0, 7, 0, 0, 0, 0, 5]);
        assert!(Model::names_agree(&married));
        let mut elsewhere = married;
        elsewhere.levels[Field::Address as usize] = 1;
        assert!(model.match_weight(&married, &tf) > model.match_weight(&elsewhere, &tf) + 5.0);
        // Twins: the same surname, birth date and address, given names differ: the
        // address stays household evidence.
        let twins = comparison([4, 1, 0, 7, 0, 0, 0, 0, 5]);
        assert!(!Model::names_agree(&twins));
        // Given name the same but birth date different (a parent and child): also not.
        assert!(!Model::names_agree(&comparison([
            1, 4, 0, 2, 0, 0, 0, 0, 5
        ])));
    }

    #[test]
    fn a_document_one_typo_apart_identifies_for_a_merge() {
        let model = Model::default();
        let tf = TermFrequencies::default();
        let typo = comparison([4, 4, 0, 7, 2, 0, 0, 0, 0]);
        assert!(matches!(
            model.merge_evidence(&typo, &tf),
            PairEvidence::Identified(_)
        ));
        let unknown = comparison([4, 4, 0, 7, 0, 0, 0, 0, 0]);
        assert!(matches!(
            model.merge_evidence(&unknown, &tf),
            PairEvidence::Weight(_)
        ));
    }

    #[test]
    fn em_recovers_a_planted_model() {
        // Matches agree on everything, non-matches on nothing but sex half the time.
        let mut patterns = HashMap::new();
        let agree = Comparison {
            levels: [4, 4, 3, 7, 3, 3, 2, 2, 5],
            swapped: false,
            surname_value: u32::MAX,
            given_value: u32::MAX,
        };
        let mut differ = agree;
        differ.levels = [1, 1, 1, 1, 1, 1, 2, 2, 1];
        let mut differ2 = differ;
        differ2.levels[6] = 1;
        patterns.insert(agree.pattern(), 100);
        patterns.insert(differ.pattern(), 450);
        patterns.insert(differ2.pattern(), 450);
        let (model, report) = Model::default()
            .estimate(&patterns, EmOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(report.converged);
        assert!((model.lambda - 0.1).abs() < 0.01, "{}", model.lambda);
        let tf = TermFrequencies::default();
        assert!(model.probability(&agree, &tf) > 0.99);
        assert!(model.probability(&differ, &tf) < 0.01);
    }
}
