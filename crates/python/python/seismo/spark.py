"""seismo on Apache Spark: profiles of a DataFrame computed where it lives.

The data is profiled by seismo on the executors, and only serialized partial profiles (the
saved format, zlib-compressed: 4 to 13 KB per column) travel to the driver, which merges
them. A plain read of local Parquet files is read from its files on the executors (pyarrow,
row group by row group); any other DataFrame reaches seismo through ``DataFrame.mapInArrow``,
which hands each partition's Arrow batches over (see :func:`profile`'s ``read``).
Profiles are mergeable by design: counts, nulls and moments of the merged profile equal the
single-machine profile's; quantiles and distinct counts are within their sketches' stated
bounds (docs/profile.md).

The executors need the ``seismo`` wheel installed (docs/python.md, "Spark").

>>> import seismo.spark
>>> profile = seismo.spark.profile(spark.read.parquet("s3://bucket/predictions/"))
>>> by_country = seismo.spark.profile(df, by=["country"])   # {("DE",): Profile, ...}
>>> report = seismo.spark.drift(last_month, this_month, prediction="score")
"""

from __future__ import annotations

import zlib
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from . import Profile, SeismoError

__all__ = ["profile", "drift", "partial_profiles", "merge", "parquet_files"]


def _pack(profile: Profile) -> bytes:
    """A partial profile as it travels: the saved format, zlib-compressed (the sketches'
    base64 and the JSON around them shrink about 3.5 times)."""
    return zlib.compress(profile.to_bytes(), 6)


def _unpack(data: bytes) -> Profile:
    """A partial profile from its travelling form, or from the plain saved format."""
    data = bytes(data)
    if data[:1] != b"{":
        data = zlib.decompress(data)
    return Profile.from_bytes(data)


def _profile_batches(batches, threads: int):
    import pyarrow as pa

    from . import profile as profile_data

    table = pa.Table.from_batches(batches)
    return profile_data(table, threads=threads)


