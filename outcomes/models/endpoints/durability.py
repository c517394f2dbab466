"""Durability of response: time from response to relapse, Kaplan-Meier, hazard ratio.

A subject is at risk from the first assessment at which the outcome holds (e.g. ``response``)
and relapses at the first later assessment at which it no longer does; one who never loses it is
censored at the last assessment with a value. Subjects who never respond are not at risk and are
counted in ``n_never``. Assessments with a missing value neither start nor end a response.

:func:`still_responding` follows the responders at an anchor visit (e.g. the primary endpoint)
to each later visit: the proportion still in response (or remission) there, with Wilson's
interval. A responder without a value at a later visit counts as no longer responding
(``missing="non-responder"``, the conservative rule) or is left out of that visit's denominator
(``missing="exclude"``); the table reports how many were missing either way.

Kaplan-Meier estimates (statsmodels' SurvfuncRight) get pointwise intervals on the log scale
with Greenwood's variance, as R's ``survfit`` (``conf.type = "log"``); the hazard ratio comes from
a Cox model with Efron's method for ties (statsmodels' PHReg), as R's ``coxph``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.proportion import proportion_confint

from outcomes.data.frames import require
from outcomes.deprecation import renamed
from outcomes.errors import ModelSpecificationError
from outcomes.models.core.frames import factor_levels

__all__ = ["hazard_ratio", "kaplan_meier", "relapse_times", "still_responding"]

_MISSING_RULES = ("non-responder", "exclude")


@renamed(group="arm")
def relapse_times(
    data: pd.DataFrame, *, outcome: str, subject: str, time: str, arm: str
) -> pd.DataFrame:
    """Per responding subject: ``subject, arm, onset, time, event`` (1 relapse, 0 censored).

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 1, 1, 2, 2, 3], "arm": ["A"] * 3 + ["B"] * 3,
    ...                    "day": [7, 14, 28, 7, 14, 7],
    ...                    "resp": [True, True, False, False, True, False]})
    >>> relapse_times(df, outcome="resp", subject="id", time="day", arm="arm").values.tolist()
    [[1, 'A', 7, 21, 1], [2, 'B', 14, 0, 0]]
    """
    rows = []
    seen = data.dropna(subset=[outcome, time]).sort_values([subject, time], kind="stable")
    for sid, part in seen.groupby(subject, sort=True):
        values = part[outcome].astype(bool).to_numpy()
        times = part[time].to_numpy()
        if not values.any():
            continue
        start = int(np.argmax(values))
        lost = np.flatnonzero(~values[start:])
        if lost.size:
            end, event = times[start + lost[0]], 1
        else:
            end, event = times[-1], 0
        rows.append(
            {
                subject: sid,
                arm: part[arm].iloc[0],
                "onset": times[start],
                "time": end - times[start],
                "event": event,
            }
        )
    return pd.DataFrame(rows, columns=[subject, arm, "onset", "time", "event"])


@renamed(group="arm")
def kaplan_meier(times: pd.DataFrame, *, arm: str, conf_level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier estimate of staying in response, per arm, at each event time.

    Returns ``arm, time, at_risk, events, survival, std_error, conf_low, conf_high``.
    """
    z = scipy.stats.norm.ppf(1 - (1 - conf_level) / 2)
    parts = []
    for level, part in times.groupby(arm, sort=True):
        sf = SurvfuncRight(part["time"].to_numpy(float), part["event"].to_numpy(int))
        s = np.asarray(sf.surv_prob)
        se = np.asarray(sf.surv_prob_se)
        with np.errstate(divide="ignore", invalid="ignore"):
            half = z * se / s
            low, high = s * np.exp(-half), np.minimum(1.0, s * np.exp(half))
        parts.append(
            pd.DataFrame(
                {
                    arm: level,
                    "time": sf.surv_times,
                    "at_risk": sf.n_risk,
                    "events": sf.n_events,
                    "survival": s,
                    "std_error": se,
                    "conf_low": low,
                    "conf_high": high,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@renamed(group="arm")
def hazard_ratio(
    times: pd.DataFrame, *, arm: str, reference: Any, conf_level: float = 0.95
) -> pd.DataFrame:
    """Hazard ratio of relapse for each arm against ``reference`` (Cox, Efron ties).

    Returns ``contrast, hazard_ratio, conf_low, conf_high, p_value, events, n``.
    """
    levels = sorted(times[arm].unique(), key=lambda v: (v != reference, str(v)))
    if reference not in levels:
        raise ModelSpecificationError(f"reference {reference!r} is not a level of {arm}: {levels}")
    x = pd.DataFrame({f"{lev}": (times[arm] == lev).astype(float) for lev in levels[1:]})
    fit = PHReg(
        times["time"].to_numpy(float), x, status=times["event"].to_numpy(int), ties="efron"
    ).fit(disp=0)
    ci = np.exp(fit.conf_int(alpha=1 - conf_level))
    rows = []
    for k, lev in enumerate(levels[1:]):
        rows.append(
            {
                "contrast": f"{lev} vs {reference}",
                "hazard_ratio": float(np.exp(fit.params[k])),
                "conf_low": float(ci[k, 0]),
                "conf_high": float(ci[k, 1]),
                "p_value": float(fit.pvalues[k]),
                "events": int(times["event"].sum()),
                "n": len(times),
            }
        )
    return pd.DataFrame(rows)


@renamed(group="arm")
def still_responding(
    data: pd.DataFrame,
    *,
    outcome: str,
    subject: str,
    visit: str,
    anchor: Any,
    arm: str | None = None,
    missing: str = "non-responder",
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Among the responders at ``anchor``, the proportion still responding at each later visit.

    Parameters
    ----------
    data : DataFrame
        One row per subject and visit with the binary ``outcome`` (missing where unknown).
    outcome, subject, visit : str
        Columns; later visits follow ``visit``'s order (categorical order, else sorted).
    anchor : object
        The visit whose responders are followed.
    arm : str, optional
        The arm.
    missing : {"non-responder", "exclude"}
        The rule for a responder without a value at a later visit (see the module docstring).
    conf_level : float

    Returns
    -------
    DataFrame
        ``arm`` (if given), ``visit, n_anchor, n_missing, n, n_still, proportion, conf_low,
        conf_high, missing``: ``n_anchor`` responders at the anchor, ``n`` the denominator.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 1, 1, 2, 2, 3, 3], "week": [2, 4, 8, 2, 4, 2, 8],
    ...                    "resp": [True, True, False, True, None, False, True]})
    >>> still_responding(df, outcome="resp", subject="id", visit="week", anchor=2)[
    ...     ["visit", "n_anchor", "n_missing", "n", "n_still"]].values.tolist()
    [[4, 2, 1, 2, 1], [8, 2, 1, 2, 0]]
    """
    if missing not in _MISSING_RULES:
        raise ModelSpecificationError(f"missing must be one of {_MISSING_RULES}, not {missing!r}")
    needed = [outcome, subject, visit, *([arm] if arm else [])]
    require(data, needed)
    levels = factor_levels(data[visit])
    if anchor not in levels:
        raise ModelSpecificationError(f"anchor {anchor!r} is not a visit of {visit!r}: {levels}")
    later = levels[levels.index(anchor) + 1 :]
    if not later:
        raise ModelSpecificationError(f"no visit follows the anchor {anchor!r}")
    values = data.pivot_table(
        index=subject, columns=visit, values=outcome, aggfunc="first", observed=True
    ).reindex(columns=levels)
    at_anchor = values[anchor].astype("boolean").fillna(False).astype(bool)
    responders = values.index[at_anchor.to_numpy()]
    groups: list[tuple[Any, pd.Index]] = [(None, responders)]
    if arm:
        arms = data.groupby(subject, observed=True)[arm].first().loc[responders]
        groups = [(key, part.index) for key, part in arms.groupby(arms, observed=True)]
    rows = []
    for key, ids in groups:
        for level in later:
            seen = values.loc[ids, level]
            n_missing = int(seen.isna().sum())
            n_still = int((seen.dropna().astype(bool)).sum())
            n = len(ids) if missing == "non-responder" else len(ids) - n_missing
            low, high = (
                proportion_confint(n_still, n, alpha=1 - conf_level, method="wilson")
                if n
                else (np.nan, np.nan)
            )
            row = {
                "visit": level,
                "n_anchor": len(ids),
                "n_missing": n_missing,
                "n": n,
                "n_still": n_still,
                "proportion": n_still / n if n else np.nan,
                "conf_low": float(low),
                "conf_high": float(high),
                "missing": missing,
            }
            rows.append({arm: key, **row} if arm else row)
    return pd.DataFrame(rows)
