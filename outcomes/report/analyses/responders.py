"""Responder rates by visit for each binary outcome the plan names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import outcomes
from outcomes import plots, tables
from outcomes.report.analyses.base import Analysis, Context, Drawer, Facts, Maker, Produced
from outcomes.report.spec import NAME, Items, Key

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["Responders"]


class Responders(Analysis):
    """Rates, risk difference, odds ratio and NNT by visit; its value: rates by outcome."""

    name = "responders"
    key = "responders"
    spec = Key(Items(NAME, 20), default=[])
    template = (
        'responders = ["response", "remission"]   # binary outcomes of `outcomes.derive`, by '
        "visit; up to 20\n"
    )
    tables = {"responders": "Responders by arm and visit"}
    figures = {"responders": "Responders by arm and visit"}

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        return [
            f"[secondary] responders: {outcome!r} is not a derived column"
            for outcome in plan.secondary["responders"]
            if outcome not in facts.columns
        ]

    def run(self, context: Context) -> Produced:
        rates = {}
        for outcome in context.plan.secondary["responders"]:
            context.progress(f"secondary: {outcome} by visit")
            rates[outcome] = outcomes.responders(
                context.with_baseline,
                outcome=outcome,
                arm="arm",
                subject="subject",
                reference=context.plan.reference,
                by="visit",
                covariates=["base"],
                by_levels=list(context.rows["visit"].cat.categories),
            )
        return Produced(
            {f"responders_{outcome}": table for outcome, table in rates.items()},
            rates,
            methods=(
                "Responder rates by visit count every randomised participant, one without a "
                "value as a non-responder; risk differences have Newcombe's hybrid score "
                "intervals, odds ratios come from a logistic regression on arm and baseline "
                "score, and the number needed to treat is the inverse of the risk difference."
            ),
        )

    def caption(self, figure: str, part: str) -> str:
        return f"{part.capitalize()} by arm and visit" if part else self.figures[figure]

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        return {
            "responders": lambda: [
                tables.responder_table(t, covariates=["base"], title=f"Responders: {name}")
                for name, t in produced.value.items()
            ]
        }

    def make_figures(self, context: Context, produced: Produced) -> Mapping[str, Drawer]:
        # one figure per outcome: the first is "responders", the others "responders_<outcome>"
        return {
            "responders" if k == 0 else f"responders_{outcome}": (
                lambda ax, table=table: plots.responder_bars(table, ax=ax)
            )
            for k, (outcome, table) in enumerate(produced.value.items())
        }
