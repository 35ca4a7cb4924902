#!/usr/bin/env python3
"""Hostile input files for the CLI tests: what real files carry and tidy test data does not.

Writes crates/cli/tests/fixtures/hostile/:
- nested.parquet: a struct, a list and a map column beside plain ones (10 rows);
- all_null.parquet: a column of Arrow type null, and float, string and timestamp columns
  whose every value is null, beside a plain numeric column (20 rows);
- zeros_reference.parquet / zeros_current.parquet: issue 13's case, `[0.0]*50 + [1.0]*50`
  against `[-0.0]*50 + [1.0]*60` (one distribution up to sample size), plus a categorical
  column with a category only the current data has and one only the reference has.

Run: python3 scripts/make_hostile.py   (needs pyarrow)
"""
import os

import pyarrow as pa
import pyarrow.parquet as pq

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "cli", "tests", "fixtures", "hostile")


def write(table, name):
    pq.write_table(table, os.path.join(OUT, name), compression="zstd")


def main():
    os.makedirs(OUT, exist_ok=True)
    n = 10
    write(pa.table({
        "id": pa.array(range(n), pa.int64()),
        "point": pa.array([{"x": float(i), "y": -float(i)} for i in range(n)]),
        "tags": pa.array([["a", "b"][: i % 3] for i in range(n)], pa.list_(pa.string())),
        "attrs": pa.array([[("k", i)] for i in range(n)], pa.map_(pa.string(), pa.int64())),
        "amount": pa.array([1.5 * i for i in range(n)], pa.float64()),
    }), "nested.parquet")

    n = 20
    write(pa.table({
        "nothing": pa.nulls(n),
        "no_float": pa.array([None] * n, pa.float64()),
        "no_text": pa.array([None] * n, pa.string()),
        "no_time": pa.array([None] * n, pa.timestamp("us", tz="UTC")),
        "amount": pa.array([float(i % 7) + 0.25 for i in range(n)], pa.float64()),
    }), "all_null.parquet")

    write(pa.table({
        "x": pa.array([0.0] * 50 + [1.0] * 50, pa.float64()),
        "channel": pa.array(["web"] * 60 + ["branch"] * 30 + ["phone"] * 10),
    }), "zeros_reference.parquet")
    write(pa.table({
        "x": pa.array([-0.0] * 50 + [1.0] * 60, pa.float64()),
        "channel": pa.array(["web"] * 60 + ["branch"] * 40 + ["kiosk"] * 10),
    }), "zeros_current.parquet")
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
