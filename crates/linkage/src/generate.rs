//! A labelled generator of realistic registrations, for tests and benchmarks.
//!
//! It first invents *persons* in households (lone men fleeing mobilisation, couples,
//! families with children, twins born the same day who are different people), then
//! writes each person down the way volunteers do, one to five times, and a few persons
//! ten to forty times: in Cyrillic or in Latin by ICAO 9303, BGN/PCGN, GOST 7.79 B, the
//! older passport tables or by ear (the generator's own tables, never the crate's
//! transliterator, so the test does not grade the matcher against itself); in capitals;
//! with a diminutive; with surname and given name swapped or the whole name in one
//! field; without the patronymic; with Latin homoglyphs in Cyrillic words; with a
//! neighbouring key pressed; on the wrong keyboard layout; a woman's surname with or
//! without its feminine ending; with day and month swapped or the year off by one; with
//! the phone as `8 912…` or `+7 (912)…`; with documents missing, mistyped, retyped with
//! `№` or without their series. Kazakh and Kyrgyz names appear with their own letters or
//! Russian approximations and `-ұлы/-улы/уулу/-қызы/кызы` patronymics or none.
//! [`LabelledRecord::variations`] says which habits each record shows.
//!
//! Randomness comes only from the caller's RNG (for example
//! `rand_chacha::ChaCha8Rng::seed_from_u64(42)`), so a seed reproduces a data set exactly.

use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};

use crate::record::{Document, PartialDate, PersonRecord, Sex};

mod spell;

use spell::{Spelling, spell, wrong_layout};

/// Generator settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeneratorConfig {
    /// Number of records to produce.
    pub records: usize,
    /// Probability that a child in a household has a twin.
    pub twin_rate: f64,
    /// Probability that a record is written in Latin letters.
    pub latin_rate: f64,
    /// Multiplier for all error rates (1.0 = realistic defaults, 0.0 = clean).
    pub noise: f64,
    /// Probability that a person is registered more than once (1 to 4 extra records).
    pub repeat_rate: f64,
    /// Probability that a person is registered 10 to 40 times: someone who moves between
    /// shelters and aid points and is written down at every one.
    pub frequent_rate: f64,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            records: 10_000,
            twin_rate: 0.08,
            latin_rate: 0.45,
            noise: 1.0,
            repeat_rate: 0.6,
            frequent_rate: 0.004,
        }
    }
}

/// A generated record and the person it really describes.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledRecord {
    /// The registration as typed.
    pub record: PersonRecord,
    /// The true person.
    pub person: u32,
    /// The desk habits this record shows, so that tests can measure each one.
    pub variations: Vec<Variation>,
}

/// A desk habit the generator applied to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variation {
    /// The names typed with the wrong keyboard layout (`Bdfyjd` for `Иванов`, `Шмфтщм`
    /// for `Ivanov`).
    WrongLayout,
    /// A woman's surname written without its feminine ending (`Иванов` for `Иванова`).
    SurnameWithoutFeminineEnding,
    /// A Kazakh or Kyrgyz patronymic written with another marker form (`уулу`, `улы`,
    /// `ұлы`, `кызы`, `қызы`, attached or apart) or without a marker.
    PatronymicMarker,
    /// Latin by ICAO 9303.
    Icao,
    /// Latin by an older system or by ear (BGN/PCGN, GOST 7.79 B, GOST R 52535.1, the
    /// pre-2010 MVD table, by ear).
    OlderLatin,
    /// Day and month of the birth date swapped.
    DayMonthSwapped,
    /// A document number retyped with `№` and spaces.
    DocumentRetyped,
    /// A document number without its series.
    DocumentWithoutSeries,
    /// A record of a person registered ten times or more.
    Frequent,
}

pub(crate) const RU_SURNAMES: &str = "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров \
Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров \
Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов \
Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов \
Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов \
Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов \
Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков \
Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов \
Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев \
Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов \
Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Еремин Тихомиров Галкин \
Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин \
Митрофанов Воронов Аксёнов Софронов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев \
Рыбаков Сафонов Плотников Дёмин Хохлов Жданов Шевченко Бондаренко Ткаченко Кравченко Коваленко \
Олейник Мельник Полищук Ковальчук Островский Вишневский Завьялов Юсупов Хабибуллин Гарипов Галиев \
Цой Ким Пак Хуснутдинов Шайхутдинов Зиннатуллин Ахмадуллин Щукин Чайковский Рождественский";

const KZ_SURNAMES: &str = "Нұрланов Ахметов Жұмабаев Сейітқали Қасымов Оспанов Абдрахманов Искаков \
Кенжебаев Төлегенов Байжанов Сәрсенбаев Мұқашев Ержанов Бекмұханбетов Әбілов Шәріпов Ғалымжанов";

