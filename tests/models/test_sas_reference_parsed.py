"""Check tests/reference/mmrm-sas/expected.json against values read by eye from the listings.

expected.json is written by tests/reference/mmrm-sas/parse_listings.py; these checks make sure
the parser read the SAS tables right (page breaks, wrapped headings, blank cells, RTF tables),
so the MMRM tests can trust it.  Every expected value below was copied by hand from the file and
table named in the comment.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REF = Path(__file__).resolve().parents[1] / "reference" / "mmrm-sas"


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((REF / "expected.json").read_text())


def row(rows: list[dict], **match) -> dict:
    """The single row whose keys equal ``match``."""
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def test_every_copied_file_is_parsed(expected):
    files = sorted(
        p.relative_to(REF).as_posix()
        for d in ("SAS", "ddfm_covtype", "Robust")
        for p in (REF / d).iterdir()
        if p.suffix in (".txt", ".rtf", ".csv")
    )
    assert sorted(k for k in expected if not k.startswith("_")) == files
    assert not any("parse_error" in v for v in expected.values())
    assert not any(k.startswith(("SAS/sas_sp_gau", "SAS/sas_resid")) for k in expected)


def test_sas_log_reml(expected):
    r = expected["SAS/sas_log_reml.txt"]
    # Model Information
    assert (r["method"], r["covariance"], r["ddfm"]) == ("REML", "Unstructured", "Satterthwaite")
    # Dimensions / Number of Observations
    assert (r["n_subjects"], r["n_obs"]) == (200, 537)
    # "Convergence criteria met."
    assert r["converged"] is True
    # Fit Statistics: BIC is on the next page (page 4), after a page break
    assert r["fit"] == {
        "-2 Res Log Likelihood": 3386.4,
        "AIC": 3406.4,
        "AICC": 3406.9,
        "BIC": 3439.4,
    }
    # Iteration History, last row: iteration 2, -2 Res Log Like 3386.44987722
    assert r["final_objective"]["value"] == 3386.44987722
    assert r["final_objective"]["iteration"] == 2
    # Covariance Parameter Estimates: first row UN(1,1) USUBJID 26.5692 0.05 21.2242 34.2340
    cp = r["covparms"]
    assert len(cp) == 10
    assert cp[0] == {
        "cov_parm": "UN(1,1)",
        "subject": "USUBJID",
        "estimate": 26.5692,
        "alpha": 0.05,
        "lower": 21.2242,
        "upper": 34.2340,
        "printed": {"estimate": "26.5692", "alpha": "0.05", "lower": "21.2242", "upper": "34.2340"},
    }
    # ... and UN(4,2) 4.9744 with lower -0.06856 (5 significant digits)
    assert row(cp, cov_parm="UN(4,2)")["lower"] == -0.06856
    # Solution for Fixed Effects: RACE Black or African American 1.5305 0.6244 169 2.45 0.0153
    sol = r["solution"]
    assert len(sol) == 20
    race = row(sol, effect="RACE", levels={"RACE": "Black or African American"})
    assert (race["estimate"], race["std_error"], race["df"], race["t_value"], race["p_value"]) == (
        1.5305,
        0.6244,
        169,
        2.45,
        0.0153,
    )
    # ... AVISIT*ARMCD VIS2 TRT -0.04231 1.1292 139 -0.04 0.9702
    inter = row(sol, effect="AVISIT*ARMCD", levels={"AVISIT": "VIS2", "ARMCD": "TRT"})
    assert (inter["estimate"], inter["std_error"], inter["df"]) == (-0.04231, 1.1292, 139)
    # ... ARMCD PBO 0 . . . . (aliased reference level)
    pbo = row(sol, effect="ARMCD", levels={"ARMCD": "PBO"})
    assert pbo["estimate"] == 0 and pbo["std_error"] is None and pbo["df"] is None
    # ... Intercept 30.7774 0.8865 219 34.72 <.0001
    icpt = row(sol, effect="Intercept")
    assert icpt["levels"] == {} and icpt["estimate"] == 30.7774
    assert icpt["p_value"] is None and icpt["p_value_text"] == "<.0001"
    # Type 3 Tests of Fixed Effects: AVISIT*ARMCD 3 148 0.77 0.26 0.8556 0.8555
    t3 = row(r["type3"], effect="AVISIT*ARMCD")
    assert (
        t3["num_df"],
        t3["den_df"],
        t3["chi_square"],
        t3["f_value"],
        t3["p_value_chisq"],
        t3["p_value"],
    ) == (3, 148, 0.77, 0.26, 0.8556, 0.8555)
    # Least Squares Means:
    #   AVISIT*ARMCD VIS3 PBO 43.6740 0.4617 130 94.58 <.0001 0.05 42.7605 44.5875
    assert len(r["lsmeans"]) == 8
    lsm = row(r["lsmeans"], levels={"AVISIT": "VIS3", "ARMCD": "PBO"})
    assert (
        lsm["estimate"],
        lsm["std_error"],
        lsm["df"],
        lsm["t_value"],
        lsm["lower"],
        lsm["upper"],
    ) == (43.6740, 0.4617, 130, 94.58, 42.7605, 44.5875)
    assert lsm["p_value_text"] == "<.0001"
    # Differences of Least Squares Means: VIS2 TRT - VIS3 PBO -1.7703 0.7589 258 -2.33 0.0204
    # 0.05 -3.2648 -0.2759
    assert len(r["diffs"]) == 28
    d = row(
        r["diffs"],
        levels={"AVISIT": "VIS2", "ARMCD": "TRT"},
        other_levels={"AVISIT": "VIS3", "ARMCD": "PBO"},
    )
    assert (
        d["estimate"],
        d["std_error"],
        d["df"],
        d["t_value"],
        d["p_value"],
        d["lower"],
        d["upper"],
    ) == (-1.7703, 0.7589, 258, -2.33, 0.0204, -3.2648, -0.2759)
    # ... the last row (before the page-6 break): VIS1 TRT - VIS1 PBO 3.7745 1.0741 146
    d = r["diffs"][-1]
    assert (d["levels"], d["other_levels"], d["estimate"], d["df"]) == (
        {"AVISIT": "VIS1", "ARMCD": "TRT"},
        {"AVISIT": "VIS1", "ARMCD": "PBO"},
        3.7745,
        146,
    )
    # Tests of Effect Slices (page 6): AVISIT*ARMCD VIS4 1 133 6.85 0.0099
    s = row(r["slices"], slice={"AVISIT": "VIS4"})
    assert (s["effect"], s["num_df"], s["den_df"], s["f_value"], s["p_value"]) == (
        "AVISIT*ARMCD",
        1,
        133,
        6.85,
        0.0099,
    )


def test_sas_log_ml(expected):
    r = expected["SAS/sas_log.txt"]
    # Fit Statistics (split over pages 3-4): -2 Log Likelihood 3397.6 ... BIC 3508.8
    assert r["method"] == "ML"
    assert r["fit"] == {"-2 Log Likelihood": 3397.6, "AIC": 3439.6, "AICC": 3441.4, "BIC": 3508.8}
    # no LSMEANS statement in the ML run
    assert "lsmeans" not in r and "diffs" not in r


def test_sas_ar1_reml_covparms(expected):
    r = expected["SAS/sas_ar1_reml.txt"]
    # Covariance Parameter Estimates:
    #   AR(1)     USUBJID  0.4272  0.05  0.3222  0.5321
    #   Residual           88.9866 0.05 78.1739  102.22
    cp = r["covparms"]
    assert [c["cov_parm"] for c in cp] == ["AR(1)", "Residual"]
    assert (cp[0]["subject"], cp[0]["estimate"], cp[0]["lower"], cp[0]["upper"]) == (
        "USUBJID",
        0.4272,
        0.3222,
        0.5321,
    )
    assert (cp[1]["subject"], cp[1]["estimate"], cp[1]["lower"], cp[1]["upper"]) == (
        None,
        88.9866,
        78.1739,
        102.22,
    )
    # Fit Statistics: -2 Res Log Likelihood 3875.5; Iteration History last: 3875.49945459
    assert r["fit"]["-2 Res Log Likelihood"] == 3875.5
    assert r["final_objective"]["value"] == 3875.49945459
    # Solution for Fixed Effects: Intercept 42.3255 0.5013 188 84.43 <.0001
    assert r["solution"] == [
        {
            "effect": "Intercept",
            "estimate": 42.3255,
            "std_error": 0.5013,
            "df": 188,
            "t_value": 84.43,
            "p_value": None,
            "p_value_text": "<.0001",
            "levels": {},
            "printed": {
                "estimate": "42.3255",
                "std_error": "0.5013",
                "df": "188",
                "t_value": "84.43",
                "p_value": "<.0001",
            },
        }
    ]
    # Estimated R Matrix for USUBJID PT102 (4 visits): row 1 = 88.9866 38.0124 16.2377 6.9363
    assert r["r_matrix_by_subject"]["USUBJID PT102"][0] == [88.9866, 38.0124, 16.2377, 6.9363]


def test_tables_split_by_page_breaks(expected):
    # sas_adh_ml.txt Covariance Parameter Estimates: Var(1)..Var(4) on page 2, Rho(1..3) on page 3
    cp = expected["SAS/sas_adh_ml.txt"]["covparms"]
    assert [c["cov_parm"] for c in cp] == [
        "Var(1)",
        "Var(2)",
        "Var(3)",
        "Var(4)",
        "Rho(1)",
        "Rho(2)",
        "Rho(3)",
    ]
    assert row(cp, cov_parm="Rho(2)")["estimate"] == 0.09992
    # sas_log_simple.txt Covariance Parameter Estimates, after the page break:
    #   UN(3,3) USUBJID 158.01 0.05 123.90 208.51
    cp = expected["SAS/sas_log_simple.txt"]["covparms"]
    assert len(cp) == 10
    assert (row(cp, cov_parm="UN(3,3)")["estimate"], row(cp, cov_parm="UN(3,3)")["lower"]) == (
        158.01,
        123.90,
    )


def test_wrapped_model_information(expected):
    # sas_ar1h_reml.txt Model Information: "Heterogeneous" / "Autoregressive" on two lines
    assert expected["SAS/sas_ar1h_reml.txt"]["covariance"] == "Heterogeneous Autoregressive"
    # kr1_us.txt: Fixed Effects SE Method "Prasad-Rao-Jeske-" / "Kackar-Harville"
    r = expected["ddfm_covtype/kr1_us.txt"]
    assert r["se_method"] == "Prasad-Rao-Jeske-Kackar-Harville"
    assert r["ddfm"] == "Kenward-Roger"


def test_group_covparms(expected):
    # sas_group_toeph_reml.txt Covariance Parameter Estimates:
    #   TOEPH(3) USUBJID ARMCD TRT -0.2741 0.05 -0.5278 -0.02044
    r = expected["SAS/sas_group_toeph_reml.txt"]
    assert r["group_effect"] == "ARMCD"
    c = row(r["covparms"], cov_parm="TOEPH(3)", group="ARMCD TRT")
    assert (c["estimate"], c["lower"], c["upper"]) == (-0.2741, -0.5278, -0.02044)
    assert len(r["covparms"]) == 14
    # sas_group_ar1h_reml.txt PROC PRINT pages 6-7: StdErr 0.37233778; Var(1) ARMCD PBO 109.37350823
    r = expected["SAS/sas_group_ar1h_reml.txt"]
    assert r["print_solution"][0]["std_error"] == 0.37233778
    assert (
        row(r["print_covparms"], cov_parm="Var(1)", group="ARMCD PBO")["estimate"] == 109.37350823
    )


def test_nonconvergence(expected):
    # sas_log_nonconvergence_reml.txt: "WARNING: Did not converge."; Covariance Parameter Values
    # At Last Iteration, UN(4,4) 31.1871 alone on page 3
    r = expected["SAS/sas_log_nonconvergence_reml.txt"]
    assert r["converged"] is False
    assert r["convergence_status"] == ["WARNING: Did not converge."]
    assert "fit" not in r and "solution" not in r
    assert len(r["covparms_last_iteration"]) == 10
    assert r["covparms_last_iteration"][-1]["estimate"] == 31.1871
    # Number of Observations Used 32, Subjects 13
    assert (r["n_obs"], r["n_subjects"]) == (32, 13)
    # sas_log_nonconvergence.txt (ML):
    #   "WARNING: Stopped because of too many likelihood evaluations."
    assert expected["SAS/sas_log_nonconvergence.txt"]["converged"] is False


def test_coef_ci(expected):
    # sas_coef_ci_reml_un.txt Solution for Fixed Effects (cl):
    #   SEX Female -0.1404 0.6434 161 -0.22 0.8276 0.05 -1.4108 1.1301 ; SEX Male 0 . . ... .
    sol = expected["SAS/sas_coef_ci_reml_un.txt"]["solution"]
    f = row(sol, effect="SEX", levels={"SEX": "Female"})
    assert (f["estimate"], f["std_error"], f["df"], f["p_value"], f["lower"], f["upper"]) == (
        -0.1404,
        0.6434,
        161,
        0.8276,
        -1.4108,
        1.1301,
    )
    m = row(sol, effect="SEX", levels={"SEX": "Male"})
    assert m["estimate"] == 0 and m["lower"] is None and m["upper"] is None


def test_weighted(expected):
    r = expected["SAS/sas_weighted.txt"]
    # Model Information: Weight Variable WEIGHT
    assert r["weight"] == "WEIGHT"
    # Differences of Least Squares Means: VIS1 TRT - VIS1 PBO 3.3962 1.0925 345 3.11 0.0020
    d = row(
        r["diffs"],
        levels={"AVISIT": "VIS1", "ARMCD": "TRT"},
        other_levels={"AVISIT": "VIS1", "ARMCD": "PBO"},
    )
    assert (d["estimate"], d["std_error"], d["df"], d["p_value"]) == (3.3962, 1.0925, 345, 0.0020)
    # Covariance Parameter Estimates: UN(4,3) 0.08496
    assert row(r["covparms"], cov_parm="UN(4,3)")["estimate"] == 0.08496


def test_rtf(expected):
    r = expected["SAS/sas_toep_reml.rtf"]
    # Model Information: Toeplitz, REML
    assert (r["covariance"], r["method"], r["converged"]) == ("Toeplitz", "REML", True)
    # Covariance Parameter Estimates:
    #   TOEP(4) USUBJID -17.6135 0.05 -29.9633 -5.2637; Residual 89.0847
    c = row(r["covparms"], cov_parm="TOEP(4)")
    assert (c["estimate"], c["lower"], c["upper"]) == (-17.6135, -29.9633, -5.2637)
    assert row(r["covparms"], cov_parm="Residual")["estimate"] == 89.0847
    # Fit Statistics: -2 Res Log Likelihood 3856.7; Iteration History last 3856.68995273
    assert r["fit"]["-2 Res Log Likelihood"] == 3856.7
    assert r["final_objective"]["value"] == 3856.68995273
    # Solution for Fixed Effects ("Standard{\line}Error" heading): Intercept 42.3721 0.4684 166
    s = r["solution"][0]
    assert (s["estimate"], s["std_error"], s["df"], s["t_value"]) == (42.3721, 0.4684, 166, 90.47)
    # sas_weighted_mmrm_reml.rtf: Weight Variable WEIGHT, Ante-dependence, Rho(2) 0.09264
    w = expected["SAS/sas_weighted_mmrm_reml.rtf"]
    assert (w["weight"], w["covariance"]) == ("WEIGHT", "Ante-dependence")
    assert row(w["covparms"], cov_parm="Rho(2)")["estimate"] == 0.09264


def test_ddfm_covtype(expected):
    # ddfm_covtype/kr_us.csv: ARMCD TRT PBO 3.81972492174648 0.66124382270307 160.733266403768
    rec = expected["ddfm_covtype/kr_us.csv"]["records"]
    assert rec == [
        {
            "Effect": "ARMCD",
            "ARMCD": "TRT",
            "_ARMCD": "PBO",
            "Estimate": 3.81972492174648,
            "StdErr": 0.66124382270307,
            "DF": 160.733266403768,
            "tValue": 5.77657558467911,
            "Probt": 3.8418051504164e-08,
            "Alpha": 0.05,
            "Lower": 2.51387886026607,
            "Upper": 5.12557098322688,
        }
    ]
    # ddfm_covtype/kr_us.txt Differences of Least Squares Means: TRT PBO 3.8197 0.6612 161 5.78
    d = expected["ddfm_covtype/kr_us.txt"]["diffs"][0]
    assert (d["levels"], d["other_levels"], d["estimate"], d["std_error"], d["df"]) == (
        {"ARMCD": "TRT"},
        {"ARMCD": "PBO"},
        3.8197,
        0.6612,
        161,
    )


def test_robust(expected):
    # Robust/empirical_us_covb.csv: row 2 (ARMCD TRT), Col2 = 0.40908637028234
    cb = expected["Robust/empirical_us_covb.csv"]
    assert cb["row_labels"][1] == {"row": 2, "effect": "ARMCD", "levels": {"ARMCD": "TRT"}}
    assert cb["col_labels"] == ["Col1", "Col2", "Col3"]
    assert cb["matrix"][1][1] == 0.40908637028234
    # Robust/empirical_us.txt Empirical Covariance Matrix for Fixed Effects: 0.1673 -0.1673 (blank)
    r = expected["Robust/empirical_us.txt"]
    assert r["empirical_covb"]["matrix"][0] == [0.1673, -0.1673, None]
    assert (r["se_method"], r["ddfm"]) == ("Empirical", "Between-Within")
    # Robust/empirical_us_lsmean.csv: DF 195
    assert expected["Robust/empirical_us_lsmean.csv"]["records"][0]["DF"] == 195
