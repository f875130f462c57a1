//! The demo's big picture: a week of autumn 2022 generated deterministically (the same
//! seed gives the same registry): tens of thousands of arrivals in nine cities of
//! Kazakhstan and Kyrgyzstan, names written as real lists write them (Cyrillic, Latin
//! transliterations, typos, a dropped patronymic), people registered by two organisations,
//! people displaced by the September border conflict and returning migrants in Bishkek and
//! Osh, a few hundred shelters, stays, waiting lists, stock and distributions.

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shanyrak_core::household::validate;
use shanyrak_core::shelter::{
    Amenities, Coordinates, HouseRules, PoolKind, SiteInput, SiteKind, StayStatus, validate_pool,
    validate_site,
};
use shanyrak_core::{
    Actor, DocumentInput, DocumentType, HouseholdInput, LocationInput, MemberInput, Need,
    PopulationGroup, Relationship, Sex, ValidatedHousehold, ValidationContext, Vulnerability,
};
use shanyrak_store::{Principal, Store};

use crate::demo::pool;

/// Households generated; with their members about 21,000 people.
pub const HOUSEHOLDS: usize = 11_000;
// The day mobilisation was announced.
const SEED: u64 = 20_220_921;

/// City, country, coordinates, share of arrivals, crossing points, sites.
struct City {
    name: &'static str,
    country: &'static str,
    lat: f64,
    lon: f64,
    share: f64,
    crossings: &'static [&'static str],
    sites: usize,
}

const CITIES: &[City] = &[
    City {
        name: "Oral",
        country: "KZ",
        lat: 51.23,
        lon: 51.37,
        share: 0.24,
        crossings: &["Сырым", "Таскала"],
        sites: 40,
    },
    City {
        name: "Aktobe",
        country: "KZ",
        lat: 50.28,
        lon: 57.17,
        share: 0.07,
        crossings: &["Жайсан"],
        sites: 20,
    },
    City {
        name: "Kostanay",
        country: "KZ",
        lat: 53.21,
        lon: 63.62,
        share: 0.10,
        crossings: &["Карасу", "Денисовка"],
        sites: 25,
    },
    City {
        name: "Petropavl",
        country: "KZ",
        lat: 54.87,
        lon: 69.15,
        share: 0.08,
        crossings: &["Кайрак", "Жана Жол"],
        sites: 22,
    },
    City {
        name: "Semey",
        country: "KZ",
        lat: 50.41,
        lon: 80.23,
        share: 0.05,
        crossings: &["Аул"],
        sites: 15,
    },
    City {
        name: "Astana",
        country: "KZ",
        lat: 51.13,
        lon: 71.43,
        share: 0.12,
        crossings: &["Аэропорт Астана"],
        sites: 30,
    },
    City {
        name: "Almaty",
        country: "KZ",
        lat: 43.24,
        lon: 76.89,
        share: 0.18,
        crossings: &["Аэропорт Алматы"],
        sites: 40,
    },
    City {
        name: "Бишкек",
        country: "KG",
        lat: 42.87,
        lon: 74.59,
        share: 0.10,
        crossings: &["Аэропорт Манас"],
        sites: 30,
    },
    City {
        name: "Osh",
        country: "KG",
        lat: 40.51,
        lon: 72.80,
        share: 0.06,
        crossings: &["Аэропорт Ош", "Дустук"],
        sites: 20,
    },
];

