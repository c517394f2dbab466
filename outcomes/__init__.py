"""outcomes: outcome statistics of psychedelic-therapy trials.

Read a trial's score files into one validated, scored long table, derive baseline, change and
responder flags, fit the primary MMRM and the secondary and sensitivity analyses, and turn a
plan into tables, figures and a report (``outcomes.tables``, ``outcomes.plots`` and the report
functions are imported on first use: matplotlib and seaborn are not loaded by ``import
outcomes``).

Examples
--------
>>> import outcomes
>>> trial = outcomes.load_sample()
>>> derived = outcomes.derive(trial)
>>> week2 = derived.frame.query("instrument == 'madrs' and visit == 'WEEK 2'")
>>> sorted(week2.groupby("arm", observed=True)["chg"].mean().round(1).index)
['DMT', 'PLACEBO']
"""

from __future__ import annotations

import importlib
from typing import Any

from outcomes import instruments
from outcomes.data.derive import derive
from outcomes.data.describe import baseline_visits
from outcomes.data.problems import PROBLEM_COLUMNS
from outcomes.data.schedule import DosingSession, Schedule, ScheduledVisit
from outcomes.data.timeaxes import add_time_axes, dose_days
from outcomes.data.trialdata import TrialData
from outcomes.errors import (
    ConvergenceError,
    InstrumentError,
    MappingError,
    OutcomesError,
    ReadError,
    ScheduleError,
    ValidationError,
    WriteError,
)
from outcomes.io.mapping import ColumnMapping
from outcomes.io.read import LAYOUTS, from_frame, read
from outcomes.io.write import write
from outcomes.models.ancova import ancova
from outcomes.models.endpoints.blinding import blinding, blinding_from_counts
from outcomes.models.endpoints.dosing import (
    count_active_doses,
    dose_equivalence,
    session_response,
    session_visits,
)
from outcomes.models.endpoints.durability import (
    hazard_ratio,
    kaplan_meier,
    relapse_times,
    still_responding,
)
from outcomes.models.endpoints.effect_sizes import (
    cohens_d,
    pooled_sd,
    standardized_difference,
    within_d,
)
from outcomes.models.endpoints.marginal import marginal_risks
from outcomes.models.endpoints.multiplicity import adjust as adjust_pvalues
from outcomes.models.endpoints.multiplicity import graphical
from outcomes.models.endpoints.paired import PAIRED_COLUMNS, paired_change, subject_scores
from outcomes.models.endpoints.responders import responders
from outcomes.models.endpoints.trait import TraitChange, trait_change
from outcomes.models.gee import GEEFit, gee
from outcomes.models.imputation import (
    Estimand,
    MIResult,
    TippingPoint,
    multiple_imputation,
    multiple_imputations,
)
from outcomes.models.lmm import LMMFit, lmm
from outcomes.models.mmrm import MMRMFit, mmrm
from outcomes.sample import load_sample, sample_guesses, write_sample

__all__ = [
    "LAYOUTS",
    "PAIRED_COLUMNS",
    "PROBLEM_COLUMNS",
    "ColumnMapping",
    "ConvergenceError",
    "DosingSession",
    "Estimand",
    "GEEFit",
    "InstrumentError",
    "LMMFit",
    "MIResult",
    "MMRMFit",
    "MappingError",
    "OutcomesError",
    "ReadError",
    "Schedule",
    "ScheduleError",
    "ScheduledVisit",
    "TippingPoint",
    "TraitChange",
    "TrialData",
    "ValidationError",
    "WriteError",
    "add_time_axes",
    "adjust_pvalues",
    "ancova",
    "baseline_visits",
    "blinding",
    "blinding_from_counts",
    "cohens_d",
    "count_active_doses",
    "derive",
    "dose_days",
    "dose_equivalence",
    "from_frame",
    "gee",
    "graphical",
    "hazard_ratio",
    "instruments",
    "plots",
    "kaplan_meier",
    "lmm",
    "load_sample",
    "marginal_risks",
    "mmrm",
    "multiple_imputation",
    "multiple_imputations",
    "paired_change",
    "pooled_sd",
    "read",
    "read_plan",
    "relapse_times",
    "responders",
    "run_plan",
    "sample_guesses",
    "session_response",
    "session_visits",
    "standardized_difference",
    "still_responding",
    "subject_scores",
    "tables",
    "trait_change",
    "within_d",
    "write",
    "write_report",
    "write_sample",
]

__version__ = "0.1.0"

#: Loaded on first use (PEP 562), to keep matplotlib and seaborn out of ``import outcomes``.
_LAZY: dict[str, tuple[str, str | None]] = {
    "plots": ("outcomes.plots", None),
    "tables": ("outcomes.tables", None),
    "read_plan": ("outcomes.report", "read_plan"),
    "run_plan": ("outcomes.report", "run_plan"),
    "write_report": ("outcomes.report", "write_report"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'outcomes' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value
