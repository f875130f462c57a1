//! Privacy-preserving record linkage: keyed Bloom-filter encodings of records (CLKs).
//!
//! Two organisations that may not exchange names can still learn which of the people
//! they serve the other has registered. Each encodes its records with a secret key that
//! only the organisations of the agreement hold; the encodings, never the names, dates or
//! documents, are compared by whoever links them (a server that never sees the key, or
//! one of the organisations).
//!
//! An encoding is a *cryptographic long-term key* (CLK, Schnell, Bachteler and Reiher
//! 2011; the format of the anonlink/clkhash tools): one Bloom filter of `bits` bits per
//! record, into which the tokens of every field are hashed. Names are first brought to
//! the crate's comparison alphabet ([`crate::normalize`]) and given their roles the way
//! plaintext linkage does ([`crate::prepare`]: swapped fields, whole name in one field,
//! diminutives, surname gender forms), so `Смирнов Алексей` and `SMIRNOV ALEKSEI` set
//! the same bits.
//!
//! - **Tokens.** Names, address parts and region: padded bigrams (`_s sm mi ... v_`).
//!   Birth date (`YYYYMMDD`), document numbers, phone (last 9 digits) and postcode:
//!   positional unigrams (`0:1 1:9 2:8 ...`), so one mistyped digit changes one token.
//!   Sex: one token.
//! - **Weights.** Each field sets its own number of bits per token ([`FIELDS`]): the
//!   birth date's eight digits weigh most per token; names, document, postcode 10 bits
//!   a token; address parts and region 8. Weights are flat rather than name-heavy: one
//!   mistyped or replaced name then cannot outweigh a birth date, a document and an
//!   address that agree (on FEBRL4, name-heavy weights put a tenth of the true pairs
//!   below a Dice coefficient of 0.8; these, a twentieth).
//! - **Keyed hashing.** A field's key is derived from the agreement key and the field's
//!   name (HMAC-SHA256), so one bigram sets unrelated bits in the surname and in the
//!   given name, and under two agreement keys. A token's bit positions are read straight
//!   from HMAC-SHA256(field key, token) (*random hashing*): the double-hashing scheme
//!   (`g_i = h1 + i·h2`) lets an attacker who sees many filters recover its bigrams
//!   (Kroll and Steinmetzer 2015), as clkhash's documentation of its keyed BLAKE2 scheme notes.
//! - **Hardening.** [`ClkOptions::balance`] (on by default) hashes into a filter of half
//!   the length, appends its complement and permutes the whole with the key (Schnell
//!   2016): every encoding then has exactly half its bits set, hiding how many tokens a
//!   record has. Balancing turns the Dice coefficient into the share of agreeing bits
//!   (higher for unrelated records); 0.8 remains the threshold. [`ClkOptions::fold`]
//!   (off by default) XOR-folds a filter twice the length onto itself (Schnell, Borgs and
//!   Encarnação 2016): a set bit can then come from either of two positions, so the bits
//!   of one bigram no longer always appear together (pattern mining); it lowers the
//!   similarity of true pairs, so folded encodings link at about 0.7.
//!
//! Encodings are compared by the Dice coefficient ([`dice`], popcount on `u64` words),
//! candidate pairs found by locality-sensitive hashing over the bits ([`LshOptions`]:
//! bands of sampled bit positions, no extra key material and nothing beyond the
//! encodings needed), and two sets linked one to one with the crate's greedy assignment
//! ([`crate::batch::assign_one_to_one`]), as plaintext [`crate::link`] does.
//!
//! What this does *not* protect against is written in the threat model: an attacker who
//! holds many encodings and knows the population can still mine frequent bit patterns.
//! The key must stay with the organisations; whoever has it can encode guesses and test
//! them.

use std::collections::HashMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::batch::assign_one_to_one;
use crate::error::LinkageError;
use crate::hash::FnvBuild;
use crate::normalize::canonical;
use crate::prepare::{DocKey, DocKind, canonical_name_parts, canonical_postcode, normalize_phone};
use crate::record::{PersonRecord, Sex};

type HmacSha256 = Hmac<Sha256>;

/// The encoding scheme's name and version, written into every encodings file. Records
/// encoded under different schemes (or options, or keys) cannot be compared.
pub const SCHEME: &str = "shanyrak-clk/1";

/// The shortest agreement secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 16;

/// The secret of one agreement. Only the organisations of the agreement hold it; a
/// server that links their encodings never does. `Debug` shows the fingerprint only.
#[derive(Clone)]
pub struct ClkKey {
    master: [u8; 32],
}

