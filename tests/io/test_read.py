"""Reading files: mappings, detection, single-instrument files, scoring policy, CDISC and REDCap."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.io.formats import write_table

DATASETS = Path(__file__).parents[1] / "datasets"

ANTIDEPRESSANT_MAPPING = {
    "subject": "PATIENT",
    "arm": "THERAPY",
    "visit": "VISIT",
    "study_day": "RELDAYS",
    "totals": {"HAMDTL17": "hamd17", "HAMATOTL": "hama"},
}


@pytest.fixture(scope="module")
def antidepressant() -> outcomes.TrialData:
    return outcomes.read(DATASETS / "antidepressant_data.csv", mapping=ANTIDEPRESSANT_MAPPING)


def test_antidepressant_trial_keeps_every_row(antidepressant: outcomes.TrialData) -> None:
    with open(DATASETS / "antidepressant_data.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # Counted from the file itself: 608 rows, each with a HAM-D17 and a HAM-A total
    # (tests/datasets/README.md: 172 patients, 84 drug, 88 placebo).
    assert len(rows) == 608
    frame = antidepressant.frame
    assert len(frame) == 2 * len(rows)
    arms = frame.drop_duplicates("subject")["arm"].value_counts()
    assert arms.to_dict() == {"PLACEBO": 88, "DRUG": 84}
    assert list(frame["arm"].cat.categories) == ["PLACEBO", "DRUG"]  # control arm first
    hamd = frame[frame["instrument"] == "hamd17"].set_index(["subject", "visit"])["total"]
    for r in rows:
        assert hamd[(r["PATIENT"], r["VISIT"])] == float(r["HAMDTL17"])


def test_antidepressant_schedule_is_inferred_in_day_order(antidepressant) -> None:
    assert antidepressant.schedule.visit_names == ["4", "5", "6", "7"]
    assert antidepressant.schedule.inferred
    assert set(antidepressant.frame["total_source"]) == {"reported"}
    # Extra columns are kept as covariates, with their types: POOLINV keeps its leading zeros.
    assert antidepressant.covariates == ("PGIIMP", "GENDER", "POOLINV", "BASVAL", "CHANGE")
    assert antidepressant.frame["POOLINV"].iloc[0] == "006"
    assert antidepressant.frame["BASVAL"].dtype == "Int64"


def test_mapping_from_a_toml_file(tmp_path: Path, antidepressant) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(
        'subject = "PATIENT"\narm = "THERAPY"\nvisit = "VISIT"\nstudy_day = "RELDAYS"\n'
        '[totals]\nHAMDTL17 = "hamd17"\nHAMATOTL = "hama"\n'
    )
    trial = outcomes.read(DATASETS / "antidepressant_data.csv", mapping=path)
    assert trial.equals(antidepressant)


GAD_ITEMS = [2, 3, 1, 2, 0, 3, 1]  # sum 12 (GAD-7, Spitzer 2006: items 0-3, total 0-21)


def _gad_frame(items: list[float | None], total: float | None = None) -> pd.DataFrame:
    row = {"id": "P01", "group": "A", "visit": "BASELINE", "day": 1}
    row |= {f"q{k}": v for k, v in enumerate(items, start=1)}
    if total is not None:
        row["total"] = total
    return pd.DataFrame([row])


def test_single_instrument_file_with_bare_item_names() -> None:
    trial = outcomes.from_frame(_gad_frame(GAD_ITEMS), instrument="GAD-7")
    row = trial.frame.iloc[0]
    assert (row["instrument"], row["total"], row["total_source"]) == ("gad7", 12.0, "items")
    assert [row[f"GAD020{k}"] for k in range(1, 8)] == GAD_ITEMS


@pytest.mark.parametrize(
    ("max_missing", "total", "source"),
    [
        (0, np.nan, np.nan),  # default policy: no total when an item is missing
        (1, 11 / 6 * 7, "prorated"),  # answered items 2,3,1,2,0,3 mean 11/6, times 7 items
    ],
)
def test_missing_item_policy(max_missing: int, total: float, source) -> None:
    items = GAD_ITEMS[:-1] + [None]
    trial = outcomes.from_frame(_gad_frame(items), instrument="gad7", max_missing_items=max_missing)
    row = trial.frame.iloc[0]
    assert row["total"] == pytest.approx(total, nan_ok=True)
    assert (pd.isna(row["total_source"]) and pd.isna(source)) or row["total_source"] == source
    codes = set(trial.problems["code"])
    assert ("total-not-scored" in codes) == (max_missing == 0)


def test_reported_total_is_kept_when_items_are_incomplete() -> None:
    trial = outcomes.from_frame(_gad_frame(GAD_ITEMS[:-1] + [None], total=13), instrument="gad7")
    row = trial.frame.iloc[0]
    assert (row["total"], row["total_source"]) == (13.0, "reported")


def test_reported_total_that_disagrees_with_complete_items_is_an_error() -> None:
    with pytest.raises(outcomes.ValidationError) as info:
        outcomes.from_frame(_gad_frame(GAD_ITEMS, total=13), instrument="gad7")
    problem = info.value.problems.iloc[0]
    assert problem["code"] == "total-mismatch"
    assert "13" in problem["message"] and "12" in problem["message"]


def test_sdtm_reads_arm_from_dm_beside_it(tmp_path: Path) -> None:
    qs = pd.DataFrame(
        {
            "STUDYID": "S",
            "DOMAIN": "QS",
            "USUBJID": ["01-001"] * 8,
            "QSCAT": "GAD-7 V2",
            "QSTESTCD": [f"GAD020{k}" for k in range(1, 8)] + ["GAD0208"],
            "QSORRES": ["x"] * 8,
            "QSSTRESN": [*GAD_ITEMS, 12],
            "VISIT": "BASELINE",
            "VISITNUM": 1,
            "QSDY": 1,
            "QSELTM": "PT0H",
        }
    )
    dm = pd.DataFrame(
        {
            "STUDYID": ["S"],
            "DOMAIN": ["DM"],
            "USUBJID": ["01-001"],
            "ARM": ["PSILOCYBIN 25 MG"],
            "SEX": ["F"],
            "AGE": [41],
            "BRTHDTC": ["1983-02-01"],
        }
    )
    write_table(qs, tmp_path / "qs.xpt")
    write_table(dm, tmp_path / "dm.xpt")
    trial = outcomes.read(tmp_path / "qs.xpt")
    row = trial.frame.iloc[0]
    assert (row["arm"], row["total"], row["sex"], row["age"]) == ("PSILOCYBIN 25 MG", 12.0, "F", 41)
    assert row["hours_since_dose"] == 0.0
    # DM's birth date is not among the covariates taken from DM, so it never enters the data.
    assert "BRTHDTC" not in trial.frame


def test_adam_sets_derived_rows_aside_and_says_so() -> None:
    adqs = pd.DataFrame(
        {
            "USUBJID": ["A", "A", "A"],
            "TRT01P": "DMT",
            "PARAMCD": "MADRSTOT",
            "AVAL": [30, 20, 20],
            "AVISIT": ["BASELINE", "WEEK 1", "WEEK 2"],
            "AVISITN": [0, 1, 2],
            "ADY": [1, 8, np.nan],
            "DTYPE": [None, None, "LOCF"],
        }
    )
    trial = outcomes.from_frame(adqs)
    assert trial.source["layout"] == "adam-adqs"
    assert trial.frame["visit"].astype(str).tolist() == ["BASELINE", "WEEK 1"]
    aside = trial.problems[trial.problems["code"] == "row-set-aside"]
    assert aside["row"].tolist() == [3] and "LOCF" in aside["message"].iloc[0]


def test_redcap_carries_the_arm_to_every_event() -> None:
    export = pd.DataFrame(
        {
            "record_id": ["7", "7", "7"],
            "redcap_event_name": ["randomisation_arm_1", "baseline_arm_1", "week_2_arm_1"],
            "arm": ["PLACEBO", None, None],
            **{f"gad7_{k}": [None, v, 0] for k, v in enumerate(GAD_ITEMS, start=1)},
            "gad7_complete": [0, 2, 2],
        }
    )
    trial = outcomes.from_frame(export)
    assert trial.source["layout"] == "redcap"
    assert trial.frame["arm"].astype(str).tolist() == ["PLACEBO", "PLACEBO"]
    assert trial.frame["visit"].astype(str).tolist() == ["baseline", "week_2"]
    assert trial.frame["total"].tolist() == [12.0, 0.0]
    assert "no-scores" not in set(trial.problems["code"])  # the randomisation event is normal


@pytest.mark.parametrize("column", ["GAD0201_WEEK 2", "gad7_1.WEEK 2", "WEEK 2@gad7_1"])
def test_wide_column_forms(column: str) -> None:
    raw = pd.DataFrame({"subject": ["S1"], "arm": ["A"], column: [3]})
    trial = outcomes.from_frame(raw, layout="wide")
    row = trial.frame.iloc[0]
    assert (row["visit"], row["instrument"], row["GAD0201"]) == ("WEEK 2", "gad7", 3.0)


def test_unknown_layout_and_absent_mapped_column_are_usage_errors() -> None:
    raw = pd.DataFrame({"subject": ["S1"], "visit": ["V"], "MADRSTOT": [3]})
    with pytest.raises(outcomes.MappingError, match="unknown layout 'tall'"):
        outcomes.from_frame(raw, layout="tall")
    with pytest.raises(outcomes.MappingError, match="PATIENT"):
        outcomes.from_frame(raw, mapping={"subject": "PATIENT"})
    with pytest.raises(outcomes.MappingError, match="unknown mapping key"):
        outcomes.from_frame(raw, mapping={"patient": "subject"})


def test_write_refuses_an_unknown_layout(tmp_path: Path) -> None:
    trial = outcomes.from_frame(_gad_frame(GAD_ITEMS), instrument="gad7")
    with pytest.raises(outcomes.MappingError, match="unknown layout 'tall'"):
        outcomes.write(trial, tmp_path / "x.csv", layout="tall")


@pytest.mark.parametrize("layout", outcomes.LAYOUTS)
def test_a_small_trial_converts_between_every_layout(tmp_path: Path, layout: str) -> None:
    trial = outcomes.from_frame(_gad_frame(GAD_ITEMS), instrument="gad7")
    path = outcomes.write(trial, tmp_path / "trial.csv", layout)
    again = outcomes.read(path, schedule=trial.schedule)
    assert again.source["layout"] == layout
    assert again.frame["total"].tolist() == [12.0]


def test_a_true_in_one_column_does_not_turn_a_one_in_another_into_text() -> None:
    # A column of booleans beside integer items: the booleans are not scores, but a 1 in
    # another column is a 1 (True == 1 and hash alike, so pooling the columns' cells to
    # factorize them reported every 1 as "'True' is not a score").
    raw = pd.DataFrame(
        {
            "subject": ["S1", "S1", "S2"],
            "arm": "A",
            "visit": ["BASELINE", "WEEK 1", "BASELINE"],
            "GAD0201": [True, False, True],
            **{f"GAD020{j}": [1, 1, 2] for j in range(2, 8)},
        }
    )
    with pytest.raises(outcomes.ValidationError) as caught:
        outcomes.from_frame(raw)
    errors = caught.value.problems.query("severity == 'error'")
    assert set(errors["code"]) == {"non-numeric-score"}
    assert errors["column"].tolist() == ["GAD0201"] * 3
    assert errors["value"].tolist() == ["True", "False", "True"]
