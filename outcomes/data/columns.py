"""The vocabulary of the canonical long table: its column names and phases.

One row of :attr:`TrialData.frame <outcomes.data.trialdata.TrialData.frame>` is one
subject x visit x instrument. Its columns, in this order (item columns and covariates follow):

======================  =====================================================================
column                  meaning
======================  =====================================================================
``subject``             pseudonymous subject identifier (text)
``arm``                 randomised arm (CDISC ``ARM`` / ``TRT01P``)
``visit``               visit label, an ordered categorical in schedule order
``visit_num``           the visit's number in schedule order (CDISC ``VISITNUM`` / ``AVISITN``)
``study_day``           study day of the assessment; day 1 is the first dose, there is no day 0
``session``             number of the last dosing session on or before the assessment (0 = none yet)
``phase``               ``screening``, ``baseline``, ``dosing``, ``post-dose`` or ``follow-up``
``hours_since_dose``    hours from the last dose to the assessment (missing before the first dose)
``period_treatment``    treatment in the current period when it differs from the arm (``TRTP``)
``period``              period number for two-stage or crossover designs (``APERIOD``)
``instrument``          instrument name in the registry, e.g. ``madrs``
``total``               the instrument's total score (reported, or scored from the items)
``total_source``        ``reported``, ``items`` or ``prorated``; missing when there is no total
``source_row``          1-based record number in the file the row came from
======================  =====================================================================

``arm`` and ``visit`` are categoricals, and so are the label columns (:data:`LABEL_COLUMNS`:
``phase``, ``period_treatment``, ``instrument``, ``total_source``), whose categories are the
labels the table holds: a few labels on every row take a byte a row, not a string each.
Item columns are named by the registry's item codes (``MADRS01`` ... ``MADRS10``, ``GAD0201`` ...),
so several instruments share one table without clashing. Covariates keep their names from the file.
"""

from __future__ import annotations

__all__ = [
    "ARM",
    "CORE_COLUMNS",
    "EVENT_COLUMNS",
    "HOURS_SINCE_DOSE",
    "INSTRUMENT",
    "LABEL_COLUMNS",
    "PERIOD",
    "PERIOD_TREATMENT",
    "PHASE",
    "PHASES",
    "SESSION",
    "SOURCE_ROW",
    "STUDY_DAY",
    "SUBJECT",
    "TOTAL",
    "TOTAL_SOURCE",
    "VISIT",
    "VISIT_NUM",
]

SUBJECT = "subject"
ARM = "arm"
VISIT = "visit"
VISIT_NUM = "visit_num"
STUDY_DAY = "study_day"
SESSION = "session"
PHASE = "phase"
HOURS_SINCE_DOSE = "hours_since_dose"
PERIOD_TREATMENT = "period_treatment"
PERIOD = "period"
INSTRUMENT = "instrument"
TOTAL = "total"
TOTAL_SOURCE = "total_source"
SOURCE_ROW = "source_row"

CORE_COLUMNS: tuple[str, ...] = (
    SUBJECT,
    ARM,
    VISIT,
    VISIT_NUM,
    STUDY_DAY,
    SESSION,
    PHASE,
    HOURS_SINCE_DOSE,
    PERIOD_TREATMENT,
    PERIOD,
    INSTRUMENT,
    TOTAL,
    TOTAL_SOURCE,
    SOURCE_ROW,
)

#: Text columns of a few labels, held as categoricals of the labels present.
LABEL_COLUMNS: tuple[str, ...] = (PHASE, PERIOD_TREATMENT, INSTRUMENT, TOTAL_SOURCE)

#: Phases of a trial, in time order.
PHASES: tuple[str, ...] = ("screening", "baseline", "dosing", "post-dose", "follow-up")

#: Columns of :attr:`TrialData.events`: one row per intercurrent event.
EVENT_COLUMNS: tuple[str, ...] = (SUBJECT, "event", "day", "detail")
