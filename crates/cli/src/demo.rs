//! `shanyrak demo`: a working registry in one command, with organisations, users and
//! households as they looked in Oral and Bishkek in the last week of September 2022.

use std::net::SocketAddr;

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, Utc};
use shanyrak_core::household::validate;
use shanyrak_core::shelter::{BedPoolInput, PoolKind};
use shanyrak_core::{
    Actor, DocumentInput, DocumentType, HouseholdInput, LocationInput, MemberInput, Need, OrgKind,
    PopulationGroup, Relationship, Role, Sex, ValidationContext, Vulnerability,
};
use shanyrak_store::{Principal, Store};

/// Every demo account has this password; the demo database is throwaway.
pub const DEMO_PASSWORD: &str = "shanyrak-demo";

#[derive(Debug)]
pub struct Demo {
    /// The first organisation (Кайнар): it runs the public pages of the demo
    /// (`/pre-register`, `/offer-a-bed`).
    pub public_pages_org: Option<uuid::Uuid>,
    accounts: Vec<(String, String, String)>,
    households: usize,
    persons: usize,
    sites: usize,
}

/// How much the demo holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// A dozen households in Oral and Bishkek: quick to start, easy to follow.
    Small,
    /// A week of autumn 2022: about 20,000 people in nine cities, a few hundred shelters.
    Week,
}

impl Demo {
    pub fn print_welcome(&self, address: SocketAddr, db: &str) {
        println!("Shanyrak demo is running at http://{address}");
        println!("Open it in a browser and sign in with any account below.");
        println!(
            "Database: {db} ({} households and {} people registered, {} shelter sites)",
            self.households, self.persons, self.sites
        );
        println!("Every account's password: {DEMO_PASSWORD}");
        if self.public_pages_org.is_some() {
            println!(
                "Public pages (no sign-in): http://{address}/pre-register and http://{address}/offer-a-bed"
            );
        }
        println!();
        for (org, email, token) in &self.accounts {
            println!("  {org:<44} {email:<42} token {token}");
        }
        if let Some((_, _, token)) = self.accounts.first() {
            println!();
            println!("Try:");
            println!(
                "  curl -s -H 'Authorization: Bearer {token}' http://{address}/api/v1/households | head -c 600"
            );
            println!("  curl -s http://{address}/api/v1/openapi.json | head -c 300");
            println!("  (dispatchers: GET /api/v1/waiting-list, POST /api/v1/placements)");
        }
        println!();
        println!("Stop with Ctrl-C.");
    }
}

struct Person<'a> {
    surname: &'a str,
    given: &'a str,
    patronymic: Option<&'a str>,
    sex: Sex,
    birth: &'a str,
    relationship: Relationship,
    citizenship: &'a str,
    document: Option<(DocumentType, &'a str)>,
    vulnerabilities: &'a [Vulnerability],
}

struct Family<'a> {
    group: PopulationGroup,
    arrival: &'a str,
    crossing: Option<&'a str>,
    country: &'a str,
    region: &'a str,
    city: &'a str,
    phone: Option<&'a str>,
    needs: &'a [Need],
    members: Vec<Person<'a>>,
}

fn p<'a>(
    surname: &'a str,
    given: &'a str,
    patronymic: Option<&'a str>,
    sex: Sex,
    birth: &'a str,
    relationship: Relationship,
) -> Person<'a> {
    Person {
        surname,
        given,
        patronymic,
        sex,
        birth,
        relationship,
        citizenship: "RU",
        document: None,
        vulnerabilities: &[],
    }
}

impl<'a> Person<'a> {
    fn doc(mut self, doc_type: DocumentType, number: &'a str) -> Self {
        self.document = Some((doc_type, number));
        self
    }
    fn citizen(mut self, country: &'a str) -> Self {
        self.citizenship = country;
        self
    }
    fn vulnerable(mut self, v: &'a [Vulnerability]) -> Self {
        self.vulnerabilities = v;
        self
    }
}

