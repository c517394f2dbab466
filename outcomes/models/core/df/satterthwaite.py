"""Satterthwaite degrees of freedom for contrasts of the fixed effects.

For a one-row contrast ``l``: ``df = 2 (l C l')^2 / (g' W g)``, with ``C`` the covariance of the
estimates, ``g_j = l (dC / dtheta_j) l'`` and ``W = 2 H^-1`` the asymptotic covariance of the
covariance parameters (``H`` the Hessian of -2 log-likelihood). For a ``q``-row contrast, the
method of Fai & Cornelius (1996), as SAS PROC MIXED and R's mmrm: rotate to the eigenvectors of
``L C L'``, take the one-row df ``nu_m`` of each, then ``E = sum nu_m / (nu_m - 2)`` and
``df = 2 E / (E - q)`` (2 when any ``nu_m <= 2``; their mean when all are equal;
:func:`outcomes.models.core.inference.md_denominator_df`).

:class:`Satterthwaite` is the df method: it needs ``fit.model_vcov`` (``C``),
``fit.satterthwaite_inputs`` (the pair ``dC/dtheta``, ``W``) and ``fit.sandwich``: when the fit's
covariance is a sandwich (not None), the df are the sandwich's own
(:meth:`outcomes.models.mmrm.empirical.Sandwich.df`, Bell & McCaffrey 2002, as R mmrm).
"""

from __future__ import annotations

import numpy as np

from outcomes.models.core.df.base import DFMethod

__all__ = ["Satterthwaite", "one_dimensional_df"]


class Satterthwaite(DFMethod):
    """Satterthwaite df of one row; Fai & Cornelius for several (module docstring)."""

    name = "satterthwaite"
    title = "Satterthwaite"
    combine = "satterthwaite"

    def one_d(self, row: np.ndarray) -> float:
        if self.fit.sandwich is not None:
            return float(self.fit.sandwich.df(row))
        jacobian, theta_vcov = self.fit.satterthwaite_inputs
        return one_dimensional_df(row, self.fit.model_vcov, jacobian, theta_vcov)


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
