//! Messages of the web interface in Fluent files (`crates/server/locales/*.ftl`), compiled
//! into the binary, with dates and numbers written the way each language writes them.
//!
//! Russian is the default. English, Kazakh and Kyrgyz have every key Russian has (a test
//! holds this); Kazakh and Kyrgyz must at least cover reception and search, so a screen
//! added later may ship in Russian first: a key a language lacks falls back to Russian,
//! which every volunteer in the region reads, never to a raw key.

use std::collections::BTreeSet;
use std::sync::{LazyLock, Mutex};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::{LanguageIdentifier, langid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Ru,
    En,
    Kk,
    Ky,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Ru, Lang::En, Lang::Kk, Lang::Ky];
    /// Languages that must have every message.
    pub const COMPLETE: [Lang; 4] = [Lang::Ru, Lang::En, Lang::Kk, Lang::Ky];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
            Lang::Kk => "kk",
            Lang::Ky => "ky",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The language's name in itself, for the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ru => "Русский",
            Lang::En => "English",
            Lang::Kk => "Қазақша",
            Lang::Ky => "Кыргызча",
        }
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Lang::Ru => langid!("ru"),
            Lang::En => langid!("en"),
            Lang::Kk => langid!("kk"),
            Lang::Ky => langid!("ky"),
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::Ru => include_str!("../../locales/ru.ftl"),
            Lang::En => include_str!("../../locales/en.ftl"),
            Lang::Kk => include_str!("../../locales/kk.ftl"),
            Lang::Ky => include_str!("../../locales/ky.ftl"),
        }
    }

    /// The best of our languages for an `Accept-Language` header, by its q-values; Russian
    /// when it names none of them.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (position, item) in accept_language.split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            let Some(lang) = Lang::parse(primary) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            // Higher q wins; among equals the one listed first.
            let better = match best {
                None => true,
                Some((best_q, best_position, _)) => {
                    q > best_q || (q == best_q && position < best_position)
                }
            };
            if better {
                best = Some((q, position, lang));
            }
        }
        best.map(|(_, _, l)| l).unwrap_or(Lang::Ru)
    }

    /// Thousands separator: a no-break space in Russian, Kazakh and Kyrgyz (as their
    /// standards write "12 345"), a comma in English.
    fn group_separator(self) -> char {
        match self {
            Lang::En => ',',
            _ => '\u{a0}',
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

fn number_formatter_grouped_space<M>(value: &FluentValue<'_>, _: &M) -> Option<String> {
    match value {
        FluentValue::Number(n) if n.value.fract() == 0.0 => {
            Some(group_digits(n.value as i64, '\u{a0}'))
        }
        _ => None,
    }
}

fn number_formatter_grouped_comma<M>(value: &FluentValue<'_>, _: &M) -> Option<String> {
    match value {
        FluentValue::Number(n) if n.value.fract() == 0.0 => Some(group_digits(n.value as i64, ',')),
        _ => None,
    }
}

fn build_bundle(lang: Lang) -> Bundle {
    let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
    // Unicode isolation marks are for mixing right-to-left text; in these languages they
    // would only show up as stray characters in copied text and tests.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match lang {
        Lang::En => number_formatter_grouped_comma,
        _ => number_formatter_grouped_space,
    }));
    match FluentResource::try_new(lang.source().to_owned()) {
        Ok(resource) => {
            if let Err(errors) = bundle.add_resource(resource) {
                tracing::error!(
                    lang = lang.code(),
                    errors = errors.len(),
                    "duplicate message ids"
                );
            }
        }
        Err((resource, errors)) => {
            tracing::error!(
                lang = lang.code(),
                errors = errors.len(),
                "syntax errors in messages"
            );
            let _ = bundle.add_resource(resource);
        }
    }
    bundle
}

static BUNDLES: LazyLock<Vec<(Lang, Bundle)>> = LazyLock::new(|| {
    Lang::ALL
        .into_iter()
        .map(|l| (l, build_bundle(l)))
        .collect()
});

/// Keys asked for that no language has: a bug the page tests look for.
static MISSING: LazyLock<Mutex<BTreeSet<String>>> = LazyLock::new(Default::default);

