"""Any tidy results frame as a Table, each column formatted by what its name says it holds.

For the frames that have no builder of their own (effect sizes, trait change, a tipping-point
grid, ...). The columns are kept as they are (an interval stays two columns); their
quantity, and so their format, follows the package's stable snake_case names:

====================================================================  ========================
column                                                                printed as
====================================================================  ========================
``p_value``, ``adjusted_p``, ``p_lower``, ``p_upper``, ``*_p_value``  ``format_p``
``nnt``                                                               ``format_nnt``
whole-number dtypes; ``n``, ``n_*``, ``responders*``                  the count
bool                                                                  ``Yes`` / ``No``
``std_error``, ``*_std_error``                                        ``std_error`` decimals
``df``, ``*_df``                                                      ``df`` decimals
``percent*``                                                          ``percent`` decimals
``risk_difference``, ``rd_*``, ``marginal_rd*`` (proportions)        percentage points
                                                                      (x 100), ``percent``
                                                                      decimals
``*ratio*``, ``or_*``, ``hr_*``                                       ``ratio`` decimals
``cohens_d``, ``hedges_g``, ``d_*``, ``g_*``, ``*effect*``            ``effect_size`` decimals
``mean*``, ``sd*``, ``median*``, ``q1``, ``q3``                       ``score`` decimals
any other number                                                      ``estimate`` decimals
text, categories                                                      the text
====================================================================  ========================

A missing value prints as :data:`~outcomes.tables.format.MISSING`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from outcomes.tables.builders.common import decimals_for
from outcomes.tables.format import MISSING, format_nnt, format_number, format_p, is_missing
from outcomes.tables.table import Table

__all__ = ["format_value", "from_frame", "label_of", "quantity_of"]

_LABELS = {
    "p_value": "p-value",
    "adjusted_p": "Adjusted p-value",
    "std_error": "SE",
    "n_dont_know": "n don't know",
    "risk_difference": "Risk difference, % points",
    "marginal_rd": "Marginal RD, % points",
}
_TOKENS = {
    "sd": "SD",
    "se": "SE",
    "conf": "CI",
    "or": "OR",
    "rd": "RD",
    "hr": "HR",
    "nnt": "NNT",
    "df": "df",
    "n": "n",
    "d": "d",
    "g": "g",
    "z": "z",
    "p": "p",
}


def label_of(name: str) -> str:
    """The default header of a column.

    Examples
    --------
    >>> [label_of(c) for c in ("p_value", "sd_pooled", "d_conf_low", "cohens_d", "n_reference")]
    ['p-value', 'SD pooled', 'd CI low', 'Cohens d', 'n reference']
    """
    if name in _LABELS:
        return _LABELS[name]
    words = [_TOKENS.get(w.lower(), w) for w in name.split("_") if w]
    if not words:
        return name
    first = words[0]
    if first == name.split("_")[0] and first.lower() not in _TOKENS:
        words[0] = first[:1].upper() + first[1:]
    return " ".join(words)


def quantity_of(name: str, column: pd.Series) -> str:
    """What a column holds, by its name and dtype: ``p``, ``nnt``, ``count``, ``bool``,
    ``text``, or a key of :data:`~outcomes.tables.format.DECIMALS`.

    Examples
    --------
    >>> [quantity_of(c, pd.Series([1.5])) for c in ("p_value", "hedges_g", "or_conf_low", "x")]
    ['p', 'effect_size', 'ratio', 'estimate']
    >>> quantity_of("n", pd.Series([3.0])), quantity_of("arm", pd.Series(["DMT"]))
    ('count', 'text')
    """
    low = name.lower()
    if pd.api.types.is_bool_dtype(column):
        return "bool"
    if not pd.api.types.is_numeric_dtype(column):
        return "text"
    rules: list[tuple[str, Callable[[str], bool]]] = [
        (
            "p",
            lambda s: (
                s in ("p_value", "adjusted_p", "p_lower", "p_upper") or s.endswith("_p_value")
            ),
        ),
        ("nnt", lambda s: s == "nnt"),
        ("count", lambda s: s == "n" or s.startswith(("n_", "responders"))),
        ("std_error", lambda s: s == "std_error" or s.endswith("_std_error")),
        ("df", lambda s: s == "df" or s.endswith("_df")),
        ("percent", lambda s: s.startswith("percent")),
        (
            "percent_points",
            lambda s: s == "risk_difference" or s.startswith(("rd_", "marginal_rd")),
        ),
        ("ratio", lambda s: "ratio" in s or s.startswith(("or_", "hr_"))),
        (
            "effect_size",
            lambda s: s in ("cohens_d", "hedges_g") or s.startswith(("d_", "g_")) or "effect" in s,
        ),
        ("score", lambda s: s.startswith(("mean", "sd", "median")) or s in ("q1", "q3")),
    ]
    for quantity, matches in rules:
        if matches(low):
            return quantity
    if pd.api.types.is_integer_dtype(column):
        return "count"
    return "estimate"


def from_frame(
    frame: pd.DataFrame,
    *,
    title: str,
    footnotes: Sequence[str] = (),
    column_labels: Mapping[str, str] | None = None,
    stub: Sequence[str] | None = None,
    decimals: Mapping[str, int] | None = None,
) -> Table:
    """A tidy results frame as a :class:`Table`, each column formatted by its name (see the
    module's docstring).

    Parameters
    ----------
    frame : DataFrame
        Full-precision results with string column names.
    title : str
    footnotes : sequence of str
        What was computed and how missing data were handled: the frame does not say.
    column_labels : mapping, optional
        Printed headers; by default from the names (:func:`label_of`): ``p_value`` ->
        ``p-value``, ``sd_pooled`` -> ``SD pooled``, ``d_conf_low`` -> ``d CI low``, ...
    stub : sequence of str, optional
        Row-label columns; by default the leading text columns.
    decimals : mapping, optional
        Overrides of :data:`~outcomes.tables.format.DECIMALS`.

    Examples
    --------
    >>> import outcomes
    >>> df = pd.DataFrame({"arm": ["A"] * 3 + ["B"] * 3, "y": [1.0, 2, 4, 2, 3, 5]})
    >>> d = outcomes.cohens_d(df, outcome="y", arm="arm", reference="A")
    >>> t = from_frame(d[["contrast", "n", "mean_difference", "cohens_d"]], title="d")
    >>> t.headers, t.rows()
    (['Contrast', 'n', 'Mean difference', 'Cohens d'], [['B - A', '3', '1.0', '0.65']])
    """
    dec = decimals_for(decimals)
    data = frame.reset_index(drop=True)
    quantities = {c: quantity_of(str(c), data[c]) for c in data.columns}
    cells = pd.DataFrame(
        {str(c): [format_value(v, quantities[c], dec) for v in data[c]] for c in data.columns},
        columns=[str(c) for c in data.columns],
    )
    if stub is None:
        leading = []
        for c in cells.columns:
            if quantities[c] != "text":
                break
            leading.append(c)
        stub = leading if len(leading) < len(cells.columns) else leading[:1]
    labels = {c: label_of(c) for c in cells.columns}
    labels.update(column_labels or {})
    return Table(cells, title, footnotes=tuple(footnotes), column_labels=labels, stub=tuple(stub))


def format_value(value: Any, quantity: str, dec: Mapping[str, int]) -> str:
    """``value`` as printed, by its quantity (:func:`quantity_of`) and the decimals ``dec``.

    Examples
    --------
    >>> from outcomes.tables.format import DECIMALS
    >>> format_value(0.00042, "p", DECIMALS), format_value(12.0, "count", DECIMALS)
    ('<0.001', '12')
    """
    if is_missing(value):
        return MISSING
    if quantity == "text":
        return str(value)
    if quantity == "bool":
        return "Yes" if bool(value) else "No"
    if quantity == "p":
        return format_p(value)
    if quantity == "nnt":
        return format_nnt(value)
    if quantity == "count":
        number = float(value)
        return str(int(number)) if number.is_integer() else format_number(number, dec["estimate"])
    if quantity == "percent_points":
        return format_number(100 * value, dec["percent"])
    return format_number(value, dec[quantity])
