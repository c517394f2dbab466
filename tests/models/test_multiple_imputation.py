"""Multiple imputation against rbmi's printed results, the MMRM, and exact identities.

References (``tests/reference/mi/``, README there):

* rbmi's ``CondMean_Inference`` vignette (insightsengineering/rbmi, commit 04d4d8ba): conditional
  mean imputation with jackknife, jump to reference for every discontinuer, on the antidepressant
  trial. Deterministic: compared to its printed digits. rbmi orders THERAPY alphabetically, so its
  ``trt`` is PLACEBO - DRUG (our DRUG - PLACEBO with the sign flipped), ``lsm_ref`` is DRUG and
  ``lsm_alt`` PLACEBO.
* rbmi's quickstart vignette, Bayesian MI (Stan MCMC), J2R, M = 150, three renderings: Monte Carlo
  dependent, so ours (1,000 approximate-Bayesian imputations) must fall within their spread widened
  by Monte Carlo error.
* Under MAR, conditional mean imputation followed by an ANCOVA reproduces the MMRM's treatment
  difference exactly (Wolbers et al. 2022); the MMRM is checked against SAS and R elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outcomes
from outcomes.models.imputation import multiple_imputation
from outcomes.models.imputation.strategies import strategy_means

TESTS = Path(__file__).parents[1]
PUBLISHED = {
    e["id"]: e for e in json.loads((TESTS / "reference" / "mi" / "published.json").read_text())
}
FORMULA = "CHANGE ~ BASVAL*VISIT + THERAPY*VISIT + us(VISIT | PATIENT)"


@pytest.fixture(scope="module")
def antidepressant() -> pd.DataFrame:
    return pd.read_csv(
        TESTS / "datasets" / "antidepressant_data.csv", dtype={"VISIT": str, "PATIENT": str}
    )


@pytest.fixture(scope="module")
def condmean_j2r(antidepressant) -> outcomes.MIResult:  # noqa: ANN001
    return multiple_imputation(
        FORMULA,
        antidepressant,
        arm="THERAPY",
        reference="PLACEBO",
        strategy="J2R",
        method="condmean",
    )


def _printed(ours: float, printed: str, slack: float = 1e-9) -> None:
    if printed.startswith("<"):
        assert ours < float(printed[1:])
        return
    digits = len(printed.split(".")[1]) if "." in printed else 0
    assert abs(ours - float(printed)) <= 0.5 * 10**-digits + slack, (ours, printed)


def test_condmean_jackknife_j2r_matches_rbmi(condmean_j2r) -> None:  # noqa: ANN001
    printed = {
        r["parameter"]: r for r in PUBLISHED["rbmi_condmean_jackknife_JR"]["results_printed_table"]
    }
    contrasts = condmean_j2r.contrasts(by="VISIT").set_index("VISIT")
    lsmeans = condmean_j2r.lsmeans().set_index(["VISIT", "THERAPY"])
    for visit in ["4", "5", "6", "7"]:
        row, ref = contrasts.loc[visit], printed[f"trt_{visit}"]
        _printed(-row["estimate"], ref["est"])
        _printed(row["std_error"], ref["se"])
        _printed(-row["conf_high"], ref["lci"])
        _printed(-row["conf_low"], ref["uci"])
        _printed(row["p_value"], ref["pval"])
        for arm, name in (("DRUG", "ref"), ("PLACEBO", "alt")):
            row, ref = lsmeans.loc[(visit, arm)], printed[f"lsm_{name}_{visit}"]
            for ours, key in (
                ("estimate", "est"),
                ("std_error", "se"),
                ("conf_low", "lci"),
                ("conf_high", "uci"),
                ("p_value", "pval"),
            ):
                # 173 REML fits each side: the jackknife SEs agree to ~3e-5, so a printed
                # limit may round the other way (-6.33245 here against rbmi's -6.333).
                _printed(row[ours], ref[key], slack=1e-4)


def test_bayes_j2r_agrees_with_rbmi_within_monte_carlo_error(antidepressant) -> None:  # noqa: ANN001
    runs = [PUBLISHED[f"rbmi_quickstart_bayes_JR_v{k}"]["results_printed_table"] for k in (1, 2, 3)]
    trt7 = [next(r for r in run if r["parameter"] == "trt_7") for run in runs]
    estimates = [float(r["est"]) for r in trt7]
    errors = [float(r["se"]) for r in trt7]
    mi = multiple_imputation(
        FORMULA,
        antidepressant,
        arm="THERAPY",
        reference="PLACEBO",
        strategy="J2R",
        n_imputations=1000,
        seed=2026,
    )
    row = mi.contrasts().set_index("VISIT").loc["7"]
    # rbmi's runs differ by up to 0.07 (M = 150); allow their spread plus 3 Monte Carlo SEs of
    # an M = 150 run (B/M with B ~ 0.15 gives ~0.03 each).
    assert min(estimates) - 0.1 < -row["estimate"] < max(estimates) + 0.1
    assert row["std_error"] == pytest.approx(np.mean(errors), rel=0.03)
    assert row["mc_error"] < 0.02 and 100 < row["df"] < 170


def test_condmean_mar_equals_the_mmrm(antidepressant) -> None:  # noqa: ANN001
    mi = multiple_imputation(
        FORMULA,
        antidepressant,
        arm="THERAPY",
        reference="PLACEBO",
        strategy="MAR",
        method="condmean",
    )
    fit = outcomes.mmrm(FORMULA, antidepressant, levels={"THERAPY": "PLACEBO"})
    mmrm = fit.contrasts("THERAPY", by="VISIT")
    ours = mi.contrasts()
    np.testing.assert_allclose(ours["estimate"], mmrm["estimate"], rtol=1e-7, atol=1e-9)
    # The jackknife SE is a different estimator of the same spread: close, not equal.
    np.testing.assert_allclose(ours["std_error"], mmrm["std_error"], rtol=0.05)


def test_bayes_mar_is_centred_on_the_mmrm(antidepressant) -> None:  # noqa: ANN001
    mi = multiple_imputation(
        FORMULA, antidepressant, arm="THERAPY", reference="PLACEBO", n_imputations=500, seed=3
    )
    fit = outcomes.mmrm(FORMULA, antidepressant, levels={"THERAPY": "PLACEBO"})
    mmrm = fit.contrasts("THERAPY", by="VISIT")
    ours = mi.contrasts()
    assert np.all(np.abs(ours["estimate"] - mmrm["estimate"]) < 4 * ours["mc_error"] + 1e-9)
    np.testing.assert_allclose(ours["std_error"], mmrm["std_error"], rtol=0.05)


def test_same_seed_same_result_other_seed_other_draws(antidepressant) -> None:  # noqa: ANN001
    kwargs = dict(arm="THERAPY", reference="PLACEBO", strategy="CIR", n_imputations=20)
    a = multiple_imputation(FORMULA, antidepressant, seed=5, **kwargs).contrasts()
    b = multiple_imputation(FORMULA, antidepressant, seed=5, **kwargs).contrasts()
    c = multiple_imputation(FORMULA, antidepressant, seed=6, **kwargs).contrasts()
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["estimate"].iloc[1:], c["estimate"].iloc[1:])


def test_additive_delta_moves_the_estimate_by_the_least_squares_weights(condmean_j2r) -> None:  # noqa: ANN001
    """With conditional means, adding d to DRUG's imputed values after the event moves the
    ANCOVA's DRUG coefficient by d [(X'X)^-1 X' s]_DRUG, s marking the shifted subjects."""
    shifted = condmean_j2r.with_delta({"DRUG": 2.0})
    problem = condmean_j2r.problem
    visit = problem.visits.index("7")
    s = (problem.missing & problem.after_ice)[:, visit] & (problem.arm == "DRUG")
    x = np.column_stack([np.ones(len(s)), problem.arm == "DRUG", problem.covariates["BASVAL"]])
    weight = (np.linalg.solve(x.T @ x, x.T @ s.astype(float)))[1]
    before = condmean_j2r.contrasts().set_index("VISIT").loc["7", "estimate"]
    after = shifted.contrasts().set_index("VISIT").loc["7", "estimate"]
    assert after - before == pytest.approx(2.0 * weight, rel=1e-9)
    assert s.sum() == 20  # the 20 DRUG discontinuers by visit 7


