"""seismo: catch machine-learning models failing in production before their users do.

The Rust toolkit's profiles, drift tests, label-free performance estimates, validation
rules, value histories and model tests (slice suites, ONNX scoring, robustness), from
Python.
Data is a file path (CSV, Parquet, Arrow IPC, NDJSON) or anything that speaks the Arrow
PyCapsule stream interface (a pyarrow Table, a polars DataFrame, a DuckDB result); pandas
frames go through pyarrow. Arrow data is not copied. The work runs with the interpreter
lock released.

Every report has ``to_dict()``: the document ``seismo ... --format json`` prints for the
same data and options, key for key.

>>> import seismo
>>> report = seismo.drift("examples/reference.parquet", "examples/current.parquet",
...                       prediction="score", target="label",
...                       ignore=["id", "timestamp", "model_version"])
>>> report.drifted
True
"""

from __future__ import annotations

import copy
import html
import json
import os
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _seismo
from ._seismo import SeismoError

__all__ = [
    "SeismoError",
    "Profile",
    "DriftReport",
    "EstimateReport",
    "ValidationReport",
    "HistoryReport",
    "TestReport",
    "RobustReport",
    "profile",
    "drift",
    "estimate",
    "validate",
    "history",
    "test",
    "score",
    "robust",
    "__version__",
]

__version__: str = _seismo.__version__

Data = Any  # a path, or an object with __arrow_c_stream__, or a pandas DataFrame


def _data(data: Data) -> Any:
    """A path or an Arrow stream provider, as the native module takes them."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    if hasattr(data, "__arrow_c_stream__"):
        return data
    module = type(data).__module__
    if module.startswith("pandas"):
        try:
            import pyarrow
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise SeismoError("data: a pandas DataFrame needs pyarrow (pip install pyarrow)") from e
        return pyarrow.Table.from_pandas(data, preserve_index=False)
    raise SeismoError(
        f"data: a {type(data).__name__} is neither a path nor Arrow data "
        "(a pyarrow Table, a polars DataFrame, a DuckDB result, a pandas DataFrame)"
    )


def _names(value: Union[None, str, Iterable[str]]) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


class _Report:
    """A report: its JSON document, its HTML page, and the verdict the CLI's exit code
    gives."""

    def __init__(self, document: str, page: str):
        self._document: dict = json.loads(document)
        self._page = page

    def to_html(self) -> str:
        """The self-contained HTML page ``--format html`` writes (inline CSS and SVG, no
        network)."""
        return self._page

    def _repr_html_(self) -> str:
        """The page in a notebook: inside an iframe, so its stylesheet and script stay out
        of the notebook's own."""
        return (
            '<iframe class="seismo-report" style="width:100%;height:640px;border:0" '
            f'srcdoc="{html.escape(self._page, quote=True)}"></iframe>'
        )

    def to_dict(self) -> dict:
        """The report as the CLI's ``--format json`` prints it (a copy)."""
        return copy.deepcopy(self._document)

    def to_json(self, indent: Optional[int] = 2) -> str:
        """The report as JSON text."""
        return json.dumps(self._document, indent=indent)

    def __getitem__(self, key: str) -> Any:
        return self._document[key]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._summary()}>"

    def _summary(self) -> str:  # pragma: no cover - overridden
        return ""


class DriftReport(_Report):
    """Drift between a reference and a current dataset (``seismo drift``)."""

    def __init__(self, document: str, fails: bool, page: str):
        super().__init__(document, page)
        self._fails = fails

    @property
    def drifted(self) -> bool:
        """What ``seismo drift`` exits 1 on by default: the dataset drifted (or its joint
        distribution, with ``multivariate``) or a prediction column drifted."""
        return self._fails

    @property
    def dataset_drift(self) -> bool:
        """Whether the share of drifted features reached the drift share."""
        return bool(self._document["dataset_drift"])

    def to_pandas(self):
        """One row per tested column (pandas DataFrame)."""
        import pandas

        return pandas.DataFrame(self._document["columns"])

    def _summary(self) -> str:
        drifted = sum(1 for c in self._document["columns"] if c.get("drifted"))
        return f"drifted={self.drifted}, {drifted} of {len(self._document['columns'])} columns"


