"""Imputation from a multivariate normal: conditional means and draws given the observed values.

For a subject with observed visits ``o`` and missing ``m``, mean vector ``mu`` (from the
strategy) and covariance ``S``, the missing values are normal with mean
``mu_m + S_mo S_oo^-1 (y_o - mu_o)`` and covariance ``S_mm - S_mo S_oo^-1 S_om``. Subjects who
share a missingness pattern share the regression matrix and the conditional covariance, so the work
is done once per pattern (:func:`conditionals`), and once per covariance for every mean that
uses it (the strategies of one parameter draw).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Conditional", "MissingPatterns", "conditionals", "impute"]


class MissingPatterns:
    """The subjects of each missingness pattern of ``missing`` (n x T booleans).

    Attributes
    ----------
    masks : list of ndarray
        Each pattern's missing visits (T booleans), patterns with nothing missing left out.
    members : list of ndarray
        The rows (subjects) of each pattern.
    cells : list of tuple
        Each pattern's index arrays ``(rows, missing, observed)``, shaped for ``y[rows, missing]``.
    key : bytes
        The patterns themselves: equal keys, equal patterns.
    """

    def __init__(self, missing: np.ndarray) -> None:
        keys, inverse = np.unique(missing, axis=0, return_inverse=True)
        self.masks = [k for k in keys if k.any()]
        self.members = [np.flatnonzero(inverse.ravel() == i) for i, k in enumerate(keys) if k.any()]
        self.key = np.asarray(missing, dtype=bool).tobytes() + bytes(missing.shape)
        self.cells = [
            (rows[:, None], np.flatnonzero(mask)[None, :], np.flatnonzero(~mask)[None, :])
            for mask, rows in zip(self.masks, self.members, strict=True)
        ]


class Conditional(NamedTuple):
    """One pattern's missing visits given its observed ones, under one covariance.

    ``k`` regresses the missing on the observed residuals (``None`` when nothing is observed);
    ``root`` is the Cholesky factor of the conditional covariance (``None`` when only conditional
    means are wanted).
    """

    k: np.ndarray | None
    root: np.ndarray | None


def conditionals(
    sigma: np.ndarray, patterns: MissingPatterns, *, roots: bool = True
) -> list[Conditional]:
    """The :class:`Conditional` of each pattern of ``patterns`` under the covariance ``sigma``.

    Examples
    --------
    Correlation 0.5, unit variances, the second visit missing: it regresses on the first with
    slope 0.5 and keeps variance 0.75 (root 0.866):

    >>> patterns = MissingPatterns(np.array([[False, True]]))
    >>> (k, root), = conditionals(np.array([[1.0, 0.5], [0.5, 1.0]]), patterns)
    >>> k.tolist(), round(float(root[0, 0]), 3)
    ([[0.5]], 0.866)
    """
    out = []
    for mask in patterns.masks:
        obs = ~mask
        s_mm = sigma[np.ix_(mask, mask)]
        k = None
        if obs.any():
            s_mo = sigma[np.ix_(mask, obs)]
            k = np.linalg.solve(sigma[np.ix_(obs, obs)], s_mo.T).T
            s_mm = s_mm - k @ s_mo.T
        out.append(Conditional(k, np.linalg.cholesky((s_mm + s_mm.T) / 2) if roots else None))
    return out


def impute(
    y: np.ndarray,
    mean: np.ndarray,
    sigma: np.ndarray,
    patterns: MissingPatterns,
    rng: np.random.Generator | None = None,
    *,
    given: list[Conditional] | None = None,
) -> np.ndarray:
    """``y`` with its missing values imputed: drawn with ``rng``, conditional means without.

    ``given`` is :func:`conditionals` of ``sigma`` and ``patterns``, when already computed (with
    roots, if ``rng`` draws).

    Examples
    --------
    Two visits with correlation 0.5 and unit variances: the conditional mean of the second
    given the first observed one above its mean moves half the way:

    >>> y = np.array([[2.0, np.nan]])
    >>> impute(y, np.zeros((1, 2)), np.array([[1.0, 0.5], [0.5, 1.0]]),
    ...        MissingPatterns(np.isnan(y))).tolist()
    [[2.0, 1.0]]
    """
    if given is None:
        given = conditionals(sigma, patterns, roots=rng is not None)
    out = y.copy()
    for (rows, miss, obs), (k, root) in zip(patterns.cells, given, strict=True):
        mu_m = mean[rows, miss]
        if k is not None:
            mu_m = mu_m + (y[rows, obs] - mean[rows, obs]) @ k.T
        if rng is not None:
            assert root is not None  # noqa: S101 - conditionals(roots=True) when drawing
            mu_m = mu_m + rng.standard_normal(mu_m.shape) @ root.T
        out[rows, miss] = mu_m
    return out
