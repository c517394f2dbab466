"""Covariate-adjusted marginal effects on a binary outcome: g-computation after a logistic
regression, as the FDA's 2023 guidance on covariate adjustment asks.

The logistic regression of the outcome on arm and the covariates is fitted once; then every
subject's risk is predicted with the arm set to each arm in turn, and an arm's marginal risk
``theta_k`` is the mean of those predictions over **all** subjects (the trial population), not
only the arm's. The risk difference, risk ratio and odds ratio compare ``theta_k`` with the
reference arm's: unconditional effects, unlike the conditional odds ratio of the regression.

The covariance of the marginal risks, by ``variance=``:

* ``"ye"`` (default): Ye, Shao, Yi & Zhao (2023), which accounts for the variability of the
  covariates and stays valid when the working model is wrong (as RobinCar and beeca's default,
  ``method="Ye"``). With ``p_k(i)`` subject ``i``'s prediction under arm ``k``, ``pi_k`` the
  share randomised to ``k``, ``var_k``/``cov_k`` within arm ``k`` and ``var``/``cov`` over all
  subjects (divisor ``n - 1``), ``V = W / n`` with::

      W_kk = [var_k(y) - 2 cov_k(y, p_k) + var(p_k)] / pi_k + 2 cov_k(y, p_k) - var(p_k)
      W_kl = cov_k(y, p_l) + cov_l(y, p_k) - cov(p_k, p_l)

  for simple randomisation (stratified randomisation's smaller variance is not computed: this is
  conservative then).
* ``"ge"``: Ge et al. (2011), the delta method ``D S D'`` with ``S`` the robust (HC0) covariance
  of the coefficients and ``D`` the derivative of the mean predictions, ``d_k = mean_i
  p_k(i) (1 - p_k(i)) x_k(i)`` (beeca's ``method="Ge"``). It treats the covariates as fixed.
* ``"ge-model-based"``: the same with the model-based covariance, as SAS's %Margins macro.

Each contrast's standard error is by the delta method on the contrast's scale; the intervals and
p values of the ratios are on the log scale (``exp(log r +- z se(log r))``), of the difference on
its own. Intervals are Wald (normal) intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.discrete.discrete_model import Logit
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from outcomes.data.frames import FrameLike, as_frame, require
from outcomes.errors import ConvergenceError, ModelSpecificationError
from outcomes.models.core.frames import factor_levels
from outcomes.models.core.inference import wald_table

__all__ = ["MARGINAL_COLUMNS", "VARIANCES", "covariate_matrix", "logistic_fit", "marginal_risks"]

#: The covariances of the marginal risks ``variance=`` offers.
VARIANCES = ("ye", "ge", "ge-model-based")

#: Columns of :func:`marginal_risks`.
MARGINAL_COLUMNS = (
    "contrast",
    "measure",
    "n",
    "n_reference",
    "risk",
    "risk_reference",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "conf_low",
    "conf_high",
    "variance",
)

_MEASURES = ("risk difference", "risk ratio", "odds ratio")


def marginal_risks(
    data: FrameLike,
    *,
    outcome: str,
    arm: str,
    covariates: Sequence[str] = (),
    reference: Any = None,
    variance: str = "ye",
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Marginal (g-computation) risk difference, risk ratio and odds ratio of each arm against
    the reference arm, adjusted for ``covariates`` (module docstring).

    Parameters
    ----------
    data : DataFrame
        One row per subject: the binary ``outcome`` (True/False or 1/0, no missing values: apply
        the missing-data rule first, as :func:`outcomes.responders` does), the arm and the
        covariates (numbers, or factors as text; no missing values).
    outcome, arm : str
    covariates : sequence of str
        Baseline covariates of the logistic regression (main effects).
    reference : optional
        The reference arm (first level by default).
    variance : {"ye", "ge", "ge-model-based"}
    conf_level : float

    Returns
    -------
    DataFrame
        :data:`MARGINAL_COLUMNS`: three rows (``measure``) per arm against the reference, with
        the marginal risks, the estimate, its delta-method standard error (on the estimate's
        scale), the Wald statistic, p value and interval (the ratios' on the log scale).

    Raises
    ------
    ModelSpecificationError
        A missing value in the outcome, arm or a covariate (rows and columns named), an outcome
        that is not binary, collinear covariates, an unknown reference or variance.
    ConvergenceError
        An arm in which every subject, or none, responds, or a regression that does not converge
        (responders separated by the covariates): the marginal risks are then 0 or 1 and their
        variance is not estimable.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"arm": np.repeat(["placebo", "DMT"], 50),
    ...                    "base": rng.normal(30, 5, 100)})
    >>> df["resp"] = rng.random(100) < np.where(df["arm"] == "DMT", 0.6, 0.3)
    >>> out = marginal_risks(df, outcome="resp", arm="arm", covariates=["base"],
    ...                      reference="placebo")
    >>> out[["contrast", "measure"]].values.tolist()[:2]
    [['DMT - placebo', 'risk difference'], ['DMT - placebo', 'risk ratio']]
    """
    frame = as_frame(data)
    if variance not in VARIANCES:
        raise ModelSpecificationError(f"variance must be one of {VARIANCES}, not {variance!r}")
    require(frame, [outcome, arm, *covariates])
    _refuse_missing(frame, [outcome, arm, *covariates])
    y = _binary(frame[outcome], outcome)
    levels = factor_levels(frame[arm])
    reference = levels[0] if reference is None else reference
    if reference not in levels:
        raise ModelSpecificationError(f"reference {reference!r} is not a level of {arm}: {levels}")
    others = [lev for lev in levels if lev != reference]
    arms = [reference, *others]
    _refuse_separation(y, frame[arm], arms, arm)
    covariate_x = covariate_matrix(frame, covariates)
    arm_values = frame[arm].to_numpy()
    x = _design(arm_values, arms, covariate_x)
    beta = np.asarray(logistic_fit(y, x).params, dtype=float)
    preds = np.column_stack(
        [_expit(_design(np.full(len(y), k, dtype=object), arms, covariate_x) @ beta) for k in arms]
    )
    risks = preds.mean(axis=0)
    if variance == "ye":
        v = _ye(y, arm_values, arms, preds)
    else:
        v = _ge(y, x, arms, arm_values, covariate_x, beta, robust=variance == "ge")
    counts = [int((arm_values == k).sum()) for k in arms]
    rows, est, se, log_se = [], [], [], []
    for j, level in enumerate(others, start=1):
        t0, t1 = risks[0], risks[j]
        cov = v[np.ix_([0, j], [0, j])]
        for measure in _MEASURES:
            value, grad, log_grad = _contrast(measure, t0, t1)
            rows.append(
                {
                    "contrast": f"{level} - {reference}",
                    "measure": measure,
                    "n": counts[j],
                    "n_reference": counts[0],
                    "risk": t1,
                    "risk_reference": t0,
                }
            )
            est.append(value)
            se.append(float(np.sqrt(grad @ cov @ grad)))
            log_se.append(float(np.sqrt(log_grad @ cov @ log_grad)) if log_grad is not None else 0)
    out = pd.DataFrame(rows)
    est_a, se_a, log_a = np.array(est), np.array(se), np.array(log_se)
    ratio = out["measure"].ne("risk difference").to_numpy()
    scale_est = est_a.copy()
    scale_est[ratio] = np.log(est_a[ratio])
    scale_se = np.where(ratio, log_a, se_a)
    wald = wald_table(scale_est, scale_se, conf_level=conf_level)
    out["estimate"], out["std_error"] = est_a, se_a
    out["statistic"], out["p_value"] = wald["statistic"], wald["p_value"]
    out["conf_low"] = np.where(ratio, np.exp(wald["conf_low"]), wald["conf_low"])
    out["conf_high"] = np.where(ratio, np.exp(wald["conf_high"]), wald["conf_high"])
    out["variance"] = variance
    return out[list(MARGINAL_COLUMNS)]


