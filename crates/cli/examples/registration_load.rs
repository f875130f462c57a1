//! Registration load: CLIENTS concurrent reception desks post households to a running
//! server for SECONDS, each with an Idempotency-Key, as `POST /api/v1/households`. About
//! one household in twenty re-registers someone already posted, typed in Latin capitals,
//! so the duplicate lookup and the review queue are part of the load. Prints one JSON
//! line: households and persons per second, latency percentiles, errors, and how many
//! members came back with possible duplicates.
//!
//! `registration_load BASE_URL TOKEN CLIENTS SECONDS [SEED]` (see bench/registration.sh)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const MALE: [&str; 16] = [
    "Александр",
    "Алексей",
    "Андрей",
    "Артём",
    "Дмитрий",
    "Евгений",
    "Иван",
    "Игорь",
    "Илья",
    "Кирилл",
    "Максим",
    "Михаил",
    "Никита",
    "Павел",
    "Роман",
    "Сергей",
];
const FEMALE: [&str; 10] = [
    "Анна",
    "Дарья",
    "Екатерина",
    "Елена",
    "Ирина",
    "Мария",
    "Наталья",
    "Ольга",
    "Светлана",
    "Татьяна",
];
const SURNAMES: [&str; 20] = [
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
];
const CITIES: [(&str, &str); 4] = [
    ("KZ", "Oral"),
    ("KZ", "Almaty"),
    ("KZ", "Astana"),
    ("KG", "Bishkek"),
];

/// xorshift64*: enough randomness for test data, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A Latin rendering of a Cyrillic name, as a volunteer would type it from a passport.
fn latin(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphabetic() {
            out.push(c);
            continue;
        }
        out.push_str(match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' => "e",
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
            'ы' => "y",
            'э' => "e",
            'ю' => "iu",
            'я' => "ia",
            'ь' | 'ъ' => "",
            _ => " ",
        });
    }
    out.to_uppercase()
}

fn person(rng: &mut Rng, surname: &str, female: bool, adult: bool, head: bool) -> Value {
    let given = rng.pick(if female { &FEMALE } else { &MALE });
    let father = rng.pick(&MALE);
    let year = if adult {
        1960 + rng.below(45)
    } else {
        2006 + rng.below(16)
    };
    let mut member = json!({
        "surname": if female { format!("{surname}а") } else { surname.to_owned() },
        "given_name": given,
        "patronymic": format!("{father}{}", if female { "овна" } else { "ович" }),
        "sex": if female { "female" } else { "male" },
        "birth_date": format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
        "citizenship": "RU",
        "relationship": if head { "head" } else if adult { "spouse" } else { "child" },
    });
    if adult {
        member["documents"] = json!([{"type": "ru_internal_passport",
            "number": format!("{:04} {:06}", 4500 + rng.below(100), rng.below(1_000_000))}]);
    }
    member
}

fn household(rng: &mut Rng, earlier: &mut Vec<Value>) -> Value {
    let (country, city) = CITIES[rng.below(CITIES.len())];
    let members: Vec<Value> = if !earlier.is_empty() && rng.below(20) == 0 {
        // Someone registered before, now at another desk, typed in Latin capitals.
        let mut again = earlier[rng.below(earlier.len())].clone();
        for field in ["surname", "given_name", "patronymic"] {
            if let Some(text) = again[field].as_str() {
                again[field] = json!(latin(text));
            }
        }
        again["relationship"] = json!("head");
        vec![again]
    } else {
        let surname = rng.pick(&SURNAMES);
        let size = [1, 1, 1, 2, 2, 3, 4, 5][rng.below(8)];
        (0..size)
            .map(|i| {
                let female = i == 1 || (i > 1 && rng.below(2) == 0);
                person(rng, surname, female, i < 2, i == 0)
            })
            .collect()
    };
    if earlier.len() < 10_000 {
        earlier.push(members[0].clone());
    }
    json!({
        "group": "arrival", "arrival_date": "2022-09-27", "crossing_point": "Сырым",
        "location": {"country": country, "city": city},
        "phone": format!("+7 9{:02} {:03} {:02} {:02}", rng.below(100), rng.below(1000), rng.below(100), rng.below(100)),
        "needs": ["shelter", "food"], "legal_basis": "consent", "information_given": true,
        "members": members,
    })
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    households: u64,
    persons: u64,
    flagged: u64,
    errors: u64,
}

