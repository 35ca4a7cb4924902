#!/usr/bin/env python3
"""Oracle fixtures for seismo-stats: what scipy (and statsmodels for the multiple-testing
corrections) computes on the same samples.

Writes crates/stats/tests/fixtures/scipy.json. Small samples are stored inline (NaN as
null). Large ones (up to 10^5 values) are stored as a generator spec that the Rust tests
replay bit for bit: SplitMix64 bits, uniforms as (bits >> 11) / 2^53, and only IEEE
+ - * / and floor after that, so Python and Rust produce identical values without
shipping megabytes of numbers. Cases cover ties and duplicates, very unequal sizes, n from
1 to 10^5, identical and shifted samples, signed zeros, subnormals and values one ulp
apart, and each branch of scipy's kstwo.sf.

Change points are checked against the ruptures package (PELT and binary segmentation,
jump=1).

Run: python3 scripts/oracles/stats_scipy.py   (needs numpy, scipy, statsmodels, ruptures)
"""
import json
import math
import os

import numpy as np
import scipy
import scipy.spatial
import scipy.special
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "crates", "stats", "tests", "fixtures", "scipy.json")
MASK = (1 << 64) - 1


class SplitMix:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next_u64() >> 11) / 9007199254740992.0


def generate(spec):
    """Replayed in crates/stats/tests/stats/common.rs; keep the two in step."""
    rng = SplitMix(spec["seed"])
    n, loc, scale, kind = spec["n"], spec["loc"], spec["scale"], spec["gen"]
    out = []
    for _ in range(n):
        if kind == "uniform":
            v = loc + scale * rng.uniform()
        elif kind == "irwin_hall":  # sum of four uniforms: bell-shaped
            a, b, c, d = rng.uniform(), rng.uniform(), rng.uniform(), rng.uniform()
            v = loc + scale * (a + b + c + d - 2.0)
        elif kind == "skewed":
            u = rng.uniform()
            v = loc + scale * (u * u)
        elif kind == "ties":  # integers 0..k-1 with k = spec["k"]
            v = loc + scale * math.floor(rng.uniform() * spec["k"])
        else:
            raise ValueError(kind)
        out.append(v)
    return np.array(out)


def spec(gen, n, seed, loc=0.0, scale=1.0, **kw):
    return dict(gen=gen, n=n, seed=seed, loc=loc, scale=scale, **kw)


def materialize(sample):
    if isinstance(sample, dict) and "concat" in sample:
        parts = [materialize(part) for part in sample["concat"]]
        out = np.concatenate(parts)
        for index, value in sample.get("set", []):  # outliers
            out[index] = value
        return out
    if isinstance(sample, dict):
        return generate(sample)
    return np.array([np.nan if v is None else float(v) for v in sample], dtype=float)


def portable(sample):
    """Inline samples in JSON: NaN as null, infinities as the strings "inf" and "-inf"."""
    if isinstance(sample, dict):
        return sample
    return [v if v is None or math.isfinite(v) else ("inf" if v > 0 else "-inf") for v in sample]


