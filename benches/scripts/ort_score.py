#!/usr/bin/env python3
"""What `seismo score` does, in Python: read the rows (pyarrow), run the model (onnxruntime's
Python API, all cores), write the rows with the prediction and a probability per class
(pyarrow). Prints the time of the model run alone on stderr.
Usage: ort_score.py DATA MODEL OUT"""
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
import pyarrow as pa
import pyarrow.parquet as pq

FEATURES = ["age", "income", "credit_score", "tenure_months", "num_products", "balance", "utilization"]
data, model, out = sys.argv[1:4]
table = pq.read_table(data)
x = np.column_stack([table[f].to_numpy().astype(np.float32) for f in FEATURES])
# The probabilities as a tensor, not ZipMap's list of dicts (which costs Python time per row):
# the ZipMap node is cut off and its input becomes the output, as skl2onnx's zipmap=False.
proto = onnx.load(model)
for node in list(proto.graph.node):
    if node.op_type == "ZipMap":
        for output in proto.graph.output:
            if output.name == node.output[0]:
                output.CopyFrom(onnx.helper.make_tensor_value_info(node.input[0], onnx.TensorProto.FLOAT, None))
        proto.graph.node.remove(node)
session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
start = time.perf_counter()
result = session.run(None, {session.get_inputs()[0].name: x})
run = time.perf_counter() - start
proba = result[1]
table = table.append_column("prediction", pa.array(proba[:, 1].astype(np.float64)))
table = table.append_column("probability_0", pa.array(proba[:, 0].astype(np.float64)))
table = table.append_column("probability_1", pa.array(proba[:, 1].astype(np.float64)))
pq.write_table(table, out)
print(f"model run {run:.3f} s", file=sys.stderr)
print(f"{len(x)} rows scored")
