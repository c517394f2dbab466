"""The estimand (ICH E9(R1)): its intercurrent events, their strategies, the data they imply."""

from __future__ import annotations

import outcomes
from outcomes.models.imputation import ICE_STRATEGIES
from outcomes.report.analyses.base import Analysis, Context, Produced
from outcomes.report.spec import DESCRIPTION, NAME, Choice, Events, Key, Section

__all__ = ["Estimand"]


class Estimand(Analysis):
    """The plan's estimand applied to the trial's events; the sensitivity analyses use it."""

    name = "estimand"
    section = "estimand"
    spec = Section(
        {
            "variable": Key(DESCRIPTION, required=True),
            "population": Key(DESCRIPTION),
            "intercurrent_events": Key(Events(NAME, Choice(ICE_STRATEGIES), 50)),
        },
        analysis=True,
    )
    template = """\
[estimand]                       # texts of at most 1000 characters
variable = "change from baseline in MADRS total at week 2"
population = "all randomised participants"

[estimand.intercurrent_events]   # event (as in the events table) = ICH E9(R1) strategy; up to 50
discontinuation = "treatment policy"
unblinding = "treatment policy"
"rescue medication" = "hypothetical"
"""

    def run(self, context: Context) -> Produced:
        spec = context.plan.estimand
        stated = outcomes.Estimand(
            spec["variable"],
            intercurrent_events=spec.get("intercurrent_events", {}),
            population=spec.get("population", "all randomised participants"),
        )
        prepared = stated.prepare(context.trial, instrument=context.instrument)
        return Produced(
            {"intercurrent_events": prepared.events},
            prepared,
            tuple(prepared.notes),
            stated.describe(),
        )
