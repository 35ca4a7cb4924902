#!/usr/bin/env bash
# Whole-command comparison: `seismo profile` against whylogs 1.6 on the same Parquet file,
# run side by side in one go. Prints wall time and peak memory (RSS) for each.
#
#   python3 benches/scripts/make_data.py          # once: benches/data/*.parquet (1M x 26)
#   python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install "whylogs==1.6.*" "numpy<2" "pandas<2.3" "pyarrow<18"
#   cargo build --release
#   PYTHON=/tmp/bench-venv/bin/python benches/scripts/compare_profile.sh [FILE] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
FILE=${1:-benches/data/current.parquet}
RUNS=${2:-3}
PYTHON=${PYTHON:-python3}
source benches/scripts/measure.sh
echo "file: $FILE ($(du -h "$FILE" | cut -f1)), $(nproc) cores"
measure seismo ./target/release/seismo profile "$FILE"
measure whylogs "$PYTHON" benches/scripts/whylogs_profile.py "$FILE"