fn families() -> Vec<Family<'static>> {
    use Relationship::*;
    use Sex::*;
    use Vulnerability as V;
    let oral = |arrival, members, needs: &'static [Need], phone| Family {
        group: PopulationGroup::Arrival,
        arrival,
        crossing: Some("Сырым"),
        country: "KZ",
        region: "Батыс Қазақстан",
        city: "Oral",
        phone,
        needs,
        members,
    };
    vec![
        oral(
            "2022-09-27",
            vec![
                p(
                    "Смирнов",
                    "Алексей",
                    Some("Игоревич"),
                    Male,
                    "1995-03-02",
                    Head,
                )
                .doc(DocumentType::RuInternalPassport, "4512 345678"),
            ],
            &[Need::Shelter, Need::Food],
            Some("+7 912 345-67-89"),
        ),
        oral(
            "2022-09-27",
            vec![
                p(
                    "Кузнецов",
                    "Дмитрий",
                    Some("Сергеевич"),
                    Male,
                    "1988-11-14",
                    Head,
                )
                .doc(DocumentType::RuInternalPassport, "3615 004512"),
                p(
                    "Кузнецова",
                    "Ольга",
                    Some("Викторовна"),
                    Female,
                    "1990-05-30",
                    Spouse,
                )
                .doc(DocumentType::RuInternalPassport, "3615 118834"),
                p(
                    "Кузнецов",
                    "Артём",
                    Some("Дмитриевич"),
                    Male,
                    "2019-02-11",
                    Child,
                )
                .vulnerable(&[V::Child]),
            ],
            &[Need::Shelter, Need::Food],
            Some("8 927 555 12 34"),
        ),
        oral(
            "2022-09-28",
            vec![
                p("IVANOV", "SERGEI", None, Male, "1992-07-21", Head)
                    .doc(DocumentType::RuInternationalPassport, "75 1234567"),
            ],
            &[Need::Shelter, Need::OnwardTravel],
            None,
        ),
        oral(
            "2022-09-28",
            vec![
                p(
                    "Попов",
                    "Андрей",
                    Some("Николаевич"),
                    Male,
                    "1979-01-05",
                    Head,
                )
                .doc(DocumentType::RuInternalPassport, "6309 771203"),
                p("Попова", "Галина", Some("Петровна"), Female, "1951", Parent)
                    .vulnerable(&[V::OlderPerson, V::Disability]),
            ],
            &[Need::Shelter, Need::Medical],
            Some("+7 (903) 100-20-30"),
        ),
        oral(
            "2022-09-29",
            vec![
                p("Волков", "Илья", None, Male, "2001-12-24", Head)
                    .doc(DocumentType::RuInternalPassport, "4520 910011"),
            ],
            &[Need::Shelter, Need::Legal],
            None,
        ),
        Family {
            group: PopulationGroup::Arrival,
            arrival: "2022-09-26",
            crossing: Some("Жана Жол"),
            country: "KZ",
            region: "Алматы",
            city: "Almaty",
            phone: Some("+7 701 234 5678"),
            needs: &[Need::Shelter],
            members: vec![
                p(
                    "Морозов",
                    "Павел",
                    Some("Андреевич"),
                    Male,
                    "1986-04-17",
                    Head,
                )
                .doc(DocumentType::RuInternalPassport, "4011 202122"),
                p("Морозова", "Анна", None, Female, "1987-08-09", Spouse)
                    .vulnerable(&[V::Pregnant]),
            ],
        },
        Family {
            group: PopulationGroup::Idp,
            arrival: "2022-09-17",
            crossing: None,
            country: "KG",
            region: "Баткен",
            city: "Бишкек",
            phone: Some("0555 123 456"),
            needs: &[Need::Shelter, Need::Food],
            members: vec![
                p(
                    "Абдыкадыров",
                    "Нурлан",
                    Some("Бакытович"),
                    Male,
                    "1980-06-15",
                    Head,
                )
                .citizen("KG")
                .doc(DocumentType::KgId, "21506198000123"),
                p("Абдыкадырова", "Айгүл", None, Female, "1984-03-08", Spouse)
                    .citizen("KG")
                    .vulnerable(&[V::SingleCaregiver]),
                p("Абдыкадыров", "Бектур", None, Male, "2012", Child)
                    .citizen("KG")
                    .vulnerable(&[V::Child]),
                p("Абдыкадырова", "Жаңыл", None, Female, "2016-10-02", Child)
                    .citizen("KG")
                    .vulnerable(&[V::Child]),
            ],
        },
        Family {
            group: PopulationGroup::Returnee,
            arrival: "2022-09-25",
            crossing: Some("Ак-Жол"),
            country: "KG",
            region: "Чүй",
            city: "Бишкек",
            phone: None,
            needs: &[Need::Food],
            members: vec![p("Тешебаев", "Эрлан", None, Male, "1993", Head).citizen("KG")],
        },
        Family {
            group: PopulationGroup::Arrival,
            arrival: "2022-09-30",
            crossing: Some("Верхний Ларс"),
            country: "KG",
            region: "Чүй",
            city: "Бишкек",
            phone: Some("+7 916 000 11 22"),
            needs: &[Need::Shelter, Need::Legal],
            members: vec![
                p("Soloviev", "Maxim", None, Male, "1990-09-09", Head)
                    .doc(DocumentType::RuInternationalPassport, "76 7654321"),
                p("Solovieva", "Daria", None, Female, "1992-02-29", Spouse),
            ],
        },
    ]
}

