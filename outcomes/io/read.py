"""``outcomes.read``: one call from a trial's file to a validated, scored :class:`TrialData`."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.api.types import infer_dtype

from outcomes import instruments as registry
from outcomes.data.problems import ProblemLog
from outcomes.data.schedule import Schedule
from outcomes.data.trialdata import TrialData
from outcomes.errors import MappingError, ReadError
from outcomes.io import layouts
from outcomes.io.formats import read_table
from outcomes.io.layouts import LAYOUTS, detect_layout
from outcomes.io.layouts.adam import DEFAULT_ANALYSIS_FLAG
from outcomes.io.layouts.base import Extracted
from outcomes.io.layouts.wide import split_column
from outcomes.io.mapping import ROLES, ColumnMapping, normalise
from outcomes.io.measures import MeasureIndex
from outcomes.io.population import select_population
from outcomes.validate.anonymity import find_identifiers
from outcomes.validate.build import build_trial

__all__ = ["LAYOUTS", "detect_layout", "from_frame", "read"]


#: The column names of every role, normalised: a trial's table has at least one of them.
_ROLE_NAMES = frozenset(name for names in ROLES.values() for name in names)


def read(
    path: str | Path,
    layout: str | None = None,
    instrument: str | None = None,
    mapping: ColumnMapping | Mapping[str, Any] | str | Path | None = None,
    *,
    schedule: Schedule | Mapping[str, Any] | str | Path | None = None,
    events: pd.DataFrame | str | Path | None = None,
    subjects: pd.DataFrame | str | Path | None = None,
    allow_identifiers: Collection[str] = (),
    max_missing_items: int = 0,
    sheet: str | int | None = None,
    baseline: str | None = None,
    population: str | None = None,
    covariates: Collection[str] | None = None,
    derived: str | Collection[str] = (),
    analysis_flag: str | None = DEFAULT_ANALYSIS_FLAG,
    format: str | None = None,
) -> TrialData:
    """Read a trial's score file, validate it, score it, and return its :class:`TrialData`.

    Parameters
    ----------
    path : str or Path
        CSV/TSV, Excel, Parquet, SPSS ``.sav``, SAS ``.sas7bdat``/``.xpt``, Stata ``.dta`` or R
        ``.rda``/``.rds`` (with the extra ``outcomes[r]``).
    layout : {"long", "wide", "sdtm-qs", "adam-adqs", "redcap"}, optional
        Detected from the columns when not given (the decision is in ``TrialData.notes``).
    instrument : str, optional
        The instrument of a file that holds one, so that bare column names (``item1``, ``q3``,
        ``total``) are read as its items and total.
    mapping : ColumnMapping, dict or path, optional
        Which column plays which role (see :mod:`outcomes.io.mapping`); detected where not given.
        CDISC layouts use their standard variable names and take no mapping.
    schedule : Schedule, dict or path, optional
        The schedule of assessments; inferred from the data when not given.
    events : DataFrame or path, optional
        Intercurrent events: columns ``subject, event, day`` and optionally ``detail``.
    subjects : DataFrame or path, optional
        A subject-level table (CDISC DM or ADSL, or any table with a subject and an arm column)
        giving the arm and covariates where the score file lacks them. For ``sdtm-qs`` a file
        ``dm.*`` beside the QS file is used when this is not given.
    allow_identifiers : collection of str
        Columns to keep although they look like personal identifiers.
    max_missing_items : int, default 0
        Totals are scored from items only when no item is missing; with ``k`` a total with up
        to ``k`` missing items is prorated.
    sheet : str or int, optional
        Excel sheet (the first by default), or the data frame of an R ``.rda`` file that holds
        several.
    baseline : str, optional
        The baseline visit's label, where no schedule says it.
    population : str, optional
        A subject-level Y/N flag (``EFFFL``, ``ITTFL``, ``SAFFL``, ``FASFL``, ``PPROTFL``,
        ``COMP24FL``, ...) in the score file or the subjects table: only its subjects are read,
        the others are counted in one note.
    covariates : collection of str, optional
        The covariate columns to keep, from the score file or the subjects table (``["SITEGR1",
        "AGE"]``); by default a layout's own choice (every extra column of a long or wide file;
        the standard CDISC ones, population flags and ``SITEGR1`` of a CDISC file).
    derived : str or collection of str
        ADaM: the ``DTYPE`` values of the sponsor's derived records to read too (``"LOCF"``),
        their ``DTYPE`` kept as the column ``dtype``. By default only observed records are read.
    analysis_flag : str or None, default "ANL01FL"
        ADaM: read only the records this flag marks ``Y`` (the records of the sponsor's analysis,
        one per subject, visit and parameter); the default applies when the file has it, ``None``
        reads every record.
    format : str, optional
        The file's format (``"csv"``, ``"excel"``, ``"xpt"``, ... as in
        :data:`outcomes.io.formats.FORMATS`) where its suffix is missing or misleading.

    Returns
    -------
    TrialData

    Raises
    ------
    ValidationError
        Listing every problem in the file (its ``problems`` DataFrame), when any is an error.
    ReadError, MappingError
        When the file cannot be read, or its columns cannot be matched to roles at all. A file
        none of whose columns is named like a trial's (a subject, visit, arm or day column, an
        item or total of a registered instrument, or a column of ``mapping``) is a ReadError
        that names the file only: such a file is not a trial's, and its first line, which
        would be its column names, is not shown.

    Examples
    --------
    >>> import tempfile, outcomes
    >>> folder = outcomes.write_sample(tempfile.mkdtemp())
    >>> trial = outcomes.read(folder / "long.csv", schedule=folder / "schedule.toml")
    >>> trial.frame[["subject", "visit", "instrument"]].head(2)
      subject      visit instrument
    0    S001  SCREENING       gad7
    1    S001  SCREENING      madrs
    """
    column_mapping = ColumnMapping.from_any(mapping)
    return _trial(
        partial(_file_table, path, column_mapping, layout, subjects, format=format, sheet=sheet),
        layout,
        instrument,
        column_mapping,
        schedule=schedule,
        events=events,
        allow_identifiers=allow_identifiers,
        max_missing_items=max_missing_items,
        baseline=baseline,
        population=population,
        covariates=covariates,
        derived=derived,
        analysis_flag=analysis_flag,
        name=str(path),
    )


def from_frame(
    raw: pd.DataFrame,
    layout: str | None = None,
    instrument: str | None = None,
    mapping: ColumnMapping | Mapping[str, Any] | str | Path | None = None,
    *,
    schedule: Schedule | Mapping[str, Any] | str | Path | None = None,
    events: pd.DataFrame | str | Path | None = None,
    subjects: pd.DataFrame | str | Path | None = None,
    allow_identifiers: Collection[str] = (),
    max_missing_items: int = 0,
    baseline: str | None = None,
    population: str | None = None,
    covariates: Collection[str] | None = None,
    derived: str | Collection[str] = (),
    analysis_flag: str | None = DEFAULT_ANALYSIS_FLAG,
    name: str = "<DataFrame>",
) -> TrialData:
    """Validate and score a table already in memory, laid out as a file would be.

    Takes the arguments of :func:`read` (``raw`` in place of ``path``); ``name`` stands for the
    file name in problem reports.

    Examples
    --------
    >>> import pandas as pd, outcomes
    >>> raw = pd.DataFrame({"subject": ["A1", "A1"], "arm": ["DRUG", "DRUG"],
    ...                     "visit": ["BASELINE", "WEEK 2"], "study_day": [1, 15],
    ...                     "gad7_1": [2, 1], "gad7_2": [2, 1], "gad7_3": [3, 1], "gad7_4": [2, 0],
    ...                     "gad7_5": [1, 0], "gad7_6": [2, 1], "gad7_7": [1, 1]})
    >>> outcomes.from_frame(raw).frame[["visit", "total", "total_source"]]
          visit  total total_source
    0  BASELINE   13.0        items
    1    WEEK 2    5.0        items
    """
    return _trial(
        lambda: (raw, subjects),
        layout,
        instrument,
        mapping,
        schedule=schedule,
        events=events,
        allow_identifiers=allow_identifiers,
        max_missing_items=max_missing_items,
        baseline=baseline,
        population=population,
        covariates=covariates,
        derived=derived,
        analysis_flag=analysis_flag,
        name=name,
    )


def _trial(
    table: Callable[[], tuple[pd.DataFrame, pd.DataFrame | str | Path | None]],
    layout: str | None,
    instrument: str | None,
    mapping: ColumnMapping | Mapping[str, Any] | str | Path | None,
    *,
    schedule: Schedule | Mapping[str, Any] | str | Path | None,
    events: pd.DataFrame | str | Path | None,
    allow_identifiers: Collection[str],
    max_missing_items: int,
    baseline: str | None,
    population: str | None,
    covariates: Collection[str] | None,
    derived: str | Collection[str],
    analysis_flag: str | None,
    name: str,
) -> TrialData:
    """The TrialData of the table that ``table()`` makes (with its subjects table).

    The table is made here and is only an argument of the extraction, so that, read from a
    file, nothing holds it once its values are checked: at a million rows its columns are
    hundreds of megabytes.
    """
    ex, found = _extracted(
        *table(),
        layout,
        instrument,
        mapping,
        allow_identifiers=allow_identifiers,
        population=population,
        covariates=covariates,
        derived=derived,
        analysis_flag=analysis_flag,
        name=name,
    )
    return build_trial(
        ex,
        schedule=_schedule(schedule),
        events=_table(events),
        max_missing_items=max_missing_items,
        baseline=baseline,
        **found,
    )


def _file_table(
    path: str | Path,
    mapping: ColumnMapping,
    layout: str | None,
    subjects: pd.DataFrame | str | Path | None,
    *,
    format: str | None,
    sheet: str | int | None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A file's table, refused unless named like a trial's, and its subjects table."""
    raw = read_table(path, format=format, sheet=sheet)
    _check_named_like_a_trial(raw, mapping, MeasureIndex())
    return raw, _subjects(subjects, path, layout or detect_layout(raw)[0])