const MALE: &[&str] = &[
    "Александр",
    "Алексей",
    "Андрей",
    "Антон",
    "Артём",
    "Борис",
    "Вадим",
    "Валентин",
    "Василий",
    "Виктор",
    "Виталий",
    "Владимир",
    "Владислав",
    "Глеб",
    "Григорий",
    "Даниил",
    "Денис",
    "Дмитрий",
    "Евгений",
    "Егор",
    "Иван",
    "Игорь",
    "Илья",
    "Кирилл",
    "Константин",
    "Леонид",
    "Максим",
    "Михаил",
    "Никита",
    "Николай",
    "Олег",
    "Павел",
    "Пётр",
    "Роман",
    "Руслан",
    "Сергей",
    "Станислав",
    "Степан",
    "Тимур",
    "Фёдор",
    "Юрий",
    "Ярослав",
];
const FEMALE: &[&str] = &[
    "Александра",
    "Алина",
    "Анастасия",
    "Анна",
    "Валентина",
    "Валерия",
    "Вера",
    "Виктория",
    "Галина",
    "Дарья",
    "Екатерина",
    "Елена",
    "Елизавета",
    "Ирина",
    "Ксения",
    "Любовь",
    "Марина",
    "Мария",
    "Наталья",
    "Нина",
    "Ольга",
    "Полина",
    "Светлана",
    "Софья",
    "Татьяна",
    "Юлия",
];
const SURNAMES: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
];
const KYRGYZ_MALE: &[&str] = &[
    "Азамат",
    "Бакыт",
    "Данияр",
    "Эрлан",
    "Жоомарт",
    "Нурлан",
    "Талант",
    "Улан",
    "Адилет",
    "Бектур",
];
const KYRGYZ_FEMALE: &[&str] = &[
    "Айгерим",
    "Асель",
    "Бурул",
    "Гулзат",
    "Жылдыз",
    "Назгүл",
    "Нуриза",
    "Чолпон",
    "Айпери",
    "Мээрим",
];
const KYRGYZ_SURNAMES: &[&str] = &[
    "Абдыкадыров",
    "Асанов",
    "Бакиров",
    "Жумабаев",
    "Исаков",
    "Кадыров",
    "Мамытов",
    "Осмонов",
    "Садыков",
    "Токтогулов",
    "Усенов",
    "Эсенбаев",
];

/// Registering organisations per city (index into the organisation list), with weights.
fn registrars_of(city: &str) -> &'static [(usize, f64)] {
    // 0 Кайнар, 1 UNHCR, 2 Жардам, 3 migration service, 4 IOM, 5 Red Crescent, 6 Ковчег
    // (the order `demo::seed` creates them in).
    match city {
        "Oral" => &[(0, 0.6), (1, 0.2), (5, 0.2)],
        "Almaty" => &[(6, 0.5), (1, 0.3), (4, 0.2)],
        "Astana" => &[(3, 0.5), (4, 0.5)],
        "Бишкек" | "Osh" => &[(2, 0.7), (1, 0.3)],
        _ => &[(5, 0.6), (3, 0.4)],
    }
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn weighted(rng: &mut StdRng, items: &[(usize, f64)]) -> usize {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items.last().map(|(i, _)| *i).unwrap_or(0)
}

fn feminine(surname: &str) -> String {
    if let Some(stem) = surname.strip_suffix("ий") {
        format!("{stem}ая")
    } else if surname.ends_with("ов")
        || surname.ends_with("ев")
        || surname.ends_with("ёв")
        || surname.ends_with("ин")
    {
        format!("{surname}а")
    } else {
        surname.to_owned()
    }
}

fn patronymic(father: &str, sex: Sex) -> String {
    let (male, female) = match father {
        "Илья" => ("Ильич".to_owned(), "Ильинична".to_owned()),
        "Никита" => ("Никитич".to_owned(), "Никитична".to_owned()),
        "Пётр" => ("Петрович".to_owned(), "Петровна".to_owned()),
        "Павел" => ("Павлович".to_owned(), "Павловна".to_owned()),
        "Лев" => ("Львович".to_owned(), "Львовна".to_owned()),
        f if f.ends_with('й') => {
            let stem = &f[..f.len() - 'й'.len_utf8()];
            (format!("{stem}евич"), format!("{stem}евна"))
        }
        f if f.ends_with('ь') => {
            let stem = &f[..f.len() - 'ь'.len_utf8()];
            (format!("{stem}евич"), format!("{stem}евна"))
        }
        f => (format!("{f}ович"), format!("{f}овна")),
    };
    if sex == Sex::Female { female } else { male }
}

