"""The descriptive outputs every report can show: baseline characteristics, observed scores."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from outcomes import plots, tables
from outcomes.report.analyses.base import Analysis, Context, Drawer, Maker, Produced

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

    def run(self, context: Context) -> Produced:
        return Produced()

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        frame, plan = context.trial.frame, context.plan
        return {
            "baseline": lambda: tables.baseline_table(
                context.raw, suppress_below=plan.suppress_below or None
            ),
            "visit_summary": lambda: tables.visit_summary(
                frame[frame["instrument"] == context.instrument], outcome="total"
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


def _every_subject(context: Context) -> pd.DataFrame:
    """The analysed rows with a row (no value) at every visit a randomised subject lacks."""
    rows = context.rows
    subjects = context.trial.frame.drop_duplicates("subject")[["subject", "arm"]]
    visits = pd.DataFrame({"visit": rows["visit"].cat.categories})
    grid = subjects.merge(visits, how="cross")
    grid["visit"] = pd.Categorical(grid["visit"], categories=rows["visit"].cat.categories)
    return grid.merge(rows[["subject", "visit", "total"]], on=["subject", "visit"], how="left")
