//! Records prepared once for many comparisons.
//!
//! Comparison is the hot loop (tens of millions of pairs in a 1M-record run), so every
//! record is normalised once into a compact [`Prepared`] value: names become interned
//! symbols ([`Sym`], four bytes) whose strings live once in an [`Interner`], documents
//! become fixed-size byte keys, the phone becomes a `u64`. Comparing two prepared records
//! allocates nothing.

use std::collections::HashMap;

use crate::hash::FnvBuild;
use crate::names::{NameParts, assign_roles, given_name_group, patronymic_root, surname_stem};
use crate::normalize::{
    Script, canonical, canonical_tokens, canonical_tokens_hinted, phonetic_key, script_hint,
};
use crate::record::{PartialDate, PersonRecord, Sex};

/// An interned string: an index into an [`Interner`].
pub type Sym = u32;

/// The symbol for "no value".
pub const NO_SYM: Sym = u32::MAX;

/// Stores each distinct canonical string once.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    map: HashMap<Box<str>, Sym, FnvBuild>,
    strings: Vec<Box<str>>,
}

impl Interner {
    /// Returns the symbol of `s`, adding it if new. The empty string is [`NO_SYM`].
    pub fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return NO_SYM;
        }
        if let Some(&sym) = self.map.get(s) {
            return sym;
        }
        // Symbols above OVERLAY_BASE are reserved for query overlays; an interner that
        // full (two billion distinct names) maps further strings to "missing".
        let Ok(sym) = Sym::try_from(self.strings.len()) else {
            return NO_SYM;
        };
        if sym >= OVERLAY_BASE {
            return NO_SYM;
        }
        self.strings.push(s.into());
        self.map.insert(s.into(), sym);
        sym
    }

    /// The symbol of `s` if already interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }

    /// The string of a symbol; empty for [`NO_SYM`] or unknown symbols.
    pub fn resolve(&self, sym: Sym) -> &str {
        self.strings.get(sym as usize).map_or("", |s| s)
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Whether nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// Read access to interned strings.
pub trait Resolve {
    /// The string of a symbol; empty for [`NO_SYM`] or unknown symbols.
    fn resolve(&self, sym: Sym) -> &str;
}

/// Interning: turning strings into symbols.
pub trait Intern: Resolve {
    /// The symbol of `s`, adding it if new. The empty string is [`NO_SYM`].
    fn intern(&mut self, s: &str) -> Sym;
}

impl Resolve for Interner {
    fn resolve(&self, sym: Sym) -> &str {
        Interner::resolve(self, sym)
    }
}

impl Intern for Interner {
    fn intern(&mut self, s: &str) -> Sym {
        Interner::intern(self, s)
    }
}

/// Symbols at or above this value belong to a [`QueryStrings`] overlay.
const OVERLAY_BASE: Sym = 0x8000_0000;

/// A read-only view of an [`Interner`] plus the few new strings of one query, so an
/// online lookup never mutates the shared index (many lookups can run at once under a
/// read lock). Strings already interned keep their symbols, so comparisons by symbol
/// equality stay valid.
#[derive(Debug)]
pub struct QueryStrings<'a> {
    base: &'a Interner,
    extra: Vec<Box<str>>,
}

impl<'a> QueryStrings<'a> {
    /// An empty overlay over `base`.
    pub fn new(base: &'a Interner) -> Self {
        QueryStrings {
            base,
            extra: Vec::new(),
        }
    }
}

impl Resolve for QueryStrings<'_> {
    fn resolve(&self, sym: Sym) -> &str {
        if sym == NO_SYM {
            ""
        } else if sym >= OVERLAY_BASE {
            self.extra
                .get((sym - OVERLAY_BASE) as usize)
                .map_or("", |s| s)
        } else {
            self.base.resolve(sym)
        }
    }
}

