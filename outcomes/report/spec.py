"""What a value of an analysis plan may be: the typed spec from which a plan is checked.

A plan's sections are declared (:data:`outcomes.report.plan.SECTIONS`) as :class:`Section` s of
:class:`Key` s, each taking a :class:`Value`: :class:`Text`, :class:`Formula`, :class:`Whole`,
:class:`Number`, :class:`Flag`, :class:`Choice`, :class:`Items`, a :class:`Table` of keys,
:class:`Events` (a free-form table) or a :class:`File`. Checking a value reports every problem to
a :class:`Checking`, each at its :class:`Place` (``[section] key``), and quotes values only as
:func:`shown` writes them: escaped, cut short, never raw control characters.
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
from typing import Any, Protocol

from outcomes.data.events import event_name
from outcomes.errors import InstrumentError, ReadError
from outcomes.instruments.parse import read_definition
from outcomes.io.formats import check_file, read_table
from outcomes.models.core.formula import MAX_FORMULA_LENGTH, FormulaError
from outcomes.terminal import UNPRINTABLE
from outcomes.textfiles import check_readable

__all__ = [
    "DESCRIPTION",
    "NAME",
    "Checking",
    "Choice",
    "Events",
    "File",
    "Flag",
    "Formula",
    "INVALID",
    "Items",
    "Key",
    "Number",
    "Place",
    "Population",
    "SAMPLE",
    "SHOWN_UNKNOWN",
    "Section",
    "Table",
    "Text",
    "Value",
    "Whole",
    "resolve",
    "shown",
    "did_you_mean",
]

#: Keys of one table that are reported as unknown one by one; the others are counted.
SHOWN_UNKNOWN = 20
#: Characters of a text, and of a file name, that a problem quotes.
_SHOWN_LENGTH = 40
_SHOWN_FILE_NAME = 200
#: The value of ``[data] source`` and ``[secondary] blinding guesses`` for the built-in data.
SAMPLE = "sample"

# -- checking -------------------------------------------------------------------------------------

#: What a check returns for a value with a problem (already reported).
INVALID: Any = object()


@dataclass
class Checking:
    """What checking a plan needs besides its values: the plan's folder; the problems found."""

    base: Path
    problems: list[str] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)

    def bad(self, place: Place, what: str) -> Any:
        """Report a problem of the value at ``place``; returns :data:`INVALID`."""
        self.places.append(place)
        self.problems.append(f"{place}: {what}")
        return INVALID

    def missing(self, place: Place) -> None:
        """Report that the required key or section at ``place`` is missing."""
        self.places.append(place)
        self.problems.append(f"{place} is missing")

    def concerns(self, section: str, key: str | None = None) -> bool:
        """Whether a problem was found in ``[section]`` (in its ``key``, when given).

        Examples
        --------
        >>> checking = Checking(Path("."))
        >>> _ = checking.bad(Place("secondary.events", ("x",)), "unknown")
        >>> checking.concerns("secondary", "events"), checking.concerns("secondary", "trait")
        (True, False)
        """
        for place in self.places:
            root, *table = place.section.split(".")
            if root == section and (key is None or [*table, *place.keys][:1] == [key]):
                return True
        return False


@dataclass(frozen=True)
class Place:
    """Where a value is: ``[section] key key``, or ``[section.table] key`` in a free-form table."""

    section: str
    keys: tuple[str, ...] = ()

    def __str__(self) -> str:
        return " ".join([f"[{_name(self.section)}]", *map(_name, self.keys)])

    def key(self, name: str) -> Place:
        return Place(self.section, (*self.keys, name))

    def table(self) -> Place:
        """The place of the keys of the free-form table here."""
        return Place(".".join([self.section, *self.keys]))


class Value(Protocol):
    """What a key takes: ``kinds`` are the TOML value types it takes (as Python types)."""

    kinds: tuple[type, ...]

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        """The value, checked (problems reported to ``checking``), or :data:`INVALID`."""


