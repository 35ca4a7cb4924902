#!/usr/bin/env python3
"""A candidate model for the slice-testing example: examples/candidate.parquet holds the
September rows of examples/reference.parquet (the validation month, with labels), scored by
a release candidate "1.5.0-rc" instead of the signed-off 1.4.0 (whose scores are in
examples/reference.parquet and serve as the baseline).

The candidate is better overall: it combines 1.4.0's view with a second read of the
features, which averages away some of the error of each. But for
customers of the `branch` channel a feature pipeline broke: it scores them without their
credit score, so it ranks them worse than 1.4.0 did. A slice that regresses
while the overall metric improves: `seismo test` with examples/suite.toml and
`--baseline examples/reference.parquet` reports it, and `seismo slices find` surfaces it.

Run: python3 scripts/make_candidate.py   (numpy, pandas, pyarrow; seeded)
"""
import os

import numpy as np
import pandas as pd

from make_examples import log_odds

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "examples")

rng = np.random.default_rng(1_500)
df = pd.read_parquet(os.path.join(EXAMPLES, "reference.parquet"))
features = log_odds(df)
without_bureau = log_odds(df, credit_score=False)
branch = df["channel"] == "branch"
# The candidate averages 1.4.0's view with a second, independent read of the features: two
# noisy estimates make a better one.
baseline = np.log(df["score"] / (1 - df["score"]))
better = 0.4 * baseline + 0.6 * (features + rng.normal(0, 0.2, len(df)))
z = np.where(branch, without_bureau + rng.normal(0, 0.2, len(df)), better)
df["score"] = np.round(1 / (1 + np.exp(-z)), 6)
df["model_version"] = "1.5.0-rc"
df.to_parquet(os.path.join(EXAMPLES, "candidate.parquet"), index=False)
print(f"wrote examples/candidate.parquet: {len(df)} rows, {int(branch.sum())} of them branch customers")
