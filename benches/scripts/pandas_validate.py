"""The same 50 checks as benches/rules/validate50.toml, written in plain vectorized pandas:
the floor of what a Python validation tool can cost on this data (read, then one pass per
check), with the violation count of each check.

    python3 benches/scripts/pandas_validate.py benches/data/current.parquet
"""
import re
import sys

import pandas as pd

df = pd.read_parquet(sys.argv[1])
results = {}
for i in range(20):
    s = df[f"f{i}"]
    results[f"f{i}.min"] = int((s < -1000).sum())
    results[f"f{i}.max"] = int((s > 1000).sum())
for i, k in enumerate([3, 5, 10, 20, 50]):
    s = df[f"c{i}"]
    results[f"c{i}.allowed"] = int((s.notna() & ~s.isin([f"v{j}" for j in range(k)])).sum())
s = df["c4"]
results["c4_pattern"] = int((s.notna() & ~s.str.fullmatch(r"v[0-9]+").fillna(False)).sum())
results["f1.max_null_fraction"] = float(df["f1"].isna().mean())
results["prediction.mean"] = float(df["prediction"].mean())
# SQL logic: with f4 null the `or` holds; with f0 or f2 null the comparison is unknown.
known = df[["f0", "f2", "f4"]].notna().all(axis=1)
results["cross_column"] = int((known & ~(df["f0"] + df["f2"] < df["f4"] * 10)).sum())
results["enough_rows"] = len(df)
failed = [k for k, v in results.items() if (k.endswith(("min", "max", "allowed", "pattern", "cross_column")) and v > 0)]
print(f"{len(results)} checks; cross_column violations {results['cross_column']}; violations in: {failed}")
