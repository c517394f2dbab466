"""The analysis of completed data sets: ANCOVA at each visit, all imputations at once.

At each visit, ``y ~ arm + covariates`` by least squares on every subject (the default analysis
of rbmi and of the SAS macros): the treatment effect of each arm against the reference and each
arm's least-squares mean (covariates at their means over the subjects), with their variances.
The design is the same in every completed data set, so it is factored once per visit and applied
to all imputations together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from outcomes.errors import ModelSpecificationError

__all__ = ["VisitEstimates", "ancova_by_visit"]


@dataclass(frozen=True)
class VisitEstimates:
    """Estimates of every completed data set, for one visit.

    Attributes
    ----------
    labels : list of (str, object)
        ``("contrast", "DMT - PLACEBO")`` or ``("lsmean", "DMT")`` per row.
    estimate, variance : ndarray (rows, M)
    df_complete : int
        Residual df of the ANCOVA, ``n - p``.
    """

    labels: list[tuple[str, Any]]
    estimate: np.ndarray
    variance: np.ndarray
    df_complete: int


def ancova_by_visit(
    completed: np.ndarray, arm: np.ndarray, levels: list[Any], covariates: pd.DataFrame
) -> list[VisitEstimates]:
    """ANCOVA at each visit of ``completed`` (M, n, T) data sets.

    Examples
    --------
    >>> y = np.array([[[1.0], [2.0], [4.0], [5.0]]])
    >>> out = ancova_by_visit(y, np.array(["P", "P", "A", "A"]), ["P", "A"], pd.DataFrame())
    >>> out[0].labels[0], float(out[0].estimate[0, 0])
    (('contrast', 'A - P'), 3.0)
    """
    n = len(arm)
    dummies = np.column_stack([(arm == level).astype(float) for level in levels[1:]])
    cov = covariates.to_numpy(dtype=float).reshape(n, -1)
    x = np.column_stack([np.ones(n), dummies, cov])
    p = x.shape[1]
    if n <= p:
        raise ModelSpecificationError(
            f"the ANCOVA needs more subjects ({n}) than coefficients ({p})"
        )
    xtx_inv = np.linalg.inv(x.T @ x)
    rows, labels = [], []
    for k, level in enumerate(levels[1:], start=1):
        row = np.zeros(p)
        row[k] = 1.0
        rows.append(row)
        labels.append(("contrast", f"{level} - {levels[0]}"))
    for k, level in enumerate(levels):
        row = np.concatenate([[1.0], np.eye(len(levels))[k, 1:], cov.mean(axis=0)])
        rows.append(row)
        labels.append(("lsmean", level))
    c = np.array(rows)
    scale = np.einsum("ij,jk,ik->i", c, xtx_inv, c)
    solve = xtx_inv @ x.T
    out = []
    for v in range(completed.shape[2]):
        yv = completed[:, :, v].T  # (n, M)
        beta = solve @ yv
        resid = yv - x @ beta
        s2 = (resid**2).sum(axis=0) / (n - p)
        out.append(VisitEstimates(labels, c @ beta, scale[:, None] * s2[None, :], n - p))
    return out
