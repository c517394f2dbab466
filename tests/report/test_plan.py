"""Analysis plans: the template reads back, and a wrong plan gets every problem located."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes.cli import main
from outcomes.report import TEMPLATE, PlanError, read_plan


def test_template_is_a_valid_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(TEMPLATE)
    plan = read_plan(path)
    assert plan.primary["formula"].startswith("chg ~")
    assert plan.reference == "PLACEBO"
    assert plan.base == tmp_path.resolve()
    assert plan.data_path("source") is None  # "sample"


def test_plan_init_writes_the_template_and_refuses_to_overwrite(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "my_plan.toml"
    assert main(["plan", "init", str(path)]) == 0
    assert path.read_text() == TEMPLATE
    assert main(["plan", "init", str(path)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["plan", "init", str(path), "--force"]) == 0


def test_every_problem_is_reported_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        """
[study]
title = 3
[data]
[arms]
reference = "PLACEBO"
[primary]
instrument = "madrs"
formula = "chg ~ arm + us(visit | subject)"
df = "kr"
[estimand]
variable = "x"
intercurrent_events = { discontinuation = "ignore" }
[sensitivity]
strategies = ["MAR", "BOCF"]
n_imputations = 1
[report]
figures = ["pie"]
[extras]
"""
    )
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    problems = caught.value.problems
    expected = [
        "[extras] is not a section",
        "[study] title: 3 is not text in quotes",
        "[data] source is missing",
        "[primary] visit is missing",
        '[primary] df: "kr" is not among',
        '[estimand.intercurrent_events] discontinuation: "ignore" is not among',
        '[sensitivity] strategies: "BOCF" is not among',
        "[sensitivity] n_imputations: 1 is not a whole number from 2 to 10000",
        '[report] figures: "pie" is not among',
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert len(problems) == len(expected)
    assert str(path) in str(caught.value)


def test_unreadable_and_malformed_plans(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read it"):
        read_plan(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[study\ntitle = 'x'")
    with pytest.raises(PlanError, match="not valid TOML"):
        read_plan(bad)


def test_names_the_data_do_not_have_are_reported_before_any_analysis(tmp_path: Path) -> None:
    from outcomes.report import run_plan

    text = (
        TEMPLATE.replace('visit = "WEEK 2"', 'visit = "WEEK 99"')
        .replace('reference = "PLACEBO"', 'reference = "SHAM"')
        .replace('responders = ["response", "remission"]', 'responders = ["response", "cure"]')
        .replace('pre = "BASELINE"', 'pre = "DAY 0"')
    )
    path = tmp_path / "plan.toml"
    path.write_text(text)
    with pytest.raises(PlanError) as caught:
        run_plan(read_plan(path))
    problems = caught.value.problems
    assert [p.split(" ")[0] + " " + p.split(" ")[1] for p in problems] == [
        "[arms] reference",
        "[primary] visit",
        "[secondary] responders:",
        "[secondary] trait",
    ]
    assert "'WEEK 99' is not a visit after the first dose" in problems[1]


def test_reference_based_strategies_with_nobody_to_apply_to_are_refused_before_running() -> None:
    """With no treatment-policy events, J2R/CR/CIR would impute as MAR under their own names."""
    import dataclasses

    import outcomes
    from outcomes.report import check_against_data

    plan, trial = read_plan(), outcomes.derive(outcomes.load_sample())
    assert not trial.events.empty
    check_against_data(plan, trial)  # the sample has discontinuations: nothing to say
    for events, reason in (
        (trial.events.iloc[:0], "the data have no events table"),
        (trial.events.assign(event="withdrawal"), "no participant of the data has an event"),
    ):
        with pytest.raises(PlanError) as caught:
            check_against_data(plan, dataclasses.replace(trial, events=events))
        assert caught.value.problems == [
            f"[sensitivity] strategies: {s} needs intercurrent events; {reason}"
            + (
                ""
                if "table" in reason
                else " the estimand handles by treatment policy ('discontinuation', 'unblinding')"
            )
            for s in ("J2R", "CR", "CIR")
        ]


def test_data_and_population_keys_are_checked_in_one_pass(tmp_path: Path) -> None:
    (tmp_path / "scale.toml").write_text('name = "x"\n')  # an instrument definition lacking keys
    text = TEMPLATE.replace(
        'source = "sample"',
        'source = "sample"\nsheet = "scores"\ninstruments = ["scale.toml"]\nformat = "sas"',
    ).replace("[arms]", '[population]\nEFFFL = "N"\nITTFL = "Y"\n\n[arms]')
    path = tmp_path / "plan.toml"
    path.write_text(text)
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "[data] instruments",
        "[data] format",
        "[population]",
        "[data] instruments",
        "[data] sheet",
    ]
    assert "scale.toml: instrument 'x' has 4 problem(s)" in problems[0]
    assert problems[2] == (
        '[population]: 2 flags ({ EFFFL = "N", ITTFL = "Y" }): a population is one flag'
    )
    assert problems[4] == '[data] sheet: the "sample" data are read as they are'
    one = text.replace('ITTFL = "Y"\n', "")
    path.write_text(one)
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    assert '[population] EFFFL: "N": a flag selects its subjects with "Y"' in caught.value.problems


def test_an_ancova_primary_refuses_what_only_an_mmrm_has(tmp_path: Path) -> None:
    """df and sensitivity are of an MMRM; dose is of an ANCOVA; an ANCOVA has no covariance."""
    import outcomes
    from outcomes.report import check_against_data

    text = TEMPLATE.replace('model = "mmrm"', 'model = "ancova"')
    path = tmp_path / "plan.toml"
    path.write_text(text)
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    assert caught.value.problems == [
        '[primary] df: an ANCOVA has the residual degrees of freedom; df is for model = "mmrm"'
    ]
    path.write_text(text.replace('df = "kenward-roger"', 'dose = "age"'))
    plan = read_plan(path)
    with pytest.raises(PlanError) as caught:
        check_against_data(plan, outcomes.derive(outcomes.load_sample()))
    assert caught.value.problems == [
        "[primary] formula: an ANCOVA at one visit has no covariance term; remove it, or use "
        'model = "mmrm"',
        "[secondary] multiplicity visit 'WEEK 1' is not among ['WEEK 2']",
        "[secondary] multiplicity visit 'WEEK 4' is not among ['WEEK 2']",
        "[sensitivity] imputes from the MMRM of [primary]; the primary analysis is an ANCOVA: "
        'use model = "mmrm", or leave [sensitivity] out',
    ]
    path.write_text(TEMPLATE.replace('df = "kenward-roger"', 'dose = "age"'))
    with pytest.raises(PlanError) as caught:
        check_against_data(read_plan(path), outcomes.derive(outcomes.load_sample()))
    assert caught.value.problems == [
        '[primary] dose: the dose-response test is of model = "ancova"'
    ]


def test_an_mmrm_on_derived_records_is_refused(tmp_path: Path) -> None:
    """The sponsor's LOCF records read with [data] derived would enter the MMRM as data."""
    import outcomes
    from outcomes.report import check_against_data
    from outcomes.report import run as run_module

    pilot = Path(__file__).parent / "plans" / "cdisc_pilot01_mmrm.toml"
    datasets = (Path(__file__).parents[1] / "datasets").as_posix()
    text = (
        pilot.read_text()
        .replace("../../datasets", datasets)
        .replace('covariates = ["SITEGR1"]', 'covariates = ["SITEGR1"]\nderived = ["LOCF"]')
    )
    path = tmp_path / "plan.toml"
    path.write_text(text)
    plan = read_plan(path)
    trial = outcomes.derive(run_module._load(plan))
    with pytest.raises(PlanError) as caught:
        check_against_data(plan, trial)
    assert caught.value.problems == [
        "[primary] an MMRM is fitted to the observed data, and the data hold derived records "
        '(LOCF, from [data] derived): remove them, or use model = "ancova"'
    ]


