"""The analysis plan: a TOML file that declares the data, the estimand and every analysis.

:func:`read_plan` reads a plan and checks it against :data:`SECTIONS`, the declaration of every
section and key of a plan (what it takes, its bounds, whether it is required, its default): every
problem is reported at once, with where it is (``[section] key``) and what is wrong, before any
analysis runs. The files a plan names are looked for relative to the plan's folder, and a missing
or unreadable one is a problem of the plan. :data:`TEMPLATE` is the commented plan that
``outcomes plan init`` writes, and the plan that ``outcomes report --sample`` runs.

Absurd plans are refused before any work: a file of more than :data:`MAX_PLAN_BYTES`, TOML nested
more than :data:`MAX_NESTING` deep or with a key of more than :data:`MAX_KEY_PARTS` dotted parts
(either would make the TOML parser itself exhaust its stack or the memory), and every value
beyond its bounds.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from outcomes.errors import OutcomesError, ReadError
from outcomes.io.formats import check_file, read_table
from outcomes.io.read import LAYOUTS
from outcomes.models.imputation import ICE_STRATEGIES, STRATEGIES
from outcomes.models.formula import MAX_FORMULA_LENGTH, FormulaError, parse_terms
from outcomes.models.mmrm import DF_METHODS
from outcomes.models.mmrm.formula import parse_formula
from outcomes.models.multiplicity import METHODS as MULTIPLICITY_METHODS
from outcomes.textfiles import MAX_KEY_PARTS, MAX_NESTING, check_readable, parse_toml, read_text

__all__ = [
    "FIGURES",
    "MAX_KEY_PARTS",
    "MAX_NESTING",
    "MAX_PLAN_BYTES",
    "SECTIONS",
    "TABLES",
    "TEMPLATE",
    "Plan",
    "PlanError",
    "read_plan",
]

#: The largest plan file read, in bytes.
MAX_PLAN_BYTES = 1_000_000
#: Problems a :class:`PlanError`'s message lists (its ``problems`` has every one).
_SHOWN_PROBLEMS = 50
#: Keys of one table that are reported as unknown one by one; the others are counted.
_SHOWN_UNKNOWN = 20
#: Characters of a text, and of a file name, that a problem quotes.
_SHOWN_LENGTH = 40
_SHOWN_FILE_NAME = 200
#: The value of ``[data] source`` and ``[secondary] blinding guesses`` for the built-in data.
_SAMPLE = "sample"

#: Tables a plan can ask for.
TABLES: tuple[str, ...] = (
    "baseline",
    "visit_summary",
    "lsmeans",
    "responders",
    "effect_sizes",
    "trait",
    "multiplicity",
    "trajectories",
    "repeated_dosing",
    "durability",
    "blinding",
    "sensitivity",
    "tipping_point",
)
#: Figures a plan can ask for.
FIGURES: tuple[str, ...] = (
    "observed_means",
    "lsmeans",
    "change",
    "individual",
    "waterfall",
    "responders",
    "forest",
    "missingness",
    "tipping_point",
    "acute_vs_outcome",
)

TEMPLATE = """\
# An analysis plan for `outcomes report PLAN.toml --out DIR`.
# Every analysis below is run on the data, and the report shows the tables and figures listed
# under [report]. Lines starting with # are comments. File names are relative to this file's
# folder. Names (of visits, arms, instruments, outcomes, events) are one line of at most 200
# characters; the plan file is at most 1 MB.

[study]
title = "DMT versus placebo in major depressive disorder (sample trial)"  # at most 300 characters
seed = 2026                      # seeds every random draw (multiple imputation): 0 to 4294967295

[data]
source = "sample"                # "sample" (the built-in trial) or a score file's path
# layout = "long"                # long, wide, sdtm-qs, adam-adqs, redcap; detected when not given
# instrument = "madrs"           # the instrument of a file that holds only one
# schedule = "schedule.toml"     # schedule of assessments and dosing sessions
# events = "events.csv"          # intercurrent events: subject, event, day, detail
# subjects = "dm.xpt"            # subject-level table with the arm (CDISC DM, ADSL)

[arms]
reference = "PLACEBO"            # the control arm

[primary]
instrument = "madrs"
formula = "chg ~ base * visit + arm * visit + us(visit | subject)"  # at most 2000 characters
visit = "WEEK 2"                 # the primary time point
df = "kenward-roger"             # satterthwaite, kenward-roger, between-within, residual