def partial_profiles(
    batches: Iterator["pyarrow.RecordBatch"],  # noqa: F821
    *,
    by: Sequence[str] = (),
    threads: int = 1,
) -> Iterator[Tuple[Tuple[str, ...], bytes]]:
    """One partition's partial profiles: ``(segment key, profile bytes)`` per segment of
    ``by`` (one, keyed ``()``, without ``by``); the bytes are the saved format compressed
    with zlib (``zlib.decompress`` gives what ``Profile.to_bytes`` does). The building
    block of every distributed recipe (Spark here; Dask or Ray call it on their partitions
    the same way)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    batches = [b for b in batches if b.num_rows > 0]
    if not batches:
        return
    table = pa.Table.from_batches(batches)
    if not by:
        yield (), _pack(_profile_batches(table.to_batches(), threads))
        return
    missing = [c for c in by if c not in table.column_names]
    if missing:
        raise SeismoError(f"by: no column {missing[0]!r}; the columns are {', '.join(table.column_names)}")
    keys = table.select(list(by)).to_pylist()
    segments: Dict[Tuple[str, ...], List[int]] = {}
    for row, key in enumerate(keys):
        segments.setdefault(tuple("" if key[c] is None else str(key[c]) for c in by), []).append(row)
    for key in sorted(segments):
        part = pc.take(table, pa.array(segments[key], type=pa.int64()))
        yield key, _pack(_profile_batches(part.to_batches(), threads))


def merge(parts: Sequence[bytes]) -> Profile:
    """Merges partial profiles (as :func:`partial_profiles` yields them, or plain saved
    bytes), in the order given."""
    if not parts:
        raise SeismoError("no partial profile to merge: the data has no rows")
    merged = _unpack(parts[0])
    for part in parts[1:]:
        merged.merge(_unpack(part))
    return merged


def parquet_files(df) -> Optional[List[str]]:
    """The files a DataFrame reads, when it is a bare scan of local Parquet files (``spark.
    read.parquet(path)`` with no filter, projection, join, user schema or partition
    columns) whose columns are the DataFrame's; ``None`` otherwise (and on Spark Connect,
    whose plans are not visible here)."""
    try:
        plan = df._jdf.queryExecution().optimizedPlan()
        if plan.getClass().getSimpleName() != "LogicalRelation":
            return None
        relation = plan.relation()
        if relation.getClass().getSimpleName() != "HadoopFsRelation":
            return None
        if relation.fileFormat().getClass().getSimpleName() != "ParquetFileFormat":
            return None
        if relation.partitionSchema().length() > 0:
            return None
        files = list(df.inputFiles())
    except Exception:  # noqa: BLE001 - any plan this does not recognise is not a bare scan
        return None
    paths = []
    for name in files:
        if name.startswith("file:"):
            name = name[len("file:"):]
            while name.startswith("//"):
                name = name[1:]
        elif ":" in name.split("/")[0]:
            return None  # hdfs:, s3a: ...: not readable by seismo's own reader
        paths.append(name)
    if not paths:
        return None
    import pyarrow.parquet as pq

    # The files' own columns must be what Spark reads: the same names in every file, and
    # the types Spark gives them without a schema of the user's (which would cast).
    columns = list(df.columns)
    try:
        if any(pq.read_schema(path).names != columns for path in paths):
            return None
        if df.sparkSession.read.parquet(paths[0]).schema != df.schema:
            return None
    except Exception:  # noqa: BLE001 - unreadable here: leave it to Spark
        return None
    return sorted(paths)


def _profile_files(df, paths: List[str], threads: int) -> Profile:
    """The files' row groups, in file order, cut into contiguous runs (two per core Spark
    offers, so one large file spreads too); each run read with pyarrow and profiled row
    group by row group on an executor, its partial profile merged there; the runs'
    profiles merged on the driver in order."""
    import pyarrow.parquet as pq

    spark = df.sparkSession
    groups = [(path, g) for path in paths for g in range(pq.ParquetFile(path).metadata.num_row_groups)]
    if not groups:
        raise SeismoError("no partial profile to merge: the data has no rows")
    runs = max(1, min(len(groups), 2 * spark.sparkContext.defaultParallelism))
    cuts = [len(groups) * i // runs for i in range(runs + 1)]
    units = [groups[cuts[i] : cuts[i + 1]] for i in range(runs)]

    def run(unit_iter):
        import pyarrow.parquet as pq

        from . import profile as profile_data

        for unit in unit_iter:
            merged = None
            for path, group in unit:
                part = profile_data(pq.ParquetFile(path).read_row_group(group), threads=threads)
                if merged is None:
                    merged = part
                else:
                    merged.merge(part)
            yield _pack(merged)

    parts = spark.sparkContext.parallelize(units, len(units)).mapPartitions(run).collect()
    return merge(parts)


def profile(df, *, by: Optional[Sequence[str]] = None, threads: int = 1, read: str = "auto"):
    """Profiles a Spark DataFrame: each partition on its executor (``threads`` threads
    each), the partial profiles merged on the driver in partition order. With ``by``, a
    dict of segment key (a tuple of the ``by`` values as text) to that segment's profile.

    ``read`` says how the executors get the rows. ``"spark"``: Spark decodes them and hands
    each partition's Arrow batches over (``mapInArrow``), for any DataFrame. ``"files"``:
    when the DataFrame is a bare scan of local Parquet files (:func:`parquet_files`), the
    executors read the files' row groups straight to Arrow (pyarrow) instead, which skips
    Spark's decoding to rows and back to Arrow (most of the time on large scans:
    docs/python.md);
    an error for any other DataFrame. ``"auto"`` (the default): ``"files"`` where it applies
    and there is no ``by``, else ``"spark"``."""
    from pyspark.sql.types import ArrayType, BinaryType, StringType, StructField, StructType

    if read not in ("auto", "spark", "files"):
        raise SeismoError(f'read={read!r}: not "auto", "spark" or "files"')
    segment_by = list(by or [])
    if read != "spark" and not segment_by:
        paths = parquet_files(df)
        if paths is not None:
            return _profile_files(df, paths, threads)
    if read == "files":
        raise SeismoError(
            'read="files" needs a bare scan of local Parquet files whose columns are the '
            "DataFrame's (spark.read.parquet(path), no filter, projection or partition "
            'columns) and no by; use read="spark" for this DataFrame'
        )
    schema = StructType(
        [
            StructField("key", ArrayType(StringType(), False), False),
            StructField("profile", BinaryType(), False),
        ]
    )

    def run(batches):
        import pyarrow as pa

        for key, data in partial_profiles(batches, by=segment_by, threads=threads):
            yield pa.RecordBatch.from_pydict(
                {"key": [list(key)], "profile": [data]},
                schema=pa.schema([("key", pa.list_(pa.string())), ("profile", pa.binary())]),
            )

    rows = df.mapInArrow(run, schema).collect()
    parts: Dict[Tuple[str, ...], List[bytes]] = {}
    for row in rows:
        parts.setdefault(tuple(row["key"]), []).append(bytes(row["profile"]))
    if not segment_by:
        return merge(parts.get((), []))
    return {key: merge(parts[key]) for key in sorted(parts)}


def drift(
    reference_df,
    current_df,
    *,
    by: Optional[Sequence[str]] = None,
    threads: int = 1,
    read: str = "auto",
    **options,
):
    """Drift between two Spark DataFrames from their merged profiles (each column compared
    sketch to sketch, as ``seismo drift`` with a saved profile). ``options`` are
    :func:`seismo.drift`'s (``prediction``, ``target``, ``ignore``, tests, thresholds). With
    ``by``, a dict of segment key to the report of that segment, for the segments both
    sides have. ``read`` is :func:`profile`'s."""
    from . import drift as drift_profiles

    reference = profile(reference_df, by=by, threads=threads, read=read)
    current = profile(current_df, by=by, threads=threads, read=read)
    if not by:
        return drift_profiles(reference, current, **options)
    return {
        key: drift_profiles(reference[key], current[key], **options)
        for key in sorted(set(reference) & set(current))
    }
