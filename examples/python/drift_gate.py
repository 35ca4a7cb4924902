"""A pipeline step that fails on drift: a plain Python function, as an Airflow
``PythonOperator``/``@task``, a Kubeflow component or a cron job calls it.

It compares today's batch with the reference, raises ``DriftDetected`` when the batch must
not go on (the dataset drifted, or the model's prediction did: what ``seismo drift`` exits
1 on), and otherwise returns a small summary (JSON-serialisable: an Airflow XCom value).

    from drift_gate import drift_gate
    drift_gate("s3://.../reference.parquet", "s3://.../today.parquet",
               prediction="score", target="label", ignore=["id", "timestamp"])

Airflow, for example::

    @task
    def check_drift(batch_path: str) -> dict:
        return drift_gate(REFERENCE, batch_path, prediction="score")

(`crates/python/tests/test_examples.py` runs this file on the bundled example data.)
"""

from __future__ import annotations

import seismo


class DriftDetected(RuntimeError):
    """The batch drifted: the step fails, and the message says why."""

    def __init__(self, message: str, report: "seismo.DriftReport"):
        super().__init__(message)
        self.report = report


def drift_gate(reference, current, **options) -> dict:
    """Compares ``current`` with ``reference`` (paths or Arrow data; ``options`` as
    :func:`seismo.drift`'s). Raises :class:`DriftDetected` on drift; returns a summary."""
    report = seismo.drift(reference, current, **options)
    document = report.to_dict()
    drifted = [c["column"] for c in document["columns"] if c["drifted"]]
    summary = {
        "dataset_drift": document["dataset_drift"],
        "prediction_drift": document.get("prediction_drift"),
        "drifted_columns": drifted,
        "tested_columns": len(document["columns"]),
    }
    if report.drifted:
        raise DriftDetected(
            f"drift: {len(drifted)} of {len(document['columns'])} columns drifted "
            f"({', '.join(drifted)}); dataset drift: {document['dataset_drift']}, "
            f"prediction drift: {document.get('prediction_drift')}",
            report,
        )
    return summary
