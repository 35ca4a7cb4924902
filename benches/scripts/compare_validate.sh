#!/usr/bin/env bash
# Whole-command comparison: `seismo validate` with the 50 checks of
# benches/rules/validate50.toml against the same checks in plain pandas, on the 1M x 26 bench
# file, side by side in one run. Prints wall time and peak memory (RSS) for each.
#
#   python3 benches/scripts/make_data.py          # once: benches/data/*.parquet (1M x 26)
#   cargo build --release
#   benches/scripts/compare_validate.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
DATA=benches/data/current.parquet
source benches/scripts/measure.sh
summary() { tail -n 1 | head -c 110; }
echo "file: $DATA ($(du -h "$DATA" | cut -f1)), $(nproc) cores"
measure seismo ./target/release/seismo validate "$DATA" --rules benches/rules/validate50.toml
measure junit ./target/release/seismo validate "$DATA" --rules benches/rules/validate50.toml --format junit
measure pandas python3 benches/scripts/pandas_validate.py "$DATA"
