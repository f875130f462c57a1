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

/// What one pair across two clusters says about merging them
/// ([`crate::model::Model::merge_evidence`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PairEvidence {
    /// The records conflict; this many bits against the merge.
    Against(f64),
    /// No conflict; the pair's match weight (log2 odds, prior included). Counts for the
    /// merge up to [`ClusterOptions::cap_bits`]; a negative weight (a pair that says
    /// little) counts nothing.
    Weight(f64),
    /// A guard holds the pair back from a link (given names merely similar, such as
    /// `Aleksandr` and `Aleksei`, and no document agreeing: twins look like that): counts
    /// nothing for or against a merge, and keeps the record from being attached.
    Guarded,
    /// As [`PairEvidence::Weight`], and the two records carry the same document number:
    /// that identifies the record of the smaller cluster as the other cluster's person,
    /// so its conflicts with the rest of that cluster are its own typos (a misspelt given
    /// name, a wrong birth year) and do not count. Twins and a father and son never share
    /// a document number.
    Identified(f64),
}

/// Clustering settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterOptions {
    /// Edges at or above this probability are merge candidates.
    pub link: f64,
    /// Clusters whose merge would need more cross comparisons than this are not merged
    /// (a guard against runaway clusters; real persons have a handful of records).
    pub max_cross_pairs: usize,
    /// The most one pair counts for a merge, in bits.
    pub cap_bits: f64,
    /// Edges at or above this probability (and below `link`) may attach a single record
    /// to a cluster of several, weighing the cluster's size (see [`cluster`]); at `link`
    /// or above, nothing is attached.
    pub attach: f64,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            link: 0.8,
            max_cross_pairs: 1024,
            cap_bits: 10.0,
            attach: 0.8,
        }
    }
}

fn log2_odds(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).log2()
}

/// Clusters `n` records given scored candidate pairs `(i, j, probability)`.
///
/// `evidence(i, j)` (called with `i < j`, only for pairs across two clusters about to
/// merge) says what the pair counts for or against the merge; the clusters merge when
/// the sum over all their cross pairs is positive. Returns a cluster number per record,
/// numbered `0..k` in order of each cluster's smallest record.
///
/// Within the sum, each record of the smaller cluster counts its support (links, capped)
/// less its conflicts, unless it shares a document number (or one a typo away) with the
/// other cluster ([`PairEvidence::Identified`]), or its strong links (at the cap) number
/// at least twice its conflicts: then only its support counts. A record that links at
/// odds of a thousand to one with most of a person's records and conflicts with one of
/// them meets that record's own typo (a far-off birth year, a replaced document), which
/// its cluster already accepted; a twin or a father conflicts with every record of his
/// relative and has no strong link to outvote them.
///
/// A second pass attaches a record that links to no one at the link threshold (a record
/// with a name and little else) to a cluster of several records when edges at or above
/// [`ClusterOptions::attach`] lead there and at most a quarter of the pairs across
/// conflict or are guarded (a twin's record conflicts with all of his brother's; a
/// person's record, with the one or two of his records that misspell his name): its mean
/// match weight with the cluster's other records plus `log2(k/2)` for a cluster of `k`
/// records must reach the link threshold. The pairwise prior is the same for every record; but a
/// person registered twenty times is, before any field is compared, about ten times
/// likelier than a person registered twice (the usual re-registered person) to be the
/// one behind a new registration.
pub fn cluster<F>(
    n: usize,
    edges: &[(u32, u32, f64)],
    options: ClusterOptions,
    evidence: F,
) -> Vec<u32>
where
    F: FnMut(u32, u32) -> PairEvidence,
{
    cluster_with_names(n, edges, options, None, evidence)
}

/// The fewest records of a cluster carrying a name for [`cluster_with_names`] to attach a
/// lone record of that name to it.
pub const NAMESAKE_MIN_RECORDS: usize = 3;

/// The bit of a name key (see [`cluster_with_names`]) marking a record with a name and
/// nothing else that identifies (no birth date, document or phone).
pub const WEAK: u64 = 1 << 63;