impl Intern for QueryStrings<'_> {
    fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return NO_SYM;
        }
        if let Some(sym) = self.base.get(s) {
            return sym;
        }
        if let Some(i) = self.extra.iter().position(|e| &**e == s) {
            return OVERLAY_BASE + i as Sym;
        }
        let Ok(i) = Sym::try_from(self.extra.len()) else {
            return NO_SYM;
        };
        if i >= NO_SYM - OVERLAY_BASE {
            return NO_SYM;
        }
        self.extra.push(s.into());
        OVERLAY_BASE + i
    }
}

/// Broad document kinds. Two documents are compared only when their kinds are compatible:
/// a person's internal and international passports have different numbers, and that is
/// not evidence of two people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// Russian internal (общегражданский) passport and similar national passports.
    InternalPassport,
    /// International (заграничный) passport.
    ForeignPassport,
    /// Birth certificate.
    BirthCertificate,
    /// National identity card or personal number (IIN, PIN).
    NationalId,
    /// Unknown or other; compared with any kind.
    Other,
}

impl DocKind {
    /// Reads a free-form document type in Russian or English.
    pub fn parse_loose(doc_type: &str) -> DocKind {
        let c = canonical(doc_type).replace(' ', "");
        let has = |needles: &[&str]| needles.iter().any(|n| c.contains(n));
        if has(&[
            "zagran",
            "foreign",
            "international",
            "intl",
            "travel",
            "zagr",
        ]) {
            DocKind::ForeignPassport
        } else if has(&["vnutr", "internal", "obshchegr", "domestic"]) {
            DocKind::InternalPassport
        } else if has(&["birth", "rozhd", "svid"]) {
            DocKind::BirthCertificate
        } else if has(&["iin", "pin", "national", "udostov", "idcard", "inn"]) {
            DocKind::NationalId
        } else {
            DocKind::Other
        }
    }

    /// Whether documents of these kinds describe the same numbering space.
    pub fn compatible(self, other: DocKind) -> bool {
        self == other || self == DocKind::Other || other == DocKind::Other
    }
}

/// Maximum stored length of a document number; longer numbers are truncated.
pub const DOC_KEY_LEN: usize = 22;

/// A normalised document number: uppercase ASCII letters and digits only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocKey {
    /// The kind of document.
    pub kind: DocKind,
    len: u8,
    bytes: [u8; DOC_KEY_LEN],
}

impl DocKey {
    /// Normalises a document number; `None` if it holds no letters or digits.
    pub fn new(kind: DocKind, number: &str) -> Option<DocKey> {
        // `№` is a number sign, not part of the number; NFKC would spell it `No`.
        let stripped;
        let number = if number.contains('№') {
            stripped = number.replace('№', " ");
            stripped.as_str()
        } else {
            number
        };
        let mut bytes = [0u8; DOC_KEY_LEN];
        let mut len = 0usize;
        let mut push = |b: u8| {
            if b.is_ascii_alphanumeric() && len < DOC_KEY_LEN {
                bytes[len] = b.to_ascii_uppercase();
                len += 1;
            }
        };
        if number.is_ascii() {
            number.bytes().for_each(&mut push);
        } else {
            // Series letters may be Cyrillic (`IV-МЮ`): fold them like names.
            for tok in canonical_tokens(number) {
                tok.bytes().for_each(&mut push);
            }
        }
        if len == 0 {
            return None;
        }
        Some(DocKey {
            kind,
            len: u8::try_from(len).unwrap_or(0),
            bytes,
        })
    }

