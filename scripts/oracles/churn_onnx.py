#!/usr/bin/env python3
"""Oracle for the prediction churn of `seismo test`: how many decisions two models' predictions
of the same rows disagree on, and the mean |difference| of the probabilities, overall and on
each slice of examples/suite.toml (decision: probability >= the suite's decision_threshold,
0.3), on the rows with a label and both predictions.

Two cases:
- files: examples/candidate.parquet against examples/reference.parquet, joined by `id`
  (`seismo test --suite examples/suite.toml --data examples/candidate.parquet
  --baseline examples/reference.parquet`);
- models: examples/current.parquet scored by onnxruntime with examples/models/credit_gbm.onnx
  (the candidate) and credit_gbm_brittle.onnx (the baseline) (`seismo test ... --data
  examples/current.parquet --model ... --baseline-model ...`).

Writes crates/cli/tests/fixtures/churn/oracle.json.
Run: python3 -m venv /tmp/onnx && /tmp/onnx/bin/pip install onnxruntime==1.32.0 pandas pyarrow
     /tmp/onnx/bin/python scripts/oracles/churn_onnx.py
"""
import json
import os

import numpy as np
import onnxruntime as ort
import pandas as pd

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FEATURES = ["age", "income", "credit_score", "tenure_months", "num_products", "balance", "utilization"]
THRESHOLD = 0.3
# examples/suite.toml's slices, as pandas masks.
SLICES = {
    "all": lambda d: np.ones(len(d), bool),
    "seniors": lambda d: (d["age"] >= 60).to_numpy(),
    "branch": lambda d: (d["channel"] == "branch").to_numpy(),
    "new_customers": lambda d: (d["tenure_months"] < 6).to_numpy(),
    "high_utilization": lambda d: ((d["utilization"] > 0.5) & d["country"].isin(["DE", "FR"])).to_numpy(),
}


def example(name):
    return pd.read_parquet(os.path.join(ROOT, "examples", name))


def churn(data, candidate, baseline):
    valid = data["label"].notna().to_numpy() & ~np.isnan(candidate) & ~np.isnan(baseline)
    out = []
    for name, mask in SLICES.items():
        rows = mask(data) & valid
        changed = (candidate[rows] >= THRESHOLD) != (baseline[rows] >= THRESHOLD)
        out.append({
            "slice": name,
            "rows": int(rows.sum()),
            "changed": int(changed.sum()),
            "change_rate": float(changed.mean()),
            "mean_abs_change": float(np.abs(candidate[rows] - baseline[rows]).mean()),
        })
    return out


def probability(model, data):
    session = ort.InferenceSession(
        os.path.join(ROOT, "examples", "models", model), providers=["CPUExecutionProvider"]
    )
    x = data[FEATURES].to_numpy(np.float32)
    _, proba = session.run(None, {"X": x})
    return np.array([p[1] for p in proba], dtype=np.float32).astype(np.float64)


def main():
    candidate = example("candidate.parquet")
    reference = example("reference.parquet").set_index("id").loc[candidate["id"]].reset_index()
    files = churn(
        candidate,
        candidate["score"].to_numpy(np.float64),
        reference["score"].to_numpy(np.float64),
    )
    current = example("current.parquet")
    models = churn(
        current,
        probability("credit_gbm.onnx", current),
        probability("credit_gbm_brittle.onnx", current),
    )
    for case, rows in [("files", files), ("models", models)]:
        for r in rows:
            print(f"{case:<7} {r['slice']:<17} {r['rows']:>5} rows  {100 * r['change_rate']:5.1f}% changed  mean |d| {r['mean_abs_change']:.6f}")
    path = os.path.join(ROOT, "crates", "cli", "tests", "fixtures", "churn", "oracle.json")
    with open(path, "w") as f:
        json.dump({"threshold": THRESHOLD, "files": files, "models": models}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
