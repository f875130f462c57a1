use proptest::prelude::*;

use super::tests::stored;
use super::*;
use crate::DocumentType;
use crate::document::proptests::{iin_for, spelled};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 9, 30).unwrap_or_default()
}

/// Mostly a usable value, sometimes an awkward one, so that both the accepted and
/// the refused paths are exercised.
fn mostly<T: std::fmt::Debug + Clone + 'static>(
    usual: impl Strategy<Value = T> + 'static,
    awkward: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<T> {
    prop_oneof![24 => usual, 1 => awkward].boxed()
}

fn awkward_text() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        Just(String::new()),
        "\\s{1,3}",
        "[a-zа-я]{2,6}[\\x00-\\x1f\\x7f\\u{85}][a-zа-я]{2,6}",
        "[а-я]{199,203}",
        "\\PC{95,105}",
    ]
    .boxed()
}

fn name() -> BoxedStrategy<String> {
    mostly(
        prop_oneof![
            prop::sample::select(vec![
                "Смирнов",
                "Алексей",
                "Игоревич",
                "Әбдірахманұлы",
                "Қайрат",
                "Smirnova",
                "Nurlan",
                "O'Brien",
                "Анна-Мария",
                "Цой",
                "ИВАНОВ",
            ])
            .prop_map(str::to_owned),
            "[А-ЯЁ][а-яё]{1,15}",
            "[A-Z][a-z]{1,15}( [A-Z][a-z]{1,10})?",
        ],
        awkward_text(),
    )
}

fn short_text() -> BoxedStrategy<Option<String>> {
    mostly(
        proptest::option::of(prop_oneof!["[А-Яа-яA-Za-z0-9 ,.-]{1,40}", "\\PC{1,40}"]),
        proptest::option::of(awkward_text()),
    )
}

/// A country code as typed, or absent when `optional`.
fn country(optional: bool) -> BoxedStrategy<Option<String>> {
    let code = prop::sample::select(vec!["KZ", "kg", " RU ", "UZ", "de"]).prop_map(str::to_owned);
    mostly(
        if optional {
            proptest::option::of(code).boxed()
        } else {
            code.prop_map(Some).boxed()
        },
        proptest::option::of(prop_oneof![
            prop::sample::select(vec!["SU", "XX", "RUS", "Р1", "", "zz"]).prop_map(str::to_owned),
            any::<String>(),
        ]),
    )
}