    /// The normalised number.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Normalises a phone number to its E.164 digits as a number (`0` if unusable).
///
/// Russian and Kazakh numbers share +7 and are written `8 912 …` domestically; a bare
/// ten-digit number starting with 9 or 7 is taken as +7; a Kyrgyz `0555 …` as +996.
pub fn normalize_phone(phone: &str) -> u64 {
    let mut buf = [0u8; 32];
    let mut len = 0usize;
    for d in phone.bytes().filter(u8::is_ascii_digit) {
        if len == buf.len() {
            return 0;
        }
        buf[len] = d - b'0';
        len += 1;
    }
    let mut digits = &buf[..len];
    let mut prefix: &[u8] = &[];
    if digits.starts_with(&[0, 0]) {
        digits = &digits[2..];
    } else if digits.len() == 11 && digits[0] == 8 {
        prefix = &[7];
        digits = &digits[1..];
    } else if digits.len() == 10 && matches!(digits[0], 9 | 7) {
        prefix = &[7];
    } else if digits.len() == 10 && digits[0] == 0 {
        prefix = &[9, 9, 6];
        digits = &digits[1..];
    }
    let total = prefix.len() + digits.len();
    if !(7..=15).contains(&total) {
        return 0;
    }
    prefix
        .iter()
        .chain(digits)
        .fold(0u64, |acc, &d| acc * 10 + u64::from(d))
}

/// Maps the many spellings of a citizenship to an ISO 3166 alpha-3 code.
fn citizenship_code(c: &str) -> String {
    let key = c.replace(' ', "");
    let code = match key.as_str() {
        "ru"
        | "rus"
        | "643"
        | "rosia"
        | "russia"
        | "rf"
        | "rusia"
        | "rosiiskaiafederatsiia"
        | "rosiskaiafederatsia"
        | "russianfederation" => "RUS",
        "kz" | "kaz" | "398" | "kazakhstan" | "kazahstan" | "rk" | "respublikakazahstan" => "KAZ",
        "kg" | "kgz" | "417" | "kirgizstan" | "kirgiziia" | "kirgizia" | "kr" => "KGZ",
        "uz" | "uzb" | "860" | "uzbekistan" => "UZB",
        "ti" | "tik" | "762" | "tadzhikistan" | "taikistan" => "TJK",
        "ua" | "ukr" | "804" | "ukraina" | "ukraine" => "UKR",
        "bi" | "by" | "blr" | "112" | "belarus" | "belorusia" => "BLR",
        "am" | "arm" | "armenia" => "ARM",
        "az" | "aze" | "azerbaidzhan" | "azerbaian" => "AZE",
        "ge" | "geo" | "gruzia" | "georgia" => "GEO",
        "md" | "mda" | "moldova" => "MDA",
        _ => return key.to_uppercase(),
    };
    code.to_string()
}

/// One record in compact comparison form.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Gender-neutral canonical surname stem.
    pub surname: Sym,
    /// Phonetic key of the surname stem.
    pub surname_key: Sym,
    /// Canonical given name.
    pub given: Sym,
    /// Given-name group (diminutives resolved), or the given name itself.
    pub given_group: Sym,
    /// Phonetic key of the given-name group.
    pub given_key: Sym,
    /// Patronymic root (father's name).
    pub patronymic: Sym,
    /// Sex, if known.
    pub sex: Option<Sex>,
    /// Birth date, if known.
    pub birth: Option<PartialDate>,
    /// Citizenship code.
    pub citizenship: Sym,
    /// Normalised documents.
    pub docs: Box<[DocKey]>,
    /// E.164 digits of the phone, `0` if none.
    pub phone: u64,
    /// Whether the name fields were detected as swapped and put right.
    pub swapped: bool,
    /// Whether any address part is present.
    pub has_address: bool,
    /// Canonical street address.
    pub address: Sym,
    /// Canonical locality.
    pub locality: Sym,
    /// Postcode, letters and digits only, upper case.
    pub postcode: Sym,
    /// Canonical region.
    pub region: Sym,
}

/// Interns the address parts of a record: `[address, locality, postcode, region]`.
fn address_syms<I: Intern>(r: &PersonRecord, strings: &mut I) -> [Sym; 4] {
    let text = |v: &Option<String>, strings: &mut I| match v.as_deref() {
        Some(s) if !s.trim().is_empty() => strings.intern(&canonical(s)),
        _ => NO_SYM,
    };
    let postcode = match r.postcode.as_deref() {
        Some(s) => strings.intern(&canonical_postcode(s)),
        None => NO_SYM,
    };
    [
        text(&r.address, strings),
        text(&r.locality, strings),
        postcode,
        text(&r.region, strings),
    ]
}

