"""The analyses of a plan, one function per step, each reading and adding to a :class:`Run`.

Each step takes what earlier steps left in the run (the primary fit, the estimand's data, the
responder rates, ...), stores its tidy results in ``run.results.frames``, its notes and a methods
paragraph, and returns nothing. :data:`STEPS` lists them in the order they run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import outcomes
from outcomes.io.formats import read_table
from outcomes.models.core.formula import FormulaError, parse_terms
from outcomes.models.mmrm.formula import parse_formula
from outcomes.report.plan import Plan, PlanError

__all__ = ["AFTER_DOSE", "STEPS", "Run", "check_against_data", "sensitivity_problems"]

#: Phases of the rows the longitudinal analyses use.
AFTER_DOSE = ("post-dose", "follow-up")
#: And with the baseline rows, which carry every randomised participant into an imputation.
WITH_BASELINE = ("baseline", *AFTER_DOSE)


@dataclass
class Run:
    """A plan being run: its data, the results so far, and what later steps need."""

    plan: Plan
    raw: outcomes.TrialData
    trial: outcomes.TrialData
    rows: pd.DataFrame  # the primary instrument's rows after the first dose
    results: Any  # outcomes.report.run.Results
    progress: Callable[[str], None]
    fit: outcomes.MMRMFit | None = None
    contrasts: pd.DataFrame | None = None
    prepared: outcomes.models.imputation.PreparedEstimand | None = None
    rates: dict[str, pd.DataFrame] = field(default_factory=dict)
    trait: outcomes.TraitChange | None = None
    adjusted: pd.DataFrame | None = None
    sensitivity: dict[str, pd.DataFrame] = field(default_factory=dict)
    tipping: outcomes.TippingPoint | None = None

    @property
    def instrument(self) -> str:
        return self.plan.primary["instrument"]

    @property
    def visit(self) -> str:
        return self.plan.primary["visit"]

    def add(self, name: str, frame: pd.DataFrame) -> None:
        self.results.frames[name] = frame

    def note(self, prefix: str, notes: Any) -> None:
        self.results.notes.extend(f"{prefix}: {n}" for n in notes)


def primary(run: Run) -> None:
    """The MMRM of the primary instrument: LS means and differences at every visit."""
    plan, spec = run.plan, run.plan.primary
    run.progress(f"primary: MMRM of {run.instrument} ({spec['df']} df)")
    fit = outcomes.mmrm(spec["formula"], run.rows, df=spec["df"], reference=plan.reference)
    run.fit = fit
    run.contrasts = fit.contrasts("arm", by="visit", reference=plan.reference)
    run.add("primary_lsmeans", fit.lsmeans(["arm", "visit"]))
    run.add("primary_contrasts", run.contrasts)
    run.sensitivity["MMRM (MAR)"] = run.contrasts
    run.note("primary MMRM", fit.notes)
    cov = fit.formula.covariance
    run.results.methods.append(
        f"Primary analysis: a mixed model for repeated measures of {run.instrument} "
        f"({fit.formula.mean}), {cov.structure} covariance within {cov.subject} over {cov.time[0]}"
        f", {'REML' if fit.reml else 'ML'}, {fit.df_method} degrees of freedom; all observed "
        f"data after the first dose ({fit.n_obs} observations of {fit.n_subjects} "
        "participants), valid under missing at random. Least-squares means by arm and visit "
        f"and the difference from {plan.reference} at every visit; {run.visit} "
        "is the primary time point."
    )


def estimand(run: Run) -> None:
    """The estimand's events, their visits, and the data each strategy implies."""
    spec = run.plan.estimand
    if not spec:
        return
    stated = outcomes.Estimand(
        spec["variable"],
        intercurrent_events=spec.get("intercurrent_events", {}),
        population=spec.get("population", "all randomised participants"),
    )
    run.prepared = stated.prepare(run.trial, instrument=run.instrument)
    run.add("intercurrent_events", run.prepared.events)
    run.note("estimand", run.prepared.notes)
    run.results.methods.insert(0, stated.describe())


def responders(run: Run) -> None:
    """Responder rates by visit for each binary outcome the plan names."""
    for outcome in run.plan.secondary.get("responders", []):
        run.progress(f"secondary: {outcome} by visit")
        run.rates[outcome] = outcomes.responders(
            _with_baseline(run),
            outcome=outcome,
            arm="arm",
            subject="subject",
            reference=run.plan.reference,
            by="visit",
            covariates=["base"],
            by_levels=list(run.rows["visit"].cat.categories),
        )
        run.add(f"responders_{outcome}", run.rates[outcome])
    if run.rates:
        run.results.methods.append(
            "Responder rates by visit count every randomised participant, one without a value "
            "as a non-responder; "
            "risk differences have Newcombe's hybrid score intervals, odds ratios come from a "
            "logistic regression on arm and baseline score, and the number needed to treat is "
            "the inverse of the risk difference."
        )


