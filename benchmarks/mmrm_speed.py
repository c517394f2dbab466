"""Benchmark: MMRM (REML, unstructured, Satterthwaite) on simulated trials of growing size.

The design of the issue's table: two arms, a baseline covariate, 6 post-baseline visits, monotone
dropout; ``CHG ~ BASE + ARM * VISIT + us(VISIT | SUBJECT)``. Times the fit plus Satterthwaite
inference of the treatment difference at every visit (``contrasts``), from a DataFrame in memory.

Run::

    python benchmarks/mmrm_speed.py [--subjects 200 2000 20000 100000]

``--write DIR`` also writes each data set as CSV, for timing R on the same data.
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

import outcomes

VISITS = 6


def simulate(n_subjects: int, seed: int = 1) -> pd.DataFrame:
    """A two-arm trial: UN covariance (variance rising, correlation decaying), 20% dropout."""
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n_subjects)
    base = rng.normal(30, 5, n_subjects)
    t = np.arange(VISITS)
    sd = 4 + 0.8 * t
    corr = 0.8 ** np.abs(t[:, None] - t[None, :]) * 0.7 + 0.3 * np.eye(VISITS)
    cov = sd[:, None] * corr * sd[None, :]
    noise = rng.multivariate_normal(np.zeros(VISITS), cov, n_subjects)
    mean = (
        -2 - 1.5 * t[None, :] - arm[:, None] * (0.5 + 0.6 * t[None, :]) - 0.2 * (base[:, None] - 30)
    )
    chg = mean + noise
    last = np.where(rng.random(n_subjects) < 0.2, rng.integers(1, VISITS, n_subjects), VISITS)
    keep = t[None, :] < last[:, None]
    subj, vis = np.nonzero(keep)
    return pd.DataFrame(
        {
            "SUBJECT": subj,
            "ARM": np.where(arm[subj] == 1, "DRUG", "PLACEBO"),
            "VISIT": pd.Categorical([f"V{v + 1}" for v in vis]),
            "BASE": base[subj],
            "CHG": chg[subj, vis],
        }
    )


def main() -> None:
    """Run and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, nargs="+", default=[200, 2000, 20000, 100000])
    parser.add_argument("--write", type=Path, default=None)
    args = parser.parse_args()
    print(
        f"outcomes {outcomes.__version__}, Python {platform.python_version()}, {platform.machine()}"
    )
    print("| subjects | observations | fit + Satterthwaite contrasts (s) | peak memory (GB) |")
    print("|---|---|---|---|")
    for n in args.subjects:
        data = simulate(n)
        if args.write is not None:
            args.write.mkdir(parents=True, exist_ok=True)
            data.to_csv(args.write / f"mmrm_{n}.csv", index=False)
        start = time.perf_counter()
        fit = outcomes.mmrm(
            "CHG ~ BASE + ARM * VISIT + us(VISIT | SUBJECT)", data, arm="ARM", reference="PLACEBO"
        )
        fit.contrasts("ARM", by="VISIT")
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        print(f"| {n:,} | {len(data):,} | {seconds:.2f} | {peak:.2f} |", flush=True)


if __name__ == "__main__":
    main()
