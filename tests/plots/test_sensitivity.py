"""Tipping-point figures from outcomes.multiple_imputation (J2R, 20 imputations, seed 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from outcomes.plots import tipping_map


@pytest.fixture(scope="module")
def grid(mi) -> tuple[pd.DataFrame, float | None]:
    result = mi.tipping_point(np.arange(0, 21, 4.0), visit="WEEK 3")
    return result.table, result.tipping_point


def test_one_grid_draws_the_estimates_intervals_and_tipping_point(grid) -> None:
    table, point = grid
    ax = tipping_map(table)
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "estimate"]
    np.testing.assert_allclose(line.get_xdata(), table["delta"])
    np.testing.assert_allclose(line.get_ydata(), table["estimate"])
    (band,) = [c for c in ax.collections if c.get_gid() == "ci"]
    vertices = band.get_paths()[0].vertices
    for delta, low, high in table[["delta", "conf_low", "conf_high"]].itertuples(index=False):
        at = vertices[np.isclose(vertices[:, 0], delta), 1]
        assert (at.min(), at.max()) == pytest.approx((low, high))
    tipping = [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_gid() == "tipping point"]
    assert point is not None  # the sample trial tips within the grid
    assert tipping == [point]
    # every shift without significance, and no other, lies in a shaded span
    spans = [p.get_bbox() for p in ax.patches if p.get_gid() == "not significant"]
    shaded = [any(s.x0 < d < s.x1 for s in spans) for d in table["delta"]]
    assert shaded == (table["p_value"] >= 0.05).tolist()
    assert ax.get_ylabel() == "estimate DMT - PLACEBO at WEEK 3 (CI)"
    assert "tipping point (20)" in [t.get_text() for t in ax.get_legend().get_texts()]


# p at delta 0, 4, ..., 20: 0.0139, 0.0188, 0.0255, 0.0343, 0.0457, 0.0601 (the fixture's MI)
ALPHAS = [(0.05, [20.0]), (0.03, [12.0]), (0.01, []), (0.1, [])]


@pytest.mark.parametrize(("alpha", "expected"), ALPHAS)
def test_the_tipping_point_follows_alpha(grid, alpha, expected) -> None:
    table, _ = grid
    first = table["p_value"] < alpha
    flips = table.index[first != first.iloc[0]]
    assert [float(table.loc[i, "delta"]) for i in flips[:1]] == expected  # the definition
    ax = tipping_map(table, alpha=alpha)
    drawn = [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_gid() == "tipping point"]
    assert drawn == expected


def test_two_arm_grid_is_a_map_of_p(mi) -> None:
    table = mi.tipping_point({"DMT": [0, 10, 20, 30], "PLACEBO": [0, -5]}, visit="WEEK 3").table
    ax = tipping_map(table)
    (mesh,) = ax.collections[:1]
    want = table.pivot(index="delta_PLACEBO", columns="delta_DMT", values="p_value")
    np.testing.assert_allclose(mesh.get_array(), want.sort_index().to_numpy())
    assert ax.get_xlabel().startswith("delta_DMT")
    assert ax.get_ylabel().startswith("delta_PLACEBO")
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(f"{p:.3f}{'*' if p < 0.05 else ''}" for p in table["p_value"])
    crosses = table["p_value"].min() < 0.05 < table["p_value"].max()
    assert any(c.get_gid() == "alpha" for c in ax.collections) == crosses
    assert ax.get_legend() is not None


def test_map_from_the_brief_grid(mi) -> None:
    table = mi.tipping_point({"DMT": [0, 5, 10], "PLACEBO": [0, -5]}, visit="WEEK 3").table
    ax = tipping_map(table)
    assert ax.collections[0].get_array().shape == (2, 3)


def test_a_table_without_shift_columns_is_refused(grid) -> None:
    table, _ = grid
    with pytest.raises(ValueError, match="'shift'"):
        tipping_map(table, x="shift")