/// Latin as passports and hurried volunteers write it.
fn latin(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let upper = c.is_uppercase();
        let lower = c.to_lowercase().next().unwrap_or(c);
        let t = match lower {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' => "e",
            'ё' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' => "ie",
            'ы' => "y",
            'ь' => "",
            'э' => "e",
            'ю' => "iu",
            'я' => "ia",
            'ү' => "u",
            _ => {
                out.push(c);
                continue;
            }
        };
        if upper {
            let mut chars = t.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(t);
        }
    }
    out
}

/// One of the ways a second list writes the same person.
fn variant(rng: &mut StdRng, m: &mut MemberInput) {
    match rng.random_range(0..4) {
        0 => {
            m.surname = m.surname.as_deref().map(|s| latin(s).to_uppercase());
            m.given_name = m.given_name.as_deref().map(|s| latin(s).to_uppercase());
            m.patronymic = None;
        }
        1 => m.patronymic = None,
        2 => {
            // A typo: two letters swapped in the surname.
            if let Some(s) = &m.surname {
                let mut chars: Vec<char> = s.chars().collect();
                if chars.len() > 4 {
                    chars.swap(2, 3);
                }
                m.surname = Some(chars.into_iter().collect());
            }
        }
        _ => {
            m.surname = m.surname.as_deref().map(|s| s.replace('ё', "е"));
            m.documents.clear();
        }
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn birth(rng: &mut StdRng, min_age: i32, max_age: i32) -> String {
    let year = 2022 - rng.random_range(min_age..=max_age);
    let day = date(year, 1, 1) + Duration::days(rng.random_range(0..365));
    day.format("%Y-%m-%d").to_string()
}

fn digits(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn member(
    rng: &mut StdRng,
    surname: &str,
    given: &str,
    father: Option<&str>,
    sex: Sex,
    birth_date: String,
    relationship: Relationship,
    citizenship: &str,
    passport: bool,
) -> MemberInput {
    let surname = if sex == Sex::Female {
        feminine(surname)
    } else {
        surname.to_owned()
    };
    let adult = birth_date
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .is_some_and(|y| y <= 2004);
    let mut vulnerabilities = Vec::new();
    if !adult {
        vulnerabilities.push(Vulnerability::Child);
    }
    if birth_date
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .is_some_and(|y| y <= 1960)
    {
        vulnerabilities.push(Vulnerability::OlderPerson);
    }
    if adult && rng.random_bool(0.02) {
        vulnerabilities.push(Vulnerability::Disability);
    }
    MemberInput {
        surname: Some(surname),
        given_name: Some(given.to_owned()),
        patronymic: father.map(|f| patronymic(f, sex)),
        sex: Some(sex),
        birth_date: Some(birth_date),
        citizenship: Some(citizenship.to_owned()),
        relationship: Some(relationship),
        vulnerabilities,
        documents: if passport && adult {
            vec![DocumentInput {
                doc_type: DocumentType::RuInternalPassport,
                number: Some(digits(rng, 10)),
                issuing_country: None,
            }]
        } else {
            Vec::new()
        },
        ..MemberInput::default()
    }
}

/// A household as it arrived: who, where, when.
struct Arrival {
    input: HouseholdInput,
    organisation: usize,
    registered_at: DateTime<Utc>,
}

fn arrival(rng: &mut StdRng, city: &City, day: NaiveDate) -> HouseholdInput {
    let conflict = city.country == "KG" && rng.random_bool(0.15);
    let returnee = city.country == "KG" && !conflict && rng.random_bool(0.1);
    let (group, citizenship) = if conflict {
        (PopulationGroup::Idp, "KG")
    } else if returnee {
        (PopulationGroup::Returnee, "KG")
    } else {
        (PopulationGroup::Arrival, "RU")
    };
    let kyrgyz = conflict || returnee;
    let surname = *pick(rng, if kyrgyz { KYRGYZ_SURNAMES } else { SURNAMES });
    let male_names = if kyrgyz { KYRGYZ_MALE } else { MALE };
    let female_names = if kyrgyz { KYRGYZ_FEMALE } else { FEMALE };
    let father = |rng: &mut StdRng| (!kyrgyz).then(|| *pick(rng, MALE));
    let passport = !kyrgyz;
    let roll = rng.random::<f64>();
    // One member: a name from `names`, born between `ages` years ago.
    let person = |rng: &mut StdRng,
                  names: &[&str],
                  father: Option<&str>,
                  sex: Sex,
                  ages: (i32, i32),
                  relationship: Relationship,
                  passport: bool| {
        let given = *pick(rng, names);
        let born = birth(rng, ages.0, ages.1);
        member(
            rng,
            surname,
            given,
            father,
            sex,
            born,
            relationship,
            citizenship,
            passport,
        )
    };
    let mut members = Vec::new();
    if !kyrgyz && roll < 0.62 {
        // Most who crossed in that week were men of call-up age, alone.
        let f = father(rng);
        members.push(person(
            rng,
            male_names,
            f,
            Sex::Male,
            (19, 45),
            Relationship::Head,
            passport,
        ));
    } else if !kyrgyz && roll < 0.8 {
        let (fh, fw) = (father(rng), father(rng));
        members.push(person(
            rng,
            male_names,
            fh,
            Sex::Male,
            (22, 45),
            Relationship::Head,
            passport,
        ));
        members.push(person(
            rng,
            female_names,
            fw,
            Sex::Female,
            (20, 42),
            Relationship::Spouse,
            passport,
        ));
    } else {
        let head_name = *pick(rng, male_names);
        let (fh, fw) = (father(rng), father(rng));
        let born = birth(rng, 25, 55);
        members.push(member(
            rng,
            surname,
            head_name,
            fh,
            Sex::Male,
            born,
            Relationship::Head,
            citizenship,
            passport,
        ));
        members.push(person(
            rng,
            female_names,
            fw,
            Sex::Female,
            (23, 50),
            Relationship::Spouse,
            passport,
        ));
        let father_name = (!kyrgyz).then_some(head_name);
        for _ in 0..rng.random_range(1..=3) {
            let (sex, names) = if rng.random_bool(0.5) {
                (Sex::Male, male_names)
            } else {
                (Sex::Female, female_names)
            };
            members.push(person(
                rng,
                names,
                father_name,
                sex,
                (0, 16),
                Relationship::Child,
                false,
            ));
        }
        if rng.random_bool(0.15) {
            let f = father(rng);
            members.push(person(
                rng,
                female_names,
                f,
                Sex::Female,
                (62, 80),
                Relationship::Parent,
                passport,
            ));
        }
    }
    let mut needs = Vec::new();
    if rng.random_bool(if kyrgyz { 0.8 } else { 0.55 }) {
        needs.push(Need::Shelter);
    }
    if rng.random_bool(0.4) {
        needs.push(Need::Food);
    }
    if rng.random_bool(0.1) {
        needs.push(Need::Legal);
    }
    if rng.random_bool(0.15) {
        needs.push(Need::OnwardTravel);
    }
    HouseholdInput {
        group: Some(group),
        arrival_date: Some(day.format("%Y-%m-%d").to_string()),
        crossing_point: (!conflict).then(|| pick(rng, city.crossings).to_string()),
        location: Some(LocationInput {
            country: Some(city.country.into()),
            region: None,
            city: Some(city.name.into()),
            place_id: None,
        }),
        phone: (!kyrgyz && rng.random_bool(0.7)).then(|| {
            format!(
                "+7 9{} {} {}",
                digits(rng, 2),
                digits(rng, 3),
                digits(rng, 4)
            )
        }),
        languages: vec![if kyrgyz { "ky".into() } else { "ru".into() }],
        needs,
        accepts_sex_separation: Some(rng.random_bool(0.5)),
        // Families of six or more are larger than most family rooms.
        accepts_several_rooms: Some(members.len() >= 6),
        legal_basis: Some(shanyrak_core::LegalBasis::Consent),
        information_given: Some(true),
        members: Some(members),
        ..HouseholdInput::default()
    }
}

/// Arrivals over the ten days after 21 September 2022, with re-registrations.
fn arrivals(rng: &mut StdRng) -> Vec<Arrival> {
    let first_day = date(2022, 9, 22);
    let mut out = Vec::with_capacity(HOUSEHOLDS + HOUSEHOLDS / 20);
    let shares: Vec<(usize, f64)> = CITIES
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c.share))
        .collect();
    for _ in 0..HOUSEHOLDS {
        // Arrivals peaked on the 25th–27th.
        let day = first_day
            + Duration::days(weighted(
                rng,
                &[
                    (0, 0.04),
                    (1, 0.08),
                    (2, 0.12),
                    (3, 0.17),
                    (4, 0.17),
                    (5, 0.14),
                    (6, 0.1),
                    (7, 0.07),
                    (8, 0.06),
                    (9, 0.05),
                ],
            ) as i64);
        let city = &CITIES[weighted(rng, &shares)];
        let input = arrival(rng, city, day);
        let organisation = weighted(rng, registrars_of(city.name));
        let registered_at = Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap_or_default())
            + Duration::minutes(rng.random_range(0..14 * 60));
        // Some are registered again: by a partner in the same city, or a second time by
        // the same organisation (at the border, then at the shelter), as another spelling.
        let again = rng.random::<f64>();
        if again < 0.06 {
            let mut copy = input.clone();
            if let Some(members) = copy.members.as_mut() {
                for m in members.iter_mut() {
                    variant(rng, m);
                }
            }
            let other = if again < 0.015 {
                organisation
            } else {
                weighted(rng, registrars_of(city.name))
            };
            out.push(Arrival {
                input: copy,
                organisation: other,
                registered_at: registered_at + Duration::hours(rng.random_range(2..48)),
            });
        }
        out.push(Arrival {
            input,
            organisation,
            registered_at,
        });
    }
    out
}