def test_tipping_point(condmean_j2r) -> None:  # noqa: ANN001
    tip = condmean_j2r.tipping_point(np.arange(0, 8.5, 0.5), visit="7")
    table = tip.table
    assert list(table["delta"]) == list(np.arange(0, 8.5, 0.5))
    assert np.all(np.diff(table["estimate"]) > 0)  # worse imputed DRUG values, smaller benefit
    assert table["significant"].iloc[0] and not table["significant"].iloc[-1]
    first = table.index[~table["significant"]][0]
    assert tip.tipping_point == table.loc[first, "delta"]
    assert table.loc[first - 1, "p_value"] < 0.05 <= table.loc[first, "p_value"]


def test_multiplicative_delta_scales_imputed_values(condmean_j2r) -> None:  # noqa: ANN001
    """Only values imputed after the event are scaled (an intermittent gap before it is MAR)."""
    one = condmean_j2r.with_delta({"DRUG": 1.0}, "multiplicative").completed_data()
    half = condmean_j2r.with_delta({"DRUG": 0.5}, "multiplicative").completed_data()
    base = condmean_j2r.completed_data()
    pd.testing.assert_frame_equal(one, base)
    problem = condmean_j2r.problem
    after = (problem.missing & problem.after_ice).ravel()
    changed = after & (half["THERAPY"] == "DRUG").to_numpy()
    assert changed.sum() < (half["imputed"] & (half["THERAPY"] == "DRUG")).sum()
    np.testing.assert_allclose(half.loc[changed, "CHANGE"], 0.5 * base.loc[changed, "CHANGE"])
    np.testing.assert_array_equal(half.loc[~changed, "CHANGE"], base.loc[~changed, "CHANGE"])


