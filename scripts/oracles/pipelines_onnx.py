#!/usr/bin/env python3
"""Oracle for seismo-model's pipelines with one input per column: scikit-learn pipelines
fitted on a DataFrame of the credit-risk example (numbers and the string columns country and
channel), exported by skl2onnx with their encoders (OneHotEncoder, OrdinalEncoder as
LabelEncoder, imputers), and their predictions by onnxruntime.

The rows scored are the first 300 of examples/current.csv and edge rows: unknown categories,
empty strings (the string imputers' missing marker), missing numbers (NaN), -0.0, a
subnormal, huge values, and integer columns. A missing string is fed to onnxruntime as the
empty string, which is how seismo reads a null string (docs/score.md).

Writes crates/model/tests/fixtures/models/pipeline_*.onnx,
crates/model/tests/fixtures/pipelines.json (per model: its operators and onnxruntime's
outputs; the rows once, as columns) and the bundled example examples/models/credit_pipeline.onnx.

Run (the venv of scripts/oracles/models_onnx.py):
     /tmp/onnx/bin/python scripts/oracles/pipelines_onnx.py
"""
import json
import math
import os

os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import onnx
import onnxruntime as ort
import pandas as pd
from skl2onnx import to_onnx
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.join(ROOT, "crates", "model", "tests", "fixtures")
NUMERIC = ["age", "income", "credit_score", "tenure_months", "num_products", "balance", "utilization"]
CATEGORIES = ["country", "channel"]
# The integer columns of the model that takes them as int64 inputs.
INTEGERS = ["age", "credit_score", "tenure_months", "num_products"]


def frame(df, integers=False):
    x = df[NUMERIC + CATEGORIES].copy()
    for c in NUMERIC:
        x[c] = x[c].astype(np.int64 if integers and c in INTEGERS else np.float32)
    for c in CATEGORIES:
        x[c] = x[c].fillna("").astype(str)
    return x


def strings():
    """The categorical part: the empty string imputed as "none", then encoded."""
    return make_pipeline(
        SimpleImputer(missing_values="", strategy="constant", fill_value="none"),
        OneHotEncoder(handle_unknown="ignore"),
    )


def models():
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    return {
        # Imputer, Scaler, string imputer (LabelEncoder, Where), OneHotEncoder, LinearClassifier.
        "pipeline_onehot": (
            make_pipeline(
                ColumnTransformer([("num", numbers, NUMERIC), ("cat", strings(), CATEGORIES)]),
                LogisticRegression(max_iter=1000),
            ),
            False,
        ),
        # OrdinalEncoder (LabelEncoder from strings, unknown -1) into a random forest.
        "pipeline_ordinal": (
            make_pipeline(
                ColumnTransformer(
                    [
                        ("num", "passthrough", NUMERIC),
                        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), CATEGORIES),
                    ]
                ),
                RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0),
            ),
            False,
        ),
        # The bundled example: one-hot categories into gradient boosting.
        "pipeline_gbm": (
            make_pipeline(
                ColumnTransformer([("num", "passthrough", NUMERIC), ("cat", strings(), CATEGORIES)]),
                GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0),
            ),
            False,
        ),
        # int64 inputs (Cast in front) and a regressor of the balance.
        "pipeline_regressor": (
            make_pipeline(
                ColumnTransformer(
                    [
                        ("num", "passthrough", [c for c in NUMERIC if c != "balance"]),
                        ("cat", strings(), CATEGORIES),
                    ]
                ),
                RandomForestRegressor(n_estimators=15, max_depth=5, random_state=0),
            ),
            True,
        ),
    }


def encoders():
    """A graph of the encoders skl2onnx rarely emits, built by hand: CategoryMapper both ways,
    LabelEncoder from strings to floats and from integers to floats, OneHotEncoder of
    integers; one float matrix out."""
    from onnx import TensorProto, helper

    cats = ["DE", "ES", "FR", "IT", "NL"]
    nodes = [
        helper.make_node("CategoryMapper", ["country"], ["code"], domain="ai.onnx.ml",
                         cats_strings=cats, cats_int64s=[10, 20, 30, 40, 50], default_int64=-7),
        helper.make_node("Cast", ["code"], ["code_f"], to=TensorProto.FLOAT),
        helper.make_node("LabelEncoder", ["country"], ["weight"], domain="ai.onnx.ml",
                         keys_strings=["DE", "FR", ""], values_floats=[0.5, -1.25, 9.0], default_float=3.5),
        helper.make_node("LabelEncoder", ["products"], ["bonus"], domain="ai.onnx.ml",
                         keys_int64s=[1, 2, 3], values_floats=[0.1, 0.2, 0.3]),
        # integers back to strings, and those strings to numbers again
        helper.make_node("CategoryMapper", ["products"], ["name"], domain="ai.onnx.ml",
                         cats_strings=["one", "two", "three"], cats_int64s=[1, 2, 3], default_string="many"),
        helper.make_node("LabelEncoder", ["name"], ["again"], domain="ai.onnx.ml",
                         keys_strings=["one", "two", "three", "many"], values_floats=[1.0, 2.0, 3.0, 99.0]),
        helper.make_node("OneHotEncoder", ["products"], ["onehot3"], domain="ai.onnx.ml",
                         cats_int64s=[1, 2, 4], zeros=1),
        helper.make_node("Reshape", ["onehot3", "shape"], ["onehot"]),
        helper.make_node("Concat", ["code_f", "weight", "bonus", "again", "onehot"], ["y"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "encoders",
        [
            helper.make_tensor_value_info("country", TensorProto.STRING, [None, 1]),
            helper.make_tensor_value_info("products", TensorProto.INT64, [None, 1]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 7])],
        [helper.make_tensor("shape", TensorProto.INT64, [2], [-1, 3])],
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)],
        producer_name="seismo",
    )