def _refuse_missing(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    problems = []
    for c in columns:
        rows = np.flatnonzero(frame[c].isna().to_numpy())
        if rows.size:
            shown = ", ".join(str(r + 1) for r in rows[:10]) + (" ..." if rows.size > 10 else "")
            problems.append(f"{c}: {rows.size} missing value(s), at row(s) {shown}")
    if problems:
        raise ModelSpecificationError(
            "marginal risks need every subject's outcome, arm and covariates (the population "
            "the risks average over; rows count from 1): " + "; ".join(problems)
        )


def _binary(values: pd.Series, name: str) -> np.ndarray:
    mapped = values.map(lambda v: float(bool(v)) if isinstance(v, (bool, np.bool_)) else v)
    y = pd.to_numeric(mapped, errors="coerce").to_numpy(float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ModelSpecificationError(f"{name} must be binary (True/False or 1/0)")
    return y


def _refuse_separation(y: np.ndarray, arm_values: pd.Series, arms: list[Any], arm: str) -> None:
    for k in arms:
        seen = y[(arm_values == k).to_numpy()]
        if seen.size == 0:
            raise ModelSpecificationError(f"arm {k!r} of {arm} has no subjects")
        if seen.min() == seen.max():
            which = "every subject" if seen[0] else "no subject"
            raise ConvergenceError(
                f"marginal risks are not estimable: {which} of arm {k!r} responds (its risk is "
                f"{seen[0]:.0f} and its variance 0); report the rates without adjustment"
            )


def covariate_matrix(frame: pd.DataFrame, covariates: Sequence[str]) -> np.ndarray:
    """The covariates' columns: numbers as they are, factors as treatment-coded indicators."""
    parts = [np.empty((len(frame), 0))]
    for c in covariates:
        col = frame[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            parts.append(col.to_numpy(float)[:, None])
        else:
            levels = factor_levels(col)
            values = col.to_numpy()
            parts.append(np.column_stack([values == lev for lev in levels[1:]]).astype(float))
    return np.hstack(parts)


def _design(arm_values: np.ndarray, arms: list[Any], covariate_x: np.ndarray) -> np.ndarray:
    indicators = [(arm_values == k).astype(float) for k in arms[1:]]
    return np.column_stack([np.ones(len(arm_values)), *indicators, covariate_x])


def logistic_fit(y: np.ndarray, x: np.ndarray | pd.DataFrame) -> Any:
    """statsmodels' logistic regression of ``y`` on ``x`` (Newton, to 1e-12); a
    :class:`~outcomes.errors.ModelSpecificationError` for collinear columns and a
    :class:`~outcomes.errors.ConvergenceError` when it does not converge."""
    if np.linalg.matrix_rank(np.asarray(x, dtype=float)) < x.shape[1]:
        raise ModelSpecificationError(
            "the covariates are collinear with the arm or each other (the logistic regression's "
            "design is not of full rank): drop the redundant covariate"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = Logit(y, x).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    if not fit.mle_retvals.get("converged", True) or any(
        issubclass(w.category, (ConvergenceWarning, PerfectSeparationWarning)) for w in caught
    ):
        raise ConvergenceError(
            "the logistic regression did not converge (responders separated by the covariates): "
            "use fewer covariates, or coarser categories"
        )
    return fit


def _expit(eta: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-eta))


def _ye(y: np.ndarray, arm_values: np.ndarray, arms: list[Any], preds: np.ndarray) -> np.ndarray:
    """Ye et al. (2023) covariance of the marginal risks, simple randomisation."""
    n, k = preds.shape
    all_cov = np.cov(preds, rowvar=False, ddof=1).reshape(k, k)
    within = np.zeros((k, k))  # within[a, l] = cov_a(y, p_l)
    diagonal = np.zeros(k)
    for a in range(k):
        in_a = arm_values == arms[a]
        cov_a = np.cov(np.column_stack([y[in_a], preds[in_a]]), rowvar=False, ddof=1)
        within[a] = cov_a[0, 1:]
        diagonal[a] = (cov_a[0, 0] - 2 * within[a, a] + all_cov[a, a]) / in_a.mean()
    w = within + within.T - all_cov
    np.fill_diagonal(w, diagonal + 2 * np.diag(within) - np.diag(all_cov))
    return w / n


def _ge(
    y: np.ndarray,
    x: np.ndarray,
    arms: list[Any],
    arm_values: np.ndarray,
    covariate_x: np.ndarray,
    beta: np.ndarray,
    *,
    robust: bool,
) -> np.ndarray:
    """Ge et al. (2011): delta method on the coefficients' HC0 or model-based covariance."""
    p = _expit(x @ beta)
    bread = np.linalg.inv(x.T @ (x * (p * (1 - p))[:, None]))
    s = bread
    if robust:
        score = x * (y - p)[:, None]
        s = bread @ (score.T @ score) @ bread
    d = []
    for k in arms:
        xk = _design(np.full(len(y), k, dtype=object), arms, covariate_x)
        pk = _expit(xk @ beta)
        d.append((xk * (pk * (1 - pk))[:, None]).mean(axis=0))
    dm = np.array(d)
    return dm @ s @ dm.T


def _contrast(measure: str, t0: float, t1: float) -> tuple[float, np.ndarray, np.ndarray | None]:
    """The contrast of risks ``(t0, t1)``, its gradient, and its log's gradient (ratios)."""
    if measure == "risk difference":
        return t1 - t0, np.array([-1.0, 1.0]), None
    if measure == "risk ratio":
        log_grad = np.array([-1 / t0, 1 / t1])
        value = t1 / t0
    else:
        log_grad = np.array([-1 / (t0 * (1 - t0)), 1 / (t1 * (1 - t1))])
        value = (t1 / (1 - t1)) / (t0 / (1 - t0))
    return value, value * log_grad, log_grad
