#!/usr/bin/env python3
"""Profiles a Parquet file in Spark local[2], with seismo (``seismo.spark.profile``) or
with whylogs' Spark profiler (``whylogs.api.pyspark.experimental``), and prints the wall
time of the profile alone (the session's start apart) and the columns profiled.

  python spark_profile.py seismo FILE    (pyspark 4.3, the seismo wheel, pyarrow >= 14; a
                                          bare Parquet scan, so the executors read the
                                          files themselves: read="auto")
  python spark_profile.py seismo-mapinarrow FILE   (the same through Spark's hand-off:
                                          read="spark")
  python spark_profile.py whylogs FILE   (whylogs[spark] 1.6.4: pyspark 3.5, pyarrow 12)
  python spark_profile.py arrow FILE     (the floor: the partitions' Arrow batches handed
                                          to Python and counted, as mapInArrow does for
                                          seismo, with no profile)

The two need different environments: whylogs' Spark extra pins pyspark < 4 and
pyarrow < 13, and seismo reads Arrow through the PyCapsule interface of pyarrow >= 14.
"""
import os
import sys
import time

from pyspark.sql import SparkSession

tool, path = sys.argv[1], sys.argv[2]
os.environ["PYSPARK_PYTHON"] = sys.executable
spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.ui.enabled", "false")
    .config("spark.driver.memory", "4g")
    .config("spark.sql.execution.arrow.maxRecordsPerBatch", os.environ.get("ARROW_BATCH", "10000"))
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
df = spark.read.parquet(path)
partitions = df.rdd.getNumPartitions()
start = time.perf_counter()
if tool in ("seismo", "seismo-mapinarrow"):
    import seismo.spark

    summary = seismo.spark.profile(df, read="auto" if tool == "seismo" else "spark").summary()
    columns = len(summary["columns"])
    rows = summary["rows"]
elif tool == "whylogs":
    from whylogs.api.pyspark.experimental import collect_dataset_profile_view

    view = collect_dataset_profile_view(input_df=df)
    frame = view.to_pandas()
    columns = len(frame)
    rows = int(frame["counts/n"].max())
elif tool == "arrow":
    import pyarrow as pa

    def count(batches):
        yield pa.RecordBatch.from_pydict({"rows": [sum(b.num_rows for b in batches)]})

    rows = sum(r["rows"] for r in df.mapInArrow(count, "rows long").collect())
    columns = len(df.columns)
else:
    sys.exit(f"unknown tool {tool!r}: seismo, seismo-mapinarrow, whylogs or arrow")
elapsed = time.perf_counter() - start
print(f"{tool}: {rows} rows, {columns} columns, {partitions} partitions, profile {elapsed:.2f} s")
spark.stop()
