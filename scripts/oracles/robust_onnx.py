#!/usr/bin/env python3
"""Oracle for `seismo robust`: the flip rates, prediction changes and metric drops,
recomputed with onnxruntime, numpy and scikit-learn on the same perturbed rows.

seismo writes the rows the model saw under each perturbation (`--dump-perturbed DIR`:
original.parquet, then 00.parquet, 01.parquet, ... in the report's order). This script runs
the command below, scores each file with onnxruntime, and recomputes every figure of the
report from those predictions alone: the decision flips (probability >= threshold; a
missing prediction counts as a flip; for `decreases`/`increases`, the rows whose probability
moved the wrong way by more than the tolerance; for `invariance`, the dump holds each row's
chosen counterfactual), the mean and 99th percentile (numpy's linear
interpolation) of the largest |change| over the class probabilities, the share of
predictions that became missing, ROC AUC and accuracy before and after (scikit-learn, on
rows with a label and a prediction both times), and the flip rate and metrics per slice. It prints the
largest difference from seismo's JSON and writes the figures to
crates/cli/tests/fixtures/robust/onnxruntime.json, which crates/cli/tests/cli/robust.rs
compares with seismo on every test run.

Run: python3 -m venv /tmp/onnx && /tmp/onnx/bin/pip install scikit-learn==1.9.1 \
         onnxruntime==1.32.0 pandas pyarrow
     cargo build --release && /tmp/onnx/bin/python scripts/oracles/robust_onnx.py
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort
import pandas as pd
import pyarrow.parquet as pq
from sklearn.metrics import accuracy_score, roc_auc_score

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURE = os.path.join(ROOT, "crates", "cli", "tests", "fixtures", "robust", "onnxruntime.json")
SEISMO = os.path.join(ROOT, "target", "release", "seismo")

# The command, relative to the repository root; the test runs the same arguments.
ARGS = [
    "robust", "examples/current.parquet",
    "--model", "examples/models/credit_gbm.onnx",
    "--target", "label", "--by", "country", "--threshold", "0.3", "--seed", "7",
    "--perturb", "gaussian:0.1",
    "--perturb", "multiply:0.01",
    "--perturb", "round:-3@income,balance",
    "--perturb", "missing:0.05",
    "--perturb", "category:0.2",
    "--perturb", "unseen:0.1@num_products",
    "--perturb", "dropout@credit_score",
    "--perturb", "adversarial:0.05@income,credit_score,utilization",
    "--perturb", "invariance@num_products",
    "--perturb", "decreases:0.1@income",
    "--perturb", "increases:0.2@utilization",
]
THRESHOLD = 0.3
TOLERANCE = 0.01  # seismo's default --tolerance

# The pipeline with string inputs (one-hot country and channel): the perturbations that change
# categories, and noise, which leaves them alone. Dumped strings are fed as they are (an
# unknown category as "<unseen>", which the model does not know either), a null as "".
PIPELINE_ARGS = [
    "robust", "examples/current.parquet",
    "--model", "examples/models/credit_pipeline.onnx",
    "--target", "label", "--by", "country", "--threshold", "0.3", "--seed", "3",
    "--perturb", "category:0.2",
    "--perturb", "unseen:0.3@country,channel",
    "--perturb", "missing:0.2@channel",
    "--perturb", "dropout@country",
    "--perturb", "invariance@country",
    "--perturb", "gaussian:0.1",
]
PIPELINE_FIXTURE = os.path.join(os.path.dirname(FIXTURE), "pipeline.json")


def probabilities(session, path):
    table = pq.read_table(path).to_pandas()
    inputs = session.get_inputs()
    if [i.name for i in inputs] == ["X"]:
        feed = {"X": table.to_numpy(np.float32)}
    else:
        feed = {}
        for i in inputs:
            column = table[i.name]
            if i.type == "tensor(string)":
                feed[i.name] = column.fillna("").to_numpy().astype(object).reshape(-1, 1)
            else:
                feed[i.name] = column.to_numpy(np.float32).reshape(-1, 1)
    label, proba = session.run(None, feed)
    return np.array([[p[0], p[1]] for p in proba], dtype=np.float64)


def decisions(p):
    d = (p[:, 1] >= THRESHOLD).astype(np.int64)
    d[np.isnan(p).any(axis=1)] = -1
    return d


def main():
    check(ARGS, FIXTURE)
    check(PIPELINE_ARGS, PIPELINE_FIXTURE)


def check(args, fixture):
    model = args[args.index("--model") + 1]
    with tempfile.TemporaryDirectory() as dump:
        run = subprocess.run(
            [SEISMO, *args, "--format", "json", "--dump-perturbed", dump],
            cwd=ROOT, capture_output=True, text=True,
        )
        if run.returncode not in (0, 1):
            sys.exit(run.stderr)
        report = json.loads(run.stdout)
        session = ort.InferenceSession(
            os.path.join(ROOT, model),
            providers=["CPUExecutionProvider"],
        )
        data = pd.read_parquet(os.path.join(ROOT, "examples", "current.parquet"))
        truth = data["label"].to_numpy(np.float64)
        country = data["country"].astype(str).to_numpy()
        base = probabilities(session, os.path.join(dump, "original.parquet"))
        d0 = decisions(base)
        expected = []
        for k, outcome in enumerate(report["perturbations"]):
            after = probabilities(session, os.path.join(dump, f"{k:02d}.parquet"))
            d1 = decisions(after)
            flips = d1 != d0
            # A directional expectation: the rows whose prediction moved the wrong way.
            rise = after[:, 1] - base[:, 1]
            invalid = np.isnan(after[:, 1]) & ~np.isnan(base[:, 1])
            if outcome["kind"] == "decreases":
                flips = invalid | (rise > TOLERANCE)
            elif outcome["kind"] == "increases":
                flips = invalid | (rise < -TOLERANCE)
            delta = np.abs(after - base).max(axis=1)
            delta = delta[~np.isnan(delta)]
            adversarial = outcome["kind"] == "adversarial"
            def metrics_on(rows):
                ok = rows & ~np.isnan(truth) & ~np.isnan(base[:, 1]) & ~np.isnan(after[:, 1])
                out = []
                for name in ["roc_auc", "accuracy"]:
                    if name == "accuracy":
                        before = accuracy_score(truth[ok], base[ok, 1] >= THRESHOLD)
                        perturbed = accuracy_score(truth[ok], after[ok, 1] >= THRESHOLD)
                    else:
                        before = roc_auc_score(truth[ok], base[ok, 1])
                        perturbed = roc_auc_score(truth[ok], after[ok, 1])
                    out.append({"metric": name, "original": before, "perturbed": perturbed})
                return out

            metrics = metrics_on(np.ones(len(truth), dtype=bool))
            slices = []
            for value in sorted(set(country)):
                rows = country == value
                slices.append({
                    "slice": f"country={value}",
                    "rows": int(rows.sum()),
                    "flip_rate": float(flips[rows].mean()),
                    "metrics": metrics_on(rows),
                })
            expected.append({
                "name": outcome["name"],
                "flipped": int(flips.sum()),
                "flip_rate": float(flips.mean()),
                "invalid_rate": float((~np.isnan(base[:, 1]) & np.isnan(after[:, 1])).mean()),
                "mean_abs_change": None if adversarial else float(delta.mean()),
                "p99_abs_change": None if adversarial else float(np.percentile(delta, 99)),
                "metrics": metrics,
                "slices": slices,
            })
    worst = 0.0
    for want, got in zip(expected, report["perturbations"]):
        assert want["name"] == got["name"]
        if want["flipped"] != got["flipped"]:
            print(f"{want['name']}: {got['flipped']} flips, onnxruntime {want['flipped']}")
        for key in ["flip_rate", "invalid_rate", "mean_abs_change", "p99_abs_change"]:
            if want[key] is not None:
                worst = max(worst, abs(want[key] - got[key]))
        for w, g in zip(want["metrics"], got["metrics"]):
            worst = max(worst, abs(w["original"] - g["original"]), abs(w["perturbed"] - g["perturbed"]))
        for w, g in zip(want["slices"], got["slices"]):
            assert w["slice"] == g["slice"] and w["rows"] == g["rows"]
            worst = max(worst, abs(w["flip_rate"] - g["flip_rate"]))
            for wm, gm in zip(w["metrics"], g["metrics"]):
                worst = max(worst, abs(wm["original"] - gm["original"]), abs(wm["perturbed"] - gm["perturbed"]))
        print(f"{want['name']:<48} flip rate {want['flip_rate']:.4f}  seismo {got['flip_rate']:.4f}")
    print(f"largest difference from seismo: {worst:.3g}")
    os.makedirs(os.path.dirname(fixture), exist_ok=True)
    with open(fixture, "w") as f:
        json.dump({"args": args, "threshold": THRESHOLD, "perturbations": expected}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
