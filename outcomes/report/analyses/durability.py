"""Durability: among the responders at an anchor visit, the share still responding later."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import outcomes
from outcomes.report.analyses.base import (
    OPTIONAL,
    Analysis,
    Context,
    Facts,
    Maker,
    Produced,
    frame_table,
)
from outcomes.report.spec import NAME, Key, Table

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["Durability"]


class Durability(Analysis):
    """Still responding at each visit after the anchor, with Wilson intervals."""

    name = "durability"
    key = "durability"
    spec = Key(
        Table(
            {
                "outcome": Key(NAME, required=True),
                "anchor": Key(NAME, required=True),
                **OPTIONAL,
            }
        )
    )
    template = (
        'durability = { outcome = "response", anchor = "WEEK 2" }  # still responding at later '
        "visits\n"
    )
    tables = {"durability": "Still responding"}

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        spec, problems = plan.secondary["durability"], []
        if spec["outcome"] not in facts.columns:
            problems.append(
                f"[secondary] durability outcome {spec['outcome']!r} is not a derived column"
            )
        visits = facts.after_dose(plan.primary["instrument"])
        if visits and spec["anchor"] not in visits:
            problems.append(
                f"[secondary] durability anchor {spec['anchor']!r} is not a visit after the "
                f"first dose ({visits})"
            )
        elif visits and spec["anchor"] == visits[-1]:
            problems.append(
                f"[secondary] durability anchor {spec['anchor']!r} is the last visit: no visit "
                "follows it"
            )
        return problems

    def run(self, context: Context) -> Produced:
        spec = context.plan.secondary["durability"]
        context.progress(f"secondary: durability of {spec['outcome']}")
        still = outcomes.still_responding(
            context.rows,
            outcome=spec["outcome"],
            subject="subject",
            visit="visit",
            anchor=spec["anchor"],
            arm="arm",
        )
        return Produced(
            {"durability": still},
            methods=(
                f"Durability: among the participants with {spec['outcome']} at {spec['anchor']}, "
                "the proportion still with it at each later visit (Wilson intervals; a missing "
                "value counts as its loss)."
            ),
        )

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        title = self.tables["durability"]
        return {"durability": lambda: frame_table(produced, "durability", title)}
