"""Wald tables: estimates with standard errors, t (or z) tests and confidence intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.stats

__all__ = ["ESTIMATE_COLUMNS", "wald_table"]

#: Columns of every table of estimates, after the columns that say what is estimated.
ESTIMATE_COLUMNS: tuple[str, ...] = (
    "estimate",
    "std_error",
    "df",
    "statistic",
    "p_value",
    "conf_low",
    "conf_high",
)


def wald_table(
    estimate: np.ndarray,
    std_error: np.ndarray,
    df: np.ndarray | float = np.inf,
    *,
    conf_level: float = 0.95,
    labels: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Two-sided t tests of ``estimate = 0`` with ``df`` degrees of freedom (``inf``: z tests).

    Parameters
    ----------
    estimate, std_error : ndarray
    df : ndarray or float
        Degrees of freedom per row; ``numpy.inf`` for the normal distribution.
    conf_level : float
    labels : DataFrame, optional
        Columns to put before the estimates, one row per estimate.

    Returns
    -------
    DataFrame
        ``estimate, std_error, df, statistic, p_value, conf_low, conf_high``.

    Examples
    --------
    >>> wald_table(np.array([1.96]), np.array([1.0]))["p_value"].round(4).tolist()
    [0.05]
    """
    est = np.asarray(estimate, dtype=float)
    se = np.asarray(std_error, dtype=float)
    dfs = np.broadcast_to(np.asarray(df, dtype=float), est.shape)
    stat = est / se
    p = 2 * scipy.stats.t.sf(np.abs(stat), dfs)
    q = scipy.stats.t.ppf(1 - (1 - conf_level) / 2, dfs)
    out = pd.DataFrame(
        {
            "estimate": est,
            "std_error": se,
            "df": dfs,
            "statistic": stat,
            "p_value": p,
            "conf_low": est - q * se,
            "conf_high": est + q * se,
        }
    )
    if labels is not None:
        out = pd.concat([labels.reset_index(drop=True), out], axis=1)
    return out
