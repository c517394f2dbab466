"""CDISC SDTM QS: one row per subject x visit x question, read by its standard variable names.

Read: ``USUBJID`` (subject), ``QSCAT`` (instrument; when absent or unknown, the instrument that
owns ``QSTESTCD``), ``QSTESTCD`` (item or total code), the result from ``QSSTRESN``, else
``QSSTRESC``, else ``QSORRES``, ``VISIT``/``VISITNUM``, ``QSDY`` (study day) and ``QSELTM``
(elapsed time from the dose, ISO 8601). Rows with ``QSSTAT`` = ``NOT DONE`` carry no score.
QS holds no arm: it comes from a ``subjects`` table (the DM domain; a ``dm.*`` file beside the QS
file is used) or from a non-standard ``ARM`` column in QS.
"""

from __future__ import annotations

import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.data.trialdata import TrialData
from outcomes.errors import MappingError
from outcomes.io.layouts.base import Extracted, ScoreBlock, assemble, listed_columns
from outcomes.io.layouts.cdisc import (
    COVARIATES,
    hours_from_iso,
    iso_from_hours,
    measures_of_codes,
    scores_tall,
    upper_columns,
)
from outcomes.io.mapping import ColumnMapping
from outcomes.io.measures import MeasureIndex

__all__ = ["NAME", "detect", "extract", "to_tables"]

#: The layout's name, as ``read(layout=...)`` takes it.
NAME = "sdtm-qs"


def detect(columns: set[str]) -> str | None:
    """Why a table with these (normalised) column names is an SDTM QS domain, or ``None``."""
    if {"usubjid", "qstestcd"} <= columns:
        return "USUBJID and QSTESTCD present"
    return None


_RESULT = ("QSSTRESN", "QSSTRESC", "QSORRES")


def extract(
    raw: pd.DataFrame,
    *,
    mapping: ColumnMapping,
    index: MeasureIndex,
    instrument: str | None,
    log: ProblemLog,
) -> Extracted:
    """Assessments and score values of an SDTM QS domain."""
    up = upper_columns(raw)
    results = [up[v] for v in _RESULT if v in up]
    missing = [v for v in ("USUBJID", "QSTESTCD") if v not in up]
    if not results:
        missing.append("QSSTRESN or QSORRES")
    if "VISIT" not in up and "VISITNUM" not in up:
        missing.append("VISIT or VISITNUM")
    if missing:
        raise MappingError(
            f"{log.file}: an SDTM QS domain needs {missing}; the file has "
            f"{listed_columns(raw.columns)}"
        )
    value = raw[results[0]].astype(object)  # a text result may fill a numeric one
    column = pd.Series(results[0], index=raw.index, dtype=object)
    for fallback in results[1:]:
        use = value.isna() & raw[fallback].notna()
        value[use] = raw.loc[use, fallback]
        column[use] = fallback
    notes: list[str] = []
    measures = measures_of_codes(raw, up, "QSTESTCD", "QSCAT", index, instrument, log, notes)
    value, answered = _scored_answers(value, column, measures, index)
    if answered:
        notes.append(f"{answered:,} text answers (QSORRES) scored by their instrument's wording")
    visit = raw[up["VISIT"]] if "VISIT" in up else raw[up["VISITNUM"]]
    occasion = pd.Series(
        raw.groupby([raw[up["USUBJID"]], visit.fillna("")], sort=False, dropna=False).ngroup(),
        index=raw.index,
    )
    keep = measures["instrument"].notna() & value.notna()
    tall = pd.DataFrame(
        {
            "occasion": occasion[keep],
            "instrument": measures.loc[keep, "instrument"],
            "code": measures.loc[keep, "code"],
            "value": value[keep].astype(object),
            "source_row": raw.index[keep] + 1,
            "column": column[keep],
        }
    )
    first = ~occasion.duplicated()
    occasions = pd.DataFrame({"subject": raw[up["USUBJID"]], "visit": visit}, index=raw.index)
    for role, var in (("visit_num", "VISITNUM"), ("study_day", "QSDY"), ("arm", "ARM")):
        if var in up:
            occasions[role] = raw[up[var]]
    if "QSELTM" in up:
        occasions["hours_since_dose"] = hours_from_iso(raw[up["QSELTM"]])
    occasions["source_row"] = raw.index + 1
    occasions = occasions[first.to_numpy()].set_index(occasion[first].to_numpy())
    records, values = assemble(occasions, [ScoreBlock.from_tall(tall)])
    role_columns = {"subject": up["USUBJID"], "visit": up.get("VISIT", up.get("VISITNUM", ""))}
    role_columns |= {
        role: up[v]
        for role, v in (
            ("visit_num", "VISITNUM"),
            ("study_day", "QSDY"),
            ("arm", "ARM"),
            ("hours_since_dose", "QSELTM"),
        )
        if v in up
    }
    not_done = (
        int((raw[up["QSSTAT"]].astype("str").str.upper() == "NOT DONE").sum())
        if "QSSTAT" in up
        else 0
    )
    notes.insert(0, f"{len(tall)} results read from {len(raw)} QS rows")
    if not_done:
        notes.append(f"{not_done} rows with QSSTAT = NOT DONE carry no score")
    score_cols = [up[v] for v in ("QSTESTCD", "QSTEST", "QSCAT", "QSSCAT", *_RESULT) if v in up]
    return Extracted(records, values, [], role_columns, score_cols, notes)


