"""The report's registry of analyses, and what it checks before any analysis runs.

The one-dose trial is the sample with its second dosing session taken out of the schedule.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import outcomes
from outcomes.errors import WriteError
from outcomes.report import (
    ANALYSES,
    FIGURES,
    TABLES,
    TEMPLATE,
    PlanError,
    check_against_data,
    read_plan,
    write_report,
)
from outcomes.report import run as run_module
from outcomes.report.plan import SECTIONS

ONE_DOSE = (
    "[secondary] repeated_dosing compares the second dose with the first; the trial's "
    "schedule has 1 dosing session"
)


def _one_dose(trial: outcomes.TrialData) -> outcomes.TrialData:
    schedule = dataclasses.replace(trial.schedule, sessions=trial.schedule.sessions[:1])
    return dataclasses.replace(trial, schedule=schedule)


def _plan_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(text)
    return path


def test_the_registry_declares_every_section_table_and_figure() -> None:
    names = [a.name for a in ANALYSES]
    assert len(set(names)) == len(names)
    for k, analysis in enumerate(ANALYSES):
        assert set(analysis.requires) <= set(names[:k]), analysis.name  # run after them
    secondary = {a.key for a in ANALYSES if a.section == "secondary"}
    assert set(SECTIONS["secondary"].keys) == secondary
    for kind, names in (("tables", TABLES), ("figures", FIGURES)):
        owners = [n for a in ANALYSES for n in getattr(a, kind)]
        assert sorted(owners) == sorted(names)  # each made by one analysis
    for analysis in ANALYSES:
        if analysis.section == "secondary":
            assert f"\n{analysis.key} = " in TEMPLATE


def test_repeated_dosing_in_a_one_dose_trial_is_refused_before_running() -> None:
    trial = _one_dose(outcomes.derive(outcomes.load_sample()))
    with pytest.raises(PlanError) as caught:
        check_against_data(read_plan(), trial)
    assert caught.value.problems == [ONE_DOSE]


def test_an_optional_analysis_the_data_do_not_fit_is_skipped_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = TEMPLATE.replace("{ margin = 3.0 }", "{ margin = 3.0, optional = true }")
    plan = read_plan(_plan_text(tmp_path, text))
    assert plan.secondary["repeated_dosing"] == {"margin": 3.0, "optional": True}
    plan = dataclasses.replace(
        plan, sensitivity={}, figures=(), tables=("repeated_dosing", "trajectories")
    )
    monkeypatch.setattr(run_module, "_load", lambda plan: _one_dose(outcomes.load_sample()))
    results = run_module.run_plan(plan)
    assert results.skipped == {"repeated_dosing": [ONE_DOSE]}
    assert "session_response" not in results.frames and "repeated_dosing" not in results.tables
    # one dose: the trajectories have no change of slope at a second dose
    terms = set(results.frames["trajectories"]["term"])
    assert "weeks" in terms and not any("dose_2" in t for t in terms)
    assert not any("second dose" in m for m in results.methods)
    page = write_report(results, tmp_path / "report").read_text()
    assert "<h2>Skipped</h2>" in page and "has 1 dosing session" in page


def test_a_table_or_figure_without_its_analysis_is_a_problem_of_the_plan(tmp_path: Path) -> None:
    text = (
        TEMPLATE.replace('multiplicity = { method = "holm", visits = ["WEEK 1", "WEEK 4"] }', "")
        .replace(', acute = "meq30"', "")
        .replace("tipping_point = { visit", "# tipping_point = { visit")
    )
    with pytest.raises(PlanError) as caught:
        read_plan(_plan_text(tmp_path, text))
    assert caught.value.problems == [
        '[report] tables: "multiplicity" needs [secondary] multiplicity, which the plan does '
        "not have",
        '[report] tables: "tipping_point" needs [sensitivity] tipping_point, which the plan '
        "does not have",
        '[report] figures: "acute_vs_outcome" needs [secondary] trait acute, which the plan '
        "does not have",
        '[report] figures: "tipping_point" needs [sensitivity] tipping_point, which the plan '
        "does not have",
    ]


def test_what_the_data_cannot_give_is_reported_at_once() -> None:
    plan = read_plan()
    secondary = {
        **plan.secondary,
        "durability": {"outcome": "responded", "anchor": "WEEK 12"},
    }
    plan = dataclasses.replace(plan, data={"source": "trial.csv"}, secondary=secondary)
    with pytest.raises(PlanError) as caught:
        check_against_data(plan, outcomes.derive(outcomes.load_sample()))
    assert caught.value.problems == [
        "[secondary] durability outcome 'responded' is not a derived column",
        "[secondary] durability anchor 'WEEK 12' is the last visit: no visit follows it",
        '[secondary] blinding guesses: "sample" are the sample trial\'s simulated guesses; for '
        "these data give the file of the participants' guesses",
    ]


def test_source_date_epoch_makes_two_reports_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = dataclasses.replace(
        read_plan(), sensitivity={}, figures=("forest",), tables=("lsmeans",)
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = write_report(run_module.run_plan(plan), tmp_path / "a").parent
    second = write_report(run_module.run_plan(plan), tmp_path / "b").parent
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert "Generated 2023-11-14 22:13:20 UTC" in (first / "report.html").read_text()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(WriteError, match="SOURCE_DATE_EPOCH is not a whole number"):
        write_report(run_module.run_plan(plan), tmp_path / "c")
