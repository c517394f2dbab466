"""Individual trajectories and the waterfall: one drawn line or bar per subject, from the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from outcomes.plots import arm_colors, individual_trajectories, waterfall


def test_each_subject_line_is_the_subjects_observed_values(madrs_all) -> None:
    ax = individual_trajectories(madrs_all)
    visits = list(madrs_all["visit"].cat.categories)
    assert [t.get_text() for t in ax.get_xticklabels()] == visits
    observed = madrs_all[madrs_all["total"].notna()]
    for arm in ("PLACEBO", "DMT"):
        (lines,) = [c for c in ax.collections if c.get_gid() == f"subjects:{arm}"]
        mine = observed[observed["arm"] == arm]
        subjects = sorted(mine["subject"].unique())
        segments = lines.get_segments()
        assert len(segments) == len(subjects)
        for subject, segment in zip(subjects, segments, strict=True):
            rows = mine[mine["subject"] == subject].sort_values("visit")
            np.testing.assert_array_equal(segment[:, 1], rows["total"].to_numpy(float))
            np.testing.assert_array_equal(segment[:, 0], [visits.index(v) for v in rows["visit"]])


def test_arm_means_are_bold_and_equal_the_group_means(madrs_all) -> None:
    ax = individual_trajectories(madrs_all)
    means = {line.get_label(): line for line in ax.get_lines()}
    assert list(means) == ["PLACEBO mean", "DMT mean"]
    for arm in ("PLACEBO", "DMT"):
        want = madrs_all[madrs_all["arm"] == arm].groupby("visit", observed=True)["total"].mean()
        np.testing.assert_allclose(means[f"{arm} mean"].get_ydata(), want.to_numpy())
        assert means[f"{arm} mean"].get_linewidth() > 2
        assert to_rgba(means[f"{arm} mean"].get_color()) == to_rgba(
            arm_colors(["PLACEBO", "DMT"])[arm]
        )
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["PLACEBO mean", "DMT mean"]


def test_without_means_the_legend_names_the_arms(madrs_all) -> None:
    ax = individual_trajectories(madrs_all, highlight_mean=False)
    assert ax.get_lines() == []
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["PLACEBO", "DMT"]


def test_several_instruments_at_once_are_refused(trial) -> None:
    with pytest.raises(ValueError, match="one instrument"):
        individual_trajectories(trial)


def test_waterfall_bars_are_the_sorted_values_coloured_by_arm(madrs) -> None:
    week2 = madrs[madrs["visit"] == "WEEK 2"]
    ax = waterfall(week2)
    bars = sorted(ax.patches, key=lambda bar: bar.get_x())
    observed = week2.dropna(subset=["pchg"])
    want = observed.sort_values(["pchg", "subject"], ascending=[False, True])
    np.testing.assert_allclose([bar.get_height() for bar in bars], want["pchg"].to_numpy())
    colors = arm_colors(["PLACEBO", "DMT"])
    assert [bar.get_facecolor() for bar in bars] == [to_rgba(colors[a]) for a in want["arm"]]
    (threshold,) = [line for line in ax.get_lines() if line.get_gid() == "threshold"]
    assert list(threshold.get_ydata()) == [-50, -50]
    assert threshold.get_linestyle() == "--"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["PLACEBO", "DMT", "response threshold (-50%)"]
    assert ax.get_ylabel() == "% change from baseline"


def test_waterfall_without_threshold(madrs) -> None:
    ax = waterfall(madrs[madrs["visit"] == "WEEK 4"], outcome="chg", threshold=None)
    assert not [line for line in ax.get_lines() if line.get_gid() == "threshold"]
    assert ax.get_ylabel() == "change from baseline"


def test_waterfall_needs_one_row_per_subject(madrs) -> None:
    with pytest.raises(ValueError, match="one visit"):
        waterfall(madrs)


def test_waterfall_ties_are_ordered_by_subject() -> None:
    data = pd.DataFrame(
        {"subject": ["b", "a", "c"], "arm": ["X", "Y", "X"], "pchg": [-10.0, -10.0, 5.0]}
    )
    ax = waterfall(data)
    bars = sorted(ax.patches, key=lambda bar: bar.get_x())
    assert [bar.get_height() for bar in bars] == [5.0, -10.0, -10.0]
    colors = arm_colors(["X", "Y"])
    assert bars[1].get_facecolor() == to_rgba(colors["Y"])  # subject "a" before "b"
