"""Residuals, predictions and simulations of a fitted MMRM, as R mmrm defines them.

Residuals of the rows used (``r = y - X b``):

- ``response``: ``r`` itself;
- ``pearson``: ``r / sqrt(diag Sigma_i)``, each divided by its model standard deviation;
- ``normalized``: ``L_i^-1 r_i``, with ``L_i`` the lower Cholesky factor of the subject's
  covariance over its visits in visit order; independent with variance 1 under the model, what
  a residual plot or a per-visit check should use.

With observation weights, ``r`` is scaled by the root of its weight, as the covariance is.

A prediction is conditional on the subject's observed values (R mmrm's ``conditional = TRUE``):
an observed row is its value (variance 0); a missing row of a subject with observed values is
``X_u b + S (y_o - X_o b)``, ``S = Sigma_uo Sigma_oo^-1``, with confidence variance
``diag(Z C Z')``, ``Z = X_u - S X_o`` (``C`` the covariance of ``b``) and prediction variance
that plus ``diag(Sigma_uu - S Sigma_ou)``; a subject with no observed value gets ``X b`` with
``diag(X C X')`` and ``+ diag Sigma``. Unconditional predictions are ``X b`` for every row. The
prediction variance is taken at the estimated covariance parameters: R mmrm adds their
uncertainty by simulation (``nsim``), which makes its prediction intervals slightly wider (see
``tests/reference/r/mmrm_predict.md``).

Simulations draw each subject's missing responses from their conditional distribution (observed
values are kept, as R mmrm's ``simulate``); to draw every row, give rows with the response
missing. ``method="marginal"`` first draws the covariance parameters from their asymptotic
normal distribution and the coefficients from theirs given those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.linalg

from outcomes.errors import ModelSpecificationError
from outcomes.models.core.formula import Name
from outcomes.models.mmrm.grid import grid_matrix

if TYPE_CHECKING:  # a type only: result.py imports this module
    from outcomes.models.mmrm.result import MMRMFit

__all__ = [
    "RESIDUAL_TYPES",
    "NewRows",
    "conditional_moments",
    "new_rows",
    "residuals",
    "variogram",
]

#: The residual types of :meth:`MMRMFit.residuals`, as R mmrm's ``residuals(type = )``.
RESIDUAL_TYPES: tuple[str, ...] = ("response", "pearson", "normalized")


def residuals(fit: MMRMFit, kind: str) -> np.ndarray:
    """Residuals of type ``kind`` of the rows used, in the design's row order."""
    if kind not in RESIDUAL_TYPES:
        raise ModelSpecificationError(
            f"residual type {kind!r} is not one of {', '.join(RESIDUAL_TYPES)}"
        )
    fit.design.needs_rows("residuals")
    lik = fit.likelihood
    beta = fit.state.evaluation.beta
    x, y = lik.weighted_data()
    if kind == "response":
        return fit.design.y - fit.design.x @ beta
    out = np.empty(len(y))
    for pat, sigma in zip(lik.patterns, lik.pattern_covariances(fit.theta), strict=True):
        r = y[pat.rows] - x[pat.rows] @ beta  # subjects x visits of the pattern
        if kind == "pearson":
            out[pat.rows] = r / np.sqrt(np.diag(sigma))
        else:
            lower = np.linalg.cholesky(sigma)
            out[pat.rows] = scipy.linalg.solve_triangular(lower, r.T, lower=True).T
    return out


def variogram(fit: MMRMFit, kind: str) -> pd.DataFrame:
    """The semi-variogram of the residuals of type ``kind``: for every pair of one subject's
    rows, ``(r_j - r_k)^2 / 2``, averaged by the pair's lag (visits apart in the visit order,
    or the distance between the coordinates of a spatial structure)."""
    r = residuals(fit, kind)
    design = fit.design
    if design.coords is not None:
        where = np.asarray(design.coords, dtype=float)
    else:
        where = np.asarray(design.visit, dtype=float)[:, None]
    order = np.argsort(design.subject, kind="stable")
    bounds = np.flatnonzero(np.diff(design.subject[order])) + 1
    lags, halves = [], []
    for rows in np.split(order, bounds):
        j, k = np.triu_indices(len(rows), 1)
        lags.append(np.sqrt(((where[rows[j]] - where[rows[k]]) ** 2).sum(axis=1)))
        halves.append((r[rows[j]] - r[rows[k]]) ** 2 / 2)
    pairs = pd.DataFrame({"lag": np.concatenate(lags), "half": np.concatenate(halves)})
    out = pairs.groupby("lag", sort=True)["half"].agg(["mean", "size"]).reset_index()
    return out.rename(columns={"mean": "semivariance", "size": "n_pairs"})


