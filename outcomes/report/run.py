"""Running an analysis plan: data, estimand, primary, secondary and sensitivity analyses.

:func:`run_plan` carries out every analysis a :class:`~outcomes.report.plan.Plan` declares, with
the package's public functions, and returns the tidy results (for ``results.json``), the
formatted tables and the figures. Progress goes to ``progress`` (a callable taking a line).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import outcomes
from outcomes import plots, tables
from outcomes.report.plan import Plan, PlanError

__all__ = ["Results", "run_plan"]

_AFTER_DOSE = ("post-dose", "follow-up")


@dataclass
class Results:
    """What a plan produced.

    Attributes
    ----------
    frames : dict of DataFrame
        Every estimate, tidy, at full precision (written to ``results.json``).
    tables : dict of Table
        The formatted tables the plan asks for.
    figures : dict of matplotlib Figure
        The figures the plan asks for.
    methods : list of str
        Paragraphs of the methods, generated from the plan.
    checksums : dict of str
        SHA-256 of the plan and of the analysed data.
    notes : list of str
        What the analyses noted (rows left out, events, ...).
    """

    plan: Plan
    trial: outcomes.TrialData
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    tables: dict[str, tables.Table] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    methods: list[str] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def run_plan(plan: Plan, progress: Callable[[str], None] = lambda line: None) -> Results:
    """Run every analysis of ``plan``.

    Examples
    --------
    >>> from outcomes.report.plan import read_plan
    >>> import dataclasses
    >>> plan = dataclasses.replace(read_plan(), figures=(), sensitivity={})
    >>> results = run_plan(plan)
    >>> results.frames["primary_contrasts"]["contrast"].iloc[0]
    'DMT - PLACEBO'
    """
    progress("reading the data")
    raw = _load(plan)
    trial = outcomes.derive(raw)
    _check_against_data(plan, trial)
    results = Results(plan, trial)
    results.checksums = {
        "plan": _sha256(plan.text.encode()),
        "data": _sha256(trial.frame.to_csv(index=False).encode()),
    }
    primary = plan.primary
    instrument, visit = primary["instrument"], primary["visit"]
    frame = trial.frame
    rows = frame[(frame["instrument"] == instrument) & frame["phase"].isin(_AFTER_DOSE)]
    if rows.empty:
        raise ValueError(f"[primary] no {instrument!r} rows after the first dose")
    rows = rows.assign(visit=rows["visit"].cat.remove_unused_categories())
    reference = plan.reference
    dosing = plots.dosing_days(trial.schedule)

    progress(f"primary: MMRM of {instrument} ({primary['df']} df)")
    fit = outcomes.mmrm(primary["formula"], rows, df=primary["df"], reference={"arm": reference})
    contrasts = fit.contrasts("arm", by="visit", reference=reference)
    results.frames["primary_lsmeans"] = fit.lsmeans(["arm", "visit"])
    results.frames["primary_contrasts"] = contrasts
    results.notes += [f"primary MMRM: {n}" for n in fit.notes]
    results.methods.append(_primary_methods(plan, fit))

    prepared = None
    if plan.estimand:
        estimand = outcomes.Estimand(
            plan.estimand["variable"],
            intercurrent_events=plan.estimand.get("intercurrent_events", {}),
            population=plan.estimand.get("population", "all randomised participants"),
        )
        prepared = estimand.prepare(trial, instrument=instrument)
        results.frames["intercurrent_events"] = prepared.events
        results.notes += [f"estimand: {n}" for n in prepared.notes]
        results.methods.insert(0, estimand.describe())

    secondary = plan.secondary
    rates = {}
    for outcome in secondary.get("responders", []):
        progress(f"secondary: {outcome} by visit")
        rates[outcome] = outcomes.responders(
            rows,
            outcome=outcome,
            group="arm",
            subject="subject",
            reference=reference,
            by="visit",
            covariates=["base"],
        )
        results.frames[f"responders_{outcome}"] = rates[outcome]
    if rates:
        results.methods.append(
            "Responder rates by visit count a participant without a value as a non-responder; "
            "risk differences have Newcombe's hybrid score intervals, odds ratios come from a "
            "logistic regression on arm and baseline score, and the number needed to treat is "
            "the inverse of the risk difference."
        )
    if secondary.get("effect_sizes"):
        progress("secondary: effect sizes")
        d = outcomes.cohens_d(rows, dv="chg", group="arm", reference=reference, by="visit")
        baseline = frame[(frame["instrument"] == instrument) & (frame["phase"] == "baseline")]
        sd0 = outcomes.pooled_sd(baseline, dv="total", group="arm")
        results.frames["effect_sizes"] = d
        results.frames["standardized_differences"] = outcomes.standardized_difference(
            contrasts, sd0
        )
        results.methods.append(
            f"Effect sizes: Cohen's d and Hedges' g of the observed change at each visit with "
            f"noncentral-t intervals, and the MMRM differences divided by the pooled baseline "
            f"SD ({sd0:.2f})."
        )
    trait = None
    if "trait" in secondary:
        spec = secondary["trait"]
        progress(f"secondary: trait change in {spec['instrument']}")
        acute = spec.get("acute")
        first_dose = _first_dosing_visit(trial)
        trait = outcomes.trait_change(
            trial,
            instrument=spec["instrument"],
            pre=spec["pre"],
            post=spec["post"],
            acute={acute: (acute, first_dose)} if acute else None,
            reference=reference,
        )
        results.frames["trait_within"] = trait.within
        results.frames["trait_between"] = trait.between
        results.frames["trait_predictors"] = trait.predictors
        results.notes += [f"trait: {n}" for n in trait.notes]
        results.methods.append(
            f"Trait change in {spec['instrument']} from {spec['pre']} to {spec['post']}: paired "
            "t and Wilcoxon signed-rank tests and d_z within each arm (participants with both "
            "assessments), an ANCOVA of the later score on the earlier one and arm, and the "
            f"acute experience ({acute} after the first dose) as predictor and moderator."
        )
    adjusted = None
    if "multiplicity" in secondary:
        spec = secondary["multiplicity"]
        at = contrasts.set_index("visit")
        family = {f"MADRS difference, {v}": float(at.loc[v, "p_value"]) for v in spec["visits"]}
        for outcome, table in rates.items():
            row = table.set_index("visit").loc[visit]
            family[f"{outcome} odds ratio, {visit}"] = float(row["or_p_value"])
        family = {k: v for k, v in family.items() if np.isfinite(v)}
        adjusted = outcomes.adjust_pvalues(family, spec.get("method", "holm"))
        results.frames["multiplicity"] = adjusted
        results.methods.append(
            f"Key secondary endpoints were tested with {spec.get('method', 'holm')}'s procedure "
            "over the family listed in the multiplicity table."
        )

    if "trajectories" in secondary:
        random = secondary["trajectories"]["random"]
        progress(f"secondary: trajectories (random {random})")
        timed = outcomes.add_time_axes(rows)
        timed = timed.assign(
            weeks=timed["study_day"] / 7, weeks_after_dose_2=timed["days_after_dose_2"] / 7
        )
        trajectory = outcomes.lmm(
            "chg ~ base + arm * (weeks + weeks_after_dose_2)",
            timed,
            subject="subject",
            random=random,
            reference={"arm": reference},
        )
        results.frames["trajectories"] = trajectory.to_frame()
        results.frames["trajectory_variances"] = trajectory.variance_components()
        results.notes += [f"trajectories: {n}" for n in trajectory.notes]
        results.methods.append(
            f"Trajectories: a linear mixed model of the change with random effects {random} "
            "per participant, time in weeks since the first dose with a change of slope at the "
            "second dose, arm-by-time interactions, REML; standard errors as lme4 and SAS, "
            "Satterthwaite df."
        )
    if "repeated_dosing" in secondary:
        margin = float(secondary["repeated_dosing"]["margin"])
        progress("secondary: repeated dosing")
        results.frames["session_response"] = outcomes.session_response(trial, instrument=instrument)
        results.frames["dose_equivalence"] = outcomes.dose_equivalence(
            trial, margin=margin, instrument=instrument
        )
        results.methods.append(
            "Repeated dosing: the change from just before to just after each dosing session "
            "(paired t, Wilcoxon, d_z); the equivalence of the second dose's acute change to the "
            f"first's by two one-sided tests with a margin of {margin:g} points (90% interval)."
        )
    if "durability" in secondary:
        spec = secondary["durability"]
        progress(f"secondary: durability of {spec['outcome']}")
        results.frames["durability"] = outcomes.still_responding(
            rows,
            outcome=spec["outcome"],
            subject="subject",
            visit="visit",
            anchor=spec["anchor"],
            group="arm",
        )
        results.methods.append(
            f"Durability: among the participants with {spec['outcome']} at {spec['anchor']}, "
            "the proportion still with it at each later visit (Wilson intervals; a missing value "
            "counts as its loss)."
        )
    if "blinding" in secondary:
        source = secondary["blinding"]["guesses"]
        progress("secondary: blinding indices")
        guesses = (
            outcomes.sample_guesses(raw)
            if source == "sample"
            else pd.read_csv(plan.base / source if not Path(source).is_absolute() else source)
        )
        results.frames["blinding"] = outcomes.blinding(guesses, control=reference)
        results.methods.append(
            "Blinding: Bang's index in each arm and James' index overall from the participants' "
            "end-of-treatment guesses, with Wald 95% intervals."
        )

    sensitivity: dict[str, pd.DataFrame] = {"MMRM (MAR)": contrasts}
    tipping = None
    if plan.sensitivity:
        spec = plan.sensitivity
        data = prepared.data if prepared is not None else frame
        data = data[(data["instrument"] == instrument) & data["phase"].isin(_AFTER_DOSE)]
        for strategy in spec["strategies"]:
            progress(f"sensitivity: multiple imputation, {strategy}")
            mi = outcomes.multiple_imputation(
                primary["formula"],
                data,
                arm="arm",
                reference=reference,
                strategy=_strategy(prepared, strategy),
                n_imputations=spec["n_imputations"],
                seed=plan.seed,
            )
            sensitivity[f"MI, {strategy}"] = mi.contrasts(by="visit")
            if "tipping_point" in spec and strategy == _tipping_strategy(spec):
                progress("sensitivity: tipping point")
                tip = spec["tipping_point"]
                tipping = mi.tipping_point([float(d) for d in tip["deltas"]], visit=tip["visit"])
                results.frames["tipping_point"] = tipping.table
        results.frames["sensitivity"] = pd.concat(
            [t.assign(analysis=k) for k, t in sensitivity.items()], ignore_index=True
        )
        results.methods.append(
            f"Sensitivity: multiple imputation from the MMRM ({spec['n_imputations']} "
            f"approximate-Bayesian imputations, seed {plan.seed}) under "
            f"{', '.join(spec['strategies'])}, with reference-based strategies for the "
            "participants with a treatment-policy event; each completed data set analysed by "
            "ANCOVA at each visit and pooled by Rubin's rules (Barnard-Rubin df)."
        )

    progress("tables")
    builders = {
        "baseline": lambda: tables.baseline_table(raw, suppress_below=plan.suppress_below or None),
        "visit_summary": lambda: tables.visit_summary(
            frame[frame["instrument"] == instrument], value="total"
        ),
        "lsmeans": lambda: tables.lsmeans_table(fit, reference=reference),
        "responders": lambda: [
            tables.responder_table(t, covariates=["base"], title=f"Responders: {name}")
            for name, t in rates.items()
        ],
        "effect_sizes": lambda: tables.from_frame(
            results.frames["effect_sizes"], title="Effect sizes of the change from baseline"
        ),
        "trait": lambda: (
            trait and tables.from_frame(trait.within, title="Trait change within each arm")
        ),
        "multiplicity": lambda: (
            adjusted is not None
            and tables.multiplicity_table(
                adjusted, method=secondary["multiplicity"].get("method", "holm")
            )
        ),
        "trajectories": lambda: _frame_table(results, "trajectories", "Trajectory model (LMM)"),
        "repeated_dosing": lambda: [
            _frame_table(results, "session_response", "Acute response to each dosing session"),
            _frame_table(
                results, "dose_equivalence", "Second dose against first: equivalence (TOST)"
            ),
        ],
        "durability": lambda: _frame_table(results, "durability", "Still responding"),
        "blinding": lambda: _frame_table(results, "blinding", "Blinding indices"),
        "sensitivity": lambda: tables.sensitivity_table(sensitivity, visit=visit),
        "tipping_point": lambda: (
            tipping and tables.from_frame(tipping.table, title="Tipping point")
        ),
    }
    for name in plan.tables:
        made = builders[name]()
        for k, table in enumerate(made if isinstance(made, list) else [made]):
            if table:
                results.tables[name if k == 0 else f"{name}_{k + 1}"] = table

    progress("figures")
    figures = {
        "observed_means": lambda ax: plots.observed_means(
            frame, instrument=instrument, ax=ax, dosing=dosing
        ),
        "lsmeans": lambda ax: plots.lsmeans_trajectory(results.frames["primary_lsmeans"], ax=ax),
        "change": lambda ax: plots.change_by_visit(rows, ax=ax),
        "individual": lambda ax: plots.individual_trajectories(
            frame[frame["instrument"] == instrument], ax=ax
        ),
        "waterfall": lambda ax: plots.waterfall(rows[rows["visit"] == visit], ax=ax),
        "responders": lambda ax: rates and plots.responder_bars(next(iter(rates.values())), ax=ax),
        "forest": lambda ax: plots.forest(contrasts, ax=ax),
        "missingness": lambda ax: plots.missingness(rows, ax=ax),
        "tipping_point": lambda ax: tipping is not None and plots.tipping_map(tipping.table, ax=ax),
        "acute_vs_outcome": lambda ax: (
            trait is not None
            and plots.acute_vs_outcome(trait.data, x=secondary["trait"]["acute"], y="change", ax=ax)
        ),
    }
    import matplotlib.pyplot as plt

    for name in plan.figures:
        fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
        drawn = figures[name](ax)
        if drawn is False or drawn is None:
            plt.close(fig)
            continue
        results.figures[name] = fig
    return results


def _frame_table(results: Results, name: str, title: str) -> tables.Table | None:
    """A result frame as a formatted table, if the plan produced it."""
    frame = results.frames.get(name)
    return None if frame is None else tables.from_frame(frame, title=title)


def _check_against_data(plan: Plan, trial: outcomes.TrialData) -> None:
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
            (frame["instrument"] == primary["instrument"]) & frame["phase"].isin(_AFTER_DOSE)
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


def _load(plan: Plan) -> outcomes.TrialData:
    if plan.data["source"] == "sample":
        return outcomes.load_sample()
    return outcomes.read(
        plan.data_path("source"),
        plan.data.get("layout") or None,
        plan.data.get("instrument") or None,
        schedule=plan.data_path("schedule"),
        events=plan.data_path("events"),
        subjects=plan.data_path("subjects"),
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


def _primary_methods(plan: Plan, fit: outcomes.MMRMFit) -> str:
    cov = fit.formula.covariance
    return (
        f"Primary analysis: a mixed model for repeated measures of {plan.primary['instrument']} "
        f"({fit.formula.mean}), {cov.structure} covariance within {cov.subject} over {cov.time[0]}"
        f", {'REML' if fit.reml else 'ML'}, {fit.df_method} degrees of freedom; all observed "
        f"data after the first dose ({fit.n_obs} observations of {fit.n_subjects} "
        "participants), valid under missing at random. Least-squares means by arm and visit "
        f"and the difference from {plan.reference} at every visit; {plan.primary['visit']} "
        "is the primary time point."
    )