[estimand]                       # texts of at most 1000 characters
variable = "change from baseline in MADRS total at week 2"
population = "all randomised participants"

[estimand.intercurrent_events]   # event (as in the events table) = ICH E9(R1) strategy; up to 50
discontinuation = "treatment policy"
unblinding = "treatment policy"
"rescue medication" = "hypothetical"

[secondary]
responders = ["response", "remission"]   # binary outcomes of `outcomes.derive`, by visit; up to 20
effect_sizes = true                       # Cohen's d on change, and the MMRM difference / SD
trait = { instrument = "neo-ffi-n", pre = "BASELINE", post = "WEEK 12", acute = "meq30" }
multiplicity = { method = "holm", visits = ["WEEK 1", "WEEK 4"] }  # up to 200 visits
trajectories = { random = "1 + weeks" }   # mixed model over weeks, broken at the second dose
repeated_dosing = { margin = 3.0 }        # acute response per dose; TOST of dose 2 vs dose 1
durability = { outcome = "response", anchor = "WEEK 2" }  # still responding at later visits
blinding = { guesses = "sample" }         # end-of-treatment guesses: a table (arm, guess)
# trajectories' random effects: at most 200 characters; the margin: above 0, at most 1000000

[sensitivity]
strategies = ["MAR", "J2R", "CR", "CIR"]  # reference-based multiple imputation (or LMCF)
n_imputations = 200                       # 2 to 10000
tipping_point = { visit = "WEEK 3", deltas = [0, 4, 8, 12, 16, 20, 24, 28, 32] }
# deltas: up to 200, each from -1000000 to 1000000; strategy = "J2R" (one of the strategies
# above) is the default, or the first of them when J2R is not among them

[report]
tables = ["baseline", "visit_summary", "lsmeans", "responders", "effect_sizes", "trait",
          "multiplicity", "trajectories", "repeated_dosing", "durability", "blinding",
          "sensitivity", "tipping_point"]
figures = ["observed_means", "lsmeans", "change", "individual", "waterfall", "responders",
           "forest", "missingness", "tipping_point", "acute_vs_outcome"]
suppress_below = 5               # hide counts below this in baseline tables (0: none); up to 100
"""


class PlanError(OutcomesError, ValueError):
    """A plan with problems: ``problems`` lists each, located."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems[:_SHOWN_PROBLEMS])
        if len(problems) > _SHOWN_PROBLEMS:
            listed += f"\n  ... and {len(problems) - _SHOWN_PROBLEMS} more"
        super().__init__(f"{len(problems)} problem(s) in the plan {path}:\n{listed}")


@dataclass(frozen=True)
class Plan:
    """A checked analysis plan (see :data:`TEMPLATE` for every key)."""

    title: str
    seed: int
    data: dict[str, Any]
    reference: str
    primary: dict[str, Any]
    estimand: dict[str, Any]
    secondary: dict[str, Any]
    sensitivity: dict[str, Any]
    tables: tuple[str, ...]
    figures: tuple[str, ...]
    suppress_below: int
    path: str = "<template>"
    base: Path = field(default_factory=Path.cwd)
    text: str = ""

    def file(self, name: str | None) -> Path | None:
        """A file the plan names, relative to the plan's folder; ``None`` for none or "sample"."""
        return None if name is None or name == _SAMPLE else _resolve(self.base, name)

    def data_path(self, key: str) -> Path | None:
        """The data file ``[data] key`` of the plan (see :meth:`file`)."""
        return self.file(self.data.get(key))


def read_plan(source: str | Path | None = None) -> Plan:
    """Read and check a plan; ``None`` gives the built-in plan of :data:`TEMPLATE`.

    Raises
    ------
    PlanError
        Listing every problem, each with its section and key.

    Examples
    --------
    >>> plan = read_plan()
    >>> plan.primary["visit"], plan.sensitivity["strategies"]
    ('WEEK 2', ['MAR', 'J2R', 'CR', 'CIR'])
    """
    if source is None:
        text, name, base = TEMPLATE, "<template>", Path.cwd()
    else:
        path = Path(source)
        text, name, base = _plan_text(path), str(path), path.resolve().parent
    checking = _Checking(base)
    sections = _check(_parse(text, name), checking)
    if checking.problems:
        raise PlanError(name, checking.problems)
    study, report = sections["study"], sections["report"]
    return Plan(
        title=study["title"],
        seed=study["seed"],
        data=sections["data"],
        reference=sections["arms"]["reference"],
        primary=sections["primary"],
        estimand=sections["estimand"],
        secondary=sections["secondary"],
        sensitivity=sections["sensitivity"],
        tables=tuple(report["tables"]),
        figures=tuple(report["figures"]),
        suppress_below=report["suppress_below"],
        path=name,
        base=base,
        text=text,
    )


