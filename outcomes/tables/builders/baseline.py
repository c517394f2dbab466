"""The baseline characteristics table ("Table 1"): subjects, covariates and scores by arm."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from outcomes.data.describe import baseline_visits
from outcomes.data.frames import FrameLike, as_frame, require
from outcomes.deprecation import renamed
from outcomes.errors import InstrumentError, TableError
from outcomes.models.core.frames import factor_levels
from outcomes.tables.builders.common import QUARTILES, decimals_for, summary
from outcomes.tables.format import format_mean_sd, format_median_iqr, format_n_percent
from outcomes.tables.suppress import suppress
from outcomes.tables.table import Table

__all__ = ["STATISTICS_COLUMNS", "baseline_statistics", "baseline_table"]

_TOTAL = "Total"
_N_ROW = "\0N"  # the row of arm sizes in a block of counts given to suppress()


#: The columns of :func:`baseline_statistics`.
STATISTICS_COLUMNS: tuple[str, ...] = (
    "characteristic",
    "level",
    "arm",
    "n",
    "percent",
    "mean",
    "sd",
    "median",
    "q1",
    "q3",
    "n_missing",
    "suppression_note",
)


def baseline_statistics(
    data: FrameLike,
    *,
    instrument_visits: Mapping[str, str] | None = None,
    covariates: Sequence[str] | None = None,
    arm: str = "arm",
    suppress_below: int | None = None,
    subject: str = "subject",
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The numbers of :func:`baseline_table`, at full precision: one row per line and arm.

    The parameters are :func:`baseline_table`'s.

    Returns
    -------
    DataFrame
        The columns of :data:`STATISTICS_COLUMNS`, in the table's order, ``arm`` ``"Total"`` for
        every subject. ``characteristic`` is the table's (``"Subjects"``, ``"Sex"``, ...) and
        ``level`` a categorical covariate's level (``"Missing"`` for no value). Counts have
        ``n`` and ``percent`` (of the arm's subjects, 0 to 100); numeric covariates and scores
        ``n`` (subjects with a value), ``mean``, ``sd``, ``median``, ``q1``, ``q3`` and
        ``n_missing``. A count suppressed has ``n`` and ``percent`` missing and
        ``suppression_note`` what the table shows instead (``"<5"``, ``"*"``).

    Examples
    --------
    >>> import outcomes
    >>> stats = baseline_statistics(outcomes.load_sample(), covariates=["sex"],
    ...                             instrument_visits={})
    >>> stats.iloc[3][["characteristic", "level", "arm", "n", "percent"]].astype(str).tolist()
    ['Sex', 'F', 'PLACEBO', '9', '45.0']
    """
    return _statistics(
        as_frame(data),
        list(getattr(data, "covariates", ()) if covariates is None else covariates),
        instrument_visits,
        arm,
        suppress_below,
        subject,
        dict(labels or {}),
    )[0]


