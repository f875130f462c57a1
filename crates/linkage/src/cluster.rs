//! Clustering scored pairs into persons, resisting chaining.
//!
//! Taking connected components of "link" edges is the classic mistake: with A~B and B~C
//! (a sparse record in the middle), A and C end up one person even if their documents
//! differ. Here clusters grow greedily from the strongest edge down, and two clusters
//! merge only if the evidence of *all* pairs across them, summed, is for the merge. Each
//! cross pair is judged on demand through a callback (so pairs that blocking never
//! produced still get a say) and returns signed bits
//! ([`crate::model::Model::merge_evidence`]): links count for, pairs that say little
//! count nothing, conflicting documents count by how strongly the rest disagrees, and a
//! pair that looks like two relatives (twins, a father and son of one name) counts as
//! several strong links against.
//!
//! A veto by any one pair would be simpler, and it is what this module did first; but a
//! person registered ten or more times almost always has one record with a mistyped
//! passport or date, and that one record then split a person whose other records all
//! linked at odds of thousands to one. Summing lets the many links outweigh the one
//! conflict, while a chain through a single record that says little cannot outweigh a
//! clear conflict.
//!
//! The result is deterministic: edges are ordered by probability, then by record
//! indices, cross pairs are summed in a fixed order, and cluster identifiers are the
//! smallest record index in each cluster renumbered in increasing order.

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
/// `evidence(i, j)` (called with `i < j`, only for pairs across two clusters about to
/// merge) says in bits how much the pair counts for (positive) or against (negative)
/// the merge; the clusters merge when the sum over all their cross pairs is positive.
/// Returns a cluster number per record, numbered `0..k` in order of each cluster's
/// smallest record.
pub fn cluster<F>(
    n: usize,
    edges: &[(u32, u32, f64)],
    options: ClusterOptions,
    mut evidence: F,
) -> Vec<u32>
where
    F: FnMut(u32, u32) -> f64,
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
        let mut total = 0.0;
        for &x in ma {
            for &y in mb {
                total += evidence(x.min(y), x.max(y));
            }
        }
        // NaN or a tie does not merge.
        if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
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

    /// Evidence from a table of pairs; every other pair is a link worth `link` bits.
    fn table(pairs: &[((u32, u32), f64)], link: f64) -> impl FnMut(u32, u32) -> f64 + '_ {
        move |a, b| {
            pairs
                .iter()
                .find(|(p, _)| *p == (a, b))
                .map_or(link, |&(_, w)| w)
        }
    }

    #[test]
    fn chain_is_broken_when_ends_clearly_differ() {
        // 0~1 and 1~2 are links, but 0 and 2 are clearly different people.
        let edges = [(0, 1, 0.99), (1, 2, 0.95)];
        let c = cluster(
            3,
            &edges,
            ClusterOptions::default(),
            table(&[((0, 2), -30.0)], 10.0),
        );
        assert_eq!(c, vec![0, 0, 1]);
    }

    #[test]
    fn many_links_outweigh_one_conflict() {
        // Records 0..=4 link to each other; record 5 links to 0..=3 but conflicts with 4
        // (one mistyped document): the links win.
        let edges: Vec<(u32, u32, f64)> = (0..6u32)
            .flat_map(|a| (a + 1..6).map(move |b| (a, b, 0.999)))
            .filter(|&(a, b, _)| (a, b) != (4, 5))
            .collect();
        let c = cluster(
            6,
            &edges,
            ClusterOptions::default(),
            table(&[((4, 5), -10.0)], 10.0),
        );
        assert_eq!(c, vec![0; 6]);
        // A relative (−30 bits) is not outweighed by two links.
        let c = cluster(
            6,
            &edges,
            ClusterOptions::default(),
            table(&[((4, 5), -30.0), ((3, 5), -30.0)], 10.0),
        );
        assert_eq!(c, vec![0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn a_tie_or_nan_does_not_merge() {
        let edges = [(0, 1, 0.99), (1, 2, 0.95)];
        let c = cluster(
            3,
            &edges,
            ClusterOptions::default(),
            table(&[((0, 2), -10.0)], 10.0),
        );
        assert_eq!(c, vec![0, 0, 1]);
        let c = cluster(2, &edges, ClusterOptions::default(), |_, _| f64::NAN);
        assert_eq!(c, vec![0, 1]);
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
        let different = [((0, 3), -30.0), ((1, 5), -30.0)];
        let first = cluster(6, &edges, ClusterOptions::default(), table(&different, 5.0));
        let mut reversed = edges.clone();
        reversed.reverse();
        assert_eq!(
            cluster(
                6,
                &reversed,
                ClusterOptions::default(),
                table(&different, 5.0)
            ),
            first
        );
        let flipped: Vec<_> = edges.iter().map(|&(a, b, p)| (b, a, p)).collect();
        assert_eq!(
            cluster(
                6,
                &flipped,
                ClusterOptions::default(),
                table(&different, 5.0)
            ),
            first
        );
    }

    #[test]
    fn consistent_triangles_merge() {
        let edges = [(0, 1, 0.99), (1, 2, 0.95)];
        let c = cluster(4, &edges, ClusterOptions::default(), |_, _| 0.0);
        assert_eq!(c, vec![0, 1, 2, 3], "pairs that say nothing do not merge");
        let c = cluster(4, &edges, ClusterOptions::default(), |_, _| 1.0);
        assert_eq!(c, vec![0, 0, 0, 1]);
    }
}
