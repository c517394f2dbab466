"""Which instrument and item a column name or code stands for.

Files name their score columns in many ways: registry codes (``MADRS01``), the instrument and an
item number (``madrs_1``, ``GAD-7 item 3``, ``phq9q4``), or a total (``MADRSTOT``, ``gad7_total``).
A :class:`MeasureIndex` resolves all of these against the instrument registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from outcomes import instruments as registry
from outcomes.instruments import Instrument
from outcomes.io.mapping import normalise

__all__ = ["Measure", "MeasureIndex"]

_ITEM_PREFIXES = ("", "item", "q", "i")
_TOTAL_SUFFIXES = ("total", "tot", "totalscore", "score", "sum")


@dataclass(frozen=True)
class Measure:
    """What a column holds: an item (``code`` is its item code) or the total of ``instrument``."""

    instrument: str
    code: str
    is_total: bool


class MeasureIndex:
    """Resolve column names and codes to measures of the registered instruments.

    Parameters
    ----------
    instruments : iterable of Instrument, optional
        Instruments to recognise; all registered ones by default.

    Examples
    --------
    >>> idx = MeasureIndex()
    >>> idx.resolve("madrs_3")
    Measure(instrument='madrs', code='MADRS03', is_total=False)
    >>> idx.resolve("GAD-7 total")
    Measure(instrument='gad7', code='GAD0208', is_total=True)
    >>> idx.resolve("Q3", instrument="gad7").code
    'GAD0203'
    >>> idx.resolve("PATIENT") is None
    True
    """

    def __init__(self, instruments: Iterable[Instrument] | None = None) -> None:
        insts = (
            list(instruments)
            if instruments is not None
            else [registry.get(n) for n in registry.available()]
        )
        self.instruments: dict[str, Instrument] = {i.name: i for i in insts}
        self._keys: dict[str, Measure | None] = {}
        for inst in insts:
            for key, measure in _keys_of(inst, _prefixes(inst)):
                self._claim(key, measure)
        # Item stems (PHQ1, GAD3) number items only; where stem and number spell a name of an
        # instrument (GAD7, PHQ9), the column is an item only beside its other items.
        names = {p for inst in insts for p in _prefixes(inst)}
        self._name_like: dict[str, Measure] = {}
        for inst in insts:
            stems = tuple(normalise(s) for s in inst.item_stems if normalise(s))
            for key, measure in _keys_of(inst, stems, totals=False):
                if key in names:
                    self._name_like[key] = measure
                else:
                    self._claim(key, measure)

    def _claim(self, key: str, measure: Measure) -> None:
        """Recognise ``key`` as ``measure``; a key two measures claim is recognised as neither."""
        if key in self._keys and self._keys[key] != measure:
            self._keys[key] = None
        else:
            self._keys[key] = measure

    def resolve(self, name: str, instrument: str | None = None) -> Measure | None:
        """The measure a column name or code stands for, or ``None``.

        With ``instrument`` (the file holds one instrument), bare forms such as ``item3``,
        ``q3``, ``3`` and ``total`` are read as that instrument's.
        """
        key = normalise(name)
        found = self._keys.get(key)
        if found is not None or instrument is None:
            return found
        inst = self.instruments[instrument]
        for k, measure in _keys_of(inst, ("",)):
            if k == key:
                return measure
        return None

    def name_like(self, name: str) -> Measure | None:
        """The item a column would be by an item stem, where its name is also an instrument's.

        Examples
        --------
        >>> idx = MeasureIndex()
        >>> idx.resolve("GAD7") is None, idx.name_like("GAD7").code, idx.resolve("GAD3").code
        (True, 'GAD0207', 'GAD0203')
        """
        return self._name_like.get(normalise(name))

    def instrument_of(self, label: str) -> Instrument | None:
        """The instrument a name, alias or CDISC category (``"GAD-7 V2"``) names, or ``None``."""
        key = normalise(label)
        for inst in self.instruments.values():
            if key in _prefixes(inst):
                return inst
        return None


def _prefixes(inst: Instrument) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalise(a) for a in (inst.name, *inst.aliases) if normalise(a)))


def _keys_of(
    inst: Instrument, prefixes: Iterable[str], *, totals: bool = True
) -> list[tuple[str, Measure]]:
    prefixes = tuple(prefixes)
    keys: list[tuple[str, Measure]] = []
    for number, item in enumerate(inst.items, start=1):
        measure = Measure(inst.name, item.code, False)
        keys.append((normalise(item.code), measure))
        for prefix in prefixes:
            for infix in _ITEM_PREFIXES:
                keys.append((f"{prefix}{infix}{number}", measure))
                keys.append((f"{prefix}{infix}{number:02d}", measure))
    if totals:
        total = Measure(inst.name, inst.total_code, True)
        keys.append((normalise(inst.total_code), total))
        # A scale registered by its total alone is named by its name too (``bdi.pre``).
        suffixes = ("", *_TOTAL_SUFFIXES) if inst.totals_only else _TOTAL_SUFFIXES
        for prefix in prefixes:
            for suffix in suffixes:
                keys.append((f"{prefix}{suffix}", total))
    return [(k, m) for k, m in keys if k]


def find_measures(
    columns: Iterable[str],
    index: MeasureIndex,
    *,
    items: dict[str, str],
    totals: dict[str, str],
    instrument: str | None,
) -> dict[str, Measure]:
    """Score columns among ``columns``: those mapped (``items``, ``totals``) and those recognised.

    ``items`` maps columns to item codes and ``totals`` columns to instrument names, as in a
    :class:`~outcomes.io.mapping.ColumnMapping`; other columns are resolved by name.
    """
    found: dict[str, Measure] = {}
    columns = list(columns)
    for column in columns:
        if column in items:
            inst, _ = registry.find_code(items[column])
            found[column] = Measure(inst.name, items[column], False)
        elif column in totals:
            inst = registry.get(totals[column])
            found[column] = Measure(inst.name, inst.total_code, True)
        else:
            measure = index.resolve(column, instrument)
            if measure is not None:
                found[column] = measure
    with_items = {m.instrument for m in found.values() if not m.is_total}
    for column in columns:
        measure = index.name_like(column)
        if column not in found and measure is not None and measure.instrument in with_items:
            found[column] = measure
    return found
