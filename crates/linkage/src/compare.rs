//! Graded comparators: each field of a pair is reduced to a small *level* (agreement
//! class), and the [`crate::model`] turns levels into evidence.
//!
//! Level 0 always means "cannot compare" (a value is missing), which is neither for nor
//! against a match. Higher levels mean closer agreement. Levels are kept few so that EM
//! can estimate their probabilities reliably and every level has a readable name.

use crate::prepare::{DocKey, NO_SYM, Prepared, PreparedSet, Resolve, Sym};
use crate::record::PartialDate;

/// The compared fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Surname stem.
    Surname,
    /// Given name (with diminutive groups).
    Given,
    /// Patronymic root.
    Patronymic,
    /// Birth date.
    BirthDate,
    /// Identity documents.
    Document,
    /// Phone.
    Phone,
    /// Sex.
    Sex,
    /// Citizenship.
    Citizenship,
    /// Address: street address, locality, postcode and region together.
    Address,
}

/// Number of compared fields.
pub const NUM_FIELDS: usize = 9;
/// Largest number of levels of any field.
pub const MAX_LEVELS: usize = 8;

impl Field {
    /// All fields in vector order.
    pub const ALL: [Field; NUM_FIELDS] = [
        Field::Surname,
        Field::Given,
        Field::Patronymic,
        Field::BirthDate,
        Field::Document,
        Field::Phone,
        Field::Sex,
        Field::Citizenship,
        Field::Address,
    ];

    /// A stable machine name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Surname => "surname",
            Field::Given => "given_name",
            Field::Patronymic => "patronymic",
            Field::BirthDate => "birth_date",
            Field::Document => "document",
            Field::Phone => "phone",
            Field::Sex => "sex",
            Field::Citizenship => "citizenship",
            Field::Address => "address",
        }
    }

    /// Names of the levels, index = level.
    pub fn level_names(self) -> &'static [&'static str] {
        match self {
            Field::Surname => &["missing", "different", "similar", "very similar", "same"],
            Field::Given => &[
                "missing",
                "different",
                "similar",
                "same name group or one typo apart",
                "same",
            ],
            Field::Patronymic => &["missing", "different", "similar", "same"],
            Field::BirthDate => &[
                "missing",
                "different (years far apart)",
                "different",
                "same year (partial date)",
                "year off by one",
                "one of day/month differs",
                "day and month swapped",
                "same",
            ],
            Field::Document => &[
                "missing",
                "different",
                "one edit apart or without series",
                "same",
            ],
            Field::Phone => &["missing", "different", "same last 7 digits", "same"],
            Field::Sex => &["missing", "different", "same"],
            Field::Citizenship => &["missing", "different", "same"],
            Field::Address => &[
                "missing",
                "different",
                "same region only",
                "same locality or postcode",
                "similar street, or same locality and postcode",
                "same street address and area",
            ],
        }
    }

    /// Whether members of one household often share this field (so agreement on it is
    /// weak evidence of being the same person).
    pub fn shared_in_household(self) -> bool {
        matches!(
            self,
            Field::Patronymic | Field::Phone | Field::Citizenship | Field::Address
        )
    }

    /// Number of levels including "missing".
    pub fn levels(self) -> usize {
        self.level_names().len()
    }

    /// The field's highest level: the values are the same.
    pub fn top_level(self) -> u8 {
        u8::try_from(self.levels() - 1).unwrap_or(u8::MAX)
    }
}

/// The levels of one compared pair, plus what the model needs for term frequencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Comparison {
    /// Level per field, in [`Field::ALL`] order.
    pub levels: [u8; NUM_FIELDS],
    /// Whether the names matched better with surname and given name crossed.
    pub swapped: bool,
    /// The shared surname when the surname level is "same" (for term frequency).
    pub surname_value: Sym,
    /// The shared given-name group when the given level is "same name group" or "same".
    pub given_value: Sym,
}