class EstimateReport(_Report):
    """Performance estimated without labels, per chunk (``seismo estimate``)."""

    def __init__(self, document: str, alert: bool, page: str):
        super().__init__(document, page)
        self._alert = alert

    @property
    def alert(self) -> bool:
        """Whether any current chunk's estimate (or realized value) fell below its threshold:
        what ``seismo estimate`` exits 1 on."""
        return self._alert

    def to_pandas(self):
        """One row per current chunk: start, end, rows, labelled, alert, and per metric its
        estimate, band and realized value (``accuracy``, ``accuracy_lower``, ...)."""
        import pandas

        rows = []
        for chunk in self._document["chunks"]:
            row = {k: chunk[k] for k in ("start", "end", "rows", "labelled", "alert")}
            for metric, value in chunk["estimated"].items():
                row[metric] = value
                row[f"{metric}_lower"] = chunk["lower"][metric]
                row[f"{metric}_upper"] = chunk["upper"][metric]
                row[f"{metric}_realized"] = chunk["realized"][metric]
            rows.append(row)
        return pandas.DataFrame(rows)

    def _summary(self) -> str:
        return f"alert={self.alert}, {len(self._document['chunks'])} chunks"


class ValidationReport(_Report):
    """Data checked against a rule file (``seismo validate``). With ``split=True``,
    ``quarantine`` and ``clean`` are the rows ``--quarantine`` and ``--clean`` write, as
    ``pyarrow.Table``s (``None`` otherwise)."""

    def __init__(self, document: str, passed: bool, page: str, rows=None):
        super().__init__(document, page)
        self._passed = passed
        self.quarantine, self.clean = rows if rows is not None else (None, None)

    @property
    def passed(self) -> bool:
        """Whether no error-severity rule failed: ``seismo validate`` exits 1 otherwise."""
        return self._passed

    def to_pandas(self):
        """One row per check (pandas DataFrame)."""
        import pandas

        return pandas.DataFrame(self._document["checks"])

    def _summary(self) -> str:
        return f"passed={self.passed}, {len(self._document['checks'])} checks"


class HistoryReport(_Report):
    """A value's windows over time, its change points and the events they line up with
    (``seismo history``)."""

    def __init__(self, document: str, changed: bool, page: str):
        super().__init__(document, page)
        self._changed = changed

    @property
    def changed(self) -> bool:
        """Whether there are change points: what ``seismo history`` exits 1 on."""
        return self._changed

    @property
    def change_points(self) -> list:
        """The change points, each with its time, kind, the segments around it and the
        event it is attributed to."""
        return copy.deepcopy(self._document["change_points"])

    def to_pandas(self):
        """One row per window (pandas DataFrame)."""
        import pandas

        return pandas.DataFrame(self._document["windows"])

    def _summary(self) -> str:
        return (
            f"{len(self._document['windows'])} windows, "
            f"{len(self._document['change_points'])} change points"
        )


class _JUnitReport(_Report):
    """A report with a pass/fail verdict and a JUnit XML form for CI."""

    def __init__(self, document: str, passed: bool, page: str, junit: str):
        super().__init__(document, page)
        self._passed = passed
        self._junit = junit

    @property
    def passed(self) -> bool:
        """Whether everything passed: the command exits 1 otherwise."""
        return self._passed

    def to_junit(self) -> str:
        """The JUnit XML ``--format junit`` writes."""
        return self._junit