def pair_cases():
    """(name, reference, current): inline lists or generator specs."""
    return [
        ("one_each", [1.0], [2.0]),
        ("one_vs_five", [3.0], [1.0, 2.0, 4.0, 5.0, 6.0]),
        ("tiny_ties", [1.0, 1.0, 2.0], [1.0, 2.0, 2.0, 2.0]),
        ("identical", [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]),
        ("all_one_value", [5.0] * 6, [5.0] * 3),
        ("disjoint", [1.0, 2.0, 3.0], [10.0, 11.0, 12.0, 13.0]),
        ("with_nan", [1.0, None, 2.5, 3.0, None, 0.5], [2.0, 2.2, None, 4.0, 3.3]),
        ("with_inf", [1.0, 2.0, float("inf"), 3.0], [float("-inf"), 0.5, 2.5, 2.6]),
        # Signed zeros are one value (issue 13): the same distribution up to sample size.
        ("signed_zeros", [0.0] * 50 + [1.0] * 50, [-0.0] * 50 + [1.0] * 60),
        ("signed_zeros_mixed", [-0.0, 0.0, 1.0, -0.0, 2.0, 0.0, -1.0], [0.0, 0.0, -0.0, 1.5, 2.0, -0.0]),
        # Subnormals, and values one unit in the last place apart (distinct values).
        ("subnormals", [5e-324, 1e-310, -5e-324, 0.0, 2.2250738585072014e-308, 1e-320, -0.0],
         [1e-320, -1e-310, 0.0, 5e-324, 1e-300, -5e-324]),
        ("last_bit", [1.0, 1.0000000000000002, 0.9999999999999999, 1.0, 1.0000000000000002, 1.0000000000000004],
         [1.0000000000000002, 1.0000000000000004, 1.0, 1.0000000000000002, 1.0000000000000007]),
        ("small_shift", spec("irwin_hall", 20, 1), spec("irwin_hall", 30, 2, loc=0.8)),
        ("equal_50", spec("uniform", 50, 3), spec("uniform", 50, 4, loc=0.1)),
        ("ties_300_1000", spec("ties", 300, 5, k=7), spec("ties", 1000, 6, k=7, loc=0.0)),
        ("ties_shifted", spec("ties", 800, 7, k=5), spec("ties", 900, 8, k=5, loc=1.0)),
        ("unequal_10_10000", spec("irwin_hall", 10, 9), spec("irwin_hall", 10000, 10)),
        ("equal_10000_shift", spec("irwin_hall", 10000, 11), spec("irwin_hall", 10000, 12, loc=0.05)),
        ("skewed_2000_3000", spec("skewed", 2000, 13), spec("uniform", 3000, 14)),
        ("unequal_20_20000", spec("irwin_hall", 20, 15), spec("irwin_hall", 20000, 16, loc=0.3)),
        ("large_same", spec("irwin_hall", 100000, 17), spec("irwin_hall", 100000, 18)),
        ("large_tiny_shift", spec("irwin_hall", 100000, 19), spec("irwin_hall", 100000, 20, loc=0.01)),
        ("large_shift", spec("irwin_hall", 50000, 21), spec("irwin_hall", 100000, 22, loc=0.2)),
        ("large_scale", spec("irwin_hall", 30000, 23), spec("irwin_hall", 40000, 24, scale=1.05)),
        ("large_ties", spec("ties", 60000, 25, k=20), spec("ties", 70000, 26, k=20)),
    ]


def clean(x):
    return x[~np.isnan(x)]


def finite_or_none(v):
    v = float(v)
    return v if math.isfinite(v) else None


def ks_cases():
    out = []
    for name, ref, cur in pair_cases():
        a, b = clean(materialize(ref)), clean(materialize(cur))
        methods = ["auto", "asymp"] + (["exact"] if max(len(a), len(b)) <= 20000 else [])
        for method in methods:
            r = stats.ks_2samp(a, b, method=method)
            if not math.isfinite(r.pvalue):
                # scipy's asymptotic p-value is NaN when n1*n2/(n1+n2) rounds to 0 (one value
                # each); seismo uses n = 1 there. Not an oracle case.
                continue
            out.append(dict(name=name, reference=portable(ref), current=portable(cur), method=method,
                            statistic=float(r.statistic), p_value=float(r.pvalue)))
    return out


def wasserstein_cases():
    out = []
    for name, ref, cur in pair_cases():
        a, b = clean(materialize(ref)), clean(materialize(cur))
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue  # scipy gives nan for infinite values; seismo documents its own rule
        w = stats.wasserstein_distance(a, b)
        # The reference's standard deviation exactly for inline samples (see exact_mean_var).
        sd = math.sqrt(float(exact_mean_var(a, 0)[1])) if isinstance(ref, list) else np.std(a)
        out.append(dict(name=name, reference=portable(ref), current=portable(cur), distance=float(w),
                        normalized=finite_or_none(w / sd) if sd > 0 else None))
    return out