const KG_SURNAMES: &str = "Асанов Токтогулов Жээнбеков Мамытов Осмонов Абдыкадыров Сыдыков Бакиев \
Турдубаев Эсенов Үсөнов Өмүрбеков Кадыров Жумалиев";

pub(crate) const RU_MALE: &str = "Александр:Саша,Саня Алексей:Лёша Андрей:Андрюша Дмитрий:Дима Сергей:Серёжа Иван:Ваня \
Михаил:Миша Николай:Коля Владимир:Вова,Володя Евгений:Женя Павел:Паша Юрий:Юра Максим:Макс Артём:Тёма \
Кирилл Никита Илья Роман:Рома Олег Игорь Антон Денис Виктор:Витя Константин:Костя Василий:Вася \
Григорий:Гриша Фёдор:Федя Вячеслав:Слава Тимофей Егор Глеб Степан:Стёпа Пётр:Петя Виталий Леонид \
Станислав:Стас Валерий:Валера Анатолий:Толя Борис:Боря Вадим Георгий:Гоша Даниил:Даня Матвей Ярослав";

const RU_FEMALE: &str = "Анна:Аня Мария:Маша Елена:Лена Ольга:Оля Наталья:Наташа Татьяна:Таня Ирина:Ира \
Екатерина:Катя Светлана:Света Юлия:Юля Анастасия:Настя Дарья:Даша Ксения:Ксюша Евгения:Женя \
Александра:Саша Марина Галина:Галя Людмила:Люда Надежда:Надя Полина Виктория:Вика Софья:Соня \
Елизавета:Лиза Алина Вера Любовь:Люба Кристина Валентина:Валя Яна Оксана";

const KZ_MALE: &str = "Нұрлан Ерлан Ержан Асхат Айдос Айбек Бауыржан Бекзат Дәурен Дархан Ерболат Жандос \
Қайрат Марат Серік Азамат Арман Бақыт Болат Жәнібек Қанат Мейрам Санжар Нұрсұлтан Тимур Руслан";

const KZ_FEMALE: &str = "Айгүл Айжан Айнұр Әсел Гүлнар Динара Жанар Мадина Сәуле Айгерім Әлия Аружан Салтанат \
Томирис Камила";

const KG_MALE: &str =
    "Азат Нурбек Талант Улукбек Эльдияр Адилет Бекжан Айбек Бакыт Эрлан Марат Тимур";

const KG_FEMALE: &str = "Айпери Бермет Жибек Чолпон Нургүл Асель Айгүл Гүлмира Назира";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Russian,
    Kazakh,
    Kyrgyz,
}

#[derive(Debug, Clone)]
struct GivenName {
    full: &'static str,
    diminutives: Vec<&'static str>,
}

fn parse_given(list: &'static str) -> Vec<GivenName> {
    list.split_whitespace()
        .map(|entry| {
            let mut parts = entry.splitn(2, ':');
            let full = parts.next().unwrap_or(entry);
            let diminutives = parts
                .next()
                .map(|d| d.split(',').collect())
                .unwrap_or_default();
            GivenName { full, diminutives }
        })
        .collect()
}

struct Pools {
    ru_surnames: Vec<&'static str>,
    ru_stems: Vec<&'static str>,
    kz_surnames: Vec<&'static str>,
    kg_surnames: Vec<&'static str>,
    ru_male: Vec<GivenName>,
    ru_female: Vec<GivenName>,
    kz_male: Vec<GivenName>,
    kz_female: Vec<GivenName>,
    kg_male: Vec<GivenName>,
    kg_female: Vec<GivenName>,
}

impl Pools {
    fn new() -> Self {
        Pools {
            ru_surnames: RU_SURNAMES.split_whitespace().collect(),
            ru_stems: RU_STEMS.split_whitespace().collect(),
            kz_surnames: KZ_SURNAMES.split_whitespace().collect(),
            kg_surnames: KG_SURNAMES.split_whitespace().collect(),
            ru_male: parse_given(RU_MALE),
            ru_female: parse_given(RU_FEMALE),
            kz_male: parse_given(KZ_MALE),
            kz_female: parse_given(KZ_FEMALE),
            kg_male: parse_given(KG_MALE),
            kg_female: parse_given(KG_FEMALE),
        }
    }

    fn given(&self, origin: Origin, sex: Sex) -> &[GivenName] {
        match (origin, sex) {
            (Origin::Russian, Sex::Male) => &self.ru_male,
            (Origin::Russian, Sex::Female) => &self.ru_female,
            (Origin::Kazakh, Sex::Male) => &self.kz_male,
            (Origin::Kazakh, Sex::Female) => &self.kz_female,
            (Origin::Kyrgyz, Sex::Male) => &self.kg_male,
            (Origin::Kyrgyz, Sex::Female) => &self.kg_female,
        }
    }

