"""Options of ``outcomes.read`` for files as they come: a baseline column, a misleading suffix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import outcomes

DATASETS = Path(__file__).parents[1] / "datasets"
MAPPING = {
    "subject": "PATIENT",
    "arm": "THERAPY",
    "visit": "VISIT",
    "study_day": "RELDAYS",
    "totals": {"HAMDTL17": "hamd17", "HAMATOTL": "hama"},
}


def test_a_baseline_column_is_noticed_and_used_when_asked() -> None:
    # The antidepressant trial has no baseline visit (visits 4-7 are weeks 1-6 after it); its
    # HAM-D17 baseline is the column BASVAL and the sponsor's change the column CHANGE.
    trial = outcomes.read(DATASETS / "antidepressant_data.csv", mapping=MAPPING)
    assert all(v.session >= 1 for v in trial.schedule.visits)
    assert any("BASVAL" in n and "baseline_columns" in n for n in trial.notes)
    derived = outcomes.derive(trial, baseline_columns={"hamd17": "BASVAL"}).frame
    hamd = derived[derived["instrument"] == "hamd17"]
    assert hamd["chg"].notna().all()
    assert (hamd["chg"] == hamd["CHANGE"]).all()  # the sponsor's own change from baseline
    assert not hamd["baseline_flag"].any()
    hama = derived[derived["instrument"] == "hama"]
    assert hama["chg"].isna().all()  # no baseline said for the HAM-A: no change, not a guess


def test_baseline_columns_are_checked() -> None:
    trial = outcomes.read(DATASETS / "antidepressant_data.csv", mapping=MAPPING)
    with pytest.raises(ValueError, match="no column 'BASE'"):
        outcomes.derive(trial, baseline_columns={"hamd17": "BASE"})
    with pytest.raises(outcomes.InstrumentError, match="'madrs' is not an instrument"):
        outcomes.derive(trial, baseline_columns={"madrs": "BASVAL"})


def test_format_names_the_format_of_a_misleading_suffix(tmp_path: Path) -> None:
    path = tmp_path / "export.dat"
    shutil.copy(DATASETS / "antidepressant_data.csv", path)
    with pytest.raises(outcomes.ReadError, match="format="):
        outcomes.read(path, mapping=MAPPING)
    trial = outcomes.read(path, mapping=MAPPING, format="csv")
    assert trial.frame["subject"].nunique() == 172
