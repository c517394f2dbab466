"""Repeated dosing: the acute response to each dose, and the second dose against the first."""

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
    doses,
    frame_table,
)
from outcomes.report.spec import Key, Number, Table

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["RepeatedDosing"]


class RepeatedDosing(Analysis):
    """Paired change around each dosing session; TOST of dose 2's acute change against dose 1's."""

    name = "repeated_dosing"
    key = "repeated_dosing"
    spec = Key(Table({"margin": Key(Number(0, 1_000_000, above=True), required=True), **OPTIONAL}))
    template = (
        "repeated_dosing = { margin = 3.0 }        # acute response per dose; TOST of dose 2 vs "
        "dose 1\n"
        "# the margin: above 0, at most 1000000; a trial of one dose has no repeated dosing\n"
    )
    tables = {"repeated_dosing": "Acute response to each dosing session, and dose 2 against 1"}

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        count = doses(facts.trial)
        if count >= 2:
            return []
        return [
            f"[secondary] repeated_dosing compares the second dose with the first; the trial's "
            f"schedule has {count} dosing session{'s' if count != 1 else ''}"
        ]

    def run(self, context: Context) -> Produced:
        margin = float(context.plan.secondary["repeated_dosing"]["margin"])
        context.progress("secondary: repeated dosing")
        trial, instrument = context.trial, context.instrument
        return Produced(
            {
                "session_response": outcomes.session_response(trial, instrument=instrument),
                "dose_equivalence": outcomes.dose_equivalence(
                    trial, margin=margin, instrument=instrument
                ),
            },
            methods=(
                "Repeated dosing: the change from just before to just after each dosing session "
                "(paired t, Wilcoxon, d_z); the equivalence of the second dose's acute change to "
                f"the first's by two one-sided tests with a margin of {margin:g} points (90% "
                "interval)."
            ),
        )

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        return {
            "repeated_dosing": lambda: [
                frame_table(produced, "session_response", "Acute response to each dosing session"),
                frame_table(
                    produced, "dose_equivalence", "Second dose against first: equivalence (TOST)"
                ),
            ]
        }
