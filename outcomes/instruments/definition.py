"""What an instrument is: its items, ranges, keying, bands and rules, as a frozen value.

Definitions live as data (TOML files in :mod:`outcomes.instruments.catalogue`, or a user's own file
or dict) and are turned into :class:`Instrument` values by :func:`instrument_from_mapping`. Every
figure that is a default of analysis (bands, response and remission rules, reliability) carries its
source in :attr:`Instrument.sources`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Band", "Instrument", "Item"]


@dataclass(frozen=True)
class Item:
    """One item of an instrument.

    Parameters
    ----------
    code : str
        Unique code across the registry, used as the item's column name (``MADRS01``, ``GAD0201``).
    label : str
        Short label (``"apparent sadness"``).
    min, max : float
        The item's allowed range, inclusive.
    reverse : bool
        Reverse-keyed: scored as ``min + max - x``.
    whole : bool or None
        Whether responses are whole numbers (a value that is not is then a warning); ``None``
        decides from the range: whole for a whole-number range of at most 10 points. An item
        scored as a mean, such as the ADAS-Cog's word recall (the mean of three trials), says
        ``false``.
    """

    code: str
    label: str
    min: float
    max: float
    reverse: bool = False
    whole: bool | None = None


@dataclass(frozen=True)
class Band:
    """A severity band: totals from ``low`` to ``high`` inclusive are called ``label``."""

    label: str
    low: float
    high: float


@dataclass(frozen=True)
class Instrument:
    """A rating scale or questionnaire, as data.

    Parameters
    ----------
    name : str
        Registry key, lower case (``"madrs"``, ``"gad7"``, ``"neo-ffi-n"``).
    title : str
        Full name.
    construct : str
        What it measures: ``depression``, ``anxiety``, ``neuroticism``, ``acute experience``, ...
    items : tuple of Item
        Items in their published order; empty for a scale registered by its total alone (its
        totals are read from files, never scored), which then needs ``total_range``.
    total_code : str
        Code of the total score (CDISC ``QSTESTCD`` or sponsor code, e.g. ``MADRSTOT``).
    scoring : {"sum", "mean"}
        The total is the sum of the (keyed) items, or their mean.
    proration : {"count", "maximum"}
        The published rule for a total with missing items (when a missing-item policy allows
        one): ``"count"`` scales the mean of the answered items by the number of items;
        ``"maximum"`` scales what the answered items score above their minimum by the range
        of the whole scale over the range of the answered items (the rule for scales whose
        items have different ranges, such as the ADAS-Cog: sum x 70 / the most the answered
        items could score). The two agree when every item has the same range.
    higher_is_worse : bool
        Direction: ``True`` for symptom scales, where a fall is improvement.
    bands : tuple of Band
        Severity bands of the total, covering its range.
    response_fall : float or None
        Response is a fall from baseline of at least this fraction (0.5 = 50%).
    remission_max : float or None
        Remission is a total at or below this.
    clinical_cutoff : float or None
        Cut-off for clinically significant change (Jacobson & Truax): a reliable improvement that
        ends at or below it.
    reliability : float or None
        Reliability used for reliable change (test-retest or internal consistency, see ``sources``).
    aliases : tuple of str
        Other names it is known by: CDISC ``QSCAT`` values, spellings (``"GAD-7 V2"``, ``"GAD7"``).
    total_range : tuple of float, optional
        The total's range ``(low, high)``, for a scale registered without items; with items it
        follows from them (and, if given, must agree).
    responses : tuple of (str, float)
        The answers' wording and the score each stands for, shared by the items
        (``("Several days", 1)``): text answers (SDTM ``QSORRES``) are scored by it, case and
        spacing aside.
    item_stems : tuple of str
        Short stems that files number its items by, which are not names of it: ``"PHQ"`` for
        ``PHQ1`` ... ``PHQ9``, ``"GAD"`` for ``GAD1`` ... ``GAD7``. A stem and number that spell
        a name of the instrument (``GAD7``) is read as the item only beside its other items.
    sources : dict
        Where each figure comes from, keyed by field name (``"bands"``, ``"reliability"``, ...).
    """

    name: str
    title: str
    construct: str
    items: tuple[Item, ...]
    total_code: str
    scoring: Literal["sum", "mean"] = "sum"
    proration: Literal["count", "maximum"] = "count"
    higher_is_worse: bool = True
    bands: tuple[Band, ...] = ()
    response_fall: float | None = None
    remission_max: float | None = None
    clinical_cutoff: float | None = None
    reliability: float | None = None
    aliases: tuple[str, ...] = ()
    item_stems: tuple[str, ...] = ()
    total_range: tuple[float, float] | None = None
    responses: tuple[tuple[str, float], ...] = ()
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def item_codes(self) -> list[str]:
        """Item codes in order."""
        return [i.code for i in self.items]

    @property
    def totals_only(self) -> bool:
        """Registered by its total alone (no items): totals are read, never scored."""
        return not self.items

    @property
    def total_min(self) -> float:
        """Smallest possible total."""
        if self.total_range is not None:
            return float(self.total_range[0])
        lows = [i.min for i in self.items]
        return sum(lows) if self.scoring == "sum" else min(lows)

    @property
    def total_max(self) -> float:
        """Largest possible total."""
        if self.total_range is not None:
            return float(self.total_range[1])
        highs = [i.max for i in self.items]
        return sum(highs) if self.scoring == "sum" else max(highs)
