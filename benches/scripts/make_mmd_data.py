#!/usr/bin/env python3
"""Rows for the MMD comparison: 5,000 reference and 5,000 current rows of 20 correlated
numeric features (10,000 x 20 in all); in the current rows two features decouple, the
marginals unchanged. Writes benches/data/mmd_reference.parquet and mmd_current.parquet.

Run: python3 benches/scripts/make_mmd_data.py   (numpy, pandas, pyarrow; seeded)
"""
import os

import numpy as np
import pandas as pd

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
N, D = 5000, 20


def main():
    rng = np.random.default_rng(17)
    cov = 0.3 * np.ones((D, D)) + 0.7 * np.eye(D)
    cov[0, 1] = cov[1, 0] = 0.8
    rows = rng.multivariate_normal(np.zeros(D), cov, size=2 * N)
    reference, current = rows[:N], rows[N:].copy()
    current[:, 1] = rng.permutation(current[:, 1])
    os.makedirs(OUT, exist_ok=True)
    names = [f"x{j:02d}" for j in range(D)]
    pd.DataFrame(reference, columns=names).to_parquet(os.path.join(OUT, "mmd_reference.parquet"), index=False)
    pd.DataFrame(current, columns=names).to_parquet(os.path.join(OUT, "mmd_current.parquet"), index=False)


if __name__ == "__main__":
    main()