@dataclass(frozen=True)
class Text:
    """Text in quotes, not blank, of at most ``max_length`` characters.

    Unless ``any_character``, one line without control characters or bidirectional overrides.
    """

    max_length: int
    any_character: bool = False
    kinds = (str,)

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        if not isinstance(value, str):
            return checking.bad(place, f"{shown(value)} is not text in quotes")
        if not value.strip():
            return checking.bad(place, f"{shown(value)} is blank")
        if len(value) > self.max_length:
            return checking.bad(
                place, f"{shown(value)} is longer than {self.max_length:,} characters"
            )
        control = None if self.any_character else UNPRINTABLE.search(value)
        if control:
            code = ord(control.group())
            return checking.bad(place, f"{shown(value)} holds a control character (U+{code:04X})")
        return value


#: Names (of visits, arms, instruments, outcomes, events), and descriptions.
NAME = Text(200)
DESCRIPTION = Text(1000)


@dataclass(frozen=True)
class Formula:
    """A formula, read by the package's grammar (:mod:`outcomes.models.core.formula`), with
    ``parse``.

    Its names are checked against the data's columns once the data are read
    (:func:`outcomes.report.analyses.check_against_data`).
    """

    parse: Callable[[str], Any]
    kinds = (str,)

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        text = Text(MAX_FORMULA_LENGTH, any_character=True).check(value, place, checking)
        if text is INVALID:
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

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        if not _is_number(value, int) or not self.low <= value <= self.high:
            return checking.bad(
                place, f"{shown(value)} is not a whole number from {self.low} to {self.high}"
            )
        return value


@dataclass(frozen=True)
class Number:
    """A number (whole or not) from ``low`` to ``high``, or above ``low`` if ``above``."""

    low: float
    high: float
    above: bool = False
    kinds = (int, float)

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        # comparing, not converting: a whole number of 400 digits is too large for a float
        in_range = _is_number(value, int | float) and (
            self.low < value <= self.high if self.above else self.low <= value <= self.high
        )
        if not in_range:
            lowest = f"above {self.low:,} and at most" if self.above else f"from {self.low:,} to"
            return checking.bad(place, f"{shown(value)} is not a number {lowest} {self.high:,}")
        return value


@dataclass(frozen=True)
class Flag:
    """True or false."""

    kinds = (bool,)

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        if not isinstance(value, bool):
            return checking.bad(place, f"{shown(value)} is not true or false")
        return value


@dataclass(frozen=True)
class Choice:
    """One of ``options``."""

    options: tuple[str, ...]
    kinds = (str,)

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        if not isinstance(value, str) or value not in self.options:
            listed = ", ".join(map(json.dumps, self.options))
            return checking.bad(place, f"{shown(value)} is not among [{listed}]")
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

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        if not isinstance(value, list):
            return checking.bad(place, f"{shown(value)} is not a list [...]")
        if len(value) > self.max_items:
            return checking.bad(place, f"{len(value):,} values, more than {self.max_items}")
        if self.needed and not value:
            return checking.bad(place, "an empty list; give at least one value")
        items = []
        for item in value:
            checked = self.of.check(item, place, checking)
            if checked is INVALID:
                continue
            if checked in items:
                checking.bad(place, f"{shown(checked)} is listed twice")
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

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        if not isinstance(value, dict):
            return checking.bad(place, f"{shown(value)} is not a table {{ ... }}")
        unknown = [k for k in value if k not in self.keys]
        for name in unknown[:SHOWN_UNKNOWN]:
            checking.bad(place.key(name), f"not a key of {place}{did_you_mean(name, self.keys)}")
        if len(unknown) > SHOWN_UNKNOWN:
            checking.bad(place, f"and {len(unknown) - SHOWN_UNKNOWN:,} more that are not its keys")
        checked = {}
        for name, key in self.keys.items():
            if name in value:
                checked[name] = key.of.check(value[name], place.key(name), checking)
            elif key.required:
                checking.missing(place.key(name))
            elif key.default is not None:
                checked[name] = copy.deepcopy(key.default)
        return {k: v for k, v in checked.items() if v is not INVALID}


@dataclass(frozen=True)
class Section(Table):
    """A section of a plan: a table that may be left out unless ``required``.

    An ``analysis`` left out or empty is not run, and its keys get no defaults.
    """

    required: bool = False
    analysis: bool = False

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        if value is None:
            if self.required:
                checking.missing(place)
            if self.required or self.analysis:
                return {}
            value = {}
        elif self.analysis and value == {}:
            return {}
        checked = super().check(value, place, checking)
        return {} if checked is INVALID else checked


