"""Single imputation by carrying a total forward (LOCF, BOCF, WOCF), flagged as ADaM does.

Legacy analyses, and many published trials, fill a subject's missing later visits with an earlier
total: the last one observed after baseline (LOCF), the baseline total (BOCF), or the worst total
so far (WOCF). These methods are not the package's default (the MMRM and multiple imputation are)
and are offered to reproduce such analyses. :func:`carry_totals` adds one row per subject,
instrument and visit that was filled, with ``dtype`` (ADaM ``DTYPE``) saying how; observed rows
have ``dtype`` missing, as in an ADaM data set.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from outcomes.data.columns import INSTRUMENT, PHASE, SESSION, SUBJECT, TOTAL, VISIT, VISIT_NUM
from outcomes.data.schedule import Schedule
from outcomes.instruments.definition import Instrument

__all__ = ["CARRY_METHODS", "DTYPE", "carry_totals"]

#: The methods, and their ADaM ``DTYPE`` values.
CARRY_METHODS: Mapping[str, str] = {"locf": "LOCF", "bocf": "BOCF", "wocf": "WOCF"}

#: The column that flags carried rows.
DTYPE = "dtype"

_PRE_DOSE = ("screening", "baseline")
#: Columns of a filled row that describe the visit, not the subject: from the schedule, or empty.
_VISIT_COLUMNS = ("study_day", "hours_since_dose")


def carry_totals(
    frame: pd.DataFrame,
    schedule: Schedule,
    instruments: Mapping[str, Instrument],
    method: str,
) -> tuple[pd.DataFrame, str]:
    """The long table with missing post-baseline totals filled by ``method``, and a note.

    Parameters
    ----------
    frame : pandas.DataFrame
        The canonical long table (see :mod:`outcomes.data.columns`).
    schedule : Schedule
        Orders the visits and gives a filled row's visit number, session and phase.
    instruments : mapping
        The instruments of ``frame``: ``higher_is_worse`` says which total is the worst.
    method : {"locf", "bocf", "wocf"}
        ``locf``: the last total observed after the first dose (a subject with none gets none);
        ``bocf``: the baseline total (the last before the first dose); ``wocf``: the worst total
        observed so far, baseline included.

    Returns
    -------
    frame : pandas.DataFrame
        Every row of ``frame`` (its ``dtype`` missing), then the filled rows: for each subject and
        instrument, every visit after the first dose at which the instrument was given in the
        trial and the subject has no total, from the first such visit after the subject's first
        observation onwards. A filled row has the subject's arm and covariates, the visit's
        number, session and phase, ``total`` carried (its items missing), ``total_source`` and
        ``source_row`` of the row carried, and ``dtype`` the method's ``DTYPE``.
    note : str
        How many totals were filled, and at which visits.

    Examples
    --------
    >>> import outcomes
    >>> trial = outcomes.load_sample()
    >>> frame, note = carry_totals(trial.frame, trial.schedule, trial.instruments, "locf")
    >>> frame["dtype"].value_counts().index.tolist()
    ['LOCF']
    """
    key = method.strip().lower()
    if key not in CARRY_METHODS:
        raise ValueError(f"carry={method!r}: the methods are {sorted(CARRY_METHODS)}")
    frame = frame.assign(**{DTYPE: pd.Series(pd.NA, index=frame.index, dtype="string")})
    observed = frame[frame[TOTAL].notna()]
    given = observed.groupby(INSTRUMENT, sort=False)[VISIT].unique()
    order = {name: k for k, name in enumerate(schedule.visit_names)}
    post = [v.name for v in schedule.visits if v.session >= 1]
    rows = []
    for (_, name), grp in observed.groupby([SUBJECT, INSTRUMENT], sort=False, observed=True):
        rows.extend(_filled(grp, key, instruments[str(name)], post, set(given[name]), order))
    if not rows:
        return frame, f"{CARRY_METHODS[key]}: no missing total to fill"
    filled = pd.DataFrame(rows)
    planned = schedule.to_frame().set_index("visit")
    visit = filled[VISIT]
    filled[VISIT_NUM] = visit.map(planned["visit_num"]).to_numpy()
    filled[SESSION] = visit.map(planned["session"]).to_numpy()
    filled[PHASE] = visit.map(planned["phase"]).astype("str").to_numpy()
    for column in _VISIT_COLUMNS:
        if column in filled:
            filled[column] = np.nan
    filled[DTYPE] = CARRY_METHODS[key]
    frame = _fill_empty_rows(frame, filled)
    new = filled[~_keys(filled).isin(_keys(frame))]
    out = pd.concat([frame, new.astype({c: frame[c].dtype for c in new if c in frame})])
    out[VISIT] = pd.Categorical(out[VISIT], categories=frame[VISIT].cat.categories, ordered=True)
    out = out.sort_values([SUBJECT, VISIT, INSTRUMENT], kind="stable").reset_index(drop=True)
    counts = visit.value_counts().reindex(post).dropna().astype(int)
    where = ", ".join(f"{v} {n}" for v, n in counts.items())
    return out, f"{CARRY_METHODS[key]}: {len(filled):,} missing totals filled ({where})"


def _fill_empty_rows(frame: pd.DataFrame, filled: pd.DataFrame) -> pd.DataFrame:
    """Rows already present without a total (an incomplete questionnaire) take the carried one."""
    index = _keys(frame)
    carried = filled.set_index(_keys(filled))
    hit = index.isin(carried.index)
    if not hit.any():
        return frame
    frame = frame.copy()
    source = carried.loc[index[hit]]
    for column in (TOTAL, "total_source", DTYPE):
        frame.loc[hit, column] = source[column].to_numpy()
    return frame


def _keys(frame: pd.DataFrame) -> pd.MultiIndex:
    """Subject, visit (as text) and instrument of each row."""
    return pd.MultiIndex.from_arrays([frame[SUBJECT], frame[VISIT].astype(str), frame[INSTRUMENT]])


def _filled(
    grp: pd.DataFrame,
    method: str,
    instrument: Instrument,
    post: list[str],
    given: set[str],
    order: dict[str, int],
) -> list[dict[str, object]]:
    """The rows filled for one subject and instrument (visits in schedule order)."""
    position = grp[VISIT].astype(str).map(order)
    ordered = grp.assign(_at=position.to_numpy()).sort_values("_at", kind="stable")
    pre = ordered[ordered[PHASE].isin(_PRE_DOSE)]
    after = ordered[~ordered[PHASE].isin(_PRE_DOSE)]
    seen = set(ordered[VISIT].astype(str))
    first = ordered["_at"].min()
    out = []
    for visit in post:
        at = order[visit]
        if visit in seen or visit not in given or at < first:
            continue
        earlier = after[after["_at"] < at]
        if method == "bocf":
            candidates = pre.iloc[-1:]
        elif method == "locf":
            candidates = earlier.iloc[-1:]
        else:
            candidates = pd.concat([pre.iloc[-1:], earlier])
        if candidates.empty:
            continue
        totals = candidates[TOTAL].to_numpy(dtype=float)
        worst = np.argmax(totals) if instrument.higher_is_worse else np.argmin(totals)
        row = candidates.iloc[int(worst) if method == "wocf" else -1].drop("_at").to_dict()
        row[VISIT] = visit
        out.append(row)
    return out
