//! Knowledge about names: given-name groups with diminutives, patronymic roots, surname
//! gender forms and which token plays which role.
//!
//! All functions take and return strings in the comparison alphabet of
//! [`crate::normalize`]; the table below is written in Cyrillic for readability and
//! canonicalised once on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::normalize::canonical;

/// Given-name groups: the first entry names the group, the rest are female forms,
/// diminutives and foreign spellings that a volunteer may type for the same person.
/// Female and male forms share a group (Саша is both); sex is compared separately.
const GIVEN_NAME_GROUPS: &[&str] = &[
    "Александр|Александра|Саша|Шура|Саня|Алекс|Alexander|Alexandra|Aleksander|Sasha|Alex",
    "Алексей|Лёша|Алёша|Лёха|Alexei|Alex",
    "Анатолий|Толя|Толик",
    "Андрей|Андрюша",
    "Антон|Тоша|Антоша",
    "Аркадий|Аркаша",
    "Артём|Тёма|Артемий|Artyom",
    "Борис|Боря",
    "Вадим|Вадик",
    "Валентин|Валентина|Валя",
    "Валерий|Валерия|Валера|Лера",
    "Василий|Василиса|Вася",
    "Виктор|Виктория|Витя|Вика|Victor|Victoria",
    "Виталий|Виталик|Виталина",
    "Владимир|Вова|Володя|Вовка|Wladimir|Vladimir",
    "Владислав|Владислава|Влад|Владик",
    "Вячеслав|Слава|Славик",
    "Геннадий|Гена",
    "Георгий|Жора|Гоша|George",
    "Глеб",
    "Григорий|Гриша",
    "Даниил|Данила|Даниэль|Даня|Daniel",
    "Денис|Дениз",
    "Дмитрий|Дима|Митя|Dmitri",
    "Евгений|Евгения|Женя|Eugene|Evgenia",
    "Егор|Егорка",
    "Иван|Ваня|Ivan|John",
    "Игорь|Игорёк",
    "Илья|Илюша|Ильяс|Ilya|Ilias",
    "Кирилл|Киря|Cyril",
    "Константин|Костя|Konstantin",
    "Леонид|Лёня",
    "Максим|Макс|Maxim",
    "Матвей|Мотя",
    "Михаил|Миша|Michael",
    "Никита",
    "Николай|Коля|Nicholas",
    "Олег",
    "Павел|Паша|Paul",
    "Пётр|Петя|Peter",
    "Роман|Рома",
    "Руслан",
    "Сергей|Серёжа|Серж|Sergei",
    "Станислав|Станислава|Стас",
    "Степан|Стёпа",
    "Тимофей|Тима",
    "Тимур",
    "Фёдор|Федя",
    "Юрий|Юра|Yuri",
    "Ярослав|Ярослава|Ярик",
    "Алина",
    "Алла",
    "Анастасия|Настя|Anastasia",
    "Анна|Аня|Анюта|Ann|Anna",
    "Вера",
    "Галина|Галя",
    "Дарья|Даша|Дария",
    "Диана",
    "Екатерина|Катя|Катерина|Катюша|Catherine",
    "Елена|Лена|Алёна|Helen",
    "Елизавета|Лиза|Elizabeth",
    "Ирина|Ира",
    "Карина",
    "Кристина",
    "Ксения|Ксюша|Xenia",
    "Любовь|Люба",
    "Людмила|Люда|Мила",
    "Маргарита|Рита",
    "Марина",
    "Мария|Маша|Маруся|Maria|Mary",
    "Надежда|Надя",
    "Наталья|Наталия|Наташа|Natalie",
    "Нина",
    "Оксана",
    "Ольга|Оля|Olga",
    "Полина|Поля",
    "Светлана|Света",
    "Софья|София|Соня|Sofia|Sophia",
    "Татьяна|Таня",
    "Ульяна",
    "Юлия|Юля|Julia",
    "Яна",
    "Нурлан",
    "Нурсултан",
    "Ерлан|Эрлан",
    "Ержан",
    "Асхат",
    "Айдос",
    "Айбек",
    "Бауыржан|Бауржан",
    "Бекзат",
    "Даурен",
    "Дархан",
    "Ерболат",
    "Жандос",
    "Қайрат",
    "Марат",
    "Мурат",
    "Серік|Серик",
    "Азамат",
    "Алмаз",
    "Арман",
    "Асан|Хасан",
    "Бақыт",
    "Болат|Булат",
    "Жәнібек|Жанибек",
    "Қанат",
    "Мейрам",
    "Санжар",
    "Ұлан",
    "Шыңғыс|Чингиз",
    "Азат",
    "Нурбек",
    "Талант",
    "Улукбек",
    "Эльдияр",
    "Адилет",
    "Бекжан",
    "Айгүл|Айгуль",
    "Айжан",
    "Айнұр|Айнур",
    "Әсел|Асель",
    "Гүлнар|Гульнара",
    "Динара",
    "Жанар",
    "Жанна",
    "Камила",
    "Мадина",
    "Сәуле|Сауле",
    "Айгерім|Айгерим",
    "Әлия|Алия",
    "Аружан",
    "Ақмарал|Акмарал",
    "Гүлмира|Гульмира",
    "Назира",
    "Нұргүл|Нургуль",
    "Салтанат",
    "Томирис",
    "Айпери",
    "Бермет",
    "Жибек",
    "Чолпон",
    "Нуржан",
];