fn bundle(lang: Lang) -> Option<&'static Bundle> {
    BUNDLES.iter().find(|(l, _)| *l == lang).map(|(_, b)| b)
}

fn format_in(lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    let bundle = bundle(lang)?;
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::warn!(lang = lang.code(), key, "message formatted with errors");
    }
    Some(text.into_owned())
}

/// The message `key` in `lang`, falling back to Russian, then English. A key no language
/// has comes back as itself and is recorded for the tests.
pub fn message(lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> String {
    if let Some(text) = format_in(lang, key, args)
        .or_else(|| format_in(Lang::Ru, key, args))
        .or_else(|| format_in(Lang::En, key, args))
    {
        return text;
    }
    if let Ok(mut missing) = MISSING.lock() {
        missing.insert(key.to_owned());
    }
    key.to_owned()
}

/// The message if the language (or Russian) has it; nothing is recorded when it does not.
pub fn try_message(lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    format_in(lang, key, args).or_else(|| format_in(Lang::Ru, key, args))
}

/// Keys pages asked for that exist in no message file.
pub fn missing_keys() -> Vec<String> {
    MISSING
        .lock()
        .map(|m| m.iter().cloned().collect())
        .unwrap_or_default()
}

/// Every message id of a language's file.
pub fn keys(lang: Lang) -> BTreeSet<String> {
    FluentResource::try_new(lang.source().to_owned())
        .unwrap_or_else(|(resource, _)| resource)
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// Whether a language's file parses without errors.
pub fn parses(lang: Lang) -> bool {
    FluentResource::try_new(lang.source().to_owned()).is_ok()
}

/// `12345` as `12 345` (Russian) or `12,345` (English).
pub fn group_digits(n: i64, separator: char) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

pub fn format_number(lang: Lang, n: i64) -> String {
    group_digits(n, lang.group_separator())
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date as the language writes it: `26.11.2026` in Russian, Kazakh and Kyrgyz (ГОСТ),
/// `26 Nov 2026` in English.
pub fn format_date(lang: Lang, date: NaiveDate) -> String {
    match lang {
        Lang::En => format!(
            "{} {} {}",
            date.day(),
            EN_MONTHS[date.month0() as usize % 12],
            date.year()
        ),
        _ => date.format("%d.%m.%Y").to_string(),
    }
}

/// Date and time on the deployment's clock (`crate::local_time`).
pub fn format_datetime(lang: Lang, at: DateTime<Utc>) -> String {
    format_datetime_in(lang, crate::local_time::zone(), at)
}

/// Date and time on a given zone's clock: a site's times on the site's own.
pub fn format_datetime_in(lang: Lang, zone: chrono_tz::Tz, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&zone).naive_local();
    format!(
        "{} {}",
        format_date(lang, local.date()),
        local.format("%H:%M")
    )
}

/// A birth date that may be partial: only a year, a month and year, or a full date.
pub fn format_birth_date(lang: Lang, date: &shanyrak_core::BirthDate) -> String {
    match (date.month(), date.as_full_date()) {
        (_, Some(full)) => format_date(lang, full),
        (Some(month), None) => match lang {
            Lang::En => format!("{} {}", EN_MONTHS[(month as usize + 11) % 12], date.year()),
            _ => format!("{month:02}.{}", date.year()),
        },
        (None, None) => date.year().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_on_the_zones_clock_of_their_day() {
        use chrono::TimeZone;
        // The default zone, Almaty: UTC+6 in autumn 2022, UTC+5 since March 2024.
        let evening_2022 = Utc
            .with_ymd_and_hms(2022, 9, 27, 17, 30, 0)
            .single()
            .expect("t");
        assert_eq!(format_datetime(Lang::Ru, evening_2022), "27.09.2022 23:30");
        let evening_2025 = Utc
            .with_ymd_and_hms(2025, 9, 27, 18, 30, 0)
            .single()
            .expect("t");
        assert_eq!(format_datetime(Lang::Ru, evening_2025), "27.09.2025 23:30");
    }

    #[test]
    fn complete_locales_have_the_same_keys() {
        let ru = keys(Lang::Ru);
        assert!(ru.len() > 300, "the Russian file should hold the interface");
        for lang in Lang::COMPLETE {
            let other = keys(lang);
            let missing: Vec<_> = ru.difference(&other).collect();
            let extra: Vec<_> = other.difference(&ru).collect();
            assert!(
                missing.is_empty(),
                "missing in {}: {missing:?}",
                lang.code()
            );
            assert!(
                extra.is_empty(),
                "missing in Russian, present in {}: {extra:?}",
                lang.code()
            );
        }
    }

    #[test]
    fn every_file_parses() {
        for lang in Lang::ALL {
            assert!(parses(lang), "{} has syntax errors", lang.code());
        }
    }

    #[test]
    fn kazakh_and_kyrgyz_cover_reception_and_find() {
        let ru = keys(Lang::Ru);
        let needed: Vec<&String> = ru
            .iter()
            .filter(|k| {
                [
                    "reception-",
                    "find-",
                    "nav-",
                    "login-",
                    "common-",
                    "field-",
                    "enum-",
                    "lang-",
                ]
                .iter()
                .any(|p| k.starts_with(p))
            })
            .collect();
        assert!(needed.len() > 40);
        for lang in [Lang::Kk, Lang::Ky] {
            let have = keys(lang);
            let missing: Vec<_> = needed.iter().filter(|k| !have.contains(**k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            let unknown: Vec<_> = have.difference(&ru).collect();
            assert!(
                unknown.is_empty(),
                "{} has keys Russian lacks: {unknown:?}",
                lang.code()
            );
        }
    }

    #[test]
    fn russian_has_three_plural_forms() {
        let households = |n: i64| {
            let mut args = FluentArgs::new();
            args.set("count", n);
            message(Lang::Ru, "common-households", Some(&args))
        };
        assert_eq!(households(1), "1 домохозяйство");
        assert_eq!(households(3), "3 домохозяйства");
        assert_eq!(households(5), "5 домохозяйств");
        assert_eq!(households(21), "21 домохозяйство");
        assert_eq!(households(12345), "12\u{a0}345 домохозяйств");
        let beds = |n: i64| {
            let mut args = FluentArgs::new();
            for (key, value) in [
                ("capacity", n),
                ("occupied", 0),
                ("reserved", 0),
                ("free", n),
            ] {
                args.set(key, value);
            }
            message(Lang::Ru, "sites-bar-label", Some(&args))
        };
        assert!(beds(84).starts_with("84 места:"), "{}", beds(84));
        assert!(beds(21).starts_with("21 место:"), "{}", beds(21));
        assert!(beds(40).starts_with("40 мест:"), "{}", beds(40));
        let mut args = FluentArgs::new();
        args.set("count", 1);
        assert_eq!(
            message(Lang::En, "common-households", Some(&args)),
            "1 household"
        );
        args.set("count", 12345);
        assert_eq!(
            message(Lang::En, "common-households", Some(&args)),
            "12,345 households"
        );
    }

    #[test]
    fn negotiation_follows_q_values_and_defaults_to_russian() {
        assert_eq!(Lang::negotiate("en-GB,en;q=0.9,ru;q=0.8"), Lang::En);
        assert_eq!(Lang::negotiate("de-DE,kk;q=0.5,en;q=0.4"), Lang::Kk);
        assert_eq!(Lang::negotiate("ky-KG"), Lang::Ky);
        assert_eq!(Lang::negotiate("de,fr"), Lang::Ru);
        assert_eq!(Lang::negotiate(""), Lang::Ru);
        assert_eq!(Lang::negotiate("en;q=0, ru"), Lang::Ru);
    }

    #[test]
    fn dates_and_numbers_are_localised() {
        let d = NaiveDate::from_ymd_opt(2022, 9, 27).unwrap_or_default();
        assert_eq!(format_date(Lang::Ru, d), "27.09.2022");
        assert_eq!(format_date(Lang::En, d), "27 Sep 2022");
        assert_eq!(format_number(Lang::Ru, 1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(format_number(Lang::En, -1234), "-1,234");
        assert_eq!(format_number(Lang::En, 999), "999");
    }

    #[test]
    fn a_missing_key_is_recorded_not_hidden() {
        assert_eq!(
            message(Lang::Ru, "no-such-key-for-test", None),
            "no-such-key-for-test"
        );
        assert!(missing_keys().contains(&"no-such-key-for-test".to_owned()));
    }
}
