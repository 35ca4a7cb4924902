#!/usr/bin/env bash
# Whole-command comparison: `seismo score` against the same job in Python (pyarrow read,
# onnxruntime's Python API on all cores, pyarrow write), on the bundled credit models and
# 1M rows, side by side; then `seismo robust` with ten perturbations on the same rows.
#
#   /tmp/onnx/bin/python benches/scripts/make_scoring_rows.py      # once: benches/data/scoring.parquet
#   python3 -m venv /tmp/onnx && /tmp/onnx/bin/pip install onnxruntime==1.32.0 onnx pandas pyarrow
#   cargo build --release
#   ORT_PYTHON=/tmp/onnx/bin/python benches/scripts/compare_score.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
DATA=benches/data/scoring.parquet
ORT_PYTHON=${ORT_PYTHON:-python3}
source benches/scripts/measure.sh
summary() { tail -n 1 | head -c 100; }
echo "file: $DATA ($(du -h "$DATA" | cut -f1)), $(nproc) cores"
for model in credit_gbm credit_gbm_brittle; do
  echo "model: examples/models/$model.onnx"
  measure seismo ./target/release/seismo score "$DATA" --model "examples/models/$model.onnx" -o /tmp/seismo-scored.parquet
  measure onnxruntime "$ORT_PYTHON" benches/scripts/ort_score.py "$DATA" "examples/models/$model.onnx" /tmp/ort-scored.parquet
done
echo "robust: 10 perturbations"
measure seismo ./target/release/seismo robust "$DATA" --model examples/models/credit_gbm.onnx \
  --threshold 0.3 --perturb gaussian:0.1 --perturb gaussian:0.5 --perturb multiply:0.01 \
  --perturb multiply:0.05 --perturb round:-3@income,balance --perturb missing:0.05 \
  --perturb category:0.1 --perturb unseen:0.1 --perturb dropout@income --perturb dropout@credit_score