# -- reading --------------------------------------------------------------------------------------

def _plan_text(path: Path) -> str:
    """The text of a plan file, of at most :data:`MAX_PLAN_BYTES` of UTF-8."""
    try:
        return read_text(path, limit=MAX_PLAN_BYTES)
    except OSError as exc:  # ReadError included
        raise PlanError(str(path), [f"cannot read it: {exc}"]) from exc


def _parse(text: str, name: str) -> dict[str, Any]:
    """The TOML of a plan, refused unread when it is too deep for the parser."""
    try:
        return parse_toml(text)
    except ValueError as exc:
        raise PlanError(name, [str(exc)]) from exc


# -- checking -------------------------------------------------------------------------------------

#: What a check returns for a value with a problem (already reported).
_INVALID: Any = object()


@dataclass
class _Checking:
    """What checking a plan needs besides its values: the plan's folder; the problems found."""

    base: Path
    problems: list[str] = field(default_factory=list)

    def bad(self, place: _Place, what: str) -> Any:
        """Report a problem of the value at ``place``; returns :data:`_INVALID`."""
        self.problems.append(f"{place}: {what}")
        return _INVALID


@dataclass(frozen=True)
class _Place:
    """Where a value is: ``[section] key key``, or ``[section.table] key`` in a free-form table."""

    section: str
    keys: tuple[str, ...] = ()

    def __str__(self) -> str:
        return " ".join([f"[{_name(self.section)}]", *map(_name, self.keys)])

    def key(self, name: str) -> _Place:
        return _Place(self.section, (*self.keys, name))

    def table(self) -> _Place:
        """The place of the keys of the free-form table here."""
        return _Place(".".join([self.section, *self.keys]))


class Value(Protocol):
    """What a key takes: ``kinds`` are the TOML value types it takes (as Python types)."""

    kinds: tuple[type, ...]

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        """The value, checked (problems reported to ``checking``), or :data:`_INVALID`."""


@dataclass(frozen=True)
class Text:
    """Text in quotes, not blank, of at most ``max_length`` characters.

    Unless ``any_character``, one line without control characters or bidirectional overrides.
    """

    max_length: int
    any_character: bool = False
    kinds = (str,)

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        if not isinstance(value, str):
            return checking.bad(place, f"{_shown(value)} is not text in quotes")
        if not value.strip():
            return checking.bad(place, f"{_shown(value)} is blank")
        if len(value) > self.max_length:
            return checking.bad(
                place, f"{_shown(value)} is longer than {self.max_length:,} characters"
            )
        control = None if self.any_character else _CONTROL.search(value)
        if control:
            code = ord(control.group())
            return checking.bad(place, f"{_shown(value)} holds a control character (U+{code:04X})")
        return value


@dataclass(frozen=True)
class Formula:
    """A formula, read by the package's grammar (:mod:`outcomes.models.formula`) with ``parse``.

    Its names are checked against the data's columns once the data are read
    (:func:`outcomes.report.analyses.check_against_data`).
    """

    parse: Callable[[str], Any]
    kinds = (str,)

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        text = Text(MAX_FORMULA_LENGTH, any_character=True).check(value, place, checking)
        if text is _INVALID:
            return text
        try:
            self.parse(text)
        except FormulaError as exc:
            return checking.bad(place, str(exc))
        return text


@dataclass(frozen=True)
class Whole:
    """A whole number from ``low`` to ``high``."""

    low: int
    high: int
    kinds = (int,)

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        if not _is_number(value, int) or not self.low <= value <= self.high:
            return checking.bad(
                place, f"{_shown(value)} is not a whole number from {self.low} to {self.high}"
            )
        return value


@dataclass(frozen=True)
class Number:
    """A number (whole or not) from ``low`` to ``high``, or above ``low`` if ``above``."""

    low: float
    high: float
    above: bool = False
    kinds = (int, float)

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        # comparing, not converting: a whole number of 400 digits is too large for a float
        in_range = _is_number(value, int | float) and (
            self.low < value <= self.high if self.above else self.low <= value <= self.high
        )
        if not in_range:
            lowest = f"above {self.low:,} and at most" if self.above else f"from {self.low:,} to"
            return checking.bad(place, f"{_shown(value)} is not a number {lowest} {self.high:,}")
        return value