@dataclass(frozen=True)
class NewRows:
    """Rows to predict: design rows, responses (missing where unknown) and each row's place.

    Attributes
    ----------
    x : ndarray (n, p)
    y : ndarray (n,)
        The response where the rows have one, else NaN.
    subject : ndarray (n,) of int
        Subject codes within these rows.
    where : ndarray (n,) of int, or (n, d) of float
        Visit codes of the fit's visits, or the time coordinates of a spatial structure.
    group : ndarray (n,) of int
        Covariance group codes of the fit's groups.
    """

    x: np.ndarray
    y: np.ndarray
    subject: np.ndarray
    where: np.ndarray
    group: np.ndarray


def new_rows(fit: MMRMFit, data: pd.DataFrame) -> NewRows:
    """The rows of ``data`` as the fit sees them; every problem is said at once."""
    design, cov = fit.design, fit.formula.covariance
    structure = fit.likelihood.structure
    problems = []
    variables = [v for v in design.formula.variables if v != _response_key(fit)]
    needed = [*variables, cov.subject, *cov.time, *([cov.group] if cov.group else [])]
    absent = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if absent:
        raise ModelSpecificationError(f"the new data have no column(s) {absent}")
    incomplete = data[list(dict.fromkeys(needed))].isna().any(axis=1)
    if incomplete.any():
        problems.append(
            f"{int(incomplete.sum())} row(s) miss a model variable (first at row "
            f"{data.index[incomplete.to_numpy()][0]!r}): only the response may be missing"
        )
    twice = data.duplicated([cov.subject, *cov.time], keep=False)
    if twice.any():
        problems.append(
            f"{int(twice.sum())} rows share a subject and {', '.join(cov.time)} with another "
            f"(first at row {data.index[twice.to_numpy()][0]!r}): one row per subject and visit"
        )
    if structure.spatial:
        where = data[list(cov.time)].to_numpy(dtype=float)
    else:
        where = _codes(data[cov.time[0]], design.visit_levels)
        unknown = sorted({str(v) for v in data.loc[where < 0, cov.time[0]].dropna()})
        if unknown:
            problems.append(f"visit(s) {unknown} are not visits of the fit {design.visit_levels}")
    if cov.group:
        group = _codes(data[cov.group], design.group_levels)
        unknown = sorted({str(v) for v in data.loc[group < 0, cov.group].dropna()})
        if unknown:
            problems.append(f"group(s) {unknown} of {cov.group!r} were not in the fit")
    else:
        group = np.zeros(len(data), dtype=int)
    factors = {name: levels for name, levels in design.factors.items() if name in data.columns}
    for name, levels in factors.items():
        unseen = sorted({str(v) for v in data[name].dropna() if v not in levels})
        if unseen:
            problems.append(f"level(s) {unseen} of {name!r} were not in the fit")
    if problems:
        raise ModelSpecificationError("cannot predict these rows: " + "; ".join(problems))
    grid = data.copy()
    for name, levels in factors.items():
        grid[name] = pd.Categorical(grid[name].astype(object), categories=levels)
    y_key = _response_key(fit)
    if y_key not in grid.columns:
        grid[y_key] = 0.0
        y = np.full(len(grid), np.nan)
    else:
        y = pd.to_numeric(grid[y_key], errors="coerce").to_numpy(dtype=float)
        grid[y_key] = np.nan_to_num(y)
    subject = pd.factorize(data[cov.subject], sort=True)[0]
    return NewRows(grid_matrix(design, grid), y, subject, where, group)


def _codes(values: pd.Series, levels: list[object]) -> np.ndarray:
    """Positions of ``values`` among ``levels``; -1 for a value that is not one."""
    return pd.Index(levels, dtype=object).get_indexer(pd.Index(values.astype(object))).astype(int)


