"""Benchmark: reading, validating and scoring a large trial file, and deriving from it.

Simulates a trial with the package's own simulator, writes it in the long layout as CSV and
Parquet, and times ``outcomes.read`` (read + validate + score) and ``outcomes.derive`` on it.

Run::

    python benchmarks/read_validate.py [--subjects-per-arm N ...]

and copy the table it prints into benchmarks/README.md with the date and machine.

Registry mode (the issue's scenario): a long Parquet file of N subjects x 8 visits (BASELINE,
WEEK 1 .. WEEK 7), two arms, MADRS as a total (``madrs_total``, "totals") or as its ten items
(``MADRS01``..``MADRS10``, ~2% of questionnaires with one blank item, "items"); each size is
written (not timed), then read and derived in a fresh subprocess that reports the seconds of
``outcomes.read(path)`` and ``outcomes.derive(trial)`` and its peak resident memory::

    python benchmarks/read_validate.py --registry --subjects 10000 100000 1000000 \
        --variants totals items --profile 100000 --results benchmarks/results

``--repeat R`` runs each measurement R times (a shared machine's load shows in the wall-clock
seconds; CPU seconds are reported beside them). A watchdog stops a measurement whose process
holds more than ``--max-rss-gb`` (19) or leaves the machine under 1 GB. Per variant, at N
subjects:

``--stages N``
    times the package's main functions during one read, unprofiled (own and inclusive seconds,
    how far each raised the peak memory): ``results/read_stages_<variant>_<N>.txt``/``.json``.
``--lines N``
    times each statement of the largest of them, loop bodies included:
    ``results/read_lines_<variant>_<N>.txt``.
``--profile N``
    runs ``outcomes.read`` under cProfile and saves the top 40 functions by cumulative and by
    own time, and the seconds per package function: ``results/read_profile_<variant>_<N>.txt``
    (and ``.prof``).

Every timing is appended to ``results/read_registry_timings.csv`` with the git commit and how
many files under ``outcomes/`` differed from it (read-only git commands).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
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


#: The registry file's visits and their study days (weekly from day 1).
VISITS: tuple[str, ...] = ("BASELINE", *(f"WEEK {i}" for i in range(1, 8)))
#: Its arms.
ARMS: tuple[str, ...] = ("PSILOCYBIN", "PLACEBO")
#: Share of questionnaires with one blank item (items variant).
BLANK_SHARE = 0.02


def write_registry(path: Path, n_subjects: int, variant: str, seed: int = 1) -> int:
    """Write the registry-size long Parquet file; returns its number of rows.

    ``subject`` ("S0000001"), ``arm`` (two arms), ``visit`` (BASELINE, WEEK 1 .. WEEK 7),
    ``study_day`` (1, 8, 15, ...), and either ``madrs_total`` (0-60, "totals") or ``MADRS01`` ..
    ``MADRS10`` (0-6 each, ~2% of questionnaires with one blank item, "items").
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    if variant not in ("totals", "items"):
        raise ValueError(f"variant must be 'totals' or 'items', not {variant!r}")
    rng = np.random.default_rng(seed)
    n_visits = len(VISITS)
    n_rows = n_subjects * n_visits
    ids = np.char.add("S", np.char.zfill(np.arange(1, n_subjects + 1).astype(str), 7))
    on_drug = rng.random(n_subjects) < 0.5
    # a plausible course: baseline ~30, improving by week, more on the active arm
    base = rng.normal(30, 6, n_subjects)
    weeks = np.arange(n_visits)
    slope = np.where(on_drug, -2.0, -1.0)
    mean = base[:, None] + slope[:, None] * weeks[None, :]
    columns: dict[str, pa.Array] = {
        "subject": pa.array(np.repeat(ids, n_visits)),
        "arm": pa.array(np.repeat(np.where(on_drug, ARMS[0], ARMS[1]), n_visits)),
        "visit": pa.array(np.tile(np.array(VISITS), n_subjects)),
        "study_day": pa.array(np.tile(1 + 7 * weeks, n_subjects).astype(np.int64)),
    }
    if variant == "totals":
        total = np.clip(np.rint(mean.ravel() + rng.normal(0, 4, n_rows)), 0, 60)
        columns["madrs_total"] = pa.array(total.astype(np.int64))
    else:
        per_item = (mean.ravel() / 10)[:, None] + rng.normal(0, 1, (n_rows, 10))
        items = np.clip(np.rint(per_item), 0, 6).astype(np.int8)
        blank = np.zeros((n_rows, 10), dtype=bool)
        rows = np.flatnonzero(rng.random(n_rows) < BLANK_SHARE)
        blank[rows, rng.integers(0, 10, rows.size)] = True
        for j in range(10):
            columns[f"MADRS{j + 1:02d}"] = pa.array(items[:, j], mask=blank[:, j])
    pq.write_table(pa.table(columns), path)
    return n_rows


