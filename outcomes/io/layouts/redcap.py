"""REDCap exports: a row per record x event, fields named by the project's data dictionary.

Read from a REDCap "raw" export (codes, not labels): ``record_id`` (or the project's first field)
is the subject, ``redcap_event_name`` the visit, with its ``_arm_N`` suffix removed (a REDCap arm
is a schedule, not the randomised arm). Score fields are recognised by name (``madrs_1``,
``gad7_total``) or mapped. Fields recorded on one event only (the randomised arm, sex, age) are
carried to the subject's other events. ``<form>_complete`` status fields are not data and are
skipped; events holding no scores (consent, randomisation) give no assessment and are noted.
Repeating instruments become visits ``<event> #<instance>``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.data.trialdata import TrialData
from outcomes.io.layouts.base import CONTEXT_ROLES, Extracted, written_total
from outcomes.io.layouts.long import extract_rows
from outcomes.io.mapping import ColumnMapping, normalise, resolve_roles
from outcomes.io.measures import MeasureIndex

__all__ = ["NAME", "detect", "extract", "to_table"]

#: The layout's name, as ``read(layout=...)`` takes it.
NAME = "redcap"


def detect(columns: set[str]) -> str | None:
    """Why a table with these (normalised) column names is a REDCap export, or ``None``."""
    return "redcap_event_name present" if "redcapeventname" in columns else None


_ARM_SUFFIX = re.compile(r"_arm_\d+$", re.IGNORECASE)
_SYSTEM = {"redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"}


def extract(
    raw: pd.DataFrame,
    *,
    mapping: ColumnMapping,
    index: MeasureIndex,
    instrument: str | None,
    log: ProblemLog,
) -> Extracted:
    """Assessments and score values of a REDCap export (see the module docstring)."""
    table = raw.copy()
    event = table["redcap_event_name"].astype("str").str.replace(_ARM_SUFFIX, "", regex=True)
    if "redcap_repeat_instance" in table:
        instance = table["redcap_repeat_instance"].astype("str")
        event = event.where(instance.isna(), event + " #" + instance)
    # A REDCap export lists each record's events in the project's order: that is the visits'.
    table["redcap_event_name"] = pd.Categorical(
        event, categories=list(dict.fromkeys(event.dropna())), ordered=True
    )
    status = [c for c in table if str(c).endswith("_complete")]
    table = table.drop(columns=status)
    fixed = {"visit": "redcap_event_name", **mapping.roles}
    roles, notes = resolve_roles(
        table.columns,
        ColumnMapping(fixed, mapping.items, mapping.totals, mapping.covariates),
        (*CONTEXT_ROLES, "total"),
        required=("subject", "visit"),
        file=log.file or "the file",
        exclude=_SYSTEM - {"redcap_event_name"},
    )
    table = table.drop(columns=[c for c in _SYSTEM - {"redcap_event_name"} if c in table])
    per_subject = [c for role, c in roles.items() if role in ("arm", "period_treatment")]
    ex_cov = _covariate_columns(table, roles, mapping, index, instrument)
    subject = table[roles["subject"]]
    for col in [*per_subject, *ex_cov]:
        table[col] = table.groupby(subject, sort=False)[col].transform("first")
    scored = extract_rows(
        table,
        roles=roles,
        notes=notes,
        mapping=mapping,
        index=index,
        instrument=instrument,
        log=ProblemLog(log.file),
    )
    held = np.concatenate([block.source_row[block.scored()] for block in scored.values])
    empty = len(table) - len(np.unique(held))
    log.extend(
        p
        for p in _problems_but_empty_rows(
            table, scored, roles, mapping, index, instrument, log.file
        )
    )
    scored.notes.append(
        f"REDCap: {len(status)} form status fields skipped; {empty} rows (events) hold no scores"
    )
    return scored


def _covariate_columns(
    table: pd.DataFrame,
    roles: dict[str, str],
    mapping: ColumnMapping,
    index: MeasureIndex,
    instrument: str | None,
) -> list[str]:
    from outcomes.io.measures import find_measures

    used = set(roles.values()) | set(
        find_measures(
            table.columns, index, items=mapping.items, totals=mapping.totals, instrument=instrument
        )
    )
    if mapping.covariates is not None:
        return list(mapping.covariates)
    return [c for c in table.columns if c not in used]


def _problems_but_empty_rows(
    table: pd.DataFrame,
    scored: Extracted,
    roles: dict[str, str],
    mapping: ColumnMapping,
    index: MeasureIndex,
    instrument: str | None,
    file: str | None,
) -> list:
    """Problems of the rows but 'no scores' warnings: REDCap events without scores are normal."""
    log = ProblemLog(file)
    extract_rows(
        table, roles=roles, notes=[], mapping=mapping, index=index, instrument=instrument, log=log
    )
    return [p for p in log.problems if p.code != "no-scores"]


def to_table(trial: TrialData) -> pd.DataFrame:
    """The trial as a REDCap raw export of a longitudinal project with one REDCap arm.

    Arm and covariates are on each subject's first event only, as a randomisation form would
    hold them; items are ``<instrument>_<n>``, totals ``<instrument>_total`` (scored or reported
    totals only), each instrument with its ``<instrument>_complete`` status (2 = complete).
    """
    frame = trial.frame
    keys = ["subject", "visit"]
    out = frame[[*keys, "study_day", "hours_since_dose"]].drop_duplicates(keys).set_index(keys)
    for name, inst in trial.instruments.items():
        field = normalise(name)
        rows = frame[frame["instrument"] == name].set_index(keys)
        scores = rows[inst.item_codes].rename(
            columns={c: f"{field}_{k}" for k, c in enumerate(inst.item_codes, start=1)}
        )
        scores[f"{field}_total"] = written_total(rows)
        scores[f"{field}_complete"] = 2
        out = out.join(scores, how="left")
    out = out.reset_index()
    first = ~out["subject"].duplicated()
    subjects = trial.subjects.set_index("subject")
    lead = pd.DataFrame(
        {
            "record_id": out["subject"],
            "redcap_event_name": out["visit"].astype("str").map(_event_name),
        }
    )
    lead["arm"] = out["subject"].map(subjects["arm"].astype("str")).where(first)
    for cov in trial.covariates:
        lead[cov] = out["subject"].map(subjects[cov]).where(first)
    return pd.concat([lead, out.drop(columns=keys)], axis=1)


def _event_name(visit: str) -> str:
    """A REDCap unique event name for a visit label: ``WEEK 2`` -> ``week_2_arm_1``."""
    return re.sub(r"[^0-9a-z]+", "_", visit.lower()).strip("_") + "_arm_1"
