#!/usr/bin/env bash
# Registration throughput (release build): reception desks posting households to a real
# `shanyrak serve` over HTTP, on SQLite and PostgreSQL, each database first filled with
# a 100,000-row list (`shanyrak import`) so the identity index and the tables are not
# empty. For each backend and each number of concurrent desks, 20 seconds of load by
# crates/cli/examples/registration_load.rs; one JSON line per run.
#
#   bash bench/registration.sh [PRELOAD_ROWS] [SECONDS]
# env: PG_URL=postgres://postgres@127.0.0.1:5432   (a database is created and dropped)
#      CLIENTS="1 4 16"   BACKENDS="sqlite postgres"
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
seconds=${2:-20}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
cargo build --release -p shanyrak --bin shanyrak --example registration_load >/dev/null
BIN=./target/release/shanyrak
LOAD=./target/release/examples/registration_load
dir=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
python3 bench/import_list.py "$rows" > "$dir/list.csv"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u '+%F %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
for backend in ${BACKENDS:-sqlite postgres}; do
  if [ "$backend" = sqlite ]; then
    db="sqlite://$dir/registration.db"
  else
    name="shanyrak_bench_registration_$$"
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
    db="$PG_URL/$name"
  fi
  org=$(SHANYRAK_LOG=warn $BIN admin create-org --db "$db" --name "Кайнар" --kind mutual_aid | tail -n 1)
  echo "a long enough password" | SHANYRAK_LOG=warn $BIN admin create-user --db "$db" --org "$org" --email desk@example.org --role registrar >/dev/null
  token=$(SHANYRAK_LOG=warn $BIN admin create-token --db "$db" --email desk@example.org | tail -n 1)
  start=$(date +%s.%N)
  SHANYRAK_LOG=warn $BIN import "$dir/list.csv" --db "$db" --org "$org" --country KZ --json >/dev/null
  printf '%s: preloaded %s rows in %.1f s\n' "$backend" "$rows" "$(echo "$(date +%s.%N) - $start" | bc)"
  SHANYRAK_LOG=warn $BIN serve --db "$db" --bind 127.0.0.1:0 > "$dir/serve.out" 2>/dev/null &
  server=$!
  for _ in $(seq 1 600); do
    grep -q "http://" "$dir/serve.out" 2>/dev/null && break
    sleep 0.1
  done
  base=$(grep -o 'http://[^ ]*' "$dir/serve.out" | head -n 1)
  [ -n "$base" ] || { echo "server did not start" >&2; exit 1; }
  # The server answers while its identity index loads; measure once it is ready.
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz/ready")" = 200 ] && break
    sleep 0.1
  done
  for clients in ${CLIENTS:-1 4 16}; do
    printf '%s %s desks: ' "$backend" "$clients"
    $LOAD "$base" "$token" "$clients" "$seconds" "$clients"
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  if [ "$backend" = postgres ]; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE $name"
  fi
done
