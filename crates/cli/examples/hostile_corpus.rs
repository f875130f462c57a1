//! Measures the hostile-file corpus against a built `shanyrak` binary: each file through
//! `shanyrak import` (peak memory, time, outcome) and through the web upload of a running
//! `shanyrak serve` (the server's memory before, at its peak and after, time, outcome,
//! whether `/healthz` kept answering). Prints a Markdown table for docs/BENCHMARKS.md.
//! A server the corpus kills is restarted, and the row says so.
//!
//!     cargo build --release -p shanyrak
//!     cargo run --release -p shanyrak --example hostile_corpus -- target/release/shanyrak [LIST.csv …]
//!
//! Extra files (e.g. the largest legitimate list, `python3 bench/import_list.py 200000`)
//! are fed after the corpus. `hostile_corpus --write DIR` only writes the corpus files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring script

#[path = "../tests/import/corpus.rs"]
mod corpus;
#[path = "../tests/import/feed.rs"]
mod feed;

use std::path::PathBuf;

fn outcome(o: &feed::Outcome) -> String {
    match o {
        feed::Outcome::Refused { code, .. } => format!("refused: {code}"),
        feed::Outcome::Imported {
            households,
            persons,
            quarantined,
        } => format!("imported {households} hh / {persons} p, {quarantined} held"),
        feed::Outcome::Failed(why) => {
            let short: String = why.chars().take(60).collect();
            format!("FAILED: {}", short.replace('|', "/").replace('\n', " "))
        }
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let first = args
        .next()
        .expect("usage: hostile_corpus BIN [FILE …] | --write DIR");
    if first == "--write" {
        let dir = PathBuf::from(args.next().expect("a folder"));
        std::fs::create_dir_all(&dir).expect("folder");
        for (file, path) in corpus::write_all(&dir) {
            println!(
                "{}\t{} bytes\t{}",
                path.display(),
                file.bytes.len(),
                file.what
            );
        }
        return;
    }
    let bin = PathBuf::from(first);
    let bin = std::fs::canonicalize(&bin).expect("binary");
    let extra: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let dir = std::env::temp_dir().join(format!("shanyrak-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = format!("sqlite://{}", dir.join("bench.db").display());
    let (org, token) = feed::provision(&bin, &db).await;
    // Corpus files are imported; extra (large, legitimate) files only previewed and
    // dry-run, so the registry and the server's identity index stay as they were.
    let mut files: Vec<(String, PathBuf, Vec<u8>, bool)> = corpus::write_all(&dir)
        .into_iter()
        .map(|(f, path)| (f.name.to_owned(), path, f.bytes, true))
        .collect();
    for path in extra {
        let bytes = std::fs::read(&path).expect("extra file");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        files.push((name, path, bytes, false));
    }
    let mut server = feed::Server::start(&bin, &db).await;
    println!(
        "| file | size | `import`: outcome | peak MiB | s | web: outcome | server MiB before → peak (after) | s | /healthz |"
    );
    println!("|---|---:|---|---:|---:|---|---|---:|---|");
    for (name, path, bytes, import) in &files {
        let extra: &[&str] = if *import { &[] } else { &["--dry-run"] };
        let cli = feed::cli_import(&bin, &db, &org, path, 64 * 1024 * 1024 * 1024, extra).await;
        let (web, health) = feed::web_import(&server, &token, name, bytes, *import).await;
        let died = !server.alive();
        println!(
            "| {name} | {:.1} MB | {} | {} | {:.1} | {}{} | {} → {} ({}) | {:.1} | {}/{} ok, slowest {} ms |",
            bytes.len() as f64 / 1e6,
            outcome(&cli.outcome),
            cli.peak_kib / 1024,
            cli.seconds,
            outcome(&web.outcome),
            if died { "; **server killed**" } else { "" },
            web.before_kib / 1024,
            web.peak_kib / 1024,
            web.after_kib / 1024,
            web.seconds,
            health.answered,
            health.answered + health.failed,
            health.slowest_ms,
        );
        if died {
            server = feed::Server::start(&bin, &db).await;
        }
    }
    let _ = server.child.kill().await;
    let _ = std::fs::remove_dir_all(&dir);
}
