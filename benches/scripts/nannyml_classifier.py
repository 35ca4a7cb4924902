#!/usr/bin/env python3
"""The NannyML side of compare_classifier.sh: read both files, NannyML's
DomainClassifierCalculator (LightGBM, its default hyperparameters, 5 folds) on every column,
one chunk holding all the current rows; print the ROC AUC and whether it alerts.

Run: NANNYML_PYTHON=/tmp/nml/bin/python (nannyml, statsmodels, pandas<3, pyarrow)
"""
import os
import sys
import warnings

os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"  # no telemetry upload (no network here)
import nannyml as nml  # noqa: E402
import pandas as pd  # noqa: E402

warnings.filterwarnings("ignore")
reference = pd.read_parquet(sys.argv[1])
current = pd.read_parquet(sys.argv[2])
columns = list(reference.columns)
calc = nml.DomainClassifierCalculator(feature_column_names=columns, chunk_size=len(current))
calc.fit(reference)
result = calc.calculate(current).filter(period="analysis").to_df()
auc = result[("domain_classifier_auroc", "value")].iloc[0]
alert = bool(result[("domain_classifier_auroc", "alert")].iloc[0])
print(f"ROC AUC {auc:.6f} alert {alert}")
