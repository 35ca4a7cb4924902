#!/usr/bin/env python3
"""Oracle for seismo_stats::cbpe: NannyML 0.13.1's CBPE for binary classifiers, every chunk's
estimate, sampling error, confidence band, realized value and the alert thresholds, for ROC
AUC, accuracy, precision, recall, F1 and specificity.

Cases:
- the bundled example: reference.parquet's score and label against joint.parquet (labels
  kept, so realized values exist), chunks of 500 rows, the decision score >= 0.5, with the
  calibration forced on and off (NannyML decides with scikit-learn's StratifiedShuffleSplit,
  which seismo does not replay: the oracle fixes each branch by replacing
  `needs_calibration`);
- the same with scores rounded to two decimals (ties everywhere) and chunks of 7 rows (the
  last one short; some hold one class of labels or of decisions);
- real data: river's bundled Shuttle set (49,097 flights, 7% anomalies). A Gaussian naive
  Bayes model (badly calibrated, as naive Bayes is) is trained on the first 10,000 rows and
  scores the rest; rows 10,000-24,999 are the reference and the rest the analysis, in chunks
  of 2,500 rows. NannyML decides the calibration itself here, and its decision is recorded.

Also scikit-learn's IsotonicRegression on the example reference, evaluated on a grid, and
NannyML's own `needs_calibration` decision on each reference and on 5,000 scores that are
calibrated by construction (labels drawn with the score as probability).

Writes crates/stats/tests/fixtures/cbpe_nannyml.json.

Run: /tmp/nml/bin/python scripts/oracles/cbpe_nannyml.py   (the venv of
     scripts/oracles/reconstruction_nannyml.py, plus `pip install river==0.26.1`)
"""
import gzip
import json
import os
import warnings

os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import nannyml as nml  # noqa: E402
import nannyml.performance_estimation.confidence_based.cbpe as cbpe_module  # noqa: E402
import river  # noqa: E402
from nannyml.calibration import IsotonicCalibrator, needs_calibration  # noqa: E402
from sklearn.isotonic import IsotonicRegression  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "crates", "stats", "tests", "fixtures", "cbpe_nannyml.json")
METRICS = ["roc_auc", "accuracy", "precision", "recall", "f1", "specificity"]
FIELDS = {
    "estimated": "value",
    "sampling_error": "sampling_error",
    "lower": "lower_confidence_boundary",
    "upper": "upper_confidence_boundary",
    "realized": "realized",
    "lower_threshold": "lower_threshold",
    "upper_threshold": "upper_threshold",
}
REAL_NEEDS_CALIBRATION = cbpe_module.needs_calibration


def frame(name, decimals=None):
    data = pd.read_parquet(os.path.join(ROOT, "examples", name))[["score", "label"]].copy()
    if decimals is not None:
        data["score"] = data["score"].round(decimals)
    return data


def shuttle():
    path = os.path.join(os.path.dirname(river.__file__), "datasets", "shuttle.csv.gz")
    with gzip.open(path, "rt") as f:
        data = pd.read_csv(f)
    features = data.drop(columns="anomaly").to_numpy(dtype=float)
    labels = data["anomaly"].to_numpy(dtype=int)
    model = GaussianNB().fit(features[:10_000], labels[:10_000])
    scores = model.predict_proba(features[10_000:])[:, 1]
    scored = pd.DataFrame({"score": scores, "label": labels[10_000:]})
    return scored.iloc[:15_000].reset_index(drop=True), scored.iloc[15_000:].reset_index(drop=True)


def run(reference, analysis, chunk, calibrated):
    """NannyML's CBPE results; `calibrated` None lets NannyML decide."""
    if calibrated is None:
        cbpe_module.needs_calibration = REAL_NEEDS_CALIBRATION
    else:
        cbpe_module.needs_calibration = lambda *args, forced=calibrated, **kwargs: forced
    reference, analysis = reference.copy(), analysis.copy()
    for data in (reference, analysis):
        data["y_pred"] = (data["score"] >= 0.5).astype(int)
    estimator = nml.CBPE(
        y_pred_proba="score", y_pred="y_pred", y_true="label", metrics=METRICS,
        chunk_size=chunk, problem_type="classification_binary",
    )
    estimator.fit(reference)
    result = estimator.estimate(analysis).filter(period="analysis").to_df()
    out = {
        "needs_calibration": bool(estimator.needs_calibration),
        "rows": [int(v) for v in result[("chunk", "end_index")] - result[("chunk", "start_index")] + 1],
        "metrics": {},
    }
    for metric in METRICS:
        out["metrics"][metric] = {
            field: [None if pd.isna(v) else float(v) for v in result[(metric, column)]]
            for field, column in FIELDS.items()
        }
    return out


def decision(data):
    return bool(REAL_NEEDS_CALIBRATION(
        data["label"].reset_index(drop=True), data["score"].reset_index(drop=True), IsotonicCalibrator()
    ))


def columns(data):
    return {"score": data["score"].tolist(), "label": data["label"].tolist()}


def main():
    reference, analysis = frame("reference.parquet"), frame("joint.parquet")
    tied_reference, tied_analysis = frame("reference.parquet", 2), frame("joint.parquet", 2)
    shuttle_reference, shuttle_analysis = shuttle()
    # Scores that are calibrated by construction: calibrating them only adds noise.
    rng = np.random.default_rng(20261203)
    p = rng.uniform(0, 1, 5000)
    honest = pd.DataFrame({"score": p, "label": (rng.uniform(0, 1, 5000) < p).astype(int)})
    out = {
        "datasets": {
            "example": {"reference": columns(reference), "analysis": columns(analysis)},
            "tied": {"reference": columns(tied_reference), "analysis": columns(tied_analysis)},
            "shuttle": {"reference": columns(shuttle_reference), "analysis": columns(shuttle_analysis)},
            "honest": {"reference": columns(honest)},
        },
        "needs_calibration": {
            "example": decision(reference),
            "tied": decision(tied_reference),
            "shuttle": decision(shuttle_reference),
            "honest": decision(honest),
        },
        "threshold": 0.5,
        "cases": {
            "calibrated": {"data": "example", "chunk": 500, "calibrated": True},
            "raw": {"data": "example", "chunk": 500, "calibrated": False},
            "tied_calibrated": {"data": "tied", "chunk": 7, "calibrated": True},
            "tied_raw": {"data": "tied", "chunk": 7, "calibrated": False},
            "shuttle": {"data": "shuttle", "chunk": 2500, "calibrated": None},
        },
    }
    frames = {
        "example": (reference, analysis),
        "tied": (tied_reference, tied_analysis),
        "shuttle": (shuttle_reference, shuttle_analysis),
    }
    for name, case in out["cases"].items():
        ref, ana = frames[case["data"]]
        case["result"] = run(ref, ana, case["chunk"], case["calibrated"])
    isotonic = IsotonicRegression(out_of_bounds="clip", increasing=True).fit(reference["score"], reference["label"])
    grid = np.concatenate([np.linspace(-0.1, 1.1, 241), reference["score"].to_numpy()[:50]])
    out["isotonic"] = {"grid": grid.tolist(), "calibrated": isotonic.predict(grid).tolist()}
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print("needs_calibration:", out["needs_calibration"])
    for name, case in out["cases"].items():
        m = case["result"]["metrics"]
        print(name, len(case["result"]["rows"]), "chunks;", {k: round(m[k]["estimated"][0], 6) for k in METRICS})


if __name__ == "__main__":
    main()
