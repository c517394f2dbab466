"""CDISC ADaM BDS (ADQS): one row per subject x analysis visit x parameter.

Read by standard names: ``USUBJID``, ``PARAMCD`` (item or total code), ``AVAL`` (else ``AVALC``),
``PARCAT1`` (instrument, optional), ``AVISIT``/``AVISITN``, ``ADY``, the randomised arm from
``TRT01P`` (else ``ARM``, ``TRT01A``; else ``TRTP`` when it is one treatment per subject), the
period treatment ``TRTP`` and period ``APERIOD``, the elapsed time from the dose ``ARELTM`` (with
``ARELTMU``: hours, minutes or days), the standard covariates of
:data:`~outcomes.io.layouts.cdisc.COVARIATES` and the subject-level variables of
:data:`~outcomes.io.layouts.cdisc.SUBJECT_VARIABLES` (population flags, ``SITEGR1``); a mapping's
roles override any of these (``mapping={"arm": "TRTP"}``), and ``covariates=`` chooses the
covariates.

Which records are read, as a statistician filters them:

* **Observed records by default.** Derived records (``DTYPE`` filled: ``LOCF``, ``WOCF``,
  ``AVERAGE``, ...) are set aside, summed up in one warning per ``DTYPE``; ``derived=("LOCF",)``
  reads the sponsor's records of those types too, with their ``DTYPE`` kept as the column ``dtype``.
* **The analysis flag.** When the file has ``ANL01FL`` (or the ``analysis_flag=`` named, such as
  ``ANL02FL``), only records flagged ``Y`` are read: the records the sponsor's analysis uses, one
  per subject, visit and parameter. The others are set aside in one warning. ``analysis_flag=None``
  reads every record.
* **One questionnaire.** With ``instrument=``, the rows of other parameters are set aside in one
  note.

``BASE``, ``CHG`` and ``PCHG`` are not read; :func:`outcomes.derive` recomputes them (a file whose
baseline is only a column says so in the notes).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.data.trialdata import TrialData
from outcomes.errors import MappingError
from outcomes.io.layouts.base import Extracted, ScoreBlock, assemble, listed_columns
from outcomes.io.layouts.cdisc import (
    COVARIATES,
    covariate_columns,
    mapped_roles,
    measures_of_codes,
    scores_tall,
    upper_columns,
)
from outcomes.io.mapping import ColumnMapping
from outcomes.io.measures import MeasureIndex

__all__ = ["DEFAULT_ANALYSIS_FLAG", "NAME", "detect", "extract", "to_table"]

#: The layout's name, as ``read(layout=...)`` takes it.
NAME = "adam-adqs"


def detect(columns: set[str]) -> str | None:
    """Why a table with these (normalised) column names is an ADaM BDS data set, or ``None``."""
    if {"usubjid", "paramcd", "aval"} <= columns:
        return "USUBJID, PARAMCD and AVAL present"
    return None


#: The analysis flag applied when the file has it and ``analysis_flag=`` is not given.
DEFAULT_ANALYSIS_FLAG = "ANL01FL"

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
_SCORE_VARIABLES = (
    "PARAMCD",
    "PARAM",
    "PARAMN",
    "PARCAT1",
    "AVAL",
    "AVALC",
    "BASE",
    "CHG",
    "PCHG",
    "DTYPE",
    "ARELTMU",
)


def extract(
    raw: pd.DataFrame,
    *,
    mapping: ColumnMapping,
    index: MeasureIndex,
    instrument: str | None,
    log: ProblemLog,
    derived: Collection[str] = (),
    analysis_flag: str | None = DEFAULT_ANALYSIS_FLAG,
) -> Extracted:
    """Assessments and score values of an ADQS data set.

    Parameters
    ----------
    raw : pandas.DataFrame
        The file's table.
    mapping : ColumnMapping
        Roles overriding the standard variables, and the covariates to keep.
    index : MeasureIndex
        The instruments known.
    instrument : str, optional
        Read this instrument's parameters only; the others are set aside in one note.
    log : ProblemLog
        Where problems go.
    derived : collection of str
        ``DTYPE`` values of derived records to read (``"LOCF"``); by default none.
    analysis_flag : str or None
        A ``Y``/blank flag variable selecting the records read. The default, ``ANL01FL``,
        applies when the file has it; a flag named otherwise must be in the file; ``None``
        reads every record.
    """
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
    notes: list[str] = []
    roles = _roles(raw, up, mapping, notes)
    measure = measures_of_codes(raw, up, "PARAMCD", "PARCAT1", index, instrument, log, notes)
    visit = raw[roles["visit"]]
    chosen, set_aside = _chosen_records(raw, up, measure, visit, derived, analysis_flag, roles)
    occasion = pd.Series(
        raw.groupby([raw[roles["subject"]], visit.fillna("")], sort=False, dropna=False).ngroup(),
        index=raw.index,
    )
    value = raw[up[value_var]]
    keep = chosen & measure["instrument"].notna() & value.notna()
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
    occasions = pd.DataFrame(
        {role: raw[column] for role, column in roles.items() if role != "hours_since_dose"}
    )
    if "hours_since_dose" in roles:
        occasions["hours_since_dose"] = _hours(raw, up, roles["hours_since_dose"])
    used = set(roles.values())
    covariates = {c: n for c, n in covariate_columns(raw, up, mapping).items() if c not in used}
    if derived and "DTYPE" in up:
        covariates[up["DTYPE"]] = "dtype"  # as derive(carry=) flags its own
    for column, name in covariates.items():
        occasions[name] = raw[column]
    occasions["source_row"] = raw.index + 1
    first = ~occasion[chosen].duplicated()
    first = first.reindex(raw.index, fill_value=False)
    occasions = occasions[first.to_numpy()].set_index(occasion[first].to_numpy())
    records, values = assemble(occasions, [ScoreBlock.from_tall(tall)])
    notes.insert(0, f"{len(tall)} values read from {len(raw)} ADQS rows")
    if "BASE" in up:
        notes.append(
            f"baseline column {up['BASE']} not read: outcomes.derive computes the baseline "
            "from the baseline visit's records"
        )
    score_cols = [up[v] for v in _SCORE_VARIABLES if v in up]
    return Extracted(
        records, values, list(covariates.values()), roles, score_cols, notes, set_aside
    )


def _roles(
    raw: pd.DataFrame, up: dict[str, str], mapping: ColumnMapping, notes: list[str]
) -> dict[str, str]:
    """Role -> column: the standard variables, the mapping's roles over them."""
    standard = {
        "subject": "USUBJID",
        "visit": "AVISIT" if "AVISIT" in up else "AVISITN",
        "visit_num": "AVISITN",
        "study_day": "ADY",
        "period_treatment": "TRTP",
        "period": "APERIOD",
        "hours_since_dose": "ARELTM",
    }
    arm = next((v for v in _ARM if v in up), None)
    if arm is not None:
        standard["arm"] = arm
    roles = mapped_roles(standard, up, mapping, "adam-adqs")
    if "arm" not in roles and "period_treatment" in roles:
        trtp = roles["period_treatment"]
        if raw.groupby(raw[roles["subject"]], sort=False)[trtp].nunique().max() <= 1:
            roles["arm"] = roles.pop("period_treatment")
            notes.append(
                f"arm <- {trtp} (no TRT01P, ARM or TRT01A; {trtp} is one treatment per "
                "subject); name another with mapping={'arm': ...}"
            )
    if "visit_num" in roles and roles["visit_num"] == roles["visit"]:
        del roles["visit_num"]
    return roles


