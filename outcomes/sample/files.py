"""The sample trial as files: every supported layout, several formats, with its schedule and events.

``outcomes sample --out DIR`` and :func:`write_sample` write them; ``data_samples/`` in the
repository holds the same files, and a test keeps the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from outcomes.data.trialdata import TrialData
from outcomes.errors import WriteError
from outcomes.io.formats import write_table
from outcomes.io.write import write
from outcomes.sample.load import DEFAULT_N_PER_ARM, DEFAULT_SEED, load_sample

__all__ = ["SAMPLE_FILES", "SampleFile", "write_sample"]


@dataclass(frozen=True)
class SampleFile:
    """One sample file: where it goes, its layout and what it shows."""

    path: str
    layout: str
    what: str


#: The files :func:`write_sample` writes, besides ``schedule.toml``, ``events.csv`` and README.
SAMPLE_FILES: tuple[SampleFile, ...] = (
    SampleFile("long.csv", "long", "a row per subject x visit; items and totals by registry code"),
    SampleFile("long.xlsx", "long", "the same, as an Excel workbook"),
    SampleFile("long.parquet", "long", "the same, as Parquet"),
    SampleFile("long.sav", "long", "the same, as SPSS"),
    SampleFile("long.dta", "long", "the same, as Stata"),
    SampleFile("wide.csv", "wide", "a row per subject; columns <code>_<visit>"),
    SampleFile(
        "sdtm/qs.xpt",
        "sdtm-qs",
        "CDISC SDTM QS domain as SAS transport; arm and covariates in sdtm/dm.xpt beside it",
    ),
    SampleFile("adam/adqs.xpt", "adam-adqs", "CDISC ADaM ADQS as SAS transport"),
    SampleFile("redcap.csv", "redcap", "a REDCap raw export, one row per record x event"),
)

_README = """# Sample data

The sample psychedelic trial of **outcomes** (DMT vs placebo, two dosing sessions, follow-up to
12 weeks; see `outcomes.sample.simulate` for the design), written by the package's own simulator:
`outcomes sample --out data_samples` makes every file here, and a test checks they are in step with
the simulator. Every file reads back to the same TrialData:

```python
import outcomes
trial = outcomes.read("data_samples/long.csv", schedule="data_samples/schedule.toml",
                      events="data_samples/events.csv")
```

| file | layout | what it is |
|---|---|---|
{rows}
| `schedule.toml` | | the schedule of assessments: visits, nominal days, windows, dosing sessions |
| `events.csv` | | intercurrent events: subject, event, study day, detail |

Simulated data: no real person is behind any row. Seed {seed}, {n_per_arm} subjects per arm.
"""


def write_sample(out: str | Path, trial: TrialData | None = None) -> Path:
    """Write the sample trial in every layout to the folder ``out`` and return it.

    Parameters
    ----------
    out : str or Path
        The folder; made if missing. Existing files of the same names are replaced.

    Raises
    ------
    WriteError
        If ``out`` is, or holds, a symbolic link: nothing is written through one.
    trial : TrialData, optional
        What to write; :func:`outcomes.load_sample` by default.

    Examples
    --------
    >>> import tempfile
    >>> folder = write_sample(tempfile.mkdtemp())
    >>> sorted(p.name for p in folder.iterdir())[:4]
    ['README.md', 'adam', 'events.csv', 'long.csv']
    """
    folder = Path(out)
    _refuse_links(folder)
    trial = trial if trial is not None else load_sample()
    for entry in SAMPLE_FILES:
        target = folder / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write(trial, target, entry.layout)
    write_table(trial.events, folder / "events.csv")
    (folder / "schedule.toml").write_text(tomli_w.dumps(trial.schedule.to_mapping()))
    rows = "\n".join(f"| `{f.path}` | `{f.layout}` | {f.what} |" for f in SAMPLE_FILES)
    (folder / "README.md").write_text(
        _README.format(rows=rows, seed=DEFAULT_SEED, n_per_arm=DEFAULT_N_PER_ARM)
    )
    return folder


def _refuse_links(folder: Path) -> None:
    """Refuse a folder that is, or holds, a symbolic link (a write would go where it points)."""
    links = [folder] if folder.is_symlink() else []
    if folder.is_dir() and not links:
        for root, dirs, files in os.walk(folder):
            links += [Path(root, n) for n in (*dirs, *files) if os.path.islink(Path(root, n))]
    if links:
        raise WriteError(
            f"{links[0]} is a symbolic link: the sample is written only into a real folder "
            "that holds no link (remove it, or give another folder)"
        )