def _scored_answers(
    value: pd.Series, column: pd.Series, measures: pd.DataFrame, index: MeasureIndex
) -> tuple[pd.Series, int]:
    """Text answers (``QSORRES``) as the score their instrument gives their wording.

    Only answers from ``QSORRES`` whose wording the instrument lists are scored (case and spacing
    aside); any other text stays as it is, for validation to report.
    """
    text = column.eq("QSORRES") & value.map(lambda v: isinstance(v, str))
    if not text.any():
        return value, 0
    value = value.astype(object)
    scored = 0
    for name, rows in measures[text].groupby("instrument", sort=False).groups.items():
        wording = {_plain(w): score for w, score in index.instruments[str(name)].responses}
        if not wording:
            continue
        mapped = value[rows].map(_plain).map(wording)
        hit = mapped.notna()
        value[mapped.index[hit]] = mapped[hit]
        scored += int(hit.sum())
    return value, scored


def _plain(text: object) -> str:
    return " ".join(str(text).split()).casefold()


def to_tables(trial: TrialData, study: str = "STUDY") -> dict[str, pd.DataFrame]:
    """The trial as SDTM ``qs`` and ``dm`` tables (scored and reported totals as derived rows).

    Prorated totals are not written: they follow from the items and the reader's policy.
    """
    qs = scores_tall(trial, ["subject", "visit", "visit_num", "study_day", "hours_since_dose"])
    baseline = trial.schedule.baseline_visit
    out = pd.DataFrame(
        {
            "STUDYID": study,
            "DOMAIN": "QS",
            "USUBJID": qs["subject"].astype("str"),
            "QSSEQ": qs.groupby("subject").cumcount() + 1,
            "QSTESTCD": qs["code"],
            "QSTEST": qs["label"],
            "QSCAT": qs["category"],
            "QSORRES": qs["value"].map(lambda v: f"{v:g}"),
            "QSSTRESC": qs["value"].map(lambda v: f"{v:g}"),
            "QSSTRESN": qs["value"],
            "QSBLFL": (qs["visit"].astype("str") == baseline).map({True: "Y", False: ""}),
            "QSDRVFL": qs["is_total"].map({True: "Y", False: ""}),
            "VISITNUM": qs["visit_num"],
            "VISIT": qs["visit"].astype("str"),
            "QSDY": qs["study_day"],
            "QSELTM": iso_from_hours(qs["hours_since_dose"]),
        }
    ).reset_index(drop=True)
    subjects = trial.subjects
    dm = pd.DataFrame(
        {
            "STUDYID": study,
            "DOMAIN": "DM",
            "USUBJID": subjects["subject"],
            "ARM": subjects["arm"].astype("str"),
        }
    )
    inverse = {name: var for var, name in COVARIATES.items()}
    for cov in trial.covariates:
        dm[inverse.get(cov, cov.upper())] = subjects[cov]
    return {"qs": out, "dm": dm}
