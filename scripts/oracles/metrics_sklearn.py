#!/usr/bin/env python3
"""Oracle for seismo-slices: every metric by scikit-learn, fairness measures by fairlearn.

Cases are generated here (seeded) and written with their inputs, so the Rust tests replay
them exactly: binary scores with ties (signed zeros among them), subnormals, several thresholds, one-class and tiny sets;
multiclass labels with and without probability columns; regression targets with zeros
(MAPE) and constant targets (R²); groups over one and two sensitive columns.

A metric sklearn refuses (ROC AUC on one class) or warns about and zeroes (average precision
without positives) is written as null: seismo reports those as undefined.

Writes crates/slices/tests/fixtures/sklearn.json.
Run: python3 -m venv /tmp/sk && /tmp/sk/bin/pip install scikit-learn fairlearn pandas
     /tmp/sk/bin/python scripts/oracles/metrics_sklearn.py
"""
import json
import os
import warnings

import numpy as np
import sklearn
import fairlearn
from sklearn import metrics as m
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    MetricFrame,
    selection_rate,
)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "crates", "slices", "tests", "fixtures", "sklearn.json")
rng = np.random.default_rng(20261123)
warnings.simplefilter("ignore")


def ece(y, p, bins=10):
    idx = np.minimum(np.floor(p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.mean() * abs(y[mask].mean() - p[mask].mean())
    return total


def binary_case(name, y, p, threshold):
    pred = (p >= threshold).astype(int)
    one_class = len(np.unique(y)) < 2
    out = {
        "accuracy": m.accuracy_score(y, pred),
        "precision": m.precision_score(y, pred, zero_division=0),
        "recall": m.recall_score(y, pred, zero_division=0),
        "true_positive_rate": m.recall_score(y, pred, zero_division=0),
        "false_positive_rate": (((pred == 1) & (y == 0)).sum() / max((y == 0).sum(), 1)),
        "f1": m.f1_score(y, pred, zero_division=0),
        "roc_auc": None if one_class else m.roc_auc_score(y, p),
        "average_precision": None if y.sum() == 0 else m.average_precision_score(y, p),
        "log_loss": m.log_loss(y, p, labels=[0, 1]),
        "brier": m.brier_score_loss(y, p, labels=[0, 1]) if not one_class else float(np.mean((p - y) ** 2)),
        "ece": ece(y, p),
        "positive_rate": float(pred.mean()),
    }
    return {"name": name, "task": "binary", "truth": y.tolist(), "score": p.tolist(),
            "threshold": threshold, "metrics": {k: (None if v is None else float(v)) for k, v in out.items()}}


cases = []
for i, n in enumerate([200, 1000, 57]):
    y = (rng.random(n) < 0.3 + 0.1 * i).astype(int)
    p = np.clip(0.3 * y + rng.normal(0.35, 0.2, n), 0, 1)
    if i != 1:
        p = np.round(p, 2)  # ties
    for t in [0.5, 0.3]:
        cases.append(binary_case(f"binary_{n}_t{t}", y, p, t))
cases.append(binary_case("binary_extremes", np.array([1, 0, 1, 0, 1]), np.array([1.0, 0.0, 0.0, 1.0, 0.7]), 0.5))
cases.append(binary_case("binary_one_class", np.array([0, 0, 0]), np.array([0.2, 0.7, 0.4]), 0.5))
cases.append(binary_case("binary_all_positive", np.array([1, 1]), np.array([0.2, 0.9]), 0.5))
cases.append(binary_case("binary_single_row", np.array([1]), np.array([0.6]), 0.5))
cases.append(binary_case("binary_all_tied", np.array([1, 0, 1, 0]), np.array([0.5, 0.5, 0.5, 0.5]), 0.5))
# Signed zeros tie with each other (issue 13); subnormals are distinct values above zero.
for t in [0.5, 0.0]:
    cases.append(binary_case(f"binary_signed_zeros_t{t}", np.array([1, 0, 1, 0, 1, 0, 0, 1, 0, 1]),
                             np.array([-0.0, 0.0, 0.0, -0.0, 5e-324, 5e-324, 1e-310, 0.3, 0.3, 1.0]), t))

for n, k in [(300, 3), (50, 4)]:
    y = rng.integers(0, k, n)
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), y] += 1.0
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    pred = proba.argmax(axis=1)
    if k == 4:
        pred[pred == 3] = 2  # a class never predicted
    cases.append({
        "name": f"multiclass_{n}_{k}", "task": "multiclass", "classes": k,
        "truth": y.tolist(), "predicted": pred.tolist(), "probabilities": proba.tolist(),
        "metrics": {
            "accuracy": m.accuracy_score(y, pred),
            "f1_macro": m.f1_score(y, pred, average="macro", zero_division=0),
            "f1_micro": m.f1_score(y, pred, average="micro", zero_division=0),
            "f1_weighted": m.f1_score(y, pred, average="weighted", zero_division=0),
            "log_loss": m.log_loss(y, proba, labels=list(range(k))),
        },
    })