impl fmt::Debug for ClkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClkKey({})", self.fingerprint())
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length; this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl ClkKey {
    /// A key from the agreement's secret (at least [`MIN_SECRET_BYTES`] random bytes).
    pub fn from_secret(secret: &[u8]) -> Result<ClkKey, LinkageError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(LinkageError::InvalidParameter {
                name: "key",
                reason: format!(
                    "the secret must hold at least {MIN_SECRET_BYTES} bytes, it holds {}",
                    secret.len()
                ),
            });
        }
        Ok(ClkKey {
            master: hmac(secret, &[SCHEME.as_bytes(), b"/master"]),
        })
    }

    /// A short public name of the key (16 hex digits): two encodings files made with one
    /// key carry the same fingerprint. It reveals nothing that helps find the key.
    pub fn fingerprint(&self) -> String {
        let d = hmac(&self.master, &[b"fingerprint"]);
        d[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    fn derive(&self, label: &str) -> [u8; 32] {
        hmac(&self.master, &[b"derive/", label.as_bytes()])
    }
}

/// How record fields become tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Padded character bigrams of the canonical value.
    Bigrams,
    /// Each character with its position.
    Positional,
    /// The whole value as one token.
    Whole,
}

/// One field of the encoding: its name (which salts its hashes), how it is tokenised and
/// how many bits each of its tokens sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's name.
    pub name: &'static str,
    /// Its tokens.
    pub tokens: TokenKind,
    /// Bits set per token (its weight in the Dice coefficient).
    pub bits_per_token: u8,
}

const SURNAME: usize = 0;
const GIVEN: usize = 1;
const PATRONYMIC: usize = 2;
const BIRTH_DATE: usize = 3;
const SEX: usize = 4;
const DOCUMENT: usize = 5;
const PHONE: usize = 6;
const ADDRESS: usize = 7;
const LOCALITY: usize = 8;
const POSTCODE: usize = 9;
const REGION: usize = 10;

/// The fields of scheme [`SCHEME`], in order.
pub const FIELDS: [FieldSpec; 11] = [
    FieldSpec {
        name: "surname",
        tokens: TokenKind::Bigrams,
        bits_per_token: 10,
    },
    FieldSpec {
        name: "given_name",
        tokens: TokenKind::Bigrams,
        bits_per_token: 10,
    },
    FieldSpec {
        name: "patronymic",
        tokens: TokenKind::Bigrams,
        bits_per_token: 8,
    },
    FieldSpec {
        name: "birth_date",
        tokens: TokenKind::Positional,
        bits_per_token: 15,
    },
    FieldSpec {
        name: "sex",
        tokens: TokenKind::Whole,
        bits_per_token: 8,
    },
    FieldSpec {
        name: "document",
        tokens: TokenKind::Positional,
        bits_per_token: 10,
    },
    FieldSpec {
        name: "phone",
        tokens: TokenKind::Positional,
        bits_per_token: 6,
    },
    FieldSpec {
        name: "address",
        tokens: TokenKind::Bigrams,
        bits_per_token: 8,
    },
    FieldSpec {
        name: "locality",
        tokens: TokenKind::Bigrams,
        bits_per_token: 8,
    },
    FieldSpec {
        name: "postcode",
        tokens: TokenKind::Positional,
        bits_per_token: 10,
    },
    FieldSpec {
        name: "region",
        tokens: TokenKind::Bigrams,
        bits_per_token: 8,
    },
];

/// Length and hardening of the encodings. Both sides of an agreement must use the same
/// options (they are written into the encodings file and checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClkOptions {
    /// Bits per encoding, a power of two from 256 to 8192 (default 1024).
    pub bits: usize,
    /// XOR-fold a filter of twice the length onto itself (default `false`). Folding
    /// lowers the Dice coefficient of true pairs: link folded encodings at about 0.7
    /// rather than 0.8.
    pub fold: bool,
    /// Hash into a filter of half the length, append its complement and permute the
    /// whole with the key: every encoding has exactly half its bits set (default
    /// `true`). The Dice coefficient of balanced encodings is the share of agreeing
    /// bits of the filters, so unrelated records score about 0.5 to 0.7 rather than
    /// 0.2 to 0.5; the default threshold 0.8 holds for both.
    pub balance: bool,
}

impl Default for ClkOptions {
    fn default() -> Self {
        ClkOptions {
            bits: 1024,
            fold: false,
            balance: true,
        }
    }
}

