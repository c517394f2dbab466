"""A mixed model for repeated measures (MMRM), fitted on numpy/scipy, validated against SAS.

>>> import outcomes
>>> from outcomes.models.mmrm import mmrm
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from outcomes.data.frames import FrameLike, as_frame
from outcomes.errors import ModelSpecificationError
from outcomes.models.core.df import check_df
from outcomes.models.core.df.kenward_roger import check_information
from outcomes.models.core.frames import reference_levels
from outcomes.models.mmrm.covariance import STRUCTURES, get_structure
from outcomes.models.mmrm.design import build_design
from outcomes.models.mmrm.diagnose import failure_message
from outcomes.models.mmrm.empirical import EMPIRICAL_METHODS
from outcomes.models.mmrm.engines import aggregate, engine_columns, is_engine_data
from outcomes.models.mmrm.formula import parse_formula
from outcomes.models.mmrm.likelihood import Likelihood
from outcomes.models.mmrm.optimize import OPTIMIZERS, fit_on_scale
from outcomes.models.mmrm.result import ESTIMATE_COLUMNS, MMRMFit

__all__ = [
    "DF_METHODS",
    "ESTIMATE_COLUMNS",
    "FALLBACK_CHAIN",
    "STRUCTURES",
    "VALID_PAIRS",
    "VCOV_METHODS",
    "MMRMFit",
    "mmrm",
]

#: Degrees-of-freedom methods.
DF_METHODS = (
    "satterthwaite",
    "kenward-roger",
    "kenward-roger-linear",
    "between-within",
    "residual",
)
#: Structures tried in turn by ``fallback=True`` when the one asked for does not converge: the
#: chain pre-specified in many SAPs (openpharma/mmrm#371), from richest to simplest.
FALLBACK_CHAIN = ("toeph", "ar1h", "csh", "cs")

#: Covariances of the fixed-effect estimates.
VCOV_METHODS = ("model", "kenward-roger", *EMPIRICAL_METHODS)

#: The covariances each df method goes with (as R mmrm): Kenward-Roger df belong to the
#: Kenward-Roger adjusted covariance and it to them; the others take the model-based covariance
#: or a sandwich, whose Satterthwaite df are the sandwich's own.
VALID_PAIRS = {
    "satterthwaite": ("model", *EMPIRICAL_METHODS),
    "kenward-roger": ("kenward-roger",),
    "kenward-roger-linear": ("kenward-roger",),
    "between-within": ("model", *EMPIRICAL_METHODS),
    "residual": ("model", *EMPIRICAL_METHODS),
}


def mmrm(
    formula: str,
    data: FrameLike,
    *,
    reml: bool = True,
    df: str = "satterthwaite",
    vcov: str | None = None,
    weights: str | None = None,
    arm: str = "arm",
    reference: Any = None,
    levels: Mapping[str, Any] | None = None,
    conf_level: float = 0.95,
    fallback: bool | Sequence[str] = False,
    information: str = "observed",
) -> MMRMFit:
    """Fit a mixed model for repeated measures.

    Parameters
    ----------
    formula : str
        The mean model with one covariance term, in the form of R's mmrm:
        ``"CHANGE ~ BASVAL*VISIT + THERAPY*VISIT + us(VISIT | PATIENT)"``; a covariance per
        group: ``us(AVISIT | ARMCD / USUBJID)``; spatial: ``sp_exp(VISITN, VISITN2 | USUBJID)``.
        Structures: ``us, cs, csh, ar1, ar1h, toep, toeph, ad, adh, sp_exp, sp_gau``.
    data : DataFrame, TrialData, polars LazyFrame, DuckDB relation, Spark DataFrame or Parquet path
        One row per subject and visit. Rows missing the response or a model variable are left
        out (counted in the notes): the analysis uses all observed data, valid under MAR.
        Data held by an engine stay there: the one pass over the rows (per missingness
        pattern, the cross-products of design and response) runs in it, and only those
        aggregates come back (:mod:`outcomes.models.mmrm.engines`; a Parquet path is read by
        DuckDB, out of core). Such a fit has no rows: residuals, sandwiches and between-within
        df are refused on it.
    reml : bool, default True
        REML (SAS ``METHOD=REML``) or ML.
    df : {"satterthwaite", "kenward-roger", "kenward-roger-linear", "between-within", "residual"}
        Denominator degrees of freedom of t and F tests (SAS ``DDFM=``; ``kenward-roger-linear``
        is ``DDFM=KR(LINEAR)``). Kenward-Roger needs REML.
    vcov : {"model", "kenward-roger", "empirical", "empirical-bias-reduced", \
"empirical-jackknife"}, optional
        Covariance of the estimates: model-based, Kenward-Roger adjusted, or a sandwich: CR0
        (SAS ``EMPIRICAL``), CR2 (bias-reduced, Bell & McCaffrey) or CR3 (jackknife), as R
        mmrm's ``Empirical``, ``Empirical-Bias-Reduced``, ``Empirical-Jackknife``. With a
        sandwich, Satterthwaite df are the sandwich's own (Bell & McCaffrey 2002). By default
        Kenward-Roger adjusted with Kenward-Roger df (as SAS's ``DDFM=KR``), model-based
        otherwise. Kenward-Roger df go with the Kenward-Roger covariance only, and it with
        them (:data:`VALID_PAIRS`); another pair is refused.
    weights : str, optional
        A column of observation weights (SAS ``WEIGHT``).
    arm : str, default "arm"
        The arm factor, whose reference level is ``reference``.
    reference : optional
        The reference arm, a level of ``arm``. Factors without a reference level given come
        with their first level as reference (categorical order, else sorted).
    levels : mapping, optional
        Reference levels of any factors, e.g. ``{"sex": "F"}`` (``reference=`` as a mapping,
        the spelling before, is taken as ``levels=`` with a deprecation warning).
    conf_level : float, default 0.95
        Level of confidence intervals.
    fallback : bool or sequence of str, default False
        What to do when the covariance structure asked for does not converge (after trying
        BFGS, L-BFGS-B and Nelder-Mead): ``False`` raises :class:`ConvergenceError`; ``True``
        fits the structures of :data:`FALLBACK_CHAIN` in turn (toeph, ar1h, csh, cs), or those
        given, and keeps the first that converges. The fit's ``notes`` and ``structure`` say
        which one it is: a fallback is never silent.
    information : {"observed", "expected"}, default "observed"
        The information matrix whose inverse is the covariance of the covariance parameters in
        Kenward-Roger's adjustment and df: observed (the Hessian, as SAS PROC MIXED and R mmrm)
        or expected (as pbkrtest, and :func:`outcomes.lmm`'s default). The fit's
        ``information`` says which.

    Returns
    -------
    MMRMFit

    Raises
    ------
    ConvergenceError
        When no optimiser reaches a maximum; the message says what was tried and what to do.

    Examples
    --------
    >>> import outcomes
    >>> trial = outcomes.derive(outcomes.load_sample())
    >>> madrs = trial.frame.query("instrument == 'madrs' and phase != 'screening'")
    >>> post = madrs[madrs["visit"].isin(["WEEK 1", "WEEK 2", "WEEK 3", "WEEK 4"])].copy()
    >>> post["visit"] = post["visit"].cat.remove_unused_categories()
    >>> fit = mmrm("chg ~ base + arm * visit + us(visit | subject)", post)
    >>> fit.converged, fit.n_subjects
    (True, 39)
    >>> diff = fit.contrasts("arm", by="visit")
    >>> list(diff.columns[:2]), diff["contrast"].iloc[0]
    (['contrast', 'visit'], 'DMT - PLACEBO')
    """
    from outcomes.errors import ConvergenceError

    vcov = _check_methods(df, vcov, reml)
    check_information(information)
    refs = reference_levels(levels, reference, arm, "mmrm")
    patterns = None
    if is_engine_data(data):
        _check_engine_methods(df, vcov)
        parsed = parse_formula(formula, engine_columns(data))
        design, patterns = aggregate(parsed, data, weights=weights, levels=refs)
    else:
        frame = as_frame(data)
        parsed = parse_formula(formula, frame.columns)
        design = build_design(parsed, frame, weights=weights, levels=refs)
    chain = [parsed.covariance.structure]
    if fallback:
        chain += [s for s in (FALLBACK_CHAIN if fallback is True else fallback) if s not in chain]
    tried = []
    for name in chain:
        structure = get_structure(name)
        lik = Likelihood(design, structure, reml, patterns)
        state = fit_on_scale(lik)
        if state.converged:
            break
        tried.append(name)
    notes = []
    if tried and state.converged:
        notes.append(
            f"{', '.join(tried)} did not converge; the fallback chain gave {structure.name} "
            f"({structure.title})"
        )
        parsed = replace(parsed, covariance=replace(parsed.covariance, structure=structure.name))
    if design.n_dropped:
        notes.append(f"{design.n_dropped} rows left out for a missing response or covariate")
    if design.aliased:
        notes.append(f"aliased columns dropped (linear combinations of others): {design.aliased}")
    notes.extend(state.messages)
    if not state.converged:
        raise ConvergenceError(failure_message(lik, state, chain, _tried(state)))
    fit = MMRMFit(parsed, reml, df, vcov, conf_level, design, lik, state, tuple(notes), information)
    exact = fit.sandwich.n_singular if fit.sandwich is not None else 0
    if vcov in ("empirical-bias-reduced", "empirical-jackknife") and exact:
        note = (
            f"{exact} subject(s) fitted exactly (leverage 1, e.g. alone in a "
            "level of a factor): their I - H_ii is singular and its pseudo-inverse was taken"
        )
        fit = replace(fit, notes=(*fit.notes, note))
    return fit


def _check_methods(df: str, vcov: str | None, reml: bool) -> str:
    """The covariance method to use, after refusing an unknown or mismatched ``df``/``vcov``."""
    check_df(df, DF_METHODS)
    if vcov is None:
        return VALID_PAIRS[df][0]
    if vcov not in VCOV_METHODS:
        raise ModelSpecificationError(f"vcov must be one of {VCOV_METHODS}, not {vcov!r}")
    if vcov not in VALID_PAIRS[df]:
        pairs = "; ".join(f"df={d!r} with vcov in {v}" for d, v in VALID_PAIRS.items())
        raise ModelSpecificationError(
            f"df={df!r} does not go with vcov={vcov!r}: the valid pairs are {pairs}"
        )
    if not reml and vcov == "kenward-roger":
        raise ModelSpecificationError(
            "Kenward-Roger needs REML: use reml=True, or df='satterthwaite'"
        )
    return vcov


def _check_engine_methods(df: str, vcov: str) -> None:
    """Refuse, on an engine's aggregates, the methods that need each subject's rows."""
    if vcov in EMPIRICAL_METHODS or df == "between-within":
        raise ModelSpecificationError(
            f"df={df!r} with vcov={vcov!r} needs each subject's rows; on an engine's data "
            "the MMRM fits from aggregates with df='satterthwaite', 'kenward-roger' or "
            "'residual' and the model-based covariance"
        )


def _tried(state: Any) -> list[str]:
    return list(OPTIMIZERS[: 1 + len(state.messages)])
