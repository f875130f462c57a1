#!/usr/bin/env bash
# The placement benchmark: seeded instances (200 x 20 three times, 1k x 40, 2k x 50, 3k x 100,
# 20k x 500 and 100k x 5k sites, with and without a travel limit, and a re-solve after 1,000
# arrivals), each solved by the optimiser (branch and bound up to 1,000 households, the
# aggregated model's LP rounded up to 4,000, the price search beyond), by the price search
# alone, by first-come-first-served and by a long LP-bound search. Prints a Markdown table
# for docs/BENCHMARKS.md, with the load average at each row (the machine is shared).
# Options: --quick (no 100k rows), --only "3k x 100" (one scenario).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); date: $(date -u '+%F %H:%M UTC'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo run --release --quiet -p shanyrak-placement --example placement_bench -- "$@"