/// Canonical given names → canonical group representative.
fn group_table() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        for line in GIVEN_NAME_GROUPS {
            let mut parts = line.split('|');
            let Some(head) = parts.next() else { continue };
            let head_c = canonical(head);
            map.entry(head_c.clone()).or_insert_with(|| head_c.clone());
            for alias in parts {
                // The first group that claims an alias keeps it (Алекс → Александр).
                map.entry(canonical(alias))
                    .or_insert_with(|| head_c.clone());
            }
        }
        map
    })
}

/// The group of a canonical given name (`sasha` → `aleksandr`), or `None` for names not
/// in the table.
pub fn given_name_group(canonical_given: &str) -> Option<&'static str> {
    group_table().get(canonical_given).map(String::as_str)
}

/// Whether a canonical token is a known given name.
pub fn is_known_given_name(canonical_token: &str) -> bool {
    group_table().contains_key(canonical_token)
}

/// Every known given name (aliases included), canonical.
pub fn known_given_names() -> impl Iterator<Item = &'static str> {
    group_table().keys().map(String::as_str)
}

/// The canonical given names known to the table (for the generator and tests).
pub fn given_name_table() -> &'static [&'static str] {
    GIVEN_NAME_GROUPS
}

/// Standalone tokens that mark a Central Asian or Caucasian patronymic (`Серик улы`).
const PATRONYMIC_MARKERS: &[&str] = &["uli", "ulu", "kizi", "ogli", "oglu", "gizi"];

/// Suffixes of patronymics, longest first, in the comparison alphabet.
const PATRONYMIC_SUFFIXES: &[&str] = &[
    "inichna", "ovich", "evich", "ovna", "evna", "ichna", "kizi", "ogli", "oglu", "uli", "ulu",
    "ich", "na",
];

/// Whether a canonical token is a patronymic marker word (`uly`, `kyzy`, `uulu`, `ogly`).
pub fn is_patronymic_marker(canonical_token: &str) -> bool {
    PATRONYMIC_MARKERS.contains(&canonical_token)
}

/// Whether a canonical token looks like a patronymic (`igorevich`, `serikuli`).
pub fn looks_like_patronymic(canonical_token: &str) -> bool {
    is_patronymic_marker(canonical_token)
        || [
            "ovich", "evich", "ovna", "evna", "ichna", "kizi", "uli", "ulu", "ogli",
        ]
        .iter()
        .any(|s| canonical_token.len() > s.len() + 2 && canonical_token.ends_with(s))
}

/// The father's-name root of a canonical patronymic, so that `igorevich`, `igorevna`,
/// `igorovich` and `igor uli` all give `igor`. Markers are dropped; the rest is joined.
pub fn patronymic_root(canonical_patronymic: &str) -> String {
    let mut root = String::new();
    for tok in canonical_patronymic.split(' ') {
        if tok.is_empty() || is_patronymic_marker(tok) {
            continue;
        }
        root.push_str(tok);
    }
    for suf in PATRONYMIC_SUFFIXES {
        if root.len() >= suf.len() + 3 && root.ends_with(suf) {
            root.truncate(root.len() - suf.len());
            break;
        }
    }
    // Nikolaevich → nikola, Nikolai → nikolai: drop a trailing vowel so both meet.
    while root.len() > 3 && root.ends_with(['a', 'e', 'i', 'o', 'u']) {
        root.pop();
    }
    root
}

/// Female → male surname endings in the comparison alphabet (Smirnova → Smirnov,
/// Ivanovskaya → Ivanovski).
const SURNAME_GENDER_ENDINGS: &[(&str, &str)] = &[
    ("skaia", "ski"),
    ("tskaia", "tski"),
    ("kaia", "ki"),
    ("ova", "ov"),
    ("eva", "ev"),
    ("ina", "in"),
    ("yna", "yn"),
];

