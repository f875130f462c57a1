use super::*;
use crate::record::{Document, PartialDate};
use proptest::prelude::*;

fn key(seed: u8) -> ClkKey {
    let Ok(k) = ClkKey::from_secret(&[seed; 32]) else {
        unreachable!("32 bytes is long enough")
    };
    k
}

fn encoder(seed: u8, options: ClkOptions) -> ClkEncoder {
    match ClkEncoder::new(&key(seed), options) {
        Ok(e) => e,
        Err(e) => unreachable!("valid options: {e}"),
    }
}

fn person(surname: &str, given: &str, patronymic: &str, born: (u16, u8, u8)) -> PersonRecord {
    PersonRecord {
        record_id: "x".into(),
        surname: surname.into(),
        given_name: given.into(),
        patronymic: (!patronymic.is_empty()).then(|| patronymic.into()),
        sex: Some(Sex::Male),
        birth_date: PartialDate::ymd(born.0, born.1, born.2).ok(),
        documents: vec![Document {
            doc_type: "passport".into(),
            number: "4512 345678".into(),
        }],
        ..PersonRecord::default()
    }
}

#[test]
fn one_person_in_two_scripts_encodes_alike() {
    let mut e = encoder(1, ClkOptions::default());
    let cyr = e.encode(&person("Смирнов", "Алексей", "Иванович", (1990, 4, 12)));
    let lat = e.encode(&person("SMIRNOV", "ALEKSEY", "IVANOVICH", (1990, 4, 12)));
    let swapped = e.encode(&person("Aleksei", "Smirnov", "Ivanovich", (1990, 4, 12)));
    assert_eq!(
        dice(cyr.words(), lat.words()),
        1.0,
        "transliteration absorbed"
    );
    assert!(dice(cyr.words(), swapped.words()) > 0.95);
    // A typo and a different document still score high.
    let mut typo = person("Смирнов", "Алексей", "Иванович", (1990, 4, 12));
    typo.surname = "Смирнво".into();
    typo.documents[0].number = "4512 345687".into();
    assert!(dice(cyr.words(), e.encode(&typo).words()) > 0.8);
}

const PLAIN: ClkOptions = ClkOptions {
    bits: 1024,
    fold: false,
    balance: false,
};

#[test]
fn different_persons_score_low() {
    for (options, below) in [(PLAIN, 0.5), (ClkOptions::default(), 0.7)] {
        different_persons_score_below(options, below);
    }
}

fn different_persons_score_below(options: ClkOptions, below: f64) {
    let mut e = encoder(1, options);
    let a = e.encode(&person("Смирнов", "Алексей", "Иванович", (1990, 4, 12)));
    let mut other = person("Петрова", "Мария", "Сергеевна", (1975, 11, 3));
    other.sex = Some(Sex::Female);
    other.documents[0].number = "7702 118822".into();
    let b = e.encode(&other);
    assert!(
        dice(a.words(), b.words()) < below,
        "{}",
        dice(a.words(), b.words())
    );
}

#[test]
fn keys_give_unrelated_encodings_and_fingerprints() {
    let options = PLAIN;
    let r = person("Смирнов", "Алексей", "", (1990, 4, 12));
    let a = encoder(1, options).encode(&r);
    let b = encoder(2, options).encode(&r);
    assert_ne!(a, b);
    // Under two keys one record is no closer to itself than to a stranger.
    assert!(
        dice(a.words(), b.words()) < 0.6,
        "{}",
        dice(a.words(), b.words())
    );
    assert_ne!(key(1).fingerprint(), key(2).fingerprint());
    assert_eq!(key(1).fingerprint(), key(1).fingerprint());
    assert_eq!(key(1).fingerprint().len(), 16);
    // Debug shows the fingerprint, never the secret.
    assert!(!format!("{:?}", key(1)).contains("1, 1, 1"));
    assert!(ClkKey::from_secret(b"short").is_err());
}

