#!/usr/bin/env bash
# The Python package's tests: a virtual environment in target/python-env, the package
# built from source and installed as a user would (`pip install ./crates/python`, maturin
# as the PEP 517 backend), then its pytest suite, which compares every result with the CLI
# binary that `cargo build` / `cargo test` made (target/debug/seismo).
#
#   bash scripts/test-python.sh        (needs python3 >= 3.10 with venv, Java 17 for the
#                                       Spark tests in local mode, and PyPI)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
ENV=target/python-env
[ -x "$ENV/bin/python" ] || "$PYTHON" -m venv "$ENV"
[ -x target/debug/seismo ] || cargo build --locked
# pandas below 3: pyspark 4.3 warns that it does not support pandas 3 yet.
"$ENV/bin/pip" install -q --no-cache-dir --disable-pip-version-check "maturin>=1.16,<2" pytest pyarrow \
  "pandas<3" polars "pyspark>=4.3,<5" "mlflow-skinny>=3,<4" "dask[dataframe]"
# The tests build the package in the dev profile (the workspace's per-crate optimisations
# apply): it reuses most of what `cargo test` compiled (2 min 8 s measured, where a release
# build compiles Arrow and the ONNX runtime again with optimisations). Users'
# `pip install ./crates/python` builds in release.
MATURIN_PEP517_ARGS=${MATURIN_PEP517_ARGS:---profile dev} \
  "$ENV/bin/pip" install -q --no-cache-dir --disable-pip-version-check ./crates/python
"$ENV/bin/python" -m pytest -q crates/python/tests
