"""The analyses a plan can ask for: a registry, one module each.

:data:`ANALYSES` lists them in the order they run; every other part of the report derives from
it: the plan's sections and keys (:data:`outcomes.report.plan.SECTIONS`), its template, the
tables and figures a plan can ask for (:data:`TABLES`, :data:`FIGURES`), the checks against the
data, the run, the outputs and the methods. A new analysis is a module with an
:class:`~outcomes.report.analyses.base.Analysis` subclass, and a line here.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt

from outcomes import tables
from outcomes.report.analyses.base import AFTER_DOSE, Analysis, Context, Facts, Produced
from outcomes.report.analyses.blinding import Blinding
from outcomes.report.analyses.descriptive import Descriptive
from outcomes.report.analyses.durability import Durability
from outcomes.report.analyses.effect_sizes import EffectSizes
from outcomes.report.analyses.estimand import Estimand
from outcomes.report.analyses.multiplicity import Multiplicity
from outcomes.report.analyses.primary import Primary
from outcomes.report.analyses.repeated_dosing import RepeatedDosing
from outcomes.report.analyses.responders import Responders
from outcomes.report.analyses.sensitivity import Sensitivity, sensitivity_problems
from outcomes.report.analyses.trait import Trait
from outcomes.report.analyses.trajectories import Trajectories

__all__ = [
    "AFTER_DOSE",
    "ANALYSES",
    "FIGURES",
    "TABLES",
    "Analysis",
    "Context",
    "Facts",
    "Produced",
    "figure_caption",
    "make_figures",
    "make_tables",
    "owner",
    "sensitivity_problems",
]

#: Every analysis, in the order they run (an analysis after those it requires).
ANALYSES: tuple[Analysis, ...] = (
    Descriptive(),
    Estimand(),
    Primary(),
    Responders(),
    EffectSizes(),
    Trait(),
    Multiplicity(),
    Trajectories(),
    RepeatedDosing(),
    Durability(),
    Blinding(),
    Sensitivity(),
)

#: Tables a plan can ask for, in the order of the analyses that make them.
TABLES: tuple[str, ...] = tuple(dict.fromkeys(t for a in ANALYSES for t in a.tables))
#: Figures a plan can ask for.
FIGURES: tuple[str, ...] = tuple(dict.fromkeys(f for a in ANALYSES for f in a.figures))


def owner(kind: str, name: str) -> Analysis:
    """The analysis that makes the table (``kind="tables"``) or figure (``"figures"``) ``name``.

    Examples
    --------
    >>> owner("figures", "forest").name
    'primary'
    """
    return next(a for a in ANALYSES if name in getattr(a, kind))


def make_tables(context: Context) -> dict[str, tables.Table]:
    """The tables the plan asks for, by name (a second table of one name gets ``_2``).

    A table of an analysis that did not run (skipped, as the report says) is left out.
    """
    out: dict[str, tables.Table] = {}
    for name in context.plan.tables:
        analysis = owner("tables", name)
        produced = context.produced.get(analysis.name)
        if produced is None:
            continue
        made = analysis.make_tables(context, produced)[name]()
        for k, table in enumerate(made if isinstance(made, list) else [made]):
            if table is not None:
                out[name if k == 0 else f"{name}_{k + 1}"] = table
    return out


def make_figures(context: Context) -> dict[str, Any]:
    """The figures the plan asks for, by name.

    A figure of several parts (``responders``: one per binary outcome; ``tipping_point``: one
    per contrast with three or more arms) gives ``responders``, ``responders_<outcome>``, ...
    and ``tipping_point``, ``tipping_point_2``, ...; one with no data is left out.
    """
    out = {}
    for asked in context.plan.figures:
        analysis = owner("figures", asked)
        produced = context.produced.get(analysis.name)
        if produced is None:
            continue
        for name, draw in analysis.make_figures(context, produced).items():
            if name != asked and not name.startswith(f"{asked}_"):
                continue
            fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
            if draw(ax) is None:
                plt.close(fig)
                continue
            out[name] = fig
    return out


def figure_caption(name: str) -> str:
    """The caption of the figure ``name`` (a part, e.g. ``responders_remission``, included).

    Examples
    --------
    >>> figure_caption("responders_remission"), figure_caption("tipping_point_2")[-3:]
    ('Remission by arm and visit', '(2)')
    """
    base = max((f for f in FIGURES if name == f or name.startswith(f"{f}_")), key=len)
    return owner("figures", base).caption(base, name[len(base) + 1 :].replace("_", " "))
