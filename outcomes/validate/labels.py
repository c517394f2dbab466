"""Labels a file writes several ways: one visit, arm or period treatment spelt apart.

A visit written ``Week 1`` on most rows, ``WEEK 1`` on a few and ``Week 1`` with a non-breaking
space on one would otherwise be three visits; ``Placebo`` beside ``PLACEBO`` a third arm. Two
labels are variants of one when their :func:`label_key` is the same: Unicode NFKC, zero-width
characters removed, whitespace runs as one space, case folded, numbers without leading zeros
(``WEEK 01`` is ``week 1``) and the space between a word and a number optional (``Week1`` is
``Week 1``, and so is ``Week`` and ``1`` joined by a zero-width space).

Each group of variants is one error, ``label-variants``, that names every spelling with its rows
(invisible characters named, never shown raw) and says which one to keep. With a schedule, visit
labels that differ from a scheduled visit only in case and punctuation are matched to it later
(:func:`outcomes.validate.visits.resolve_schedule`), so they are no problem; a variant that the
schedule would not match is reported with the schedule's spelling as the fix. Arms have no
schedule: their variants are always an error.

The same pass compares a file's ``session`` column with a given schedule: where the file says
another dosing session than the schedule at a visit, a ``session-not-as-scheduled`` warning names
the visit and its rows, since the file's session is the one kept (and session 0, before any dose,
is what makes a row a baseline).

Problem codes: ``label-variants`` (error), ``session-not-as-scheduled`` (warning).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pandas as pd

from outcomes.data.problems import ProblemLog
from outcomes.data.schedule import Schedule
from outcomes.io.mapping import normalise

__all__ = ["LABEL_ROLES", "check_labels", "check_sessions", "describe_label", "label_key"]

#: Context roles whose labels are compared.
LABEL_ROLES: tuple[str, ...] = ("visit", "arm", "period_treatment")

_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_LEADING_ZEROS = re.compile(r"(?<![\d.,])0+(?=\d)")
_WORD_NUMBER = re.compile(r"(?<=[^\W\d_]) (?=\d)|(?<=\d) (?=[^\W\d_])")
_NAMES = {
    "\u00a0": "non-breaking space",
    "\u202f": "narrow non-breaking space",
    "\u2007": "figure space",
    "\u3000": "ideographic space",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "byte-order mark (zero-width no-break space)",
    "\t": "tab",
    "\n": "line break",
    "\r": "carriage return",
}


def label_key(label: str) -> str:
    """What a label reads as: the labels of one key are variants of one another.

    Examples
    --------
    >>> [label_key(x) for x in ["Week 1", "WEEK 01", "Week\\u00a01", "Week\\u200b1", " week1 "]]
    ['week1', 'week1', 'week1', 'week1', 'week1']
    >>> label_key("Day 1.05") == label_key("Day 1.5"), label_key("Placebo") == label_key("PLACEBO")
    (False, True)
    """
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", str(label)))
    text = _SPACES.sub(" ", text).strip().casefold()
    return _WORD_NUMBER.sub("", _LEADING_ZEROS.sub("", text))


def describe_label(label: str) -> str:
    """A label as a message shows it: quoted, its invisible or unusual characters named.

    Examples
    --------
    >>> describe_label("Week\\u00a01"), describe_label("Week\\u200b1\\u200b")
    ("'Week 1' with a non-breaking space", "'Week1' with 2 zero-width spaces")
    >>> describe_label("WEEK 1")
    "'WEEK 1'"
    """
    special = Counter(ch for ch in label if _is_special(ch))
    shown = "".join((" " if ch.isspace() else "") if _is_special(ch) else ch for ch in str(label))
    if not special:
        return repr(shown)
    named = [_counted(_character_name(ch), n) for ch, n in special.items()]
    return f"{shown!r} with " + " and ".join(named)


def check_labels(
    rec: pd.DataFrame, rc: dict[str, str], log: ProblemLog, *, schedule: Schedule | None = None
) -> pd.DataFrame:
    """Report labels written several ways, and sessions that contradict the schedule.

    Run on the records after :func:`~outcomes.validate.context.check_context`, before the schedule
    is resolved. Reports one ``label-variants`` error per group of variants of a visit, arm or
    period-treatment label (see the module docstring), then :func:`check_sessions`.

    Parameters
    ----------
    rec : pandas.DataFrame
        The checked records (text labels, ``source_row``, ``subject``, numeric ``session``).
    rc : dict
        Role -> the file's column, for messages.
    log : ProblemLog
        Where problems go.
    schedule : Schedule, optional
        The schedule given, if any.

    Returns
    -------
    pandas.DataFrame
        The records with each group of variants written one way (the spelling the problem says
        to keep), so that later checks do not report the same rows again as another visit or a
        change of arm.

    Examples
    --------
    >>> rec = pd.DataFrame({"subject": ["S1", "S1", "S2"], "source_row": [1, 2, 3],
    ...                     "visit": ["BASELINE", "WEEK 1", "Week 01"], "arm": "DRUG"})
    >>> log = ProblemLog()
    >>> check_labels(rec, {"visit": "VISIT"}, log)["visit"].tolist()
    ['BASELINE', 'WEEK 1', 'WEEK 1']
    >>> print(log.problems[0].message)
    visit is written 2 ways that read as one: 'WEEK 1' (1 row, row 2), 'Week 01' (1 row, row 3)
    """
    fixed = {}
    for role in LABEL_ROLES:
        if role in rec:
            renames = _check_role(rec, role, rc, log, schedule if role == "visit" else None)
            if renames:
                fixed[role] = rec[role].replace(renames)
    out = rec.assign(**fixed) if fixed else rec
    check_sessions(out, rc, schedule, log)
    return out


def check_sessions(
    rec: pd.DataFrame, rc: dict[str, str], schedule: Schedule | None, log: ProblemLog
) -> None:
    """Warn where the file's session differs from the session a given schedule has at the visit.

    The file's session is kept (a subject may have missed a dose), but a column that counts
    something else (therapy sessions) would put baseline rows after a dose. One
    ``session-not-as-scheduled`` warning per visit and session written.

    Examples
    --------
    >>> s = Schedule.from_mapping({"session": [{"number": 1, "day": 1}], "visit": [
    ...     {"name": "BASELINE", "day": 1}, {"name": "WEEK 1", "day": 8}]})
    >>> rec = pd.DataFrame({"subject": ["S1", "S1"], "source_row": [1, 2],
    ...                     "visit": ["Baseline", "WEEK 1"], "session": [1.0, 1.0]})
    >>> log = ProblemLog()
    >>> check_sessions(rec, {"session": "SESSION"}, s, log)
    >>> print(log.problems[0].message)  # doctest: +NORMALIZE_WHITESPACE
    visit 'BASELINE': column 'SESSION' gives session 1 (1 row, row 1), where the schedule has
    session 0 (before the first dose); the file's session is used
    """
    if schedule is None or not schedule.sessions or "session" not in rec:
        return
    if rec["session"].isna().all():
        return
    by_key = {normalise(v.name): v for v in schedule.visits}
    labels = rec["visit"].dropna().unique()
    matched = {lab: by_key[normalise(lab)] for lab in labels if normalise(lab) in by_key}
    expected = rec["visit"].map({lab: float(v.session) for lab, v in matched.items()})
    off = rec.loc[expected.notna() & (rec["session"] != expected), ["visit", "session"]]
    if off.empty:
        return
    off = off.assign(
        _visit=off["visit"].map({lab: v.name for lab, v in matched.items()}),
        source_row=rec["source_row"],
        subject=rec["subject"],
    )
    planned = {v.name: v.session for v in schedule.visits}
    col = rc.get("session", "session")
    groups = off.groupby(["_visit", "session"], sort=False)
    rows = groups["source_row"].agg(["nunique", "min"]).sort_values("min", kind="stable")
    first = off.loc[groups["source_row"].idxmin()].set_index(["_visit", "session"])
    for (name, session), (n, row) in rows.iterrows():
        p = planned[name]
        when = "before the first dose" if p == 0 else f"after dose {p}"
        log.add(
            "warning",
            "session-not-as-scheduled",
            f"visit {name!r}: column {col!r} gives session {session:g} ({_rows(n, row)}), "
            f"where the schedule has session {p} ({when}); the file's session is used",
            hint=f"if column {col!r} numbers the dosing sessions, correct it or the schedule; "
            "if it counts something else (therapy or preparation sessions), rename it, as a "
            "session column is read as the last dose before the assessment (0 = none yet, "
            "which is what makes an assessment a baseline)",
            row=row,
            subject=first.at[(name, session), "subject"],
            visit=name,
            column=col,
            value=f"{session:g}",
        )


# -- one role --------------------------------------------------------------------------------------


def _check_role(
    rec: pd.DataFrame,
    role: str,
    rc: dict[str, str],
    log: ProblemLog,
    schedule: Schedule | None,
) -> dict[str, str]:
    """Report each group of variants of one role's labels; the renames that write each one way."""
    labels = pd.Series(rec[role].dropna().unique(), dtype=object)
    if len(labels) < 2:
        return {}
    keys = labels.map(label_key)
    grouped = labels[keys.duplicated(keep=False)]
    if grouped.empty:
        return {}
    scheduled = {normalise(v): v for v in schedule.visit_names} if schedule is not None else {}
    seen = rec.loc[rec[role].isin(set(grouped)), [role, "source_row", "subject"]]
    by_label = seen.groupby(role, sort=False)["source_row"]
    counts = by_label.nunique()
    first_rows = by_label.min()
    first_subject = seen.loc[by_label.idxmin(), [role, "subject"]].set_index(role)["subject"]
    renames: dict[str, str] = {}
    for _, group in grouped.groupby(keys[grouped.index], sort=False):
        variants = sorted(group, key=lambda lab: (-counts[lab], first_rows[lab]))
        target, note, to_change = _target(variants, scheduled)
        if target is None:
            continue
        renames.update({lab: target for lab in variants if lab != target})
        _report(
            log, role, rc, variants, (target, note, to_change), counts, first_rows, first_subject
        )
    return renames