def _chosen_records(
    raw: pd.DataFrame,
    up: dict[str, str],
    measure: pd.DataFrame,
    visit: pd.Series,
    derived: Collection[str],
    analysis_flag: str | None,
    roles: dict[str, str],
) -> tuple[pd.Series, pd.DataFrame]:
    """Which rows are read, and those set aside with their reason (one reason per kind)."""
    wanted = {str(d).strip().upper() for d in derived}
    dtype = (
        raw[up["DTYPE"]].astype("string").str.strip().str.upper()
        if "DTYPE" in up
        else pd.Series(pd.NA, index=raw.index, dtype="string")
    )
    if wanted and "DTYPE" not in up:
        raise MappingError(f"derived={sorted(wanted)} was given, but the file has no DTYPE")
    is_derived = dtype.notna() & (dtype != "")
    unread = is_derived & ~dtype.isin(wanted)
    reasons = pd.Series(pd.NA, index=raw.index, dtype=object)
    reasons[unread] = (
        "derived record (DTYPE = "
        + dtype[unread].astype(str)
        + "); observed records are read: pass derived=['"
        + dtype[unread].astype(str)
        + "'] for the sponsor's"
    )
    flag = _analysis_flag(up, analysis_flag)
    if flag is not None:
        flagged = raw[flag].astype("string").str.strip().str.upper().isin(["Y", "1", "1.0"])
        off = ~flagged & ~unread
        reasons[off] = (
            f"not flagged {flag} = Y: not one of the records the analysis uses "
            f"(pass analysis_flag=None to read every record)"
        )
    chosen = reasons.isna()
    aside = reasons.notna() & measure["instrument"].notna()
    set_aside = pd.DataFrame(
        {
            "source_row": raw.index[aside] + 1,
            "reason": reasons[aside],
            "subject": raw.loc[aside, roles["subject"]],
            "visit": visit[aside],
            "instrument": measure.loc[aside, "instrument"],
            "column": np.where(unread[aside], up.get("DTYPE", ""), flag or ""),
            "value": np.where(unread[aside], dtype[aside].astype(object), "not Y"),
        }
    )
    return chosen, set_aside


def _analysis_flag(up: dict[str, str], analysis_flag: str | None) -> str | None:
    """The file's column of the analysis flag applied, if any."""
    if analysis_flag is None:
        return None
    name = str(analysis_flag).strip().upper()
    if name in up:
        return up[name]
    if name == DEFAULT_ANALYSIS_FLAG:
        return None
    flags = sorted(v for v in up if v.startswith("ANL") and v.endswith("FL"))
    raise MappingError(
        f"analysis_flag={analysis_flag!r}: the file has no such column"
        + (f"; its analysis flags are {flags}" if flags else "; it has no ANLzzFL flag")
    )


def _hours(raw: pd.DataFrame, up: dict[str, str], column: str) -> pd.Series:
    """Hours since the dose from an elapsed time and its unit (hours when no unit is given)."""
    unit = raw[up["ARELTMU"]].astype("str").str.upper() if "ARELTMU" in up else "HOURS"
    factor = pd.Series(unit, index=raw.index).map(_HOURS_PER).fillna(np.nan)
    return pd.to_numeric(raw[column], errors="coerce") * factor


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
