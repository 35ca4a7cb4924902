#!/usr/bin/env bash
# Whole-command comparison: `seismo drift` against Evidently 0.7's DataDriftPreset and a
# plain scipy loop on the same Parquet files, side by side in one run. Prints wall time and
# peak memory (RSS) for each.
#
#   python3 benches/scripts/make_data.py          # once: benches/data/*.parquet (1M x 26)
#   python3 -m venv /tmp/evidently-venv && /tmp/evidently-venv/bin/pip install "evidently==0.7.*" "pandas<2.3" pyarrow scipy
#   cargo build --release
#   EVIDENTLY_PYTHON=/tmp/evidently-venv/bin/python benches/scripts/compare_drift.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-1}
REF=benches/data/reference.parquet
CUR=benches/data/current.parquet
EVIDENTLY_PYTHON=${EVIDENTLY_PYTHON:-python3}
# The scipy loop needs pandas, pyarrow and scipy: Evidently's venv has them.
SCIPY_PYTHON=${SCIPY_PYTHON:-$EVIDENTLY_PYTHON}
source benches/scripts/measure.sh
summary() { head -c 90 | tr '\n' ' '; }
echo "files: $REF, $CUR ($(du -h "$REF" | cut -f1) each), $(nproc) cores"
measure seismo ./target/release/seismo drift --reference "$REF" --current "$CUR" --prediction prediction --format json
measure scipy "$SCIPY_PYTHON" benches/scripts/scipy_drift_loop.py "$REF" "$CUR"
measure evidently "$EVIDENTLY_PYTHON" benches/scripts/evidently_drift.py "$REF" "$CUR"
