"""Benchmark: a small trial's MMRM, ours against R mmrm in the same run.

The design of ``mmrm_speed.py`` at 200 subjects (two arms, baseline, 6 visits, 20% monotone
dropout; ``CHG ~ BASE + ARM * VISIT + us(VISIT | SUBJECT)``, REML), the size of most
psychedelic trials, where the fixed cost of a fit is what counts (simulation studies, refits,
tipping grids multiply it). Times the fit plus the treatment difference at every visit, with
Satterthwaite and with Kenward-Roger df: one warm-up fit, then ``--repeat`` timed fits in one
process, median and minimum. Then the same data, in the same run, through
``mmrm_small_r.R`` (R mmrm with emmeans), when ``Rscript`` and R's mmrm are installed.

Run::

    python benchmarks/mmrm_small.py [--subjects 200] [--repeat 20]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import outcomes

HERE = Path(__file__).parent
FORMULA = "CHG ~ BASE + ARM * VISIT + us(VISIT | SUBJECT)"
METHODS = {"Satterthwaite": "satterthwaite", "Kenward-Roger": "kenward-roger"}


def _ours(data: object, df: str, repeat: int) -> tuple[float, float, float, float]:
    def once() -> tuple[float, float]:
        fit = outcomes.mmrm(FORMULA, data, df=df, arm="ARM", reference="PLACEBO")
        last = fit.contrasts("ARM", by="VISIT").iloc[-1]
        return float(last["estimate"]), float(last["std_error"])

    once()
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        estimate, se = once()
        seconds.append(time.perf_counter() - start)
    return float(np.median(seconds)), min(seconds), estimate, se


def _r(path: Path, repeat: int) -> dict[str, list[str]]:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return {}
    out = subprocess.run(
        [rscript, "--vanilla", str(HERE / "mmrm_small_r.R"), str(path), str(repeat)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line.split("\t") for line in out.stdout.splitlines() if line.startswith("RESULT")]
    if not lines:
        print(f"R mmrm did not run: {out.stderr.strip()[-300:]}")
    return {p[1]: p[2:] for p in lines}


def main() -> None:
    """Time ours, then R mmrm on the same file, and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from mmrm_speed import simulate

    data = simulate(args.subjects)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "small.csv"
        data.to_csv(path, index=False)
        r = _r(path, args.repeat)
    print(f"Python {platform.python_version()}, outcomes {outcomes.__version__}")
    print(f"{args.subjects} subjects, {len(data):,} observations, median of {args.repeat} fits")
    print()
    print(
        "| df | outcomes median (min) | R mmrm median (min) | R / outcomes "
        "| last-visit estimate, SE |"
    )
    print("|---|---|---|---|---|")
    for label, df in METHODS.items():
        median, low, estimate, se = _ours(data, df, args.repeat)
        theirs = r.get(label)
        if theirs:
            r_median, r_low = float(theirs[0]), float(theirs[1])
            ratio = f"{r_median / median:.1f}x"
            r_cell = f"{r_median:.3f} s ({r_low:.3f})"
            check = f"{estimate:.6f}, {se:.6f} (R: {float(theirs[2]):.6f}, {float(theirs[3]):.6f})"
        else:
            r_cell, ratio, check = "not run", "", f"{estimate:.6f}, {se:.6f}"
        print(f"| {label} | {median:.3f} s ({low:.3f}) | {r_cell} | {ratio} | {check} |")
    if r:
        print()
        print(next(iter(r.values()))[-1])


if __name__ == "__main__":
    main()
