"""Numbers as they are printed in a trial's tables.

Every number goes through :func:`format_number`, which rounds **half away from zero** (0.125 ->
"0.13", -2.5 -> "-3"), as SAS's ``ROUND`` and as people round by hand, on the number's shortest
decimal form (``repr``): 2.675, stored as 2.67499999..., prints as "2.68", the value a reader
of the full-precision output would expect. Python's own ``format`` rounds the binary value half
to even, which gives "2.67" and "0.12".

Conventions:

* a missing value (``None``, NaN, ``pd.NA``) prints as :data:`MISSING`, an em dash: a blank
  cell could be mistaken for a value left out by accident;
* a minus sign is the ASCII hyphen-minus ``-``; a value that rounds to zero has no sign
  ("0.00", not "-0.00"); infinities print as ``Inf`` and ``-Inf``;
* an interval is ``low to high``: a comma or a dash would be ambiguous with negative bounds;
* decimals follow the quantity (:data:`DECIMALS`), never a global option.

Examples
--------
>>> format_estimate_ci(-7.3456, -13.6249, -1.0751, DECIMALS["estimate"])
'-7.35 (-13.62 to -1.08)'
>>> format_p(0.0009999), format_p(0.001), format_p(0.02349)
('<0.001', '0.001', '0.023')
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from types import MappingProxyType
from typing import Any

import pandas as pd

from outcomes.errors import TableError

__all__ = [
    "DECIMALS",
    "MISSING",
    "format_ci",
    "format_estimate_ci",
    "format_mean_sd",
    "format_median_iqr",
    "format_n_percent",
    "format_nnt",
    "format_number",
    "format_p",
    "is_missing",
]

MISSING = "\u2014"
"""What a missing value prints as: an em dash."""

DECIMALS: MappingProxyType[str, int] = MappingProxyType(
    {
        "score": 1,  # means, SDs, medians and quartiles of scale scores and covariates
        "estimate": 2,  # LS means, differences and their confidence limits
        "std_error": 2,
        "df": 1,
        "percent": 1,  # percentages, and risk differences in percentage points
        "ratio": 2,  # odds ratios and their confidence limits
        "effect_size": 2,  # Cohen's d, Hedges' g
    }
)
"""Decimals by quantity (read-only; builders take a ``decimals`` mapping to override)."""


def is_missing(x: Any) -> bool:
    """Whether ``x`` is a missing scalar: ``None``, NaN, ``pd.NA`` or ``NaT``.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NA), is_missing(0.0)
    (True, True, True, False)
    """
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):  # an array, a list: not a scalar
        return False


def format_number(x: Any, decimals: int) -> str:
    """``x`` rounded half away from zero to ``decimals`` places.

    Parameters
    ----------
    x : float, int or missing
    decimals : int
        Places after the decimal point, at least 0.

    Returns
    -------
    str
        :data:`MISSING` for a missing value; ``Inf``/``-Inf`` for infinities.

    Examples
    --------
    >>> format_number(2.675, 2), format_number(0.125, 2), format_number(-2.5, 0)
    ('2.68', '0.13', '-3')
    >>> format_number(-0.004, 2), format_number(7, 1), format_number(None, 1)
    ('0.00', '7.0', '—')
    """
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise TableError(f"decimals must be a whole number of at least 0, not {decimals!r}")
    if is_missing(x):
        return MISSING
    value = float(x)
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    exact = Decimal(repr(value))
    rounded = exact.quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=Context(prec=400 + decimals)
    )
    if rounded.is_zero():
        rounded = rounded.copy_abs()
    return format(rounded, "f")


def format_p(p: Any, *, threshold: float = 0.001, decimals: int = 3) -> str:
    """A p-value: below ``threshold`` as ``"<0.001"``, otherwise with ``decimals`` places.

    Examples
    --------
    >>> [format_p(p) for p in (0.0009999, 0.001, 0.0234, 0.0495, 1.0)]
    ['<0.001', '0.001', '0.023', '0.050', '1.000']
    """
    if is_missing(p):
        return MISSING
    value = float(p)
    if not 0 <= value <= 1:
        raise TableError(f"a p-value is between 0 and 1, not {value!r}")
    if value < threshold:
        return f"<{format_number(threshold, _places(threshold))}"
    return format_number(value, decimals)


def _places(x: float) -> int:
    """Decimal places of ``x`` as written (0.001 -> 3)."""
    exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def format_ci(low: Any, high: Any, decimals: int) -> str:
    """An interval, ``"low to high"``; :data:`MISSING` if either limit is missing.

    Examples
    --------
    >>> format_ci(-13.6249, -1.0751, 2)
    '-13.62 to -1.08'
    """
    if is_missing(low) or is_missing(high):
        return MISSING
    return f"{format_number(low, decimals)} to {format_number(high, decimals)}"


def format_estimate_ci(estimate: Any, low: Any, high: Any, decimals: int) -> str:
    """``"estimate (low to high)"``; a missing interval shows as ``(—)``.

    Examples
    --------
    >>> format_estimate_ci(-7.3456, -13.6249, -1.0751, 2)
    '-7.35 (-13.62 to -1.08)'
    >>> format_estimate_ci(3.19, float("nan"), 34.0, 2)
    '3.19 (—)'
    """
    if is_missing(estimate):
        return MISSING
    return f"{format_number(estimate, decimals)} ({format_ci(low, high, decimals)})"


def format_mean_sd(mean: Any, sd: Any, decimals: int) -> str:
    """``"mean (SD)"``; the SD of a single value is missing: ``"31.0 (—)"``.

    Examples
    --------
    >>> format_mean_sd(31.25, 4.45, 1)
    '31.3 (4.5)'
    """
    if is_missing(mean):
        return MISSING
    return f"{format_number(mean, decimals)} ({format_number(sd, decimals)})"


def format_median_iqr(median: Any, q1: Any, q3: Any, decimals: int) -> str:
    """``"median [Q1 to Q3]"``.

    Examples
    --------
    >>> format_median_iqr(35, 29.75, 41.25, 1)
    '35.0 [29.8 to 41.3]'
    """
    if is_missing(median):
        return MISSING
    return f"{format_number(median, decimals)} [{format_ci(q1, q3, decimals)}]"


def format_n_percent(k: Any, n: Any, decimals: int = 1, *, show_n: bool = False) -> str:
    """``"k (percent%)"`` of ``k`` out of ``n``; with ``show_n``: ``"k/n (percent%)"``.

    The percentage of an empty group is missing: ``"0 (—)"``.

    Examples
    --------
    >>> format_n_percent(7, 20), format_n_percent(1, 3), format_n_percent(7, 20, show_n=True)
    ('7 (35.0%)', '1 (33.3%)', '7/20 (35.0%)')
    """
    if is_missing(k) or is_missing(n):
        return MISSING
    k_int, n_int = _count(k, "k"), _count(n, "n")
    if k_int > n_int:
        raise TableError(f"k ({k_int}) cannot exceed n ({n_int})")
    count = f"{k_int}/{n_int}" if show_n else f"{k_int}"
    if n_int == 0:
        return f"{count} ({MISSING})"
    return f"{count} ({format_number(100 * k_int / n_int, decimals)}%)"


def _count(x: Any, name: str) -> int:
    value = float(x)
    if value < 0 or value != int(value):
        raise TableError(f"{name} must be a count (a whole number of at least 0), not {x!r}")
    return int(value)


def format_nnt(nnt: Any) -> str:
    """A number needed to treat, rounded **up** in size to a whole number (Altman 1998; the
    Cochrane Handbook, 15.4.4): 2.52 -> "3"; a negative NNT (harm) keeps its sign: -4.09 ->
    "-5"; an infinite NNT (no difference) is ``Inf``.

    Examples
    --------
    >>> format_nnt(2.5166), format_nnt(-4.09), format_nnt(3.0), format_nnt(float("inf"))
    ('3', '-5', '3', 'Inf')
    """
    if is_missing(nnt):
        return MISSING
    value = float(nnt)
    if math.isinf(value):
        return format_number(value, 0)
    # 1 / rd can be 2.0000000000000004 for rd = 0.5: round to 9 places before going up
    size = math.ceil(round(abs(value), 9))
    return f"{'-' if value < 0 else ''}{size}"
