"""The Table: only strings, immutable, its stub printed once per run."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from outcomes.tables import Table


def test_cells_must_be_strings() -> None:
    with pytest.raises(TypeError, match="column 'n'.*3"):
        Table(pd.DataFrame({"arm": ["DMT"], "n": [3]}), "t")
    with pytest.raises(TypeError, match="column names"):
        Table(pd.DataFrame({0: ["x"]}), "t")


def test_labels_and_stub_are_checked() -> None:
    frame = pd.DataFrame({"a": ["1"], "b": ["2"]})
    with pytest.raises(ValueError, match="column_labels"):
        Table(frame, "t", column_labels={"c": "C"})
    with pytest.raises(ValueError, match="first columns"):
        Table(frame, "t", stub=("b",))


def test_table_is_immutable_and_copies_its_data() -> None:
    frame = pd.DataFrame({"a": ["1", "2"]}, index=[5, 7])
    table = Table(frame, "t", footnotes=["x"], column_labels={"a": "A"})
    frame.loc[5, "a"] = "changed"
    assert table.rows() == [["1"], ["2"]]
    assert list(table.data.index) == [0, 1]
    assert table.footnotes == ("x",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.title = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        table.column_labels["a"] = "B"  # type: ignore[index]
    out = table.to_frame()
    out.iloc[0, 0] = "changed"
    assert table.rows()[0] == ["1"]


def test_repeated_stub_values_are_blank_in_display_only() -> None:
    table = Table(
        pd.DataFrame(
            {
                "a": ["x", "x", "x", "y", "y"],
                "b": ["1", "1", "2", "1", "1"],
                "c": ["p", "q", "p", "p", "q"],
                "v": ["10", "11", "12", "13", "14"],
            }
        ),
        "t",
        stub=("a", "b", "c"),
    )
    assert table.display_rows() == [
        ["x", "1", "p", "10"],
        ["", "", "q", "11"],
        ["", "2", "p", "12"],
        ["y", "1", "p", "13"],  # "1" shown again: a new run of "a"
        ["", "", "q", "14"],
    ]
    assert table.rows()[1] == ["x", "1", "q", "11"]
    assert table.to_frame(labels=False)["a"].tolist() == ["x", "x", "x", "y", "y"]


def test_to_frame_headers(tricky: Table) -> None:
    assert list(tricky.to_frame().columns) == ["Visit", "Arm", "Difference (95% CI)", "p", "n"]
    assert list(tricky.to_frame(labels=False).columns) == ["visit", "arm", "diff", "p", "n"]
    assert tricky.shape == (3, 5)
    assert "3 rows x 5 columns" in repr(tricky)
    assert str(tricky) == tricky.to_markdown()
