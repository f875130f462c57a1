//! The household reference code: what a volunteer reads aloud, types on a phone and prints
//! on a card, e.g. `K7M-4QX-9PZ`.
//!
//! Eight symbols of Crockford base32 (40 random bits) and one check symbol. Crockford's own
//! check symbol is taken modulo 37 and can be `*`, `~`, `$`, `=` or `U`, which nobody can
//! say over a phone line or find on a Russian keyboard; the check symbol here is the Luhn
//! mod N algorithm over the same 32-symbol alphabet, which catches every single wrong
//! symbol and every swap of two adjacent symbols, and keeps the code in one alphabet.
//!
//! Parsing forgives what people do: lower case, spaces and hyphens, `I`/`L` for `1`, `O` for
//! `0`, and Cyrillic letters that look like Latin ones (a Russian keyboard layout left on).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DATA_SYMBOLS: usize = 8;
const SYMBOLS: usize = DATA_SYMBOLS + 1;

/// A validated reference code, stored in canonical form (nine symbols, no separators).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceCode([u8; SYMBOLS]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("a reference code has {SYMBOLS} symbols")]
    WrongLength,
    #[error("a reference code uses digits and the letters A-Z without I, L, O and U")]
    InvalidSymbol,
    #[error("the check symbol does not match: a symbol is probably mistyped")]
    CheckMismatch,
}

fn symbol_value(symbol: char) -> Option<u8> {
    let upper = match symbol {
        // Crockford's forgiving reading.
        'i' | 'I' | 'l' | 'L' => '1',
        'o' | 'O' => '0',
        // Cyrillic letters that look like Latin ones.
        'А' | 'а' => 'A',
        'В' | 'в' => 'B',
        'Е' | 'е' => 'E',
        'К' | 'к' => 'K',
        'М' | 'м' => 'M',
        'Н' | 'н' => 'H',
        'О' | 'о' => '0',
        'Р' | 'р' => 'P',
        'С' | 'с' => 'C',
        'Т' | 'т' => 'T',
        'Х' | 'х' => 'X',
        'У' | 'у' => 'Y',
        'З' | 'з' => '3',
        other => other.to_ascii_uppercase(),
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == upper)
        .and_then(|p| u8::try_from(p).ok())
}

/// Luhn mod 32: the check value that makes the weighted sum divisible by 32.
fn check_value(data: &[u8]) -> u8 {
    let n = ALPHABET.len() as u32;
    let mut factor = 2;
    let mut sum = 0;
    for &value in data.iter().rev() {
        let addend = factor * u32::from(value);
        sum += addend / n + addend % n;
        factor = if factor == 2 { 1 } else { 2 };
    }
    // The result is below 32, so the narrowing cannot lose bits.
    ((n - sum % n) % n) as u8
}

impl ReferenceCode {
    /// Builds a code from 40 random bits supplied by the caller (core draws no randomness).
    pub fn from_random_bits(bits: u64) -> Self {
        let mut values = [0u8; SYMBOLS];
        for (i, slot) in values.iter_mut().take(DATA_SYMBOLS).enumerate() {
            let shift = 5 * (DATA_SYMBOLS - 1 - i);
            *slot = ((bits >> shift) & 0x1f) as u8;
        }
        values[DATA_SYMBOLS] = check_value(&values[..DATA_SYMBOLS]);
        let mut symbols = [0u8; SYMBOLS];
        for (s, v) in symbols.iter_mut().zip(values) {
            *s = ALPHABET[usize::from(v)];
        }
        Self(symbols)
    }

    /// The canonical nine symbols without separators, as stored and indexed.
    pub fn as_str(&self) -> &str {
        // Only ASCII alphabet bytes are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The grouped form for people: `K7M-4QX-9PZ`.
    pub fn display_grouped(&self) -> String {
        let s = self.as_str();
        format!("{}-{}-{}", &s[0..3], &s[3..6], &s[6..9])
    }
}

impl FromStr for ReferenceCode {
    type Err = ReferenceError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let mut values = Vec::with_capacity(SYMBOLS);
        for c in input.chars() {
            if c == '-' || c == ' ' || c == '\u{a0}' || c == '–' {
                continue;
            }
            if values.len() == SYMBOLS {
                return Err(ReferenceError::WrongLength);
            }
            values.push(symbol_value(c).ok_or(ReferenceError::InvalidSymbol)?);
        }
        if values.len() != SYMBOLS {
            return Err(ReferenceError::WrongLength);
        }
        if check_value(&values[..DATA_SYMBOLS]) != values[DATA_SYMBOLS] {
            return Err(ReferenceError::CheckMismatch);
        }
        let mut symbols = [0u8; SYMBOLS];
        for (s, v) in symbols.iter_mut().zip(values) {
            *s = ALPHABET[usize::from(v)];
        }
        Ok(Self(symbols))
    }
}

