#!/usr/bin/env bash
# Requests during heavy work (release build): health checks and registrations on an idle
# two-thread server, then while a placement batch of every waiting household is solved
# (100,000 households at 5,000 sites by default), on SQLite and PostgreSQL. Prints Markdown
# rows for docs/BENCHMARKS.md.
#
#   bash bench/heavy.sh [HOUSEHOLDS] [SITES]
# env: PG_URL=postgres://postgres@127.0.0.1:5432   (a database is created and dropped)
#      BACKENDS="sqlite postgres"
set -euo pipefail
cd "$(dirname "$0")/.."
households=${1:-100000}
sites=${2:-5000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
cargo build --release -p shanyrak --example heavy_latency >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u '+%F %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
for backend in ${BACKENDS:-sqlite postgres}; do
  echo "backend: $backend"
  if [ "$backend" = sqlite ]; then
    db="sqlite://$dir/heavy.db"
  else
    name="shanyrak_bench_heavy_$$"
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
    db="$PG_URL/$name"
  fi
  SHANYRAK_LOG=warn ./target/release/examples/heavy_latency "$db" "$households" "$sites"
  if [ "$backend" = postgres ]; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)"
  fi
done
