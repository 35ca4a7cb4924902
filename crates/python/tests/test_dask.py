"""The Dask recipe of docs/python.md, run: one partial profile per Dask partition (the
functions the Spark path runs), merged on the client, equal to the single-machine
profile in counts, nulls, minimum and maximum."""

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import seismo
import seismo.spark as parts

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

REFERENCE = str(Path(__file__).resolve().parents[3] / "examples" / "reference.parquet")


def partition_profiles(frame: pd.DataFrame) -> list:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return list(parts.partial_profiles(table.to_batches()))


def test_the_dask_recipe_merges_to_the_single_machine_profile():
    ddf = dd.from_pandas(pd.read_parquet(REFERENCE), npartitions=4)
    # The recipe, as docs/python.md gives it.
    partials = dask.compute(*[dask.delayed(partition_profiles)(d) for d in ddf.to_delayed()])
    profile = parts.merge([data for partition in partials for _, data in partition])

    assert len(partials) == 4
    merged = profile.summary()
    single = seismo.profile(REFERENCE, threads=1).summary()
    assert merged["rows"] == single["rows"] == 5000
    for got, want in zip(merged["columns"], single["columns"]):
        assert got["name"] == want["name"]
        for key in ("count", "nulls", "min", "max"):
            assert got.get(key) == want.get(key), (got["name"], key)
