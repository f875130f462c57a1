#!/usr/bin/env bash
# Times `shanyrak place` end to end on a national night, on SQLite and on PostgreSQL: a
# database seeded with the placement benchmark's "100k x 5k" instance (100,000 households
# waiting for shelter, 5,000 sites; `cargo run --example placement_seed`), then
#   1. `shanyrak place --dry-run --out FILE`: read the waiting list and the sites, solve,
#      write the CSV;
#   2. `shanyrak place --out FILE`: the same, then record the batch and reserve beds for
#      every proposal (one transaction per household).
# Prints wall time and peak memory of each run, with the load average (the machine may be
# shared). PostgreSQL: a throwaway database on SHANYRAK_BENCH_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432/postgres), dropped at the end.
# PostgreSQL's statistics are refreshed (ANALYZE) after seeding, as autovacuum would do
# within a minute on a live database: without them the planner reads a freshly filled
# table whole for every slice of households.
#   bash bench/place.sh [HOUSEHOLDS] [SITES] [--only sqlite|postgres] [--dry-run-only]
set -euo pipefail
cd "$(dirname "$0")/.."
households=100000
sites=5000
only=""
dry_only=""
positional=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --dry-run-only) dry_only=1; shift ;;
    *)
      if [ $positional -eq 0 ]; then households="$1"; else sites="$1"; fi
      positional=$((positional + 1)); shift ;;
  esac
done
cargo build --release -p shanyrak --bin shanyrak --example placement_seed >/dev/null
bin=./target/release/shanyrak
seed=./target/release/examples/placement_seed
dir=$(mktemp -d)
admin=${SHANYRAK_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
name="shanyrak_place_bench_$$"
pg_url="${admin%/*}/$name"
cleanup() {
  rm -rf "$dir"
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); date: $(date -u '+%F %H:%M UTC')"
echo "instance: $households households, $sites sites"
timed() {
  local label=$1
  shift
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %M" -o "$dir/time" "$@" 2>"$dir/err" >/dev/null || {
    cat "$dir/err" >&2
    return 1
  }
  read -r secs kb <"$dir/time"
  printf '| %s | %s | %.1f | %d | %s |\n' "$backend" "$label" "$secs" "$((kb / 1024))" "$load"
  grep -v '^$' "$dir/err" | sed 's/^/    /' >&2 || true
}

echo "| backend | run | wall s | peak MiB | load |"
echo "|---|---|---:|---:|---:|"
for backend in sqlite postgres; do
  if [ -n "$only" ] && [ "$only" != "$backend" ]; then continue; fi
  if [ "$backend" = sqlite ]; then
    db="sqlite://$dir/place.db"
  else
    psql -q "$admin" -c "CREATE DATABASE $name" >/dev/null
    db=$pg_url
  fi
  timed "seed (placement_seed)" "$seed" "$db" "$households" "$sites"
  export SHANYRAK_LOG=warn
  if [ "$backend" = postgres ]; then
    timed "ANALYZE" psql -q "$db" -c ANALYZE
  fi
  timed "place --dry-run" "$bin" place --db "$db" --dry-run --out "$dir/dry.csv"
  echo "    CSV: $(($(wc -l <"$dir/dry.csv") - 1)) rows" >&2
  if [ -z "$dry_only" ]; then
    timed "place (reserves)" "$bin" place --db "$db" --out "$dir/place.csv"
  fi
done
