//! Online mode: an in-memory index of registered persons that answers "is this person
//! already registered?" in milliseconds while a volunteer is typing.
//!
//! The index keeps each record prepared once, and an inverted list from every blocking
//! key to the records that carry it. A query prepares the new record, gathers the records
//! sharing any of its keys (skipping oversized lists, as batch blocking does), compares
//! and scores only those, and returns the best with their evidence. Inserting is O(keys).
//! The server rebuilds the index from the database at start and feeds it every write;
//! the index itself is a cache and persists nothing.

use std::collections::HashMap;

use crate::block::{BlockingOptions, is_passive, keys, keys_with};
use crate::compare::compare_with;
use crate::error::LinkageError;
use crate::hash::FnvBuild;
use crate::model::{EmOptions, EmReport, Evidence, Model};
use crate::prepare::{Prepared, PreparedSet, QueryStrings};
use crate::record::PersonRecord;

/// A possible match returned by [`LinkageIndex::query`].
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The indexed record's identifier.
    pub record_id: String,
    /// Match probability.
    pub probability: f64,
    /// Why.
    pub evidence: Evidence,
}

/// Which keys a free-text search may use besides names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchBy {
    /// Find a person by the phone of their household.
    pub phone: bool,
    /// Find a person by an identity document number.
    pub documents: bool,
}

impl SearchBy {
    /// Every key.
    pub const ALL: SearchBy = SearchBy {
        phone: true,
        documents: true,
    };
}

/// An incremental index for duplicate lookup.
#[derive(Debug, Clone)]
pub struct LinkageIndex {
    set: PreparedSet,
    ids: Vec<String>,
    alive: Vec<bool>,
    by_id: HashMap<String, u32, FnvBuild>,
    postings: HashMap<u64, Vec<u32>, FnvBuild>,
    /// Records by canonical surname stem, for a search by surname alone. Kept apart from
    /// the blocking keys: a surname is far too common to pair records on.
    surnames: HashMap<String, Vec<u32>, FnvBuild>,
    model: Model,
    blocking: BlockingOptions,
    key_buf: Vec<u64>,
}

impl LinkageIndex {
    /// An empty index scoring with `model`.
    pub fn new(model: Model) -> Self {
        Self::with_blocking(model, BlockingOptions::default())
    }

    /// An empty index with explicit blocking settings.
    pub fn with_blocking(model: Model, blocking: BlockingOptions) -> Self {
        LinkageIndex {
            set: PreparedSet::default(),
            ids: Vec::new(),
            alive: Vec::new(),
            by_id: HashMap::default(),
            postings: HashMap::default(),
            surnames: HashMap::default(),
            model,
            blocking,
            key_buf: Vec::new(),
        }
    }

    /// Number of live records.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the index holds no live record.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The scoring model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Replaces the scoring model (for example after a batch EM run). The model's
    /// population is set to the index size.
    pub fn set_model(&mut self, mut model: Model) {
        model.set_population(self.by_id.len());
        self.model = model;
    }

    /// Adds a record. Its `record_id` must not be indexed already (use [`Self::upsert`]).
    pub fn insert(&mut self, record: &PersonRecord) -> Result<(), LinkageError> {
        if let Some(&i) = self.by_id.get(&record.record_id) {
            return Err(LinkageError::DuplicateRecordId(i as usize));
        }
        let idx = u32::try_from(self.set.len()).map_err(|_| LinkageError::InvalidParameter {
            name: "index",
            reason: "more than 2^32 records".into(),
        })?;
        let i = self.set.push(record);
        self.model.set_population(self.by_id.len() + 1);
        keys(&self.set, &self.set.records[i], &mut self.key_buf);
        let slot = idx.checked_mul(2).ok_or(LinkageError::InvalidParameter {
            name: "index",
            reason: "more than 2^31 records".into(),
        })?;
        for &k in &self.key_buf {
            // Posting entries are `index * 2 + passive`.
            self.postings
                .entry(k >> 1)
                .or_default()
                .push(slot | u32::from(is_passive(k)));
        }
        let mut stems: Vec<String> = crate::normalize::canonical_tokens(&record.surname)
            .iter()
            .filter(|t| !t.chars().all(|c| c.is_ascii_digit()))
            .map(|t| crate::names::surname_stem(t))
            .collect();
        stems.sort_unstable();
        stems.dedup();
        for stem in stems {
            self.surnames.entry(stem).or_default().push(idx);
        }
        self.ids.push(record.record_id.clone());
        self.alive.push(true);
        self.by_id.insert(record.record_id.clone(), idx);
        Ok(())
    }

    /// Removes a record by id; returns whether it was present. Its slot is tombstoned.
    pub fn remove(&mut self, record_id: &str) -> bool {
        let Some(i) = self.by_id.remove(record_id) else {
            return false;
        };
        let i = i as usize;
        if let Some(a) = self.alive.get_mut(i) {
            *a = false;
        }
        if let Some(p) = self.set.records.get(i) {
            self.set.tf.remove(p);
        }
        self.model.set_population(self.by_id.len());
        true
    }

