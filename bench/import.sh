#!/usr/bin/env bash
# Times `shanyrak import` of a 100,000-row list (release build), twice per backend: the
# first run registers, the second must create nothing. SQLite in a fresh file, then
# PostgreSQL in a fresh database `import_bench` when the server is reachable.
#   bash bench/import.sh [ROWS] [--only sqlite|postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=100000
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    *) rows="$1"; shift ;;
  esac
done
cargo build --release -p shanyrak >/dev/null
bin=${CARGO_TARGET_DIR:-target}/release/shanyrak
dir=$(mktemp -d)
python3 bench/import_list.py "$rows" > "$dir/list.csv"
echo "rows: $rows ($(du -h "$dir/list.csv" | cut -f1)); machine: $(nproc) cores; $(date -u '+%F %H:%M') UTC"
run() { # NAME DB_URL
  local org
  org=$("$bin" admin create-org --db "$2" --name "Кайнар" --kind mutual_aid 2>/dev/null | tail -n 1)
  for pass in first second; do
    start=$(date +%s.%N)
    summary=$(SHANYRAK_LOG=warn "$bin" import "$dir/list.csv" --db "$2" --org "$org" --country KZ --json)
    end=$(date +%s.%N)
    printf '%s, %s run: %.1f s  %s\n' "$1" "$pass" "$(echo "$end - $start" | bc)" "$summary"
  done
}
if [ "$only" != postgres ]; then
  run SQLite "sqlite://$dir/import.db"
fi
if [ "$only" != sqlite ]; then
  pg=${SHANYRAK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  if psql "$pg" -qc 'SELECT 1' >/dev/null 2>&1; then
    psql "$pg" -qc 'DROP DATABASE IF EXISTS import_bench' -c 'CREATE DATABASE import_bench'
    run PostgreSQL "${pg%/*}/import_bench"
    psql "$pg" -qc 'DROP DATABASE import_bench'
  else
    echo "PostgreSQL not reachable at $pg; skipped" >&2
  fi
fi
rm -rf "$dir"
