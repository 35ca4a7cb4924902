#!/usr/bin/env bash
# Side by side, in one run: seismo's criterion benches of the stats kernels, then scipy on
# the same arrays. Compare the medians printed by each.
#   benches/scripts/compare_kernels.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo bench -p seismo-benches --bench kernels -- --noplot 2>&1 | grep -E "^[a-z_0-9]+/|time:"
python3 benches/scripts/scipy_kernels.py
