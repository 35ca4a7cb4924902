#!/usr/bin/env python3
"""Generate the bundled example data in examples/.

A credit-risk model: features of a customer, the model's `score` (probability of default)
and the `label` (defaulted or not). `reference.*` is the validation month the model was
signed off on; `current.*` is the following month in production, which carries three
realistic faults that seismo's commands should find:

1. drifted feature: `income` is ~30% higher (an upstream change reports gross, not net).
2. broken feature: `credit_score` holds the sentinel -1 in ~0.6% of rows (a join that
   fails silently writes a default) -- invalid, since scores live in [300, 850].
3. shifted prediction: from 2026-10-16 release 1.5.0 serves `score` in percent, i.e.
   100x the probability, while the application keeps making decisions on it.

Everything else is drawn from the same distributions in both files.

Run: python3 scripts/make_examples.py   (needs numpy, pandas, pyarrow; seeded, so
repeatable). Writes Parquet and CSV copies of both datasets.
"""
import os

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "examples")
N = 5000

COUNTRIES = ["DE", "FR", "ES", "IT", "NL"]
COUNTRY_P = [0.35, 0.25, 0.15, 0.15, 0.10]
CHANNELS = ["web", "app", "branch"]
CHANNEL_P = [0.5, 0.35, 0.15]


def customers(rng, n, start, days, first_id):
    age = np.clip(rng.normal(45, 14, n), 18, 90).round().astype(np.int64)
    income = np.round(rng.lognormal(10.6, 0.45, n), 2)
    credit_score = np.clip(rng.normal(680, 60, n), 300, 850).round().astype(np.int64)
    tenure = np.clip(rng.exponential(40, n), 0, 240).round().astype(np.int64)
    products = np.clip(rng.poisson(1.2, n) + 1, 1, 4).astype(np.int64)
    balance = np.round(np.maximum(0, rng.normal(8000, 5000, n)), 2)
    utilization = np.round(rng.beta(2, 5, n), 4)
    country = rng.choice(COUNTRIES, n, p=COUNTRY_P)
    channel = rng.choice(CHANNELS, n, p=CHANNEL_P)
    active = rng.random(n) < 0.8
    seconds = np.sort(rng.integers(0, days * 86400, n))
    ts = pd.Timestamp(start, tz="UTC") + pd.to_timedelta(seconds, unit="s")
    return pd.DataFrame(
        {
            "id": np.arange(first_id, first_id + n, dtype=np.int64),
            "timestamp": ts,
            "age": age,
            "income": income,
            "credit_score": credit_score,
            "tenure_months": tenure,
            "num_products": products,
            "balance": balance,
            "utilization": utilization,
            "country": country,
            "channel": channel,
            "is_active": active,
        }
    )


def log_odds(df, credit_score=True):
    """The log-odds of default the features explain (without the credit score term when
    `credit_score` is false: what a model that lost that feature sees)."""
    z = (
        -2.2
        - (0.012 * (df["credit_score"] - 680) if credit_score else 0.0)
        + 2.5 * (df["utilization"] - 0.28)
        - 0.35 * (np.log(df["income"]) - 10.6)
        - 0.008 * (df["tenure_months"] - 40)
        + 0.3 * (df["channel"] == "app")
        - 0.25 * df["is_active"]
    )
    return z


def risk(df, rng):
    """The true log-odds of default, from the *true* (unbroken) features."""
    return log_odds(df) + rng.normal(0, 0.35, len(df))


def scored(df, rng):
    z = risk(df, rng)
    p_true = 1 / (1 + np.exp(-z))
    df["label"] = (rng.random(len(df)) < p_true).astype(np.int64)
    # The model sees the features with some error of its own.
    z_model = z + rng.normal(0, 0.5, len(df))
    df["score"] = np.round(1 / (1 + np.exp(-z_model)), 6)
    df["model_version"] = "1.4.0"
    return df


def main():
    rng = np.random.default_rng(20261123)
    reference = scored(customers(rng, N, "2026-09-01", 30, 1), rng)

    current = customers(rng, N, "2026-10-01", 31, 100_001)
    current["income"] = np.round(current["income"] * 1.3, 2)  # fault 1: drift
    current = scored(current, rng)
    broken = rng.random(N) < 0.006
    current.loc[broken, "credit_score"] = -1  # fault 2: invalid values
    release = current["timestamp"] >= pd.Timestamp("2026-10-16", tz="UTC")
    current.loc[release, "model_version"] = "1.5.0"
    current.loc[release, "score"] = current.loc[release, "score"] * 100  # fault 3

    os.makedirs(OUT, exist_ok=True)
    for name, df in [("reference", reference), ("current", current)]:
        df.to_parquet(os.path.join(OUT, f"{name}.parquet"), index=False)
        out = df.copy()
        out["timestamp"] = out["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        out.to_csv(os.path.join(OUT, f"{name}.csv"), index=False)
        print(f"{name}: {len(df)} rows, {df.shape[1]} columns")
    print(f"broken credit_score rows: {int(broken.sum())}; rows served by 1.5.0: {int(release.sum())}")


if __name__ == "__main__":
    main()