impl Comparison {
    /// Whether a document of one record is equal to, or one typo from, a document of the
    /// other: that identifies the person (twins and a father and son never share one).
    pub fn documents_agree(&self) -> bool {
        self.levels[Field::Document as usize] >= 2
    }

    /// The levels packed three bits each (27 bits), a compact key for EM pattern counting.
    pub fn pattern(&self) -> u32 {
        self.levels
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &l)| acc | (u32::from(l & 0x7) << (3 * i)))
    }

    /// Unpacks [`Comparison::pattern`].
    pub fn levels_of(pattern: u32) -> [u8; NUM_FIELDS] {
        let mut out = [0u8; NUM_FIELDS];
        for (i, l) in out.iter_mut().enumerate() {
            *l = ((pattern >> (3 * i)) & 0x7) as u8;
        }
        out
    }

    /// The whole comparison in 28 bits: the pattern and the swapped flag. Batch mode keeps
    /// one `u32` per candidate pair instead of comparing twice.
    pub fn pack(&self) -> u32 {
        self.pattern() | (u32::from(self.swapped) << SWAPPED_BIT)
    }

    /// Rebuilds a comparison of `a` and `b` from [`Comparison::pack`].
    pub fn unpack(packed: u32, a: &Prepared, b: &Prepared) -> Comparison {
        let levels = Self::levels_of(packed & ((1 << SWAPPED_BIT) - 1));
        let swapped = packed & (1 << SWAPPED_BIT) != 0;
        let (surname_value, given_value) = tf_values(levels[0], levels[1], swapped, a, b);
        Comparison {
            levels,
            swapped,
            surname_value,
            given_value,
        }
    }
}

/// Bit of [`Comparison::pack`] holding the swapped flag, just above the pattern.
const SWAPPED_BIT: u32 = 3 * NUM_FIELDS as u32;

/// Longest string compared by [`jaro_winkler`]; longer inputs are truncated.
const JW_MAX: usize = 64;

/// Jaro–Winkler similarity of two byte strings, without allocation.
///
/// Canonical names are ASCII, so bytes are characters. Prefix scale 0.1, prefix up to 4.
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let a = &a[..a.len().min(JW_MAX)];
    let b = &b[..b.len().min(JW_MAX)];
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    if a == b {
        return 1.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_match = [false; JW_MAX];
    let mut b_match = [false; JW_MAX];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_match[j] && b[j] == ca {
                a_match[i] = true;
                b_match[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if !a_match[i] {
            continue;
        }
        while k < b.len() && !b_match[k] {
            k += 1;
        }
        if k < b.len() && b[k] != ca {
            transpositions += 1;
        }
        k += 1;
    }
    let m = matches as f64;
    let t = (transpositions / 2) as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0;
    let prefix = a
        .iter()
        .zip(b.iter())
        .take(4)
        .take_while(|(x, y)| x == y)
        .count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Whether two byte strings are at most one edit (substitution, insertion, deletion) or
/// one adjacent transposition apart.
pub fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    if la == lb {
        // Substitution, or transposition of the first differing pair.
        if ra[1..] == rb[1..] {
            return true;
        }
        ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..]
    } else if la > lb {
        ra[1..] == *rb
    } else {
        *ra == rb[1..]
    }
}

fn name_level_surname<S: Resolve>(set: &S, a: Sym, b: Sym, key_a: Sym, key_b: Sym) -> u8 {
    if a == NO_SYM || b == NO_SYM {
        return 0;
    }
    if a == b {
        return 4;
    }
    let (x, y) = (set.resolve(a).as_bytes(), set.resolve(b).as_bytes());
    // A typing slip is "very similar"; a merely similar surname (`Bobrov`/`Bobrin`,
    // a different family with the same stem) stays "similar".
    if within_one_edit(x, y) && x.len().min(y.len()) >= 4 {
        return 3;
    }
    let jw = jaro_winkler(x, y);
    if jw >= 0.94 || (key_a == key_b && jw >= 0.8) {
        3
    } else if jw >= 0.8 {
        2
    } else {
        1
    }
}

