"""Trait change (e.g. neuroticism) within and between arms, with the acute experience."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import outcomes
from outcomes import plots
from outcomes.report.analyses.base import (
    OPTIONAL,
    Analysis,
    Context,
    Drawer,
    Facts,
    Maker,
    Produced,
    frame_table,
)
from outcomes.report.spec import NAME, Key, Table

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["Trait"]


class Trait(Analysis):
    """Paired tests and d_z within arms, an ANCOVA between them, acute predictors."""

    name = "trait"
    key = "trait"
    spec = Key(
        Table(
            {
                "instrument": Key(NAME, required=True),
                "pre": Key(NAME, required=True),
                "post": Key(NAME, required=True),
                "acute": Key(NAME),
                **OPTIONAL,
            }
        )
    )
    template = (
        'trait = { instrument = "neo-ffi-n", pre = "BASELINE", post = "WEEK 12", '
        'acute = "meq30" }\n'
    )
    tables = {"trait": "Trait change within each arm"}
    figures = {"acute_vs_outcome": "Acute experience against the change in the trait outcome"}

    def output_needs(self, plan: Plan, name: str) -> str | None:
        if name == "acute_vs_outcome" and not (plan.secondary.get("trait") or {}).get("acute"):
            return "[secondary] trait acute"
        return None

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        spec, problems = plan.secondary["trait"], []
        instrument = spec["instrument"]
        if instrument not in facts.instruments:
            problems.append(
                f"[secondary] trait instrument {instrument!r} is not in the data "
                f"({facts.instruments})"
            )
        else:
            visits = facts.visits(instrument)
            problems += [
                f"[secondary] trait {key} {spec[key]!r} is not a visit of {instrument} ({visits})"
                for key in ("pre", "post")
                if spec[key] not in visits
            ]
        acute = spec.get("acute")
        if acute:
            if acute not in facts.instruments:
                problems.append(
                    f"[secondary] trait acute {acute!r} is not in the data ({facts.instruments})"
                )
            if not _dosing_visits(facts.trial):
                problems.append(
                    f"[secondary] trait acute: {acute!r} is scored after the first dose, and the "
                    "schedule has no dosing visit"
                )
        return problems

    def run(self, context: Context) -> Produced:
        spec = context.plan.secondary["trait"]
        context.progress(f"secondary: trait change in {spec['instrument']}")
        acute = spec.get("acute")
        change = outcomes.trait_change(
            context.trial,
            instrument=spec["instrument"],
            pre=spec["pre"],
            post=spec["post"],
            acute={acute: (acute, _dosing_visits(context.trial)[0])} if acute else None,
            reference=context.plan.reference,
        )
        predictor = (
            f", and the acute experience ({acute} after the first dose) as predictor and moderator"
            if acute
            else ""
        )
        return Produced(
            {
                "trait_within": change.within,
                "trait_between": change.between,
                "trait_predictors": change.predictors,
            },
            change,
            tuple(change.notes),
            f"Trait change in {spec['instrument']} from {spec['pre']} to {spec['post']}: paired "
            "t and Wilcoxon signed-rank tests and d_z within each arm (participants with both "
            "assessments), an ANCOVA of the later score on the earlier one and arm"
            f"{predictor}.",
        )

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        return {"trait": lambda: frame_table(produced, "trait_within", self.tables["trait"])}

    def make_figures(self, context: Context, produced: Produced) -> Mapping[str, Drawer]:
        acute = context.plan.secondary["trait"].get("acute")
        if not acute:
            return {}
        return {
            "acute_vs_outcome": lambda ax: plots.acute_vs_outcome(
                produced.value.data, x=acute, y="change", ax=ax
            )
        }


def _dosing_visits(trial: outcomes.TrialData) -> list[str]:
    return [v.name for v in trial.schedule.visits if v.phase == "dosing"]