def _extracted(
    raw: pd.DataFrame,
    subjects: pd.DataFrame | str | Path | None,
    layout: str | None,
    instrument: str | None,
    mapping: ColumnMapping | Mapping[str, Any] | str | Path | None,
    *,
    allow_identifiers: Collection[str],
    population: str | None,
    covariates: Collection[str] | None,
    derived: str | Collection[str],
    analysis_flag: str | None,
    name: str,
) -> tuple[Extracted, dict[str, Any]]:
    """The layout's assessments of a table, its population selected and its identifiers
    looked for, and what :func:`build_trial` needs beside them (index, log, source)."""
    raw = _single_values(raw.reset_index(drop=True), name)
    log = ProblemLog(file=Path(name).name)
    for problem in raw.attrs.get("problems", ()):
        log.add(**problem)  # what the reader found in the file's cells (encoding, cut rows)
    chosen, notes = (layout, []) if layout else detect_layout(raw)
    if layout is None and chosen == "wide" and not _names_visits(raw, instrument):
        chosen, notes = "long", ["layout: long (no visit column, and no column names a visit)"]
    if chosen not in LAYOUTS:
        raise MappingError(f"unknown layout {chosen!r}; the layouts are {list(LAYOUTS)}")
    if instrument is not None:
        instrument = registry.get(instrument).name
    index = MeasureIndex()
    column_mapping = _with_covariates(ColumnMapping.from_any(mapping), covariates, population)
    subject_table = _table(subjects)
    column_mapping.check_columns(
        [*raw.columns, *(subject_table.columns if subject_table is not None else ())], name
    )
    ex = layouts.extract(
        chosen,
        raw,
        mapping=column_mapping,
        index=index,
        instrument=instrument,
        log=log,
        subjects=subject_table,
        derived=(derived,) if isinstance(derived, str) else tuple(derived),
        analysis_flag=analysis_flag,
    )
    if population is not None:
        ex = select_population(ex, population, log)
    ex.notes[:0] = notes
    rc = ex.role_columns
    find_identifiers(raw, log, subject_column=rc.get("subject"), allow=allow_identifiers)
    source = {
        "file": name,
        "format": raw.attrs.get("source", {}).get("format", "DataFrame"),
        "layout": chosen,
    }
    return ex, {"index": index, "log": log, "source": source}