#[test]
fn a_bigram_sets_different_bits_in_different_fields() {
    let mut e = encoder(3, ClkOptions::default());
    let s = e.positions(SURNAME, "ab");
    let g = e.positions(GIVEN, "ab");
    assert_ne!(s, g);
    assert_eq!(s.len(), usize::from(FIELDS[SURNAME].bits_per_token));
    assert!(
        s.iter()
            .all(|&p| (p as usize) < ClkOptions::default().base_bits())
    );
}

#[test]
fn folding_and_balancing_keep_the_length() {
    let r = person("Смирнов", "Алексей", "", (1990, 4, 12));
    for (fold, balance) in [(false, false), (true, false), (false, true), (true, true)] {
        let options = ClkOptions {
            bits: 1024,
            fold,
            balance,
        };
        let c = encoder(1, options).encode(&r);
        assert_eq!(c.bits(), 1024);
        assert!(c.popcount() > 0);
        if balance {
            assert_eq!(c.popcount(), 512, "balanced: exactly half set");
        }
    }
    assert!(
        ClkOptions {
            bits: 1000,
            ..ClkOptions::default()
        }
        .validate()
        .is_err()
    );
}

#[test]
fn no_plaintext_in_the_encoding() {
    // The bytes of an encoding do not hold the name or the document number.
    let mut e = encoder(1, ClkOptions::default());
    let c = e.encode(&person("SMIRNOV", "ALEKSEI", "", (1990, 4, 12)));
    let text = c.to_base64();
    let bytes = c.to_bytes();
    for needle in ["SMIRNOV", "smirnov", "345678", "1990"] {
        assert!(!text.contains(needle));
        assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()));
    }
    // A field's bits alone are not the unkeyed hash of its bigrams: the same surname
    // under two keys sets disjoint-looking bit sets.
    let only_surname = PersonRecord {
        surname: "SMIRNOV".into(),
        ..PersonRecord::default()
    };
    let a = encoder(1, PLAIN).encode(&only_surname);
    let b = encoder(9, PLAIN).encode(&only_surname);
    assert!(
        dice(a.words(), b.words()) < 0.4,
        "{}",
        dice(a.words(), b.words())
    );
}

#[test]
fn links_two_sets_one_to_one() {
    let mut e = encoder(5, ClkOptions::default());
    let people = [
        person("Смирнов", "Алексей", "Иванович", (1990, 4, 12)),
        person("Петров", "Иван", "Петрович", (1985, 1, 30)),
        person("Ким", "Виктор", "", (2001, 7, 7)),
    ];
    let mut left = ClkSet::new(1024);
    let mut right = ClkSet::new(1024);
    for (i, p) in people.iter().enumerate() {
        let mut p = p.clone();
        p.documents[0].number = format!("10{i}0 55{i}555");
        left.push(&e.encode(&p)).ok();
        // The right side types Latin, the other way round.
        let mut q = p.clone();
        q.surname = crate::translit::transliterate(&p.surname, crate::translit::System::Icao);
        q.given_name = crate::translit::transliterate(&p.given_name, crate::translit::System::Icao);
        right.push(&e.encode(&q)).ok();
    }
    // A stranger on the right.
    right
        .push(&e.encode(&person("Omarova", "Aigul", "", (1999, 2, 2))))
        .ok();
    for exhaustive in [false, true] {
        let options = EncodedLinkOptions {
            lsh: LshOptions {
                exhaustive,
                ..LshOptions::default()
            },
            ..EncodedLinkOptions::default()
        };
        let Ok(result) = link_encoded(&left, &right, &options) else {
            unreachable!("valid options")
        };
        let pairs: Vec<(u32, u32)> = result.pairs.iter().map(|p| (p.left, p.right)).collect();
        assert_eq!(pairs, [(0, 0), (1, 1), (2, 2)]);
        let Ok(best) = best_matches(&right, &left, &options) else {
            unreachable!("valid options")
        };
        assert!(best[..3].iter().all(Option::is_some));
        assert_eq!(best[3], None);
    }
    let bad = EncodedLinkOptions {
        threshold: 1.5,
        ..EncodedLinkOptions::default()
    };
    assert!(link_encoded(&left, &right, &bad).is_err());
    let mut short = ClkSet::new(512);
    assert!(short.push(&e.encode(&people[0])).is_err());
}

