"""Layout readers and writers: long, wide, CDISC SDTM QS, CDISC ADaM ADQS, REDCap.

Each layout module has ``extract(raw, *, mapping, index, instrument, log[, subjects])`` returning an
:class:`~outcomes.io.layouts.base.Extracted`, and ``to_table(trial)`` giving the file's table back.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.errors import MappingError
from outcomes.io.layouts import adam, long, redcap, sdtm, wide
from outcomes.io.layouts.base import Extracted
from outcomes.io.layouts.subjects import merge_subjects
from outcomes.io.mapping import ColumnMapping
from outcomes.io.measures import MeasureIndex

__all__ = ["MODULES", "extract"]

MODULES = {"long": long, "wide": wide, "sdtm-qs": sdtm, "adam-adqs": adam, "redcap": redcap}


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
