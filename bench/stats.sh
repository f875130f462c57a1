#!/usr/bin/env bash
# Coordinator dashboard queries and the registry export at 1M persons, 10k sites and 5M
# stays, on SQLite and (when reachable) PostgreSQL. Usage: bench/stats.sh [DB path]
# [--only sqlite|postgres]. Figures go to docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
db="/tmp/shanyrak-bench-stats.db"
only=""
while [ $# -gt 0 ]; do
    case "$1" in
        --only) only="$2"; shift 2 ;;
        *) db="$1"; shift ;;
    esac
done
cargo build --release -p shanyrak-store --example stats_bench
bin=${CARGO_TARGET_DIR:-target}/release/examples/stats_bench
run() { # URL
    echo "== $1"
    /usr/bin/time -v "$bin" seed "$1" 1000000 10000 5000000 2>&1 | grep -E "seeded|in [0-9.]+ s|Elapsed|Maximum resident"
    "$bin" dashboard "$1" 5
    /usr/bin/time -v "$bin" export "$1" /tmp/shanyrak-registry.csv 2>&1 | grep -E "exported|Elapsed|Maximum resident"
}
if [ "$only" != postgres ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    run "sqlite://$db"
    rm -f "$db" "$db-wal" "$db-shm"
fi
if [ "$only" != sqlite ]; then
    pg=${SHANYRAK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
    if psql "$pg" -qc 'SELECT 1' >/dev/null 2>&1; then
        psql "$pg" -qc 'DROP DATABASE IF EXISTS stats_bench' -c 'CREATE DATABASE stats_bench'
        run "${pg%/*}/stats_bench"
        psql "$pg" -qc 'DROP DATABASE stats_bench'
    else
        echo "PostgreSQL not reachable at $pg; skipped" >&2
    fi
fi
