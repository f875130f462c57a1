//! The hostile-file corpus against the real binary: every file fed to `shanyrak import`
//! (under an address-space limit) and to the web upload of a running `shanyrak serve`.
//! Each must end in a clear refusal naming the limit, or a correct import; the server
//! must stay up, answer `/healthz` throughout, and grow by less than 300 MB.

use shanyrak_store::testing::{Backend, TestDatabase};

use super::corpus::{self, Expect};
use super::feed::{self, Outcome};

/// What an accepted upload may add to the server's resident memory while it is read.
const SERVER_GROWTH_KIB: u64 = 300 * 1024;
/// Peak resident memory of `shanyrak import` (a debug build, with its runtime and pools).
const CLI_PEAK_KIB: u64 = 350 * 1024;
/// Address space for `shanyrak import`: far above what it needs, far below the machine.
const CLI_ADDRESS_SPACE: u64 = 4 * 1024 * 1024 * 1024;

fn matches(expect: &Expect, outcome: &Outcome) -> bool {
    match (expect, outcome) {
        (Expect::Refused(code), Outcome::Refused { code: got, message }) => {
            got == code && !message.trim().is_empty()
        }
        (Expect::RefusedOrSlow(code), Outcome::Refused { code: got, message }) => {
            (got == code || got == "time") && !message.trim().is_empty()
        }
        (
            Expect::Imported {
                households,
                persons,
            },
            Outcome::Imported {
                households: h,
                persons: p,
                quarantined: 0,
            },
        ) => h == households && p == persons,
        _ => false,
    }
}

pub(super) async fn hostile_files_are_refused_or_imported_within_bounds(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    // Another build can be put to the same test (a release build, or an older one to
    // compare): SHANYRAK_CORPUS_BIN names it.
    let bin = std::env::var_os("SHANYRAK_CORPUS_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(crate::support::BIN));
    let bin = bin.as_path();
    let (org, token) = feed::provision(bin, &db.url).await;
    let dir = super::tempdir();
    let files = corpus::write_all(&dir);
    let mut server = feed::Server::start(bin, &db.url).await;
    let mut problems = Vec::new();
    eprintln!("file | path | outcome | peak MiB | server before → after MiB | s | /healthz");
    for (file, path) in &files {
        let cli = feed::cli_import(bin, &db.url, &org, path, CLI_ADDRESS_SPACE, &[]).await;
        eprintln!(
            "{} | cli | {:?} | {} | | {:.1} |",
            file.name,
            cli.outcome,
            cli.peak_kib / 1024,
            cli.seconds
        );
        if !matches(&file.expect, &cli.outcome) {
            problems.push(format!(
                "{} by the command: expected {:?}, got {:?}",
                file.name, file.expect, cli.outcome
            ));
        }
        if cli.peak_kib > CLI_PEAK_KIB {
            problems.push(format!(
                "{} by the command: peak {} MiB",
                file.name,
                cli.peak_kib / 1024
            ));
        }
        let (web, health) = feed::web_import(&server, &token, file.name, &file.bytes, true).await;
        eprintln!(
            "{} | web | {:?} | {} | {} → {} | {:.1} | {} answered, {} failed, slowest {} ms",
            file.name,
            web.outcome,
            web.peak_kib / 1024,
            web.before_kib / 1024,
            web.after_kib / 1024,
            web.seconds,
            health.answered,
            health.failed,
            health.slowest_ms
        );
        if !matches(&file.expect, &web.outcome) {
            problems.push(format!(
                "{} on the web: expected {:?}, got {:?}",
                file.name, file.expect, web.outcome
            ));
        }
        if !server.alive() {
            problems.push(format!("{} killed the server", file.name));
            break;
        }
        if web.peak_kib.saturating_sub(web.before_kib) > SERVER_GROWTH_KIB {
            problems.push(format!(
                "{} on the web: the server grew from {} to {} MiB",
                file.name,
                web.before_kib / 1024,
                web.peak_kib / 1024
            ));
        }
        if health.failed > 0 || health.answered == 0 {
            problems.push(format!(
                "{} on the web: /healthz answered {} times and failed {} times",
                file.name, health.answered, health.failed
            ));
        }
    }
    let _ = server.child.kill().await;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(problems.is_empty(), "{problems:#?}");
}
