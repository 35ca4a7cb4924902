"""The pandas way to the same answer as `seismo history`: hourly count, null rate, mean and
quantiles of a prediction log, then PELT (ruptures) on the hourly means.

    python3 benches/scripts/pandas_history.py benches/data/history.parquet request_time score 1h
"""
import sys

import numpy as np
import pandas as pd
import ruptures

path, time, value, window = sys.argv[1:5]
df = pd.read_parquet(path, columns=[time, value])
groups = df.set_index(time)[value].resample(window.replace("m", "min"))
stats = pd.DataFrame(
    {
        "rows": groups.size(),
        "nulls": groups.apply(lambda s: s.isna().sum()),
        "mean": groups.mean(),
        "p05": groups.quantile(0.05),
        "p50": groups.quantile(0.5),
        "p95": groups.quantile(0.95),
    }
).dropna(subset=["mean"])
means = np.log(stats["mean"].to_numpy())
scale = 1.4826 * np.median(np.abs(np.diff(means))) / np.sqrt(2)
points = ruptures.Pelt(model="l2", min_size=2, jump=1).fit(means / scale).predict(pen=3 * np.log(len(means)))
print(f"{len(stats)} windows; change points at", [str(stats.index[p]) for p in points[:-1]])