/// The gender-neutral stem of a canonical surname: `smirnova` → `smirnov`.
pub fn surname_stem(canonical_surname: &str) -> String {
    for (female, male) in SURNAME_GENDER_ENDINGS {
        if canonical_surname.len() >= female.len() + 2 && canonical_surname.ends_with(female) {
            let mut s = canonical_surname[..canonical_surname.len() - female.len()].to_string();
            s.push_str(male);
            return s;
        }
    }
    canonical_surname.to_string()
}

/// Endings that make a token look like a surname.
const SURNAME_SUFFIXES: &[&str] = &[
    "ov", "ev", "in", "ova", "eva", "ina", "ski", "kaia", "enko", "uk", "ko", "ian", "dze",
    "shvili", "baev", "bekov", "ikh", "ih", "ich",
];

/// Whether a canonical token looks like a surname (has a surname ending and is not a
/// known given name).
pub fn looks_like_surname(canonical_token: &str) -> bool {
    !is_known_given_name(canonical_token)
        && SURNAME_SUFFIXES
            .iter()
            .any(|s| canonical_token.len() > s.len() + 2 && canonical_token.ends_with(s))
}

/// The roles assigned to the tokens of one registration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameParts {
    /// Canonical surname (tokens joined without spaces).
    pub surname: String,
    /// Canonical given name.
    pub given: String,
    /// Canonical patronymic, possibly empty.
    pub patronymic: String,
    /// Whether the surname and given-name fields were detected as swapped.
    pub swapped: bool,
}

/// Assigns roles to the tokens of the three name fields.
///
/// Handles the mistakes volunteers make: the whole name typed into the surname field,
/// the patronymic typed after the given name, surname and given name swapped. A swap is
/// only assumed when the evidence is one-sided (the "surname" is a known given name and
/// the "given name" has a surname ending and is not a known given name), because
/// Central Asian surnames (`Nurlan`) can be given names too.
pub fn assign_roles(surname: &[String], given: &[String], patronymic: &[String]) -> NameParts {
    let mut s: Vec<&str> = surname.iter().map(String::as_str).collect();
    let mut g: Vec<&str> = given.iter().map(String::as_str).collect();
    let mut p: Vec<&str> = patronymic.iter().map(String::as_str).collect();

    // Whole name in one field.
    if g.is_empty() && s.len() >= 2 {
        let all = std::mem::take(&mut s);
        for tok in all {
            if looks_like_patronymic(tok) && p.is_empty() || is_patronymic_marker(tok) {
                p.push(tok);
            } else if g.is_empty() && is_known_given_name(tok) && !looks_like_surname(tok) {
                g.push(tok);
            } else {
                s.push(tok);
            }
        }
        if g.is_empty() && s.len() >= 2 {
            // No known given name: take the Russian order "surname given".
            g.push(s.remove(1));
        }
    }
    // Patronymic typed into the given-name field.
    if g.len() >= 2 && p.is_empty() {
        let mut keep = Vec::new();
        for tok in g {
            if (looks_like_patronymic(tok) || is_patronymic_marker(tok)) && !keep.is_empty() {
                p.push(tok);
            } else {
                keep.push(tok);
            }
        }
        g = keep;
    }
    let mut parts = NameParts {
        surname: s.concat(),
        given: g.concat(),
        patronymic: p.join(" "),
        swapped: false,
    };
    if !parts.surname.is_empty()
        && !parts.given.is_empty()
        && is_known_given_name(&parts.surname)
        && !looks_like_surname(&parts.surname)
        && looks_like_surname(&parts.given)
    {
        std::mem::swap(&mut parts.surname, &mut parts.given);
        parts.swapped = true;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        crate::normalize::canonical_tokens(s)
    }

    #[test]
    fn diminutives_share_a_group() {
        assert_eq!(given_name_group(&canonical("Саша")), Some("aleksandr"));
        assert_eq!(given_name_group(&canonical("Alexander")), Some("aleksandr"));
        assert_eq!(
            given_name_group(&canonical("Женя")),
            given_name_group(&canonical("Евгения"))
        );
        assert_eq!(
            given_name_group(&canonical("Кайрат")),
            given_name_group(&canonical("Қайрат"))
        );
    }

    #[test]
    fn patronymic_roots_meet() {
        let r = patronymic_root(&canonical("Игоревич"));
        assert_eq!(r, patronymic_root(&canonical("Igorevna")));
        assert_eq!(
            patronymic_root(&canonical("Николаевич")),
            patronymic_root(&canonical("Nikolaevna"))
        );
        assert_eq!(
            patronymic_root(&canonical("Серик улы")),
            patronymic_root(&canonical("Serikuly"))
        );
        assert_eq!(
            patronymic_root(&canonical("Асанбек уулу")),
            patronymic_root(&canonical("Asanbek kyzy"))
        );
    }

    #[test]
    fn surname_gender_forms_meet() {
        assert_eq!(surname_stem(&canonical("Смирнова")), canonical("Smirnov"));
        assert_eq!(
            surname_stem(&canonical("Ивановская")),
            surname_stem(&canonical("Ivanovskiy"))
        );
        assert_eq!(surname_stem(&canonical("Ильина")), canonical("Ильин"));
    }

    #[test]
    fn roles_are_detected() {
        let p = assign_roles(&toks("Алексей"), &toks("Смирнов"), &[]);
        assert!(p.swapped);
        assert_eq!(p.surname, "smirnov");
        let p = assign_roles(&toks("Смирнов Алексей Игоревич"), &[], &[]);
        assert_eq!(
            (p.surname.as_str(), p.given.as_str()),
            ("smirnov", "aleksei")
        );
        assert_eq!(p.patronymic, "igorevich");
        // Андреев canonicalises like the English "Andrew": English aliases that collide
        // with surnames must stay out of the table.
        let p = assign_roles(&toks("Даниил"), &toks("Андреев"), &[]);
        assert!(p.swapped);
        let p = assign_roles(&toks("Нурланов"), &toks("Ерлан Нурланулы"), &[]);
        assert_eq!(p.given, "erlan");
        assert_eq!(p.patronymic, "nurlanuli");
    }
}

