"""Multiple imputation from an MMRM, with reference-based strategies, pooled by Rubin's rules.

:func:`multiple_imputation` fits the imputation model (an MMRM of the observed data, REML, by
:func:`outcomes.mmrm`; :func:`multiple_imputations` fits it once for several strategies), imputes
every subject's missing visits under their strategy
(:mod:`~outcomes.models.imputation.strategies`), analyses each completed data set by an ANCOVA at
every visit (:mod:`~outcomes.models.imputation.analyse`) and pools (:mod:`~.pool`).

``method="bayes"``
    Approximate Bayesian multiple imputation: for each imputation the covariance parameters are
    drawn from the normal approximation of their posterior (mean the REML estimate, covariance
    twice the inverse Hessian of -2 log L, on the structure's unconstrained scale, so that every
    draw is a valid covariance matrix), then the fixed effects from their conditional posterior
    ``N(beta(theta), (X'V^-1X)^-1)`` (flat priors), then the missing values from their conditional
    normal distribution. Pooled by Rubin's rules with Barnard-Rubin df; the Monte Carlo standard
    error is reported.
``method="condmean"``
    Conditional mean imputation (Wolbers et al. 2022): the missing values are replaced by their
    conditional means under the estimated parameters (deterministic), and the standard error
    comes from the jackknife (the imputation model refitted without each subject in turn). Under
    MAR with an ANCOVA, the estimate equals the MMRM's at every visit.

Delta adjustment (``delta``) shifts the imputed values after each subject's intercurrent event:
additively, or multiplicatively (``delta_type="multiplicative"``: imputed value x delta). The
same draws are reused for every delta (:meth:`MIResult.with_delta`, :meth:`MIResult.tipping_point`),
so that a tipping-point grid costs only the analyses.
"""

from __future__ import annotations

import copy
import itertools
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from outcomes.data.frames import FrameLike, as_frame
from outcomes.errors import ModelSpecificationError
from outcomes.models.core.formula import FormulaError, Name
from outcomes.models.core.inference import ESTIMATE_COLUMNS, wald_table
from outcomes.models.imputation.analyse import VisitEstimates, ancova_by_visit
from outcomes.models.imputation.impute import (
    Conditional,
    MissingPatterns,
    conditionals,
    impute,
)
from outcomes.models.imputation.pool import jackknife, rubin
from outcomes.models.imputation.problem import Problem, build_problem
from outcomes.models.imputation.strategies import strategy_means
from outcomes.models.mmrm import MMRMFit, mmrm
from outcomes.models.mmrm.formula import parse_formula
from outcomes.models.mmrm.refit import refit_without

__all__ = ["METHODS", "MIResult", "TippingPoint", "multiple_imputation", "multiple_imputations"]

#: Methods of :func:`multiple_imputation`.
METHODS: tuple[str, ...] = ("bayes", "condmean")
DELTA_TYPES: tuple[str, ...] = ("additive", "multiplicative")


