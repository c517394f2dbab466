"""One vocabulary (issue 12): the same role has the same keyword in every public function."""

from __future__ import annotations

import inspect

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import outcomes
from outcomes import errors, plots, tables

#: Keywords replaced by the vocabulary (subject=, arm=, visit=, outcome=, reference=, levels=,
#: conf_level=); the functions still take them for one release, through outcomes.deprecation.
OLD_NAMES = {"group", "dv", "value", "ci", "control"}
#: Defaults that only the sample trial has.
SAMPLE_DEFAULTS = {"madrs", "BASELINE", "neo-ffi-n", "DMT", "PLACEBO"}


def _public_functions():
    for module in (outcomes, plots, tables):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield f"{module.__name__}.{name}", obj


@pytest.mark.parametrize("name, function", list(_public_functions()))
def test_public_functions_speak_the_vocabulary(name, function) -> None:  # noqa: ANN001
    parameters = inspect.signature(function).parameters.values()
    old = sorted(p.name for p in parameters if p.name in OLD_NAMES)
    assert not old, f"{name} still names {old}"
    sample = [f"{p.name}={p.default!r}" for p in parameters if p.default in SAMPLE_DEFAULTS]
    assert not sample, f"{name} defaults to the sample trial: {sample}"
    data_first = [p for p in parameters][:1]
    if data_first and data_first[0].name in ("data", "trial", "frame"):
        roles = [p for p in parameters if p.name in ("subject", "arm", "visit", "outcome")]
        assert all(p.kind is p.KEYWORD_ONLY for p in roles), f"{name}: roles keyword-only"


@pytest.fixture(scope="module")
def madrs() -> pd.DataFrame:
    trial = outcomes.derive(outcomes.load_sample())
    return trial.frame.query("instrument == 'madrs' and visit in ['WEEK 1', 'WEEK 2']")


FORMULA = "chg ~ base + arm * visit + us(visit | subject)"


def test_reference_is_the_reference_arm_in_every_fitter(madrs) -> None:  # noqa: ANN001
    by_arm = outcomes.mmrm(FORMULA, madrs, reference="DMT")
    by_levels = outcomes.mmrm(FORMULA, madrs, levels={"arm": "DMT"})
    assert by_arm.contrasts("arm")["contrast"].iloc[0] == "PLACEBO - DMT"
    pd.testing.assert_frame_equal(by_arm.to_frame(), by_levels.to_frame())
    week2 = madrs[madrs["visit"] == "WEEK 2"]
    assert "armPLACEBO" in outcomes.ancova("chg ~ base + arm", week2, reference="DMT").coefficients
    lmm = outcomes.lmm("chg ~ base + arm", madrs, subject="subject", reference="DMT")
    assert "armPLACEBO" in lmm.coefficients
    gee = outcomes.gee("chg ~ base + arm", madrs, subject="subject", reference="DMT")
    assert "armPLACEBO" in gee.coefficients
    renamed = madrs.rename(columns={"arm": "TRT"})
    fit = outcomes.mmrm(FORMULA.replace("arm", "TRT"), renamed, arm="TRT", reference="DMT")
    assert fit.contrasts("TRT")["contrast"].iloc[0] == "PLACEBO - DMT"


def test_a_mapping_as_reference_is_the_old_levels(madrs) -> None:  # noqa: ANN001
    new = outcomes.mmrm(FORMULA, madrs, levels={"arm": "DMT"})
    with pytest.warns(errors.OutcomesDeprecationWarning, match="now levels="):
        old = outcomes.mmrm(FORMULA, madrs, reference={"arm": "DMT"})
    pd.testing.assert_frame_equal(old.to_frame(), new.to_frame())
    with pytest.raises(errors.ModelSpecificationError, match="give the reference arm once"):
        outcomes.mmrm(FORMULA, madrs, reference="DMT", levels={"arm": "PLACEBO"})
    with pytest.raises(errors.ModelSpecificationError, match="give the mapping as levels="):
        outcomes.mmrm(FORMULA, madrs, reference={"arm": "DMT"}, levels={"visit": "WEEK 2"})
    with pytest.raises(errors.ModelSpecificationError, match="not among"):
        outcomes.mmrm(FORMULA, madrs, reference="SSRI")


def test_old_plot_keywords_draw_the_same_figure_with_a_warning(madrs) -> None:  # noqa: ANN001
    new = plots.observed_means(madrs, outcome="chg", arm="arm", conf_level=0.9)
    with pytest.warns(errors.OutcomesDeprecationWarning) as caught:
        old = plots.observed_means(madrs, value="chg", group="arm", ci=0.9)
    said = " ".join(str(w.message) for w in caught)
    assert all(f"{a}= is now {b}=" in said for a, b in [("value", "outcome"), ("ci", "conf_level")])
    assert old.get_ylabel() == new.get_ylabel() == "change from baseline: mean (90% CI)"
    for a, b in zip(old.containers, new.containers, strict=True):
        assert (a.lines[0].get_ydata() == b.lines[0].get_ydata()).all()
    plt.close("all")


def test_old_table_keywords_give_the_same_table(madrs) -> None:  # noqa: ANN001
    new = tables.visit_summary(madrs, outcome="chg", arm="arm")
    with pytest.warns(errors.OutcomesDeprecationWarning) as caught:
        old = tables.visit_summary(madrs, value="chg", group="arm")
    assert len(caught) == 2
    pd.testing.assert_frame_equal(old.to_frame(), new.to_frame())


def test_defaults_come_from_the_data_not_the_sample_trial() -> None:
    trial = outcomes.load_sample()
    assert outcomes.baseline_visits(trial) == {
        "gad7": "BASELINE",
        "madrs": "BASELINE",
        "neo-ffi-n": "BASELINE",
    }
    renamed = trial.frame.assign(
        visit=trial.frame["visit"].cat.rename_categories({"BASELINE": "V0"})
    )
    assert outcomes.baseline_visits(renamed)["madrs"] == "V0"
    assert outcomes.baseline_visits(trial.frame.drop(columns="phase")) == {}
    # trait_change's pre visit is the instrument's baseline visit, in any trial
    implied = outcomes.trait_change(renamed, instrument="neo-ffi-n")
    explicit = outcomes.trait_change(trial, instrument="neo-ffi-n", pre="BASELINE")
    pd.testing.assert_frame_equal(implied.within, explicit.within)
    with pytest.raises(errors.ModelSpecificationError, match="give pre="):
        outcomes.trait_change(trial.frame.drop(columns="phase"), instrument="neo-ffi-n")
    # the baseline table's covariates are the trial's, its scores each instrument at baseline
    table = tables.baseline_table(trial).to_frame(labels=False)
    assert {"Sex, n (%)", "Age", "Site, n (%)"} <= set(table["characteristic"])
    assert "MADRS total score, BASELINE" in set(table["characteristic"])
    bare = tables.baseline_table(trial.frame).to_frame(labels=False)
    assert not {"Sex, n (%)", "Age"} & set(bare["characteristic"])
    with pytest.raises(TypeError, match="instrument"):
        outcomes.session_visits(trial)  # type: ignore[call-arg]