fn to_input(f: &Family<'_>) -> HouseholdInput {
    HouseholdInput {
        group: Some(f.group),
        arrival_date: Some(f.arrival.to_owned()),
        crossing_point: f.crossing.map(str::to_owned),
        location: Some(LocationInput {
            country: Some(f.country.to_owned()),
            region: Some(f.region.to_owned()),
            city: Some(f.city.to_owned()),
            place_id: None,
        }),
        phone: f.phone.map(str::to_owned),
        languages: vec!["ru".to_owned()],
        needs: f.needs.to_vec(),
        members: Some(
            f.members
                .iter()
                .map(|m| MemberInput {
                    surname: Some(m.surname.to_owned()),
                    given_name: Some(m.given.to_owned()),
                    patronymic: m.patronymic.map(str::to_owned),
                    sex: Some(m.sex),
                    birth_date: Some(m.birth.to_owned()),
                    citizenship: Some(m.citizenship.to_owned()),
                    relationship: Some(m.relationship),
                    vulnerabilities: m.vulnerabilities.to_vec(),
                    documents: m
                        .document
                        .iter()
                        .map(|(t, n)| DocumentInput {
                            doc_type: *t,
                            number: Some((*n).to_owned()),
                            issuing_country: None,
                        })
                        .collect(),
                    ..MemberInput::default()
                })
                .collect(),
        ),
        ..HouseholdInput::default()
    }
}

