"""Writing a report: ``report.html``, ``tables/``, ``figures/``, ``results.json``,
``results/ard.parquet`` and ``results/ard.csv`` (the Analysis Results Data: every number of
``results.json``, one row per statistic, raw and formatted) and ``manifest.json``.

The HTML report is one self-contained file: figures are embedded as PNG data, the tables are
HTML, the methods are generated from the plan, and a provenance section gives the plan and data
checksums, the software versions and the seed. The same inputs give the same bytes in every file
except the time stamp in ``report.html`` and ``results.json`` (and so their entries in the
manifest).

The folder is written as :mod:`outcomes.report.folder` guarantees: checked before anything is
written (:func:`~outcomes.report.folder.check_output_folder`, which a caller running a plan
should call before the analyses), written aside and moved into place only when complete, never
through a symbolic link, replacing an earlier report whole, with a manifest of every file's
SHA-256.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from outcomes import plots, tables
from outcomes.errors import WriteError
from outcomes.report.analyses import figure_caption
from outcomes.report.analyses.base import instrument_label
from outcomes.report.folder import staged_folder
from outcomes.report.run import Results

__all__ = ["TABLE_FORMATS", "FIGURE_FORMATS", "report_time", "software_versions", "write_report"]

#: Formats each table is written in, under ``tables/``.
TABLE_FORMATS: tuple[str, ...] = ("html", "md", "tex", "csv", "xlsx", "docx", "rtf")
#: Formats each figure is written in, under ``figures/``.
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
_PACKAGES = ("outcomes", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn")


def software_versions() -> dict[str, str]:
    """Python's and the analysis packages' versions."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - a source checkout
            versions[name] = "unknown"
    return versions


def write_report(results: Results, out: str | Path, *, timestamp: str | None = None) -> Path:
    """Write the report of ``results`` into the folder ``out``; returns ``out/report.html``.

    Parameters
    ----------
    results : Results
        What :func:`~outcomes.report.run_plan` produced. Its figures are closed once written.
    out : str or Path
        The report's folder: a new path, an empty folder or an earlier report, which is replaced
        whole (see :func:`~outcomes.report.folder.check_output_folder`).
    timestamp : str, optional
        The time stamp written into ``report.html`` and ``results.json``. By default the time
        of the environment variable ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC: two runs
        then give identical bytes in every file), else now.

    Returns
    -------
    Path
        ``out/report.html``.

    Raises
    ------
    OutputFolderError
        If ``out`` cannot be used (a file, a symbolic link, a folder of other files, ...);
        nothing is written then.

    Examples
    --------
    >>> import dataclasses, tempfile
    >>> from outcomes.report import read_plan, run_plan
    >>> plan = dataclasses.replace(read_plan(), sensitivity={}, figures=(), tables=("baseline",))
    >>> out = Path(tempfile.mkdtemp()) / "report"
    >>> write_report(run_plan(plan), out) == out / "report.html"
    True
    >>> sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))  # doctest: +ELLIPSIS
    ['figures', 'manifest.json', 'report.html', 'results', 'results.json', 'results/ard.csv',
     'results/ard.parquet', 'tables', 'tables/baseline.csv', ...]
    """
    stamp = timestamp or report_time()
    with staged_folder(out) as folder:
        _write_files(results, folder, stamp)
    return Path(out) / "report.html"


