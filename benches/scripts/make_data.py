#!/usr/bin/env python3
"""Benchmark data: 1M rows x 26 columns, reference and current, as Parquet.

20 numeric features (f0..f19), 5 categorical (c0..c4), one prediction (`prediction`).
`current` drifts f0 (mean +0.5 sd), breaks f1 (1% sentinel -999) and multiplies the
prediction by 100 for the second half, so drift and validation benchmarks have work to do.

Run: python3 benches/scripts/make_data.py [ROWS]   -> benches/data/{reference,current}.parquet
(needs numpy, pandas, pyarrow; seeded, so repeatable; benches/data is git-ignored)
"""
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def table(rng, n, faults):
    params = np.random.default_rng(0)  # the same column parameters in both files
    cols = {}
    for i in range(20):
        loc, scale = params.normal(0, 10), params.uniform(0.5, 5)
        kind = i % 4
        if kind == 0:
            v = rng.normal(loc, scale, n)
        elif kind == 1:
            v = rng.lognormal(1.0, 0.5, n) * scale
        elif kind == 2:
            v = rng.integers(0, 100, n).astype(np.float64)
        else:
            v = rng.exponential(scale, n)
        cols[f"f{i}"] = v
    for i in range(5):
        k = [3, 5, 10, 20, 50][i]
        p = params.dirichlet(np.ones(k) * 2)
        cols[f"c{i}"] = rng.choice([f"v{j}" for j in range(k)], n, p=p)
    z = cols["f0"] * 0.05 + cols["f2"] * 0.01 - 1
    cols["prediction"] = 1 / (1 + np.exp(-z + rng.normal(0, 0.3, n)))
    if faults:
        cols["f0"] = cols["f0"] + 0.5 * np.std(cols["f0"])
        broken = rng.random(n) < 0.01
        cols["f1"] = np.where(broken, -999.0, cols["f1"])
        cols["prediction"][n // 2:] *= 100
    arrays = {}
    for name, v in cols.items():
        if name.startswith("f") and name != "f1":
            mask = rng.random(n) < 0.01  # 1% nulls
            arrays[name] = pa.array(v, mask=mask)
        else:
            arrays[name] = pa.array(v)
    return pa.table(arrays)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, seed, faults in [("reference", 1, False), ("current", 2, True)]:
        t = table(np.random.default_rng(seed), ROWS, faults)
        pq.write_table(t, os.path.join(OUT, f"{name}.parquet"))
        print(name, t.num_rows, "rows", t.num_columns, "columns")


if __name__ == "__main__":
    main()
