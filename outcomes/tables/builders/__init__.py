"""Table builders: tidy results in, a formatted :class:`~outcomes.tables.table.Table` out.

Each builder takes the data or the tidy frame of an analysis, formats it by the rules of
:mod:`outcomes.tables.format` (decimals by quantity from :data:`~outcomes.tables.format.DECIMALS`,
which the ``decimals`` argument overrides), and states in its footnotes what was computed and how
missing data were handled. One module each:

* descriptive: :func:`baseline_table` (``baseline``), :func:`visit_summary` (``visits``), and
  their numbers :func:`baseline_statistics`, :func:`visit_statistics`;
* model results: :func:`lsmeans_table` (``lsmeans``), :func:`responder_table` (``responders``),
  :func:`multiplicity_table` (``multiplicity``), :func:`sensitivity_table` (``sensitivity``);
* any other tidy frame: :func:`from_frame` (``generic``), formatted by its column names.
"""

from __future__ import annotations

from outcomes.tables.builders.baseline import baseline_statistics, baseline_table
from outcomes.tables.builders.generic import from_frame
from outcomes.tables.builders.lsmeans import lsmeans_table
from outcomes.tables.builders.multiplicity import multiplicity_table
from outcomes.tables.builders.responders import responder_table
from outcomes.tables.builders.sensitivity import sensitivity_table
from outcomes.tables.builders.visits import visit_statistics, visit_summary

__all__ = [
    "baseline_statistics",
    "baseline_table",
    "from_frame",
    "lsmeans_table",
    "multiplicity_table",
    "responder_table",
    "sensitivity_table",
    "visit_statistics",
    "visit_summary",
]
