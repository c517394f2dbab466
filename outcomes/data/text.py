"""Cell values as text: one rule for every column read from a file."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MISSING_TOKENS", "as_text"]

#: Text read as a missing value in a score or day column (SAS ".", R "NA", empty).
MISSING_TOKENS: frozenset[str] = frozenset({"", ".", "NA", "N/A", "n/a", "na", "NaN", "nan"})


def as_text(series: pd.Series) -> pd.Series:
    """Text, with whole numbers written without a decimal point (1503.0 -> "1503").

    Blank cells and :data:`MISSING_TOKENS` become missing. Works on the distinct values only.

    Examples
    --------
    >>> as_text(pd.Series([1503.0, " S01 ", ".", None, 2.5])).tolist()
    ['1503', 'S01', nan, nan, '2.5']
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = np.array([_one_text(v) for v in uniques] + [np.nan], dtype=object)
    return pd.Series(texts[codes], index=series.index, dtype="str")


def _one_text(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return np.nan if text in MISSING_TOKENS else text
