#!/usr/bin/env bash
# Profiles of 10M rows x 26 columns in Spark local[2]: seismo.spark.profile against
# whylogs' Spark profiler, and pandas + whylogs on one machine, side by side in one run.
# Prints each whole command's wall time and peak memory (RSS, the largest process: the
# JVM for Spark) and the profile's own time; first the floor: the same partitions handed
# to Python as Arrow and only counted.
#
#   python3 benches/scripts/make_spark_data.py        # once: benches/data/spark.parquet
#   python3 -m venv /tmp/seismo-spark && /tmp/seismo-spark/bin/pip install "pyspark>=4.3,<5" "pandas<3" pyarrow ./crates/python
#   python3 -m venv /tmp/whylogs-spark && /tmp/whylogs-spark/bin/pip install "whylogs[spark]==1.6.4" "pyarrow==12.0.1" "numpy<2" "pandas<2.2" "pyspark>=3.5,<4"
#   SEISMO_PYTHON=/tmp/seismo-spark/bin/python WHYLOGS_PYTHON=/tmp/whylogs-spark/bin/python \
#     benches/scripts/compare_spark.sh [FILE] [RUNS]
# SKIP_PANDAS=1 leaves out pandas + whylogs on one machine (about 5 minutes).
# Spark hands Python Arrow batches of ARROW_BATCH rows (spark.sql.execution.arrow.
# maxRecordsPerBatch; Spark's default is 10,000), the same setting for both tools.
set -euo pipefail
cd "$(dirname "$0")/../.."
FILE=${1:-benches/data/spark.parquet}
RUNS=${2:-1}
export ARROW_BATCH=${ARROW_BATCH:-100000}
source benches/scripts/measure.sh
summary() { grep -E "profile|columns profiled" | tail -n 1; }
echo "file: $FILE ($(du -h "$FILE" | cut -f1)), $(nproc) cores"
measure arrow-floor "$SEISMO_PYTHON" benches/scripts/spark_profile.py arrow "$FILE"
measure seismo-spark "$SEISMO_PYTHON" benches/scripts/spark_profile.py seismo "$FILE"
measure seismo-mapinarrow "$SEISMO_PYTHON" benches/scripts/spark_profile.py seismo-mapinarrow "$FILE"
measure whylogs-spark "$WHYLOGS_PYTHON" benches/scripts/spark_profile.py whylogs "$FILE"
[ -n "${SKIP_PANDAS:-}" ] || measure whylogs-pandas "$WHYLOGS_PYTHON" benches/scripts/whylogs_profile.py "$FILE"
