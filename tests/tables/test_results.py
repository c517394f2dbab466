"""Tables of model results from real fits on the sample trial: each cell is the fit's own
number, formatted; the footnotes say the model and the handling of missing data."""

from __future__ import annotations

from pathlib import Path

import docx
import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.tables import (
    format_estimate_ci,
    format_n_percent,
    format_nnt,
    format_number,
    format_p,
    lsmeans_table,
    multiplicity_table,
    responder_table,
    sensitivity_table,
    write_table,
)

VISITS = ["DAY 2", "WEEK 1", "WEEK 2", "DAY 16", "WEEK 3", "WEEK 4", "WEEK 8", "WEEK 12"]


def test_lsmeans_cells_are_the_fits(fit: outcomes.MMRMFit) -> None:
    table = lsmeans_table(fit)
    frame = table.to_frame(labels=False)
    means = fit.lsmeans(["arm", "visit"])
    diffs = fit.contrasts("arm", by="visit", reference="PLACEBO")
    assert frame["visit"].tolist() == VISITS
    for _, m in means.iterrows():
        cell = frame.loc[frame["visit"] == m["visit"], f"lsmean_{m['arm']}"].item()
        assert cell == f"{format_number(m['estimate'], 2)} ({format_number(m['std_error'], 2)})"
    for _, d in diffs.iterrows():
        row = frame[frame["visit"] == d["visit"]].iloc[0]
        assert row["diff_DMT - PLACEBO"] == format_estimate_ci(
            d["estimate"], d["conf_low"], d["conf_high"], 2
        )
        assert row["p_DMT - PLACEBO"] == format_p(d["p_value"])
    # the DAY 2 difference, -7.069 (-11.007 to -3.132), p = 0.00086, as printed
    assert frame.iloc[0].tolist()[3:] == ["-7.07 (-11.01 to -3.13)", "<0.001"]
    assert table.headers == [
        "Visit",
        "PLACEBO LS mean (SE)",
        "DMT LS mean (SE)",
        "DMT - PLACEBO (95% CI)",
        "p-value",
    ]


def test_lsmeans_footnotes_state_the_model(fit: outcomes.MMRMFit) -> None:
    notes = " ".join(lsmeans_table(fit).footnotes)
    assert fit.formula.mean in notes  # chg ~ base * visit + arm * visit
    assert "covariance: us(visit | subject), unstructured (UN)" in notes
    assert fit.formula.covariance.structure == "us"
    assert "degrees of freedom: Satterthwaite" in notes and fit.df_method == "satterthwaite"
    assert "REML" in notes and f"{fit.n_subjects} subjects" in notes
    assert "all observed data" in notes and "missing at random" in notes


def test_lsmeans_reference_flips_the_difference(fit: outcomes.MMRMFit) -> None:
    table = lsmeans_table(fit, reference="DMT")
    d = fit.contrasts("arm", by="visit", reference="DMT").iloc[0]
    assert d["contrast"] == "PLACEBO - DMT" and d["estimate"] > 0
    assert table.rows()[0][3] == format_estimate_ci(d["estimate"], d["conf_low"], d["conf_high"], 2)


def test_responder_cells_are_the_rates(rates: pd.DataFrame) -> None:
    table = responder_table(rates, covariates=["base"])
    frame = table.to_frame(labels=False)
    assert frame["visit"].tolist() == VISITS
    for (_, r), (_, row) in zip(rates.iterrows(), frame.iterrows(), strict=True):
        assert row["treatment"] == format_n_percent(r["responders"], r["n"], show_n=True)
        assert row["reference"] == format_n_percent(
            r["responders_reference"], r["n_reference"], show_n=True
        )
        assert row["risk_difference"] == format_estimate_ci(
            100 * r["risk_difference"], 100 * r["rd_conf_low"], 100 * r["rd_conf_high"], 1
        )
        assert row["odds_ratio"] == format_estimate_ci(
            r["odds_ratio"], r["or_conf_low"], r["or_conf_high"], 2
        )
        assert row["nnt"] == format_nnt(r["nnt"])
    # WEEK 1: 9 of 20 on DMT, 1 of 19 on placebo; RD 39.7 points; NNT 2.52 -> 3
    week1 = frame[frame["visit"] == "WEEK 1"].iloc[0]
    assert week1[["treatment", "reference", "nnt"]].tolist() == ["9/20 (45.0%)", "1/19 (5.3%)", "3"]
    assert week1["risk_difference"].startswith("39.7 (")
    assert table.headers[1:3] == ["DMT n/N (%)", "PLACEBO n/N (%)"]
    notes = " ".join(table.footnotes)
    assert "adjusted for base" in notes and "non-responder" in notes and "Newcombe" in notes


