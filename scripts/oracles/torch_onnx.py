#!/usr/bin/env python3
"""Oracle for seismo-model on a PyTorch model: a small MLP classifier of the credit-risk
example's default label, trained with torch on examples/reference.csv's seven numeric
features (standardised inside the module, as a deployed model carries its own scaling),
exported with torch.onnx.export, and its probabilities by onnxruntime.

A PyTorch export carries no class labels: its model card (`torch_mlp.toml`, written here)
declares `classes = [0, 1]`, the order of its softmax outputs.

Writes crates/model/tests/fixtures/models/torch_mlp.onnx (the TorchScript exporter) and
torch_mlp_dynamo.onnx (torch.export's, the default since PyTorch 2.9), each with its card, and
crates/model/tests/fixtures/torch.json (the rows, the first 300 of examples/current.csv
plus the edge rows of models_onnx.py, and onnxruntime's probabilities).

Run: python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch==2.15.0 onnx==1.23.2 \
         onnxruntime==1.32.0 onnxscript==0.7.2 pandas
     /tmp/torch/bin/python scripts/oracles/torch_onnx.py
"""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.join(ROOT, "crates", "model", "tests", "fixtures")
FEATURES = ["age", "income", "credit_score", "tenure_months", "num_products", "balance", "utilization"]


class Mlp(torch.nn.Module):
    def __init__(self, mean, sd):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("sd", torch.tensor(sd, dtype=torch.float32))
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(len(FEATURES), 16),
            torch.nn.ReLU(),
            torch.nn.Linear(16, 8),
            torch.nn.Tanh(),
            torch.nn.Linear(8, 2),
        )

    def forward(self, x):
        return torch.softmax(self.layers((x - self.mean) / self.sd), dim=1)


def edges():
    return np.array(
        [
            [0, 0, 0, 0, 0, 0, 0],
            [-30, -1e5, -850, -12, -1, -1e6, -1],
            [1e30, 1e30, 1e30, 1e30, 1e30, 1e30, 1e30],
            [-0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0],
            [1e-40, 1e-40, 1e-40, 1e-40, 1e-40, 1e-40, 1e-40],
        ],
        dtype=np.float32,
    )


def main():
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    reference = pd.read_csv(os.path.join(ROOT, "examples", "reference.csv"))
    x = reference[FEATURES].to_numpy(np.float32)
    y = reference["label"].to_numpy(np.int64)
    model = Mlp(x.mean(axis=0), x.std(axis=0))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    xt, yt = torch.from_numpy(x.copy()), torch.from_numpy(y.copy())
    for _ in range(200):
        optimizer.zero_grad()
        loss = torch.nn.functional.nll_loss(torch.log(model(xt) + 1e-12), yt)
        loss.backward()
        optimizer.step()
    model.eval()
    current = pd.read_csv(os.path.join(ROOT, "examples", "current.csv"))
    rows = np.vstack([current[FEATURES].to_numpy(np.float32)[:300], edges()])
    with torch.no_grad():
        expected = model(torch.from_numpy(rows)).numpy()
    out = {"torch": torch.__version__, "rows": [[float(v) for v in r] for r in rows], "models": {}}
    # The TorchScript exporter, and torch.export's (the default since PyTorch 2.9).
    for name, dynamo in [("torch_mlp", False), ("torch_mlp_dynamo", True)]:
        path = os.path.join(FIXTURES, "models", f"{name}.onnx")
        torch.onnx.export(
            model,
            (xt[:2],),
            path,
            input_names=["features"],
            output_names=["probabilities"],
            dynamic_axes={"features": {0: "rows"}, "probabilities": {0: "rows"}},
            dynamo=dynamo,
            opset_version=17 if not dynamo else 18,
            external_data=False,
        )
        proto = onnx.load(path)
        with open(os.path.join(FIXTURES, "models", f"{name}.toml"), "w") as f:
            f.write(
                f"# The model card of {name}.onnx (a PyTorch MLP; scripts/oracles/torch_onnx.py):\n"
                "# its input columns in order, and the classes of its softmax outputs, which a\n"
                "# PyTorch export does not record.\n"
                f"features = {json.dumps(FEATURES)}\n"
                "classes = [0, 1]\n"
            )
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        (p,) = session.run(None, {"features": rows})
        out["models"][name] = {
            "operators": sorted({f"{n.domain or 'ai.onnx'}:{n.op_type}" for n in proto.graph.node}),
            "probabilities": [[float(v) for v in r] for r in p],
        }
        print(name, out["models"][name]["operators"], "largest |onnxruntime - torch|:",
              float(np.nanmax(np.abs(p - expected))))
    with open(os.path.join(FIXTURES, "torch.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
