"""The change-point search of `seismo history` beside ruptures, on the same long series of one
value per window, in one run.

Three series of N values (default 100,000; seed 7):
  shifts  level shifts of 1 standard deviation every 10,000 values, Gaussian noise;
  steady  Gaussian noise, no change at all (where PELT cannot prune);
  trend   a slow trend with a weekly cycle and three level shifts.

seismo: `cargo run --release -p seismo-benches --bin search` (the library's `detect` with
the defaults of `seismo history`: flat-or-straight segments, cycle removal, noise
correction), best of 3. ruptures: PELT and binary segmentation, model "l2", penalty
2·ln n on the z-scored series, min_size 2, with ruptures' default jump (5) and with jump 1,
one run each, stopped after TIMEOUT seconds (default 300).

Usage: python3 benches/scripts/history_search_speed.py [N] [TIMEOUT]
Needs numpy and ruptures, and `cargo build --release -p seismo-benches --bin search`.
"""

import json
import math
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make(kind, n, rng):
    x = rng.normal(0.0, 1.0, n)
    t = np.arange(n)
    if kind == "shifts":
        x += ((t // 10_000) % 2).astype(float)
    elif kind == "trend":
        x += 5.0 * t / n + 2.0 * np.sin(2 * np.pi * t / 7)
        for at in (n // 4, n // 2, 3 * n // 4):
            x[at:] += 1.5
    return 100.0 + x


def ruptures_run(z, algorithm, jump, queue):
    import ruptures as rpt

    clock = time.perf_counter()
    algo = {"pelt": rpt.Pelt, "binseg": rpt.Binseg}[algorithm](model="l2", min_size=2, jump=jump)
    found = algo.fit(z).predict(pen=2 * math.log(len(z)))
    queue.put((time.perf_counter() - clock, len(found) - 1))


def ruptures_timed(x, algorithm, jump, timeout):
    z = (x - x.mean()) / x.std()
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=ruptures_run, args=(z, algorithm, jump, queue))
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.terminate()
        return None, None
    return queue.get()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 300.0
    binary = os.path.join(ROOT, "target", "release", "search")
    rng = np.random.default_rng(7)
    print(f"| series (n = {n:,}) | seismo | ruptures PELT, jump 5 | ruptures PELT, jump 1 | ruptures BinSeg, jump 5 |")
    print("|---|---|---|---|---|")
    for kind in ("shifts", "steady", "trend"):
        x = make(kind, n, rng)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("\n".join(repr(float(v)) for v in x))
            path = f.name
        run = subprocess.run([binary, path, "3"], capture_output=True, text=True, check=True)
        os.unlink(path)
        ours = json.loads(run.stdout)
        cells = [f"{ours['seconds']:.3f} s ({len(ours['change_points'])} changes)"]
        for algorithm, jump in (("pelt", 5), ("pelt", 1), ("binseg", 5)):
            seconds, count = ruptures_timed(x, algorithm, jump, timeout)
            cells.append(
                f"> {timeout:.0f} s (stopped)" if seconds is None else f"{seconds:.2f} s ({count} changes)"
            )
        print(f"| {kind} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
