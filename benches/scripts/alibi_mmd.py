#!/usr/bin/env python3
"""The Alibi Detect side of compare_mmd.sh: read both files, standardise on the reference
(as seismo does), MMDDrift with the PyTorch backend on the CPU, 100 permutations; print the
statistic and p-value.

Run: ALIBI_PYTHON=/tmp/torch/bin/python (torch, alibi-detect, pandas, pyarrow)
"""
import sys

import numpy as np
import pandas as pd
import torch
from alibi_detect.cd import MMDDrift

reference = pd.read_parquet(sys.argv[1]).to_numpy(np.float64)
current = pd.read_parquet(sys.argv[2]).to_numpy(np.float64)
mean, sd = reference.mean(axis=0), reference.std(axis=0, ddof=1)
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else torch.get_num_threads())
detector = MMDDrift((reference - mean) / sd, backend="pytorch", n_permutations=100, device="cpu")
result = detector.predict((current - mean) / sd, return_p_val=True, return_distance=True)["data"]
print(f"MMD² {float(result['distance']):.6g} p-value {float(result['p_val']):.4g}")