def _response_key(fit: MMRMFit) -> str:
    response = fit.design.formula.response
    assert response is not None  # noqa: S101 - an MMRM always has one
    if not isinstance(response.node, Name):
        raise ModelSpecificationError(
            f"predictions of a computed response ({response.key}) are not available: add it "
            "to the data as a column, and fit that column"
        )
    return response.key


@dataclass(frozen=True)
class Moments:
    """Conditional means and variances of new rows, and what simulation needs per subject.

    ``blocks`` holds, per subject with missing responses, the positions of those rows and
    their conditional covariance.
    """

    mean: np.ndarray
    conf_var: np.ndarray
    var: np.ndarray
    blocks: tuple[tuple[np.ndarray, np.ndarray], ...]


def conditional_moments(
    fit: MMRMFit,
    rows: NewRows,
    theta: np.ndarray,
    beta: np.ndarray,
    beta_vcov: np.ndarray,
    *,
    conditional: bool = True,
) -> Moments:
    """Means and variances of ``rows`` given their observed responses (see the module)."""
    mean = np.where(np.isnan(rows.y), rows.x @ beta, rows.y)
    conf_var = np.zeros(len(rows.y))
    var = np.zeros(len(rows.y))
    blocks = []
    order = np.lexsort((rows.where if rows.where.ndim == 1 else rows.where[:, 0], rows.subject))
    starts = np.flatnonzero(np.r_[True, np.diff(rows.subject[order]) != 0])
    for mine in np.split(order, starts[1:]):
        sigma = _covariance(fit, theta, int(rows.group[mine[0]]), rows.where[mine])
        seen = ~np.isnan(rows.y[mine]) if conditional else np.zeros(len(mine), dtype=bool)
        u, o = mine[~seen], mine[seen]
        if not len(u):
            continue
        x_u = rows.x[u]
        s_uu = sigma[np.ix_(~seen, ~seen)]
        if len(o):
            s = np.linalg.solve(sigma[np.ix_(seen, seen)], sigma[np.ix_(seen, ~seen)]).T
            z = x_u - s @ rows.x[o]
            mean[u] = z @ beta + s @ rows.y[o]
            cond = s_uu - s @ sigma[np.ix_(seen, ~seen)]
        else:
            z, cond = x_u, s_uu
            mean[u] = x_u @ beta
        conf_var[u] = np.einsum("ij,jk,ik->i", z, beta_vcov, z)
        var[u] = conf_var[u] + np.diag(cond)
        blocks.append((u, cond))
    return Moments(mean, conf_var, var, tuple(blocks))


def _covariance(fit: MMRMFit, theta: np.ndarray, group: int, where: np.ndarray) -> np.ndarray:
    lik = fit.likelihood
    if lik.structure.spatial:
        return lik.structure.matrix(lik.group_theta(theta, group), where).real
    full = lik.covariance(theta, group)
    return full[np.ix_(where, where)]


def simulate(
    fit: MMRMFit, rows: NewRows, nsim: int, method: str, rng: np.random.Generator
) -> np.ndarray:
    """``nsim`` draws of the rows' responses, one column each (see the module docstring)."""
    if method not in ("conditional", "marginal"):
        raise ModelSpecificationError(f"method must be 'conditional' or 'marginal', not {method!r}")
    out = np.empty((len(rows.y), nsim))
    theta_hat = fit.theta
    if method == "marginal":
        theta_root = np.linalg.cholesky(2 * np.linalg.inv(fit.state.hessian))
    for k in range(nsim):
        theta, beta = theta_hat, fit.state.evaluation.beta
        if method == "marginal":
            theta = theta_hat + theta_root @ rng.standard_normal(len(theta_hat))
            evaluation = fit.likelihood.evaluate(theta)
            beta = rng.multivariate_normal(evaluation.beta, evaluation.xtvx_inv)
        moments = conditional_moments(fit, rows, theta, beta, fit.vcov.to_numpy())
        draw = moments.mean.copy()
        for where, cond in moments.blocks:
            draw[where] += np.linalg.cholesky(cond) @ rng.standard_normal(len(where))
        out[:, k] = draw
    return out