def rows():
    current = pd.read_csv(os.path.join(ROOT, "examples", "current.csv")).head(300)
    x = current[NUMERIC + CATEGORIES].copy()
    edges = pd.DataFrame(
        [
            [30, 40000, 700, 12, 2, 5000, 0.3, "XX", "kiosk"],  # unknown categories
            [30, 40000, 700, 12, 2, 5000, 0.3, "", ""],  # the missing marker
            [30, 40000, 700, 12, 2, 5000, 0.3, None, "web"],  # null: read as ""
            [41, math.nan, 690, 12, 2, math.nan, math.nan, "DE", "app"],  # missing numbers
            [0, 0, 0, 0, 0, 0, 0, "FR", "branch"],
            [-0.0, -0.0, -0.0, 0, 0, -0.0, -0.0, "NL", "web"],
            [1e-40, 1e-40, 1e-40, 1, 1, 1e-40, 1e-40, "IT", "app"],
            [90, 1e30, 850, 600, 9, 1e30, 1e30, "ES", "branch"],
            [-30, -1e5, -850, 12, 1, -1e6, -1, "de", "App"],  # case matters: unknown
        ],
        columns=NUMERIC + CATEGORIES,
    )
    return pd.concat([x, edges], ignore_index=True)


def value(v):
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


def main():
    reference = pd.read_csv(os.path.join(ROOT, "examples", "reference.csv"))
    data = rows()
    out = {
        "columns": {c: [value(v) for v in data[c]] for c in NUMERIC + CATEGORIES},
        "models": {},
    }
    os.makedirs(os.path.join(FIXTURES, "models"), exist_ok=True)
    for name, (model, integers) in models().items():
        regressor = name.endswith("regressor")
        # Every 20th country and every 30th channel missing (""), so that the imputed "none"
        # is a category the encoders know, and a missing string differs from an unknown one.
        train = reference.copy()
        train.loc[train.index % 20 == 7, "country"] = ""
        train.loc[train.index % 30 == 11, "channel"] = ""
        x_train = frame(train, integers)
        if regressor:
            x_train = x_train.drop(columns=["balance"])
            target = reference["balance"].to_numpy(np.float32)
        else:
            target = reference["label"].to_numpy(np.int64)
        model.fit(x_train, target)
        proto = to_onnx(model, x_train[:1], target_opset={"": 17, "ai.onnx.ml": 3})
        imports = sorted(proto.opset_import, key=lambda o: o.domain)
        del proto.opset_import[:]
        proto.opset_import.extend(imports)
        path = os.path.join(FIXTURES, "models", f"{name}.onnx")
        onnx.save(proto, path)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        x = frame(data.fillna({c: "" for c in CATEGORIES}), integers)
        if regressor:
            x = x.drop(columns=["balance"])
        feed = {}
        for i in session.get_inputs():
            column = x[i.name].to_numpy()
            if i.type == "tensor(string)":
                column = column.astype(object)
            feed[i.name] = column.reshape(-1, 1)
        result = session.run(None, feed)
        entry = {
            "inputs": [i.name for i in session.get_inputs()],
            "operators": sorted({f"{n.domain or 'ai.onnx'}:{n.op_type}" for n in proto.graph.node}),
        }
        if regressor:
            entry["value"] = [float(v) for v in result[0].reshape(-1)]
        else:
            entry["label"] = [int(v) for v in result[0]]
            entry["probabilities"] = [[float(p[0]), float(p[1])] for p in result[1]]
        out["models"][name] = entry
        print(name, entry["operators"])
    proto = encoders()
    onnx.checker.check_model(proto)
    path = os.path.join(FIXTURES, "models", "encoders.onnx")
    onnx.save(proto, path)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    x = data.fillna({c: "" for c in CATEGORIES})
    feed = {
        "country": x["country"].to_numpy().astype(object).reshape(-1, 1),
        "products": x["num_products"].to_numpy().astype(np.int64).reshape(-1, 1),
    }
    out["models"]["encoders"] = {
        "inputs": ["country", "products"],
        "columns": ["country", "num_products"],
        "operators": sorted({f"{n.domain or 'ai.onnx'}:{n.op_type}" for n in proto.graph.node}),
        "matrix": [[float(v) for v in r] for r in session.run(None, feed)[0]],
    }
    with open(os.path.join(FIXTURES, "models", "pipeline_gbm.onnx"), "rb") as f:
        example = f.read()
    with open(os.path.join(ROOT, "examples", "models", "credit_pipeline.onnx"), "wb") as f:
        f.write(example)
    with open(os.path.join(FIXTURES, "pipelines.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
