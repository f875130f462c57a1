//! Clustering scored pairs into persons, resisting chaining.
//!
//! Taking connected components of "link" edges is the classic mistake: with A~B and B~C
//! (a sparse record in the middle), A and C end up one person even if their documents
//! differ. Here clusters grow greedily from the strongest edge down, and two clusters
//! merge only if *no* pair across them is clearly different. "Clearly different" is a
//! judgement on evidence, not on a low score: two records sharing only a name score low
//! because they say little, which is no reason to keep them apart when a third record
//! links both; two records with conflicting passports or different given names are kept
//! apart (see [`crate::model::Model::clearly_different`]). Cross pairs are judged on
//! demand through a callback, so pairs that blocking never produced still get a say.
//!
//! The result is deterministic: edges are ordered by probability, then by record
//! indices, and cluster identifiers are the smallest record index in each cluster
//! renumbered in increasing order.

/// Clustering settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterOptions {
    /// Edges at or above this probability are merge candidates.
    pub link: f64,
    /// Clusters whose merge would need more cross comparisons than this are not merged
    /// (a guard against runaway clusters; real persons have a handful of records).
    pub max_cross_pairs: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            link: 0.8,
            max_cross_pairs: 1024,
        }
    }
}

/// Clusters `n` records given scored candidate pairs `(i, j, probability)`.
///
/// `clearly_different(i, j)` (called with `i < j`, only for pairs across two clusters
/// about to merge) vetoes the merge. Returns a cluster number per record, numbered
/// `0..k` in order of each cluster's smallest record.
pub fn cluster<F>(
    n: usize,
    edges: &[(u32, u32, f64)],
    options: ClusterOptions,
    mut clearly_different: F,
) -> Vec<u32>
where
    F: FnMut(u32, u32) -> bool,
{
    let mut order: Vec<(u32, u32, f64)> = edges
        .iter()
        .copied()
        .filter(|&(a, b, p)| p >= options.link && a != b && (a as usize) < n && (b as usize) < n)
        .collect();
    order.sort_by(|x, y| {
        y.2.total_cmp(&x.2)
            .then_with(|| x.0.min(x.1).cmp(&y.0.min(y.1)))
            .then_with(|| x.0.max(x.1).cmp(&y.0.max(y.1)))
    });
    // Each record starts as its own cluster; `members[root]` lists the cluster.
    let mut root: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    for (a, b, _) in order {
        let (ra, rb) = (root[a as usize], root[b as usize]);
        if ra == rb {
            continue;
        }
        let (ma, mb) = (&members[ra as usize], &members[rb as usize]);
        if ma.len() * mb.len() > options.max_cross_pairs {
            continue;
        }
        let vetoed = ma
            .iter()
            .any(|&x| mb.iter().any(|&y| clearly_different(x.min(y), x.max(y))));
        if vetoed {
            continue;
        }
        // Merge the smaller cluster into the larger; ties into the lower root.
        let (keep, gone) = if (mb.len(), rb) > (ma.len(), ra) {
            (rb, ra)
        } else {
            (ra, rb)
        };
        let moved = std::mem::take(&mut members[gone as usize]);
        for &x in &moved {
            root[x as usize] = keep;
        }
        members[keep as usize].extend(moved);
    }
    // Renumber by smallest member.
    let mut label = vec![u32::MAX; n];
    let mut out = vec![0u32; n];
    let mut next = 0u32;
    for i in 0..n {
        let r = root[i] as usize;
        if label[r] == u32::MAX {
            label[r] = next;
            next += 1;
        }
        out[i] = label[r];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_is_broken_when_ends_clearly_differ() {
        // 0~1 and 1~2 are links, but 0 and 2 are clearly different people.
        let edges = [(0, 1, 0.99), (1, 2, 0.95)];
        let different = |a: u32, b: u32| (a, b) == (0, 2);
        let c = cluster(3, &edges, ClusterOptions::default(), different);
        assert_eq!(c, vec![0, 0, 1]);
    }

    #[test]
    fn edge_order_does_not_matter() {
        let edges = vec![
            (0, 1, 0.95),
            (2, 3, 0.95),
            (1, 2, 0.95),
            (4, 5, 0.99),
            (3, 4, 0.97),
        ];
        let different = |a: u32, b: u32| (a, b) == (0, 3) || (a, b) == (1, 5);
        let first = cluster(6, &edges, ClusterOptions::default(), different);
        let mut reversed = edges.clone();
        reversed.reverse();
        assert_eq!(
            cluster(6, &reversed, ClusterOptions::default(), different),
            first
        );
        let flipped: Vec<_> = edges.iter().map(|&(a, b, p)| (b, a, p)).collect();
        assert_eq!(
            cluster(6, &flipped, ClusterOptions::default(), different),
            first
        );
    }

    #[test]
    fn consistent_triangles_merge() {
        let edges = [(0, 1, 0.99), (1, 2, 0.95)];
        let c = cluster(4, &edges, ClusterOptions::default(), |_, _| false);
        assert_eq!(c, vec![0, 0, 0, 1]);
    }
}