def _single_values(raw: pd.DataFrame, name: str) -> pd.DataFrame:
    """A table of one value per cell under unique column names, or MappingError saying where not.

    A file's reader guarantees both; a DataFrame (or a parquet file of nested columns) may not:
    a repeated column name is refused, bytes are decoded (UTF-8, else cp1252), and a cell that
    holds a list, a mapping or another container is refused with its column and row.
    """
    if not raw.columns.is_unique:
        repeated = sorted({str(c) for c in raw.columns[raw.columns.duplicated()]})
        raise MappingError(f"{name}: column name(s) {repeated} appear more than once")
    for column in raw.columns:
        cells = raw[column]
        if cells.dtype != object or infer_dtype(cells, skipna=True) in _SCALAR_KINDS:
            continue  # the common case, told in C without a look at each cell
        if cells.map(lambda v: isinstance(v, bytes)).any():
            cells = cells.map(_decoded)
            raw[column] = cells
        nested = ~cells.map(pd.api.types.is_scalar)
        if nested.any():
            row = int(nested.to_numpy().nonzero()[0][0]) + 1
            raise MappingError(
                f"{name}: column {str(column)!r} holds lists or other containers, not one value "
                f"per cell (first at row {row}); give that column one value per row, or leave it "
                "out"
            )
    return raw


