"""Unadjusted and multiplicity-adjusted p-values of a family of endpoints."""

from __future__ import annotations

import pandas as pd

from outcomes.data.frames import require
from outcomes.tables.format import format_number, format_p
from outcomes.tables.table import Table

__all__ = ["multiplicity_table"]

_METHODS = {
    "bonferroni": "Bonferroni",
    "holm": "Holm's step-down procedure",
    "hochberg": "Hochberg's step-up procedure",
    "fixed-sequence": "fixed-sequence (hierarchical) testing in the order shown",
    "graphical": "the graphical approach of Bretz et al. (2009) with weighted Bonferroni tests",
}


def multiplicity_table(
    adjusted: pd.DataFrame,
    *,
    method: str | None = None,
    alpha: float = 0.05,
    title: str = "Multiplicity-adjusted p-values",
) -> Table:
    """Unadjusted and adjusted p-values of a family of endpoints, from
    :func:`outcomes.adjust_pvalues` (or :func:`outcomes.graphical`).

    Parameters
    ----------
    adjusted : DataFrame
        ``endpoint, p_value, adjusted_p, rejected`` (a ``weight`` column is shown too).
    method : str, optional
        The method used (``"holm"``, ``"graphical"``, ...), for the footnote; the results do
        not record it.
    alpha : float
        The familywise error rate used.
    title : str

    Returns
    -------
    Table
        Columns ``endpoint, [weight,] p_value, adjusted_p, rejected`` (``Yes``/``No``).

    Examples
    --------
    >>> import outcomes
    >>> adj = outcomes.adjust_pvalues({"MADRS": 0.01, "HAM-A": 0.04, "CGI-S": 0.03}, "holm")
    >>> multiplicity_table(adj, method="holm").rows()[0]
    ['MADRS', '0.010', '0.030', 'Yes']
    """
    require(adjusted, ["endpoint", "p_value", "adjusted_p", "rejected"], "adjusted p-values")
    weight = "weight" in adjusted.columns
    rows = [
        {
            "endpoint": str(r["endpoint"]),
            **({"weight": format_number(r["weight"], 3)} if weight else {}),
            "p_value": format_p(r["p_value"]),
            "adjusted_p": format_p(r["adjusted_p"]),
            "rejected": "Yes" if bool(r["rejected"]) else "No",
        }
        for _, r in adjusted.iterrows()
    ]
    how = _METHODS.get(method, method) if method else "the method used (not stated here)"
    labels = {
        "endpoint": "Endpoint",
        **({"weight": "Initial weight"} if weight else {}),
        "p_value": "p-value",
        "adjusted_p": "Adjusted p-value",
        "rejected": "Rejected",
    }
    return Table(
        pd.DataFrame(rows, columns=list(labels)),
        title,
        footnotes=(
            f"p-values adjusted by {how}; familywise error rate {format_number(alpha, 3)}: "
            f"an endpoint is rejected when its adjusted p-value is at most "
            f"{format_number(alpha, 3)}.",
            "Missing data: as handled by each endpoint's own analysis.",
        ),
        column_labels=labels,
        stub=("endpoint",),
    )
