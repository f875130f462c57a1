#!/usr/bin/env bash
# Essentials benchmark: record a distribution with its entitlement check against 1M persons
# and 5M past distributions, on SQLite and (when reachable) PostgreSQL. Figures go to
# docs/BENCHMARKS.md. Usage: bash bench/essentials.sh [persons] [past] [measured]
# [--only sqlite|postgres]. Each run prints its seeding time per table and the load average
# when it starts measuring.
set -euo pipefail
cd "$(dirname "$0")/.."
only=""
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --only) only="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
persons=${args[0]:-1000000}
past=${args[1]:-5000000}
measured=${args[2]:-2000}
cargo build --release -p shanyrak-store --example essentials_bench
bin=${CARGO_TARGET_DIR:-target}/release/examples/essentials_bench
if [ "$only" != postgres ]; then
    dir=$(mktemp -d)
    "$bin" "sqlite://$dir/essentials-bench.db" "$persons" "$past" "$measured"
    rm -rf "$dir"
fi
if [ "$only" != sqlite ]; then
    pg=${SHANYRAK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
    if psql "$pg" -qc 'SELECT 1' >/dev/null 2>&1; then
        psql "$pg" -qc 'DROP DATABASE IF EXISTS essentials_bench' -c 'CREATE DATABASE essentials_bench'
        "$bin" "${pg%/*}/essentials_bench" "$persons" "$past" "$measured"
        psql "$pg" -qc 'DROP DATABASE essentials_bench'
    else
        echo "PostgreSQL not reachable at $pg; skipped" >&2
    fi
fi
