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

The series fall in two sets. **development**: the eight series the method was designed
and its default penalty chosen on (issue 15). **held out**: brent_spot, co2_canada and
gdp_croatia, added after the method was fixed and run once with it, unchanged: a check on
data the design never saw. The table reports the mean of each set and of all.

"no change" reports nothing: what a detector that finds nothing scores. ruptures runs on
the z-scored series (missing values interpolated) with penalty
2·ln n: PELT and binary segmentation, model l2, min_size 2, jump 1.

Usage: python3 scripts/history_benchmark.py [path/to/seismo] [--penalty X]
(default target/release/seismo). Prints a Markdown table and writes benches/tcpd/results.json;
with --penalty, runs seismo with that penalty and writes nothing, adding the totals of
change points found, true ones matched (against the union of annotators), precision and
recall: how the penalty trades false alarms for misses.
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
HELD_OUT = {"brent_spot", "co2_canada", "gdp_croatia"}


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


def seismo(binary, values, penalty=None):
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
             "--format", "json"] + ([] if penalty is None else ["--penalty", str(penalty)]),
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
    args = sys.argv[1:]
    penalty = None
    if "--penalty" in args:
        at = args.index("--penalty")
        penalty = float(args[at + 1])
        del args[at : at + 2]
    binary = args[0] if args else os.path.join(ROOT, "target", "release", "seismo")
    annotations = json.load(open(os.path.join(DATA, "annotations.json")))
    rows = []
    for name, values in series().items():
        found = {
            "no change (start only)": [],
            "seismo": seismo(binary, values, penalty),
            "ruptures PELT": ruptures(values, "pelt"),
            "ruptures BinSeg": ruptures(values, "binseg"),
        }
        scores = {k: f1(annotations[name], v) for k, v in found.items()}
        held_out = "held out" if name in HELD_OUT else "development"
        rows.append({"series": name, "set": held_out, "n": len(values), "found": found, "f1": scores})
    methods = list(rows[0]["f1"])
    print("| series | set | n | " + " | ".join(methods) + " |")
    print("|---|---|---|" + "---|" * len(methods))
    for r in rows:
        print(f"| {r['series']} | {r['set']} | {r['n']} | " + " | ".join(f"{r['f1'][m]:.3f}" for m in methods) + " |")
    means = {}
    for label, chosen in [("development", "development"), ("held out", "held out"), ("all", None)]:
        subset = [r for r in rows if chosen is None or r["set"] == chosen]
        means[label] = {m: sum(r["f1"][m] for r in subset) / len(subset) for m in methods}
        print(f"| **mean, {label}** | | {len(subset)} series | " + " | ".join(f"**{means[label][m]:.3f}**" for m in methods) + " |")
    if penalty is not None:
        found = sum(len(r["found"]["seismo"]) for r in rows)
        true = sum(len(set().union(*map(set, annotations[r["series"]].values()))) for r in rows)
        hit = sum(
            len(true_positives(set().union(*map(set, annotations[r["series"]].values())), r["found"]["seismo"]))
            for r in rows
        )
        print(f"penalty {penalty}: {found} change points found, {hit} of them match one of the {true} "
              f"annotated (union of annotators): precision {hit / max(found, 1):.2f}, recall {hit / true:.2f}")
        return
    json.dump({"rows": rows, "mean_f1": means}, open(os.path.join(DATA, "results.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
