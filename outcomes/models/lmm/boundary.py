"""Mixed models at the boundary (lme4's "boundary (singular) fit"), in lme4's parametrisation.

When the random-effects covariance is singular (a variance of 0, a correlation of +-1), the
variance components ``phi = (G, sigma^2)`` sit on the edge of the positive semi-definite cone:
an optimiser on them stops short of the optimum, and their Hessian describes a point where the
likelihood is not stationary. lme4 and lmerTest work instead with ``psi = (theta, sigma)``,
``G = sigma^2 L L'`` with ``L`` the lower-triangular relative Cholesky factor holding ``theta``
(row by row, as :func:`numpy.tril_indices`), in which every ``psi`` is a valid model and the
boundary optimum is a stationary point. Here, for singular fits only (in the interior the
results do not depend on the parametrisation):

* the fit is polished by minimising -2 log-likelihood over ``psi`` (BFGS), to lme4's optimum;
* Satterthwaite's df are lmerTest's: ``df = 2 (l'Cl)^2 / (g' W g)`` with ``g_k = l' (dC/dpsi_k) l``
  and ``W = 2 H^-1``, ``H`` the Hessian of -2 log-likelihood over ``psi``. A parameter at the
  boundary does not move ``C`` to first order (``dG/dtheta = 0`` there), so the df stay finite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.optimize

__all__ = [
    "boundary_inputs",
    "components",
    "deviance",
    "polish_at_boundary",
    "psi_of",
    "subject_rows",
]


def components(psi: np.ndarray, q: int) -> tuple[np.ndarray, float]:
    """``(G, sigma^2)`` of ``psi = (theta, sigma)`` for ``q`` random effects.

    Examples
    --------
    >>> g, s2 = components(np.array([2.0, 0.5, 0.0, 1.5]), 2)
    >>> g.tolist(), s2
    ([[9.0, 2.25], [2.25, 0.5625]], 2.25)
    """
    lower = np.zeros((q, q))
    lower[np.tril_indices(q)] = psi[:-1]
    sigma2 = float(psi[-1] ** 2)
    return sigma2 * lower @ lower.T, sigma2


def psi_of(g: np.ndarray, sigma2: float) -> np.ndarray:
    """``psi`` of ``(G, sigma^2)``; a singular ``G`` gets the factor of its nearest PD matrix."""
    relative = g / sigma2
    vals, vecs = np.linalg.eigh((relative + relative.T) / 2)
    floor = 1e-12 * max(1.0, float(vals.max()))
    lower = np.linalg.cholesky((vecs * np.maximum(vals, floor)) @ vecs.T)
    return np.concatenate([lower[np.tril_indices(len(g))], [np.sqrt(sigma2)]])


def deviance(fit: Any, g: np.ndarray, sigma2: float) -> float:
    """-2 log-likelihood (REML or ML, as the fit) at the variance components ``(G, sigma^2)``."""
    x, y, z = fit.design.x, fit.design.y, fit.z
    p = x.shape[1]
    xvx, xvy = np.zeros((p, p)), np.zeros(p)
    logdet, yvy = 0.0, 0.0
    for rows in subject_rows(fit):
        xi, yi, zi = x[rows], y[rows], z[rows]
        v = zi @ g @ zi.T + sigma2 * np.eye(len(rows))
        sign, ld = np.linalg.slogdet(v)
        if sign <= 0:
            return np.inf
        logdet += ld
        v_inv_x = np.linalg.solve(v, np.column_stack([xi, yi]))
        xvx += xi.T @ v_inv_x[:, :p]
        xvy += xi.T @ v_inv_x[:, p]
        yvy += float(yi @ v_inv_x[:, p])
    beta = np.linalg.solve(xvx, xvy)
    value = logdet + yvy - float(beta @ xvy)
    n_used = len(y) - p if fit.reml else len(y)
    value += n_used * np.log(2 * np.pi)
    if fit.reml:
        value += np.linalg.slogdet(xvx)[1]
    return float(value)


def polish_at_boundary(fit: Any) -> tuple[np.ndarray, float]:
    """``(G, sigma^2)`` at the optimum over ``psi``, from the fit's own estimates."""
    q = len(fit.g)
    objective = _objective(fit, q)
    start = psi_of(fit.g, fit.sigma2)
    res = scipy.optimize.minimize(
        objective, start, method="BFGS", options={"gtol": 1e-10, "maxiter": 5000}
    )
    best = res.x if res.fun <= objective(start) else start
    res = scipy.optimize.minimize(
        objective, best, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-13}
    )
    if res.fun <= objective(best):
        best = res.x
    return components(best, q)


def boundary_inputs(fit: Any) -> tuple[np.ndarray, np.ndarray]:
    """lmerTest's Satterthwaite inputs at a singular fit (module docstring): ``dC/dpsi`` and
    ``W = 2 H^-1`` over ``psi``."""
    q = len(fit.g)
    psi = psi_of(fit.g, fit.sigma2)
    w = 2 * np.linalg.pinv(_hessian(_objective(fit, q), psi))
    # dC/dpsi = sum_j dC/dphi_j dphi_j/dpsi, phi = (lower triangle of G, sigma^2)
    jac_phi = _jacobian(lambda s: _phi(s, q), psi)
    return np.einsum("jab,jk->kab", fit._blocks.jacobian, jac_phi), w


def _phi(psi: np.ndarray, q: int) -> np.ndarray:
    g, sigma2 = components(psi, q)
    return np.concatenate([g[np.tril_indices(q)], [sigma2]])


def _objective(fit: Any, q: int) -> Callable[[np.ndarray], float]:
    def fun(psi: np.ndarray) -> float:
        g, sigma2 = components(psi, q)
        return deviance(fit, g, sigma2) if sigma2 > 0 else np.inf

    return fun


def subject_rows(fit: Any) -> list[np.ndarray]:
    """The row positions of each subject of a mixed-model fit, in subject order."""
    order = np.argsort(fit.groups, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(fit.groups[order])) + 1)


def _steps(x: np.ndarray) -> np.ndarray:
    return 1e-4 * np.maximum(1.0, np.abs(x))


def _hessian(fun: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Hessian by central differences of function values."""
    h = _steps(x)
    m = len(x)
    out = np.zeros((m, m))
    f0 = fun(x)
    for i in range(m):
        for j in range(i, m):
            if i == j:
                up, down = x.copy(), x.copy()
                up[i] += h[i]
                down[i] -= h[i]
                out[i, i] = (fun(up) - 2 * f0 + fun(down)) / h[i] ** 2
                continue
            corners = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                pt = x.copy()
                pt[i] += si * h[i]
                pt[j] += sj * h[j]
                corners.append(fun(pt))
            out[i, j] = out[j, i] = (corners[0] - corners[1] - corners[2] + corners[3]) / (
                4 * h[i] * h[j]
            )
    return out


def _jacobian(fun: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """``d fun / d x`` by central differences, shape ``(len(fun(x)), len(x))``."""
    h = _steps(x)
    cols = []
    for k in range(len(x)):
        up, down = x.copy(), x.copy()
        up[k] += h[k]
        down[k] -= h[k]
        cols.append((fun(up) - fun(down)) / (2 * h[k]))
    return np.column_stack(cols)