/// [`cluster`], then a third pass over the records still alone, given each record's name
/// key (`names[i]`: its canonical surname and given names, 0 for none).
///
/// A record with a name and little else (no birth date, document or phone) links to no
/// one: its pairs' odds carry a prior that falls with the size of the data (one in a
/// million records is ten times less likely to be a given record's partner than one in a
/// hundred thousand), while the evidence of an agreeing name is bounded (the
/// term-frequency adjustment is clamped). So in a million records such a record stays
/// alone even when its person has thirty records. What the data themselves say does not
/// depend on their size: of the `c` other records carrying the name, `k` are one
/// cluster's, so the record is that cluster's person with probability about
/// `k / (c + 1)` (the one for a person not registered otherwise). The record is attached
/// when that reaches the link threshold, at least [`NAMESAKE_MIN_RECORDS`] of the
/// cluster's records carry the name, and at most a quarter of the pairs across conflict
/// or are guarded (as in the second pass of [`cluster`]). A namesake with records of his
/// own makes `c` larger, so a common name is never attached on the name alone.
///
/// Names are compared by their phonetic keys, and only records marked [`WEAK`] (a name
/// and nothing else that identifies) are attached this way. Before that, a weak lone
/// record whose edges (those kept below the link threshold) all lead into one cluster of
/// at least ten records, at least three of them, is attached to it on the same
/// quarter-conflict rule: it is the only candidate the data offer, and its person is
/// registered often.
pub fn cluster_with_names<F>(
    n: usize,
    edges: &[(u32, u32, f64)],
    options: ClusterOptions,
    names: Option<&[u64]>,
    mut evidence: F,
) -> Vec<u32>
where
    F: FnMut(u32, u32) -> PairEvidence,
{
    let mut order: Vec<(u32, u32, f64)> = edges
        .iter()
        .copied()
        .filter(|&(a, b, p)| {
            p >= options.link.min(options.attach) && a != b && (a as usize) < n && (b as usize) < n
        })
        .collect();
    order.sort_by(|x, y| {
        y.2.total_cmp(&x.2)
            .then_with(|| x.0.min(x.1).cmp(&y.0.min(y.1)))
            .then_with(|| x.0.max(x.1).cmp(&y.0.max(y.1)))
    });
    let cap = options.cap_bits.max(0.0);
    // Each record starts as its own cluster; `members[root]` lists the cluster.
    let mut root: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let merge = |root: &mut Vec<u32>, members: &mut Vec<Vec<u32>>, ra: u32, rb: u32| {
        // Merge the smaller cluster into the larger; ties into the lower root.
        let (la, lb) = (members[ra as usize].len(), members[rb as usize].len());
        let (keep, gone) = if (lb, rb) > (la, ra) {
            (rb, ra)
        } else {
            (ra, rb)
        };
        let moved = std::mem::take(&mut members[gone as usize]);
        for &x in &moved {
            root[x as usize] = keep;
        }
        members[keep as usize].extend(moved);
    };
    for &(a, b, p) in &order {
        if p < options.link {
            break;
        }
        let (ra, rb) = (root[a as usize], root[b as usize]);
        if ra == rb {
            continue;
        }
        let (ma, mb) = (&members[ra as usize], &members[rb as usize]);
        if ma.len() * mb.len() > options.max_cross_pairs {
            continue;
        }
        let (small, large) = if ma.len() <= mb.len() {
            (ma, mb)
        } else {
            (mb, ma)
        };
        let mut total = 0.0;
        for &x in small {
            let (mut support, mut against, mut identified) = (0.0, 0.0, false);
            let (mut strong, mut conflicts) = (0usize, 0usize);
            for &y in large {
                match evidence(x.min(y), x.max(y)) {
                    PairEvidence::Against(bits) => {
                        against += bits.max(0.0);
                        conflicts += 1;
                    }
                    PairEvidence::Weight(w) => {
                        support += w.clamp(0.0, cap);
                        strong += usize::from(w >= cap);
                    }
                    PairEvidence::Guarded => {}
                    PairEvidence::Identified(w) => {
                        support += w.clamp(0.0, cap);
                        identified = true;
                    }
                }
            }
            total += if identified || (conflicts > 0 && strong >= 2 * conflicts) {
                support
            } else {
                support - against
            };
        }
        // NaN or a tie does not merge.
        if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            continue;
        }
        merge(&mut root, &mut members, ra, rb);
    }
    let needed = log2_odds(options.link);
    for &(a, b, p) in &order {
        if p >= options.link {
            continue;
        }
        let (ra, rb) = (root[a as usize], root[b as usize]);
        let (la, lb) = (members[ra as usize].len(), members[rb as usize].len());
        let (single, group) = match (la, lb) {
            (1, k) if k >= 2 => (a, rb),
            (k, 1) if k >= 2 => (b, ra),
            _ => continue,
        };
        let group_members = &members[group as usize];
        if group_members.len() > options.max_cross_pairs {
            continue;
        }
        // A cluster of a person registered many times holds a record or two with a
        // misspelt given name, which conflicts with a record that has the name right;
        // a twin's record conflicts with all of his brother's.
        let (mut sum, mut good, mut bad) = (0.0, 0usize, 0usize);
        for &y in group_members {
            match evidence(single.min(y), single.max(y)) {
                PairEvidence::Against(_) | PairEvidence::Guarded => bad += 1,
                PairEvidence::Weight(w) | PairEvidence::Identified(w) => {
                    sum += w.min(cap);
                    good += 1;
                }
            }
            if bad * 4 > group_members.len() {
                break;
            }
        }
        let k = group_members.len() as f64;
        if bad * 4 <= group_members.len()
            && good > 0
            && sum / good as f64 + (k / 2.0).log2() >= needed
        {
            let rs = root[single as usize];
            merge(&mut root, &mut members, rs, group);
        }
    }
    if let Some(names) = names.filter(|k| k.len() == n) {
        let mut by_name: std::collections::HashMap<u64, Vec<u32>, crate::hash::FnvBuild> =
            Default::default();
        for (i, &k) in names.iter().enumerate() {
            if k & !WEAK != 0 {
                by_name.entry(k & !WEAK).or_default().push(i as u32);
            }
        }
        // Sole candidate: a weak lone record whose edges (below the link threshold) all
        // lead into one cluster of at least ten records, at least three of them.
        let mut weak_edges: std::collections::HashMap<u32, Vec<u32>, crate::hash::FnvBuild> =
            Default::default();
        for &(a, b, p) in &order {
            if p >= options.link {
                continue;
            }
            for (x, y) in [(a, b), (b, a)] {
                if names[x as usize] & WEAK != 0 {
                    weak_edges.entry(x).or_default().push(y);
                }
            }
        }
        let mut singles: Vec<u32> = weak_edges.keys().copied().collect();
        singles.sort_unstable();
        for single in singles {
            if members[root[single as usize] as usize].len() != 1 {
                continue;
            }
            let ys = &weak_edges[&single];
            let group = root[ys[0] as usize];
            if ys.len() < 3 || ys.iter().any(|&y| root[y as usize] != group) {
                continue;
            }
            let group_members = &members[group as usize];
            if group_members.len() < 10 || group_members.len() > options.max_cross_pairs {
                continue;
            }
            if few_conflicts(single, group_members, &mut evidence) {
                let rs = root[single as usize];
                merge(&mut root, &mut members, rs, group);
            }
        }
        for single in 0..n as u32 {
            let key = names[single as usize];
            if key & WEAK == 0 || members[root[single as usize] as usize].len() != 1 {
                continue;
            }
            let key = key & !WEAK;
            let Some(same) = by_name.get(&key) else {
                continue;
            };
            let others = same.len() - 1;
            if others < NAMESAKE_MIN_RECORDS {
                continue;
            }
            // The cluster holding most of the others carrying the name.
            let mut counts: Vec<(u32, usize)> = Vec::new();
            for &x in same.iter().filter(|&&x| x != single) {
                let r = root[x as usize];
                match counts.iter_mut().find(|(c, _)| *c == r) {
                    Some((_, k)) => *k += 1,
                    None => counts.push((r, 1)),
                }
            }
            let Some(&(group, k)) = counts
                .iter()
                .max_by_key(|&&(r, k)| (k, std::cmp::Reverse(r)))
            else {
                continue;
            };
            if k < NAMESAKE_MIN_RECORDS || (k as f64) / (others as f64 + 1.0) < options.link {
                continue;
            }
            let group_members = &members[group as usize];
            if group_members.len() > options.max_cross_pairs {
                continue;
            }
            if few_conflicts(single, group_members, &mut evidence) {
                let rs = root[single as usize];
                merge(&mut root, &mut members, rs, group);
            }
        }
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

/// The quarter-conflict rule: whether at most a quarter of `group` is against `single`
/// or guarded from it, so that the single may be attached to the group.
fn few_conflicts<F>(single: u32, group: &[u32], evidence: &mut F) -> bool
where
    F: FnMut(u32, u32) -> PairEvidence,
{
    let mut bad = 0usize;
    for &y in group {
        if matches!(
            evidence(single.min(y), single.max(y)),
            PairEvidence::Against(_) | PairEvidence::Guarded
        ) {
            bad += 1;
            if bad * 4 > group.len() {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evidence from a table of pairs (negative: against); every other pair is a link
    /// worth `link` bits.
    fn table(pairs: &[((u32, u32), f64)], link: f64) -> impl FnMut(u32, u32) -> PairEvidence + '_ {
        move |a, b| match pairs.iter().find(|(p, _)| *p == (a, b)) {
            Some(&(_, w)) if w < 0.0 => PairEvidence::Against(-w),
            Some(&(_, w)) => PairEvidence::Weight(w),
            None => PairEvidence::Weight(link),
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
    fn strong_links_twice_the_conflicts_outvote_them() {
        // 0..=3 are one person; 4 links strongly (capped) to 0, 1 and 2 and conflicts
        // with 3 (its own typo); summed, 30 bits for and 15 against would merge anyway,
        // so the conflict here is a relative's (30 bits): the vote decides.
        let edges: Vec<(u32, u32, f64)> = (0..5u32)
            .flat_map(|a| (a + 1..5).map(move |b| (a, b, 0.999)))
            .filter(|&(a, b, _)| (a, b) != (3, 4))
            .collect();
        let one_odd = table(&[((3, 4), -40.0)], 10.0);
        assert_eq!(
            cluster(5, &edges, ClusterOptions::default(), one_odd),
            [0; 5]
        );
        // One strong link against one conflict is no majority: apart.
        let two_odd = table(&[((2, 4), -40.0), ((3, 4), -40.0)], 10.0);
        assert_eq!(
            cluster(5, &edges, ClusterOptions::default(), two_odd),
            [0, 0, 0, 0, 1]
        );
        // Weak links (a name and little else) do not vote.
        let weak = table(&[((3, 4), -40.0)], 4.0);
        assert_eq!(
            cluster(5, &edges, ClusterOptions::default(), weak),
            [0, 0, 0, 0, 1]
        );
    }

    #[test]
    fn a_shared_document_explains_the_conflicts_of_one_record() {
        // 0..=4 are one person; 5 has a misspelt given name (a twin's pattern against 1..=4)
        // but carries 0's document.
        let edges: Vec<(u32, u32, f64)> = (0..6u32)
            .flat_map(|a| (a + 1..6).map(move |b| (a, b, 0.999)))
            .filter(|&(a, b, _)| b < 5 || a == 0)
            .collect();
        let twin_like = |a: u32, b: u32| match (a, b) {
            (0, 5) => PairEvidence::Identified(10.0),
            (_, 5) => PairEvidence::Against(30.0),
            _ => PairEvidence::Weight(10.0),
        };
        assert_eq!(
            cluster(6, &edges, ClusterOptions::default(), twin_like),
            [0; 6]
        );
        // Without the document it is a twin.
        let twin = |a: u32, b: u32| match (a, b) {
            (0, 5) => PairEvidence::Weight(10.0),
            other => twin_like(other.0, other.1),
        };
        assert_eq!(
            cluster(6, &edges, ClusterOptions::default(), twin),
            [0, 0, 0, 0, 0, 1]
        );
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
        let c = cluster(2, &edges, ClusterOptions::default(), |_, _| {
            PairEvidence::Weight(f64::NAN)
        });
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
        let c = cluster(4, &edges, ClusterOptions::default(), |_, _| {
            PairEvidence::Weight(0.0)
        });
        assert_eq!(c, vec![0, 1, 2, 3], "pairs that say nothing do not merge");
        let c = cluster(4, &edges, ClusterOptions::default(), |_, _| {
            PairEvidence::Weight(1.0)
        });
        assert_eq!(c, vec![0, 0, 0, 1]);
    }

    #[test]
    fn a_weak_record_attaches_by_what_the_data_say_of_its_name() {
        // 0..=9 are one person (name key 7); 10 is a record with the name and nothing
        // else (no edge at all). 11..=13 carry name key 8: a namesake pair 11, 12 of
        // two records and a weak record 13 that would make it three.
        let mut edges: Vec<(u32, u32, f64)> = (0..10u32)
            .flat_map(|a| (a + 1..10).map(move |b| (a, b, 0.999)))
            .collect();
        edges.push((11, 12, 0.999));
        let mut names = vec![7u64; 11];
        names[10] |= WEAK;
        names.extend([8, 8, 8 | WEAK]);
        let weight = |_: u32, _: u32| PairEvidence::Weight(10.0);
        let options = ClusterOptions::default();
        let c = cluster_with_names(14, &edges, options, Some(&names), weight);
        assert_eq!(
            c[10], c[0],
            "ten of ten others carrying the name are one person's"
        );
        assert_ne!(c[13], c[11], "two records are too few to attach on a name");
        // A namesake with records of his own: 10 of 13 others, below 0.8.
        let mut with_namesake = edges.clone();
        with_namesake.extend([(14, 15, 0.999), (15, 16, 0.999), (14, 16, 0.999)]);
        let mut names_ns = names.clone();
        names_ns.extend([7, 7, 7]);
        let c = cluster_with_names(17, &with_namesake, options, Some(&names_ns), weight);
        assert_ne!(c[10], c[0]);
        assert_ne!(c[10], c[14]);
        // A record that is not weak is never attached this way, nor one that conflicts.
        names[10] &= !WEAK;
        assert_ne!(
            cluster_with_names(14, &edges, options, Some(&names), weight)[10],
            0
        );
        names[10] |= WEAK;
        let conflicting = |a: u32, b: u32| {
            if b == 10 && a < 5 {
                PairEvidence::Against(15.0)
            } else {
                PairEvidence::Weight(10.0)
            }
        };
        assert_ne!(
            cluster_with_names(14, &edges, options, Some(&names), conflicting)[10],
            0
        );
    }

    #[test]
    fn a_weak_record_attaches_to_its_sole_candidate() {
        // 0..=11 are one person; 12 is weak, with edges at 0.3 to 0..=3 only and a name
        // key of its own (a typo); 13 is weak with edges to 0..=3 and to 14, another
        // person: two candidates.
        let mut edges: Vec<(u32, u32, f64)> = (0..12u32)
            .flat_map(|a| (a + 1..12).map(move |b| (a, b, 0.999)))
            .collect();
        edges.extend((0..4u32).map(|a| (a, 12, 0.3)));
        edges.extend((0..4u32).map(|a| (a, 13, 0.3)));
        edges.push((13, 14, 0.3));
        let mut names: Vec<u64> = vec![7; 15];
        names[12] = 9 | WEAK;
        names[13] = 10 | WEAK;
        names[14] = 11;
        let options = ClusterOptions {
            attach: 0.15,
            ..ClusterOptions::default()
        };
        let weight = |_: u32, b: u32| PairEvidence::Weight(if b >= 12 { -1.5 } else { 10.0 });
        let c = cluster_with_names(15, &edges, options, Some(&names), weight);
        assert_eq!(c[12], c[0], "the only candidate, registered twelve times");
        assert_ne!(c[13], c[0], "two candidates: no guess");
        let without = cluster(15, &edges, options, weight);
        assert_ne!(without[12], without[0], "not without names");
    }

    #[test]
    fn a_sparse_record_attaches_to_a_large_cluster_only() {
        // 0..=7 are one person; 8 links to each of them at 0.6 only (a name and nothing
        // else), 9 and 10 are two records at 0.6 with each other.
        let mut edges: Vec<(u32, u32, f64)> = (0..8u32)
            .flat_map(|a| (a + 1..8).map(move |b| (a, b, 0.999)))
            .collect();
        edges.extend((0..8u32).map(|a| (a, 8, 0.6)));
        edges.push((9, 10, 0.6));
        let weight = |_a: u32, b: u32| {
            PairEvidence::Weight(if b >= 8 {
                0.6f64.log2() - 0.4f64.log2()
            } else {
                10.0
            })
        };
        let options = ClusterOptions {
            attach: 0.3,
            ..ClusterOptions::default()
        };
        let c = cluster(11, &edges, options, weight);
        assert_eq!(c[8], c[0], "eight records make 0.6 enough");
        assert_ne!(c[9], c[10], "a pair at 0.6 stays apart");
        // Off by default, and never across a conflict.
        assert_ne!(cluster(11, &edges, ClusterOptions::default(), weight)[8], 0);
        let conflicting = |bad: &'static [u32]| {
            move |a: u32, b: u32| {
                if b == 8 && bad.contains(&a) {
                    PairEvidence::Against(15.0)
                } else {
                    weight(a, b)
                }
            }
        };
        // One conflict in eight is a misspelt record of the person; three are not.
        assert_eq!(cluster(11, &edges, options, conflicting(&[3]))[8], c[0]);
        assert_ne!(
            cluster(11, &edges, options, conflicting(&[1, 3, 5]))[8],
            c[0]
        );
    }
}