    fn surnames(&self, origin: Origin) -> &[&'static str] {
        match origin {
            Origin::Russian => &self.ru_surnames,
            Origin::Kazakh => &self.kz_surnames,
            Origin::Kyrgyz => &self.kg_surnames,
        }
    }
}

/// Picks with a Zipf-like bias towards the start of the list, so that common surnames
/// are common (which is what term-frequency adjustment is for).
fn zipf<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() {
        return None;
    }
    let n = items.len() as f64;
    let x: f64 = rng.random();
    // Inverse of a 1/(i+3) density, roughly.
    let i = ((n + 3.0).powf(x) * 3.0f64.powf(1.0 - x) - 3.0).floor() as usize;
    items.get(i.min(items.len() - 1))
}

/// The person as they really are.
#[derive(Debug, Clone)]
struct Person {
    origin: Origin,
    sex: Sex,
    surname: String,
    /// The surname's masculine form (the same as `surname` for men and for surnames
    /// without a gender form).
    surname_male: String,
    father: String,
    /// Whether the patronymic is Kazakh or Kyrgyz style (father's name and a marker).
    turkic_patronymic: bool,
    given: GivenName,
    patronymic: String,
    birth: (u16, u8, u8),
    citizenship: &'static str,
    documents: Vec<(&'static str, String)>,
    phone: Option<String>,
}

fn female_surname(male: &str) -> String {
    for (m, f) in [
        ("ский", "ская"),
        ("цкий", "цкая"),
        ("ой", "ая"),
        ("ов", "ова"),
        ("ев", "ева"),
        ("ёв", "ёва"),
        ("ин", "ина"),
    ] {
        if let Some(stem) = male.strip_suffix(m) {
            return format!("{stem}{f}");
        }
    }
    male.to_string()
}

fn patronymic(origin: Origin, father: &str, sex: Sex, russian_style: bool) -> String {
    if origin != Origin::Russian && !russian_style {
        let marker = match (origin, sex) {
            (Origin::Kazakh, Sex::Male) => "ұлы",
            (Origin::Kazakh, Sex::Female) => "қызы",
            (_, Sex::Male) => " уулу",
            (_, Sex::Female) => " кызы",
        };
        return format!("{father}{marker}");
    }
    let (m, f) = ("ович", "овна");
    let (stem, male_end, female_end): (String, &str, &str) = match father {
        "Павел" => ("Павл".into(), m, f),
        "Пётр" => ("Петр".into(), m, f),
        "Илья" => ("Иль".into(), "ич", "инична"),
        "Никита" => ("Никит".into(), "ич", "ична"),
        "Дмитрий" | "Георгий" => {
            (father.trim_end_matches('й').into(), "евич", "евна")
        }
        _ if father.ends_with("ий") => (
            father.trim_end_matches("ий").to_string() + "ь",
            "евич",
            "евна",
        ),
        _ if father.ends_with('й') => (father.trim_end_matches('й').into(), "евич", "евна"),
        _ if father.ends_with('ь') => (father.trim_end_matches('ь').into(), "евич", "евна"),
        _ => (father.into(), m, f),
    };
    match sex {
        Sex::Male => format!("{stem}{male_end}"),
        Sex::Female => format!("{stem}{female_end}"),
    }
}

fn digits<R: Rng + ?Sized>(rng: &mut R, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// What a household decides about one of its members before the member is invented.
#[derive(Debug, Clone)]
struct Member<'a> {
    origin: Origin,
    sex: Sex,
    surname_male: &'a str,
    father: &'a str,
    birth: (u16, u8, u8),
    phone: Option<String>,
}

fn make_person<R: Rng + ?Sized>(
    rng: &mut R,
    pools: &Pools,
    member: Member<'_>,
    avoid: &[&'static str],
) -> Person {
    let Member {
        origin,
        sex,
        surname_male,
        father,
        birth,
        phone,
    } = member;
    let list = pools.given(origin, sex);
    let mut given = list.choose(rng).cloned().unwrap_or(GivenName {
        full: "Иван",
        diminutives: vec![],
    });
    for _ in 0..10 {
        if !avoid.contains(&given.full) {
            break;
        }
        given = list.choose(rng).cloned().unwrap_or(given);
    }
    let adult = birth.0 <= 2004;
    let citizenship = match origin {
        Origin::Russian => "RUS",
        Origin::Kazakh if rng.random_bool(0.5) => "RUS",
        Origin::Kazakh => "KAZ",
        Origin::Kyrgyz if rng.random_bool(0.5) => "RUS",
        Origin::Kyrgyz => "KGZ",
    };
    let mut documents = Vec::new();
    if adult {
        if rng.random_bool(0.95) {
            documents.push(("internal", digits(rng, 10)));
        }
        if rng.random_bool(0.3) {
            documents.push(("foreign", digits(rng, 9)));
        }
    } else if rng.random_bool(0.7) {
        documents.push(("birth", format!("IV-МЮ{}", digits(rng, 6))));
    }
    let surname = match sex {
        Sex::Male => surname_male.to_string(),
        Sex::Female => female_surname(surname_male),
    };
    let russian_style = rng.random_bool(0.4);
    Person {
        origin,
        sex,
        surname,
        surname_male: surname_male.to_string(),
        father: father.to_string(),
        turkic_patronymic: origin != Origin::Russian && !russian_style,
        patronymic: patronymic(origin, father, sex, russian_style),
        given,
        birth,
        citizenship,
        documents,
        phone,
    }
}

fn random_phone<R: Rng + ?Sized>(rng: &mut R, origin: Origin) -> String {
    match origin {
        Origin::Kyrgyz if rng.random_bool(0.3) => format!(
            "996{}{}",
            ["555", "700", "777"].choose(rng).unwrap_or(&"555"),
            digits(rng, 6)
        ),
        _ => format!("79{}", digits(rng, 9)),
    }
}

fn birth_in<R: Rng + ?Sized>(rng: &mut R, from: u16, to: u16) -> (u16, u8, u8) {
    (
        rng.random_range(from..=to),
        rng.random_range(1..=12),
        rng.random_range(1..=28),
    )
}

/// Stems of less common Russian surnames (animals, trades, traits, places, plants). With
/// the suffixes below they give thousands of plausible surnames: a million real people
/// carry tens of thousands of surnames, and a generator with only the top few hundred
/// would make namesakes, and so the linkage problem, far more common than it is.
const RU_STEMS: &str = "Бобр Волк Лис Барсук Ворон Сокол Ястреб Журавл Лебед Голуб Грач Дрозд \
Снегир Щегл Куниц Горност Бурундук Кабан Лос Олен Козл Баран Бык Коров Жеребц Телят Гус Утк \
Петух Рыб Окун Щук Карас Сом Налим Лещ Судак Пескар Кузнец Плотник Мельник Пекар Гончар \
Кожевник Сапожник Портн Ткач Столяр Бондар Рыбак Охотник Пастух Кучер Ямщик Мясник Токар \
Слесар Конюх Пахар Косар Писар Дьяк Попад Дьякон Звонар Бел Черн Рыж Сед Лыс Толст Тонк \
Длин Кос Горб Хром Глух Мал Велик Добр Тих Весел Грозн Храбр Умн Быстр Скор Мудр Красн Зелен \
Сер Сух Мокр Крепк Тверд Мягк Жестк Остр Рязан Тамбов Тул Казан Курск Брянск Псков Новгород \
Вологод Костром Тверск Москвит Смоленск Берез Дуб Клен Липк Сосн Елк Рябин Калин Малин Вишн \
Яблок Груш Слив Овс Пшен Гречк Морков Капуст Репк Редьк Чеснок Булат Бажен Бердник Боярк \
Ветл Вихр Гром Дымк Жар Зимн Летн Весенн Осенн Ладог Лукомск Мороз Нечай Ожог Пожар Полян \
Рощ Сабл Сеч Стрел Топор Тулуп Хмел Чайк Шапк Штык Ярк Якор Угл Уральск Сибирц Донск Волжск \
Камск Окск Невск Двинск Онежск Печорск Ильменск Валдайск Вятск Пермяк Уфимц Самарц Саратовц";

const RU_SUFFIXES: [&str; 5] = ["ов", "ин", "ский", "енко", "ников"];

fn surname<R: Rng + ?Sized>(rng: &mut R, pools: &Pools, origin: Origin) -> String {
    match origin {
        Origin::Russian if rng.random_bool(0.55) => {
            let stem = pools.ru_stems.choose(rng).copied().unwrap_or("Бобр");
            let suffix = RU_SUFFIXES.choose(rng).copied().unwrap_or("ов");
            let stem = stem.trim_end_matches(['ь', 'й']);
            if suffix == "ов" && stem.ends_with(['ц', 'ч', 'ш', 'щ', 'ж']) {
                format!("{stem}ев")
            } else {
                format!("{stem}{suffix}")
            }
        }
        Origin::Kazakh | Origin::Kyrgyz if rng.random_bool(0.6) => {
            // Central Asian surnames are mostly a forefather's name plus -ов/-ев/-баев/-беков.
            let base = pools
                .given(origin, Sex::Male)
                .choose(rng)
                .map_or("Асан", |g| g.full);
            let suffix = ["ов", "баев", "беков", "ов"]
                .choose(rng)
                .copied()
                .unwrap_or("ов");
            format!("{base}{suffix}")
        }
        _ => zipf(rng, pools.surnames(origin))
            .copied()
            .unwrap_or("Иванов")
            .to_string(),
    }
}

/// Invents one household.
fn household<R: Rng + ?Sized>(rng: &mut R, pools: &Pools, twin_rate: f64) -> Vec<Person> {
    let origin = match rng.random_range(0..100) {
        0..80 => Origin::Russian,
        80..92 => Origin::Kazakh,
        _ => Origin::Kyrgyz,
    };
    let surname = surname(rng, pools, origin);
    let father_names = pools.given(origin, Sex::Male);
    let grandfather = father_names.choose(rng).map_or("Иван", |g| g.full);
    let head_phone = random_phone(rng, origin);
    let head_birth = birth_in(rng, 1967, 2004);
    let head = make_person(
        rng,
        pools,
        Member {
            origin,
            sex: Sex::Male,
            surname_male: &surname,
            father: grandfather,
            birth: head_birth,
            phone: Some(head_phone.clone()),
        },
        &[],
    );
    let size = match rng.random_range(0..100) {
        0..60 => 1,
        60..80 => 2,
        _ => rng.random_range(3..=5),
    };
    let mut people = vec![head];
    if size >= 2 {
        let other_father = father_names.choose(rng).map_or("Пётр", |g| g.full);
        let phone = if rng.random_bool(0.6) {
            Some(random_phone(rng, origin))
        } else {
            Some(head_phone.clone())
        };
        let birth = birth_in(rng, 1970, 2004);
        people.push(make_person(
            rng,
            pools,
            Member {
                origin,
                sex: Sex::Female,
                surname_male: &surname,
                father: other_father,
                birth,
                phone,
            },
            &[],
        ));
    }
    let father = people[0].given.full;
    while people.len() < size {
        let birth = birth_in(rng, 2006, 2022);
        let sex = if rng.random_bool(0.5) {
            Sex::Male
        } else {
            Sex::Female
        };
        let mut used: Vec<&'static str> = people.iter().map(|p| p.given.full).collect();
        // A child of the head, born on `birth`, on the head's phone.
        let child_of_sex = |rng: &mut R, sex, used: &[&'static str]| {
            let member = Member {
                origin,
                sex,
                surname_male: &surname,
                father,
                birth,
                phone: Some(head_phone.clone()),
            };
            make_person(rng, pools, member, used)
        };
        let child = child_of_sex(rng, sex, &used);
        used.push(child.given.full);
        let twin = rng.random_bool(twin_rate);
        people.push(child);
        if twin {
            // A twin: same day, same family, different person.
            let sex = if rng.random_bool(0.6) {
                sex
            } else if sex == Sex::Male {
                Sex::Female
            } else {
                Sex::Male
            };
            people.push(child_of_sex(rng, sex, &used));
        }
    }
    people
}

const CYR_ROWS: [&str; 3] = ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"];
const LAT_ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

fn neighbour<R: Rng + ?Sized>(rng: &mut R, c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    for row in CYR_ROWS.iter().chain(LAT_ROWS.iter()) {
        let chars: Vec<char> = row.chars().collect();
        if let Some(i) = chars.iter().position(|&x| x == lower) {
            let j = if i == 0 {
                1
            } else if i + 1 == chars.len() || rng.random_bool(0.5) {
                i - 1
            } else {
                i + 1
            };
            let n = chars.get(j).copied().unwrap_or(lower);
            return if c.is_uppercase() {
                n.to_uppercase().next().unwrap_or(n)
            } else {
                n
            };
        }
    }
    c
}

/// One typing error: neighbouring key, deleted letter, swapped letters or doubled letter.
fn typo<R: Rng + ?Sized>(rng: &mut R, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() < 4 {
        return s.to_string();
    }
    let i = rng.random_range(1..chars.len() - 1);
    match rng.random_range(0..4) {
        0 => chars[i] = neighbour(rng, chars[i]),
        1 => {
            chars.remove(i);
        }
        2 => chars.swap(i, i + 1),
        _ => chars.insert(i, chars[i]),
    }
    chars.into_iter().collect()
}

/// Replaces Cyrillic letters that have Latin look-alikes, as a keyboard-layout slip does.
fn homoglyphs<R: Rng + ?Sized>(rng: &mut R, s: &str) -> String {
    s.chars()
        .map(|c| {
            let latin = match c {
                'А' => 'A',
                'В' => 'B',
                'С' => 'C',
                'Е' => 'E',
                'Н' => 'H',
                'К' => 'K',
                'М' => 'M',
                'О' => 'O',
                'Р' => 'P',
                'Т' => 'T',
                'Х' => 'X',
                'а' => 'a',
                'е' => 'e',
                'о' => 'o',
                'р' => 'p',
                'с' => 'c',
                'х' => 'x',
                'у' => 'y',
                _ => return c,
            };
            if rng.random_bool(0.5) { latin } else { c }
        })
        .collect()
}

/// Kazakh and Kyrgyz letters typed on a Russian keyboard.
fn russify(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'Ә' => 'А',
            'ә' => 'а',
            'Ғ' => 'Г',
            'ғ' => 'г',
            'Қ' => 'К',
            'қ' => 'к',
            'Ң' => 'Н',
            'ң' => 'н',
            'Ө' => 'О',
            'ө' => 'о',
            'Ұ' | 'Ү' => 'У',
            'ұ' | 'ү' => 'у',
            'Һ' => 'Х',
            'һ' => 'х',
            'І' => 'И',
            'і' => 'и',
            _ => c,
        })
        .collect()
}