def test_baseline_rows_the_data_do_not_have_are_refused() -> None:
    import dataclasses

    import outcomes
    from outcomes.report import check_against_data

    plan = dataclasses.replace(read_plan(), baseline={"covariates": ["age"], "categorical": ["st"]})
    with pytest.raises(PlanError) as caught:
        check_against_data(plan, outcomes.derive(outcomes.load_sample()))
    assert caught.value.problems == [
        "[report] baseline categorical: 'st' is not a column of the data"
    ]


def test_a_plan_with_n_mistakes_gets_n_located_errors_in_one_run(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """Mistakes of the plan alone and mismatches with the data, all from one command."""
    mistakes = {
        "n_imputations = 200": "n_imputation = 200",  # a typo of a key
        '"MAR", "J2R"': '"MAR", "JR2"',  # a typo of a value
        "discontinuation = ": "discontinuaton = ",  # not an event name
        'visit = "WEEK 2"': 'visit = "WEEK 99"',  # not a visit of the data
        '["response", "remission"]': '["response", "cure"]',  # not an outcome of the data
        'pre = "BASELINE"': 'pre = "DAY 0"',  # not a visit of the data
        'anchor = "WEEK 2"': 'anchor = "WEEK 12"',  # the last visit: nothing after it
    }
    text = TEMPLATE
    for right, wrong in mistakes.items():
        assert text.count(right) == 1, right
        text = text.replace(right, wrong)
    plan = tmp_path / "plan.toml"
    plan.write_text(text)
    assert main(["report", str(plan), "--out", str(tmp_path / "report")]) != 0
    err = capsys.readouterr().err
    assert f"{len(mistakes)} problem(s) in the plan" in err
    for place in (
        "[sensitivity] n_imputation:",
        "[sensitivity] strategies:",
        "[estimand.intercurrent_events] discontinuaton:",
        "[primary] visit 'WEEK 99'",
        "[secondary] responders:",
        "[secondary] trait pre",
        "[secondary] durability anchor",
    ):
        assert place in err, place
    assert not (tmp_path / "report").exists()