def _target(variants: list[str], scheduled: dict[str, str]) -> tuple[str | None, str, list[str]]:
    """The spelling to keep, what the hint says of it, and the variants to change.

    Without a schedule, the spelling of the most rows is kept. With one, labels that it matches
    are no problem (the target is ``None`` when all are); the others are to be written as the
    schedule's visit they read as, if there is one.
    """
    if not scheduled:
        return variants[0], "the spelling of the most rows", variants[1:]
    matches = {scheduled[normalise(v)] for v in variants if normalise(v) in scheduled}
    unmatched = [v for v in variants if normalise(v) not in scheduled]
    if not unmatched or len(matches) > 1:
        return None, "", []
    if matches:
        return matches.pop(), "as the schedule writes it", unmatched
    return variants[0], "the spelling of the most rows (not in the schedule)", variants[1:]


def _report(
    log: ProblemLog,
    role: str,
    rc: dict[str, str],
    variants: list[str],
    fix: tuple[str, str, list[str]],
    counts: pd.Series,
    first_rows: pd.Series,
    first_subject: pd.Series,
) -> None:
    """One ``label-variants`` error, located at the first row to change."""
    target, note, to_change = fix
    shown = _shown(variants)
    listed = ", ".join(f"{shown[v]} ({_rows(counts[v], first_rows[v])})" for v in variants)
    n_rows = sum(int(counts[v]) for v in to_change)
    first = min(to_change, key=lambda v: first_rows[v])
    what = role.replace("_", " ")
    log.add(
        "error",
        "label-variants",
        f"{what} is written {len(variants)} ways that read as one: {listed}",
        hint=f"write the {what} one way in the file: {shown.get(target, describe_label(target))}"
        f", {note}; change the {n_rows:,} row{'s' if n_rows != 1 else ''} written "
        + " or ".join(shown[v] for v in to_change),
        row=first_rows[first],
        subject=first_subject[first],
        visit=_escaped(first) if role == "visit" else None,
        column=rc.get(role),
        value=_escaped(first),
    )


