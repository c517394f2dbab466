"""Trajectories: a linear mixed model over weeks, with a change of slope at the second dose."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import outcomes
from outcomes.models.core.formula import FormulaError, parse_terms
from outcomes.report.analyses.base import (
    Analysis,
    Context,
    Facts,
    Maker,
    Produced,
    doses,
    frame_table,
)
from outcomes.report.spec import Formula, Key, Table

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["TIMES", "Trajectories"]

#: Columns the analysis adds to the data (time in weeks), which its random effects may use:
#: the second only in a trial of two doses or more.
TIMES: tuple[str, ...] = ("weeks", "weeks_after_dose_2")


class Trajectories(Analysis):
    """``chg ~ base + arm * (weeks + weeks_after_dose_2)`` with the plan's random effects."""

    name = "trajectories"
    key = "trajectories"
    spec = Key(Table({"random": Key(Formula(parse_terms), required=True)}))
    template = (
        'trajectories = { random = "1 + weeks" }   # mixed model over weeks, broken at the '
        "second dose\n"
        "# trajectories' random effects: at most 200 characters\n"
    )
    tables = {"trajectories": "Trajectory model (LMM)"}

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        times = TIMES if doses(facts.trial) >= 2 else TIMES[:1]
        try:
            parse_terms(plan.secondary["trajectories"]["random"]).resolve([*facts.columns, *times])
        except FormulaError as exc:
            one = "" if len(times) > 1 else " (a trial of one dose has no weeks_after_dose_2)"
            return [f"[secondary] trajectories random: {exc}{one}"]
        return []

    def run(self, context: Context) -> Produced:
        random = context.plan.secondary["trajectories"]["random"]
        context.progress(f"secondary: trajectories (random {random})")
        broken = doses(context.trial) >= 2
        timed = outcomes.add_time_axes(context.rows, piecewise_at=(2,) if broken else ())
        timed = timed.assign(weeks=timed["study_day"] / 7)
        if broken:
            timed = timed.assign(weeks_after_dose_2=timed["days_after_dose_2"] / 7)
        times = "(weeks + weeks_after_dose_2)" if broken else "weeks"
        fit = outcomes.lmm(
            f"chg ~ base + arm * {times}",
            timed,
            subject="subject",
            random=random,
            reference=context.plan.reference,
        )
        slope = " with a change of slope at the second dose" if broken else ""
        return Produced(
            {"trajectories": fit.to_frame(), "trajectory_variances": fit.variance_components()},
            fit,
            tuple(fit.notes),
            f"Trajectories: a linear mixed model of the change with random effects {random} "
            f"per participant, time in weeks since the first dose{slope}, arm-by-time "
            "interactions, REML; standard errors as lme4 and SAS, Satterthwaite df.",
        )

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        title = self.tables["trajectories"]
        return {"trajectories": lambda: frame_table(produced, "trajectories", title)}
