"""The descriptive outputs every report can show: baseline characteristics, observed scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

import outcomes
from outcomes import plots, tables
from outcomes.data.carry import DTYPE
from outcomes.report.analyses.base import Analysis, Context, Drawer, Facts, Maker, Produced

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["Descriptive"]


class Descriptive(Analysis):
    """Baseline table, visit summary, and the observed data drawn five ways; always runs."""

    name = "descriptive"
    section = None
    tables = {
        "baseline": "Baseline characteristics",
        "visit_summary": "Observed scores by arm and visit",
    }
    figures = {
        "observed_means": "Observed mean score by arm and visit, with 95% confidence intervals",
        "change": "Observed mean change from baseline by arm and visit",
        "individual": "Individual trajectories, arm means in bold",
        "waterfall": "Percent change from baseline at the primary visit, per participant",
        "missingness": "Observed and missing assessments, per participant and visit",
    }

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        asked = plan.baseline
        return [
            f"[report] baseline {key}: {name!r} is not a column of the data"
            for key in ("covariates", "categorical")
            for name in asked.get(key, [])
            if name not in facts.columns
        ]

    def run(self, context: Context) -> Produced:
        frame = context.trial.frame
        primary = frame[frame["instrument"] == context.instrument]
        frames = {"visit_summary": tables.visit_statistics(primary)}
        if "baseline" in context.plan.tables:
            data, options = _baseline(context)
            frames["baseline"] = tables.baseline_statistics(data, **options)
        return Produced(frames=frames)

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        frame = context.trial.frame
        return {
            "baseline": lambda: _baseline_table(context),
            "visit_summary": lambda: tables.visit_summary(
                frame[frame["instrument"] == context.instrument]
            ),
        }

    def make_figures(self, context: Context, produced: Produced) -> Mapping[str, Drawer]:
        frame, rows = context.trial.frame, context.rows
        dosing = plots.dosing_days(context.trial.schedule)
        return {
            "observed_means": lambda ax: plots.observed_means(
                frame, instrument=context.instrument, ax=ax, dosing=dosing
            ),
            "change": lambda ax: plots.change_by_visit(rows, ax=ax, dosing=dosing),
            "individual": lambda ax: plots.individual_trajectories(
                frame[frame["instrument"] == context.instrument], ax=ax
            ),
            "waterfall": lambda ax: plots.waterfall(rows[rows["visit"] == context.visit], ax=ax),
            "missingness": lambda ax: plots.missingness(_every_subject(context), ax=ax),
        }


def _baseline_table(context: Context) -> tables.Table:
    data, options = _baseline(context)
    return tables.baseline_table(data, **options)


def _baseline(context: Context) -> tuple[outcomes.TrialData, dict[str, Any]]:
    """The data and options of the baseline table: the plan's covariates (by default the data's,
    less the ADaM ``DTYPE`` flag of derived records), those it names categorical counted by
    level."""
    raw, asked = context.raw, context.plan.baseline
    categorical = asked.get("categorical", [])
    default = [c for c in raw.covariates if c != DTYPE]
    covariates = list(dict.fromkeys([*asked.get("covariates", default), *categorical]))
    frame = raw.frame.assign(**{c: _levels(raw.frame[c]) for c in categorical})
    options = {"covariates": covariates, "suppress_below": context.plan.suppress_below or None}
    return raw.with_frame(frame), options


def _levels(column: pd.Series) -> pd.Series:
    """A column as text levels: whole numbers without a decimal point (site 701, not 701.0)."""
    values = column.dropna()
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric and (values % 1 == 0).all():
        column = column.astype("Int64")
    return column.astype("string")


def _every_subject(context: Context) -> pd.DataFrame:
    """The analysed rows with a row (no value) at every visit a randomised subject lacks."""
    rows = context.rows
    subjects = context.trial.frame.drop_duplicates("subject")[["subject", "arm"]]
    visits = pd.DataFrame({"visit": rows["visit"].cat.categories})
    grid = subjects.merge(visits, how="cross")
    grid["visit"] = pd.Categorical(grid["visit"], categories=rows["visit"].cat.categories)
    return grid.merge(rows[["subject", "visit", "total"]], on=["subject", "visit"], how="left")
