"""The levels of a factor, in the order every model and table uses."""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["factor_levels"]


def factor_levels(column: pd.Series, reference: Any = None) -> list[Any]:
    """Levels present, in data order (categorical order, else sorted), the reference first.

    Examples
    --------
    >>> factor_levels(pd.Series(["DMT", "PLACEBO", "DMT"]), reference="PLACEBO")
    ['PLACEBO', 'DMT']
    """
    present = set(column.dropna().unique())
    if isinstance(column.dtype, pd.CategoricalDtype):
        levels = [c for c in column.cat.categories if c in present]
    else:
        levels = sorted(present, key=lambda v: (str(type(v)), v))
    if reference is not None:
        if reference not in levels:
            raise ValueError(f"reference level {reference!r} is not among {levels}")
        levels = [reference, *[lev for lev in levels if lev != reference]]
    return levels