impl ClkOptions {
    /// Checks the length.
    pub fn validate(&self) -> Result<(), LinkageError> {
        if !(256..=8192).contains(&self.bits) || !self.bits.is_power_of_two() {
            return Err(LinkageError::InvalidParameter {
                name: "bits",
                reason: "a power of two from 256 to 8192".into(),
            });
        }
        Ok(())
    }

    /// The length of the filter the tokens are hashed into (before folding and
    /// balancing).
    fn base_bits(&self) -> usize {
        let mut n = self.bits;
        if self.balance {
            n /= 2;
        }
        if self.fold {
            n *= 2;
        }
        n
    }

    /// The options as written in an encodings file header
    /// (`bits=1024 fold=0 balance=1`).
    pub fn describe(&self) -> String {
        format!(
            "bits={} fold={} balance={}",
            self.bits,
            u8::from(self.fold),
            u8::from(self.balance)
        )
    }
}

/// One encoding: a bit vector of [`ClkOptions::bits`] bits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Clk {
    words: Box<[u64]>,
}

impl fmt::Debug for Clk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clk({} bits, {} set)", self.bits(), self.popcount())
    }
}

impl Clk {
    fn zero(bits: usize) -> Clk {
        Clk {
            words: vec![0u64; bits / 64].into_boxed_slice(),
        }
    }

    /// The bit vector's words (bit `i` is bit `i % 64` of word `i / 64`).
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The length in bits.
    pub fn bits(&self) -> usize {
        self.words.len() * 64
    }

    /// The number of set bits.
    pub fn popcount(&self) -> u32 {
        popcount(&self.words)
    }

    /// Whether bit `i` is set.
    pub fn get(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    fn set(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// The bytes, little-endian word by word (bit `i` is bit `i % 8` of byte `i / 8`).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    /// An encoding from [`Clk::to_bytes`]; the length must be a whole number of 64-bit
    /// words.
    pub fn from_bytes(bytes: &[u8]) -> Result<Clk, LinkageError> {
        if bytes.is_empty() || !bytes.len().is_multiple_of(8) {
            return Err(LinkageError::InvalidEncoding(format!(
                "{} bytes is not a whole number of 64-bit words",
                bytes.len()
            )));
        }
        Ok(Clk {
            words: le_words(bytes).collect(),
        })
    }

    /// Base64 of [`Clk::to_bytes`], as in encodings files.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.to_bytes())
    }

    /// An encoding from base64 of exactly `bits` bits.
    pub fn from_base64(text: &str, bits: usize) -> Result<Clk, LinkageError> {
        // Check the length before decoding: base64 of n bytes has 4·⌈n/3⌉ characters.
        let expected = (bits / 8).div_ceil(3) * 4;
        if text.len() != expected {
            return Err(LinkageError::InvalidEncoding(format!(
                "{} base64 characters, expected {expected} for {bits} bits",
                text.len()
            )));
        }
        let bytes = BASE64
            .decode(text)
            .map_err(|_| LinkageError::InvalidEncoding("not base64".into()))?;
        let clk = Clk::from_bytes(&bytes)?;
        if clk.bits() != bits {
            return Err(LinkageError::InvalidEncoding(format!(
                "{} bits, expected {bits}",
                clk.bits()
            )));
        }
        Ok(clk)
    }
}

/// Little-endian 64-bit words of `bytes` (a partial last word is dropped).
fn le_words(bytes: &[u8]) -> impl Iterator<Item = u64> + '_ {
    bytes.chunks_exact(8).map(|c| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    })
}

fn popcount(words: &[u64]) -> u32 {
    words.iter().map(|w| w.count_ones()).sum()
}

/// The Dice coefficient of two bit vectors of equal length: `2|A∩B| / (|A| + |B|)`, 0
/// when both are empty.
pub fn dice(a: &[u64], b: &[u64]) -> f64 {
    let both: u32 = a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum();
    dice_from(both, popcount(a), popcount(b))
}

fn dice_from(both: u32, count_a: u32, count_b: u32) -> f64 {
    let total = count_a + count_b;
    if total == 0 {
        0.0
    } else {
        f64::from(2 * both) / f64::from(total)
    }
}

