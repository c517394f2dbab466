"""Forest plots and responder bars: the points, intervals and bars are the table's numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

import outcomes
from outcomes.plots import arm_colors, forest, responder_bars


def points_and_intervals(ax, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    (points,) = [line for line in ax.get_lines() if line.get_label() == name]
    (ci,) = [c for c in ax.collections if c.get_gid() == f"ci:{name}"]
    segments = np.array(ci.get_segments())
    return np.column_stack([points.get_xdata(), points.get_ydata()]), segments[:, :, 0], segments


def test_forest_points_are_the_estimates_and_lines_the_intervals(fit) -> None:
    table = fit.contrasts("arm", by="visit", reference="PLACEBO")
    ax = forest(table)
    xy, ends, segments = points_and_intervals(ax, "DMT - PLACEBO")
    np.testing.assert_allclose(xy[:, 0], table["estimate"])
    np.testing.assert_allclose(ends[:, 0], table["conf_low"])
    np.testing.assert_allclose(ends[:, 1], table["conf_high"])
    # the first row on top, and the y tick labels the visits in table order
    np.testing.assert_array_equal(xy[:, 1], np.arange(len(table))[::-1])
    np.testing.assert_array_equal(segments[:, 0, 1], xy[:, 1])
    assert [t.get_text() for t in ax.get_yticklabels()] == table["visit"].tolist()
    (null,) = [line for line in ax.get_lines() if line.get_gid() == "null"]
    assert list(null.get_xdata()) == [0.0, 0.0]
    assert ax.get_xlabel() == "difference DMT - PLACEBO (CI)"
    assert ax.get_ylabel() == "visit"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["DMT - PLACEBO", "no effect (0)"]


def test_forest_of_ratios_on_a_log_axis_with_null_one(madrs) -> None:
    table = outcomes.responders(
        madrs,
        outcome="response",
        arm="arm",
        subject="subject",
        reference="PLACEBO",
        by="visit",
        covariates=["base"],
    )
    table = table.dropna(subset=["odds_ratio"])
    ax = forest(table, estimate="odds_ratio", low="or_conf_low", high="or_conf_high", log=True)
    xy, ends, _ = points_and_intervals(ax, "DMT - PLACEBO")
    np.testing.assert_allclose(xy[:, 0], table["odds_ratio"])
    np.testing.assert_allclose(ends, table[["or_conf_low", "or_conf_high"]].to_numpy())
    assert ax.get_xscale() == "log"
    (null,) = [line for line in ax.get_lines() if line.get_gid() == "null"]
    assert list(null.get_xdata()) == [1.0, 1.0]


def test_forest_with_several_contrasts_colours_each_by_its_arm() -> None:
    table = pd.DataFrame(
        {
            "subgroup": ["women", "men", "women", "men"],
            "contrast": ["LOW - PLACEBO"] * 2 + ["HIGH - PLACEBO"] * 2,
            "estimate": [-1.0, -2.0, -3.0, -4.0],
            "conf_low": [-2.0, -3.0, -4.0, -5.0],
            "conf_high": [0.0, -1.0, -2.0, -3.0],
        }
    )
    ax = forest(table, label="subgroup")
    colors = list(arm_colors(["PLACEBO", "LOW", "HIGH"]).values())
    for name, color, rows in (
        ("LOW - PLACEBO", colors[1], [0, 1]),
        ("HIGH - PLACEBO", colors[2], [2, 3]),
    ):
        xy, _, _ = points_and_intervals(ax, name)
        np.testing.assert_allclose(xy[:, 0], table["estimate"].iloc[rows])
        np.testing.assert_allclose(xy[:, 1], [3 - r for r in rows])
        (line,) = [ln for ln in ax.get_lines() if ln.get_label() == name]
        assert to_rgba(line.get_color()) == to_rgba(color)


def test_forest_log_needs_positive_values() -> None:
    table = pd.DataFrame(
        {"visit": ["W1"], "estimate": [-1.0], "conf_low": [-2.0], "conf_high": [0.5]}
    )
    with pytest.raises(ValueError, match="positive"):
        forest(table, log=True)


@pytest.fixture(scope="module")
def rates(madrs) -> pd.DataFrame:
    return outcomes.responders(
        madrs, outcome="response", arm="arm", subject="subject", reference="PLACEBO", by="visit"
    )


def test_responder_bars_are_the_percentages_reference_first(rates) -> None:
    ax = responder_bars(rates)
    bars = {c.get_label(): c for c in ax.containers}
    assert list(bars) == ["PLACEBO", "DMT"]
    np.testing.assert_allclose(
        [b.get_height() for b in bars["PLACEBO"]], rates["percent_reference"]
    )
    np.testing.assert_allclose([b.get_height() for b in bars["DMT"]], rates["percent"])
    centres = {arm: np.array([b.get_x() + b.get_width() / 2 for b in c]) for arm, c in bars.items()}
    np.testing.assert_allclose((centres["PLACEBO"] + centres["DMT"]) / 2, np.arange(len(rates)))
    assert (centres["PLACEBO"] < centres["DMT"]).all()
    assert [t.get_text() for t in ax.get_xticklabels()] == rates["visit"].tolist()
    colors = arm_colors(["PLACEBO", "DMT"])
    assert bars["DMT"][0].get_facecolor() == to_rgba(colors["DMT"])
    assert ax.get_ylabel() == "% responders"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["PLACEBO", "DMT"]


def test_responder_bars_with_two_active_arms() -> None:
    table = pd.DataFrame(
        {
            "visit": ["W2", "W2"],
            "contrast": ["LOW - PBO", "HIGH - PBO"],
            "percent": [20.0, 40.0],
            "percent_reference": [10.0, 10.0],
        }
    )
    ax = responder_bars(table)
    heights = {c.get_label(): [b.get_height() for b in c] for c in ax.containers}
    assert heights == {"PBO": [10.0], "LOW": [20.0], "HIGH": [40.0]}


def test_responder_bars_refuse_two_rates_for_one_arm() -> None:
    table = pd.DataFrame(
        {
            "visit": ["W2", "W2"],
            "contrast": ["LOW - PBO", "HIGH - PBO"],
            "percent": [20.0, 40.0],
            "percent_reference": [10.0, 12.0],
        }
    )
    with pytest.raises(ValueError, match="two percentages of 'PBO'"):
        responder_bars(table)


def test_responder_bars_need_a_contrast_label() -> None:
    table = pd.DataFrame(
        {
            "visit": ["W2"],
            "contrast": ["DMT vs PLACEBO"],
            "percent": [1.0],
            "percent_reference": [2.0],
        }
    )
    with pytest.raises(ValueError, match="<arm> - <reference>"):
        responder_bars(table)