def effect_sizes(run: Run) -> None:
    """Cohen's d of the change by visit, and the MMRM differences over the baseline SD."""
    if not run.plan.secondary.get("effect_sizes"):
        return
    run.progress("secondary: effect sizes")
    frame = run.trial.frame
    run.add(
        "effect_sizes",
        outcomes.cohens_d(
            run.rows, outcome="chg", arm="arm", reference=run.plan.reference, by="visit"
        ),
    )
    baseline = frame[(frame["instrument"] == run.instrument) & (frame["phase"] == "baseline")]
    sd0 = outcomes.pooled_sd(baseline, outcome="total", arm="arm")
    run.add("standardized_differences", outcomes.standardized_difference(run.contrasts, sd0))
    run.results.methods.append(
        f"Effect sizes: Cohen's d and Hedges' g of the observed change at each visit with "
        f"noncentral-t intervals, and the MMRM differences divided by the pooled baseline "
        f"SD ({sd0:.2f})."
    )


def trait(run: Run) -> None:
    """Trait change within and between arms, with the acute experience as predictor."""
    spec = run.plan.secondary.get("trait")
    if not spec:
        return
    run.progress(f"secondary: trait change in {spec['instrument']}")
    acute = spec.get("acute")
    run.trait = outcomes.trait_change(
        run.trial,
        instrument=spec["instrument"],
        pre=spec["pre"],
        post=spec["post"],
        acute={acute: (acute, _first_dosing_visit(run.trial))} if acute else None,
        reference=run.plan.reference,
    )
    run.add("trait_within", run.trait.within)
    run.add("trait_between", run.trait.between)
    run.add("trait_predictors", run.trait.predictors)
    run.note("trait", run.trait.notes)
    run.results.methods.append(
        f"Trait change in {spec['instrument']} from {spec['pre']} to {spec['post']}: paired "
        "t and Wilcoxon signed-rank tests and d_z within each arm (participants with both "
        "assessments), an ANCOVA of the later score on the earlier one and arm, and the "
        f"acute experience ({acute} after the first dose) as predictor and moderator."
    )


def multiplicity(run: Run) -> None:
    """The family of key secondary endpoints, adjusted."""
    spec = run.plan.secondary.get("multiplicity")
    if not spec:
        return
    # one hypothesis per arm against the reference: "DMT - PLACEBO" named when there are several
    contrasts = list(dict.fromkeys(run.contrasts["contrast"].astype(str)))

    def which(contrast: str) -> str:
        return "" if len(contrasts) == 1 else f" ({contrast})"

    at = run.contrasts.astype({"contrast": str}).set_index(["contrast", "visit"])
    name = run.instrument.upper()
    family = {
        f"{name} difference{which(c)}, {v}": float(at.loc[(c, v), "p_value"])
        for c in contrasts
        for v in spec["visits"]
    }
    for outcome, table in run.rates.items():
        for _, row in table[table["visit"] == run.visit].iterrows():
            label = f"{outcome} odds ratio{which(str(row['contrast']))}, {run.visit}"
            family[label] = float(row["or_p_value"])
    family = {k: v for k, v in family.items() if np.isfinite(v)}
    method = spec.get("method", "holm")
    run.adjusted = outcomes.adjust_pvalues(family, method)
    run.add("multiplicity", run.adjusted)
    run.results.methods.append(
        f"Key secondary endpoints were tested with {method}'s procedure over the family "
        "listed in the multiplicity table."
    )


def trajectories(run: Run) -> None:
    """A linear mixed model over weeks, broken at the second dose."""
    spec = run.plan.secondary.get("trajectories")
    if not spec:
        return
    random = spec["random"]
    run.progress(f"secondary: trajectories (random {random})")
    timed = outcomes.add_time_axes(run.rows)
    weeks, weeks_after_dose_2 = TRAJECTORY_TIMES
    timed = timed.assign(
        **{weeks: timed["study_day"] / 7, weeks_after_dose_2: timed["days_after_dose_2"] / 7}
    )
    fit = outcomes.lmm(
        "chg ~ base + arm * (weeks + weeks_after_dose_2)",
        timed,
        subject="subject",
        random=random,
        reference=run.plan.reference,
    )
    run.add("trajectories", fit.to_frame())
    run.add("trajectory_variances", fit.variance_components())
    run.note("trajectories", fit.notes)
    run.results.methods.append(
        f"Trajectories: a linear mixed model of the change with random effects {random} "
        "per participant, time in weeks since the first dose with a change of slope at the "
        "second dose, arm-by-time interactions, REML; standard errors as lme4 and SAS, "
        "Satterthwaite df."
    )


