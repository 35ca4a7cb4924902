"""seismo.spark in Spark local mode (pyspark from PyPI, the machine's Java 17): the bundled
reference month spread over five partitions, profiled on the executors and merged on the
driver, against the single-machine profile: counts, nulls and moments equal; quantiles and
distinct counts within their sketches' bounds; segments by country."""

import os
import sys
from pathlib import Path

import pandas as pd
import pytest

import seismo
import seismo.spark

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = str(ROOT / "examples" / "reference.parquet")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # The executors' Python is this one, where seismo is installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "5")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_the_merged_partition_profiles_equal_the_single_machine_profile(spark):
    df = spark.read.parquet(REFERENCE).repartition(5)
    assert df.rdd.getNumPartitions() == 5
    merged = seismo.spark.profile(df).summary()
    single = seismo.profile(REFERENCE, threads=1).summary()
    frame = pd.read_parquet(REFERENCE)
    assert merged["rows"] == single["rows"] == 5000
    for got, want in zip(merged["columns"], single["columns"]):
        name = want["name"]
        assert got["name"] == name and got["kind"] == want["kind"]
        for key in ("count", "nulls", "nan", "min", "max"):
            assert got.get(key) == want.get(key), (name, key)
        if isinstance(want.get("mean"), float):
            assert got["mean"] == pytest.approx(want["mean"], rel=1e-12), name
            assert got["std"] == pytest.approx(want["std"], rel=1e-9), name
        # HyperLogLog: within 3 of its relative standard errors (lg_k 12: 1.6%).
        assert abs(got["distinct"] - want["distinct"]) <= 0.05 * want["distinct"] + 2, name
        if want["kind"] == "numeric":
            values = frame[name].dropna().sort_values().to_numpy()
            bound = got["quantile_rank_error"]
            for label, q in (("p5", 0.05), ("p50", 0.5), ("p95", 0.95)):
                value = got["quantiles"][label]
                low = (values < value).mean()
                high = (values <= value).mean()
                assert low - bound <= q <= high + bound, (name, label, value)


def test_profiles_by_segment(spark):
    df = spark.read.parquet(REFERENCE).repartition(5)
    segments = seismo.spark.profile(df, by=["country"])
    counts = pd.read_parquet(REFERENCE)["country"].value_counts().to_dict()
    assert {key[0]: p.summary()["rows"] for key, p in segments.items()} == counts
    with pytest.raises(Exception, match="by: no column 'nope'"):
        seismo.spark.profile(df, by=["nope"])


def test_drift_between_spark_frames_equals_the_cli_with_profiles(spark, tmp_path):
    import json
    import subprocess

    from test_seismo import cli_binary

    current = str(ROOT / "examples" / "current.parquet")
    ignore = ["id", "timestamp", "model_version"]
    report = seismo.spark.drift(
        spark.read.parquet(REFERENCE).repartition(3),
        spark.read.parquet(current).repartition(4),
        prediction="score",
        ignore=ignore,
    )
    assert report.drifted
    # The CLI with the single-machine profile of the reference (it profiles the current
    # file itself): the same verdicts; statistics from sketches, within their bounds.
    saved = tmp_path / "reference.json"
    subprocess.run(
        [cli_binary(), "profile", REFERENCE, "--save", str(saved), "--threads", "1"],
        check=True, capture_output=True,
    )
    out = subprocess.run(
        [cli_binary(), "drift", "--reference", str(saved), "--current", current,
         "--prediction", "score", "--ignore", ",".join(ignore), "--format", "json"],
        capture_output=True, text=True,
    )
    assert out.returncode == 1, out.stderr
    cli = json.loads(out.stdout)
    verdicts = {c["column"]: c["drifted"] for c in report["columns"]}
    assert verdicts == {c["column"]: c["drifted"] for c in cli["columns"]}
    by = seismo.spark.drift(
        spark.read.parquet(REFERENCE), spark.read.parquet(current), by=["channel"],
        prediction="score", ignore=ignore,
    )
    assert sorted(by) == [("app",), ("branch",), ("web",)]
    assert all(r["prediction_drift"] for r in by.values())