def test_responder_footnotes_for_separation_and_unstated_adjustment() -> None:
    # nobody on B responds at V2: the odds ratio there is not estimable and the footnote says so
    data = pd.DataFrame(
        {
            "id": list(range(8)) * 2,
            "arm": (["A"] * 4 + ["B"] * 4) * 2,
            "visit": ["V1"] * 8 + ["V2"] * 8,
            "resp": [1, 1, 0, 0, 1, 0, 0, 0] + [1, 1, 1, 0, 0, 0, 0, 0],
        }
    )
    rates = outcomes.responders(
        data,
        outcome="resp",
        arm="arm",
        subject="id",
        reference="B",
        by="visit",
        missing="exclude",
    )
    table = responder_table(rates)
    assert table.rows()[1][4] == "\u2014"
    notes = table.footnotes
    assert any("none of B respond" in n and "(V2)" in n for n in notes)
    assert any("not stated" in n for n in notes)
    assert any("observed cases" in n for n in notes)


def test_responder_table_with_three_arms() -> None:
    data = pd.DataFrame(
        {
            "id": range(12),
            "arm": ["P"] * 4 + ["L"] * 4 + ["H"] * 4,
            "resp": [1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0],
        }
    )
    rates = outcomes.responders(data, outcome="resp", arm="arm", subject="id", reference="P")
    table = responder_table(rates, covariates=())
    assert table.stub == ("contrast",)
    assert [r[0] for r in table.rows()] == ["H - P", "L - P"]
    assert table.rows()[0][1:3] == ["3/4 (75.0%)", "1/4 (25.0%)"]
    assert "unadjusted" in " ".join(table.footnotes)


def test_responder_table_shows_the_adjusted_marginal_difference_with_covariates() -> None:
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"id": range(60), "arm": ["P", "D"] * 30, "base": rng.normal(30, 5, 60)})
    data["resp"] = rng.random(60) < np.where(data["arm"] == "D", 0.6, 0.3)
    rates = outcomes.responders(
        data, outcome="resp", arm="arm", subject="id", reference="P", covariates=["base"]
    )
    table = responder_table(rates, covariates=["base"])
    column = table.to_frame().columns.get_loc("Adjusted difference, % points (95% CI)")
    low, high = (100 * rates.loc[0, c] for c in ("marginal_rd_conf_low", "marginal_rd_conf_high"))
    assert f"{low:.1f} to {high:.1f}" in table.rows()[0][column]
    assert any("g-computation" in n and "adjusted for base" in n for n in table.footnotes)
    plain = responder_table(rates, covariates=())
    assert "Adjusted difference, % points (95% CI)" not in plain.to_frame().columns


def test_multiplicity_table() -> None:
    adjusted = outcomes.adjust_pvalues({"MADRS": 0.0004, "GAD-7": 0.04, "NEO-FFI-N": 0.03}, "holm")
    table = multiplicity_table(adjusted, method="holm")
    # Holm: 0.0004 x 3 = 0.0012; 0.03 x 2 = 0.06; max(0.04 x 1, 0.06) = 0.06
    assert table.rows() == [
        ["MADRS", "<0.001", "0.001", "Yes"],
        ["GAD-7", "0.040", "0.060", "No"],
        ["NEO-FFI-N", "0.030", "0.060", "No"],
    ]
    assert "Holm's step-down" in table.footnotes[0] and "0.050" in table.footnotes[0]
    graph = outcomes.graphical({"a": 0.01, "b": 0.03}, [0.5, 0.5], [[0, 1], [1, 0]])
    table = multiplicity_table(graph, method="graphical")
    assert table.headers == [
        "Endpoint",
        "Initial weight",
        "p-value",
        "Adjusted p-value",
        "Rejected",
    ]
    assert table.rows()[0] == ["a", "0.500", "0.010", "0.020", "Yes"]