def multiple_imputation(
    formula: str,
    data: FrameLike,
    *,
    arm: str,
    reference: Any,
    strategy: str | pd.Series | pd.DataFrame = "MAR",
    n_imputations: int = 100,
    seed: int = 0,
    method: str = "bayes",
    covariates: Sequence[str] | None = None,
    delta: float | Mapping[Any, float] | None = None,
    delta_type: str = "additive",
    conf_level: float = 0.95,
    n_jobs: int | None = None,
    visits: Sequence[Any] | None = None,
) -> MIResult:
    """Multiple imputation of a longitudinal outcome from an MMRM, and its pooled analysis.

    Parameters
    ----------
    formula : str
        The imputation model: an MMRM formula with its covariance term, e.g.
        ``"chg ~ base * visit + arm * visit + us(visit | subject)"`` (one covariance group,
        a visit-based structure).
    data : DataFrame or TrialData
        One row per subject and visit; rows with a missing response are imputed, and so are
        visits a subject has no row for.
    arm : str
        The arm column.
    reference : object
        The reference arm (placebo), the target of the reference-based strategies.
    strategy : str, Series or DataFrame
        ``"MAR"``, ``"J2R"``, ``"CR"``, ``"CIR"`` or ``"LMCF"`` for every subject with missing
        data after their last observation; a Series of strategies by subject; or a table with
        ``subject, strategy, visit`` (the first visit the intercurrent event affects). Missing
        values before the event, and everything in the reference arm, are imputed under MAR.
    n_imputations : int
        Imputations for ``method="bayes"`` (ignored by ``"condmean"``).
    seed : int
        Seed of the random draws: the same seed gives the same result.
    method : {"bayes", "condmean"}
        See the module docstring.
    covariates : sequence of str, optional
        Subject-level covariates of the ANCOVA; by default the numeric columns of the
        imputation model's covariates (e.g. the baseline score; ``base`` for a model with
        ``log(base)``: to analyse on the log scale, add the logarithm as a column).
    delta : float or mapping, optional
        Shift of the imputed values after the event: one number for every non-reference arm, or
        a mapping arm -> shift.
    delta_type : {"additive", "multiplicative"}
    conf_level : float
    n_jobs : int, optional
        Processes for the jackknife (default: the machine's cores; one below 100 subjects).
    visits : sequence, optional
        The analysed visits. Rows at other visits (e.g. baseline) then only carry their subjects
        and covariates into the imputation, so that a subject with no analysed visit at all (an
        early dropout) is imputed at every one instead of being left out. By default the
        visits of ``data``, whose every subject must then have a row at one of them.

    Returns
    -------
    MIResult

    Examples
    --------
    >>> import outcomes
    >>> trial = outcomes.derive(outcomes.load_sample())
    >>> madrs = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
    >>> madrs = madrs.assign(visit=madrs["visit"].cat.remove_unused_categories())
    >>> mi = multiple_imputation("chg ~ base + arm * visit + us(visit | subject)", madrs,
    ...                          arm="arm", reference="PLACEBO", strategy="J2R",
    ...                          n_imputations=20, seed=1)
    >>> mi.contrasts(by="visit")[["visit", "contrast"]].values.tolist()
    [['WEEK 1', 'DMT - PLACEBO'], ['WEEK 2', 'DMT - PLACEBO']]
    """
    (result,) = multiple_imputations(
        formula,
        data,
        arm=arm,
        reference=reference,
        strategies={"": strategy},
        n_imputations=n_imputations,
        seed=seed,
        method=method,
        covariates=covariates,
        delta=delta,
        delta_type=delta_type,
        conf_level=conf_level,
        n_jobs=n_jobs,
        visits=visits,
    ).values()
    return result


