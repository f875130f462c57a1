//! What the stories of this suite share: running the real binary, setting up accounts with
//! its admin commands, starting its server, and scratch space on disk.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

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
