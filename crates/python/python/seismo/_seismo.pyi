"""Type stubs of the native module (crates/python/src/)."""

from typing import Any, Optional, Sequence, Tuple, Union

__version__: str

class SeismoError(ValueError): ...

class Profile:
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> "Profile": ...
    def merge(self, other: "Profile") -> None: ...
    def summary_json(self) -> str: ...

def profile(data: Any, threads: Optional[int] = None) -> Profile: ...
def drift_json(
    reference: Any,
    current: Any,
    prediction: Sequence[str] = ...,
    target: Sequence[str] = ...,
    ignore: Sequence[str] = ...,
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
    classifier_rows: int = 10000,
    multivariate_only: bool = False,
) -> Tuple[str, bool, str]: ...
def drift_profiles_json(
    reference: Profile,
    current: Profile,
    prediction: Sequence[str] = ...,
    target: Sequence[str] = ...,
    ignore: Sequence[str] = ...,
    numeric_test: Optional[str] = None,
    categorical_test: Optional[str] = None,
    threshold: Optional[float] = None,
    drift_share: float = 0.5,
    correction: Optional[str] = None,
    seed: int = 0,
) -> Tuple[str, bool, str]: ...
def estimate_json(
    reference: Any,
    current: Any,
    prediction: Union[str, Sequence[Tuple[str, str]]],
    target: str,
    time: Optional[str] = None,
    chunk: Union[None, int, str] = None,
    threshold: float = 0.5,
    metrics: Optional[Sequence[str]] = None,
    calibration: str = "auto",
    seed: int = 42,
    predicted_class: Optional[str] = None,
    threads: Optional[int] = None,
) -> Tuple[str, bool, str]: ...
def validate_json(
    data: Any,
    rules: str,
    reference: Optional[Any] = None,
    sample: int = 5,
    threads: Optional[int] = None,
    split: bool = False,
) -> Tuple[str, bool, str, Optional[Tuple[Any, Any]]]: ...
def history_json(
    data: Any,
    time: str,
    value: str,
    by: Optional[str] = None,
    markers: Optional[str] = None,
    window: Optional[str] = None,
    max_gap: Optional[str] = None,
    penalty: float = 3.0,
    min_windows: int = 2,
    scale: str = "auto",
) -> Tuple[str, bool, str]: ...
def test_json(
    data: Any,
    suite: str,
    baseline: Optional[Any] = None,
    threads: Optional[int] = None,
) -> Tuple[str, bool, str, str]: ...
def score(
    data: Any,
    model: str,
    card: Optional[str] = None,
    features: Sequence[str] = ...,
    output_column: str = "prediction",
    threads: Optional[int] = None,
) -> Any: ...
def robust_json(
    data: Any,
    model: str,
    card: Optional[str] = None,
    features: Sequence[str] = ...,
    perturb: Sequence[str] = ...,
    suite: Optional[str] = None,
    reference: Optional[Any] = None,
    target: Optional[str] = None,
    metrics: Sequence[str] = ...,
    by: Optional[str] = None,
    seed: int = 0,
    threshold: float = 0.5,
    max_flip_rate: float = 0.05,
    max_mean_change: Optional[float] = None,
    tolerance: float = 0.01,
    min_rows: int = 100,
    threads: Optional[int] = None,
    perturbed: bool = False,
) -> Tuple[str, bool, str, str, Optional[Tuple[Any, Any]]]: ...