/// The tokens of one record, per field (empty for missing fields).
pub(crate) fn record_tokens(r: &PersonRecord) -> [Vec<String>; FIELDS.len()] {
    let mut out: [Vec<String>; FIELDS.len()] = Default::default();
    let names = canonical_name_parts(r);
    out[SURNAME] = bigrams(&names.surname);
    out[GIVEN] = bigrams(&names.given);
    out[PATRONYMIC] = bigrams(&names.patronymic);
    if let Some(d) = r.birth_date {
        let mut s = String::new();
        if let Some(y) = d.year() {
            s.push_str(&format!("{y:04}"));
            if let Some(m) = d.month() {
                s.push_str(&format!("{m:02}"));
                if let Some(day) = d.day() {
                    s.push_str(&format!("{day:02}"));
                }
            }
        }
        out[BIRTH_DATE] = positional(&s);
    }
    out[SEX] = match r.sex {
        Some(Sex::Male) => vec!["m".into()],
        Some(Sex::Female) => vec!["f".into()],
        None => Vec::new(),
    };
    for d in &r.documents {
        if let Some(key) = DocKey::new(DocKind::parse_loose(&d.doc_type), &d.number) {
            out[DOCUMENT].extend(positional(&String::from_utf8_lossy(key.as_bytes())));
        }
    }
    let phone = r.phone.as_deref().map_or(0, normalize_phone);
    if phone != 0 {
        let digits = phone.to_string();
        let tail = &digits[digits.len().saturating_sub(9)..];
        out[PHONE] = positional(tail);
    }
    let text = |v: &Option<String>| v.as_deref().map(canonical).unwrap_or_default();
    out[ADDRESS] = bigrams(&text(&r.address));
    out[LOCALITY] = bigrams(&text(&r.locality));
    out[POSTCODE] = positional(
        &r.postcode
            .as_deref()
            .map(canonical_postcode)
            .unwrap_or_default(),
    );
    out[REGION] = bigrams(&text(&r.region));
    for tokens in &mut out {
        // A repeated token (a bigram twice in a name) sets the same bits again; drop it.
        tokens.sort_unstable();
        tokens.dedup();
    }
    out
}

