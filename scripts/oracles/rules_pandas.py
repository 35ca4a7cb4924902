#!/usr/bin/env python3
"""Oracle for the numbers `seismo validate` reports: pandas' statistics and row counts on the
bundled example data (examples/current.parquet), for the checks crates/rules/tests/rules/oracle.rs
builds.

- `[[statistic]]` values: mean, std (ddof 1), min, max, median, quantile (numpy's linear
  interpolation), null fraction (null or NaN), distinct count; over all rows and under a
  `where` condition;
- row counts of violations of column and dataset rules (min, allowed, regex, length,
  expressions, duplicates on a subset of columns, overlap with the reference, rows whose
  features repeat with another label).

Writes crates/rules/tests/fixtures/pandas.json.
Run: python3 scripts/oracles/rules_pandas.py   (needs numpy, pandas, pyarrow)
"""
import json
import os

import numpy as np
import pandas as pd

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "crates", "rules", "tests", "fixtures", "pandas.json")

cur = pd.read_parquet(os.path.join(ROOT, "examples", "current.parquet"))
ref = pd.read_parquet(os.path.join(ROOT, "examples", "reference.parquet"))

statistics = []
for column in ["income", "credit_score", "score", "age", "utilization"]:
    for where, rows in [(None, cur), ("country = 'DE'", cur[cur["country"] == "DE"])]:
        s = rows[column]
        values = {
            "mean": s.mean(),
            "std": s.std(ddof=1),
            "min": s.min(),
            "max": s.max(),
            "median": s.median(),
            "null_fraction": float(s.isna().mean()),
            "distinct_count": int(s.nunique()),
        }
        for name, value in values.items():
            statistics.append({"column": column, "where": where, "statistic": name, "value": float(value)})
        for q in [0.01, 0.1, 0.9, 0.99]:
            statistics.append(
                {"column": column, "where": where, "statistic": "quantile", "q": q,
                 "value": float(np.quantile(s.dropna(), q))}
            )

features = [c for c in cur.columns if c not in ("id", "timestamp", "label", "score", "model_version")]
counts = {
    # [[column]] rules
    "credit_score_min_300": int((cur["credit_score"] < 300).sum()),
    "income_exclusive_max_100000": int((cur["income"] >= 100000).sum()),
    "country_allowed_de_fr": int((~cur["country"].isin(["DE", "FR"])).sum()),
    "channel_regex_w": int((~cur["channel"].str.fullmatch(r"w.*")).sum()),
    "channel_max_length_3": int((cur["channel"].str.len() > 3).sum()),
    "age_unique": int(cur["age"].duplicated().sum()),
    # [[dataset]] rules
    "expr_balance_le_income": int((~(cur["balance"] <= cur["income"] / 4)).sum()),
    "expr_where_de": int(((cur["country"] == "DE") & ~(cur["age"] < 70)).sum()),
    "duplicates_country_channel": int(cur.duplicated(subset=["country", "channel"]).sum()),
    "overlap_age_country": int(
        cur[["age", "country"]].apply(tuple, axis=1).isin(set(ref[["age", "country"]].apply(tuple, axis=1))).sum()
    ),
    "conflicting_labels_country_channel_products": int(
        cur.groupby(["country", "channel", "num_products"])["label"].transform("nunique").gt(1).sum()
    ),
}

with open(OUT, "w") as f:
    json.dump({"rows": len(cur), "statistics": statistics, "counts": counts}, f, indent=1)
print(f"wrote {OUT}: {len(statistics)} statistics, {len(counts)} counts")
