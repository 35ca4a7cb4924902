#!/usr/bin/env bash
# Whole-command comparison: the MMD test with 100 permutations on 5,000 + 5,000 rows of 20
# numeric features (10k x 20), seismo `drift --multivariate mmd` against Alibi Detect's
# MMDDrift (PyTorch backend, CPU, float64), side by side.
#
#   python3 benches/scripts/make_mmd_data.py                  # once
#   python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch alibi-detect pandas pyarrow
#   cargo build --release
#   ALIBI_PYTHON=/tmp/torch/bin/python benches/scripts/compare_mmd.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
REF=benches/data/mmd_reference.parquet
CUR=benches/data/mmd_current.parquet
ALIBI_PYTHON=${ALIBI_PYTHON:-python3}
source benches/scripts/measure.sh
summary() { grep -o "MMD² [^,]*, p-value [0-9.e-]*\|MMD² [0-9.e-]* p-value [0-9.e-]*" | head -n 1; }
echo "$(nproc) cores"
measure seismo ./target/release/seismo drift --reference "$REF" --current "$CUR" --multivariate mmd
measure alibi "$ALIBI_PYTHON" benches/scripts/alibi_mmd.py "$REF" "$CUR"