def multiple_imputations(
    formula: str,
    data: FrameLike,
    *,
    arm: str,
    reference: Any,
    strategies: Mapping[str, str | pd.Series | pd.DataFrame],
    n_imputations: int = 100,
    seed: int = 0,
    method: str = "bayes",
    covariates: Sequence[str] | None = None,
    delta: float | Mapping[Any, float] | None = None,
    delta_type: str = "additive",
    conf_level: float = 0.95,
    n_jobs: int | None = None,
    visits: Sequence[Any] | None = None,
) -> dict[str, MIResult]:
    """:func:`multiple_imputation` under several strategies, from one imputation model.

    The imputation model (the MMRM of the observed data) does not depend on the strategy: it
    is fitted once. Each strategy's result is the one :func:`multiple_imputation` gives with
    the same arguments (its draws start from ``seed`` too).

    Parameters
    ----------
    strategies : mapping
        A name -> a ``strategy`` of :func:`multiple_imputation` (``{"J2R": "J2R", "CR": ...}``,
        or per-subject tables).
    formula, data, arm, reference, n_imputations, seed, method, covariates, delta, delta_type, \
conf_level, n_jobs, visits
        As :func:`multiple_imputation` takes them.

    Returns
    -------
    dict of MIResult
        By name, in the order of ``strategies``.

    Examples
    --------
    >>> import outcomes
    >>> trial = outcomes.derive(outcomes.load_sample())
    >>> madrs = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
    >>> madrs = madrs.assign(visit=madrs["visit"].cat.remove_unused_categories())
    >>> formula = "chg ~ base + arm * visit + us(visit | subject)"
    >>> both = multiple_imputations(formula, madrs, arm="arm", reference="PLACEBO",
    ...                             strategies={"MAR": "MAR", "J2R": "J2R"}, n_imputations=20)
    >>> one = multiple_imputation(formula, madrs, arm="arm", reference="PLACEBO",
    ...                           strategy="J2R", n_imputations=20)
    >>> both["J2R"].contrasts()["estimate"].equals(one.contrasts()["estimate"])
    True
    """
    if method not in METHODS:
        raise ModelSpecificationError(f"method must be one of {METHODS}, not {method!r}")
    if method == "bayes" and n_imputations < 2:
        raise ModelSpecificationError(f"n_imputations must be at least 2, not {n_imputations}")
    frame = as_frame(data)
    parsed = parse_formula(formula, frame.columns)
    response = parsed.model.response
    assert response is not None  # noqa: S101 - the grammar requires one
    if not isinstance(response.node, Name):
        raise FormulaError(
            f"multiple imputation imputes a column, not {parsed.response}: add it to the data "
            "as a column and name that column",
            parsed.model.text,
        )
    visit_column = parsed.covariance.time[0]
    if visits is not None:
        unknown = sorted(set(map(str, visits)) - set(map(str, frame[visit_column].dropna())))
        if unknown:
            raise ModelSpecificationError(
                f"visits {unknown} are not in the data's {visit_column!r} column"
            )
    model_rows = frame if visits is None else frame[frame[visit_column].isin(list(visits))]
    fit = mmrm(formula, model_rows, arm=arm, reference=reference)
    if fit.likelihood.structure.spatial:
        raise ModelSpecificationError(
            "imputation needs a visit-based covariance structure, not a spatial one"
        )
    results = {}
    draws = _Draws(fit)
    for name, strategy in strategies.items():
        problem = build_problem(fit, frame, arm=arm, reference=reference, strategy=strategy)
        analysis = _analysis_covariates(problem, covariates)
        patterns = MissingPatterns(problem.missing)
        if method == "bayes":
            completed = _bayes(draws, problem, patterns, n_imputations, np.random.default_rng(seed))
            left_out = None
        else:
            completed = _condmean(fit.state.evaluation.beta, _sigma(fit), problem, patterns)[None]
            left_out = _jackknife_completed(fit, problem, n_jobs)
        result = MIResult(
            method=method,
            visit=fit.formula.covariance.time[0],
            subject=fit.formula.covariance.subject,
            arm=arm,
            levels=list(fit.design.factors[arm]),
            problem=problem,
            covariates=analysis,
            completed=completed,
            left_out=left_out,
            seed=seed,
            conf_level=conf_level,
            imputation_model=fit,
        )
        results[name] = result.with_delta(delta, delta_type) if delta is not None else result
    return results


def _analysis_covariates(problem: Problem, names: Sequence[str] | None) -> pd.DataFrame:
    if names is None:
        return problem.covariates
    unknown = [c for c in names if c not in problem.covariates.columns]
    if unknown:
        raise ModelSpecificationError(
            f"analysis covariates {unknown} are not numeric subject-level covariates of the "
            f"imputation model {list(problem.covariates.columns)}"
        )
    return problem.covariates[list(names)]


def _sigma(fit: MMRMFit, theta: np.ndarray | None = None) -> np.ndarray:
    return fit.likelihood.covariance(fit.theta if theta is None else theta)


def _means(beta: np.ndarray, problem: Problem) -> np.ndarray:
    own = problem.x_own @ beta
    ref = problem.x_ref @ beta
    return strategy_means(own, ref, problem.strategy, problem.ice)


def _condmean(
    beta: np.ndarray, sigma: np.ndarray, problem: Problem, patterns: MissingPatterns
) -> np.ndarray:
    return impute(problem.y, _means(beta, problem), sigma, patterns)


class _Draw:
    """One draw of the covariance parameters, with what follows from it alone."""

    def __init__(self, fit: MMRMFit, theta: np.ndarray) -> None:
        self.theta = theta
        self.evaluation = fit.likelihood.evaluate(theta)
        self.beta_root = _root(self.evaluation.xtvx_inv)
        self.sigma = fit.likelihood.covariance(theta)
        self._conditionals: dict[bytes, list[Conditional]] = {}

    def conditionals(self, patterns: MissingPatterns) -> list[Conditional]:
        if patterns.key not in self._conditionals:
            self._conditionals[patterns.key] = conditionals(self.sigma, patterns)
        return self._conditionals[patterns.key]


