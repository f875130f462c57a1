#!/usr/bin/env bash
# Feeds the hostile-file corpus and the largest legitimate list (200,000 rows) to a
# release build, by `shanyrak import` and by the web upload of a running server, and
# prints peak memory, time and outcome per file as a Markdown table
# (crates/cli/examples/hostile_corpus.rs). Pass another binary to compare builds.
#   bash bench/import_hostile.sh [BIN]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release -p shanyrak >/dev/null
  bin=target/release/shanyrak
fi
dir=$(mktemp -d)
python3 bench/import_list.py 200000 > "$dir/list-200k.csv"
echo "binary: $bin; machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F)"
cargo run --release -q -p shanyrak --example hostile_corpus -- "$bin" "$dir/list-200k.csv"
rm -rf "$dir"
