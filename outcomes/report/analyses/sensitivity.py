"""Sensitivity: multiple imputation under each strategy of the plan, and the tipping point."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

import outcomes
from outcomes import plots, tables
from outcomes.models.imputation import STRATEGIES
from outcomes.report.analyses.base import (
    OPTIONAL,
    WITH_BASELINE,
    Analysis,
    Context,
    Drawer,
    Facts,
    Maker,
    Produced,
    frame_table,
)
from outcomes.report.spec import NAME, Choice, Items, Key, Number, Section, Table, Whole

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = ["Sensitivity", "sensitivity_problems", "tipping_strategy"]


class Sensitivity(Analysis):
    """MI from the MMRM under MAR, J2R, CR, CIR or LMCF, pooled by Rubin's rules.

    Its value: the difference by visit of each analysis, the primary MMRM's first, by label.
    """

    name = "sensitivity"
    section = "sensitivity"
    spec = Section(
        {
            "strategies": Key(
                Items(Choice(STRATEGIES), len(STRATEGIES), needed=True), default=["MAR"]
            ),
            "n_imputations": Key(Whole(2, 10_000), default=100),
            "tipping_point": Key(
                Table(
                    {
                        "visit": Key(NAME, required=True),
                        "deltas": Key(
                            Items(Number(-1_000_000, 1_000_000), 200, needed=True),
                            required=True,
                        ),
                        "strategy": Key(Choice(STRATEGIES)),
                    }
                )
            ),
            **OPTIONAL,
        },
        analysis=True,
    )
    template = """\
