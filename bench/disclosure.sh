#!/usr/bin/env bash
# Protecting one public release (people by city × group and by age × sex, beds by city)
# and checking it with the attacker, at 100 to 1,000 cities. Usage: bench/disclosure.sh
# [--exact] (also both bounds of every suppressed entry: minutes). Figures go to
# docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p shanyrak-core --example disclosure_bench
bin=target/release/examples/disclosure_bench
for cities in 100 250 500 1000; do
    for seed in 2022 7 99; do
        "$bin" "$cities" "$seed"
    done
done
if [[ "${1:-}" == "--exact" ]]; then
    "$bin" 500 2022 --exact
fi
