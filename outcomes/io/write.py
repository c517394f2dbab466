"""``outcomes.write``: a TrialData back to a file, in any layout and format."""

from __future__ import annotations

from pathlib import Path

from outcomes.data.trialdata import TrialData
from outcomes.errors import MappingError
from outcomes.io.formats import write_table
from outcomes.io.layouts import adam, long, redcap, sdtm, wide
from outcomes.io.read import LAYOUTS

__all__ = ["write"]


def write(trial: TrialData, path: str | Path, layout: str = "long") -> Path:
    """Write a trial to ``path`` in a layout; the format follows the file's suffix.

    Reading the file back with :func:`outcomes.read` (and the trial's schedule and events) gives
    the same TrialData. ``sdtm-qs`` also writes the DM domain (arm and covariates) beside the QS
    file, as ``dm`` with the same suffix, where :func:`outcomes.read` looks for it. Totals
    prorated under a missing-item policy are not written: they follow from the items.

    Parameters
    ----------
    trial : TrialData
        What to write.
    path : str or Path
        The file; ``.csv``, ``.tsv``, ``.xlsx``, ``.parquet``, ``.sav``, ``.xpt`` or ``.dta``.
    layout : {"long", "wide", "sdtm-qs", "adam-adqs", "redcap"}, default "long"

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, outcomes
    >>> trial = outcomes.load_sample()
    >>> folder = Path(tempfile.mkdtemp())
    >>> qs = write(trial, folder / "qs.xpt", layout="sdtm-qs")
    >>> sorted(p.name for p in folder.iterdir())
    ['dm.xpt', 'qs.xpt']
    >>> outcomes.read(qs, schedule=trial.schedule, events=trial.events).equals(trial)
    True
    """
    target = Path(path)
    if layout not in LAYOUTS:
        raise MappingError(f"unknown layout {layout!r}; the layouts are {list(LAYOUTS)}")
    if layout == "sdtm-qs":
        tables = sdtm.to_tables(trial)
        write_table(tables["dm"], target.with_name("dm" + target.suffix))
        return write_table(tables["qs"], target)
    writer = {
        "long": long.to_table,
        "wide": wide.to_table,
        "adam-adqs": adam.to_table,
        "redcap": redcap.to_table,
    }[layout]
    return write_table(writer(trial), target)
