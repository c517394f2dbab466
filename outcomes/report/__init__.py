"""From analysis plan to report: a TOML plan, its run, and a re-runnable report folder."""

from __future__ import annotations

from outcomes.report.plan import FIGURES, TABLES, TEMPLATE, Plan, PlanError, read_plan
from outcomes.report.run import Results, run_plan
from outcomes.report.write import write_report

__all__ = [
    "FIGURES",
    "TABLES",
    "TEMPLATE",
    "Plan",
    "PlanError",
    "Results",
    "read_plan",
    "run_plan",
    "write_report",
]