def report_time() -> str:
    """The time stamp of a report: now, or the time ``SOURCE_DATE_EPOCH`` says, UTC.

    ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) is a whole number of seconds since 1970.

    Examples
    --------
    >>> import os
    >>> os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    >>> report_time()
    '2023-11-14 22:13:20 UTC'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return datetime.now(UTC).strftime(_STAMP)
    if not epoch.isascii() or not epoch.isdigit() or len(epoch) > 12:
        raise WriteError(
            "the environment variable SOURCE_DATE_EPOCH is not a whole number of seconds since "
            "1970-01-01 (reproducible-builds.org/specs/source-date-epoch)"
        )
    return datetime.fromtimestamp(int(epoch), UTC).strftime(_STAMP)


_STAMP = "%Y-%m-%d %H:%M:%S UTC"


def _write_files(results: Results, folder: Path, stamp: str) -> None:
    (folder / "tables").mkdir()
    (folder / "figures").mkdir()
    source = (
        f"Source: the plan {Path(results.plan.path).name} on the data of SHA-256 "
        f"{results.checksums.get('data', '')[:16]}; outcomes {software_versions()['outcomes']}"
    )
    for number, (name, table) in enumerate(results.tables.items(), start=1):
        for suffix in TABLE_FORMATS:
            path = folder / "tables" / f"{name}.{suffix}"
            tables.write_table(table, path, number=str(number), source=source)
    pngs = {}
    for name, fig in results.figures.items():
        for suffix in FIGURE_FORMATS:
            plots.save(fig, folder / "figures" / f"{name}.{suffix}")
            # the layout is the same in every format: computed once, for the first
            fig.set_layout_engine("none")
        png = (folder / "figures" / f"{name}.png").read_bytes()
        pngs[name] = base64.b64encode(png).decode("ascii")  # the page shows the PNG file
        plt.close(fig)
    (folder / "results.json").write_text(_results_json(results, stamp), encoding="utf-8")
    (folder / "results").mkdir()
    results.ard.to_parquet(folder / "results" / "ard.parquet", index=False)
    results.ard.to_csv(folder / "results" / "ard.csv", index=False, lineterminator="\n")
    (folder / "report.html").write_text(_html(results, pngs, stamp), encoding="utf-8")


def _results_json(results: Results, stamp: str) -> str:
    document = {
        "title": results.plan.title,
        "generated": stamp,
        "seed": results.plan.seed,
        "checksums": results.checksums,
        "software": software_versions(),
        "notes": results.notes,
        "skipped": results.skipped,
        "results": {name: _records(frame) for name, frame in results.frames.items()},
    }
    return json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { font-weight: bold; text-align: left; padding-bottom: 0.3rem; }
tfoot td { font-size: 0.8rem; color: #555; text-align: left; border: none; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; }
figcaption { font-size: 0.9rem; color: #444; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
.stamp { color: #666; font-size: 0.85rem; }
"""


def _p_text(p: float) -> str:
    """``p = 0.036`` or ``p < 0.001``."""
    text = tables.format_p(p)
    return f"p < {text[1:]}" if text.startswith("<") else f"p = {text}"


def _html(results: Results, pngs: dict[str, str], stamp: str) -> str:
    plan = results.plan
    esc = html.escape
    contrasts = results.frames["primary_contrasts"]
    at_visit = contrasts[contrasts["visit"].astype(str) == plan.primary["visit"]]
    instrument = instrument_label(results.trial, plan.primary["instrument"])
    headline = " ".join(
        f"At {esc(plan.primary['visit'])}, the difference {esc(str(row['contrast']))} in "
        f"{esc(instrument)} change was {row['estimate']:.2f} (95% CI "
        f"{row['conf_low']:.2f} to {row['conf_high']:.2f}; {_p_text(row['p_value'])})."
        for _, row in at_visit.iterrows()
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(plan.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(plan.title)}</h1>",
        f'<p class="stamp">Generated {esc(stamp)} by outcomes '
        f"{esc(software_versions()['outcomes'])} from the plan {esc(Path(plan.path).name)}.</p>",
        "<h2>Primary result</h2>",
        f"<p>{headline}</p>",
        "<h2>Methods</h2>",
        *(f"<p>{esc(paragraph)}</p>" for paragraph in results.methods),
        "<h2>Tables</h2>",
        *(table.to_html() for table in results.tables.values()),
        "<h2>Figures</h2>",
    ]
    for name, data in pngs.items():
        caption = esc(figure_caption(name))
        parts.append(
            f'<figure id="figure-{esc(name)}"><img alt="{caption}" '
            f'src="data:image/png;base64,{data}"><figcaption>{caption}</figcaption></figure>'
        )
    provenance = {
        "plan SHA-256": results.checksums.get("plan", ""),
        "data SHA-256": results.checksums.get("data", ""),
        "seed": str(plan.seed),
        **{f"{k} version": v for k, v in software_versions().items()},
    }
    if results.skipped:
        parts += [
            "<h2>Skipped</h2>",
            "<p>Analyses of the plan marked optional that the data do not fit, not run:</p>",
            "<ul>"
            + "".join(f"<li>{esc(p)}</li>" for why in results.skipped.values() for p in why)
            + "</ul>",
        ]
    parts += [
        "<h2>Notes</h2>",
        "<ul>" + "".join(f"<li>{esc(n)}</li>" for n in results.notes) + "</ul>",
        "<h2>Provenance</h2>",
        "<table><tbody>"
        + "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in provenance.items())
        + "</tbody></table>",
        "<details><summary>The plan</summary>",
        f"<pre>{esc(plan.text)}</pre></details>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