/// Registers every generated household; returns how many people.
pub async fn seed_arrivals(store: &Store, registrars: &[Actor]) -> Result<usize> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let ctx = ValidationContext {
        today: date(2022, 10, 2).max(Utc::now().date_naive()),
    };
    let mut by_org: Vec<Vec<(ValidatedHousehold, DateTime<Utc>)>> =
        vec![Vec::new(); registrars.len()];
    let mut people = 0;
    for a in arrivals(&mut rng) {
        match validate(&a.input, &ctx) {
            Ok(h) => {
                people += h.members.len();
                by_org[a.organisation.min(registrars.len() - 1)].push((h, a.registered_at));
            }
            // A generated variant can break a rule (a typo in a checksummed number): left
            // out, as a volunteer's form would be refused.
            Err(_) => continue,
        }
    }
    for (org, households) in by_org.iter_mut().enumerate() {
        households.sort_by_key(|(_, at)| *at);
        for chunk in households.chunks(1_000) {
            store
                .create_households_bulk(&registrars[org], chunk)
                .await
                .context("could not register the demo week")?;
        }
    }
    Ok(people)
}

/// A few hundred shelters of the kinds that opened, sized as they were.
pub async fn seed_sites(store: &Store, managers: &[Actor], now: DateTime<Utc>) -> Result<usize> {
    let mut rng = StdRng::seed_from_u64(SEED + 1);
    let mut count = 0;
    for city in CITIES {
        for n in 0..city.sites {
            let kind = *pick(
                &mut rng,
                &[
                    SiteKind::SportsHall,
                    SiteKind::Mosque,
                    SiteKind::School,
                    SiteKind::Hostel,
                    SiteKind::Dormitory,
                    SiteKind::Hotel,
                    SiteKind::Cinema,
                    SiteKind::PrivateAccommodation,
                    SiteKind::PrivateAccommodation,
                ],
            );
            let (name, segregated, pools) = match kind {
                SiteKind::SportsHall => (
                    format!("Спорткомплекс № {}", n + 1),
                    true,
                    vec![
                        pool(PoolKind::MaleDorm, rng.random_range(40..150), 4, None),
                        pool(PoolKind::FemaleDorm, rng.random_range(20..60), 2, None),
                    ],
                ),
                SiteKind::Mosque => (
                    format!("Мечеть № {}", n + 1),
                    true,
                    vec![pool(PoolKind::MaleDorm, rng.random_range(30..100), 0, None)],
                ),
                SiteKind::School => (
                    format!("Школа № {}", n + 10),
                    false,
                    vec![
                        pool(PoolKind::Mixed, rng.random_range(30..80), 4, None),
                        pool(PoolKind::FamilyRoom, 24, 0, Some(6)),
                    ],
                ),
                SiteKind::Hostel => (
                    format!("Хостел № {}", n + 1),
                    false,
                    vec![
                        pool(
                            PoolKind::FamilyRoom,
                            4 * rng.random_range(4..12),
                            4,
                            Some(4),
                        ),
                        pool(PoolKind::Mixed, rng.random_range(10..30), 2, None),
                    ],
                ),
                SiteKind::Dormitory => (
                    format!("Общежитие колледжа № {}", n + 1),
                    true,
                    vec![
                        pool(PoolKind::MaleDorm, rng.random_range(30..90), 2, None),
                        pool(PoolKind::FemaleDorm, rng.random_range(20..60), 2, None),
                    ],
                ),
                SiteKind::Hotel => (
                    format!("Гостиница № {}", n + 1),
                    false,
                    vec![pool(
                        PoolKind::FamilyRoom,
                        4 * rng.random_range(5..20),
                        8,
                        Some(4),
                    )],
                ),
                SiteKind::Cinema => (
                    format!("Кинотеатр № {}", n + 1),
                    false,
                    vec![pool(PoolKind::Mixed, rng.random_range(40..120), 6, None)],
                ),
                _ => (
                    format!("Квартира волонтёра № {}", n + 1),
                    false,
                    vec![pool(PoolKind::FamilyRoom, 4, 0, Some(4))],
                ),
            };
            let rules = HouseRules {
                sex_segregated: segregated,
                children_allowed: kind != SiteKind::Mosque,
                max_nights: Some(if kind == SiteKind::PrivateAccommodation {
                    30
                } else {
                    14
                }),
                check_in_from: Some("08:00".into()),
                check_in_until: Some("23:00".into()),
            };
            let site = validate_site(&SiteInput {
                name: Some(name),
                kind: Some(kind),
                location: Some(LocationInput {
                    country: Some(city.country.into()),
                    region: None,
                    city: Some(city.name.into()),
                    place_id: None,
                }),
                coordinates: Some(Coordinates {
                    latitude: city.lat + rng.random_range(-0.05..0.05),
                    longitude: city.lon + rng.random_range(-0.05..0.05),
                }),
                rules: Some(rules.clone()),
                amenities: Some(Amenities {
                    heating: true,
                    showers: kind != SiteKind::Mosque,
                    meals: kind != SiteKind::PrivateAccommodation,
                    step_free: rng.random_bool(0.5),
                }),
                ..SiteInput::default()
            })
            .map_err(|e| anyhow::anyhow!("demo site is invalid: {:?}", e.errors))?;
            let organisation = weighted(&mut rng, registrars_of(city.name));
            let manager = &managers[organisation.min(managers.len() - 1)];
            let view = store.create_site(manager, &site, now).await?;
            for p in pools {
                let spec = validate_pool(&p, &rules)
                    .map_err(|e| anyhow::anyhow!("demo pool is invalid: {:?}", e.errors))?;
                store.add_pool(manager, view.site.id, &spec, now).await?;
            }
            count += 1;
        }
    }
    Ok(count)
}

