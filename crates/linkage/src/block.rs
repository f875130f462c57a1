//! Blocking: choosing which pairs to compare at all.
//!
//! Comparing every pair of a million records is 5·10¹¹ comparisons; blocking compares
//! only records that share a *blocking key*. One key always loses true pairs (a typo in
//! the surname, a wrong year), so each record gets several keys built from different
//! fields, and a pair is a candidate if it shares any key. Keys are 64-bit hashes tagged
//! with their kind, so the data structures are flat vectors of integers.
//!
//! Guard: a block that would produce more pairs than a block of
//! [`BlockingOptions::max_block_size`] records (a shared phone at a shelter, `Ivanov
//! Aleksandr` without a date) is mostly useless pairs; such blocks are skipped and counted
//! in [`BlockingStats`], and the other keys are relied on instead.

use std::hash::{Hash, Hasher};

use crate::hash::Fnv;

use crate::prepare::{NO_SYM, Prepared, PreparedSet, Resolve};

/// Blocking settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockingOptions {
    /// Blocks with more records than this are skipped.
    pub max_block_size: usize,
}

impl Default for BlockingOptions {
    fn default() -> Self {
        BlockingOptions {
            max_block_size: 200,
        }
    }
}

/// The kinds of blocking key. The kind is hashed into the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// Phonetic surname and given-name group (order-free, so swaps meet) and birth year.
    NamesYear,
    /// Exact canonical surname stem and given-name group, order-free, no date. *Passive*
    /// for records with a full birth date (see [`is_passive`]): only records without a
    /// usable date probe it, so namesakes with dates are not all paired with each other.
    Names,
    /// Phonetic names (order-free) with day and month (order-free) but no year, for a
    /// mistyped year.
    NamesMonthDay,
    /// Birth date with day and month order-free, and the initials (order-free).
    DateInitials,
    /// Phonetic surname and full birth date.
    SurnameDate,
    /// Phonetic given-name group and full birth date.
    GivenDate,
    /// A document number.
    Document,
    /// A phone number.
    Phone,
    /// Postcode and full birth date (day and month order-free): finds a person whose
    /// names were both changed or badly mistyped.
    PostcodeDate,
    /// Street address and postcode: the same person at the same address with other fields
    /// mistyped (a shelter's shared address makes a big block, which the guard skips).
    Address,
    /// Phonetic given-name group and locality: the same person at the same place whose
    /// surname is mistyped and birth date missing or mistyped, and whose postcode or
    /// street differs (a common name in a city makes a big block, which the guard skips).
    GivenLocality,
}

fn key_of<T: Hash>(kind: KeyKind, value: T) -> u64 {
    let mut h = Fnv::new();
    kind.hash(&mut h);
    value.hash(&mut h);
    h.finish()
}

/// The [`KeyKind::Names`] key of a canonical surname stem and given-name group (in
/// either order), as [`keys`] computes it; for free-text search.
pub fn names_key(surname_stem: &str, given_group: &str) -> u64 {
    let pair = if surname_stem <= given_group {
        (surname_stem.to_string(), given_group.to_string())
    } else {
        (given_group.to_string(), surname_stem.to_string())
    };
    active(key_of(KeyKind::Names, pair))
}

/// The [`KeyKind::Document`] key of a normalised document number.
pub fn document_key(number: &[u8]) -> u64 {
    active(key_of(KeyKind::Document, number))
}

/// The [`KeyKind::Phone`] key of an E.164 phone number.
pub fn phone_key(e164: u64) -> u64 {
    active(key_of(KeyKind::Phone, e164))
}

/// Whether a key is *passive*: indexed, so that other records can find this one through
/// it, but not used to look for partners. Two passive entries never form a pair.
pub fn is_passive(key: u64) -> bool {
    key & 1 == 1
}

fn passive(key: u64) -> u64 {
    key | 1
}

fn active(key: u64) -> u64 {
    key & !1
}

/// The blocking keys of a prepared record (at most a dozen, usually seven). The lowest
/// bit of a key marks it passive ([`is_passive`]); group keys by `key >> 1`.
pub fn keys(set: &PreparedSet, p: &Prepared, out: &mut Vec<u64>) {
    keys_with(&set.strings, p, out);
}

