"""Splink 5 (DuckDB) deduplication of the linkage crate's generated registrations, read
from the same CSV as Shanyrak. Configured as Splink's documentation recommends (the
settings of the peer script bench/peers/splink_synth.py, extended to this data's
columns): clean first (lower case; names ASCII-folded by the exporter, because Splink has
no Cyrillic/Latin transliteration; digits only for documents and phones), block on
deterministic rules, estimate lambda from deterministic rules, u by random sampling of
1e7 pairs, m by EM on two blocking rules, predict, cluster at match probability 0.9.

usage: python splink_gen.py PEERS_DIR INPUT.csv CLUSTERS_OUT.csv [--reps N] [--threshold 0.9]
Prints one JSON line per repetition (timings in seconds, whole pipeline from CSV to clusters).
"""
import argparse
import json
import logging
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("peers")
ap.add_argument("input")
ap.add_argument("out")
ap.add_argument("--reps", type=int, default=1)
ap.add_argument("--threshold", type=float, default=0.9)
ap.add_argument("--u-max-pairs", type=float, default=1e7)
args = ap.parse_args()
sys.path.insert(0, args.peers)

import pandas as pd  # noqa: E402
import splink  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import SettingsCreator, block_on  # noqa: E402
from splink_compat import make_linker, to_pandas  # noqa: E402  (peer shim, by path)

logging.getLogger("splink").setLevel(logging.WARNING)


def load(path):
    d = pd.read_csv(path, dtype=str, keep_default_na=False)
    null = lambda s: s.where(s != "", None)
    digits = lambda s: null(s.str.replace(r"\D", "", regex=True))
    return pd.DataFrame({
        "record_id": d["record_id"],
        "first_name": null(d["given_name_ascii"].str.lower()),
        "surname": null(d["surname_ascii"].str.lower()),
        "patronymic": null(d["patronymic_ascii"].str.lower()),
        "sex": null(d["sex"]),
        "dob": null(d["birth_date"]),
        "doc_number": digits(d["doc_number"]),
        "doc_number_2": digits(d["doc_number_2"]),
        # last ten digits: 8 912..., +7 (912)... and 912... meet
        "phone": null(d["phone"].str.replace(r"\D", "", regex=True).str[-10:]),
    })


BLOCKING = [
    block_on("doc_number"),
    block_on("first_name", "surname"),
    block_on("surname", "dob"),
    block_on("first_name", "dob"),
    block_on("phone", "first_name"),
]


def settings():
    return SettingsCreator(
        unique_id_column_name="record_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=BLOCKING,
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.NameComparison("patronymic"),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d",
                                     invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("doc_number", [1, 2]),
            cl.ExactMatch("doc_number_2"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("sex"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def run_once():
    t = {}
    t0 = time.perf_counter()
    df = load(args.input)
    t["load"] = time.perf_counter() - t0
    s = time.perf_counter()
    linker = make_linker(df, settings())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("doc_number"), block_on("first_name", "surname", "dob")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=args.u_max_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), estimate_without_term_frequencies=True)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True)
    t["train"] = time.perf_counter() - s
    s = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=0.5)
    t["predict"] = time.perf_counter() - s
    s = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=args.threshold)
    to_pandas(clusters)[["record_id", "cluster_id"]].to_csv(args.out, index=False)
    t["cluster_and_write"] = time.perf_counter() - s
    t["total"] = time.perf_counter() - t0
    return {k: round(v, 3) for k, v in t.items()}


for i in range(args.reps):
    r = run_once()
    r["rep"] = i
    r["splink"] = splink.__version__
    print(json.dumps(r), flush=True)