class _Draws:
    """The parameter draws of an imputation model, kept for the next strategy.

    Each strategy draws from its own generator started at the same seed, and the strategies of
    one data set have the same missing values, so their m-th draws of theta are the same: a draw
    equal bit for bit to the one kept is not evaluated again (the likelihood, the root of
    ``(X'V^-1X)^-1``, the conditional distributions of each missingness pattern).
    """

    def __init__(self, fit: MMRMFit) -> None:
        self.fit = fit
        self.theta_root = _root(2 * np.linalg.pinv(fit.state.hessian))
        self._kept: dict[int, _Draw] = {}

    def draw(self, m: int, rng: np.random.Generator) -> _Draw:
        """The ``m``-th draw of theta from ``rng``."""
        theta = self.fit.theta + self.theta_root @ rng.standard_normal(len(self.fit.theta))
        kept = self._kept.get(m)
        if kept is None or not np.array_equal(kept.theta, theta):
            kept = self._kept[m] = _Draw(self.fit, theta)
        return kept


def _bayes(
    draws: _Draws,
    problem: Problem,
    patterns: MissingPatterns,
    n_imputations: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draws of (theta, beta), then of the missing values, ``n_imputations`` times."""
    out = np.empty((n_imputations, *problem.y.shape))
    for m in range(n_imputations):
        draw = draws.draw(m, rng)
        beta = draw.evaluation.beta + draw.beta_root @ rng.standard_normal(
            len(draw.evaluation.beta)
        )
        out[m] = impute(
            problem.y,
            _means(beta, problem),
            draw.sigma,
            patterns,
            rng,
            given=draw.conditionals(patterns),
        )
    return out


def _root(cov: np.ndarray) -> np.ndarray:
    """A square root ``L`` with ``L L' = cov`` (symmetric eigen root: cov may be singular)."""
    values, vectors = np.linalg.eigh((cov + cov.T) / 2)
    return vectors * np.sqrt(np.clip(values, 0, None))


def _jackknife_completed(fit: MMRMFit, problem: Problem, n_jobs: int | None) -> np.ndarray:
    """Conditional-mean completed data with each subject left out in turn: (n, n - 1, T).

    Each leave-one-out imputation model comes from the full fit's likelihood with the subject's
    cross-products removed, refitted from the full-data estimate
    (:func:`~outcomes.models.mmrm.refit.refit_without`). From 100 subjects on, worker processes
    share the subjects.
    """
    n = len(problem.subjects)
    jobs = max(1, min(n_jobs or os.cpu_count() or 1, n))
    codes = {label: code for code, label in enumerate(fit.design.subject_labels)}
    # What a worker needs, without the parts that do not pickle (patsy's design information).
    lik = copy.copy(fit.likelihood)
    lik.design = replace(fit.design, design_info=None, frame=pd.DataFrame())
    full = (fit.state.evaluation.beta, _sigma(fit))
    tasks = [
        (lik, fit.theta, fit.state.hessian, full, problem, chunk, codes)
        for chunk in np.array_split(np.arange(n), jobs if n >= 100 else 1)
        if chunk.size
    ]
    if len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=len(tasks)) as pool:
            parts = list(pool.map(_jackknife_part, tasks))
    else:
        parts = [_jackknife_part(task) for task in tasks]
    return np.concatenate(parts)


def _jackknife_part(task: tuple[Any, ...]) -> np.ndarray:
    lik, theta, hessian, full, problem, indices, codes = task
    n = len(problem.subjects)
    out = []
    for i in indices:
        code = codes.get(problem.subjects[i])
        if code is None:  # no observed value: the imputation model does not change
            beta, sigma = full
        else:
            refitted, left = refit_without(lik, theta, hessian, code)
            beta, sigma = left.evaluate(refitted).beta, left.covariance(refitted)
        part = _subset(problem, np.arange(n) != i)
        out.append(_condmean(beta, sigma, part, MissingPatterns(part.missing)))
    return np.stack(out)


