#!/usr/bin/env python3
"""Oracle for `seismo drift --multivariate reconstruction`: NannyML's
DataReconstructionDriftCalculator (its defaults: mean and most-frequent imputation, count
encoding, standard scaling, PCA keeping 65% of the variance, thresholds at the reference
chunks' mean ± 3 standard deviations) on the bundled example data.

Cases (chunks of `chunk_size` rows in both datasets):
- reference.parquet against joint.parquet (the join bug), chunks of 500;
- reference.parquet against current.parquet (drifted income, sentinel credit scores, the
  100x score), chunks of 500;
- with missing values: the first 2,000 reference rows and the first 1,500 current rows with
  numbers and categories blanked at random (written to crates/drift/tests/fixtures/
  reconstruction_{reference,current}_nulls.parquet), chunks of 200, the last current chunk
  a remainder of 100 rows.

The columns are the ones `seismo drift --prediction score --target label --ignore
id,timestamp,model_version` tests. Writes crates/drift/tests/fixtures/reconstruction_nannyml.json.

Run: python3 -m venv /tmp/nml && /tmp/nml/bin/pip install nannyml==0.13.1 statsmodels "pandas<3" pyarrow
     /tmp/nml/bin/python scripts/oracles/reconstruction_nannyml.py
"""
import json
import os
import warnings

import numpy as np
import pandas as pd
import nannyml as nml

warnings.filterwarnings("ignore")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLES = os.path.join(ROOT, "examples")
FIXTURES = os.path.join(ROOT, "crates", "drift", "tests", "fixtures")
COLUMNS = ["age", "income", "credit_score", "tenure_months", "num_products", "balance", "utilization",
           "country", "channel", "is_active", "label", "score"]


def run(reference, analysis, chunk_size):
    calc = nml.DataReconstructionDriftCalculator(column_names=COLUMNS, chunk_size=chunk_size)
    calc.fit(reference)
    result = calc.calculate(analysis).to_df()
    key = "reconstruction_error"
    rows = []
    for _, r in result.iterrows():
        rows.append({
            "period": r[("chunk", "period")],
            "start": int(r[("chunk", "start_index")]),
            "end": int(r[("chunk", "end_index")]),
            "value": float(r[(key, "value")]),
            "sampling_error": float(r[(key, "sampling_error")]),
            "upper": float(r[(key, "upper_confidence_boundary")]),
            "lower": float(r[(key, "lower_confidence_boundary")]),
            "alert": bool(r[(key, "alert")]),
        })
    upper = result[(key, "upper_threshold")].iloc[0]
    lower = result[(key, "lower_threshold")].iloc[0]
    return {
        "chunk_size": chunk_size,
        "components": int(calc._pca.n_components_),
        "upper_threshold": float(upper),
        "lower_threshold": None if lower is None or pd.isna(lower) else float(lower),
        "reference_chunks": [r for r in rows if r["period"] == "reference"],
        "chunks": [r for r in rows if r["period"] == "analysis"],
    }


def with_nulls(frame, rng):
    frame = frame.copy()
    for column in ["income", "balance", "utilization", "age"]:
        frame.loc[rng.random(len(frame)) < 0.05, column] = np.nan
    for column in ["country", "channel"]:
        frame[column] = frame[column].astype(object)
        frame.loc[rng.random(len(frame)) < 0.05, column] = None
    return frame


def main():
    reference = pd.read_parquet(os.path.join(EXAMPLES, "reference.parquet"))
    joint = pd.read_parquet(os.path.join(EXAMPLES, "joint.parquet"))
    current = pd.read_parquet(os.path.join(EXAMPLES, "current.parquet"))
    rng = np.random.default_rng(5)
    reference_nulls = with_nulls(reference.head(2000), rng)
    current_nulls = with_nulls(current.head(1500), rng)
    reference_nulls.to_parquet(os.path.join(FIXTURES, "reconstruction_reference_nulls.parquet"), index=False)
    current_nulls.to_parquet(os.path.join(FIXTURES, "reconstruction_current_nulls.parquet"), index=False)
    out = {
        "columns": COLUMNS,
        "cases": {
            "joint": run(reference, joint, 500),
            "current": run(reference, current, 500),
            "nulls": run(reference_nulls, current_nulls, 200),
        },
    }
    for name, case in out["cases"].items():
        print(name, case["components"], "components; thresholds", case["lower_threshold"], case["upper_threshold"],
              "; alerts", sum(c["alert"] for c in case["chunks"]), "of", len(case["chunks"]))
    with open(os.path.join(FIXTURES, "reconstruction_nannyml.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
