"""Benchmark: reading, validating and scoring a large trial file, and deriving from it.

Simulates a trial with the package's own simulator, writes it in the long layout as CSV and
Parquet, and times ``outcomes.read`` (read + validate + score) and ``outcomes.derive`` on it.

Run::

    python benchmarks/read_validate.py [--subjects-per-arm N ...]

and copy the table it prints into benchmarks/README.md with the date and machine.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import outcomes
from outcomes.io.formats import write_table
from outcomes.io.layouts import long
from outcomes.sample.simulate import simulate_trial


def _timed(fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def run(n_per_arm: int, folder: Path) -> list[str]:
    """Time one trial size; returns the table rows."""
    sim = simulate_trial(n_per_arm=n_per_arm, seed=1)
    carrier = outcomes.TrialData(
        sim.frame,
        sim.schedule,
        sim.events,
        {n: outcomes.instruments.get(n) for n in sim.frame["instrument"].unique()},
        sim.covariates,
    )
    table = long.to_table(carrier)
    rows = []
    for suffix in ("csv", "parquet"):
        path = folder / f"trial_{n_per_arm}.{suffix}"
        write_table(table, path)
        trial, seconds = _timed(outcomes.read, path, schedule=sim.schedule)
        _, derive_seconds = _timed(outcomes.derive, trial)
        rows.append(
            f"| {2 * n_per_arm:,} | {len(table):,} | {len(trial.frame):,} | {suffix} | "
            f"{seconds:.2f} | {derive_seconds:.2f} |"
        )
    return rows


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects-per-arm", type=int, nargs="+", default=[100, 1000, 10000])
    args = parser.parse_args()
    print(
        f"outcomes {outcomes.__version__}, Python {platform.python_version()}, {platform.machine()}"
    )
    print(
        "| subjects | file rows | assessments | format | read + validate + score (s) | derive (s) |"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.subjects_per_arm:
            for row in run(n, Path(tmp)):
                print(row, flush=True)


if __name__ == "__main__":
    main()
