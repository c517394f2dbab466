"""Time axes for trajectory models: days since the last dose, and piecewise time after a dose.

A trajectory model (:func:`outcomes.lmm`, :func:`outcomes.gee`) takes time as a number. The long
table holds the study day (day 1 = first dose) and the hours since the last dose; this module adds
the two other clocks a psychedelic trial uses:

``days_since_dose``
    ``hours_since_dose / 24``: time since the most recent dosing session (missing before the first).
``days_after_dose_<k>``
    days from dosing session ``k`` to the assessment, and 0 before it: the second piece of a
    piecewise-linear (broken-stick) time, so that ``total ~ study_day + days_after_dose_2`` lets the
    slope change at the second dose. The dose's day is the subject's own: the study day of their
    dosing visit of session ``k``, or, without one, the study day minus the days since the dose at
    their first assessment after it. A subject never dosed a ``k``-th time has 0 throughout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes.data import columns as col
from outcomes.data.frames import FrameLike, as_frame, require

__all__ = ["add_time_axes", "dose_days"]


def dose_days(data: FrameLike, session: int) -> pd.Series:
    """Each subject's study day of dosing session ``session`` (subjects dosed that often only).

    Parameters
    ----------
    data : DataFrame or TrialData
        The long table, with ``subject``, ``study_day``, ``session``, ``phase`` and
        ``hours_since_dose``.
    session : int
        The dosing session, 1 for the first dose.

    Returns
    -------
    Series
        Study day by subject.

    Examples
    --------
    >>> import outcomes
    >>> days = dose_days(outcomes.load_sample(), 2)
    >>> bool(days.between(13, 17).all())
    True
    """
    frame = as_frame(data)
    require(frame, [col.SUBJECT, col.STUDY_DAY, col.SESSION, col.PHASE, col.HOURS_SINCE_DOSE])
    rows = frame[frame[col.SESSION] == session]
    dosing = rows[rows[col.PHASE] == "dosing"].groupby(col.SUBJECT, observed=True)[col.STUDY_DAY]
    from_dosing = dosing.min()
    after = rows.dropna(subset=[col.STUDY_DAY, col.HOURS_SINCE_DOSE])
    after = after.sort_values(col.STUDY_DAY).groupby(col.SUBJECT, observed=True).first()
    # The dose day from the first assessment after it: the day of the assessment less the whole
    # days since the dose (study days count whole days, there is no day 0 to skip after day 1).
    from_after = after[col.STUDY_DAY] - np.floor(after[col.HOURS_SINCE_DOSE] / 24)
    days = from_dosing.combine_first(from_after).dropna()
    days.index.name = col.SUBJECT
    return days.rename(f"dose_{session}_day")


def add_time_axes(data: FrameLike, *, piecewise_at: tuple[int, ...] = (2,)) -> pd.DataFrame:
    """The long table with ``days_since_dose`` and ``days_after_dose_<k>`` for each ``k`` given.

    Parameters
    ----------
    data : DataFrame or TrialData
        The long table (see :func:`dose_days` for the columns it needs).
    piecewise_at : tuple of int
        Dosing sessions at which a piecewise time starts; ``()`` for none.

    Returns
    -------
    DataFrame
        A copy of the table with the new columns.

    Examples
    --------
    >>> import outcomes
    >>> frame = add_time_axes(outcomes.load_sample())
    >>> row = frame[(frame["subject"] == "S002") & (frame["visit"] == "WEEK 1")].iloc[0]
    >>> float(row["days_after_dose_2"])
    0.0
    """
    frame = as_frame(data)
    require(frame, [col.SUBJECT, col.STUDY_DAY, col.HOURS_SINCE_DOSE])
    out = frame.copy()
    out["days_since_dose"] = frame[col.HOURS_SINCE_DOSE] / 24
    for session in piecewise_at:
        start = frame[col.SUBJECT].map(dose_days(frame, session)).astype(float)
        after = (frame[col.STUDY_DAY] - start).clip(lower=0)
        before_any = frame[col.STUDY_DAY].notna() & start.isna()
        out[f"days_after_dose_{session}"] = after.mask(before_any, 0.0)
    return out