def kstwo_grid():
    """kstwo.sf(d, n) across the regions scipy switches between."""
    out = []
    for n in [1, 2, 5, 10, 50, 100, 140, 141, 500, 1000, 5000, 20000, 100000, 100001, 400000]:
        for x in [0.5 / n, 0.7 / n, 1.0 / n, 1.5 / n, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.95,
                  math.sqrt(0.5 / n), math.sqrt(1.0 / n), math.sqrt(2.0 / n), math.sqrt(3.0 / n),
                  math.sqrt(5.0 / n), math.sqrt(20.0 / n), (1.0 / n) ** (2 / 3)]:
            if 0 < x < 1:
                out.append([n, x, float(stats.kstwo.sf(x, n))])
    return out


COUNT_TABLES = [
    ([30, 20, 50], [40, 25, 35]),
    ([10, 0, 5], [0, 0, 7]),  # an all-zero category (dropped) and a zero cell
    ([12, 8], [9, 11]),  # 2x2: Yates' correction applies
    ([1, 0], [0, 1]),
    ([500, 300, 150, 50], [480, 330, 140, 50]),
    ([1000, 1], [990, 30]),
    ([5], [7]),  # one category: no test possible, p = 1
    ([100000, 200000, 300000, 400000, 5], [110000, 190000, 305000, 395000, 0]),
]


def count_cases():
    out = []
    for ref, cur in COUNT_TABLES:
        cols = [i for i in range(len(ref)) if ref[i] + cur[i] > 0]
        table = np.array([[ref[i] for i in cols], [cur[i] for i in cols]])
        case = dict(reference=ref, current=cur)
        if table.shape[1] > 1:
            for key, lam in [("chi2", None), ("g_test", "log-likelihood")]:
                r = stats.chi2_contingency(table, lambda_=lam)
                case[key] = [float(r.statistic), float(r.pvalue)]
        else:
            case["chi2"] = case["g_test"] = [0.0, 1.0]
        out.append(case)
    return out


PROPORTIONS = [(30, 100, 45, 120), (0, 50, 3, 60), (500, 1000, 480, 1000), (999, 1000, 950, 1000), (1, 3, 2, 3)]
FISHER = [[[3, 1], [1, 3]], [[8, 2], [1, 5]], [[0, 5], [5, 0]], [[10, 10], [10, 10]], [[100, 2], [80, 20]],
          [[0, 0], [3, 4]], [[1, 9], [11, 3]], [[500, 300], [450, 350]]]


def proportion_cases():
    out = []
    for x1, n1, x2, n2 in PROPORTIONS:
        z, p = proportions_ztest([x1, x2], [n1, n2])
        out.append(dict(counts=[x1, n1, x2, n2], statistic=float(z), p_value=float(p)))
    return out


def fisher_cases():
    out = []
    for t in FISHER:
        r = stats.fisher_exact(t)
        out.append(dict(table=t, statistic=finite_or_none(r.statistic), p_value=float(r.pvalue)))
    return out


def exact_mean_var(x, ddof):
    """Mean and variance in rational arithmetic: exact, where numpy loses the digits of
    values that differ in the last bits (scipy warns of catastrophic cancellation)."""
    from fractions import Fraction
    x = [Fraction(float(v)) for v in x]
    mean = sum(x) / len(x)
    return mean, sum((v - mean) ** 2 for v in x) / (len(x) - ddof)


def welch_exact(a, b):
    """scipy's ttest_ind(equal_var=False) computed exactly up to the final sqrt and the
    Student t tail (scipy's own)."""
    (ma, va), (mb, vb) = exact_mean_var(a, 1), exact_mean_var(b, 1)
    sa, sb = va / len(a), vb / len(b)
    t = float(ma - mb) / math.sqrt(float(sa + sb))
    df = float((sa + sb) ** 2 / (sa ** 2 / (len(a) - 1) + sb ** 2 / (len(b) - 1)))
    return t, float(2 * stats.t.sf(abs(t), df))


