#!/usr/bin/env bash
# Whole-command comparison: reconstruction drift (PCA to 65% of the variance, chunks of
# 100,000 rows) on 1M x 25 reference and current rows (the 20 numeric and 5 categorical
# features of make_data.py), seismo `drift --multivariate reconstruction` against NannyML's
# DataReconstructionDriftCalculator, side by side; and seismo with --multivariate-only (the
# joint drift alone, as NannyML computes it).
#
#   python3 benches/scripts/make_data.py          # once: benches/data/*.parquet (1M x 26)
#   python3 -m venv /tmp/nml && /tmp/nml/bin/pip install nannyml statsmodels "pandas<3" pyarrow
#   cargo build --release
#   NANNYML_PYTHON=/tmp/nml/bin/python benches/scripts/compare_reconstruction.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-1}
REF=benches/data/reference.parquet
CUR=benches/data/current.parquet
NANNYML_PYTHON=${NANNYML_PYTHON:-python3}
source benches/scripts/measure.sh
summary() { grep -o "[0-9]* of [0-9]* chunks[^,]*" | head -n 1; }
echo "files: $REF, $CUR ($(du -h "$REF" | cut -f1) each), $(nproc) cores"
measure seismo ./target/release/seismo drift --reference "$REF" --current "$CUR" \
  --ignore prediction --multivariate reconstruction --chunk-size 100000
# The joint drift alone, as NannyML's calculator computes it (no per-column tests).
measure seismo-only ./target/release/seismo drift --reference "$REF" --current "$CUR" \
  --ignore prediction --multivariate reconstruction --chunk-size 100000 --multivariate-only
measure nannyml "$NANNYML_PYTHON" benches/scripts/nannyml_reconstruction.py "$REF" "$CUR"
