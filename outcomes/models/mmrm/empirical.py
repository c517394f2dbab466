"""The empirical (sandwich) covariances of the fixed effects, and the Satterthwaite df of each.

Each subject's rows are whitened by its pattern's covariance, ``Sigma = R R'`` (``R`` lower
triangular): ``X~_i = R^-1 X_i``, ``r~_i = R^-1 r_i`` (after scaling by the root of the
weights). With ``K = (X~'X~)^-1`` and ``H_ii = X~_i K X~_i'`` the subject's block of the hat
matrix, the sandwich is::

    C = K (sum_i X~_i' A_i r~_i r~_i' A_i X~_i) K

with ``A_i = I`` (CR0, SAS ``EMPIRICAL``, R mmrm ``"Empirical"``), ``(I - H_ii)^-1/2`` (CR2,
bias-reduced, Bell & McCaffrey 2002; mmrm ``"Empirical-Bias-Reduced"``) or ``(I - H_ii)^-1``
(CR3, the leave-one-subject-out jackknife without the ``(n-1)/n`` factor; mmrm
``"Empirical-Jackknife"``). None of them depends on which square root of ``Sigma`` whitens.

The df of a contrast ``c`` are those of the sandwich itself (Bell & McCaffrey 2002, as R mmrm and
clubSandwich): under the working model, ``c'Cc`` is a weighted sum of chi-squares whose weights
are the eigenvalues of the subjects x subjects matrix ``G = B'(I - H)B``, where column ``i`` of
``B`` holds ``a_i = A_i X~_i K c`` in subject ``i``'s rows; ``df = tr(G)^2 / tr(G^2)``. With
``d_i = a_i'a_i``, ``u_i = a_i'X~_i`` and ``M = sum_i u_i'u_i`` both traces take ``O(n p^2)``::

    tr G   = sum d_i - tr(K M)
    tr G^2 = sum d_i^2 - 2 sum d_i u_i K u_i' + tr((K M)^2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from outcomes.models.mmrm.likelihood import Likelihood

__all__ = ["EMPIRICAL_METHODS", "Sandwich", "sandwich"]

#: The empirical covariances, by their name in ``vcov=``, and the name the literature gives them.
EMPIRICAL_METHODS = {
    "empirical": "CR0",
    "empirical-bias-reduced": "CR2",
    "empirical-jackknife": "CR3",
}
_POWER = {"CR0": 0.0, "CR2": -0.5, "CR3": -1.0}


@dataclass(frozen=True)
class Sandwich:
    """An empirical covariance of the fixed effects and what its df need.

    Attributes
    ----------
    vcov : ndarray (p, p)
        The sandwich ``C``.
    bread : ndarray (p, p)
        ``K = (X'V^-1 X)^-1``.
    whitened : tuple of ndarray (n_k, s_k, p)
        ``X~_i`` of the subjects of each pattern.
    adjusted : tuple of ndarray (n_k, s_k, p)
        ``A_i X~_i`` of the same subjects (the same arrays as ``whitened`` for CR0).
    n_singular : int
        Subjects whose ``I - H_ii`` is singular (each of their rows fitted exactly), for which
        CR2 and CR3 take the pseudo-inverse.
    """

    vcov: np.ndarray
    bread: np.ndarray
    whitened: tuple[np.ndarray, ...]
    adjusted: tuple[np.ndarray, ...]
    n_singular: int

    def df(self, contrast: np.ndarray) -> float:
        """Satterthwaite df of ``contrast @ beta`` under this covariance (module docstring).

        Examples
        --------
        Four subjects with one observation each and an intercept: the CR0 variance of the mean
        has ``(sum d)^2 / sum d^2`` df with ``d_i`` the squared weights of the residuals,
        here 3 (= n - 1), as the classical variance of a mean:

        >>> import numpy as np
        >>> x = np.ones((4, 1, 1))
        >>> s = Sandwich(np.eye(1), np.array([[0.25]]), (x,), (x,), 0)
        >>> round(s.df(np.array([1.0])), 10)
        3.0
        """
        w = self.bread @ np.asarray(contrast, dtype=float)
        d_parts, u_parts = [], []
        for xt, z in zip(self.whitened, self.adjusted, strict=True):
            a = z @ w
            d_parts.append(np.einsum("is,is->i", a, a))
            u_parts.append(np.einsum("is,isk->ik", a, xt))
        d = np.concatenate(d_parts)
        u = np.concatenate(u_parts)
        km = self.bread @ (u.T @ u)
        trace = float(d.sum() - np.trace(km))
        square = float(d @ d - 2 * d @ np.einsum("ij,ij->i", u @ self.bread, u) + np.sum(km * km.T))
        return trace**2 / square if square > 0 else np.inf


def sandwich(
    likelihood: Likelihood, theta: np.ndarray, beta: np.ndarray, bread: np.ndarray, kind: str
) -> Sandwich:
    """The empirical covariance ``kind`` (``CR0``, ``CR2`` or ``CR3``) at ``theta, beta``.

    Parameters
    ----------
    likelihood : Likelihood
        The fitted model's likelihood (its patterns and weighted data).
    theta, beta : ndarray
        The estimates.
    bread : ndarray (p, p)
        ``(X'V^-1 X)^-1`` at ``theta``.
    kind : {"CR0", "CR2", "CR3"}
    """
    power = _POWER[kind]
    x, y = likelihood.weighted_data()
    whitened, adjusted, scores = [], [], []
    n_singular = 0
    for pat, sigma in zip(likelihood.patterns, likelihood.pattern_covariances(theta), strict=True):
        root_inv = scipy.linalg.solve_triangular(
            np.linalg.cholesky(sigma), np.eye(len(sigma)), lower=True
        )
        xt = np.einsum("ab,ibk->iak", root_inv, x[pat.rows])
        rt = np.einsum("ab,ib->ia", root_inv, y[pat.rows]) - xt @ beta
        z = xt
        if power:
            hat = np.einsum("iak,kl,ibl->iab", xt, bread, xt)
            vals, vecs = np.linalg.eigh(np.eye(len(sigma)) - hat)
            singular = vals < 1e-10
            n_singular += int(singular.any(axis=1).sum())
            scaled = np.where(singular, 0.0, np.where(singular, 1.0, vals) ** power)
            adjust = np.einsum("iab,ib,icb->iac", vecs, scaled, vecs)
            z = adjust @ xt
        whitened.append(xt)
        adjusted.append(z)
        scores.append(np.einsum("isk,is->ik", z, rt))
    u = np.concatenate(scores)
    return Sandwich(bread @ (u.T @ u) @ bread, bread, tuple(whitened), tuple(adjusted), n_singular)