@renamed(group="arm")
def baseline_table(
    data: FrameLike,
    *,
    instrument_visits: Mapping[str, str] | None = None,
    covariates: Sequence[str] | None = None,
    arm: str = "arm",
    suppress_below: int | None = None,
    subject: str = "subject",
    labels: Mapping[str, str] | None = None,
    decimals: Mapping[str, int] | None = None,
    title: str = "Baseline characteristics",
) -> Table:
    """Baseline characteristics by arm and in total ("Table 1").

    Rows: the number of subjects; for a numeric covariate its mean (SD) and median [Q1 to Q3];
    for any other covariate n (%) of each level; for each instrument, the mean (SD) of its total
    score at the visit given. A ``Missing`` row counts the subjects without a value, where there
    are any.

    Parameters
    ----------
    data : TrialData or DataFrame
        The long table (one row per subject x visit x instrument) with ``subject``, ``arm``,
        the covariates (constant within a subject), and for the scores ``instrument``,
        ``visit`` and ``total``.
    instrument_visits : mapping, optional
        Instrument -> visit of the scores to summarise; an instrument given here must be in
        the data. By default every instrument at its baseline visit
        (:func:`outcomes.baseline_visits`).
    covariates : sequence of str, optional
        Subject-level covariates; numeric ones are summarised as continuous. By default the
        covariates of a TrialData (``data.covariates``), none for a DataFrame.
    arm : str
        The arm column.
    suppress_below : int, optional
        Hide counts of categorical levels below this (:func:`~outcomes.tables.suppress.suppress`,
        with the arm sizes and the Total column as margins); the rows of subjects follow.
    subject : str
    labels : mapping, optional
        Printed names of covariates and instruments (default: the covariate capitalised, the
        instrument's short name).
    decimals : mapping, optional
        Overrides of :data:`~outcomes.tables.format.DECIMALS` (``score``, ``percent``).
    title : str

    Returns
    -------
    Table
        Columns ``characteristic, statistic``, one per arm (labelled ``ARM (N=n)``), ``Total``.

    Examples
    --------
    >>> import outcomes
    >>> t = baseline_table(outcomes.load_sample())
    >>> t.headers
    ['Characteristic', 'Statistic', 'PLACEBO (N=20)', 'DMT (N=20)', 'Total (N=40)']
    >>> t.to_frame(labels=False).iloc[0].tolist()
    ['Subjects', 'n', '20', '20', '40']
    """
    frame = as_frame(data)
    stats, n_of, scores = _statistics(
        frame,
        list(getattr(data, "covariates", ()) if covariates is None else covariates),
        instrument_visits,
        arm,
        suppress_below,
        subject,
        dict(labels or {}),
    )
    rows = _rows(stats, n_of, scores, decimals_for(decimals))
    footnotes = [
        "N: subjects in the data; n (%): subjects with the level, percentage of N.",
        f"Mean (SD); median [Q1 to Q3], {QUARTILES}.",
        "Missing data: means, SDs and quartiles are over the subjects with a value; the "
        "'Missing' rows count the subjects without one (for categorical characteristics, "
        "as a level, in the percentages). Nothing is imputed.",
    ]
    if suppress_below is not None:
        footnotes.append(
            f"Counts of a level of fewer than {suppress_below} subjects (not 0) are shown as "
            f"<{suppress_below}; * marks a count hidden so that a hidden count cannot be "
            "worked out from the totals."
        )
    return Table(
        pd.DataFrame(rows, columns=["characteristic", "statistic", *n_of]),
        title,
        footnotes=tuple(footnotes),
        column_labels={
            "characteristic": "Characteristic",
            "statistic": "Statistic",
            **{k: f"{k} (N={v})" for k, v in n_of.items()},
        },
        stub=("characteristic", "statistic"),
    )


def _subject_table(
    frame: pd.DataFrame, subject: str, arm: str, covariates: list[str]
) -> pd.DataFrame:
    """One row per subject: subject, arm, covariates; each must be constant within a subject."""
    columns = [subject, arm, *covariates]
    per = frame[columns].drop_duplicates()
    varying = per[subject][per[subject].duplicated()]
    if len(varying):
        first = varying.iloc[0]
        rows = per[per[subject] == first]
        changing = [c for c in columns[1:] if rows[c].nunique(dropna=False) > 1]
        raise TableError(
            f"{changing} must be the same in every row of a subject; subject {first!r} has "
            f"{rows[changing].drop_duplicates().to_dict('records')}"
        )
    if per[arm].isna().any():
        raise TableError(f"subject(s) without an arm: {per.loc[per[arm].isna(), subject].tolist()}")
    return per.reset_index(drop=True)


