"""Refitting an MMRM with one subject left out, cheaply: for the jackknife.

The likelihood depends on the data only through each missingness pattern's cross-products
(:mod:`~outcomes.models.mmrm.likelihood`), so leaving a subject out subtracts their own
cross-products from their pattern: no new design matrix, no new pass over the data. The
optimum is then a few Newton steps from the full-data estimate, with its Hessian.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import replace

import numpy as np
import scipy.optimize

from outcomes.errors import ConvergenceError, ModelSpecificationError
from outcomes.models.mmrm.likelihood import Likelihood
from outcomes.models.mmrm.optimize import GRADIENT_TOLERANCE, optimize

__all__ = ["refit_without", "without_subject"]

_NEWTON_STEPS = 20
#: Largest gradient of -2 log L at which a leave-one-out fit is taken as converged.
_TIGHT = 1e-6


def without_subject(lik: Likelihood, code: int) -> Likelihood:
    """The likelihood of the same model on the data without subject ``code`` (design code).

    Examples
    --------
    Leaving out a subject gives the likelihood of the data without them:

    >>> import outcomes
    >>> from outcomes.models.mmrm.design import build_design
    >>> trial = outcomes.derive(outcomes.load_sample())
    >>> madrs = trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
    >>> fit = outcomes.mmrm("chg ~ base + arm * visit + us(visit | subject)", madrs)
    >>> fewer = madrs[madrs["subject"] != fit.design.subject_labels[0]]
    >>> direct = Likelihood(build_design(fit.formula, fewer), fit.likelihood.structure, True)
    >>> left = without_subject(fit.likelihood, 0)
    >>> bool(np.isclose(left.evaluate(fit.theta).value, direct.evaluate(fit.theta).value))
    True
    """
    design = lik.design
    design.needs_rows("leaving a subject out")
    if design.weights is not None or lik.structure.spatial:
        raise ModelSpecificationError(
            "leaving a subject out needs an unweighted, visit-based model"
        )
    patterns = []
    n_rows = 0
    for pat in lik.patterns:
        members = pat.rows
        assert members is not None  # noqa: S101 - a design in memory has its rows (checked above)
        owners = design.subject[members[:, 0]]
        hit = np.flatnonzero(owners == code)
        if not hit.size:
            patterns.append(pat)
            continue
        rows = members[hit[0]]
        n_rows = len(rows)
        if pat.n == 1:
            continue
        xs, ys = design.x[rows], design.y[rows]
        patterns.append(
            replace(
                pat,
                rows=np.delete(members, hit[0], axis=0),
                n=pat.n - 1,
                xx=pat.xx - np.einsum("aj,bk->abjk", xs, xs),
                xy=pat.xy - np.einsum("aj,b->abj", xs, ys),
                yy=pat.yy - np.outer(ys, ys),
                x_sum=pat.x_sum - xs,
                y_sum=pat.y_sum - ys,
            )
        )
    if not n_rows:
        return lik
    out = copy.copy(lik)
    out.patterns = patterns
    out.n_obs = lik.n_obs - n_rows
    return out


def refit_without(
    lik: Likelihood, theta: np.ndarray, hessian: np.ndarray, code: int
) -> tuple[np.ndarray, Likelihood]:
    """The covariance parameters of the model without subject ``code``, from ``theta`` on.

    Newton steps with the full-data Hessian (the leave-one-out optimum is close, so a few steps
    reach it); if they stall, BFGS, and then the full optimiser
    (:func:`~outcomes.models.mmrm.optimize.optimize`).

    Returns
    -------
    theta : ndarray
    likelihood : Likelihood
        The leave-one-out likelihood (``evaluate(theta).beta`` gives the fixed effects).
    """
    left = without_subject(lik, code)
    current = np.asarray(theta, dtype=float)
    evaluation = left.evaluate(current, gradient=True)
    for _ in range(_NEWTON_STEPS):
        gradient = evaluation.gradient
        assert gradient is not None  # noqa: S101 - evaluated with the gradient
        if np.abs(gradient).max() < _TIGHT:
            return current, left
        step = np.linalg.solve(hessian, gradient)
        for _halving in range(20):
            trial = current - step
            trial_evaluation = left.evaluate(trial, gradient=True)
            if trial_evaluation.value <= evaluation.value:
                break
            step = step / 2
        else:
            break
        current, evaluation = trial, trial_evaluation

    def objective(t: np.ndarray) -> tuple[float, np.ndarray]:
        ev = left.evaluate(t, gradient=True)
        return ev.value, ev.gradient  # type: ignore[return-value]

    with warnings.catch_warnings():  # convergence is judged by the gradient below
        warnings.simplefilter("ignore")
        found = scipy.optimize.minimize(
            objective, current, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 500}
        )
    gradient = left.evaluate(found.x, gradient=True).gradient
    assert gradient is not None  # noqa: S101 - evaluated with the gradient
    if np.abs(gradient).max() < GRADIENT_TOLERANCE:
        return np.asarray(found.x, dtype=float), left
    state = optimize(left, theta)
    if not state.converged:
        raise ConvergenceError(
            f"the MMRM without subject {lik.design.subject_labels[code]!r} did not converge"
        )
    return state.theta, left
