"""Imputation strategies: the mean a subject's data would follow after an intercurrent event.

With ``mu_a`` the subject's mean under their own arm and ``mu_r`` under the reference arm (the
same covariates, the arm set to the reference), and ``k`` the first visit after the event
(Carpenter, Roger & Kenward 2013; rbmi's ``stat_specs`` vignette):

============  ===================================================================================
``MAR``       ``mu_a`` at every visit: missing at random given the subject's own arm.
``J2R``       jump to reference: ``mu_a`` before ``k``, ``mu_r`` from ``k`` on.
``CR``        copy reference: ``mu_r`` at every visit, before the event as well (for a subject
              with an event; without one, MAR).
``CIR``       copy increments in reference: ``mu_a`` before ``k``; from ``k`` on
              ``mu_a[k-1] + (mu_r[j] - mu_r[k-1])`` (the reference arm's changes from the last
              visit before the event); ``mu_r`` when the event is before the first visit.
``LMCF``      last mean carried forward: ``mu_a`` before ``k``, ``mu_a[k-1]`` from ``k`` on
              (``mu_a[0]`` when the event is before the first visit).
============  ===================================================================================

The conditional distribution of the missing values given the observed ones then uses this mean
and the (shared) within-subject covariance. In the reference arm every strategy is MAR.
"""

from __future__ import annotations

import numpy as np

from outcomes.errors import ModelSpecificationError

__all__ = ["STRATEGIES", "strategy_means"]

#: Strategies of :func:`outcomes.multiple_imputation`.
STRATEGIES: tuple[str, ...] = ("MAR", "J2R", "CR", "CIR", "LMCF")


def strategy_means(
    own: np.ndarray, ref: np.ndarray, strategy: np.ndarray, ice: np.ndarray
) -> np.ndarray:
    """Each subject's mean vector under their strategy.

    Parameters
    ----------
    own, ref : ndarray (n, T)
        Means under the subject's own arm and under the reference arm.
    strategy : ndarray (n,) of str
        One of :data:`STRATEGIES` per subject.
    ice : ndarray (n,) of int
        Index of the first visit after the intercurrent event (``T`` for none).

    Examples
    --------
    >>> own = np.array([[-2.0, -4.0, -6.0]])
    >>> ref = np.array([[-1.0, -2.0, -2.5]])
    >>> strategy_means(own, ref, np.array(["CIR"]), np.array([2])).tolist()
    [[-2.0, -4.0, -4.5]]
    """
    unknown = sorted(set(strategy.tolist()) - set(STRATEGIES))
    if unknown:
        raise ModelSpecificationError(f"unknown imputation strategies {unknown}; use {STRATEGIES}")
    n, t = own.shape
    after = np.arange(t)[None, :] >= ice[:, None]
    rows = np.arange(n)
    last = np.clip(ice - 1, 0, t - 1)
    own_last, ref_last = own[rows, last][:, None], ref[rows, last][:, None]
    increments = np.where((ice == 0)[:, None], ref, own_last + ref - ref_last)
    targets = {
        "J2R": (ref, after),
        "CR": (ref, np.broadcast_to((ice < t)[:, None], (n, t))),
        "CIR": (increments, after),
        "LMCF": (np.broadcast_to(own_last, (n, t)), after),
    }
    out = own.copy()
    for name, (target, where) in targets.items():
        chosen = (strategy == name)[:, None] & where
        out = np.where(chosen, target, out)
    return out