@dataclass(frozen=True)
class Flag:
    """True or false."""

    kinds = (bool,)

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        if not isinstance(value, bool):
            return checking.bad(place, f"{_shown(value)} is not true or false")
        return value


@dataclass(frozen=True)
class Choice:
    """One of ``options``."""

    options: tuple[str, ...]
    kinds = (str,)

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        if not isinstance(value, str) or value not in self.options:
            listed = ", ".join(map(json.dumps, self.options))
            return checking.bad(place, f"{_shown(value)} is not among [{listed}]")
        return value


@dataclass(frozen=True)
class Items:
    """A list of at most ``max_items`` values, each as ``of`` says, none twice.

    Not empty if ``needed``.
    """

    of: Value
    max_items: int
    needed: bool = False
    kinds = (list,)

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        if not isinstance(value, list):
            return checking.bad(place, f"{_shown(value)} is not a list [...]")
        if len(value) > self.max_items:
            return checking.bad(place, f"{len(value):,} values, more than {self.max_items}")
        if self.needed and not value:
            return checking.bad(place, "an empty list; give at least one value")
        items = []
        for item in value:
            checked = self.of.check(item, place, checking)
            if checked is _INVALID:
                continue
            if checked in items:
                checking.bad(place, f"{_shown(checked)} is listed twice")
                continue
            items.append(checked)
        return items


@dataclass(frozen=True)
class Key:
    """A key of a table: what it takes, whether it must be given, its value when it is not
    (``default``; ``None`` for none)."""

    of: Value
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class Table:
    """A table of the keys ``keys`` (an inline table ``{ ... }``, or a section)."""

    keys: Mapping[str, Key]
    kinds = (dict,)

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        if not isinstance(value, dict):
            return checking.bad(place, f"{_shown(value)} is not a table {{ ... }}")
        unknown = [k for k in value if k not in self.keys]
        for name in unknown[:_SHOWN_UNKNOWN]:
            checking.bad(place.key(name), f"not a key of {place}{_unknown(name, self.keys)}")
        if len(unknown) > _SHOWN_UNKNOWN:
            checking.bad(place, f"and {len(unknown) - _SHOWN_UNKNOWN:,} more that are not its keys")
        checked = {}
        for name, key in self.keys.items():
            if name in value:
                checked[name] = key.of.check(value[name], place.key(name), checking)
            elif key.required:
                checking.problems.append(f"{place.key(name)} is missing")
            elif key.default is not None:
                checked[name] = copy.deepcopy(key.default)
        return {k: v for k, v in checked.items() if v is not _INVALID}


@dataclass(frozen=True)
class Section(Table):
    """A section of a plan: a table that may be left out unless ``required``.

    An ``analysis`` left out or empty is not run, and its keys get no defaults.
    """

    required: bool = False
    analysis: bool = False

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        if value is None:
            if self.required:
                checking.problems.append(f"{place} is missing")
            if self.required or self.analysis:
                return {}
            value = {}
        elif self.analysis and value == {}:
            return {}
        checked = super().check(value, place, checking)
        return {} if checked is _INVALID else checked


@dataclass(frozen=True)
class Events:
    """A free-form table of up to ``max_items`` keys: each a ``name``, its value a ``strategy``."""

    name: Text
    strategy: Choice
    max_items: int
    kinds = (dict,)

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        if not isinstance(value, dict):
            return checking.bad(place, f"{_shown(value)} is not a table {{ ... }}")
        if len(value) > self.max_items:
            return checking.bad(place, f"{len(value):,} keys, more than {self.max_items}")
        checked = {}
        for name, strategy in value.items():
            at = place.table().key(name)
            if self.name.check(name, at, checking) is not _INVALID:
                checked[name] = self.strategy.check(strategy, at, checking)
        return {k: v for k, v in checked.items() if v is not _INVALID}