/// The interned name parts of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NameSyms {
    surname: Sym,
    surname_key: Sym,
    given: Sym,
    given_group: Sym,
    given_key: Sym,
    patronymic: Sym,
    swapped: bool,
}

fn name_syms<I: Intern>(
    r: &PersonRecord,
    strings: &mut I,
    tokens: impl FnMut(&str, Option<Script>) -> (Vec<String>, bool),
) -> NameSyms {
    intern_parts(&name_roles(r, tokens), strings)
}

/// The canonical tokens of the three name fields, each given its role.
fn name_roles(
    r: &PersonRecord,
    mut tokens: impl FnMut(&str, Option<Script>) -> (Vec<String>, bool),
) -> NameParts {
    let patronymic = r.patronymic.as_deref().unwrap_or("");
    let hint = script_hint(&[&r.surname, &r.given_name, patronymic]);
    let raw = [r.surname.as_str(), r.given_name.as_str(), patronymic];
    let mut fields = raw.map(|f| tokens(f, hint));
    reread_record(&raw, &mut fields);
    let [(s, _), (g, _), (p, _)] = fields;
    assign_roles(&s, &g, &p)
}

/// The canonical name parts of a record as [`Prepared::new`] compares them: surname stem,
/// given-name group (diminutives resolved), patronymic root; script hints, keyboard-layout
/// rereading and swapped fields handled the same way. Used by [`crate::encoded`] so that
/// encodings of one name in two scripts agree.
pub(crate) fn canonical_name_parts(r: &PersonRecord) -> NameParts {
    let parts = name_roles(r, name_tokens);
    let given = given_name_group(&parts.given).map_or(parts.given.clone(), str::to_string);
    NameParts {
        surname: surname_stem(&parts.surname),
        given,
        patronymic: patronymic_root(&parts.patronymic),
        swapped: parts.swapped,
    }
}

