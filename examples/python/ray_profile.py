"""Profiles a dataset on Ray Data with seismo's partial profiles (the recipe of
docs/python.md), and checks the merged profile against the single-machine one.

    pip install "ray[data]" pyarrow ./crates/python
    python examples/python/ray_profile.py [FILE]     (default: examples/reference.parquet)

Not run in CI (Ray is large); run by hand with Ray 2.60.0 on 2026-12-03.
"""

import sys

import ray
import ray.data

import seismo
import seismo.spark as parts

path = sys.argv[1] if len(sys.argv) > 1 else "examples/reference.parquet"
ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
ds = ray.data.read_parquet(path).repartition(4)

# The recipe: one partial profile per block, merged on the driver.
partials = ds.map_batches(
    lambda t: {"p": [b for _, b in parts.partial_profiles(t.to_batches())]},
    batch_format="pyarrow",
    batch_size=None,
).take_all()
profile = parts.merge([row["p"] for row in partials])

merged = profile.summary()
single = seismo.profile(path, threads=1).summary()
equal = merged["rows"] == single["rows"] and all(
    got.get(key) == want.get(key)
    for got, want in zip(merged["columns"], single["columns"])
    for key in ("name", "count", "nulls", "min", "max")
)
print(f"{len(partials)} partial profiles, {merged['rows']} rows; "
      f"counts, nulls, min and max equal to the single-machine profile: {equal}")
sys.exit(0 if equal else 1)