fn name_level_given<S: Resolve>(set: &S, a: Sym, b: Sym, group_a: Sym, group_b: Sym) -> u8 {
    if a == NO_SYM || b == NO_SYM {
        return 0;
    }
    if a == b {
        return 4;
    }
    if group_a == group_b {
        return 3;
    }
    let (x, y) = (set.resolve(a).as_bytes(), set.resolve(b).as_bytes());
    // One typing slip (`Bermet`/`Bnrmet`) is "same", unlike twins' similar names
    // (`Aleksandr`/`Aleksei`), which are more than one edit apart.
    if within_one_edit(x, y) && x.len().min(y.len()) >= 4 {
        return 3;
    }
    let jw = jaro_winkler(x, y);
    if jw >= 0.92 {
        3
    } else if jw >= 0.80 {
        2
    } else {
        1
    }
}

fn patronymic_level<S: Resolve>(set: &S, a: Sym, b: Sym) -> u8 {
    if a == NO_SYM || b == NO_SYM {
        return 0;
    }
    if a == b {
        return 3;
    }
    let jw = jaro_winkler(set.resolve(a).as_bytes(), set.resolve(b).as_bytes());
    if jw >= 0.85 { 2 } else { 1 }
}

/// Whether two years differ by one typed digit or a swap of two adjacent digits
/// (`1985`/`1958` differs by one transposition, `1985`/`1986` by one digit).
fn year_typo(a: u16, b: u16) -> bool {
    let da = a.to_string();
    let db = b.to_string();
    within_one_edit(da.as_bytes(), db.as_bytes())
}

/// Compares two birth dates into the levels of [`Field::BirthDate`].
pub fn date_level(a: Option<PartialDate>, b: Option<PartialDate>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else { return 0 };
    let (Some(ya), Some(yb)) = (a.year(), b.year()) else {
        return 0;
    };
    let full = |d: &PartialDate| d.month().is_some() && d.day().is_some() && !d.estimated();
    // Years more than this far apart (beyond any estimate's tolerance) mean different
    // generations or siblings, not a typo.
    const FAR: u16 = 2;
    if full(&a) && full(&b) {
        let (ma, da, mb, db) = (a.month(), a.day(), b.month(), b.day());
        if ya == yb && ma == mb && da == db {
            7
        } else if ya == yb && da == mb && ma == db {
            6
        } else if ya == yb && (ma == mb || da == db) {
            5
        } else if ma == mb && da == db && (ya.abs_diff(yb) == 1 || year_typo(ya, yb)) {
            4
        } else if ya.abs_diff(yb) > FAR {
            1
        } else {
            2
        }
    } else {
        let tolerance = if a.estimated() || b.estimated() { 2 } else { 0 };
        if ya.abs_diff(yb) > tolerance + FAR {
            return 1;
        }
        if ya.abs_diff(yb) > tolerance {
            return 2;
        }
        if let (Some(ma), Some(mb)) = (a.month(), b.month())
            && ma != mb
            && !a.estimated()
            && !b.estimated()
        {
            return 2;
        }
        3
    }
}

/// Shortest number compared without its series: a Russian passport's number proper
/// has six digits (after a four-digit series), a foreign passport's seven.
pub const DOC_NUMBER_MIN: usize = 6;

/// Whether one document number is the other without its series: desks often type only
/// the number after `№`. The shorter must keep at least [`DOC_NUMBER_MIN`] characters.
pub fn without_series(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    short.len() >= DOC_NUMBER_MIN && short.len() < long.len() && long.ends_with(short)
}

