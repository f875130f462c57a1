//! Quality measures against ground truth: pairwise and B-cubed precision, recall, F1.
//!
//! Pairwise counts pairs of records put together; it punishes a wrong merge of two big
//! clusters quadratically. B-cubed averages per record the share of its cluster that is
//! right; it reflects what a user sees per person. The issue asks for both.

use std::collections::HashMap;
use std::hash::Hash;

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

fn quality(precision: f64, recall: f64) -> Quality {
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Quality {
        precision,
        recall,
        f1,
    }
}

fn pairs(k: u64) -> u64 {
    k * k.saturating_sub(1) / 2
}

/// Pairwise quality of a clustering `predicted` against `truth` (one label per record).
pub fn pairwise<P: Eq + Hash, T: Eq + Hash>(predicted: &[P], truth: &[T]) -> Quality {
    let mut pred_sizes: HashMap<&P, u64> = HashMap::new();
    let mut true_sizes: HashMap<&T, u64> = HashMap::new();
    let mut both: HashMap<(&P, &T), u64> = HashMap::new();
    for (p, t) in predicted.iter().zip(truth) {
        *pred_sizes.entry(p).or_default() += 1;
        *true_sizes.entry(t).or_default() += 1;
        *both.entry((p, t)).or_default() += 1;
    }
    let tp: u64 = both.values().map(|&k| pairs(k)).sum();
    let pp: u64 = pred_sizes.values().map(|&k| pairs(k)).sum();
    let tt: u64 = true_sizes.values().map(|&k| pairs(k)).sum();
    let precision = if pp == 0 { 1.0 } else { tp as f64 / pp as f64 };
    let recall = if tt == 0 { 1.0 } else { tp as f64 / tt as f64 };
    quality(precision, recall)
}

/// B-cubed quality of a clustering `predicted` against `truth`.
pub fn bcubed<P: Eq + Hash, T: Eq + Hash>(predicted: &[P], truth: &[T]) -> Quality {
    let mut pred_sizes: HashMap<&P, u64> = HashMap::new();
    let mut true_sizes: HashMap<&T, u64> = HashMap::new();
    let mut both: HashMap<(&P, &T), u64> = HashMap::new();
    for (p, t) in predicted.iter().zip(truth) {
        *pred_sizes.entry(p).or_default() += 1;
        *true_sizes.entry(t).or_default() += 1;
        *both.entry((p, t)).or_default() += 1;
    }
    let n = predicted.len().min(truth.len());
    if n == 0 {
        return quality(1.0, 1.0);
    }
    let (mut prec, mut rec) = (0.0, 0.0);
    for ((p, t), &k) in &both {
        let k = k as f64;
        prec += k * k / pred_sizes[p] as f64;
        rec += k * k / true_sizes[t] as f64;
    }
    quality(prec / n as f64, rec / n as f64)
}

/// How the persons of one range of true sizes (records per person) were resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SizeQuality {
    /// Smallest true size in the range.
    pub min_size: usize,
    /// Largest true size in the range (`usize::MAX` for an open range).
    pub max_size: usize,
    /// Persons in the range.
    pub persons: u64,
    /// Persons all of whose records ended in one predicted cluster.
    pub whole: u64,
    /// Persons resolved exactly: whole, and their cluster holds no one else.
    pub exact: u64,
    /// Pairs of records of the same person.
    pub true_pairs: u64,
    /// Of those, pairs put in one cluster.
    pub found_pairs: u64,
}

impl SizeQuality {
    /// Pairwise recall within the range (1 when there are no pairs).
    pub fn recall(&self) -> f64 {
        if self.true_pairs == 0 {
            1.0
        } else {
            self.found_pairs as f64 / self.true_pairs as f64
        }
    }

    /// Share of persons resolved whole (1 when there are none).
    pub fn whole_rate(&self) -> f64 {
        if self.persons == 0 {
            1.0
        } else {
            self.whole as f64 / self.persons as f64
        }
    }
}

/// Recall by true cluster size: the persons of `truth` grouped by how many records they
/// have, one [`SizeQuality`] per range starting at each of `starts` (ascending, for
/// example `[1, 2, 3, 5, 10, 20]`; the last range is open). A person registered many
/// times is where one wrong split costs most, and overall recall hides it.
pub fn by_true_size<P: Eq + Hash, T: Eq + Hash>(
    predicted: &[P],
    truth: &[T],
    starts: &[usize],
) -> Vec<SizeQuality> {
    let mut members: HashMap<&T, Vec<usize>> = HashMap::new();
    let mut pred_sizes: HashMap<&P, u64> = HashMap::new();
    for (i, (p, t)) in predicted.iter().zip(truth).enumerate() {
        members.entry(t).or_default().push(i);
        *pred_sizes.entry(p).or_default() += 1;
    }
    let mut out: Vec<SizeQuality> = starts
        .iter()
        .enumerate()
        .map(|(k, &min_size)| SizeQuality {
            min_size,
            max_size: starts.get(k + 1).map_or(usize::MAX, |&next| next - 1),
            ..SizeQuality::default()
        })
        .collect();
    for records in members.values() {
        let size = records.len();
        let Some(q) = out
            .iter_mut()
            .find(|q| q.min_size <= size && size <= q.max_size)
        else {
            continue;
        };
        let mut parts: HashMap<&P, u64> = HashMap::new();
        for &i in records {
            *parts.entry(&predicted[i]).or_default() += 1;
        }
        q.persons += 1;
        q.true_pairs += pairs(size as u64);
        q.found_pairs += parts.values().map(|&k| pairs(k)).sum::<u64>();
        if let [(p, _)] = parts.iter().collect::<Vec<_>>().as_slice() {
            q.whole += 1;
            if pred_sizes.get(*p) == Some(&(size as u64)) {
                q.exact += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_by_true_size() {
        // Person 1 (4 records) split 3 + 1; person 2 (2 records) whole but merged with
        // person 3 (1 record).
        let truth = [1, 1, 1, 1, 2, 2, 3];
        let predicted = [7, 7, 7, 8, 9, 9, 9];
        let q = by_true_size(&predicted, &truth, &[1, 2, 3]);
        assert_eq!((q[0].min_size, q[0].max_size), (1, 1));
        assert_eq!((q[0].persons, q[0].whole, q[0].exact), (1, 1, 0));
        assert_eq!((q[1].persons, q[1].whole, q[1].exact), (1, 1, 0));
        assert_eq!(q[1].recall(), 1.0);
        assert_eq!(q[2].max_size, usize::MAX);
        assert_eq!((q[2].persons, q[2].whole), (1, 0));
        assert_eq!((q[2].true_pairs, q[2].found_pairs), (6, 3));
        assert_eq!(q[2].whole_rate(), 0.0);
    }

    #[test]
    fn perfect_and_imperfect() {
        let truth = [1, 1, 2, 2, 3];
        assert_eq!(pairwise(&[7, 7, 8, 8, 9], &truth).f1, 1.0);
        assert_eq!(bcubed(&[7, 7, 8, 8, 9], &truth).f1, 1.0);
        let q = pairwise(&[7, 7, 7, 7, 9], &truth);
        assert!((q.precision - 2.0 / 6.0).abs() < 1e-12);
        assert_eq!(q.recall, 1.0);
        let b = bcubed(&[1, 2, 3, 4, 5], &truth);
        assert_eq!(b.precision, 1.0);
        assert!((b.recall - 0.6).abs() < 1e-12);
    }
}
