"""How long the sample report takes, and where the time goes.

Runs ``outcomes report --sample`` as the command line does (the built-in plan on the simulated
DMT trial), in a fresh process per repeat, and times each stage: the imports, reading and
checking the data, each analysis of the plan, the tables, the figures, and writing the folder
(table files, figure files, the rest). Wall-clock seconds by ``perf_counter``.

    python benchmarks/report_speed.py --repeat 3

Prints a Markdown table (the median of the repeats per stage) for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time

# One repeat, in a fresh process: the stages' seconds as JSON on stdout.
_ONE_RUN = r"""
import json, sys, time
from pathlib import Path
start = time.perf_counter()
import outcomes.report
from outcomes.report import analyses, run, write
from outcomes import plots, tables
seconds = {"import": time.perf_counter() - start}

def timed(owner, name, stage):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[stage(*args)] = seconds.get(stage(*args), 0.0) + time.perf_counter() - t
    setattr(owner, name, wrapper)

for analysis in analyses.ANALYSES:
    timed(analysis, "run", lambda *a, n=analysis.name: f"analysis: {n}")
timed(run, "_load", lambda *a: "read the data")
timed(run, "check_against_data", lambda *a: "check the plan against the data")
timed(run, "make_tables", lambda *a: "make the tables")
timed(run, "make_figures", lambda *a: "draw the figures")
timed(tables, "write_table", lambda *a: "write: table files")
timed(plots, "save", lambda *a: "write: figure files")
t = time.perf_counter()
plan = outcomes.report.check_plan(None)
results = outcomes.report.run_plan(plan)
seconds["run (total)"] = time.perf_counter() - t
t = time.perf_counter()
write.write_report(results, Path(sys.argv[1]) / "report")
seconds["write (total)"] = time.perf_counter() - t
seconds["total"] = time.perf_counter() - start
print(json.dumps(seconds))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            t = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", _ONE_RUN, folder], capture_output=True, text=True, check=True
            )
            seconds = json.loads(out.stdout.strip().splitlines()[-1])
            seconds["process (wall)"] = time.perf_counter() - t
            runs.append(seconds)
    print(f"| stage | seconds (median of {args.repeat}) |")
    print("|---|---|")
    for stage in runs[0]:
        print(f"| {stage} | {statistics.median(r.get(stage, 0.0) for r in runs):.2f} |")


if __name__ == "__main__":
    main()
