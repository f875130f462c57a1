//! The web interface in a real browser: the scripts under `tests/browser` drive this binary
//! in Debian's headless Chromium with playwright-core. They fail, never skip, when Node.js
//! or Chromium is missing; `.ci/run` installs both.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// `npm ci` once, whichever suite gets there first.
static INSTALL: Mutex<()> = Mutex::new(());

/// Runs one script of `tests/browser` and expects `verdict` in what it prints.
fn run_suite(script: &str, verdict: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let suite = root.join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium not found at {chromium}: install Debian's package (apt-get install chromium) \
         or set CHROMIUM"
    );
    {
        let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
        if !suite.join("node_modules/playwright-core").exists() {
            // playwright-core only (no browser download), at the version in package-lock.json.
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                .current_dir(&suite)
                .status()
                .expect("npm (Node.js) is needed for the browser tests");
            assert!(status.success(), "npm ci in tests/browser failed");
        }
    }
    // A script that waits on the browser forever must fail the test, not hang the run:
    // coreutils' `timeout` ends it after ten minutes (exit status 124).
    let output = Command::new("timeout")
        .args(["--kill-after=10", "600", "node", script])
        .current_dir(&suite)
        .env("SHANYRAK_BIN", env!("CARGO_BIN_EXE_shanyrak"))
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOT_DIR", screenshots(&root))
        .output()
        .expect("node (Node.js) is needed for the browser tests");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert_ne!(
        output.status.code(),
        Some(124),
        "browser tests ({script}) did not finish in ten minutes:\n{stderr}\n{stdout}"
    );
    assert!(
        output.status.success(),
        "browser tests ({script}) failed:\n{stderr}\n{stdout}"
    );
    assert!(stdout.contains(verdict));
}

fn screenshots(root: &Path) -> PathBuf {
    root.join("target/browser-screenshots")
}

#[test]
fn the_whole_job_in_headless_chromium() {
    run_suite("run.mjs", "browser tests: all passed");
}

/// Offline registration: three families kept on the phone through a reload, sent when the
/// connection returns, exactly three households although a send was answered 502.
#[test]
fn the_reception_form_offline_in_headless_chromium() {
    run_suite("offline.mjs", "offline browser tests: all passed");
}

/// A family of four with their documents, typed at a person's pace on a phone: the
/// estimate (taps and characters at a person's speed) is within a minute. The wall-clock
/// figure is printed for docs/BENCHMARKS.md, not asserted.
#[test]
fn a_family_of_four_is_registered_in_under_a_minute() {
    run_suite("family_timing.mjs", "family timing: within the target");
}

/// The public pages against time and abuse: an expired pre-registration is gone from the
/// desk's list and its code opens nothing; spam is purged in bulk; a flood from one phone
/// is throttled with 429 while the server keeps answering.
#[test]
fn expired_entries_go_and_floods_are_throttled_in_headless_chromium() {
    run_suite("abuse.mjs", "abuse browser tests: all passed");
}
