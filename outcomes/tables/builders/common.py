"""What the table builders share: decimals, the CI label, column checks, descriptive statistics."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from outcomes.tables.format import DECIMALS

__all__ = ["QUARTILES", "ci_label", "decimals_for", "summary"]

QUARTILES = "quartiles by linear interpolation (R's type 7)"
"""How quartiles are computed, for footnotes."""


def decimals_for(overrides: Mapping[str, int] | None) -> dict[str, int]:
    """:data:`~outcomes.tables.format.DECIMALS` with ``overrides`` on top."""
    return {**DECIMALS, **(overrides or {})}


def ci_label(conf_level: float) -> str:
    """``"95% CI"`` for 0.95.

    Examples
    --------
    >>> ci_label(0.95), ci_label(0.9)
    ('95% CI', '90% CI')
    """
    return f"{100 * conf_level:g}% CI"


def summary(values: pd.Series) -> dict[str, float]:
    """n, mean, SD, median, Q1, Q3 of the non-missing values (NaN where there are too few)."""
    x = pd.to_numeric(values, errors="coerce").astype(float).dropna().to_numpy()
    if not x.size:
        return {"n": 0, "mean": np.nan, "sd": np.nan, "median": np.nan, "q1": np.nan, "q3": np.nan}
    q1, median, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    sd = float(np.std(x, ddof=1)) if x.size > 1 else np.nan
    return {
        "n": int(x.size),
        "mean": float(x.mean()),
        "sd": sd,
        "median": float(median),
        "q1": float(q1),
        "q3": float(q3),
    }
