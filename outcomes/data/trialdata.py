"""TrialData: a trial's validated, scored scores as one long table, with its schedule and events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from outcomes.data.columns import EVENT_COLUMNS
from outcomes.data.schedule import Schedule
from outcomes.instruments import Instrument

__all__ = ["TrialData"]


@dataclass(frozen=True)
class TrialData:
    """A trial's data after validation: what every analysis in ``outcomes`` starts from.

    Only :func:`outcomes.read` (through validation) and the sample loader build one; derivations
    return a new one. Nothing here is mutated in place.

    Attributes
    ----------
    frame : pandas.DataFrame
        The canonical long table, one row per subject x visit x instrument
        (columns: :mod:`outcomes.data.columns`).
    schedule : Schedule
        Visits in order, nominal days and windows, dosing sessions.
    events : pandas.DataFrame
        Intercurrent events, one row each: ``subject, event, day, detail``.
    instruments : dict
        The instruments in the data, by name.
    covariates : tuple of str
        Covariate columns of ``frame``.
    problems : pandas.DataFrame
        Warnings found when the data were read (errors would have stopped the read).
    notes : tuple of str
        What reading decided: detected layout, roles, inferred schedule.
    source : dict
        Where the data came from: ``file``, ``format``, ``layout``.

    Examples
    --------
    >>> import outcomes
    >>> trial = outcomes.load_sample()
    >>> sorted(trial.instruments)
    ['gad7', 'madrs', 'meq30', 'neo-ffi-n']
    >>> trial.frame.groupby("arm", observed=True)["subject"].nunique().to_dict()
    {'PLACEBO': 20, 'DMT': 20}
    """

    frame: pd.DataFrame
    schedule: Schedule
    events: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(EVENT_COLUMNS)))
    instruments: Mapping[str, Instrument] = field(default_factory=dict)
    covariates: tuple[str, ...] = ()
    problems: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: tuple[str, ...] = ()
    source: Mapping[str, Any] = field(default_factory=dict)

    @property
    def item_columns(self) -> list[str]:
        """Item columns of :attr:`frame`, instrument by instrument."""
        return [c for inst in self.instruments.values() for c in inst.item_codes if c in self.frame]

    @property
    def subjects(self) -> pd.DataFrame:
        """One row per subject: ``subject``, ``arm`` and the covariates (first value seen)."""
        cols = ["subject", "arm", *self.covariates]
        return (
            self.frame[cols]
            .drop_duplicates("subject")
            .sort_values("subject")
            .reset_index(drop=True)
        )

    def scores(self, instrument: str) -> pd.DataFrame:
        """The rows of one instrument, without other instruments' item columns."""
        inst = self.instruments[instrument]
        others = [c for c in self.item_columns if c not in inst.item_codes]
        rows = self.frame[self.frame["instrument"] == instrument]
        return rows.drop(columns=others).reset_index(drop=True)

    def with_frame(self, frame: pd.DataFrame, note: str | None = None) -> TrialData:
        """A new TrialData with another frame (same schedule, events and instruments)."""
        notes = self.notes if note is None else (*self.notes, note)
        return replace(self, frame=frame, notes=notes)

    def equals(self, other: TrialData) -> bool:
        """Whether two TrialData hold the same data, ignoring where rows stood in their files.

        ``source_row``, ``source``, ``notes`` and ``problems`` describe the file, not the data,
        and are not compared.
        """

        def core(t: TrialData) -> pd.DataFrame:
            return t.frame.drop(columns="source_row").reset_index(drop=True)

        try:
            pd.testing.assert_frame_equal(core(self), core(other))
            pd.testing.assert_frame_equal(
                self.events.reset_index(drop=True), other.events.reset_index(drop=True)
            )
        except AssertionError:
            return False
        return (
            self.schedule == other.schedule
            and self.covariates == other.covariates
            and dict(self.instruments) == dict(other.instruments)
        )

    def __repr__(self) -> str:
        f = self.frame
        return (
            f"TrialData({f['subject'].nunique()} subjects, {len(f)} assessments, "
            f"arms {list(f['arm'].cat.categories) if hasattr(f['arm'], 'cat') else []}, "
            f"instruments {list(self.instruments)}, {len(self.schedule.visits)} visits)"
        )
