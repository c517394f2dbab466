"""What an analysis of a plan declares, and what it runs on.

An :class:`Analysis` is one entry of a plan (``[primary]``, ``[secondary] trait``, ...). It
declares its plan key and typed spec (checked with the plan), its lines of the plan template,
what it requires of other analyses, what it requires of the data (:meth:`Analysis.check`, on the
:class:`Facts` of the data, before any analysis runs), and how it runs on a :class:`Context`. It
returns a :class:`Produced`: tidy frames, the value later analyses use (a fit, the responder
rates, ...), notes, and the methods sentence of what it did; and from that its tables and
figures, with their captions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

import outcomes
from outcomes import tables
from outcomes.report.spec import Flag, Key

if TYPE_CHECKING:
    from outcomes.report.plan import Plan

__all__ = [
    "AFTER_DOSE",
    "OPTIONAL",
    "WITH_BASELINE",
    "Analysis",
    "Context",
    "Drawer",
    "Facts",
    "Maker",
    "Produced",
    "after_dose",
    "derived_records",
    "doses",
    "frame_table",
    "instrument_label",
]

#: Phases of the rows the longitudinal analyses use.
AFTER_DOSE = ("post-dose", "follow-up")
#: And with the baseline rows, which carry every randomised participant into an imputation.
WITH_BASELINE = ("baseline", *AFTER_DOSE)

#: The key of an analysis's table that lets it be skipped, said so, when the data do not fit it.
OPTIONAL = {"optional": Key(Flag())}

#: Draws a figure on the axes it is given.
Drawer = Callable[[Any], Any]
#: Makes a table (or several, or none for no data) when asked.
Maker = Callable[[], "tables.Table | list[tables.Table] | None"]


@dataclass(frozen=True)
class Facts:
    """What the checks of a plan need to know of the derived data.

    Examples
    --------
    >>> facts = Facts(outcomes.derive(outcomes.load_sample()))
    >>> facts.arms, facts.after_dose("madrs")[:2]
    (['DMT', 'PLACEBO'], ['DAY 2', 'WEEK 1'])
    """

    trial: outcomes.TrialData

    @property
    def frame(self) -> pd.DataFrame:
        return self.trial.frame

    @cached_property
    def arms(self) -> list[str]:
        return sorted(self.frame["arm"].dropna().astype(str).unique())

    @cached_property
    def instruments(self) -> list[str]:
        return sorted(self.frame["instrument"].unique())

    @cached_property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def visits(self, instrument: str) -> list[str]:
        """The visits at which ``instrument`` was scored, in visit order."""
        return _visits(self.frame[self.frame["instrument"] == instrument])

    def after_dose(self, instrument: str) -> list[str]:
        """The visits after the first dose at which ``instrument`` was scored."""
        return [str(v) for v in after_dose(self.frame, instrument)["visit"].cat.categories]


def _visits(rows: pd.DataFrame) -> list[str]:
    return [str(v) for v in rows["visit"].cat.remove_unused_categories().cat.categories]


def after_dose(frame: pd.DataFrame, instrument: str) -> pd.DataFrame:
    """The rows of ``instrument`` after the first dose, with only their visits as categories.

    Examples
    --------
    >>> rows = after_dose(outcomes.derive(outcomes.load_sample()).frame, "madrs")
    >>> list(rows["visit"].cat.categories)[:2], sorted(rows["phase"].unique())
    (['DAY 2', 'WEEK 1'], ['follow-up', 'post-dose'])
    """
    rows = frame[(frame["instrument"] == instrument) & frame["phase"].isin(AFTER_DOSE)]
    return rows.assign(visit=rows["visit"].cat.remove_unused_categories())


def instrument_label(trial: outcomes.TrialData, instrument: str) -> str:
    """The title of ``instrument`` in ``trial`` (its name if it has none).

    Examples
    --------
    >>> instrument_label(outcomes.load_sample(), "madrs")
    'Montgomery–Åsberg Depression Rating Scale'
    """
    known = trial.instruments.get(instrument)
    return known.title if known is not None and known.title else instrument


def derived_records(rows: pd.DataFrame) -> str:
    """How many of ``rows`` the data derive rather than observe, by kind; ``""`` for none.

    Examples
    --------
    >>> derived_records(pd.DataFrame({"dtype": ["LOCF", None, "LOCF", "WOCF"]}))
    '2 carried forward (LOCF), 1 derived as WOCF'
    """
    if "dtype" not in rows.columns:
        return ""
    counts = rows["dtype"].dropna().astype(str).value_counts().sort_index()
    return ", ".join(
        f"{n} carried forward (LOCF)" if kind == "LOCF" else f"{n} derived as {kind}"
        for kind, n in counts.items()
    )


def doses(trial: outcomes.TrialData) -> int:
    """The number of dosing sessions of ``trial``'s schedule.

    Examples
    --------
    >>> doses(outcomes.load_sample())
    2
    """
    return len(trial.schedule.sessions)


@dataclass(frozen=True)
class Produced:
    """What an analysis produced.

    Attributes
    ----------
    frames : mapping of DataFrame
        Its tidy results, at full precision, by name (``results.json``).
    value : Any
        What its tables, figures and later analyses use (a fit, rates by outcome, ...).
    notes : tuple of str
        What it noted (rows left out, events, ...).
    methods : str
        The methods sentence of what it did.
    """

    frames: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    value: Any = None
    notes: tuple[str, ...] = ()
    methods: str = ""


@dataclass
class Context:
    """A plan being run: its data, and what the analyses run so far produced, by name."""

    plan: Plan
    raw: outcomes.TrialData
    trial: outcomes.TrialData
    progress: Callable[[str], None] = lambda line: None
    produced: dict[str, Produced] = field(default_factory=dict)

    @property
    def instrument(self) -> str:
        return self.plan.primary["instrument"]

    @property
    def visit(self) -> str:
        return self.plan.primary["visit"]

    def label(self, instrument: str) -> str:
        """The instrument's title, as the methods name it (its name if it has none)."""
        return instrument_label(self.trial, instrument)

    @cached_property
    def rows(self) -> pd.DataFrame:
        """The primary instrument's rows after the first dose, with only their visits."""
        return after_dose(self.trial.frame, self.instrument)

    @cached_property
    def with_baseline(self) -> pd.DataFrame:
        """The primary instrument's rows from baseline on: every randomised participant."""
        frame = self.trial.frame
        return frame[(frame["instrument"] == self.instrument) & frame["phase"].isin(WITH_BASELINE)]

    def value(self, name: str) -> Any:
        """The value the analysis ``name`` produced; ``None`` if it did not run."""
        produced = self.produced.get(name)
        return None if produced is None else produced.value


