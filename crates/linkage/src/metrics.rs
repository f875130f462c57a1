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

#[cfg(test)]
mod tests {
    use super::*;

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