/// Padded bigrams of a canonical string; spaces are kept as characters.
fn bigrams(s: &str) -> Vec<String> {
    if s.is_empty() {
        return Vec::new();
    }
    let chars: Vec<char> = std::iter::once('_')
        .chain(s.chars())
        .chain(std::iter::once('_'))
        .collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

fn positional(s: &str) -> Vec<String> {
    s.chars()
        .enumerate()
        .map(|(i, c)| format!("{i}:{c}"))
        .collect()
}

/// Encodes records under one key and one set of options. Holds the derived field keys
/// and a cache of token positions (the same bigrams recur across records), so reuse one
/// encoder for a whole file.
pub struct ClkEncoder {
    options: ClkOptions,
    fingerprint: String,
    field_macs: Vec<HmacSha256>,
    permutation: Option<Vec<u32>>,
    cache: Vec<HashMap<String, Box<[u32]>, FnvBuild>>,
}

impl fmt::Debug for ClkEncoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClkEncoder")
            .field("options", &self.options)
            .field("key", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// The most tokens cached per field; past it, positions are hashed every time.
const CACHE_PER_FIELD: usize = 1 << 16;

impl ClkEncoder {
    /// An encoder for `key` and `options`.
    pub fn new(key: &ClkKey, options: ClkOptions) -> Result<ClkEncoder, LinkageError> {
        options.validate()?;
        let mut field_macs = Vec::with_capacity(FIELDS.len());
        for f in &FIELDS {
            let field_key = key.derive(&format!("field/{}", f.name));
            field_macs.push(HmacSha256::new_from_slice(&field_key).map_err(|_| {
                LinkageError::InvalidParameter {
                    name: "key",
                    reason: "unusable".into(),
                }
            })?);
        }
        let permutation = options
            .balance
            .then(|| keyed_permutation(&key.derive("balance/permutation"), options.bits));
        Ok(ClkEncoder {
            options,
            fingerprint: key.fingerprint(),
            field_macs,
            permutation,
            cache: vec![HashMap::default(); FIELDS.len()],
        })
    }

    /// The options.
    pub fn options(&self) -> ClkOptions {
        self.options
    }

    /// The key's fingerprint.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The bit positions of one token of one field.
    fn positions(&mut self, field: usize, token: &str) -> Box<[u32]> {
        if let Some(p) = self.cache[field].get(token) {
            return p.clone();
        }
        let base = self.options.base_bits();
        let width = base.trailing_zeros(); // base is a power of two
        let k = usize::from(FIELDS[field].bits_per_token);
        let mut out = Vec::with_capacity(k);
        let mut block = 0u8;
        while out.len() < k {
            let mut mac = self.field_macs[field].clone();
            mac.update(&[block]);
            mac.update(token.as_bytes());
            let digest: [u8; 32] = mac.finalize().into_bytes().into();
            // Read `width`-bit positions from the digest's 256 bits.
            let mut bit = 0u32;
            while bit + width <= 256 && out.len() < k {
                out.push(read_bits(&digest, bit, width));
                bit += width;
            }
            block = block.wrapping_add(1);
        }
        let out = out.into_boxed_slice();
        if self.cache[field].len() < CACHE_PER_FIELD {
            self.cache[field].insert(token.to_string(), out.clone());
        }
        out
    }

    /// Encodes one record.
    pub fn encode(&mut self, record: &PersonRecord) -> Clk {
        let tokens = record_tokens(record);
        let mut base = Clk::zero(self.options.base_bits());
        for (field, list) in tokens.iter().enumerate() {
            for t in list {
                match self.cache[field].get(t.as_str()) {
                    Some(cached) => cached.iter().for_each(|&p| base.set(p as usize)),
                    None => self
                        .positions(field, t)
                        .iter()
                        .for_each(|&p| base.set(p as usize)),
                }
            }
        }
        let folded = if self.options.fold {
            let half = base.words.len() / 2;
            let (lo, hi) = base.words.split_at(half);
            Clk {
                words: lo.iter().zip(hi).map(|(a, b)| a ^ b).collect(),
            }
        } else {
            base
        };
        match &self.permutation {
            None => folded,
            Some(perm) => {
                // Position i of (filter ‖ complement) goes to perm[i]: of bit i and its
                // complement n + i, exactly one is set.
                let n = folded.bits();
                let mut out = Clk::zero(self.options.bits);
                for i in 0..n {
                    let set = folded.words[i / 64] >> (i % 64) & 1 == 1;
                    let from = if set { i } else { n + i };
                    out.set(perm[from] as usize);
                }
                out
            }
        }
    }
}

fn read_bits(bytes: &[u8; 32], start: u32, width: u32) -> u32 {
    let mut v = 0u32;
    for i in 0..width {
        let b = start + i;
        let byte = bytes[(b / 8) as usize];
        v = (v << 1) | u32::from(byte >> (b % 8) & 1);
    }
    v
}

/// A permutation of `0..n` drawn with a keyed generator (HMAC-SHA256 in counter mode).
fn keyed_permutation(key: &[u8; 32], n: usize) -> Vec<u32> {
    let mut perm: Vec<u32> = (0..n as u32).collect();
    let mut counter = 0u64;
    let mut pool: Vec<u64> = Vec::new();
    let mut next = || {
        if pool.is_empty() {
            let d = hmac(key, &[&counter.to_le_bytes()]);
            counter += 1;
            pool = le_words(&d).collect();
        }
        pool.pop().unwrap_or(0)
    };
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        perm.swap(i, j);
    }
    perm
}

/// Many encodings of one length, stored contiguously for fast comparison.
#[derive(Debug, Clone, Default)]
pub struct ClkSet {
    words_per: usize,
    words: Vec<u64>,
    counts: Vec<u32>,
}

impl ClkSet {
    /// An empty set of encodings of `bits` bits.
    pub fn new(bits: usize) -> ClkSet {
        ClkSet {
            words_per: bits / 64,
            words: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// Adds an encoding; its length must be the set's.
    pub fn push(&mut self, clk: &Clk) -> Result<usize, LinkageError> {
        if clk.words.len() != self.words_per {
            return Err(LinkageError::InvalidEncoding(format!(
                "{} bits in a set of {}-bit encodings",
                clk.bits(),
                self.words_per * 64
            )));
        }
        self.words.extend_from_slice(&clk.words);
        self.counts.push(clk.popcount());
        Ok(self.counts.len() - 1)
    }

    /// The number of encodings.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The length of its encodings in bits.
    pub fn bits(&self) -> usize {
        self.words_per * 64
    }

    /// The words of encoding `i`.
    pub fn words(&self, i: usize) -> &[u64] {
        &self.words[i * self.words_per..(i + 1) * self.words_per]
    }

    fn dice(&self, i: usize, other: &ClkSet, j: usize) -> f64 {
        let both: u32 = self
            .words(i)
            .iter()
            .zip(other.words(j))
            .map(|(x, y)| (x & y).count_ones())
            .sum();
        dice_from(both, self.counts[i], other.counts[j])
    }
}

/// Blocking by locality-sensitive hashing over the bits: each band samples `band_bits`
/// fixed bit positions; two encodings that agree on every sampled bit of some band are a
/// candidate pair. The positions are fixed (not keyed): the bits themselves are already
/// keyed, so nothing beyond the encodings is needed or revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LshOptions {
    /// Number of bands (default 64).
    pub bands: usize,
    /// Bits sampled per band (default 16).
    pub band_bits: usize,
    /// A band value shared by more encodings than this on one side (an empty encoding,
    /// say) yields no candidates (default 2,000).
    pub max_block: usize,
    /// Compare every pair instead (small sets, or to measure what blocking misses).
    pub exhaustive: bool,
}

impl Default for LshOptions {
    fn default() -> Self {
        LshOptions {
            bands: 64,
            band_bits: 16,
            max_block: 2000,
            exhaustive: false,
        }
    }
}

/// SplitMix64, for the fixed band positions.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn band_positions(bits: usize, options: &LshOptions) -> Vec<Vec<u32>> {
    let mut state = 0x5348_414e_5952_414b; // "SHANYRAK"
    (0..options.bands)
        .map(|_| {
            (0..options.band_bits.min(64))
                .map(|_| (splitmix(&mut state) % bits as u64) as u32)
                .collect()
        })
        .collect()
}

fn band_value(words: &[u64], positions: &[u32]) -> u64 {
    positions.iter().fold(0u64, |v, &p| {
        let bit = words[(p / 64) as usize] >> (p % 64) & 1;
        (v << 1) | bit
    })
}

/// Candidate pairs `(left, right)` of two sets, each once, sorted.
pub fn candidate_pairs(left: &ClkSet, right: &ClkSet, options: &LshOptions) -> Vec<(u32, u32)> {
    if left.bits() != right.bits() {
        return Vec::new();
    }
    if options.exhaustive {
        return (0..left.len() as u32)
            .flat_map(|i| (0..right.len() as u32).map(move |j| (i, j)))
            .collect();
    }
    let positions = band_positions(left.bits(), options);
    let mut per_right: Vec<Vec<u32>> = vec![Vec::new(); right.len()];
    let mut index: HashMap<u64, Vec<u32>, FnvBuild> = HashMap::default();
    let mut right_count: HashMap<u64, usize, FnvBuild> = HashMap::default();
    for band in &positions {
        index.clear();
        right_count.clear();
        for i in 0..left.len() {
            index
                .entry(band_value(left.words(i), band))
                .or_default()
                .push(i as u32);
        }
        let values: Vec<u64> = (0..right.len())
            .map(|j| band_value(right.words(j), band))
            .collect();
        for &v in &values {
            *right_count.entry(v).or_default() += 1;
        }
        for (j, v) in values.iter().enumerate() {
            if right_count.get(v).copied().unwrap_or(0) > options.max_block {
                continue;
            }
            if let Some(ls) = index.get(v)
                && ls.len() <= options.max_block
            {
                per_right[j].extend_from_slice(ls);
            }
        }
    }
    let mut out = Vec::new();
    for (j, mut ls) in per_right.into_iter().enumerate() {
        ls.sort_unstable();
        ls.dedup();
        out.extend(ls.into_iter().map(|i| (i, j as u32)));
    }
    out.sort_unstable();
    out
}

/// Settings for [`link_encoded`] and [`best_matches`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncodedLinkOptions {
    /// Pairs with a Dice coefficient at or above this are links (default 0.8).
    pub threshold: f64,
    /// Blocking.
    pub lsh: LshOptions,
    /// Each list holds each person at most once, so link one to one (greedy by
    /// similarity, [`assign_one_to_one`]); `false` keeps every pair above the threshold.
    /// Default `true`.
    pub one_to_one: bool,
}