class TestReport(_JUnitReport):
    """A suite of slice tests run on scored rows (``seismo test``)."""

    __test__ = False  # not a pytest test class

    def to_pandas(self):
        """One row per test result (pandas DataFrame)."""
        import pandas

        return pandas.DataFrame(self._document["results"])

    def _summary(self) -> str:
        return f"passed={self.passed}, {len(self._document['results'])} results"


class RobustReport(_JUnitReport):
    """Whether a model's decisions hold under small changes of its input
    (``seismo robust``). With ``perturbed=True``, ``original`` is the rows as the model saw
    them and ``perturbed`` the same rows under each perturbation, in the order of
    ``report["perturbations"]`` (``pyarrow.Table``s: what ``--dump-perturbed`` writes)."""

    def __init__(self, document: str, passed: bool, page: str, junit: str, rows=None):
        super().__init__(document, passed, page, junit)
        self.original, self.perturbed = rows if rows is not None else (None, None)

    def to_pandas(self):
        """One row per perturbation: its flip rate, mean change and outcome (pandas
        DataFrame)."""
        import pandas

        return pandas.DataFrame(
            [
                {k: v for k, v in o.items() if not isinstance(v, (list, dict))}
                for o in self._document["perturbations"]
            ]
        )

    def _summary(self) -> str:
        return f"passed={self.passed}, {len(self._document['perturbations'])} perturbations"


class Profile:
    """A mergeable profile of a dataset (``seismo profile``): counts, nulls, moments,
    quantile and distinct-count sketches, frequent values. Profiles of parts merge into the
    profile of the whole: counts and moments exactly, quantiles and distinct counts within
    their sketches' bounds."""

    def __init__(self, native: "_seismo.Profile"):
        self._native = native

    def merge(self, other: "Profile") -> "Profile":
        """Adds ``other`` (a profile of the same columns) into this one; returns ``self``."""
        self._native.merge(other._native)
        return self

    def to_bytes(self) -> bytes:
        """The saved format: the bytes ``seismo profile --save`` writes."""
        return bytes(self._native.to_bytes())

    @staticmethod
    def from_bytes(data: bytes) -> "Profile":
        """A profile from the saved format."""
        return Profile(_seismo.Profile.from_bytes(data))

    def summary(self) -> dict:
        """The summary ``seismo profile --format json`` prints."""
        return json.loads(self._native.summary_json())

    to_dict = summary

    def to_pandas(self):
        """One row per column of the summary (pandas DataFrame)."""
        import pandas

        return pandas.DataFrame(self.summary()["columns"])

    def __repr__(self) -> str:
        s = self.summary()
        return f"<Profile {s['rows']} rows, {len(s['columns'])} columns>"


def profile(data: Data, *, threads: Optional[int] = None) -> Profile:
    """Profiles ``data`` in one pass on ``threads`` threads (default: every core)."""
    return Profile(_seismo.profile(_data(data), threads))


