//! Names typed with the wrong keyboard layout switched on.
//!
//! Desks share laptops, and a volunteer who types without looking at the screen writes
//! `Bdfyjd Bdfy` for `Иванов Иван` (the Russian ЙЦУКЕН keys read on a Latin layout) or
//! `Шмфтщм` for `Ivanov` (the reverse). No transliteration rule relates the two
//! spellings, so such a record matches nothing. [`reread`] reads a name field on the
//! other layout and keeps that reading only when it is plausible: the field is typed in
//! one script only, every character sits on a key of the ЙЦУКЕН/QWERTY pair, and the
//! other reading looks like a name (a known given name, a surname or patronymic ending)
//! where the field as typed looked like less of one. A real name is never reread into
//! another: a real name already looks like one at least as much as its garbled reading.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::names::{
    given_name_table, is_known_given_name, looks_like_patronymic, looks_like_surname,
};
use crate::normalize::{canonical_tokens, phonetic_key};

/// The Russian ЙЦУКЕН layout against US QWERTY, key by key: the Cyrillic letter, and
/// what the same key gives on the Latin layout unshifted and shifted.
pub(crate) const KEYS: [(char, char, char); 33] = [
    ('й', 'q', 'Q'),
    ('ц', 'w', 'W'),
    ('у', 'e', 'E'),
    ('к', 'r', 'R'),
    ('е', 't', 'T'),
    ('н', 'y', 'Y'),
    ('г', 'u', 'U'),
    ('ш', 'i', 'I'),
    ('щ', 'o', 'O'),
    ('з', 'p', 'P'),
    ('х', '[', '{'),
    ('ъ', ']', '}'),
    ('ф', 'a', 'A'),
    ('ы', 's', 'S'),
    ('в', 'd', 'D'),
    ('а', 'f', 'F'),
    ('п', 'g', 'G'),
    ('р', 'h', 'H'),
    ('о', 'j', 'J'),
    ('л', 'k', 'K'),
    ('д', 'l', 'L'),
    ('ж', ';', ':'),
    ('э', '\'', '"'),
    ('я', 'z', 'Z'),
    ('ч', 'x', 'X'),
    ('с', 'c', 'C'),
    ('м', 'v', 'V'),
    ('и', 'b', 'B'),
    ('т', 'n', 'N'),
    ('ь', 'm', 'M'),
    ('б', ',', '<'),
    ('ю', '.', '>'),
    ('ё', '`', '~'),
];

fn upper(c: char) -> char {
    c.to_uppercase().next().unwrap_or(c)
}

/// The Cyrillic letter on the key that gives `c` on the Latin layout.
fn cyrillic_key(c: char) -> Option<char> {
    KEYS.iter().find_map(|&(cyr, lat, shifted)| {
        if c == lat {
            Some(cyr)
        } else if c == shifted {
            Some(upper(cyr))
        } else {
            None
        }
    })
}

/// What the key of Cyrillic letter `c` gives on the Latin layout.
fn latin_key(c: char) -> Option<char> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    KEYS.iter()
        .find(|k| k.0 == lower)
        .map(|&(_, lat, shifted)| if c == lower { lat } else { shifted })
}