    /// Inserts or replaces a record (an edit of a registration).
    pub fn upsert(&mut self, record: &PersonRecord) -> Result<(), LinkageError> {
        self.remove(&record.record_id);
        self.insert(record)
    }

    fn gather(&self, keys_of_p: &[u64], out: &mut Vec<u32>) {
        out.clear();
        for k in keys_of_p {
            if is_passive(*k) {
                continue;
            }
            // The same guard as batch blocking: a list is searched if its active entries
            // form a block of at most max_block_size and the query's pairs stay within
            // the pair budget of such a block (big passive lists are still searched).
            let Some(list) = self.postings.get(&(k >> 1)) else {
                continue;
            };
            let max = self.blocking.max_block_size;
            if list.len() > max * max.saturating_sub(1) / 2 {
                continue;
            }
            if list.len() > max && list.iter().filter(|e| *e & 1 == 0).count() >= max {
                continue;
            }
            out.extend(list.iter().map(|e| e >> 1));
        }
        out.sort_unstable();
        out.dedup();
        out.retain(|&i| self.alive.get(i as usize).copied().unwrap_or(false));
    }

    /// The indexed records that may be the same person as `record`, best first, at most
    /// `limit`, each at or above the review threshold. A record with the same
    /// `record_id` is never returned as its own duplicate.
    ///
    /// Takes `&self`: the query's new strings live in a per-query overlay
    /// ([`QueryStrings`]), so lookups can run concurrently under a read lock.
    pub fn query(&self, record: &PersonRecord, limit: usize) -> Vec<Candidate> {
        let mut strings = QueryStrings::new(&self.set.strings);
        let p = Prepared::new(record, &mut strings);
        let mut key_buf = Vec::with_capacity(12);
        keys_with(&strings, &p, &mut key_buf);
        let mut cands = Vec::new();
        self.gather(&key_buf, &mut cands);
        let review = self.model.thresholds.review;
        let mut scored: Vec<(f64, u32)> = cands
            .into_iter()
            .filter(|&i| self.ids[i as usize] != record.record_id)
            .filter_map(|i| {
                let c = compare_with(&strings, &p, &self.set.records[i as usize]);
                let prob = self.model.probability(&c, &self.set.tf);
                (prob >= review).then_some((prob, i))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(limit);
        scored
            .into_iter()
            .map(|(probability, i)| {
                let c = compare_with(&strings, &p, &self.set.records[i as usize]);
                Candidate {
                    record_id: self.ids[i as usize].clone(),
                    probability,
                    evidence: self.model.explain(&c, &self.set.tf),
                }
            })
            .collect()
    }

    /// Free-text search, as typed into a search box: a name in any script and order
    /// (`Смирнов Алексей`, `ALEKSEI SMIRNOV`, `Саша Иванова`), a document number or a
    /// phone number. Returns matching record ids, at most `limit`, in index order.
    ///
    /// Names are matched exactly on their canonical forms (surname stem and given-name
    /// group, so spellings, gender forms and diminutives meet); numbers exactly after
    /// normalisation. Fuzzy matching is [`Self::query`]'s job.
    pub fn search(&self, text: &str, limit: usize) -> Vec<String> {
        self.search_by(text, limit, SearchBy::ALL)
    }

    /// [`Self::search`] on the keys `by` allows: a reader who may not see document numbers
    /// or phones must not find a person by them either (a match would confirm them).
    pub fn search_by(&self, text: &str, limit: usize, by: SearchBy) -> Vec<String> {
        let mut keys: Vec<u64> = Vec::new();
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if digits >= 6 {
            let phone = crate::prepare::normalize_phone(text);
            if by.phone && phone != 0 {
                keys.push(crate::block::phone_key(phone));
            }
            if by.documents
                && let Some(doc) = crate::prepare::DocKey::new(crate::prepare::DocKind::Other, text)
            {
                keys.push(crate::block::document_key(doc.as_bytes()));
            }
        }
        let tokens: Vec<String> =
            crate::layout::reread(text, crate::normalize::canonical_tokens(text))
                .into_iter()
                .filter(|t| !t.chars().all(|c| c.is_ascii_digit()))
                .collect();
        for (i, a) in tokens.iter().enumerate() {
            for (j, b) in tokens.iter().enumerate() {
                if i == j {
                    continue;
                }
                let stem = crate::names::surname_stem(a);
                let group = crate::names::given_name_group(b).unwrap_or(b);
                keys.push(crate::block::names_key(&stem, group));
            }
        }
        let mut found: Vec<u32> = keys
            .iter()
            .filter_map(|k| self.postings.get(&(k >> 1)))
            .flat_map(|list| list.iter().map(|e| e >> 1))
            .filter(|&i| self.alive.get(i as usize).copied().unwrap_or(false))
            .collect();
        // A surname alone lists the people of that surname, in any script.
        if let [only] = tokens.as_slice()
            && let Some(list) = self.surnames.get(&crate::names::surname_stem(only))
        {
            found.extend(
                list.iter()
                    .copied()
                    .filter(|&i| self.alive.get(i as usize).copied().unwrap_or(false)),
            );
        }
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .take(limit)
            .filter_map(|i| self.ids.get(i as usize).cloned())
            .collect()
    }

    /// Re-estimates the model by EM over the candidate pairs of the indexed records, as
    /// batch mode does ([`crate::batch::fit_model`]).
    pub fn estimate_model(
        &mut self,
        options: EmOptions,
        random_pairs: usize,
    ) -> Result<EmReport, LinkageError> {
        let mut pairs: Vec<u64> = Vec::new();
        for list in self.postings.values() {
            if list.len() > self.blocking.max_block_size {
                continue;
            }
            for (x, &ea) in list.iter().enumerate() {
                for &eb in &list[x + 1..] {
                    let (a, b) = (ea >> 1, eb >> 1);
                    let both_passive = ea & 1 == 1 && eb & 1 == 1;
                    let alive = |i: u32| self.alive.get(i as usize).copied().unwrap_or(false);
                    if a != b && !both_passive && alive(a) && alive(b) {
                        pairs.push((u64::from(a.min(b)) << 32) | u64::from(a.max(b)));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let pairs: Vec<(u32, u32)> = pairs
            .into_iter()
            .map(|p| ((p >> 32) as u32, (p & 0xFFFF_FFFF) as u32))
            .collect();
        let (mut model, report) =
            crate::batch::fit_model(&self.set, &pairs, &self.model, options, random_pairs)?;
        model.set_population(self.by_id.len());
        self.model = model;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::PartialDate;

    fn rec(id: &str, s: &str, g: &str) -> PersonRecord {
        PersonRecord {
            record_id: id.into(),
            surname: s.into(),
            given_name: g.into(),
            birth_date: PartialDate::ymd(1995, 3, 2).ok(),
            ..PersonRecord::default()
        }
    }

    #[test]
    fn searches_by_name_in_any_script_and_by_numbers() {
        let mut idx = LinkageIndex::new(Model::default());
        let mut r = rec("a", "Смирнова", "Александра");
        r.phone = Some("8 912 345-67-89".into());
        r.documents = vec![crate::record::Document {
            doc_type: "паспорт".into(),
            number: "45 12 345678".into(),
        }];
        assert!(idx.insert(&r).is_ok());
        assert!(idx.insert(&rec("b", "Петров", "Иван")).is_ok());
        assert_eq!(idx.search("SASHA SMIRNOVA", 10), vec!["a".to_string()]);
        assert_eq!(idx.search("Smirnov Aleksandr", 10), vec!["a".to_string()]);
        assert_eq!(idx.search("+7 (912) 345-67-89", 10), vec!["a".to_string()]);
        assert_eq!(idx.search("4512345678", 10), vec!["a".to_string()]);
        assert_eq!(idx.search("Иван Петров", 10), vec!["b".to_string()]);
        assert!(idx.search("Сидоров", 10).is_empty());
    }

    #[test]
    fn a_surname_alone_lists_its_people_in_any_script() {
        let mut idx = LinkageIndex::new(Model::default());
        assert!(idx.insert(&rec("a", "Белозёров", "Иван")).is_ok());
        assert!(idx.insert(&rec("b", "BELOZEROVA", "Anna")).is_ok());
        assert!(idx.insert(&rec("c", "Петров", "Белозёр")).is_ok());
        let mut found = idx.search("Белозёров", 10);
        found.sort();
        assert_eq!(found, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(idx.search("belozerov", 1).len(), 1, "capped at the limit");
        assert!(idx.remove("a"));
        assert_eq!(idx.search("Белозерова", 10), vec!["b".to_string()]);
        assert!(idx.search("Белоусов", 10).is_empty());
    }

    #[test]
    fn finds_a_transliterated_duplicate() {
        let mut idx = LinkageIndex::new(Model::default());
        assert!(idx.insert(&rec("a", "Смирнов", "Алексей")).is_ok());
        assert!(idx.insert(&rec("b", "Петров", "Иван")).is_ok());
        assert!(idx.insert(&rec("a", "X", "Y")).is_err());
        let found = idx.query(&rec("q", "SMIRNOV", "ALEKSEI"), 5);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].record_id, "a");
        assert!(idx.remove("a"));
        assert!(idx.query(&rec("q", "SMIRNOV", "ALEKSEI"), 5).is_empty());
        assert_eq!(idx.len(), 1);
    }
}
