"""Which columns are numbers, and the levels of a factor, as every model and table uses them."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import pandas as pd

from outcomes.errors import ModelSpecificationError, OutcomesDeprecationWarning

__all__ = ["factor_levels", "is_number_column", "reference_levels"]


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


def reference_levels(
    levels: Mapping[str, Any] | None, reference: Any, arm: str, caller: str
) -> dict[str, Any]:
    """The reference level of each factor of a model, from ``levels=`` and ``reference=``.

    ``reference`` is the reference arm, the reference level of the factor ``arm``; ``levels``
    maps any factor to its reference level. A mapping given as ``reference`` is the old
    spelling of ``levels`` (before issue 12): it is taken as ``levels``, with a warning.

    Examples
    --------
    >>> reference_levels({"sex": "F"}, "PLACEBO", "arm", "mmrm")
    {'sex': 'F', 'arm': 'PLACEBO'}
    """
    out = dict(levels or {})
    if isinstance(reference, Mapping):
        if levels is not None:
            raise ModelSpecificationError(
                f"{caller}() got levels= and a mapping as reference=; give the mapping as levels="
            )
        warnings.warn(
            f"{caller}(): reference= as a mapping of factors to levels is now levels=; "
            "reference= is the reference arm. The mapping will be refused in the next release",
            OutcomesDeprecationWarning,
            stacklevel=3,
        )
        return dict(reference)
    if reference is not None:
        if arm in out and out[arm] != reference:
            raise ModelSpecificationError(
                f"{caller}() got reference={reference!r} and levels={{{arm!r}: {out[arm]!r}}}: "
                "give the reference arm once"
            )
        out[arm] = reference
    return out
