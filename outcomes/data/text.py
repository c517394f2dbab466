"""Cell values as text: one rule for every column read from a file."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MISSING_TOKENS", "as_text", "distinct_texts"]

#: Text read as a missing value in a score or day column (SAS ".", R "NA", empty).
MISSING_TOKENS: frozenset[str] = frozenset({"", ".", "NA", "N/A", "n/a", "na", "NaN", "nan"})

#: The dtype of the text :func:`as_text` returns.
_TEXT = pd.StringDtype(na_value=np.nan)


def as_text(series: pd.Series) -> pd.Series:
    """Text, with whole numbers written without a decimal point (1503.0 -> "1503").

    Blank cells and :data:`MISSING_TOKENS` become missing. Works on the distinct values only;
    a text column with nothing to change (no surrounding blanks, no missing token) is returned
    as it is.

    Examples
    --------
    >>> as_text(pd.Series([1503.0, " S01 ", ".", None, 2.5])).tolist()
    ['1503', 'S01', nan, nan, '2.5']
    >>> subjects = pd.Series(["S01", "S02"], dtype="str")
    >>> as_text(subjects) is subjects
    True
    """
    if series.dtype == _TEXT and _is_normal(series.unique()):
        return series
    codes, texts = distinct_texts(series)
    return pd.Series(texts.array.take(codes), index=series.index, name=series.name)


def distinct_texts(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """The text of each distinct value of ``series``, and where each cell's text is.

    Returns
    -------
    codes : numpy.ndarray
        For each cell, its position in ``texts``.
    texts : pandas.Series
        The text of each distinct value (``str``, by the rule of :func:`as_text`), missing
        where the value reads as missing; a missing cell has a missing text at the end.

    Examples
    --------
    >>> codes, texts = distinct_texts(pd.Series([2.0, None, " x ", 2.0]))
    >>> codes.tolist(), texts.tolist()
    ([0, 2, 1, 0], ['2', 'x', nan])
    """
    if len(series) and series.isna().all():  # a column the file does not have, say
        return np.zeros(len(series), dtype=np.intp), pd.Series([np.nan], dtype=_TEXT)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = [_one_text(v) for v in uniques]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(texts), codes)
        texts.append(np.nan)
    return codes, pd.Series(texts, dtype=_TEXT)


def _is_normal(uniques: pd.api.extensions.ExtensionArray) -> bool:
    """Whether the distinct values of a text column are their own text already."""
    return not any(
        isinstance(v, str) and (v in MISSING_TOKENS or v.strip() != v) for v in uniques.tolist()
    )


def _one_text(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return np.nan if text in MISSING_TOKENS else text