/// Compares document lists: "same" if any compatible pair is equal, "one edit apart" if
/// any is within one edit or is the other without its series, "different" if compatible documents exist but none is close,
/// "missing" if no two documents are comparable.
pub fn document_level(a: &[DocKey], b: &[DocKey]) -> u8 {
    let mut best = 0u8;
    for da in a {
        for db in b {
            if !da.kind.compatible(db.kind) {
                continue;
            }
            let (x, y) = (da.as_bytes(), db.as_bytes());
            let series_missing = without_series(x, y);
            let unknown_kind = da.kind != db.kind;
            if unknown_kind && x.len() != y.len() && x != y && !series_missing {
                continue;
            }
            let level = if x == y {
                3
            } else if series_missing || within_one_edit(x, y) {
                2
            } else {
                1
            };
            best = best.max(level);
        }
    }
    best
}

/// Compares E.164 phone digits.
pub fn phone_level(a: u64, b: u64) -> u8 {
    if a == 0 || b == 0 {
        0
    } else if a == b {
        3
    } else if a % 10_000_000 == b % 10_000_000 {
        2
    } else {
        1
    }
}

fn eq_level<T: PartialEq>(a: Option<T>, b: Option<T>) -> u8 {
    match (a, b) {
        (Some(x), Some(y)) if x == y => 2,
        (Some(_), Some(_)) => 1,
        _ => 0,
    }
}

/// Compares addresses into the levels of [`Field::Address`]: the street address by
/// Jaro–Winkler (typos), locality by Jaro–Winkler, postcode and region exactly. Missing
/// parts are skipped; "missing" if no part is present on both sides.
pub fn address_level<S: Resolve>(set: &S, a: &Prepared, b: &Prepared) -> u8 {
    let both = |x: Sym, y: Sym| x != NO_SYM && y != NO_SYM;
    let close = |x: Sym, y: Sym, min: f64| {
        x == y || jaro_winkler(set.resolve(x).as_bytes(), set.resolve(y).as_bytes()) >= min
    };
    let street = both(a.address, b.address).then(|| {
        if a.address == b.address {
            2
        } else if close(a.address, b.address, 0.9) {
            1
        } else {
            0
        }
    });
    let locality = both(a.locality, b.locality).then(|| close(a.locality, b.locality, 0.9));
    let postcode = both(a.postcode, b.postcode).then_some(a.postcode == b.postcode);
    let region = both(a.region, b.region).then_some(a.region == b.region);
    if street.is_none() && locality.is_none() && postcode.is_none() && region.is_none() {
        return 0;
    }
    let area = u8::from(locality == Some(true)) + u8::from(postcode == Some(true));
    match (street.unwrap_or(0), area) {
        (2, 1..) => 5,
        (1.., _) | (_, 2) => 4,
        (_, 1) => 3,
        _ if region == Some(true) => 2,
        _ => 1,
    }
}

/// Compares two prepared records of `set`.
pub fn compare(set: &PreparedSet, a: &Prepared, b: &Prepared) -> Comparison {
    compare_with(&set.strings, a, b)
}

/// Compares two prepared records whose symbols resolve through `set`.
pub fn compare_with<S: Resolve>(set: &S, a: &Prepared, b: &Prepared) -> Comparison {
    let straight_s = name_level_surname(set, a.surname, b.surname, a.surname_key, b.surname_key);
    let straight_g = name_level_given(set, a.given, b.given, a.given_group, b.given_group);
    let mut swapped = false;
    let (mut s, mut g) = (straight_s, straight_g);
    if straight_s + straight_g < 7 {
        // Surname and given name may be swapped on one side.
        // Levels stay "surname vs surname": a's given-name field against b's surname.
        let cross_s = name_level_surname(set, a.given, b.surname, a.given_key, b.surname_key);
        let cross_g = name_level_given(set, a.surname, b.given, a.surname, b.given_group);
        if cross_s + cross_g > straight_s + straight_g + 1 {
            s = cross_s;
            g = cross_g;
            swapped = true;
        }
    }
    let (surname_value, given_value) = tf_values(s, g, swapped, a, b);
    let citizenship = if a.citizenship == NO_SYM || b.citizenship == NO_SYM {
        0
    } else if a.citizenship == b.citizenship {
        2
    } else {
        1
    };
    Comparison {
        levels: [
            s,
            g,
            patronymic_level(set, a.patronymic, b.patronymic),
            date_level(a.birth, b.birth),
            document_level(&a.docs, &b.docs),
            phone_level(a.phone, b.phone),
            eq_level(a.sex, b.sex),
            citizenship,
            if a.has_address || b.has_address {
                address_level(set, a, b)
            } else {
                0
            },
        ],
        swapped,
        surname_value,
        given_value,
    }
}