async fn desk(
    client: reqwest::Client,
    base: Arc<str>,
    token: Arc<str>,
    seed: u64,
    stop: Arc<AtomicBool>,
) -> Tally {
    // splitmix64 of the seed, so neighbouring seeds give unrelated streams.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    let mut rng = Rng((z ^ (z >> 31)) | 1);
    let mut earlier = Vec::new();
    let mut tally = Tally::default();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let body = household(&mut rng, &mut earlier);
        n += 1;
        let started = Instant::now();
        let response = client
            .post(format!("{base}/api/v1/households"))
            .bearer_auth(&*token)
            .header("Idempotency-Key", format!("load-{seed}-{n}"))
            .json(&body)
            .send()
            .await;
        let answer = match response {
            Ok(r) if r.status() == reqwest::StatusCode::CREATED => r.json::<Value>().await.ok(),
            Ok(r) => {
                if tally.errors < 3 {
                    let status = r.status();
                    eprintln!("{status}: {}", r.text().await.unwrap_or_default());
                }
                None
            }
            Err(e) => {
                if tally.errors < 3 {
                    eprintln!("{e}");
                }
                None
            }
        };
        tally
            .latencies_us
            .push(started.elapsed().as_micros() as u64);
        match answer {
            Some(created) => {
                let members = created["members"].as_array().cloned().unwrap_or_default();
                tally.households += 1;
                tally.persons += members.len() as u64;
                tally.flagged += members
                    .iter()
                    .filter(|m| {
                        m["possible_duplicates"]
                            .as_array()
                            .is_some_and(|d| !d.is_empty())
                    })
                    .count() as u64;
            }
            None => tally.errors += 1,
        }
    }
    tally
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        return Err("usage: registration_load BASE_URL TOKEN CLIENTS SECONDS [SEED]".into());
    }
    let base: Arc<str> = args[1].trim_end_matches('/').into();
    let token: Arc<str> = args[2].trim().into();
    let clients: u64 = args[3].parse()?;
    let seconds: u64 = args[4].parse()?;
    let seed: u64 = args.get(5).map_or(Ok(2022), |s| s.parse())?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients as usize)
        .build()?;
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let desks: Vec<_> = (0..clients)
        .map(|i| {
            tokio::spawn(desk(
                client.clone(),
                base.clone(),
                token.clone(),
                seed.wrapping_mul(1_000_003).wrapping_add(i),
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut total = Tally::default();
    for d in desks {
        let t = d.await?;
        total.latencies_us.extend(t.latencies_us);
        total.households += t.households;
        total.persons += t.persons;
        total.flagged += t.flagged;
        total.errors += t.errors;
    }
    let elapsed = started.elapsed().as_secs_f64();
    total.latencies_us.sort_unstable();
    let l = &total.latencies_us;
    println!(
        "{}",
        json!({
            "clients": clients,
            "seconds": (elapsed * 100.0).round() / 100.0,
            "households": total.households,
            "persons": total.persons,
            "households_per_s": (total.households as f64 / elapsed * 10.0).round() / 10.0,
            "persons_per_s": (total.persons as f64 / elapsed * 10.0).round() / 10.0,
            "p50_ms": percentile(l, 50.0),
            "p95_ms": percentile(l, 95.0),
            "p99_ms": percentile(l, 99.0),
            "max_ms": l.last().map_or(0.0, |m| *m as f64 / 1000.0),
            "errors": total.errors,
            "members_with_possible_duplicates": total.flagged,
        })
    );
    Ok(())
}
