"""From analysis plan to report: a TOML plan, its run, and a re-runnable report folder."""

from __future__ import annotations

from outcomes.report.analyses import ANALYSES, FIGURES, TABLES
from outcomes.report.plan import TEMPLATE, Plan, PlanError, check_against_data, read_plan
from outcomes.report.run import Results, check_plan, run_plan
from outcomes.report.write import write_report

__all__ = [
    "ANALYSES",
    "FIGURES",
    "TABLES",
    "TEMPLATE",
    "Plan",
    "PlanError",
    "Results",
    "check_against_data",
    "check_plan",
    "read_plan",
    "run_plan",
    "write_report",
]