/// [`keys`] for a record whose symbols resolve through `strings`.
pub fn keys_with<S: Resolve>(strings: &S, p: &Prepared, out: &mut Vec<u64>) {
    out.clear();
    let s = |sym| strings.resolve(sym);
    let ordered = |a: &'_ str, b: &'_ str| -> (String, String) {
        if a <= b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        }
    };
    let year = p.birth.and_then(|d| d.year());
    let full_date = p.birth.and_then(|d| match (d.year(), d.month(), d.day()) {
        (Some(y), Some(m), Some(dd)) if !d.estimated() => Some((y, m.min(dd), m.max(dd))),
        _ => None,
    });
    let has_s = p.surname != NO_SYM;
    let has_g = p.given_group != NO_SYM;
    if has_s && has_g {
        let names = ordered(s(p.surname_key), s(p.given_key));
        if let Some(y) = year {
            out.push(active(key_of(KeyKind::NamesYear, (&names, y))));
        }
        if let Some((_, a, b)) = full_date {
            out.push(active(key_of(KeyKind::NamesMonthDay, (&names, a, b))));
        }
        let exact = names_key(s(p.surname), s(p.given_group));
        out.push(if full_date.is_some() {
            passive(exact)
        } else {
            exact
        });
    }
    if let Some(date) = full_date {
        let si = s(p.surname).chars().next().unwrap_or(' ');
        let gi = s(p.given_group).chars().next().unwrap_or(' ');
        out.push(active(key_of(
            KeyKind::DateInitials,
            (date, si.min(gi), si.max(gi)),
        )));
        if has_s {
            out.push(active(key_of(
                KeyKind::SurnameDate,
                (s(p.surname_key), date),
            )));
        }
        if has_g {
            out.push(active(key_of(KeyKind::GivenDate, (s(p.given_key), date))));
        }
    }
    for d in p.docs.iter() {
        let number = d.as_bytes();
        out.push(document_key(number));
        // The number without its series meets a record typed without it. Passive on a
        // full number: two full numbers sharing their last six digits are two documents.
        let min = crate::compare::DOC_NUMBER_MIN;
        if number.len() > min {
            let tail = document_key(&number[number.len() - min..]);
            out.push(if number.len() > min + 1 {
                passive(tail)
            } else {
                tail
            });
        }
    }
    if p.phone != 0 {
        out.push(phone_key(p.phone));
    }
    if p.postcode != NO_SYM {
        if let Some(date) = full_date {
            out.push(active(key_of(KeyKind::PostcodeDate, (s(p.postcode), date))));
        }
        if p.address != NO_SYM {
            out.push(active(key_of(
                KeyKind::Address,
                (s(p.address), s(p.postcode)),
            )));
        }
    }
    if has_g && p.locality != NO_SYM {
        let key = key_of(KeyKind::GivenLocality, (s(p.given_key), s(p.locality)));
        out.push(if full_date.is_some() {
            passive(key)
        } else {
            active(key)
        });
    }
    out.sort_unstable();
    out.dedup();
}

/// Counts from a blocking run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockingStats {
    /// Distinct candidate pairs.
    pub candidate_pairs: u64,
    /// Blocks skipped for being too large.
    pub oversized_blocks: u64,
    /// Largest block seen (including skipped ones).
    pub largest_block: u64,
}

/// The pairs a full block of `max_block_size` records would produce: the real guard, so
/// a big block of passive entries probed by a few active ones is still searched.
fn max_pairs(options: BlockingOptions) -> u64 {
    let m = options.max_block_size as u64;
    m * m.saturating_sub(1) / 2
}

/// Pairs a block produces: every pair with at least one active entry.
fn block_pairs(block: &[(u64, u32)]) -> u64 {
    let n = block.len() as u64;
    let active = block.iter().filter(|(k, _)| !is_passive(*k)).count() as u64;
    let passive = n - active;
    active * active.saturating_sub(1) / 2 + active * passive
}

/// Packs an ordered pair (`a < b`) into one `u64`.
fn pack(a: u32, b: u32) -> u64 {
    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
}

/// Unpacks [`pack`].
fn unpack(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, (p & 0xFFFF_FFFF) as u32)
}

