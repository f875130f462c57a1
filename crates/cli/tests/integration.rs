//! The real `shanyrak` binary: administration commands, the demo, and crash safety
//! (SIGKILL in the middle of concurrent registrations, then restart and check).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed expectation is a failed test

use std::collections::HashMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shanyrak_store::testing::{Backend, TestDatabase};

macro_rules! on_both_backends {
    ($($scenario:ident),+ $(,)?) => {
        $(mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario(super::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$scenario(super::Backend::Postgres).await;
            }
        })+
    };
}

mod audit;
mod backup;
mod browser;
mod cluster;
mod contract;
mod encoded;
mod https;
mod import;
mod keys;
mod login;
mod operations;
mod protection;
mod spreadsheets;
mod support;

use support::{
    Desks, Outage, PASSWORD, admin, all_households, create_org, desk_client, export, household,
    provision, retry_unanswered, scratch_dir, seed_demo, shanyrak, start_demo, start_server,
    start_server_logging, succeeds, uuid_like,
};

on_both_backends!(
    admin_commands_set_up_a_working_account,
    sigkill_loses_no_acknowledged_registration,
    place_proposes_then_reserves,
);

async fn admin_commands_set_up_a_working_account(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let token = provision(&db.url).await;

    let bad_kind = admin(
        "create-org",
        &db.url,
        &["--name", "X", "--kind", "club"],
        "",
    )
    .await;
    assert!(!bad_kind.success);
    assert!(
        bad_kind.stderr.contains("unknown organisation kind"),
        "{}",
        bad_kind.stderr
    );
    let unknown_org_user = async |stdin: &str| {
        let args = [
            "--org",
            "01a219aa-12c2-71fe-bffb-2dd356f92d0a",
            "--email",
            "x@example.org",
            "--role",
            "admin",
        ];
        admin("create-user", &db.url, &args, stdin).await
    };
    let no_password = unknown_org_user("").await;
    assert!(!no_password.success);
    assert!(
        no_password.stderr.contains("no password"),
        "{}",
        no_password.stderr
    );
    let unknown_org = unknown_org_user(&format!("{PASSWORD}\n")).await;
    assert!(!unknown_org.success);
    assert!(
        unknown_org.stderr.contains("not found"),
        "{}",
        unknown_org.stderr
    );
    let unknown_user = admin(
        "create-token",
        &db.url,
        &["--email", "nobody@example.org"],
        "",
    )
    .await;
    assert!(!unknown_user.success);

    let (mut server, base) = start_server(&db.url).await;
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{base}/api/v1/households"))
        .bearer_auth(&token)
        .json(&household("admin-test", 2))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::CREATED);

    // The audit log of everything above is intact.
    let verified = admin("verify-audit", &db.url, &["--seal"], "").await;
    assert!(verified.success, "{}", verified.stderr);
    assert!(
        verified.stdout.starts_with("audit log intact:"),
        "{}",
        verified.stdout
    );

    // A token for a role the user does not have is refused; revoking stops a token at once.
    let wrong_role = admin(
        "create-token",
        &db.url,
        &["--email", "reg@example.org", "--role", "admin"],
        "",
    )
    .await;
    assert!(!wrong_role.success);
    assert!(
        wrong_role.stderr.contains("does not have this role"),
        "{}",
        wrong_role.stderr
    );
    let second = admin(
        "create-token",
        &db.url,
        &["--email", "reg@example.org", "--role", "registrar"],
        "",
    )
    .await;
    assert!(second.success, "{}", second.stderr);
    let revoked = admin(
        "revoke-tokens",
        &db.url,
        &["--email", "reg@example.org"],
        "",
    )
    .await;
    assert_eq!(revoked.stdout, "2 tokens revoked", "{}", revoked.stderr);
    let response = client
        .get(format!("{base}/api/v1/households"))
        .bearer_auth(&second.stdout)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let token = admin("create-token", &db.url, &["--email", "reg@example.org"], "")
        .await
        .stdout;

    // Disabling the user from the command line locks the token out of the running server.
    let disabled = admin("disable-user", &db.url, &["--email", "reg@example.org"], "").await;
    assert!(disabled.success, "{}", disabled.stderr);
    let response = client
        .get(format!("{base}/api/v1/households"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let _ = server.kill().await;
}

/// Several clients register households with idempotency keys; the server is killed with
/// SIGKILL mid-way and restarted. Every household that got a 201 must be there with all its
/// members, no household may be half-written, and retrying the requests whose answer was
/// lost must not create duplicates.
async fn sigkill_loses_no_acknowledged_registration(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let token = provision(&db.url).await;
    let (mut server, base) = start_server(&db.url).await;
    let client = desk_client();
    let clients = Desks {
        count: 6,
        tag_prefix: "c",
        largest_household: 4,
        outage: Outage::OnlyServer,
    }
    .start(&client, &base, &token);
    // Let registrations flow, then kill the server without warning.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.start_kill().expect("SIGKILL");
    let _ = server.wait().await;
    let (acknowledged, unanswered) = clients.finish().await;
    assert!(
        acknowledged.len() >= 6,
        "too few registrations before the kill: {}",
        acknowledged.len()
    );
    eprintln!(
        "before SIGKILL: {} acknowledged, {} without an answer",
        acknowledged.len(),
        unanswered.len()
    );

    let (mut server, base) = start_server(&db.url).await;
    let expected_members: HashMap<String, usize> = acknowledged
        .iter()
        .map(|(tag, n, _)| (tag.clone(), *n))
        .chain(unanswered.iter().cloned())
        .collect();

    for (tag, members, body) in &acknowledged {
        let id = body["id"].as_str().expect("id in 201");
        let got: Value = client
            .get(format!("{base}/api/v1/households/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        assert_eq!(
            got["notes"],
            json!(tag),
            "acknowledged {tag} is missing after the crash"
        );
        assert_eq!(
            got["members"].as_array().map(Vec::len),
            Some(*members),
            "{tag} lost members"
        );
        assert_eq!(
            got["members"]
                .as_array()
                .map(|m| m.iter().map(|p| p["id"].clone()).collect::<Vec<_>>()),
            body["members"]
                .as_array()
                .map(|m| m.iter().map(|p| p["id"].clone()).collect::<Vec<_>>())
        );
    }

    // Retrying what got no answer, with the same keys, creates each at most once.
    retry_unanswered(&client, &base, &token, &unanswered).await;

    let mut seen: HashMap<String, usize> = HashMap::new();
    for h in all_households(&client, &base, &token).await {
        let tag = h["notes"].as_str().expect("tag").to_owned();
        let members = h["members"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(
            Some(&members),
            expected_members.get(&tag),
            "{tag} is half-written or unknown"
        );
        *seen.entry(tag).or_default() += 1;
    }
    assert!(
        seen.values().all(|&n| n == 1),
        "a request was registered twice: {seen:?}"
    );
    assert_eq!(seen.len(), acknowledged.len() + unanswered.len());
    let _ = server.kill().await;
}

fn token_of(text: &str, email: &str) -> String {
    text.lines()
        .find(|l| l.contains(email))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with("shk_")))
        .unwrap_or_else(|| panic!("no token for {email} in:\n{text}"))
        .to_owned()
}

async fn get_json(base: &str, path: &str, token: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_starts_with_data_and_prints_tokens() {
    let (mut child, text) = start_demo(&["--scale", "small"], Duration::from_secs(60)).await;
    let base = text
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("address")
        .to_owned();
    let tokens: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.starts_with("shk_") && w.len() == 68)
        .collect();
    assert!(tokens.len() >= 3, "{text}");
    let page = get_json(&base, "/api/v1/households", tokens[0]).await;
    assert!(
        page["items"]
            .as_array()
            .is_some_and(|items| items.len() >= 5),
        "{page}"
    );
    let _ = child.kill().await;
}

/// The default demo is a week of the crisis: every screen has something real to show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_week_fills_dashboard_waiting_list_and_review_queue() {
    // A debug build is several times slower than the release build the README uses.
    let (mut child, text) = start_demo(&[], Duration::from_secs(600)).await;
    let base = text
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("address")
        .to_owned();
    // One account per role in each of seven organisations.
    for role in [
        "registrar",
        "dispatcher",
        "site-manager",
        "distributor",
        "caseworker",
        "analyst",
        "auditor",
        "admin",
    ] {
        for org in [
            "kainar",
            "unhcr",
            "zhardam",
            "migration",
            "iom",
            "redcrescent",
            "kovcheg",
        ] {
            assert!(
                text.contains(&format!("{role}@{org}.example.org")),
                "{role}@{org}"
            );
        }
    }
    let admin = token_of(&text, "admin@kainar.example.org");
    let stats = get_json(&base, "/api/v1/stats", &admin).await;
    assert!(
        stats["population"]["persons"]
            .as_u64()
            .is_some_and(|n| n > 2_000),
        "{}",
        stats["population"]["persons"]
    );
    assert!(
        stats["waiting_households"].as_u64().is_some_and(|n| n > 0),
        "{}",
        stats["waiting_households"]
    );
    let occupied: u64 = stats["beds"]
        .as_array()
        .expect("beds")
        .iter()
        .filter(|b| b["kind"] == "all")
        .filter_map(|b| b["occupied"].as_u64())
        .sum();
    assert!(occupied > 100, "{occupied} beds occupied");
    let queue = get_json(
        &base,
        "/api/v1/duplicates",
        &token_of(&text, "registrar@kainar.example.org"),
    )
    .await;
    assert!(
        queue["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty()),
        "{queue}"
    );
    let report = get_json(
        &base,
        "/api/v1/reports/distributions?by=item",
        &token_of(&text, "distributor@kainar.example.org"),
    )
    .await;
    assert!(report.to_string().contains("food_parcel"), "{report}");
    // People displaced by the border conflict and returning migrants in Kyrgyzstan.
    let bishkek = get_json(
        &base,
        "/api/v1/stats",
        &token_of(&text, "admin@zhardam.example.org"),
    )
    .await;
    let groups = &bishkek["population"]["by_group"];
    assert!(groups["idp"].as_u64().is_some_and(|n| n > 0), "{groups}");
    assert!(
        groups["returnee"].as_u64().is_some_and(|n| n > 0),
        "{groups}"
    );
    let _ = child.kill().await;
}

async fn place_proposes_then_reserves(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    seed_demo(&db.url).await;
    let csv_path = std::env::temp_dir().join(format!("shanyrak-place-{}.csv", uuid_like()));
    let csv_arg = csv_path.to_string_lossy().into_owned();

    let dry = succeeds(&["place", "--db", &db.url, "--dry-run", "--out", &csv_arg]).await;
    assert!(dry.stderr.contains("dry run"), "{}", dry.stderr);
    let csv = std::fs::read_to_string(&csv_path).expect("csv written");
    let rows: Vec<&str> = csv.lines().collect();
    assert!(
        rows[0].starts_with("status,household_id,reference,city,people,site_id"),
        "{}",
        rows[0]
    );
    let proposed = rows.iter().filter(|r| r.starts_with("proposed,")).count();
    assert!(proposed >= 5, "{csv}");
    // Personal data stays out of the proposal file: ids and references only.
    assert!(
        !csv.contains("Смирнов") && !csv.contains("Кузнецов"),
        "{csv}"
    );

    let real = succeeds(&["place", "--db", &db.url, "--out", &csv_arg]).await;
    assert!(
        real.stderr
            .contains(&format!("{proposed} households reserved")),
        "{}",
        real.stderr
    );
    let again = succeeds(&["place", "--db", &db.url, "--dry-run"]).await;
    assert_eq!(
        again
            .stdout
            .lines()
            .filter(|r| r.starts_with("proposed,"))
            .count(),
        0,
        "{}",
        again.stdout
    );
    let _ = std::fs::remove_file(csv_path);
}

/// `shanyrak dedup` and `shanyrak link` on CSV files: spellings across scripts meet,
/// brothers born the same day stay apart, and a bad date is reported, not fatal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedup_and_link_csv_files() {
    let dir = scratch_dir("dedup");
    let input = dir.join("in.csv");
    std::fs::write(
        &input,
        "\u{feff}record_id;Фамилия;Имя;patronymic;sex;birth_date;citizenship;doc_type;doc_number;phone\n\
         r1;Смирнов;Алексей;Игоревич;м;02.03.1995;RU;ru_internal_passport;4512 345678;+7 912 345-67-89\n\
         r2;SMIRNOV;ALEKSEI;;M;1995-03-02;RU;ru_internal_passport;4512345678;\n\
         r3;Smirnov;Aleksey;Igorevich;male;1995-03-02;;;;8 912 345 67 89\n\
         r4;Кузнецов;Артём;Дмитриевич;м;11.02.2019;RU;;;\n\
         r5;Кузнецов;Андрей;Дмитриевич;м;11.02.2019;RU;;;\n\
         r6;Иванов;Сергей;;м;not a date;RU;;;\n",
    )
    .expect("write");
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let input_arg = input.to_string_lossy().into_owned();
    let run = succeeds(&[
        "dedup",
        &input_arg,
        "--out",
        &path("clusters.csv"),
        "--pairs",
        &path("pairs.csv"),
        "--columns",
        "surname=Фамилия,given_name=Имя",
    ])
    .await;
    assert!(
        run.stderr
            .contains("unreadable birth_date on 1 of 6 rows (row 7)"),
        "{}",
        run.stderr
    );
    // Six records cannot show whether the file holds families: the guards stay.
    assert!(
        run.stderr
            .contains("guards kept: too few records of one person"),
        "{}",
        run.stderr
    );
    let clusters = std::fs::read_to_string(dir.join("clusters.csv")).expect("clusters");
    let cluster: HashMap<&str, &str> = clusters
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .collect();
    assert_eq!(cluster["r1"], cluster["r2"]);
    assert_eq!(cluster["r1"], cluster["r3"]);
    assert_ne!(
        cluster["r4"], cluster["r5"],
        "brothers born the same day are two people"
    );
    assert_ne!(cluster["r1"], cluster["r6"]);
    let pairs = std::fs::read_to_string(dir.join("pairs.csv")).expect("pairs");
    assert!(pairs.starts_with("record_id_l,record_id_r,probability,decision,evidence"));
    assert!(
        pairs.contains("r1,r2,") && pairs.contains("document=same"),
        "{pairs}"
    );

    let other = dir.join("other.csv");
    std::fs::write(
        &other,
        "record_id,surname,given_name,birth_date\nb1,Смирнов,Алёша,1995-03-02\nb2,Петрова,Анна,1980-01-01\n",
    )
    .expect("write");
    let link = shanyrak(
        &[
            "link",
            &input_arg,
            &other.to_string_lossy(),
            "--out",
            &path("links.csv"),
            "--columns",
            "surname=Фамилия,given_name=Имя",
        ],
        "",
    )
    .await;
    assert!(
        !link.success,
        "the second file has no Фамилия column: {}",
        link.stderr
    );
    let plain = dir.join("plain.csv");
    std::fs::write(
        &plain,
        "record_id,surname,given_name,birth_date,doc_number\na1,SMIRNOV,ALEKSEI,02.03.1995,4512345678\na2,Petrov,Ivan,1970-05-05,\n",
    )
    .expect("write");
    succeeds(&[
        "link",
        &plain.to_string_lossy(),
        &other.to_string_lossy(),
        "--out",
        &path("links.csv"),
    ])
    .await;
    let links = std::fs::read_to_string(dir.join("links.csv")).expect("links");
    assert!(links.lines().any(|l| l.starts_with("a1,b1,")), "{links}");
    assert!(!links.lines().any(|l| l.starts_with("a2,")), "{links}");
    // The same person twice in the second file: one-to-one links a1 to one of them and
    // sends the other to review; --many-to-many scores both alike.
    let twice = dir.join("twice.csv");
    std::fs::write(
        &twice,
        "record_id,surname,given_name,birth_date,doc_number
b1,Смирнов,Алексей,1995-03-02,4512345678
b2,Петрова,Анна,1980-01-01,
b3,SMIRNOV,ALEKSEI,1995-03-02,4512345678
",
    )
    .expect("write");
    let decisions = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("a1,"))
            .filter_map(|l| l.split(',').nth(3).map(str::to_owned))
            .collect()
    };
    for many in [false, true] {
        let mut args = vec![
            "link".to_owned(),
            plain.to_string_lossy().into_owned(),
            twice.to_string_lossy().into_owned(),
            "--out".to_owned(),
            path("links.csv"),
        ];
        if many {
            args.push("--many-to-many".to_owned());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        succeeds(&args).await;
        let links = std::fs::read_to_string(dir.join("links.csv")).expect("links");
        let d = decisions(&links);
        assert_eq!(d.len(), 2, "{links}");
        if many {
            assert_eq!(d[0], d[1], "{links}");
        } else {
            assert_eq!(d.iter().filter(|d| *d == "link").count(), 1, "{links}");
        }
    }

    let missing = shanyrak(&["dedup", &path("nope.csv"), "--out", &path("x.csv")], "").await;
    assert!(!missing.success);
    assert!(
        missing.stderr.contains("could not open"),
        "{}",
        missing.stderr
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Two files of the same 600 unrelated people with addresses (no twins or families), the
/// second retyped, every tenth of its records renamed with a new document: `link` sees
/// within the files that the guards are not needed and links those clear mutual bests;
/// `--keep-guards` sends them to review.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_relaxes_the_guards_only_when_the_files_allow() {
    let dir = scratch_dir("relax");
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let syllables = [
        "ka", "lo", "mi", "ren", "dor", "sta", "vel", "gru", "pol", "tin", "bas", "hem", "jor",
        "nuk", "zer", "fal", "qui", "wes", "yar", "cob",
    ];
    let given = [
        "mitchell", "harley", "madeline", "elton", "joshua", "rebecca", "caleb", "laura",
        "william", "daniel", "olivia", "nicholas", "sophie", "liam", "grace", "oscar",
    ];
    let header = "record_id,surname,given_name,birth_date,doc_number,address,locality,postcode\n";
    let (mut a, mut b) = (header.to_owned(), header.to_owned());
    for i in 0..600usize {
        let surname = format!("{}{}", syllables[i % 20], syllables[(i / 20) % 20]);
        let birth = format!(
            "{}-{:02}-{:02}",
            1930 + i % 70,
            1 + (i / 70) % 12,
            1 + (i / 3) % 28
        );
        let address = format!("{} {} street", 1 + i % 97, syllables[(i / 3) % 20]);
        let locality = format!("{}ville", syllables[(i / 7) % 20]);
        let postcode = 2000 + (i * 37) % 7000;
        let document = 1_000_003 + i * 7919 % 8_999_999;
        a.push_str(&format!(
            "a{i},{surname},{},{birth},{document:07},{address},{locality},{postcode}\n",
            given[(i * 7) % 16]
        ));
        let (name, document) = if i % 10 == 0 {
            (given[(i * 7 + 5) % 16], 9_000_001 - i * 104_729 % 7_999_999)
        } else {
            (given[(i * 7) % 16], document)
        };
        b.push_str(&format!(
            "b{i},{surname},{name},{birth},{document:07},{address},{locality},{postcode}\n"
        ));
    }
    std::fs::write(dir.join("a.csv"), a).expect("write");
    std::fs::write(dir.join("b.csv"), b).expect("write");
    let renamed = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| {
                l.split(',')
                    .next()
                    .and_then(|id| id.strip_prefix('a'))
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n % 10 == 0)
            })
            .map(str::to_owned)
            .collect()
    };
    let run = succeeds(&[
        "link",
        &path("a.csv"),
        &path("b.csv"),
        "--out",
        &path("relaxed.csv"),
    ])
    .await;
    assert!(run.stderr.contains("guards relaxed"), "{}", run.stderr);
    let relaxed = std::fs::read_to_string(dir.join("relaxed.csv")).expect("pairs");
    let lines = renamed(&relaxed);
    assert_eq!(lines.len(), 60, "{relaxed}");
    for line in &lines {
        let id = line.split(',').next().unwrap_or_default();
        assert!(line.starts_with(&format!("{id},b{},", &id[1..])), "{line}");
        assert!(line.contains(",link,"), "{line}");
        assert!(line.contains("linked_as_clear_mutual_best"), "{line}");
    }
    let run = succeeds(&[
        "link",
        &path("a.csv"),
        &path("b.csv"),
        "--out",
        &path("kept.csv"),
        "--keep-guards",
    ])
    .await;
    assert!(!run.stderr.contains("guards relaxed"), "{}", run.stderr);
    let kept = std::fs::read_to_string(dir.join("kept.csv")).expect("pairs");
    assert!(
        renamed(&kept).iter().all(|l| !l.contains(",link,")),
        "{kept}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// No personal data in the log: the real server at `debug` level receives registrations,
/// invalid input, searches and edits carrying distinctive names, numbers and phones, and
/// none of them may appear in what it wrote to stderr.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_holds_no_personal_data() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let token = provision(&db.url).await;
    let (mut child, base, log_path) =
        start_server_logging(&db.url, &[("SHANYRAK_LOG", "debug"), ("NO_COLOR", "1")]).await;
    let client = reqwest::Client::new();
    let api = |method: Method, path: &str| {
        client
            .request(method, format!("{base}{path}"))
            .bearer_auth(&token)
    };
    let send = async |request: reqwest::RequestBuilder| request.send().await.expect("send");
    let secrets = [
        "Зыряновка",
        "Qwertzuiopov",
        "Ёжикова",
        "7719283746",
        "+79876543210",
        "9876543210",
    ];
    let body = json!({"group": "arrival", "location": {"country": "KZ", "city": "Oral"}, "phone": "+7 987 654 32 10",
        "notes": "Qwertzuiopov is hiding",
        "members": [{"surname": "Зыряновка", "given_name": "Qwertzuiopov", "patronymic": "Ёжикова", "sex": "female",
                     "birth_date": "1990-01-01", "relationship": "head",
                     "documents": [{"type": "ru_internal_passport", "number": "7719 283746"}]}]});
    let created: Value = send(api(Method::POST, "/api/v1/households").json(&body))
        .await
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id").to_owned();
    let mut bad = body.clone();
    bad["members"][0]["birth_date"] = json!("Зыряновка");
    bad["members"][0]["sex"] = json!("Qwertzuiopov");
    let _ = send(api(Method::POST, "/api/v1/households").json(&bad)).await;
    let _ = send(
        api(Method::POST, "/api/v1/households")
            .header("content-type", "application/json")
            .body("{\"surname\": \"Зыряновка\""),
    )
    .await;
    let _ = send(api(
        Method::GET,
        "/api/v1/persons/search?q=Зыряновка%20Qwertzuiopov",
    ))
    .await;
    let _ = send(api(Method::GET, "/api/v1/persons/search?q=7719283746")).await;
    let _ = send(
        api(Method::PATCH, &format!("/api/v1/households/{id}"))
            .header("content-type", "application/merge-patch+json")
            .body(json!({"phone": "Зыряновка 9876543210"}).to_string()),
    )
    .await;
    // Subject access answers with every name (the body is never logged); an erasure
    // request with names in unexpected places is refused without repeating them.
    let person = created["members"][0]["id"]
        .as_str()
        .expect("person")
        .to_owned();
    let access = send(
        api(
            Method::GET,
            &format!("/api/v1/persons/{person}/subject-access"),
        )
        .header("X-Purpose", "request of Зыряновка"),
    )
    .await;
    assert_eq!(access.status(), StatusCode::OK);
    let _ = send(
        api(Method::POST, &format!("/api/v1/persons/{person}/erasure"))
            .json(&json!({"reason": "Зыряновка asked", "Qwertzuiopov": true})),
    )
    .await;
    let _ = send(api(Method::GET, "/api/v1/households/Qwertzuiopov")).await;
    let _ = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": "qwertzuiopov@example.org", "password": "Зыряновка"}))
        .send()
        .await
        .expect("send");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = child.kill().await;
    let log = std::fs::read_to_string(&log_path).expect("log");
    let _ = std::fs::remove_file(&log_path);
    assert!(
        log.contains("household registered"),
        "the log is not empty: {log}"
    );
    for secret in secrets {
        assert!(
            !log.contains(secret),
            "{secret:?} appears in the log:\n{log}"
        );
    }
    assert!(!log.to_lowercase().contains("qwertzuiopov"), "{log}");
}

