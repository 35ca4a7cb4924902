#!/usr/bin/env python3
"""Data for the CBPE benchmark: benches/data/cbpe_reference.parquet and cbpe_current.parquet,
1M rows each of a binary classifier's `score` (slightly overconfident: the model's log-odds
carry noise of their own) and its `label`. In the current file the population shifts
toward the decision boundary and the labels of its second half are not logged yet (null).

    python3 benches/scripts/make_cbpe_data.py   (numpy, pyarrow; seeded)
"""
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
N = 1_000_000


def month(rng, centre, labelled):
    z = rng.normal(centre, 1.6, N)
    score = 1 / (1 + np.exp(-(z + rng.normal(0, 0.6, N))))
    label = (rng.random(N) < 1 / (1 + np.exp(-z))).astype(np.float64)
    label[labelled:] = np.nan
    return pa.table({
        "score": score,
        "label": pa.array(label, from_pandas=True).cast(pa.int64()),
    })


def main():
    rng = np.random.default_rng(20261203)
    os.makedirs(DATA, exist_ok=True)
    for name, centre, labelled in [("cbpe_reference", -2.0, N), ("cbpe_current", -1.0, N // 2)]:
        pq.write_table(month(rng, centre, labelled), os.path.join(DATA, f"{name}.parquet"))
        print(f"wrote benches/data/{name}.parquet: {N} rows")


if __name__ == "__main__":
    main()
