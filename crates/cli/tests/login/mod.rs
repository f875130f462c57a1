//! A sign-in flood against the real binary: 1,000 attempts with unknown e-mails at
//! concurrency 100, from as many addresses (behind a proxy, `--trust-forwarded-for`), so
//! that every attempt passes the throttle and costs a password check. The server's
//! resident memory must stay under 300 MB: password checks run one per core, in working
//! memory that is kept and reused. `bench/login.sh` runs the same flood against the
//! release build (`SHANYRAK_LOGIN_BIN`) and prints the figures for docs/BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_store::testing::{Backend, TestDatabase};
use tokio::sync::Semaphore;

use crate::support::{BIN, listening_address, memory_kib, provision, serve};

const ATTEMPTS: usize = 1_000;
const CONCURRENCY: usize = 100;
const RSS_LIMIT_KIB: u64 = 300 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_keeps_the_server_under_300_mb() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    // A real account exists, so the flood looks for accounts among real ones.
    provision(&db.url).await;
    let bin = std::env::var("SHANYRAK_LOGIN_BIN").unwrap_or_else(|_| BIN.to_owned());
    let mut child = serve(&bin, &db.url, &["--trust-forwarded-for"])
        .env("SHANYRAK_LOG", "error")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn server");
    let pid = child.id().expect("pid");
    let base = listening_address(&mut child).await;
    let (rss_before, _) = memory_kib(pid).expect("memory");

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(ATTEMPTS);
    for n in 0..ATTEMPTS {
        let permit = gate.clone().acquire_owned().await.expect("gate");
        let client = client.clone();
        let url = format!("{base}/api/v1/auth/token");
        let peak = peak.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let response = client
                .post(url)
                .header(
                    "x-forwarded-for",
                    format!("10.{}.{}.{}", n / 65536, (n / 256) % 256, n % 256),
                )
                .json(&json!({"email": format!("nobody{n}@example.org"), "password": "a guess"}))
                .send()
                .await;
            if let Some((rss, _)) = memory_kib(pid) {
                peak.fetch_max(rss, std::sync::atomic::Ordering::Relaxed);
            }
            match response {
                Ok(r) => {
                    let status = r.status();
                    let body: Value = r.json().await.unwrap_or(Value::Null);
                    (status, body["code"].as_str().unwrap_or_default().to_owned())
                }
                Err(_) => (StatusCode::REQUEST_TIMEOUT, "no answer".to_owned()),
            }
        }));
    }
    let mut checked = 0;
    let mut busy = 0;
    let mut other = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            (StatusCode::UNAUTHORIZED, code) if code == "invalid_credentials" => checked += 1,
            (StatusCode::TOO_MANY_REQUESTS, code) if code == "rate_limited" => busy += 1,
            unexpected => other.push(unexpected),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let (rss_after, hwm) = memory_kib(pid).expect("memory");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (rss_settled, _) = memory_kib(pid).expect("memory");
    let seen_peak = peak.load(std::sync::atomic::Ordering::Relaxed).max(hwm);
    println!(
        "login flood: {ATTEMPTS} attempts at concurrency {CONCURRENCY} in {seconds:.1} s \
         ({:.0}/s): {checked} checked (401), {busy} busy (429 rate_limited); RSS before \
         {} MB, peak {} MB, after {} MB, 2 s later {} MB",
        ATTEMPTS as f64 / seconds,
        rss_before / 1024,
        seen_peak / 1024,
        rss_after / 1024,
        rss_settled / 1024,
    );
    assert!(other.is_empty(), "unexpected answers: {other:?}");
    assert!(
        seen_peak < RSS_LIMIT_KIB,
        "peak RSS {} MB",
        seen_peak / 1024
    );
    // Queued attempts wait their turn: almost all are checked, not refused.
    assert!(
        checked >= ATTEMPTS * 9 / 10,
        "{checked} checked, {busy} busy"
    );
    // The server still answers, and the real account signs in from a fresh address.
    let ok = client
        .post(format!("{base}/api/v1/auth/token"))
        .header("x-forwarded-for", "192.0.2.1")
        .json(&json!({"email": "reg@example.org", "password": "a long enough password"}))
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), StatusCode::CREATED);
}
