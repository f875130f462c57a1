use proptest::prelude::*;

use super::attacker::{self, Interval};
use super::*;

fn labels(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn table(cells: Vec<Vec<u64>>) -> CountTable {
    CountTable {
        rows: labels("r", cells.len()),
        columns: labels("c", cells.first().map_or(0, Vec::len)),
        cells,
    }
}

/// Cities A, B, C and E by arrival and idp, as in the differencing finding.
fn cities_a_b_c_e() -> CountTable {
    CountTable {
        rows: ["A", "B", "C", "E"].map(String::from).to_vec(),
        columns: ["arrival", "idp"].map(String::from).to_vec(),
        cells: vec![vec![0, 2], vec![5, 100], vec![100, 5], vec![20, 20]],
    }
}

/// Beds of one city: in use, free; capacity is the row total.
fn beds(rows: Vec<[u64; 2]>) -> ReleaseTable {
    ReleaseTable {
        counts: CountTable {
            rows: labels("city", rows.len()),
            columns: vec!["in_use".into(), "free".into()],
            cells: rows.into_iter().map(Vec::from).collect(),
        },
        margins: Margins::RowTotals,
        people_columns: vec![true, false],
    }
}

fn interval_of(intervals: &[Interval], table: usize, entry: Entry) -> Option<Interval> {
    intervals
        .iter()
        .find(|i| i.table == table && i.entry == entry)
        .copied()
}

fn published(tables: &[ReleaseTable], protected: &[ProtectedTable]) -> Vec<PublishedTable> {
    tables
        .iter()
        .zip(protected)
        .map(|(t, p)| PublishedTable {
            table: p.clone(),
            margins: t.margins,
        })
        .collect()
}

/// Everything the release promises, checked against the truth: published numbers are
/// true, zeros are published, small counts of people are not, and the attacker's interval
/// of every suppressed entry is at least `threshold` wide and holds the true value.
fn assert_protected(
    tables: &[ReleaseTable],
    links: &[Link],
    protected: &[ProtectedTable],
    threshold: u64,
) {
    let release = published(tables, protected);
    for (t, (table, shown)) in tables.iter().zip(&release).enumerate() {
        let shape = table.shape();
        for entry in shape.entries() {
            let truth = table.value(entry);
            match shown.value(entry) {
                Some(v) => {
                    assert_eq!(v, truth, "table {t} {entry:?} published wrong");
                    assert!(
                        !(table.counts_people(entry) && truth > 0 && truth < threshold),
                        "table {t} {entry:?}: a count of {truth} published"
                    );
                }
                None => assert!(truth > 0, "table {t} {entry:?}: a zero suppressed"),
            }
        }
    }
    let intervals = attacker::intervals(&release, links).unwrap();
    for i in &intervals {
        assert!(
            i.protects(threshold),
            "{i:?} narrower than {threshold}: {protected:?}"
        );
        let truth = tables[i.table].value(i.entry);
        assert!(
            i.low <= truth && i.high.is_none_or(|h| truth <= h),
            "{i:?} misses the true {truth}"
        );
    }
    let narrow = attacker::narrow(&release, links, threshold).unwrap();
    assert!(
        narrow.is_empty(),
        "narrow disagrees with intervals: {narrow:?}"
    );
}

fn structure_and_values(
    tables: &[ReleaseTable],
    links: &[Link],
) -> (structure::Structure, Vec<u64>) {
    let shapes: Vec<structure::Shape> = tables.iter().map(ReleaseTable::shape).collect();
    let structure = structure::Structure::new(&shapes, links).unwrap();
    let mut values = vec![0; structure.quantities];
    for (table, entries) in tables.iter().zip(&structure.entries) {
        for (entry, q) in entries {
            values[*q] = table.value(*entry);
        }
    }
    (structure, values)
}

#[test]
fn the_attacker_derives_a_idp_from_the_old_release_of_a_b_c_e() {
    // What the one-equation rule published for the finding's table with threshold 5:
    // E's total hidden although both of its cells are shown.
    let old = ProtectedTable {
        rows: ["A", "B", "C", "E"].map(String::from).to_vec(),
        columns: ["arrival", "idp"].map(String::from).to_vec(),
        cells: vec![
            vec![Some(0), None],
            vec![None, None],
            vec![None, None],
            vec![Some(20), Some(20)],
        ],
        row_totals: vec![None, Some(105), Some(105), None],
        column_totals: vec![Some(125), Some(127)],
        total: Some(252),
    };
    let release = [PublishedTable {
        table: old,
        margins: Margins::Full,
    }];
    let intervals = attacker::intervals(&release, &[]).unwrap();
    let a_idp = Entry::Cell { row: 0, column: 1 };
    // E's total is 20 + 20 = 40, so A's total is 252 − 105 − 105 − 40 = 2, all idp.
    assert_eq!(
        interval_of(&intervals, 0, a_idp).map(|i| (i.low, i.high)),
        Some((2, Some(2)))
    );
    assert_eq!(
        interval_of(&intervals, 0, Entry::RowTotal(3)).map(|i| (i.low, i.high)),
        Some((40, Some(40)))
    );
    let narrow = attacker::narrow(&release, &[], 5).unwrap();
    assert!(narrow.iter().any(|i| i.entry == a_idp), "{narrow:?}");
}

#[test]
fn a_b_c_e_is_protected_now() {
    let counts = cities_a_b_c_e();
    let protected = protect(&counts, 5).unwrap();
    assert_eq!(
        protected.cells[0],
        vec![Some(0), None],
        "A: the 0 shown, the 2 hidden"
    );
    assert_eq!(protected.row_totals[0], None);
    let tables = [ReleaseTable::of_people(counts, Margins::Full)];
    assert_protected(&tables, &[], &[protected], 5);
}

#[test]
fn the_attacker_reads_people_sheltered_from_capacity_and_free() {
    // The old release: capacity and free per city, so in use = capacity − free.
    let old = ProtectedTable {
        rows: vec!["KZ/Aktau".into()],
        columns: vec!["in_use".into(), "free".into()],
        cells: vec![vec![None, Some(47)]],
        row_totals: vec![Some(50)],
        column_totals: Vec::new(),
        total: None,
    };
    let release = [PublishedTable {
        table: old,
        margins: Margins::RowTotals,
    }];
    let intervals = attacker::intervals(&release, &[]).unwrap();
    assert_eq!(
        interval_of(&intervals, 0, Entry::Cell { row: 0, column: 0 }).map(|i| (i.low, i.high)),
        Some((3, Some(3)))
    );
}

#[test]
fn beds_in_use_are_a_count_of_people() {
    let tables = [beds(vec![[3, 47], [0, 12], [60, 2], [4, 0]])];
    let protected = protect_release(&tables, &[], 5).unwrap();
    let b = &protected[0];
    assert_eq!(b.cells[0][0], None, "3 beds in use: hidden");
    assert!(
        b.cells[0][1].is_none() || b.row_totals[0].is_none(),
        "capacity − free would give the 3 away: {b:?}"
    );
    assert_eq!(
        b.cells[1],
        vec![Some(0), Some(12)],
        "nobody there: all shown"
    );
    assert_eq!(b.row_totals[1], Some(12));
    assert_eq!(
        b.cells[2],
        vec![Some(60), Some(2)],
        "2 free beds are not people"
    );
    // 4 in use, none free: the capacity would say 4, so it goes too.
    assert_eq!(b.cells[3], vec![None, Some(0)]);
    assert_eq!(b.row_totals[3], None);
    assert_protected(&tables, &[], &protected, 5);
}

#[test]
fn a_suppression_the_attacker_sees_through_is_replaced_by_the_last_resort() {
    // Primary suppression alone leaves A's 2 derivable; the check catches it and every
    // non-zero entry of the table goes.
    let tables = [ReleaseTable::of_people(cities_a_b_c_e(), Margins::Full)];
    let (structure, values) = structure_and_values(&tables, &[]);
    let primary_only: Vec<bool> = values.iter().map(|v| *v > 0 && *v < 5).collect();
    let plan = suppression::Plan::new(&structure, &values, 5);
    let p = checked(&tables, &[], &structure, &values, &plan, primary_only, 5).unwrap();
    assert_eq!(p[0].cells[0], vec![Some(0), None], "zeros stay");
    assert!(p[0].cells[1..].iter().flatten().all(Option::is_none));
    assert_eq!(p[0].total, None);
    assert_protected(&tables, &[], &p, 5);
}

#[test]
fn a_cell_of_three_cannot_be_derived_from_totals() {
    let t = table(vec![vec![120, 3, 40], vec![80, 60, 25], vec![33, 17, 90]]);
    let p = protect(&t, 5).unwrap();
    assert_eq!(p.cells[0][1], None);
    assert_eq!(p.total, Some(468));
    assert_protected(&[ReleaseTable::of_people(t, Margins::Full)], &[], &[p], 5);
}

#[test]
fn small_totals_are_hidden_and_zeros_shown() {
    let t = table(vec![vec![0, 2], vec![0, 50]]);
    let p = protect(&t, 5).unwrap();
    assert_eq!(p.cells[0][0], Some(0));
    assert_eq!(p.row_totals[0], None, "a row of 2 is itself small");
    assert_protected(&[ReleaseTable::of_people(t, Margins::Full)], &[], &[p], 5);
}

/// Two tables of the same 5 people: the second publishes the grand total the first must
/// hide (with it, 2 + 3 = 5 leaves each of the two cells only 1 to 4).
fn linked_pair() -> ([ReleaseTable; 2], [Link; 1]) {
    let tables = [
        ReleaseTable::of_people(table(vec![vec![2, 0], vec![0, 3]]), Margins::Full),
        ReleaseTable::of_people(table(vec![vec![5]]), Margins::Full),
    ];
    let totals = [Link(
        TableEntry {
            table: 0,
            entry: Entry::Total,
        },
        TableEntry {
            table: 1,
            entry: Entry::Total,
        },
    )];
    (tables, totals)
}

#[test]
fn linked_tables_are_protected_together() {
    let (tables, links) = linked_pair();
    // Protected one by one, the first hides its total of 5 and the second shows it.
    let alone: Vec<ProtectedTable> = tables
        .iter()
        .map(|t| protect(&t.counts, 5).unwrap())
        .collect();
    assert_eq!(alone[0].total, None);
    assert_eq!(alone[1].total, Some(5));
    let narrow = attacker::narrow(&published(&tables, &alone), &links, 5).unwrap();
    assert!(
        narrow
            .iter()
            .any(|i| i.table == 0 && i.entry == Entry::Cell { row: 0, column: 0 }),
        "{narrow:?}"
    );
    let together = protect_release(&tables, &links, 5).unwrap();
    assert_eq!(together[0].total, together[1].total);
    assert_protected(&tables, &links, &together, 5);
}

#[test]
fn an_inconsistent_release_is_refused() {
    let (tables, links) = linked_pair();
    let mut other = tables.clone();
    other[1].counts.cells[0][0] = 7;
    assert_eq!(
        protect_release(&other, &links, 5),
        Err(DisclosureError::Inconsistent)
    );
    let mut shown = protect_release(&tables, &links, 5).unwrap();
    shown[0].total = Some(5);
    shown[1].total = Some(6);
    assert_eq!(
        attacker::intervals(&published(&tables, &shown), &links),
        Err(DisclosureError::Inconsistent)
    );
}

#[test]
fn a_link_to_an_entry_a_table_lacks_is_refused() {
    let tables = [beds(vec![[10, 10]]), beds(vec![[10, 10]])];
    let link = Link(
        TableEntry {
            table: 0,
            entry: Entry::Total,
        },
        TableEntry {
            table: 1,
            entry: Entry::RowTotal(0),
        },
    );
    assert_eq!(
        protect_release(&tables, &[link], 5),
        Err(DisclosureError::Link)
    );
}

#[test]
fn an_empty_release_publishes_zeros() {
    let tables = [
        ReleaseTable::of_people(table(vec![]), Margins::Full),
        beds(vec![]),
    ];
    let p = protect_release(&tables, &[], 5).unwrap();
    assert_eq!(p[0].total, Some(0));
    assert!(p[1].rows.is_empty());
}

fn small_counts() -> impl Strategy<Value = u64> {
    // Mostly small numbers, some zeros, a few large ones: where suppression is hard.
    prop_oneof![
        3 => Just(0u64),
        6 => 1u64..8,
        3 => 8u64..40,
        1 => 40u64..400,
    ]
}

fn counts(
    rows: std::ops::Range<usize>,
    columns: std::ops::Range<usize>,
) -> BoxedStrategy<Vec<Vec<u64>>> {
    (rows, columns)
        .prop_flat_map(|(r, c)| prop::collection::vec(prop::collection::vec(small_counts(), c), r))
        .boxed()
}

/// Spreads `total` over `cells` cells by the given weights (at least one cell).
fn spread(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u64 = weights.iter().sum::<u64>().max(1);
    let mut out: Vec<u64> = weights.iter().map(|w| total * w / sum).collect();
    let given: u64 = out.iter().sum();
    out[0] += total - given;
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_tables_leave_every_suppressed_cell_at_least_the_threshold_wide(
        cells in counts(1..7, 1..5),
        threshold in 3u64..7,
    ) {
        let t = ReleaseTable::of_people(table(cells), Margins::Full);
        let p = protect_release(std::slice::from_ref(&t), &[], threshold).unwrap();
        assert_protected(&[t], &[], &p, threshold);
    }

    #[test]
    fn random_linked_releases_leave_every_suppressed_cell_at_least_the_threshold_wide(
        cities in counts(1..6, 4..5),
        weights in prop::collection::vec(prop::collection::vec(0u64..6, 3), 5),
        shelter in prop::collection::vec((small_counts(), small_counts()), 0..5),
        threshold in 3u64..7,
    ) {
        // People by city × group; the same people by age band × sex; beds by city.
        let people = table(cities);
        let total: u64 = people.cells.iter().flatten().sum();
        let flat: Vec<u64> = weights.iter().flatten().map(|w| w + 1).collect();
        let by_age = spread(total, &flat);
        let tables = [
            ReleaseTable::of_people(people, Margins::Full),
            ReleaseTable::of_people(table(by_age.chunks(3).map(<[u64]>::to_vec).collect()), Margins::Full),
            beds(shelter.into_iter().map(|(a, b)| [a, b]).collect()),
        ];
        let links = [Link(
            TableEntry { table: 0, entry: Entry::Total },
            TableEntry { table: 1, entry: Entry::Total },
        )];
        let p = protect_release(&tables, &links, threshold).unwrap();
        assert_protected(&tables, &links, &p, threshold);
    }

    #[test]
    fn the_quick_check_finds_exactly_the_narrow_entries(
        cells in counts(1..5, 1..4),
        shelter in prop::collection::vec((small_counts(), small_counts()), 0..3),
        mask in prop::collection::vec(any::<bool>(), 40),
        threshold in 3u64..7,
    ) {
        // Any suppression at all, protected or not: narrow and intervals must agree.
        let tables = [
            ReleaseTable::of_people(table(cells), Margins::Full),
            beds(shelter.into_iter().map(|(a, b)| [a, b]).collect()),
        ];
        let (structure, values) = structure_and_values(&tables, &[]);
        let hidden: Vec<bool> = (0..structure.quantities)
            .map(|q| values[q] > 0 && mask[q % mask.len()])
            .collect();
        let release = publish(&tables, &structure, &values, &hidden);
        let exact: Vec<Interval> = attacker::intervals(&release, &[])
            .unwrap()
            .into_iter()
            .filter(|i| !i.protects(threshold))
            .collect();
        let quick = attacker::narrow(&release, &[], threshold).unwrap();
        prop_assert_eq!(quick, exact);
    }

    #[test]
    fn suppressing_every_non_zero_entry_protects_everything(
        cities in counts(1..5, 1..5),
        threshold in 3u64..7,
    ) {
        // The last resort of protect_release must itself pass the check.
        let people = table(cities);
        let total: u64 = people.cells.iter().flatten().sum();
        let tables = [
            ReleaseTable::of_people(people, Margins::Full),
            ReleaseTable::of_people(table(vec![vec![total]]), Margins::Full),
        ];
        let links = [Link(
            TableEntry { table: 0, entry: Entry::Total },
            TableEntry { table: 1, entry: Entry::Total },
        )];
        let (structure, values) = structure_and_values(&tables, &links);
        let hidden: Vec<bool> = values.iter().map(|v| *v > 0).collect();
        let release = publish(&tables, &structure, &values, &hidden);
        prop_assert!(attacker::narrow(&release, &links, threshold).unwrap().is_empty());
    }
}
