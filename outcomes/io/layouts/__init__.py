"""Layout readers and writers: long, wide, CDISC SDTM QS, CDISC ADaM ADQS, REDCap.

A registry of modules, one per layout, each declaring its ``NAME``, ``detect(columns)`` (why a
table with these normalised column names is in that layout, or ``None``), ``extract(raw, *,
mapping, index, instrument, log)`` returning an :class:`~outcomes.io.layouts.base.Extracted`, and
``to_table(trial)`` (or ``to_tables``) giving the file's table back. :data:`REGISTRY` is in the
order detection tries them: the most specific first, the wide layout last.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.errors import MappingError
from outcomes.io.layouts import adam, long, redcap, sdtm, wide
from outcomes.io.layouts.base import Extracted
from outcomes.io.layouts.subjects import merge_subjects
from outcomes.io.mapping import ColumnMapping, normalise
from outcomes.io.measures import MeasureIndex

__all__ = ["LAYOUTS", "MODULES", "REGISTRY", "detect_layout", "extract"]

#: The layout modules, in the order detection tries them.
REGISTRY = (sdtm, adam, redcap, long, wide)
#: Layout name -> its module.
MODULES = {module.NAME: module for module in REGISTRY}
#: The layouts' names, in the order of the documentation.
LAYOUTS: tuple[str, ...] = ("long", "wide", "sdtm-qs", "adam-adqs", "redcap")


def detect_layout(raw: pd.DataFrame) -> tuple[str, list[str]]:
    """The layout a table's columns suggest, and a note saying why.

    Examples
    --------
    >>> detect_layout(pd.DataFrame(columns=["USUBJID", "QSTESTCD", "QSSTRESN", "VISIT"]))[0]
    'sdtm-qs'
    >>> detect_layout(pd.DataFrame(columns=["record_id", "redcap_event_name", "madrs_1"]))[0]
    'redcap'
    """
    columns = {normalise(c) for c in raw.columns}
    for module in REGISTRY:
        reason = module.detect(columns)
        if reason is not None:
            return module.NAME, [f"layout: {module.NAME} ({reason})"]
    raise AssertionError("the wide layout detects every table")  # pragma: no cover


def extract(
    layout: str,
    raw: pd.DataFrame,
    *,
    mapping: ColumnMapping,
    index: MeasureIndex,
    instrument: str | None,
    log: ProblemLog,
    subjects: pd.DataFrame | None,
    derived: Collection[str] = (),
    analysis_flag: str | None = adam.DEFAULT_ANALYSIS_FLAG,
) -> Extracted:
    """Run the layout's reader; a subject-level table fills in arm and covariates.

    ``derived`` and ``analysis_flag`` choose the records of an ADaM file; another layout given
    either is refused by name, as it has no such records.
    """
    module = MODULES[layout]
    if layout == "adam-adqs":
        ex: Extracted = adam.extract(
            raw,
            mapping=mapping,
            index=index,
            instrument=instrument,
            log=log,
            derived=derived,
            analysis_flag=analysis_flag,
        )
    else:
        given = [
            name
            for name, on in (
                ("derived", bool(derived)),
                ("analysis_flag", analysis_flag != adam.DEFAULT_ANALYSIS_FLAG),
            )
            if on
        ]
        if given:
            raise MappingError(
                f"{', '.join(given)}= choose the records of an ADaM data set (DTYPE, ANLzzFL); "
                f"this file's layout is {layout}"
            )
        ex = module.extract(raw, mapping=mapping, index=index, instrument=instrument, log=log)
    if subjects is not None:
        ex = merge_subjects(ex, subjects, log, mapping)
    return ex
