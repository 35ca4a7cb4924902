#!/usr/bin/env python3
"""Oracle for seismo_stats::cbpe: NannyML 0.13.1's CBPE for a binary classifier on the
bundled example (reference.parquet's score and label; the decision is score >= 0.5),
estimating ROC AUC, accuracy, precision, recall, F1 and specificity per chunk of 500 rows of
joint.parquet, with the calibration forced on and off (NannyML decides with a shuffle split
seeded through numpy, which seismo does not replay: the oracle fixes each branch by
replacing `needs_calibration`). Also scikit-learn's IsotonicRegression on the reference,
evaluated on a grid of scores.

Writes crates/stats/tests/fixtures/cbpe_nannyml.json.

Run: /tmp/nml/bin/python scripts/oracles/cbpe_nannyml.py   (the venv of
     scripts/oracles/reconstruction_nannyml.py)
"""
import json
import os
import warnings

os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import nannyml as nml  # noqa: E402
import nannyml.performance_estimation.confidence_based.cbpe as cbpe_module  # noqa: E402
from sklearn.isotonic import IsotonicRegression  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "crates", "stats", "tests", "fixtures", "cbpe_nannyml.json")
METRICS = ["roc_auc", "accuracy", "precision", "recall", "f1", "specificity"]
CHUNK = 500


def frame(name):
    data = pd.read_parquet(os.path.join(ROOT, "examples", name))[["score", "label"]].copy()
    data["y_pred"] = (data["score"] >= 0.5).astype(int)
    return data


def main():
    reference, analysis = frame("reference.parquet"), frame("joint.parquet")
    out = {
        "reference": {"score": reference["score"].tolist(), "label": reference["label"].tolist()},
        "analysis": {"score": analysis["score"].tolist()},
        "chunk": CHUNK,
        "threshold": 0.5,
        "cases": {},
    }
    for calibrated in [True, False]:
        cbpe_module.needs_calibration = lambda *args, forced=calibrated, **kwargs: forced
        estimator = nml.CBPE(
            y_pred_proba="score", y_pred="y_pred", y_true="label", metrics=METRICS,
            chunk_size=CHUNK, problem_type="classification_binary",
        )
        estimator.fit(reference.copy())
        result = estimator.estimate(analysis.copy()).filter(period="analysis").to_df()
        out["cases"]["calibrated" if calibrated else "raw"] = {
            metric: [float(v) for v in result[(metric, "value")]] for metric in METRICS
        }
    isotonic = IsotonicRegression(out_of_bounds="clip", increasing=True).fit(reference["score"], reference["label"])
    grid = np.concatenate([np.linspace(-0.1, 1.1, 241), reference["score"].to_numpy()[:50]])
    out["isotonic"] = {"grid": grid.tolist(), "calibrated": isotonic.predict(grid).tolist()}
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print({k: {m: round(v[m][0], 6) for m in METRICS} for k, v in out["cases"].items()})


if __name__ == "__main__":
    main()