impl Default for EncodedLinkOptions {
    fn default() -> Self {
        EncodedLinkOptions {
            threshold: 0.8,
            lsh: LshOptions::default(),
            one_to_one: true,
        }
    }
}

impl EncodedLinkOptions {
    fn validate(&self) -> Result<(), LinkageError> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(LinkageError::InvalidParameter {
                name: "threshold",
                reason: "between 0 (exclusive) and 1".into(),
            });
        }
        if self.lsh.bands == 0 || !(1..=64).contains(&self.lsh.band_bits) {
            return Err(LinkageError::InvalidParameter {
                name: "lsh",
                reason: "at least one band of 1 to 64 bits".into(),
            });
        }
        Ok(())
    }
}

/// A linked pair of encodings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncodedPair {
    /// Index in the left set.
    pub left: u32,
    /// Index in the right set.
    pub right: u32,
    /// Dice coefficient.
    pub similarity: f64,
}

/// What [`link_encoded`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedLinkResult {
    /// The links, by left then right index.
    pub pairs: Vec<EncodedPair>,
    /// Candidate pairs compared.
    pub candidates: usize,
    /// Candidate pairs at or above the threshold (before the one-to-one assignment).
    pub above_threshold: usize,
}

fn scored_pairs(
    left: &ClkSet,
    right: &ClkSet,
    options: &EncodedLinkOptions,
) -> Result<(Vec<EncodedPair>, usize), LinkageError> {
    options.validate()?;
    if left.bits() != right.bits() && !left.is_empty() && !right.is_empty() {
        return Err(LinkageError::InvalidEncoding(format!(
            "{}-bit encodings linked with {}-bit encodings",
            left.bits(),
            right.bits()
        )));
    }
    let score = |(i, j): (u32, u32)| {
        let s = left.dice(i as usize, right, j as usize);
        (s >= options.threshold).then_some(EncodedPair {
            left: i,
            right: j,
            similarity: s,
        })
    };
    if options.lsh.exhaustive {
        // Every pair, without holding them all.
        let pairs = (0..left.len() as u32)
            .flat_map(|i| (0..right.len() as u32).map(move |j| (i, j)))
            .filter_map(score)
            .collect();
        return Ok((pairs, left.len() * right.len()));
    }
    let candidates = candidate_pairs(left, right, &options.lsh);
    let pairs = candidates.iter().copied().filter_map(score).collect();
    Ok((pairs, candidates.len()))
}

