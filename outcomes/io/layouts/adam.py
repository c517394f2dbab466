"""CDISC ADaM BDS (ADQS): one row per subject x analysis visit x parameter.

Read by standard names: ``USUBJID``, ``PARAMCD`` (item or total code), ``AVAL`` (else ``AVALC``),
``PARCAT1`` (instrument, optional), ``AVISIT``/``AVISITN``, ``ADY``, the randomised arm from
``TRT01P`` (else ``ARM``, ``TRT01A``), the period treatment ``TRTP`` and period ``APERIOD``, the
elapsed time from the dose ``ARELTM`` (with ``ARELTMU``: hours, minutes or days), and the standard
covariates of :data:`~outcomes.io.layouts.cdisc.COVARIATES`. Derived rows (``DTYPE`` filled, such as
LOCF or imputed records) are set aside and reported: this package derives and imputes itself.
``BASE``, ``CHG`` and ``PCHG`` are not read; :func:`outcomes.derive` recomputes them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.data.trialdata import TrialData
from outcomes.errors import MappingError
from outcomes.io.layouts.base import Extracted, assemble, listed_columns
from outcomes.io.layouts.cdisc import COVARIATES, measures_of_codes, scores_tall, upper_columns
from outcomes.io.mapping import ColumnMapping
from outcomes.io.measures import MeasureIndex

__all__ = ["extract", "to_table"]

_ARM = ("TRT01P", "ARM", "TRT01A")
_HOURS_PER = {
    "HOURS": 1.0,
    "HOUR": 1.0,
    "H": 1.0,
    "MINUTES": 1 / 60,
    "MIN": 1 / 60,
    "DAYS": 24.0,
    "DAY": 24.0,
    "D": 24.0,
}


def extract(
    raw: pd.DataFrame,
    *,
    mapping: ColumnMapping,
    index: MeasureIndex,
    instrument: str | None,
    log: ProblemLog,
) -> Extracted:
    """Assessments and score values of an ADQS data set."""
    up = upper_columns(raw)
    value_var = "AVAL" if "AVAL" in up else "AVALC"
    missing = [v for v in ("USUBJID", "PARAMCD") if v not in up]
    missing += [] if value_var in up else ["AVAL"]
    missing += [] if ("AVISIT" in up or "AVISITN" in up) else ["AVISIT or AVISITN"]
    if missing:
        raise MappingError(
            f"{log.file}: an ADaM BDS data set needs {missing}; the file has "
            f"{listed_columns(raw.columns)}"
        )
    derived = raw[up["DTYPE"]].notna() if "DTYPE" in up else pd.Series(False, index=raw.index)
    keep_rows = ~derived
    measure = measures_of_codes(raw, up, "PARAMCD", "PARCAT1", index, instrument, log)
    visit = raw[up["AVISIT"]] if "AVISIT" in up else raw[up["AVISITN"]]
    set_aside = _derived_rows(raw, up, derived, visit, measure)
    occasion = pd.Series(
        raw.groupby([raw[up["USUBJID"]], visit.fillna("")], sort=False, dropna=False).ngroup(),
        index=raw.index,
    )
    value = raw[up[value_var]]
    keep = keep_rows & measure["instrument"].notna() & value.notna()
    tall = pd.DataFrame(
        {
            "occasion": occasion[keep],
            "instrument": measure.loc[keep, "instrument"],
            "code": measure.loc[keep, "code"],
            "value": value[keep].astype(object),
            "source_row": raw.index[keep] + 1,
            "column": up[value_var],
        }
    )
    roles = {
        "subject": "USUBJID",
        "visit": "AVISIT" if "AVISIT" in up else "AVISITN",
        "visit_num": "AVISITN",
        "study_day": "ADY",
        "period_treatment": "TRTP",
        "period": "APERIOD",
    }
    arm = next((v for v in _ARM if v in up), None)
    if arm is not None:
        roles["arm"] = arm
    occasions = pd.DataFrame({role: raw[up[var]] for role, var in roles.items() if var in up})
    if "ARELTM" in up:
        unit = raw[up["ARELTMU"]].astype("str").str.upper() if "ARELTMU" in up else "HOURS"
        factor = pd.Series(unit, index=raw.index).map(_HOURS_PER).fillna(np.nan)
        occasions["hours_since_dose"] = pd.to_numeric(raw[up["ARELTM"]], errors="coerce") * factor
        roles["hours_since_dose"] = "ARELTM"
    covariates = [name for var, name in COVARIATES.items() if var in up]
    for var, name in COVARIATES.items():
        if var in up:
            occasions[name] = raw[up[var]]
    occasions["source_row"] = raw.index + 1
    first = ~occasion.duplicated() & keep_rows
    occasions = occasions[first.to_numpy()].set_index(occasion[first].to_numpy())
    records, values = assemble(occasions, tall)
    role_columns = {role: up[var] for role, var in roles.items() if var in up}
    notes = [f"{len(values)} values read from {len(raw)} ADQS rows"]
    if derived.any():
        notes.append(f"{int(derived.sum())} derived rows (DTYPE filled) set aside")
    score_cols = [
        up[v]
        for v in (
            "PARAMCD",
            "PARAM",
            "PARCAT1",
            "AVAL",
            "AVALC",
            "BASE",
            "CHG",
            "PCHG",
            "DTYPE",
            "ARELTMU",
        )
        if v in up
    ]
    return Extracted(records, values, covariates, role_columns, score_cols, notes, set_aside)


def _derived_rows(
    raw: pd.DataFrame,
    up: dict[str, str],
    derived: pd.Series,
    visit: pd.Series,
    measure: pd.DataFrame,
) -> pd.DataFrame:
    """The rows set aside as derived (``DTYPE`` filled), located for the problem report."""
    if not derived.any():
        return pd.DataFrame({"source_row": [], "reason": []})
    dtype = raw.loc[derived, up["DTYPE"]].astype("str")
    return pd.DataFrame(
        {
            "source_row": raw.index[derived] + 1,
            "reason": "derived row (DTYPE = " + dtype + "); outcomes derives and imputes itself",
            "subject": raw.loc[derived, up["USUBJID"]],
            "visit": visit[derived],
            "instrument": measure.loc[derived, "instrument"],
            "column": up["DTYPE"],
            "value": dtype,
        }
    )


def to_table(trial: TrialData) -> pd.DataFrame:
    """The trial as an ADQS table: items and totals as parameters (prorated totals not written)."""
    adqs = scores_tall(
        trial,
        [
            "subject",
            "arm",
            "visit",
            "visit_num",
            "study_day",
            "hours_since_dose",
            "period_treatment",
            "period",
            *trial.covariates,
        ],
    )
    out = pd.DataFrame(
        {
            "USUBJID": adqs["subject"].astype("str"),
            "TRT01P": adqs["arm"].astype("str"),
            "PARCAT1": adqs["category"],
            "PARAMCD": adqs["code"],
            "PARAM": adqs["label"],
            "AVAL": adqs["value"],
            "AVISIT": adqs["visit"].astype("str"),
            "AVISITN": adqs["visit_num"],
            "ADY": adqs["study_day"],
            "ARELTM": adqs["hours_since_dose"],
            "ARELTMU": "HOURS",
            "TRTP": adqs["period_treatment"],
            "APERIOD": adqs["period"],
        }
    )
    inverse = {name: var for var, name in COVARIATES.items()}
    for cov in trial.covariates:
        out[inverse.get(cov, cov.upper())] = adqs[cov].to_numpy()
    return out.reset_index(drop=True)
