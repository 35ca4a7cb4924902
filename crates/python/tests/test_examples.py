"""The pipeline examples in examples/python/: the drift gate as a pipeline step calls it,
and a report logged to MLflow (mlflow-skinny from PyPI) in a local file store and read
back."""

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "examples" / "python"))
EXAMPLES = ROOT / "examples"
IGNORE = ["id", "timestamp", "model_version"]

import seismo  # noqa: E402
from drift_gate import DriftDetected, drift_gate  # noqa: E402


def test_the_gate_passes_a_healthy_batch_and_stops_a_drifted_one():
    reference = EXAMPLES / "reference.parquet"
    # The reference against its own first days: nothing drifted.
    summary = drift_gate(reference, reference, prediction="score", ignore=IGNORE)
    assert summary["drifted_columns"] == []
    json.dumps(summary)  # an Airflow XCom value
    with pytest.raises(DriftDetected) as stopped:
        drift_gate(reference, EXAMPLES / "current.parquet", prediction="score", ignore=IGNORE)
    assert "score" in str(stopped.value)
    assert stopped.value.report.drifted


def test_a_report_logged_to_mlflow_reads_back(tmp_path, monkeypatch):
    # mlflow 3 keeps the file store in maintenance mode: allowed explicitly for the test.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    import mlflow
    from mlflow_report import log_drift_report

    mlflow.set_tracking_uri(tmp_path.as_uri())
    mlflow.set_experiment("seismo")
    report = seismo.drift(
        EXAMPLES / "reference.parquet", EXAMPLES / "current.parquet",
        prediction="score", target="label", ignore=IGNORE,
    )
    with mlflow.start_run() as run:
        log_drift_report(report)
    stored = mlflow.get_run(run.info.run_id)
    assert stored.data.tags["seismo.drifted"] == "true"
    drifted = sum(1 for c in report["columns"] if c["drifted"])
    assert stored.data.metrics["seismo.drifted_columns"] == drifted
    path = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="seismo/drift.json", dst_path=str(tmp_path / "out")
    )
    assert json.loads(Path(path).read_text()) == report.to_dict()
    page = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="seismo/drift.html", dst_path=str(tmp_path / "out")
    )
    assert Path(page).read_text() == report.to_html()