/// Beds for part of those who need them: proposals accepted as reservations, most of
/// them checked in, the rest still on the waiting list.
pub async fn seed_stays(store: &Store, managers: &[Actor], now: DateTime<Utc>) -> Result<usize> {
    let by = Principal::System("demo");
    let mut placed = 0;
    for city in CITIES {
        let settings = shanyrak_server::dispatch::ProposalSettings {
            city: Some(city.name.into()),
            max_travel_km: Some(0.0),
            // Leave room, and a waiting list, for the dispatcher to work with.
            max_batch_share: Some(0.7),
        };
        let batch = shanyrak_server::dispatch::propose(store, &by, &settings, now)
            .await
            .map_err(|e| anyhow::anyhow!("demo placement: {e}"))?;
        let input = shanyrak_server::dispatch::DecisionInput {
            accept_all: true,
            reservation_hours: Some(48),
            ..Default::default()
        };
        let results = shanyrak_server::dispatch::decide(store, &by, batch.id, &input, now)
            .await
            .map_err(|e| anyhow::anyhow!("demo placement: {e}"))?;
        placed += results.iter().filter(|r| r.outcome == "accepted").count();
    }
    tracing::info!(placed, "demo week: reservations made");
    // Most arrived and checked in; each site's manager does it.
    let mut checked = 0usize;
    for manager in managers {
        for site in store.list_sites(manager, None, now).await? {
            if site.site.organisation_id != manager.organisation_id {
                continue;
            }
            for r in store.residents(manager, site.site.id, 3, now).await? {
                if r.stay.status == StayStatus::Reserved && checked % 5 != 4 {
                    store
                        .change_stay(manager, r.stay.id, StayStatus::CheckedIn, now)
                        .await?;
                }
                checked += 1;
            }
        }
    }
    Ok(placed)
}

