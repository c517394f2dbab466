"""Estimands (ICH E9(R1)): intercurrent events, their strategies, and the data each implies.

An :class:`Estimand` names the population, the variable, each intercurrent event with its
strategy, and the summary measure. :meth:`Estimand.prepare` turns it, with a trial's events
(``TrialData.events``: subject, event, day), into what the analysis needs:

* each subject's first intercurrent event among those named, and the first visit it affects
  (the first visit after the event's study day: the subject's actual day where they have a row,
  the schedule's nominal day otherwise);
* the data with the values after the event removed where the strategy asks it (hypothetical and
  while on treatment), or set to the unfavourable outcome (composite, binary outcomes only);
* the per-subject strategy table that :func:`outcomes.multiple_imputation` takes: the imputation
  strategy of the event (e.g. ``J2R`` for treatment policy with missing post-event data, ``MAR``
  for hypothetical).

==================  =======================================  ======================================
strategy            data after the event                     missing values after the event
==================  =======================================  ======================================
treatment policy    kept                                     imputed as the event says (default
                                                             J2R: off treatment, like reference)
hypothetical        removed                                  imputed (default MAR: as if treatment
                                                             had continued)
composite           the outcome set unfavourable (binary:    none left
                    non-responder)
while on treatment  removed                                  not imputed (MAR in the MMRM: the
                                                             value while on treatment)
==================  =======================================  ======================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from outcomes.data import columns as col
from outcomes.data.events import event_name
from outcomes.errors import ModelSpecificationError
from outcomes.models.imputation.strategies import STRATEGIES

__all__ = ["ICE_STRATEGIES", "Estimand", "PreparedEstimand"]

#: The ICH E9(R1) strategies for intercurrent events handled here.
ICE_STRATEGIES: tuple[str, ...] = (
    "treatment policy",
    "hypothetical",
    "composite",
    "while on treatment",
)
_DEFAULT_IMPUTATION = {
    "treatment policy": "J2R",
    "hypothetical": "MAR",
    "composite": "MAR",
    "while on treatment": "MAR",
}


@dataclass(frozen=True)
class PreparedEstimand:
    """An estimand applied to a trial's data.

    Attributes
    ----------
    data : DataFrame
        The instrument's rows, post-event values removed or set as the strategies say.
    strategy : DataFrame
        ``subject, strategy, visit`` for :func:`outcomes.multiple_imputation`.
    events : DataFrame
        Per subject with an event: ``subject, event, day, visit, ice_strategy``.
    notes : tuple of str
        What was done, in numbers.
    """

    data: pd.DataFrame
    strategy: pd.DataFrame
    events: pd.DataFrame
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Estimand:
    """An estimand: population, variable, intercurrent events with strategies, summary measure.

    Parameters
    ----------
    variable : str
        e.g. ``"change from baseline in MADRS total at week 2"``.
    intercurrent_events : mapping
        Event name (as in ``TrialData.events``) -> one of :data:`ICE_STRATEGIES`.
    imputation : mapping, optional
        Event name -> imputation strategy for values missing after it (one of
        :data:`outcomes.models.imputation.STRATEGIES`); defaults by ICH strategy (module table).
    population : str
    summary_measure : str

    Examples
    --------
    >>> import outcomes
    >>> estimand = Estimand(
    ...     "change from baseline in MADRS total at week 2",
    ...     intercurrent_events={"discontinuation": "treatment policy",
    ...                          "rescue medication": "hypothetical"})
    >>> prepared = estimand.prepare(outcomes.derive(outcomes.load_sample()), instrument="madrs")
    >>> sorted(set(prepared.strategy["strategy"]))
    ['J2R', 'MAR']
    """

    variable: str
    intercurrent_events: Mapping[str, str] = field(default_factory=dict)
    imputation: Mapping[str, str] = field(default_factory=dict)
    population: str = "all randomised participants"
    summary_measure: str = "difference in means between arms"

    def __post_init__(self) -> None:
        # The events table's names (outcomes.data.events): any case, the known name kept.
        named = {event_name(e): s for e, s in self.intercurrent_events.items()}
        object.__setattr__(self, "intercurrent_events", named)
        object.__setattr__(
            self, "imputation", {event_name(e): s for e, s in self.imputation.items()}
        )
        bad = {e: s for e, s in self.intercurrent_events.items() if s not in ICE_STRATEGIES}
        if bad:
            raise ModelSpecificationError(f"unknown strategies {bad}; use {list(ICE_STRATEGIES)}")
        bad = {e: s for e, s in self.imputation.items() if s not in STRATEGIES}
        if bad:
            raise ModelSpecificationError(
                f"unknown imputation strategies {bad}; use {list(STRATEGIES)}"
            )
        extra = set(self.imputation) - set(self.intercurrent_events)
        if extra:
            raise ModelSpecificationError(
                f"imputation given for events without a strategy: {sorted(extra)}"
            )

    def describe(self) -> str:
        """The estimand in words, as a methods section states it."""
        events = "; ".join(
            f"{event}: {strategy}"
            + (
                f" (missing values after it imputed under {self._imputation(event)})"
                if strategy in ("treatment policy", "hypothetical")
                else ""
            )
            for event, strategy in self.intercurrent_events.items()
        )
        return (
            f"Population: {self.population}. Variable: {self.variable}. Intercurrent events: "
            f"{events or 'none'}. Summary measure: {self.summary_measure}."
        )

    def _imputation(self, event: str) -> str:
        return self.imputation.get(event, _DEFAULT_IMPUTATION[self.intercurrent_events[event]])

    def prepare(
        self, trial: Any, *, instrument: str, value: str = "chg", outcome_type: str = "continuous"
    ) -> PreparedEstimand:
        """Apply the estimand to a (derived) TrialData's rows of ``instrument``.

        Parameters
        ----------
        trial : TrialData
            With ``events`` and a schedule; derived if ``value`` is a derived column.
        instrument : str
        value : str
            The analysed column (``chg``, ``total``, ``response``, ...).
        outcome_type : {"continuous", "binary"}
            Composite strategies need a binary outcome (set to False after the event).
        """
        frame = trial.frame
        rows = frame[frame[col.INSTRUMENT] == instrument].copy()
        if rows.empty:
            raise ModelSpecificationError(f"the trial has no {instrument!r} rows")
        first = _first_events(trial.events, list(self.intercurrent_events))
        visits = _first_visit_after(rows, trial.schedule, first)
        first = first.assign(
            visit=visits, ice_strategy=first["event"].map(self.intercurrent_events)
        )
        if (first["ice_strategy"] == "composite").any() and outcome_type != "binary":
            raise ModelSpecificationError(
                "a composite strategy sets the outcome unfavourable after the event: it needs "
                "outcome_type='binary' (e.g. response); for a continuous variable choose another"
            )
        after = _after_event(rows, first)
        strategy_of_row = rows[col.SUBJECT].map(first.set_index(col.SUBJECT)["ice_strategy"])
        remove = after & strategy_of_row.isin(["hypothetical", "while on treatment"])
        unfavourable = after & (strategy_of_row == "composite")
        rows[value] = rows[value].mask(remove)
        if unfavourable.any():
            rows.loc[unfavourable, value] = False
        table = pd.DataFrame(
            {
                "subject": first[col.SUBJECT],
                "strategy": [self._imputation(e) for e in first["event"]],
                "visit": first["visit"],
            }
        )
        table = table[first["ice_strategy"].isin(["treatment policy", "hypothetical"]).to_numpy()]
        notes = [
            f"{len(first)} subjects with an intercurrent event "
            f"({', '.join(f'{e}: {k}' for e, k in first['event'].value_counts().items())})",
            f"{int(remove.sum())} values after a hypothetical or while-on-treatment event removed",
        ]
        if unfavourable.any():
            notes.append(f"{int(unfavourable.sum())} values after a composite event set to False")
        return PreparedEstimand(rows, table.reset_index(drop=True), first, tuple(notes))


def _first_events(events: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    named = events[events["event"].isin(names)].dropna(subset=["day"])
    first = named.sort_values([col.SUBJECT, "day"], kind="stable").drop_duplicates(col.SUBJECT)
    return first[[col.SUBJECT, "event", "day"]].reset_index(drop=True)


def _first_visit_after(rows: pd.DataFrame, schedule: Any, first: pd.DataFrame) -> list[Any]:
    """The first visit (of the instrument) after each subject's event day."""
    order = [v for v in schedule.visit_names if v in set(rows[col.VISIT].astype(str))]
    nominal = {v.name: v.day for v in schedule.visits if v.name in order}
    actual = rows.groupby([col.SUBJECT, col.VISIT], observed=True)[col.STUDY_DAY].first()
    out: list[Any] = []
    for subject, day in zip(first[col.SUBJECT], first["day"], strict=True):
        found = None
        for visit in order:
            seen = actual.get((subject, visit), np.nan)
            when = seen if pd.notna(seen) else nominal.get(visit)
            if when is not None and when > day:
                found = visit
                break
        out.append(found)
    return out


def _after_event(rows: pd.DataFrame, first: pd.DataFrame) -> pd.Series:
    """Rows on or after each subject's first affected visit."""
    position = {v: i for i, v in enumerate(rows[col.VISIT].cat.categories)}
    start = rows[col.SUBJECT].map(
        first.set_index(col.SUBJECT)["visit"].map(lambda v: position.get(v, np.inf))
    )
    here = rows[col.VISIT].map(position).astype(float)
    return (here >= start.astype(float)).fillna(False).astype(bool)
