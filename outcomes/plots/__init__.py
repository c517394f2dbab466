"""Figures of a trial's results, with seaborn's colour-blind-safe palette and matplotlib.

Every function takes its data first and its column roles as keywords, draws on ``ax`` (a new
figure when None) and returns the Axes; arms keep one order and one colour across figures (the
reference arm first; see :mod:`outcomes.plots.style`); figures over time mark the dosing
sessions given as ``dosing=`` (see :mod:`outcomes.plots.dosing`). :func:`save` writes a figure
as PNG, SVG or PDF, the same bytes for the same figure.

===============================  =================================================================
function                         draws
===============================  =================================================================
:func:`observed_means`           mean by arm and visit with t-based confidence intervals
:func:`change_by_visit`          mean change from baseline by arm and visit, a line at 0
:func:`lsmeans_trajectory`       a model's LS means by arm and visit with confidence bands
:func:`individual_trajectories`  one line per subject, the arm means in bold
:func:`waterfall`                each subject's (percent) change at one visit, sorted
:func:`responder_bars`           % responders per arm and visit (from :func:`outcomes.responders`)
:func:`forest`                   estimates and intervals per visit or subgroup
:func:`missingness`              subject x visit map of observed and missing values
:func:`tipping_map`              a tipping-point analysis (one grid, or a map over two arms)
:func:`acute_vs_outcome`         acute-experience score against outcome, a line per arm
===============================  =================================================================

Examples
--------
>>> import matplotlib.pyplot as plt
>>> import outcomes
>>> from outcomes import plots
>>> trial = outcomes.derive(outcomes.load_sample())
>>> ax = plots.change_by_visit(trial, instrument="madrs", dosing=plots.dosing_days(trial))
>>> [text.get_text().strip() for text in ax.texts]
['dose 1', 'dose 2']
>>> plt.close("all")
"""

from __future__ import annotations

from outcomes.plots.distributions import individual_trajectories, waterfall
from outcomes.plots.dosing import dosing_days
from outcomes.plots.effects import forest, responder_bars
from outcomes.plots.missing import missingness
from outcomes.plots.output import save
from outcomes.plots.relations import acute_vs_outcome
from outcomes.plots.sensitivity import tipping_map
from outcomes.plots.style import PALETTE, arm_colors
from outcomes.plots.trajectories import change_by_visit, lsmeans_trajectory, observed_means

__all__ = [
    "PALETTE",
    "acute_vs_outcome",
    "arm_colors",
    "change_by_visit",
    "dosing_days",
    "forest",
    "individual_trajectories",
    "lsmeans_trajectory",
    "missingness",
    "observed_means",
    "responder_bars",
    "save",
    "tipping_map",
    "waterfall",
]
