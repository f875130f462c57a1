#!/usr/bin/env bash
# Identity-resolution benchmark: Shanyrak's linkage crate side by side with
# Splink 5 (DuckDB) and an exact-match baseline, in one session, on the same CSV files:
# FEBRL3 (dedup), FEBRL4 (link), and the crate's generator at 100k and 1M records; plus
# the online lookup latency with 1M records indexed.
#
# usage: bash bench/linkage.sh [OUT_DIR]
# env:   VENV=target/peers-venv    venv with bench/peers/requirements-splink5.txt
#                                  (created from PyPI when missing)
#        PEERS=bench/peers         the scripts that drive the peers
#        REPS=3                    repetitions of every timed run (best and worst reported)
#        SPLINK_REPS_1M=$REPS      Splink repetitions at 1M (about 2.5 min each)
#        SIZES="100000 1000000"    generated data sets
#        SKIP_SPLINK=1             Shanyrak and baseline only
#        ANONLINK_VENV=target/anonlink-venv  venv with bench/peers/requirements-anonlink.txt
#                                  (clkhash + anonlink, created from PyPI when missing)
#        SKIP_ANONLINK=1           no encoded-linkage peer
#        ONLINE_SIZES="1000000 2100000"  records indexed for the lookup benchmark (2.1M
#                                  records hold just over 1M distinct persons)
# Results: OUT_DIR/results.jsonl and OUT_DIR/report.md (the table for docs/BENCHMARKS.md).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-/tmp/shanyrak-linkage-bench}
VENV=${VENV:-$ROOT/target/peers-venv}
PEERS=${PEERS:-$ROOT/bench/peers}
if [ -z "${SKIP_SPLINK:-}" ] && [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV with the peers' pinned requirements"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$PEERS/requirements-splink5.txt"
fi
REPS=${REPS:-3}
SPLINK_REPS_1M=${SPLINK_REPS_1M:-$REPS}
SIZES=${SIZES-"100000 1000000"}
PY="$VENV/bin/python"
HERE="$ROOT/bench/linkage"
mkdir -p "$OUT/data" "$OUT/runs"
RES="$OUT/results.jsonl"
: > "$RES"

echo "== build"
(cd "$ROOT" && cargo build --release -p shanyrak-linkage --examples)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples"

# timed NAME TOOL DATASET REP CMD... : runs CMD under /usr/bin/time -v, appends one JSON
# line (wall, peak RSS, the command's own JSON stdout) to results.jsonl.
timed() {
  local name=$1 tool=$2 dataset=$3 rep=$4; shift 4
  echo "-- $tool $dataset rep $rep (load: $(cut -d' ' -f1 /proc/loadavg))"
  /usr/bin/time -v -o "$OUT/runs/$name.time" "$@" > "$OUT/runs/$name.out"
  "$PY" - "$OUT/runs/$name.time" "$OUT/runs/$name.out" "$tool" "$dataset" "$rep" >> "$RES" <<'PYEOF'
import json, sys
t = open(sys.argv[1]).read().splitlines()
get = lambda k: next(l.split(": ", 1)[1] for l in t if l.strip().startswith(k))
w = get("Elapsed (wall clock) time").split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
out = []
for l in open(sys.argv[2]):
    try:
        out.append(json.loads(l))
    except ValueError:
        pass  # progress text, Python dict reprs
out = [o for o in out if isinstance(o, dict)]
print(json.dumps({"tool": sys.argv[3], "dataset": sys.argv[4], "rep": int(sys.argv[5]),
                  "wall_s": round(wall, 3), "rss_mib": round(int(get("Maximum resident")) / 1024, 1),
                  "out": out}))
PYEOF
}

quality() { # TOOL DATASET MODE ARGS... : appends the evaluator's JSON
  local tool=$1 dataset=$2; shift 2
  "$PY" "$HERE/evaluate.py" "$@" | "$PY" -c "import json,sys; q=json.load(sys.stdin); print(json.dumps({'tool':'$tool','dataset':'$dataset','quality':q}))" >> "$RES"
}

D="$OUT/data"
echo "== data"
"$PY" "$HERE/febrl_export.py" "$D"
for n in $SIZES; do
  [ -s "$D/gen_$n.csv" ] || "$BIN/bench" export "$n" 42 "$D/gen_$n.csv"
done

# FEBRL replaces whole names and identifiers, so Shanyrak learns m from pairs with equal
# SOC-SEC-ID there (Model::m_from_documents); one run with the defaults is reported too.
echo "== FEBRL3 dedup"
for r in $(seq 1 "$REPS"); do
  BENCH_M_FROM_DOCUMENTS=1 timed "shanyrak_febrl3_$r" shanyrak febrl3 "$r" "$BIN/bench" dedup "$D/febrl3.csv" "$OUT/runs/shanyrak_febrl3.csv"
done
quality shanyrak febrl3 dedup "$D/febrl3.csv" "$OUT/runs/shanyrak_febrl3.csv"
timed shanyrak_default_febrl3 shanyrak_default febrl3 1 "$BIN/bench" dedup "$D/febrl3.csv" "$OUT/runs/shanyrak_default_febrl3.csv"
quality shanyrak_default febrl3 dedup "$D/febrl3.csv" "$OUT/runs/shanyrak_default_febrl3.csv"
timed exact_febrl3 exact febrl3 1 "$BIN/bench" exact "$D/febrl3.csv" "$OUT/runs/exact_febrl3.csv"
quality exact febrl3 dedup "$D/febrl3.csv" "$OUT/runs/exact_febrl3.csv"

echo "== FEBRL4 link"
for r in $(seq 1 "$REPS"); do
  BENCH_M_FROM_DOCUMENTS=1 timed "shanyrak_febrl4_$r" shanyrak febrl4 "$r" "$BIN/bench" link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/shanyrak_febrl4.csv"
done
quality shanyrak febrl4 link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/shanyrak_febrl4.csv"
timed shanyrak_default_febrl4 shanyrak_default febrl4 1 "$BIN/bench" link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/shanyrak_default_febrl4.csv"
quality shanyrak_default febrl4 link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/shanyrak_default_febrl4.csv"
BENCH_M_FROM_DOCUMENTS=1 BENCH_KEEP_GUARDS=1 timed shanyrak_guarded_febrl4 shanyrak_guarded febrl4 1 "$BIN/bench" link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/shanyrak_guarded_febrl4.csv"
quality shanyrak_guarded febrl4 link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/shanyrak_guarded_febrl4.csv"
timed exact_febrl4 exact febrl4 1 "$BIN/bench" exact-link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/exact_febrl4.csv"
quality exact febrl4 link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/exact_febrl4.csv"

# Encoded linkage (keyed Bloom filters, module `encoded`): the same FEBRL4 files encoded
# with one agreement key and linked from the encodings only. Default options (balanced,
# Dice >= 0.8) repeated; unhardened, folded and exhaustive (no blocking) once each.
echo "== FEBRL4 encoded link"
for r in $(seq 1 "$REPS"); do
  timed "encoded_febrl4_$r" shanyrak_encoded febrl4 "$r" "$BIN/bench" encoded-link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/encoded_febrl4.csv" 0.8
done
quality shanyrak_encoded febrl4 link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/encoded_febrl4.csv"
BENCH_CLK_EXHAUSTIVE=1 timed encoded_all_febrl4 shanyrak_encoded_all febrl4 1 "$BIN/bench" encoded-link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/encoded_all_febrl4.csv" 0.8
quality shanyrak_encoded_all febrl4 link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/encoded_all_febrl4.csv"
BENCH_CLK_BALANCE=0 timed encoded_plain_febrl4 shanyrak_encoded_plain febrl4 1 "$BIN/bench" encoded-link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/encoded_plain_febrl4.csv" 0.8
quality shanyrak_encoded_plain febrl4 link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/encoded_plain_febrl4.csv"
BENCH_CLK_BALANCE=0 BENCH_CLK_FOLD=1 timed encoded_folded_febrl4 shanyrak_encoded_folded febrl4 1 "$BIN/bench" encoded-link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/encoded_folded_febrl4.csv" 0.7
quality shanyrak_encoded_folded febrl4 link "$D/febrl4a.csv" "$D/febrl4b.csv" "$OUT/runs/encoded_folded_febrl4.csv"

if [ -z "${SKIP_ANONLINK:-}" ]; then
  AVENV=${ANONLINK_VENV:-$ROOT/target/anonlink-venv}
  if [ ! -x "$AVENV/bin/python" ]; then
    echo "== creating $AVENV with the encoded-linkage peer's pinned requirements"
    python3 -m venv "$AVENV"
    "$AVENV/bin/pip" install -q -r "$PEERS/requirements-anonlink.txt"
  fi
  export PEERS_RESULTS="$OUT/peer-results"
  (cd "$OUT" && timed anonlink_febrl4 anonlink febrl4 0 "$AVENV/bin/python" "$PEERS/anonlink_febrl4.py" --reps "$REPS")
  "$PY" -c "import json; d=json.load(open('$PEERS_RESULTS/anonlink_febrl4.json')); r=d['runs']; print(json.dumps({'tool':'anonlink','dataset':'febrl4','peer':{'reps':[x['total_pipeline'] for x in r],'pairs':r[0]['greedy@0.8'],'version':d['version']}}))" >> "$RES"
fi

if [ -z "${SKIP_SPLINK:-}" ]; then
  export PEERS_RESULTS="$OUT/peer-results"
  for t in febrl3 febrl4; do
    (cd "$OUT" && timed "splink_$t" splink "$t" 0 "$PY" "$HERE/splink_febrl_clusters.py" "$PEERS" "$OUT/runs/splink_$t.csv" "$t" --reps "$REPS")
    "$PY" -c "import json; d=json.load(open('$PEERS_RESULTS/splink5_$t.json')); print(json.dumps({'tool':'splink','dataset':'$t','peer':{'reps':[r['total_pipeline'] for r in d['runs']],'pairs':d['runs'][0]['pairs_p>=0.9'],'cluster_pairs':d['runs'][0]['cluster_pairs@0.9']}}))" >> "$RES"
  done
  quality splink febrl3 dedup "$D/febrl3.csv" "$OUT/runs/splink_febrl3.csv"
fi

for n in $SIZES; do
  echo "== generated $n dedup"
  for r in $(seq 1 "$REPS"); do
    timed "shanyrak_gen_${n}_$r" shanyrak "gen_$n" "$r" "$BIN/bench" dedup "$D/gen_$n.csv" "$OUT/runs/shanyrak_gen_$n.csv"
  done
  quality shanyrak "gen_$n" dedup "$D/gen_$n.csv" "$OUT/runs/shanyrak_gen_$n.csv"
  timed "exact_gen_$n" exact "gen_$n" 1 "$BIN/bench" exact "$D/gen_$n.csv" "$OUT/runs/exact_gen_$n.csv"
  quality exact "gen_$n" dedup "$D/gen_$n.csv" "$OUT/runs/exact_gen_$n.csv"
  if [ -z "${SKIP_SPLINK:-}" ]; then
    sr=$REPS; [ "$n" -ge 1000000 ] && sr=$SPLINK_REPS_1M
    timed "splink_gen_$n" splink "gen_$n" 0 "$PY" "$HERE/splink_gen.py" "$PEERS" "$D/gen_$n.csv" "$OUT/runs/splink_gen_$n.csv" --reps "$sr"
    quality splink "gen_$n" dedup "$D/gen_$n.csv" "$OUT/runs/splink_gen_$n.csv"
  fi
done

# Two-list linkage on generated data (every person at most once per list): one-to-one
# (the default of `link`) against many-to-many scoring; Shanyrak only.
if [ -s "$D/gen_100000.csv" ]; then
  echo "== generated 100k split into two lists, link"
  "$PY" "$HERE/split_link.py" "$D/gen_100000.csv" "$D/gen_100000_a.csv" "$D/gen_100000_b.csv"
  for m in 0 1; do
    t=$([ "$m" = 1 ] && echo shanyrak_many || echo shanyrak)
    BENCH_MANY_TO_MANY=$m timed "${t}_genlink" "$t" genlink_100000 1 "$BIN/bench" link "$D/gen_100000_a.csv" "$D/gen_100000_b.csv" "$OUT/runs/${t}_genlink.csv"
    quality "$t" genlink_100000 link "$D/gen_100000_a.csv" "$D/gen_100000_b.csv" "$OUT/runs/${t}_genlink.csv"
  done
fi

for n in ${ONLINE_SIZES-1000000 2100000}; do
  echo "== online lookup, $n records indexed"
  timed "online_$n" shanyrak "online_$n" 1 "$BIN/online" "$n"
done

"$PY" "$HERE/report.py" "$RES" > "$OUT/report.md"
cat "$OUT/report.md"