/// `text` read on the other layout: Latin keys (letters and the punctuation keys where
/// Ж, Э, Х, Ъ, Б, Ю, Ё sit) as Cyrillic, or Cyrillic letters as Latin. `None` when there
/// is nothing to reread: no letter, both scripts mixed, or a letter off the layout (a
/// Kazakh `Қ`, a Latin `é`). Spaces, hyphens and digits are the same on both layouts.
pub fn decode(text: &str) -> Option<String> {
    let latin = text.chars().any(|c| c.is_ascii_alphabetic());
    let cyrillic = text
        .chars()
        .any(|c| c.is_alphabetic() && !c.is_ascii_alphabetic());
    let mut out = String::with_capacity(text.len() * 2);
    match (latin, cyrillic) {
        (true, false) => {
            for c in text.chars() {
                match cyrillic_key(c) {
                    Some(k) => out.push(k),
                    None if c.is_alphanumeric() => return None,
                    None => out.push(c),
                }
            }
        }
        (false, true) => {
            for c in text.chars() {
                match latin_key(c) {
                    Some(k) => out.push(k),
                    None if c.is_alphabetic() => return None,
                    None => out.push(c),
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

/// How much a canonical token looks like a name part: 2 for a known given name or a
/// patronymic, 1 for a surname ending alone (`-ov`, `-in`, `-ikh`: garbled text ends like
/// that by chance more often than it spells a known name), else 0.
fn name_score(token: &str) -> u32 {
    if is_known_given_name(token) || looks_like_patronymic(token) {
        2
    } else if looks_like_surname(token) {
        1
    } else {
        0
    }
}

/// Phonetic keys of the known given names.
fn given_name_keys() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        given_name_table()
            .iter()
            .flat_map(|line| line.split('|'))
            .flat_map(canonical_tokens)
            .map(|t| phonetic_key(&t))
            .collect()
    })
}

/// [`name_score`] of a token as typed, where a known given name with a typo (`Alekesy`,
/// `Сергй`: the same phonetic key) also scores 2: a typo can make a real name unknown,
/// and its garbled reading on the other layout can end like a surname by chance.
fn typed_score(token: &str) -> u32 {
    if given_name_keys().contains(&phonetic_key(token)) {
        2
    } else {
        name_score(token)
    }
}

/// Whether a canonical token could be said: a vowel, and no more than four consonant
/// letters in a row (`shch` is one sound written with four).
fn pronounceable(token: &str) -> bool {
    let vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
    let mut run = 0;
    for c in token.chars() {
        if !c.is_ascii_lowercase() {
            return false;
        }
        run = if vowel(c) { 0 } else { run + 1 };
        if run > 4 {
            return false;
        }
    }
    token.chars().any(vowel)
}

/// The canonical tokens of one name field, `tokens` as typed, or those of its reading on
/// the other keyboard layout when that reading is the plausible one (see the module
/// documentation). Cheap for a field whose every token already looks like a name part.
pub fn reread(raw: &str, tokens: Vec<String>) -> Vec<String> {
    reread_field(raw, tokens).0
}

/// Whether a canonical token is a known given name with one typo: Jaro–Winkler 0.9 or
/// more against a known name of about its length.
fn near_known_given_name(token: &str) -> bool {
    token.len() >= 4
        && crate::names::known_given_names().any(|name| {
            name.len().abs_diff(token.len()) <= 1
                && crate::compare::jaro_winkler(name.as_bytes(), token.as_bytes()) >= 0.9
        })
}

/// [`reread`], and whether the field was reread.
pub fn reread_field(raw: &str, tokens: Vec<String>) -> (Vec<String>, bool) {
    let typed: u32 = tokens.iter().map(|t| typed_score(t)).sum();
    if typed == 2 * tokens.len() as u32 {
        return (tokens, false);
    }
    let Some(decoded) = decode(raw) else {
        return (tokens, false);
    };
    let other = canonical_tokens(&decoded);
    let shaped: u32 = other.iter().map(|t| name_score(t)).sum();
    // A typo in a real name (`Виутор` for `Виктор`) is close to a known given name as
    // typed, and its reading on the other layout can end like a surname by chance
    // (`dbenih`); such a field is reread only when the reading is a known name or
    // patronymic.
    let known = shaped == 2 * other.len() as u32;
    if shaped > typed
        && other.iter().all(|t| pronounceable(t))
        && (known || !tokens.iter().any(|t| near_known_given_name(t)))
    {
        (other, true)
    } else {
        (tokens, false)
    }
}

/// The tokens of a name field of a record in which another field was typed on the wrong
/// layout: the layout is the desk's state, not the field's, so a field that can be read
/// on the other layout is, even when its reading is not a known name (`Gleb` typed with
/// a typo, a rare surname). `None` if the field cannot be reread.
pub fn reread_with_record(raw: &str) -> Option<Vec<String>> {
    let decoded = decode(raw)?;
    let other = canonical_tokens(&decoded);
    other.iter().all(|t| pronounceable(t)).then_some(other)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &str) -> String {
        reread(raw, canonical_tokens(raw)).join(" ")
    }

    #[test]
    fn both_directions_decode() {
        assert_eq!(decode("Bdfyjd Bdfy").as_deref(), Some("Иванов Иван"));
        assert_eq!(decode("Шмфтщм").as_deref(), Some("Ivanov"));
        assert_eq!(decode(":EREJD").as_deref(), Some("ЖУКУОВ"));
        assert_eq!(decode("<j,hjd").as_deref(), Some("Бобров"));
        assert_eq!(decode("Smirnоv"), None, "mixed scripts");
        assert_eq!(decode("Қасымов"), None, "a letter off the layout");
        assert_eq!(decode("123"), None);
    }

    #[test]
    fn plausible_readings_replace_garbage() {
        assert_eq!(read("Bdfyjd Bdfy"), "ivanov ivan");
        assert_eq!(read("Шмфтщм"), "ivanov");
        assert_eq!(read("RBHBKKJDBX"), read("Кириллович"));
        assert_eq!(read("Ыьшктщмф"), read("Smirnova"));
        assert_eq!(read("Dbrnjh"), read("Виктор"));
    }

    #[test]
    fn a_typo_in_a_name_is_not_a_layout_slip() {
        assert_eq!(read("Виутор"), read("Виутор").to_lowercase());
        assert_eq!(read("Виутор"), "viutor");
        assert_eq!(read("Контсантин"), "kontsantin");
    }

    #[test]
    fn real_names_stay_as_typed() {
        for name in [
            "Иванов",
            "Цой",
            "Ким",
            "Олейник",
            "Aleksander",
            "Natal'ya",
            "Yoon",
            "Пак",
            "Шевченко",
            "Ivan",
            "Иван",
            "Ли",
            "Jjj",
            "Бобров",
        ] {
            assert_eq!(read(name), canonical_tokens(name).join(" "), "{name}");
        }
    }
}
