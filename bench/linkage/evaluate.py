"""Quality of a clustering or of linked pairs against ground truth.

  evaluate.py dedup INPUT.csv CLUSTERS.csv   truth = person_id column, or FEBRL rec_id
  evaluate.py link A.csv B.csv PAIRS.csv     FEBRL4 truth (rec-N-org ~ rec-N-dup-k)

Prints one JSON line: pairwise precision/recall/F1 (pairs of records put together) and,
for dedup, B-cubed precision/recall/F1.
"""
import json
import sys

import pandas as pd


def entity(rec_id):
    return rec_id.str.split("-").str[:2].str.join("-")


def prf(tp, pp, tt):
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    return dict(precision=round(p, 4), recall=round(r, 4), f1=round(2 * p * r / (p + r) if p + r else 0, 4))


def dedup(inp, clusters):
    df = pd.read_csv(inp, dtype=str, keep_default_na=False)
    truth = df["person_id"] if "person_id" in df.columns else entity(df["record_id"])
    t = pd.DataFrame({"record_id": df["record_id"], "t": truth})
    c = pd.read_csv(clusters, dtype=str, keep_default_na=False)[["record_id", "cluster_id"]]
    m = t.merge(c, on="record_id", how="left")
    missing = m["cluster_id"].eq("") | m["cluster_id"].isna()
    m.loc[missing, "cluster_id"] = "single-" + m.loc[missing, "record_id"]
    pairs = lambda s: int((s * (s - 1) // 2).sum())
    both = m.groupby(["cluster_id", "t"]).size()
    psize = m.groupby("cluster_id").size()
    tsize = m.groupby("t").size()
    out = {"records": len(m), "pairwise": prf(pairs(both), pairs(psize), pairs(tsize))}
    k = both.reset_index(name="k")
    k["ps"] = k["cluster_id"].map(psize)
    k["ts"] = k["t"].map(tsize)
    n = len(m)
    bp = float((k.k * k.k / k.ps).sum() / n)
    br = float((k.k * k.k / k.ts).sum() / n)
    out["bcubed"] = dict(precision=round(bp, 4), recall=round(br, 4), f1=round(2 * bp * br / (bp + br), 4))
    # Recall by true cluster size: a person registered many times is where one wrong
    # split costs most. "whole": all of the person's records in one cluster.
    parts = both.reset_index(name="k").groupby("t")["k"]
    per = pd.DataFrame({"size": tsize, "found": parts.apply(lambda s: int((s * (s - 1) // 2).sum())),
                        "whole": parts.size().eq(1)})
    by_size = []
    for lo, hi in [(2, 2), (3, 4), (5, 9), (10, 19), (20, 10**9)]:
        g = per[(per["size"] >= lo) & (per["size"] <= hi)]
        tp = int((g["size"] * (g["size"] - 1) // 2).sum())
        by_size.append(dict(sizes=f"{lo}+" if hi == 10**9 else (f"{lo}" if lo == hi else f"{lo}-{hi}"),
                            persons=len(g), whole=round(float(g["whole"].mean()), 4) if len(g) else 1.0,
                            recall=round(int(g["found"].sum()) / tp, 4) if tp else 1.0))
    out["by_true_size"] = by_size
    return out


def link(a, b, pairs):
    A = pd.read_csv(a, dtype=str, keep_default_na=False)["record_id"]
    B = pd.read_csv(b, dtype=str, keep_default_na=False)["record_id"]
    ea = pd.DataFrame({"l": A, "e": entity(A)})
    eb = pd.DataFrame({"r": B, "e": entity(B)})
    truth = set(map(tuple, ea.merge(eb, on="e")[["l", "r"]].values))
    p = pd.read_csv(pairs, dtype=str, keep_default_na=False)
    pred = set(zip(p["record_id_l"], p["record_id_r"]))
    tp = len(pred & truth)
    return {"pairs": len(pred), "true_pairs": len(truth), "pairwise": prf(tp, len(pred), len(truth))}


if __name__ == "__main__":
    mode = sys.argv[1]
    res = dedup(*sys.argv[2:4]) if mode == "dedup" else link(*sys.argv[2:5])
    print(json.dumps(res))
