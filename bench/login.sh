#!/usr/bin/env bash
# A sign-in flood against the release binary: 1,000 attempts with unknown e-mails at
# concurrency 100 from as many addresses (`--trust-forwarded-for`), so that each costs a
# password check; prints throughput, answers and the server's resident memory (VmRSS,
# VmHWM) for docs/BENCHMARKS.md. The same flood runs against the debug binary in
# `cargo test` (crates/cli/tests/login), which must stay under 300 MB.
#   bash bench/login.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p shanyrak >/dev/null
echo "machine: $(nproc) cores; $(date -u +%F)"
SHANYRAK_LOGIN_BIN="$PWD/${CARGO_TARGET_DIR:-target}/release/shanyrak" \
    cargo test -p shanyrak --test integration a_sign_in_flood -- --nocapture 2>&1 |
    grep -E '^login flood|test result'
