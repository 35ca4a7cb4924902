"""seismo.test, seismo.history, seismo.score and seismo.robust against the CLI on the
bundled examples: ``to_dict()`` equal to ``--format json``, ``to_html()`` and
``to_junit()`` byte-equal to ``--format html`` / ``junit``, scores equal to the file
``seismo score`` writes, and bad input as ``SeismoError`` naming the field."""

import subprocess
import tempfile
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv
import pyarrow.parquet as pq
import pytest

import seismo
from test_seismo import EXAMPLES, ROOT, cli_binary, cli_json

CANDIDATE = str(EXAMPLES / "candidate.parquet")
REFERENCE = str(EXAMPLES / "reference.parquet")
CURRENT = str(EXAMPLES / "current.parquet")
SUITE = str(EXAMPLES / "suite.toml")
MARKERS = str(EXAMPLES / "deployments.csv")
BRITTLE = str(EXAMPLES / "models" / "credit_gbm_brittle.onnx")
GBM = str(EXAMPLES / "models" / "credit_gbm.onnx")


def cli_text(*args: str) -> str:
    out = subprocess.run([cli_binary(), *args], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode in (0, 1), out.stderr
    return out.stdout


def test_test_equals_the_cli_in_json_html_and_junit():
    args = ["test", "--suite", SUITE, "--data", CANDIDATE, "--baseline", REFERENCE]
    report = seismo.test(CANDIDATE, SUITE, baseline=REFERENCE)
    assert report.to_dict() == cli_json(*args, "--format", "json")
    assert report.to_html() == cli_text(*args, "--format", "html")
    assert report.to_junit() == cli_text(*args, "--format", "junit")
    # The candidate regresses on a slice: the suite fails, as the CLI's exit 1.
    assert report.passed is False
    assert len(report.to_pandas()) == len(report["results"])
    # From polars frames and the suite's text: the same results, located in `<suite>`.
    text = Path(SUITE).read_text()
    framed = seismo.test(pl.read_parquet(CANDIDATE), text, baseline=pl.read_parquet(REFERENCE))
    assert [r.pop("location").replace("<suite>", SUITE) for r in framed["results"]] == [
        r.pop("location") for r in report["results"]
    ]
    assert framed["results"] == report["results"]


def test_test_bad_suite_names_line_and_column():
    with pytest.raises(seismo.SeismoError, match=r"<suite>:\d+"):
        seismo.test(CANDIDATE, "[[test]]\nname = 3\n")


def test_history_equals_the_cli():
    args = ["history", CURRENT, "--time", "timestamp", "--value", "score"]
    report = seismo.history(CURRENT, time="timestamp", value="score", markers=MARKERS)
    assert report.to_dict() == cli_json(*args, "--markers", MARKERS, "--format", "json")
    assert report.to_html() == cli_text(*args, "--markers", MARKERS, "--format", "html")
    assert report.changed is True
    assert report.change_points[0]["attributed_to"] is not None
    by = seismo.history(pq.read_table(CURRENT), time="timestamp", value="score",
                        by="model_version")
    cli = cli_json(*args, "--by", "model_version", "--format", "json")
    assert by["change_points"] == cli["change_points"]
    assert by["windows"] == cli["windows"]
    assert len(by.to_pandas()) == len(cli["windows"])


def test_history_of_two_halves_equals_the_whole():
    table = pq.read_table(CURRENT)
    half = table.num_rows // 2
    whole = seismo.history(table, time="timestamp", value="score", window="1d")
    parts = seismo.history([table.slice(0, half), table.slice(half)], time="timestamp",
                           value="score", window="1d")
    assert parts["windows"] == whole["windows"]
    assert parts["change_points"] == whole["change_points"]


def test_history_bad_input_names_the_field():
    with pytest.raises(seismo.SeismoError, match=r"the value column `nope` is not in the data"):
        seismo.history(CURRENT, time="timestamp", value="nope")
    with pytest.raises(seismo.SeismoError, match=r"window=\"fortnight\""):
        seismo.history(CURRENT, time="timestamp", value="score", window="fortnight")
    with pytest.raises(seismo.SeismoError, match=r"penalty=-1"):
        seismo.history(CURRENT, time="timestamp", value="score", penalty=-1)
    bad = pa.table({"t": ["2026-10-01T00:00:00Z", "yesterday"], "v": [1.0, 2.0]})
    with pytest.raises(seismo.SeismoError, match=r"row 2, column t: `yesterday` is not a time"):
        seismo.history(bad, time="t", value="v")


def test_history_streams_a_file_and_names_the_csv_line(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("t,v\n2026-10-01,1\n2026-10-02,2\nsoon,3\n")
    with pytest.raises(seismo.SeismoError, match=r"log.csv: line 4, column t: `soon` is not a time"):
        seismo.history(str(log), time="t", value="v")
    log.write_text("".join(f"2026-10-{d:02},{d}\n" for d in range(1, 29)).join(["t,v\n", ""]))
    from_file = seismo.history(str(log), time="t", value="v", window="1d").to_dict()
    from_table = seismo.history(
        pa.csv.read_csv(log), time="t", value="v", window="1d"
    ).to_dict()
    assert from_file["windows"] == from_table["windows"]


def test_score_equals_the_file_seismo_score_writes():
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "scored.parquet")
        subprocess.run(
            [cli_binary(), "score", CURRENT, "--model", GBM, "--output-column", "p", "-o", out],
            check=True, capture_output=True, cwd=ROOT,
        )
        cli = pq.read_table(out)
    scored = seismo.score(CURRENT, GBM, output_column="p")
    assert isinstance(scored, pa.Table)
    assert scored.schema == cli.schema
    assert scored.equals(cli)
    # Polars in (its own string and time types): the same predictions.
    framed = seismo.score(pl.read_parquet(CURRENT), GBM, output_column="p")
    for column in ("p", "probability_0", "probability_1"):
        assert framed.column(column).equals(cli.column(column))


def test_score_then_test_is_test_with_the_model():
    # The suite's prediction column is `score`: replace it with the model's own.
    data = pq.read_table(CANDIDATE)
    data = data.drop_columns(["score"])
    scored = seismo.score(data, GBM, output_column="score")
    report = seismo.test(scored, SUITE)
    cli = cli_json("test", "--suite", SUITE, "--data", CANDIDATE, "--model", GBM,
                   "--format", "json")
    assert report["results"] == cli["results"]


def test_score_bad_input_names_the_field():
    with pytest.raises(seismo.SeismoError, match=r"output_column: column `score` is already"):
        seismo.score(CURRENT, GBM, output_column="score")
    with pytest.raises(seismo.SeismoError, match=r"model .*nope.onnx"):
        seismo.score(CURRENT, "nope.onnx")
    with pytest.raises(seismo.SeismoError, match=r"not both"):
        seismo.score(CURRENT, GBM, card=GBM.replace(".onnx", ".toml"), features=["age"])


def test_robust_equals_the_cli_in_json_html_and_junit():
    args = ["robust", CURRENT, "--model", BRITTLE, "--threshold", "0.3", "--by", "channel",
            "--target", "label", "--perturb", "dropout", "--perturb", "multiply:0.05@income"]
    report = seismo.robust(CURRENT, BRITTLE, threshold=0.3, by="channel", target="label",
                           perturb=["dropout", "multiply:0.05@income"])
    assert report.to_dict() == cli_json(*args, "--format", "json")
    assert report.to_html() == cli_text(*args, "--format", "html")
    assert report.to_junit() == cli_text(*args, "--format", "junit")
    assert report.passed is False
    # dropout is one perturbation per feature.
    assert len(report.to_pandas()) == len(report["perturbations"]) > 2


def test_robust_suite_equals_the_cli():
    suite = str(EXAMPLES / "robust.toml")
    report = seismo.robust(CURRENT, BRITTLE, suite=suite)
    assert report.to_dict() == cli_json("robust", CURRENT, "--model", BRITTLE, "--suite",
                                        suite, "--format", "json")


def test_robust_bad_input_names_the_field():
    with pytest.raises(seismo.SeismoError, match=r"perturbation `wobble:1`"):
        seismo.robust(CURRENT, BRITTLE, perturb="wobble:1")
    with pytest.raises(seismo.SeismoError, match=r"max_flip_rate is a share"):
        seismo.robust(CURRENT, BRITTLE, max_flip_rate=2.0)
    with pytest.raises(seismo.SeismoError, match=r"column `nope` is not in the data"):
        seismo.robust(CURRENT, BRITTLE, by="nope")
    with pytest.raises(seismo.SeismoError, match=r"metrics: auc"):
        seismo.robust(CURRENT, BRITTLE, target="label", metrics="auc")


def test_validate_split_equals_the_cli_quarantine_and_clean_files():
    rules = str(EXAMPLES / "rules.toml")
    with tempfile.TemporaryDirectory() as tmp:
        bad, good = str(Path(tmp) / "bad.parquet"), str(Path(tmp) / "good.parquet")
        subprocess.run(
            [cli_binary(), "validate", CURRENT, "--rules", rules, "--reference", REFERENCE,
             "--quarantine", bad, "--clean", good],
            capture_output=True, cwd=ROOT,
        )
        cli_bad, cli_good = pq.read_table(bad), pq.read_table(good)
    report = seismo.validate(CURRENT, rules, reference=REFERENCE, split=True)
    assert report.quarantine.num_rows > 0
    assert report.quarantine.num_rows == report["quarantined_rows"]
    assert report.quarantine.equals(cli_bad)
    assert report.clean.equals(cli_good)
    assert report.quarantine.num_rows + report.clean.num_rows == 5000
    assert seismo.validate(CURRENT, rules, reference=REFERENCE).quarantine is None


def test_robust_perturbed_rows_equal_the_cli_dumps():
    args = ["--threshold", "0.3", "--perturb", "gaussian:0.1", "--perturb", "category:0.1"]
    report = seismo.robust(CURRENT, BRITTLE, threshold=0.3,
                           perturb=["gaussian:0.1", "category:0.1"], perturbed=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([cli_binary(), "robust", CURRENT, "--model", BRITTLE, *args,
                        "--dump-perturbed", tmp], capture_output=True, cwd=ROOT)
        assert report.original.equals(pq.read_table(str(Path(tmp) / "original.parquet")))
        assert len(report.perturbed) == len(report["perturbations"]) == 2
        for k, table in enumerate(report.perturbed):
            assert table.equals(pq.read_table(str(Path(tmp) / f"{k:02}.parquet")))
    assert seismo.robust(CURRENT, BRITTLE, perturb="gaussian:0.1").perturbed is None