def _peak_gb() -> float:
    """Peak resident memory of this process (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def _timed_cpu(fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
    """``fn``'s result, wall-clock seconds and CPU seconds of this process."""
    cpu, start = time.process_time(), time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start, time.process_time() - cpu


def measure(path: Path) -> dict[str, object]:
    """Read and derive one file in this (fresh) process: seconds and peak memory.

    CPU seconds are reported beside wall-clock ones: on a shared 2-core machine other work
    stretches the wall-clock time, hardly the CPU time.
    """
    load = os.getloadavg()[0]
    start_gb = _peak_gb()
    trial, read_seconds, read_cpu = _timed_cpu(outcomes.read, path)
    read_gb = _peak_gb()
    _, derive_seconds, derive_cpu = _timed_cpu(outcomes.derive, trial)
    problems = trial.problems
    counts = problems["code"].value_counts().to_dict() if len(problems) else {}
    return {
        "read_s": round(read_seconds, 3),
        "read_cpu_s": round(read_cpu, 3),
        "derive_s": round(derive_seconds, 3),
        "derive_cpu_s": round(derive_cpu, 3),
        "peak_gb_before": round(start_gb, 3),
        "peak_gb_after_read": round(read_gb, 3),
        "peak_gb": round(_peak_gb(), 3),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "assessments": len(trial.frame),
        "problems": {str(k): int(v) for k, v in counts.items()},
    }


def profile(path: Path, out: Path, top: int = 40) -> float:  # returns CPU seconds
    """cProfile ``outcomes.read(path)``; write the top functions by cumulative and own time.

    The profiler's clock is this process's CPU time, so that other work on the machine does not
    move the shares; the wall-clock time under the profiler is reported in the file's first line.
    """
    profiler = cProfile.Profile(time.process_time)
    start, cpu = time.perf_counter(), time.process_time()
    profiler.enable()
    outcomes.read(path)
    profiler.disable()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    profiler.dump_stats(out.with_suffix(".prof"))
    text = io.StringIO()
    text.write(
        f"outcomes.read({path.name}) under cProfile (CPU-time clock): {seconds:.2f} s wall-clock, "
        f"{cpu:.2f} s CPU, load average {os.getloadavg()[0]:.2f}\n\n"
    )
    for order in ("cumulative", "tottime"):
        text.write(f"=== top {top} by {order} ===\n")
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order).print_stats(top)
    own = _own_time_by_package_function(profiler)
    text.write(
        "=== seconds per outcomes function: own time + library code it runs (see docstring) ===\n"
    )
    for name, (own_s, cum_s) in own[:top]:
        text.write(f"{own_s:9.3f} s own+lib  {cum_s:9.3f} s cumulative  {name}\n")
    out.with_suffix(".txt").write_text(text.getvalue(), encoding="utf-8")
    return cpu


