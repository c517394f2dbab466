"""Observed means, change from baseline and LS means: what is drawn is the data's summary.

Expected values are computed here from the sample trial with pandas and scipy.stats.t, apart from
the package's own summary code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from outcomes.plots import change_by_visit, lsmeans_trajectory, observed_means
from outcomes.plots.trajectories import DODGE, mean_ci


def expected_summary(rows: pd.DataFrame, value: str, ci: float = 0.95) -> pd.DataFrame:
    """Mean and t-based CI by arm and visit, straight from the definition."""
    out = []
    for (arm, visit), part in rows.groupby(["arm", "visit"], observed=True):
        y = part[value].dropna().to_numpy(float)
        if y.size == 0:
            continue
        half = scipy.stats.t.ppf(1 - (1 - ci) / 2, y.size - 1) * y.std(ddof=1) / np.sqrt(y.size)
        out.append(
            {
                "arm": arm,
                "visit": visit,
                "mean": y.mean(),
                "low": y.mean() - half,
                "high": y.mean() + half,
            }
        )
    return pd.DataFrame(out)


def drawn(ax) -> dict[str, pd.DataFrame]:
    """Per arm (error-bar container label): x, y and the bar ends."""
    result = {}
    for container in ax.containers:
        line, _, (bars,) = container.lines
        ends = np.array([seg[:, 1] for seg in bars.get_segments()])
        result[container.get_label()] = pd.DataFrame(
            {"x": line.get_xdata(), "y": line.get_ydata(), "low": ends[:, 0], "high": ends[:, 1]}
        )
    return result


@pytest.mark.parametrize("ci", [0.95, 0.8])
def test_observed_means_are_group_means_with_t_intervals(trial, madrs_all, ci) -> None:
    ax = observed_means(trial, instrument="madrs", conf_level=ci)
    expected = expected_summary(madrs_all, "total", ci)
    lines = drawn(ax)
    assert list(lines) == ["PLACEBO", "DMT"]  # the reference arm first
    visits = [t.get_text() for t in ax.get_xticklabels()]
    assert visits == list(madrs_all["visit"].cat.categories)
    for arm, line in lines.items():
        want = expected[expected["arm"] == arm].set_index("visit").loc[visits]
        np.testing.assert_allclose(line["y"], want["mean"], rtol=1e-12)
        np.testing.assert_allclose(line["low"], want["low"], rtol=1e-12)
        np.testing.assert_allclose(line["high"], want["high"], rtol=1e-12)
        offset = DODGE * (-0.5 if arm == "PLACEBO" else 0.5)
        np.testing.assert_allclose(line["x"], np.arange(len(visits)) + offset)
    assert ax.get_ylabel() == f"MADRS total: mean ({100 * ci:g}% CI)"
    assert ax.get_xlabel() == "visit"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["PLACEBO", "DMT"]


def test_observed_means_on_study_days(madrs) -> None:
    ax = observed_means(madrs, x="study_day")
    days = madrs[madrs["total"].notna()].groupby("visit", observed=True)["study_day"].mean()
    for arm, line in drawn(ax).items():
        np.testing.assert_allclose(line["x"], days.to_numpy())
        want = madrs[madrs["arm"] == arm].groupby("visit", observed=True)["total"].mean()
        np.testing.assert_allclose(line["y"], want.to_numpy())
    assert ax.get_xlabel() == "study day"


def test_change_by_visit_draws_mean_change_and_a_zero_line(madrs) -> None:
    ax = change_by_visit(madrs)
    expected = expected_summary(madrs, "chg")
    for arm, line in drawn(ax).items():
        want = expected[expected["arm"] == arm]
        np.testing.assert_allclose(line["y"], want["mean"])
        np.testing.assert_allclose(line["high"], want["high"])
    (zero,) = [line for line in ax.get_lines() if line.get_gid() == "null"]
    assert list(zero.get_ydata()) == [0.0, 0.0]
    assert ax.get_ylabel() == "change from baseline: mean (95% CI)"


def test_a_visit_with_one_value_has_no_interval() -> None:
    table = mean_ci(pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 3.0, 5.0]}), "y", ["g"])
    assert table["conf_low"].isna().tolist() == [False, True]


def test_dosing_marks_on_a_visit_axis(trial, madrs_all) -> None:
    ax = observed_means(trial, instrument="madrs", dosing=[1, 15])
    marks = [line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == "dosing"]
    visits = list(madrs_all["visit"].cat.categories)
    drawn_rows = madrs_all[madrs_all["total"].notna()]
    days = drawn_rows.groupby("visit", observed=True)["study_day"].mean()
    # day 1 is baseline's mean day; day 15 lies between the mean days of week 1 and week 2 (of
    # the rows drawn)
    week1 = visits.index("WEEK 1")
    share = (15 - days["WEEK 1"]) / (days["WEEK 2"] - days["WEEK 1"])
    np.testing.assert_allclose(marks, [visits.index("BASELINE"), week1 + share])
    assert [t.get_text() for t in ax.texts if t.get_gid() == "dosing"] == ["dose 1", "dose 2"]
    dashed = [line.get_linestyle() for line in ax.get_lines() if line.get_gid() == "dosing"]
    assert dashed == ["--", "--"]


def test_dosing_visits_not_on_the_axis_are_placed_by_their_day(trial) -> None:
    # MADRS is not given at the dosing visits: DOSE 2 (mean day of the dosing rows) falls
    # between the MADRS visits, at the same place as its day.
    frame = trial.frame
    day = frame.loc[frame["visit"] == "DOSE 2", "study_day"].mean()
    by_label = observed_means(trial, instrument="madrs", dosing=["DOSE 2"])
    by_day = observed_means(trial, instrument="madrs", dosing=[day])
    x = [
        [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_gid() == "dosing"]
        for ax in (by_label, by_day)
    ]
    assert x[0] == pytest.approx(x[1])


def test_dosing_marks_on_a_day_axis_are_the_days(trial) -> None:
    ax = observed_means(trial, instrument="madrs", x="study_day", dosing={"first": 1, "second": 15})
    marks = [line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == "dosing"]
    assert marks == [1.0, 15.0]
    assert [t.get_text() for t in ax.texts] == ["first", "second"]


def test_lsmeans_trajectory_draws_the_estimates_and_their_bands(fit) -> None:
    table = fit.lsmeans(["arm", "visit"])
    ax = lsmeans_trajectory(table, dosing={"dose 2": "WEEK 2"})
    lines = {line.get_label(): line for line in ax.get_lines() if line.get_gid() != "dosing"}
    assert list(lines) == ["PLACEBO", "DMT"]
    visits = list(table["visit"].drop_duplicates())
    assert [t.get_text() for t in ax.get_xticklabels()] == visits
    for arm, line in lines.items():
        want = table[table["arm"] == arm].set_index("visit").loc[visits]
        np.testing.assert_allclose(line.get_ydata(), want["estimate"])
        (band,) = [c for c in ax.collections if c.get_gid() == f"ci:{arm}"]
        vertices = band.get_paths()[0].vertices
        for i, visit in enumerate(visits):
            at = vertices[np.isclose(vertices[:, 0], i), 1]
            assert at.min() == pytest.approx(want.loc[visit, "conf_low"])
            assert at.max() == pytest.approx(want.loc[visit, "conf_high"])
    marks = [line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == "dosing"]
    assert marks == [visits.index("WEEK 2")]


def test_lsmeans_trajectory_wants_visit_labels_for_dosing(fit) -> None:
    with pytest.raises(ValueError, match="no study days"):
        lsmeans_trajectory(fit.lsmeans(["arm", "visit"]), dosing=[1, 15])


def test_an_unknown_instrument_is_an_error(trial) -> None:
    with pytest.raises(ValueError, match="'hamd17'"):
        observed_means(trial, instrument="hamd17")


def test_conf_level_must_be_a_level(madrs) -> None:
    with pytest.raises(ValueError, match="conf_level must be"):
        observed_means(madrs, conf_level=95)
