#!/usr/bin/env python3
"""Oracle for seismo-model: scikit-learn models of the credit-risk example exported to ONNX
(skl2onnx, with its defaults: ZipMap outputs, ONNX-ML operators), and their predictions by
onnxruntime on fixed rows.

Trains on examples/reference.csv (the seven numeric features), scores the first 300 rows of
examples/current.csv plus edge rows (zeros, negative and huge values, -0.0, a subnormal),
all as float32.

Also writes the bundled example models: examples/models/credit_gbm.onnx (the gradient boosting
classifier) and credit_gbm_brittle.onnx (an overfit one), each with its model card (NAME.toml),
which `seismo score` and `seismo robust` read beside the model.

Writes crates/model/tests/fixtures/models/NAME.onnx and
crates/model/tests/fixtures/onnxruntime.json: per model, the input rows and onnxruntime's
outputs (labels and class probabilities for classifiers, the value for regressors).

Run: python3 -m venv /tmp/onnx && /tmp/onnx/bin/pip install scikit-learn==1.9.1 \
         skl2onnx==1.20.0 onnxruntime==1.32.0 onnx==1.23.2 pandas \
         lightgbm==4.7.0 xgboost==3.2.0 onnxmltools==1.16.0
     /tmp/onnx/bin/python scripts/oracles/models_onnx.py
"""
import json
import os

# One BLAS thread: the MLP's training (and so its exported weights) is then the same bits
# on every run.
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import onnx
import onnxruntime as ort
import pandas as pd
from skl2onnx import to_onnx
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import lightgbm
import onnxmltools
import xgboost
from onnxmltools.convert.common.data_types import FloatTensorType

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.join(ROOT, "crates", "model", "tests", "fixtures")
FEATURES = ["age", "income", "credit_score", "tenure_months", "num_products", "balance", "utilization"]


def models():
    return {
        "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "forest": RandomForestClassifier(n_estimators=30, max_depth=6, random_state=0),
        "gbm": GradientBoostingClassifier(n_estimators=50, max_depth=3, random_state=0),
        # The brittle model of the robustness example: deep trees, a high learning rate and
        # half the rows per tree fit the training rows' noise, so small changes flip it.
        "gbm_brittle": GradientBoostingClassifier(
            n_estimators=200, max_depth=8, learning_rate=0.5, subsample=0.5, random_state=0
        ),
        "mlp": make_pipeline(
            StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=500, random_state=0)
        ),
        "gbm_regressor": GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0),
        "forest_regressor": RandomForestRegressor(n_estimators=20, max_depth=5, random_state=0),
        # Gradient boosting libraries, exported by onnxmltools.
        "lightgbm": lightgbm.LGBMClassifier(n_estimators=40, num_leaves=15, n_jobs=1, random_state=0, verbose=-1),
        "xgboost": xgboost.XGBClassifier(n_estimators=40, max_depth=4, n_jobs=1, random_state=0),
        "lightgbm_regressor": lightgbm.LGBMRegressor(n_estimators=30, num_leaves=15, n_jobs=1, random_state=0, verbose=-1),
    }


def export(model, x_train):
    """The model as ONNX: skl2onnx for scikit-learn, onnxmltools for LightGBM and XGBoost,
    with one float matrix input named X."""
    initial = [("X", FloatTensorType([None, x_train.shape[1]]))]
    if isinstance(model, (lightgbm.LGBMClassifier, lightgbm.LGBMRegressor)):
        return onnxmltools.convert_lightgbm(model, initial_types=initial, target_opset=15)
    if isinstance(model, xgboost.XGBClassifier):
        return onnxmltools.convert_xgboost(model, initial_types=initial, target_opset=15)
    return to_onnx(model, x_train[:1], target_opset=17)


def rows():
    current = pd.read_csv(os.path.join(ROOT, "examples", "current.csv"))
    x = current[FEATURES].to_numpy(np.float32)[:300]
    edges = np.array(
        [
            [0, 0, 0, 0, 0, 0, 0],
            [-30, -1e5, -850, -12, -1, -1e6, -1],
            [1e30, 1e30, 1e30, 1e30, 1e30, 1e30, 1e30],
            [-0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0],
            [1e-40, 1e-40, 1e-40, 1e-40, 1e-40, 1e-40, 1e-40],
        ],
        dtype=np.float32,
    )
    return np.vstack([x, edges])


def main():
    reference = pd.read_csv(os.path.join(ROOT, "examples", "reference.csv"))
    x_train = reference[FEATURES].to_numpy(np.float32)
    x = rows()
    os.makedirs(os.path.join(FIXTURES, "models"), exist_ok=True)
    out = {"features": FEATURES, "rows": [[float(v) for v in r] for r in x], "models": {}}
    for name, model in models().items():
        regressor = name.endswith("regressor")
        target = reference["credit_score"] if regressor else reference["label"]
        model.fit(x_train, target.to_numpy(np.float32 if regressor else np.int64))
        proto = export(model, x_train)
        # skl2onnx lists the opsets in set order, which changes from run to run: sorted, the
        # file is the same bytes on every run.
        imports = sorted(proto.opset_import, key=lambda o: o.domain)
        del proto.opset_import[:]
        proto.opset_import.extend(imports)
        path = os.path.join(FIXTURES, "models", f"{name}.onnx")
        onnx.save(proto, path)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        result = session.run(None, {"X": x})
        entry = {
            "operators": sorted({f"{n.domain or 'ai.onnx'}:{n.op_type}" for n in proto.graph.node}),
        }
        if regressor:
            entry["value"] = [float(v) for v in result[0].reshape(-1)]
        else:
            entry["label"] = [int(v) for v in result[0]]
            entry["probabilities"] = [[float(p[0]), float(p[1])] for p in result[1]]
        out["models"][name] = entry
        print(name, entry["operators"])
    examples = os.path.join(ROOT, "examples", "models")
    os.makedirs(examples, exist_ok=True)
    # The bundled example models, each with its model card: the sturdy gradient boosting
    # model and the brittle one (`seismo robust` tells them apart in the README's tour).
    for fixture, name, what in [
        ("gbm", "credit_gbm", "50 trees of depth 3"),
        ("gbm_brittle", "credit_gbm_brittle", "200 trees of depth 8, learning rate 0.5, half the rows each"),
    ]:
        with open(os.path.join(FIXTURES, "models", f"{fixture}.onnx"), "rb") as f:
            model = f.read()
        with open(os.path.join(examples, f"{name}.onnx"), "wb") as f:
            f.write(model)
        with open(os.path.join(examples, f"{name}.toml"), "w") as f:
            f.write(
                f"# The model card of {name}.onnx (scikit-learn GradientBoostingClassifier, {what},\n"
                "# exported by skl2onnx; scripts/oracles/models_onnx.py): its input columns, in order,\n"
                "# and the class whose probability is the prediction (1: default).\n"
                f"features = {json.dumps(FEATURES)}\n"
                "positive_class = 1\n"
            )
    with open(os.path.join(FIXTURES, "onnxruntime.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
