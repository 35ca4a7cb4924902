"""`seismo history` on real, human-annotated series, against ruptures, side by side.

The series are from the Turing Change Point Dataset (van den Burg & Williams 2020, "An
evaluation of change point detection algorithms"): the ones whose licences allow
redistribution are in benches/tcpd/ (byte-identical to TCPD's files: their md5 sums
are TCPD's checksums), with the annotations of each series; the Nile series comes from
statsmodels (R's `Nile`, the same data as TCPD's `nile`).

Each series is written as a table of one row per time step (`t` = day i from 2000-01-01,
`v` the value; a missing value is an empty cell) and read by

    seismo history SERIES.csv --time t --value v --window 1d --format json

so every window holds one value. F1 is TCPDBench's: margin 5, the start (index 0) counts
as a change point in the predictions and in every annotation, precision against the union
of the annotators, recall averaged over annotators.

"no change" reports nothing: what a detector that finds nothing scores. ruptures runs on
the z-scored series (missing values interpolated) with penalty
2·ln n: PELT and binary segmentation, model l2, min_size 2, jump 1.

Usage: python3 scripts/history_benchmark.py [path/to/seismo]   (default target/release/seismo)
Prints a Markdown table and writes benches/tcpd/results.json.
"""

import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import ruptures as rpt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "benches", "tcpd")
MARGIN = 5


def series():
    """(name, values with None for missing) of every benchmark series, sorted by name."""
    out = {}
    for file in sorted(os.listdir(DATA)):
        if file.endswith(".json") and file not in ("annotations.json", "results.json"):
            data = json.load(open(os.path.join(DATA, file)))
            out[data["name"]] = data["series"][0]["raw"]
    import statsmodels.api as sm

    out["nile"] = [float(v) for v in sm.datasets.nile.load_pandas().data["volume"]]
    return dict(sorted(out.items()))


def true_positives(truth, predicted, margin=MARGIN):
    """Annotated points matched by a prediction within `margin`, each prediction once."""
    left = set(predicted)
    found = set()
    for tau in sorted(truth):
        close = sorted((abs(tau - x), x) for x in left if abs(tau - x) <= margin)
        if close:
            found.add(tau)
            left.remove(close[0][1])
    return found


def f1(annotations, predicted):
    """TCPDBench's F-measure (alpha 0.5)."""
    per_annotator = [set(a) | {0} for a in annotations.values()]
    union = set().union(*per_annotator)
    predicted = set(predicted) | {0}
    precision = len(true_positives(union, predicted)) / len(predicted)
    recall = sum(
        len(true_positives(a, predicted)) / len(a) for a in per_annotator
    ) / len(per_annotator)
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def seismo(binary, values):
    """Change points (indices) that `seismo history` finds, one value per day."""
    with tempfile.TemporaryDirectory() as dir:
        path = os.path.join(dir, "series.csv")
        with open(path, "w") as f:
            f.write("t,v\n")
            for i, v in enumerate(values):
                day = np.datetime64("2000-01-01") + np.timedelta64(i, "D")
                f.write(f"{day},{'' if v is None else repr(float(v))}\n")
        run = subprocess.run(
            [binary, "history", path, "--time", "t", "--value", "v", "--window", "1d",
             "--format", "json"],
            capture_output=True, text=True,
        )
        if run.returncode not in (0, 1):
            raise SystemExit(f"seismo failed: {run.stderr}")
        report = json.loads(run.stdout)
    start = np.datetime64("2000-01-01T00:00:00")
    return sorted(
        int((np.datetime64(c["time"].rstrip("Z")) - start) / np.timedelta64(1, "D"))
        for c in report["change_points"]
    )


def ruptures(values, algorithm):
    x = np.array([np.nan if v is None else float(v) for v in values])
    idx = np.arange(len(x))
    x[np.isnan(x)] = np.interp(idx[np.isnan(x)], idx[~np.isnan(x)], x[~np.isnan(x)])
    z = (x - x.mean()) / x.std()
    penalty = 2 * math.log(len(z))
    algo = {"pelt": rpt.Pelt, "binseg": rpt.Binseg}[algorithm](model="l2", min_size=2, jump=1)
    return [b for b in algo.fit(z).predict(pen=penalty) if b < len(z)]


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "seismo")
    annotations = json.load(open(os.path.join(DATA, "annotations.json")))
    rows = []
    for name, values in series().items():
        found = {
            "no change (start only)": [],
            "seismo": seismo(binary, values),
            "ruptures PELT": ruptures(values, "pelt"),
            "ruptures BinSeg": ruptures(values, "binseg"),
        }
        scores = {k: f1(annotations[name], v) for k, v in found.items()}
        rows.append({"series": name, "n": len(values), "found": found, "f1": scores})
    methods = list(rows[0]["f1"])
    print("| series | n | " + " | ".join(methods) + " |")
    print("|---|---|" + "---|" * len(methods))
    for r in rows:
        print(f"| {r['series']} | {r['n']} | " + " | ".join(f"{r['f1'][m]:.3f}" for m in methods) + " |")
    means = {m: sum(r["f1"][m] for r in rows) / len(rows) for m in methods}
    print("| **mean** | | " + " | ".join(f"**{means[m]:.3f}**" for m in methods) + " |")
    json.dump({"rows": rows, "mean_f1": means}, open(os.path.join(DATA, "results.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
