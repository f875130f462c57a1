//! The web interface in a real browser: `tests/browser/run.mjs` drives this binary in
//! Debian's headless Chromium with playwright-core. It fails, never skips, when Node.js or
//! Chromium is missing; `.ci/run` installs both.

use std::path::Path;
use std::process::Command;

#[test]
fn the_whole_job_in_headless_chromium() {
    let stdout = run_script("run.mjs");
    assert!(stdout.contains("browser tests: all passed"));
}

/// A family of four with their documents, typed at a person's pace on a phone: the
/// estimate (taps and characters at a person's speed) is within a minute. The wall-clock
/// figure is printed for docs/BENCHMARKS.md, not asserted.
#[test]
fn a_family_of_four_is_registered_in_under_a_minute() {
    let stdout = run_script("family_timing.mjs");
    assert!(
        stdout.contains("family timing: within the target"),
        "{stdout}"
    );
}

/// Runs one script of `tests/browser` against this binary; its standard output.
fn run_script(script: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let suite = root.join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium not found at {chromium}: install Debian's package (apt-get install chromium) \
         or set CHROMIUM"
    );
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
    let output = Command::new("node")
        .arg(script)
        .current_dir(&suite)
        .env("SHANYRAK_BIN", env!("CARGO_BIN_EXE_shanyrak"))
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOT_DIR", root.join("target/browser-screenshots"))
        .output()
        .expect("node (Node.js) is needed for the browser tests");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "{script} failed:\n{stderr}\n{stdout}"
    );
    stdout.into_owned()
}
