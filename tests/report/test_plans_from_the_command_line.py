"""Plans of trials unlike the sample, run from the command line with no Python.

``plans/cdisc_pilot01.toml``: the CDISC Pilot 01's ADaM files as the sponsor delivered them
(``tests/datasets/README.md``), three arms, the efficacy population from ``[population]``,
columns chosen and allowed in ``[data]``. Its Week 24 differences are checked against R's nlme
and emmeans fitted to the ADaM file as the sponsor filtered it
(``tests/reference/r/cdisc_pilot_mmrm.R`` and its ``.csv``).

A two-arm trial of one dose: the sample's files without the second dosing session; the plan
that asks for repeated dosing is refused before any analysis, the one without it runs.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import tomli_w

import outcomes
from outcomes.cli import main
from outcomes.report import TEMPLATE

PLANS = Path(__file__).parent / "plans"
REFERENCE = Path(__file__).parents[1] / "reference" / "r" / "cdisc_pilot_mmrm.csv"
#: The pilot's published Table 14-3.01 (tests/reference/cdisc-pilot01/README.md).
TABLE_14_3_01 = Path(__file__).parents[1] / "reference" / "cdisc-pilot01"


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pilot") / "report"
    assert main(["report", str(PLANS / "cdisc_pilot01_mmrm.toml"), "--out", str(out)]) == 0
    return out


def test_the_cdisc_pilot_primary_ancova_is_table_14_3_01(
    tmp_path: Path,
    open_in_browser,  # noqa: ANN001
) -> None:
    """The pilot's own primary analysis, from its plan: the printed digits of Table 14-3.01."""
    out = tmp_path / "report"
    assert main(["report", str(PLANS / "cdisc_pilot01.toml"), "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())["results"]
    reference = pd.read_csv(TABLE_14_3_01 / "table-14-3-01-comparisons.csv")
    reference = reference.set_index("comparison")
    contrasts = pd.DataFrame(results["primary_contrasts"]).set_index("contrast")
    for comparison in ["Xanomeline High Dose - Placebo", "Xanomeline Low Dose - Placebo"]:
        row, printed = contrasts.loc[comparison], reference.loc[comparison]
        assert round(row["estimate"], 1) == printed["estimate"]
        assert round(row["std_error"], 2) == printed["std_error"]
        assert (round(row["conf_low"], 1), round(row["conf_high"], 1)) == (
            printed["conf_low"],
            printed["conf_high"],
        )
        assert round(row["p_value"], 3) == printed["p_value"]
    (dose,) = results["dose_response"]
    assert round(dose["p_value"], 3) == reference.loc["dose response", "p_value"]
    # The baseline table of the LOCF data: its subjects are ADSL's efficacy population, and the
    # DTYPE flag of the sponsor's derived records is no characteristic of theirs.
    adsl, _ = pyreadstat.read_xport(PLANS.parents[1] / "datasets" / "cdisc-pilot01" / "adsl.xpt")
    baseline = pd.DataFrame(results["baseline"])
    sites = baseline[(baseline["characteristic"] == "SITEGR1") & (baseline["arm"] == "Total")]
    efficacy = adsl.loc[adsl["EFFFL"] == "Y", "SITEGR1"].value_counts()
    assert sites.set_index("level")["n"].to_dict() == efficacy.to_dict()
    assert "dtype" not in set(baseline["characteristic"])
    page = (out / "report.html").read_text()
    assert (
        "analysis of covariance" in page
        and "234 participants; 79 carried forward (LOCF) in the data" in page
    )
    # The headline names the instrument by its title; no text written names where the data are.
    assert "Placebo in Alzheimer&#x27;s Disease Assessment Scale, cognitive subscale" in page
    assert "subjects table adsl.xpt" in page
    where = str(PLANS.parents[1])
    # The rows the read set aside are said in the report, counted here in the file itself: the
    # instrument's parameters (ACITM03, 09, 10 are not of the ADAS-Cog(11)) not flagged ANL01FL.
    adqs, _ = pyreadstat.read_xport(
        PLANS.parents[1] / "datasets" / "cdisc-pilot01" / "adqsadas.xpt"
    )
    items = adqs[~adqs["PARAMCD"].isin(["ACITM03", "ACITM09", "ACITM10"])]
    unflagged = items["ANL01FL"] != "Y"
    said = f"{unflagged.sum()} rows (first row {unflagged.idxmax() + 1}) not read"
    notes = json.loads((out / "results.json").read_text())["notes"]
    assert any(n.startswith(f"data: warning row-set-aside: {said}") for n in notes), notes
    assert said in page
    assert not [f for f in out.rglob("*") if f.is_file() and where.encode() in f.read_bytes()]
    opened = open_in_browser(out / "report.html")
    assert opened["errors"] == [] and opened["images"] == opened["shown"] == 2


def test_the_cdisc_pilot_plan_runs_on_the_efficacy_population(pilot: Path) -> None:
    results = json.loads((pilot / "results.json").read_text())
    contrasts = pd.DataFrame(results["results"]["primary_contrasts"])
    week24 = contrasts[contrasts["visit"] == "Week 24"].set_index("contrast")
    assert sorted(week24.index) == [
        "Xanomeline High Dose - Placebo",
        "Xanomeline Low Dose - Placebo",
    ]
    expected = pd.read_csv(REFERENCE).set_index("contrast")
    # The REML likelihood is flat here: ours and gls's agree to 1e-9 in it (-1539.1817742) and
    # to 3e-6 in the estimates, a thousandth of a printed digit.
    for contrast, row in expected.iterrows():
        assert week24.loc[contrast, "estimate"] == pytest.approx(row["estimate"], abs=1e-5)
    page = (pilot / "report.html").read_text()
    n_obs, n_subjects = expected[["n_obs", "n_subjects"]].iloc[0]
    assert f"{n_obs} observations of {n_subjects} participants" in page
    assert "Kenward-Roger degrees of freedom" in page and "unstructured (UN) covariance" in page
    assert "to every missing value" not in page  # MAR only: no reference-based sentence
    assert any("population EFFFL = Y: 234 of 254 subjects" in n for n in results["notes"])


def test_the_plan_counts_site_groups_by_level_in_the_baseline_table(pilot: Path) -> None:
    """``[report] baseline = { categorical = ["SITEGR1"] }``: site codes are levels, not numbers;
    the counts are ADSL's, read independently."""
    adsl, _ = pyreadstat.read_xport(PLANS.parents[1] / "datasets" / "cdisc-pilot01" / "adsl.xpt")
    efficacy = adsl[adsl["EFFFL"] == "Y"]
    table = pd.read_csv(pilot / "tables" / "baseline.csv", dtype=str)
    sites = table[table["Characteristic"].str.startswith("SITEGR1")]
    assert set(sites["Characteristic"]) == {"SITEGR1, n (%)"}  # not a mean of site codes
    placebo = efficacy[efficacy["TRT01P"] == "Placebo"]
    for site, n in placebo["SITEGR1"].value_counts().items():
        row = table[table.iloc[:, 1] == site]
        assert row.iloc[0]["Placebo (N=79)"].startswith(f"{n} ("), site


def test_the_cdisc_pilot_report_opens_in_a_browser(pilot: Path, open_in_browser) -> None:  # noqa: ANN001
    opened = open_in_browser(pilot / "report.html")
    assert opened["errors"] == [] and opened["images"] == opened["shown"] == 7


def _one_dose_trial(folder: Path) -> None:
    """The sample's files as a trial of one dose: no second dosing session, no DOSE 2 visit."""
    sample = outcomes.write_sample(folder / "sample")
    long = pd.read_csv(sample / "long.csv", dtype={"site": str})
    long = long[long["visit"] != "DOSE 2"]
    # hours after a dose are those of the only dose: none after its day
    long.loc[long["study_day"] > 2, "hours_since_dose"] = None
    long.to_csv(folder / "scores.csv", index=False)
    schedule = tomllib.loads((sample / "schedule.toml").read_text())
    schedule["session"] = schedule["session"][:1]
    schedule["visit"] = [
        {**v, "session": min(v["session"], 1)} for v in schedule["visit"] if v["name"] != "DOSE 2"
    ]
    (folder / "schedule.toml").write_text(tomli_w.dumps(schedule))
    (folder / "events.csv").write_bytes((sample / "events.csv").read_bytes())


def test_a_two_arm_one_dose_plan_runs_and_refuses_what_needs_a_second_dose(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    open_in_browser,  # noqa: ANN001
) -> None:
    _one_dose_trial(tmp_path)
    text = (
        TEMPLATE.replace('source = "sample"', 'source = "scores.csv"')
        .replace('# schedule = "schedule.toml"', 'schedule = "schedule.toml"')
        .replace('# events = "events.csv"', 'events = "events.csv"')
        .replace("n_imputations = 200", "n_imputations = 10")
    )
    plan = tmp_path / "plan.toml"
    plan.write_text(text)
    assert main(["report", str(plan), "--out", str(tmp_path / "refused")]) == 2
    err = capsys.readouterr().err
    assert "2 problem(s)" in err and "schedule has 1 dosing session" in err
    assert "blinding guesses" in err and not (tmp_path / "refused").exists()
    # what the plan says for such a trial: no repeated dosing, no blinding without guesses
    plan.write_text(
        text.replace("repeated_dosing = { margin = 3.0 }", "")
        .replace('blinding = { guesses = "sample" }', "")
        .replace('"repeated_dosing", "durability", "blinding"', '"durability"')
    )
    assert main(["report", str(plan), "--out", str(tmp_path / "report")]) == 0
    results = json.loads((tmp_path / "report" / "results.json").read_text())
    terms = {row["term"] for row in results["results"]["trajectories"]}
    assert "weeks" in terms and not any("dose_2" in t for t in terms)
    assert {"primary_contrasts", "sensitivity", "tipping_point"} <= set(results["results"])
    opened = open_in_browser(tmp_path / "report" / "report.html")
    assert opened["errors"] == [] and opened["images"] == opened["shown"] > 0


def test_a_three_arm_plan_compares_each_dose_with_the_reference(
    tmp_path: Path,
    open_in_browser,  # noqa: ANN001
) -> None:
    """The sample's files with every other DMT participant in a "DMT LOW" arm (a dose arm)."""
    sample = outcomes.write_sample(tmp_path / "sample")
    long = pd.read_csv(sample / "long.csv", dtype={"site": str})
    dmt = sorted(long.loc[long["arm"] == "DMT", "subject"].unique())
    long.loc[long["subject"].isin(dmt[::2]), "arm"] = "DMT LOW"
    long.to_csv(tmp_path / "scores.csv", index=False)
    text = (
        TEMPLATE.replace('source = "sample"', 'source = "scores.csv"')
        .replace('# schedule = "schedule.toml"', 'schedule = "sample/schedule.toml"')
        .replace('# events = "events.csv"', 'events = "sample/events.csv"')
        .replace("n_imputations = 200", "n_imputations = 10")
        .replace('blinding = { guesses = "sample" }', "")
        .replace(', "blinding"', "")
        .replace('# order = ["PLACEBO", "DMT"]', 'order = ["PLACEBO", "DMT LOW", "DMT"]')
    )
    (tmp_path / "plan.toml").write_text(text)
    out = tmp_path / "report"
    assert main(["report", str(tmp_path / "plan.toml"), "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())["results"]
    contrasts = list(dict.fromkeys(row["contrast"] for row in results["primary_contrasts"]))
    assert contrasts == ["DMT LOW - PLACEBO", "DMT - PLACEBO"]  # the plan's [arms] order
    sensitivity = pd.DataFrame(results["sensitivity"])
    assert set(sensitivity["contrast"]) == set(contrasts)
    assert (out / "figures" / "tipping_point_2.png").exists()
    opened = open_in_browser(out / "report.html")
    assert opened["errors"] == [] and opened["images"] == opened["shown"] > 0
