//! What the stories of this suite share: running the real binary, setting up accounts with
//! its admin commands, starting its server, and scratch space on disk.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::StatusCode;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

pub(crate) use crate::import::feed::{listening_address, memory_kib};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_shanyrak");

/// The password every account of the suite is given.
pub(crate) const PASSWORD: &str = "a long enough password";

pub(crate) struct Output {
    pub(crate) success: bool,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `shanyrak` with `args`, `stdin` on its standard input; what it printed, trimmed.
pub(crate) async fn shanyrak(args: &[&str], stdin: &str) -> Output {
    let (success, stdout, stderr) = crate::import::feed::run(Path::new(BIN), args, stdin).await;
    Output {
        success,
        stdout,
        stderr,
    }
}

/// Runs `shanyrak` with `args`, `env` and no database key from the test's own
/// environment (a key there must not hide the refusal or advice being tested); what it
/// printed, trimmed.
pub(crate) async fn shanyrak_without_key(args: &[&str], env: &[(&str, &str)]) -> Output {
    let output = Command::new(BIN)
        .args(args)
        .env("SHANYRAK_LOG", "warn")
        .env_remove("SHANYRAK_DB_KEY")
        .env_remove("SHANYRAK_DB_KEY_FILE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run shanyrak");
    Output {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    }
}

/// Runs `shanyrak` with `args` and nothing on its standard input: it must succeed.
pub(crate) async fn succeeds(args: &[&str]) -> Output {
    let run = shanyrak(args, "").await;
    assert!(run.success, "{}", run.stderr);
    run
}

/// `shanyrak admin <command> --db <db> <args…>`, `stdin` on its standard input.
pub(crate) async fn admin(command: &str, db: &str, args: &[&str], stdin: &str) -> Output {
    let mut all = vec!["admin", command, "--db", db];
    all.extend(args);
    shanyrak(&all, stdin).await
}

/// `admin create-org` of `name` and `kind`, with `extra` arguments: it must succeed, and
/// the organisation's id is returned.
pub(crate) async fn create_org(db: &str, name: &str, kind: &str, extra: &[&str]) -> String {
    let mut args = vec!["--name", name, "--kind", kind];
    args.extend(extra);
    let org = admin("create-org", db, &args, "").await;
    assert!(org.success, "{}", org.stderr);
    org.stdout
}

/// A user of `org` with `roles` and the suite's password, and a token for them.
pub(crate) async fn user_with_token(db: &str, org: &str, email: &str, roles: &[&str]) -> String {
    let mut args = vec!["--org", org, "--email", email];
    for role in roles {
        args.extend(["--role", role]);
    }
    let user = admin("create-user", db, &args, &format!("{PASSWORD}\n")).await;
    assert!(user.success, "{}", user.stderr);
    let token = admin("create-token", db, &["--email", email], "").await;
    assert!(token.success, "{}", token.stderr);
    token.stdout
}

/// Creates an organisation, a registrar and a token with the admin commands.
pub(crate) async fn provision(db: &str) -> String {
    let org = create_org(db, "Кайнар", "mutual_aid", &[]).await;
    let token = user_with_token(db, &org, "reg@example.org", &["registrar"]).await;
    assert!(token.starts_with("shk_"));
    token
}

/// `shanyrak serve` of `db` on a free port of loopback, with `args` more; its standard
/// output is piped, for `listening_address`.
pub(crate) fn serve(bin: &str, db: &str, args: &[&str]) -> Command {
    let mut command = Command::new(bin);
    command
        .args(["serve", "--db", db, "--bind", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Starts `shanyrak serve` on a free port and returns it with its base URL.
pub(crate) async fn start_server(db: &str) -> (Child, String) {
    start_server_with(db, &[]).await
}

/// [`start_server`] with more environment variables.
pub(crate) async fn start_server_with(db: &str, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = serve(BIN, db, &[])
        .envs(env.iter().copied())
        .env("SHANYRAK_LOG", "warn")
        // SHANYRAK_TEST_SERVER_LOG=1 shows the server's log with the test's output.
        .stderr(if std::env::var_os("SHANYRAK_TEST_SERVER_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .spawn()
        .expect("spawn server");
    let base = listening_address(&mut child).await;
    (child, base)
}

/// Starts `shanyrak serve` with `env`, its log (stderr) going to a file of its own: the
/// server, its base URL and the log's path.
pub(crate) async fn start_server_logging(
    db: &str,
    env: &[(&str, &str)],
) -> (Child, String, PathBuf) {
    let log_path = std::env::temp_dir().join(format!("shanyrak-log-{}.txt", uuid_like()));
    let log_file = std::fs::File::create(&log_path).expect("log file");
    let mut child = serve(BIN, db, &[])
        .envs(env.iter().copied())
        .stderr(Stdio::from(log_file))
        .spawn()
        .expect("spawn server");
    let base = listening_address(&mut child).await;
    (child, base, log_path)
}

/// Starts `shanyrak demo` and returns it with what it printed.
pub(crate) async fn start_demo(args: &[&str], wait: Duration) -> (Child, String) {
    let mut child = Command::new(BIN)
        .arg("demo")
        .args(args)
        .args(["--bind", "127.0.0.1:0"])
        .env("SHANYRAK_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn demo");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    while let Ok(Ok(Some(line))) = tokio::time::timeout(wait, lines.next_line()).await {
        let done = line.contains("Stop with Ctrl-C");
        printed.push(line);
        if done {
            break;
        }
    }
    (child, printed.join("\n"))
}

/// Seeds a database with the demo (it must be empty), then stops the demo server.
pub(crate) async fn seed_demo(db: &str) {
    let (mut child, _) =
        start_demo(&["--scale", "small", "--db", db], Duration::from_secs(60)).await;
    let _ = child.kill().await;
}

/// `shanyrak export` of `dataset` in `format` (the default format if `None`) from `db` to
/// `out`, with `extra` arguments.
pub(crate) async fn export(
    db: &str,
    dataset: &str,
    format: Option<&str>,
    out: &Path,
    extra: &[&str],
) -> Output {
    let out = out.to_string_lossy();
    let mut args = vec!["export", "--db", db, "--dataset", dataset];
    if let Some(format) = format {
        args.extend(["--format", format]);
    }
    args.extend(["--out", &out]);
    args.extend(extra);
    shanyrak(&args, "").await
}

/// A household of `members` people whose notes are `tag`.
pub(crate) fn household(tag: &str, members: usize) -> Value {
    let mut list = vec![
        json!({"surname": "Смирнов", "given_name": "Алексей", "sex": "male",
                               "birth_date": "1995-03-02", "relationship": "head"}),
    ];
    for i in 1..members {
        list.push(
            json!({"surname": "Smirnova", "given_name": format!("Child {i}"), "sex": "female",
                         "birth_date": "2015", "relationship": "child"}),
        );
    }
    json!({"group": "arrival", "location": {"country": "KZ", "city": "Oral"}, "notes": tag, "members": list})
}

/// Households a desk was answered 201 for: tag, members and the answer's body.
pub(crate) type Acknowledged = Vec<(String, usize, Value)>;
/// Registrations a desk got no answer for: tag and members, to be sent again.
pub(crate) type Unanswered = Vec<(String, usize)>;

/// What a desk makes of a registration that got no 201 while a server is killed.
#[derive(Clone, Copy)]
pub(crate) enum Outage {
    /// The desk's only server: a lost connection ends the desk; any other answer is a bug.
    OnlyServer,
    /// Behind a balancer: a 5xx or a lost connection goes unanswered, and the desk goes on.
    Balanced,
}

/// Desks registering households in parallel while a server is killed.
pub(crate) struct Desks<'a> {
    pub(crate) count: usize,
    /// Desk `d`'s `i`-th request is tagged (notes and Idempotency-Key) `{prefix}{d}-r{i}`.
    pub(crate) tag_prefix: &'a str,
    /// Households have 1 to this many members, in turn.
    pub(crate) largest_household: usize,
    pub(crate) outage: Outage,
}

/// A client that gives up on an answer after 20 s, as a desk's browser would.
pub(crate) fn desk_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// Desks at work, until [`RunningDesks::finish`].
pub(crate) struct RunningDesks {
    stop: Arc<AtomicBool>,
    tasks: Vec<JoinHandle<(Acknowledged, Unanswered)>>,
}

impl Desks<'_> {
    /// The desks, registering at `base` with `token` until they are finished.
    pub(crate) fn start(&self, client: &reqwest::Client, base: &str, token: &str) -> RunningDesks {
        let stop = Arc::new(AtomicBool::new(false));
        let (sizes, outage) = (self.largest_household, self.outage);
        let tasks = (0..self.count)
            .map(|desk| {
                let (client, base, token, stop) = (
                    client.clone(),
                    base.to_owned(),
                    token.to_owned(),
                    stop.clone(),
                );
                let prefix = format!("{}{desk}", self.tag_prefix);
                tokio::spawn(async move {
                    let mut acknowledged = Vec::new();
                    let mut unanswered = Vec::new();
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let tag = format!("{prefix}-r{i}");
                        let members = 1 + (i % sizes);
                        let result = client
                            .post(format!("{base}/api/v1/households"))
                            .bearer_auth(&token)
                            .header("Idempotency-Key", &tag)
                            .json(&household(&tag, members))
                            .send()
                            .await;
                        match (result, outage) {
                            (Ok(r), _) if r.status() == StatusCode::CREATED => {
                                let body: Value = r.json().await.unwrap_or(Value::Null);
                                acknowledged.push((tag, members, body));
                            }
                            // The balancer's 502/503 for the request the killed process
                            // held, or a lost connection: not acknowledged, to be retried.
                            (Ok(r), Outage::Balanced) if r.status().is_server_error() => {
                                unanswered.push((tag, members))
                            }
                            (Ok(r), _) => panic!("unexpected status {} for {tag}", r.status()),
                            (Err(_), Outage::Balanced) => unanswered.push((tag, members)),
                            (Err(_), Outage::OnlyServer) => {
                                unanswered.push((tag, members));
                                break;
                            }
                        }
                        i += 1;
                    }
                    (acknowledged, unanswered)
                })
            })
            .collect();
        RunningDesks { stop, tasks }
    }
}

impl RunningDesks {
    /// Stops the desks; what they were answered.
    pub(crate) async fn finish(self) -> (Acknowledged, Unanswered) {
        self.stop.store(true, Ordering::Relaxed);
        let mut acknowledged = Vec::new();
        let mut unanswered = Vec::new();
        for desk in self.tasks {
            let (a, u) = desk.await.expect("desk");
            acknowledged.extend(a);
            unanswered.extend(u);
        }
        (acknowledged, unanswered)
    }
}

/// Sends every registration in `unanswered` again to `base`, with its key: each is created.
pub(crate) async fn retry_unanswered(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    unanswered: &Unanswered,
) {
    for (tag, members) in unanswered {
        let response = client
            .post(format!("{base}/api/v1/households"))
            .bearer_auth(token)
            .header("Idempotency-Key", tag)
            .json(&household(tag, *members))
            .send()
            .await
            .expect("retry");
        assert_eq!(response.status(), StatusCode::CREATED, "retry of {tag}");
    }
}

/// Every household `base` lists, page after page.
pub(crate) async fn all_households(
    client: &reqwest::Client,
    base: &str,
    token: &str,
) -> Vec<Value> {
    let mut households = Vec::new();
    let mut path = format!("{base}/api/v1/households?limit=200");
    loop {
        let mut page: Value = client
            .get(&path)
            .bearer_auth(token)
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        households.append(page["items"].as_array_mut().expect("items"));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{base}/api/v1/households?limit=200&cursor={cursor}"),
            None => return households,
        }
    }
}

/// A name no other run of the suite uses at the same time.
pub(crate) fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

/// A new empty directory of this run under the system's temporary directory.
pub(crate) fn scratch_dir(purpose: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shanyrak-{purpose}-{}", uuid_like()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}