def _statistics(
    frame: pd.DataFrame,
    covariates: list[str],
    instrument_visits: Mapping[str, str] | None,
    arm: str,
    suppress_below: int | None,
    subject: str,
    labels: dict[str, str],
) -> tuple[pd.DataFrame, dict[str, int], set[str]]:
    """The statistics of the table, each arm's (and the Total's) number of subjects, and the
    characteristics that are scores."""
    require(frame, [subject, arm, *covariates])
    subjects = _subject_table(frame, subject, arm, covariates)
    arms = factor_levels(subjects[arm])
    names = [str(a) for a in arms]
    clash = {"characteristic", "statistic", _TOTAL} & set(names)
    if clash:
        raise TableError(f"an arm may not be called {sorted(clash)}: it names a column")
    groups = [
        (name, subjects[subjects[arm] == arm_level])
        for name, arm_level in zip(names, arms, strict=True)
    ]
    groups.append((_TOTAL, subjects))
    n_of = {name: len(part) for name, part in groups}
    sizes = [{"characteristic": "Subjects", "arm": g, "n": n} for g, n in n_of.items()]
    rows: list[dict[str, object]] = list(sizes)
    for cov in covariates:
        label = labels.get(cov, cov[:1].upper() + cov[1:])
        column = subjects[cov]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            rows += _continuous(label, cov, groups)
        else:
            block, hidden_n = _categorical(label, cov, groups, n_of, suppress_below)
            rows += block
            for size in sizes:  # an arm size hidden to protect a small count
                if size["arm"] in hidden_n:
                    size.update(n=None, suppression_note=hidden_n[str(size["arm"])])
    scores = set()
    for name, (inst_label, visit, values) in _scores(
        frame, subjects, instrument_visits, subject
    ).items():
        label = labels.get(name, f"{inst_label} total score, {visit}")
        scored = subjects.assign(**{"\0score": values})
        parts = [(g, scored[scored[subject].isin(part[subject])]) for g, part in groups]
        rows += [  # a score is shown by its mean (SD): its quartiles are not among the numbers
            {k: v for k, v in r.items() if k not in ("median", "q1", "q3")}
            for r in _continuous(label, "\0score", parts)
        ]
        scores.add(label)
    table = pd.DataFrame.from_records(rows).reindex(columns=list(STATISTICS_COLUMNS))
    table = table.astype({"n": "Int64", "n_missing": "Int64"})
    return table, n_of, scores


def _continuous(
    label: str, column: str, groups: list[tuple[str, pd.DataFrame]]
) -> list[dict[str, object]]:
    out = []
    for g, part in groups:
        s = summary(part[column])
        out.append({"characteristic": label, "arm": g, **s, "n_missing": len(part) - s["n"]})
    return out


def _categorical(
    label: str,
    column: str,
    groups: list[tuple[str, pd.DataFrame]],
    n_of: dict[str, int],
    suppress_below: int | None,
) -> tuple[list[dict[str, object]], dict[str, str]]:
    """n (%) per level (and Missing); with suppression, also the arm sizes to hide, if any."""
    levels = factor_levels(groups[-1][1][column])
    keys = [str(v) for v in levels]
    counts = pd.DataFrame(
        {g: [int((part[column] == v).sum()) for v in levels] for g, part in groups},
        index=keys,
        dtype="int64",
    )
    n_missing = {g: int(part[column].isna().sum()) for g, part in groups}
    if any(n_missing.values()):
        missing = "Missing" if "Missing" not in keys else "Missing (no value)"
        counts.loc[missing] = pd.Series(n_missing)
    shown: pd.DataFrame = counts.astype(object)
    hidden_n: dict[str, str] = {}
    if suppress_below is not None:
        with_n = pd.concat([counts, pd.DataFrame([n_of], index=[_N_ROW])])
        result = suppress(with_n, suppress_below, total_row=_N_ROW, total_column=_TOTAL)
        shown = result.masked.drop(index=_N_ROW)
        hidden = result.suppressed.loc[_N_ROW]
        hidden_n = {g: result.masked.at[_N_ROW, g] for g in hidden.index if hidden[g]}
    out: list[dict[str, object]] = []
    for level in shown.index:
        for g in shown.columns:
            k = shown.at[level, g]
            cell: dict[str, object] = {"characteristic": label, "level": str(level), "arm": g}
            if isinstance(k, str):
                cell["suppression_note"] = k
            else:
                cell.update(n=int(k), percent=100 * k / n_of[g] if n_of[g] else None)
            out.append(cell)
    return out, hidden_n


