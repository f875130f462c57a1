#!/usr/bin/env bash
# Times `shanyrak import` of a 100,000-row list into a fresh SQLite database (release
# build), twice: the first run registers, the second must create nothing.
#   bash bench/import.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
cargo build --release -p shanyrak >/dev/null
dir=$(mktemp -d)
python3 bench/import_list.py "$rows" > "$dir/list.csv"
db="sqlite://$dir/import.db"
org=$(./target/release/shanyrak admin create-org --db "$db" --name "Кайнар" --kind mutual_aid 2>/dev/null | tail -n 1)
echo "rows: $rows ($(du -h "$dir/list.csv" | cut -f1)); machine: $(nproc) cores; $(date -u +%F)"
for run in first second; do
  start=$(date +%s.%N)
  summary=$(SHANYRAK_LOG=warn ./target/release/shanyrak import "$dir/list.csv" --db "$db" --org "$org" --country KZ --json)
  end=$(date +%s.%N)
  printf '%s run: %.1f s  %s\n' "$run" "$(echo "$end - $start" | bc)" "$summary"
done
rm -rf "$dir"
