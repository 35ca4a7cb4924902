#!/usr/bin/env python3
"""scipy's time for the kernels of benches/benches/kernels.rs on the same arrays.

The arrays are rebuilt with the Irwin-Hall generator the Rust bench uses (same SplitMix64
bits, same arithmetic), so both sides see identical values. Prints the median of N runs.

Run: python3 benches/scripts/scipy_kernels.py   (needs numpy, scipy)
"""
import time
import warnings

import numpy as np
import scipy
from scipy import stats


def irwin_hall(n, seed, loc, scale):
    # Vectorised SplitMix64: state_k = seed + k * gamma, then the mixer.
    gamma = np.uint64(0x9E3779B97F4A7C15)
    k = np.arange(1, 4 * n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + k * gamma
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype(np.float64) / 9007199254740992.0
    u = u.reshape(n, 4)
    return loc + scale * (((u[:, 0] + u[:, 1]) + u[:, 2]) + u[:, 3] - 2.0)


def median_time(f, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


reference = irwin_hall(1_000_000, 1, 0.0, 1.0)
current = irwin_hall(1_000_000, 2, 0.01, 1.0)
print(f"scipy {scipy.__version__}, numpy {np.__version__}")
cases = [
    ("ks_2samp", lambda: stats.ks_2samp(reference, current), 7),
    ("wasserstein", lambda: stats.wasserstein_distance(reference, current), 7),
    ("mann_whitney_u", lambda: stats.mannwhitneyu(reference, current), 5),
    ("welch_t_test", lambda: stats.ttest_ind(reference, current, equal_var=False), 7),
    ("cramer_von_mises", lambda: stats.cramervonmises_2samp(reference, current), 3),
    ("anderson_ksamp", lambda: stats.anderson_ksamp([reference, current]), 3),
    ("energy_distance", lambda: stats.energy_distance(reference, current), 5),
    ("np.sort", lambda: np.sort(reference), 7),
]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for name, f, runs in cases:
        print(f"{name:18s} median {median_time(f, runs) * 1e3:9.1f} ms")
