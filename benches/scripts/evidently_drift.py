#!/usr/bin/env python3
"""The peer of `seismo drift`: Evidently 0.7's DataDriftPreset on two Parquet files.

Run: python evidently_drift.py REFERENCE CURRENT   (needs evidently 0.7, pandas<2.3, pyarrow)
"""
import sys

import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset

reference = pd.read_parquet(sys.argv[1])
current = pd.read_parquet(sys.argv[2])
result = Report([DataDriftPreset()]).run(current, reference)
metrics = result.dict()["metrics"]
print(len(metrics), "metrics;", metrics[0]["value"])