def location_cases():
    out = []
    for name, ref, cur in pair_cases():
        a, b = clean(materialize(ref)), clean(materialize(cur))
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue
        case = dict(name=name, reference=portable(ref), current=portable(cur))
        if len(a) >= 2 and len(b) >= 2 and (np.var(a) > 0 or np.var(b) > 0):
            if isinstance(ref, list):  # inline: small, computed exactly
                case["t_test"] = list(welch_exact(a, b))
            else:
                r = stats.ttest_ind(a, b, equal_var=False)
                case["t_test"] = [float(r.statistic), float(r.pvalue)]
        small, large = min(len(a), len(b)), max(len(a), len(b))
        ties = len(np.unique(np.concatenate([a, b]))) < len(a) + len(b)
        exact_here = small <= 8 and not ties
        if not exact_here or large <= 2000:  # seismo stays exact only up to 2000
            r = stats.mannwhitneyu(a, b)
            case["mann_whitney"] = [float(r.statistic), float(r.pvalue)]
        case["energy"] = float(stats.energy_distance(a, b))
        if len(np.unique(np.concatenate([a, b]))) >= 2 and len(a) + len(b) >= 4:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = stats.anderson_ksamp([a, b])
            case["anderson"] = [float(r.statistic), float(r.pvalue)]
        if len(a) >= 2 and len(b) >= 2:
            r = stats.cramervonmises_2samp(a, b)
            case["cramer_von_mises"] = [float(r.statistic), float(r.pvalue)]
        out.append(case)
    return out


EMPTY_BIN_SHARE = 1e-4


def binned_distances(r_counts, c_counts):
    r, c = np.asarray(r_counts, float), np.asarray(c_counts, float)
    rp, cp = r / r.sum(), c / c.sum()
    rf, cf = np.maximum(rp, EMPTY_BIN_SHARE), np.maximum(cp, EMPTY_BIN_SHARE)
    return dict(
        psi=float(np.sum((cf - rf) * np.log(cf / rf))),
        kl=float(stats.entropy(rf, cf)),
        jensen_shannon=float(scipy.spatial.distance.jensenshannon(rp, cp)),
        hellinger=float(np.sqrt(np.sum((np.sqrt(rp) - np.sqrt(cp)) ** 2) / 2)),
        tvd=float(np.sum(np.abs(rp - cp)) / 2),
        linf=float(np.max(np.abs(rp - cp))),
    )


def histogram(a, b, edges):
    edges = np.unique(np.asarray(edges, float))
    count = lambda x: np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1)
    return edges, count(a), count(b)


def binned_cases():
    out = []
    for name, ref, cur in pair_cases():
        a, b = clean(materialize(ref)), clean(materialize(cur))
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue
        for binning in [dict(kind="quantile", bins=10), dict(kind="quantile", bins=4), dict(kind="fixed_width", bins=8)]:
            B = binning["bins"]
            if binning["kind"] == "quantile":
                edges = np.quantile(a, np.arange(1, B) / B)
            else:
                lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
                edges = np.linspace(lo, hi, B + 1)[1:-1]
            edges, rc, cc = histogram(a, b, edges)
            out.append(dict(name=name, reference=portable(ref), current=portable(cur), binning=binning,
                            edges=[float(e) for e in edges], reference_counts=[int(x) for x in rc],
                            current_counts=[int(x) for x in cc], **binned_distances(rc, cc)))
    # Categories: counts aligned by label, one label missing on each side.
    for r, c in [([50, 30, 20, 0], [45, 35, 15, 5]), ([1000, 1], [0, 1001]), ([7, 7, 7], [7, 7, 7])]:
        out.append(dict(name="categories", reference_counts=r, current_counts=c, **binned_distances(r, c)))
    return out


