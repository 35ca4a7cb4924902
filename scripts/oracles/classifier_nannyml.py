#!/usr/bin/env python3
"""Oracle for `seismo drift --multivariate classifier`: NannyML 0.13.1's
DomainClassifierCalculator (LightGBM with NannyML's default hyperparameters, 5 stratified
folds, the ROC AUC of the pooled out-of-fold scores) with one chunk holding all the current
rows, and LightGBM's gain importance on the pooled rows (to compare which columns tell the
rows apart).

The learners differ (seismo: smartcore's random forest; NannyML: LightGBM), so the AUCs are
compared within a tolerance and the verdicts at 0.65 must agree, not the bits (see
docs/multivariate.md).

Cases (each a reference and a current Parquet file and the columns tested):
- the example month against the join-bug month (credit scores shuffled between customers);
- the example month against the drifted `current.parquet`;
- no drift: the example month's first 2,500 rows against its last 2,500;
- with missing values: reconstruction_{reference,current}_nulls.parquet;
- real data: scikit-learn's breast-cancer set (the first 300 tumours against the other 269),
  wine set (class 0 against class 1) and diabetes set (women against men, sex left out).

Writes crates/drift/tests/fixtures/classifier_nannyml.json and the Parquet files of the
cases that are not already in the repository (classifier_*.parquet beside it).

Run: python3 -m venv /tmp/nml && /tmp/nml/bin/pip install nannyml==0.13.1 statsmodels \
         "pandas<3" pyarrow scikit-learn
     /tmp/nml/bin/python scripts/oracles/classifier_nannyml.py
"""
import json
import os
import warnings

os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"

import lightgbm
import numpy as np
import pandas as pd
import nannyml as nml
from nannyml.drift.multivariate.domain_classifier.calculator import DEFAULT_LGBM_HYPERPARAMS
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

warnings.filterwarnings("ignore")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLES = os.path.join(ROOT, "examples")
FIXTURES = os.path.join(ROOT, "crates", "drift", "tests", "fixtures")
EXAMPLE_COLUMNS = ["age", "income", "credit_score", "tenure_months", "num_products", "balance",
                   "utilization", "country", "channel", "is_active", "label", "score"]


def nannyml_auc(reference, current, columns):
    calc = nml.DomainClassifierCalculator(feature_column_names=columns, chunk_size=len(current))
    calc.fit(reference)
    result = calc.calculate(current).filter(period="analysis").to_df()
    assert len(result) == 1, result
    return float(result[("domain_classifier_auroc", "value")].iloc[0])


def lightgbm_gain(reference, current, columns):
    """LightGBM's gain importance, as NannyML's classifier would fit it on all the rows."""
    x = pd.concat([reference[columns], current[columns]], ignore_index=True)
    categorical = [c for c in columns if x[c].dtype == object or str(x[c].dtype) in ("category", "bool")]
    for c in categorical:
        x[c] = x[c].astype("category")
    y = np.concatenate([np.zeros(len(reference)), np.ones(len(current))])
    params = dict(DEFAULT_LGBM_HYPERPARAMS)
    params.pop("silent", None)
    params["importance_type"] = "gain"
    params["verbosity"] = -1
    model = lightgbm.LGBMClassifier(**params).fit(x, y, categorical_feature=categorical or "auto")
    gain = model.feature_importances_ / model.feature_importances_.sum()
    return dict(zip(columns, (float(g) for g in gain)))


def write(name, frame):
    path = os.path.join(FIXTURES, f"classifier_{name}.parquet")
    frame.to_parquet(path, index=False)
    return os.path.relpath(path, os.path.join(ROOT, "crates", "drift"))


def example(name):
    return os.path.relpath(os.path.join(EXAMPLES, name), os.path.join(ROOT, "crates", "drift"))


def cases():
    reference = pd.read_parquet(os.path.join(EXAMPLES, "reference.parquet"))
    yield "join_bug", example("reference.parquet"), example("joint.parquet"), EXAMPLE_COLUMNS
    yield "drifted", example("reference.parquet"), example("current.parquet"), EXAMPLE_COLUMNS
    first, last = reference.iloc[:2500], reference.iloc[2500:]
    yield ("no_drift", write("first_half", first), write("last_half", last), EXAMPLE_COLUMNS)
    nulls = os.path.relpath(os.path.join(FIXTURES, "reconstruction_{}_nulls.parquet"),
                            os.path.join(ROOT, "crates", "drift"))
    yield "nulls", nulls.format("reference"), nulls.format("current"), EXAMPLE_COLUMNS

    cancer = load_breast_cancer()
    names = [f"f{i}" for i in range(cancer.data.shape[1])]
    frame = pd.DataFrame(cancer.data, columns=names)
    yield ("breast_cancer", write("cancer_first", frame.iloc[:300]),
           write("cancer_rest", frame.iloc[300:]), names)

    wine = load_wine()
    names = [f"f{i}" for i in range(wine.data.shape[1])]
    frame = pd.DataFrame(wine.data, columns=names)
    yield ("wine", write("wine_class0", frame[wine.target == 0]),
           write("wine_class1", frame[wine.target == 1]), names)

    diabetes = load_diabetes(scaled=False)
    frame = pd.DataFrame(diabetes.data, columns=diabetes.feature_names)
    names = [c for c in diabetes.feature_names if c != "sex"]
    women, men = frame[frame["sex"] == 1.0][names], frame[frame["sex"] == 2.0][names]
    yield "diabetes_by_sex", write("diabetes_1", women), write("diabetes_2", men), names


def main():
    out = {}
    for name, reference_path, current_path, columns in cases():
        base = os.path.join(ROOT, "crates", "drift")
        reference = pd.read_parquet(os.path.join(base, reference_path))
        current = pd.read_parquet(os.path.join(base, current_path))
        out[name] = {
            "reference": reference_path,
            "current": current_path,
            "columns": columns,
            "reference_rows": len(reference),
            "current_rows": len(current),
            "auc": nannyml_auc(reference, current, columns),
            "gain": lightgbm_gain(reference, current, columns),
        }
        print(name, out[name]["auc"])
    with open(os.path.join(FIXTURES, "classifier_nannyml.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