def test_strategy_per_subject_and_table(antidepressant) -> None:  # noqa: ANN001
    """A Series maps subjects to strategies; a table also gives the event's visit. Given the
    same assignments, the same seed gives the same imputations."""
    kwargs = dict(arm="THERAPY", reference="PLACEBO", n_imputations=5, seed=11)
    everyone = multiple_imputation(FORMULA, antidepressant, strategy="J2R", **kwargs)
    problem = everyone.problem
    early = [s for s, i in zip(problem.subjects, problem.ice, strict=True) if i < 4]
    by_series = multiple_imputation(
        FORMULA, antidepressant, strategy=pd.Series("J2R", index=early), **kwargs
    )
    table = pd.DataFrame(
        {
            "subject": problem.subjects,
            "strategy": np.where(problem.ice < 4, "J2R", "MAR"),
            "visit": [problem.visits[i] if i < 4 else None for i in problem.ice],
        }
    )
    by_table = multiple_imputation(FORMULA, antidepressant, strategy=table, **kwargs)
    for other in (by_series, by_table):
        np.testing.assert_array_equal(other.completed, everyone.completed)
    # the 20 DRUG discontinuers; PLACEBO's discontinuers are imputed under MAR (their reference)
    assert ((problem.strategy == "J2R") & (problem.ice < 4)).sum() == 20


def test_strategy_means_by_hand() -> None:
    own = np.array([[-2.0, -4.0, -6.0, -8.0]] * 4)
    ref = np.array([[-1.0, -2.0, -3.0, -3.5]] * 4)
    ice = np.array([2, 2, 2, 2])
    out = strategy_means(own, ref, np.array(["J2R", "CR", "CIR", "LMCF"]), ice)
    assert out.tolist() == [
        [-2.0, -4.0, -3.0, -3.5],
        [-1.0, -2.0, -3.0, -3.5],
        [-2.0, -4.0, -5.0, -5.5],
        [-2.0, -4.0, -4.0, -4.0],
    ]
    at_start = strategy_means(own[:2], ref[:2], np.array(["CIR", "LMCF"]), np.array([0, 0]))
    assert at_start.tolist() == [ref[0].tolist(), [-2.0] * 4]


def test_bad_input_is_explained(antidepressant) -> None:  # noqa: ANN001
    kwargs = dict(arm="THERAPY", reference="PLACEBO")
    with pytest.raises(ValueError, match="unknown imputation strategies"):
        multiple_imputation(FORMULA, antidepressant, strategy="BOCF", **kwargs)
    with pytest.raises(ValueError, match="method must be one of"):
        multiple_imputation(FORMULA, antidepressant, method="mcmc", **kwargs)
    with pytest.raises(ValueError, match="reference level 'SSRI'"):
        multiple_imputation(FORMULA, antidepressant, arm="THERAPY", reference="SSRI")
    varying = antidepressant.assign(
        BASVAL=antidepressant["BASVAL"] + antidepressant["VISIT"].astype(int)
    )
    with pytest.raises(ValueError, match="constant within a subject"):
        multiple_imputation(FORMULA, varying, **kwargs)
    with pytest.raises(ValueError, match="one covariance for all subjects"):
        multiple_imputation(
            "CHANGE ~ BASVAL + THERAPY*VISIT + us(VISIT | THERAPY / PATIENT)",
            antidepressant,
            **kwargs,
        )
    with pytest.raises(ValueError, match="not numeric subject-level covariates"):
        multiple_imputation(FORMULA, antidepressant, covariates=["HAMATOTL"], **kwargs)
    with pytest.raises(ValueError, match=r"1 subjects the data do not have: \['9999'\]"):
        multiple_imputation(FORMULA, antidepressant, strategy=pd.Series({"9999": "J2R"}), **kwargs)
    twice = pd.DataFrame(
        {"subject": ["1503", "1503"], "strategy": ["J2R", "CR"], "visit": ["5", "6"]}
    )
    with pytest.raises(ValueError, match="more than one strategy"):
        multiple_imputation(FORMULA, antidepressant, strategy=twice, **kwargs)