def changepoint_cases():
    import ruptures as rpt

    series = [
        ("mean_steps", dict(concat=[spec("irwin_hall", 150, 31), spec("irwin_hall", 100, 32, loc=2.0),
                                    spec("irwin_hall", 120, 33, loc=-1.0)])),
        ("small_mean_step", dict(concat=[spec("irwin_hall", 300, 34), spec("irwin_hall", 300, 35, loc=0.4)])),
        ("variance_step", dict(concat=[spec("irwin_hall", 200, 36), spec("irwin_hall", 200, 37, scale=4.0)])),
        ("mean_and_variance", dict(concat=[spec("irwin_hall", 120, 38), spec("irwin_hall", 80, 39, loc=3.0, scale=0.3),
                                           spec("irwin_hall", 100, 40, loc=3.0, scale=3.0)])),
        ("outliers", dict(concat=[spec("irwin_hall", 200, 41), spec("irwin_hall", 200, 42, loc=1.5)],
                          set=[[50, 9.0], [51, -8.0], [300, 12.0]])),
        ("flat", dict(concat=[spec("irwin_hall", 250, 43)])),
    ]
    out = []
    for name, s in series:
        x = materialize(s)
        n = len(x)
        var = float(np.var(x[: n // 4]))
        for cost in ["l2", "normal"]:
            for pen in ([3 * var * math.log(n), 10 * var * math.log(n)] if cost == "l2" else [3 * math.log(n), 10 * math.log(n)]):
                for min_size in [2, 5]:
                    pelt = rpt.Pelt(model=cost, min_size=min_size, jump=1).fit(x).predict(pen=pen)
                    binseg = rpt.Binseg(model=cost, min_size=min_size, jump=1).fit(x).predict(pen=pen)
                    out.append(dict(name=name, series=s, cost=cost, penalty=pen, min_size=min_size,
                                    pelt=pelt[:-1], binseg_penalty=binseg[:-1]))
            binseg = rpt.Binseg(model=cost, min_size=2, jump=1).fit(x).predict(n_bkps=2)
            out.append(dict(name=name, series=s, cost=cost, min_size=2, binseg_count=2, binseg=binseg[:-1]))
    return out


def correction_cases():
    rng = np.random.default_rng(3)
    sets = [
        [0.01, 0.04, 0.03, 0.005, 0.5],
        [0.2, 0.2, 0.2, 0.01, 0.01],  # ties
        [1e-10, 0.9, 0.049, 0.051, 1.0],
        [0.03],
        list(rng.uniform(0, 0.1, 40)),
    ]
    out = []
    for ps in sets:
        case = dict(p_values=[float(p) for p in ps])
        for method, key in [("bonferroni", "bonferroni"), ("holm", "holm"), ("fdr_bh", "bh")]:
            _, adjusted, _, _ = multipletests(ps, alpha=0.05, method=method)
            case[key] = [float(p) for p in adjusted]
        out.append(case)
    return out


def main():
    data = dict(
        versions=dict(scipy=scipy.__version__, numpy=np.__version__),
        ks=ks_cases(),
        kstwo=kstwo_grid(),
        wasserstein=wasserstein_cases(),
        corrections=correction_cases(),
        counts=count_cases(),
        proportions=proportion_cases(),
        fisher=fisher_cases(),
        location=location_cases(),
        binned=binned_cases(),
        changepoints=changepoint_cases(),
        bessel_k_quarter=[[q, float(scipy.special.kve(0.25, q) * np.exp(-2 * q))] for q in [1e-3, 0.01, 0.1, 0.5, 1, 2, 5, 10, 50, 200]],
    )
    with open(OUT, "w") as f:
        json.dump(data, f, indent=0, allow_nan=False)
    print("wrote", OUT, os.path.getsize(OUT), "bytes;", len(data["ks"]), "ks cases,", len(data["kstwo"]), "kstwo points")


if __name__ == "__main__":
    main()
