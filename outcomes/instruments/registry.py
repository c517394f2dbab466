"""The instrument registry: the built-in catalogue and the user's own scales, found by any name.

Built-in definitions are TOML files in ``outcomes/instruments/catalogue`` (package data), read the
first time the registry is used. A user adds a scale with :func:`register` (a TOML file, a dict in
the same form, or an :class:`Instrument`) without editing the package. Names, aliases and codes are
unique across the registry, so a column such as ``GAD0203`` says which instrument it belongs to
(:func:`find_code`).

Definitions are read by :mod:`outcomes.instruments.parse`. Names are stored in lower case;
names, aliases and codes are compared without regard to case, and names and aliases also
without spaces, hyphens and underscores (``"GAD-7"``, ``"gad7"`` and ``"GAD 7"`` are one name).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from outcomes.errors import InstrumentError
from outcomes.instruments.definition import Instrument, Item
from outcomes.instruments.parse import (
    check_instrument,
    instrument_from_mapping,
    read_definition,
    read_definition_text,
)
from outcomes.names import normalise

__all__ = ["available", "find_code", "get", "instrument_from_mapping", "register", "unregister"]

#: Registered instruments by name; ``None`` until the built-ins are first needed.
_registry: dict[str, Instrument] | None = None


# --- The registry ----------------------------------------------------------------------------


def _names(instrument: Instrument) -> set[str]:
    return {normalise(instrument.name), *(normalise(a) for a in instrument.aliases)}


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
        instrument = read_definition_text(
            entry.read_text(encoding="utf-8"), f"built-in {entry.name}"
        )
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
    key = normalise(name)
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
        check_instrument(definition)
        return definition
    if isinstance(definition, Mapping):
        return instrument_from_mapping(definition)
    if isinstance(definition, (str, os.PathLike)):
        return read_definition(Path(definition))
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
    ['adas-cog11', 'bdi-ii', 'bfi2-n', 'bfi44-n']
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
