"""The instrument registry: the built-in catalogue and the user's own scales, found by any name.

Built-in definitions are TOML files in ``outcomes/instruments/catalogue`` (package data), read the
first time the registry is used. A user adds a scale with :func:`register` (a TOML file, a dict in
the same form, or an :class:`Instrument`) without editing the package. Names, aliases and codes are
unique across the registry, so a column such as ``GAD0203`` says which instrument it belongs to
(:func:`find_code`).

The mapping form has the fields of :class:`Instrument`: ``items`` and ``bands`` are lists of
mappings with the fields of :class:`Item` and :class:`Band`, and ``sources`` maps a field name (or
``"notes"``) to the text that says where the figure comes from. An absent figure is left out (TOML
has no null) or given as ``None``. Names are stored in lower case; names, aliases and codes are
compared without regard to case, and names and aliases also without spaces, hyphens and
underscores (``"GAD-7"``, ``"gad7"`` and ``"GAD 7"`` are one name).
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from importlib import resources
from numbers import Real
from pathlib import Path
from typing import Any

from outcomes.errors import InstrumentError, ReadError
from outcomes.instruments.definition import Band, Instrument, Item

__all__ = ["available", "find_code", "get", "instrument_from_mapping", "register", "unregister"]

_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_INSTRUMENT_FIELDS = {f.name for f in fields(Instrument)}
_ITEM_FIELDS = {f.name for f in fields(Item)}
_BAND_FIELDS = {f.name for f in fields(Band)}
_SOURCE_KEYS = _INSTRUMENT_FIELDS | {"notes"}

#: Registered instruments by name; ``None`` until the built-ins are first needed.
_registry: dict[str, Instrument] | None = None


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


def _parse_item(data: Mapping[str, Any], where: str, problems: _Problems) -> Item:
    _no_unknown_keys(data, _ITEM_FIELDS, where, problems)
    prefix = where + "."
    return Item(
        code=_text(data, "code", prefix, problems),
        label=_text(data, "label", prefix, problems),
        min=_number(data, "min", prefix, problems, required=True) or 0.0,
        max=_number(data, "max", prefix, problems, required=True) or 0.0,
        reverse=_flag(data, "reverse", prefix, problems, default=False),
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
    if "items" not in data:
        problems.add("items", "is required")
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
        higher_is_worse=_flag(data, "higher_is_worse", "", problems, default=True),
        bands=bands,
        response_fall=_number(data, "response_fall", "", problems),
        remission_max=_number(data, "remission_max", "", problems),
        clinical_cutoff=_number(data, "clinical_cutoff", "", problems),
        reliability=_number(data, "reliability", "", problems),
        aliases=_strings(data, "aliases", problems),
        sources=dict(sources),
    )
    problems.raise_if_any()
    _check(instrument)
    return instrument


def _check(instrument: Instrument) -> None:
    """Raise an InstrumentError listing every inconsistency in a well-typed definition."""
    problems = _Problems(instrument.name)
    name = instrument.name
    if not isinstance(name, str) or not name or name != name.strip().lower() or " " in name:
        problems.add("name", f"must be lower case without spaces, not {name!r}")
    if instrument.scoring not in ("sum", "mean"):
        problems.add("scoring", f"must be 'sum' or 'mean', not {instrument.scoring!r}")
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
        problems.add("items", "at least one item is needed")
        return False
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


def _from_toml(text: str, origin: str) -> Instrument:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InstrumentError(f"{origin}: not valid TOML: {err}") from err
    try:
        return instrument_from_mapping(data)
    except InstrumentError as err:
        raise InstrumentError(f"{origin}: {err}") from err


def _read_file(path: Path) -> Instrument:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ReadError(f"instrument definition file {str(path)!r} does not exist") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ReadError(f"cannot read instrument definition file {str(path)!r}: {err}") from err
    return _from_toml(text, str(path))


# --- The registry ----------------------------------------------------------------------------


def _norm(name: str) -> str:
    """Name as compared: lower case, without spaces, hyphens and underscores."""
    return re.sub(r"[\s_\-]+", "", name).casefold()


def _names(instrument: Instrument) -> set[str]:
    return {_norm(instrument.name), *(_norm(a) for a in instrument.aliases)}


def _codes(instrument: Instrument) -> set[str]:
    return {c.upper() for c in [*instrument.item_codes, instrument.total_code]}


def _clashes(new: Instrument, instruments: Mapping[str, Instrument]) -> dict[str, str]:
    """Registered instruments sharing a name, alias or code with ``new``, and what they share."""
    found = {}
    for other in instruments.values():
        shared = []
        if names := sorted(_names(new) & _names(other)):
            shared.append(f"name or alias {', '.join(names)}")
        if codes := sorted(_codes(new) & _codes(other)):
            shared.append(f"code(s) {', '.join(codes)}")
        if shared:
            found[other.name] = " and ".join(shared)
    return found


def _load_builtins() -> dict[str, Instrument]:
    loaded: dict[str, Instrument] = {}
    catalogue = resources.files("outcomes.instruments").joinpath("catalogue")
    for entry in sorted(catalogue.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        instrument = _from_toml(entry.read_text(encoding="utf-8"), f"built-in {entry.name}")
        if clashes := _clashes(instrument, loaded):
            raise InstrumentError(f"built-in {entry.name} clashes with {clashes}")
        loaded[instrument.name] = instrument
    return loaded


def _instruments() -> dict[str, Instrument]:
    global _registry
    if _registry is None:
        _registry = _load_builtins()
    return _registry


def _reset() -> None:
    """Forget registered scales; the built-ins are read again on next use (for tests)."""
    global _registry
    _registry = None


def _lookup(name: str) -> Instrument:
    if not isinstance(name, str):
        raise InstrumentError(f"an instrument name must be a string, not {type(name).__name__}")
    instruments = _instruments()
    key = _norm(name)
    for instrument in instruments.values():
        if key in _names(instrument):
            return instrument
    by_key = {k: i.name for i in instruments.values() for k in _names(i)}
    close = difflib.get_close_matches(key, by_key, n=1, cutoff=0.6)
    hint = f"; did you mean {by_key[close[0]]!r}?" if close else "."
    raise InstrumentError(
        f"unknown instrument {name!r}{hint} Available: "
        f"{', '.join(sorted(instruments))}; add your own with register()."
    )


def get(name: str | Instrument) -> Instrument:
    """The registered instrument with this name or alias.

    Parameters
    ----------
    name : str or Instrument
        Name or alias, in any case, with or without spaces, hyphens and underscores
        (``"GAD-7"``, ``"gad7"``, ``"GAD-7 V2"``). An :class:`Instrument` is returned as it is,
        so that callers may take either.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        If no instrument has that name; the message suggests the closest name and lists all.

    Examples
    --------
    >>> get("GAD-7 V2").name
    'gad7'
    >>> get("ham-d 17").total_max
    52.0
    >>> get("madr")
    Traceback (most recent call last):
    ...
    outcomes.errors.InstrumentError: unknown instrument 'madr'; did you mean 'madrs'? Available: ...
    """
    if isinstance(name, Instrument):
        return name
    return _lookup(name)


def register(
    definition: Instrument | Mapping[str, Any] | str | os.PathLike[str], *, replace: bool = False
) -> Instrument:
    """Add an instrument to the registry, from a TOML file, a mapping or an :class:`Instrument`.

    Parameters
    ----------
    definition : Instrument, Mapping, str or path-like
        An instrument, a mapping in the form of the catalogue files (see
        :func:`instrument_from_mapping`), or the path of a TOML file in that form.
    replace : bool, default False
        Refuse (the default) or allow a definition whose name, aliases or codes are already used.
        With ``replace=True`` every registered instrument it clashes with is removed first,
        built-ins included (:func:`unregister` the new one does not bring them back).

    Returns
    -------
    Instrument
        The registered, checked instrument.

    Raises
    ------
    InstrumentError
        If the definition is malformed, or clashes with a registered instrument and ``replace``
        is false (the message says what is shared, with which instrument).
    ReadError
        If the file cannot be read.

    Examples
    --------
    >>> toy = register({"name": "toy", "title": "Toy scale", "construct": "test",
    ...                 "total_code": "TOYTOT", "aliases": ["TOY-2"],
    ...                 "items": [{"code": "TOY1", "label": "a", "min": 0, "max": 3},
    ...                           {"code": "TOY2", "label": "b", "min": 0, "max": 3}]})
    >>> get("toy 2") is toy, find_code("TOY2")[1].label
    (True, 'b')
    >>> register({"name": "toy-b", "title": "Toy B", "construct": "test", "total_code": "TBTOT",
    ...           "items": [{"code": "MADRS01", "label": "a", "min": 0, "max": 3}]})
    Traceback (most recent call last):
    ...
    outcomes.errors.InstrumentError: cannot register 'toy-b': it shares code(s) MADRS01 with ...
    >>> unregister("toy").name
    'toy'
    """
    instrument = _as_instrument(definition)
    instruments = _instruments()
    clashes = _clashes(instrument, instruments)
    if clashes and not replace:
        shared = "; ".join(f"{what} with {name!r}" for name, what in clashes.items())
        raise InstrumentError(
            f"cannot register {instrument.name!r}: it shares {shared}. Use other "
            "names and codes, or pass replace=True to remove the instrument(s) "
            "it clashes with."
        )
    for name in clashes:
        del instruments[name]
    instruments[instrument.name] = instrument
    return instrument


def _as_instrument(definition: object) -> Instrument:
    if isinstance(definition, Instrument):
        _check(definition)
        return definition
    if isinstance(definition, Mapping):
        return instrument_from_mapping(definition)
    if isinstance(definition, (str, os.PathLike)):
        return _read_file(Path(definition))
    raise InstrumentError(
        f"cannot register a {type(definition).__name__}: give an Instrument, a "
        "mapping, or the path of a TOML file"
    )


def unregister(name: str) -> Instrument:
    """Remove an instrument (found by name or alias) from the registry and return it.

    Built-ins may be removed too; they come back in a new session.

    Examples
    --------
    >>> toy = register({"name": "toy", "title": "Toy", "construct": "test", "total_code": "TT",
    ...                 "items": [{"code": "T1", "label": "a", "min": 0, "max": 1}]})
    >>> unregister("TOY") is toy, "toy" in available()
    (True, False)
    """
    instrument = _lookup(name)
    del _instruments()[instrument.name]
    return instrument


def available() -> list[str]:
    """Names of the registered instruments, sorted.

    Examples
    --------
    >>> available()[:4]
    ['bfi2-n', 'bfi44-n', 'edi', 'gad7']
    """
    return sorted(_instruments())


def find_code(code: str) -> tuple[Instrument, Item | None]:
    """The instrument that an item code or total code belongs to (compared without case).

    Returns
    -------
    tuple of (Instrument, Item or None)
        The instrument, and the item with that code, or ``None`` when it is the total's code.

    Raises
    ------
    InstrumentError
        If no registered instrument uses the code; the message suggests a close code.

    Examples
    --------
    >>> instrument, item = find_code("GAD0203")
    >>> instrument.name, item.label
    ('gad7', 'worrying too much about different things')
    >>> find_code("MADRSTOT")[1] is None
    True
    """
    key = str(code).upper()
    instruments = _instruments()
    for instrument in instruments.values():
        if instrument.total_code.upper() == key:
            return instrument, None
        for item in instrument.items:
            if item.code.upper() == key:
                return instrument, item
    every_code = [c for i in instruments.values() for c in (*i.item_codes, i.total_code)]
    close = difflib.get_close_matches(key, every_code, n=1, cutoff=0.8)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    raise InstrumentError(f"no registered instrument has the item or total code {code!r}{hint}")