@dataclass(frozen=True)
class File:
    """The name of a file, relative to the plan's folder, that must be there and readable.

    A ``table`` is a file :func:`~outcomes.io.formats.read_table` takes on; with ``columns`` it
    is read, to check it has them. ``sample`` allows ``"sample"``, the built-in data.
    """

    table: bool = True
    sample: bool = False
    columns: tuple[str, ...] = ()
    kinds = (str,)

    def check(self, value: Any, place: _Place, checking: _Checking) -> Any:
        name = _PATH.check(value, place, checking)
        if name is _INVALID or (self.sample and name == _SAMPLE):
            return name
        problem = self._problem(_resolve(checking.base, name), _file_name(name))
        return name if problem is None else checking.bad(place, problem)

    def _problem(self, path: Path, name: str) -> str | None:
        """What is wrong with the file, or ``None``; nothing of its content is shown."""
        try:
            if not path.exists():
                return f"no file {name} (looked in {path.parent})"
            if not self.table:
                check_readable(path)
            elif self.columns:
                absent = [c for c in self.columns if c not in read_table(path).columns]
                if absent:
                    return f"{name} has no column {', '.join(map(repr, absent))}"
            else:
                check_file(path)
        except ReadError as exc:
            return str(exc)
        except OSError as exc:  # a name too long for the system, a folder that cannot be entered
            return f"{name} cannot be looked for ({exc.strerror})"
        return None


#: Names (of visits, arms, instruments, outcomes, events), descriptions, and file names.
_NAME = Text(200)
_DESCRIPTION = Text(1000)
_PATH = Text(4096)

#: Every section of a plan and every key of each: what it takes, its bounds, its default.
SECTIONS: Mapping[str, Section] = MappingProxyType(
    {
        "study": Section(
            {
                "title": Key(Text(300), required=True),
                "seed": Key(Whole(0, 2**32 - 1), default=0),  # every numpy seed takes these
            },
            required=True,
        ),
        "data": Section(
            {
                "source": Key(File(sample=True), required=True),
                "layout": Key(Choice(LAYOUTS)),
                "instrument": Key(_NAME),
                "schedule": Key(File(table=False)),
                "events": Key(File()),
                "subjects": Key(File()),
            },
            required=True,
        ),
        "arms": Section({"reference": Key(_NAME, required=True)}, required=True),
        "primary": Section(
            {
                "instrument": Key(_NAME, required=True),
                "formula": Key(Formula(parse_formula), required=True),
                "visit": Key(_NAME, required=True),
                "df": Key(Choice(DF_METHODS), default="satterthwaite"),
            },
            required=True,
        ),
        "estimand": Section(
            {
                "variable": Key(_DESCRIPTION, required=True),
                "population": Key(_DESCRIPTION),
                "intercurrent_events": Key(Events(_NAME, Choice(ICE_STRATEGIES), 50)),
            },
            analysis=True,
        ),
        "secondary": Section(
            {
                "responders": Key(Items(_NAME, 20), default=[]),
                "effect_sizes": Key(Flag(), default=False),
                "trait": Key(
                    Table(
                        {
                            "instrument": Key(_NAME, required=True),
                            "pre": Key(_NAME, required=True),
                            "post": Key(_NAME, required=True),
                            "acute": Key(_NAME),
                        }
                    )
                ),
                "multiplicity": Key(
                    Table(
                        {
                            "method": Key(Choice(MULTIPLICITY_METHODS)),
                            "visits": Key(Items(_NAME, 200, needed=True), required=True),
                        }
                    )
                ),
                "trajectories": Key(Table({"random": Key(Formula(parse_terms), required=True)})),
                "repeated_dosing": Key(
                    Table({"margin": Key(Number(0, 1_000_000, above=True), required=True)})
                ),
                "durability": Key(
                    Table(
                        {
                            "outcome": Key(_NAME, required=True),
                            "anchor": Key(_NAME, required=True),
                        }
                    )
                ),
                "blinding": Key(
                    Table(
                        {
                            "guesses": Key(
                                File(sample=True, columns=("arm", "guess")), required=True
                            )
                        }
                    )
                ),
            }
        ),
        "sensitivity": Section(
            {
                "strategies": Key(
                    Items(Choice(STRATEGIES), len(STRATEGIES), needed=True), default=["MAR"]
                ),
                "n_imputations": Key(Whole(2, 10_000), default=100),
                "tipping_point": Key(
                    Table(
                        {
                            "visit": Key(_NAME, required=True),
                            "deltas": Key(
                                Items(Number(-1_000_000, 1_000_000), 200, needed=True),
                                required=True,
                            ),
                            "strategy": Key(Choice(STRATEGIES)),
                        }
                    )
                ),
            },
            analysis=True,
        ),
        "report": Section(
            {
                "tables": Key(Items(Choice(TABLES), len(TABLES)), default=[]),
                "figures": Key(Items(Choice(FIGURES), len(FIGURES)), default=[]),
                "suppress_below": Key(Whole(0, 100), default=0),
            }
        ),
    }
)


