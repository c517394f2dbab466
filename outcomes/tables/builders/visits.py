"""Observed values by visit and arm: n, mean, SD, median, quartiles and the number missing."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from outcomes.data.frames import FrameLike, as_frame, require
from outcomes.deprecation import renamed
from outcomes.errors import TableError
from outcomes.models.core.frames import factor_levels
from outcomes.tables.builders.common import QUARTILES, decimals_for, summary
from outcomes.tables.format import format_ci, format_number
from outcomes.tables.table import Table

__all__ = ["visit_statistics", "visit_summary"]


def visit_statistics(
    data: FrameLike,
    *,
    outcome: str = "total",
    arm: str = "arm",
    visit: str = "visit",
    subject: str = "subject",
) -> pd.DataFrame:
    """The numbers of :func:`visit_summary`, at full precision: one row per visit and arm.

    Returns
    -------
    DataFrame
        ``visit``, ``arm``, ``n``, ``mean``, ``sd``, ``median``, ``q1``, ``q3`` and
        ``n_missing`` (the arm's subjects without a value at the visit).

    Examples
    --------
    >>> import outcomes
    >>> madrs = outcomes.load_sample().frame.query("instrument == 'madrs'")
    >>> visit_statistics(madrs).iloc[2][["visit", "arm", "n", "median"]].to_dict()
    {'visit': 'BASELINE', 'arm': 'PLACEBO', 'n': 20, 'median': 32.0}
    """
    return _statistics(as_frame(data), outcome, arm, visit, subject)[0]


def _statistics(
    frame: pd.DataFrame, outcome: str, arm: str, visit: str, subject: str
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The statistics by visit and arm, and the arms' sizes."""
    require(frame, [outcome, arm, visit, subject])
    twice = frame[[subject, visit]].duplicated()
    if twice.any():
        row = frame.loc[twice, [subject, visit]].iloc[0]
        raise TableError(
            f"more than one row for subject {row[subject]!r} at {visit} {row[visit]!r}: "
            "keep one instrument (one row per subject and visit)"
        )
    arms = factor_levels(frame[arm])
    size = {str(a): frame.loc[frame[arm] == a, subject].nunique() for a in arms}
    rows = []
    for level in factor_levels(frame[visit]):
        at = frame[frame[visit] == level]
        for arm_level in arms:
            s = summary(at.loc[at[arm] == arm_level, outcome])
            missing = size[str(arm_level)] - s["n"]
            rows.append({"visit": str(level), "arm": str(arm_level), **s, "n_missing": missing})
    columns = ["visit", "arm", "n", "mean", "sd", "median", "q1", "q3", "n_missing"]
    return pd.DataFrame(rows, columns=columns), size


@renamed(value="outcome", group="arm")
def visit_summary(
    data: FrameLike,
    *,
    outcome: str = "total",
    arm: str = "arm",
    visit: str = "visit",
    subject: str = "subject",
    decimals: Mapping[str, int] | None = None,
    title: str | None = None,
) -> Table:
    """Observed values by visit and arm: n, mean, SD, median, Q1 to Q3 and the number missing.

    Parameters
    ----------
    data : DataFrame or TrialData
        One row per subject and visit (one instrument): filter before.
    outcome, arm, visit, subject : str
        The outcome, arm, visit and subject columns.
    decimals : mapping, optional
        Overrides of :data:`~outcomes.tables.format.DECIMALS` (``score``).
    title : str, optional

    Returns
    -------
    Table
        Columns ``visit, arm, n, mean, sd, median, iqr, missing``; ``missing`` is the number of
        the arm's subjects (those with any row in ``data``) without a value at the visit.

    Examples
    --------
    >>> import outcomes
    >>> madrs = outcomes.load_sample().frame.query("instrument == 'madrs'")
    >>> t = visit_summary(madrs)
    >>> t.to_frame(labels=False).iloc[2].tolist()
    ['BASELINE', 'PLACEBO', '20', '31.3', '6.2', '32.0', '25.8 to 34.5', '0']
    """
    stats, size = _statistics(as_frame(data), outcome, arm, visit, subject)
    places = decimals_for(decimals)["score"]
    rows = [
        {
            "visit": s["visit"],
            "arm": s["arm"],
            "n": str(s["n"]),
            "mean": format_number(s["mean"], places),
            "sd": format_number(s["sd"], places),
            "median": format_number(s["median"], places),
            "iqr": format_ci(s["q1"], s["q3"], places),
            "missing": str(s["n_missing"]),
        }
        for s in stats.to_dict("records")
    ]
    sizes = ", ".join(f"{arm_level} {n}" for arm_level, n in size.items())
    return Table(
        pd.DataFrame(rows, columns=["visit", "arm", "n", "mean", "sd", "median", "iqr", "missing"]),
        title or f"{outcome} by {visit} and {arm}",
        footnotes=(
            f"Observed values of {outcome}: n, subjects with a value at the visit; SD, standard "
            f"deviation; Q1 to Q3, first to third quartile; {QUARTILES}.",
            f"Missing data: Missing counts the subjects of the arm ({sizes}) without a value at "
            "the visit; nothing is imputed.",
        ),
        column_labels={
            "visit": "Visit",
            "arm": "Arm",
            "mean": "Mean",
            "sd": "SD",
            "median": "Median",
            "iqr": "Q1 to Q3",
            "missing": "Missing",
        },
        stub=("visit", "arm"),
    )