/// The agreeing surname and given-name group, for term-frequency adjustment.
fn tf_values(s: u8, g: u8, swapped: bool, a: &Prepared, b: &Prepared) -> (Sym, Sym) {
    let surname = match (s, swapped) {
        (4, false) => a.surname,
        (4, true) => b.surname,
        _ => NO_SYM,
    };
    let given = if g >= 3 && !swapped && a.given_group == b.given_group {
        a.given_group
    } else {
        NO_SYM
    };
    (surname, given)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::DocKind;

    #[test]
    fn a_number_without_its_series_is_close_not_different() {
        let doc = |n: &str| {
            DocKey::new(DocKind::InternalPassport, n)
                .into_iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(document_level(&doc("4512 345678"), &doc("№ 345678")), 2);
        assert_eq!(document_level(&doc("№345678"), &doc("4512345678")), 2);
        // Too short to stand for a number, or a different tail: different.
        assert_eq!(document_level(&doc("45678"), &doc("4512345678")), 1);
        assert_eq!(document_level(&doc("345679"), &doc("4512345678")), 1);
    }

    #[test]
    fn jaro_winkler_known_values() {
        assert!((jaro_winkler(b"martha", b"marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler(b"dwayne", b"duane") - 0.84).abs() < 1e-2);
        assert_eq!(jaro_winkler(b"", b""), 1.0);
        assert_eq!(jaro_winkler(b"abc", b""), 0.0);
        assert_eq!(jaro_winkler(b"abc", b"xyz"), 0.0);
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit(b"4512345678", b"4512345687"));
        assert!(within_one_edit(b"4512345678", b"4512345679"));
        assert!(within_one_edit(b"4512345678", b"451234567"));
        assert!(!within_one_edit(b"4512345678", b"4512345600"));
        assert!(!within_one_edit(b"12", b"1234"));
    }

    #[test]
    fn date_levels() {
        let d = |y, m, dd| PartialDate::ymd(y, m, dd).ok();
        assert_eq!(date_level(d(1995, 3, 2), d(1995, 3, 2)), 7);
        assert_eq!(date_level(d(1995, 3, 2), d(1995, 2, 3)), 6);
        assert_eq!(date_level(d(1995, 3, 2), d(1995, 3, 12)), 5);
        assert_eq!(date_level(d(1995, 3, 2), d(1996, 3, 2)), 4);
        assert_eq!(date_level(d(1995, 3, 2), d(1959, 3, 2)), 4);
        assert_eq!(date_level(d(1995, 3, 2), d(1980, 7, 9)), 1);
        assert_eq!(date_level(d(1995, 3, 2), d(1996, 7, 9)), 2);
        assert_eq!(
            date_level(d(1995, 3, 2), PartialDate::year_only(1995, false).ok()),
            3
        );
        assert_eq!(
            date_level(d(1995, 3, 2), PartialDate::year_only(1997, true).ok()),
            3
        );
        assert_eq!(
            date_level(d(1995, 3, 2), PartialDate::year_only(2006, true).ok()),
            1
        );
        assert_eq!(date_level(d(1995, 3, 2), None), 0);
    }

    #[test]
    fn pattern_round_trips() {
        let c = Comparison {
            levels: [4, 3, 0, 6, 1, 2, 2, 1, 5],
            swapped: true,
            surname_value: NO_SYM,
            given_value: NO_SYM,
        };
        assert_eq!(Comparison::levels_of(c.pattern()), c.levels);
        assert_eq!(Comparison::pack(&c) >> SWAPPED_BIT, 1);
    }
}
