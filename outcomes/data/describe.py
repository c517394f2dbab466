"""A first look at a trial: who was seen when, what is missing, and how the totals run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from outcomes.data import columns as col
from outcomes.data.frames import FrameLike, as_frame
from outcomes.data.trialdata import TrialData
from outcomes.terminal import printable

__all__ = ["Description", "baseline_visits", "describe"]


@dataclass(frozen=True)
class Description:
    """What :func:`describe` finds, as tidy frames.

    Attributes
    ----------
    counts : pandas.DataFrame
        Subjects with a total, per instrument x visit (rows) and arm (columns).
    patterns : pandas.DataFrame
        Missingness patterns per instrument: ``instrument, arm, pattern, subjects``; a pattern
        has one character per visit at which the instrument is scheduled, ``X`` for a total and
        ``.`` for none, in visit order.
    summaries : pandas.DataFrame
        Totals per instrument x arm x visit: ``n, mean, sd, median, min, max``.
    """

    trial: TrialData
    counts: pd.DataFrame
    patterns: pd.DataFrame
    summaries: pd.DataFrame

    def to_text(self) -> str:
        """The description as plain text for a terminal.

        Every label from the data (arms, instruments, visits, the file's name) is
        :func:`~outcomes.terminal.printable`: one line each, no escape sequence.

        Examples
        --------
        >>> import outcomes
        >>> describe(outcomes.load_sample()).to_text().splitlines()[0]
        '40 subjects, 908 assessments, arms PLACEBO (20), DMT (20)'
        """
        t = self.trial
        f = t.frame
        per_arm = f.groupby("arm", observed=True)["subject"].nunique()
        lines = [
            f"{f['subject'].nunique()} subjects, {len(f)} assessments, arms "
            f"{', '.join(f'{printable(a)} ({n})' for a, n in per_arm.items())}",
            f"instruments: {_listed(t.instruments)}; visits: {_listed(t.schedule.visit_names)}",
            f"source: {printable(t.source.get('file', ''))} "
            f"({printable(t.source.get('layout', ''))}); {len(t.problems)} warning(s)",
            "",
            "Subjects with a total, by visit and arm",
            _printable_frame(self.counts).to_string(),
            "",
            "Missingness patterns (X = total, . = none, in visit order)",
        ]
        for inst, grp in self.patterns.groupby("instrument", sort=False):
            visits = [
                v
                for v in t.schedule.visit_names
                if v in set(f.loc[f["instrument"] == inst, "visit"].astype(str))
            ]
            lines.append(f"  {printable(inst)}: {_listed(visits, ' | ')}")
            lines.append(_printable_frame(grp.drop(columns="instrument")).to_string(index=False))
        lines += [
            "",
            "Totals by visit and arm",
            _printable_frame(self.summaries.round(2)).to_string(),
        ]
        return "\n".join(lines)


def _listed(labels: Iterable[object], sep: str = ", ") -> str:
    return sep.join(printable(label) for label in labels)


def _printable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its labels and text cells :func:`~outcomes.terminal.printable`."""
    shown = frame.copy()
    for column in frame.select_dtypes(exclude="number").columns:
        shown[column] = frame[column].astype(object).map(printable)
    return shown.rename(index=printable, columns=printable)


def describe(trial: TrialData) -> Description:
    """Subjects per arm x visit, missingness patterns and summaries of totals.

    Examples
    --------
    >>> import outcomes
    >>> d = describe(outcomes.load_sample())
    >>> d.counts.columns.tolist()
    ['PLACEBO', 'DMT']
    >>> list(d.summaries.columns)
    ['n', 'mean', 'sd', 'median', 'min', 'max']
    """
    f = trial.frame
    scored = f[f["total"].notna()]
    counts = (
        scored.groupby(["instrument", "visit", "arm"], observed=True)["subject"]
        .nunique()
        .unstack("arm", fill_value=0)
    )
    counts.columns = counts.columns.astype(str)
    summaries = scored.groupby(["instrument", "arm", "visit"], observed=True)["total"].agg(
        n="count", mean="mean", sd="std", median="median", min="min", max="max"
    )
    return Description(trial, counts, _patterns(trial), summaries)


def _patterns(trial: TrialData) -> pd.DataFrame:
    f = trial.frame
    subjects = trial.subjects[["subject", "arm"]]
    parts = []
    for inst in trial.instruments:
        rows = f[f["instrument"] == inst]
        visits = [v for v in trial.schedule.visit_names if v in set(rows["visit"].astype(str))]
        seen = (
            rows[rows["total"].notna()]
            .assign(visit=rows["visit"].astype(str))
            .pivot_table(index="subject", columns="visit", values="total", aggfunc="count")
            .reindex(index=subjects["subject"], columns=visits)
            .notna()
        )
        pattern = seen.apply(lambda r: "".join("X" if x else "." for x in r), axis=1)
        table = pd.DataFrame({"arm": subjects["arm"].array, "pattern": pattern.to_numpy()})
        counted = (
            table.groupby(["arm", "pattern"], observed=True)
            .size()
            .rename("subjects")
            .reset_index()
            .sort_values(["arm", "subjects"], ascending=[True, False], kind="stable")
        )
        counted.insert(0, "instrument", inst)
        parts.append(counted)
    return pd.concat(parts, ignore_index=True)


def baseline_visits(data: FrameLike) -> dict[str, str]:
    """Each instrument of the data at its baseline visit, the last of phase ``baseline``.

    Instruments never given in the baseline phase (an acute scale at the dosing sessions), and
    every instrument of data without a ``phase`` column, are left out.

    Examples
    --------
    >>> import outcomes
    >>> baseline_visits(outcomes.load_sample())
    {'gad7': 'BASELINE', 'madrs': 'BASELINE', 'neo-ffi-n': 'BASELINE'}
    """
    frame = as_frame(data)
    if col.PHASE not in frame or col.INSTRUMENT not in frame:
        return {}
    rows = frame[(frame[col.PHASE] == "baseline") & frame[col.INSTRUMENT].notna()]
    order = col.VISIT_NUM if col.VISIT_NUM in rows else col.VISIT
    last = rows.sort_values(order, kind="stable").groupby(col.INSTRUMENT, observed=True).last()
    return {str(name): str(visit) for name, visit in last[col.VISIT].items()}
