"""What the CDISC layouts share: standard covariate names and ISO 8601 elapsed times."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.data.trialdata import TrialData
from outcomes.errors import MappingError
from outcomes.io.layouts.base import written_total
from outcomes.io.mapping import ColumnMapping
from outcomes.io.measures import MeasureIndex

__all__ = [
    "COVARIATES",
    "SUBJECT_VARIABLES",
    "covariate_columns",
    "mapped_roles",
    "hours_from_iso",
    "iso_from_hours",
    "measures_of_codes",
    "scores_tall",
    "upper_columns",
]

#: CDISC DM/ADSL variables kept as covariates, and the names they take in TrialData.
COVARIATES: dict[str, str] = {
    "SEX": "sex",
    "AGE": "age",
    "SITEID": "site",
    "RACE": "race",
    "ETHNIC": "ethnicity",
    "COUNTRY": "country",
}

#: Subject-level variables of ADSL (and of BDS data sets, which repeat them) kept as covariates
#: under their CDISC names when no ``covariates=`` list says otherwise: population flags, pooled
#: site, age group.
SUBJECT_VARIABLES: tuple[str, ...] = (
    "SAFFL",
    "ITTFL",
    "EFFFL",
    "FASFL",
    "PPROTFL",
    "COMP8FL",
    "COMP16FL",
    "COMP24FL",
    "SITEGR1",
    "AGEGR1",
)

#: Roles a CDISC layout's mapping may give.
CDISC_ROLES: tuple[str, ...] = (
    "subject",
    "arm",
    "visit",
    "visit_num",
    "study_day",
    "session",
    "hours_since_dose",
    "period_treatment",
    "period",
)


_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def upper_columns(raw: pd.DataFrame) -> dict[str, str]:
    """Upper-cased variable name -> the file's column name (CDISC names are upper case)."""
    return {str(c).upper(): c for c in raw.columns}


def covariate_columns(
    raw: pd.DataFrame, up: dict[str, str], mapping: ColumnMapping
) -> dict[str, str]:
    """The file's covariate columns and the names they take: chosen, else the standard ones.

    With ``mapping.covariates`` (``covariates=`` of :func:`outcomes.read`), exactly the columns it
    names that the file has, under a standard name where :data:`COVARIATES` gives one; else the
    standard covariates and :data:`SUBJECT_VARIABLES` the file has.

    Examples
    --------
    >>> raw = pd.DataFrame(columns=["USUBJID", "SEX", "EFFFL", "SITEGR1", "BMIBL"])
    >>> covariate_columns(raw, upper_columns(raw), ColumnMapping())
    {'SEX': 'sex', 'EFFFL': 'EFFFL', 'SITEGR1': 'SITEGR1'}
    >>> covariate_columns(raw, upper_columns(raw), ColumnMapping(covariates=("bmibl",)))
    {'BMIBL': 'BMIBL'}
    """
    if mapping.covariates is not None:
        chosen = [up[str(c).upper()] for c in mapping.covariates if str(c).upper() in up]
    else:
        chosen = [up[v] for v in (*COVARIATES, *SUBJECT_VARIABLES) if v in up]
    return {column: COVARIATES.get(str(column).upper(), str(column)) for column in chosen}


def mapped_roles(
    standard: dict[str, str], up: dict[str, str], mapping: ColumnMapping, layout: str
) -> dict[str, str]:
    """Role -> the file's column: the standard variables, overridden by the mapping's roles.

    Every role of ``mapping`` is honoured (a column given for a role is used for it and for no
    other), or refused by name when the layout has no such role.

    Examples
    --------
    >>> up = {"USUBJID": "USUBJID", "TRTP": "TRTP", "AVISIT": "AVISIT"}
    >>> mapped_roles({"subject": "USUBJID", "period_treatment": "TRTP", "visit": "AVISIT"},
    ...              up, ColumnMapping({"arm": "TRTP"}), "adam-adqs")
    {'subject': 'USUBJID', 'visit': 'AVISIT', 'arm': 'TRTP'}
    """
    unknown = sorted(set(mapping.roles) - set(CDISC_ROLES))
    if unknown:
        raise MappingError(
            f"the {layout} layout has no role {unknown}: its roles are {sorted(CDISC_ROLES)}; "
            "items and totals are rows of the file (register the instrument with its codes)"
        )
    if mapping.items or mapping.totals:
        raise MappingError(
            f"a {layout} file holds items and totals as rows, not columns, so a mapping's "
            "'items' and 'totals' do not apply: register the instrument with the file's codes "
            "(outcomes.instruments.register)"
        )
    given = set(mapping.roles.values())
    roles = {role: up[var] for role, var in standard.items() if var in up and up[var] not in given}
    roles.update(mapping.roles)
    return roles


def hours_from_iso(values: pd.Series) -> pd.Series:
    """Hours from ISO 8601 durations such as ``PT24H``, ``P1DT2H``, ``PT90M`` (missing if not one).

    Examples
    --------
    >>> hours_from_iso(pd.Series(["PT24H", "P1DT2H", "PT90M", "-PT1H", None, "soon"])).tolist()
    [24.0, 26.0, 1.5, -1.0, nan, nan]
    """

    def one(text: object) -> float:
        if not isinstance(text, str):
            return np.nan
        m = _DURATION.match(text.strip())
        if m is None or not any(m.group(k) for k in "dhms"):
            return np.nan
        hours = (
            float(m.group("d") or 0) * 24
            + float(m.group("h") or 0)
            + float(m.group("m") or 0) / 60
            + float(m.group("s") or 0) / 3600
        )
        return -hours if m.group("sign") else hours

    return values.map(one).astype(float)


