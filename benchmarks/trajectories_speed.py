"""Benchmark: trajectory models (``outcomes.lmm``, ``outcomes.gee``) on simulated trials.

Two arms, a baseline covariate, 8 assessments per subject at jittered days over 12 weeks, ~20%
monotone dropout; the change follows a random intercept and slope per subject. Times
``lmm("chg ~ base + arm * weeks", random="1 + weeks")`` (fit, polish, Satterthwaite table) and
``gee("chg ~ base + arm * weeks", correlation="exchangeable")`` (fit, robust table), from a
DataFrame in memory.

Run::

    python benchmarks/trajectories_speed.py [--subjects 200 2000 20000] [--write DIR]

``--write DIR`` also writes each data set as CSV, for timing R on the same data
(``Rscript benchmarks/trajectories_speed_r.R DIR/trajectories_200.csv ...``).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

import outcomes

DAYS = np.array([2, 8, 15, 16, 22, 29, 57, 85])


def simulate(n_subjects: int, seed: int = 1) -> pd.DataFrame:
    """Random intercept (SD 7) and slope (SD 0.6 per week), residual SD 3, 20% dropout."""
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n_subjects)
    base = rng.normal(31, 5, n_subjects)
    day = DAYS[None, :] + rng.integers(-2, 3, (n_subjects, len(DAYS)))
    weeks = day / 7
    intercept = rng.normal(0, 7, n_subjects)[:, None]
    slope = rng.normal(0, 0.6, n_subjects)[:, None]
    mean = -4 - 8 * arm[:, None] - (0.4 - 0.5 * arm[:, None]) * weeks - 0.2 * (base[:, None] - 31)
    chg = mean + intercept + slope * weeks + rng.normal(0, 3, weeks.shape)
    last = np.where(rng.random(n_subjects) < 0.2, rng.integers(1, len(DAYS), n_subjects), 8)
    subj, vis = np.nonzero(np.arange(len(DAYS))[None, :] < last[:, None])
    return pd.DataFrame(
        {
            "subject": subj,
            "arm": np.where(arm[subj] == 1, "DMT", "PLACEBO"),
            "base": base[subj],
            "weeks": weeks[subj, vis],
            "visit": vis + 1,
            "chg": chg[subj, vis],
        }
    )


def _time(call) -> float:  # noqa: ANN001 - a zero-argument callable
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    """Run and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, nargs="+", default=[200, 2000, 20000])
    parser.add_argument("--write", type=Path, default=None)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, outcomes {outcomes.__version__}")
    print("| subjects | observations | lmm (s) | gee (s) |")
    print("|---|---|---|---|")
    for n in args.subjects:
        data = simulate(n)
        if args.write:
            args.write.mkdir(parents=True, exist_ok=True)
            data.to_csv(args.write / f"trajectories_{n}.csv", index=False)
        lmm_s = _time(
            lambda d=data: outcomes.lmm(
                "chg ~ base + arm * weeks",
                d,
                subject="subject",
                random="1 + weeks",
                reference="PLACEBO",
            ).to_frame()
        )
        gee_s = _time(
            lambda d=data: outcomes.gee(
                "chg ~ base + arm * weeks", d, subject="subject", reference="PLACEBO"
            ).to_frame()
        )
        print(f"| {n:,} | {len(data):,} | {lmm_s:.2f} | {gee_s:.2f} |", flush=True)


if __name__ == "__main__":
    main()
