#!/usr/bin/env bash
# Profiles of 10M rows x 26 columns in Spark local[2]: seismo.spark.profile against
# whylogs' Spark profiler, and pandas + whylogs on one machine, side by side in one run.
# Prints each whole command's wall time and peak memory (RSS, the largest process: the
# JVM for Spark) and the profile's own time.
#
#   python3 benches/scripts/make_spark_data.py        # once: benches/data/spark.parquet
#   python3 -m venv /tmp/seismo-spark && /tmp/seismo-spark/bin/pip install "pyspark>=4.3,<5" "pandas<3" pyarrow ./crates/python
#   python3 -m venv /tmp/whylogs-spark && /tmp/whylogs-spark/bin/pip install "whylogs[spark]==1.6.4" "pyarrow==12.0.1" "numpy<2" "pandas<2.2" "pyspark>=3.5,<4"
#   SEISMO_PYTHON=/tmp/seismo-spark/bin/python WHYLOGS_PYTHON=/tmp/whylogs-spark/bin/python \
#     benches/scripts/compare_spark.sh [FILE] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
FILE=${1:-benches/data/spark.parquet}
RUNS=${2:-1}
source benches/scripts/measure.sh
summary() { grep -E "profile|columns profiled" | tail -n 1; }
echo "file: $FILE ($(du -h "$FILE" | cut -f1)), $(nproc) cores"
measure seismo-spark "$SEISMO_PYTHON" benches/scripts/spark_profile.py seismo "$FILE"
measure whylogs-spark "$WHYLOGS_PYTHON" benches/scripts/spark_profile.py whylogs "$FILE"
measure whylogs-pandas "$WHYLOGS_PYTHON" benches/scripts/whylogs_profile.py "$FILE"