/// Fills an empty database with the demo data and returns what to print.
pub async fn seed(store: &Store, scale: Scale) -> Result<Demo> {
    let counts = store.table_counts().await?;
    if counts
        .iter()
        .any(|(table, n)| *table == "organisations" && *n > 0)
    {
        bail!("the demo needs an empty database; leave out --db to use a fresh one");
    }
    let now = Utc::now();
    let cli = Principal::System("demo");
    let mut orgs = vec![
        ("Кайнар (Oral mutual aid)", OrgKind::MutualAid, "kainar"),
        ("UNHCR Kazakhstan", OrgKind::UnAgency, "unhcr"),
        ("Бишкек Жардам", OrgKind::VolunteerGroup, "zhardam"),
    ];
    if scale == Scale::Week {
        orgs.extend([
            (
                "Миграционная служба (Oral, Astana)",
                OrgKind::Government,
                "migration",
            ),
            ("IOM Kazakhstan", OrgKind::UnAgency, "iom"),
            ("Қазақстан Қызыл Жарты Ай", OrgKind::Ngo, "redcrescent"),
            ("Ковчег Алматы", OrgKind::VolunteerGroup, "kovcheg"),
        ]);
    }
    let mut accounts = Vec::new();
    let mut registrars: Vec<Actor> = Vec::new();
    let mut site_managers: Vec<Actor> = Vec::new();
    let mut distributors: Vec<Actor> = Vec::new();
    let mut public_pages_org = None;
    for (name, kind, slug) in orgs {
        let org = store.create_organisation(&cli, name, kind, now).await?;
        public_pages_org.get_or_insert(org.id);
        // One account per role, so every screen can be tried as the people who use it.
        for role in [
            Role::Registrar,
            Role::Dispatcher,
            Role::SiteManager,
            Role::Distributor,
            Role::Caseworker,
            Role::Analyst,
            Role::Auditor,
            Role::Admin,
        ] {
            let email = format!("{}@{slug}.example.org", role.as_str().replace('_', "-"));
            let user = store
                .create_user(&cli, org.id, &email, DEMO_PASSWORD, &[role], now)
                .await?;
            let token = store.create_token(&cli, &email, None, now).await?;
            accounts.push((format!("{name} · {role}"), email, token.secret));
            let actor = Actor {
                user_id: user.id,
                organisation_id: org.id,
                roles: user.roles,
            };
            match role {
                Role::Registrar => registrars.push(actor),
                Role::SiteManager => site_managers.push(actor),
                Role::Distributor => distributors.push(actor),
                _ => {}
            }
        }
    }
    let ctx = ValidationContext {
        today: NaiveDate::from_ymd_opt(2022, 10, 1)
            .unwrap_or_default()
            .max(now.date_naive()),
    };
    let families = families();
    for family in &families {
        // Kazakhstan's families go to Кайнар; Kyrgyzstan's to the Bishkek group.
        let registrar = if family.country == "KZ" {
            &registrars[0]
        } else {
            &registrars[2]
        };
        let household = validate(&to_input(family), &ctx)
            .map_err(|e| anyhow::anyhow!("demo data is invalid: {:?}", e.errors))?;
        store
            .create_household(registrar, &household, None, now)
            .await
            .context("could not register a demo household")?;
    }
    let mut sites = seed_sites(store, &site_managers, now).await?;
    seed_essentials(store, &distributors[0], "Oral", now).await?;
    seed_essentials(store, &distributors[2], "Бишкек", now).await?;
    let mut persons: usize = families.iter().map(|f| f.members.len()).sum();
    let mut households = families.len();
    if scale == Scale::Week {
        let started = std::time::Instant::now();
        persons += crate::demo_week::seed_arrivals(store, &registrars).await?;
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "demo week: arrivals"
        );
        sites += crate::demo_week::seed_sites(store, &site_managers, now).await?;
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "demo week: sites"
        );
        crate::demo_week::seed_stays(store, &site_managers, now).await?;
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "demo week: stays"
        );
        crate::demo_week::seed_review_queue(store, &registrars).await?;
        crate::demo_week::seed_distributions(store, &distributors[0], &registrars[0], now).await?;
        households = store
            .table_counts()
            .await?
            .iter()
            .find(|(t, _)| *t == "households")
            .map(|(_, n)| usize::try_from(*n).unwrap_or(0))
            .unwrap_or(households);
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "demo week generated"
        );
    }
    Ok(Demo {
        public_pages_org,
        accounts,
        households,
        persons,
        sites,
    })
}

