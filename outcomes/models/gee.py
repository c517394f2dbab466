"""Marginal models by generalised estimating equations (GEE), with robust standard errors.

``outcomes.gee("chg ~ base + arm * visit", data, subject="subject",
correlation="exchangeable")`` is R geepack's ``geeglm(..., id = subject, corstr =
"exchangeable")``; statsmodels' GEE solves the equations. Where statsmodels' defaults differ from
geepack's, the choices here are geepack's, so that the two agree to the printed digits:

* the **scale** is ``phi = sum(r^2) / N`` over the Pearson residuals ``r`` (no correction for the
  number of coefficients), and it is estimated for binomial models too, as ``geeglm`` does;
  ``scale_fixed=True`` fixes it at 1 (geepack ``geese(scale.fix = TRUE)``, SAS PROC GENMOD's
  default for binomial data);
* **exchangeable**: ``alpha`` is the mean product of the Pearson residuals of all pairs within a
  subject, over ``phi`` (statsmodels' estimator once the scale is geepack's);
* **ar1**: the correlation of two visits ``k`` apart is ``alpha^k``, with ``k`` counted in the
  ranks of ``time`` (so a missed visit leaves a gap, as ``geeglm(waves = ...)``), and ``alpha``
  solves geepack's least-squares estimating equation over all pairs; statsmodels' own AR
  estimator is a different regression;
* **unstructured**: the correlation of visits ``j`` and ``k`` is the mean product of their
  Pearson residuals over ``phi`` (geepack's pooled estimator; statsmodels standardises by each
  visit's own variance). As in geepack, such a working matrix may have entries above 1 and not
  be positive definite: the fit then says so in ``notes``;
* **standard errors** are the robust (sandwich) ones, geepack's ``san.se``; tests are Wald z
  tests (``statistic`` is z; geepack prints ``Wald = z^2`` with the same p-value).

Rows missing the response, a covariate, the subject or the time are left out (counted in
``notes``). GEE is valid when data are missing completely at random (or at random given the
covariates); it does not model the dropout process as a likelihood-based model does.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.optimize
from statsmodels.genmod import cov_struct, families
from statsmodels.genmod.generalized_estimating_equations import GEE
from statsmodels.tools.sm_exceptions import ConvergenceWarning, IterationLimitWarning

from outcomes.data.frames import FrameLike, as_frame
from outcomes.errors import ConvergenceError, ModelSpecificationError
from outcomes.models.core.formula import parse_model
from outcomes.models.core.frames import reference_levels
from outcomes.models.core.inference import f_test, fit_html, wald_table
from outcomes.models.core.model_matrix import ModelMatrix, model_matrix

__all__ = ["CORRELATIONS", "FAMILIES", "GEEFit", "gee"]

#: Families of :func:`gee` and their statsmodels classes (canonical links).
FAMILIES: dict[str, type] = {"gaussian": families.Gaussian, "binomial": families.Binomial}
#: Working correlation structures of :func:`gee`.
CORRELATIONS: tuple[str, ...] = ("independence", "exchangeable", "ar1", "unstructured")
_NEEDS_TIME = frozenset({"ar1", "unstructured"})


def gee(
    formula: str,
    data: FrameLike,
    *,
    subject: str,
    family: str = "gaussian",
    correlation: str = "exchangeable",
    time: str | None = None,
    arm: str = "arm",
    reference: Any = None,
    levels: Mapping[str, Any] | None = None,
    scale_fixed: bool = False,
    max_iter: int = 100,
    conf_level: float = 0.95,
) -> GEEFit:
    """Fit a marginal model by GEE with robust standard errors, as R's geepack.

    Parameters
    ----------
    formula : str
        The mean model, e.g. ``"chg ~ base + arm * visit"``; factors as in :func:`outcomes.mmrm`.
        A binomial response is 0/1 (or True/False).
    data : DataFrame or TrialData
        One row per observation.
    subject : str
        The column of subjects (clusters).
    family : {"gaussian", "binomial"}
        Identity link for gaussian, logit for binomial.
    correlation : {"independence", "exchangeable", "ar1", "unstructured"}
        The working correlation within a subject.
    time : str, optional
        The column that orders a subject's rows (e.g. ``visit_num``); needed for ``ar1`` and
        ``unstructured``, whose visits are its distinct values in order.
    arm, reference, levels : optional
        The arm factor, the reference arm, and reference levels of any factors, as for
        :func:`outcomes.mmrm`.
    scale_fixed : bool
        Fix the scale at 1 instead of estimating it.
    max_iter : int
        Iterations of the GEE algorithm before it is declared not converged.
    conf_level : float

    Returns
    -------
    GEEFit

    Raises
    ------
    ConvergenceError
        When the iterations do not settle within ``max_iter``.

    Examples
    --------
    A longitudinal responder model: the odds of response on DMT against placebo over the
    post-dose visits.

    >>> import outcomes
    >>> frame = outcomes.derive(outcomes.load_sample()).frame
    >>> madrs = frame[(frame["instrument"] == "madrs") & frame["response"].notna()]
    >>> madrs = madrs[madrs["phase"] != "baseline"]
    >>> fit = gee("response ~ base + arm + visit", madrs, subject="subject",
    ...           family="binomial", reference="PLACEBO")
    >>> row = fit.to_frame(exponentiate=True).set_index("term").loc["armDMT"]
    >>> bool(row["estimate"] > 1)
    True
    """
    if family not in FAMILIES:
        raise ModelSpecificationError(f"family must be one of {sorted(FAMILIES)}, not {family!r}")
    if correlation not in CORRELATIONS:
        raise ModelSpecificationError(
            f"correlation must be one of {CORRELATIONS}, not {correlation!r}"
        )
    if correlation in _NEEDS_TIME and time is None:
        raise ModelSpecificationError(
            f"correlation={correlation!r} needs time=, the column ordering visits"
        )
    frame = as_frame(data)
    if subject not in frame.columns:
        raise ModelSpecificationError(f"the data have no subject column {subject!r}")
    model = parse_model(formula).resolve(frame.columns)
    response = model.response.key if model.response else ""
    if response in frame.columns and pd.api.types.is_bool_dtype(frame[response]):
        as_number = frame[response].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        frame = frame.assign(**{response: as_number})
    extra = [subject, *([time] if time else [])]
    refs = reference_levels(levels, reference, arm, "gee")
    mm = model_matrix(model, frame, extra=extra, levels=refs)
    if family == "binomial" and not np.isin(mm.y, (0.0, 1.0)).all():
        raise ModelSpecificationError(
            f"a binomial response must be 0/1; {response!r} has other values"
        )
    order = np.lexsort(
        (
            np.arange(len(mm.y)),
            *([mm.frame[time].to_numpy()] if time else []),
            pd.factorize(mm.frame[subject], sort=True)[0],
        )
    )
    groups = pd.factorize(mm.frame[subject], sort=True)[0][order]
    time_codes = pd.factorize(mm.frame[time], sort=True)[0][order].astype(int) if time else None
    model = GEE(
        mm.y[order],
        mm.x[order],
        groups=groups,
        time=time_codes if correlation in _NEEDS_TIME else None,
        family=FAMILIES[family](),
        cov_struct=_structure(correlation),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("always", IterationLimitWarning)
        result = model.fit(maxiter=max_iter, ddof_scale=0, scale=None if scale_fixed else "X2")
    failed = (ConvergenceWarning, IterationLimitWarning)
    if result is None or any(issubclass(w.category, failed) for w in caught):
        raise ConvergenceError(
            f"the GEE did not converge in {max_iter} iterations ({correlation} working "
            "correlation). Try max_iter= larger, a simpler working correlation "
            "(exchangeable or independence), or fewer visits per subject."
        )
    notes = []
    if mm.n_dropped:
        notes.append(f"{mm.n_dropped} rows left out for a missing response or model variable")
    if mm.aliased:
        notes.append(f"aliased columns dropped (linear combinations of others): {mm.aliased}")
    working = _working_correlation(model.cov_struct, correlation)
    if correlation == "unstructured" and np.linalg.eigvalsh(working).min() <= 0:
        notes.append(
            "the estimated unstructured working correlation is not positive definite (as can "
            "happen with geepack's estimator); the robust standard errors remain valid"
        )
    return GEEFit(
        formula=formula,
        family=family,
        correlation=correlation,
        subject=subject,
        conf_level=conf_level,
        design=mm,
        params=np.asarray(result.params, dtype=float),
        robust_vcov=np.asarray(result.cov_robust, dtype=float),
        naive_vcov=np.asarray(result.cov_naive, dtype=float),
        scale=float(result.scale),
        working_correlation=working,
        n_subjects=int(len(np.unique(groups))),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class GEEFit:
    """A fitted GEE: coefficients with robust (sandwich) standard errors. Made by :func:`gee`.

    Attributes
    ----------
    scale : float
        The dispersion ``phi`` (1 when fixed).
    working_correlation : ndarray
        The estimated working correlation over the visits (``time`` levels in order); for
        independence and exchangeable, of a subject with two visits.
    notes : tuple of str
        Rows left out, aliased columns, a working correlation that is not positive definite.
    """

    formula: str
    family: str
    correlation: str
    subject: str
    conf_level: float
    design: ModelMatrix
    params: np.ndarray
    robust_vcov: np.ndarray
    naive_vcov: np.ndarray
    scale: float
    working_correlation: np.ndarray
    n_subjects: int
    notes: tuple[str, ...] = ()

    @property
    def n_obs(self) -> int:
        """Rows used."""
        return len(self.design.y)

    @property
    def coefficients(self) -> pd.Series:
        """The estimates (log odds ratios for binomial models)."""
        return pd.Series(self.params, index=self.design.columns, name="estimate")

    @property
    def vcov(self) -> pd.DataFrame:
        """Robust (sandwich) covariance of the estimates."""
        cols = self.design.columns
        return pd.DataFrame(self.robust_vcov, index=cols, columns=cols)

    def estimate(
        self,
        contrast: np.ndarray,
        labels: pd.DataFrame | None = None,
        *,
        exponentiate: bool = False,
    ) -> pd.DataFrame:
        """Linear combinations of the coefficients (rows of ``contrast``) with Wald z tests.

        Returns ``estimate, std_error, df, statistic, p_value, conf_low, conf_high`` after the
        ``labels`` columns (``df`` is infinite: normal reference). With ``exponentiate``, the
        estimate and interval are exponentiated (odds ratios of a binomial model) while the
        standard error, statistic and p-value stay on the linear scale.
        """
        rows = np.atleast_2d(np.asarray(contrast, dtype=float))
        if rows.shape[1] != len(self.params):
            raise ModelSpecificationError(
                f"a contrast has {len(self.params)} coefficients ({self.design.columns}), "
                f"not {rows.shape[1]}"
            )
        se = np.sqrt(np.einsum("ij,jk,ik->i", rows, self.robust_vcov, rows))
        table = wald_table(rows @ self.params, se, conf_level=self.conf_level, labels=labels)
        if exponentiate:
            for column in ("estimate", "conf_low", "conf_high"):
                table[column] = np.exp(table[column])
        return table

    def test(self, contrast: np.ndarray) -> dict[str, float]:
        """Wald test that every row of ``contrast`` is zero, on the robust covariance:
        ``num_df, den_df, f_value, p_value``, with ``den_df`` infinite (the chi-square
        statistic over ``num_df``, as geepack's ``anova``)."""
        rows = np.atleast_2d(np.asarray(contrast, dtype=float))
        return f_test(rows, self.params, self.robust_vcov, lambda row: np.inf)

    def to_frame(self, *, exponentiate: bool = False) -> pd.DataFrame:
        """The coefficients: ``term, estimate, std_error, df, statistic, p_value, conf_low,
        conf_high`` (see :meth:`estimate` for ``exponentiate``)."""
        labels = pd.DataFrame({"term": self.design.columns})
        return self.estimate(np.eye(len(self.params)), labels, exponentiate=exponentiate)

    def summary(self) -> str:
        """A plain-text summary: model, rows, coefficients, scale and correlation."""
        lines = [
            f"GEE ({self.family}, {self.correlation} working correlation): {self.formula}",
            f"{self.n_obs} observations of {self.n_subjects} subjects; scale {self.scale:.6g}",
            *self.notes,
            "",
            self.to_frame().to_string(index=False),
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return fit_html(self.summary().split("\n\n")[0], self.to_frame())

    def __repr__(self) -> str:
        return f"<GEEFit {self.formula} | {self.family}, {self.correlation}: {self.n_obs} rows>"


def _pearson_residuals(model: Any) -> list[np.ndarray]:
    """Each subject's Pearson residuals over ``sqrt(phi)``, at the current estimates.

    ``phi`` is the model's scale: ``sum(r^2) / N`` when estimated, 1 when fixed.
    """
    variance = model.family.variance
    phi = float(model.estimate_scale())
    return [
        (endog - mean) / np.sqrt(variance(mean) * phi)
        for endog, (mean, _) in zip(model.endog_li, model.cached_means, strict=True)
    ]


class _GeepackExchangeable(cov_struct.Exchangeable):
    """Exchangeable: ``alpha`` the mean product of scaled residuals over all within pairs.

    statsmodels' own update estimates a scale of its own even when the model's is fixed.
    """

    def update(self, params: np.ndarray) -> None:
        total, pairs = 0.0, 0
        for resid in _pearson_residuals(self.model):
            total += (resid.sum() ** 2 - resid @ resid) / 2
            pairs += len(resid) * (len(resid) - 1) // 2
        self.dep_params = total / pairs if pairs else 0.0


class _GeepackAR1(cov_struct.CovStruct):
    """AR(1) in visit ranks, ``alpha`` from geepack's estimating equation over all pairs.

    ``sum over pairs (r_j r_k - alpha^d)^2`` is minimised, ``d`` the rank distance of the pair
    (statsmodels' AR(1) ignores gaps and uses a regression estimator).
    """

    def initialize(self, model: Any) -> None:
        super().initialize(model)
        self.dep_params = 0.0

    def update(self, params: np.ndarray) -> None:
        products, lags = [], []
        for resid, times in zip(_pearson_residuals(self.model), self.model.time_li, strict=True):
            j, k = np.triu_indices(len(resid), 1)
            products.append(resid[j] * resid[k])
            lags.append(np.abs(times[j, 0] - times[k, 0]))
        product, lag = np.concatenate(products), np.concatenate(lags)
        if product.size == 0:
            return

        def loss(alpha: float) -> float:
            return float(np.sum((product - alpha**lag) ** 2))

        found = scipy.optimize.minimize_scalar(
            loss, bounds=(-0.999999, 0.999999), method="bounded", options={"xatol": 1e-12}
        )
        self.dep_params = float(found.x)

    def covariance_matrix(self, expval: np.ndarray, index: int) -> tuple[np.ndarray, bool]:
        times = self.model.time_li[index][:, 0]
        return self.dep_params ** np.abs(np.subtract.outer(times, times)), True


class _GeepackUnstructured(cov_struct.Unstructured):
    """Unstructured, each pair of visits' correlation over the pooled scale (geepack)."""

    def update(self, params: np.ndarray) -> None:
        q = int(self.model.time.max()) + 1
        total, count = np.zeros((q, q)), np.zeros((q, q))
        for resid, times in zip(_pearson_residuals(self.model), self.model.time_li, strict=True):
            ix = times[:, 0]
            total[np.ix_(ix, ix)] += np.outer(resid, resid)
            count[np.ix_(ix, ix)] += 1
        corr = np.where(count > 0, total / np.maximum(count, 1), 0.0)
        np.fill_diagonal(corr, 1.0)
        self.dep_params = corr

    def covariance_matrix_solve(
        self, expval: np.ndarray, index: int, stdev: np.ndarray, rhs: list[np.ndarray]
    ) -> list[np.ndarray]:
        """Solve with the working matrix as it is, as geepack does (statsmodels would project a
        matrix that is not positive definite to a nearby one, and reach other estimates)."""
        corr, _ = self.covariance_matrix(expval, index)
        vmat = corr * np.outer(stdev, stdev)
        return [np.linalg.solve(vmat, x) for x in rhs]


def _structure(correlation: str) -> cov_struct.CovStruct:
    if correlation == "independence":
        return cov_struct.Independence()
    if correlation == "exchangeable":
        return _GeepackExchangeable()
    if correlation == "ar1":
        return _GeepackAR1()
    return _GeepackUnstructured()


def _working_correlation(structure: Any, correlation: str) -> np.ndarray:
    """The estimated working correlation (over all visits, or of a two-visit subject)."""
    if correlation == "unstructured":
        return np.asarray(structure.dep_params, dtype=float)
    if correlation == "ar1":
        q = int(structure.model.time.max()) + 1
        lags = np.abs(np.subtract.outer(np.arange(q), np.arange(q)))
        return structure.dep_params**lags
    alpha = 0.0 if correlation == "independence" else float(structure.dep_params)
    return np.array([[1.0, alpha], [alpha, 1.0]])
