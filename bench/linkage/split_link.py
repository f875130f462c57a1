"""Splits a generated data set into two lists for linkage: of every person with two or
more records, the first goes to list A and the second to list B (further copies are
dropped), and each person with one record goes to A or B at random (seed 7). So every
person is at most once per list, as `shanyrak link` assumes, and the lists share the
generator's twins, namesakes and households. record_id becomes g-PERSON-ID so the
evaluator's link mode reads the truth from it.

usage: python split_link.py GEN.csv A.csv B.csv
"""
import csv
import random
import sys

inp, out_a, out_b = sys.argv[1:4]
with open(inp, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
by_person = {}
for r in rows:
    by_person.setdefault(r["person_id"], []).append(r)
rng = random.Random(7)
a, b = [], []
for pid, records in by_person.items():
    for r in records:
        r["record_id"] = f"g-{pid}-{r['record_id']}"
    if len(records) >= 2:
        a.append(records[0])
        b.append(records[1])
    else:
        (a if rng.random() < 0.5 else b).append(records[0])
for path, part in ((out_a, a), (out_b, b)):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(part)
print(len(a), len(b))