def _check(raw: Mapping[str, Any], checking: _Checking) -> dict[str, dict[str, Any]]:
    """Every section of a plan checked against :data:`SECTIONS`, in one pass."""
    unknown = [name for name in raw if name not in SECTIONS]
    for name in unknown[:_SHOWN_UNKNOWN]:
        checking.problems.append(
            f"{_Place(name)} is not a section of a plan{_unknown(name, SECTIONS)}"
        )
    if len(unknown) > _SHOWN_UNKNOWN:
        checking.problems.append(
            f"and {len(unknown) - _SHOWN_UNKNOWN:,} more that are not sections of a plan"
        )
    sections = {
        name: section.check(raw.get(name), _Place(name), checking)
        for name, section in SECTIONS.items()
    }
    _check_tipping_strategy(sections["sensitivity"], checking)
    return sections


def _check_tipping_strategy(sensitivity: dict[str, Any], checking: _Checking) -> None:
    """The tipping point's strategy must be one of the strategies run."""
    strategy = sensitivity.get("tipping_point", {}).get("strategy")
    strategies = sensitivity.get("strategies")
    if strategy is not None and strategies is not None and strategy not in strategies:
        checking.bad(
            _Place("sensitivity", ("tipping_point", "strategy")),
            f"{_shown(strategy)} is not among the strategies {_shown(strategies)}",
        )


# -- helpers --------------------------------------------------------------------------------------

#: Characters a one-line text may not hold: control characters (tab and line feed too), line and
#: paragraph separators, and the bidirectional embeddings, overrides and isolates, which make a
#: text display other than it reads.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _resolve(base: Path, name: str) -> Path:
    """A file name of a plan as a path: relative to the plan's folder ``base``."""
    path = Path(name)
    return path if path.is_absolute() else base / path


def _is_number(value: Any, kinds: Any) -> bool:
    """``value`` is of ``kinds``, finite, and not a boolean (which Python counts as 0 or 1)."""
    if isinstance(value, bool) or not isinstance(value, kinds):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _unknown(name: str, known: Mapping[str, Any]) -> str:
    """The rest of a message about an unknown ``name``: the known name it may stand for."""
    close = difflib.get_close_matches(name[:64], list(known), n=1)
    return f"; did you mean {close[0]}?" if close else f" ({', '.join(known)})"


def _file_name(name: str) -> str:
    """A file name in quotes, cut short."""
    if len(name) <= _SHOWN_FILE_NAME:
        return repr(name)
    return f"{name[:_SHOWN_FILE_NAME]!r}... ({len(name):,} characters)"


def _name(key: str) -> str:
    """A key or section name as TOML writes it: bare if it can be, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else _shown(key)


def _shown(value: Any, depth: int = 0) -> str:
    """A value of a plan as TOML writes it, cut short, and every unprintable character escaped.

    Examples
    --------
    >>> _shown({"a": {"b": [1, "x\\u202e", float("nan")]}})
    '{ a = { b = [...] } }'
    >>> _shown("x" * 1000)
    '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." (1,000 characters)'
    """
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        digits = str(value)
        return digits if len(digits) <= 20 else f"{digits[:20]}... ({len(digits):,} digits)"
    if isinstance(value, float):
        return repr(value)  # inf, -inf and nan as TOML writes them
    if isinstance(value, list | dict):
        return _shown_container(value, depth)
    return value.isoformat()  # TOML's dates, times and date-times


def _shown_container(value: list | dict, depth: int) -> str:
    """A list or a table: its first three values, two levels deep at most."""
    pairs = isinstance(value, dict)
    opening, closing = ("{ ", " }") if pairs else ("[", "]")
    if not value:
        return "{}" if pairs else "[]"
    if depth >= 2:
        return f"{opening}...{closing}"
    first = itertools.islice(value.items() if pairs else value, 3)
    if pairs:
        items = [f"{_name(k)} = {_shown(v, depth + 1)}" for k, v in first]
    else:
        items = [_shown(v, depth + 1) for v in first]
    more = ", ..." if len(value) > 3 else ""
    return f"{opening}{', '.join(items)}{more}{closing}"


def _quoted(text: str) -> str:
    """Text in double quotes, TOML's escapes for every unprintable character, cut short."""
    quoted = json.dumps(text[:_SHOWN_LENGTH], ensure_ascii=False)
    quoted = "".join(c if c.isprintable() else _escape(c) for c in quoted)
    if len(text) > _SHOWN_LENGTH:
        return f'{quoted[:-1]}..." ({len(text):,} characters)'
    return quoted


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
