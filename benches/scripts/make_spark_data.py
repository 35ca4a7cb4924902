#!/usr/bin/env python3
"""The Spark benchmark's data: benches/data/make_data.py's current month at 10M rows x 26
columns, written in ten row groups so Spark splits it into partitions.

Run: python3 benches/scripts/make_spark_data.py [ROWS]  -> benches/data/spark.parquet
(needs numpy, pyarrow; seeded, so repeatable; about 1.4 GB)
"""
import os
import sys

import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_data import OUT, table  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000

os.makedirs(OUT, exist_ok=True)
path = os.path.join(OUT, "spark.parquet")
with pq.ParquetWriter(path, table(np.random.default_rng(3), 1, True).schema) as writer:
    for part in range(10):
        writer.write_table(table(np.random.default_rng(100 + part), ROWS // 10, True))
print(path, ROWS, "rows")
