#!/usr/bin/env bash
# Whole-command comparison: `seismo history` on a 10M-row prediction log against pandas
# (resample + quantiles) and ruptures (PELT on the hourly means), side by side in one run.
# Prints wall time and peak memory (RSS) for each.
#
#   python3 benches/scripts/make_history_log.py   # once: benches/data/history.parquet
#   cargo build --release
#   PANDAS_PYTHON=/path/to/venv/python benches/scripts/compare_history.sh [RUNS]   # pandas, ruptures
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-1}
LOG=benches/data/history.parquet
source benches/scripts/measure.sh
summary() { grep -m1 -E '^│ 20|change points at' | tr -s ' ' | head -c 110; }
echo "file: $LOG ($(du -h "$LOG" | cut -f1)), $(nproc) cores"
measure seismo ./target/release/seismo history "$LOG" --time request_time --value score --by model_version --window 1h
measure seismo-auto ./target/release/seismo history "$LOG" --time request_time --value score --by model_version
measure pandas "${PANDAS_PYTHON:-python3}" benches/scripts/pandas_history.py "$LOG" request_time score 1h