fn date_text(from: i32, to: i32) -> BoxedStrategy<String> {
    let day = (from..=to, 1u32..=12, 1u32..=31)
        .prop_filter_map("no such day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
    mostly(
        prop_oneof![
            day.clone().prop_map(|d| d.format("%Y-%m-%d").to_string()),
            day.prop_map(|d| d.format("%d.%m.%Y").to_string()),
        ],
        prop_oneof![
            any::<String>(),
            "[0-9]{1,4}[-.][0-9]{1,2}[-.][0-9]{1,4}",
            prop::sample::select(vec![
                "2022-10-01",
                "31.09.2022",
                "1989-12-31",
                "2022-02-29",
                "02.03.95"
            ])
            .prop_map(str::to_owned),
        ],
    )
}

fn phone() -> BoxedStrategy<Option<String>> {
    mostly(
        proptest::option::of(prop_oneof![
            "9[0-9]{9}".prop_map(|n| format!(
                "+7 {} {}-{}-{}",
                &n[..3],
                &n[3..6],
                &n[6..8],
                &n[8..]
            )),
            "9[0-9]{9}".prop_map(|n| format!("8 ({}) {}", &n[..3], &n[3..])),
        ]),
        proptest::option::of(prop_oneof![awkward_text(), "[0-9 ()+-]{0,20}"]),
    )
}

fn sex() -> impl Strategy<Value = Sex> {
    prop::sample::select(Sex::ALL.to_vec())
}

/// A document for a person born on `birth` (when known to the day) of sex `sex`:
/// an IIN or PIN that agrees with them, a passport, or a malformed one.
fn document(birth: Option<NaiveDate>, sex: Sex) -> BoxedStrategy<DocumentInput> {
    let national = move |doc_type: DocumentType, number: String| DocumentInput {
        doc_type,
        number: Some(number),
        issuing_country: None,
    };
    let mut usual = vec![
        "[0-9]{10}"
            .prop_flat_map(spelled)
            .prop_map(move |n| national(DocumentType::RuInternalPassport, n))
            .boxed(),
        "[0-9]{9}"
            .prop_map(move |n| national(DocumentType::RuInternationalPassport, n))
            .boxed(),
        "[A-Z]{2}[0-9]{7}"
            .prop_map(|n| DocumentInput {
                doc_type: DocumentType::PassportOther,
                number: Some(n),
                issuing_country: Some("UZ".into()),
            })
            .boxed(),
    ];
    if let Some(birth) = birth {
        let sex = match sex {
            Sex::Unknown => Sex::Female,
            known => known,
        };
        usual.push(
            any::<u16>()
                .prop_filter_map("no check digit", move |serial| {
                    iin_for(birth, sex, serial).map(|n| national(DocumentType::KzId, n))
                })
                .boxed(),
        );
    }
    let usual = proptest::strategy::Union::new(usual);
    let awkward = (
        prop::sample::select(vec![
            DocumentType::RuInternalPassport,
            DocumentType::KzId,
            DocumentType::KgId,
            DocumentType::PassportOther,
            DocumentType::BirthCertificate,
            DocumentType::None,
        ]),
        proptest::option::of(prop_oneof![any::<String>(), "[0-9 -]{0,16}"]),
        country(true),
    )
        .prop_map(|(doc_type, number, issuing_country)| DocumentInput {
            doc_type,
            number,
            issuing_country,
        });
    mostly(usual, awkward)
}

fn member(head: bool) -> BoxedStrategy<MemberInput> {
    let relationship = if head {
        mostly(
            Just(Some(Relationship::Head)),
            proptest::option::of(prop::sample::select(Relationship::ALL.to_vec())),
        )
    } else {
        mostly(
            prop::sample::select(Relationship::ALL[1..].to_vec()).prop_map(Some),
            proptest::option::of(prop::sample::select(Relationship::ALL.to_vec())),
        )
    };
    let birth = mostly(
        prop_oneof![
            date_text(1900, 2022),
            "(19[0-9]{2}|20[01][0-9]|202[0-2])(-(0[1-9]|1[0-2]))?",
        ],
        date_text(1850, 2030),
    );
    (
        (
            name(),
            name(),
            proptest::option::of(name()),
            proptest::option::weighted(0.99, sex()),
        ),
        (birth, any::<bool>(), country(true), relationship),
        (
            proptest::option::weighted(0.1, prop::sample::select((0u128..4).collect::<Vec<_>>())),
            proptest::collection::vec(prop::sample::select(Vulnerability::ALL.to_vec()), 0..=2),
        ),
    )
        .prop_flat_map(
            |(
                (surname, given_name, patronymic, sex),
                (birth_date, estimated, citizenship, relationship),
                (id, vulnerabilities),
            )| {
                let full_birth = parse_full_date(&birth_date).ok();
                let documents = mostly(
                    proptest::collection::vec(
                        document(full_birth, sex.unwrap_or(Sex::Unknown)),
                        0..=2,
                    ),
                    proptest::collection::vec(document(full_birth, Sex::Unknown), 0..=12),
                );
                let vulnerabilities = mostly(
                    Just(vulnerabilities),
                    proptest::collection::vec(
                        prop::sample::select(Vulnerability::ALL.to_vec()),
                        18..=22,
                    ),
                );
                (documents, vulnerabilities).prop_map(move |(documents, vulnerabilities)| {
                    MemberInput {
                        id: id.map(Uuid::from_u128),
                        surname: Some(surname.clone()),
                        given_name: Some(given_name.clone()),
                        patronymic: patronymic.clone(),
                        sex,
                        birth_date: Some(birth_date.clone()),
                        birth_date_estimated: estimated,
                        citizenship: citizenship.clone(),
                        relationship,
                        vulnerabilities,
                        documents,
                    }
                })
            },
        )
        .boxed()
}

fn members() -> BoxedStrategy<Option<Vec<MemberInput>>> {
    let usual = (
        member(true),
        proptest::collection::vec(member(false), 0..=4),
    )
        .prop_map(|(head, mut others)| {
            others.insert(0, head);
            others
        });
    let awkward = prop_oneof![
        Just(Vec::new()),
        proptest::collection::vec(member(false), 1..=3),
        proptest::collection::vec(Just(MemberInput::default()), 49..=52),
    ];
    mostly(usual.prop_map(Some), proptest::option::of(awkward))
}

fn household() -> impl Strategy<Value = HouseholdInput> {
    let languages = mostly(
        proptest::collection::vec(
            prop::sample::select(vec!["ru", "RU", "kk", " ky ", "uz"]).prop_map(str::to_owned),
            0..=3,
        ),
        proptest::collection::vec(prop_oneof!["[a-zа-я]{0,4}", any::<String>()], 0..=22),
    );
    let needs = mostly(
        proptest::collection::vec(prop::sample::select(Need::ALL.to_vec()), 0..=4),
        proptest::collection::vec(prop::sample::select(Need::ALL.to_vec()), 19..=22),
    );
    let location = mostly(
        (country(false), short_text(), name().prop_map(Some)).prop_map(
            |(country, region, city)| {
                Some(LocationInput {
                    country,
                    region,
                    city,
                    place_id: None,
                })
            },
        ),
        proptest::option::of((country(true), short_text(), short_text()).prop_map(
            |(country, region, city)| LocationInput {
                country,
                region,
                city,
                place_id: None,
            },
        )),
    );
    let notes = mostly(
        proptest::option::of("[А-Яа-я0-9 ,.\\n]{0,200}"),
        proptest::option::of(prop_oneof![awkward_text(), "[a-z]{3999,4001}"]),
    );
    (
        (
            mostly(
                prop::sample::select(PopulationGroup::ALL.to_vec()).prop_map(Some),
                Just(None),
            ),
            proptest::option::of(date_text(1985, 2023)),
            short_text(),
            location,
            phone(),
        ),
        (
            languages,
            needs,
            (
                proptest::option::of(any::<bool>()),
                proptest::option::of(any::<bool>()),
            ),
            current_location(),
        ),
        (
            proptest::option::of(prop::sample::select(LegalBasis::ALL.to_vec())),
            mostly(Just(Some(true)), proptest::option::of(any::<bool>())),
            proptest::option::of(prop::sample::select(HouseholdStatus::ALL.to_vec())),
            notes,
            members(),
        ),
    )
        .prop_map(
            |(
                (group, arrival_date, crossing_point, location, phone),
                (
                    languages,
                    needs,
                    (accepts_sex_separation, accepts_several_rooms),
                    current_location,
                ),
                (legal_basis, information_given, status, notes, members),
            )| HouseholdInput {
                group,
                arrival_date,
                crossing_point,
                location,
                current_location,
                phone,
                languages,
                needs,
                accepts_sex_separation,
                accepts_several_rooms,
                legal_basis,
                information_given,
                status,
                notes,
                members,
            },
        )
}

/// Every value typed as free text (the enumerations are the API's own words).
fn typed_values(input: &HouseholdInput) -> Vec<&str> {
    let location = input
        .location
        .iter()
        .flat_map(|l| [&l.country, &l.region, &l.city]);
    let members = input.members.iter().flatten().flat_map(|m| {
        [
            &m.surname,
            &m.given_name,
            &m.patronymic,
            &m.birth_date,
            &m.citizenship,
        ]
        .into_iter()
        .chain(
            m.documents
                .iter()
                .flat_map(|d| [&d.number, &d.issuing_country]),
        )
    });
    [
        &input.arrival_date,
        &input.crossing_point,
        &input.phone,
        &input.notes,
    ]
    .into_iter()
    .chain(location)
    .chain(members)
    .flatten()
    .map(String::as_str)
    .chain(input.languages.iter().map(String::as_str))
    .map(str::trim)
    .collect()
}

/// Mostly absent; else a known place (Oral), an unknown id, coordinates in and out of
/// range, or nothing at all inside.
fn current_location() -> impl Strategy<Value = Option<CurrentLocationInput>> {
    let place = prop_oneof![
        Just(Some(ORAL)),
        Just(Some(1)),
        Just(None),
        any::<Option<u32>>()
    ];
    let coordinates = proptest::option::of((-120.0f64..120.0, -200.0f64..200.0).prop_map(
        |(latitude, longitude)| crate::shelter::Coordinates {
            latitude,
            longitude,
        },
    ));
    mostly(
        Just(None),
        (place, coordinates).prop_map(|(place_id, coordinates)| {
            Some(CurrentLocationInput {
                place_id,
                coordinates,
            })
        }),
    )
}

/// Oral (Уральск) in the place list.
const ORAL: u32 = 608_668;

proptest! {
    #![proptest_config(crate::proptest_config(256))]

    #[test]
    fn any_household_is_answered_with_errors_that_point_and_do_not_echo(input in household()) {
        let ctx = ValidationContext { today: today() };
        let submitted = serde_json::to_value(&input).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match validate(&input, &ctx) {
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                let typed = typed_values(&input);
                for error in &errors.errors {
                    let pointer = error.pointer.strip_prefix('#');
                    prop_assert!(
                        pointer.is_some_and(|p| submitted.pointer(p).is_some()),
                        "{:?} is not in what was submitted", error
                    );
                    prop_assert!(error.detail.is_ascii(), "{:?}", error);
                    for value in typed.iter().filter(|s| s.chars().count() >= 5) {
                        prop_assert!(!error.detail.contains(value), "{:?} repeats {:?}", error, value);
                    }
                }
            }
            Ok(valid) => {
                prop_assert_eq!(valid.members.iter().filter(|m| m.relationship == Relationship::Head).count(), 1);
                prop_assert!(valid.members.len() <= MAX_MEMBERS);
                let again = validate(&stored(&valid).to_input(), &ctx)
                    .map_err(|e| TestCaseError::fail(format!("stored form no longer valid: {e:?}")))?;
                let mut again_without_ids = again.clone();
                for (m, original) in again_without_ids.members.iter_mut().zip(&valid.members) {
                    m.id = original.id;
                }
                prop_assert_eq!(again_without_ids, valid);
            }
        }
    }
}
