"""The family of key secondary endpoints, adjusted for multiplicity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import outcomes
from outcomes import tables
from outcomes.models.endpoints.multiplicity import METHODS
from outcomes.report.analyses.base import Analysis, Context, Facts, Maker, Produced
from outcomes.report.spec import NAME, Choice, Items, Key, Table

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["Multiplicity"]

#: How the methods name each procedure.
_LABELS = {
    "bonferroni": "Bonferroni's correction",
    "holm": "Holm's procedure",
    "hochberg": "Hochberg's procedure",
    "fixed-sequence": "a fixed sequence",
}


class Multiplicity(Analysis):
    """The primary differences at the plan's visits and the responder odds ratios, adjusted.

    One hypothesis per arm against the reference: with several, each label names its contrast
    (``MADRS difference (DMT LOW - PLACEBO), WEEK 2``).
    """

    name = "multiplicity"
    key = "multiplicity"
    spec = Key(
        Table(
            {
                "method": Key(Choice(METHODS)),
                "visits": Key(Items(NAME, 200, needed=True), required=True),
            }
        )
    )
    template = (
        'multiplicity = { method = "holm", visits = ["WEEK 1", "WEEK 4"] }  # up to 200 visits\n'
    )
    requires = ("primary",)
    tables = {"multiplicity": "Key secondary endpoints, adjusted for multiplicity"}

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        seen = facts.after_dose(plan.primary["instrument"])
        if plan.primary["model"] == "ancova":
            seen = [plan.primary["visit"]]  # an ANCOVA has a difference at its visit only
        if not seen:  # the primary instrument is not in the data: said by [primary]
            return []
        return [
            f"[secondary] multiplicity visit {v!r} is not among {seen}"
            for v in plan.secondary["multiplicity"]["visits"]
            if v not in seen
        ]

    def run(self, context: Context) -> Produced:
        spec = context.plan.secondary["multiplicity"]
        primary = context.produced["primary"].frames["primary_contrasts"]
        contrasts = list(dict.fromkeys(primary["contrast"].astype(str)))

        def which(contrast: str) -> str:
            return "" if len(contrasts) == 1 else f" ({contrast})"

        at = primary.astype({"contrast": str}).set_index(["contrast", "visit"])
        name = context.instrument.upper()
        family = {
            f"{name} difference{which(c)}, {v}": float(at.loc[(c, v), "p_value"])
            for c in contrasts
            for v in spec["visits"]
        }
        rates: dict[str, pd.DataFrame] = context.value("responders") or {}
        for outcome, table in rates.items():
            for _, row in table[table["visit"] == context.visit].iterrows():
                label = f"{outcome} odds ratio{which(str(row['contrast']))}, {context.visit}"
                family[label] = float(row["or_p_value"])
        family = {k: v for k, v in family.items() if np.isfinite(v)}
        method = spec.get("method", "holm")
        adjusted = outcomes.adjust_pvalues(family, method)
        return Produced(
            {"multiplicity": adjusted},
            adjusted,
            methods=(
                f"Key secondary endpoints were tested with {_LABELS[method]} over the family "
                "listed in the multiplicity table."
            ),
        )

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        method = context.plan.secondary["multiplicity"].get("method", "holm")
        return {"multiplicity": lambda: tables.multiplicity_table(produced.value, method=method)}
