"""Summarises bench/linkage.sh's results.jsonl as the Markdown table of docs/BENCHMARKS.md."""
import json
import sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
runs = defaultdict(list)
qual = {}
peer = {}
for r in rows:
    k = (r["dataset"], r["tool"])
    if "wall_s" in r:
        runs[k].append(r)
    if "quality" in r:
        qual[k] = r["quality"]
    if "peer" in r:
        peer[k] = r["peer"]

DATASETS = [("febrl3", "FEBRL3 dedup, 5,000"), ("febrl4", "FEBRL4 link, 5,000 x 5,000"),
            ("gen_100000", "generated 100k dedup"), ("gen_1000000", "generated 1M dedup"),
            ("genlink_100000", "generated 100k split into two lists, link")]
TOOLS = [("shanyrak", "Shanyrak"), ("shanyrak_default", "Shanyrak, all defaults (m not learnt from SOC-SEC-ID)"), ("shanyrak_many", "Shanyrak, --many-to-many"), ("shanyrak_guarded", "Shanyrak, --keep-guards"), ("shanyrak_encoded", "Shanyrak encoded (CLK 1024 bits, balanced), Dice >= 0.8"), ("shanyrak_encoded_all", "Shanyrak encoded, balanced, Dice >= 0.8, all pairs (no blocking)"), ("shanyrak_encoded_plain", "Shanyrak encoded, not balanced, Dice >= 0.8"), ("shanyrak_encoded_folded", "Shanyrak encoded, XOR-folded 2048 -> 1024, Dice >= 0.7"), ("anonlink", "clkhash + anonlink, Dice >= 0.8 (all pairs)"), ("splink", "Splink 5.0.0 (DuckDB)"), ("exact", "exact match, ASCII-folded names + birth date")]

print("| data set | tool | wall s, best / worst | peak RSS MiB | pairwise P / R / F1 | B-cubed P / R / F1 |")
print("| --- | --- | --- | --- | --- | --- |")
for ds, dname in DATASETS:
    for tool, tname in TOOLS:
        k = (ds, tool)
        if k not in runs and k not in qual:
            continue
        rs = runs.get(k, [])
        if tool in ("splink", "anonlink"):
            # one process runs all repetitions; per-repetition pipeline times from its output
            times = peer.get(k, {}).get("reps") or [o["total"] for r in rs for o in r["out"] if "total" in o]
            wall = f"{min(times):.2f} / {max(times):.2f}" if times else "-"
        else:
            times = [r["wall_s"] for r in rs]
            wall = f"{min(times):.2f} / {max(times):.2f}" if len(times) > 1 else (f"{times[0]:.2f}" if times else "-")
        rss = f"{max(r['rss_mib'] for r in rs):,.0f}" if rs else "-"
        q = qual.get(k)
        if ds == "febrl4" and tool in ("splink", "anonlink") and k in peer:
            q = {"pairwise": peer[k]["pairs"]}
        pw = q["pairwise"] if q else None
        bc = q.get("bcubed") if q else None
        f = lambda d: f"{d['precision']:.4f} / {d['recall']:.4f} / **{d['f1']:.4f}**" if d else "-"
        print(f"| {dname} | {tname} | {wall} | {rss} | {f(pw)} | {f(bc)} |")

for (ds, tool), q in sorted(qual.items()):
    if "by_true_size" in q and tool != "exact":
        print()
        print(f"{dict(DATASETS).get(ds, ds)}, {dict(TOOLS).get(tool, tool)}: persons by true number of records "
              "(persons, resolved whole, pairwise recall): "
              + "; ".join(f"{b['sizes']}: {b['persons']:,}, {b['whole']:.4f}, {b['recall']:.4f}" for b in q["by_true_size"]))

for r in rows:
    if r.get("dataset", "").startswith("online_"):
        o = r["out"][-1] if r["out"] else {}
        print()
        print(f"Online lookup: {o.get('indexed'):,} records ({o.get('persons_indexed'):,} persons) indexed in "
              f"{o.get('insert_s')} s; {o.get('queries'):,} queries: p50 {o.get('p50_us')} µs, p99 {o.get('p99_us')} µs, "
              f"max {o.get('max_us')} µs; true person ranked first {o.get('found_first')}/{o.get('asked')}; "
              f"peak RSS {r['rss_mib']:,.0f} MiB (whole process, including generating the data).")