[sensitivity]
strategies = ["MAR", "J2R", "CR", "CIR"]  # reference-based multiple imputation (or LMCF)
n_imputations = 200                       # 2 to 10000
tipping_point = { visit = "WEEK 3", deltas = [0, 4, 8, 12, 16, 20, 24, 28, 32] }
# deltas: up to 200, each from -1000000 to 1000000; strategy = "J2R" (one of the strategies
# above) is the default, or the first of them when J2R is not among them
"""
    requires = ("primary",)
    tables = {
        "sensitivity": "Sensitivity analyses: the difference at the primary visit",
        "tipping_point": "Tipping point",
    }
    figures = {
        "tipping_point": "Tipping-point analysis: the difference as imputed values are made worse"
    }

    def output_needs(self, plan: Plan, name: str) -> str | None:
        if name == "tipping_point" and "tipping_point" not in (plan.sensitivity or {}):
            return "[sensitivity] tipping_point"
        return None

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        problems = sensitivity_problems(plan, facts.trial.events)
        if plan.primary["model"] != "mmrm":
            problems.append(
                "[sensitivity] imputes from the MMRM of [primary]; the primary analysis is an "
                'ANCOVA: use model = "mmrm", or leave [sensitivity] out'
            )
        tip = plan.sensitivity.get("tipping_point")
        seen = facts.after_dose(plan.primary["instrument"])
        if tip and seen and tip["visit"] not in seen:
            problems.append(
                f"[sensitivity] tipping_point visit {tip['visit']!r} is not among {seen}"
            )
        return problems

    def run(self, context: Context) -> Produced:
        spec, plan = context.plan.sensitivity, context.plan
        prepared = context.value("estimand")
        data = prepared.data if prepared is not None else context.with_baseline
        # baseline rows too, so that a participant with no visit after the first dose is imputed
        data = data[(data["instrument"] == context.instrument) & data["phase"].isin(WITH_BASELINE)]
        visits = list(context.rows["visit"].cat.categories)
        analyses = {"MMRM (MAR)": context.produced["primary"].frames["primary_contrasts"]}
        frames: dict[str, pd.DataFrame] = {}
        tipping = None
        context.progress(f"sensitivity: multiple imputation, {', '.join(spec['strategies'])}")
        imputed = outcomes.multiple_imputations(
            plan.primary["formula"],
            data,
            arm="arm",
            reference=plan.reference,
            strategies={s: _strategy(prepared, s) for s in spec["strategies"]},
            n_imputations=spec["n_imputations"],
            seed=plan.seed,
            visits=visits,
        )
        for strategy, mi in imputed.items():
            analyses[f"MI, {strategy}"] = mi.contrasts(by="visit")
            if "tipping_point" in spec and strategy == tipping_strategy(spec):
                context.progress("sensitivity: tipping point")
                tip = spec["tipping_point"]
                tipping = mi.tipping_point([float(d) for d in tip["deltas"]], visit=tip["visit"])
                frames["tipping_point"] = tipping.table
        frames["sensitivity"] = pd.concat(
            [t.assign(analysis=k) for k, t in analyses.items()], ignore_index=True
        )
        return Produced(
            frames,
            (analyses, tipping),
            methods=_methods(spec, plan.seed, with_events=prepared is not None),
        )

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        analyses, _ = produced.value
        return {
            "sensitivity": lambda: tables.sensitivity_table(analyses, visit=context.visit),
            "tipping_point": lambda: frame_table(
                produced, "tipping_point", self.tables["tipping_point"]
            ),
        }

    def make_figures(self, context: Context, produced: Produced) -> Mapping[str, Drawer]:
        # one per contrast (three or more arms), numbered: a contrast's name comes from the
        # data, never a file name
        _, tipping = produced.value
        return {
            "tipping_point" if k == 0 else f"tipping_point_{k + 1}": (
                lambda ax, part=part, name=contrast: _titled(plots.tipping_map(part, ax=ax), name)
            )
            for k, (contrast, part) in enumerate(_by_contrast(tipping))
        }


def _methods(spec: Mapping[str, Any], seed: int, *, with_events: bool) -> str:
    """The methods sentence: the strategies run, and to whom the reference-based ones apply."""
    based = [s for s in spec["strategies"] if s != "MAR"]
    if not based:
        whom = ""
    elif with_events:
        whom = (
            f"; {_listed(based)} to the participants with a treatment-policy intercurrent event "
            "(MAR to the others)"
        )
    else:
        whom = f"; {_listed(based)} to every missing value"
    return (
        f"Sensitivity: multiple imputation from the MMRM ({spec['n_imputations']} "
        f"approximate-Bayesian imputations, seed {seed}) under {_listed(spec['strategies'])}"
        f"{whom}, every randomised participant with a baseline score included; each completed "
        "data set analysed by ANCOVA at each visit and pooled by Rubin's rules (Barnard-Rubin df)."
    )


def _listed(names: list[str]) -> str:
    """``MAR, J2R and CR``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def sensitivity_problems(plan: Plan, events: pd.DataFrame) -> list[str]:
    r"""Reference-based strategies with nobody to apply to, located.

    Under the plan's estimand, a reference-based strategy (J2R, CR, CIR, LMCF) imputes the
    participants with a treatment-policy intercurrent event; with none in the data it would
    impute as MAR and report the MAR estimate under the strategy's name, and the tipping point
    would shift nobody. Without an ``[estimand]`` the strategy applies to every missing value,
    which needs no events.

    Examples
    --------
    >>> from outcomes.report.plan import read_plan
    >>> print(*sensitivity_problems(read_plan(), pd.DataFrame({"event": []})), sep="\n")
    [sensitivity] strategies: J2R needs intercurrent events; the data have no events table
    [sensitivity] strategies: CR needs intercurrent events; the data have no events table
    [sensitivity] strategies: CIR needs intercurrent events; the data have no events table
    """
    spec = plan.sensitivity
    if not spec or not plan.estimand:
        return []
    based = [s for s in spec["strategies"] if s != "MAR"]
    policy = sorted(
        event
        for event, strategy in plan.estimand.get("intercurrent_events", {}).items()
        if strategy == "treatment policy"
    )
    if events.empty:
        reason = "the data have no events table"
    elif not events["event"].isin(policy).any():
        reason = (
            "no participant of the data has an event the estimand handles by treatment policy"
            f" ({', '.join(map(repr, policy)) or 'none named'})"
        )
    else:
        return []
    return [f"[sensitivity] strategies: {s} needs intercurrent events; {reason}" for s in based]


def tipping_strategy(spec: Mapping[str, Any]) -> str:
    """The strategy of the tipping point: the plan's, else J2R if run, else the first run."""
    return spec["tipping_point"].get(
        "strategy", "J2R" if "J2R" in spec["strategies"] else spec["strategies"][0]
    )


def _strategy(prepared: Any, strategy: str) -> Any:
    """The per-subject strategies of the estimand with its J2R replaced by ``strategy``."""
    if prepared is None:
        return strategy
    table = prepared.strategy
    return table.assign(strategy=table["strategy"].replace({"J2R": strategy}))


def _by_contrast(tipping: outcomes.TippingPoint | None) -> list[tuple[str, pd.DataFrame]]:
    """The tipping-point table per contrast (one part for two arms); none without one."""
    if tipping is None:
        return []
    table = tipping.table
    if "contrast" not in table.columns:
        return [("", table)]
    return [(str(c), part) for c, part in table.groupby("contrast", sort=False, observed=True)]


def _titled(ax: Any, title: str) -> Any:
    if title:
        ax.set_title(title)
    return ax
