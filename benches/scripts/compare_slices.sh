#!/usr/bin/env bash
# Whole-command comparison: `seismo test` with 100 slices x 5 metrics (ROC AUC among them)
# on 1M scored rows, against the same 500 tests in pandas + scikit-learn, side by side.
#
#   python3 benches/scripts/make_data.py && python3 benches/scripts/make_scored.py   # once
#   python3 -m venv /tmp/sk && /tmp/sk/bin/pip install scikit-learn pandas pyarrow
#   cargo build --release
#   SKLEARN_PYTHON=/tmp/sk/bin/python benches/scripts/compare_slices.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
DATA=benches/data/scored.parquet
SKLEARN_PYTHON=${SKLEARN_PYTHON:-python3}
source benches/scripts/measure.sh
summary() { tail -n 1 | head -c 100; }
echo "file: $DATA ($(du -h "$DATA" | cut -f1)), $(nproc) cores"
measure seismo ./target/release/seismo test --suite benches/suites/slices100.toml --data "$DATA"
measure sklearn "$SKLEARN_PYTHON" benches/scripts/sklearn_slices.py "$DATA"
