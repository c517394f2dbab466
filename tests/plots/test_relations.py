"""Acute experience against outcome: the points are the subjects, the lines least squares."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

import outcomes
from outcomes.plots import acute_vs_outcome


@pytest.fixture(scope="module")
def scores(trial):
    return outcomes.trait_change(
        trial, instrument="neo-ffi-n", acute={"meq30": ("meq30", "DOSE 1")}
    ).data


def test_points_and_least_squares_lines_per_arm(scores) -> None:
    ax = acute_vs_outcome(scores, x="meq30", y="change")
    complete = scores.dropna(subset=["meq30", "change"])
    for arm in ("PLACEBO", "DMT"):
        mine = complete[complete["arm"] == arm]
        (points,) = [c for c in ax.collections if c.get_label() == f"{arm} (n = {len(mine)})"]
        np.testing.assert_allclose(points.get_offsets(), mine[["meq30", "change"]].to_numpy())
        (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == f"fit:{arm}"]
        fit = scipy.stats.linregress(mine["meq30"], mine["change"])
        np.testing.assert_allclose(line.get_xdata(), [mine["meq30"].min(), mine["meq30"].max()])
        np.testing.assert_allclose(line.get_ydata(), fit.intercept + fit.slope * line.get_xdata())
        assert line.get_label() == f"{arm}: slope {fit.slope:.2f}"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("meq30", "change")


def test_an_arm_with_one_distinct_score_gets_no_line(scores) -> None:
    data = scores.dropna(subset=["meq30", "change"]).copy()
    data.loc[data["arm"] == "PLACEBO", "meq30"] = 1.0
    ax = acute_vs_outcome(data, x="meq30", y="change")
    assert [ln.get_gid() for ln in ax.get_lines()] == ["fit:DMT"]
