#!/usr/bin/env python3
"""The peer of `seismo profile FILE`: read a Parquet file and build a whylogs profile.

Run: python whylogs_profile.py FILE   (needs whylogs 1.6, pandas, pyarrow)
"""
import sys

import pandas as pd
import whylogs as why

df = pd.read_parquet(sys.argv[1])
view = why.log(df).view()
summary = view.to_pandas()
print(len(summary), "columns profiled")
