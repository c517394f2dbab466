"""What every figure promises: it draws on the ``ax`` given (or a new figure), labels its axes,
adds a legend, and names a missing column in a ValueError."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes import plots


def _week2(madrs: pd.DataFrame) -> pd.DataFrame:
    return madrs[madrs["visit"] == "WEEK 2"]


def _rates(madrs: pd.DataFrame) -> pd.DataFrame:
    return outcomes.responders(
        madrs, outcome="response", arm="arm", subject="subject", reference="PLACEBO", by="visit"
    )


def _acute(trial: outcomes.TrialData) -> pd.DataFrame:
    return outcomes.trait_change(
        trial, instrument="neo-ffi-n", acute={"meq30": ("meq30", "DOSE 1")}
    ).data


# name -> (function, data from the fixtures, keyword arguments, a column the figure needs)
CASES: dict[str, tuple[Callable[..., Any], Callable[[dict], Any], dict[str, Any], str]] = {
    "observed_means": (
        plots.observed_means,
        lambda f: f["trial"].frame,
        {"instrument": "madrs"},
        "total",
    ),
    "change_by_visit": (plots.change_by_visit, lambda f: f["madrs"], {}, "chg"),
    "lsmeans_trajectory": (
        plots.lsmeans_trajectory,
        lambda f: f["fit"].lsmeans(["arm", "visit"]),
        {},
        "conf_low",
    ),
    "individual_trajectories": (plots.individual_trajectories, lambda f: f["madrs"], {}, "subject"),
    "waterfall": (plots.waterfall, lambda f: _week2(f["madrs"]), {}, "pchg"),
    "responder_bars": (plots.responder_bars, lambda f: _rates(f["madrs"]), {}, "percent_reference"),
    "forest": (plots.forest, lambda f: f["fit"].contrasts("arm", by="visit"), {}, "conf_high"),
    "missingness": (plots.missingness, lambda f: f["madrs"], {}, "visit"),
    "tipping_map": (
        plots.tipping_map,
        lambda f: f["mi"].tipping_point(np.arange(0, 21, 4.0), visit="WEEK 3").table,
        {},
        "p_value",
    ),
    "acute_vs_outcome": (
        plots.acute_vs_outcome,
        lambda f: _acute(f["trial"]),
        {"x": "meq30", "y": "change"},
        "meq30",
    ),
}


@pytest.fixture(scope="module")
def inputs(trial, madrs, fit, mi) -> dict[str, Any]:
    fixtures = {"trial": trial, "madrs": madrs, "fit": fit, "mi": mi}
    return {name: make(fixtures) for name, (_, make, _, _) in CASES.items()}


def test_every_public_figure_is_covered() -> None:
    figures = set(plots.__all__) - {"PALETTE", "arm_colors", "dosing_days", "save"}
    assert figures == set(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_draws_on_the_axes_given(inputs, name) -> None:
    function, _, kwargs, _ = CASES[name]
    fig, (_, ax) = plt.subplots(1, 2)
    before = plt.get_fignums()
    assert function(inputs[name], ax=ax, **kwargs) is ax
    assert plt.get_fignums() == before


@pytest.mark.parametrize("name", list(CASES))
def test_makes_a_labelled_figure_with_a_legend(inputs, name) -> None:
    function, _, kwargs, _ = CASES[name]
    plt.subplots()  # a current figure that must be left alone
    before = set(plt.get_fignums())
    ax = function(inputs[name], **kwargs)
    assert len(set(plt.get_fignums()) - before) == 1
    assert ax.figure.number not in before
    assert ax.get_ylabel()
    assert ax.get_xlabel()
    assert ax.get_legend() is not None


@pytest.mark.parametrize("name", list(CASES))
def test_a_missing_column_is_named(inputs, name) -> None:
    function, _, kwargs, column = CASES[name]
    data = inputs[name]
    frame = data.frame if hasattr(data, "frame") else data
    with pytest.raises(ValueError, match=f"no column '{column}'"):
        function(frame.drop(columns=column), **kwargs)