/// The items mutual-aid groups handed out in 2022, with entitlement rules, and a point
/// with stock, so the distribution screen has something to give.
async fn seed_essentials(
    store: &Store,
    distributor: &Actor,
    city: &str,
    now: chrono::DateTime<Utc>,
) -> Result<()> {
    use shanyrak_core::essentials::{
        EntitlementBasis, EntitlementCondition, EntitlementRule, ItemInput, ItemTranslationInput,
        MovementInput, MovementRoute, PointInput, PointKind, validate_item, validate_movement,
        validate_point,
    };
    let rule = |basis, quantity, period_days, condition| EntitlementRule {
        basis,
        quantity,
        period_days,
        condition,
        population_group: None,
    };
    let items = [
        (
            "Продуктовый набор",
            "набор",
            "food_parcel",
            [
                ("en", "Food parcel", "parcel"),
                ("kk", "Азық-түлік жиынтығы", "жиынтық"),
                ("ky", "Азык-түлүк топтому", "топтом"),
            ],
            Some(rule(EntitlementBasis::PerHousehold, 1, 7, None)),
            120,
        ),
        (
            "Питьевая вода 5 л",
            "бутыль",
            "water_5l",
            [
                ("en", "Drinking water 5 L", "bottle"),
                ("kk", "Ауыз су 5 л", "бөтелке"),
                ("ky", "Ичүүчү суу 5 л", "бөтөлкө"),
            ],
            Some(rule(EntitlementBasis::PerPerson, 2, 1, None)),
            400,
        ),
        (
            "Гигиенический набор",
            "набор",
            "hygiene_kit",
            [
                ("en", "Hygiene kit", "kit"),
                ("kk", "Гигиеналық жиынтық", "жиынтық"),
                ("ky", "Гигиеналык топтом", "топтом"),
            ],
            Some(rule(EntitlementBasis::PerPerson, 1, 30, None)),
            60,
        ),
        (
            "Одеяло",
            "шт.",
            "blanket",
            [
                ("en", "Blanket", "pcs"),
                ("kk", "Көрпе", "дана"),
                ("ky", "Жууркан", "даана"),
            ],
            Some(rule(EntitlementBasis::PerPerson, 1, 90, None)),
            80,
        ),
        (
            "Детский набор",
            "набор",
            "baby_kit",
            [
                ("en", "Baby kit", "kit"),
                ("kk", "Балалар жиынтығы", "жиынтық"),
                ("ky", "Балдар топтому", "топтом"),
            ],
            Some(rule(
                EntitlementBasis::PerHousehold,
                1,
                30,
                Some(EntitlementCondition::ChildUnderMonths { months: 24 }),
            )),
            15,
        ),
        (
            "SIM-карта",
            "шт.",
            "sim_card",
            [
                ("en", "SIM card", "pcs"),
                ("kk", "SIM-карта", "дана"),
                ("ky", "SIM-карта", "даана"),
            ],
            Some(rule(EntitlementBasis::PerPerson, 1, 365, None)),
            8,
        ),
    ];
    let point = validate_point(&PointInput {
        name: Some(format!("Пункт выдачи · {city}")),
        kind: Some(PointKind::Point),
        city: Some(city.to_owned()),
    })
    .map_err(|e| anyhow::anyhow!("demo point is invalid: {:?}", e.errors))?;
    let point = store.create_point(distributor, &point, now).await?;
    for (name, unit, code, translations, rule, stock) in items {
        let item = validate_item(&ItemInput {
            name: Some(name.into()),
            unit: Some(unit.into()),
            code: Some(code.into()),
            rules: rule.into_iter().collect(),
            translations: translations
                .into_iter()
                .map(|(language, name, unit)| {
                    let translation = ItemTranslationInput {
                        name: Some(name.into()),
                        unit: Some(unit.into()),
                    };
                    (language.to_owned(), translation)
                })
                .collect(),
        })
        .map_err(|e| anyhow::anyhow!("demo item is invalid: {:?}", e.errors))?;
        let item = store.create_item(distributor, &item, now).await?;
        let receipt = validate_movement(
            &MovementInput {
                item_id: Some(item.id),
                quantity: Some(stock),
                reason: Some("UNHCR / Red Crescent delivery".into()),
                ..MovementInput::default()
            },
            MovementRoute::Receipt,
        )
        .map_err(|e| anyhow::anyhow!("demo stock is invalid: {:?}", e.errors))?;
        store
            .record_movement(distributor, point.id, &receipt, now)
            .await?;
    }
    Ok(())
}