/// The postcode [`Prepared`] compares: letters and digits only, upper case.
pub(crate) fn canonical_postcode(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// When one name field was typed on the wrong layout, rereads the others that can be
/// ([`crate::layout::reread_with_record`]).
fn reread_record(raw: &[&str; 3], fields: &mut [(Vec<String>, bool); 3]) {
    if !fields.iter().any(|f| f.1) {
        return;
    }
    for (raw, field) in raw.iter().zip(fields.iter_mut()) {
        if !field.1
            && let Some(other) = crate::layout::reread_with_record(raw)
        {
            *field = (other, true);
        }
    }
}

/// The canonical tokens of one name field, reread on the other keyboard layout when it
/// was typed on the wrong one ([`crate::layout::reread_field`]), and whether it was.
fn name_tokens(raw: &str, hint: Option<Script>) -> (Vec<String>, bool) {
    crate::layout::reread_field(raw, canonical_tokens_hinted(raw, hint))
}

fn intern_parts<I: Intern>(parts: &NameParts, strings: &mut I) -> NameSyms {
    let stem = surname_stem(&parts.surname);
    let group = given_name_group(&parts.given).unwrap_or(&parts.given);
    NameSyms {
        surname: strings.intern(&stem),
        surname_key: strings.intern(&phonetic_key(&stem)),
        given: strings.intern(&parts.given),
        given_group: strings.intern(group),
        given_key: strings.intern(&phonetic_key(group)),
        patronymic: strings.intern(&patronymic_root(&parts.patronymic)),
        swapped: parts.swapped,
    }
}

fn build(
    r: &PersonRecord,
    names: NameSyms,
    citizenship: Sym,
    docs: Vec<DocKey>,
    address: [Sym; 4],
) -> Prepared {
    Prepared {
        surname: names.surname,
        surname_key: names.surname_key,
        given: names.given,
        given_group: names.given_group,
        given_key: names.given_key,
        patronymic: names.patronymic,
        sex: r.sex,
        birth: r.birth_date,
        citizenship,
        docs: docs.into_boxed_slice(),
        phone: r.phone.as_deref().map_or(0, normalize_phone),
        swapped: names.swapped,
        has_address: address.iter().any(|&s| s != NO_SYM),
        address: address[0],
        locality: address[1],
        postcode: address[2],
        region: address[3],
    }
}

impl Prepared {
    /// Normalises a record, interning its strings (uncached; see [`PreparedSet::prepare`]).
    pub fn new<I: Intern>(r: &PersonRecord, strings: &mut I) -> Prepared {
        let names = name_syms(r, strings, name_tokens);
        let docs: Vec<DocKey> = r
            .documents
            .iter()
            .filter_map(|d| DocKey::new(DocKind::parse_loose(&d.doc_type), &d.number))
            .collect();
        let citizenship = r
            .citizenship
            .as_deref()
            .map(|c| citizenship_code(&canonical(c)))
            .unwrap_or_default();
        let citizenship = strings.intern(&citizenship);
        let address = address_syms(r, strings);
        build(r, names, citizenship, docs, address)
    }
}

/// Memoised normalisation: the same raw spellings recur across a data set (every
/// `SMIRNOV`, every `паспорт РФ`), and the canonical forms of different spellings recur
/// even more (`SMIRNOV`, `Smirnov`, `Смирнов`). Each raw field maps to a token-list id,
/// and each triple of token-list ids to the interned name parts, so a record whose
/// fields were seen before is prepared with a few hash lookups and no allocation.
#[derive(Debug, Clone, Default)]
pub struct PrepareCache {
    token_lists: Vec<Vec<String>>,
    /// Raw field → token-list id, one map per script hint.
    /// The flag says whether the field was read on the other keyboard layout.
    token_ids: [HashMap<Box<str>, (u32, bool), FnvBuild>; 3],
    /// Token list → its id, so different spellings with one canonical form share an id
    /// (and so a name-triple cache entry).
    list_ids: HashMap<Vec<String>, u32, FnvBuild>,
    names: HashMap<(u32, u32, u32), NameSyms, FnvBuild>,
    citizenship: HashMap<Box<str>, Sym, FnvBuild>,
    doc_kinds: HashMap<Box<str>, DocKind, FnvBuild>,
}

/// Above this many entries a cache map stops growing (bounded memory when an online
/// index sees an endless stream of new spellings); misses are then simply recomputed.
const CACHE_LIMIT: usize = 4_000_000;

impl PrepareCache {
    /// Sizes of the caches: (distinct raw fields, distinct token lists, distinct name
    /// triples), for diagnostics.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (
            self.token_ids.iter().map(HashMap::len).sum(),
            self.token_lists.len(),
            self.names.len(),
        )
    }

    fn token_list(
        &mut self,
        raw: &str,
        hint: Option<Script>,
    ) -> Result<(u32, bool), (Vec<String>, bool)> {
        let map = &mut self.token_ids[match hint {
            None => 0,
            Some(Script::Cyrillic) => 1,
            Some(Script::Latin) => 2,
        }];
        if let Some(&id) = map.get(raw) {
            return Ok(id);
        }
        let (tokens, reread) = name_tokens(raw, hint);
        if map.len() >= CACHE_LIMIT {
            return Err((tokens, reread));
        }
        let id = match self.list_ids.get(&tokens) {
            Some(&id) => id,
            None => {
                let Ok(id) = u32::try_from(self.token_lists.len()) else {
                    return Err((tokens, reread));
                };
                self.list_ids.insert(tokens.clone(), id);
                self.token_lists.push(tokens);
                id
            }
        };
        map.insert(raw.into(), (id, reread));
        Ok((id, reread))
    }

    fn names(&mut self, r: &PersonRecord, strings: &mut Interner) -> NameSyms {
        let patronymic = r.patronymic.as_deref().unwrap_or("");
        let hint = script_hint(&[&r.surname, &r.given_name, patronymic]);
        let ids = (
            self.token_list(&r.surname, hint),
            self.token_list(&r.given_name, hint),
            self.token_list(patronymic, hint),
        );
        let (Ok((s, rs)), Ok((g, rg)), Ok((p, rp))) = ids else {
            return name_syms(r, strings, name_tokens);
        };
        // Some but not all fields on the wrong layout: rare, read whole and uncached.
        let blank = |f: &str| f.trim().is_empty();
        let reread = [
            (rs, blank(&r.surname)),
            (rg, blank(&r.given_name)),
            (rp, blank(patronymic)),
        ];
        if reread.iter().any(|f| f.0) && !reread.iter().all(|f| f.0 || f.1) {
            return name_syms(r, strings, name_tokens);
        }
        if let Some(n) = self.names.get(&(s, g, p)) {
            return *n;
        }
        let list = |id: u32| {
            self.token_lists
                .get(id as usize)
                .map_or(&[][..], |v| v.as_slice())
        };
        let parts = assign_roles(list(s), list(g), list(p));
        let n = intern_parts(&parts, strings);
        if self.names.len() < CACHE_LIMIT {
            self.names.insert((s, g, p), n);
        }
        n
    }

    fn prepare(&mut self, r: &PersonRecord, strings: &mut Interner) -> Prepared {
        let names = self.names(r, strings);
        let mut docs = Vec::with_capacity(r.documents.len());
        for d in &r.documents {
            let kind = match self.doc_kinds.get(d.doc_type.as_str()) {
                Some(k) => *k,
                None => {
                    let k = DocKind::parse_loose(&d.doc_type);
                    if self.doc_kinds.len() < CACHE_LIMIT {
                        self.doc_kinds.insert(d.doc_type.as_str().into(), k);
                    }
                    k
                }
            };
            if let Some(k) = DocKey::new(kind, &d.number) {
                docs.push(k);
            }
        }
        let citizenship = match r.citizenship.as_deref() {
            None => NO_SYM,
            Some(c) => match self.citizenship.get(c) {
                Some(s) => *s,
                None => {
                    let sym = strings.intern(&citizenship_code(&canonical(c)));
                    if self.citizenship.len() < CACHE_LIMIT {
                        self.citizenship.insert(c.into(), sym);
                    }
                    sym
                }
            },
        };
        let address = address_syms(r, strings);
        build(r, names, citizenship, docs, address)
    }
}