/// Links two sets of encodings: candidates by [`LshOptions`], Dice coefficient, pairs at
/// or above the threshold, then (by default) a one-to-one assignment greedy by
/// similarity, the same as plaintext [`crate::link`] uses.
pub fn link_encoded(
    left: &ClkSet,
    right: &ClkSet,
    options: &EncodedLinkOptions,
) -> Result<EncodedLinkResult, LinkageError> {
    let (pairs, candidates) = scored_pairs(left, right, options)?;
    let above_threshold = pairs.len();
    let pairs = if options.one_to_one {
        let weighted: Vec<(u32, u32, f64)> = pairs
            .iter()
            .map(|p| (p.left, p.right, p.similarity))
            .collect();
        let assigned = assign_one_to_one(&weighted);
        pairs
            .into_iter()
            .zip(assigned)
            .filter_map(|(p, a)| a.assigned.then_some(p))
            .collect()
    } else {
        pairs
    };
    Ok(EncodedLinkResult {
        pairs,
        candidates,
        above_threshold,
    })
}

/// For each encoding of `queries`, the highest Dice coefficient with any encoding of
/// `reference` at or above the threshold (`None` when there is none). Says whether a
/// person is known to the other side, and how surely, without saying who.
pub fn best_matches(
    queries: &ClkSet,
    reference: &ClkSet,
    options: &EncodedLinkOptions,
) -> Result<Vec<Option<f64>>, LinkageError> {
    let (pairs, _) = scored_pairs(queries, reference, options)?;
    let mut best = vec![None; queries.len()];
    for p in pairs {
        let slot: &mut Option<f64> = &mut best[p.left as usize];
        if slot.is_none_or(|s| p.similarity > s) {
            *slot = Some(p.similarity);
        }
    }
    Ok(best)
}

/// Encodings files: a first line naming the scheme, options and key fingerprint (never
/// the key), a CSV header `id,clk_base64`, then one encoding per line.
///
/// ```text
/// #shanyrak-encodings scheme=shanyrak-clk/1 bits=1024 fold=0 balance=1 key=3f9c0e5d2b7a4c11
/// id,clk_base64
/// r-0001,AAAAgAEAAAQ...
/// ```
///
/// Identifiers are the encoding side's own record ids: at most [`file::MAX_ID_LEN`]
/// bytes, no commas, quotes, control characters or leading `#`.
pub mod file {
    use super::{Clk, ClkOptions, SCHEME};
    use crate::error::LinkageError;

    /// The first word of an encodings file.
    pub const MAGIC: &str = "#shanyrak-encodings";
    /// The CSV header line.
    pub const COLUMNS: &str = "id,clk_base64";
    /// The longest identifier accepted, in bytes.
    pub const MAX_ID_LEN: usize = 128;

