"""The primary analysis: an MMRM of the primary instrument over the visits after the first dose,
or an ANCOVA at the primary visit (with a dose-response test across the arms' doses)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

import outcomes
from outcomes import plots, tables
from outcomes.models.core.df import df_title
from outcomes.models.core.formula import FormulaError, ModelFormula, parse_model
from outcomes.models.mmrm import DF_METHODS
from outcomes.models.mmrm.covariance import STRUCTURES, get_structure
from outcomes.models.mmrm.formula import parse_formula
from outcomes.report.analyses.base import (
    Analysis,
    Context,
    Drawer,
    Facts,
    Maker,
    Produced,
    derived_records,
    frame_table,
)
from outcomes.report.spec import NAME, Choice, Formula, Key, Section

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["MODELS", "Primary", "parse_primary"]

#: The models ``[primary] model`` takes.
MODELS = ("mmrm", "ancova")


def parse_primary(text: str) -> ModelFormula:
    """A primary formula, of an MMRM (with a covariance term) or an ANCOVA (without one).

    Examples
    --------
    >>> parse_primary("chg ~ base + arm").covariance is None
    True
    """
    return parse_model(text, structures=STRUCTURES)


class Primary(Analysis):
    """The model of ``[primary]``: its fit is the value later analyses use."""

    name = "primary"
    section = "primary"
    spec = Section(
        {
            "model": Key(Choice(MODELS), default="mmrm"),
            "instrument": Key(NAME, required=True),
            "formula": Key(Formula(parse_primary), required=True),
            "visit": Key(NAME, required=True),
            "df": Key(Choice(DF_METHODS), default="satterthwaite"),
            "dose": Key(NAME),
        },
        required=True,
    )
    template = """\
[primary]
model = "mmrm"                   # "mmrm" over the visits, or "ancova" at the primary visit
instrument = "madrs"
formula = "chg ~ base * visit + arm * visit + us(visit | subject)"  # at most 2000 characters
visit = "WEEK 2"                 # the primary time point
df = "kenward-roger"             # MMRM: satterthwaite, kenward-roger, between-within, residual
# dose = "TRT01PN"               # ANCOVA: each arm's dose, for the table "dose_response"
"""
    tables = {
        "lsmeans": "Least-squares means and differences",
        "dose_response": "Dose-response test (ANCOVA with the dose as a covariate)",
    }
    figures = {
        "lsmeans": "Least-squares mean change from baseline by arm, with 95% CIs",
        "forest": "Difference from the reference arm, with 95% CIs",
    }

    def output_needs(self, plan: Plan, name: str) -> str | None:
        if name == "dose_response" and not plan.primary.get("dose"):
            return "[primary] dose"
        return None

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
        ancova = spec["model"] == "ancova"
        try:
            if ancova:
                formula = parse_primary(spec["formula"])
                if formula.covariance is not None:
                    problems.append(
                        "[primary] formula: an ANCOVA at one visit has no covariance term; "
                        'remove it, or use model = "mmrm"'
                    )
                formula.resolve(facts.columns)
            else:
                parse_formula(spec["formula"], facts.columns)
        except FormulaError as exc:
            problems.append(f"[primary] formula: {exc}")
        if not ancova and "dtype" in facts.columns and facts.frame["dtype"].notna().any():
            kinds = ", ".join(sorted(facts.frame["dtype"].dropna().astype(str).unique()))
            problems.append(
                f"[primary] an MMRM is fitted to the observed data, and the data hold derived "
                f'records ({kinds}, from [data] derived): remove them, or use model = "ancova"'
            )
        dose = spec.get("dose")
        if dose is not None and not ancova:
            problems.append('[primary] dose: the dose-response test is of model = "ancova"')
        elif dose is not None and dose not in facts.columns:
            problems.append(f"[primary] dose {dose!r} is not a column of the data")
        elif dose is not None and not pd.api.types.is_numeric_dtype(facts.frame[dose]):
            problems.append(f"[primary] dose {dose!r} is not a column of numbers")
        return problems

    def run(self, context: Context) -> Produced:
        if context.plan.primary["model"] == "ancova":
            return self._ancova(context)
        plan, spec = context.plan, context.plan.primary
        context.progress(f"primary: MMRM of {context.instrument} ({spec['df']} df)")
        fit = outcomes.mmrm(spec["formula"], context.rows, df=spec["df"], reference=plan.reference)
        contrasts = fit.contrasts("arm", by="visit", reference=plan.reference)
        cov = fit.formula.covariance
        methods = (
            f"Primary analysis: a mixed model for repeated measures of the "
            f"{context.label(context.instrument)} ({fit.formula.mean}), "
            f"{get_structure(cov.structure).title} covariance within {cov.subject} over "
            f"{cov.time[0]}, {'REML' if fit.reml else 'ML'}, {df_title(fit.df_method)} degrees "
            f"of freedom; all observed data after the first dose ({fit.n_obs} observations of "
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

    def _ancova(self, context: Context) -> Produced:
        plan, spec, visit = context.plan, context.plan.primary, context.visit
        context.progress(f"primary: ANCOVA of {context.instrument} at {visit}")
        rows = context.rows[context.rows["visit"] == visit]
        fit = outcomes.ancova(spec["formula"], rows, reference=plan.reference)
        frames = {
            "primary_lsmeans": fit.lsmeans(["arm"]).assign(visit=visit),
            "primary_contrasts": fit.contrasts("arm", reference=plan.reference).assign(visit=visit),
        }
        derived = derived_records(rows)
        records = f"; {derived} in the data" if derived else ""
        label = context.label(context.instrument)
        methods = (
            f"Primary analysis: an analysis of covariance of the {label} at {visit} "
            f"({fit.formula.mean}), least squares with residual degrees of freedom "
            f"({fit.n_obs} participants{records}). Least-squares means by arm and the "
            f"difference from {plan.reference}."
        )
        dose = spec.get("dose")
        if dose is not None:
            formula = parse_primary(spec["formula"]).resolve(list(rows.columns))
            dosed = outcomes.ancova(formula.renamed({"arm": dose}).mean, rows)
            frames["dose_response"] = dosed.to_frame().query("term == @dose")
            methods += (
                f" Dose-response: the same model with the arm replaced by its dose ({dose}), "
                "the test of its slope."
            )
        return Produced(frames, fit, tuple(fit.notes), methods)

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        reference, fit = context.plan.reference, produced.value
        ancova = context.plan.primary["model"] == "ancova"
        return {
            "lsmeans": lambda: (
                tables.lsmeans_table(fit, visit=None, at=context.visit, reference=reference)
                if ancova
                else tables.lsmeans_table(fit, reference=reference)
            ),
            "dose_response": lambda: frame_table(
                produced, "dose_response", self.tables["dose_response"]
            ),
        }

    def make_figures(self, context: Context, produced: Produced) -> Mapping[str, Drawer]:
        frames = produced.frames
        return {
            "lsmeans": lambda ax: plots.lsmeans_trajectory(frames["primary_lsmeans"], ax=ax),
            "forest": lambda ax: plots.forest(frames["primary_contrasts"], ax=ax),
        }
