"""Which columns are numbers, and the levels of a factor, as every model and table uses them."""

from __future__ import annotations

from typing import Any

import pandas as pd

from outcomes.errors import ModelSpecificationError

__all__ = ["factor_levels", "is_number_column"]


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
            raise ModelSpecificationError(f"reference level {reference!r} is not among {levels}")
        levels = [reference, *[lev for lev in levels if lev != reference]]
    return levels


def is_number_column(column: pd.Series) -> bool:
    """Numbers a model can use as a covariate: numeric, not boolean (booleans are factors).

    Examples
    --------
    >>> is_number_column(pd.Series([1.5, 2.0])), is_number_column(pd.Series([True, False]))
    (True, False)
    """
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
