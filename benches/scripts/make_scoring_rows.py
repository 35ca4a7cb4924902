#!/usr/bin/env python3
"""The rows of the scoring benchmark: examples/current.parquet's seven model features, repeated
to ROWS rows (default 1,000,000), with a little noise so that the trees see new values.
Writes benches/data/scoring.parquet. Needs numpy, pandas and pyarrow."""
import os
import sys

import numpy as np
import pandas as pd

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FEATURES = ["age", "income", "credit_score", "tenure_months", "num_products", "balance", "utilization"]
rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
current = pd.read_parquet(os.path.join(ROOT, "examples", "current.parquet"))[FEATURES]
x = current.to_numpy(np.float64)
x = x[np.arange(rows) % len(x)]
rng = np.random.default_rng(0)
x = x * (1 + 0.01 * rng.standard_normal(x.shape))
out = pd.DataFrame(x.astype(np.float32), columns=FEATURES)
path = os.path.join(ROOT, "benches", "data", "scoring.parquet")
out.to_parquet(path, index=False)
print(f"{path}: {rows} rows")