/// How often each surname and given-name group occurs, so that agreeing on `Ivanov`
/// counts for less than agreeing on a rare surname.
///
/// Counts are dense vectors indexed by symbol; the sum of squared counts is kept so the
/// chance that two random records agree is available in O(1).
#[derive(Debug, Clone, Default)]
pub struct TermFrequencies {
    surname: Vec<u32>,
    given: Vec<u32>,
    surname_total: u64,
    given_total: u64,
    surname_sq: u64,
    given_sq: u64,
}

fn bump(counts: &mut Vec<u32>, sym: Sym, total: &mut u64, sq: &mut u64, add: bool) {
    if sym == NO_SYM {
        return;
    }
    let i = sym as usize;
    if counts.len() <= i {
        counts.resize(i + 1, 0);
    }
    let c = u64::from(counts[i]);
    if add {
        *sq += 2 * c + 1;
        counts[i] = counts[i].saturating_add(1);
        *total += 1;
    } else if c > 0 {
        *sq -= 2 * c - 1;
        counts[i] -= 1;
        *total -= 1;
    }
}

impl TermFrequencies {
    /// Counts a record.
    pub fn add(&mut self, p: &Prepared) {
        bump(
            &mut self.surname,
            p.surname,
            &mut self.surname_total,
            &mut self.surname_sq,
            true,
        );
        bump(
            &mut self.given,
            p.given_group,
            &mut self.given_total,
            &mut self.given_sq,
            true,
        );
    }

    /// Uncounts a record previously added.
    pub fn remove(&mut self, p: &Prepared) {
        bump(
            &mut self.surname,
            p.surname,
            &mut self.surname_total,
            &mut self.surname_sq,
            false,
        );
        bump(
            &mut self.given,
            p.given_group,
            &mut self.given_total,
            &mut self.given_sq,
            false,
        );
    }