def iso_from_hours(hours: pd.Series) -> pd.Series:
    """ISO 8601 durations ``PT<h>H`` from hours (empty where missing).

    Examples
    --------
    >>> iso_from_hours(pd.Series([24.0, 1.5, None])).tolist()
    ['PT24H', 'PT1.5H', '']
    """
    return hours.map(lambda h: "" if pd.isna(h) else f"PT{float(h):g}H")


def measures_of_codes(
    raw: pd.DataFrame,
    up: dict[str, str],
    code_var: str,
    category_var: str,
    index: MeasureIndex,
    instrument: str | None,
    log: ProblemLog,
    notes: list[str],
) -> pd.DataFrame:
    """Instrument and item or total code of each row, from a test code and its category.

    ``code_var`` (``QSTESTCD``, ``PARAMCD``) names the item or total; ``category_var`` (``QSCAT``,
    ``PARCAT1``), when present and known, says which instrument's. Without ``instrument``, a code
    that no registered instrument has is reported once (``unknown-item``) with its row count and
    first row. With ``instrument`` (read one questionnaire of a file that holds several), the
    rows of every other code are set aside, summed up in one line of ``notes``. Rows not read get
    missing instrument and code.
    """
    codes = raw[up[code_var]].astype("str").fillna("")
    cats = (
        raw[up[category_var]].astype("str").fillna("")
        if category_var in up
        else pd.Series("", index=raw.index)
    )
    out = pd.DataFrame(
        {
            "instrument": pd.Series(pd.NA, index=raw.index, dtype=object),
            "code": pd.Series(pd.NA, index=raw.index, dtype=object),
        }
    )
    pairs = pd.DataFrame({"cat": cats, "code": codes})
    subjects = raw[up["USUBJID"]] if "USUBJID" in up else pd.Series(pd.NA, index=raw.index)
    visit_var = next((up[v] for v in ("VISIT", "AVISIT", "VISITNUM", "AVISITN") if v in up), None)
    visits = raw[visit_var] if visit_var else pd.Series(pd.NA, index=raw.index)
    others: dict[str, int] = {}
    for (cat, code), rows in pairs.groupby(["cat", "code"], sort=False).groups.items():
        inst = index.instrument_of(cat) if cat else None
        found = index.resolve(code, inst.name if inst is not None else instrument)
        if instrument is not None and (found is None or found.instrument != instrument):
            others[code] = others.get(code, 0) + len(rows)
            continue
        if found is None:
            first = int(rows[0]) + 1
            what = f"{code_var} {code!r}" + (f" of {category_var} {cat!r}" if cat else "")
            log.add(
                "error",
                "unknown-item",
                f"{what} is not an item or total of any registered instrument "
                f"({len(rows)} rows, first row {first})",
                hint="register the instrument (outcomes.instruments.register) with these "
                f"codes, or correct {code_var}; to read one instrument of the file, "
                "pass instrument=",
                row=first,
                subject=subjects[rows[0]],
                visit=visits[rows[0]],
                column=up[code_var],
                value=code,
                instrument=inst.name if inst is not None else (cat or None),
            )
            continue
        out.loc[rows, "instrument"] = found.instrument
        out.loc[rows, "code"] = found.code
    if others:
        listed = ", ".join(f"{code} ({n:,})" for code, n in others.items())
        notes.append(
            f"{sum(others.values()):,} rows of {code_var} values that are not of {instrument} "
            f"set aside: {listed}"
        )
    return out


def scores_tall(trial: TrialData, context: list[str]) -> pd.DataFrame:
    """Every item and written total of the trial, one row each, in CDISC order.

    Returns the ``context`` columns of each assessment, then ``code`` (item or total code),
    ``value``, ``label``, ``category`` (the instrument's first alias, its CDISC name) and
    ``is_total``, sorted by subject, visit, category and item order.
    """
    frame = trial.frame
    parts = []
    for name, inst in trial.instruments.items():
        rows = frame[frame["instrument"] == name].assign(total=written_total)
        labels = {i.code: i.label for i in inst.items} | {inst.total_code: "total"}
        tall = rows.melt(
            id_vars=context,
            value_vars=[*inst.item_codes, "total"],
            var_name="code",
            value_name="value",
        )
        tall = tall[tall["value"].notna()]
        tall["code"] = tall["code"].replace({"total": inst.total_code})
        tall["label"] = inst.title + ": " + tall["code"].map(labels)
        tall["category"] = inst.aliases[0] if inst.aliases else inst.name.upper()
        tall["is_total"] = tall["code"] == inst.total_code
        tall["_order"] = tall["code"].map({c: k for k, c in enumerate(labels)})
        parts.append(tall)
    tall = pd.concat(parts, ignore_index=True)
    return (
        tall.sort_values(["subject", "visit_num", "category", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
