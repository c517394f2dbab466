"""Standardised effect sizes: Cohen's d of the change, and the MMRM differences over the SD."""

from __future__ import annotations

from collections.abc import Mapping

import outcomes
from outcomes.report.analyses.base import (
    Analysis,
    Context,
    Maker,
    Produced,
    derived_records,
    frame_table,
)
from outcomes.report.spec import Flag, Key

__all__ = ["EffectSizes"]


class EffectSizes(Analysis):
    """Cohen's d and Hedges' g by visit; the primary differences over the baseline SD."""

    name = "effect_sizes"
    key = "effect_sizes"
    spec = Key(Flag(), default=False)
    template = (
        "effect_sizes = true                       # Cohen's d on change, and the MMRM "
        "difference / SD\n"
    )
    requires = ("primary",)
    tables = {"effect_sizes": "Effect sizes of the change from baseline"}

    def run(self, context: Context) -> Produced:
        context.progress("secondary: effect sizes")
        frame, reference = context.trial.frame, context.plan.reference
        baseline = frame[
            (frame["instrument"] == context.instrument) & (frame["phase"] == "baseline")
        ]
        sd0 = outcomes.pooled_sd(baseline, outcome="total", arm="arm")
        contrasts = context.produced["primary"].frames["primary_contrasts"]
        frames = {
            "effect_sizes": outcomes.cohens_d(
                context.rows, outcome="chg", arm="arm", reference=reference, by="visit"
            ),
            "standardized_differences": outcomes.standardized_difference(contrasts, sd0),
        }
        derived = derived_records(context.rows)
        change = f"change ({derived} in the data)" if derived else "observed change"
        return Produced(
            frames,
            methods=(
                f"Effect sizes: Cohen's d and Hedges' g of the {change} at each visit with "
                "noncentral-t intervals, and the primary analysis's differences divided by the "
                f"pooled baseline SD ({sd0:.2f})."
            ),
        )

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        return {
            "effect_sizes": lambda: frame_table(
                produced, "effect_sizes", self.tables["effect_sizes"]
            )
        }