class Analysis:
    """One analysis a plan can ask for; subclasses declare the class attributes.

    Attributes
    ----------
    name : str
        Its name in the run (and in ``requires``).
    section : str or None
        The plan section it is in: ``"primary"``, ``"estimand"``, ``"secondary"``,
        ``"sensitivity"``; ``None`` for one that always runs (the descriptive outputs).
    key : str or None
        Its key in the section (``[secondary] trait``); ``None`` when it is the whole section.
    spec : Key or Section or None
        What its entry takes (a :class:`~outcomes.report.spec.Section` for a whole section).
    template : str
        Its lines of the plan template, commented.
    requires : tuple of str
        Analyses that must run before it, and without which it cannot.
    tables, figures : mapping of str to str
        The tables and figures it can make, each with its caption.
    """

    name: ClassVar[str]
    section: ClassVar[str | None] = "secondary"
    key: ClassVar[str | None] = None
    spec: ClassVar[Any] = None
    template: ClassVar[str] = ""
    requires: ClassVar[tuple[str, ...]] = ()
    tables: ClassVar[Mapping[str, str]] = {}
    figures: ClassVar[Mapping[str, str]] = {}

    @property
    def place(self) -> str:
        """Where it is in a plan, as problems name it: ``[secondary] trait``."""
        return f"[{self.section or self.name}]" + (f" {self.key}" if self.key else "")

    def entry(self, plan: Plan) -> Any:
        """The plan's entry of this analysis (``None``, empty or false: not asked for)."""
        if self.section is None:
            return {}
        section = getattr(plan, self.section)
        return section if self.key is None else section.get(self.key)

    def asked(self, plan: Plan) -> bool:
        """Whether the plan runs it."""
        return self.section is None or bool(self.entry(plan))

    def optional(self, plan: Plan) -> bool:
        """Whether the plan lets it be skipped when the data do not fit it."""
        entry = self.entry(plan)
        return isinstance(entry, dict) and bool(entry.get("optional"))

    def output_needs(self, plan: Plan, name: str) -> str | None:
        """What table or figure ``name`` needs of the plan beyond this analysis; ``None``."""
        return None

    def check(self, plan: Plan, facts: Facts) -> list[str]:
        """What the data lack for this analysis, each problem located; none by default."""
        return []

    def run(self, context: Context) -> Produced:
        """Run it on the context; what it produced."""
        raise NotImplementedError

    def make_tables(self, context: Context, produced: Produced) -> Mapping[str, Maker]:
        """Its tables by name, each made when asked for."""
        return {}

    def make_figures(self, context: Context, produced: Produced) -> Mapping[str, Drawer]:
        """Its figures by name (``responders_remission``: a part of ``responders``)."""
        return {}

    def caption(self, figure: str, part: str) -> str:
        """The caption of a figure it makes, or of its ``part`` (``""`` for the first)."""
        caption = self.figures[figure]
        return f"{caption} ({part})" if part else caption


def frame_table(produced: Produced, name: str, title: str) -> tables.Table | None:
    """A frame the analysis produced as a formatted table; ``None`` if it did not."""
    frame = produced.frames.get(name)
    return None if frame is None else tables.from_frame(frame, title=title)
