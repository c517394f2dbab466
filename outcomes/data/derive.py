"""Derived columns of the long table: baseline, change, bands, responders, reliable change.

:func:`derive_frame` adds these columns, in this order, to a copy of the long table (one row per
subject x visit x instrument; see :mod:`outcomes.data.columns`). Each is computed per subject and
instrument; the CDISC ADaM BDS (ADQS) equivalent is given where there is one.

==========================  ==================================================================
column                      meaning
==========================  ==================================================================
``base``                    the subject's baseline total for the instrument (ADaM ``BASE``)
``baseline_flag``           ``True`` on the one row that provided ``base`` (ADaM ``ABLFL``)
``chg``                     ``total - base`` on the baseline row (0) and post-baseline rows;
                            missing before baseline (ADaM ``CHG``)
``pchg``                    ``100 * chg / base``; missing where ``base`` is 0 (ADaM ``PCHG``)
``severity``                the severity band of ``total`` (text; the bands are the
                            instrument's own, so labels differ between instruments)
``response``                post-baseline rows: a fall of at least ``response_fall`` of
                            baseline (a rise, for a scale where higher is better)
``remission``               every row with a total: ``total <= remission_max``
``sustained_response``      response at this visit and at every later visit of the instrument
``rci``                     reliable change index, ``chg / S_diff`` (Jacobson & Truax 1991)
``reliable_change``         ``improved``, ``no reliable change`` or ``deteriorated``
                            (post-baseline rows)
``clinically_significant``  a reliable improvement that ends on the healthy side of
                            ``clinical_cutoff`` (post-baseline rows)
==========================  ==================================================================

``response``, ``remission``, ``sustained_response`` and ``clinically_significant`` are nullable
booleans (``boolean`` dtype): missing where the total, baseline or rule is missing. ``severity`` is
text (``object``), ``reliable_change`` a categorical, ``baseline_flag`` a plain ``bool``.

Every comparison with a threshold (response, remission, cut-off) allows a tolerance of ``1e-9``, so
that a prorated total equal to a threshold up to rounding counts as reaching it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from outcomes.data.carry import carry_totals
from outcomes.data.columns import (
    CORE_COLUMNS,
    INSTRUMENT,
    PHASE,
    SESSION,
    SUBJECT,
    TOTAL,
    VISIT,
    VISIT_NUM,
)
from outcomes.data.frames import factorize_sorted
from outcomes.data.problems import ProblemLog
from outcomes.data.schedule import Schedule
from outcomes.data.trialdata import TrialData
from outcomes.errors import InstrumentError, ValidationError
from outcomes.instruments.definition import Instrument
from outcomes.instruments.scoring import severity_band

__all__ = ["DERIVED_COLUMNS", "derive", "derive_frame"]

BASE = "base"
BASELINE_FLAG = "baseline_flag"
CHG = "chg"
PCHG = "pchg"
SEVERITY = "severity"
RESPONSE = "response"
REMISSION = "remission"
SUSTAINED_RESPONSE = "sustained_response"
RCI = "rci"
RELIABLE_CHANGE = "reliable_change"
CLINICALLY_SIGNIFICANT = "clinically_significant"

DERIVED_COLUMNS: tuple[str, ...] = (
    BASE,
    BASELINE_FLAG,
    CHG,
    PCHG,
    SEVERITY,
    RESPONSE,
    REMISSION,
    SUSTAINED_RESPONSE,
    RCI,
    RELIABLE_CHANGE,
    CLINICALLY_SIGNIFICANT,
)

#: ``baseline=`` value for the last non-missing pre-dose total.
LAST_BEFORE_DOSE = "last-before-dose"

#: Categories of ``reliable_change``; the position is the code used internally.
RELIABLE_CHANGE_LABELS: tuple[str, ...] = ("improved", "no reliable change", "deteriorated")

#: |RCI| above this is reliable change at the 5% level (Jacobson & Truax 1991, p. 14).
RCI_CRITICAL = 1.96

_PRE_DOSE_PHASES = ("screening", "baseline")
_REQUIRED = (SUBJECT, VISIT, VISIT_NUM, SESSION, PHASE, INSTRUMENT, TOTAL)
_TOL = 1e-9


def derive_frame(
    frame: pd.DataFrame,
    schedule: Schedule,
    instruments: Mapping[str, Instrument],
    *,
    baseline: str = LAST_BEFORE_DOSE,
    reference_sd: Mapping[str, float] | None = None,
    sustained_from: str | None = None,
    baseline_columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Add baseline, change and responder columns to the canonical long table.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long table, one row per subject x visit x instrument, with at least ``subject``,
        ``visit``, ``visit_num``, ``session``, ``phase``, ``instrument`` and ``total``.
        ``visit_num`` is the schedule's numbering and orders the visits.
    schedule : Schedule
        The schedule of assessments: it resolves ``baseline`` and ``sustained_from``.
    instruments : mapping of str to Instrument
        The definition of every instrument named in ``frame`` (extra entries are ignored).
    baseline : str, default "last-before-dose"
        ``"last-before-dose"``: the last non-missing total, by ``visit_num``, at a screening or
        baseline visit before the first dose (``session == 0``), so a missing baseline-visit total
        falls back to screening. Otherwise the name of a visit: the total at that visit, missing
        if it is missing there.
    reference_sd : mapping of str to float, optional
        SD0 of reliable change per instrument, e.g. from a normative sample. For an instrument not
        in it, SD0 is the SD (``ddof=1``) of the baseline totals in ``frame``, one per subject.
    sustained_from : str, optional
        The first visit at which ``sustained_response`` is defined. By default, the first visit
        of the schedule after the first dose (``session >= 1``).
    baseline_columns : mapping of str to str, optional
        Instrument -> a column of ``frame`` holding each row's baseline total, for a file with
        no baseline visit whose baseline is a column (ADaM ``BASE``, ``BASVAL``). For those
        instruments ``base`` is that column, no row is the baseline row, and every row after
        the first dose (``session >= 1``) is post-baseline.

    Returns
    -------
    pandas.DataFrame
        A new frame: the rows of ``frame`` in their order and index, its columns, then
        :data:`DERIVED_COLUMNS` (described in the module docstring). Derived columns already in
        ``frame`` are replaced.

    Raises
    ------
    ValidationError
        A required column is missing, or a subject has two rows for one visit and instrument.
    InstrumentError
        ``frame`` or ``reference_sd`` names an instrument that ``instruments`` does not define.
    ScheduleError
        ``baseline`` or ``sustained_from`` is not a visit of the schedule.

    Notes
    -----
    Post-baseline rows are those at a later ``visit_num`` than the subject's baseline row (for a
    named baseline visit, than that visit). ``chg`` is 0 on the baseline row, as in ADaM, and
    missing before it; ``response``, ``reliable_change`` and ``clinically_significant`` are
    defined on post-baseline rows only. ``remission`` and ``severity`` describe a score, so they
    are defined wherever there is a total.

    ``sustained_response`` (COMP360, Goodwin et al. 2022; Raison et al. 2023) is ``True`` when the
    subject responds at this visit and at every later visit of the instrument, ``False`` when the
    subject fails to respond here or at any later observed visit, and missing when no failure is
    observed but a later response is missing. The visits of an instrument are those at which any
    subject has a row for it; a missing row counts as a missing response. No non-responder
    imputation is done: apply it, if the estimand asks for it, with ``fillna(False)``.

    Reliable change (Jacobson & Truax 1991): ``SE = SD0 * sqrt(1 - r)``, ``S_diff = sqrt(2) * SE``,
    ``rci = chg / S_diff``, with ``r = instrument.reliability``; reliable when ``|rci| > 1.96``,
    improved in the instrument's direction. ``rci`` is missing when ``r`` or SD0 is missing or SD0
    is 0 (fewer than two baselines, or all equal).

    Examples
    --------
    >>> from outcomes.instruments.definition import Band, Instrument, Item
    >>> toy = Instrument("toy", "Toy", "test", (Item("T1", "a", 0, 40),), "TTOT",
    ...                  bands=(Band("mild", 0, 19), Band("severe", 20, 40)),
    ...                  response_fall=0.5, remission_max=10)
    >>> s = Schedule.from_mapping({"session": [{"number": 1, "day": 1}], "visit": [
    ...     {"name": "BASELINE", "day": 1}, {"name": "WEEK 2", "day": 15}]})
    >>> frame = pd.DataFrame({"subject": ["S1", "S1"], "visit": ["BASELINE", "WEEK 2"],
    ...     "visit_num": [1, 2], "session": [0, 1], "phase": ["baseline", "post-dose"],
    ...     "instrument": "toy", "total": [30.0, 14.0]})
    >>> out = derive_frame(frame, s, {"toy": toy})
    >>> out[["visit", "base", "chg", "severity", "response", "remission"]]
          visit  base   chg severity  response  remission
    0  BASELINE  30.0   0.0   severe      <NA>      False
    1    WEEK 2  30.0 -16.0     mild      True      False
    """
    _check_columns(frame)
    work = frame[list(_REQUIRED)].reset_index(drop=True)
    codes, names = pd.factorize(work[INSTRUMENT], use_na_sentinel=False)
    subjects, _ = factorize_sorted(work[SUBJECT])
    group = subjects * len(names) + codes  # one code per subject x instrument
    del subjects
    _check_duplicates(work, group)
    _check_instruments(names, instruments, reference_sd)
    _check_baseline_columns(frame, instruments, baseline_columns)
    total = pd.to_numeric(work[TOTAL]).to_numpy(dtype=float, na_value=np.nan)
    visit_num = pd.to_numeric(work[VISIT_NUM]).to_numpy(dtype=float, na_value=np.nan)
    defs = [instruments[str(n)] for n in names]
    # Each instrument's rules, one value per instrument, taken by the rows' codes where used:
    # at 8,000,000 rows a column of them is 64 MB.
    better = np.where(_rule(defs, "higher_is_worse") == 1.0, -1.0, 1.0)  # +1: a rise is better

    flag = _baseline_flag(work, group, total, visit_num, baseline)
    base = _spread(group, flag, total)
    if baseline == LAST_BEFORE_DOSE:
        post = visit_num > _spread(group, flag, visit_num)
    else:
        post = visit_num > schedule.visit(baseline).number
    for name, column in (baseline_columns or {}).items():
        rows = (work[INSTRUMENT] == name).to_numpy()
        after_dose = (work[SESSION] >= 1).to_numpy(dtype=bool, na_value=False)
        flag[rows] = False
        base[rows] = pd.to_numeric(frame[column]).to_numpy(dtype=float, na_value=np.nan)[rows]
        post[rows] = after_dose[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        chg = np.where(post | flag, total - base, np.nan)
        pchg = np.where(base != 0, 100.0 * chg / base, np.nan)

    response = np.where(
        post, _reaches(better[codes] * pchg, 100.0 * _rule(defs, "response_fall")[codes]), np.nan
    )
    sustained = _sustained(response, group, visit_num, _visits_from(codes, visit_num))
    sustained[~(post & (visit_num >= _sustained_start(schedule, sustained_from)))] = np.nan
    response, sustained = _boolean(response), _boolean(sustained)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd0 = _sd0(base, flag, codes, names, reference_sd)
        s_diff = np.sqrt(2.0) * sd0 * np.sqrt(1.0 - _rule(defs, "reliability"))
        rci = np.where((s_diff > 0)[codes], chg / s_diff[codes], np.nan)
    reliable = _reliable_change(better[codes] * rci, post)
    del post
    healthy = _reaches(better[codes] * total, (better * _rule(defs, "clinical_cutoff"))[codes])
    clinically_significant = _boolean(
        np.where((reliable >= 0) & ~np.isnan(healthy), (reliable == 0) & (healthy == 1.0), np.nan)
    )
    del healthy

    derived = {
        BASE: base,
        BASELINE_FLAG: flag,
        CHG: chg,
        PCHG: pchg,
        # object, not left to inference: pandas 3 would make it "str", or "object" when all missing.
        SEVERITY: pd.Series(_severity(total, codes, defs), index=frame.index, dtype=object),
        RESPONSE: response,
        REMISSION: _boolean(_reaches(-total, -_rule(defs, "remission_max")[codes])),
        SUSTAINED_RESPONSE: sustained,
        RCI: rci,
        RELIABLE_CHANGE: pd.Categorical.from_codes(reliable, categories=RELIABLE_CHANGE_LABELS),
        CLINICALLY_SIGNIFICANT: clinically_significant,
    }
    kept = frame.drop(columns=[c for c in DERIVED_COLUMNS if c in frame.columns])
    # Put beside, not assigned one by one: assign copies every column (1.2 s at 8,000,000 rows).
    return pd.concat([kept, pd.DataFrame(derived, index=frame.index, copy=False)], axis=1)


def derive(
    trial: TrialData,
    *,
    baseline: str = LAST_BEFORE_DOSE,
    reference_sd: Mapping[str, float] | None = None,
    sustained_from: str | None = None,
    carry: str | None = None,
    baseline_columns: Mapping[str, str] | None = None,
) -> TrialData:
    """A new TrialData with baseline, change, severity, responder and reliable-change columns.

    The columns and their rules are those of :func:`derive_frame` (module docstring); the
    arguments are passed on to it. With ``carry`` (``"locf"``, ``"bocf"`` or ``"wocf"``),
    missing post-baseline totals are first filled by carrying a total forward, each filled row
    flagged in a ``dtype`` column as ADaM does (:func:`outcomes.data.carry.carry_totals`); these
    legacy single imputations are never the default.

    Examples
    --------
    >>> import outcomes
    >>> d = derive(outcomes.load_sample())
    >>> d.frame.loc[d.frame["baseline_flag"], "visit"].astype(str).unique().tolist()
    ['BASELINE', 'SCREENING']
    """
    frame, notes = trial.frame, [f"derived: baseline = {baseline}"]
    if carry is not None:
        frame, note = carry_totals(frame, trial.schedule, trial.instruments, carry)
        notes.append(f"derived: {note}")
    frame = derive_frame(
        frame,
        trial.schedule,
        trial.instruments,
        baseline=baseline,
        reference_sd=reference_sd,
        sustained_from=sustained_from,
        baseline_columns=baseline_columns,
    )
    if baseline_columns:
        notes.append(f"derived: baselines from columns {dict(baseline_columns)}")
    return replace(trial, frame=frame, notes=(*trial.notes, *notes))


# -- checks ----------------------------------------------------------------------------------------


def _check_columns(frame: pd.DataFrame) -> None:
    """Raise when a required column is missing."""
    log = ProblemLog()
    for column in _REQUIRED:
        if column not in frame.columns:
            log.add(
                "error",
                "missing-column",
                f"the long table has no column {column!r}",
                hint="derive from the canonical long table",
                column=column,
            )
    if log.has_errors:
        raise ValidationError(log.to_frame())


def _check_duplicates(work: pd.DataFrame, group: np.ndarray) -> None:
    """Raise when a subject has two rows for one visit and instrument (``group`` codes both).

    Missing keys count as equal to each other, as in :meth:`pandas.DataFrame.duplicated`.
    """
    visits, labels = pd.factorize(work[VISIT], use_na_sentinel=False)
    repeated = _repeated(group, visits, len(labels))
    if repeated is None:
        return
    log = ProblemLog()
    keys = [SUBJECT, VISIT, INSTRUMENT]
    for subject, visit, instrument in work.loc[repeated, keys].itertuples(index=False, name=None):
        log.add(
            "error",
            "duplicate-assessment",
            f"subject {subject} has more than one {instrument} row at visit {visit}",
            hint="keep one row per subject, visit and instrument",
            subject=subject,
            visit=visit,
            instrument=instrument,
        )
    raise ValidationError(log.to_frame())


def _repeated(group: np.ndarray, visit: np.ndarray, n_visits: int) -> np.ndarray | None:
    """Rows that repeat an earlier row's ``group`` and ``visit`` codes; None if none do.

    Where the codes are dense, pairs are counted (no hashing) to find that none repeats.
    """
    size = (int(group.max()) + 1) * n_visits if len(group) else 0
    if size <= 4 * len(group) and not (np.bincount(group * n_visits + visit) > 1).any():
        return None
    repeated = pd.DataFrame({"group": group, "visit": visit}).duplicated().to_numpy()
    return repeated if repeated.any() else None


def _check_instruments(
    names: pd.Index, instruments: Mapping[str, Instrument], reference_sd: Mapping[str, float] | None
) -> None:
    """Raise when the frame (its instruments ``names``) or ``reference_sd`` names an unknown one."""
    named = {str(n) for n in names} | set(reference_sd or {})
    unknown = sorted(named - set(instruments))
    if unknown:
        raise InstrumentError(f"no definition given for instrument(s) {unknown}")


def _check_baseline_columns(
    frame: pd.DataFrame,
    instruments: Mapping[str, Instrument],
    baseline_columns: Mapping[str, str] | None,
) -> None:
    """Each baseline column names an instrument and a numeric column of ``frame``."""
    for name, column in (baseline_columns or {}).items():
        if name not in instruments:
            raise InstrumentError(
                f"baseline_columns: {name!r} is not an instrument of the trial "
                f"({sorted(instruments)})"
            )
        if column not in frame.columns:
            covariates = [c for c in frame.columns if c not in CORE_COLUMNS]
            raise ValueError(
                f"baseline_columns: the frame has no column {column!r}; its other columns are "
                f"{covariates[:20]}"
            )
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise ValueError(f"baseline_columns: column {column!r} is not numeric")


# -- baseline --------------------------------------------------------------------------------------


def _baseline_flag(
    work: pd.DataFrame, group: np.ndarray, total: np.ndarray, visit_num: np.ndarray, baseline: str
) -> np.ndarray:
    """``True`` on the row giving each subject's baseline for each instrument."""
    if baseline != LAST_BEFORE_DOSE:
        return (work[VISIT] == baseline).to_numpy(dtype=bool) & ~np.isnan(total)
    candidate = (
        work[PHASE].isin(_PRE_DOSE_PHASES).to_numpy(dtype=bool)
        & (work[SESSION] == 0).to_numpy(dtype=bool, na_value=False)
        & ~np.isnan(total)
    )
    rows = np.flatnonzero(candidate)
    rows = rows[np.lexsort((visit_num[rows], group[rows]))]
    last_of_group = np.diff(group[rows], append=-1) != 0
    flag = np.zeros(len(work), dtype=bool)
    flag[rows[last_of_group]] = True
    return flag


def _spread(group: np.ndarray, flag: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The value on each group's flagged row, on every row of the group (NaN if none)."""
    by_group = np.full(group.max() + 1 if len(group) else 0, np.nan)
    by_group[group[flag]] = values[flag]
    return by_group[group]


# -- instrument rules ------------------------------------------------------------------------------


def _rule(defs: list[Instrument], name: str) -> np.ndarray:
    """An attribute of each instrument as a float (NaN where it is ``None``)."""
    values = [getattr(d, name) for d in defs]
    return np.array([np.nan if v is None else float(v) for v in values])


def _reaches(value: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """1.0 where ``value >= threshold`` (within tolerance), 0.0 where not, NaN if either is NaN."""
    with np.errstate(invalid="ignore"):
        hit = value >= threshold - _TOL
    return np.where(np.isnan(value) | np.isnan(threshold), np.nan, hit)


def _severity(total: np.ndarray, codes: np.ndarray, defs: list[Instrument]) -> np.ndarray:
    """Each row's severity band label under its own instrument's bands (NaN where none)."""
    out = np.full(len(total), np.nan, dtype=object)
    for k, inst in enumerate(defs):
        if not inst.bands:
            continue
        rows = np.flatnonzero(codes == k)
        distinct, totals = pd.factorize(total[rows], use_na_sentinel=False)
        bands = severity_band(inst, pd.Series(totals)).astype(object).to_numpy()
        out[rows] = bands[distinct]  # the band of each distinct total, looked up once
    return out


def _sd0(
    base: np.ndarray,
    flag: np.ndarray,
    codes: np.ndarray,
    names: pd.Index,
    reference_sd: Mapping[str, float] | None,
) -> np.ndarray:
    """SD0 per instrument: the reference SD if given, else the SD (ddof=1) of the baselines."""
    observed = pd.Series(base[flag]).groupby(codes[flag]).std()
    given = reference_sd or {}
    return np.array(
        [given.get(str(n), observed.get(k, np.nan)) for k, n in enumerate(names)], dtype=float
    )


def _reliable_change(gain: np.ndarray, post: np.ndarray) -> np.ndarray:
    """Codes into :data:`RELIABLE_CHANGE_LABELS` (-1 if missing) of the RCI signed as gain."""
    codes = np.ones(len(gain), dtype=np.int8)
    codes[gain > RCI_CRITICAL] = 0
    codes[gain < -RCI_CRITICAL] = 2
    codes[~post | np.isnan(gain)] = -1
    return codes


# -- sustained response ----------------------------------------------------------------------------


def _visits_from(codes: np.ndarray, visit_num: np.ndarray) -> np.ndarray:
    """How many visits of the row's instrument (any subject's) are at or after the row's visit."""
    out = np.zeros(len(codes), dtype=int)
    for k in range(codes.max() + 1 if len(codes) else 0):
        rows = np.flatnonzero(codes == k)
        visits = np.sort(pd.unique(visit_num[rows][~np.isnan(visit_num[rows])]))  # by hashing
        out[rows] = len(visits) - np.searchsorted(visits, visit_num[rows], side="left")
    return out


def _sustained_start(schedule: Schedule, sustained_from: str | None) -> float:
    """The visit number from which sustained response is defined."""
    if sustained_from is not None:
        return schedule.visit(sustained_from).number
    return min((v.number for v in schedule.visits if v.session >= 1), default=np.inf)


def _sustained(
    response: np.ndarray, group: np.ndarray, visit_num: np.ndarray, n_later: np.ndarray
) -> np.ndarray:
    """0.0 if a non-response is seen here or later, 1.0 if every response from here on is known."""
    order = _latest_first(group, visit_num)
    by_group = group[order]
    first = np.ones(len(by_group), dtype=bool)  # the first row of each group
    first[1:] = by_group[1:] != by_group[:-1]
    del by_group  # each row-length array is 64 MB at 8,000,000 rows: one at a time
    latest_first = response[order]
    failed = _running_sum(latest_first == 0.0, first) > 0
    complete = _running_sum(~np.isnan(latest_first), first) == n_later[order]
    del latest_first
    known = np.full(len(response), np.nan)
    known[complete] = 1.0
    known[failed] = 0.0
    sustained = np.empty(len(response))
    sustained[order] = known
    return sustained


def _latest_first(group: np.ndarray, visit_num: np.ndarray) -> np.ndarray:
    """The rows by group, each group from its last visit back to its first (stable).

    The canonical table has each group's rows together, in visit order: then reading it
    backwards is that order, without sorting (the group order does not matter).

    Examples
    --------
    >>> _latest_first(np.array([0, 0, 1]), np.array([1.0, 2.0, 1.0])).tolist()
    [2, 1, 0]
    >>> _latest_first(np.array([0, 1, 0]), np.array([1.0, 1.0, 2.0])).tolist()
    [2, 0, 1]
    """
    same = group[1:] == group[:-1]
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    together = (np.bincount(group[starts]) <= 1).all() if len(group) else True
    if together and (~same | (visit_num[1:] > visit_num[:-1])).all():
        return np.arange(len(group))[::-1]
    return np.lexsort((-visit_num, group))


def _running_sum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Cumulative sums of ``values`` (booleans) within runs of rows, a run starting at ``first``.

    Examples
    --------
    >>> first = np.array([True, False, True, False, False])
    >>> _running_sum(np.array([1, 1, 0, 1, 1]), first).tolist()
    [1, 2, 0, 1, 2]
    """
    total = np.cumsum(values, dtype=np.int32 if len(values) < 2**31 else np.int64)
    starts = np.flatnonzero(first)
    before = total[starts] - values[starts]  # the sum before each run
    total -= np.repeat(before, np.diff(np.append(starts, len(values))))
    return total


def _boolean(tristate: np.ndarray) -> pd.arrays.BooleanArray:
    """A nullable boolean array from 1.0 / 0.0 / NaN."""
    return pd.arrays.BooleanArray(tristate == 1.0, np.isnan(tristate))