/// Possible duplicates within each organisation, found by the identity index and queued
/// for review in one transaction per organisation (the same pairs registration would
/// queue one household at a time).
pub async fn seed_review_queue(store: &Store, registrars: &[Actor]) -> Result<usize> {
    let index = shanyrak_server::identity::IdentityIndex::build(store).await?;
    let mut pairs: Vec<Vec<shanyrak_store::ProposedPair>> = vec![Vec::new(); registrars.len()];
    let mut after = None;
    loop {
        let page = store.households_page(after, 2_000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for h in &page {
            let Some(org) = registrars
                .iter()
                .position(|r| r.organisation_id == h.organisation_id)
            else {
                continue;
            };
            for m in &h.members {
                let record = shanyrak_server::identity::person_record(m, h.phone.as_ref());
                for c in index.possible_duplicates(&[h.organisation_id], &record, h.id, 3)? {
                    // Each pair once: from the member with the smaller id.
                    if m.id < c.person_id {
                        pairs[org].push(shanyrak_store::ProposedPair {
                            person: m.id,
                            other: c.person_id,
                            probability: c.probability,
                            evidence: c.evidence.clone(),
                        });
                    }
                }
            }
        }
    }
    let mut queued = 0;
    for (org, found) in pairs.iter().enumerate() {
        queued += store
            .enqueue_duplicates(&registrars[org], found, Utc::now())
            .await?;
    }
    Ok(queued)
}

/// Food and water handed out at Кайнар's point in Oral to the households it registered,
/// so the distribution reports, stock levels and entitlements have a history.
pub async fn seed_distributions(
    store: &Store,
    distributor: &Actor,
    lister: &Actor,
    now: DateTime<Utc>,
) -> Result<usize> {
    use shanyrak_core::essentials::{DistributionInput, LineInput, validate_distribution};
    let Some(point) = store.list_points(distributor).await?.into_iter().next() else {
        return Ok(0);
    };
    let items = store.list_items(distributor).await?;
    let item = |code: &str| items.iter().find(|i| i.code == code).map(|i| i.id);
    let (Some(food), Some(water)) = (item("food_parcel"), item("water_5l")) else {
        return Ok(0);
    };
    // Households of the organisation, read as its registrar would list them.
    let ids: Vec<uuid::Uuid> = store
        .list_households(
            lister,
            &shanyrak_store::HouseholdFilter {
                city: Some("Oral".into()),
                group: None,
                status: None,
                registered_since: None,
                after: None,
                limit: 200,
            },
        )
        .await?
        .iter()
        .map(|h| h.id)
        .collect();
    let mut given = 0;
    for id in ids {
        let input = DistributionInput {
            household_id: Some(id),
            point_id: Some(point.id),
            lines: vec![
                LineInput {
                    item_id: Some(food),
                    quantity: Some(1),
                    person_ids: None,
                },
                LineInput {
                    item_id: Some(water),
                    quantity: Some(1),
                    person_ids: None,
                },
            ],
            override_reason: None,
        };
        let Ok(request) = validate_distribution(&input) else {
            continue;
        };
        // Entitlements or stock may refuse one; the demo goes on with the others.
        if store
            .record_distribution(distributor, &request, None, now)
            .await
            .is_ok()
        {
            given += 1;
        }
    }
    Ok(given)
}
