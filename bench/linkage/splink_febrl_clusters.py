"""Runs the peer script bench/peers/splink_febrl.py unchanged, and saves the
cluster table of each repetition as CSV (record_id,cluster_id) so that the same evaluator
scores Splink and Shanyrak (B-cubed needs the clusters, which the peer script does not save).

usage: python splink_febrl_clusters.py PEERS_DIR CLUSTERS_OUT.csv febrl3|febrl4 [--reps N]
"""
import runpy
import sys

peers, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, peers)
import splink_compat  # noqa: E402  (the peer's own shim, imported from its folder)

_to_pandas = splink_compat.to_pandas


def to_pandas(sdf):
    df = _to_pandas(sdf)
    if "cluster_id" in df.columns:  # the clustering result: keep the latest one
        df[["rec_id", "cluster_id"]].rename(columns={"rec_id": "record_id"}).to_csv(out, index=False)
    return df


splink_compat.to_pandas = to_pandas
sys.argv = [f"{peers}/splink_febrl.py"] + sys.argv[3:]
runpy.run_path(f"{peers}/splink_febrl.py", run_name="__main__")