fn phone_format<R: Rng + ?Sized>(rng: &mut R, e164: &str) -> String {
    if let Some(rest) = e164.strip_prefix('7')
        && rest.len() == 10
    {
        let (a, b, c, d) = (&rest[..3], &rest[3..6], &rest[6..8], &rest[8..]);
        return match rng.random_range(0..5) {
            0 => format!("+7 ({a}) {b}-{c}-{d}"),
            1 => format!("8 {a} {b} {c} {d}"),
            2 => format!("8{rest}"),
            3 => format!("+7{rest}"),
            _ => rest.to_string(),
        };
    }
    if rng.random_bool(0.5) {
        format!("+{e164}")
    } else {
        e164.to_string()
    }
}

/// A Kazakh or Kyrgyz patronymic as one desk writes it: the father's name with the
/// marker in Kazakh (`ұлы`, `қызы`), Kyrgyz (`уулу`, `кызы`) or Russian-keyboard (`улы`,
/// `кызы`) form, attached or apart, or the father's name alone.
fn turkic_patronymic<R: Rng + ?Sized>(rng: &mut R, p: &Person) -> String {
    let markers: &[&str] = match (p.origin, p.sex) {
        (Origin::Kazakh, Sex::Male) => &["ұлы", "улы", "уулу"],
        (Origin::Kazakh, Sex::Female) => &["қызы", "кызы"],
        (_, Sex::Male) => &["уулу", "улы"],
        (_, Sex::Female) => &["кызы", "қызы"],
    };
    let marker = markers.choose(rng).copied().unwrap_or("улы");
    match rng.random_range(0..4) {
        0 => format!("{}{marker}", p.father),
        1 | 2 => format!("{} {marker}", p.father),
        _ => p.father.clone(),
    }
}

