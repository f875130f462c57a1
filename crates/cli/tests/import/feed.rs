//! Feeding a file to the real binary, by `shanyrak import` and by the web upload, while
//! measuring what it costs: peak resident memory (from /proc) and time. Shared by the
//! corpus test and the benchmark example (`examples/hostile_corpus.rs`).

#![allow(dead_code)] // shared with the benchmark example, which uses part of it

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// How an import ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Refused whole with this code (`rows`, `columns`, `xml` …) and message.
    Refused { code: String, message: String },
    Imported {
        households: u64,
        persons: u64,
        quarantined: u64,
    },
    /// Anything else: a crash, a signal, an error page without a code.
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct Measured {
    pub outcome: Outcome,
    /// Peak resident memory in KiB: the command's own, or the server's during the request.
    pub peak_kib: u64,
    /// Resident memory before (the server's; 0 for the command).
    pub before_kib: u64,
    /// Resident memory after the request (the server's; 0 for the command).
    pub after_kib: u64,
    pub seconds: f64,
}

/// `VmRSS` and `VmHWM` of a process, in KiB.
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Resets a process's peak resident memory (`VmHWM`) to its current size.
pub fn reset_peak(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// The base URL a server just started says it listens on, in the first line it prints.
pub async fn listening_address(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("server started in time")
        .expect("read stdout")
        .expect("a line");
    line.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("listening address")
        .to_owned()
}

/// Runs a command and returns (success, stdout, stderr).
pub async fn run(bin: &Path, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(bin)
        .args(args)
        .env("SHANYRAK_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn shanyrak");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).await.expect("stdin");
    }
    let out = child.wait_with_output().await.expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    )
}

/// An organisation, a registrar in it and the registrar's token (which also opens a web
/// session): `(org id, token)`.
pub async fn provision(bin: &Path, db: &str) -> (String, String) {
    let (ok, org, err) = run(
        bin,
        &[
            "admin",
            "create-org",
            "--db",
            db,
            "--name",
            "Кайнар",
            "--kind",
            "mutual_aid",
        ],
        "",
    )
    .await;
    assert!(ok, "{err}");
    let org = org.lines().last().unwrap_or_default().to_owned();
    let (ok, _, err) = run(
        bin,
        &[
            "admin",
            "create-user",
            "--db",
            db,
            "--org",
            &org,
            "--email",
            "importer@example.org",
            "--role",
            "registrar",
        ],
        "a long enough password\n",
    )
    .await;
    assert!(ok, "{err}");
    let (ok, token, err) = run(
        bin,
        &[
            "admin",
            "create-token",
            "--db",
            db,
            "--email",
            "importer@example.org",
        ],
        "",
    )
    .await;
    assert!(ok, "{err}");
    (org, token.lines().last().unwrap_or_default().to_owned())
}

/// `shanyrak import FILE --json` under an address-space limit of `limit_bytes` (so a
/// regression fails instead of taking the machine down), polling its peak memory.
pub async fn cli_import(
    bin: &Path,
    db: &str,
    org: &str,
    file: &Path,
    limit_bytes: u64,
    extra: &[&str],
) -> Measured {
    let start = Instant::now();
    let mut child = Command::new("prlimit")
        .arg(format!("--as={limit_bytes}"))
        .arg("--")
        .arg(bin)
        .arg("import")
        .arg(file)
        .args(["--db", db, "--org", org, "--country", "KZ", "--json"])
        .args(extra)
        .env("SHANYRAK_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn prlimit (util-linux)");
    let pid = child.id().expect("pid");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = tokio::spawn(async move {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let (a, b) = tokio::join!(
            tokio::io::AsyncReadExt::read_to_end(&mut stdout, &mut out),
            tokio::io::AsyncReadExt::read_to_end(&mut stderr, &mut err)
        );
        let _ = (a, b);
        (out, err)
    });
    // prlimit execs the binary in place, so the pid is the import's own.
    let mut peak = 0;
    let status = loop {
        if let Some((_, hwm)) = memory_kib(pid) {
            peak = peak.max(hwm);
        }
        match tokio::time::timeout(Duration::from_millis(20), child.wait()).await {
            Ok(status) => break status.expect("wait"),
            Err(_) => continue,
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let (out, err) = reader.await.expect("output");
    let out = String::from_utf8_lossy(&out).to_string();
    let err = String::from_utf8_lossy(&err).to_string();
    let last: Option<Value> = out
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok());
    let outcome = match (status.success(), last) {
        (true, Some(summary)) => Outcome::Imported {
            households: summary["households_created"].as_u64().unwrap_or(0),
            persons: summary["persons_created"].as_u64().unwrap_or(0),
            quarantined: summary["quarantined"].as_u64().unwrap_or(0),
        },
        (false, Some(refusal)) if refusal["refused"].is_string() => Outcome::Refused {
            code: refusal["refused"].as_str().unwrap_or_default().to_owned(),
            message: refusal["detail"].as_str().unwrap_or_default().to_owned(),
        },
        _ => Outcome::Failed(format!("{status}: {}", err.trim())),
    };
    Measured {
        outcome,
        peak_kib: peak,
        before_kib: 0,
        after_kib: 0,
        seconds,
    }
}

/// A running `shanyrak serve`.
#[derive(Debug)]
pub struct Server {
    pub child: Child,
    pub base: String,
    pub pid: u32,
}

impl Server {
    pub async fn start(bin: &Path, db: &str) -> Server {
        let mut child = Command::new(bin)
            .args(["serve", "--db", db, "--bind", "127.0.0.1:0"])
            .env("SHANYRAK_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn server");
        let pid = child.id().expect("pid");
        let base = listening_address(&mut child).await;
        Server { child, base, pid }
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(600))
        .build()
        .expect("client")
}

fn csrf_of(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf\" value=\"")? + 19;
    html[start..].split('"').next().map(str::to_owned)
}

