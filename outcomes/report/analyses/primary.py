"""The primary analysis: an MMRM of the primary instrument, LS means and differences by visit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import outcomes
from outcomes import plots, tables
from outcomes.models.core.formula import FormulaError
from outcomes.models.mmrm import DF_METHODS
from outcomes.models.mmrm.covariance import get_structure
from outcomes.models.mmrm.formula import parse_formula
from outcomes.report.analyses.base import Analysis, Context, Drawer, Facts, Maker, Produced
from outcomes.report.spec import NAME, Choice, Formula, Key, Section

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["DF_LABELS", "Primary"]

#: How the methods name each df method.
DF_LABELS = {
    "satterthwaite": "Satterthwaite",
    "kenward-roger": "Kenward-Roger",
    "kenward-roger-linear": "Kenward-Roger (linear)",
    "between-within": "between-within",
    "residual": "residual",
}


class Primary(Analysis):
    """The MMRM of ``[primary]``: its fit is the value later analyses use."""

    name = "primary"
    section = "primary"
    spec = Section(
        {
            "instrument": Key(NAME, required=True),
            "formula": Key(Formula(parse_formula), required=True),
            "visit": Key(NAME, required=True),
            "df": Key(Choice(DF_METHODS), default="satterthwaite"),
        },
        required=True,
    )
    template = """\
[primary]
instrument = "madrs"
formula = "chg ~ base * visit + arm * visit + us(visit | subject)"  # at most 2000 characters
visit = "WEEK 2"                 # the primary time point
df = "kenward-roger"             # satterthwaite, kenward-roger, between-within, residual
"""
    tables = {"lsmeans": "Least-squares means and differences (MMRM)"}
    figures = {
        "lsmeans": "Least-squares mean change from baseline by arm (MMRM), with 95% CIs",
        "forest": "Difference from the reference arm at each visit (MMRM), with 95% CIs",
    }

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        spec, problems = plan.primary, []
        if spec["instrument"] not in facts.instruments:
            problems.append(
                f"[primary] instrument {spec['instrument']!r} is not in the data "
                f"({facts.instruments})"
            )
        elif spec["visit"] not in (seen := facts.after_dose(spec["instrument"])):
            problems.append(
                f"[primary] visit {spec['visit']!r} is not a visit after the first dose ({seen})"
            )
        try:
            parse_formula(spec["formula"], facts.columns)
        except FormulaError as exc:
            problems.append(f"[primary] formula: {exc}")
        return problems

    def run(self, context: Context) -> Produced:
        plan, spec = context.plan, context.plan.primary
        context.progress(f"primary: MMRM of {context.instrument} ({spec['df']} df)")
        fit = outcomes.mmrm(spec["formula"], context.rows, df=spec["df"], reference=plan.reference)
        contrasts = fit.contrasts("arm", by="visit", reference=plan.reference)
        cov = fit.formula.covariance
        methods = (
            f"Primary analysis: a mixed model for repeated measures of the "
            f"{context.label(context.instrument)} ({fit.formula.mean}), "
            f"{get_structure(cov.structure).title} covariance within {cov.subject} over "
            f"{cov.time[0]}, {'REML' if fit.reml else 'ML'}, "
            f"{DF_LABELS.get(fit.df_method, fit.df_method)} degrees of freedom; "
            f"all observed data after the first dose ({fit.n_obs} observations of "
            f"{fit.n_subjects} participants), valid under missing at random. Least-squares "
            f"means by arm and visit and the difference from {plan.reference} at every visit; "
            f"{context.visit} is the primary time point."
        )
        return Produced(
            {"primary_lsmeans": fit.lsmeans(["arm", "visit"]), "primary_contrasts": contrasts},
            fit,
            tuple(fit.notes),
            methods,
        )

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        return {
            "lsmeans": lambda: tables.lsmeans_table(
                produced.value, reference=context.plan.reference
            )
        }

    def make_figures(self, context: Context, produced: Produced) -> Mapping[str, Drawer]:
        frames = produced.frames
        return {
            "lsmeans": lambda ax: plots.lsmeans_trajectory(frames["primary_lsmeans"], ax=ax),
            "forest": lambda ax: plots.forest(frames["primary_contrasts"], ax=ax),
        }