    /// What the first line of an encodings file says.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Header {
        /// Length and hardening.
        pub options: ClkOptions,
        /// Fingerprint of the key ([`super::ClkKey::fingerprint`]).
        pub key_fingerprint: String,
    }

    impl Header {
        /// The two header lines, each ending in a newline.
        pub fn lines(&self) -> String {
            format!(
                "{MAGIC} scheme={SCHEME} {} key={}\n{COLUMNS}\n",
                self.options.describe(),
                self.key_fingerprint
            )
        }

        /// Reads the first line.
        pub fn parse(line: &str) -> Result<Header, LinkageError> {
            let bad = |why: &str| LinkageError::InvalidEncoding(format!("header: {why}"));
            let mut words = line.trim_end().split(' ');
            if words.next() != Some(MAGIC) {
                return Err(bad("not an encodings file"));
            }
            let (mut scheme, mut bits, mut fold, mut balance, mut key) =
                (None, None, None, None, None);
            for w in words {
                let (k, v) = w
                    .split_once('=')
                    .ok_or_else(|| bad("expected name=value"))?;
                let flag = |v: &str| match v {
                    "0" => Ok(false),
                    "1" => Ok(true),
                    _ => Err(bad("a flag is 0 or 1")),
                };
                match k {
                    "scheme" => scheme = Some(v.to_string()),
                    "bits" => bits = Some(v.parse::<usize>().map_err(|_| bad("bits"))?),
                    "fold" => fold = Some(flag(v)?),
                    "balance" => balance = Some(flag(v)?),
                    "key" => {
                        if v.len() != 16 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
                            return Err(bad("key fingerprint is 16 hex digits"));
                        }
                        key = Some(v.to_ascii_lowercase());
                    }
                    _ => return Err(bad("unknown field")),
                }
            }
            if scheme.as_deref() != Some(SCHEME) {
                return Err(bad(
                    "unsupported scheme (this version reads shanyrak-clk/1)",
                ));
            }
            let options = ClkOptions {
                bits: bits.ok_or_else(|| bad("no bits"))?,
                fold: fold.ok_or_else(|| bad("no fold"))?,
                balance: balance.ok_or_else(|| bad("no balance"))?,
            };
            options.validate()?;
            Ok(Header {
                options,
                key_fingerprint: key.ok_or_else(|| bad("no key fingerprint"))?,
            })
        }
    }

    /// Checks an identifier for an encodings file.
    pub fn check_id(id: &str) -> Result<(), LinkageError> {
        if id.is_empty() || id.len() > MAX_ID_LEN {
            return Err(LinkageError::InvalidEncoding(format!(
                "an id holds 1 to {MAX_ID_LEN} bytes"
            )));
        }
        if id.starts_with('#') || id.chars().any(|c| c == ',' || c == '"' || c.is_control()) {
            return Err(LinkageError::InvalidEncoding(
                "an id holds no comma, quote, control character or leading #".into(),
            ));
        }
        Ok(())
    }

    /// One line (ending in a newline).
    pub fn row(id: &str, clk: &Clk) -> Result<String, LinkageError> {
        check_id(id)?;
        Ok(format!("{id},{}\n", clk.to_base64()))
    }

    /// Reads one data line (without its newline) of a file whose header is `header`.
    pub fn parse_row(line: &str, header: &Header) -> Result<(String, Clk), LinkageError> {
        let (id, b64) = line
            .trim_end_matches('\r')
            .split_once(',')
            .ok_or_else(|| LinkageError::InvalidEncoding("expected id,clk_base64".into()))?;
        check_id(id)?;
        Ok((id.to_string(), Clk::from_base64(b64, header.options.bits)?))
    }

    /// Reads a whole encodings file held in memory; `max_rows` bounds it. Errors name the
    /// line number only.
    pub fn parse(
        text: &str,
        max_rows: usize,
    ) -> Result<(Header, Vec<(String, Clk)>), LinkageError> {
        let mut lines = text.lines();
        let header = Header::parse(lines.next().unwrap_or(""))?;
        if lines.next().map(|l| l.trim_end_matches('\r')) != Some(COLUMNS) {
            return Err(LinkageError::InvalidEncoding(format!(
                "line 2: expected the column line {COLUMNS}"
            )));
        }
        let mut rows = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (n, line) in lines.enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            if rows.len() >= max_rows {
                return Err(LinkageError::InvalidEncoding(format!(
                    "more than {max_rows} encodings"
                )));
            }
            let at = |e: LinkageError| match e {
                LinkageError::InvalidEncoding(why) => {
                    LinkageError::InvalidEncoding(format!("line {}: {why}", n + 3))
                }
                other => other,
            };
            let (id, clk) = parse_row(line, &header).map_err(at)?;
            if !seen.insert(id.clone()) {
                return Err(LinkageError::InvalidEncoding(format!(
                    "line {}: the id appears twice",
                    n + 3
                )));
            }
            rows.push((id, clk));
        }
        Ok((header, rows))
    }
}

#[cfg(test)]
mod tests;
