"""Pre/post change within subjects: paired t, Wilcoxon signed-rank and d_z, and per-subject scores.

:func:`paired_change` is the within-arm analysis of trait change (:func:`outcomes.trait_change`)
and of the acute response to a dosing session (:func:`outcomes.session_response`). It uses the
subjects with both a pre and a post value (complete pairs) and counts the others in
``n_excluded``. The tests are those of R's ``t.test(post, pre, paired = TRUE)`` and
``wilcox.test(post, pre, paired = TRUE)``: the signed-rank statistic is R's ``V``, the sum of the
ranks of the positive changes; its p-value is exact for fewer than 50 pairs without ties or zero
changes, and otherwise from the normal approximation with continuity and tie corrections
(scipy does both). ``d_z`` is the mean change over its SD, with the noncentral-t interval of
:func:`outcomes.within_d`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.stats

from outcomes.data import columns as col
from outcomes.data.frames import FrameLike, as_frame, require
from outcomes.deprecation import renamed
from outcomes.errors import ModelSpecificationError
from outcomes.models.endpoints.effect_sizes import within_d

__all__ = ["PAIRED_COLUMNS", "paired_change", "subject_scores"]

#: Columns of :func:`paired_change` (after the arm column).
PAIRED_COLUMNS: tuple[str, ...] = (
    "n",
    "n_excluded",
    "mean_pre",
    "mean_post",
    "mean_change",
    "sd_change",
    "conf_low",
    "conf_high",
    "statistic",
    "df",
    "p_value",
    "wilcoxon_statistic",
    "wilcoxon_p_value",
    "d_z",
    "d_z_conf_low",
    "d_z_conf_high",
)


@renamed(group="arm")
def paired_change(
    data: pd.DataFrame,
    *,
    pre: str,
    post: str,
    arm: str | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Change from ``pre`` to ``post`` within subjects: paired t, Wilcoxon and d_z.

    Parameters
    ----------
    data : DataFrame
        One row per subject with the two columns.
    pre, post : str
        The columns of the values before and after.
    arm : str, optional
        The arm column, to analyse each arm separately.
    conf_level : float

    Returns
    -------
    DataFrame
        ``arm`` (if given), then :data:`PAIRED_COLUMNS`: ``statistic``, ``df`` and ``p_value``
        are the paired t test's, ``conf_low`` and ``conf_high`` the interval of the mean change.

    Examples
    --------
    >>> d = pd.DataFrame({"pre": [30, 28, 35, 31, 29, None], "post": [25, 27, 30, 32, 20, 18]})
    >>> out = paired_change(d, pre="pre", post="post").iloc[0]
    >>> int(out["n"]), int(out["n_excluded"]), float(out["mean_change"])
    (5, 1, -3.8)
    """
    require(data, [pre, post, arm])
    parts = data.groupby(arm, observed=True, sort=True) if arm else [(None, data)]
    rows = []
    for key, part in parts:
        complete = part[[pre, post]].notna().all(axis=1)
        before = part.loc[complete, pre].to_numpy(float)
        after = part.loc[complete, post].to_numpy(float)
        row = {"n_excluded": int((~complete).sum()), **_paired(before, after, conf_level)}
        rows.append({arm: key, **row} if arm else row)
    columns = [*([arm] if arm else []), *PAIRED_COLUMNS]
    return pd.DataFrame(rows)[columns]


def _paired(before: np.ndarray, after: np.ndarray, conf_level: float) -> dict[str, float]:
    n = len(before)
    change = after - before
    out: dict[str, float] = {
        "n": n,
        "mean_pre": float(before.mean()) if n else np.nan,
        "mean_post": float(after.mean()) if n else np.nan,
        "mean_change": float(change.mean()) if n else np.nan,
        "sd_change": float(change.std(ddof=1)) if n > 1 else np.nan,
    }
    if n < 2 or out["sd_change"] == 0:
        return {c: out.get(c, np.nan) for c in PAIRED_COLUMNS if c != "n_excluded"}
    test = scipy.stats.ttest_1samp(change, 0.0)
    low, high = test.confidence_interval(conf_level)
    nonzero = change[change != 0]
    ranks = scipy.stats.rankdata(np.abs(nonzero))
    signed = scipy.stats.wilcoxon(change, zero_method="wilcox", correction=True, method="auto")
    d = within_d(pd.DataFrame({"change": change}), outcome="change", conf_level=conf_level).iloc[0]
    return {
        **out,
        "conf_low": float(low),
        "conf_high": float(high),
        "statistic": float(test.statistic),
        "df": float(test.df),
        "p_value": float(test.pvalue),
        "wilcoxon_statistic": float(ranks[nonzero > 0].sum()),
        "wilcoxon_p_value": float(signed.pvalue),
        "d_z": float(d["d_z"]),
        "d_z_conf_low": float(d["conf_low"]),
        "d_z_conf_high": float(d["conf_high"]),
    }


@renamed(value="outcome")
def subject_scores(
    data: FrameLike,
    scores: Mapping[str, tuple[str, str | Sequence[str]]],
    *,
    outcome: str = col.TOTAL,
    keep: Sequence[str] = (col.ARM,),
) -> pd.DataFrame:
    """One row per subject with chosen scores as columns.

    Parameters
    ----------
    data : DataFrame or TrialData
        The long table.
    scores : mapping
        Column name -> ``(instrument, visit)``; with a list of visits, the mean of the subject's
        values at those visits (e.g. MEQ-30 over both dosing sessions).
    outcome : str
        The column of the long table to take (``total``, ``chg``, ...).
    keep : sequence of str
        Subject-level columns to carry over (first value per subject).

    Returns
    -------
    DataFrame
        ``subject``, the ``keep`` columns and one column per score (missing where the subject
        has no value).

    Examples
    --------
    >>> import outcomes
    >>> table = subject_scores(outcomes.load_sample(), {
    ...     "neo_pre": ("neo-ffi-n", "BASELINE"), "meq30": ("meq30", ["DOSE 1", "DOSE 2"])})
    >>> list(table.columns)
    ['subject', 'arm', 'neo_pre', 'meq30']
    """
    frame = as_frame(data)
    needed = [col.SUBJECT, col.INSTRUMENT, col.VISIT, outcome, *keep]
    require(frame, needed, "table")
    out = frame.groupby(col.SUBJECT, observed=True, sort=True)[list(keep)].first()
    for name, (instrument, visits) in scores.items():
        wanted = [visits] if isinstance(visits, str) else list(visits)
        rows = frame[(frame[col.INSTRUMENT] == instrument) & frame[col.VISIT].isin(wanted)]
        if rows.empty:
            raise ModelSpecificationError(f"no {instrument!r} rows at {wanted} for {name!r}")
        out[name] = rows.groupby(col.SUBJECT, observed=True)[outcome].mean()
    return out.reset_index()
