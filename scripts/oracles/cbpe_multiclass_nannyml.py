#!/usr/bin/env python3
"""Oracle for seismo_stats::cbpe::MulticlassCbpe: NannyML 0.13.1's multiclass CBPE (ROC AUC,
accuracy, precision, recall, F1, specificity; each chunk's estimate, sampling error,
confidence band, realized value and the thresholds) on real data: river's bundled Segment
set (2,310 image regions, 7 classes). A Gaussian naive Bayes model is trained on the first
800 rows; rows 800-1549 are the reference, the rest the analysis, in chunks of 150 (the
last one short). ROC AUC's sampling error is also computed by NannyML's own functions
on reference rows sorted by (score, label) first (see `stable_roc_auc_sampling_errors`).
The model's decision is the class of highest probability. The
calibration is forced on and off for every class (NannyML decides it per class with a
shuffle split that seismo does not replay).

Writes crates/stats/tests/fixtures/cbpe_multiclass_nannyml.json.

Run: /tmp/nml/bin/python scripts/oracles/cbpe_multiclass_nannyml.py   (the venv of
     scripts/oracles/cbpe_nannyml.py)
"""
import json
import os
import warnings
import zipfile

os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import nannyml as nml  # noqa: E402
import nannyml.performance_estimation.confidence_based.cbpe as cbpe_module  # noqa: E402
import river  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "crates", "stats", "tests", "fixtures", "cbpe_multiclass_nannyml.json")
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
CHUNK = 150


def segment():
    path = os.path.join(os.path.dirname(river.__file__), "datasets", "segment.csv.zip")
    with zipfile.ZipFile(path) as z:
        with z.open(z.namelist()[0]) as f:
            data = pd.read_csv(f)
    target = "category" if "category" in data.columns else data.columns[-1]
    features = data.drop(columns=target).to_numpy(dtype=float)
    labels = data[target].astype(str).to_numpy()
    model = GaussianNB().fit(features[:800], labels[:800])
    classes = list(model.classes_)
    probabilities = model.predict_proba(features[800:])
    scored = pd.DataFrame({f"p_{c}": probabilities[:, k] for k, c in enumerate(classes)})
    scored["y_pred"] = [classes[k] for k in probabilities.argmax(axis=1)]
    scored["label"] = labels[800:]
    return classes, scored.iloc[:750].reset_index(drop=True), scored.iloc[750:].reset_index(drop=True)


def run(classes, reference, analysis, calibrated):
    cbpe_module.needs_calibration = lambda *args, forced=calibrated, **kwargs: forced
    estimator = nml.CBPE(
        y_pred_proba={c: f"p_{c}" for c in classes}, y_pred="y_pred", y_true="label",
        metrics=METRICS, chunk_size=CHUNK, problem_type="classification_multiclass",
    )
    estimator.fit(reference.copy())
    result = estimator.estimate(analysis.copy()).filter(period="analysis").to_df()
    out = {
        "rows": [int(v) for v in result[("chunk", "end_index")] - result[("chunk", "start_index")] + 1],
        "metrics": {},
    }
    for metric in METRICS:
        out["metrics"][metric] = {
            field: [None if pd.isna(v) else float(v) for v in result[(metric, column)]]
            for field, column in FIELDS.items()
        }
    return out


def stable_roc_auc_sampling_errors(classes, reference, rows, calibrated):
    """NannyML's own multiclass ROC AUC sampling error, with each class's reference rows
    handed to it already sorted by (score, label): NannyML sorts with numpy's unstable
    argsort, so on tied scores its figure depends on the input order; sorted input pins it
    to the order seismo uses. (`calibrated` does not matter: the components use the raw
    probabilities.)"""
    from nannyml.sampling_error.multiclass_classification import (
        auroc_sampling_error, auroc_sampling_error_components)
    components = []
    for c in classes:
        truth = (reference["label"] == c).astype(int).to_numpy()
        score = reference[f"p_{c}"].to_numpy()
        order = np.lexsort((truth, score))
        components += auroc_sampling_error_components([truth[order]], [score[order]])
    return [float(auroc_sampling_error(components, np.zeros(n))) for n in rows]


def columns(classes, data):
    return {
        "probabilities": [data[f"p_{c}"].tolist() for c in classes],
        "predicted": [classes.index(c) for c in data["y_pred"]],
        "label": [classes.index(c) for c in data["label"]],
    }


def main():
    classes, reference, analysis = segment()
    out = {
        "classes": classes,
        "chunk": CHUNK,
        "reference": columns(classes, reference),
        "analysis": columns(classes, analysis),
        "cases": {
            "calibrated": run(classes, reference, analysis, True),
            "raw": run(classes, reference, analysis, False),
        },
    }
    for case in out["cases"].values():
        case["roc_auc_sampling_error_sorted"] = stable_roc_auc_sampling_errors(
            classes, reference, case["rows"], None)
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")
    for name, case in out["cases"].items():
        m = case["metrics"]
        print(name, len(case["rows"]), "chunks;", {k: round(m[k]["estimated"][0], 6) for k in METRICS})


if __name__ == "__main__":
    main()
