//! Identity resolution for Shanyrak: deciding which registrations describe the same person.
//!
//! The same person reaches Shanyrak many times: typed in Cyrillic at the border, in Latin
//! by several transliteration systems at a shelter, with a diminutive at an aid point.
//! Honest counts, no double aid and no lost family members depend on linking those
//! records, and on *not* linking twins or brothers born the same day.
//!
//! This crate is pure: it takes records and returns results. It does no IO, reads no
//! clock and starts no threads (the optional `parallel` feature uses rayon in batch mode).
//!
//! # Layout
//! - [`normalize`]: Unicode NFKC, case folding, homoglyph folding and one canonical
//!   transliteration of Cyrillic (Russian, Kazakh, Kyrgyz) and Latin (ICAO 9303,
//!   GOST 7.79 B, BGN/PCGN, informal) into one comparison alphabet; phonetic keys.
//! - [`layout`]: names typed with the wrong keyboard layout (`Bdfyjd` for `Иванов`),
//!   reread on the other one when that reading is a plausible name.
//! - [`names`]: given-name groups (diminutives), patronymic roots, surname gender forms,
//!   name-part role detection.
//! - [`translit`]: Cyrillic → Latin by each real-world system (used by the generator and
//!   tests to produce the spellings volunteers actually type).
//! - [`record`]: the input record and its parts.
//! - [`prepare`]: turns a record into a compact, interned [`prepare::Prepared`] form once.
//! - [`compare`]: graded comparators (Jaro–Winkler on canonical names, dates, documents,
//!   phones, sex, citizenship) producing a comparison vector.
//! - [`block`]: blocking keys with guards against huge blocks; pair completeness and
//!   reduction ratio.
//! - [`model`]: Fellegi–Sunter model, unsupervised EM, term-frequency adjustment,
//!   explained scores ([`model::Evidence`]) and thresholds.
//! - [`cluster`]: chaining-resistant, deterministic clustering of scored pairs.
//! - [`batch`]: deduplicate a slice or link two slices end to end.
//! - [`index`]: incremental in-memory index for online duplicate lookup.
//! - [`generate`]: seeded, labelled synthetic registrations with realistic variation.
//! - [`encoded`]: privacy-preserving linkage: keyed Bloom-filter encodings (CLKs) of
//!   records, Dice similarity, blocking over the bits, one-to-one linking of two sets of
//!   encodings, and the encodings file format.
//! - [`metrics`]: pairwise and B-cubed precision/recall/F1 against ground truth.
//! - [`hash`]: the small deterministic hasher behind maps and blocking keys.
//! - [`error`]: the crate's error type.
//!
//! **Architecture invariant:** nothing here touches a file, a socket, a database or the
//! clock; every function is deterministic for the same input (and seed).
//!
//! # Use
//!
//! Batch deduplication learns its model from the data (no labels needed):
//!
//! ```
//! use shanyrak_linkage::{BatchOptions, PartialDate, PersonRecord, dedup};
//!
//! let person = |id: &str, surname: &str, given: &str| PersonRecord {
//!     record_id: id.into(),
//!     surname: surname.into(),
//!     given_name: given.into(),
//!     birth_date: PartialDate::ymd(1995, 3, 2).ok(),
//!     ..PersonRecord::default()
//! };
//! let records = [
//!     person("border-1", "Смирнов", "Алексей"),
//!     person("shelter-7", "SMIRNOV", "ALEKSEI"),
//!     person("aid-3", "Aleksey", "Smirnov"), // swapped fields
//!     person("border-2", "Петров", "Иван"),
//! ];
//! let result = dedup(&records, &BatchOptions::default())?;
//! assert_eq!(result.clusters[0], result.clusters[1]);
//! assert_eq!(result.clusters[0], result.clusters[2]);
//! assert_ne!(result.clusters[0], result.clusters[3]);
//! let why = result.explain(0, 1)?;
//! assert!(why.probability > 0.9);
//! # Ok::<(), shanyrak_linkage::LinkageError>(())
//! ```
//!
//! Online, a [`LinkageIndex`] holds every registered person and answers a lookup in
//! microseconds with candidates and their [`Evidence`]; [`LinkageIndex::query`] takes
//! `&self`, so lookups can share the index under a read lock while writes take it
//! exclusively.

pub mod batch;
pub mod block;
pub mod cluster;
pub mod compare;
pub mod encoded;
pub mod error;
pub mod generate;
pub mod hash;
pub mod index;
pub mod layout;
pub mod metrics;
pub mod model;
pub mod names;
pub mod normalize;
pub mod prepare;
pub mod record;
pub mod translit;

pub use batch::{
    BatchOptions, DedupResult, FamilySignal, GuardRelaxation, LinkResult, ScoredPair, dedup, link,
};
pub use compare::Field;
pub use error::LinkageError;
pub use index::{Candidate, LinkageIndex, SearchBy};
pub use model::{Decision, Evidence, FieldEvidence, Guard, Model, Thresholds};
pub use record::{Document, PartialDate, PersonRecord, Sex};

/// The configuration of a property test: `cases` cases, few enough for every test run,
/// unless `PROPTEST_CASES` asks for a deeper search (`PROPTEST_CASES=100000 cargo test`).
#[cfg(test)]
pub(crate) fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    proptest::test_runner::Config {
        cases,
        ..proptest::test_runner::Config::default()
    }
}
