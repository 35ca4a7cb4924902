"""A 10M-row prediction log for `seismo history`: one row per prediction over 60 days,
traffic following the time of day, model 2.0.0 rolled out on day 41 with scores x1000.

    python3 benches/scripts/make_history_log.py   # -> benches/data/history.parquet (~130 MB)

Row groups of 1M rows, as a log writer that flushes often would write them.
"""
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROWS = 10_000_000
DAYS = 60
rng = np.random.default_rng(8)
start = np.datetime64("2026-08-01T00:00:00", "us")
# Time of day follows a daily cycle: more traffic in the afternoon.
day = rng.integers(0, DAYS, ROWS)
hour = np.clip(rng.normal(14.0, 4.5, ROWS), 0, 23.999)
micros = (day * 86_400 + hour * 3_600) * 1_000_000
order = np.argsort(micros, kind="stable")
micros = micros[order].astype("int64")
release = 40 * 86_400 * 1_000_000
new_model = micros >= release
score = rng.beta(2.0, 12.0, ROWS) * np.where(new_model, 1000.0, 1.0)
score[rng.random(ROWS) < 0.001] = np.nan
version = np.where(new_model, "2.0.0", "1.9.3")
table = pa.table(
    {
        "request_time": pa.array(start + micros.astype("timedelta64[us]"), pa.timestamp("us", tz="UTC")),
        "score": score,
        "model_version": pa.array(version).dictionary_encode(),
        "customer_id": rng.integers(0, 2_000_000, ROWS),
    }
)
out = pathlib.Path(__file__).resolve().parent.parent / "data" / "history.parquet"
out.parent.mkdir(exist_ok=True)
pq.write_table(table, out, row_group_size=1_000_000)
print(f"{out}: {ROWS} rows")
