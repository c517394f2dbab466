"""Wald inference shared by every fitter: tables of estimates with t (or z) tests and
confidence intervals, and F tests of several contrasts at once."""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.stats

__all__ = [
    "ESTIMATE_COLUMNS",
    "F_TEST_KEYS",
    "f_result",
    "f_test",
    "fit_html",
    "md_denominator_df",
    "wald_table",
]

#: Keys of every F test's result (``den_df`` infinite: a chi-square test divided by ``num_df``).
F_TEST_KEYS: tuple[str, ...] = ("num_df", "den_df", "f_value", "p_value")

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


def f_test(
    contrast: np.ndarray,
    beta: np.ndarray,
    vcov: np.ndarray,
    one_df: Callable[[np.ndarray], float],
    *,
    combine: str = "satterthwaite",
) -> dict[str, float]:
    """Wald F test that every row of ``contrast`` is zero, with denominator df from its rows.

    The rows are rotated to the eigenvectors of ``L C L'`` (dropping directions of zero
    variance, so that a redundant row does not count), ``F`` is the mean of the squared rotated
    t statistics, and the denominator df combine the df of the rotated rows: as Fai & Cornelius
    (``combine="satterthwaite"``, SAS and R mmrm, lmerTest) or their minimum (``"min"``, for
    the containment-like methods). With infinite df the test is the Wald chi-square over
    ``num_df``.

    Parameters
    ----------
    contrast : ndarray (q, p) or (p,)
    beta : ndarray (p,)
    vcov : ndarray (p, p)
        Covariance of ``beta`` used for the statistic.
    one_df : callable
        The df of one contrast row.
    combine : {"satterthwaite", "min"}

    Returns
    -------
    dict
        :data:`F_TEST_KEYS`.

    Examples
    --------
    Two independent estimates, each 2 standard errors from 0, with normal reference:

    >>> out = f_test(np.eye(2), np.array([2.0, 2.0]), np.eye(2), lambda row: np.inf)
    >>> out["f_value"], bool(np.isclose(out["p_value"], scipy.stats.chi2.sf(8, 2)))
    (4.0, True)
    """
    rows = np.atleast_2d(np.asarray(contrast, dtype=float))
    vals, vecs = np.linalg.eigh(rows @ vcov @ rows.T)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    rank = int(np.sum(vals > max(np.sqrt(np.finfo(float).eps) * vals[0], 0)))
    rotated = vecs[:, :rank].T @ rows
    f = float(((rotated @ beta) ** 2 / vals[:rank]).sum() / rank)
    nus = np.array([one_df(r) for r in rotated], dtype=float)
    den = md_denominator_df(nus) if combine == "satterthwaite" else float(nus.min())
    return f_result(f, rank, den)


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


def f_result(f: float, num_df: float, den_df: float) -> dict[str, float]:
    """The F test's :data:`F_TEST_KEYS`, a chi-square test when ``den_df`` is infinite."""
    if np.isinf(den_df):
        p = float(scipy.stats.chi2.sf(f * num_df, num_df))
    else:
        p = float(scipy.stats.f.sf(f, num_df, den_df))
    return {"num_df": float(num_df), "den_df": float(den_df), "f_value": f, "p_value": p}


def fit_html(heading: str, *tables: pd.DataFrame) -> str:
    r"""A fit as notebooks show it: the heading lines of its summary, then its tables.

    Examples
    --------
    >>> fit_html("MMRM <REML>\n40 subjects", pd.DataFrame({"a": [1]}))[:44]
    '<div><p>MMRM &lt;REML&gt;<br>40 subjects</p>'
    """
    head = "<br>".join(html.escape(line) for line in heading.split("\n"))
    return f"<div><p>{head}</p>{''.join(t.to_html(index=False) for t in tables)}</div>"
