//! Latin spellings for the generator, written apart from [`crate::translit`].
//!
//! The quality test grades the matcher on the generator's output. If both spelt Cyrillic
//! with the same tables, a transliteration rule missing from the crate would be missing
//! from the test data too, and nothing would notice. These tables are written from the
//! standards and from what passport desks print, letter by letter, without looking at
//! the crate's own tables: ICAO 9303 (Russian passports since 2014), BGN/PCGN 1947 (maps,
//! older Western documents), GOST 7.79 B (libraries, some older foreign passports), and
//! the spellings of desks: GOST R 52535.1 (passports 2010–2014: `TC` for Ц), the
//! pre-2010 MVD table (`YU`, `YA`, `Y` for Й) and habits (`H` for Х, `X` for КС).

/// A way of writing Cyrillic in Latin letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spelling {
    /// ICAO Doc 9303, part 3, Cyrillic table.
    Icao,
    /// BGN/PCGN 1947 for Russian, with its marks (`Natal'ya`, `Pëtr`).
    Bgn,
    /// GOST 7.79-2000 system B.
    GostB,
    /// GOST R 52535.1-2006, printed in passports 2010–2014.
    Gost52535,
    /// The MVD table of passports before 2010.
    Mvd,
    /// A desk typing by ear: `H` for Х, `X` for КС, `-y` for -ий, `Sch` for Щ.
    ByEar,
}

impl Spelling {
    /// Every spelling, for tests.
    #[cfg(test)]
    pub(crate) const ALL: [Spelling; 6] = [
        Spelling::Icao,
        Spelling::Bgn,
        Spelling::GostB,
        Spelling::Gost52535,
        Spelling::Mvd,
        Spelling::ByEar,
    ];
}

fn vowel(c: char) -> bool {
    "аеёиоуыэюяәөұүі".contains(c)
}

/// The Latin for one lowercase Cyrillic letter after `prev` and before `next`.
fn latin(s: Spelling, c: char, prev: Option<char>, next: Option<char>) -> Option<&'static str> {
    use Spelling::*;
    let initial = prev.is_none_or(|p| !p.is_alphabetic());
    // BGN and the MVD table write Е as YE where it is iotated.
    let iotated = initial || prev.is_some_and(|p| vowel(p) || "йъь".contains(p));
    let ending_ii = c == 'и' && next == Some('й');
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => match s {
            Bgn | Mvd if iotated => "ye",
            _ => "e",
        },
        'ё' => match s {
            Icao | Gost52535 => "e",
            Bgn if iotated => "yë",
            Bgn => "ë",
            GostB | Mvd | ByEar => "yo",
        },
        'ж' => "zh",
        'з' => "z",
        'и' => match s {
            // -ий: Yuriy, Yuri, Yury, by ear.
            ByEar if ending_ii => "",
            _ => "i",
        },
        'й' => match s {
            Icao | Gost52535 => "i",
            GostB => "j",
            ByEar if prev == Some('и') => "y",
            Bgn | Mvd | ByEar => "y",
        },
        'к' => match s {
            ByEar if next == Some('с') => "",
            _ => "k",
        },
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => match s {
            ByEar if prev == Some('к') => "x",
            _ => "s",
        },
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => match s {
            GostB => "x",
            ByEar => "h",
            _ => "kh",
        },
        'ц' => match s {
            GostB if next.is_some_and(|n| "еиыйі".contains(n)) => "cz",
            GostB => "c",
            Gost52535 => "tc",
            _ => "ts",
        },
        'ч' => "ch",
        'ш' => "sh",
        'щ' => match s {
            GostB => "shh",
            ByEar => "sch",
            _ => "shch",
        },
        'ъ' => match s {
            Icao => "ie",
            Bgn => "\"",
            GostB => "``",
            _ => "",
        },
        'ы' => match s {
            GostB => "y'",
            _ => "y",
        },
        'ь' => match s {
            Bgn => "'",
            GostB => "`",
            Mvd if next.is_some_and(vowel) => "'",
            _ => "",
        },
        'э' => match s {
            GostB => "e`",
            _ => "e",
        },
        'ю' => match s {
            Icao | Gost52535 => "iu",
            _ => "yu",
        },
        'я' => match s {
            Icao | Gost52535 => "ia",
            _ => "ya",
        },
        // Kazakh and Kyrgyz letters: passports drop the diacritics; BGN keeps them.
        'ә' => match s {
            Bgn => "ä",
            _ => "a",
        },
        'ғ' => match s {
            Bgn => "gh",
            _ => "g",
        },
        'қ' => match s {
            Bgn => "q",
            _ => "k",
        },
        'ң' => match s {
            Bgn => "ng",
            _ => "n",
        },
        'ө' => match s {
            Bgn => "ö",
            _ => "o",
        },
        'ұ' => "u",
        'ү' => match s {
            Bgn => "ü",
            _ => "u",
        },
        'һ' => "h",
        'і' => "i",
        _ => return None,
    })
}

