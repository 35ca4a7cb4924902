"""Logging a seismo report to MLflow: the report's JSON and its HTML page as artifacts of the
active run (``seismo/drift.json``, ``seismo/drift.html``), the drifted-column count and
share as metrics, and the verdict as a tag, so runs can be compared and searched
(``tags."seismo.drifted" = 'true'``).

    import mlflow, seismo
    from mlflow_report import log_drift_report

    with mlflow.start_run():
        report = seismo.drift("reference.parquet", "today.parquet", prediction="score")
        log_drift_report(report)

(`crates/python/tests/test_examples.py` runs this against a local MLflow file store.)
"""

from __future__ import annotations

import mlflow

import seismo


def log_drift_report(report: "seismo.DriftReport", prefix: str = "seismo") -> None:
    """Logs ``report`` to the active MLflow run (one is started if none is)."""
    document = report.to_dict()
    columns = document["columns"]
    drifted = sum(1 for c in columns if c["drifted"])
    mlflow.log_dict(document, f"{prefix}/drift.json")
    mlflow.log_text(report.to_html(), f"{prefix}/drift.html")
    mlflow.log_metric(f"{prefix}.drifted_columns", drifted)
    mlflow.log_metric(f"{prefix}.drifted_share", drifted / max(len(columns), 1))
    mlflow.set_tag(f"{prefix}.drifted", str(report.drifted).lower())
