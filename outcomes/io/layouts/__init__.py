"""Layout readers and writers: long, wide, CDISC SDTM QS, CDISC ADaM ADQS, REDCap.

Each layout module has ``extract(raw, *, mapping, index, instrument, log[, subjects])`` returning an
:class:`~outcomes.io.layouts.base.Extracted`, and ``to_table(trial)`` giving the file's table back.
"""

from __future__ import annotations

import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.io.layouts import adam, long, redcap, sdtm, wide
from outcomes.io.layouts.base import Extracted
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
) -> Extracted:
    """Run the layout's reader; a subject-level table fills in arm and covariates."""
    module = MODULES[layout]
    ex: Extracted = module.extract(
        raw, mapping=mapping, index=index, instrument=instrument, log=log
    )
    if subjects is not None:
        from outcomes.io.layouts.subjects import merge_subjects

        ex = merge_subjects(ex, subjects, log)
    return ex