@dataclass(frozen=True)
class Events:
    """A free-form table of up to ``max_items`` keys: each a ``name``, its value a ``strategy``."""

    name: Text
    strategy: Choice
    max_items: int
    kinds = (dict,)

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        if not isinstance(value, dict):
            return checking.bad(place, f"{shown(value)} is not a table {{ ... }}")
        if len(value) > self.max_items:
            return checking.bad(place, f"{len(value):,} keys, more than {self.max_items}")
        checked = {}
        for name, strategy in value.items():
            at = place.table().key(name)
            if self.name.check(name, at, checking) is INVALID:
                continue
            try:
                known = event_name(name)
            except ValueError as exc:
                checking.bad(at, str(exc))
                continue
            checked[known] = self.strategy.check(strategy, at, checking)
        return {k: v for k, v in checked.items() if v is not INVALID}


@dataclass(frozen=True)
class Population(Section):
    """A section of one population flag of the data and ``"Y"`` (``EFFFL = "Y"``); may be
    left out (every subject)."""

    keys: Mapping[str, Key] = field(default_factory=dict)

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            checking.bad(place, f"{shown(value)} is not a table {{ ... }}")
            return {}
        if len(value) > 1:
            checking.bad(place, f"{len(value):,} flags ({shown(value)}): a population is one flag")
            return {}
        checked = {}
        for flag, selects in value.items():
            at = place.key(flag)
            if NAME.check(flag, at, checking) is INVALID:
                continue
            if selects != "Y":
                checking.bad(at, f'{shown(selects)}: a flag selects its subjects with "Y"')
                continue
            checked[flag] = selects
        return checked


#: A file name.
_PATH = Text(4096)


@dataclass(frozen=True)
class File:
    """The name of a file, relative to the plan's folder, that must be there and readable.

    A ``table`` is a file :func:`~outcomes.io.formats.read_table` takes on; with ``columns`` it
    is read, to check it has them. ``sample`` allows ``"sample"``, the built-in data. An
    ``instrument`` is an instrument definition (TOML, as :func:`outcomes.instruments.register`
    takes), read to check it.
    """

    table: bool = True
    instrument: bool = False
    sample: bool = False
    columns: tuple[str, ...] = ()
    kinds = (str,)

    def check(self, value: Any, place: Place, checking: Checking) -> Any:
        name = _PATH.check(value, place, checking)
        if name is INVALID or (self.sample and name == SAMPLE):
            return name
        problem = self._problem(resolve(checking.base, name), _file_name(name))
        return name if problem is None else checking.bad(place, problem)

    def _problem(self, path: Path, name: str) -> str | None:
        """What is wrong with the file, or ``None``; nothing of its content is shown."""
        try:
            if not path.exists():
                return f"no file {name} (looked in {path.parent})"
            if self.instrument:
                read_definition(path)
            elif not self.table:
                check_readable(path)
            elif self.columns:
                absent = [c for c in self.columns if c not in read_table(path).columns]
                if absent:
                    return f"{name} has no column {', '.join(map(repr, absent))}"
            else:
                check_file(path)
        except (ReadError, InstrumentError) as exc:
            return str(exc)
        except OSError as exc:  # a name too long for the system, a folder that cannot be entered
            return f"{name} cannot be looked for ({exc.strerror})"
        return None


# -- helpers --------------------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def resolve(base: Path, name: str) -> Path:
    """A file name of a plan as a path: relative to the plan's folder ``base``."""
    path = Path(name)
    return path if path.is_absolute() else base / path


def _is_number(value: Any, kinds: Any) -> bool:
    """``value`` is of ``kinds``, finite, and not a boolean (which Python counts as 0 or 1)."""
    if isinstance(value, bool) or not isinstance(value, kinds):
        return False
    return isinstance(value, int) or math.isfinite(value)


def did_you_mean(name: str, known: Mapping[str, Any]) -> str:
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
    return key if _BARE_KEY.fullmatch(key) else shown(key)


def shown(value: Any, depth: int = 0) -> str:
    """A value of a plan as TOML writes it, cut short, and every unprintable character escaped.

    Examples
    --------
    >>> shown({"a": {"b": [1, "x\\u202e", float("nan")]}})
    '{ a = { b = [...] } }'
    >>> shown("x" * 1000)
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
        items = [f"{_name(k)} = {shown(v, depth + 1)}" for k, v in first]
    else:
        items = [shown(v, depth + 1) for v in first]
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
