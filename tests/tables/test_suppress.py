"""Small-cell suppression on hand-made tables whose primary and secondary cells are worked out
in the comments, and its guarantee checked on random tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from outcomes.tables import Suppression, suppress


def _hidden(result: Suppression, kind: str = "suppressed") -> set[tuple[str, str]]:
    frame = getattr(result, kind)
    return {(str(i), str(c)) for i in frame.index for c in frame.columns if frame.at[i, c]}


def _frame(rows: dict[str, list[int]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def test_row_totals_only() -> None:
    # r1: 3 < 5 is hidden; its row total 25 would give it back (25 - 10 - 12), so the smallest
    # other count of the row, 10, is hidden too. r2 has nothing small. No column totals: done.
    counts = _frame({"r1": [3, 10, 12, 25], "r2": [8, 9, 20, 37]}, ["A", "B", "C", "Total"])
    out = suppress(counts, total_column="Total")
    assert _hidden(out, "primary") == {("r1", "A")}
    assert _hidden(out) == {("r1", "A"), ("r1", "B")}
    assert out.masked.loc["r1"].tolist() == ["<5", "*", 12, 25]
    assert out.masked.loc["r2"].tolist() == [8, 9, 20, 37]


def test_column_totals_only() -> None:
    # the transpose of the above: the 3 and the 10 of column r1
    counts = _frame({"r1": [3, 10, 12, 25], "r2": [8, 9, 20, 37]}, ["A", "B", "C", "Total"]).T
    out = suppress(counts, total_row="Total")
    assert _hidden(out) == {("A", "r1"), ("B", "r1")}


def test_no_totals_only_primary() -> None:
    counts = _frame({"r1": [3, 10], "r2": [1, 20]}, ["A", "B"])
    out = suppress(counts)
    assert _hidden(out) == _hidden(out, "primary") == {("r1", "A"), ("r2", "A")}


def test_both_totals_give_a_rectangle() -> None:
    # x,A = 2: row x -> hide x,B (10); column A -> hide y,A (7, smaller than 9); column B ->
    # hide y,B (8, smaller than 11); row y now has two hidden: stable. The 2 x 2 block.
    counts = _frame(
        {"x": [2, 10, 12], "y": [7, 8, 15], "z": [9, 11, 20], "Total": [18, 29, 47]},
        ["A", "B", "Total"],
    )
    out = suppress(counts, total_row="Total", total_column="Total")
    assert _hidden(out) == {("x", "A"), ("x", "B"), ("y", "A"), ("y", "B")}
    assert _hidden(out, "primary") == {("x", "A")}


def test_cascade_needs_several_sweeps() -> None:
    # Sweep 1, rows: r1 -> B (20). Columns: A -> r2,A (10 < 15); B -> r3,B (11 < 40).
    # Sweep 2, rows: r2 has only r2,A -> r2,B (40 < 50); r3 has only r3,B -> r3,A (15 < 60).
    # Sweep 3: every line has 0 or 2+ hidden cells.
    counts = _frame(
        {
            "r1": [2, 20, 30, 52],
            "r2": [10, 40, 50, 100],
            "r3": [15, 11, 60, 86],
            "Total": [27, 71, 140, 238],
        },
        ["A", "B", "C", "Total"],
    )
    out = suppress(counts, total_row="Total", total_column="Total")
    assert _hidden(out) == {(r, c) for r in ("r1", "r2", "r3") for c in ("A", "B")}


def test_zeros_are_shown_and_avoided_as_complements() -> None:
    # the 0 is not small by default and not taken to protect the 2: the 30 is
    counts = _frame({"r": [2, 0, 30, 32]}, ["A", "B", "C", "Total"])
    out = suppress(counts, total_column="Total")
    assert _hidden(out) == {("r", "A"), ("r", "C")}
    assert out.masked.loc["r"].tolist() == ["<5", 0, "*", 32]
    # suppress_zeros: the 0 is small too, and with two hidden the row is safe
    out = suppress(counts, total_column="Total", suppress_zeros=True)
    assert _hidden(out) == _hidden(out, "primary") == {("r", "A"), ("r", "B")}


def test_a_zero_is_the_complement_when_nothing_else_is_left() -> None:
    # r1,A = 3 -> r1,B (12). Column A -> r2,A (9). Column B: only r1,B hidden and the one other
    # count is r2,B = 0: it is hidden, as the last resort before the total.
    counts = _frame(
        {"r1": [3, 12, 15], "r2": [9, 0, 9], "Total": [12, 12, 24]}, ["A", "B", "Total"]
    )
    out = suppress(counts, total_row="Total", total_column="Total")
    assert _hidden(out) == {("r1", "A"), ("r1", "B"), ("r2", "A"), ("r2", "B")}


def test_small_totals_are_hidden_too() -> None:
    counts = _frame({"r1": [1, 9], "r2": [2, 8], "Tot": [3, 17]}, ["A", "B"])
    out = suppress(counts, total_row="Tot")
    assert _hidden(out) == _hidden(out, "primary") == {("r1", "A"), ("r2", "A"), ("Tot", "A")}


def test_single_column_hides_its_total() -> None:
    # one count and its total: the total is the only other cell of the row
    counts = _frame({"r1": [3, 3], "r2": [7, 7]}, ["A", "Total"])
    out = suppress(counts, threshold=3, total_column="Total")
    assert _hidden(out) == set()
    out = suppress(counts, threshold=4, total_column="Total")
    assert _hidden(out) == {("r1", "A"), ("r1", "Total")}


def test_threshold_and_markers() -> None:
    counts = _frame({"r": [7, 12, 19]}, ["A", "B", "Total"])
    out = suppress(counts, threshold=10, total_column="Total")
    assert out.masked.loc["r"].tolist() == ["<10", "*", 19]
    out = suppress(counts, 10, marker="n<10", secondary_marker="(s)", total_column="Total")
    assert out.masked.loc["r"].tolist() == ["n<10", "(s)", 19]
    masked, suppressed, primary = out  # a named tuple
    assert suppressed.dtypes.eq(bool).all() and primary.to_numpy().sum() == 1


@pytest.mark.parametrize(
    ("counts", "kwargs", "match"),
    [
        (_frame({"r": [1, -2]}, ["A", "B"]), {}, "whole numbers"),
        (_frame({"r": [1.5, 2]}, ["A", "B"]), {}, "whole numbers"),
        (pd.DataFrame({"A": [1.0, np.nan]}), {}, "whole numbers"),
        (_frame({"r": [1, 2]}, ["A", "B"]), {"total_column": "Total"}, "total_column"),
        (_frame({"r": [1, 2]}, ["A", "B"]), {"total_row": "Total"}, "total_row"),
        (_frame({"r": [1, 2]}, ["A", "B"]), {"threshold": 0}, "threshold"),
    ],
)
def test_bad_input_is_explained(counts: pd.DataFrame, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        suppress(counts, **kwargs)


@pytest.mark.parametrize("seed", range(25))
def test_no_line_with_a_total_keeps_exactly_one_hidden_cell(seed: int) -> None:
    """On random tables with margins: every small count is hidden, no row or column has exactly
    one hidden cell, and the shown cells are the counts."""
    rng = np.random.default_rng(seed)
    inner = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 30], size=(rng.integers(1, 6), rng.integers(1, 5)))
    counts = pd.DataFrame(inner, columns=[f"c{j}" for j in range(inner.shape[1])])
    counts["Total"] = counts.sum(axis=1)
    counts.loc["Total"] = counts.sum(axis=0)
    out = suppress(counts, total_row="Total", total_column="Total")
    hidden = out.suppressed.to_numpy()
    values = counts.to_numpy()
    assert (hidden[(values > 0) & (values < 5)]).all()
    assert set(hidden.sum(axis=1)) <= {0} | set(range(2, 100))
    assert set(hidden.sum(axis=0)) <= {0} | set(range(2, 100))
    shown = out.masked.to_numpy()[~hidden]
    assert list(shown) == list(values[~hidden])
    assert set(out.masked.to_numpy()[hidden]) <= {"<5", "*"}
