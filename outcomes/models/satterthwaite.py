"""Satterthwaite degrees of freedom for contrasts of the fixed effects.

For a one-row contrast ``l``: ``df = 2 (l C l')^2 / (g' W g)``, with ``C`` the covariance of the
estimates, ``g_j = l (dC / dtheta_j) l'`` and ``W = 2 H^-1`` the asymptotic covariance of the
covariance parameters (``H`` the Hessian of -2 log-likelihood). For a ``q``-row contrast, the
method of Fai & Cornelius (1996), as SAS PROC MIXED and R's mmrm: rotate to the eigenvectors of
``L C L'``, take the one-row df ``nu_m`` of each, then ``E = sum nu_m / (nu_m - 2)`` and
``df = 2 E / (E - q)`` (2 when any ``nu_m <= 2``; their mean when all are equal).
"""

from __future__ import annotations

import numpy as np

__all__ = ["md_denominator_df", "one_dimensional_df"]


def one_dimensional_df(
    contrast: np.ndarray, vcov: np.ndarray, jacobian: np.ndarray, theta_vcov: np.ndarray
) -> float:
    """Satterthwaite df of one contrast row.

    Parameters
    ----------
    contrast : ndarray (p,)
    vcov : ndarray (p, p)
        Covariance of the fixed-effect estimates.
    jacobian : ndarray (m, p, p)
        ``dC / dtheta_j`` for each covariance parameter.
    theta_vcov : ndarray (m, m)
        Asymptotic covariance of the covariance parameters.

    Examples
    --------
    A contrast whose variance depends on one parameter with variance 2 v^2 / 10, as for a variance
    estimated with 10 df, has 10 df:

    >>> one_dimensional_df(np.array([1.0]), np.array([[4.0]]), np.array([[[1.0]]]),
    ...                    np.array([[2 * 4.0**2 / 10]]))
    10.0
    """
    var = float(contrast @ vcov @ contrast)
    grad = np.einsum("i,jik,k->j", contrast, jacobian, contrast)
    denom = float(grad @ theta_vcov @ grad)
    return 2 * var**2 / denom if denom > 0 else np.inf


def md_denominator_df(one_dim: np.ndarray) -> float:
    """Denominator df of an F test from the df of its eigen-directions (Fai & Cornelius 1996).

    Examples
    --------
    E = 10/8 + 20/18 = 2.3611, so df = 2 E / (E - 2) = 13.077:

    >>> round(md_denominator_df(np.array([10.0, 20.0])), 3)
    13.077

    With normal reference (infinite df) in every direction, the df are infinite:

    >>> md_denominator_df(np.array([np.inf, np.inf]))
    inf
    """
    nu = np.asarray(one_dim, dtype=float)
    if nu.size == 1:
        return float(nu[0])
    if np.all(np.isinf(nu)):
        return np.inf
    finite = nu[np.isfinite(nu)]
    if finite.size == nu.size and np.all(np.abs(np.diff(nu)) < np.sqrt(np.finfo(float).eps)):
        return float(nu.mean())
    if np.any(nu <= 2):
        return 2.0
    e = float(np.sum(1 / (1 - 2 / nu)))  # nu / (nu - 2), 1 for an infinite nu
    return 2 * e / (e - nu.size)