def test_sensitivity_table_side_by_side(fit: outcomes.MMRMFit, madrs: pd.DataFrame) -> None:
    formula = "chg ~ base * visit + arm * visit + us(visit | subject)"
    j2r = outcomes.multiple_imputation(
        formula, madrs, arm="arm", reference="PLACEBO", strategy="J2R", n_imputations=5, seed=7
    )
    results = {
        "MMRM, MAR": fit.contrasts("arm", by="visit"),
        "MI, jump to reference": j2r.contrasts(by="visit"),
    }
    table = sensitivity_table(
        results, visit="WEEK 4", descriptions={"MI, jump to reference": "J2R after dropout"}
    )
    assert [r[0] for r in table.rows()] == list(results)
    for row, frame in zip(table.rows(), results.values(), strict=True):
        at = frame[frame["visit"] == "WEEK 4"].iloc[0]
        assert row[1:] == [
            format_estimate_ci(at["estimate"], at["conf_low"], at["conf_high"], 2),
            format_p(at["p_value"]),
        ]
    assert table.rows()[0][1] == "-5.49 (-12.01 to 1.02)"  # the MMRM's WEEK 4 difference
    assert "DMT - PLACEBO" in table.footnotes[0]
    assert "MI, jump to reference: J2R after dropout" in table.footnotes


def test_sensitivity_table_needs_one_row_per_contrast() -> None:
    two = pd.DataFrame(
        {
            "visit": ["W4", "W4"],
            "contrast": ["H - P", "L - P"],
            "estimate": [1, 2],
            "conf_low": [0, 1],
            "conf_high": [2, 3],
            "p_value": [0.5, 0.01],
        }
    )
    twice = pd.concat([two, two], ignore_index=True)  # one contrast twice: which is meant?
    with pytest.raises(ValueError, match="4 rows at visit 'W4'"):
        sensitivity_table({"x": twice}, visit="W4")
    with pytest.raises(ValueError, match="2 rows at visit 'W4'"):
        sensitivity_table({"x": two.drop(columns="contrast")}, visit="W4")
    assert sensitivity_table({"x": two}, visit="W4", contrast="L - P").rows() == [
        ["x", "2.00 (1.00 to 3.00)", "0.010"]
    ]
    with pytest.raises(ValueError, match="0 rows"):
        sensitivity_table({"x": two}, visit="W8")
    with pytest.raises(ValueError, match="no column"):
        sensitivity_table({"x": two.drop(columns="p_value")}, visit="W4")


def test_a_built_table_writes_to_docx(fit: outcomes.MMRMFit, tmp_path: Path) -> None:
    table = lsmeans_table(fit)
    document = docx.Document(str(write_table(table, tmp_path / "lsmeans.docx")))
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert cells == [table.headers, *table.display_rows()]


def test_lsmeans_footnote_names_kenward_roger(derived: outcomes.TrialData) -> None:
    two = derived.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")
    fit = outcomes.mmrm(
        "chg ~ base + arm * visit + cs(visit | subject)",
        two,
        df="kenward-roger",
        levels={"arm": "PLACEBO"},
    )
    notes = lsmeans_table(fit).footnotes[0]
    assert "cs(visit | subject)" in notes
    assert "degrees of freedom: Kenward-Roger; covariance of the estimates: kenward-roger" in notes


def test_sensitivity_table_shows_every_contrast_of_a_three_arm_trial() -> None:
    frame = pd.DataFrame(
        {
            "visit": ["W2", "W2"],
            "contrast": ["HIGH - PBO", "LOW - PBO"],
            "estimate": [-6.0, -2.0],
            "conf_low": [-9.0, -5.0],
            "conf_high": [-3.0, 1.0],
            "p_value": [0.001, 0.2],
        }
    )
    table = sensitivity_table({"MMRM": frame, "MI, J2R": frame}, visit="W2")
    assert [r[:2] for r in table.rows()] == [
        ["MMRM", "HIGH - PBO"],
        ["MMRM", "LOW - PBO"],
        ["MI, J2R", "HIGH - PBO"],
        ["MI, J2R", "LOW - PBO"],
    ]
    one = sensitivity_table({"MMRM": frame}, visit="W2", contrast="LOW - PBO")
    assert one.rows() == [["MMRM", "-2.00 (-5.00 to 1.00)", "0.200"]]
