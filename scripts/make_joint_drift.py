#!/usr/bin/env python3
"""Generate examples/joint.parquet: a month whose every column looks like the reference's,
but whose rows do not hang together.

November's 5,000 customers are drawn from the same distributions as the reference month
(scripts/make_examples.py's generators) and scored by the same model. Then an upstream join
bug attaches each customer's credit score to another customer: every column keeps its
distribution, so every per-column test passes, but the model's score no longer goes with the
credit score it was computed from. `seismo drift --multivariate mmd` finds it.

Run: python3 scripts/make_joint_drift.py   (needs numpy, pandas, pyarrow; seeded)
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_examples import N, OUT, customers, scored  # noqa: E402


def main():
    rng = np.random.default_rng(20261201)
    month = scored(customers(rng, N, "2026-11-01", 30, 200_001), rng)
    # The join bug: credit scores matched to the wrong customers.
    month["credit_score"] = rng.permutation(month["credit_score"].to_numpy())
    month.to_parquet(os.path.join(OUT, "joint.parquet"), index=False)
    print(f"joint: {len(month)} rows, credit_score shuffled between customers")


if __name__ == "__main__":
    main()
