"""Repeated dosing: the acute response to each session, and whether a second dose works as well.

``session_response``
    For each dosing session, the change from the assessment just before the dose to the first
    one after it, per arm (:func:`outcomes.paired_change`: paired t, Wilcoxon, d_z; complete
    pairs). By default the visits come from the long table: before session ``k`` is the last
    visit of the instrument while ``session == k - 1`` (after screening), after it the first
    visit with ``session == k`` and phase post-dose or follow-up.
``dose_equivalence``
    Whether the acute response to the second dose is equivalent to that to the first, within
    the subjects who had both: two one-sided paired t tests (TOST, Schuirmann 1987) of
    ``d = change after dose 2 - change after dose 1`` against ``-margin`` and ``+margin``.
    Equivalence is shown when both reject at ``alpha``, i.e. when the ``1 - 2 alpha`` interval of
    the mean ``d`` lies within the margin. The margin is the analyst's, stated in the plan
    (e.g. a MADRS MCID of 3 points).
``count_active_doses``
    The number of active doses each subject has had by each row, from the treatment of each
    session (``period_treatment`` where given, else the arm): in a two-stage design where the
    control arm gets open-label drug in stage 2, ``ancova("chg ~ base + C(active_doses)", ...)``
    at a follow-up compares one dose with two.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from outcomes.data import columns as col
from outcomes.data.frames import FrameLike, as_frame
from outcomes.deprecation import renamed
from outcomes.errors import ModelSpecificationError
from outcomes.models.endpoints.paired import paired_change, subject_scores

__all__ = ["count_active_doses", "dose_equivalence", "session_response", "session_visits"]

_AFTER = ("post-dose", "follow-up")


def session_visits(data: FrameLike, *, instrument: str) -> dict[int, tuple[str, str]]:
    """The visits just before and just after each dosing session at which ``instrument`` was given.

    Examples
    --------
    >>> import outcomes
    >>> session_visits(outcomes.load_sample(), instrument="madrs")
    {1: ('BASELINE', 'DAY 2'), 2: ('WEEK 2', 'DAY 16')}
    """
    frame = as_frame(data)
    rows = frame[(frame[col.INSTRUMENT] == instrument) & frame[col.TOTAL].notna()]
    rows = rows[rows[col.PHASE] != "screening"]
    if rows.empty:
        raise ModelSpecificationError(
            f"the data have no scored {instrument!r} rows after screening"
        )
    visits = rows.groupby(col.VISIT, observed=True)[[col.VISIT_NUM, col.SESSION]].first()
    phases = rows.groupby(col.VISIT, observed=True)[col.PHASE].first()
    out = {}
    for session in sorted(int(s) for s in visits[col.SESSION].unique() if s >= 1):
        before = visits[visits[col.SESSION] == session - 1]
        after = visits[(visits[col.SESSION] == session) & phases.reindex(visits.index).isin(_AFTER)]
        if before.empty or after.empty:
            continue
        out[session] = (
            str(before[col.VISIT_NUM].idxmax()),
            str(after[col.VISIT_NUM].idxmin()),
        )
    if not out:
        raise ModelSpecificationError(
            f"no dosing session has {instrument!r} both before and after it"
        )
    return out


@renamed(group="arm")
def session_response(
    data: FrameLike,
    *,
    instrument: str,
    sessions: Mapping[int, tuple[str, str]] | None = None,
    arm: str | None = col.ARM,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """The acute response to each dosing session: pre- to post-dose change per arm.

    Parameters
    ----------
    data : DataFrame or TrialData
        The long table.
    instrument : str
    sessions : mapping, optional
        Session -> ``(visit before, visit after)``; by default :func:`session_visits`.
    arm : str or None
        The arm column, each arm analysed separately; None for all subjects together.
    conf_level : float

    Returns
    -------
    DataFrame
        ``session, pre_visit, post_visit``, the arm, then :data:`outcomes.PAIRED_COLUMNS`.

    Examples
    --------
    >>> import outcomes
    >>> table = session_response(outcomes.load_sample(), instrument="madrs")
    >>> table[["session", "arm"]].values.tolist()
    [[1, 'PLACEBO'], [1, 'DMT'], [2, 'PLACEBO'], [2, 'DMT']]
    """
    sessions = dict(sessions or session_visits(data, instrument=instrument))
    tables = []
    for session, (pre, post) in sessions.items():
        scores = subject_scores(
            data,
            {"pre": (instrument, pre), "post": (instrument, post)},
            keep=[arm] if arm else [],
        )
        table = paired_change(scores, pre="pre", post="post", arm=arm, conf_level=conf_level)
        table.insert(0, "post_visit", post)
        table.insert(0, "pre_visit", pre)
        table.insert(0, "session", session)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


@renamed(group="arm")
def dose_equivalence(
    data: FrameLike,
    *,
    margin: float,
    instrument: str,
    first: int = 1,
    second: int = 2,
    sessions: Mapping[int, tuple[str, str]] | None = None,
    arm: str | None = col.ARM,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Equivalence (TOST) of the acute response to a second dose and to the first.

    Parameters
    ----------
    data : DataFrame or TrialData
        The long table.
    margin : float
        The equivalence margin, in points of the instrument (> 0).
    instrument : str
    first, second : int
        The dosing sessions compared.
    sessions : mapping, optional
        As for :func:`session_response`.
    arm : str or None
        The arm column: test each arm and all subjects together (``"all"``); None for all
        subjects only.
    alpha : float
        Level of each one-sided test; the interval is ``1 - 2 alpha`` (90% for 0.05).

    Returns
    -------
    DataFrame
        ``group, n, mean_difference, sd_difference, conf_low, conf_high, margin, df,
        statistic_lower, p_lower, statistic_upper, p_upper, p_value, equivalent``:
        the difference is second minus first change; ``p_value`` is the larger one-sided p.

    Examples
    --------
    >>> import outcomes
    >>> table = dose_equivalence(outcomes.load_sample(), margin=3.0, instrument="madrs")
    >>> table["group"].tolist()
    ['PLACEBO', 'DMT', 'all']
    """
    if not margin > 0:
        raise ModelSpecificationError(f"margin must be positive, not {margin}")
    sessions = dict(sessions or session_visits(data, instrument=instrument))
    missing = [s for s in (first, second) if s not in sessions]
    if missing:
        raise ModelSpecificationError(
            f"sessions {missing} have no visits before and after; have {sessions}"
        )
    scores = subject_scores(
        data,
        {
            f"{when}_{k}": (instrument, sessions[k][i])
            for k in (first, second)
            for i, when in enumerate(("pre", "post"))
        },
        keep=[arm] if arm else [],
    )
    scores["difference"] = (scores[f"post_{second}"] - scores[f"pre_{second}"]) - (
        scores[f"post_{first}"] - scores[f"pre_{first}"]
    )
    parts = [*(scores.groupby(arm, observed=True, sort=True) if arm else []), ("all", scores)]
    rows = [
        {"group": key, **_tost(part["difference"].dropna().to_numpy(float), margin, alpha)}
        for key, part in parts
    ]
    return pd.DataFrame(rows)