# -- showing labels --------------------------------------------------------------------------------


def _shown(variants: list[str]) -> dict[str, str]:
    """Each variant described; escaped in full where two descriptions would read the same."""
    shown = {v: describe_label(v) for v in variants}
    twice = {d for d, n in Counter(shown.values()).items() if n > 1}
    return {v: f"{d} (written '{_escaped(v)}')" if d in twice else d for v, d in shown.items()}


def _escaped(label: str) -> str:
    r"""The label with every invisible or unusual character as its escape (``Week\xa01``)."""
    return "".join(ch.encode("unicode_escape").decode() if _is_special(ch) else ch for ch in label)


def _is_special(ch: str) -> bool:
    return ch != " " and (ch.isspace() or not ch.isprintable() or bool(_ZERO_WIDTH.match(ch)))


def _character_name(ch: str) -> str:
    name = _NAMES.get(ch) or unicodedata.name(ch, "").lower() or "control character"
    return f"{name} (U+{ord(ch):04X})" if ch not in _NAMES else name


def _counted(name: str, n: int) -> str:
    if n == 1:
        return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
    head, _, tail = name.partition(" (")
    return f"{n} {head}s" + (f" ({tail}" if tail else "")


def _rows(n: int, row: int) -> str:
    return f"1 row, row {row}" if n == 1 else f"{n:,} rows, first row {row}"
