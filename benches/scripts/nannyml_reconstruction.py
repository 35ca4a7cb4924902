#!/usr/bin/env python3
"""The NannyML side of compare_reconstruction.sh: read both files, NannyML's
DataReconstructionDriftCalculator on every column but the prediction, chunks of 100,000 rows;
print the number of alerting current chunks and the first chunk's value.

Run: NANNYML_PYTHON=/tmp/nml/bin/python (nannyml, statsmodels, pandas<3, pyarrow)
"""
import os
import sys
import warnings

os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"  # no telemetry upload (no network here)
import nannyml as nml  # noqa: E402
import pandas as pd

warnings.filterwarnings("ignore")
reference = pd.read_parquet(sys.argv[1])
current = pd.read_parquet(sys.argv[2])
columns = [c for c in reference.columns if c != "prediction"]
calc = nml.DataReconstructionDriftCalculator(column_names=columns, chunk_size=100_000)
calc.fit(reference)
result = calc.calculate(current).filter(period="analysis").to_df()
values = result[("reconstruction_error", "value")]
alerts = int(result[("reconstruction_error", "alert")].sum())
print(f"{alerts} of {len(values)} chunks alert; first chunk {values.iloc[0]:.6f}")
