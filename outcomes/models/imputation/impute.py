"""Imputation from a multivariate normal: conditional means and draws given the observed values.

For a subject with observed visits ``o`` and missing ``m``, mean vector ``mu`` (from the
strategy) and covariance ``S``, the missing values are normal with mean
``mu_m + S_mo S_oo^-1 (y_o - mu_o)`` and covariance ``S_mm - S_mo S_oo^-1 S_om``. Subjects who
share a missingness pattern share the regression matrix and the conditional covariance, so the work
is done once per pattern.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MissingPatterns", "impute"]


class MissingPatterns:
    """The subjects of each missingness pattern of ``missing`` (n x T booleans)."""

    def __init__(self, missing: np.ndarray) -> None:
        keys, inverse = np.unique(missing, axis=0, return_inverse=True)
        self.masks = [k for k in keys if k.any()]
        self.members = [np.flatnonzero(inverse.ravel() == i) for i, k in enumerate(keys) if k.any()]


def impute(
    y: np.ndarray,
    mean: np.ndarray,
    sigma: np.ndarray,
    patterns: MissingPatterns,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """``y`` with its missing values imputed: drawn with ``rng``, conditional means without.

    Examples
    --------
    Two visits with correlation 0.5 and unit variances: the conditional mean of the second
    given the first observed one above its mean moves half the way:

    >>> y = np.array([[2.0, np.nan]])
    >>> impute(y, np.zeros((1, 2)), np.array([[1.0, 0.5], [0.5, 1.0]]),
    ...        MissingPatterns(np.isnan(y))).tolist()
    [[2.0, 1.0]]
    """
    out = y.copy()
    for mask, rows in zip(patterns.masks, patterns.members, strict=True):
        obs = ~mask
        mu_m = mean[np.ix_(rows, mask)]
        s_mm = sigma[np.ix_(mask, mask)]
        if obs.any():
            s_oo = sigma[np.ix_(obs, obs)]
            s_mo = sigma[np.ix_(mask, obs)]
            k = np.linalg.solve(s_oo, s_mo.T).T
            resid = y[np.ix_(rows, obs)] - mean[np.ix_(rows, obs)]
            mu_m = mu_m + resid @ k.T
            s_mm = s_mm - k @ s_mo.T
        if rng is not None:
            chol = np.linalg.cholesky((s_mm + s_mm.T) / 2)
            mu_m = mu_m + rng.standard_normal(mu_m.shape) @ chol.T
        out[np.ix_(rows, mask)] = mu_m
    return out
