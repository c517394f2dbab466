"""A report for a three-arm trial: every analysis runs per arm against the reference.

The trial is the sample with every other DMT participant relabelled "DMT LOW" (a dose arm).
"""

from __future__ import annotations

import dataclasses

import pytest

import outcomes
from outcomes.report import PlanError, read_plan
from outcomes.report import run as run_module


def _three_arms() -> outcomes.TrialData:
    trial = outcomes.load_sample()
    frame = trial.frame.copy()
    dmt = sorted(frame.loc[frame["arm"] == "DMT", "subject"].unique())
    low = frame["subject"].isin(dmt[::2])
    frame["arm"] = frame["arm"].astype(str).where(~low, "DMT LOW").astype("category")
    return dataclasses.replace(trial, frame=frame)


@pytest.fixture(scope="module")
def results():  # noqa: ANN201
    plan = read_plan()
    sensitivity = {**plan.sensitivity, "n_imputations": 4}
    sensitivity["tipping_point"] = {**sensitivity["tipping_point"], "deltas": [0, 5, 10]}
    secondary = {k: v for k, v in plan.secondary.items() if k != "blinding"}
    plan = dataclasses.replace(plan, sensitivity=sensitivity, secondary=secondary)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_module, "_load", lambda plan: _three_arms())
        yield run_module.run_plan(plan)


def test_every_arm_is_compared_with_the_reference(results) -> None:  # noqa: ANN001
    contrasts = {"DMT - PLACEBO", "DMT LOW - PLACEBO"}
    assert set(results.frames["primary_contrasts"]["contrast"]) == contrasts
    family = results.frames["multiplicity"]
    labels = " ".join(map(str, family.iloc[:, 0]))
    assert "(DMT LOW - PLACEBO)" in labels and "(DMT - PLACEBO)" in labels
    rows = results.tables["sensitivity"].to_frame()
    assert len(rows) == 2 * len(dict.fromkeys(rows.iloc[:, 0]))  # each analysis, both contrasts


def test_one_tipping_point_figure_per_contrast(results) -> None:  # noqa: ANN001
    titles = {name: fig.axes[0].get_title() for name, fig in results.figures.items()}
    assert {titles["tipping_point"], titles["tipping_point_2"]} == {
        "DMT - PLACEBO",
        "DMT LOW - PLACEBO",
    }


def test_blinding_indices_for_three_arms_are_refused_before_running(monkeypatch) -> None:  # noqa: ANN001
    from outcomes.report import check_against_data

    trial = outcomes.derive(_three_arms())
    with pytest.raises(PlanError) as caught:
        check_against_data(read_plan(), trial)
    assert caught.value.problems == [
        "[secondary] blinding: Bang's and James' indices compare two arms; the data have 3 "
        "(DMT, DMT LOW, PLACEBO): remove blinding from the plan"
    ]


def test_the_plans_arm_order_orders_tables_and_contrasts(monkeypatch) -> None:  # noqa: ANN001
    """Doses low to high as ``[arms] order`` says, not controls-then-alphabetical."""
    order = ("PLACEBO", "DMT LOW", "DMT")
    plan = dataclasses.replace(
        read_plan(),
        arm_order=order,
        sensitivity={},
        secondary={},
        figures=("forest",),
        tables=("baseline", "lsmeans"),
    )
    monkeypatch.setattr(run_module, "_load", lambda plan: _three_arms())
    results = run_module.run_plan(plan)
    contrasts = list(dict.fromkeys(results.frames["primary_contrasts"]["contrast"]))
    assert contrasts == ["DMT LOW - PLACEBO", "DMT - PLACEBO"]
    headers = results.tables["lsmeans"].headers
    assert [h.split(" LS mean")[0] for h in headers[1:4]] == list(order)
    baseline = results.tables["baseline"].headers
    assert [h.split(" (N=")[0] for h in baseline[2:5]] == list(order)
    assert results.trial.frame["arm"].notna().all()


def test_an_arm_order_that_is_not_the_data_s_arms_is_refused() -> None:
    from outcomes.report import check_against_data

    plan = dataclasses.replace(read_plan(), arm_order=("PLACEBO", "DMT HIGH", "DMT"))
    with pytest.raises(PlanError) as caught:
        check_against_data(plan, outcomes.derive(_three_arms()))
    assert caught.value.problems[:2] == [
        "[arms] order: 'DMT HIGH' is not an arm of the data (['DMT', 'DMT LOW', 'PLACEBO'])",
        "[arms] order: the arm 'DMT LOW' of the data is not in the order",
    ]
    assert caught.value.problems[2].startswith("[secondary] blinding")
