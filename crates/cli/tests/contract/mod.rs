//! The API against its own OpenAPI document: `tests/contract/run.sh` starts this binary on
//! the small demo and runs Schemathesis (`--checks all`) with the token of every role. It
//! fails, never skips, when Python or Schemathesis cannot be installed; `.ci/run` installs
//! `python3-venv`.

use std::path::Path;
use std::process::Command;

#[test]
fn schemathesis_finds_nothing_for_any_role() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new("bash")
        .arg(root.join("tests/contract/run.sh"))
        .env("SHANYRAK_BIN", env!("CARGO_BIN_EXE_shanyrak"))
        .env("REPORT_DIR", root.join("target/contract"))
        .output()
        .expect("bash is needed for the contract tests");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "contract tests failed:\n{stderr}\n{stdout}"
    );
    assert!(stdout.contains("contract tests: all passed"));
}
