"""A scored dataset for the slice-testing benchmark: benches/data/current.parquet's 1M rows
with a label drawn from a calibrated version of the prediction, as benches/data/scored.parquet.

    python3 benches/scripts/make_scored.py
"""
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
table = pq.read_table(os.path.join(DATA, "current.parquet"))
p = table.column("prediction").to_numpy()
p = np.clip(p / np.nanmax(p), 0, 1)  # the bench file's second half is scaled x100
rng = np.random.default_rng(5)
table = table.set_column(table.schema.get_field_index("prediction"), "prediction", pa.array(p))
table = table.append_column("label", pa.array((rng.random(len(p)) < p).astype(np.int64)))
pq.write_table(table, os.path.join(DATA, "scored.parquet"), row_group_size=1_000_000)
print(f"wrote benches/data/scored.parquet: {table.num_rows} rows")
