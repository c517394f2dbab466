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
        Which contrast (e.g. ``"DMT - PLACEBO"``) to show; by default every contrast of the
        results, one row each (with a ``contrast`` column when there are several, as in a
        three-arm trial).
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
        Columns ``analysis, estimate, p_value`` (``analysis, contrast, estimate, p_value`` for
        several contrasts), one row per analysis (and contrast) in the order given.

    Examples
    --------
    >>> res = {"MMRM": pd.DataFrame({"visit": ["WEEK 4"], "contrast": ["DMT - PLACEBO"],
    ...                              "estimate": [-5.49], "conf_low": [-12.01],
    ...                              "conf_high": [1.02], "p_value": [0.0958]})}
    >>> sensitivity_table(res, visit="WEEK 4").rows()
    [['MMRM', '-5.49 (-12.01 to 1.02)', '0.096']]
    """
    dec = decimals_for(decimals)
    rows, shown = [], []
    for label, frame in results.items():
        require(
            frame,
            [visit_column, "estimate", "conf_low", "conf_high", "p_value"],
            f"results of {label}",
        )
        at = frame[frame[visit_column].astype(object) == visit]
        if contrast is not None and "contrast" in at.columns:
            at = at[at["contrast"] == contrast]
        several = "contrast" in at.columns and at["contrast"].nunique() == len(at)
        if len(at) == 0 or (len(at) > 1 and not several):
            raise TableError(
                f"{label!r} has {len(at)} rows at {visit_column} {visit!r}"
                + (f" for contrast {contrast!r}" if contrast is not None else "")
            )
        for _, r in at.iterrows():
            if "contrast" in at.columns:
                shown.append(str(r["contrast"]))
            rows.append(
                {
                    "analysis": str(label),
                    "contrast": str(r["contrast"]) if "contrast" in at.columns else "",
                    "estimate": format_estimate_ci(
                        r["estimate"], r["conf_low"], r["conf_high"], dec["estimate"]
                    ),
                    "p_value": format_p(r["p_value"]),
                }
            )
    shown = list(dict.fromkeys(shown))
    what = f" ({', '.join(shown)})" if len(shown) == 1 else ""
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
    columns = ["analysis", *(["contrast"] if len(shown) > 1 else []), "estimate", "p_value"]
    return Table(
        pd.DataFrame(rows)[columns],
        title or f"Sensitivity analyses: difference at {visit}",
        footnotes=tuple(footnotes),
        column_labels={
            c: label
            for c, label in (
                ("analysis", "Analysis"),
                ("contrast", "Contrast"),
                ("estimate", f"Difference ({ci_label(conf_level)})"),
                ("p_value", "p-value"),
            )
            if c in columns
        },
        stub=tuple(columns[: 2 if len(shown) > 1 else 1]),
    )