#: What pandas infers of an object column whose cells are all single values.
_SCALAR_KINDS = frozenset(
    {
        "string",
        "empty",
        "integer",
        "floating",
        "mixed-integer-float",
        "boolean",
        "decimal",
        "datetime",
        "datetime64",
        "date",
        "time",
        "timedelta",
        "timedelta64",
        "period",
    }
)


def _decoded(value: object) -> object:
    if not isinstance(value, bytes):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("cp1252", errors="replace")


def _names_visits(raw: pd.DataFrame, instrument: str | None) -> bool:
    """Whether some column of a table names a measure at a visit, as a wide file's do."""
    index = MeasureIndex()
    known = registry.get(instrument).name if instrument is not None else None
    return any(split_column(str(c), index, known) is not None for c in raw.columns)


def _with_covariates(
    mapping: ColumnMapping, covariates: Collection[str] | None, population: str | None
) -> ColumnMapping:
    """The mapping with ``covariates=`` as its covariates (the two must not disagree).

    A population flag is kept with the covariates chosen, so that it can select the subjects.
    """
    if covariates is None:
        if mapping.covariates is None or population is None:
            return mapping
        covariates = mapping.covariates
    if isinstance(covariates, str):
        covariates = [covariates]
    chosen = tuple(covariates)
    if population is not None and population not in chosen:
        return replace(_with_covariates(mapping, chosen, None), covariates=(*chosen, population))
    if mapping.covariates is not None and mapping.covariates != chosen:
        raise MappingError(
            f"covariates={list(chosen)} and the mapping's covariates "
            f"{list(mapping.covariates)} differ: give them in one place"
        )
    return replace(mapping, covariates=chosen)


def _check_named_like_a_trial(
    raw: pd.DataFrame, mapping: ColumnMapping, index: MeasureIndex | None = None
) -> None:
    """Refuse a table read from a file none of whose columns is named like a trial's.

    Such a file (a key, a password file, a document: a wrong path) is named, but nothing of it
    is shown. ``index`` recognises the items and totals of instruments too (a score file).
    """
    mapped = {*mapping.roles.values(), *mapping.items, *mapping.totals}
    for column in raw.columns:
        if column in mapped or normalise(column) in _ROLE_NAMES:
            return
        if index is not None and index.resolve(str(column)) is not None:
            return
    source = raw.attrs.get("source", {})
    raise ReadError(
        f"{source.get('file')}: none of its {len(raw.columns)} column(s) is named like a "
        f"trial's (subject, visit, arm, day, or an instrument's items or total), so it does not "
        f"look like a trial's {source.get('format')} file; check the path, or name its columns "
        "with a mapping"
    )


def _table(source: pd.DataFrame | str | Path | None) -> pd.DataFrame | None:
    """A table given, or read from a file whose columns are named like a trial's."""
    if source is None or isinstance(source, pd.DataFrame):
        return source
    table = read_table(source)
    _check_named_like_a_trial(table, ColumnMapping())
    return table


def _schedule(schedule: Schedule | Mapping[str, Any] | str | Path | None) -> Schedule | None:
    if schedule is None or isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, str | Path):
        return Schedule.from_toml(schedule)
    return Schedule.from_mapping(schedule)


def _subjects(
    subjects: pd.DataFrame | str | Path | None, path: str | Path, layout: str
) -> pd.DataFrame | None:
    if subjects is not None or layout != "sdtm-qs":
        return _table(subjects)
    beside = sorted(p for p in Path(path).parent.glob("dm.*") if p.is_file())
    return _table(beside[0]) if beside else None