def drift(
    reference: Data,
    current: Data,
    *,
    prediction: Union[None, str, Sequence[str]] = None,
    target: Union[None, str, Sequence[str]] = None,
    ignore: Union[None, str, Sequence[str]] = None,
    numeric_test: Optional[str] = None,
    categorical_test: Optional[str] = None,
    threshold: Optional[float] = None,
    drift_share: float = 0.5,
    correction: Optional[str] = None,
    seed: int = 0,
    threads: Optional[int] = None,
    multivariate: Optional[str] = None,
    permutations: int = 100,
    chunk_size: Optional[int] = None,
    auc_threshold: float = 0.65,
    classifier_rows: int = 10_000,
    multivariate_only: bool = False,
) -> DriftReport:
    """Compares ``current`` with ``reference``, as ``seismo drift`` with the same options:
    per column the test that suits its kind and size, the prediction and target columns
    reported apart from the features, and with ``multivariate="mmd"``,
    ``"reconstruction"`` or ``"classifier"`` the columns' joint distribution too (the
    classifier's ROC AUC drifts above ``auc_threshold``; it uses at most ``classifier_rows``
    rows of each side). ``multivariate_only=True`` tests the joint distribution alone, without
    the per-column tests.

    Either side may be a :class:`Profile` (a saved profile, or one merged from partitions,
    as ``seismo.spark.profile`` makes): the columns are then compared sketch to sketch, as
    ``seismo drift`` does with a saved profile as the reference; the other side is profiled
    first if it is data."""
    # The options both the data and the profile paths take, in the native functions' order.
    common = (
        _names(prediction),
        _names(target),
        _names(ignore),
        numeric_test,
        categorical_test,
        threshold,
        drift_share,
        correction,
        seed,
    )
    if isinstance(reference, Profile) or isinstance(current, Profile):
        if multivariate is not None:
            raise SeismoError(
                "multivariate compares rows, so it needs the data; a profile keeps each "
                "column's summary only"
            )
        sides = [
            side if isinstance(side, Profile) else profile(side, threads=threads)
            for side in (reference, current)
        ]
        return DriftReport(
            *_seismo.drift_profiles_json(sides[0]._native, sides[1]._native, *common)
        )
    return DriftReport(
        *_seismo.drift_json(
            _data(reference), _data(current), *common, threads, multivariate, permutations,
            chunk_size, auc_threshold, classifier_rows, multivariate_only,
        )
    )


def estimate(
    reference: Data,
    current: Data,
    *,
    prediction: Union[str, Mapping[str, str]],
    target: str,
    time: Optional[str] = None,
    chunk: Union[None, int, str] = None,
    threshold: float = 0.5,
    metrics: Optional[Sequence[str]] = None,
    calibration: str = "auto",
    seed: int = 42,
    predicted_class: Optional[str] = None,
    threads: Optional[int] = None,
) -> EstimateReport:
    """Estimates a classifier's performance per chunk of ``current`` from its scores alone
    (CBPE, as NannyML), against the labelled ``reference``, as ``seismo estimate``.
    ``prediction`` is the score column of a binary model, or a mapping of each class to its
    probability column; ``chunk`` a number of rows or a period of ``time`` (``"1d"``)."""
    if isinstance(prediction, Mapping):
        prediction = [(str(k), str(v)) for k, v in prediction.items()]
    document, alert, page = _seismo.estimate_json(
        _data(reference),
        _data(current),
        prediction,
        target,
        time,
        chunk,
        threshold,
        None if metrics is None else list(metrics),
        calibration,
        seed,
        predicted_class,
        threads,
    )
    return EstimateReport(document, alert, page)


def validate(
    data: Data,
    rules: Union[str, "os.PathLike[str]"],
    *,
    reference: Optional[Data] = None,
    sample: int = 5,
    threads: Optional[int] = None,
    split: bool = False,
) -> ValidationReport:
    """Checks ``data`` against a rule file (``rules``: its path, or the TOML text itself), as
    ``seismo validate``; ``reference`` for the rules that compare with one (drift, new
    categories). With ``split``, the report also holds the quarantined rows (those that
    break a failed row-level rule of severity error) and the clean rest. Errors in the
    rules name their line and column."""
    return ValidationReport(
        *_seismo.validate_json(
            _data(data),
            os.fspath(rules),
            None if reference is None else _data(reference),
            sample,
            threads,
            split,
        )
    )


def history(
    data: Union[Data, Sequence[Data]],
    *,
    time: str,
    value: str,
    by: Optional[str] = None,
    markers: Union[None, str, "os.PathLike[str]"] = None,
    window: Optional[str] = None,
    max_gap: Optional[str] = None,
    penalty: float = 3.0,
    min_windows: int = 2,
    scale: str = "auto",
) -> HistoryReport:
    """Follows ``value`` over ``time`` in windows (``window="1h"``; by default the
    shortest that makes at most 500), finds where its level or spread changed, and names
    the event each change lines up with: a new value of ``by`` (a model version) or a row of
    ``markers`` (a CSV of ``time,label``: its path or its text), as ``seismo history``.
    ``data`` may be a list of inputs with the same columns (a log split across files)."""
    if isinstance(data, (list, tuple)):
        data = [_data(d) for d in data]
    else:
        data = _data(data)
    return HistoryReport(
        *_seismo.history_json(
            data,
            time,
            value,
            by,
            None if markers is None else os.fspath(markers),
            window,
            max_gap,
            penalty,
            min_windows,
            scale,
        )
    )


