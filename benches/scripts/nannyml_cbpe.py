#!/usr/bin/env python3
"""The NannyML side of compare_cbpe.sh: read both files, NannyML's CBPE (binary; ROC AUC,
accuracy, precision, recall, F1, specificity; decision score >= 0.5; chunks of 100,000
rows), fit on the reference and estimate the current file; print the number of metric
estimates below their lower thresholds and the first chunk's estimated accuracy.

Run: NANNYML_PYTHON=/tmp/nml/bin/python (nannyml, pandas<3, pyarrow)
"""
import os
import sys
import warnings

os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"  # no telemetry upload (no network here)
import nannyml as nml  # noqa: E402
import pandas as pd  # noqa: E402

warnings.filterwarnings("ignore")
METRICS = ["roc_auc", "accuracy", "precision", "recall", "f1", "specificity"]
reference = pd.read_parquet(sys.argv[1])
current = pd.read_parquet(sys.argv[2])
for data in (reference, current):
    data["y_pred"] = (data["score"] >= 0.5).astype(int)
estimator = nml.CBPE(
    y_pred_proba="score", y_pred="y_pred", y_true="label", metrics=METRICS,
    chunk_size=100_000, problem_type="classification_binary",
)
estimator.fit(reference)
result = estimator.estimate(current).filter(period="analysis").to_df()
# NannyML alerts on both sides of the band; seismo only below it: count those apart.
below = int(sum((result[(m, "value")] < result[(m, "lower_threshold")]).sum() for m in METRICS))
alerts = int(sum(result[(m, "alert")].sum() for m in METRICS))
print(f"{below} metric alerts in {len(result)} chunks; first chunk accuracy "
      f"{result[('accuracy', 'value')].iloc[0]:.6f} ({alerts} with those above the band)")