def _rows(
    stats: pd.DataFrame, n_of: dict[str, int], scores: set[str], dec: dict[str, int]
) -> list[dict[str, str]]:
    """The table's lines from its statistics (``scores``: the characteristics that are scores,
    shown without their median)."""
    rows: list[dict[str, str]] = []
    blocks = stats.groupby(["characteristic", "level"], sort=False, dropna=False)
    for (characteristic, level), block in blocks:
        by_arm = block.set_index("arm").reindex(list(n_of))
        if characteristic == "Subjects":
            cells = {g: _count(r, str) for g, r in by_arm.iterrows()}
            rows.append({"characteristic": "Subjects", "statistic": "n", **cells})
        elif not pd.isna(level):
            cells = {
                g: _count(r, lambda k, g=g: format_n_percent(k, n_of[g], dec["percent"]))
                for g, r in by_arm.iterrows()
            }
            rows.append(
                {"characteristic": f"{characteristic}, n (%)", "statistic": str(level), **cells}
            )
        else:
            rows += _summary_rows(
                str(characteristic), by_arm, dec["score"], characteristic not in scores
            )
    return rows


def _count(row: pd.Series, shown: Callable[[int], str]) -> str:
    """A count as the table shows it, or what stands for it when suppressed."""
    note = row["suppression_note"]
    return str(note) if isinstance(note, str) else shown(int(row["n"]))


def _summary_rows(
    label: str, by_arm: pd.DataFrame, places: int, median: bool
) -> list[dict[str, str]]:
    rows = [
        {
            "characteristic": label,
            "statistic": "Mean (SD)",
            **{g: format_mean_sd(r["mean"], r["sd"], places) for g, r in by_arm.iterrows()},
        }
    ]
    if median:
        rows.append(
            {
                "characteristic": label,
                "statistic": "Median [Q1 to Q3]",
                **{
                    g: format_median_iqr(r["median"], r["q1"], r["q3"], places)
                    for g, r in by_arm.iterrows()
                },
            }
        )
    if (by_arm["n_missing"] > 0).any():
        rows.append(
            {
                "characteristic": label,
                "statistic": "Missing, n",
                **{g: str(int(r["n_missing"])) for g, r in by_arm.iterrows()},
            }
        )
    return rows


def _scores(
    frame: pd.DataFrame,
    subjects: pd.DataFrame,
    instrument_visits: Mapping[str, str] | None,
    subject: str,
) -> dict[str, tuple[str, str, pd.Series]]:
    """Instrument -> (short name, visit, each subject's total at the visit, aligned on subjects)."""
    wanted = dict(baseline_visits(frame) if instrument_visits is None else instrument_visits)
    if not wanted:
        return {}
    require(frame, ["instrument", "visit", "total"])
    out = {}
    present = set(frame["instrument"].dropna().unique())
    for name, visit in wanted.items():
        if name not in present:
            raise TableError(f"no instrument {name!r} in the data; it has {sorted(present)}")
        rows = frame[(frame["instrument"] == name) & (frame["visit"] == visit)]
        twice = rows[subject][rows[subject].duplicated()]
        if len(twice):
            raise TableError(f"subject {twice.iloc[0]!r} has more than one {name} row at {visit!r}")
        values = subjects[subject].map(rows.set_index(subject)["total"])
        out[name] = (_short_name(name), str(visit), values.reset_index(drop=True))
    return out


def _short_name(name: str) -> str:
    from outcomes import instruments

    try:
        aliases = instruments.get(name).aliases
    except InstrumentError:
        return name
    return aliases[0] if aliases else name
