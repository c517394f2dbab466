"""Reading one analysis population: the subjects a Y/N population flag selects."""

from __future__ import annotations

from dataclasses import replace

from outcomes.data.problems import ProblemLog
from outcomes.errors import MappingError
from outcomes.io.layouts.base import Extracted

__all__ = ["select_population"]

#: How a population flag says yes and no (CDISC ``Y``/``N``, also ``1``/``0``, blank for no).
_YES = frozenset({"Y", "YES", "1", "1.0", "TRUE"})
_NO = frozenset({"N", "NO", "0", "0.0", "FALSE", ""})


def select_population(ex: Extracted, flag: str, log: ProblemLog) -> Extracted:
    """The assessments of the subjects whose population flag is ``Y``; the others in one note.

    Parameters
    ----------
    ex : Extracted
        A layout reader's output, after the subjects table was joined (the flag is one of its
        covariates: a column of the score file or of ``subjects=``, such as ``EFFFL``).
    flag : str
        The flag's name, as in the file (case does not matter).
    log : ProblemLog
        A flag whose value is neither yes nor no, or that changes within a subject, is an error
        located at its row.

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({"record": [0, 1, 2], "subject": ["A", "A", "B"],
    ...                         "EFFFL": ["Y", "Y", "N"], "source_row": [1, 2, 3]})
    >>> ex = select_population(Extracted(records, (), ["EFFFL"]), "efffl", ProblemLog())
    >>> ex.records["subject"].tolist()
    ['A', 'A']
    >>> ex.notes[0]
    'population EFFFL = Y: 1 of 2 subjects; 1 subject (1 record) not in it set aside'
    """
    by_name = {str(c).upper(): c for c in ex.records.columns if c in ex.covariates}
    column = by_name.get(str(flag).strip().upper())
    if column is None:
        flags = sorted(c for c in by_name if c.endswith("FL"))
        raise MappingError(
            f"population={flag!r}: neither the file nor the subjects table has that column"
            + (f"; the population flags read are {flags}" if flags else "")
            + " (a subject-level Y/N flag such as EFFFL, ITTFL or SAFFL; give the ADSL with "
            "subjects= if the flag is there)"
        )
    records = ex.records
    text = records[column].astype("string").str.strip().str.upper().fillna("")
    yes = text.isin(_YES)
    bad = ~yes & ~text.isin(_NO)
    for value, rows in records[bad.to_numpy()].groupby(text[bad], sort=False):
        log.add(
            "error",
            "population-flag",
            f"population flag {column} is {value!r} on {len(rows):,} record(s) (first row "
            f"{rows['source_row'].min()}): a flag is Y or N",
            hint=f"correct {column}, or choose another population",
            row=rows["source_row"].min(),
            subject=rows["subject"].iloc[0],
            column=column,
        )
    changing = yes.groupby(records["subject"], sort=False).nunique() > 1
    for subject in changing.index[changing.to_numpy()]:
        rows = records[(records["subject"] == subject).to_numpy()]
        log.add(
            "error",
            "population-flag",
            f"subject {subject}'s population flag {column} is Y on some records and not on "
            f"others (first row {rows['source_row'].min()}); a population flag is one per subject",
            hint=f"correct {column}",
            row=rows["source_row"].min(),
            subject=subject,
            column=column,
        )
    n_subjects = records["subject"].nunique()
    inside = records["subject"][yes.to_numpy()].nunique()
    out = int((~yes).sum())
    note = (
        f"population {column} = Y: {inside:,} of {n_subjects:,} subjects; "
        f"{n_subjects - inside:,} subject{'s' if n_subjects - inside != 1 else ''} "
        f"({out:,} record{'s' if out != 1 else ''}) not in it set aside"
    )
    # The values of the records set aside stay: validation reads the values of its records only.
    return replace(ex, records=records[yes.to_numpy()], notes=[*ex.notes, note])