/// A bed pool of the demo's shelters: `beds` of `kind`, `step_free` of them step-free, in
/// rooms of `room_size` where the pool is of family rooms.
pub(crate) fn pool(
    kind: PoolKind,
    beds: u32,
    step_free: u32,
    room_size: Option<u32>,
) -> BedPoolInput {
    BedPoolInput {
        kind: Some(kind),
        room_size,
        beds: Some(beds),
        step_free_beds: step_free,
        ..BedPoolInput::default()
    }
}

/// Shelters as they opened in Oral and Bishkek: a sports hall split by sex, a mosque for
/// men, a hostel with family rooms, a school.
async fn seed_sites(
    store: &Store,
    site_managers: &[Actor],
    now: chrono::DateTime<Utc>,
) -> Result<usize> {
    use shanyrak_core::shelter::{
        Amenities, HouseRules, SiteInput, SiteKind, validate_pool, validate_site,
    };
    let sites = [
        (
            0,
            "Спорткомплекс «Мирас»",
            SiteKind::SportsHall,
            "KZ",
            "Oral",
            true,
            vec![
                pool(PoolKind::MaleDorm, 120, 4, None),
                pool(PoolKind::FemaleDorm, 60, 4, None),
            ],
        ),
        (
            0,
            "Мечеть Абат-Байтак",
            SiteKind::Mosque,
            "KZ",
            "Oral",
            true,
            vec![pool(PoolKind::MaleDorm, 80, 0, None)],
        ),
        (
            0,
            "Хостел «Жайык»",
            SiteKind::Hostel,
            "KZ",
            "Oral",
            false,
            vec![
                pool(PoolKind::FamilyRoom, 32, 4, Some(4)),
                pool(PoolKind::Mixed, 20, 2, None),
            ],
        ),
        (
            2,
            "Школа № 61",
            SiteKind::School,
            "KG",
            "Бишкек",
            false,
            vec![
                pool(PoolKind::Mixed, 40, 2, None),
                pool(PoolKind::FamilyRoom, 24, 0, Some(6)),
            ],
        ),
    ];
    let count = sites.len();
    for (org, name, kind, country, city, segregated, pools) in sites {
        let rules = HouseRules {
            sex_segregated: segregated,
            children_allowed: kind != SiteKind::Mosque,
            max_nights: Some(14),
            check_in_from: Some("08:00".into()),
            check_in_until: Some("23:00".into()),
        };
        let site = validate_site(&SiteInput {
            name: Some(name.into()),
            kind: Some(kind),
            location: Some(LocationInput {
                country: Some(country.into()),
                region: None,
                city: Some(city.into()),
                place_id: None,
            }),
            rules: Some(rules.clone()),
            amenities: Some(Amenities {
                heating: true,
                showers: kind != SiteKind::Mosque,
                meals: true,
                step_free: kind != SiteKind::Mosque,
            }),
            ..SiteInput::default()
        })
        .map_err(|e| anyhow::anyhow!("demo site is invalid: {:?}", e.errors))?;
        let manager = &site_managers[org];
        let view = store.create_site(manager, &site, now).await?;
        for p in pools {
            let spec = validate_pool(&p, &rules)
                .map_err(|e| anyhow::anyhow!("demo pool is invalid: {:?}", e.errors))?;
            store.add_pool(manager, view.site.id, &spec, now).await?;
        }
    }
    Ok(count)
}