def _own_time_by_package_function(profiler: cProfile.Profile) -> list:  # noqa: ANN401
    """Seconds per ``outcomes`` function: its own time and that of the library code it runs.

    Each function's own time (``tottime``) goes to the innermost ``outcomes`` function above it
    on the stack; where a library function is called from several places its time is split in
    proportion to each caller's share (of its own time at the first step, of its cumulative time
    further up), as cProfile keeps one level of callers only. Comprehensions and lambdas count
    as the function that defines them. Returns ``[(label, (seconds, cumulative)), ...]``, largest
    first; the seconds add up to the profiled total (``<not in outcomes>`` for the rest).
    """
    import ast

    stats = pstats.Stats(profiler).stats
    root = str(Path(outcomes.__file__).parent)
    enclosing: dict[str, list[tuple[int, int, str]]] = {}

    def enclosing_def(file: str, line: int) -> str:
        if file not in enclosing:
            tree = ast.parse(Path(file).read_text(encoding="utf-8"))
            enclosing[file] = [
                (node.lineno, node.end_lineno or node.lineno, node.name)
                for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
        spans = [(b - a, name) for a, b, name in enclosing[file] if a <= line <= b]
        return min(spans)[1] if spans else "<module>"

    def label(func: tuple) -> str:
        file, line, name = func
        if name.startswith("<"):
            name = enclosing_def(file, line)
        return f"{os.path.relpath(file, Path(root).parent)}:{name}"

    memo: dict[tuple, dict[str, float]] = {}
    active: set[tuple] = set()

    def owners(func: tuple, weight: int) -> dict[str, float]:
        """Fractions of ``func``'s time owned by each innermost outcomes function above it."""
        if func[0].startswith(root):
            return {label(func): 1.0}
        if func in memo and weight == 3:
            return memo[func]
        if func in active:
            return {}
        active.add(func)
        result: dict[str, float] = {}
        total = 0.0
        for caller, edge in stats[func][4].items():
            up = owners(caller, 3)
            if not up or edge[weight] <= 0:
                continue
            total += edge[weight]
            for owner, frac in up.items():
                result[owner] = result.get(owner, 0.0) + frac * edge[weight]
        active.discard(func)
        result = {k: v / total for k, v in result.items()} if total else {}
        if weight == 3:
            memo[func] = result
        return result

    attributed: dict[str, float] = {}
    cumulative: dict[str, float] = {}
    for func, (_, _, tt, ct, _) in stats.items():
        shares = owners(func, 2) or owners(func, 3) or {"<not in outcomes>": 1.0}
        for owner, frac in shares.items():
            attributed[owner] = attributed.get(owner, 0.0) + tt * frac
        if func[0].startswith(root) and not func[2].startswith("<"):
            cumulative[label(func)] = max(cumulative.get(label(func), 0.0), ct)
    ranked = sorted(attributed.items(), key=lambda kv: -kv[1])
    return [(name, (t, cumulative.get(name, float("nan")))) for name, t in ranked]


def _find_module(module_name: str, name: str):  # noqa: ANN202
    """The module that defines ``name``: the one listed, or where the package has moved it.

    The package is being reorganised (``outcomes.data.context`` became
    ``outcomes.validate.context``): when the listed module is gone or no longer defines the
    function, the package's module of the same last name that defines it is taken.
    """
    import importlib
    import pkgutil

    def defines(module) -> bool:  # noqa: ANN001
        owner, _, attr = name.rpartition(".")
        holder = getattr(module, owner, None) if owner else module
        target = getattr(holder, attr, None) if holder is not None else None
        home = getattr(holder if owner else target, "__module__", None)
        return target is not None and home == module.__name__

    try:
        module = importlib.import_module(module_name)
        if defines(module):
            return module
        owner = name.split(".")[0]
        home = getattr(getattr(module, owner, None), "__module__", "")
        if home.startswith("outcomes."):  # imported from where it now lives
            moved = importlib.import_module(home)
            if defines(moved):
                return moved
    except ImportError:
        pass
    tail = module_name.rsplit(".", 1)[-1]
    for info in pkgutil.walk_packages(outcomes.__path__, "outcomes.", onerror=lambda _: None):
        if info.name.rsplit(".", 1)[-1] != tail:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            continue
        if defines(module):
            return module
    return None


#: The package's functions timed by ``--stages`` (module, name; ``Class.method`` for methods):
#: the stages of ``outcomes.read`` and the functions the profile ranks highest.
STAGES: tuple[tuple[str, str], ...] = (
    ("outcomes.io.read", "read"),
    ("outcomes.io.formats", "read_table"),
    ("outcomes.io.read", "_check_named_like_a_trial"),
    ("outcomes.io.read", "detect_layout"),
    ("outcomes.io.read", "from_frame"),
    ("outcomes.io.layouts.long", "extract_rows"),
    ("outcomes.io.layouts.base", "score_block"),
    ("outcomes.io.layouts.base", "assemble"),
    ("outcomes.validate.build", "build_trial"),
    ("outcomes.validate.anonymity", "find_identifiers"),
    ("outcomes.validate.context", "check_context"),
    ("outcomes.validate.context", "_numeric_role"),
    ("outcomes.validate.context", "_count_role"),
    ("outcomes.validate.context", "check_covariates"),
    ("outcomes.validate.context", "report_rows"),
    ("outcomes.validate.labels", "check_labels"),
    ("outcomes.validate.values", "check_values"),
    ("outcomes.validate.context", "check_duplicate_assessments"),
    ("outcomes.validate.values", "score_records"),
    ("outcomes.instruments.scoring", "score"),
    ("outcomes.validate.context", "check_arm_changes"),
    ("outcomes.validate.visits", "resolve_schedule"),
    ("outcomes.validate.visits", "check_visit_numbers"),
    ("outcomes.validate.visits", "check_windows"),
    ("outcomes.validate.build", "_canonical"),
    ("outcomes.validate.visits", "check_missing_baseline"),
    ("outcomes.validate.events", "check_events"),
    ("outcomes.data.text", "as_text"),
    ("outcomes.data.problems", "ProblemLog.add"),
    ("outcomes.data.problems", "ProblemLog.to_frame"),
)


def stages(path: Path) -> dict[str, object]:
    """Time the functions of :data:`STAGES` during one ``outcomes.read(path)``, unprofiled.

    Each function is wrapped where it is defined and wherever the package imported it by name;
    the wrapper adds up wall-clock and CPU seconds of its outermost calls. ``self`` seconds leave
    out the time of the other timed functions it calls, so that they add up to the total. The
    ``peak rise`` is how far the process's peak resident memory rose during the calls (the
    functions they call included), ``RSS after`` the resident memory at the end of the last call.
    """
    import sys as _sys

    totals: dict[str, list[float]] = {}
    stack: list[list[float]] = []  # per active timed call: [child wall, child cpu]
    active: set[str] = set()

    def wrap(label: str, fn, memory: bool = True):  # noqa: ANN001, ANN202
        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            if label in active:  # a recursive call: counted in the outer one
                return fn(*args, **kwargs)
            active.add(label)
            stack.append([0.0, 0.0])
            peak_before = _peak_gb() if memory else 0.0
            cpu, start = time.process_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                wall, used = time.perf_counter() - start, time.process_time() - cpu
                child_wall, child_cpu = stack.pop()
                entry = totals.setdefault(label, [0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
                entry[0] += 1
                entry[1] += wall
                entry[2] += used
                entry[3] += wall - child_wall
                entry[4] += used - child_cpu
                if memory:  # how far the process's peak resident memory rose during the call
                    entry[5] += _peak_gb() - peak_before
                    entry[6] = max(entry[6], _rss_gb(os.getpid()))
                if stack:
                    stack[-1][0] += wall
                    stack[-1][1] += used
                active.discard(label)

        timed.__wrapped__ = fn
        return timed

    missing = []
    for module_name, name in STAGES:
        module = _find_module(module_name, name)
        if module is None:
            missing.append(f"{module_name}:{name}")
            continue
        label = f"{module.__name__.replace('.', '/')}.py:{name}"
        if "." in name:
            cls_name, meth = name.split(".")
            cls = getattr(module, cls_name, None)
            if cls is None or not hasattr(cls, meth):
                missing.append(label)
                continue
            setattr(cls, meth, wrap(label, getattr(cls, meth), memory=False))
            continue
        original = getattr(module, name, None)
        if original is None:
            missing.append(label)
            continue
        wrapped = wrap(label, original)
        for other in list(_sys.modules.values()):
            if getattr(other, "__name__", "").startswith("outcomes"):
                for attr, value in list(vars(other).items()):
                    if value is original:
                        setattr(other, attr, wrapped)
    cpu, start = time.process_time(), time.perf_counter()
    trial = outcomes.read(path)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(used, 3),
        "peak_gb": round(_peak_gb(), 3),
        "problems": int(len(trial.problems)),
        "missing_targets": missing,
        "stages": {
            k: {
                "calls": v[0],
                "wall_s": round(v[1], 3),
                "cpu_s": round(v[2], 3),
                "self_wall_s": round(v[3], 3),
                "self_cpu_s": round(v[4], 3),
                # methods (ProblemLog.add, called per problem) are not measured for memory
                "peak_rise_gb": None if "." in k.rsplit(":", 1)[-1] else round(v[5], 3),
                "rss_after_gb": None if "." in k.rsplit(":", 1)[-1] else round(v[6], 3),
            }
            for k, v in totals.items()
        },
    }


#: The functions whose statements ``--lines`` times one by one (the largest in ``--stages``).
LINE_TARGETS: tuple[tuple[str, str], ...] = (
    ("outcomes.io.layouts.long", "extract_rows"),
    ("outcomes.io.layouts.base", "score_block"),
    ("outcomes.io.layouts.base", "assemble"),
    ("outcomes.data.text", "as_text"),
    ("outcomes.validate.context", "_numeric_role"),
    ("outcomes.validate.context", "check_arm_changes"),
    ("outcomes.validate.values", "check_values"),
    ("outcomes.validate.values", "score_records"),
    ("outcomes.instruments.scoring", "score"),
    ("outcomes.validate.visits", "resolve_schedule"),
    ("outcomes.validate.visits", "check_windows"),
    ("outcomes.validate.visits", "check_missing_baseline"),
    ("outcomes.validate.build", "_canonical"),
)


def _statement_timed(fn, record: dict):  # noqa: ANN001, ANN202
    """``fn`` recompiled with a clock after each statement of its body (CPU seconds each).

    Statements inside loops and ``if`` blocks are timed too, each loop's fetching of its next
    item as ``(next item)`` on the loop's line; a ``return`` is timed with the expression it
    returns. Results go to ``record[(file, line, text)] = [calls, seconds]``; the labels, in
    source order, to ``record["__labels__"]``. The clock costs about a microsecond a statement,
    which loops of many iterations feel: read loop figures as upper bounds.
    """
    import __future__  # noqa: I001
    import ast
    import inspect
    import textwrap

    source_lines, first = inspect.getsourcelines(fn)
    source = textwrap.dedent("".join(source_lines))
    tree = ast.parse(source)
    fdef = tree.body[0]
    fdef.decorator_list = []
    file = fn.__code__.co_filename
    marker = f"__stmt_mark_{fn.__module__.replace('.', '_')}_{fn.__name__}__"
    labels: list[tuple[str, int, str]] = []

    def label(node: ast.AST, suffix: str = "") -> int:
        text = source.splitlines()[node.lineno - 1].strip()[:90]
        labels.append((file, first + node.lineno - 1, text + suffix))
        return len(labels) - 1

    def mark(k: int) -> ast.stmt:
        return ast.parse(f"__t = {marker}({k}, __t)").body[0]

    def timed(stmts: list[ast.stmt], depth: int) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            if depth == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue  # the docstring
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                k = label(stmt)
                assign = ast.Assign(targets=[ast.Name("__r", ast.Store())], value=stmt.value)
                out += [assign, mark(k), ast.Return(ast.Name("__r", ast.Load()))]
                continue
            if depth < 3 and isinstance(stmt, ast.For | ast.While):
                head = label(stmt, "  (next item)")
                stmt.body = [mark(head), *timed(stmt.body, depth + 1)]
                out += [stmt, mark(label(stmt, "  (loop end)"))]
                continue
            if depth < 3 and isinstance(stmt, ast.If):
                test = label(stmt, "  (test)")
                stmt.body = [mark(test), *timed(stmt.body, depth + 1)]
                if stmt.orelse:
                    stmt.orelse = [mark(test), *timed(stmt.orelse, depth + 1)]
                else:
                    stmt.orelse = [mark(test)]
                out.append(stmt)
                continue
            out += [stmt, mark(label(stmt))]
        return out

    fdef.body = [ast.parse("__t = __stmt_clock__()").body[0], *timed(fdef.body, 0)]
    ast.fix_missing_locations(tree)
    marks = record.setdefault("__labels__", [])
    offset = len(marks)
    marks.extend(labels)

    def clock_mark(k: int, since: float) -> float:
        now = time.process_time()
        entry = record.setdefault(marks[offset + k], [0, 0.0])
        entry[0] += 1
        entry[1] += now - since
        return time.process_time()

    module_globals = fn.__globals__
    module_globals["__stmt_clock__"] = time.process_time
    module_globals[marker] = clock_mark
    code = compile(
        tree, file, "exec", flags=__future__.annotations.compiler_flag, dont_inherit=True
    )
    namespace: dict = {}
    exec(code, module_globals, namespace)  # noqa: S102 - the package's own source, recompiled
    return namespace[fn.__name__]


def lines(path: Path) -> dict[str, object]:
    """CPU seconds of each statement of the :data:`LINE_TARGETS` during ``outcomes.read(path)``."""
    import sys as _sys

    record: dict = {}
    for module_name, name in LINE_TARGETS:
        module = _find_module(module_name, name)
        original = getattr(module, name, None) if module is not None else None
        if original is None:
            continue
        timed = _statement_timed(original, record)
        for other in list(_sys.modules.values()):
            if getattr(other, "__name__", "").startswith("outcomes"):
                for attr, value in list(vars(other).items()):
                    if value is original:
                        setattr(other, attr, timed)
    cpu = time.process_time()
    outcomes.read(path)
    used = time.process_time() - cpu
    root = Path(outcomes.__file__).parent.parent
    rows = [
        {
            "file": os.path.relpath(file, root),
            "line": line,
            "text": text,
            "calls": record[(file, line, text)][0],
            "cpu_s": round(record[(file, line, text)][1], 3),
        }
        for file, line, text in record["__labels__"]
        if (file, line, text) in record
    ]
    return {"cpu_s": round(used, 3), "statements": rows}


def _lines_table(got: dict[str, object], at_least: float = 0.01) -> str:
    """The statements of one ``--lines`` run that took at least ``at_least`` CPU seconds."""
    out = [f"outcomes.read: {got['cpu_s']:.2f} s CPU with every statement below clocked", ""]
    last = None
    for row in got["statements"]:  # type: ignore[union-attr]
        if row["cpu_s"] < at_least:
            continue
        if row["file"] != last:
            out.append(f"--- {row['file']}")
            last = row["file"]
        out.append(f"{row['cpu_s']:8.2f} s {row['calls']:6d}x  {row['line']:5d}  {row['text']}")
    return "\n".join(out) + "\n"


def _gb(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _stage_table(got: dict[str, object]) -> str:
    """The stages of one ``--stages`` run as text, largest self time first."""
    lines = [
        f"outcomes.read: {got['wall_s']:.2f} s wall-clock, {got['cpu_s']:.2f} s CPU, peak RSS "
        f"{got['peak_gb']:.2f} GB, {got['problems']:,} problems; not found: "
        f"{got['missing_targets'] or 'none'}",
        "",
        f"{'self wall':>10} {'self CPU':>9} {'incl. wall':>10} {'incl. CPU':>9} {'calls':>7} "
        f"{'peak rise GB':>12} {'RSS after GB':>12}  function",
    ]
    rows = sorted(got["stages"].items(), key=lambda kv: -kv[1]["self_wall_s"])  # type: ignore[union-attr]
    for name, v in rows:
        lines.append(
            f"{v['self_wall_s']:10.2f} {v['self_cpu_s']:9.2f} {v['wall_s']:10.2f} "
            f"{v['cpu_s']:9.2f} {v['calls']:7d} {_gb(v.get('peak_rise_gb')):>12} "
            f"{_gb(v.get('rss_after_gb')):>12}  {name}"
        )
    return "\n".join(lines) + "\n"


#: A measurement is stopped when its process holds more than this (GB resident), or when the
#: machine has less than :data:`MIN_AVAILABLE_GB` free, rather than let it push the machine into
#: the out-of-memory killer (the machine is shared); ``--max-rss-gb`` changes it.
MAX_RSS_GB = 19.0
MIN_AVAILABLE_GB = 1.0


def _rss_gb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024 / 1e9
    except OSError:
        pass
    return 0.0


def _available_gb() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 / 1e9
    except OSError:
        pass
    return float("inf")


def _child(args: list[str], max_rss_gb: float | None = None) -> dict[str, object]:
    """Run this script with ``args`` in a fresh interpreter; its last line of output, as JSON.

    The process is watched: past ``max_rss_gb`` resident, or with the machine nearly out of
    memory, it is stopped and the result says so (with the memory and time it had reached).
    """
    limit = MAX_RSS_GB if max_rss_gb is None else max_rss_gb
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = 0.0
    while True:
        try:
            out, err = proc.communicate(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            rss, free = _rss_gb(proc.pid), _available_gb()
            seen = max(seen, rss)
            if rss > limit or free < MIN_AVAILABLE_GB:
                proc.kill()
                proc.communicate()
                return {
                    "error": f"stopped after {time.perf_counter() - start:.0f} s at {rss:.1f} GB "
                    f"resident ({free:.1f} GB left on the machine; limit {limit:g} GB)",
                    "peak_gb": round(seen, 2),
                }
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}: {err.strip()[-2000:]}"}
    return json.loads(out.strip().splitlines()[-1])


def _git(*args: str) -> str:
    here = Path(__file__).resolve().parent.parent
    done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=here, check=False)
    return done.stdout.strip()


def _tree_state() -> dict[str, object]:
    """The commit, how many files under outcomes/ differ from it, and a hash of the difference.

    Read-only git commands: the package may be edited while the benchmark runs, so each figure
    records the code it measured (the same ``diff_hash`` means the same working tree).
    """
    import hashlib

    status = _git("status", "--short", "outcomes")
    diff = _git("diff", "HEAD", "--", "outcomes")
    untracked = [line[3:] for line in status.splitlines() if line.startswith("??")]
    here = Path(__file__).resolve().parent.parent
    digest = hashlib.sha1(diff.encode())
    for name in sorted(untracked):
        for file in (
            sorted((here / name).rglob("*.py")) if (here / name).is_dir() else [here / name]
        ):
            digest.update(file.read_bytes())
    return {
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty_files": len(status.splitlines()) if status else 0,
        "diff_hash": digest.hexdigest()[:10] if status else "clean",
    }


def registry(args: argparse.Namespace) -> None:
    """The registry-size scenario: write, then read + derive each size in a fresh process."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    results = Path(args.results) if args.results else None
    if results:
        results.mkdir(parents=True, exist_ok=True)
    state = _tree_state()
    print(
        f"{dt.date.today()}, outcomes {outcomes.__version__} (commit {state['commit']}, "
        f"{state['dirty_files']} modified file(s) under outcomes/, diff {state['diff_hash']}), "
        f"Python {platform.python_version()}, "
        f"pandas {pd.__version__}, numpy {np.__version__}, pyarrow {pa.__version__}, "
        f"{os.cpu_count()} cores"
    )
    print(
        "| variant | subjects | file rows | assessments | read (s) | read CPU (s) | derive (s) "
        "| peak RSS (GB) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="registry_"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for variant in args.variants:
            for n in args.subjects:
                path = folder / f"registry_{variant}_{n}.parquet"
                if not path.exists():
                    _child(["--write", str(path), "--n", str(n), "--variant", variant])
                for run in range(1, args.repeat + 1):
                    state = _tree_state()
                    got = _child(["--measure", str(path)], args.max_rss_gb)
                    row = {
                        "date": str(dt.date.today()),
                        **state,
                        "variant": variant,
                        "subjects": n,
                        "file_rows": n * len(VISITS),
                        "run": run,
                        **got,
                    }
                    rows.append(row)
                    if "error" in got:
                        print(
                            f"| {variant} | {n:,} | {n * len(VISITS):,} | failed: "
                            f"{str(got['error'])[-300:]} |",
                            flush=True,
                        )
                    else:
                        print(
                            f"| {variant} | {n:,} | {n * len(VISITS):,} | {got['assessments']:,} "
                            f"| {got['read_s']:.2f} | {got['read_cpu_s']:.2f} | "
                            f"{got['derive_s']:.2f} | {got['peak_gb']:.2f} |",
                            flush=True,
                        )
                    if results:
                        _append_csv(results / "read_registry_timings.csv", row)
                if not args.keep:
                    path.unlink(missing_ok=True)
            for n in args.stages or ():
                path = folder / f"registry_{variant}_{n}.parquet"
                if not path.exists():
                    _child(["--write", str(path), "--n", str(n), "--variant", variant])
                runs = []
                for _ in range(args.repeat):
                    state = _tree_state()
                    got = _child(["--stages-one", str(path)], args.max_rss_gb)
                    if "error" in got:
                        print(f"stages ({variant}, {n:,} subjects) failed: {got['error'][-300:]}")
                        continue
                    runs.append({"date": str(dt.date.today()), **state, **got})
                if runs:
                    runs.sort(key=lambda r: r["wall_s"])  # the least disturbed run first
                    out = (results or folder) / f"read_stages_{variant}_{n}"
                    text = "".join(
                        f"{'best' if i == 0 else 'run'} of {len(runs)} by wall-clock; "
                        f"{r['date']}, commit {r['commit']}, {r['dirty_files']} modified, "
                        f"diff {r['diff_hash']}\n" + _stage_table(r) + "\n"
                        for i, r in enumerate(runs)
                    )
                    out.with_suffix(".txt").write_text(text, encoding="utf-8")
                    out.with_suffix(".json").write_text(
                        json.dumps(runs, indent=1), encoding="utf-8"
                    )
                    print(f"stages ({variant}, {n:,} subjects) -> {out}.txt")
                    print(_stage_table(runs[0]))
                if not args.keep:
                    path.unlink(missing_ok=True)
            for n in args.lines or ():
                path = folder / f"registry_{variant}_{n}.parquet"
                if not path.exists():
                    _child(["--write", str(path), "--n", str(n), "--variant", variant])
                state = _tree_state()
                got = _child(["--lines-one", str(path)], args.max_rss_gb)
                if "error" in got:
                    print(f"lines ({variant}, {n:,} subjects) failed: {got['error'][-300:]}")
                else:
                    out = (results or folder) / f"read_lines_{variant}_{n}.txt"
                    out.write_text(
                        f"{dt.date.today()}, commit {state['commit']}, {state['dirty_files']} "
                        f"modified, diff {state['diff_hash']}\n" + _lines_table(got),
                        encoding="utf-8",
                    )
                    print(f"lines ({variant}, {n:,} subjects) -> {out}")
                if not args.keep:
                    path.unlink(missing_ok=True)
            if args.profile:
                path = folder / f"registry_{variant}_{args.profile}.parquet"
                if not path.exists():
                    _child(["--write", str(path), "--n", str(args.profile), "--variant", variant])
                out = (results or folder) / f"read_profile_{variant}_{args.profile}"
                state = _tree_state()
                got = _child(["--profile-one", str(path), "--profile-out", str(out)])
                print(
                    f"profile ({variant}, {args.profile:,} subjects, {state}): {got} -> {out}.txt"
                )
                if not args.keep:
                    path.unlink(missing_ok=True)
    finally:
        if not args.folder and not args.keep:
            for leftover in folder.glob("*.parquet"):
                leftover.unlink()
            folder.rmdir()


def _append_csv(path: Path, row: dict[str, object]) -> None:
    fields = [
        "date",
        "commit",
        "dirty_files",
        "diff_hash",
        "variant",
        "subjects",
        "file_rows",
        "run",
        "assessments",
        "read_s",
        "read_cpu_s",
        "derive_s",
        "derive_cpu_s",
        "peak_gb_after_read",
        "peak_gb",
        "load_before",
        "load_after",
        "problems",
        "error",
    ]
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerow({**row, "problems": json.dumps(row.get("problems", {}))})


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects-per-arm", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--registry", action="store_true", help="the registry-size scenario")
    parser.add_argument("--subjects", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--variants", nargs="+", default=["totals", "items"])
    parser.add_argument("--profile", type=int, default=None, help="profile read at N subjects")
    parser.add_argument(
        "--stages", type=int, nargs="*", default=None, help="time read's stages at N subjects"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each timing and stage timing"
    )
    parser.add_argument(
        "--max-rss-gb", type=float, default=MAX_RSS_GB, help="stop a measurement past this"
    )
    parser.add_argument(
        "--lines", type=int, nargs="*", default=None, help="time statements at N subjects"
    )
    parser.add_argument("--results", default=None, help="folder for the CSV and profiles")
    parser.add_argument("--folder", default=None, help="where to write the Parquet files")
    parser.add_argument("--keep", action="store_true", help="keep the Parquet files")
    # internal: one step in a fresh process
    parser.add_argument("--write", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--variant", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--profile-one", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--stages-one", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--lines-one", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        print(json.dumps({"rows": write_registry(Path(args.write), args.n, args.variant)}))
        return
    if args.measure:
        print(json.dumps(measure(Path(args.measure))))
        return
    if args.lines_one:
        print(json.dumps(lines(Path(args.lines_one))))
        return
    if args.stages_one:
        print(json.dumps(stages(Path(args.stages_one))))
        return
    if args.profile_one:
        seconds = profile(Path(args.profile_one), Path(args.profile_out))
        print(json.dumps({"profiled_cpu_s": round(seconds, 2), "peak_gb": round(_peak_gb(), 3)}))
        return
    if args.registry:
        registry(args)
        return
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
