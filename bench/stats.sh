#!/usr/bin/env bash
# Coordinator dashboard queries and the registry export at 1M persons, 10k sites and 5M
# stays (SQLite). Usage: bench/stats.sh [DB path]. Figures go to docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
db="${1:-/tmp/shanyrak-bench-stats.db}"
rm -f "$db" "$db-wal" "$db-shm"
cargo build --release -p shanyrak-store --example stats_bench
bin=target/release/examples/stats_bench
/usr/bin/time -v "$bin" seed "sqlite://$db" 1000000 10000 5000000 2>&1 | grep -E "seeded|Elapsed|Maximum resident"
"$bin" dashboard "sqlite://$db" 5
/usr/bin/time -v "$bin" export "sqlite://$db" /tmp/shanyrak-registry.csv 2>&1 | grep -E "exported|Elapsed|Maximum resident"
