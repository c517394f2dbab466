"""Standardised effect sizes: Cohen's d and Hedges' g between arms, d_z within an arm, and the
MMRM difference over the pooled baseline SD.

Confidence intervals invert the noncentral t distribution (Steiger & Fouladi 1997; Cumming &
Finch 2001), as R's effectsize does by default: for two groups ``t = d / sqrt(1/n1 + 1/n2)`` with
``n1 + n2 - 2`` df, the interval of the noncentrality parameter is found and scaled back. Hedges'
g is d times ``J = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))`` (Hedges 1981), its interval d's
interval times J. Missing values are left out and the ``n`` columns say how many were used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.optimize
import scipy.special
import scipy.stats

from outcomes.deprecation import renamed
from outcomes.errors import ModelSpecificationError
from outcomes.models.core.frames import factor_levels

__all__ = ["cohens_d", "pooled_sd", "standardized_difference", "within_d"]


@renamed(dv="outcome", group="arm")
def cohens_d(
    data: pd.DataFrame,
    *,
    outcome: str,
    arm: str,
    reference: Any = None,
    by: str | Sequence[str] | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Cohen's d and Hedges' g of every arm against the reference arm.

    Parameters
    ----------
    data : DataFrame
        One row per subject (per ``by`` level), e.g. the change from baseline at a visit.
    outcome : str
        The outcome column.
    arm : str
        The arm column.
    reference : optional
        The reference arm (the first level by default: categorical order, else sorted).
    by : str or list of str, optional
        Columns to compute within (e.g. ``"visit"``).
    conf_level : float, default 0.95

    Returns
    -------
    DataFrame
        ``by`` columns, then ``contrast, n, n_reference, mean_difference, sd_pooled, cohens_d,
        d_conf_low, d_conf_high, hedges_g, g_conf_low, g_conf_high``.

    Examples
    --------
    Means 4.4 and 3.1667, pooled SD sqrt((29.2 + 6.8333) / 9) = 2.0009, so d = 0.6164:

    >>> df = pd.DataFrame({"arm": ["A"] * 5 + ["B"] * 6,
    ...                    "y": [1, 3, 4, 6, 8, 2, 2, 3, 3, 4, 5]})
    >>> out = cohens_d(df, outcome="y", arm="arm", reference="B")
    >>> out[["contrast", "cohens_d", "hedges_g"]].round(4).values.tolist()
    [['A - B', 0.6164, 0.5633]]
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    levels = factor_levels(data[arm])
    reference = levels[0] if reference is None else reference
    if reference not in levels:
        raise ModelSpecificationError(f"reference {reference!r} is not a level of {arm}: {levels}")
    rows = []
    groups = data.groupby(by, observed=True, sort=True) if by else [((), data)]
    for key, part in groups:
        at = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        ref = part.loc[part[arm] == reference, outcome].dropna().to_numpy(float)
        for level in (lev for lev in levels if lev != reference):
            x = part.loc[part[arm] == level, outcome].dropna().to_numpy(float)
            rows.append(
                {**at, "contrast": f"{level} - {reference}", **_two_sample(x, ref, conf_level)}
            )
    return pd.DataFrame(rows)


@renamed(dv="outcome", group="arm")
def within_d(
    data: pd.DataFrame, *, outcome: str, arm: str | None = None, conf_level: float = 0.95
) -> pd.DataFrame:
    """Within-group standardised mean change, d_z = mean / SD of the changes.

    Returns ``arm`` (if given), ``n, mean, sd, d_z, conf_low, conf_high``.

    Examples
    --------
    Mean 1.3, SD sqrt(21.8 / 4) = 2.3345, so d_z = 0.5569:

    >>> within_d(pd.DataFrame({"chg": [1, -2, 3, 4, 0.5]}), outcome="chg").round(4)[
    ...     ["n", "d_z"]].values.tolist()
    [[5.0, 0.5569]]
    """
    parts = data.groupby(arm, observed=True, sort=True) if arm else [(None, data)]
    rows = []
    for key, part in parts:
        x = part[outcome].dropna().to_numpy(float)
        n = len(x)
        if n < 2:
            raise ModelSpecificationError(f"d_z needs at least 2 values of {outcome!r}, got {n}")
        mean, sd = float(x.mean()), float(x.std(ddof=1))
        d = mean / sd
        low, high = _ncp_interval(d * np.sqrt(n), n - 1, conf_level)
        row = {
            "n": n,
            "mean": mean,
            "sd": sd,
            "d_z": d,
            "conf_low": low / np.sqrt(n),
            "conf_high": high / np.sqrt(n),
        }
        rows.append({arm: key, **row} if arm else row)
    return pd.DataFrame(rows)


@renamed(dv="outcome", group="arm")
def pooled_sd(data: pd.DataFrame, *, outcome: str, arm: str) -> float:
    """The pooled within-group standard deviation of ``outcome`` (e.g. of baseline scores).

    Examples
    --------
    >>> pooled_sd(pd.DataFrame({"g": ["a", "a", "b", "b"], "y": [1.0, 3.0, 2.0, 6.0]}),
    ...           outcome="y", arm="g")
    2.23606797749979
    """
    parts = [p[outcome].dropna().to_numpy(float) for _, p in data.groupby(arm, observed=True)]
    ss = sum(((p - p.mean()) ** 2).sum() for p in parts)
    df = sum(len(p) for p in parts) - len(parts)
    return float(np.sqrt(ss / df))


def standardized_difference(contrasts: pd.DataFrame, sd: float) -> pd.DataFrame:
    """An MMRM (or ANCOVA) difference as an effect size: estimate and CI divided by ``sd``.

    ``sd`` is usually the pooled baseline SD (:func:`pooled_sd`), taken as known: the interval
    is the difference's interval scaled, without the SD's own uncertainty.

    Examples
    --------
    >>> c = pd.DataFrame({"contrast": ["DMT - PLACEBO"], "estimate": [-7.0],
    ...                   "conf_low": [-12.0], "conf_high": [-2.0]})
    >>> standardized_difference(c, 5.0)[["d", "d_conf_low", "d_conf_high"]].values.tolist()
    [[-1.4, -2.4, -0.4]]
    """
    if not sd > 0:
        raise ModelSpecificationError(f"the standardising SD must be positive, not {sd}")
    out = contrasts.copy()
    out["d"] = contrasts["estimate"] / sd
    out["d_conf_low"] = contrasts["conf_low"] / sd
    out["d_conf_high"] = contrasts["conf_high"] / sd
    return out


def _two_sample(x: np.ndarray, y: np.ndarray, conf_level: float) -> dict[str, float]:
    n1, n2 = len(x), len(y)
    if n1 < 2 or n2 < 2:
        raise ModelSpecificationError(
            f"Cohen's d needs at least 2 values per arm, got {n1} and {n2}"
        )
    df = n1 + n2 - 2
    sd = float(np.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / df))
    diff = float(x.mean() - y.mean())
    d = diff / sd
    scale = np.sqrt(1 / n1 + 1 / n2)
    low, high = _ncp_interval(d / scale, df, conf_level)
    j = _hedges_j(df)
    return {
        "n": n1,
        "n_reference": n2,
        "mean_difference": diff,
        "sd_pooled": sd,
        "cohens_d": d,
        "d_conf_low": low * scale,
        "d_conf_high": high * scale,
        "hedges_g": d * j,
        "g_conf_low": low * scale * j,
        "g_conf_high": high * scale * j,
    }


def _hedges_j(df: int) -> float:
    return float(
        np.exp(
            scipy.special.gammaln(df / 2)
            - np.log(np.sqrt(df / 2))
            - scipy.special.gammaln((df - 1) / 2)
        )
    )


def _ncp_interval(t: float, df: float, conf_level: float) -> tuple[float, float]:
    """Noncentrality parameters whose t distributions put ``t`` at the two tail quantiles."""
    alpha = (1 - conf_level) / 2

    def solve(target: float) -> float:
        def f(ncp: float) -> float:
            cdf = float(scipy.stats.nct.cdf(t, df, ncp))
            if np.isnan(cdf):  # scipy's far tails: the cdf there is 0 or 1 to double precision
                cdf = 0.0 if ncp > t else 1.0
            return cdf - target

        # The interval is about t +/- z sqrt(1 + t^2 / (2 df)); search well beyond it.
        span = 1 + 6 * np.sqrt(1 + t**2 / (2 * df))
        return float(scipy.optimize.brentq(f, t - span, t + span, xtol=1e-12))

    return solve(1 - alpha), solve(alpha)
