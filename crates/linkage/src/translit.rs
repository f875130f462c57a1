//! Cyrillic → Latin by the systems volunteers and documents actually use.
//!
//! These produce the *inputs* Shanyrak sees (the generator and tests use them); matching
//! never relies on knowing which system was used, because [`crate::normalize::canonical`]
//! maps all of them to one key.
//!
//! - ICAO 9303 (Russian international passports since 2014): Ц→TS, Й→I, Ю→IU, Я→IA,
//!   Ъ→IE, Ь dropped, Ё→E.
//! - GOST 7.79-2000 system B: Й→J, Х→X, Ц→CZ/C, Щ→SHH, Ю→YU, Я→YA, Ы→Y', Ь→`, Э→E`.
//! - BGN/PCGN: Е→YE initially and after vowels, Й→Y, Ё→Ë, Ь→', Ъ→".
//! - Informal: BGN without marks, as people type on their own (Yuriy, Natalya, Schukin).

/// A transliteration system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum System {
    /// ICAO Doc 9303 (machine-readable passports).
    Icao,
    /// GOST 7.79-2000 system B.
    GostB,
    /// BGN/PCGN 1947.
    Bgn,
    /// Informal typing.
    Informal,
}

impl System {
    /// All systems, for tests and the generator.
    pub const ALL: [System; 4] = [System::Icao, System::GostB, System::Bgn, System::Informal];
}

fn is_cyr_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'ә' | 'ө' | 'ұ' | 'ү' | 'і'
    )
}

fn common(c: char) -> Option<&'static str> {
    Some(match c {
        'а' | 'ә' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ғ' => "g",
        'д' => "d",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'к' | 'қ' => "k",
        'л' => "l",
        'м' => "m",
        'н' | 'ң' => "n",
        'о' | 'ө' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ұ' | 'ү' => "u",
        'ф' => "f",
        'ч' => "ch",
        'ш' => "sh",
        'һ' => "h",
        _ => return None,
    })
}

fn letter(system: System, c: char, prev: Option<char>, next: Option<char>) -> String {
    let initial = prev.is_none_or(|p| !p.is_alphabetic());
    let after_vowel_or_sign =
        initial || prev.is_some_and(|p| is_cyr_vowel(p) || matches!(p, 'й' | 'ъ' | 'ь'));
    let s: &str = match (system, c) {
        (_, c) if common(c).is_some() => common(c).unwrap_or_default(),
        (System::Icao, 'е' | 'ё' | 'э') => "e",
        (System::Icao, 'й') => "i",
        (System::Icao, 'х') => "kh",
        (System::Icao, 'ц') => "ts",
        (System::Icao, 'щ') => "shch",
        (System::Icao, 'ъ') => "ie",
        (System::Icao, 'ы') => "y",
        (System::Icao, 'ь') => "",
        (System::Icao, 'ю') => "iu",
        (System::Icao, 'я') => "ia",
        (System::GostB, 'е') => "e",
        (System::GostB, 'ё') => "yo",
        (System::GostB, 'э') => "e`",
        (System::GostB, 'й') => "j",
        (System::GostB, 'х') => "x",
        (System::GostB, 'ц') => {
            if next.is_some_and(|n| matches!(n, 'е' | 'и' | 'ы' | 'й' | 'і')) {
                "cz"
            } else {
                "c"
            }
        }
        (System::GostB, 'щ') => "shh",
        (System::GostB, 'ъ') => "``",
        (System::GostB, 'ы') => "y'",
        (System::GostB, 'ь') => "`",
        (System::GostB, 'ю') => "yu",
        (System::GostB, 'я') => "ya",
        (System::Bgn, 'е') if after_vowel_or_sign => "ye",
        (System::Bgn, 'е') => "e",
        (System::Bgn, 'ё') if after_vowel_or_sign => "yë",
        (System::Bgn, 'ё') => "ë",
        (System::Bgn, 'э') => "e",
        (System::Bgn, 'й') => "y",
        (System::Bgn, 'х') => "kh",
        (System::Bgn, 'ц') => "ts",
        (System::Bgn, 'щ') => "shch",
        (System::Bgn, 'ъ') => "\"",
        (System::Bgn, 'ы') => "y",
        (System::Bgn, 'ь') => "'",
        (System::Bgn, 'ю') => "yu",
        (System::Bgn, 'я') => "ya",
        (System::Informal, 'е') if initial => "ye",
        (System::Informal, 'е' | 'э') => "e",
        (System::Informal, 'ё') => "yo",
        (System::Informal, 'й') => "y",
        (System::Informal, 'х') => "kh",
        (System::Informal, 'ц') => "ts",
        (System::Informal, 'щ') => "sch",
        (System::Informal, 'ъ' | 'ь') => "",
        (System::Informal, 'ы') => "y",
        (System::Informal, 'ю') => "yu",
        (System::Informal, 'я') => "ya",
        _ => return c.to_string(),
    };
    s.to_string()
}

/// Transliterates Cyrillic text by `system`, in title case (`Алексей` → `Aleksei` for
/// ICAO). Non-Cyrillic characters pass through.
pub fn transliterate(text: &str, system: System) -> String {
    let lower: Vec<char> = text.chars().flat_map(|c| c.to_lowercase()).collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut word_start = true;
    for (i, &c) in lower.iter().enumerate() {
        let prev = if i > 0 {
            lower.get(i - 1).copied()
        } else {
            None
        };
        let next = lower.get(i + 1).copied();
        let piece = letter(system, c, prev, next);
        for p in piece.chars() {
            if word_start && p.is_alphabetic() {
                out.extend(p.to_uppercase());
                word_start = false;
            } else {
                out.push(p);
            }
        }
        if !c.is_alphabetic()
            && piece.chars().all(|p| !p.is_alphabetic())
            && !matches!(c, 'ъ' | 'ь')
        {
            word_start = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systems_differ_as_documented() {
        assert_eq!(transliterate("Юрий", System::Icao), "Iurii");
        assert_eq!(transliterate("Юрий", System::GostB), "Yurij");
        assert_eq!(transliterate("Юрий", System::Bgn), "Yuriy");
        assert_eq!(transliterate("Елена", System::Bgn), "Yelena");
        assert_eq!(transliterate("Хрущёв", System::GostB), "Xrushhyov");
        assert_eq!(transliterate("Цветков", System::GostB), "Cvetkov");
        assert_eq!(
            transliterate("Наталья Ильина", System::Bgn),
            "Natal'ya Il'ina"
        );
    }
}
