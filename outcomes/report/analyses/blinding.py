"""Blinding: Bang's and James' indices from the participants' end-of-treatment guesses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import outcomes
from outcomes.io.formats import read_table
from outcomes.report.analyses.base import (
    OPTIONAL,
    Analysis,
    Context,
    Facts,
    Maker,
    Produced,
    frame_table,
)
from outcomes.report.spec import SAMPLE, File, Key, Table

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["Blinding"]


class Blinding(Analysis):
    """Bang's index in each arm and James' overall; two arms only."""

    name = "blinding"
    key = "blinding"
    spec = Key(
        Table(
            {
                "guesses": Key(File(sample=True, columns=("arm", "guess")), required=True),
                **OPTIONAL,
            }
        )
    )
    template = (
        'blinding = { guesses = "sample" }         # end-of-treatment guesses: a table (arm, '
        "guess)\n"
    )
    tables = {"blinding": "Blinding indices"}

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        problems = []
        if len(facts.arms) != 2:
            problems.append(
                f"[secondary] blinding: Bang's and James' indices compare two arms; the data "
                f"have {len(facts.arms)} ({', '.join(facts.arms)}): remove blinding from the plan"
            )
        if plan.secondary["blinding"]["guesses"] == SAMPLE and plan.data["source"] != SAMPLE:
            problems.append(
                '[secondary] blinding guesses: "sample" are the sample trial\'s simulated '
                "guesses; for these data give the file of the participants' guesses"
            )
        return problems

    def run(self, context: Context) -> Produced:
        context.progress("secondary: blinding indices")
        path = context.plan.file(context.plan.secondary["blinding"]["guesses"])
        guesses = outcomes.sample_guesses(context.raw) if path is None else read_table(path)
        return Produced(
            {"blinding": outcomes.blinding(guesses, reference=context.plan.reference)},
            methods=(
                "Blinding: Bang's index in each arm and James' index overall from the "
                "participants' end-of-treatment guesses, with Wald 95% intervals."
            ),
        )

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        return {"blinding": lambda: frame_table(produced, "blinding", self.tables["blinding"])}
