#!/usr/bin/env python3
"""`seismo robust` on public real data: scikit-learn's breast-cancer set (569 rows, 30
features), a GradientBoostingClassifier exported by skl2onnx, four perturbations; each
perturbation's flips and mean |change| recomputed with onnxruntime on the rows seismo dumped.

Run (in an empty directory): python3 -m venv /tmp/onnx && /tmp/onnx/bin/pip install \
    scikit-learn==1.9.1 skl2onnx==1.20.0 onnxruntime==1.32.0 pandas pyarrow
    cargo build --release && /tmp/onnx/bin/python /path/to/scripts/robust_breast_cancer.py
"""
import json
import os
import subprocess

import numpy as np
import onnxruntime as ort
import pyarrow.parquet as pq
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingClassifier
from skl2onnx import to_onnx

SEISMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "seismo")
d = load_breast_cancer(as_frame=True)
X = d.data.astype(np.float32); X.columns = [c.replace(" ", "_") for c in X.columns]
y = d.target
m = GradientBoostingClassifier(random_state=0).fit(X.to_numpy(), y)
onx = to_onnx(m, X.to_numpy()[:1], target_opset=17)
open("bc.onnx", "wb").write(onx.SerializeToString())
open("bc.toml", "w").write(f"features = {json.dumps(list(X.columns))}\n")
df = X.copy(); df["target"] = y.values
df.to_parquet("bc.parquet", index=False)
run = subprocess.run([SEISMO, "robust", "bc.parquet", "--model", "bc.onnx", "--target", "target",
    "--perturb", "gaussian:0.1", "--perturb", "multiply:0.01", "--perturb", "missing:0.05", "--perturb", "adversarial:0.1",
    "--format", "json", "--dump-perturbed", "dump"], capture_output=True, text=True)
rep = json.loads(run.stdout)
s = ort.InferenceSession("bc.onnx", providers=["CPUExecutionProvider"])
def p(path):
    x = pq.read_table(path).to_pandas().to_numpy(np.float32)
    return np.array([r[1] for r in s.run(None, {"X": x})[1]], dtype=np.float64)
b = p("dump/original.parquet")
for k, o in enumerate(rep["perturbations"]):
    a = p(f"dump/{k:02d}.parquet")
    flips = ((a >= 0.5) != (b >= 0.5)).sum()
    print(f"{o['name']:<18} seismo flips {o['flipped']:>4}  onnxruntime {flips:>4}  rate {o['flip_rate']:.4f}  mean|d| seismo {o['mean_abs_change']}  ort {np.abs(a-b).mean() if o['kind']!='adversarial' else None}")