for name, y, p in [
    ("regression_300", rng.normal(10, 3, 300), None),
    ("regression_zeros", np.array([0.0, 1.0, -2.0, 0.0, 5.0]), np.array([0.5, 1.5, -2.5, 0.0, 4.0])),
    ("regression_constant_target", np.array([2.0, 2.0, 2.0]), np.array([1.0, 2.0, 3.0])),
    ("regression_perfect_constant", np.array([2.0, 2.0]), np.array([2.0, 2.0])),
]:
    if p is None:
        p = y + rng.normal(0.3, 1.0, len(y))
    errors = np.abs(y - p)
    cases.append({
        "name": name, "task": "regression", "truth": y.tolist(), "predicted": p.tolist(),
        "metrics": {
            "mae": m.mean_absolute_error(y, p),
            "rmse": float(np.sqrt(m.mean_squared_error(y, p))),
            "mape": m.mean_absolute_percentage_error(y, p),
            "r2": m.r2_score(y, p),
            "mean_error": float(np.mean(p - y)),
            "abs_error_quantile": float(np.quantile(errors, 0.9)),
        },
    })

fairness = []
n = 600
y = (rng.random(n) < 0.4).astype(int)
p = np.round(np.clip(0.35 * y + rng.normal(0.35, 0.2, n), 0, 1), 2)
country = rng.choice(["DE", "FR", "IT"], n, p=[0.5, 0.3, 0.2])
gender = rng.choice(["f", "m"], n)
p[country == "IT"] = np.clip(p[country == "IT"] + 0.15, 0, 1)  # a group selected more often
for threshold in [0.5, 0.4]:
    pred = (p >= threshold).astype(int)
    for groups in [["country"], ["country", "gender"]]:
        sensitive = {"country": country, "gender": gender}
        features = np.column_stack([sensitive[g] for g in groups]) if len(groups) > 1 else sensitive[groups[0]]
        frame = MetricFrame(metrics={"selection_rate": selection_rate, "recall": m.recall_score},
                            y_true=y, y_pred=pred, sensitive_features=features)
        by_group = frame.by_group.reset_index()
        fairness.append({
            "threshold": threshold, "groups": groups,
            "demographic_parity_difference": demographic_parity_difference(y, pred, sensitive_features=features),
            "demographic_parity_ratio": demographic_parity_ratio(y, pred, sensitive_features=features),
            "equalized_odds_difference": equalized_odds_difference(y, pred, sensitive_features=features),
            "by_group": [
                {"group": [str(v) for v in row[:len(groups)]], "selection_rate": float(row["selection_rate"]),
                 "recall": float(row["recall"])}
                for _, row in by_group.iterrows()
            ],
        })

with open(OUT, "w") as f:
    json.dump({
        "sklearn": sklearn.__version__, "fairlearn": fairlearn.__version__, "cases": cases,
        "fairness": {"truth": y.tolist(), "score": p.tolist(), "country": country.tolist(),
                     "gender": gender.tolist(), "results": fairness},
    }, f)
print(f"wrote {OUT}: {len(cases)} metric cases, {len(fairness)} fairness cases")