def _tost(d: np.ndarray, margin: float, alpha: float) -> dict[str, Any]:
    n = len(d)
    if n < 2:
        raise ModelSpecificationError(
            f"the TOST needs at least 2 subjects with both sessions; {n} have"
        )
    lower = scipy.stats.ttest_1samp(d, -margin, alternative="greater")
    upper = scipy.stats.ttest_1samp(d, margin, alternative="less")
    low, high = scipy.stats.ttest_1samp(d, 0.0).confidence_interval(1 - 2 * alpha)
    p = max(float(lower.pvalue), float(upper.pvalue))
    return {
        "n": n,
        "mean_difference": float(d.mean()),
        "sd_difference": float(d.std(ddof=1)),
        "conf_low": float(low),
        "conf_high": float(high),
        "margin": float(margin),
        "df": float(n - 1),
        "statistic_lower": float(lower.statistic),
        "p_lower": float(lower.pvalue),
        "statistic_upper": float(upper.statistic),
        "p_upper": float(upper.pvalue),
        "p_value": p,
        "equivalent": p < alpha,
    }


def count_active_doses(data: FrameLike, *, active: Collection[Any]) -> pd.DataFrame:
    """The long table with ``active_doses``: active sessions each subject has had by each row.

    A session's treatment is ``period_treatment`` on the subject's first row of that session
    where it is given, else the arm.

    Examples
    --------
    >>> import outcomes
    >>> frame = count_active_doses(outcomes.load_sample(), active={"DMT"})
    >>> week4 = frame[(frame["visit"] == "WEEK 4") & (frame["instrument"] == "madrs")]
    >>> week4.groupby("arm", observed=True)["active_doses"].max().to_dict()
    {'PLACEBO': 0, 'DMT': 2}
    """
    frame = as_frame(data)
    treatment = frame[col.ARM].astype(object)
    if col.PERIOD_TREATMENT in frame.columns:
        treatment = (
            frame[col.PERIOD_TREATMENT]
            .astype(object)
            .where(frame[col.PERIOD_TREATMENT].notna(), treatment)
        )
    sessions = frame.assign(_active=treatment.isin(set(active)))
    sessions = sessions[sessions[col.SESSION] >= 1]
    first = sessions.groupby([col.SUBJECT, col.SESSION], observed=True)["_active"].first()
    cumulative = first.groupby(level=0, observed=True).cumsum()
    index = pd.MultiIndex.from_arrays([frame[col.SUBJECT], frame[col.SESSION]])
    counts = cumulative.reindex(index).fillna(0).to_numpy(dtype=int)
    return frame.assign(active_doses=np.where(frame[col.SESSION] >= 1, counts, 0))