    fn ratio(counts: &[u32], total: u64, sq: u64, sym: Sym) -> Option<f64> {
        if total < 50 || sym == NO_SYM {
            return None;
        }
        let n = total as f64;
        let freq = f64::from(counts.get(sym as usize).copied().unwrap_or(0)).max(1.0) / n;
        let random_agree = (sq as f64 / (n * n)).max(1.0 / n);
        Some(random_agree / freq)
    }

    /// `P(two random records share a surname) / P(a random record has this surname)`:
    /// above 1 for rare surnames, below 1 for common ones.
    pub fn surname_ratio(&self, sym: Sym) -> Option<f64> {
        Self::ratio(&self.surname, self.surname_total, self.surname_sq, sym)
    }

    /// The same ratio for given-name groups.
    pub fn given_ratio(&self, sym: Sym) -> Option<f64> {
        Self::ratio(&self.given, self.given_total, self.given_sq, sym)
    }
}

/// A set of prepared records with their interner and term frequencies: everything a
/// comparison needs.
#[derive(Debug, Clone, Default)]
pub struct PreparedSet {
    /// Interned canonical strings.
    pub strings: Interner,
    /// Prepared records, in input order.
    pub records: Vec<Prepared>,
    /// Term frequencies over `records`.
    pub tf: TermFrequencies,
    /// Memoised normalisation.
    pub cache: PrepareCache,
}

impl PreparedSet {
    /// Prepares all records.
    pub fn new(records: &[PersonRecord]) -> PreparedSet {
        let mut set = PreparedSet::default();
        set.records.reserve(records.len());
        for r in records {
            set.push(r);
        }
        set
    }

    /// Prepares and appends one record, returning its index.
    pub fn push(&mut self, r: &PersonRecord) -> usize {
        let p = self.prepare(r);
        self.tf.add(&p);
        self.records.push(p);
        self.records.len() - 1
    }

    /// Prepares a record with this set's interner and cache, without adding it.
    pub fn prepare(&mut self, r: &PersonRecord) -> Prepared {
        self.cache.prepare(r, &mut self.strings)
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_to_e164() {
        let a = normalize_phone("8 912 345-67-89");
        assert_eq!(a, 79_123_456_789);
        assert_eq!(normalize_phone("+7 (912) 345-67-89"), a);
        assert_eq!(normalize_phone("9123456789"), a);
        assert_eq!(normalize_phone("0555 123 456"), 996_555_123_456);
        assert_eq!(normalize_phone("12"), 0);
        assert_eq!(normalize_phone("99999999999999999999999999"), 0);
    }

    #[test]
    fn documents_normalise() {
        let a = DocKey::new(DocKind::InternalPassport, "45 12 345678");
        let b = DocKey::new(DocKind::Other, "4512-345678");
        assert_eq!(
            a.map(|d| d.as_bytes().to_vec()),
            b.map(|d| d.as_bytes().to_vec())
        );
        assert_eq!(
            DocKind::parse_loose("загранпаспорт"),
            DocKind::ForeignPassport
        );
        assert_eq!(
            DocKind::parse_loose("паспорт РФ внутренний"),
            DocKind::InternalPassport
        );
        assert!(DocKey::new(DocKind::Other, " - ").is_none());
        // The number sign is not part of the number.
        for typed in ["4512 №345678", "№ 45 12 345678", "45 12 № 345678"] {
            assert_eq!(
                DocKey::new(DocKind::InternalPassport, typed).map(|d| d.as_bytes().to_vec()),
                Some(b"4512345678".to_vec()),
                "{typed}"
            );
        }
        assert!(DocKey::new(DocKind::Other, "№").is_none());
    }

    #[test]
    fn citizenship_spellings_meet() {
        for c in ["RU", "Россия", "RUS", "Russia", "РФ"] {
            assert_eq!(citizenship_code(&canonical(c)), "RUS", "{c}");
        }
    }
}
