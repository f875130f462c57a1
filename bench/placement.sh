#!/usr/bin/env bash
# The placement benchmark: seeded instances (2k x 50, 20k x 500, 100k x 5k sites, with and
# without a travel limit, and a re-solve after 1,000 arrivals), each solved by the
# optimiser, by first-come-first-served and by a long LP-bound search. Prints a Markdown
# table for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); date: $(date -u +%F)"
cargo run --release --quiet -p shanyrak-placement --example placement_bench "$@"