/// A document number as retyped at a desk: with `№`, with spaces, or without the series
/// (the four digits of an internal passport's series, the two of a foreign one).
fn retype_document<R: Rng + ?Sized>(
    rng: &mut R,
    kind: &str,
    number: &str,
    variations: &mut Vec<Variation>,
) -> String {
    let series_len = match kind {
        "internal" if number.len() == 10 => 4,
        "foreign" if number.len() == 9 => 2,
        _ => return number.to_string(),
    };
    let (series, rest) = number.split_at(series_len);
    if rng.random_bool(0.3) {
        variations.push(Variation::DocumentWithoutSeries);
        return match rng.random_range(0..3) {
            0 => format!("№{rest}"),
            1 => format!("№ {rest}"),
            _ => rest.to_string(),
        };
    }
    variations.push(Variation::DocumentRetyped);
    let series = if series_len == 4 && rng.random_bool(0.5) {
        format!("{} {}", &series[..2], &series[2..])
    } else {
        series.to_string()
    };
    match rng.random_range(0..3) {
        0 => format!("{series} №{rest}"),
        1 => format!("{series} № {rest}"),
        _ => format!("№ {series} {rest}"),
    }
}

/// Writes a person down once, with the errors a volunteer makes; returns the record and
/// the habits it shows.
fn render<R: Rng + ?Sized>(
    rng: &mut R,
    p: &Person,
    config: &GeneratorConfig,
    id: usize,
) -> (PersonRecord, Vec<Variation>) {
    let mut variations = Vec::new();
    let noise = if config.noise.is_finite() {
        config.noise.clamp(0.0, 10.0)
    } else {
        0.0
    };
    let chance = |rng: &mut R, base: f64| rng.random_bool(probability(base * noise));
    let mut given = if !p.given.diminutives.is_empty() && chance(rng, 0.07) {
        p.given
            .diminutives
            .choose(rng)
            .copied()
            .unwrap_or(p.given.full)
            .to_string()
    } else {
        p.given.full.to_string()
    };
    // Desks copying a man's documents, or a Kazakh or Kyrgyz woman who does not use the
    // Russian feminine form, write the surname without the feminine ending.
    let mut surname = if p.surname != p.surname_male && chance(rng, 0.12) {
        variations.push(Variation::SurnameWithoutFeminineEnding);
        p.surname_male.clone()
    } else {
        p.surname.clone()
    };
    let mut patronymic = Some(if p.turkic_patronymic && chance(rng, 0.5) {
        variations.push(Variation::PatronymicMarker);
        turkic_patronymic(rng, p)
    } else {
        p.patronymic.clone()
    });
    if p.origin != Origin::Russian && rng.random_bool(0.5) {
        given = russify(&given);
        surname = russify(&surname);
        patronymic = patronymic.map(|x| russify(&x));
    }
    let latin = rng.random_bool(probability(config.latin_rate));
    if latin {
        let spelling = match rng.random_range(0..20) {
            0..8 => Spelling::Icao,
            8..10 => Spelling::GostB,
            10..13 => Spelling::Bgn,
            13..15 => Spelling::Gost52535,
            15..17 => Spelling::Mvd,
            _ => Spelling::ByEar,
        };
        variations.push(if spelling == Spelling::Icao {
            Variation::Icao
        } else {
            Variation::OlderLatin
        });
        given = spell(&given, spelling);
        surname = spell(&surname, spelling);
        patronymic = if rng.random_bool(0.3) {
            patronymic.map(|x| spell(&x, spelling))
        } else {
            None
        };
    } else if chance(rng, 0.3) {
        patronymic = None;
    }
    match rng.random_range(0..100) {
        0..35 => {
            given = given.to_uppercase();
            surname = surname.to_uppercase();
            patronymic = patronymic.map(|x| x.to_uppercase());
        }
        35..40 => {
            given = given.to_lowercase();
            surname = surname.to_lowercase();
        }
        _ => {}
    }
    // A shared laptop left on the other layout: the volunteer types the whole name
    // blind and only the screen shows it. (Such a desk types no look-alike letters from
    // the other script, and has no Kazakh letters on its Russian layout.)
    let wrong_layout_slip = chance(rng, 0.015);
    if !latin && !wrong_layout_slip && chance(rng, 0.05) {
        surname = homoglyphs(rng, &surname);
        given = homoglyphs(rng, &given);
    }
    if chance(rng, 0.06) {
        if rng.random_bool(0.6) {
            surname = typo(rng, &surname);
        } else {
            given = typo(rng, &given);
        }
    }
    if chance(rng, 0.04) {
        std::mem::swap(&mut surname, &mut given);
    } else if chance(rng, 0.02) {
        surname = match patronymic.take() {
            Some(pat) => format!("{surname} {given} {pat}"),
            None => format!("{surname} {given}"),
        };
        given = String::new();
    }
    if wrong_layout_slip {
        variations.push(Variation::WrongLayout);
        surname = wrong_layout(&russify(&surname));
        given = wrong_layout(&russify(&given));
        patronymic = patronymic.map(|x| wrong_layout(&russify(&x)));
    }
    let (y, m, d) = p.birth;
    let birth_date = match rng.random_range(0..1000) {
        x if x < (30.0 * noise) as u32 && d <= 12 && d != m => {
            variations.push(Variation::DayMonthSwapped);
            PartialDate::ymd(y, d, m).ok()
        }
        x if x < (50.0 * noise) as u32 => {
            PartialDate::ymd(if rng.random_bool(0.5) { y + 1 } else { y - 1 }, m, d).ok()
        }
        x if x < (70.0 * noise) as u32 => PartialDate::ymd(y, m, ((d + 1) % 28).max(1)).ok(),
        x if x < (100.0 * noise) as u32 => None,
        x if x < (120.0 * noise) as u32 => PartialDate::year_only(y, rng.random_bool(0.5)).ok(),
        _ => PartialDate::ymd(y, m, d).ok(),
    };
    let mut documents = Vec::new();
    for (kind, number) in &p.documents {
        if !rng.random_bool(0.55) {
            continue;
        }
        let mut number = number.clone();
        if chance(rng, 0.04) {
            number = typo(rng, &number);
            if number
                .chars()
                .any(|c| !c.is_ascii_digit() && !c.is_alphabetic())
            {
                number = p.documents[0].1.clone();
            }
        }
        let doc_type = match *kind {
            "internal" => *[
                "паспорт РФ",
                "внутренний паспорт",
                "passport_ru_internal",
                "паспорт",
            ]
            .choose(rng)
            .unwrap_or(&"паспорт"),
            "foreign" => *[
                "загранпаспорт",
                "international passport",
                "passport_ru_foreign",
            ]
            .choose(rng)
            .unwrap_or(&"загранпаспорт"),
            _ => *["свидетельство о рождении", "birth certificate"]
                .choose(rng)
                .unwrap_or(&"birth certificate"),
        };
        if chance(rng, 0.08) {
            number = retype_document(rng, kind, &number, &mut variations);
        } else if *kind == "internal" && number.len() == 10 && rng.random_bool(0.5) {
            number = format!("{} {} {}", &number[..2], &number[2..4], &number[4..]);
        }
        documents.push(Document {
            doc_type: doc_type.to_string(),
            number,
        });
    }
    let phone = p
        .phone
        .as_ref()
        .filter(|_| rng.random_bool(0.65))
        .map(|ph| phone_format(rng, ph));
    let citizenship = rng.random_bool(0.8).then(|| {
        let options: &[&str] = match p.citizenship {
            "RUS" => &[
                "RU",
                "RUS",
                "Россия",
                "Russia",
                "РФ",
                "Российская Федерация",
            ],
            "KAZ" => &["KZ", "Казахстан", "Kazakhstan", "KAZ"],
            _ => &["KG", "Кыргызстан", "Kyrgyzstan", "KGZ"],
        };
        options.choose(rng).copied().unwrap_or("RU").to_string()
    });
    let record = PersonRecord {
        record_id: format!("r{id}"),
        surname,
        given_name: given,
        patronymic,
        sex: if rng.random_bool(0.9) {
            Some(p.sex)
        } else {
            None
        },
        birth_date,
        citizenship,
        documents,
        phone,
        ..PersonRecord::default()
    };
    (record, variations)
}

