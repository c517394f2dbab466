"""Column mapping: which column of a file plays which role, given or detected.

Layouts that are not CDISC (``long``, ``wide``, ``redcap``) need to know which column holds the
subject, the arm, the visit, and which hold item scores or totals. A :class:`ColumnMapping` says so;
whatever it leaves out is detected from the column names, and every decision is reported.

A mapping is a dict (or a TOML/JSON file holding one)::

    subject = "PATIENT"            # roles -> column names (any of ROLES)
    arm = "THERAPY"
    visit = "VISIT"
    study_day = "RELDAYS"

    [items]                        # column -> item code, where names don't say it
    "GAD7_1" = "GAD0201"

    [totals]                       # column -> instrument, for total-score columns
    HAMDTL17 = "hamd17"

    covariates = ["GENDER", "POOLINV"]   # optional: only these extra columns are kept
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outcomes.errors import MappingError
from outcomes.names import normalise
from outcomes.textfiles import parse_json, parse_toml, read_text

__all__ = ["ROLES", "ColumnMapping", "detect_role", "normalise"]

#: Roles a column can play, with the names detection recognises (after :func:`normalise`).
ROLES: dict[str, tuple[str, ...]] = {
    "subject": (
        "subject",
        "subjectid",
        "subjid",
        "usubjid",
        "patient",
        "patientid",
        "participant",
        "participantid",
        "pid",
        "ptid",
        "recordid",
        "id",
    ),
    "arm": (
        "arm",
        "trt01p",
        "treatment",
        "randomisedarm",
        "randomizedarm",
        "arm1",
        "therapy",
        "allocation",
        "group",
        "treatmentarm",
        "trt",
    ),
    "visit": (
        "visit",
        "avisit",
        "visitname",
        "visitlabel",
        "timepoint",
        "redcapeventname",
        "event",
    ),
    "visit_num": ("visitnum", "avisitn", "visitnumber", "visitno"),
    "study_day": ("studyday", "ady", "qsdy", "day", "reldays", "relday", "dy"),
    "session": ("session", "dosingsession", "dosesession"),
    "hours_since_dose": ("hourssincedose", "hourspostdose", "hoursafterdose", "hourssincelastdose"),
    "period_treatment": ("trtp", "periodtreatment"),
    "period": ("aperiod", "period"),
    "instrument": ("instrument", "scale", "questionnaire", "qscat", "parcat1"),
    "total": ("total", "totalscore", "score"),
}


@dataclass(frozen=True)
class ColumnMapping:
    """Roles -> columns, item columns -> item codes, total columns -> instruments.

    Parameters
    ----------
    roles : dict
        Role name (a key of :data:`ROLES`) -> column name in the file.
    items : dict
        Column name -> registry item code.
    totals : dict
        Column name -> instrument name, for columns holding total scores.
    covariates : tuple of str or None
        The extra columns to keep; ``None`` keeps every column that plays no other role.

    Examples
    --------
    >>> m = ColumnMapping.from_any({"subject": "PATIENT", "totals": {"HAMDTL17": "hamd17"}})
    >>> m.roles, m.totals
    ({'subject': 'PATIENT'}, {'HAMDTL17': 'hamd17'})
    """

    roles: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    totals: dict[str, str] = field(default_factory=dict)
    covariates: tuple[str, ...] | None = None

    @classmethod
    def from_any(
        cls, mapping: ColumnMapping | Mapping[str, Any] | str | Path | None
    ) -> ColumnMapping:
        """A mapping from a ColumnMapping, a dict, a TOML or JSON file, or ``None`` (empty)."""
        if mapping is None:
            return cls()
        if isinstance(mapping, ColumnMapping):
            return mapping
        if isinstance(mapping, str | Path):
            mapping = _load_file(Path(mapping))
        data = dict(mapping)
        items = dict(data.pop("items", {}) or {})
        totals = dict(data.pop("totals", {}) or {})
        covariates = data.pop("covariates", None)
        unknown = sorted(k for k in data if k not in ROLES)
        if unknown:
            raise MappingError(
                f"unknown mapping key(s) {unknown}: a mapping takes the roles {sorted(ROLES)}, "
                "and 'items', 'totals', 'covariates'"
            )
        bad = {k: v for k, v in data.items() if v is not None and not isinstance(v, str)}
        if bad:
            raise MappingError(f"mapping roles take one column name each, not {bad}")
        roles = {k: v for k, v in data.items() if v is not None}
        return cls(roles, items, totals, None if covariates is None else tuple(covariates))

    def check_columns(self, columns: Iterable[str], file: str) -> None:
        """Raise :class:`MappingError` naming every mapped column that the file does not have."""
        present = set(columns)
        wanted = [*self.roles.values(), *self.items, *self.totals, *(self.covariates or ())]
        missing = [c for c in wanted if c not in present]
        if missing:
            raise MappingError(
                f"{file}: the mapping names column(s) {missing} that the file does not have; "
                f"its columns are {sorted(present)}"
            )


def detect_role(role: str, columns: Iterable[str], taken: Iterable[str] = ()) -> str | None:
    """The first column whose normalised name is one of the role's known names, or ``None``.

    Examples
    --------
    >>> detect_role("subject", ["VISIT", "PATIENT", "HAMDTL17"])
    'PATIENT'
    """
    used = set(taken)
    by_norm = {normalise(c): c for c in columns if c not in used}
    for name in ROLES[role]:
        if name in by_norm:
            return by_norm[name]
    return None


def _load_file(path: Path) -> dict[str, Any]:
    try:
        text = read_text(path)
    except OSError as exc:  # ReadError is an OSError
        raise MappingError(f"cannot read mapping file: {exc}") from exc
    try:
        loaded = parse_json(text) if path.suffix.lower() == ".json" else parse_toml(text)
    except ValueError as exc:
        raise MappingError(f"mapping file {path}: {exc}") from exc
    if not isinstance(loaded, dict):
        raise MappingError(
            f"mapping file {path} must hold a table of roles, not {type(loaded).__name__}"
        )
    return loaded


def resolve_roles(
    columns: Iterable[str],
    mapping: ColumnMapping,
    roles: Iterable[str],
    *,
    required: Iterable[str],
    file: str,
    exclude: Iterable[str] = (),
) -> tuple[dict[str, str], list[str]]:
    """Columns for the given roles: from the mapping, else detected by name.

    Returns the roles found and notes saying which were detected. Raises :class:`MappingError`
    naming every required role that was neither mapped nor found, with the file's columns.
    """
    cols = list(columns)
    found: dict[str, str] = {}
    notes: list[str] = []
    taken = set(exclude)
    for role in roles:
        if role in mapping.roles:
            found[role] = mapping.roles[role]
        else:
            col = detect_role(role, cols, taken | set(found.values()))
            if col is not None:
                found[role] = col
                notes.append(f"{role} <- column {col!r} (detected)")
        taken.add(found.get(role, ""))
    missing = [r for r in required if r not in found]
    if missing:
        raise MappingError(
            f"{file}: no column found for {', '.join(missing)}; the file's columns are {cols}. "
            "Name them with mapping={" + ", ".join(f"'{r}': '<column>'" for r in missing) + "}"
        )
    return found, notes