def test_partial_profiles_are_compressed_and_merge_to_the_whole():
    import pyarrow.parquet as pq

    table = pq.read_table(REFERENCE)
    half = table.num_rows // 2
    partials = [
        data
        for part in (table.slice(0, half), table.slice(half))
        for _, data in seismo.spark.partial_profiles(part.to_batches())
    ]
    plain = seismo.profile(table.slice(0, half), threads=1).to_bytes()
    # What travels is the saved format, compressed: at least three times smaller.
    assert len(partials[0]) * 3 < len(plain)
    merged = seismo.spark.merge(partials).summary()
    whole = seismo.profile(table, threads=1).summary()
    assert merged["rows"] == whole["rows"]
    for got, want in zip(merged["columns"], whole["columns"]):
        assert got["count"] == want["count"] and got["nulls"] == want["nulls"]
    # Plain saved bytes merge too.
    assert seismo.spark.merge([plain]).summary()["rows"] == half


def test_a_bare_parquet_scan_is_read_by_seismo_on_the_executors(spark, tmp_path):
    import pyarrow.parquet as pq

    table = pq.read_table(REFERENCE)
    for i, start in enumerate(range(0, table.num_rows, 2000)):
        pq.write_table(table.slice(start, 2000), tmp_path / f"part-{i}.parquet")
    df = spark.read.parquet(str(tmp_path))
    files = seismo.spark.parquet_files(df)
    assert [Path(f).name for f in files] == ["part-0.parquet", "part-1.parquet", "part-2.parquet"]
    by_files = seismo.spark.profile(df, read="files").summary()
    by_spark = seismo.spark.profile(df, read="spark").summary()
    assert seismo.spark.profile(df).summary() == by_files  # auto takes the files
    single = seismo.profile(REFERENCE, threads=1).summary()
    assert by_files["rows"] == by_spark["rows"] == single["rows"] == 5000
    for got, spark_got, want in zip(by_files["columns"], by_spark["columns"], single["columns"]):
        for key in ("name", "kind", "count", "nulls", "nan", "min", "max"):
            assert got.get(key) == spark_got.get(key) == want.get(key), (want["name"], key)
        if isinstance(want.get("mean"), float):
            assert got["mean"] == pytest.approx(want["mean"], rel=1e-12), want["name"]


def test_other_frames_are_not_read_as_files(spark, tmp_path):
    import pyarrow.parquet as pq

    table = pq.read_table(REFERENCE)
    filtered = spark.read.parquet(REFERENCE).where("score > 0.5")
    projected = spark.read.parquet(REFERENCE).select("score")
    pq.write_to_dataset(table, tmp_path / "by_country", partition_cols=["country"])
    partitioned = spark.read.parquet(str(tmp_path / "by_country"))
    # A schema of the user's, which casts the score to text.
    schema = ", ".join(
        f"`{f.name}` {'STRING' if f.name == 'score' else f.dataType.simpleString()}"
        for f in spark.read.parquet(REFERENCE).schema.fields
    )
    cast = spark.read.schema(schema).parquet(REFERENCE)
    others = (filtered, projected, partitioned, cast, spark.read.parquet(REFERENCE).repartition(2))
    for df in others:
        assert seismo.spark.parquet_files(df) is None
        with pytest.raises(seismo.SeismoError, match='read="files" needs a bare scan'):
            seismo.spark.profile(df, read="files")
    # Read by Spark, the filter applies.
    rows = seismo.spark.profile(filtered).summary()["rows"]
    assert rows == int((table.column("score").to_numpy() > 0.5).sum())
    with pytest.raises(seismo.SeismoError, match="read='disk'"):
        seismo.spark.profile(filtered, read="disk")
