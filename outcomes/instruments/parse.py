"""Instrument definitions as data: a mapping or TOML text checked and turned into an Instrument.

The mapping form has the fields of :class:`~outcomes.instruments.definition.Instrument`: ``items``
and ``bands`` are lists of mappings with the fields of ``Item`` and ``Band``, and ``sources`` maps a
field name (or ``"notes"``) to the text that says where the figure comes from. An absent figure is
left out (TOML has no null) or given as ``None``. Every problem of a definition is reported at once
in one :class:`~outcomes.errors.InstrumentError`, naming the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import fields, replace
from numbers import Real
from pathlib import Path
from typing import Any

from outcomes.errors import InstrumentError, ReadError
from outcomes.instruments.definition import Band, Instrument, Item
from outcomes.textfiles import parse_toml, read_text

__all__ = [
    "check_instrument",
    "instrument_from_mapping",
    "read_definition",
    "read_definition_text",
]

_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_INSTRUMENT_FIELDS = {f.name for f in fields(Instrument)}
_ITEM_FIELDS = {f.name for f in fields(Item)}
_BAND_FIELDS = {f.name for f in fields(Band)}
_SOURCE_KEYS = _INSTRUMENT_FIELDS | {"notes"}

# --- Reading and checking one definition -----------------------------------------------------


class _Problems:
    """Every problem found in one definition, so that all are reported in one error."""

    def __init__(self, name: object) -> None:
        self.name = name if isinstance(name, str) and name.strip() else "<unnamed>"
        self.lines: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.lines:
            head = f"instrument {self.name!r} has {len(self.lines)} problem(s) in its definition:"
            raise InstrumentError("\n  ".join([head, *self.lines]))


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _text(
    data: Mapping[str, Any], key: str, where: str, problems: _Problems, *, required: bool = True
) -> str:
    value = data.get(key)
    if value is None:
        if required:
            problems.add(where + key, "is required")
        return ""
    if isinstance(value, str) and value.strip():
        return value.strip()
    problems.add(where + key, f"must be a non-empty string, not {value!r}")
    return ""


def _number(
    data: Mapping[str, Any], key: str, where: str, problems: _Problems, *, required: bool = False
) -> float | None:
    value = data.get(key)
    if value is None:
        if required:
            problems.add(where + key, "is required")
        return None
    if _is_number(value):
        return float(value)
    problems.add(where + key, f"must be a finite number, not {value!r}")
    return None


def _flag(
    data: Mapping[str, Any], key: str, where: str, problems: _Problems, *, default: bool
) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    problems.add(where + key, f"must be true or false, not {value!r}")
    return default


def _tables(data: Mapping[str, Any], key: str, problems: _Problems) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if isinstance(value, (list, tuple)) and all(isinstance(v, Mapping) for v in value):
        return list(value)
    problems.add(key, "must be a list of tables (mappings)")
    return []


def _no_unknown_keys(
    data: Mapping[str, Any], allowed: set[str], where: str, problems: _Problems
) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        problems.add(
            where or "definition",
            f"unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}",
        )


def _responses(data: Mapping[str, Any], problems: _Problems) -> tuple[tuple[str, float], ...]:
    """``{wording = score}`` as pairs, each wording a non-empty text and each score a number."""
    table = data.get("responses", {})
    if not isinstance(table, Mapping):
        problems.add("responses", "must be a table of wording = score")
        return ()
    pairs = []
    for wording, value in table.items():
        if not str(wording).strip() or not _is_number(value):
            problems.add(f"responses.{wording}", f"must be a number, not {value!r}")
            continue
        pairs.append((str(wording), float(value)))
    return tuple(pairs)


def _range(data: Mapping[str, Any], key: str, problems: _Problems) -> tuple[float, float] | None:
    """A ``[low, high]`` pair of finite numbers, low below high, or ``None`` if not given."""
    if key not in data:
        return None
    value = data[key]
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(_is_number(v) for v in value)
        and value[0] < value[1]
    ):
        return float(value[0]), float(value[1])
    problems.add(key, f"must be [low, high], two finite numbers with low below high, not {value!r}")
    return None


def _parse_item(data: Mapping[str, Any], where: str, problems: _Problems) -> Item:
    _no_unknown_keys(data, _ITEM_FIELDS, where, problems)
    prefix = where + "."
    return Item(
        code=_text(data, "code", prefix, problems),
        label=_text(data, "label", prefix, problems),
        min=_number(data, "min", prefix, problems, required=True) or 0.0,
        max=_number(data, "max", prefix, problems, required=True) or 0.0,
        reverse=_flag(data, "reverse", prefix, problems, default=False),
        whole=_flag(data, "whole", prefix, problems, default=False) if "whole" in data else None,
    )


def _parse_band(data: Mapping[str, Any], where: str, problems: _Problems) -> Band:
    _no_unknown_keys(data, _BAND_FIELDS, where, problems)
    prefix = where + "."
    return Band(
        label=_text(data, "label", prefix, problems),
        low=_number(data, "low", prefix, problems, required=True) or 0.0,
        high=_number(data, "high", prefix, problems, required=True) or 0.0,
    )


def _strings(data: Mapping[str, Any], key: str, problems: _Problems) -> tuple[str, ...]:
    value = data.get(key, ())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.add(key, f"must be a list of strings, not {value!r}")
    return ()


def instrument_from_mapping(data: Mapping[str, Any]) -> Instrument:
    """Build and check an :class:`Instrument` from its definition as a mapping.

    Every problem is collected before one :class:`~outcomes.errors.InstrumentError` is raised,
    naming the instrument and each faulty field (``items[3].max``, ``bands[0].low``, ...).

    Parameters
    ----------
    data : Mapping
        The definition, in the form of the catalogue's TOML files: ``name``, ``title``,
        ``construct``, ``items`` (list of ``{code, label, min, max, reverse}``) and ``total_code``
        are required; ``scoring`` (``"sum"``, the default, or ``"mean"``), ``higher_is_worse``
        (default true), ``bands`` (list of ``{label, low, high}``, lowest first, covering the
        total's range), ``response_fall``, ``remission_max``, ``clinical_cutoff``,
        ``reliability``, ``aliases`` and ``sources`` are optional.

    Returns
    -------
    Instrument
        The checked definition, its name in lower case and its numbers as floats.

    Raises
    ------
    InstrumentError
        If the definition is malformed: a missing or unknown field, a wrong type, a repeated item
        code, an item whose ``min`` is not below its ``max``, bands that overlap or fall outside
        the total's range, a rule outside its range, or ``scoring`` other than sum or mean.

    Examples
    --------
    >>> toy = instrument_from_mapping({
    ...     "name": "toy", "title": "Toy scale", "construct": "test", "total_code": "TOYTOT",
    ...     "items": [{"code": "TOY1", "label": "a", "min": 0, "max": 3},
    ...               {"code": "TOY2", "label": "b", "min": 0, "max": 3, "reverse": True}],
    ... })
    >>> toy.item_codes, toy.total_max
    (['TOY1', 'TOY2'], 6.0)
    >>> instrument_from_mapping({"name": "bad", "title": "Bad", "construct": "test",
    ...     "total_code": "BADTOT", "scoring": "median",
    ...     "items": [{"code": "B1", "label": "a", "min": 3, "max": 0}]})
    Traceback (most recent call last):
    ...
    outcomes.errors.InstrumentError: instrument 'bad' has 2 problem(s) in its definition:
      scoring: must be 'sum' or 'mean', not 'median'
      items[0].max: must be greater than min (0 <= 3)
    """
    if not isinstance(data, Mapping):
        raise InstrumentError(
            f"an instrument definition must be a mapping, not {type(data).__name__}"
        )
    problems = _Problems(data.get("name"))
    _no_unknown_keys(data, _INSTRUMENT_FIELDS, "", problems)
    if "items" not in data and "total_range" not in data:
        problems.add("items", "is required (or total_range, for a scale registered by its total)")
    items = tuple(
        _parse_item(d, f"items[{i}]", problems)
        for i, d in enumerate(_tables(data, "items", problems))
    )
    bands = tuple(
        _parse_band(d, f"bands[{i}]", problems)
        for i, d in enumerate(_tables(data, "bands", problems))
    )
    sources = data.get("sources", {})
    if not isinstance(sources, Mapping):
        problems.add("sources", "must be a table (mapping) of field name to text")
        sources = {}
    scoring = data.get("scoring", "sum")
    instrument = Instrument(
        name=_text(data, "name", "", problems).lower(),
        title=_text(data, "title", "", problems),
        construct=_text(data, "construct", "", problems),
        items=items,
        total_code=_text(data, "total_code", "", problems),
        scoring=scoring,
        proration=data.get("proration", "count"),
        higher_is_worse=_flag(data, "higher_is_worse", "", problems, default=True),
        bands=bands,
        response_fall=_number(data, "response_fall", "", problems),
        remission_max=_number(data, "remission_max", "", problems),
        clinical_cutoff=_number(data, "clinical_cutoff", "", problems),
        reliability=_number(data, "reliability", "", problems),
        aliases=_strings(data, "aliases", problems),
        item_stems=_strings(data, "item_stems", problems),
        total_range=_range(data, "total_range", problems),
        responses=_responses(data, problems),
        sources=dict(sources),
    )
    problems.raise_if_any()
    check_instrument(instrument)
    return instrument


def check_instrument(instrument: Instrument) -> None:
    """Raise an InstrumentError listing every inconsistency in a well-typed definition."""
    problems = _Problems(instrument.name)
    name = instrument.name
    if not isinstance(name, str) or not name or name != name.strip().lower() or " " in name:
        problems.add("name", f"must be lower case without spaces, not {name!r}")
    if instrument.scoring not in ("sum", "mean"):
        problems.add("scoring", f"must be 'sum' or 'mean', not {instrument.scoring!r}")
    if instrument.proration not in ("count", "maximum"):
        problems.add("proration", f"must be 'count' or 'maximum', not {instrument.proration!r}")
    elif instrument.proration == "maximum" and instrument.scoring != "sum":
        problems.add("proration", "'maximum' applies to summed scales (scoring = 'sum')")
    if _check_items(instrument, problems):
        _check_rules(instrument, problems)
    fall = instrument.response_fall
    if fall is not None and not (_is_number(fall) and 0 < fall <= 1):
        problems.add(
            "response_fall",
            f"must be a fraction above 0 and at most 1 (0.5 for a 50% fall), not {fall!r}",
        )
    r = instrument.reliability
    if r is not None and not (_is_number(r) and 0 < r < 1):
        problems.add("reliability", f"must be above 0 and below 1, not {r!r}")
    for i, alias in enumerate(instrument.aliases):
        if not isinstance(alias, str) or not alias.strip():
            problems.add(f"aliases[{i}]", f"must be a non-empty string, not {alias!r}")
    for key, text in instrument.sources.items():
        if key not in _SOURCE_KEYS:
            problems.add(f"sources.{key}", "is not a field name (or 'notes')")
        elif not isinstance(text, str) or not text.strip():
            problems.add(f"sources.{key}", "must be a non-empty string")
    problems.raise_if_any()


def _check_items(instrument: Instrument, problems: _Problems) -> bool:
    """Check the items and total code; True if the items are sound enough to give a range."""
    if not instrument.items:
        if instrument.total_range is None:
            problems.add("items", "at least one item is needed, or a total_range")
            return False
        if instrument.proration != "count" or instrument.item_stems:
            problems.add("items", "a scale with no items has no proration or item_stems")
    ok = True
    first_use: dict[str, str] = {}
    for i, item in enumerate(instrument.items):
        where = f"items[{i}]"
        if not isinstance(item, Item):
            problems.add(where, f"must be an Item, not {type(item).__name__}")
            ok = False
            continue
        if not isinstance(item.code, str) or not _CODE.fullmatch(item.code):
            problems.add(
                f"{where}.code",
                f"{item.code!r} is not a code: a letter, then letters, "
                "digits or underscores (it becomes a column name)",
            )
        elif item.code.upper() in first_use:
            problems.add(f"{where}.code", f"{item.code!r} repeats {first_use[item.code.upper()]}")
        else:
            first_use[item.code.upper()] = f"{where}.code"
        if not _is_number(item.min) or not _is_number(item.max):
            problems.add(where, "min and max must be finite numbers")
            ok = False
        elif not item.min < item.max:
            problems.add(f"{where}.max", f"must be greater than min ({item.max:g} <= {item.min:g})")
            ok = False
    total = instrument.total_code
    if not isinstance(total, str) or not _CODE.fullmatch(total):
        problems.add(
            "total_code", f"{total!r} is not a code: a letter, then letters, digits or underscores"
        )
    elif total.upper() in first_use:
        problems.add("total_code", f"{total!r} is also {first_use[total.upper()]}")
    if ok and instrument.items and instrument.total_range is not None:
        from_items = replace(instrument, total_range=None)
        if (from_items.total_min, from_items.total_max) != tuple(instrument.total_range):
            problems.add(
                "total_range",
                f"{list(instrument.total_range)} differs from the items' range "
                f"[{from_items.total_min:g}, {from_items.total_max:g}]",
            )
    return ok and instrument.scoring in ("sum", "mean")


def _check_rules(instrument: Instrument, problems: _Problems) -> None:
    """Check bands and the rules on totals against the total's range."""
    low, high = instrument.total_min, instrument.total_max
    span = f"the total's range {low:g}-{high:g}"
    labels: set[str] = set()
    previous: Band | None = None
    for i, band in enumerate(instrument.bands):
        where = f"bands[{i}]"
        if not isinstance(band, Band) or not _is_number(band.low) or not _is_number(band.high):
            problems.add(where, "must be a Band with numeric low and high")
            continue
        if not isinstance(band.label, str) or not band.label.strip() or band.label in labels:
            problems.add(
                f"{where}.label", f"must be a non-empty, unrepeated label, not {band.label!r}"
            )
        labels.add(band.label)
        if band.low > band.high:
            problems.add(f"{where}.high", f"must be at least low ({band.high:g} < {band.low:g})")
        if band.low < low or band.high > high:
            problems.add(where, f"{band.low:g}-{band.high:g} is outside {span}")
        if previous is not None and band.low <= previous.high:
            problems.add(
                f"{where}.low",
                f"must be above bands[{i - 1}].high ({previous.high:g}): "
                "bands go from the lowest up, without overlap",
            )
        previous = band
    bands = instrument.bands
    if bands and all(isinstance(b, Band) for b in bands):
        if bands[0].low != low:
            problems.add(
                "bands[0].low", f"must be {low:g}, the lowest total, so the bands cover {span}"
            )
        if bands[-1].high != high:
            problems.add(
                f"bands[{len(bands) - 1}].high",
                f"must be {high:g}, the highest total, so the bands cover {span}",
            )
    for key in ("remission_max", "clinical_cutoff"):
        value = getattr(instrument, key)
        if value is not None and not (_is_number(value) and low <= value <= high):
            problems.add(key, f"{value!r} is outside {span}")


def read_definition_text(text: str, origin: str) -> Instrument:
    """An instrument from TOML text; ``origin`` names where the text came from in errors."""
    try:
        data = parse_toml(text)
    except ValueError as err:
        raise InstrumentError(f"{origin}: {err}") from err
    try:
        return instrument_from_mapping(data)
    except InstrumentError as err:
        raise InstrumentError(f"{origin}: {err}") from err


def read_definition(path: Path) -> Instrument:
    """An instrument from a TOML definition file."""
    try:
        text = read_text(path)
    except OSError as err:  # ReadError is an OSError
        raise ReadError(f"instrument definition file: {err}") from err
    return read_definition_text(text, str(path))