#[test]
fn encodings_file_round_trip() {
    let mut e = encoder(1, ClkOptions::default());
    let c = e.encode(&person("Смирнов", "Алексей", "", (1990, 4, 12)));
    let header = file::Header {
        options: e.options(),
        key_fingerprint: e.fingerprint().to_string(),
    };
    let Ok(row) = file::row("r-1", &c) else {
        unreachable!("valid id")
    };
    let text = format!("{}{row}", header.lines());
    assert!(
        text.starts_with("#shanyrak-encodings scheme=shanyrak-clk/1 bits=1024 fold=0 balance=1")
    );
    let Ok((h, rows)) = file::parse(&text, 10) else {
        unreachable!("round trip")
    };
    assert_eq!(h, header);
    assert_eq!(rows, vec![("r-1".to_string(), c.clone())]);
    // Broken files are refused with the line number.
    let twice = format!("{text}{row}");
    assert!(
        matches!(file::parse(&twice, 10), Err(LinkageError::InvalidEncoding(m)) if m.contains("line 4"))
    );
    assert!(file::parse(&text, 0).is_err());
    assert!(file::parse("id,clk_base64\n", 10).is_err());
    let truncated = text.replace(&c.to_base64(), &c.to_base64()[4..]);
    assert!(file::parse(&truncated, 10).is_err());
    assert!(file::row("a,b", &c).is_err());
    assert!(file::row("#a", &c).is_err());
    assert!(file::row("", &c).is_err());
    let other_scheme = text.replace("shanyrak-clk/1", "shanyrak-clk/9");
    assert!(file::parse(&other_scheme, 10).is_err());
}

proptest! {
    #![proptest_config(crate::proptest_config(64))]

    #[test]
    fn dice_is_symmetric_bounded_and_one_on_itself(
        a in proptest::collection::vec(any::<u64>(), 16),
        b in proptest::collection::vec(any::<u64>(), 16),
    ) {
        let d = dice(&a, &b);
        prop_assert!((0.0..=1.0).contains(&d));
        prop_assert_eq!(d, dice(&b, &a));
        if a.iter().any(|w| *w != 0) {
            prop_assert_eq!(dice(&a, &a), 1.0);
        }
    }

    #[test]
    fn a_transliterated_name_encodes_as_the_cyrillic_one(
        // Real names: nonsense Cyrillic may read better on the Latin keyboard layout,
        // and the shared normalisation then rereads it (crate::layout).
        surname_at in any::<prop::sample::Index>(),
        given_at in any::<prop::sample::Index>(),
        year in 1930u16..2020, month in 1u8..=12, day in 1u8..=28,
    ) {
        let mut e = encoder(7, ClkOptions::default());
        let surnames: Vec<&str> = crate::generate::RU_SURNAMES.split_whitespace().collect();
        let given_names: Vec<&str> = crate::generate::RU_MALE
            .split_whitespace()
            .filter_map(|g| g.split(':').next())
            .collect();
        let surname = surname_at.get(&surnames).to_string();
        let given = given_at.get(&given_names).to_string();
        let cyr = person(&surname, &given, "", (year, month, day));
        let mut lat = cyr.clone();
        lat.surname = crate::translit::transliterate(&surname, crate::translit::System::Icao);
        lat.given_name = crate::translit::transliterate(&given, crate::translit::System::Icao);
        let d = dice(e.encode(&cyr).words(), e.encode(&lat).words());
        prop_assert!(d >= 0.8, "{} / {} vs {} / {}: {}", surname, given, lat.surname, lat.given_name, d);
    }

    #[test]
    fn base64_round_trips(words in proptest::collection::vec(any::<u64>(), 16)) {
        let c = Clk { words: words.into_boxed_slice() };
        prop_assert_eq!(Clk::from_base64(&c.to_base64(), 1024), Ok(c.clone()));
        prop_assert!(Clk::from_base64(&c.to_base64(), 512).is_err());
    }
}
