"""Benchmark: multiple imputation (``outcomes.multiple_imputation``) on simulated trials.

The MMRM benchmark's trial (``mmrm_speed.simulate``: two arms, baseline, 6 visits, ~20% monotone
dropout) with ``CHG ~ BASE * VISIT + ARM * VISIT + us(VISIT | SUBJECT)`` as imputation model and
jump to reference for every dropout. Times 1,000 approximate-Bayesian imputations with their
pooled per-visit ANCOVA, a 21-point tipping-point grid on them, and conditional mean imputation
with its jackknife (one REML refit per subject, on all cores).

Run::

    python benchmarks/mi_speed.py [--subjects 200 2000] [--imputations 1000]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from mmrm_speed import simulate

import outcomes

FORMULA = "CHG ~ BASE * VISIT + ARM * VISIT + us(VISIT | SUBJECT)"


def main() -> None:
    """Run and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--imputations", type=int, default=1000)
    args = parser.parse_args()
    print(f"outcomes {outcomes.__version__}, {os.cpu_count()} cores")
    columns = [
        "subjects",
        "bayes, M = 1,000 (s)",
        "tipping grid, 21 deltas (s)",
        "condmean + jackknife (s)",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|")
    for n in args.subjects:
        data = simulate(n)
        kwargs = dict(arm="ARM", reference="PLACEBO", strategy="J2R")
        start = time.perf_counter()
        mi = outcomes.multiple_imputation(
            FORMULA, data, n_imputations=args.imputations, seed=1, **kwargs
        )
        mi.contrasts()
        bayes = time.perf_counter() - start
        start = time.perf_counter()
        mi.tipping_point(np.linspace(0, 10, 21), visit="V6")
        grid = time.perf_counter() - start
        start = time.perf_counter()
        outcomes.multiple_imputation(FORMULA, data, method="condmean", **kwargs).contrasts()
        condmean = time.perf_counter() - start
        print(f"| {n:,} | {bayes:.2f} | {grid:.2f} | {condmean:.1f} |", flush=True)


if __name__ == "__main__":
    main()
