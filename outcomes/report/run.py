"""Running an analysis plan: data, estimand, primary, secondary and sensitivity analyses.

:func:`run_plan` reads the data, checks the plan against them
(:func:`~outcomes.report.plan.check_against_data`: every problem at once, before any analysis
runs), runs the analyses of the registry :data:`~outcomes.report.analyses.ANALYSES` that the
plan asks for, in order, and makes the tables and figures it asks for. Progress goes to
``progress`` (a callable taking a line).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import outcomes
import outcomes.instruments
from outcomes import tables
from outcomes.errors import InstrumentError, OutcomesError
from outcomes.report.analyses import ANALYSES, Context, make_figures, make_tables
from outcomes.report.plan import Plan, PlanError, check_against_data, read_plan

__all__ = ["Results", "check_plan", "data_warnings", "run_plan"]


@dataclass
class Results:
    """What a plan produced.

    Attributes
    ----------
    frames : dict of DataFrame
        Every estimate, tidy, at full precision (written to ``results.json``).
    ard : DataFrame
        The same as Analysis Results Data (:func:`outcomes.tables.to_ard`): one row per
        statistic, with its analysis, groups, raw and formatted value and method (written to
        ``results/ard.parquet`` and ``results/ard.csv``).
    tables : dict of Table
        The formatted tables the plan asks for.
    figures : dict of matplotlib Figure
        The figures the plan asks for.
    methods : list of str
        Paragraphs of the methods, generated from the plan.
    checksums : dict of str
        SHA-256 of the plan and of the analysed data.
    notes : list of str
        What reading the data and the analyses noted (the population, rows left out, events, ...).
    skipped : dict of list of str
        The optional analyses the data did not fit, by name, with why; not run.
    """

    plan: Plan
    trial: outcomes.TrialData
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    ard: pd.DataFrame = field(default_factory=lambda: tables.combine_ard([]))
    tables: dict[str, tables.Table] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    methods: list[str] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)


def run_plan(plan: Plan, progress: Callable[[str], None] = lambda line: None) -> Results:
    """Run every analysis of ``plan``.

    Examples
    --------
    >>> from outcomes.report.plan import read_plan
    >>> import dataclasses
    >>> plan = dataclasses.replace(read_plan(), figures=(), sensitivity={})
    >>> results = run_plan(plan)
    >>> results.frames["primary_contrasts"]["contrast"].iloc[0]
    'DMT - PLACEBO'
    """
    with _instruments(plan):
        return _run(plan, progress)


def check_plan(source: str | Path | None = None) -> Plan:
    """Read a plan (:func:`~outcomes.report.plan.read_plan`) and, if it has problems, check
    the rest of it against its data too: every problem of both in one :class:`PlanError`.

    A plan without problems is returned unchecked against its data: :func:`run_plan` does that
    first. Where the plan's ``[study]``, ``[data]``, ``[population]`` or ``[arms]`` have
    problems, or its data cannot be read, only the plan's problems are reported.

    Raises
    ------
    PlanError
        The plan's problems, then those of its analyses without problems of their own against
        the data, in plan order.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from outcomes.report import TEMPLATE
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "plan.toml"
    >>> _ = path.write_text(TEMPLATE.replace("n_imputations = 200", "n_imputations = 0")
    ...                             .replace('visit = "WEEK 2"', 'visit = "WEEK 9"'))
    >>> try:
    ...     check_plan(path)
    ... except PlanError as exc:
    ...     for problem in exc.problems:
    ...         print(problem.split(" is ")[0])
    [sensitivity] n_imputations: 0
    [primary] visit 'WEEK 9'
    """
    try:
        return read_plan(source)
    except PlanError as exc:
        if exc.plan is None:
            raise
        try:
            with _instruments(exc.plan):
                trial = outcomes.derive(_load(exc.plan))
            check_against_data(exc.plan, trial, unchecked=exc.unchecked)
        except PlanError as found:
            raise PlanError(exc.path, exc.problems + found.problems) from None
        except OutcomesError:  # the data cannot be read: reported once the plan is right
            pass
        raise


def _run(plan: Plan, progress: Callable[[str], None]) -> Results:
    progress("reading the data")
    raw = _load(plan)
    trial = outcomes.derive(raw)
    skipped = check_against_data(plan, trial)
    if plan.arm_order:
        raw, trial = (_in_arm_order(t, plan.arm_order) for t in (raw, trial))
    warned = data_warnings(raw.problems)
    if warned:
        progress(f"the data have {len(raw.problems)} warning(s): see the report's notes")
    notes = [f"data: {n}" for n in [*raw.notes, *warned]]
    results = Results(plan, trial, notes=notes, skipped=skipped)
    results.checksums = {
        "plan": _sha256(plan.text.encode()),
        "data": _sha256(trial.frame.to_csv(index=False).encode()),
    }
    context = Context(plan, raw, trial, progress)
    ards = []
    for analysis in ANALYSES:
        if not analysis.asked(plan) or analysis.name in skipped:
            continue
        produced = analysis.run(context)
        context.produced[analysis.name] = produced
        results.frames.update(produced.frames)
        method = produced.methods.split(". ")[0].rstrip(".")
        ards += [
            tables.to_ard(frame, variable=name, analysis=analysis.name, method=method)
            for name, frame in produced.frames.items()
        ]
        results.notes += [f"{analysis.name.replace('_', ' ')}: {n}" for n in produced.notes]
        if produced.methods:
            results.methods.append(produced.methods)
    results.ard = tables.combine_ard(ards)
    progress("tables")
    results.tables = make_tables(context)
    progress("figures")
    results.figures = make_figures(context)
    return results


def data_warnings(problems: pd.DataFrame) -> list[str]:
    """The warnings of reading the data, one line per kind: how many, and the first of them.

    Examples
    --------
    >>> data_warnings(outcomes.load_sample().problems)[0]  # doctest: +ELLIPSIS
    '22 warnings total-not-scored; the first: row 90: no gad7 total for subject S009 at visit ...'
    """
    if problems.empty:
        return []
    lines = []
    for code, group in problems.groupby("code", sort=False):
        first = group.iloc[0]
        kind = (
            f"{len(group)} {first['severity']}s {code}; the first"
            if len(group) > 1
            else (f"{first['severity']} {code}")
        )
        lines.append(f"{kind}: {first['message']}")
    return lines


def _load(plan: Plan) -> outcomes.TrialData:
    """The plan's data, read as ``[data]`` and ``[population]`` say (every key of
    :func:`outcomes.read`)."""
    data = plan.data
    if data["source"] == "sample":
        return outcomes.load_sample()
    options = {k: data[k] for k in _READ_OPTIONS if k in data}
    files = {k: plan.data_path(k) for k in ("schedule", "events", "subjects", "mapping")}
    return outcomes.read(
        plan.data_path("source"),
        data.get("layout"),
        data.get("instrument"),
        **{k: v for k, v in files.items() if v is not None},
        **options,
        population=next(iter(plan.population), None),
    )


#: Keys of ``[data]`` passed to :func:`outcomes.read` as they are.
_READ_OPTIONS = (
    "allow_identifiers",
    "max_missing_items",
    "sheet",
    "baseline",
    "covariates",
    "derived",
    "analysis_flag",
    "format",
)


def _in_arm_order(trial: outcomes.TrialData, order: tuple[str, ...]) -> outcomes.TrialData:
    """The trial with its arms in the plan's order (checked to be its arms: nothing is lost)."""
    frame = trial.frame.copy()
    frame["arm"] = pd.Categorical(frame["arm"].astype(object), categories=list(order))
    return trial.with_frame(frame)


@contextmanager
def _instruments(plan: Plan) -> Iterator[None]:
    """The plan's instrument definitions registered while it runs, and only then."""
    registered = []
    try:
        for name in plan.data.get("instruments", []):
            try:
                registered.append(outcomes.instruments.register(plan.file(name)).name)
            except InstrumentError as exc:
                raise PlanError(plan.path, [f"[data] instruments: {exc}"]) from exc
        yield
    finally:
        for name in registered:
            outcomes.instruments.unregister(name)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