def repeated_dosing(run: Run) -> None:
    """The acute response to each dose, and the TOST of the second against the first."""
    spec = run.plan.secondary.get("repeated_dosing")
    if not spec:
        return
    margin = float(spec["margin"])
    run.progress("secondary: repeated dosing")
    run.add("session_response", outcomes.session_response(run.trial, instrument=run.instrument))
    run.add(
        "dose_equivalence",
        outcomes.dose_equivalence(run.trial, margin=margin, instrument=run.instrument),
    )
    run.results.methods.append(
        "Repeated dosing: the change from just before to just after each dosing session "
        "(paired t, Wilcoxon, d_z); the equivalence of the second dose's acute change to the "
        f"first's by two one-sided tests with a margin of {margin:g} points (90% interval)."
    )


def durability(run: Run) -> None:
    """Among the responders at the anchor visit, the share still responding later."""
    spec = run.plan.secondary.get("durability")
    if not spec:
        return
    run.progress(f"secondary: durability of {spec['outcome']}")
    run.add(
        "durability",
        outcomes.still_responding(
            run.rows,
            outcome=spec["outcome"],
            subject="subject",
            visit="visit",
            anchor=spec["anchor"],
            arm="arm",
        ),
    )
    run.results.methods.append(
        f"Durability: among the participants with {spec['outcome']} at {spec['anchor']}, "
        "the proportion still with it at each later visit (Wilson intervals; a missing value "
        "counts as its loss)."
    )


def blinding(run: Run) -> None:
    """Bang's and James' indices from the end-of-treatment guesses."""
    spec = run.plan.secondary.get("blinding")
    if not spec:
        return
    run.progress("secondary: blinding indices")
    path = run.plan.file(spec["guesses"])  # checked with the plan: there, with arm and guess
    guesses = outcomes.sample_guesses(run.raw) if path is None else read_table(path)
    run.add("blinding", outcomes.blinding(guesses, reference=run.plan.reference))
    run.results.methods.append(
        "Blinding: Bang's index in each arm and James' index overall from the participants' "
        "end-of-treatment guesses, with Wald 95% intervals."
    )


def sensitivity(run: Run) -> None:
    """Multiple imputation under each strategy, and the tipping point."""
    spec, plan = run.plan.sensitivity, run.plan
    if not spec:
        return
    data = run.prepared.data if run.prepared is not None else _with_baseline(run)
    # baseline rows too, so that a participant with no visit after the first dose is imputed
    data = data[(data["instrument"] == run.instrument) & data["phase"].isin(WITH_BASELINE)]
    visits = list(run.rows["visit"].cat.categories)
    for strategy in spec["strategies"]:
        run.progress(f"sensitivity: multiple imputation, {strategy}")
        mi = outcomes.multiple_imputation(
            plan.primary["formula"],
            data,
            arm="arm",
            reference=plan.reference,
            strategy=_strategy(run.prepared, strategy),
            n_imputations=spec["n_imputations"],
            seed=plan.seed,
            visits=visits,
        )
        run.sensitivity[f"MI, {strategy}"] = mi.contrasts(by="visit")
        if "tipping_point" in spec and strategy == _tipping_strategy(spec):
            run.progress("sensitivity: tipping point")
            tip = spec["tipping_point"]
            run.tipping = mi.tipping_point([float(d) for d in tip["deltas"]], visit=tip["visit"])
            run.add("tipping_point", run.tipping.table)
    run.add(
        "sensitivity",
        pd.concat([t.assign(analysis=k) for k, t in run.sensitivity.items()], ignore_index=True),
    )
    run.results.methods.append(
        f"Sensitivity: multiple imputation from the MMRM ({spec['n_imputations']} "
        f"approximate-Bayesian imputations, seed {plan.seed}) under "
        f"{', '.join(spec['strategies'])}, with reference-based strategies for the "
        "participants with a treatment-policy event, every randomised participant with a "
        "baseline score included; each completed data set analysed by ANCOVA at each visit "
        "and pooled by Rubin's rules (Barnard-Rubin df)."
    )


#: The steps of a run, in order.
STEPS: tuple[Callable[[Run], None], ...] = (
    primary,
    estimand,
    responders,
    effect_sizes,
    trait,
    multiplicity,
    trajectories,
    repeated_dosing,
    durability,
    blinding,
    sensitivity,
)


