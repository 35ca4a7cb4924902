#!/usr/bin/env python3
"""Oracle for `seismo profile`: what pandas computes on the same file.

Writes crates/cli/tests/fixtures/profile/{data.parquet,data.csv,half_a.parquet,
half_b.parquet,expected.json}. The data mixes the hard cases: NaN and nulls in one column
(Arrow keeps them apart; pandas counts both as missing), heavy ties, values near 1e9 with
small spread (a naive variance loses digits), a constant, an all-null and a single-value
column, integers with nulls, categoricals, booleans and timestamps.

expected.json holds, per column, pandas' count (non-missing), missing (isna), min, max,
mean and std (ddof=1), distinct (nunique) and top values; the mean and std computed in
exact rational arithmetic (`exact_mean`, `exact_std`), because on ill-conditioned data
(the `big` column) pandas itself is off by ~2e-8 relative; and for quantiles the exact
values at q - EPS and q + EPS (numpy 'inverted_cdf'), so a test can check that a sketch's
answer lies within rank error EPS of the truth.

Run: python3 scripts/oracles/profile_pandas.py   (needs numpy, pandas, pyarrow)
"""
import json
import math
import os
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

EPS = 0.0068  # >= the KLL k=400 rank error bound seismo reports (0.006776)
QUANTILES = [("p1", 0.01), ("p5", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95), ("p99", 0.99)]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "crates", "cli", "tests", "fixtures", "profile")
N = 20_000


def build(rng):
    normal = rng.normal(3.0, 2.0, N)
    normal_mask = rng.random(N) < 0.05  # nulls
    normal[rng.random(N) < 0.03] = np.nan  # NaN values, kept as NaN in Arrow
    ties = rng.integers(0, 6, N)
    big = 1e9 + rng.normal(0, 1e-3, N)
    ints = rng.integers(-1000, 1000, N)
    ints_mask = rng.random(N) < 0.1
    cat = rng.choice(["a", "b", "c", "d"], N, p=[0.4, 0.3, 0.2, 0.1]).astype(object)
    cat[rng.random(N) < 0.02] = None
    flag = (rng.random(N) < 0.3).tolist()
    for i in np.flatnonzero(rng.random(N) < 0.01):
        flag[i] = None
    when = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 86400 * 90, N), unit="s")
    single = [None] * N
    single[123] = 42.5
    return pa.table(
        {
            "normal": pa.array(normal, mask=normal_mask, from_pandas=False),
            "ties": pa.array(ties),
            "big": pa.array(big),
            "ints": pa.array(ints, mask=ints_mask),
            "constant": pa.array(np.full(N, 7.25)),
            "empty": pa.array([None] * N, type=pa.float64()),
            "single": pa.array(single, type=pa.float64()),
            "cat": pa.array(cat, type=pa.string()),
            "flag": pa.array(flag, type=pa.bool_()),
            "when": pa.array(when),
        }
    )


def finite(x):
    return None if x is None or (isinstance(x, float) and not np.isfinite(x)) else float(x)


def expected(table):
    df = table.to_pandas()
    cols = {}
    for name in df.columns:
        s = df[name]
        col = {"count": int(s.notna().sum()), "missing": int(s.isna().sum()), "distinct": int(s.nunique())}
        if name in ("cat", "flag"):
            counts = s.value_counts()
            col["top"] = [[str(k).lower() if name == "flag" else str(k), int(v)] for k, v in counts.items()]
        elif name == "when":
            secs = (s.dropna() - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
            col.update(min=float(secs.min()), max=float(secs.max()), mean=float(secs.mean()), std=float(secs.std()))
        else:
            v = s.dropna().to_numpy(dtype=float)
            col.update(min=finite(s.min()), max=finite(s.max()), mean=finite(s.mean()), std=finite(s.std()))
            if len(v):
                exact = [Fraction(x) for x in v]
                mean = sum(exact) / len(exact)
                col["exact_mean"] = float(mean)
                if len(v) > 1:
                    col["exact_std"] = math.sqrt(float(sum((x - mean) ** 2 for x in exact) / (len(v) - 1)))
                col["quantile_bounds"] = {
                    name_q: [float(np.quantile(v, max(0.0, q - EPS), method="inverted_cdf")),
                             float(np.quantile(v, min(1.0, q + EPS), method="inverted_cdf"))]
                    for name_q, q in QUANTILES
                }
        cols[name] = col
    return {"rows": len(df), "eps": EPS, "columns": cols}


def main():
    rng = np.random.default_rng(7)
    table = build(rng)
    os.makedirs(OUT, exist_ok=True)
    pq.write_table(table, os.path.join(OUT, "data.parquet"), row_group_size=4096)
    pq.write_table(table.slice(0, 7000), os.path.join(OUT, "half_a.parquet"))
    pq.write_table(table.slice(7000), os.path.join(OUT, "half_b.parquet"))
    df = table.to_pandas()
    df["when"] = df["when"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    df.to_csv(os.path.join(OUT, "data.csv"), index=False, float_format="%.17g")
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected(table), f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
