#!/usr/bin/env python3
"""Oracle for `seismo drift` with a forced test: what scipy gives per column of the bundled
example data (examples/reference.parquet against examples/current.parquet).

For each test name and each column it applies to, the statistic and p-value (null for
distances), computed the way docs/drift.md says seismo computes them: ordered tests on the
values; count tests on value counts (numbers counted by value); binned distances on the
reference's deciles (numpy linear quantiles, right-closed bins, empty shares floored at 1e-4
for PSI and KL); Wasserstein divided by the reference's population standard deviation.

Writes crates/drift/tests/fixtures/scipy_forced.json.
Run: python3 scripts/oracles/drift_scipy.py   (needs numpy, pandas, pyarrow, scipy, statsmodels)
"""
import json
import os
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon
from statsmodels.stats.proportion import proportions_ztest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "crates", "drift", "tests", "fixtures", "scipy_forced.json")
IGNORE = {"id", "timestamp", "model_version"}


def counts(a, b):
    ca, cb = pd.Series(a).value_counts(), pd.Series(b).value_counts()
    labels = sorted(set(ca.index) | set(cb.index), key=str)
    return np.array([ca.get(l, 0) for l in labels], float), np.array([cb.get(l, 0) for l in labels], float)


def binned(a, b):
    edges = np.unique(np.quantile(a, np.arange(1, 10) / 10))
    count = lambda x: np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1).astype(float)
    return count(a), count(b)


def distances(r, c):
    rp, cp = r / r.sum(), c / c.sum()
    rf, cf = np.maximum(rp, 1e-4), np.maximum(cp, 1e-4)
    return dict(
        psi=float(np.sum((cf - rf) * np.log(cf / rf))),
        kl=float(stats.entropy(rf, cf)),
        jensen_shannon=float(jensenshannon(rp, cp)),
        hellinger=float(np.sqrt(np.sum((np.sqrt(rp) - np.sqrt(cp)) ** 2) / 2)),
        tvd=float(np.sum(np.abs(rp - cp)) / 2),
        linf=float(np.max(np.abs(rp - cp))),
    )


def main():
    ref = pd.read_parquet(os.path.join(ROOT, "examples", "reference.parquet"))
    cur = pd.read_parquet(os.path.join(ROOT, "examples", "current.parquet"))
    out = {}
    for name in ref.columns:
        if name in IGNORE:
            continue
        a, b = ref[name].to_numpy(), cur[name].to_numpy()
        numeric = ref[name].dtype.kind in "if"
        results = {}
        if numeric:
            a, b = a.astype(float), b.astype(float)
            r = stats.ks_2samp(a, b)
            results["ks"] = [float(r.statistic), float(r.pvalue)]
            r = stats.ttest_ind(a, b, equal_var=False)
            results["t_test"] = [float(r.statistic), float(r.pvalue)]
            r = stats.mannwhitneyu(a, b)
            results["mann_whitney"] = [float(r.statistic), float(r.pvalue)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = stats.anderson_ksamp([a, b])
            results["anderson"] = [float(r.statistic), float(r.pvalue)]
            r = stats.cramervonmises_2samp(a, b)
            results["cramer_von_mises"] = [float(r.statistic), float(r.pvalue)]
            results["energy"] = [float(stats.energy_distance(a, b)), None]
            results["wasserstein"] = [float(stats.wasserstein_distance(a, b) / np.std(a)), None]
            rc, cc = binned(a, b)
        else:
            a, b = a.astype(str), b.astype(str)
            if ref[name].dtype == bool:
                a, b = np.char.lower(a), np.char.lower(b)
            rc, cc = counts(a, b)
        for key, value in distances(rc, cc).items():
            results[key] = [value, None]
        lr, lc = counts(a, b)
        table = np.array([lr, lc])
        for key, lam in [("chi2", None), ("g_test", "log-likelihood")]:
            r = stats.chi2_contingency(table, lambda_=lam)
            results[key] = [float(r.statistic), float(r.pvalue)]
        if len(lr) == 2:
            z, p = proportions_ztest([lr[0], lc[0]], [lr.sum(), lc.sum()])
            results["z"] = [float(z), float(p)]
            r = stats.fisher_exact(table.astype(int))
            results["fisher"] = [float(r.statistic), float(r.pvalue)]
        out[name] = results
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