/// Candidate pairs `(i, j)` with `i < j` among `set.records`, sorted and distinct.
///
/// With `split = Some(k)`, records `0..k` are one side and `k..` the other, and only
/// pairs across the sides are produced (linking two files).
pub fn candidate_pairs(
    set: &PreparedSet,
    options: BlockingOptions,
    split: Option<usize>,
) -> (Vec<(u32, u32)>, BlockingStats) {
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(set.len() * 6);
    let mut buf = Vec::new();
    for (i, p) in set.records.iter().enumerate() {
        keys(set, p, &mut buf);
        let Ok(i) = u32::try_from(i) else { break };
        entries.extend(buf.iter().map(|&k| (k, i)));
    }
    entries.sort_unstable();
    let mut stats = BlockingStats::default();
    let mut pairs: Vec<u64> = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let key = entries[start].0 >> 1;
        let mut end = start + 1;
        while end < entries.len() && entries[end].0 >> 1 == key {
            end += 1;
        }
        let block = &entries[start..end];
        stats.largest_block = stats.largest_block.max(block.len() as u64);
        if block_pairs(block) > max_pairs(options) {
            stats.oversized_blocks += 1;
        } else {
            for (x, &(ka, a)) in block.iter().enumerate() {
                for &(kb, b) in &block[x + 1..] {
                    if a == b || (is_passive(ka) && is_passive(kb)) {
                        continue;
                    }
                    if let Some(k) = split {
                        let k = k as u64;
                        if (u64::from(a) < k) == (u64::from(b) < k) {
                            continue;
                        }
                    }
                    pairs.push(pack(a, b));
                }
            }
        }
        start = end;
    }
    pairs.sort_unstable();
    pairs.dedup();
    stats.candidate_pairs = pairs.len() as u64;
    (pairs.into_iter().map(unpack).collect(), stats)
}

/// How good a set of candidate pairs is against known truth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockingQuality {
    /// Candidate pairs.
    pub candidate_pairs: u64,
    /// True matching pairs in the data.
    pub true_pairs: u64,
    /// True pairs among the candidates.
    pub true_pairs_found: u64,
    /// `true_pairs_found / true_pairs`: the share of true pairs blocking keeps.
    pub pair_completeness: f64,
    /// `1 - candidate_pairs / all_pairs`: the share of comparisons blocking saves.
    pub reduction_ratio: f64,
}

/// Pair completeness and reduction ratio of `pairs` for records whose true person is
/// `truth[i]` (deduplication of one set).
pub fn blocking_quality<T: Eq + Hash>(pairs: &[(u32, u32)], truth: &[T]) -> BlockingQuality {
    let mut sizes: std::collections::HashMap<&T, u64> = std::collections::HashMap::new();
    for t in truth {
        *sizes.entry(t).or_default() += 1;
    }
    let true_pairs: u64 = sizes.values().map(|&k| k * k.saturating_sub(1) / 2).sum();
    let found = pairs
        .iter()
        .filter(|(a, b)| {
            truth.get(*a as usize).is_some() && truth.get(*a as usize) == truth.get(*b as usize)
        })
        .count() as u64;
    let n = truth.len() as f64;
    let all = n * (n - 1.0) / 2.0;
    BlockingQuality {
        candidate_pairs: pairs.len() as u64,
        true_pairs,
        true_pairs_found: found,
        pair_completeness: if true_pairs == 0 {
            1.0
        } else {
            found as f64 / true_pairs as f64
        },
        reduction_ratio: if all > 0.0 {
            1.0 - pairs.len() as f64 / all
        } else {
            1.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{PartialDate, PersonRecord};

    fn rec(s: &str, g: &str, y: u16) -> PersonRecord {
        PersonRecord {
            surname: s.into(),
            given_name: g.into(),
            birth_date: PartialDate::ymd(y, 3, 2).ok(),
            ..PersonRecord::default()
        }
    }

    #[test]
    fn swapped_and_transliterated_names_share_a_block() {
        let set = PreparedSet::new(&[
            rec("Смирнов", "Алексей", 1995),
            rec("ALEKSEI", "SMIRNOV", 1995),
            rec("Петров", "Иван", 1980),
        ]);
        let (pairs, stats) = candidate_pairs(&set, BlockingOptions::default(), None);
        assert_eq!(pairs, vec![(0, 1)]);
        assert_eq!(stats.candidate_pairs, 1);
        let q = blocking_quality(&pairs, &[1, 1, 2]);
        assert_eq!(q.pair_completeness, 1.0);
    }

    #[test]
    fn oversized_blocks_are_skipped() {
        let records: Vec<_> = (0..10).map(|_| rec("Иванов", "Иван", 1990)).collect();
        let set = PreparedSet::new(&records);
        let (pairs, stats) = candidate_pairs(&set, BlockingOptions { max_block_size: 5 }, None);
        assert!(pairs.is_empty());
        assert!(stats.oversized_blocks > 0);
    }
}