def check_against_data(plan: Plan, trial: outcomes.TrialData) -> None:
    """Every name the plan uses must be in the data: all problems at once, located."""
    frame = trial.frame
    problems = []
    instruments = sorted(frame["instrument"].unique())
    arms = sorted(frame["arm"].dropna().astype(str).unique())

    def visits_of(instrument: str) -> list[str]:
        rows = frame[frame["instrument"] == instrument]
        return [str(v) for v in rows["visit"].cat.remove_unused_categories().cat.categories]

    primary = plan.primary
    if primary["instrument"] not in instruments:
        problems.append(
            f"[primary] instrument {primary['instrument']!r} is not in the data ({instruments})"
        )
    else:
        after = frame[
            (frame["instrument"] == primary["instrument"]) & frame["phase"].isin(AFTER_DOSE)
        ]
        seen = [str(v) for v in after["visit"].cat.remove_unused_categories().cat.categories]
        if primary["visit"] not in seen:
            problems.append(
                f"[primary] visit {primary['visit']!r} is not a visit after the first dose ({seen})"
            )
        for v in plan.secondary.get("multiplicity", {}).get("visits", []):
            if v not in seen:
                problems.append(f"[secondary] multiplicity visit {v!r} is not among {seen}")
        tip = plan.sensitivity.get("tipping_point", {}) if plan.sensitivity else {}
        if tip and tip["visit"] not in seen:
            problems.append(
                f"[sensitivity] tipping_point visit {tip['visit']!r} is not among {seen}"
            )
    if plan.reference not in arms:
        problems.append(f"[arms] reference {plan.reference!r} is not an arm of the data ({arms})")
    if plan.secondary.get("blinding") and len(arms) != 2:
        problems.append(
            f"[secondary] blinding: Bang's and James' indices compare two arms; the data have "
            f"{len(arms)} ({', '.join(arms)}): remove blinding from the plan"
        )
    problems += formula_problems(plan, list(frame.columns))
    problems += sensitivity_problems(plan, trial.events)
    for outcome in plan.secondary.get("responders", []):
        if outcome not in frame.columns:
            problems.append(f"[secondary] responders: {outcome!r} is not a derived column")
    trait = plan.secondary.get("trait")
    if trait:
        if trait["instrument"] not in instruments:
            problems.append(
                f"[secondary] trait instrument {trait['instrument']!r} is not in the "
                f"data ({instruments})"
            )
        else:
            for key in ("pre", "post"):
                if trait[key] not in visits_of(trait["instrument"]):
                    problems.append(
                        f"[secondary] trait {key} {trait[key]!r} is not a visit of "
                        f"{trait['instrument']} ({visits_of(trait['instrument'])})"
                    )
        if trait.get("acute") and trait["acute"] not in instruments:
            problems.append(
                f"[secondary] trait acute {trait['acute']!r} is not in the data ({instruments})"
            )
    if problems:
        raise PlanError(plan.path, problems)


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


#: Columns the trajectories step adds to the data (time in weeks), which its random effects use.
TRAJECTORY_TIMES: tuple[str, ...] = ("weeks", "weeks_after_dose_2")


def formula_problems(plan: Plan, columns: list[str]) -> list[str]:
    """Names of the plan's formulas that are not ``columns``, located.

    The grammar has read the formulas with the plan (:class:`outcomes.report.plan.Formula`).

    Examples
    --------
    >>> import dataclasses
    >>> from outcomes.report.plan import read_plan
    >>> plan = read_plan()
    >>> typo = "chg ~ bse + us(visit | subject)"
    >>> bad = dataclasses.replace(plan, primary={**plan.primary, "formula": typo})
    >>> print(*formula_problems(bad, ["chg", "base", "visit", "subject"]))  # doctest: +ELLIPSIS
    [primary] formula: the formula names 'bse' (did you mean 'base'?), which is not a column ...
    """
    problems = []
    try:
        parse_formula(plan.primary["formula"], columns)
    except FormulaError as exc:
        problems.append(f"[primary] formula: {exc}")
    random = plan.secondary.get("trajectories", {}).get("random")
    if random is not None:
        try:
            parse_terms(random).resolve([*columns, *TRAJECTORY_TIMES])
        except FormulaError as exc:
            problems.append(f"[secondary] trajectories random: {exc}")
    return problems


def _with_baseline(run: Run) -> pd.DataFrame:
    """The primary instrument's rows from baseline on: every randomised participant is in."""
    frame = run.trial.frame
    return frame[(frame["instrument"] == run.instrument) & frame["phase"].isin(WITH_BASELINE)]


def _first_dosing_visit(trial: outcomes.TrialData) -> str:
    dosing = [v.name for v in trial.schedule.visits if v.phase == "dosing"]
    if not dosing:
        raise ValueError("the schedule has no dosing visit for the acute-experience score")
    return dosing[0]


def _strategy(prepared: Any, strategy: str) -> Any:
    """The per-subject strategies of the estimand with its J2R replaced by ``strategy``."""
    if prepared is None:
        return strategy
    table = prepared.strategy
    return table.assign(strategy=table["strategy"].replace({"J2R": strategy}))


def _tipping_strategy(spec: dict[str, Any]) -> str:
    return spec["tipping_point"].get(
        "strategy", "J2R" if "J2R" in spec["strategies"] else spec["strategies"][0]
    )
