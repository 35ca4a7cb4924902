#!/usr/bin/env python3
"""seismo on a public real dataset with string categories: river's SolarFlare (1,066 solar
active regions, three categorical features as strings and seven integers; UCI). A
scikit-learn pipeline (one-hot encoded categories, integers passed through, gradient
boosting) predicts whether a region produced a C-class flare; it is fitted on the first 70%
of rows and exported by skl2onnx with one input per column. `seismo score` then scores the
other 30% from a Parquet file, and its probabilities are compared with onnxruntime's on the
same rows; `seismo robust --perturb invariance@zurich_class` (features are named after the model's inputs) runs on them too.

Run: /tmp/onnx/bin/pip install river   (the venv of scripts/oracles/models_onnx.py)
     cargo build --release && /tmp/onnx/bin/python scripts/pipeline_solar_flare.py
"""
import json
import os
import subprocess
import tempfile

import numpy as np
import onnxruntime as ort
import pandas as pd
from river.datasets import SolarFlare
from skl2onnx import to_onnx
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SEISMO = os.path.join(ROOT, "target", "release", "seismo")


def main():
    rows = [(x, y) for x, y in SolarFlare()]
    frame = pd.DataFrame([x for x, _ in rows])
    label = np.array([int(y["c-class-flares"] > 0) for _, y in rows])
    strings = [c for c in frame.columns if isinstance(frame[c].iloc[0], str)]
    numbers = [c for c in frame.columns if c not in strings]
    for c in numbers:
        frame[c] = frame[c].astype(np.float32)
    cut = int(len(frame) * 0.7)
    pipeline = make_pipeline(
        ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), strings), ("num", "passthrough", numbers)]),
        GradientBoostingClassifier(n_estimators=50, max_depth=3, random_state=0),
    )
    pipeline.fit(frame[:cut], label[:cut])
    model = to_onnx(pipeline, frame[:1], target_opset={"": 17, "ai.onnx.ml": 3})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "flare.onnx")
        with open(path, "wb") as f:
            f.write(model.SerializeToString())
        held_out = frame[cut:].reset_index(drop=True)
        held_out["flare"] = label[cut:]
        data = os.path.join(tmp, "flare.parquet")
        held_out.to_parquet(data, index=False)
        scored = os.path.join(tmp, "scored.parquet")
        subprocess.run([SEISMO, "score", data, "--model", path, "-o", scored], check=True)
        seismo = pd.read_parquet(scored)["prediction"].to_numpy()
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        # skl2onnx names the inputs after the columns with "-" made "_" (seismo matches them
        # the same way).
        column = {c.replace("-", "_"): c for c in held_out.columns}
        feed = {
            i.name: (held_out[column[i.name]].to_numpy().astype(object) if i.type == "tensor(string)"
                     else held_out[column[i.name]].to_numpy(np.float32)).reshape(-1, 1)
            for i in session.get_inputs()
        }
        reference = np.array([p[1] for p in session.run(None, feed)[1]])
        robust = subprocess.run(
            [SEISMO, "robust", data, "--model", path, "--target", "flare", "--format", "json",
             "--perturb", "invariance@zurich_class", "--perturb", "category:0.1"],
            capture_output=True, text=True,
        )
        report = json.loads(robust.stdout)
    print(f"{len(held_out)} held-out rows; inputs: {[i.name for i in session.get_inputs()]}")
    print(f"largest |seismo - onnxruntime| probability: {np.abs(seismo - reference).max():.3g}")
    print(f"decisions equal at 0.5: {int(((seismo >= 0.5) == (reference >= 0.5)).sum())} of {len(seismo)}")
    for p in report["perturbations"]:
        print(f"{p['name']}: flip rate {p['flip_rate']:.4f} ({p['flipped']} rows) on {p['columns']}")


if __name__ == "__main__":
    main()
