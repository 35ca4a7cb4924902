#!/usr/bin/env bash
# Whole-command comparison: CBPE (binary; six metrics; chunks of 100,000 rows) fitted on 1M
# labelled reference rows and estimating 1M current rows, `seismo estimate` against
# NannyML's CBPE, side by side.
#
#   python3 benches/scripts/make_cbpe_data.py     # once: benches/data/cbpe_*.parquet
#   python3 -m venv /tmp/nml && /tmp/nml/bin/pip install nannyml "pandas<3" pyarrow
#   cargo build --release
#   NANNYML_PYTHON=/tmp/nml/bin/python benches/scripts/compare_cbpe.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-1}
REF=benches/data/cbpe_reference.parquet
CUR=benches/data/cbpe_current.parquet
NANNYML_PYTHON=${NANNYML_PYTHON:-python3}
source benches/scripts/measure.sh
echo "files: $REF, $CUR ($(du -h "$REF" | cut -f1) each), $(nproc) cores"
summary() { python3 -c "
import json, sys
r = json.load(sys.stdin)
alerts = sum(len(c['alerts']) for c in r['chunks'])
print(f\"{alerts} metric alerts in {len(r['chunks'])} chunks; first chunk accuracy {r['chunks'][0]['estimated']['accuracy']:.6f}\")"; }
measure seismo ./target/release/seismo estimate --reference "$REF" --current "$CUR" \
  --prediction score --target label --chunk 100000 \
  --metric roc_auc,accuracy,precision,recall,f1,specificity --format json
summary() { cat; }
measure nannyml "$NANNYML_PYTHON" benches/scripts/nannyml_cbpe.py "$REF" "$CUR"