def test_user_analysis_is_pooled_like_the_built_in_one(antidepressant, condmean_j2r) -> None:  # noqa: ANN001
    """An ANCOVA at visit 7 by outcomes.ancova, given as the analysis function, pools to the
    built-in per-visit ANCOVA's result (Rubin for bayes, jackknife for condmean)."""

    def week7(data: pd.DataFrame) -> pd.DataFrame:
        fit = outcomes.ancova(
            "CHANGE ~ BASVAL + THERAPY",
            data,
            visit="VISIT",
            at="7",
            levels={"THERAPY": "PLACEBO"},
        )
        return fit.contrasts("THERAPY")

    bayes = multiple_imputation(
        FORMULA,
        antidepressant,
        arm="THERAPY",
        reference="PLACEBO",
        strategy="J2R",
        n_imputations=10,
        seed=4,
    )
    for result in (bayes, condmean_j2r):
        ours = result.analyse(week7).iloc[0]
        built_in = result.contrasts().set_index("VISIT").loc["7"]
        assert ours["contrast"] == "DRUG - PLACEBO"
        for column in ("estimate", "std_error", "df", "p_value", "conf_low", "conf_high"):
            assert ours[column] == pytest.approx(built_in[column], rel=1e-8), column


def test_tipping_point_map_over_both_arms(condmean_j2r) -> None:  # noqa: ANN001
    tip = condmean_j2r.tipping_point({"DRUG": [0.0, 4.0], "PLACEBO": [0.0, -4.0]}, visit="7")
    table = tip.table
    assert list(table.columns[:2]) == ["delta_DRUG", "delta_PLACEBO"]
    assert table[["delta_DRUG", "delta_PLACEBO"]].values.tolist() == [
        [0.0, 0.0],
        [0.0, -4.0],
        [4.0, 0.0],
        [4.0, -4.0],
    ]
    # worse DRUG imputations and better PLACEBO ones both shrink the benefit
    est = table["estimate"].to_numpy()
    assert est[0] < est[1] < est[3] and est[0] < est[2] < est[3]
    assert tip.tipping_point is None
    single = condmean_j2r.with_delta({"DRUG": 4.0, "PLACEBO": -4.0}).contrasts()
    assert est[3] == pytest.approx(single.set_index("VISIT").loc["7", "estimate"])


def test_copy_reference_near_rbmi_informal_value(antidepressant) -> None:  # noqa: ANN001
    """rbmi issue #37 gives 'around 2.374' for CR by conditional mean (PLACEBO - DRUG, visit 7,
    informal and pre-release): ours within 0.01."""
    target = float(
        PUBLISHED["rbmi_dev_issue37_informal_targets"]["approximate_targets_trt_7"]["CR"]
    )
    mi = multiple_imputation(
        FORMULA,
        antidepressant,
        arm="THERAPY",
        reference="PLACEBO",
        strategy="CR",
        method="condmean",
    )
    assert -mi.contrasts().set_index("VISIT").loc["7", "estimate"] == pytest.approx(
        target, abs=0.01
    )


def test_copy_reference_leaves_subjects_without_an_event_under_mar() -> None:
    own = np.array([[-2.0, -4.0], [-2.0, -4.0]])
    ref = np.array([[-1.0, -2.0], [-1.0, -2.0]])
    out = strategy_means(own, ref, np.array(["CR", "CR"]), np.array([2, 1]))
    assert out.tolist() == [[-2.0, -4.0], [-1.0, -2.0]]