def test(
    data: Data,
    suite: Union[str, "os.PathLike[str]"],
    *,
    baseline: Optional[Data] = None,
    threads: Optional[int] = None,
) -> TestReport:
    """Runs a suite of slice tests (``suite``: its path, or the TOML text itself) on scored
    rows, as ``seismo test``: each test's metric on its slice against its threshold, and
    with ``baseline`` (the same rows scored by the production model) the regressions and the
    decisions that changed. To score the rows with an ONNX model first, pass them through
    :func:`score`."""
    return TestReport(
        *_seismo.test_json(
            _data(data),
            os.fspath(suite),
            None if baseline is None else _data(baseline),
            threads,
        )
    )


test.__test__ = False  # not a pytest test


def score(
    data: Data,
    model: Union[str, "os.PathLike[str]"],
    *,
    card: Union[None, str, "os.PathLike[str]"] = None,
    features: Union[None, str, Sequence[str]] = None,
    output_column: str = "prediction",
    threads: Optional[int] = None,
):
    """The rows of ``data`` with an ONNX model's predictions added (a ``pyarrow.Table``),
    as ``seismo score`` writes them: ``output_column`` holds a binary classifier's
    positive-class probability, another classifier's label or a regressor's value, then a
    ``probability_<class>`` column per class. The model's columns come from ``features``,
    the ``card`` (TOML), the ``.toml`` beside the model, or its input names."""
    return _seismo.score(
        _data(data),
        os.fspath(model),
        None if card is None else os.fspath(card),
        _names(features),
        output_column,
        threads,
    )


def robust(
    data: Data,
    model: Union[str, "os.PathLike[str]"],
    *,
    card: Union[None, str, "os.PathLike[str]"] = None,
    features: Union[None, str, Sequence[str]] = None,
    perturb: Union[None, str, Sequence[str]] = None,
    suite: Union[None, str, "os.PathLike[str]"] = None,
    reference: Optional[Data] = None,
    target: Optional[str] = None,
    metrics: Union[None, str, Sequence[str]] = None,
    by: Optional[str] = None,
    seed: int = 0,
    threshold: float = 0.5,
    max_flip_rate: float = 0.05,
    max_mean_change: Optional[float] = None,
    tolerance: float = 0.01,
    min_rows: int = 100,
    threads: Optional[int] = None,
    perturbed: bool = False,
) -> RobustReport:
    """Perturbs the rows (``perturb``: specs such as ``"gaussian:0.1"``,
    ``"missing:0.05"``, ``"adversarial:0.1"``; or a ``suite`` file, path or TOML text, whose
    settings take precedence) and reports how many of the ONNX model's decisions flip,
    overall and per value of ``by``, and with ``target`` how much each metric drops, as
    ``seismo robust``. The same ``seed`` gives the same report. ``perturbed=True`` keeps
    the rows the model saw (``--dump-perturbed``) on the report."""
    return RobustReport(
        *_seismo.robust_json(
            _data(data),
            os.fspath(model),
            None if card is None else os.fspath(card),
            _names(features),
            _names(perturb),
            None if suite is None else os.fspath(suite),
            None if reference is None else _data(reference),
            target,
            _names(metrics),
            by,
            seed,
            threshold,
            max_flip_rate,
            max_mean_change,
            tolerance,
            min_rows,
            threads,
            perturbed,
        )
    )
