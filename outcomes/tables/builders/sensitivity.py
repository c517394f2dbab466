"""The treatment difference at one visit under several analyses, side by side."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from outcomes.data.frames import require
from outcomes.errors import TableError
from outcomes.tables.builders.common import ci_label, decimals_for
from outcomes.tables.format import format_estimate_ci, format_p
from outcomes.tables.table import Table

__all__ = ["sensitivity_table"]


def sensitivity_table(
    results: Mapping[str, pd.DataFrame],
    *,
    visit: Any,
    visit_column: str = "visit",
    contrast: str | None = None,
    descriptions: Mapping[str, str] | None = None,
    conf_level: float = 0.95,
    decimals: Mapping[str, int] | None = None,
    title: str | None = None,
) -> Table:
    """The treatment difference at one visit under each analysis, side by side.

    Parameters
    ----------
    results : mapping of str to DataFrame
        Analysis label -> its contrasts (``visit_column, estimate, conf_low, conf_high,
        p_value``, and ``contrast`` if there are several), e.g. an MMRM's
        ``fit.contrasts("arm", by="visit")`` and ``multiple_imputation(...).contrasts()``.
    visit :
        The visit to show.
    visit_column : str
    contrast : str, optional
        Which contrast (e.g. ``"DMT - PLACEBO"``), when a result has more than one.
    descriptions : mapping, optional
        Analysis label -> how it handled missing data, each printed as a footnote.
    conf_level : float
        The level the intervals were computed at.
    decimals : mapping, optional
        Overrides of :data:`~outcomes.tables.format.DECIMALS` (``estimate``).
    title : str, optional

    Returns
    -------
    Table
        Columns ``analysis, estimate, p_value``, one row per analysis in the order given.

    Examples
    --------
    >>> res = {"MMRM": pd.DataFrame({"visit": ["WEEK 4"], "contrast": ["DMT - PLACEBO"],
    ...                              "estimate": [-5.49], "conf_low": [-12.01],
    ...                              "conf_high": [1.02], "p_value": [0.0958]})}
    >>> sensitivity_table(res, visit="WEEK 4").rows()
    [['MMRM', '-5.49 (-12.01 to 1.02)', '0.096']]
    """
    dec = decimals_for(decimals)
    rows, shown = [], set()
    for label, frame in results.items():
        require(
            frame,
            [visit_column, "estimate", "conf_low", "conf_high", "p_value"],
            f"results of {label}",
        )
        at = frame[frame[visit_column].astype(object) == visit]
        if contrast is not None and "contrast" in at.columns:
            at = at[at["contrast"] == contrast]
        if len(at) != 1:
            raise TableError(
                f"{label!r} has {len(at)} rows at {visit_column} {visit!r}"
                + (f" for contrast {contrast!r}" if contrast is not None else "")
                + ("; name one with contrast=" if len(at) > 1 else "")
            )
        r = at.iloc[0]
        if "contrast" in at.columns:
            shown.add(str(r["contrast"]))
        rows.append(
            {
                "analysis": str(label),
                "estimate": format_estimate_ci(
                    r["estimate"], r["conf_low"], r["conf_high"], dec["estimate"]
                ),
                "p_value": format_p(r["p_value"]),
            }
        )
    what = f" ({', '.join(sorted(shown))})" if shown else ""
    footnotes = [
        f"Difference between arms{what} at {visit_column} {visit} with its "
        f"{ci_label(conf_level)} and two-sided p-value, from each analysis.",
    ]
    descriptions = dict(descriptions or {})
    if descriptions:
        footnotes.append("Missing data, by analysis:")
        footnotes += [f"{k}: {v}" for k, v in descriptions.items() if k in results]
    else:
        footnotes.append("Missing data: each analysis handles them as its label says.")
    return Table(
        pd.DataFrame(rows, columns=["analysis", "estimate", "p_value"]),
        title or f"Sensitivity analyses: difference at {visit}",
        footnotes=tuple(footnotes),
        column_labels={
            "analysis": "Analysis",
            "estimate": f"Difference ({ci_label(conf_level)})",
            "p_value": "p-value",
        },
        stub=("analysis",),
    )
