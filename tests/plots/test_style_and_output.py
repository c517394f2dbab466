"""Palette and arm order, dosing days and their place on an axis, and reproducible files."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import seaborn as sns

import outcomes
from outcomes.plots import PALETTE, arm_colors, dosing_days, observed_means, save
from outcomes.plots.dosing import VisitAxis
from outcomes.plots.style import levels


def test_arms_take_the_colorblind_palette_in_order() -> None:
    assert PALETTE == "colorblind"
    colors = arm_colors(["PLACEBO", "LOW", "HIGH"])
    assert list(colors.values()) == sns.color_palette("colorblind")[:3]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pd.Series(["DMT", "PLACEBO", "DMT"]), ["DMT", "PLACEBO"]),
        (
            pd.Series(pd.Categorical(["DMT", "PLACEBO"], categories=["PLACEBO", "DMT", "X"])),
            ["PLACEBO", "DMT"],
        ),
        (pd.Series(["B", None, "A"]), ["B", "A"]),
    ],
)
def test_levels_follow_categories_else_first_appearance(values, expected) -> None:
    assert levels(values) == expected


def test_dosing_days_are_the_dosing_visits_days(trial) -> None:
    want = [v.day for v in trial.schedule.visits if v.phase == "dosing"]
    assert dosing_days(trial.schedule) == want == [1.0, 15.0]
    assert dosing_days(trial) == want


def test_dosing_days_fall_back_on_the_sessions() -> None:
    schedule = outcomes.Schedule.from_mapping(
        {
            "session": [{"number": 1, "day": 1}],
            "visit": [
                {"name": "BASELINE", "day": 1, "phase": "baseline"},
                {"name": "WEEK 1", "day": 8},
            ],
        }
    )
    assert dosing_days(schedule) == [1.0]


AXIS = VisitAxis(
    {"BASELINE": 0.0, "DAY 2": 1.0, "WEEK 1": 2.0},
    {"BASELINE": 1.0, "DAY 2": 2.0, "WEEK 1": 8.0, "DOSE 1": 1.0, "LATER": 99.0},
)

X_OF = [
    ("DAY 2", 1.0),  # a visit on the axis: its tick
    (5.0, 1.5),  # a day between visits: interpolated
    (2, 1.0),  # a visit's day exactly: that visit
    ("DOSE 1", 0.0),  # a visit off the axis: by its day
    (-3.0, -0.5),  # before the first visit: half a step out
    ("LATER", 2.5),  # after the last: half a step out
]


@pytest.mark.parametrize(("where", "x"), X_OF)
def test_where_a_dose_falls_on_a_visit_axis(where, x) -> None:
    assert AXIS.x_of(where) == pytest.approx(x)


def test_where_a_dose_falls_on_a_day_axis() -> None:
    axis = VisitAxis({"BASELINE": 1.0, "WEEK 1": 8.2}, {"DOSE 2": 15.0}, numeric=True)
    assert [axis.x_of(w) for w in (15, "WEEK 1", "DOSE 2")] == [15.0, 8.2, 15.0]


def test_an_unknown_dosing_visit_is_an_error() -> None:
    with pytest.raises(ValueError, match="'DOSE 9'"):
        AXIS.x_of("DOSE 9")


def figure(trial):
    return observed_means(trial, instrument="madrs", dosing=dosing_days(trial))


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_save_writes_each_format_the_same_bytes_twice(trial, tmp_path, suffix) -> None:
    first = save(figure(trial), tmp_path / f"a{suffix}")
    second = save(figure(trial).figure, tmp_path / f"b{suffix}")  # a new figure, saved as Figure
    assert first.stat().st_size > 0
    assert first.read_bytes() == second.read_bytes()
    magic = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix]
    assert first.read_bytes().startswith(magic)


def test_png_is_written_at_150_dpi(trial, tmp_path) -> None:
    ax = figure(trial)
    image = plt.imread(save(ax, tmp_path / "f.png"))
    width, height = ax.figure.get_size_inches() * 150
    assert image.shape[:2] == (round(height), round(width))


def test_files_hold_no_date(trial, tmp_path) -> None:
    svg = save(figure(trial), tmp_path / "f.svg").read_text()
    assert "<dc:date>" not in svg
    pdf = save(figure(trial), tmp_path / "f.pdf").read_bytes()
    assert b"/CreationDate" not in pdf


def test_save_refuses_an_unknown_format(trial, tmp_path) -> None:
    with pytest.raises(ValueError, match="'f.jpg'"):
        save(figure(trial), tmp_path / "f.jpg")


def test_save_takes_an_array_of_axes(tmp_path) -> None:
    fig, axes = plt.subplots(1, 2)
    axes[0].plot(np.arange(3))
    assert save(axes, tmp_path / "two.png").stat().st_size > 0
