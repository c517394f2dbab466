"""Running an analysis plan: data, estimand, primary, secondary and sensitivity analyses.

:func:`run_plan` reads the data, checks the plan against them
(:func:`~outcomes.report.plan.check_against_data`: every problem at once, before any analysis
runs), runs the analyses of the registry :data:`~outcomes.report.analyses.ANALYSES` that the
plan asks for, in order, and makes the tables and figures it asks for. Progress goes to
``progress`` (a callable taking a line).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import outcomes
from outcomes import tables
from outcomes.report.analyses import ANALYSES, Context, make_figures, make_tables
from outcomes.report.plan import Plan, check_against_data

__all__ = ["Results", "run_plan"]


@dataclass
class Results:
    """What a plan produced.

    Attributes
    ----------
    frames : dict of DataFrame
        Every estimate, tidy, at full precision (written to ``results.json``).
    tables : dict of Table
        The formatted tables the plan asks for.
    figures : dict of matplotlib Figure
        The figures the plan asks for.
    methods : list of str
        Paragraphs of the methods, generated from the plan.
    checksums : dict of str
        SHA-256 of the plan and of the analysed data.
    notes : list of str
        What the analyses noted (rows left out, events, ...).
    skipped : dict of list of str
        The optional analyses the data did not fit, by name, with why; not run.
    """

    plan: Plan
    trial: outcomes.TrialData
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
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
    progress("reading the data")
    raw = _load(plan)
    trial = outcomes.derive(raw)
    skipped = check_against_data(plan, trial)
    results = Results(plan, trial, skipped=skipped)
    results.checksums = {
        "plan": _sha256(plan.text.encode()),
        "data": _sha256(trial.frame.to_csv(index=False).encode()),
    }
    context = Context(plan, raw, trial, progress)
    for analysis in ANALYSES:
        if not analysis.asked(plan) or analysis.name in skipped:
            continue
        produced = analysis.run(context)
        context.produced[analysis.name] = produced
        results.frames.update(produced.frames)
        results.notes += [f"{analysis.name.replace('_', ' ')}: {n}" for n in produced.notes]
        if produced.methods:
            results.methods.append(produced.methods)
    progress("tables")
    results.tables = make_tables(context)
    progress("figures")
    results.figures = make_figures(context)
    return results


def _load(plan: Plan) -> outcomes.TrialData:
    if plan.data["source"] == "sample":
        return outcomes.load_sample()
    return outcomes.read(
        plan.data_path("source"),
        plan.data.get("layout") or None,
        plan.data.get("instrument") or None,
        schedule=plan.data_path("schedule"),
        events=plan.data_path("events"),
        subjects=plan.data_path("subjects"),
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
