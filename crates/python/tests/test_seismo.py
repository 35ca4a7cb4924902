"""The Python package against the CLI: for the same data and options, every report's
``to_dict()`` equals the CLI's ``--format json`` document; data from paths, pyarrow, pandas
and polars; errors as ``SeismoError`` with the CLI's messages.

The CLI binary is ``$SEISMO_BIN``, else the workspace's ``target/debug/seismo`` or
``target/release/seismo`` (``cargo build`` makes one; CI's Rust tests already did).
"""

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

import seismo

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
REFERENCE = str(EXAMPLES / "reference.parquet")
CURRENT = str(EXAMPLES / "current.parquet")
DECEMBER = str(EXAMPLES / "december.parquet")
IGNORE = ["id", "timestamp", "model_version"]


def cli_binary() -> str:
    candidates = [os.environ.get("SEISMO_BIN", "")] + [
        str(ROOT / "target" / profile / "seismo") for profile in ("debug", "release")
    ]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            return candidate
    pytest.fail("no seismo binary: run `cargo build` first or set SEISMO_BIN")


def cli_json(*args: str, exit_codes=(0, 1)) -> dict:
    out = subprocess.run([cli_binary(), *args], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode in exit_codes, out.stderr
    return json.loads(out.stdout)


def test_drift_equals_the_cli_key_for_key():
    report = seismo.drift(REFERENCE, CURRENT, prediction="score", target="label", ignore=IGNORE)
    cli = cli_json(
        "drift", "--reference", REFERENCE, "--current", CURRENT, "--prediction", "score",
        "--target", "label", "--ignore", ",".join(IGNORE), "--format", "json",
    )
    assert report.to_dict() == cli
    # The 100x shifted score fails the gate, as the CLI's exit 1.
    assert report.drifted is True
    table = report.to_pandas()
    assert set(table["column"]) == {c["column"] for c in cli["columns"]}


def test_drift_of_polars_and_pyarrow_frames_equals_the_files():
    from_files = seismo.drift(REFERENCE, CURRENT, prediction="score", ignore=IGNORE)
    from_polars = seismo.drift(
        pl.read_parquet(REFERENCE), pl.read_parquet(CURRENT), prediction="score", ignore=IGNORE
    )
    from_arrow = seismo.drift(
        pq.read_table(REFERENCE), pq.read_table(CURRENT), prediction="score", ignore=IGNORE
    )
    assert from_arrow.to_dict() == from_files.to_dict()
    # polars reads strings as large/view strings: the same values, the same statistics.
    got = {c["column"]: c["statistic"] for c in from_polars["columns"]}
    want = {c["column"]: c["statistic"] for c in from_files["columns"]}
    assert got == want


def test_multivariate_drift_catches_the_join_bug():
    joint = str(EXAMPLES / "joint.parquet")
    report = seismo.drift(
        REFERENCE, joint, prediction="score", target="label", ignore=IGNORE,
        multivariate="reconstruction",
    )
    assert report["dataset_drift"] is False
    assert report["multivariate"]["method"] == "reconstruction"
    assert report.drifted is True


def test_the_domain_classifier_equals_the_clis_and_names_the_decoupled_columns():
    joint = str(EXAMPLES / "joint.parquet")
    report = seismo.drift(
        REFERENCE, joint, prediction="score", target="label", ignore=IGNORE,
        multivariate="classifier", threads=2,
    )
    m = report["multivariate"]
    assert m["method"] == "classifier" and m["drifted"] is True
    assert {i["column"] for i in m["importances"][:2]} == {"credit_score", "score"}
    cli = cli_json(
        "drift", "--reference", REFERENCE, "--current", joint, "--prediction", "score",
        "--target", "label", "--ignore", ",".join(IGNORE), "--multivariate", "classifier",
        "--format", "json", "--threads", "1",
    )
    assert m == cli["multivariate"]
    with pytest.raises(seismo.SeismoError, match="auc_threshold=2"):
        seismo.drift(REFERENCE, joint, multivariate="classifier", auc_threshold=2.0)


def test_multivariate_only_equals_the_clis_and_needs_a_method():
    joint = str(EXAMPLES / "joint.parquet")
    report = seismo.drift(
        REFERENCE, joint, ignore=IGNORE, multivariate="reconstruction", multivariate_only=True,
    )
    assert report["columns"] == [] and report["multivariate"]["drifted"] is True
    assert report.drifted is True
    cli = cli_json(
        "drift", "--reference", REFERENCE, "--current", joint, "--ignore", ",".join(IGNORE),
        "--multivariate", "reconstruction", "--multivariate-only", "--format", "json",
    )
    assert report["skipped"] == cli["skipped"]
    assert report["multivariate"] == cli["multivariate"]
    with pytest.raises(seismo.SeismoError, match="multivariate_only=True needs multivariate="):
        seismo.drift(REFERENCE, joint, multivariate_only=True)


def test_profile_equals_the_cli_and_its_bytes_are_the_saved_format(tmp_path):
    profile = seismo.profile(CURRENT, threads=1)
    cli = cli_json("profile", CURRENT, "--format", "json", "--threads", "1")
    assert profile.summary() == cli
    saved = tmp_path / "current.profile.json"
    subprocess.run(
        [cli_binary(), "profile", CURRENT, "--save", str(saved), "--threads", "1"],
        check=True, capture_output=True,
    )
    assert profile.to_bytes() == saved.read_bytes()
    again = seismo.Profile.from_bytes(saved.read_bytes())
    assert again.summary() == cli


def test_profiles_of_parts_merge_into_the_whole():
    frame = pd.read_parquet(REFERENCE)
    whole = seismo.profile(frame, threads=1).summary()
    first = seismo.profile(frame.iloc[:2000], threads=1)
    merged = first.merge(seismo.profile(frame.iloc[2000:], threads=1)).summary()
    assert merged["rows"] == whole["rows"] == 5000
    for a, b in zip(merged["columns"], whole["columns"]):
        assert a["name"] == b["name"]
        for key in ("count", "nulls", "nan", "min", "max"):
            assert a.get(key) == b.get(key), (a["name"], key)
        if isinstance(b.get("mean"), float):
            assert a["mean"] == pytest.approx(b["mean"], rel=1e-12)
            assert a["std"] == pytest.approx(b["std"], rel=1e-9)


def test_estimate_equals_the_cli_and_warns_before_labels():
    report = seismo.estimate(
        REFERENCE, DECEMBER, prediction="score", target="label", time="timestamp", chunk="1d"
    )
    cli = cli_json(
        "estimate", "--reference", REFERENCE, "--current", DECEMBER, "--prediction", "score",
        "--target", "label", "--time", "timestamp", "--chunk", "1d", "--format", "json",
    )
    assert report.to_dict() == cli
    assert report.alert is True
    table = report.to_pandas()
    assert len(table) == 31
    assert table["accuracy_realized"].isna().sum() == 16
    assert table.loc[15:, "alert"].all()


def test_estimate_of_a_multiclass_model_takes_a_mapping():
    frame = pd.read_parquet(REFERENCE)
    # Three classes from the score: low, mid and high risk, scored by a soft assignment.
    low = (1 - frame["score"]) ** 2
    high = frame["score"] ** 2
    mid = 1 - low - high
    classes = pd.DataFrame({"p_low": low, "p_mid": mid, "p_high": high})
    classes["band"] = classes[["p_low", "p_mid", "p_high"]].idxmax(axis=1).str[2:]
    report = seismo.estimate(
        classes, classes, prediction={"low": "p_low", "mid": "p_mid", "high": "p_high"},
        target="band", chunk=1000,
    )
    assert report["classes"] == ["low", "mid", "high"]
    assert len(report["chunks"]) == 5
    first = report["chunks"][0]
    assert first["realized"]["accuracy"] == 1.0


def test_bad_input_raises_seismo_error_with_the_cli_message():
    with pytest.raises(seismo.SeismoError) as error:
        seismo.estimate(REFERENCE, CURRENT, prediction="score", target="label")
    assert "current.parquet: row 2357, column `score`: 19.7622 is not a probability" in str(
        error.value
    )
    assert isinstance(error.value, ValueError)
    with pytest.raises(seismo.SeismoError, match="no such column"):
        seismo.drift(REFERENCE, CURRENT, prediction="nope")
    with pytest.raises(seismo.SeismoError, match="neither a path nor Arrow data"):
        seismo.profile(42)
    with pytest.raises(seismo.SeismoError, match="not \"mmd\", \"reconstruction\" or \"classifier\""):
        seismo.drift(REFERENCE, CURRENT, multivariate="pca")
    with pytest.raises(seismo.SeismoError, match="nope.parquet"):
        seismo.profile("nope.parquet")
    with pytest.raises(seismo.SeismoError, match="threads=0"):
        seismo.profile(REFERENCE, threads=0)


def test_the_package_is_typed():
    package = Path(seismo.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_seismo.pyi").is_file()
    for name in seismo.__all__:
        item = getattr(seismo, name)
        if callable(item) and not isinstance(item, type):
            assert item.__doc__, name


def test_drift_against_a_saved_profile_equals_the_cli(tmp_path):
    saved = tmp_path / "reference.json"
    subprocess.run(
        [cli_binary(), "profile", REFERENCE, "--save", str(saved), "--threads", "1"],
        check=True, capture_output=True,
    )
    reference = seismo.Profile.from_bytes(saved.read_bytes())
    report = seismo.drift(reference, CURRENT, prediction="score", ignore=IGNORE, threads=1)
    cli = cli_json(
        "drift", "--reference", str(saved), "--current", CURRENT, "--prediction", "score",
        "--ignore", ",".join(IGNORE), "--format", "json", "--threads", "1",
    )
    assert report.to_dict() == cli
    with pytest.raises(seismo.SeismoError, match="needs the data"):
        seismo.drift(reference, CURRENT, multivariate="mmd")


def test_reports_render_as_the_cli_s_html_and_in_notebooks():
    import html as html_module

    report = seismo.drift(REFERENCE, CURRENT, prediction="score", target="label", ignore=IGNORE)
    out = subprocess.run(
        [cli_binary(), "drift", "--reference", REFERENCE, "--current", CURRENT,
         "--prediction", "score", "--target", "label", "--ignore", ",".join(IGNORE),
         "--format", "html"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert report.to_html() == out.stdout
    frame = report._repr_html_()
    assert frame.startswith('<iframe class="seismo-report"')
    srcdoc = frame[frame.index('srcdoc="') + len('srcdoc="'):frame.rindex('"></iframe>')]
    assert '"' not in srcdoc and "<" not in srcdoc
    assert html_module.unescape(srcdoc) == report.to_html()
    estimate = seismo.estimate(
        REFERENCE, DECEMBER, prediction="score", target="label", time="timestamp", chunk="1d"
    )
    out = subprocess.run(
        [cli_binary(), "estimate", "--reference", REFERENCE, "--current", DECEMBER,
         "--prediction", "score", "--target", "label", "--time", "timestamp", "--chunk", "1d",
         "--format", "html"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert estimate.to_html() == out.stdout
    assert 'id=&quot;estimate-accuracy&quot;' in estimate._repr_html_()


def test_ctrl_c_interrupts_long_work():
    import signal
    import sys
    import time

    # MMD with a hundred thousand permutations on the example: many minutes of work.
    script = (
        "import sys, seismo\n"
        "print('started', flush=True)\n"
        "try:\n"
        f"    seismo.drift({REFERENCE!r}, {CURRENT!r}, ignore={IGNORE!r}, "
        "multivariate='mmd', permutations=100000)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n"
        "    sys.exit(3)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "started"
    time.sleep(1.5)  # well into the work
    assert child.poll() is None, "the work ended before Ctrl-C"
    interrupted_at = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 3, err
    assert "interrupted" in out
    assert time.monotonic() - interrupted_at < 5


def test_validate_equals_the_cli_and_names_a_bad_rule():
    rules = str(EXAMPLES / "rules.toml")
    report = seismo.validate(CURRENT, rules, reference=REFERENCE)
    cli = cli_json(
        "validate", CURRENT, "--rules", rules, "--reference", REFERENCE, "--format", "json"
    )
    assert report.to_dict() == cli
    assert report.passed is False
    out = subprocess.run(
        [cli_binary(), "validate", CURRENT, "--rules", rules, "--reference", REFERENCE,
         "--format", "html"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert report.to_html() == out.stdout
    assert len(report.to_pandas()) == len(cli["checks"])
    # Rules as text, from a pandas frame.
    inline = seismo.validate(
        pd.read_parquet(CURRENT), '[[column]]\nname = "credit_score"\nmin = 300\n'
    )
    assert inline.passed is False
    with pytest.raises(seismo.SeismoError, match="<rules>:2: unknown field `nmae`"):
        seismo.validate(CURRENT, '[[column]]\nnmae = "credit_score"\n')
