#!/usr/bin/env python3
"""Generate the two months `seismo estimate` is shown on (README, docs/estimate.md).

- examples/december.parquet: December's 5,000 customers, scored by the same model as the
  reference month (scripts/make_examples.py's generators). From 2026-12-16 a broker
  campaign brings in applicants with thin files: high card utilization and low credit
  scores, whose true risk of default sits near one half. The model is still right about
  them (the relationship between features and default is unchanged: a covariate shift), but
  near one half no model can be sure, so its accuracy and ranking fall. Labels (defaults)
  are known for the first half of the month only: from 2026-12-16 `label` is null, not yet
  logged. CBPE sees the fall from the scores alone.
  `--labels PATH` also writes the month with every label, to check the estimate against
  what the labels later show.
- examples/concept.parquet: January's 5,000 customers, drawn as the reference's. From
  2027-01-16 a downturn makes every customer likelier to default at the same features (true
  log-odds + 1.2): a concept shift. The scores do not move, so the estimate does not either,
  while the realized accuracy falls: what CBPE cannot see.

Run: python3 scripts/make_estimate_examples.py [--labels /tmp/december_labelled.parquet]
     (needs numpy, pandas, pyarrow; seeded)
"""
import argparse
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_examples import N, OUT, customers, log_odds, scored  # noqa: E402

CAMPAIGN = pd.Timestamp("2026-12-16", tz="UTC")
DOWNTURN = pd.Timestamp("2027-01-16", tz="UTC")


def december(rng):
    month = customers(rng, N, "2026-12-01", 31, 300_001)
    brokered = (month["timestamp"] >= CAMPAIGN).to_numpy() & (rng.random(N) < 0.6)
    k = int(brokered.sum())
    month.loc[brokered, "utilization"] = np.round(rng.beta(6, 3, k), 4)
    month.loc[brokered, "credit_score"] = np.clip(rng.normal(560, 40, k), 300, 850).round().astype(np.int64)
    month = scored(month, rng)
    labelled = month.copy()
    month["label"] = month["label"].astype("Int64")
    month.loc[month["timestamp"] >= CAMPAIGN, "label"] = pd.NA
    return month, labelled, k


def january(rng):
    month = customers(rng, N, "2027-01-01", 31, 400_001)
    z = log_odds(month) + rng.normal(0, 0.35, N)
    # The model scores with the relationship it learned...
    month["score"] = np.round(1 / (1 + np.exp(-(z + rng.normal(0, 0.5, N)))), 6)
    # ...while after the downturn the same customers default more often.
    shifted = z + 1.2 * (month["timestamp"] >= DOWNTURN).to_numpy()
    month["label"] = (rng.random(N) < 1 / (1 + np.exp(-shifted))).astype(np.int64)
    month["model_version"] = "1.4.0"
    return month[[c for c in month.columns if c not in ("label", "score", "model_version")]
                 + ["label", "score", "model_version"]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", help="also write December with every label here")
    args = parser.parse_args()
    rng = np.random.default_rng(20261203)
    month, labelled, k = december(rng)
    month.to_parquet(os.path.join(OUT, "december.parquet"), index=False)
    if args.labels:
        labelled.to_parquet(args.labels, index=False)
    print(f"december: {len(month)} rows, {k} brokered from {CAMPAIGN.date()}, "
          f"{int(month['label'].isna().sum())} without a label yet")
    concept = january(rng)
    concept.to_parquet(os.path.join(OUT, "concept.parquet"), index=False)
    print(f"concept: {len(concept)} rows, default odds x{np.exp(1.2):.2f} from {DOWNTURN.date()}")


if __name__ == "__main__":
    main()