def test_visit_without_missing_data_pools_to_rbmi_full_precision(antidepressant) -> None:  # noqa: ANN001
    """Nobody misses visit 4: every imputation gives the same ANCOVA, and Rubin's rules return
    it with Barnard-Rubin df (nu_com + 1) / (nu_com + 3) nu_com = 167.03. rbmi's quickstart prints
    these rows to 7-9 digits (identical in its three renderings)."""
    printed = {
        r["parameter"]: r
        for r in PUBLISHED["antidepressant_visit4_complete_data_ancova"]["results_full_precision"]
    }
    mi = multiple_imputation(
        FORMULA,
        antidepressant,
        arm="THERAPY",
        reference="PLACEBO",
        strategy="J2R",
        n_imputations=5,
        seed=1,
    )
    trt = mi.contrasts().set_index("VISIT").loc["4"]
    lsm = mi.lsmeans().set_index(["VISIT", "THERAPY"])
    rows = [
        (trt, printed["trt_4"], -1),
        (lsm.loc[("4", "DRUG")], printed["lsm_ref_4"], 1),
        (lsm.loc[("4", "PLACEBO")], printed["lsm_alt_4"], 1),
    ]
    for ours, ref, sign in rows:
        assert sign * ours["estimate"] == pytest.approx(float(ref["est"]), rel=1e-7)
        assert ours["std_error"] == pytest.approx(float(ref["se"]), rel=1e-6)
        low, high = sorted([sign * ours["conf_low"], sign * ours["conf_high"]])
        assert low == pytest.approx(float(ref["lci"]), rel=1e-6)
        assert high == pytest.approx(float(ref["uci"]), rel=1e-6)
        assert ours["p_value"] == pytest.approx(float(ref["pval"]), rel=1e-6)
    assert trt["df"] == pytest.approx(170 / 172 * 169)


def test_a_subject_without_any_analysed_visit_is_imputed_when_visits_are_given() -> None:
    """The sample's S001 left before the first post-dose visit. Given the baseline rows and the
    analysed visits, they are imputed at every visit (the ANCOVA has all 40 participants); from
    the post-dose rows alone they cannot be seen."""
    trial = outcomes.derive(outcomes.load_sample())
    frame = trial.frame
    madrs = frame[(frame["instrument"] == "madrs") & (frame["phase"] != "screening")]
    visits = ["WEEK 1", "WEEK 2", "WEEK 4"]
    formula = "chg ~ base + arm * visit + us(visit | subject)"
    kwargs = dict(arm="arm", reference="PLACEBO", n_imputations=5, seed=1)
    with_baseline = outcomes.multiple_imputation(formula, madrs, visits=visits, **kwargs)
    problem = with_baseline.problem
    assert len(problem.subjects) == frame["subject"].nunique() == 40
    s001 = problem.subjects.index("S001")
    assert problem.missing[s001].all() and problem.ice[s001] == 0
    assert with_baseline.contrasts()["df"].max() < 37  # ANCOVA on 40 subjects, 3 coefficients
    completed = with_baseline.completed_data().query("subject == 'S001'")
    assert completed["imputed"].all() and completed["chg"].notna().all()
    post_only = outcomes.multiple_imputation(formula, madrs[madrs["visit"].isin(visits)], **kwargs)
    assert "S001" not in post_only.problem.subjects
    with pytest.raises(ValueError, match="not in the data"):
        outcomes.multiple_imputation(formula, madrs, visits=["WEEK 99"], **kwargs)


def test_several_strategies_from_one_imputation_model(antidepressant, monkeypatch) -> None:  # noqa: ANN001
    """Each strategy as multiple_imputation gives it alone; the imputation MMRM fitted once."""
    import outcomes.models.imputation.mi as mi_module

    kwargs = {"arm": "THERAPY", "reference": "PLACEBO", "n_imputations": 10, "seed": 3}
    formula = FORMULA
    alone = {
        s: multiple_imputation(formula, antidepressant, strategy=s, **kwargs).contrasts()
        for s in ("MAR", "J2R", "CR")
    }
    fits = []
    fitting = mi_module.mmrm
    monkeypatch.setattr(mi_module, "mmrm", lambda *a, **k: fits.append(1) or fitting(*a, **k))
    together = outcomes.multiple_imputations(
        formula, antidepressant, strategies={s: s for s in alone}, **kwargs
    )
    assert len(fits) == 1 and list(together) == list(alone)
    for s, table in alone.items():
        pd.testing.assert_frame_equal(together[s].contrasts(), table)
