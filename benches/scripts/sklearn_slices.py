"""The same 500 tests as benches/suites/slices100.toml with pandas masks and scikit-learn
metrics: the plain Python way to slice-test a model.

    python3 benches/scripts/sklearn_slices.py benches/data/scored.parquet
"""
import sys

import numpy as np
import pandas as pd
from sklearn import metrics as m

df = pd.read_parquet(sys.argv[1])
y, p = df["label"].to_numpy(), df["prediction"].to_numpy()
pred = (p >= 0.5).astype(int)
masks = []
for i in range(20):
    f = df[f"f{i}"]
    masks += [f > 0, f <= 0, (f > i + 1) & (df["c0"] == "v1")]
for j in range(40):
    masks.append(df[f"c{j % 5}"] == f"v{j % 3}")
values, skipped = [], 0
for mask in masks:
    mask = mask.to_numpy() & ~np.isnan(p)
    ys, ps, preds = y[mask], p[mask], pred[mask]
    if len(ys) < 30:  # seismo's default min_rows: insufficient data
        skipped += 5
        continue
    values += [
        m.roc_auc_score(ys, ps),
        m.accuracy_score(ys, preds),
        m.log_loss(ys, ps, labels=[0, 1]),
        m.brier_score_loss(ys, ps),
        m.recall_score(ys, preds, zero_division=0),
    ]
print(f"{len(values)} tests, {skipped} skipped; first roc_auc {values[0]:.6f}")
