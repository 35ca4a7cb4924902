#!/usr/bin/env bash
# Whole-command comparison: `seismo drift` against Evidently 0.7's DataDriftPreset and a
# plain scipy loop on the same Parquet files, side by side in one run. Prints wall time and
# peak memory (RSS) for each.
#
#   python3 benches/scripts/make_data.py          # once: benches/data/*.parquet (1M x 26)
#   python3 -m venv /tmp/evidently-venv && /tmp/evidently-venv/bin/pip install "evidently==0.7.*" "pandas<2.3" pyarrow
#   cargo build --release
#   EVIDENTLY_PYTHON=/tmp/evidently-venv/bin/python benches/scripts/compare_drift.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-1}
REF=benches/data/reference.parquet
CUR=benches/data/current.parquet
EVIDENTLY_PYTHON=${EVIDENTLY_PYTHON:-python3}
measure() {
  local label=$1; shift
  for i in $(seq "$RUNS"); do
    # seismo exits 1 when the dataset drifted; that is a result, not a failure.
    /usr/bin/time -f "%e %M" -o /tmp/seismo-bench-time "$@" > /tmp/seismo-bench-out || [ $? -eq 1 ]
    read -r secs kb < /tmp/seismo-bench-time
    printf '%-10s run %d: %7.2f s  %8.1f MB peak RSS   %s\n' "$label" "$i" "$secs" "$(echo "$kb / 1024" | bc -l)" "$(head -c 90 /tmp/seismo-bench-out | tr '\n' ' ')"
  done
}
echo "files: $REF, $CUR ($(du -h "$REF" | cut -f1) each), $(nproc) cores"
measure seismo ./target/release/seismo drift --reference "$REF" --current "$CUR" --prediction prediction --format json
measure scipy python3 benches/scripts/scipy_drift_loop.py "$REF" "$CUR"
measure evidently "$EVIDENTLY_PYTHON" benches/scripts/evidently_drift.py "$REF" "$CUR"