/// A valid probability from a configured rate (NaN counts as 0).
fn probability(p: f64) -> f64 {
    if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Generates `config.records` labelled registrations from the caller's RNG.
pub fn generate<R: Rng + ?Sized>(rng: &mut R, config: &GeneratorConfig) -> Vec<LabelledRecord> {
    let pools = Pools::new();
    let mut out: Vec<LabelledRecord> = Vec::with_capacity(config.records);
    let mut person_id = 0u32;
    'outer: while out.len() < config.records {
        for person in household(rng, &pools, probability(config.twin_rate)) {
            let frequent = rng.random_bool(probability(config.frequent_rate));
            let copies = if frequent {
                rng.random_range(10..=40)
            } else if !rng.random_bool(probability(config.repeat_rate)) {
                1
            } else {
                match rng.random_range(0..60) {
                    0..30 => 2,
                    30..47 => 3,
                    47..56 => 4,
                    _ => 5,
                }
            };
            for _ in 0..copies {
                if out.len() >= config.records {
                    break 'outer;
                }
                let (record, mut variations) = render(rng, &person, config, out.len());
                if frequent {
                    variations.push(Variation::Frequent);
                }
                out.push(LabelledRecord {
                    record,
                    person: person_id,
                    variations,
                });
            }
            person_id += 1;
        }
    }
    out.shuffle(rng);
    for (i, r) in out.iter_mut().enumerate() {
        r.record.record_id = format!("r{i}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn same_seed_same_data() {
        let cfg = GeneratorConfig {
            records: 200,
            ..GeneratorConfig::default()
        };
        let a = generate(&mut ChaCha8Rng::seed_from_u64(7), &cfg);
        let b = generate(&mut ChaCha8Rng::seed_from_u64(7), &cfg);
        assert_eq!(a, b);
        assert_eq!(a.len(), 200);
        let persons: std::collections::HashSet<u32> = a.iter().map(|r| r.person).collect();
        assert!(
            persons.len() < 200,
            "some persons must be registered more than once"
        );
    }

    #[test]
    fn odd_configurations_do_not_panic() {
        let cfg = GeneratorConfig {
            records: 50,
            twin_rate: f64::NAN,
            latin_rate: 7.0,
            noise: f64::INFINITY,
            repeat_rate: -1.0,
            frequent_rate: f64::NAN,
        };
        assert_eq!(generate(&mut ChaCha8Rng::seed_from_u64(1), &cfg).len(), 50);
    }

    #[test]
    fn female_forms() {
        assert_eq!(female_surname("Соловьёв"), "Соловьёва");
        assert_eq!(female_surname("Островский"), "Островская");
        assert_eq!(female_surname("Шевченко"), "Шевченко");
        assert_eq!(
            patronymic(Origin::Russian, "Юрий", Sex::Male, false),
            "Юрьевич"
        );
        assert_eq!(
            patronymic(Origin::Russian, "Сергей", Sex::Female, false),
            "Сергеевна"
        );
        assert_eq!(
            patronymic(Origin::Kazakh, "Серік", Sex::Male, false),
            "Серікұлы"
        );
    }
}