/// Property tests: any tokens are handled without a panic and without losing a letter;
/// female and male surname forms share a stem; a father's name gives one patronymic
/// root whether written -ович, -овна, улы or қызы.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;
    use crate::normalize::canonical_tokens;

    /// A Cyrillic name stem of two or three syllables ending in a consonant.
    fn stem() -> impl Strategy<Value = String> {
        (
            "[БВГДЗКЛМНПРСТФХШ]",
            proptest::collection::vec("[аеиоуя][бвгдзклмнпрстфхш]{1,2}", 1..=2),
            "[аоиу]",
            "[бвгдзклмнпрстф]",
        )
            .prop_map(|(first, middle, vowel, last)| {
                format!("{first}{}{vowel}{last}", middle.concat())
            })
    }

    fn tokens() -> impl Strategy<Value = Vec<String>> {
        prop_oneof![
            proptest::collection::vec(any::<String>(), 0..4),
            proptest::collection::vec(
                prop_oneof![
                    "[a-z]{1,12}",
                    prop::sample::select(vec![
                        "uli",
                        "kizi",
                        "ogli",
                        "ovich",
                        "na",
                        "ina",
                        "ova",
                        "skaia",
                        "aleksei",
                        "smirnov",
                        "igorevich",
                        "nurlan",
                        "sasha",
                        "a",
                        "",
                    ])
                    .prop_map(str::to_owned),
                ],
                0..4,
            ),
        ]
    }

    fn letters(parts: &[&str]) -> Vec<char> {
        let mut all: Vec<char> = parts
            .iter()
            .flat_map(|p| p.chars())
            .filter(|c| *c != ' ')
            .collect();
        all.sort_unstable();
        all
    }

    proptest! {
        #![proptest_config(crate::proptest_config(512))]

        #[test]
        fn any_tokens_are_assigned_roles_without_losing_a_letter(
            surname in tokens(), given in tokens(), patronymic in tokens(),
        ) {
            let parts = assign_roles(&surname, &given, &patronymic);
            let before: Vec<&str> = surname.iter().chain(&given).chain(&patronymic).map(String::as_str).collect();
            prop_assert_eq!(
                letters(&[&parts.surname, &parts.given, &parts.patronymic]),
                letters(&before)
            );
            for token in before {
                let _ = (given_name_group(token), looks_like_patronymic(token), looks_like_surname(token));
                let stem = surname_stem(token);
                prop_assert_eq!(surname_stem(&stem), stem);
                let _ = patronymic_root(token);
            }
        }

        #[test]
        fn female_and_male_surnames_share_a_stem(
            stem in stem(),
            (male, female) in prop::sample::select(vec![("ов", "ова"), ("ев", "ева"), ("ин", "ина"), ("ский", "ская"), ("цкий", "цкая")]),
        ) {
            let key = |s: String| surname_stem(&canonical(&s));
            prop_assert_eq!(key(format!("{stem}{female}")), key(format!("{stem}{male}")), "{}", stem);
        }

        #[test]
        fn a_fathers_name_gives_one_patronymic_root(father in stem()) {
            let root = |s: String| patronymic_root(&canonical_tokens(&s).join(" "));
            let expected = root(format!("{father}ович"));
            for patronymic in [
                format!("{father}овна"),
                format!("{father} улы"),
                format!("{father} қызы"),
                format!("{father}улы"),
                format!("{father} уулу"),
                format!("{father} кызы"),
            ] {
                prop_assert_eq!(root(patronymic.clone()), expected.clone(), "{}", patronymic);
            }
        }
    }
}
