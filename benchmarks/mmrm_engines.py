"""Benchmark: the MMRM on data an engine holds (polars, DuckDB from Parquet) against pandas.

The design of ``mmrm_speed.py`` (two arms, baseline, 6 visits, 20% monotone dropout;
``CHG ~ BASE + ARM * VISIT + us(VISIT | SUBJECT)``, REML, Satterthwaite contrasts at every
visit). Each size is simulated once and written as Parquet (untimed); then each way of fitting
runs in a fresh process, which reads the file and fits:

- ``pandas``: ``pd.read_parquet`` then ``outcomes.mmrm`` in memory;
- ``polars``: ``pl.scan_parquet`` (a LazyFrame) given to ``outcomes.mmrm``; polars runs the
  aggregation;
- ``duckdb``: the Parquet path given to ``outcomes.mmrm``; DuckDB reads and aggregates it out of
  core.

Wall-clock seconds (read + fit + contrasts) and the process's peak resident memory.

Run::

    python benchmarks/mmrm_engines.py --subjects 100000 1000000 --ways pandas polars duckdb
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMULA = "CHG ~ BASE + ARM * VISIT + us(VISIT | SUBJECT)"


def _fit(way: str, path: str) -> None:
    """In the child process: read and fit one way, print seconds and peak RSS as JSON."""
    start = time.perf_counter()
    import outcomes

    if way == "pandas":
        import pandas as pd

        data: object = pd.read_parquet(path)
    elif way == "polars":
        import polars as pl

        data = pl.scan_parquet(path)
    else:
        data = path
    fit = outcomes.mmrm(FORMULA, data, arm="ARM", reference="PLACEBO")
    fit.contrasts("ARM", by="VISIT")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(json.dumps({"seconds": seconds, "peak_gb": peak, "n_obs": fit.n_obs}))


def main() -> None:
    """Simulate, write Parquet, time each way in its own process, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--ways", nargs="+", default=["pandas", "polars", "duckdb"])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _fit(*args.child)
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from mmrm_speed import simulate

    print(f"Python {platform.python_version()}, {platform.machine()}")
    print("| subjects | rows | way | seconds | peak GB |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for n in args.subjects:
            path = str(Path(folder) / f"trial_{n}.parquet")
            data = simulate(n)
            data["VISIT"] = data["VISIT"].astype(str)
            data["SUBJECT"] = data["SUBJECT"].astype("int64")
            data.to_parquet(path, row_group_size=500_000)
            rows = len(data)
            del data
            for way in args.ways:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", way, path],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if out.returncode:
                    print(f"| {n:,} | {rows:,} | {way} | failed: {out.stderr[-200:]!r} | |")
                    continue
                got = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"| {n:,} | {rows:,} | {way} | {got['seconds']:.2f} | {got['peak_gb']:.2f} |")


if __name__ == "__main__":
    main()
