"""Tables: tidy results in, formatted tables out.

A :class:`Table` holds formatted strings, a title, column labels and footnotes. The builders make
one from the data or from an analysis' tidy frame (:func:`baseline_table`, :func:`visit_summary`,
:func:`lsmeans_table`, :func:`responder_table`, :func:`multiplicity_table`,
:func:`sensitivity_table`; :func:`from_frame` for any other tidy frame); the numbers are formatted
by the rules of :mod:`.format`; :func:`to_ard` gives any results frame as Analysis Results Data,
one row per statistic with its raw and formatted value; small counts can be hidden by
:func:`suppress`; :func:`write_table` writes HTML, Markdown, LaTeX, DOCX, XLSX, CSV or RTF, the
same bytes for the same table.

Examples
--------
>>> import outcomes
>>> from outcomes.tables import baseline_table, write_table
>>> table = baseline_table(outcomes.load_sample(), covariates=("sex",), instrument_visits={})
>>> table.headers
['Characteristic', 'Statistic', 'PLACEBO (N=20)', 'DMT (N=20)', 'Total (N=40)']
>>> table.rows()[1]
['Sex, n (%)', 'F', '9 (45.0%)', '8 (40.0%)', '17 (42.5%)']
>>> import tempfile, pathlib
>>> write_table(table, pathlib.Path(tempfile.mkdtemp()) / "baseline.docx").name
'baseline.docx'
"""

from __future__ import annotations

from outcomes.tables.ard import ARD_COLUMNS, combine_ard, to_ard
from outcomes.tables.builders import (
    baseline_statistics,
    baseline_table,
    from_frame,
    lsmeans_table,
    multiplicity_table,
    responder_table,
    sensitivity_table,
    visit_statistics,
    visit_summary,
)
from outcomes.tables.format import (
    DECIMALS,
    MISSING,
    format_ci,
    format_estimate_ci,
    format_mean_sd,
    format_median_iqr,
    format_n_percent,
    format_nnt,
    format_number,
    format_p,
)
from outcomes.tables.suppress import Suppression, suppress
from outcomes.tables.table import Table
from outcomes.tables.writers import FORMATS, write_table

__all__ = [
    "ARD_COLUMNS",
    "DECIMALS",
    "FORMATS",
    "MISSING",
    "Suppression",
    "Table",
    "baseline_statistics",
    "baseline_table",
    "combine_ard",
    "format_ci",
    "format_estimate_ci",
    "format_mean_sd",
    "format_median_iqr",
    "format_n_percent",
    "format_nnt",
    "format_number",
    "format_p",
    "from_frame",
    "lsmeans_table",
    "multiplicity_table",
    "responder_table",
    "sensitivity_table",
    "suppress",
    "to_ard",
    "visit_statistics",
    "visit_summary",
    "write_table",
]