fn figure(html: &str, id: &str) -> Option<u64> {
    let marker = format!("id=\"{id}\"><strong>");
    let start = html.find(&marker)? + marker.len();
    html[start..]
        .split('<')
        .next()
        .map(|n| n.chars().filter(char::is_ascii_digit).collect::<String>())
        .and_then(|n| n.parse().ok())
}

fn attribute(html: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let start = html.find(&marker)? + marker.len();
    html[start..].split('"').next().map(str::to_owned)
}

fn multipart(csrf: &str, file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----shanyrak-corpus-boundary";
    let mut body = Vec::with_capacity(file.len() + 1024);
    for (name, value) in [("csrf", csrf), ("country", "KZ"), ("city", "Oral")] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// What `/healthz` did while a file was being fed.
#[derive(Debug, Clone, Default)]
pub struct Health {
    pub answered: u64,
    pub failed: u64,
    pub slowest_ms: u64,
}

/// Asks `/healthz` every 100 ms until `stop` is set.
fn watch_health(base: String, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<Health> {
    tokio::spawn(async move {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        let mut health = Health::default();
        while !stop.load(Ordering::SeqCst) {
            let start = Instant::now();
            match client.get(format!("{base}/healthz")).send().await {
                Ok(r) if r.status().is_success() => health.answered += 1,
                _ => health.failed += 1,
            }
            health.slowest_ms = health
                .slowest_ms
                .max(u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        health
    })
}

/// Uploads a file through the web form, opens its preview, confirms it if the preview
/// offers to and `confirm` is set (else the outcome is what the preview says it would
/// do), and opens the preview of a refused file again (it must answer the same refusal,
/// from what was recorded, without reading the file again). Measures the server's
/// memory around all of it and `/healthz` during it.
pub async fn web_import(
    server: &Server,
    token: &str,
    file_name: &str,
    bytes: &[u8],
    confirm: bool,
) -> (Measured, Health) {
    let cookie = format!(
        "{}={token}",
        shanyrak_server::web::session_cookie_name(true)
    );
    let client = browser();
    let page = client
        .get(format!("{}/import", server.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("import page")
        .text()
        .await
        .expect("body");
    let csrf = csrf_of(&page).expect("csrf on the import page");
    let (content_type, body) = multipart(&csrf, file_name, bytes);
    let before = memory_kib(server.pid).map(|m| m.0).unwrap_or(0);
    reset_peak(server.pid);
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_health(server.base.clone(), stop.clone());
    let start = Instant::now();
    let outcome = async {
        let uploaded = match client
            .post(format!("{}/import", server.base))
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(format!("upload: {e}")),
        };
        if uploaded.status() != reqwest::StatusCode::SEE_OTHER {
            return Outcome::Failed(format!("upload answered {}", uploaded.status()));
        }
        let preview_path = uploaded
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let open = |path: String| {
            let client = client.clone();
            let cookie = cookie.clone();
            let base = server.base.clone();
            async move {
                let r = client
                    .get(format!("{base}{path}"))
                    .header("cookie", cookie)
                    .send()
                    .await?;
                let status = r.status();
                Ok::<_, reqwest::Error>((status, r.text().await?))
            }
        };
        let (status, preview) = match open(preview_path.clone()).await {
            Ok(answer) => answer,
            Err(e) => return Outcome::Failed(format!("preview: {e}")),
        };
        if status == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
            let code = attribute(&preview, "data-refused").unwrap_or_default();
            // Opened again, the preview answers the recorded refusal.
            match open(preview_path).await {
                Ok((again, html))
                    if again == status
                        && attribute(&html, "data-refused").as_deref() == Some(code.as_str()) => {}
                Ok((again, _)) => {
                    return Outcome::Failed(format!("second preview answered {again}"));
                }
                Err(e) => return Outcome::Failed(format!("second preview: {e}")),
            }
            let message = preview
                .find("id=\"import-refused\"")
                .map(|i| {
                    preview[i..]
                        .split_once('>')
                        .map(|(_, rest)| rest.split('<').next().unwrap_or_default().to_owned())
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            return Outcome::Refused { code, message };
        }
        if status != reqwest::StatusCode::OK {
            return Outcome::Failed(format!("preview answered {status}"));
        }
        let Some(csrf) = csrf_of(&preview) else {
            return Outcome::Failed("no confirmation form".into());
        };
        if !confirm {
            return Outcome::Imported {
                households: figure(&preview, "households-created").unwrap_or(0),
                persons: figure(&preview, "persons-created").unwrap_or(0),
                quarantined: figure(&preview, "quarantined").unwrap_or(0),
            };
        }
        let done = match client
            .post(format!("{}{}", server.base, preview_path))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(format!("confirm: {e}")),
        };
        let status = done.status();
        let summary = done.text().await.unwrap_or_default();
        if status != reqwest::StatusCode::OK {
            return Outcome::Failed(format!("confirm answered {status}"));
        }
        Outcome::Imported {
            households: figure(&summary, "households-created").unwrap_or(0),
            persons: figure(&summary, "persons-created").unwrap_or(0),
            quarantined: figure(&summary, "quarantined").unwrap_or(0),
        }
    }
    .await;
    let seconds = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::SeqCst);
    let health = watcher.await.unwrap_or_default();
    let (after, peak) = memory_kib(server.pid).unwrap_or((0, 0));
    (
        Measured {
            outcome,
            peak_kib: peak,
            before_kib: before,
            after_kib: after,
            seconds,
        },
        health,
    )
}
