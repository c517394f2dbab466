"""Rating scales and questionnaires as data: definitions, a registry, and scoring.

Each instrument (MADRS, GAD-7, PHQ-9, HAM-D17, HAM-A, NEO-FFI N, BFI-44 N, BFI-2 N, MEQ-30, EDI)
is a frozen :class:`Instrument` read from a TOML file in ``catalogue/``, with the source of every
band, rule and reliability figure in :attr:`Instrument.sources`. Look one up by any of its names
with :func:`get`; add your own with :func:`register`; score items with :func:`score`.

Examples
--------
>>> import pandas as pd
>>> from outcomes import instruments
>>> madrs = instruments.get("MADRS")
>>> madrs.total_code, madrs.total_min, madrs.total_max
('MADRSTOT', 0.0, 60.0)
>>> items = pd.DataFrame({code: [3, 2, 0] for code in madrs.item_codes})
>>> totals = instruments.score(madrs, items)["total"]
>>> totals.tolist()
[30.0, 20.0, 0.0]
>>> instruments.severity_band(madrs, totals).tolist()
['moderate', 'moderate', 'normal']

A scale of your own, registered for this session:

>>> mine = instruments.register({
...     "name": "my-scale", "title": "My scale", "construct": "wellbeing", "total_code": "MYTOT",
...     "higher_is_worse": False,
...     "items": [{"code": f"MY{i}", "label": f"item {i}", "min": 1, "max": 5} for i in (1, 2, 3)],
... })
>>> instruments.find_code("MY2")[0].name
'my-scale'
>>> _ = instruments.unregister("my-scale")
"""

from outcomes.instruments.definition import Band, Instrument, Item
from outcomes.instruments.registry import (
    available,
    find_code,
    get,
    instrument_from_mapping,
    register,
    unregister,
)
from outcomes.instruments.scoring import keyed_items, score, severity_band

__all__ = [
    "Band",
    "Instrument",
    "Item",
    "available",
    "find_code",
    "get",
    "instrument_from_mapping",
    "keyed_items",
    "register",
    "score",
    "severity_band",
    "unregister",
]