/// `--key-file` encrypts the embedded database; without the key the file does not open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_file_encrypts_the_database() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let key = std::env::temp_dir().join(format!("shanyrak-key-{}", uuid_like()));
    std::fs::write(&key, "a long passphrase from a USB key\n").expect("key");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod");
    let key_arg = key.to_string_lossy().into_owned();
    create_org(&db.url, "Кайнар", "ngo", &["--key-file", &key_arg]).await;
    let without = admin("create-org", &db.url, &["--name", "X", "--kind", "ngo"], "").await;
    assert!(!without.success);
    assert!(
        without.stderr.contains("could not open the database"),
        "{}",
        without.stderr
    );
    let again = admin(
        "verify-audit",
        &db.url,
        &["--key-file", &key_arg, "--seal"],
        "",
    )
    .await;
    assert!(again.success, "{}", again.stderr);
    let postgres = admin(
        "verify-audit",
        "postgres://nobody@127.0.0.1:1/x",
        &["--key-file", &key_arg],
        "",
    )
    .await;
    assert!(
        postgres.stderr.contains("encrypts SQLite files"),
        "{}",
        postgres.stderr
    );
    let _ = std::fs::remove_file(key);
}

/// `shanyrak stats` and `shanyrak export` on the demo: HXL exports are well formed (every
/// column tagged), XLSX files are real workbooks, unknown datasets are refused by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_and_exports_on_the_demo() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    seed_demo(&db.url).await;
    let stats = succeeds(&["stats", "--db", &db.url]).await;
    let figures: Value = serde_json::from_str(&stats.stdout).expect("json");
    assert!(
        figures["population"]["persons"]
            .as_u64()
            .is_some_and(|n| n >= 15),
        "{figures}"
    );
    assert!(figures["gaps"].as_array().is_some_and(|g| !g.is_empty()));

    let dir = scratch_dir("export");
    for dataset in ["population", "sites", "distributions"] {
        let out = dir.join(format!("{dataset}.csv"));
        let run = export(&db.url, dataset, Some("hxl"), &out, &[]).await;
        assert!(run.success, "{}", run.stderr);
        let text = std::fs::read_to_string(&out).expect("export");
        let mut lines = text.lines();
        let headers: Vec<&str> = lines.next().expect("header").split(',').collect();
        let tags: Vec<&str> = lines.next().expect("hashtags").split(',').collect();
        assert_eq!(headers.len(), tags.len(), "every column is tagged");
        assert!(
            tags.iter()
                .all(|t| shanyrak_server::exports::is_valid_hxl_tag(t)),
            "{tags:?}"
        );
        // The small demo hands nothing out, so its distributions are a header only.
        assert!(dataset == "distributions" || lines.count() >= 2, "{text}");
        let xlsx = dir.join(format!("{dataset}.xlsx"));
        let run = export(&db.url, dataset, Some("xlsx"), &xlsx, &[]).await;
        assert!(run.success, "{}", run.stderr);
        let bytes = std::fs::read(&xlsx).expect("xlsx");
        assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip archive");
    }
    // The registry: one line per current person, as many as the figures count records.
    let registry = dir.join("registry.csv");
    let run = export(&db.url, "registry", Some("csv"), &registry, &[]).await;
    assert!(run.success, "{}", run.stderr);
    let text = std::fs::read_to_string(&registry).expect("registry");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("header").clone();
    assert_eq!(header.get(1), Some("reference"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(
        Some(rows.len() as u64),
        figures["population"]["records"].as_u64(),
        "one line per person record"
    );
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let unknown = export(&db.url, "people", None, &dir.join("x.csv"), &[]).await;
    assert!(
        !unknown.success && unknown.stderr.contains("unknown dataset"),
        "{}",
        unknown.stderr
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `SHANYRAK_LOG_FORMAT=json`: every line of the log is one JSON object with its level and
/// message, for log collectors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_can_be_json_lines() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let (mut child, base, log_path) = start_server_logging(
        &db.url,
        &[("SHANYRAK_LOG", "info"), ("SHANYRAK_LOG_FORMAT", "json")],
    )
    .await;
    let health = reqwest::get(format!("{base}/healthz"))
        .await
        .expect("health");
    assert_eq!(health.status(), StatusCode::OK);
    child.kill().await.expect("stop");
    let log = std::fs::read_to_string(&log_path).expect("log");
    let _ = std::fs::remove_file(&log_path);
    let entries: Vec<Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    assert!(!entries.is_empty(), "nothing was logged");
    assert!(
        entries
            .iter()
            .all(|e| e["level"].is_string() && e["fields"].is_object()),
        "{log}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e["fields"]["message"] == "listening"),
        "{log}"
    );
}