impl fmt::Display for ReferenceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_grouped())
    }
}

impl Serialize for ReferenceCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.display_grouped())
    }
}

impl<'de> Deserialize<'de> for ReferenceCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ReferenceCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "Household reference: 8 Crockford base32 symbols and a Luhn mod 32 check symbol, grouped by three",
            ))
            .examples([serde_json::json!("K7M-4QX-9PZ")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ReferenceCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_parse_back() {
        for bits in [0u64, 1, 0xff_ffff_ffff, 0x12_3456_789a, 0xdead_beef] {
            let code = ReferenceCode::from_random_bits(bits);
            assert_eq!(code.display_grouped().parse::<ReferenceCode>(), Ok(code));
            assert_eq!(code.as_str().parse::<ReferenceCode>(), Ok(code));
        }
    }

    #[test]
    fn forgiving_input_is_accepted() {
        let code = ReferenceCode::from_random_bits(0x12_3456_789a);
        let lower = code.as_str().to_lowercase();
        assert_eq!(lower.parse::<ReferenceCode>(), Ok(code));
        let spaced = format!(" {} ", code.display_grouped().replace('-', " "));
        assert_eq!(spaced.parse::<ReferenceCode>(), Ok(code));
    }

    #[test]
    fn cyrillic_lookalikes_are_read_as_latin() {
        // Find a code containing a letter with a Cyrillic twin, then type it in Cyrillic.
        let code = (0u64..10_000)
            .map(|i| ReferenceCode::from_random_bits(i * 7_919_113))
            .find(|c| c.as_str().contains('K') || c.as_str().contains('C'))
            .expect("some code contains K or C");
        let typed: String = code
            .as_str()
            .chars()
            .map(|c| match c {
                'K' => 'К',
                'C' => 'С',
                other => other,
            })
            .collect();
        assert_eq!(typed.parse::<ReferenceCode>(), Ok(code));
    }

    #[test]
    fn every_single_substitution_is_detected() {
        let code = ReferenceCode::from_random_bits(0x0a_bcde_f012);
        let canonical = code.as_str().as_bytes().to_vec();
        for position in 0..SYMBOLS {
            for &replacement in ALPHABET {
                if replacement == canonical[position] {
                    continue;
                }
                let mut typo = canonical.clone();
                typo[position] = replacement;
                let typo = String::from_utf8(typo).expect("ascii");
                assert_eq!(
                    typo.parse::<ReferenceCode>(),
                    Err(ReferenceError::CheckMismatch),
                    "{typo}"
                );
            }
        }
    }

    #[test]
    fn adjacent_swaps_are_detected() {
        let mut detected = 0;
        let mut swaps = 0;
        for seed in 0..200u64 {
            let code =
                ReferenceCode::from_random_bits(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 24);
            let bytes = code.as_str().as_bytes();
            for i in 0..SYMBOLS - 1 {
                if bytes[i] == bytes[i + 1] {
                    continue;
                }
                let mut swapped = bytes.to_vec();
                swapped.swap(i, i + 1);
                swaps += 1;
                if String::from_utf8(swapped)
                    .expect("ascii")
                    .parse::<ReferenceCode>()
                    .is_err()
                {
                    detected += 1;
                }
            }
        }
        // Luhn mod N misses only the swap of two symbols whose values sum to N-1 (here the
        // pair of symbols for 0 and 31 ... rare); insist on at least 95%.
        assert!(detected * 100 >= swaps * 95, "{detected}/{swaps}");
    }

    #[test]
    fn wrong_length_and_symbols_are_rejected() {
        assert_eq!(
            "ABC".parse::<ReferenceCode>(),
            Err(ReferenceError::WrongLength)
        );
        assert_eq!(
            "ABCDEFGHJK".parse::<ReferenceCode>(),
            Err(ReferenceError::WrongLength)
        );
        assert_eq!(
            "UUUUUUUUU".parse::<ReferenceCode>(),
            Err(ReferenceError::InvalidSymbol)
        );
        assert_eq!(
            "ЖЖЖЖЖЖЖЖЖ".parse::<ReferenceCode>(),
            Err(ReferenceError::InvalidSymbol)
        );
    }
}

/// Property tests: any text is answered without a panic; every code survives the ways
/// people retype it; every single wrong symbol and every adjacent swap but one is caught.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    const FORTY_BITS: u64 = (1 << 40) - 1;

    /// The ways one symbol may be typed: lower case, a Cyrillic look-alike, `I`/`L` for
    /// `1`, `O` (Latin or Cyrillic) for `0`.
    fn variants(symbol: char) -> Vec<char> {
        let mut out = vec![symbol, symbol.to_ascii_lowercase()];
        out.extend(match symbol {
            '0' => &['o', 'O', 'О', 'о'][..],
            '1' => &['i', 'I', 'l', 'L'][..],
            '3' => &['З', 'з'][..],
            'A' => &['А', 'а'][..],
            'B' => &['В', 'в'][..],
            'C' => &['С', 'с'][..],
            'E' => &['Е', 'е'][..],
            'H' => &['Н', 'н'][..],
            'K' => &['К', 'к'][..],
            'M' => &['М', 'м'][..],
            'P' => &['Р', 'р'][..],
            'T' => &['Т', 'т'][..],
            'X' => &['Х', 'х'][..],
            'Y' => &['У', 'у'][..],
            _ => &[][..],
        });
        out
    }

    /// A code and a way a person might type it.
    fn retyped() -> impl Strategy<Value = (ReferenceCode, String)> {
        (0..=FORTY_BITS).prop_flat_map(|bits| {
            let code = ReferenceCode::from_random_bits(bits);
            let symbols: Vec<_> = code
                .as_str()
                .chars()
                .map(|symbol| {
                    (
                        prop::sample::select(variants(symbol)),
                        prop::sample::select(vec!["", "", "", "-", " ", "\u{a0}", "–", " - "]),
                    )
                })
                .collect();
            (Just(code), symbols).prop_map(|(code, typed)| {
                let text = typed
                    .into_iter()
                    .map(|(symbol, separator)| format!("{symbol}{separator}"))
                    .collect();
                (code, text)
            })
        })
    }

    fn value_of(symbol: u8) -> usize {
        ALPHABET
            .iter()
            .position(|&a| a == symbol)
            .unwrap_or(usize::MAX)
    }

    proptest! {
        #![proptest_config(crate::proptest_config(1024))]

        #[test]
        fn anything_typed_is_answered_and_an_accepted_code_reads_back(
            text in prop_oneof![
                any::<String>(),
                "[0-9A-Za-zА-Яа-я -]{0,14}",
                "[0-9A-HJKMNP-TV-Z]{9}",
            ],
        ) {
            if let Ok(code) = text.parse::<ReferenceCode>() {
                let canonical = code.as_str();
                prop_assert_eq!(canonical.len(), SYMBOLS);
                prop_assert!(canonical.bytes().all(|b| ALPHABET.contains(&b)), "{}", canonical);
                prop_assert_eq!(canonical.parse::<ReferenceCode>(), Ok(code));
                prop_assert_eq!(code.display_grouped().parse::<ReferenceCode>(), Ok(code));
            }
        }

        #[test]
        fn a_code_survives_the_ways_people_retype_it((code, typed) in retyped()) {
            prop_assert_eq!(typed.parse::<ReferenceCode>(), Ok(code), "{}", typed);
        }

        #[test]
        fn forty_random_bits_make_a_code_of_their_own(a in 0..=FORTY_BITS, b in 0..=FORTY_BITS) {
            let (code_a, code_b) = (ReferenceCode::from_random_bits(a), ReferenceCode::from_random_bits(b));
            prop_assert_eq!(code_a == code_b, a == b);
            // Bits above the fortieth are ignored, not folded in.
            prop_assert_eq!(ReferenceCode::from_random_bits(a | (b << 40)), code_a);
        }

        #[test]
        fn every_single_wrong_symbol_is_caught(
            bits in 0..=FORTY_BITS, position in 0..SYMBOLS, shift in 1..ALPHABET.len(),
        ) {
            let mut typo = ReferenceCode::from_random_bits(bits).as_str().as_bytes().to_vec();
            typo[position] = ALPHABET[(value_of(typo[position]) + shift) % ALPHABET.len()];
            let typo = String::from_utf8(typo).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(typo.parse::<ReferenceCode>(), Err(ReferenceError::CheckMismatch));
        }

        /// Luhn mod 32 misses exactly one kind of adjacent swap: `0` and `Z` (values 0
        /// and 31), as Luhn mod 10 misses `09` and `90`.
        #[test]
        fn every_adjacent_swap_but_zero_and_z_is_caught(bits in 0..=FORTY_BITS, position in 0..SYMBOLS - 1) {
            let mut swapped = ReferenceCode::from_random_bits(bits).as_str().as_bytes().to_vec();
            let (a, b) = (value_of(swapped[position]), value_of(swapped[position + 1]));
            if a == b {
                return Ok(());
            }
            swapped.swap(position, position + 1);
            let swapped = String::from_utf8(swapped).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let caught = swapped.parse::<ReferenceCode>().is_err();
            prop_assert_eq!(caught, a.min(b) != 0 || a.max(b) != 31, "{}", swapped);
        }
    }
}
