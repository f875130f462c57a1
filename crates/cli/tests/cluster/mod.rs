//! Several `shanyrak serve` processes on one PostgreSQL database behind HAProxy (from
//! Debian's package, as in docs/DEPLOYMENT.md): desks keep registering when one process
//! is killed, retries with the same Idempotency-Key create nothing twice whichever process
//! they reach, and a registration on one process is a possible duplicate on the other
//! within a second (LISTEN/NOTIFY). PostgreSQL only: SQLite serves one process.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_store::testing::{Backend, TestDatabase};
use tokio::process::{Child, Command};

use crate::support::{
    Desks, Outage, all_households, desk_client, provision, retry_unanswered, scratch_dir,
    start_server,
};

/// HAProxy in front of `servers`, checking `/healthz/ready`: the process and its base URL.
async fn haproxy(servers: &[&str]) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("address")
        .port();
    let mut config = format!(
        "global\n  maxconn 512\n\
         defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n\
         frontend desks\n  bind 127.0.0.1:{port}\n  default_backend shanyrak\n\
         backend shanyrak\n  balance roundrobin\n  option httpchk GET /healthz/ready\n\
         \x20 http-check expect status 200\n  default-server inter 200ms fall 2 rise 1\n"
    );
    for (i, base) in servers.iter().enumerate() {
        let address = base.trim_start_matches("http://");
        config.push_str(&format!("  server s{i} {address} check\n"));
    }
    let dir = scratch_dir("haproxy");
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, config).expect("config");
    // Debian puts it in /usr/sbin, which an ordinary user's PATH may lack.
    let program = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("haproxy");
    let child = Command::new(program)
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("haproxy is installed (apt-get install haproxy; scripts/test does)");
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&base).await;
    (child, base)
}

/// Waits until `base` answers `/healthz/ready` with 200.
async fn wait_ready(base: &str) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz/ready")).send().await
            && r.status() == StatusCode::OK
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{base} never became ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Two `shanyrak serve` processes of `db`, both ready.
async fn two_processes(db: &str) -> ((Child, String), (Child, String)) {
    let first = start_server(db).await;
    let second = start_server(db).await;
    wait_ready(&first.1).await;
    wait_ready(&second.1).await;
    (first, second)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_behind_the_balancer_loses_and_duplicates_nothing() {
    let db = TestDatabase::new(Backend::Postgres).await;
    let token = provision(&db.url).await;
    let ((mut first, first_base), (mut second, second_base)) = two_processes(&db.url).await;
    let (_balancer, base) = haproxy(&[&first_base, &second_base]).await;
    let client = desk_client();

    // Eight desks, each request to whichever process the balancer picks.
    let desks = Desks {
        count: 8,
        tag_prefix: "desk",
        largest_household: 3,
        outage: Outage::Balanced,
    }
    .start(&client, &base, &token);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    first.start_kill().expect("SIGKILL");
    let _ = first.wait().await;
    // The desks go on through the balancer, now to the other process only.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (acknowledged, unanswered) = desks.finish().await;
    eprintln!(
        "two processes, one killed: {} acknowledged, {} without an answer",
        acknowledged.len(),
        unanswered.len()
    );
    assert!(acknowledged.len() >= 16, "too few: {}", acknowledged.len());

    // Every request without an answer is sent again, with its key, to the survivor.
    retry_unanswered(&client, &second_base, &token, &unanswered).await;

    // Every acknowledged household is there exactly once, whole; every retried one once.
    let expected: HashMap<String, usize> = acknowledged
        .iter()
        .map(|(tag, n, _)| (tag.clone(), *n))
        .chain(unanswered.iter().cloned())
        .collect();
    let mut seen: HashMap<String, (usize, String)> = HashMap::new();
    for h in all_households(&client, &second_base, &token).await {
        let tag = h["notes"].as_str().expect("tag").to_owned();
        let members = h["members"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(
            Some(&members),
            expected.get(&tag),
            "{tag}: half-written or unknown"
        );
        let id = h["id"].as_str().unwrap_or_default().to_owned();
        assert!(
            seen.insert(tag.clone(), (members, id)).is_none(),
            "{tag} is registered twice"
        );
    }
    for (tag, _, body) in &acknowledged {
        let (_, id) = seen
            .get(tag)
            .unwrap_or_else(|| panic!("acknowledged {tag} is lost"));
        assert_eq!(Some(id.as_str()), body["id"].as_str(), "{tag}");
    }
    assert_eq!(seen.len(), expected.len());
    let _ = second.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_on_one_process_is_a_possible_duplicate_on_the_other_within_a_second() {
    let db = TestDatabase::new(Backend::Postgres).await;
    let token = provision(&db.url).await;
    let ((mut first, first_base), (mut second, second_base)) = two_processes(&db.url).await;
    let client = reqwest::Client::new();
    let family = json!({
        "group": "arrival", "location": {"country": "KZ", "city": "Oral"}, "notes": "first",
        "members": [{"surname": "Жаксыбеков", "given_name": "Ерлан", "sex": "male",
                     "birth_date": "1988-07-14", "relationship": "head",
                     "documents": [{"type": "ru_internal_passport", "number": "4519 774411"}]}]
    });
    for attempt in 0..3 {
        let mut family = family.clone();
        family["members"][0]["documents"][0]["number"] = json!(format!("4519 77441{attempt}"));
        family["members"][0]["given_name"] = json!(["Ерлан", "Серик", "Нурлан"][attempt]);
        let created: Value = client
            .post(format!("{first_base}/api/v1/households"))
            .bearer_auth(&token)
            .json(&family)
            .send()
            .await
            .expect("register on the first")
            .json()
            .await
            .expect("json");
        let person = created["members"][0]["id"].clone();
        let registered = Instant::now();
        // The second process knows the person as soon as its index has the household.
        let number = format!("451977441{attempt}");
        loop {
            let found: Value = client
                .post(format!("{second_base}/api/v1/persons/search"))
                .bearer_auth(&token)
                .json(&json!({"q": number}))
                .send()
                .await
                .expect("search")
                .json()
                .await
                .expect("json");
            if found["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["person_id"] == person))
            {
                break;
            }
            assert!(
                registered.elapsed() < Duration::from_secs(1),
                "attempt {attempt}: the second process did not know the person after a second: {found}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        eprintln!(
            "attempt {attempt}: known to the other process after {:?}",
            registered.elapsed()
        );
        // And a registration of the same man there reports him.
        family["notes"] = json!("again");
        let again: Value = client
            .post(format!("{second_base}/api/v1/households"))
            .bearer_auth(&token)
            .json(&family)
            .send()
            .await
            .expect("register on the second")
            .json()
            .await
            .expect("json");
        assert!(
            again["members"][0]["possible_duplicates"]
                .as_array()
                .is_some_and(|d| d.iter().any(|c| c["person_id"] == person)),
            "{again}"
        );
    }
    let _ = first.kill().await;
    let _ = second.kill().await;
}
