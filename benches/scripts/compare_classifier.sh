#!/usr/bin/env bash
# Whole-command comparison: a domain classifier with 5 folds on 5,000 + 5,000 rows of 20
# numeric features (the MMD comparison's files), seismo `drift --multivariate classifier`
# (a random forest of 100 trees per fold) against NannyML's DomainClassifierCalculator
# (LightGBM, 100 boosting rounds per fold), side by side.
#
#   python3 benches/scripts/make_mmd_data.py                  # once
#   python3 -m venv /tmp/nml && /tmp/nml/bin/pip install nannyml statsmodels "pandas<3" pyarrow
#   cargo build --release
#   NANNYML_PYTHON=/tmp/nml/bin/python benches/scripts/compare_classifier.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
REF=benches/data/mmd_reference.parquet
CUR=benches/data/mmd_current.parquet
NANNYML_PYTHON=${NANNYML_PYTHON:-python3}
source benches/scripts/measure.sh
summary() { grep -o "ROC AUC [0-9.]*" | head -n 1; }
echo "$(nproc) cores"
measure seismo ./target/release/seismo drift --reference "$REF" --current "$CUR" --multivariate classifier
measure nannyml "$NANNYML_PYTHON" benches/scripts/nannyml_classifier.py "$REF" "$CUR"
