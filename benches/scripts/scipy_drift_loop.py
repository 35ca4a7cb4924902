#!/usr/bin/env python3
"""A plain scipy loop doing what `seismo drift` does by default on large samples: read both
Parquet files with pandas, then per column the normalized Wasserstein distance (numeric) or
the Jensen-Shannon distance of category shares (categorical), threshold 0.1.

Run: python3 scipy_drift_loop.py REFERENCE CURRENT   (needs pandas, pyarrow, scipy)
"""
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

reference = pd.read_parquet(sys.argv[1])
current = pd.read_parquet(sys.argv[2])
drifted = []
for name in reference.columns:
    a, b = reference[name].dropna(), current[name].dropna()
    if a.dtype.kind in "if":
        value = stats.wasserstein_distance(a, b) / np.std(a)
    else:
        ca, cb = a.value_counts(), b.value_counts()
        labels = ca.index.union(cb.index)
        value = jensenshannon(ca.reindex(labels, fill_value=0), cb.reindex(labels, fill_value=0))
    if value >= 0.1:
        drifted.append(name)
print(len(drifted), "drifted:", drifted)