def _subset(problem: Problem, keep: np.ndarray) -> Problem:
    return replace(
        problem,
        subjects=[s for s, k in zip(problem.subjects, keep, strict=True) if k],
        arm=problem.arm[keep],
        y=problem.y[keep],
        x_own=problem.x_own[keep],
        x_ref=problem.x_ref[keep],
        covariates=problem.covariates[keep].reset_index(drop=True),
        strategy=problem.strategy[keep],
        ice=problem.ice[keep],
    )


@dataclass(frozen=True)
class TippingPoint:
    """A tipping-point analysis: the result at each delta, and where the conclusion changes.

    Attributes
    ----------
    table : DataFrame
        ``delta`` then the columns of :meth:`MIResult.contrasts` at the visit, and
        ``significant`` (``p_value < alpha``).
    tipping_point : float or None
        The first delta of the grid at which ``significant`` differs from its value at the first
        delta (None if it never does; for a map over several arms, and with several contrasts
        (three or more arms), None: each contrast's rows of the table have their own, e.g.
        :func:`outcomes.plots.tipping_point` of them).
    """

    table: pd.DataFrame
    tipping_point: float | None


@dataclass(frozen=True, eq=False)
class MIResult:
    """The completed data sets of an imputation and their pooled analysis.

    Made by :func:`multiple_imputation`. ``completed`` holds the imputations before any delta;
    ``delta`` the shift applied to them.
    """

    method: str
    visit: str
    subject: str
    arm: str
    levels: list[Any]
    problem: Problem
    covariates: pd.DataFrame
    completed: np.ndarray
    left_out: np.ndarray | None
    seed: int
    conf_level: float
    imputation_model: MMRMFit
    delta: Mapping[Any, float] = field(default_factory=dict)
    delta_type: str = "additive"

    @property
    def n_imputations(self) -> int:
        """Completed data sets (1 for conditional mean imputation)."""
        return self.completed.shape[0]

    def with_delta(
        self, delta: float | Mapping[Any, float] | None, delta_type: str = "additive"
    ) -> MIResult:
        """The same imputations with the imputed values after the events shifted by ``delta``."""
        if delta_type not in DELTA_TYPES:
            raise ModelSpecificationError(
                f"delta_type must be one of {DELTA_TYPES}, not {delta_type!r}"
            )
        if delta is None:
            shifts: dict[Any, float] = {}
        elif isinstance(delta, Mapping):
            unknown = set(delta) - set(self.levels)
            if unknown:
                raise ModelSpecificationError(
                    f"delta for arms {sorted(map(str, unknown))} not in {self.levels}"
                )
            shifts = {k: float(v) for k, v in delta.items()}
        else:
            shifts = {level: float(delta) for level in self.levels[1:]}
        return replace(self, delta=shifts, delta_type=delta_type)

    def _shifted(self, completed: np.ndarray, problem: Problem) -> np.ndarray:
        if not self.delta:
            return completed
        where = problem.missing & problem.after_ice
        out = completed.copy()
        for level, shift in self.delta.items():
            mask = where & (problem.arm == level)[:, None]
            if self.delta_type == "additive":
                out[:, mask] += shift
            else:
                out[:, mask] *= shift
        return out

    def _estimates(self) -> list[VisitEstimates]:
        completed = self._shifted(self.completed, self.problem)
        return ancova_by_visit(completed, self.problem.arm, self.levels, self.covariates)

    def _pooled(self, kind: str) -> pd.DataFrame:
        estimates = self._estimates()
        rows = []
        if self.method == "condmean":
            loo = self._left_out_estimates()
        for v, (visit, est) in enumerate(zip(self.problem.visits, estimates, strict=True)):
            for r, (label_kind, label) in enumerate(est.labels):
                if label_kind != kind:
                    continue
                if self.method == "bayes":
                    pooled = rubin(est.estimate[r], est.variance[r], est.df_complete)
                else:
                    pooled = jackknife(float(est.estimate[r, 0]), loo[v][r])
                rows.append(
                    {
                        self.visit: visit,
                        label_kind if kind == "contrast" else self.arm: label,
                        **pooled,
                    }
                )
        table = pd.DataFrame(rows)
        return _tests(table, self.conf_level)

    def _left_out_estimates(self) -> list[np.ndarray]:
        """Per visit, (rows, n) estimates with each subject left out."""
        n = len(self.problem.subjects)
        per_subject = []
        for i in range(n):
            keep = np.arange(n) != i
            part = _subset(self.problem, keep)
            completed = self._shifted(self.left_out[i][None], part)  # type: ignore[index]
            estimates = ancova_by_visit(
                completed, part.arm, self.levels, self.covariates[keep].reset_index(drop=True)
            )
            per_subject.append([e.estimate[:, 0] for e in estimates])
        return [
            np.stack([s[v] for s in per_subject], axis=1) for v in range(len(self.problem.visits))
        ]

    def contrasts(self, by: str | None = None) -> pd.DataFrame:
        """Pooled treatment differences at each visit.

        Parameters
        ----------
        by : str, optional
            The visit column (the only grouping: given to be explicit).

        Returns
        -------
        DataFrame
            ``<visit>, contrast, estimate, std_error, df, statistic, p_value, conf_low,
            conf_high`` (bayes: also ``mc_error`` and ``fraction_missing``).
        """
        if by is not None and by != self.visit:
            raise ModelSpecificationError(
                f"contrasts are by the visit column {self.visit!r}, not {by!r}"
            )
        return self._pooled("contrast")

    def lsmeans(self) -> pd.DataFrame:
        """Pooled least-squares means of each arm at each visit (covariates at their means)."""
        return self._pooled("lsmean")

    def completed_data(self, imputation: int = 0) -> pd.DataFrame:
        """One completed data set (after any delta) as a long table: subject, arm, visit, the
        subject-level covariates, the response, and whether the value was imputed.

        Examples
        --------
        >>> import outcomes
        >>> trial = outcomes.derive(outcomes.load_sample())
        >>> madrs = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
        >>> mi = outcomes.multiple_imputation(
        ...     "chg ~ base + arm * visit + us(visit | subject)", madrs, arm="arm",
        ...     reference="PLACEBO", n_imputations=2)
        >>> list(mi.completed_data(1).columns)
        ['subject', 'arm', 'visit', 'base', 'chg', 'imputed']
        """
        completed = self._shifted(self.completed[imputation][None], self.problem)[0]
        return self._long(completed, self.problem)

    def _long(self, values: np.ndarray, problem: Problem) -> pd.DataFrame:
        n, t = values.shape
        table = pd.DataFrame(
            {
                self.subject: np.repeat(problem.subjects, t),
                self.arm: np.repeat(problem.arm, t),
                self.visit: np.tile(np.asarray(problem.visits, dtype=object), n),
            }
        )
        for name in problem.covariates.columns:
            table[name] = np.repeat(problem.covariates[name].to_numpy(), t)
        table[self.imputation_model.formula.response] = values.ravel()
        table["imputed"] = problem.missing.ravel()
        return table

    def analyse(self, analysis: Callable[[pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
        """Apply ``analysis`` to every completed data set and pool the results.

        Parameters
        ----------
        analysis : callable
            Takes a completed data set (:meth:`completed_data`) and returns a table with
            ``estimate``, ``std_error`` and ``df`` (the complete-data df) and any label columns,
            the same rows in the same order every time, e.g. an :func:`outcomes.ancova`'s
            ``contrasts("arm")``.

        Returns
        -------
        DataFrame
            The label columns, then ``estimate, std_error, df, statistic, p_value, conf_low,
            conf_high``: pooled by Rubin's rules (Barnard-Rubin df, plus ``mc_error``), or, for
            conditional mean imputation, the full-data estimate with the jackknife standard
            error (the analysis is run on each leave-one-out data set).
        """
        tables = [analysis(self.completed_data(m)) for m in range(self.n_imputations)]
        missing = {"estimate", "std_error", "df"} - set(tables[0].columns)
        if missing:
            raise ModelSpecificationError(
                f"the analysis must return the columns {sorted(missing)} as well"
            )
        labels = tables[0][[c for c in tables[0].columns if c not in ESTIMATE_COLUMNS]]
        estimates = np.column_stack([t["estimate"].to_numpy(float) for t in tables])
        if self.method == "bayes":
            variances = np.column_stack([t["std_error"].to_numpy(float) ** 2 for t in tables])
            df = tables[0]["df"].to_numpy(float)
            rows = [rubin(estimates[r], variances[r], df[r]) for r in range(len(labels))]
        else:
            left_out = self._left_out_long()
            loo = np.column_stack([analysis(part)["estimate"].to_numpy(float) for part in left_out])
            rows = [jackknife(float(estimates[r, 0]), loo[r]) for r in range(len(labels))]
        pooled = pd.concat([labels.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
        return _tests(pooled, self.conf_level)

    def _left_out_long(self) -> list[pd.DataFrame]:
        if self.left_out is None:
            raise ModelSpecificationError("no leave-one-out imputations (method='bayes')")
        n = len(self.problem.subjects)
        parts = []
        for i in range(n):
            part = _subset(self.problem, np.arange(n) != i)
            parts.append(self._long(self._shifted(self.left_out[i][None], part)[0], part))
        return parts

    def tipping_point(
        self,
        deltas: Sequence[float] | Mapping[Any, Sequence[float]],
        *,
        visit: Any,
        arms: Any = None,
        delta_type: str = "additive",
        alpha: float = 0.05,
    ) -> TippingPoint:
        """Re-analyse over a grid of deltas and find where the conclusion at ``visit`` changes.

        Parameters
        ----------
        deltas : sequence of float, or mapping arm -> sequence
            One grid, in order (e.g. ``numpy.arange(0, 10.5, 0.5)``), applied to ``arms``; or
            a grid per arm, whose every combination is analysed (a tipping-point map, e.g. the
            active arm's imputed values made worse while the placebo arm's are made better).
        visit : object
            The visit whose treatment difference is judged.
        arms : object or sequence, optional
            With one grid, the arms shifted (default: every non-reference arm).
        delta_type : {"additive", "multiplicative"}
        alpha : float

        Returns
        -------
        TippingPoint
            One row per grid point: ``delta`` (one grid) or ``delta_<arm>`` per arm (a map).
        """
        if visit not in self.problem.visits:
            raise ModelSpecificationError(f"{visit!r} is not a visit: {self.problem.visits}")
        if isinstance(deltas, Mapping):
            names = list(deltas)
            grid = [
                dict(zip(names, point, strict=True))
                for point in itertools.product(*deltas.values())
            ]
            columns = [f"delta_{arm}" for arm in names]
        else:
            shifted = (
                self.levels[1:]
                if arms is None
                else ([arms] if isinstance(arms, str) else list(arms))
            )
            grid = [{a: d for a in shifted} for d in deltas]
            columns = ["delta"]
        rows = []
        for point in grid:
            table = self.with_delta(point, delta_type).contrasts()
            at = table[table[self.visit] == visit].reset_index(drop=True)
            values = list(point.values()) if len(columns) > 1 else [next(iter(point.values()))]
            for name, value in zip(columns, values, strict=True):
                at[name] = value
            rows.append(at)
        table = pd.concat(rows, ignore_index=True)
        table = table[[*columns, *[c for c in table.columns if c not in columns]]]
        table["significant"] = table["p_value"] < alpha
        flips = table.index[table["significant"] != table["significant"].iloc[0]]
        several = "contrast" in table.columns and table["contrast"].nunique() > 1
        tipping = (
            float(table["delta"].iloc[flips[0]])
            if len(flips) and columns == ["delta"] and not several
            else None
        )
        return TippingPoint(table, tipping)


def _tests(table: pd.DataFrame, conf_level: float) -> pd.DataFrame:
    """Pooled rows as a table of estimates: labels, the Wald columns, then the MI diagnostics."""
    extra = [c for c in ("mc_error", "fraction_missing") if c in table.columns]
    labels = table[[c for c in table.columns if c not in (*ESTIMATE_COLUMNS, *extra)]]
    out = wald_table(
        table["estimate"].to_numpy(float),
        table["std_error"].to_numpy(float),
        table["df"].to_numpy(float),
        conf_level=conf_level,
        labels=labels,
    )
    return pd.concat([out, table[extra].reset_index(drop=True)], axis=1)