/// Writes Cyrillic `text` in Latin letters by `spelling`, each word capitalised
/// (`Юрий` → `Iurii` by ICAO, `Yuriy` by BGN, `Yurij` by GOST B, `Yury` by ear).
/// Characters that are not Cyrillic pass through.
pub(crate) fn spell(text: &str, spelling: Spelling) -> String {
    let chars: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut capital = true;
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        match latin(spelling, c, prev, next) {
            Some(piece) => {
                for l in piece.chars() {
                    if capital && l.is_alphabetic() {
                        out.extend(l.to_uppercase());
                        capital = false;
                    } else {
                        out.push(l);
                    }
                }
            }
            None => {
                out.push(c);
                capital = !c.is_alphabetic();
            }
        }
    }
    out
}

/// The Russian ЙЦУКЕН layout against US QWERTY, key by key: one table for the slips the
/// generator makes and the reading the matcher undoes (a keyboard is a fact, not a
/// spelling to be graded independently).
pub(crate) use crate::layout::KEYS as LAYOUT;

/// Text typed with the wrong layout switched on: Cyrillic letters come out as the Latin
/// keys they sit on (`Иванов` → `Bdfyjd`), Latin letters as the Cyrillic ones (`Ivanov`
/// → `Шмфтщм`). Kazakh and Kyrgyz letters are not on the Russian layout and pass
/// through, as does anything else.
pub(crate) fn wrong_layout(text: &str) -> String {
    text.chars()
        .map(|c| {
            let lower = c.to_lowercase().next().unwrap_or(c);
            let upper = c.is_uppercase();
            for &(cyr, lat, shifted) in &LAYOUT {
                if lower == cyr {
                    return if upper { shifted } else { lat };
                }
                if c.is_ascii_alphabetic() && lower == lat {
                    return if upper {
                        cyr.to_uppercase().next().unwrap_or(cyr)
                    } else {
                        cyr
                    };
                }
            }
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_follow_their_tables() {
        let yuri = |s| spell("Юрий", s);
        assert_eq!(yuri(Spelling::Icao), "Iurii");
        assert_eq!(yuri(Spelling::Bgn), "Yuriy");
        assert_eq!(yuri(Spelling::GostB), "Yurij");
        assert_eq!(yuri(Spelling::Gost52535), "Iurii");
        assert_eq!(yuri(Spelling::Mvd), "Yuriy");
        assert_eq!(yuri(Spelling::ByEar), "Yury");
        assert_eq!(spell("Цветков", Spelling::Gost52535), "Tcvetkov");
        assert_eq!(spell("Алексей Хрущёв", Spelling::ByEar), "Alexey Hruschyov");
        assert_eq!(spell("Наталья Ильина", Spelling::Bgn), "Natal'ya Il'ina");
        assert_eq!(spell("Елена", Spelling::Mvd), "Yelena");
        assert_eq!(spell("Нұрлан Қасымов", Spelling::Bgn), "Nurlan Qasymov");
        assert_eq!(spell("Нұрлан Қасымов", Spelling::Icao), "Nurlan Kasymov");
        for s in Spelling::ALL {
            assert!(spell("Щукин", s).is_ascii() || s == Spelling::Bgn);
        }
    }

    #[test]
    fn wrong_layout_swaps_scripts_key_by_key() {
        assert_eq!(wrong_layout("Иванов Иван"), "Bdfyjd Bdfy");
        assert_eq!(wrong_layout("Ivanov"), "Шмфтщм");
        assert_eq!(wrong_layout("ЖУКОВ"), ":ERJD");
        assert_eq!(wrong_layout("Бобров"), "<j,hjd");
    }
}
